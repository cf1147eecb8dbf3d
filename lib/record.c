/* record.c - the one list of output fields, walked by both formatters */
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

/* Names of the PW_F_* bits, in bit order, for "missing". */
static const char *const field_names[PW_F_NFIELDS] = {
	"ppid", "comm", "exe", "argv", "cwd", "uid", "gid", "start_time", "tty", "loginuid", "cgroup",
};

#define CHECK(call)                   \
	do {                          \
		int r_ = (call);      \
		if (r_ < 0)           \
			return r_;    \
	} while (0)

static int cstr(const struct pw_field_ops *ops, void *ctx, const char *key, const char *s)
{
	return s ? ops->str(ctx, key, s, strlen(s)) : ops->null(ctx, key);
}

/* An audit id: null when unset (-1). */
static int audit_id(const struct pw_field_ops *ops, void *ctx, const char *key, bool have, uint32_t v)
{
	return have && v != UINT32_MAX ? ops->num(ctx, key, v) : ops->null(ctx, key);
}

/* Wall-clock ns at which e started: its fork when procwatch saw it, else its start time. */
static int64_t start_wall(const struct pw_record_opts *o, const struct pw_pentry *e)
{
	if (e->fork_ns)
		return (int64_t)e->fork_ns + o->wall_offset_ns;
	return o->boot_wall_ns + (int64_t)(e->starttime * (unsigned long long)NS / (unsigned long long)o->ticks_per_sec);
}

static int walk_ids(const struct pw_event *ev, const struct pw_record_opts *o,
		    const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_proc *p = &ev->proc;
	bool have_uid = p->have & PW_F_UID, have_gid = p->have & PW_F_GID;
	uid_t uid = p->uid, euid = p->euid;
	gid_t gid = p->gid, egid = p->egid;

	/* the ids an id event carries are the truth at event time */
	if (ev->kind == PW_EV_UID) {
		have_uid = true;
		uid = ev->u.id.real;
		euid = ev->u.id.eff;
	} else if (ev->kind == PW_EV_GID) {
		have_gid = true;
		gid = ev->u.id.real;
		egid = ev->u.id.eff;
	}
	if (have_uid) {
		CHECK(ops->num(ctx, "uid", uid));
		CHECK(cstr(ops, ctx, "user", o->names ? pw_names_user(o->names, uid) : NULL));
		CHECK(ops->num(ctx, "euid", euid));
	} else {
		CHECK(ops->null(ctx, "uid"));
		CHECK(ops->null(ctx, "user"));
		CHECK(ops->null(ctx, "euid"));
	}
	if (have_gid) {
		CHECK(ops->num(ctx, "gid", gid));
		CHECK(cstr(ops, ctx, "group", o->names ? pw_names_group(o->names, gid) : NULL));
		CHECK(ops->num(ctx, "egid", egid));
	} else {
		CHECK(ops->null(ctx, "gid"));
		CHECK(ops->null(ctx, "group"));
		CHECK(ops->null(ctx, "egid"));
	}
	return 0;
}

static int walk_context(const struct pw_event *ev, const struct pw_record_opts *o,
			const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_proc *p = &ev->proc;
	bool login = p->have & PW_F_LOGIN;
	char buf[64], id[65];
	const char *unit;
	size_t n;

	CHECK(audit_id(ops, ctx, "loginuid", login, p->loginuid));
	CHECK(audit_id(ops, ctx, "sessionid", login, p->sessionid));
	if ((p->have & PW_F_TTY) && pw_tty_name(p->tty_nr, buf, sizeof(buf)) == 0)
		CHECK(ops->str(ctx, "tty", buf, strlen(buf)));
	else
		CHECK(ops->null(ctx, "tty"));
	if (ev->entry && (ev->entry->have & PW_F_START)) {
		format_wall(start_wall(o, ev->entry), buf, sizeof(buf));
		CHECK(ops->str(ctx, "start_time", buf, strlen(buf)));
	} else {
		CHECK(ops->null(ctx, "start_time"));
	}
	if (!(p->have & PW_F_CGROUP)) {
		CHECK(ops->null(ctx, "cgroup"));
		CHECK(ops->null(ctx, "container_id"));
		return ops->null(ctx, "unit");
	}
	CHECK(ops->str(ctx, "cgroup", p->cgroup.data, p->cgroup.len));
	if (pw_cgroup_container_id(p->cgroup.data, p->cgroup.len, id) == 0)
		CHECK(ops->str(ctx, "container_id", id, 64));
	else
		CHECK(ops->null(ctx, "container_id"));
	if (pw_cgroup_unit(p->cgroup.data, p->cgroup.len, &unit, &n) == 0)
		return ops->str(ctx, "unit", unit, n);
	return ops->null(ctx, "unit");
}

