/* test-sink.c - the output queue: bounded, oldest dropped first, exact counts, whole lines */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "sink.h"
#include "strutil.h"
#include "unit.h"

#define RECLEN 1000	/* bytes of each record, its newline included */

/* "lost N" as the lost record: shorter than a record, it cannot pass for one */
static int fake_lost(void *ctx, unsigned long long count, uint64_t ts_ns, struct pw_buf *out)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "lost %llu\n", count);

	(void)ctx;
	(void)ts_ns;
	return pw_buf_append(out, line, (size_t)n);
}

/* Record i: its number, then dots up to RECLEN - 1 bytes, then a newline. */
static void add_record(struct sink *s, int i)
{
	char rec[RECLEN];
	int n = snprintf(rec, sizeof(rec), "%06d ", i);

	memset(rec + n, '.', RECLEN - 1 - (size_t)n);
	rec[RECLEN - 1] = '\n';
	if (pw_buf_append(&s->buf, rec, RECLEN) < 0)
		abort();
}

/* A pipe that holds one page: the reader "stops reading" until we read. */
static void small_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (fcntl(p[1], F_SETPIPE_SZ, 4096) < 0)
		abort();
}

/* Read what the pipe holds into out, NUL-terminated. */
static void drain_pipe(int fd, struct pw_buf *out)
{
	for (;;) {
		ssize_t n;

		if (pw_buf_reserve(out, 65536 + 1) < 0)
			abort();
		n = read(fd, out->data + out->len, 65536);
		if (n <= 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';	/* sscanf() reads it as a string */
	}
}

/* The reader comes back and reads until nothing waits. */
static void catch_up(struct sink *s, int rfd, struct pw_buf *out)
{
	for (int round = 0; round < 10000 && sink_pending(s); round++) {
		drain_pipe(rfd, out);
		CHECK_INT(sink_flush(s), 0);
	}
	drain_pipe(rfd, out);
	CHECK(!sink_pending(s));
}

/*
 * Check the lines of out: whole records in increasing order, and lost lines
 * whose counts add up to what is missing between the records around them.
 * Returns the sum of the lost counts (their lines counted in *nlost), or -1
 * after a failed check.
 */
static long check_lines(const struct pw_buf *out, int nrec, int *nlost)
{
	const char *p = out->data, *end = out->data + out->len;
	long lost = 0, pending = 0;
	int next = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		unsigned long long k;
		int i;

		if (!CHECK(nl != NULL))
			return -1;
		if (sscanf(p, "lost %llu", &k) == 1) {
			/*
			 * Usually one per gap; a second follows at once when more
			 * was dropped while the first was being written.
			 */
			++*nlost;
			pending += (long)k;
			lost += (long)k;
		} else {
			if (!CHECK_INT(nl - p + 1, RECLEN) || !CHECK(sscanf(p, "%d", &i) == 1))
				return -1;
			/* the records between the last one and this one are exactly those counted lost */
			if (!CHECK_INT(i - next, pending))
				return -1;
			next = i + 1;
			pending = 0;
		}
		p = nl + 1;
	}
	CHECK_INT(nrec - next, pending);
	return lost;
}

/* Push nrec records (flushing after each) into a sink with the given bound, then let the reader read. */
static void run_case(size_t limit, int nrec, long *lost_out, struct pw_buf *out, struct sink *s)
{
	int p[2], nlost = 0;

	small_pipe(p);
	sink_init(s, limit, fake_lost, NULL);
	CHECK_INT(sink_attach(s, p[1]), 0);
	CHECK(s->nonblock);
	for (int i = 0; i < nrec; i++) {
		add_record(s, i);
		CHECK_INT(sink_flush(s), 0);
		/* the bound holds after every flush, but for the block begun on */
		CHECK(s->queued <= limit + 65536);
	}
	catch_up(s, p[0], out);
	*lost_out = check_lines(out, nrec, &nlost);
	CHECK_INT(nlost, s->lost_records);
	sink_free(s);
	close(p[0]);
	close(p[1]);
}

static void test_everything_fits(void)
{
	struct pw_buf out = { 0 };
	struct sink s;
	long lost;

	run_case(1 << 20, 300, &lost, &out, &s);
	CHECK_INT(lost, 0);
	CHECK_INT(s.lost_records, 0);
	CHECK_INT(s.dropped_total, 0);
	CHECK_INT(out.len, 300 * RECLEN);
	pw_buf_free(&out);
}

static void test_oldest_dropped_counted(void)
{
	struct pw_buf out = { 0 };
	struct sink s;
	long lost;

	/* 300 records of 1000 bytes into 4 KiB of pipe and 64 KiB of queue */
	run_case(65536, 300, &lost, &out, &s);
	CHECK(lost > 0);
	CHECK_INT(lost, (long)s.dropped_total);
	/* one gap: the reader never read until the end */
	CHECK_INT(s.lost_records, 1);
	/* the newest survive: the last record is the last one pushed */
	CHECK(out.len >= RECLEN && strncmp(out.data + out.len - RECLEN, "000299 ", 7) == 0);
	pw_buf_free(&out);
}

static void test_queue_zero(void)
{
	struct pw_buf out = { 0 };
	struct sink s;
	long lost;

	/* nothing kept: what the pipe does not take at once is dropped, lines stay whole */
	run_case(0, 50, &lost, &out, &s);
	CHECK(lost > 0);
	CHECK_INT(lost, (long)s.dropped_total);
	pw_buf_free(&out);
}

