/* test-source.c - datagrams are decoded only when every length lies within them */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each case runs in a child process with a time limit, so a crash or a
 * hang fails the case instead of the whole run.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "source.h"
#include "unit.h"

/* The kernel's datagram for one fork event: nlmsghdr, cn_msg, struct proc_event. */
static size_t fork_datagram(unsigned char *buf, size_t cap)
{
	size_t size = sizeof(struct cn_msg) + sizeof(struct proc_event);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct cn_msg *cn;
	struct proc_event pe;

	if (cap < NLMSG_SPACE(size))
		abort();
	memset(buf, 0, NLMSG_SPACE(size));
	nlh->nlmsg_len = NLMSG_LENGTH(size);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_seq = 1041;
	cn = NLMSG_DATA(nlh);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->seq = 1041;
	cn->len = sizeof(pe);
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_FORK;
	pe.cpu = 1;
	pe.event_data.fork.parent_pid = 30407;
	pe.event_data.fork.parent_tgid = 30407;
	pe.event_data.fork.child_pid = 30412;
	pe.event_data.fork.child_tgid = 30412;
	memcpy(cn->data, &pe, sizeof(pe));
	return NLMSG_SPACE(size);
}

/* A datagram that is one bare header: nlmsg_len len, type type. */
static void header_only(struct nlmsghdr *nlh, uint32_t len, uint16_t type)
{
	memset(nlh, 0, sizeof(*nlh));
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = type;
}

struct feed_result {
	int r;
	unsigned long rejected;
};

/*
 * Feed the datagram (after prev, when not NULL) to a fresh detached source
 * in a child process that may run for 2 seconds. Returns true with *out
 * filled when the child finished; false (and a diagnostic) when it crashed
 * or hung.
 */
static bool feed_in_child(const void *prev, size_t prevlen, const void *buf, size_t len,
			  struct feed_result *out)
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		size_t max = pw_source_feed_min();
		struct pw_event *evs = calloc(max, sizeof(*evs));
		struct pw_source *src;
		struct feed_result res;
		unsigned long before;

		alarm(2);
		if (!evs || pw_source_new_detached(&src) < 0)
			_exit(2);
		if (prev && pw_source_feed(src, prev, prevlen, evs, max) != 1)
			_exit(3);
		before = pw_source_rejected(src);
		res.r = pw_source_feed(src, buf, len, evs, max);
		res.rejected = pw_source_rejected(src) - before;
		if (write(fds[1], &res, sizeof(res)) != (ssize_t)sizeof(res))
			_exit(4);
		pw_source_close(&src);
		free(evs);
		_exit(0);
	}
	close(fds[1]);
	if (waitpid(pid, &status, 0) < 0)
		abort();
	if (WIFSIGNALED(status)) {
		printf("#   the source %s (signal %d)\n",
		       WTERMSIG(status) == SIGALRM ? "hung" : "crashed", WTERMSIG(status));
		close(fds[0]);
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    read(fds[0], out, sizeof(*out)) != (ssize_t)sizeof(*out)) {
		/* a sanitizer turns a crash into exit status 1, after its report */
		printf("#   the source crashed or failed (exit status %d)\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		close(fds[0]);
		return false;
	}
	close(fds[0]);
	return true;
}

/* nlmsg_len >= 2^31 passes mnl_nlmsg_ok() (it compares as int): the walk jumps gigabytes ahead. */
static void test_len_past_end_crash(void)
{
	struct nlmsghdr nlh;
	struct feed_result res;

	header_only(&nlh, 0xc0000000u, NLMSG_MIN_TYPE);
	if (CHECK(feed_in_child(NULL, 0, &nlh, sizeof(nlh), &res))) {
		CHECK_INT(res.r, 0);
		CHECK(res.rejected >= 1);
	}
}

/* nlmsg_len 0xfffffffd..0xffffffff aligns to 0: the walk never moves. */
static void test_len_aligns_to_zero_hang(void)
{
	struct nlmsghdr nlh;
	struct feed_result res;

	header_only(&nlh, 0xffffffffu, NLMSG_MIN_TYPE);
	if (CHECK(feed_in_child(NULL, 0, &nlh, sizeof(nlh), &res))) {
		CHECK_INT(res.r, 0);
		CHECK(res.rejected >= 1);
	}
}

/*
 * A 16-byte NLMSG_DONE header claiming 0xfffffffd bytes, after a fork
 * datagram: the source decodes the previous datagram's bytes, again and
 * again, until the event array is full.
 */
static void test_len_past_end_stale_bytes(void)
{
	unsigned char prev[256];
	size_t prevlen = fork_datagram(prev, sizeof(prev));
	struct nlmsghdr nlh;
	struct feed_result res;

	header_only(&nlh, 0xfffffffdu, NLMSG_DONE);
	if (CHECK(feed_in_child(prev, prevlen, &nlh, sizeof(nlh), &res))) {
		/* no byte of this datagram is an event */
		if (!CHECK_INT(res.r, 0))
			printf("#   %d events decoded from a 16-byte datagram\n", res.r);
		CHECK(res.rejected >= 1);
	}
}

/* What the fuzzer found: a fork message, then a header whose nlmsg_len is 0xd4000076. */
static void test_fuzzer_input(void)
{
	unsigned char buf[256];
	size_t len = fork_datagram(buf, sizeof(buf));
	struct nlmsghdr nlh;
	struct feed_result res;

	header_only(&nlh, 0xd4000076u, 0x76);
	memcpy(buf + len, &nlh, sizeof(nlh));
	len += sizeof(nlh) + 7;
	memset(buf + len - 7, 0, 7);
	if (CHECK(feed_in_child(NULL, 0, buf, len, &res))) {
		/* the fork event may be kept or the whole datagram refused */
		CHECK(res.r == 0 || res.r == 1);
		CHECK(res.rejected >= 1);
	}
}

int main(void)
{
	UNIT_RUN(test_len_past_end_crash);
	UNIT_RUN(test_len_aligns_to_zero_hang);
	UNIT_RUN(test_len_past_end_stale_bytes);
	UNIT_RUN(test_fuzzer_input);
	return unit_done();
}
