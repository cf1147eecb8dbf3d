/* record.c - the one list of output fields, walked by both formatters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "record.h"

void pw_record_time(uint64_t mono_ns, int64_t offset_ns, char *buf, size_t n)
{
	int64_t wall = (int64_t)mono_ns + offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	long nsec = (long)(wall % 1000000000);
	struct tm tm;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

/* Names of the PW_F_* bits, in bit order, for "missing". */
static const char *const field_names[] = { "ppid", "comm", "exe", "argv", "cwd", "uid", "gid" };

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

static int walk_proc(const struct pw_event *ev, const struct pw_record_opts *o,
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
	if (ev->ppid)
		CHECK(ops->num(ctx, "ppid", ev->ppid));
	else if (p->have & PW_F_PPID)
		CHECK(ops->num(ctx, "ppid", p->ppid));
	else
		CHECK(ops->null(ctx, "ppid"));
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

static int walk_kind(const struct pw_event *ev, const struct pw_field_ops *ops, void *ctx)
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
		return ops->num(ctx, "status", ev->u.exit.status);
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
	default:
		return 0;
	}
}

int pw_record_walk(const struct pw_event *ev, const struct pw_record_opts *o,
		   const struct pw_field_ops *ops, void *ctx)
{
	const struct pw_proc *p = &ev->proc;
	const char *missing[sizeof(field_names) / sizeof(field_names[0])];
	size_t nmissing = 0;
	unsigned miss = p->missing;
	char when[48];

	pw_record_time(ev->ts_ns, o->wall_offset_ns, when, sizeof(when));
	CHECK(ops->str(ctx, "time", when, strlen(when)));
	CHECK(ops->str(ctx, "event", pw_kind_name(ev->kind), strlen(pw_kind_name(ev->kind))));
	if (ev->kind == PW_EV_LOST) {
		CHECK(ops->num(ctx, "count", (long long)ev->u.lost.count));
		return ops->num(ctx, "cpu", ev->cpu);
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
	CHECK(walk_kind(ev, ops, ctx));
	/* what the event itself carries is not missing */
	if (ev->ppid)
		miss &= ~PW_F_PPID;
	if (ev->kind == PW_EV_COMM)
		miss &= ~PW_F_COMM;
	if (ev->kind == PW_EV_UID)
		miss &= ~PW_F_UID;
	if (ev->kind == PW_EV_GID)
		miss &= ~PW_F_GID;
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (miss & (1u << i))
			missing[nmissing++] = field_names[i];
	if (nmissing)
		CHECK(ops->list(ctx, "missing", missing, nmissing));
	return 0;
}
