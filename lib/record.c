/* record.c - the one table of output fields, walked by both formatters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "procfs.h"
#include "ptable.h"
#include "record.h"
#include "strutil.h"

#define NS 1000000000LL

static int64_t clock_diff(clockid_t a, clockid_t b)
{
	struct timespec ta, tb;

	clock_gettime(b, &tb);
	clock_gettime(a, &ta);
	return ((int64_t)ta.tv_sec - tb.tv_sec) * NS + (ta.tv_nsec - tb.tv_nsec);
}

void pw_record_opts_clocks(struct pw_record_opts *o)
{
	int64_t off, d;

	if (o->fixed_clocks)
		return;
	off = clock_diff(CLOCK_REALTIME, CLOCK_MONOTONIC);
	d = off - o->wall_offset_ns;

	/*
	 * Measuring the offset jitters by some nanoseconds: keep the old one
	 * unless the wall clock really moved, so one instant always prints the
	 * same (a start_time is the same in every record of a process).
	 */
	if (o->wall_offset_ns == 0 || d > 1000000 || d < -1000000)
		o->wall_offset_ns = off;
	/*
	 * Start times are clock ticks: a boot time to the millisecond keeps them
	 * the same from run to run despite the jitter of measuring it.
	 */
	o->boot_wall_ns = (clock_diff(CLOCK_REALTIME, CLOCK_BOOTTIME) + 500000) / 1000000 * 1000000;
}