static int walk_proc(const struct pw_event *ev, const struct pw_record_opts *o,
		     const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_proc *p = &ev->proc;
	const struct pw_pentry *e = ev->entry, *parent = e ? e->parent : NULL;
	char key[64];

	if (e && (e->have & PW_F_START)) {
		pw_record_key(o, e->starttime, e->pid, key, sizeof(key));
		CHECK(ops->str(ctx, "key", key, strlen(key)));
	} else {
		CHECK(ops->null(ctx, "key"));
	}
	if (ev->ppid)
		CHECK(ops->num(ctx, "ppid", ev->ppid));
	else if (p->have & PW_F_PPID)
		CHECK(ops->num(ctx, "ppid", p->ppid));
	else
		CHECK(ops->null(ctx, "ppid"));
	if (parent && (parent->have & PW_F_START)) {
		pw_record_key(o, parent->starttime, parent->pid, key, sizeof(key));
		CHECK(ops->str(ctx, "parent_key", key, strlen(key)));
	} else {
		CHECK(ops->null(ctx, "parent_key"));
	}
	if ((p->have & PW_F_EXE) && !p->kthread)
		CHECK(ops->str(ctx, "exe", p->exe.data, p->exe.len));
	else
		CHECK(ops->null(ctx, "exe"));
	if (p->have & PW_F_ARGV)
		CHECK(ops->argv(ctx, "argv", p->argc ? p->argv.data : "", p->argc));
	else
		CHECK(ops->null(ctx, "argv"));
	if (p->have & PW_F_CWD)
		CHECK(ops->str(ctx, "cwd", p->cwd.data, p->cwd.len));
	else
		CHECK(ops->null(ctx, "cwd"));
	CHECK(walk_ids(ev, o, ops, ctx));
	return walk_context(ev, o, ops, ctx);
}

static int walk_kind(const struct pw_event *ev, const struct pw_record_opts *o,
		     const struct pw_field_ops *ops, void *ctx)
{
	char sig[32];
	struct pw_exit_status es;

	switch (ev->kind) {
	case PW_EV_EXIT:
		if (pw_exit_status_decode(ev->u.exit.status, &es) < 0) {
			CHECK(ops->null(ctx, "exit_code"));
			CHECK(ops->null(ctx, "signal"));
			CHECK(ops->boolean(ctx, "core_dumped", false));
		} else {
			if (es.signal) {
				CHECK(ops->null(ctx, "exit_code"));
				CHECK(cstr(ops, ctx, "signal", pw_signal_name(es.signal, sig, sizeof(sig))));
			} else {
				CHECK(ops->num(ctx, "exit_code", es.code));
				CHECK(ops->null(ctx, "signal"));
			}
			CHECK(ops->boolean(ctx, "core_dumped", es.core_dumped));
		}
		CHECK(ops->num(ctx, "status", ev->u.exit.status));
		if (ev->entry && (ev->entry->have & PW_F_START)) {
			int64_t d = (int64_t)ev->ts_ns + o->wall_offset_ns - start_wall(o, ev->entry);

			return ops->real(ctx, "duration", d > 0 ? (double)d / NS : 0.0);
		}
		return ops->null(ctx, "duration");
	case PW_EV_UID:
		/* euid is already among the process fields */
		return ops->num(ctx, "ruid", ev->u.id.real);
	case PW_EV_GID:
		return ops->num(ctx, "rgid", ev->u.id.real);
	case PW_EV_SID:
		return ops->num(ctx, "sid", ev->pid);
	case PW_EV_PTRACE:
		CHECK(ops->num(ctx, "tracer_pid", ev->u.ptrace.tracer_pid));
		return cstr(ops, ctx, "action", ev->u.ptrace.tracer_pid ? "attach" : "detach");
	case PW_EV_COMM:
		return cstr(ops, ctx, "old_comm", ev->u.comm.old_comm[0] ? ev->u.comm.old_comm : NULL);
	case PW_EV_EXEC:
		/* where argv, exe and cwd came from */
		return cstr(ops, ctx, "exec_source", ev->proc.source == PW_XS_BPF ? "bpf" :
			    ev->proc.source == PW_XS_MIXED ? "bpf+proc" : "proc");
	default:
		return 0;
	}
}

