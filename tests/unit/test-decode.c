/* test-decode.c - unit tests of wait statuses, signal names, event lists and payload decoding */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/cn_proc.h>

#include "decode.h"
#include "unit.h"

/* Bytes of struct proc_event before event_data, and up to the end of member m. */
#define HDR_LEN offsetof(struct proc_event, event_data)
#define NEED_LEN(m) (HDR_LEN + sizeof(((struct proc_event *)0)->event_data.m))

static void test_exit_status(void)
{
	struct pw_exit_status es;

	memset(&es, 0x55, sizeof(es));
	if (CHECK_INT(pw_exit_status_decode(0x0, &es), 0)) {
		CHECK_INT(es.code, 0);
		CHECK_INT(es.signal, 0);
		CHECK(!es.core_dumped);
	}
	memset(&es, 0x55, sizeof(es));
	if (CHECK_INT(pw_exit_status_decode(0x300, &es), 0)) {
		CHECK_INT(es.code, 3);
		CHECK_INT(es.signal, 0);
		CHECK(!es.core_dumped);
	}
	if (CHECK_INT(pw_exit_status_decode(0xff00, &es), 0)) {
		CHECK_INT(es.code, 255);
		CHECK_INT(es.signal, 0);
		CHECK(!es.core_dumped);
	}
	if (CHECK_INT(pw_exit_status_decode(0x9, &es), 0)) {
		CHECK_INT(es.code, -1);
		CHECK_INT(es.signal, SIGKILL);
		CHECK(!es.core_dumped);
	}
	if (CHECK_INT(pw_exit_status_decode(0x86, &es), 0)) {
		CHECK_INT(es.code, -1);
		CHECK_INT(es.signal, SIGABRT);
		CHECK(es.core_dumped);
	}
	if (CHECK_INT(pw_exit_status_decode(0x8b, &es), 0)) {
		CHECK_INT(es.code, -1);
		CHECK_INT(es.signal, SIGSEGV);
		CHECK(es.core_dumped);
	}
	/* SIGTERM, no core */
	if (CHECK_INT(pw_exit_status_decode(0xf, &es), 0)) {
		CHECK_INT(es.signal, SIGTERM);
		CHECK(!es.core_dumped);
	}
	/* stopped (0x7f, and SIGSTOP in the high byte) and continued are not terminations */
	CHECK_INT(pw_exit_status_decode(0x7f, &es), -EINVAL);
	CHECK_INT(pw_exit_status_decode(0x137f, &es), -EINVAL);
	CHECK_INT(pw_exit_status_decode(0xffff, &es), -EINVAL);
}