int pw_record_opts_init(struct pw_record_opts *o, const char *proc_root)
{
	char buf[64], path[4096];
	size_t j = 0;
	ssize_t n;
	int fd;

	pw_record_opts_clocks(o);
	o->ticks_per_sec = sysconf(_SC_CLK_TCK);
	if (o->ticks_per_sec <= 0)
		o->ticks_per_sec = 100;
	snprintf(path, sizeof(path), "%s/sys/kernel/random/boot_id", proc_root ? proc_root : "/proc");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	/* a uuid: hex digits and dashes; the first 12 digits, in lower case */
	for (ssize_t i = 0; i < n && j < 12; i++) {
		char c = buf[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
			o->boot_id[j++] = c;
		else if (c != '-')
			return -EINVAL;
	}
	o->boot_id[j] = '\0';
	return j == 12 ? 0 : -EINVAL;
}

void pw_record_opts_free(struct pw_record_opts *o)
{
	free(o->anc);
	o->anc = NULL;
	o->anc_cap = 0;
}

static void format_wall(int64_t wall, char *buf, size_t n)
{
	time_t sec = (time_t)(wall / NS);
	long nsec = (long)(wall % NS);
	struct tm tm;

	if (nsec < 0) {
		nsec += NS;
		sec--;
	}
	gmtime_r(&sec, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

void pw_record_time(uint64_t mono_ns, int64_t offset_ns, char *buf, size_t n)
{
	format_wall((int64_t)mono_ns + offset_ns, buf, n);
}

void pw_record_key(const struct pw_record_opts *o, unsigned long long starttime, pid_t pid,
		   char *buf, size_t n)
{
	snprintf(buf, n, "%s-%llu-%d", o->boot_id, starttime, (int)pid);
}

/* What one record shows, worked out once before its fields are written. */
struct pw_view {
	const struct pw_event *ev;
	struct pw_record_opts *o;
	const struct pw_proc *p;
	const struct pw_pentry *e;	/* the subject's entry, NULL when not in the table */
	/* the ids an id event carries are the truth at event time */
	bool have_uid, have_gid;
	uid_t uid, euid;
	gid_t gid, egid;
	unsigned miss;		/* data fields to list in "missing" */
};

#define CHECK(call)                   \
	do {                          \
		int r_ = (call);      \
		if (r_ < 0)           \
			return r_;    \
	} while (0)

static int cstr(const struct pw_field_ops *ops, void *ctx, const struct pw_field *f, const char *s)
{
	return s ? ops->str(ctx, f, s, strlen(s)) : ops->null(ctx, f);
}

static int blob(const struct pw_field_ops *ops, void *ctx, const struct pw_field *f, bool have,
		const struct pw_blob *b)
{
	if (!have)
		return ops->null(ctx, f);
	return b ? ops->str(ctx, f, b->data, b->len) : ops->str(ctx, f, "", 0);
}

/* An audit id: null when unset (-1). */
static int audit_id(const struct pw_field_ops *ops, void *ctx, const struct pw_field *f, bool have, uint32_t v)
{
	return have && v != UINT32_MAX ? ops->num(ctx, f, v) : ops->null(ctx, f);
}

/* Wall-clock ns at which e started: its fork when procwatch saw it, else its start time. */
static int64_t start_wall(const struct pw_record_opts *o, const struct pw_pentry *e)
{
	if (e->fork_ns)
		return (int64_t)e->fork_ns + o->wall_offset_ns;
	return o->boot_wall_ns +
	       (int64_t)(e->d.starttime * (unsigned long long)NS / (unsigned long long)o->ticks_per_sec);
}

static bool started(const struct pw_pentry *e)
{
	return e && (e->d.have & PW_F_START);
}

/* The rows' writers, in table order. */

static int w_time(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	char when[48];

	pw_record_time(v->ev->ts_ns, v->o->wall_offset_ns, when, sizeof(when));
	return ops->str(ctx, f, when, strlen(when));
}

static int w_event(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return cstr(ops, ctx, f, pw_kind_name(v->ev->kind));
}

static int w_count(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return ops->num(ctx, f, (long long)v->ev->u.lost.count);
}

static int w_cpu(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->ev->cpu == PW_CPU_UNKNOWN ? ops->null(ctx, f) : ops->num(ctx, f, v->ev->cpu);
}

static int w_reason(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	if (v->ev->u.lost.reason == PW_LOST_QUEUE)
		return cstr(ops, ctx, f, "queue");
	if (v->ev->u.lost.reason == PW_LOST_CAPTURE)
		return cstr(ops, ctx, f, "exec_capture");
	return 0;	/* events the kernel dropped: the lost record of old */
}

static int w_pid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return ops->num(ctx, f, v->ev->pid);
}

static int w_comm(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	if (v->ev->kind == PW_EV_COMM)
		return cstr(ops, ctx, f, v->ev->u.comm.comm);
	return cstr(ops, ctx, f, (v->p->have & PW_F_COMM) ? v->p->comm : NULL);
}

static int w_tid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->ev->thread ? ops->num(ctx, f, v->ev->tid) : 0;
}

static int w_thread(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->ev->thread ? ops->boolean(ctx, f, true) : 0;
}

static int key_of(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx,
		  const struct pw_pentry *e)
{
	char key[64];

	if (!started(e))
		return ops->null(ctx, f);
	pw_record_key(v->o, e->d.starttime, e->pid, key, sizeof(key));
	return ops->str(ctx, f, key, strlen(key));
}

static int w_key(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return key_of(v, f, ops, ctx, v->e);
}

static int w_ppid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	if (v->ev->ppid)
		return ops->num(ctx, f, v->ev->ppid);
	return (v->p->have & PW_F_PPID) ? ops->num(ctx, f, v->p->ppid) : ops->null(ctx, f);
}

static int w_pgid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return (v->p->have & PW_F_PGID) ? ops->num(ctx, f, v->p->pgid) : ops->null(ctx, f);
}

static int w_parent_key(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
			void *ctx)
{
	return key_of(v, f, ops, ctx, v->e ? v->e->parent : NULL);
}

static int w_exe(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return blob(ops, ctx, f, (v->p->have & PW_F_EXE) && !v->p->kthread && v->p->exe, v->p->exe);
}

static int w_argv(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_proc *p = v->p;

	if (!(p->have & PW_F_ARGV))
		return ops->null(ctx, f);
	return ops->argv(ctx, f, p->argc && p->argv ? p->argv->data : "", p->argv ? p->argc : 0);
}

static int w_cwd(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return blob(ops, ctx, f, v->p->have & PW_F_CWD, v->p->cwd);
}

static int w_uid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->have_uid ? ops->num(ctx, f, v->uid) : ops->null(ctx, f);
}

static int w_user(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	if (!v->have_uid)
		return ops->null(ctx, f);
	return cstr(ops, ctx, f, v->o->names ? pw_names_user(v->o->names, v->uid) : NULL);
}

static int w_euid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->have_uid ? ops->num(ctx, f, v->euid) : ops->null(ctx, f);
}

static int w_gid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->have_gid ? ops->num(ctx, f, v->gid) : ops->null(ctx, f);
}