long pw_record_ancestors(struct pw_record_opts *o, const struct pw_pentry *first,
			 const struct pw_ancestor **v)
{
	uint32_t max = o->max_ancestors < PW_ANCESTORS_MAX ? o->max_ancestors : PW_ANCESTORS_MAX;
	size_t n = 0;

	for (const struct pw_pentry *a = first; a && n < max; a = a->parent) {
		struct pw_ancestor *d;

		if (n == o->anc_cap) {
			size_t cap = o->anc_cap ? o->anc_cap * 2 : 16;
			struct pw_ancestor *grown = realloc(o->anc, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			o->anc = grown;
			o->anc_cap = cap;
		}
		d = &o->anc[n++];
		d->pid = a->pid;
		if (a->have & PW_F_START)
			pw_record_key(o, a->starttime, a->pid, d->key, sizeof(d->key));
		else
			d->key[0] = '\0';
		d->comm = (a->have & PW_F_COMM) ? a->comm : NULL;
		d->exe = pw_pentry_exe(a, &d->exe_len);
		d->argv = pw_pentry_argv(a, &d->argc);
	}
	*v = o->anc;
	return (long)n;
}

/* The chain of creators above ev's subject, parent first: absent with -a 0. */
static int walk_ancestors(const struct pw_event *ev, struct pw_record_opts *o,
			  const struct pw_field_ops *ops, void *ctx)
{
	if (o->max_ancestors == 0)
		return 0;
	return ops->ancestors(ctx, "ancestors", ev->entry ? ev->entry->parent : NULL, o);
}

int pw_record_walk(const struct pw_event *ev, struct pw_record_opts *o,
		   const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_proc *p = &ev->proc;
	const char *missing[PW_F_NFIELDS];
	size_t nmissing = 0;
	unsigned miss = p->missing;
	char when[48];

	pw_record_time(ev->ts_ns, o->wall_offset_ns, when, sizeof(when));
	CHECK(ops->str(ctx, "time", when, strlen(when)));
	CHECK(ops->str(ctx, "event", pw_kind_name(ev->kind), strlen(pw_kind_name(ev->kind))));
	if (ev->kind == PW_EV_LOST) {
		CHECK(ops->num(ctx, "count", (long long)ev->u.lost.count));
		CHECK(ev->cpu == PW_CPU_UNKNOWN ? ops->null(ctx, "cpu") : ops->num(ctx, "cpu", ev->cpu));
		if (ev->u.lost.reason == PW_LOST_QUEUE)
			return cstr(ops, ctx, "reason", "queue");
		if (ev->u.lost.reason == PW_LOST_CAPTURE)
			return cstr(ops, ctx, "reason", "exec_capture");
		return 0;
	}
	CHECK(ops->num(ctx, "pid", ev->pid));
	if (ev->kind == PW_EV_COMM)
		CHECK(cstr(ops, ctx, "comm", ev->u.comm.comm));
	else if (p->have & PW_F_COMM)
		CHECK(cstr(ops, ctx, "comm", p->comm));
	else
		CHECK(ops->null(ctx, "comm"));
	if (ev->thread) {
		CHECK(ops->num(ctx, "tid", ev->tid));
		CHECK(ops->boolean(ctx, "thread", true));
	}
	CHECK(walk_proc(ev, o, ops, ctx));
	CHECK(walk_kind(ev, o, ops, ctx));
	CHECK(walk_ancestors(ev, o, ops, ctx));

	/* what the event itself carries is not missing */
	if (ev->ppid)
		miss &= ~PW_F_PPID;
	if (ev->kind == PW_EV_COMM)
		miss &= ~PW_F_COMM;
	if (ev->kind == PW_EV_UID)
		miss &= ~PW_F_UID;
	if (ev->kind == PW_EV_GID)
		miss &= ~PW_F_GID;
	if (ev->entry && (ev->entry->have & PW_F_START))
		miss &= ~PW_F_START;
	for (size_t i = 0; i < PW_F_NFIELDS; i++)
		if (miss & (1u << i))
			missing[nmissing++] = field_names[i];
	if (nmissing)
		CHECK(ops->list(ctx, "missing", missing, nmissing));
	return 0;
}
