/* decode.c - proc connector payloads to struct pw_event; pure, no I/O */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <linux/cn_proc.h>

#include "decode.h"

/* Debian 12's headers predate these (Linux 6.6). */
#define PW_PROC_EVENT_NONE 0x00000000u
#define PW_PROC_EVENT_FORK 0x00000001u
#define PW_PROC_EVENT_EXEC 0x00000002u
#define PW_PROC_EVENT_UID 0x00000004u
#define PW_PROC_EVENT_GID 0x00000040u
#define PW_PROC_EVENT_SID 0x00000080u
#define PW_PROC_EVENT_PTRACE 0x00000100u
#define PW_PROC_EVENT_COMM 0x00000200u
#define PW_PROC_EVENT_COREDUMP 0x40000000u
#define PW_PROC_EVENT_EXIT 0x80000000u

const char *const pw_event_names[PW_EV_NKINDS] = {
	[PW_EV_FORK] = "fork",
	[PW_EV_EXEC] = "exec",
	[PW_EV_EXIT] = "exit",
	[PW_EV_UID] = "uid",
	[PW_EV_GID] = "gid",
	[PW_EV_SID] = "sid",
	[PW_EV_PTRACE] = "ptrace",
	[PW_EV_COMM] = "comm",
	[PW_EV_COREDUMP] = "coredump",
};

const char *pw_kind_name(enum pw_kind kind)
{
	if ((unsigned)kind < PW_EV_NKINDS)
		return pw_event_names[kind];
	if (kind == PW_EV_LOST)
		return "lost";
	if (kind == PW_EV_EXIST)
		return "exist";
	return "ack";
}

int pw_events_parse(const char *list, unsigned *mask, const char **bad, size_t *badlen)
{
	unsigned m = 0;
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		bool found = false;

		if (n == 3 && strncmp(p, "all", 3) == 0) {
			m |= PW_KINDS_ALL;
			found = true;
		}
		for (unsigned k = 0; !found && k < PW_EV_NKINDS; k++) {
			if (strlen(pw_event_names[k]) == n && strncmp(p, pw_event_names[k], n) == 0) {
				m |= PW_KIND_BIT(k);
				found = true;
			}
		}
		if (!found) {
			*bad = p;
			*badlen = n;
			return -EINVAL;
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}

/* The payload must reach at least to the end of member m of the event data. */
#define COVERS(len, m) ((len) >= offsetof(struct proc_event, event_data) + \
			offsetof(typeof(((struct proc_event *)0)->event_data), m) + \
			sizeof(((struct proc_event *)0)->event_data.m))

int pw_decode_event(const void *payload, size_t len, uint32_t seq, struct pw_event *ev)
{
	struct proc_event pe;

	if (len < offsetof(struct proc_event, event_data))
		return -EBADMSG;
	memset(&pe, 0, sizeof(pe));
	memcpy(&pe, payload, len < sizeof(pe) ? len : sizeof(pe));

	memset(ev, 0, offsetof(struct pw_event, proc));
	ev->cpu = pe.cpu;
	ev->seq = seq;
	ev->ts_ns = pe.timestamp_ns;

	switch ((uint32_t)pe.what) {
	case PW_PROC_EVENT_NONE:
		if (!COVERS(len, ack))
			return -EBADMSG;
		ev->kind = PW_EV_ACK;
		ev->u.ack.err = (int)pe.event_data.ack.err;
		return 1;
	case PW_PROC_EVENT_FORK:
		if (!COVERS(len, fork))
			return -EBADMSG;
		ev->kind = PW_EV_FORK;
		ev->pid = pe.event_data.fork.child_tgid;
		ev->tid = pe.event_data.fork.child_pid;
		ev->ppid = pe.event_data.fork.parent_tgid;
		ev->thread = ev->tid != ev->pid;
		return 1;
	case PW_PROC_EVENT_EXEC:
		if (!COVERS(len, exec))
			return -EBADMSG;
		ev->kind = PW_EV_EXEC;
		ev->pid = pe.event_data.exec.process_tgid;
		ev->tid = pe.event_data.exec.process_pid;
		return 1;
	case PW_PROC_EVENT_UID:
	case PW_PROC_EVENT_GID:
		if (!COVERS(len, id))
			return -EBADMSG;
		ev->kind = pe.what == PW_PROC_EVENT_UID ? PW_EV_UID : PW_EV_GID;
		ev->pid = pe.event_data.id.process_tgid;
		ev->tid = pe.event_data.id.process_pid;
		ev->u.id.real = pe.event_data.id.r.ruid;
		ev->u.id.eff = pe.event_data.id.e.euid;
		return 1;
	case PW_PROC_EVENT_SID:
		if (!COVERS(len, sid))
			return -EBADMSG;
		ev->kind = PW_EV_SID;
		ev->pid = pe.event_data.sid.process_tgid;
		ev->tid = pe.event_data.sid.process_pid;
		return 1;
	case PW_PROC_EVENT_PTRACE:
		if (!COVERS(len, ptrace))
			return -EBADMSG;
		ev->kind = PW_EV_PTRACE;
		ev->pid = pe.event_data.ptrace.process_tgid;
		ev->tid = pe.event_data.ptrace.process_pid;
		ev->u.ptrace.tracer_pid = pe.event_data.ptrace.tracer_tgid;
		ev->u.ptrace.tracer_tid = pe.event_data.ptrace.tracer_pid;
		return 1;
	case PW_PROC_EVENT_COMM:
		if (!COVERS(len, comm))
			return -EBADMSG;
		ev->kind = PW_EV_COMM;
		ev->pid = pe.event_data.comm.process_tgid;
		ev->tid = pe.event_data.comm.process_pid;
		memcpy(ev->u.comm.comm, pe.event_data.comm.comm, sizeof(pe.event_data.comm.comm));
		ev->u.comm.comm[sizeof(ev->u.comm.comm) - 1] = '\0';
		return 1;
	case PW_PROC_EVENT_COREDUMP:
		if (!COVERS(len, coredump))
			return -EBADMSG;
		ev->kind = PW_EV_COREDUMP;
		ev->pid = pe.event_data.coredump.process_tgid;
		ev->tid = pe.event_data.coredump.process_pid;
		ev->ppid = pe.event_data.coredump.parent_tgid;
		return 1;
	case PW_PROC_EVENT_EXIT:
		if (!COVERS(len, exit))
			return -EBADMSG;
		ev->kind = PW_EV_EXIT;
		ev->pid = pe.event_data.exit.process_tgid;
		ev->tid = pe.event_data.exit.process_pid;
		ev->ppid = pe.event_data.exit.parent_tgid;
		ev->thread = ev->tid != ev->pid;
		ev->u.exit.status = pe.event_data.exit.exit_code;
		return 1;
	default:
		return 0;
	}
}

int pw_exit_status_decode(uint32_t status, struct pw_exit_status *out)
{
	int st = (int)status;

	if (WIFEXITED(st)) {
		out->code = WEXITSTATUS(st);
		out->signal = 0;
		out->core_dumped = false;
		return 0;
	}
	if (WIFSIGNALED(st)) {
		out->code = -1;
		out->signal = WTERMSIG(st);
		out->core_dumped = WCOREDUMP(st) != 0;
		return 0;
	}
	return -EINVAL;
}

const char *pw_signal_name(int sig, char *buf, size_t n)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, n, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, n, "SIG%d", sig);
	return buf;
}