static int w_group(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	if (!v->have_gid)
		return ops->null(ctx, f);
	return cstr(ops, ctx, f, v->o->names ? pw_names_group(v->o->names, v->gid) : NULL);
}

static int w_egid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return v->have_gid ? ops->num(ctx, f, v->egid) : ops->null(ctx, f);
}

static int w_loginuid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		      void *ctx)
{
	return audit_id(ops, ctx, f, v->p->have & PW_F_LOGIN, v->p->loginuid);
}

static int w_sessionid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		       void *ctx)
{
	return audit_id(ops, ctx, f, v->p->have & PW_F_LOGIN, v->p->sessionid);
}

static int w_tty(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	char name[64];

	if ((v->p->have & PW_F_TTY) && pw_tty_name(v->p->tty_nr, name, sizeof(name)) == 0)
		return ops->str(ctx, f, name, strlen(name));
	return ops->null(ctx, f);
}

static int w_start_time(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
			void *ctx)
{
	char when[48];

	if (!started(v->e))
		return ops->null(ctx, f);
	format_wall(start_wall(v->o, v->e), when, sizeof(when));
	return ops->str(ctx, f, when, strlen(when));
}

static int w_cgroup(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return blob(ops, ctx, f, v->p->have & PW_F_CGROUP, v->p->cgroup);
}

static int w_container_id(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
			  void *ctx)
{
	const struct pw_blob *cg = v->p->cgroup;
	char id[65];

	if ((v->p->have & PW_F_CGROUP) && cg && pw_cgroup_container_id(cg->data, cg->len, id) == 0)
		return ops->str(ctx, f, id, 64);
	return ops->null(ctx, f);
}

static int w_unit(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_blob *cg = v->p->cgroup;
	const char *unit;
	size_t n;

	if ((v->p->have & PW_F_CGROUP) && cg && pw_cgroup_unit(cg->data, cg->len, &unit, &n) == 0)
		return ops->str(ctx, f, unit, n);
	return ops->null(ctx, f);
}

static int w_exit_code(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		       void *ctx)
{
	struct pw_exit_status es;

	if (pw_exit_status_decode(v->ev->u.exit.status, &es) < 0 || es.signal)
		return ops->null(ctx, f);
	return ops->num(ctx, f, es.code);
}

static int w_signal(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	struct pw_exit_status es;
	char sig[32];

	if (pw_exit_status_decode(v->ev->u.exit.status, &es) < 0 || !es.signal)
		return ops->null(ctx, f);
	return cstr(ops, ctx, f, pw_signal_name(es.signal, sig, sizeof(sig)));
}

static int w_core_dumped(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
			 void *ctx)
{
	struct pw_exit_status es;

	return ops->boolean(ctx, f, pw_exit_status_decode(v->ev->u.exit.status, &es) == 0 && es.core_dumped);
}

static int w_status(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return ops->num(ctx, f, v->ev->u.exit.status);
}

static int w_duration(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		      void *ctx)
{
	int64_t d;

	if (!started(v->e))
		return ops->null(ctx, f);
	d = (int64_t)v->ev->ts_ns + v->o->wall_offset_ns - start_wall(v->o, v->e);
	return ops->real(ctx, f, d > 0 ? (double)d / NS : 0.0);
}

/* ruid and rgid: the effective ids are among the process fields already */
static int w_real_id(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		     void *ctx)
{
	return ops->num(ctx, f, v->ev->u.id.real);
}

static int w_sid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return ops->num(ctx, f, v->ev->pid);
}

static int w_tracer_pid(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
			void *ctx)
{
	return ops->num(ctx, f, v->ev->u.ptrace.tracer_pid);
}

static int w_action(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx)
{
	return cstr(ops, ctx, f, v->ev->u.ptrace.tracer_pid ? "attach" : "detach");
}

static int w_old_comm(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		      void *ctx)
{
	return cstr(ops, ctx, f, v->ev->u.comm.old_comm[0] ? v->ev->u.comm.old_comm : NULL);
}

/* where an exec's argv, exe and cwd came from */
static int w_exec_source(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
			 void *ctx)
{
	enum pw_exec_source src = v->p->source;

	return cstr(ops, ctx, f, src == PW_XS_BPF ? "bpf" : src == PW_XS_MIXED ? "bpf+proc" : "proc");
}