static void test_signal_name(void)
{
	char buf[32], name[32];

	CHECK_STR(pw_signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL");
	CHECK_STR(pw_signal_name(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	CHECK_STR(pw_signal_name(SIGSEGV, buf, sizeof(buf)), "SIGSEGV");
	CHECK_STR(pw_signal_name(SIGHUP, buf, sizeof(buf)), "SIGHUP");
	CHECK(pw_signal_name(SIGINT, buf, sizeof(buf)) == buf);
	CHECK_STR(pw_signal_name(SIGRTMIN + 3, buf, sizeof(buf)), "SIGRTMIN+3");
	CHECK_STR(pw_signal_name(0, buf, sizeof(buf)), "SIG0");
	CHECK_STR(pw_signal_name(200, buf, sizeof(buf)), "SIG200");
	CHECK_STR(pw_signal_name(-1, buf, sizeof(buf)), "SIG-1");

	/* every signal number gets a non-empty "SIG..." name */
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		snprintf(name, sizeof(name), "signal %d", sig);
		pw_signal_name(sig, buf, sizeof(buf));
		if (!CHECK(strncmp(buf, "SIG", 3) == 0 && buf[3] != '\0'))
			unit_print_bytes(name, buf, strlen(buf));
	}

	/* a short buffer truncates and stays terminated */
	memset(buf, 'x', sizeof(buf));
	pw_signal_name(SIGKILL, buf, 5);
	CHECK_STR(buf, "SIGK");
}

static void test_kind_name(void)
{
	static const char *const want[PW_EV_NKINDS] = {
		"fork", "exec", "exit", "uid", "gid", "sid", "ptrace", "comm", "coredump",
	};

	for (unsigned k = 0; k < PW_EV_NKINDS; k++) {
		CHECK_STR(pw_event_names[k], want[k]);
		CHECK_STR(pw_kind_name((enum pw_kind)k), want[k]);
	}
	CHECK_STR(pw_kind_name(PW_EV_LOST), "lost");
	CHECK_STR(pw_kind_name(PW_EV_ACK), "ack");
}

/* pw_events_parse() must fail on list, pointing at bad_off with length bad_len. */
static void events_bad(const char *list, size_t bad_off, size_t bad_len)
{
	const char *bad = NULL;
	size_t badlen = 12345;
	unsigned mask = 0;

	if (!CHECK_INT(pw_events_parse(list, &mask, &bad, &badlen), -EINVAL)) {
		unit_print_bytes("list", list, strlen(list));
		return;
	}
	if (!CHECK(bad == list + bad_off) || !CHECK_INT(badlen, bad_len))
		unit_print_bytes("list", list, strlen(list));
}

static void test_events_parse(void)
{
	const char *bad = NULL;
	size_t badlen = 0;
	unsigned mask;

	for (unsigned k = 0; k < PW_EV_NKINDS; k++) {
		mask = 0xdead;
		if (CHECK_INT(pw_events_parse(pw_event_names[k], &mask, &bad, &badlen), 0))
			CHECK_INT(mask, PW_KIND_BIT(k));
	}
	mask = 0;
	CHECK_INT(pw_events_parse("exec,exit", &mask, &bad, &badlen), 0);
	CHECK_INT(mask, PW_KIND_BIT(PW_EV_EXEC) | PW_KIND_BIT(PW_EV_EXIT));
	mask = 0;
	CHECK_INT(pw_events_parse("coredump,fork,comm", &mask, &bad, &badlen), 0);
	CHECK_INT(mask, PW_KIND_BIT(PW_EV_COREDUMP) | PW_KIND_BIT(PW_EV_FORK) |
		  PW_KIND_BIT(PW_EV_COMM));
	mask = 0;
	CHECK_INT(pw_events_parse("all", &mask, &bad, &badlen), 0);
	CHECK_INT(mask, PW_KINDS_ALL);
	CHECK_INT(PW_KINDS_ALL, (1u << 9) - 1);
	mask = 0;
	CHECK_INT(pw_events_parse("fork,all", &mask, &bad, &badlen), 0);
	CHECK_INT(mask, PW_KINDS_ALL);
	mask = 0;
	CHECK_INT(pw_events_parse("fork,fork,exit,fork", &mask, &bad, &badlen), 0);
	CHECK_INT(mask, PW_KIND_BIT(PW_EV_FORK) | PW_KIND_BIT(PW_EV_EXIT));
	mask = 0;
	CHECK_INT(pw_events_parse("uid,gid,sid,ptrace", &mask, &bad, &badlen), 0);
	CHECK_INT(mask, PW_KIND_BIT(PW_EV_UID) | PW_KIND_BIT(PW_EV_GID) |
		  PW_KIND_BIT(PW_EV_SID) | PW_KIND_BIT(PW_EV_PTRACE));

	events_bad("bogus", 0, 5);
	events_bad("fork,bogus,exec", 5, 5);
	events_bad("fork,exec,bogus", 10, 5);
	events_bad("", 0, 0);
	events_bad("fork,", 5, 0);
	events_bad(",fork", 0, 0);
	events_bad("fork,,exec", 5, 0);
	events_bad("for", 0, 3);
	events_bad("forks", 0, 5);
	events_bad("Fork", 0, 4);
	events_bad("ALL", 0, 3);
	events_bad("al", 0, 2);
	events_bad("alll", 0, 4);
	events_bad("fork, exec", 5, 5);
	events_bad("lost", 0, 4);
	events_bad("ack", 0, 3);
}

static struct proc_event make_event(uint32_t type)
{
	struct proc_event pe;

	memset(&pe, 0, sizeof(pe));
	pe.what = type;
	pe.cpu = 3;
	pe.timestamp_ns = 0x0123456789abcdefULL;
	return pe;
}

/* Decode the first len bytes of pe from a heap block of exactly len bytes. */
static int decode_exact(const struct proc_event *pe, size_t len, struct pw_event *ev)
{
	void *p = unit_memdup(pe, len);
	int r = pw_decode_event(p, len, 77, ev);

	free(p);
	return r;
}

/*
 * Decode pe with the shortest payload that carries it, the full struct and a
 * longer one: all three must give the same event. Returns 1 with *ev filled.
 */
static int decode_all_lengths(const struct proc_event *pe, size_t need, struct pw_event *ev)
{
	unsigned char longer[sizeof(*pe) + 16];
	struct pw_event ev2;
	int ok = 1;

	memset(ev, 0xa5, sizeof(*ev));
	ev->proc.ppid = 4242;
	ok &= CHECK_INT(decode_exact(pe, need, ev), 1);
	ok &= CHECK_INT(ev->proc.ppid, 4242);	/* the enrichment is not the decoder's */
	ok &= CHECK_INT(ev->seq, 77);
	ok &= CHECK_INT(ev->cpu, 3);
	ok &= CHECK(ev->ts_ns == 0x0123456789abcdefULL);

	memset(&ev2, 0, sizeof(ev2));
	ok &= CHECK_INT(decode_exact(pe, sizeof(*pe), &ev2), 1);
	ok &= CHECK(memcmp(ev, &ev2, offsetof(struct pw_event, proc)) == 0);

	memset(longer, 0xee, sizeof(longer));
	memcpy(longer, pe, sizeof(*pe));
	memset(&ev2, 0, sizeof(ev2));
	ok &= CHECK_INT(pw_decode_event(longer, sizeof(longer), 77, &ev2), 1);
	ok &= CHECK(memcmp(ev, &ev2, offsetof(struct pw_event, proc)) == 0);
	return ok;
}

/* Every payload shorter than need is refused, and never read past its end. */
static void check_truncated(const struct proc_event *pe, size_t need, const char *kind)
{
	struct pw_event ev;

	for (size_t len = 0; len < need; len++) {
		int r;

		memset(&ev, 0, sizeof(ev));
		r = decode_exact(pe, len, &ev);
		if (!CHECK_INT(r, -EBADMSG)) {
			printf("#   %s payload truncated to %zu of %zu bytes\n", kind, len, need);
			break;
		}
	}
}

static void test_decode_fork(void)
{
	struct proc_event pe = make_event(PROC_EVENT_FORK);
	struct pw_event ev;

	pe.event_data.fork.parent_pid = 100;
	pe.event_data.fork.parent_tgid = 100;
	pe.event_data.fork.child_pid = 200;
	pe.event_data.fork.child_tgid = 200;
	if (decode_all_lengths(&pe, NEED_LEN(fork), &ev)) {
		CHECK_INT(ev.kind, PW_EV_FORK);
		CHECK_INT(ev.pid, 200);
		CHECK_INT(ev.tid, 200);
		CHECK_INT(ev.ppid, 100);
		CHECK(!ev.thread);
	}

	/* a new thread: child_pid is the thread id, child_tgid its process */
	pe.event_data.fork.parent_pid = 201;
	pe.event_data.fork.parent_tgid = 200;
	pe.event_data.fork.child_pid = 202;
	pe.event_data.fork.child_tgid = 200;
	if (decode_all_lengths(&pe, NEED_LEN(fork), &ev)) {
		CHECK_INT(ev.kind, PW_EV_FORK);
		CHECK_INT(ev.pid, 200);
		CHECK_INT(ev.tid, 202);
		CHECK_INT(ev.ppid, 200);
		CHECK(ev.thread);
	}
	check_truncated(&pe, NEED_LEN(fork), "fork");
}

static void test_decode_exec(void)
{
	struct proc_event pe = make_event(PROC_EVENT_EXEC);
	struct proc_event fk = make_event(PROC_EVENT_FORK);
	struct pw_event ev;

	pe.event_data.exec.process_pid = 301;
	pe.event_data.exec.process_tgid = 300;
	if (decode_all_lengths(&pe, NEED_LEN(exec), &ev)) {
		CHECK_INT(ev.kind, PW_EV_EXEC);
		CHECK_INT(ev.pid, 300);
		CHECK_INT(ev.tid, 301);
		CHECK_INT(ev.ppid, 0);
	}

	/* an event reused after a threaded fork keeps nothing of it */
	fk.event_data.fork.parent_tgid = 9;
	fk.event_data.fork.child_pid = 11;
	fk.event_data.fork.child_tgid = 10;
	CHECK_INT(pw_decode_event(&fk, sizeof(fk), 1, &ev), 1);
	CHECK(ev.thread);
	CHECK_INT(pw_decode_event(&pe, sizeof(pe), 2, &ev), 1);
	CHECK_INT(ev.kind, PW_EV_EXEC);
	CHECK_INT(ev.ppid, 0);
	CHECK(!ev.thread);
	CHECK_INT(ev.seq, 2);
	check_truncated(&pe, NEED_LEN(exec), "exec");
}

static void test_decode_exit(void)
{
	struct proc_event pe = make_event(PROC_EVENT_EXIT);
	struct pw_event ev;

	pe.event_data.exit.process_pid = 400;
	pe.event_data.exit.process_tgid = 400;
	pe.event_data.exit.exit_code = 0x300;
	pe.event_data.exit.exit_signal = SIGCHLD;
	pe.event_data.exit.parent_pid = 41;
	pe.event_data.exit.parent_tgid = 40;
	if (decode_all_lengths(&pe, NEED_LEN(exit), &ev)) {
		CHECK_INT(ev.kind, PW_EV_EXIT);
		CHECK_INT(ev.pid, 400);
		CHECK_INT(ev.tid, 400);
		CHECK_INT(ev.ppid, 40);
		CHECK_INT(ev.u.exit.status, 0x300);
		CHECK(!ev.thread);
	}

	/* a thread killed by SIGSEGV with a core: the raw status is kept */
	pe.event_data.exit.process_pid = 402;
	pe.event_data.exit.exit_code = 0x8b;
	pe.event_data.exit.exit_signal = (uint32_t)-1;
	if (decode_all_lengths(&pe, NEED_LEN(exit), &ev)) {
		CHECK_INT(ev.kind, PW_EV_EXIT);
		CHECK_INT(ev.pid, 400);
		CHECK_INT(ev.tid, 402);
		CHECK_INT(ev.ppid, 40);
		CHECK_INT(ev.u.exit.status, 0x8b);
		CHECK(ev.thread);
	}
	check_truncated(&pe, NEED_LEN(exit), "exit");
}

static void test_decode_ids(void)
{
	struct proc_event pe = make_event(PROC_EVENT_UID);
	struct pw_event ev;

	pe.event_data.id.process_pid = 501;
	pe.event_data.id.process_tgid = 500;
	pe.event_data.id.r.ruid = 1000;
	pe.event_data.id.e.euid = 0;
	if (decode_all_lengths(&pe, NEED_LEN(id), &ev)) {
		CHECK_INT(ev.kind, PW_EV_UID);
		CHECK_INT(ev.pid, 500);
		CHECK_INT(ev.tid, 501);
		CHECK_INT(ev.u.id.real, 1000);
		CHECK_INT(ev.u.id.eff, 0);
		CHECK_INT(ev.ppid, 0);
	}
	check_truncated(&pe, NEED_LEN(id), "uid");

	pe = make_event(PROC_EVENT_GID);
	pe.event_data.id.process_pid = 502;
	pe.event_data.id.process_tgid = 502;
	pe.event_data.id.r.rgid = 65534;
	pe.event_data.id.e.egid = 4294967295u;
	if (decode_all_lengths(&pe, NEED_LEN(id), &ev)) {
		CHECK_INT(ev.kind, PW_EV_GID);
		CHECK_INT(ev.pid, 502);
		CHECK_INT(ev.tid, 502);
		CHECK_INT(ev.u.id.real, 65534);
		CHECK_INT(ev.u.id.eff, 4294967295u);
	}
	check_truncated(&pe, NEED_LEN(id), "gid");
}

static void test_decode_sid(void)
{
	struct proc_event pe = make_event(PROC_EVENT_SID);
	struct pw_event ev;

	pe.event_data.sid.process_pid = 600;
	pe.event_data.sid.process_tgid = 600;
	if (decode_all_lengths(&pe, NEED_LEN(sid), &ev)) {
		CHECK_INT(ev.kind, PW_EV_SID);
		CHECK_INT(ev.pid, 600);
		CHECK_INT(ev.tid, 600);
		CHECK_INT(ev.ppid, 0);
	}
	check_truncated(&pe, NEED_LEN(sid), "sid");
}

static void test_decode_ptrace(void)
{
	struct proc_event pe = make_event(PROC_EVENT_PTRACE);
	struct pw_event ev;

	pe.event_data.ptrace.process_pid = 701;
	pe.event_data.ptrace.process_tgid = 700;
	pe.event_data.ptrace.tracer_pid = 711;
	pe.event_data.ptrace.tracer_tgid = 710;
	if (decode_all_lengths(&pe, NEED_LEN(ptrace), &ev)) {
		CHECK_INT(ev.kind, PW_EV_PTRACE);
		CHECK_INT(ev.pid, 700);
		CHECK_INT(ev.tid, 701);
		CHECK_INT(ev.u.ptrace.tracer_pid, 710);
		CHECK_INT(ev.u.ptrace.tracer_tid, 711);
	}

	/* detach: the kernel reports tracer 0 */
	pe.event_data.ptrace.tracer_pid = 0;
	pe.event_data.ptrace.tracer_tgid = 0;
	if (decode_all_lengths(&pe, NEED_LEN(ptrace), &ev)) {
		CHECK_INT(ev.u.ptrace.tracer_pid, 0);
		CHECK_INT(ev.u.ptrace.tracer_tid, 0);
	}
	check_truncated(&pe, NEED_LEN(ptrace), "ptrace");
}

static void test_decode_comm(void)
{
	struct proc_event pe = make_event(PROC_EVENT_COMM);
	struct pw_event ev;

	pe.event_data.comm.process_pid = 801;
	pe.event_data.comm.process_tgid = 800;
	memcpy(pe.event_data.comm.comm, "worker", 7);
	if (decode_all_lengths(&pe, NEED_LEN(comm), &ev)) {
		CHECK_INT(ev.kind, PW_EV_COMM);
		CHECK_INT(ev.pid, 800);
		CHECK_INT(ev.tid, 801);
		CHECK_STR(ev.u.comm.comm, "worker");
		CHECK_STR(ev.u.comm.old_comm, "");
	}

	/* all 16 bytes used, no NUL: the name is kept whole and terminated */
	memcpy(pe.event_data.comm.comm, "0123456789abcdef", 16);
	if (decode_all_lengths(&pe, NEED_LEN(comm), &ev)) {
		CHECK_INT(strnlen(ev.u.comm.comm, sizeof(ev.u.comm.comm)), 16);
		CHECK_STR(ev.u.comm.comm, "0123456789abcdef");
		CHECK_STR(ev.u.comm.old_comm, "");
	}

	/* bytes after the NUL are not part of the name */
	memcpy(pe.event_data.comm.comm, "ab\0cdefghijklmno", 16);
	if (decode_all_lengths(&pe, NEED_LEN(comm), &ev))
		CHECK_STR(ev.u.comm.comm, "ab");
	check_truncated(&pe, NEED_LEN(comm), "comm");
}

static void test_decode_coredump(void)
{
	struct proc_event pe = make_event(PROC_EVENT_COREDUMP);
	struct pw_event ev;

	pe.event_data.coredump.process_pid = 901;
	pe.event_data.coredump.process_tgid = 900;
	pe.event_data.coredump.parent_pid = 91;
	pe.event_data.coredump.parent_tgid = 90;
	if (decode_all_lengths(&pe, NEED_LEN(coredump), &ev)) {
		CHECK_INT(ev.kind, PW_EV_COREDUMP);
		CHECK_INT(ev.pid, 900);
		CHECK_INT(ev.tid, 901);
		CHECK_INT(ev.ppid, 90);
	}
	check_truncated(&pe, NEED_LEN(coredump), "coredump");
}

static void test_decode_ack(void)
{
	struct proc_event pe = make_event(PROC_EVENT_NONE);
	struct pw_event ev;

	pe.event_data.ack.err = 0;
	if (decode_all_lengths(&pe, NEED_LEN(ack), &ev)) {
		CHECK_INT(ev.kind, PW_EV_ACK);
		CHECK_INT(ev.u.ack.err, 0);
	}
	pe.event_data.ack.err = EINVAL;
	if (decode_all_lengths(&pe, NEED_LEN(ack), &ev)) {
		CHECK_INT(ev.kind, PW_EV_ACK);
		CHECK_INT(ev.u.ack.err, EINVAL);
	}
	check_truncated(&pe, NEED_LEN(ack), "ack");
}

static void test_decode_unknown(void)
{
	/* PROC_EVENT_NONZERO_EXIT (Linux 6.6), a bit not yet used, and garbage */
	static const uint32_t whats[] = { 0x20000000u, 0x00000400u, 0x00000003u, 0xffffffffu };
	struct pw_event ev;

	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++) {
		struct proc_event pe = make_event(whats[i]);

		memset(&pe.event_data, 0xff, sizeof(pe.event_data));
		CHECK_INT(decode_exact(&pe, sizeof(pe), &ev), 0);
		CHECK_INT(decode_exact(&pe, HDR_LEN, &ev), 0);
		check_truncated(&pe, HDR_LEN, "unknown");
	}
}

int main(void)
{
	UNIT_RUN(test_exit_status);
	UNIT_RUN(test_signal_name);
	UNIT_RUN(test_kind_name);
	UNIT_RUN(test_events_parse);
	UNIT_RUN(test_decode_fork);
	UNIT_RUN(test_decode_exec);
	UNIT_RUN(test_decode_exit);
	UNIT_RUN(test_decode_ids);
	UNIT_RUN(test_decode_sid);
	UNIT_RUN(test_decode_ptrace);
	UNIT_RUN(test_decode_comm);
	UNIT_RUN(test_decode_coredump);
	UNIT_RUN(test_decode_ack);
	UNIT_RUN(test_decode_unknown);
	return unit_done();
}