static void test_drops_between_reads(void)
{
	struct pw_buf out = { 0 };
	struct sink s;
	int p[2], nlost = 0;
	long lost;

	/* the reader reads a little now and then: several gaps, each with its lost line */
	small_pipe(p);
	sink_init(&s, 8192, fake_lost, NULL);
	CHECK_INT(sink_attach(&s, p[1]), 0);
	for (int i = 0; i < 400; i++) {
		add_record(&s, i);
		CHECK_INT(sink_flush(&s), 0);
		if (i % 37 == 36)
			drain_pipe(p[0], &out);
	}
	catch_up(&s, p[0], &out);
	lost = check_lines(&out, 400, &nlost);
	CHECK(nlost > 1);
	CHECK_INT(nlost, s.lost_records);
	CHECK_INT(lost, (long)s.dropped_total);
	sink_free(&s);
	close(p[0]);
	close(p[1]);
	pw_buf_free(&out);
}

/* Lines in b. */
static long lines(const struct pw_buf *b)
{
	long k = 0;

	for (size_t i = 0; i < b->len; i++)
		k += b->data[i] == '\n';
	return k;
}

static void test_queued_records(void)
{
	struct pw_buf out = { 0 };
	struct sink s;
	int p[2];

	/* what the reader has whole plus what waits is all there is, a line begun included */
	small_pipe(p);
	sink_init(&s, 1 << 20, fake_lost, NULL);
	CHECK_INT(sink_attach(&s, p[1]), 0);
	for (int i = 0; i < 60; i++)
		add_record(&s, i);
	CHECK_INT(sink_flush(&s), 0);
	for (int round = 0; round < 100 && sink_pending(&s); round++) {
		drain_pipe(p[0], &out);
		CHECK_INT(lines(&out) + (long)sink_queued_records(&s), 60);
		CHECK_INT(sink_flush(&s), 0);
	}
	drain_pipe(p[0], &out);
	CHECK_INT(lines(&out), 60);
	CHECK_INT(sink_queued_records(&s), 0);
	sink_free(&s);
	close(p[0]);
	close(p[1]);
	pw_buf_free(&out);
}

static void test_reader_gone(void)
{
	struct sink s;
	int p[2];

	small_pipe(p);
	sink_init(&s, 1 << 20, fake_lost, NULL);
	CHECK_INT(sink_attach(&s, p[1]), 0);
	for (int i = 0; i < 20; i++)
		add_record(&s, i);
	CHECK_INT(sink_flush(&s), 0);
	CHECK(sink_pending(&s));
	close(p[0]);
	add_record(&s, 20);
	CHECK_INT(sink_flush(&s), -EPIPE);
	CHECK(!sink_pending(&s));
	/* 4 records reached the pipe; the other 17 are counted as thrown away */
	CHECK_INT(s.discarded, 17);
	sink_free(&s);
	close(p[1]);
}

static void test_regular_file_never_queues(void)
{
	char path[] = "/tmp/test-sink-XXXXXX";
	int fd = mkstemp(path);
	struct sink s;

	if (fd < 0)
		abort();
	unlink(path);
	sink_init(&s, 0, fake_lost, NULL);
	CHECK_INT(sink_attach(&s, fd), 0);
	CHECK(!s.nonblock);
	for (int i = 0; i < 100; i++) {
		add_record(&s, i);
		CHECK_INT(sink_flush(&s), 0);
	}
	CHECK(!sink_pending(&s));
	CHECK_INT(s.dropped_total, 0);
	CHECK_INT(lseek(fd, 0, SEEK_END), 100 * RECLEN);
	sink_free(&s);
	close(fd);
}

static void test_hold_then_switch(void)
{
	struct pw_buf out = { 0 }, rest = { 0 };
	struct sink s;
	int p[2], q[2], nlost = 0;

	/* SIGHUP: the record begun is finished on the old pipe, the rest goes to the new one */
	small_pipe(p);
	small_pipe(q);
	sink_init(&s, 1 << 20, fake_lost, NULL);
	CHECK_INT(sink_attach(&s, p[1]), 0);
	for (int i = 0; i < 20; i++)
		add_record(&s, i);
	CHECK_INT(sink_flush(&s), 0);
	/* 4 records and 96 bytes of the fifth fill the page */
	CHECK(sink_partial(&s));
	for (int i = 20; i < 30; i++)
		add_record(&s, i);
	CHECK_INT(sink_hold(&s), 0);
	CHECK(sink_partial(&s));
	drain_pipe(p[0], &out);
	CHECK_INT(out.len, 4096);
	CHECK_INT(sink_hold(&s), 0);
	CHECK(!sink_partial(&s));
	/* nothing more is begun on the old pipe */
	CHECK_INT(sink_hold(&s), 0);
	drain_pipe(p[0], &out);
	CHECK_INT(out.len, 5 * RECLEN);
	CHECK_INT(sink_queued_records(&s), 25);
	CHECK_INT(sink_attach(&s, q[1]), 0);
	catch_up(&s, q[0], &rest);
	CHECK(rest.len > 0 && strncmp(rest.data, "000005 ", 7) == 0);
	/* together: every record once, in order */
	if (pw_buf_append(&out, rest.data, rest.len) < 0)
		abort();
	CHECK_INT(check_lines(&out, 30, &nlost), 0);
	CHECK_INT(nlost, 0);
	sink_free(&s);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(q[i]);
	}
	pw_buf_free(&out);
	pw_buf_free(&rest);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	UNIT_RUN(test_everything_fits);
	UNIT_RUN(test_oldest_dropped_counted);
	UNIT_RUN(test_queue_zero);
	UNIT_RUN(test_drops_between_reads);
	UNIT_RUN(test_queued_records);
	UNIT_RUN(test_reader_gone);
	UNIT_RUN(test_regular_file_never_queues);
	UNIT_RUN(test_hold_then_switch);
	return unit_done();
}