/* The chain of creators above the subject, parent first: absent with -a 0. */
static int w_ancestors(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		       void *ctx)
{
	if (v->o->max_ancestors == 0)
		return 0;
	return ops->ancestors(ctx, f, v->e ? v->e->parent : NULL, v->o);
}

static const char *missing_name(unsigned bit);

static int w_missing(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops,
		     void *ctx)
{
	const char *names[32];
	size_t n = 0;

	for (unsigned i = 0; i < PW_F_NFIELDS; i++)
		if (v->miss & (1u << i))
			names[n++] = missing_name(1u << i);
	return n ? ops->list(ctx, f, names, n) : 0;
}

/* The data copies, one per datum: strings are shared. */

static void share(struct pw_blob **dst, struct pw_blob *src)
{
	if (*dst == src)
		return;
	pw_blob_unref(dst);
	*dst = pw_blob_ref(src);
}

static void c_ppid(struct pw_proc *d, const struct pw_proc *s)
{
	d->ppid = s->ppid;
}

static void c_pgid(struct pw_proc *d, const struct pw_proc *s)
{
	d->pgid = s->pgid;
}

static void c_comm(struct pw_proc *d, const struct pw_proc *s)
{
	memcpy(d->comm, s->comm, sizeof(d->comm));
}

static void c_exe(struct pw_proc *d, const struct pw_proc *s)
{
	share(&d->exe, s->exe);
	d->kthread = s->kthread;
}

static void c_argv(struct pw_proc *d, const struct pw_proc *s)
{
	share(&d->argv, s->argv);
	d->argc = s->argc;
	d->kthread = s->kthread;
}

static void c_cwd(struct pw_proc *d, const struct pw_proc *s)
{
	share(&d->cwd, s->cwd);
}

static void c_uid(struct pw_proc *d, const struct pw_proc *s)
{
	d->uid = s->uid;
	d->euid = s->euid;
}

static void c_gid(struct pw_proc *d, const struct pw_proc *s)
{
	d->gid = s->gid;
	d->egid = s->egid;
}

static void c_login(struct pw_proc *d, const struct pw_proc *s)
{
	d->loginuid = s->loginuid;
	d->sessionid = s->sessionid;
}

static void c_tty(struct pw_proc *d, const struct pw_proc *s)
{
	d->tty_nr = s->tty_nr;
}

static void c_start(struct pw_proc *d, const struct pw_proc *s)
{
	d->starttime = s->starttime;
}

static void c_cgroup(struct pw_proc *d, const struct pw_proc *s)
{
	share(&d->cgroup, s->cgroup);
}

#define ALL_KINDS (PW_KINDS_ALL | PW_KIND_BIT(PW_EV_LOST) | PW_KIND_BIT(PW_EV_EXIST))
#define PROC_KINDS (PW_KINDS_ALL | PW_KIND_BIT(PW_EV_EXIST))
#define KIND(k) PW_KIND_BIT(PW_EV_##k)
#define POS PW_FIELD_POSITIONAL
#define FORK PW_IN_FORK
#define EXEC PW_IN_EXEC
#define VOLATILE PW_IN_VOLATILE
#define CAP PW_FROM_CAPTURE

/*
 * The fields of every record, in output order. A datum's owner row says
 * where it comes from and how it is inherited; the rows after it that
 * show the same datum only say how they are written.
 */
const struct pw_field pw_fields[] = {
	/* name          kinds       bit           owner from                               inherit            copy      flags writer */
	{ "time",        ALL_KINDS,  0,            false, PW_FROM_EVENT,                    0,                 NULL,     POS, w_time },
	{ "event",       ALL_KINDS,  0,            false, PW_FROM_EVENT,                    0,                 NULL,     POS, w_event },
	{ "count",       KIND(LOST), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_count },
	{ "cpu",         KIND(LOST), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_cpu },
	{ "reason",      KIND(LOST), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_reason },
	{ "pid",         PROC_KINDS, 0,            false, PW_FROM_EVENT,                    0,                 NULL,     POS, w_pid },
	{ "comm",        PROC_KINDS, PW_F_COMM,    true,  PW_FROM_STAT | CAP | PW_FROM_EVENT, FORK | EXEC,     c_comm,   POS, w_comm },
	{ "tid",         PROC_KINDS, 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_tid },
	{ "thread",      PROC_KINDS, 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_thread },
	{ "key",         PROC_KINDS, PW_F_START,   false, PW_FROM_TABLE,                    0,                 NULL,     0,   w_key },
	{ "ppid",        PROC_KINDS, PW_F_PPID,    true,  PW_FROM_STAT | CAP | PW_FROM_EVENT, VOLATILE,        c_ppid,   0,   w_ppid },
	{ "pgid",        PROC_KINDS, PW_F_PGID,    true,  PW_FROM_STAT | CAP,               FORK | VOLATILE,   c_pgid,   0,   w_pgid },
	{ "parent_key",  PROC_KINDS, 0,            false, PW_FROM_TABLE,                    0,                 NULL,     0,   w_parent_key },
	{ "exe",         PROC_KINDS, PW_F_EXE,     true,  PW_FROM_EXE | CAP,                FORK | EXEC,       c_exe,    0,   w_exe },
	{ "argv",        PROC_KINDS, PW_F_ARGV,    true,  PW_FROM_CMDLINE | CAP,            FORK | EXEC,       c_argv,   0,   w_argv },
	{ "cwd",         PROC_KINDS, PW_F_CWD,     true,  PW_FROM_CWD | CAP,                FORK | VOLATILE,   c_cwd,    0,   w_cwd },
	{ "uid",         PROC_KINDS, PW_F_UID,     true,  PW_FROM_STATUS | CAP | PW_FROM_EVENT, FORK,          c_uid,    0,   w_uid },
	{ "user",        PROC_KINDS, PW_F_UID,     false, 0,                                0,                 NULL,     0,   w_user },
	{ "euid",        PROC_KINDS, PW_F_UID,     false, 0,                                0,                 NULL,     0,   w_euid },
	{ "gid",         PROC_KINDS, PW_F_GID,     true,  PW_FROM_STATUS | CAP | PW_FROM_EVENT, FORK,          c_gid,    0,   w_gid },
	{ "group",       PROC_KINDS, PW_F_GID,     false, 0,                                0,                 NULL,     0,   w_group },
	{ "egid",        PROC_KINDS, PW_F_GID,     false, 0,                                0,                 NULL,     0,   w_egid },
	{ "loginuid",    PROC_KINDS, PW_F_LOGIN,   true,  PW_FROM_LOGIN | CAP,              FORK | VOLATILE,   c_login,  0,   w_loginuid },
	{ "sessionid",   PROC_KINDS, PW_F_LOGIN,   false, 0,                                0,                 NULL,     0,   w_sessionid },
	{ "tty",         PROC_KINDS, PW_F_TTY,     true,  PW_FROM_STAT | CAP,               FORK,              c_tty,    0,   w_tty },
	{ "start_time",  PROC_KINDS, PW_F_START,   true,  PW_FROM_STAT | CAP | PW_FROM_EVENT, 0,               c_start,  0,   w_start_time },
	{ "cgroup",      PROC_KINDS, PW_F_CGROUP,  true,  PW_FROM_CGROUP | CAP,             FORK | VOLATILE,   c_cgroup, 0,   w_cgroup },
	{ "container_id", PROC_KINDS, PW_F_CGROUP, false, 0,                                0,                 NULL,     0,   w_container_id },
	{ "unit",        PROC_KINDS, PW_F_CGROUP,  false, 0,                                0,                 NULL,     0,   w_unit },
	{ "exit_code",   KIND(EXIT), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_exit_code },
	{ "signal",      KIND(EXIT), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_signal },
	{ "core_dumped", KIND(EXIT), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_core_dumped },
	{ "status",      KIND(EXIT), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_status },
	{ "duration",    KIND(EXIT), 0,            false, PW_FROM_TABLE,                    0,                 NULL,     0,   w_duration },
	{ "ruid",        KIND(UID),  0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_real_id },
	{ "rgid",        KIND(GID),  0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_real_id },
	{ "sid",         KIND(SID),  0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_sid },
	{ "tracer_pid",  KIND(PTRACE), 0,          false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_tracer_pid },
	{ "action",      KIND(PTRACE), 0,          false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_action },
	{ "old_comm",    KIND(COMM), 0,            false, PW_FROM_TABLE,                    0,                 NULL,     0,   w_old_comm },
	{ "exec_source", KIND(EXEC), 0,            false, PW_FROM_EVENT,                    0,                 NULL,     0,   w_exec_source },
	{ "ancestors",   PROC_KINDS, 0,            false, PW_FROM_TABLE,                    0,                 NULL,     0,   w_ancestors },
	{ "missing",     PROC_KINDS, 0,            false, 0,                                0,                 NULL,     0,   w_missing },
};
const size_t pw_nfields = sizeof(pw_fields) / sizeof(pw_fields[0]);

static const struct pw_field *owner_of(unsigned bit)
{
	for (size_t i = 0; i < pw_nfields; i++)
		if (pw_fields[i].owner && pw_fields[i].bit == bit)
			return &pw_fields[i];
	return NULL;
}

static const char *missing_name(unsigned bit)
{
	const struct pw_field *f = owner_of(bit);

	return f ? f->name : "?";
}

unsigned pw_fields_inherited(unsigned inherit)
{
	unsigned mask = 0;

	for (size_t i = 0; i < pw_nfields; i++)
		if (pw_fields[i].owner && (pw_fields[i].inherit & inherit) == inherit)
			mask |= pw_fields[i].bit;
	return mask;
}

void pw_proc_copy(struct pw_proc *dst, const struct pw_proc *src, unsigned mask)
{
	for (size_t i = 0; i < pw_nfields; i++)
		if (pw_fields[i].owner && (mask & pw_fields[i].bit))
			pw_fields[i].copy(dst, src);
	dst->have |= mask;
}

void pw_proc_forget(struct pw_proc *p, unsigned mask)
{
	if (mask & PW_F_EXE)
		pw_blob_unref(&p->exe);
	if (mask & PW_F_ARGV) {
		pw_blob_unref(&p->argv);
		p->argc = 0;
	}
	if (mask & PW_F_CWD)
		pw_blob_unref(&p->cwd);
	if (mask & PW_F_CGROUP)
		pw_blob_unref(&p->cgroup);
	if (mask & PW_F_COMM)
		p->comm[0] = '\0';
	p->have &= ~mask;
}

long pw_record_ancestors(struct pw_record_opts *o, const struct pw_pentry *first,
			 const struct pw_pentry *const **v)
{
	uint32_t max = o->max_ancestors < PW_ANCESTORS_MAX ? o->max_ancestors : PW_ANCESTORS_MAX;
	size_t n = 0;

	for (const struct pw_pentry *a = first; a && n < max; a = a->parent) {
		if (n == o->anc_cap) {
			size_t cap = o->anc_cap ? o->anc_cap * 2 : 16;
			const struct pw_pentry **grown = realloc(o->anc, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			o->anc = grown;
			o->anc_cap = cap;
		}
		o->anc[n++] = a;
	}
	*v = o->anc;
	return (long)n;
}

int pw_record_walk(const struct pw_event *ev, struct pw_record_opts *o,
		   const struct pw_field_ops *ops, void *ctx)
{
	struct pw_view v = { .ev = ev, .o = o, .p = &ev->proc, .e = ev->entry };
	unsigned kind = PW_KIND_BIT(ev->kind);

	v.have_uid = ev->proc.have & PW_F_UID;
	v.have_gid = ev->proc.have & PW_F_GID;
	v.uid = ev->proc.uid;
	v.euid = ev->proc.euid;
	v.gid = ev->proc.gid;
	v.egid = ev->proc.egid;
	if (ev->kind == PW_EV_UID) {
		v.have_uid = true;
		v.uid = ev->u.id.real;
		v.euid = ev->u.id.eff;
	} else if (ev->kind == PW_EV_GID) {
		v.have_gid = true;
		v.gid = ev->u.id.real;
		v.egid = ev->u.id.eff;
	}
	/* what the event itself carries is not missing */
	v.miss = ev->proc.missing;
	if (ev->ppid)
		v.miss &= ~PW_F_PPID;
	if (ev->kind == PW_EV_COMM)
		v.miss &= ~PW_F_COMM;
	if (ev->kind == PW_EV_UID)
		v.miss &= ~PW_F_UID;
	if (ev->kind == PW_EV_GID)
		v.miss &= ~PW_F_GID;
	if (started(ev->entry))
		v.miss &= ~PW_F_START;
	for (size_t i = 0; i < pw_nfields; i++)
		if (pw_fields[i].kinds & kind)
			CHECK(pw_fields[i].write(&v, &pw_fields[i], ops, ctx));
	return 0;
}
