/* test-capture-decode.c - unit tests of the exec capture's record decoder, fed records laid out as lib/exec.bpf.c writes them */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-decode.h"
#include "strutil.h"
#include "unit.h"

#define SEC 1000000000ull
#define ORPHAN_AGE SEC		/* an exec this much older than ts is an orphan (capture-decode.h) */
#define SKEW 1000000ull		/* how far after ts an exec may be captured and still match */
#define T0 (1000 * SEC)		/* a CLOCK_MONOTONIC reading well past boot */

static int feed(struct pw_capq *q, const void *rec, size_t len)
{
	void *p = unit_memdup(rec, len);
	int r = pw_capq_feed(q, p, len);

	free(p);
	return r;
}

/* One chunk record: the header as argv_step() fills it, then len bytes of data. */
static int feed_chunk(struct pw_capq *q, uint32_t tgid, uint64_t ktime, uint64_t off, uint32_t index,
		      const void *data, uint32_t len)
{
	struct pw_cap_chunk c;
	unsigned char *rec = malloc(sizeof(c) + len);
	int r;

	if (!rec) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memset(&c, 0, sizeof(c));
	c.h.type = PW_CAP_T_CHUNK;
	c.h.tgid = tgid;
	c.h.ktime = ktime;
	c.off = off;
	c.len = len;
	c.index = index;
	memcpy(rec, &c, sizeof(c));
	if (len)
		memcpy(rec + sizeof(c), data, len);
	r = feed(q, rec, sizeof(c) + len);
	free(rec);
	return r;
}

/* A path the exec saw, for an exec record. */
struct path_spec {
	const char *path;	/* as /proc shows it, without " (deleted)"; NULL: no such path */
	uint16_t flags;		/* PW_CAP_PATH_* besides NONE */
	int written;		/* components the walk wrote before it stopped; -1: all of them */
};

/* One exec, as the program would see it. */
struct exec_spec {
	uint32_t tgid;
	uint64_t ktime;
	const void *argv;	/* the argv area */
	size_t argv_len;
	int fault_at;		/* the chunk whose read faults; -1: none */
	int lost_at;		/* the chunk that does not fit the ring; -1: none */
	struct path_spec exe, cwd, cgroup;
};

/* Components of an absolute path, leaf first, each NUL-terminated, into list; returns their number. */
static unsigned path_list(const char *path, int written, char *list, size_t *len)
{
	const char *start[PW_CAP_DEPTH + 8];
	size_t clen[PW_CAP_DEPTH + 8];
	unsigned n = 0;

	for (const char *s = path; *s;) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		start[n] = s;
		clen[n] = (size_t)(e - s);
		n++;
		s = e;
	}
	*len = 0;
	if (written >= 0 && (unsigned)written < n) {
		/* the walk goes leaf first: the first written components it reached are there */
		for (unsigned i = 0; i < (unsigned)written; i++) {
			unsigned k = n - 1 - i;

			memcpy(list + *len, start[k], clen[k]);
			*len += clen[k];
			list[(*len)++] = '\0';
		}
		return (unsigned)written;
	}
	for (unsigned i = n; i-- > 0;) {
		memcpy(list + *len, start[i], clen[i]);
		*len += clen[i];
		list[(*len)++] = '\0';
	}
	return n;
}

static void walk_path(const struct path_spec *s, struct pw_cap_path *out, char *list, size_t *len)
{
	memset(out, 0, sizeof(*out));
	*len = 0;
	if (!s->path) {
		out->flags = PW_CAP_PATH_NONE;
		return;
	}
	out->ncomp = (uint16_t)path_list(s->path, s->written, list, len);
	out->flags = s->flags;
	out->len = (uint32_t)*len;
}

/* The fixed part of the exec record for s, its ids derived from tgid and ktime. */
static void exec_fixed(const struct exec_spec *s, struct pw_cap_exec *e)
{
	memset(e, 0, sizeof(*e));
	e->h.type = PW_CAP_T_EXEC;
	e->h.tgid = s->tgid;
	e->h.ktime = s->ktime;
	e->pid = s->tgid + 1;
	e->old_pid = s->tgid + 2;
	e->ppid = s->tgid / 2 + 1;
	e->start_boottime = s->ktime - 12345;
	e->uid = 1000 + s->tgid % 7;
	e->euid = e->uid + 1;
	e->gid = 2000 + s->tgid % 5;
	e->egid = e->gid + 1;
	e->loginuid = e->uid;
	e->sessionid = s->tgid % 97;
	e->tty_nr = 0x8800 | (s->tgid & 0xff);
	snprintf(e->comm, sizeof(e->comm), "c%u", s->tgid);
}

#define REC_MAX (sizeof(struct pw_cap_exec) + 3 * PW_CAP_PATH + 64)

/*
 * The exec record of s, as pw_exec() lays it out: the fixed part with the
 * given argv flags and chunk count, then the lists of exe, cwd and cgroup. Into rec
 * (REC_MAX bytes) and, when out is not NULL, its fixed part into *out.
 * Returns its length.
 */
static size_t exec_record(const struct exec_spec *s, uint32_t flags, uint32_t nchunks, unsigned char *rec,
			  struct pw_cap_exec *out)
{
	char exe[PW_CAP_PATH + 64], cwd[PW_CAP_PATH + 64], cg[PW_CAP_PATH + 64];
	size_t exe_len, cwd_len, cg_len;
	struct pw_cap_exec e;

	exec_fixed(s, &e);
	e.flags = flags;
	e.argv_len = s->argv_len;
	e.nchunks = nchunks;
	walk_path(&s->exe, &e.exe, exe, &exe_len);
	walk_path(&s->cwd, &e.cwd, cwd, &cwd_len);
	walk_path(&s->cgroup, &e.cgroup, cg, &cg_len);
	memcpy(rec, &e, sizeof(e));
	memcpy(rec + sizeof(e), exe, exe_len);
	memcpy(rec + sizeof(e) + exe_len, cwd, cwd_len);
	memcpy(rec + sizeof(e) + exe_len + cwd_len, cg, cg_len);
	if (out)
		*out = e;
	return sizeof(e) + exe_len + cwd_len + cg_len;
}

/*
 * Write the records of s as the program writes them: argv in chunks of
 * PW_CAP_CHUNK bytes, in order, until a fault or a lost chunk, then the
 * exec record. Each chunk must be taken; returns what feeding the exec
 * record returned.
 */
static int emit(struct pw_capq *q, const struct exec_spec *s, struct pw_cap_exec *out)
{
	static unsigned char rec[REC_MAX];
	uint32_t index = 0, flags = 0;

	if (s->argv_len > (uint64_t)PW_CAP_CHUNK * PW_CAP_MAX_CHUNKS) {
		flags |= PW_CAP_ARGV_TOOBIG;
	} else {
		for (size_t off = 0; off < s->argv_len; off += PW_CAP_CHUNK) {
			size_t n = s->argv_len - off < PW_CAP_CHUNK ? s->argv_len - off : PW_CAP_CHUNK;

			if ((int)index == s->fault_at) {
				flags |= PW_CAP_ARGV_FAULT;
				break;
			}
			if ((int)index == s->lost_at) {
				flags |= PW_CAP_ARGV_LOST;
				break;
			}
			CHECK_INT(feed_chunk(q, s->tgid, s->ktime, off, index, (const char *)s->argv + off,
					     (uint32_t)n), 0);
			index++;
		}
	}
	return feed(q, rec, exec_record(s, flags, index, rec, out));
}

/* A plain exec: argv as given, /usr/bin/true in /tmp, in a session's scope. */
static struct exec_spec plain(uint32_t tgid, uint64_t ktime, const void *argv, size_t argv_len)
{
	struct exec_spec s = {
		.tgid = tgid,
		.ktime = ktime,
		.argv = argv,
		.argv_len = argv_len,
		.fault_at = -1,
		.lost_at = -1,
		.exe = { "/usr/bin/true", 0, -1 },
		.cwd = { "/tmp", 0, -1 },
		.cgroup = { "/user.slice/user-1000.slice/session-4.scope", 0, -1 },
	};

	return s;
}

/* What /proc shows for the path of s. */
static void expect_path(const struct path_spec *s, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", s->path, (s->flags & PW_CAP_PATH_DELETED) ? " (deleted)" : "");
}

/* x is the exec of s, its argv exact, exe, cwd and cgroup as s says. */
static void check_exact(const struct pw_capx *x, const struct exec_spec *s, const struct pw_cap_exec *e)
{
	char want[PW_CAP_PATH + 64];

	if (!CHECK(x != NULL))
		return;
	CHECK_INT(x->tgid, s->tgid);
	CHECK_INT(x->ktime, s->ktime);
	CHECK(x->complete);
	CHECK(!x->broken);
	CHECK(memcmp(&x->rec, e, sizeof(*e)) == 0);
	CHECK_INT(x->have, PW_F_ARGV | PW_F_EXE | PW_F_CWD | PW_F_CGROUP);
	CHECK_MEM(x->argv.data, x->argv.len, s->argv, s->argv_len);
	expect_path(&s->exe, want, sizeof(want));
	CHECK_STR(x->exe.data, want);
	CHECK_INT(x->exe.len, strlen(want));
	expect_path(&s->cwd, want, sizeof(want));
	CHECK_STR(x->cwd.data, want);
	CHECK_INT(x->cwd.len, strlen(want));
	CHECK_STR(x->cgroup.data, s->cgroup.path);
	CHECK_INT(x->cgroup.len, strlen(s->cgroup.path));
	for (int i = 0; i < 4; i++)
		CHECK_INT(x->why[i], PW_CAP_WHY_NONE);
}

/* The exec that the netlink event (tgid, ts) stands for is the one of s, exact; then done with. */
static void take_exact(struct pw_capq *q, uint32_t tgid, uint64_t ts, const struct exec_spec *s,
		       const struct pw_cap_exec *e)
{
	struct pw_capx *x = pw_capq_match(q, tgid, ts);

	check_exact(x, s, e);
	if (x)
		pw_capq_done(q, x);
}

/* argv bytes from the fixed-seed generator, about one in four a NUL. */
static unsigned char *random_argv(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t r = unit_rand();

		p[i] = (r & 3) == 0 ? 0 : (unsigned char)(r >> 8);
	}
	return p;
}

static void test_no_chunks(void)
{
	struct pw_capq q = { 0 };
	struct exec_spec s = plain(4242, T0, "", 0);
	struct pw_cap_exec e;
	struct pw_capx *x;

	CHECK_INT(emit(&q, &s, &e), 0);
	CHECK_INT(e.nchunks, 0);
	CHECK_INT(q.n, 1);
	x = pw_capq_match(&q, s.tgid, s.ktime);
	check_exact(x, &s, &e);
	if (x) {
		CHECK_INT(x->argv.len, 0);
		CHECK_INT(x->chunks, 0);
		pw_capq_done(&q, x);
	}
	CHECK_INT(q.n, 0);
	CHECK_INT(q.malformed, 0);
	CHECK_INT(q.orphans, 0);
	/* done with it: nothing matches any more */
	CHECK(pw_capq_match(&q, s.tgid, s.ktime) == NULL);
	pw_capq_free(&q);
}

static void test_one_chunk(void)
{
	static const char argv[] = "sh\0-c\0echo hi";	/* the last argument unterminated, as setproctitle leaves it */
	static unsigned char rec[REC_MAX];
	struct pw_capq q = { 0 };
	struct exec_spec s = plain(77, T0 + 5, argv, sizeof(argv) - 1);
	struct pw_cap_exec e;
	struct pw_capx *x;
	size_t len;

	CHECK_INT(feed_chunk(&q, s.tgid, s.ktime, 0, 0, argv, sizeof(argv) - 1), 0);
	/* the chunk alone is pending, not complete: it matches nothing */
	CHECK_INT(q.n, 1);
	CHECK(pw_capq_match(&q, s.tgid, s.ktime) == NULL);
	CHECK_INT(q.n, 1);
	len = exec_record(&s, 0, 1, rec, &e);
	CHECK_INT(feed(&q, rec, len), 0);
	CHECK_INT(q.n, 1);
	x = pw_capq_match(&q, s.tgid, s.ktime);
	check_exact(x, &s, &e);
	if (x) {
		CHECK_INT(x->chunks, 1);
		pw_capq_done(&q, x);
	}
	CHECK_INT(q.n, 0);
	CHECK_INT(q.malformed, 0);
	pw_capq_free(&q);
}

/* argv of n bytes split by the program's rule, reassembled to the same bytes. */
static void check_chunks(size_t n, uint32_t want_chunks)
{
	struct pw_capq q = { 0 };
	unsigned char *argv = random_argv(n);
	struct exec_spec s = plain((uint32_t)(1000 + n % 1000), T0 + n, argv, n);
	struct pw_cap_exec e;
	struct pw_capx *x;

	CHECK_INT(emit(&q, &s, &e), 0);
	CHECK_INT(e.nchunks, want_chunks);
	x = pw_capq_match(&q, s.tgid, s.ktime);
	check_exact(x, &s, &e);
	if (x) {
		CHECK_INT(x->chunks, want_chunks);
		pw_capq_done(&q, x);
	}
	CHECK_INT(q.malformed, 0);
	pw_capq_free(&q);
	free(argv);
}

static void test_many_chunks(void)
{
	size_t nuls = 0, n = 3 * PW_CAP_CHUNK + 777;
	unsigned char *argv = random_argv(n);

	/* the input has NULs, and bytes at both ends of the range */
	for (size_t i = 0; i < n; i++)
		nuls += argv[i] == 0;
	CHECK(nuls > n / 8);
	free(argv);

	check_chunks(1, 1);
	check_chunks(PW_CAP_CHUNK - 1, 1);
	check_chunks(PW_CAP_CHUNK, 1);
	check_chunks(PW_CAP_CHUNK + 1, 2);
	check_chunks(2 * PW_CAP_CHUNK, 2);
	check_chunks(3 * PW_CAP_CHUNK + 777, 4);
	/* past the slot's kept buffer: 40 chunks */
	check_chunks(40 * PW_CAP_CHUNK - 3, 40);
}

/* A record not taken: -EINVAL, one more malformed. */
#define CHECK_BAD(q, call)						\
	do {								\
		unsigned long long before_ = (q)->malformed;		\
		CHECK_INT((call), -EINVAL);				\
		CHECK_INT((q)->malformed, before_ + 1);			\
	} while (0)

static void test_chunk_order(void)
{
	static unsigned char rec[REC_MAX];
	const uint32_t C = PW_CAP_CHUNK;
	struct pw_capq q = { 0 };
	unsigned char *argv = random_argv(3 * C);
	struct exec_spec s = plain(500, T0, argv, 3 * C);
	struct pw_capx *x;

	/* a gap in the indexes: 0 then 2 */
	CHECK_INT(feed_chunk(&q, 500, T0, 0, 0, argv, C), 0);
	CHECK_BAD(&q, feed_chunk(&q, 500, T0, 2 * C, 2, argv + 2 * C, C));
	if (CHECK_INT(q.n, 1))
		CHECK(q.v[0].broken && !q.v[0].complete);
	/* the exec record says three chunks with no flag: its argv cannot be exact, the exec is not taken */
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 3, rec, NULL)));
	CHECK(pw_capq_match(&q, 500, T0) == NULL);
	CHECK_INT(q.n, 0);

	/* out of order: 1 before 0 */
	CHECK_BAD(&q, feed_chunk(&q, 501, T0, C, 1, argv + C, C));
	if (CHECK_INT(q.n, 1))
		CHECK(q.v[0].broken && q.v[0].tgid == 501);
	CHECK_INT(feed_chunk(&q, 501, T0, 0, 0, argv, C), 0);
	s.tgid = 501;
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 2, rec, NULL)));
	CHECK_INT(q.n, 0);
	pw_capq_free(&q);

	/* the right index at the wrong offset, and a chunk given twice */
	CHECK_INT(feed_chunk(&q, 502, T0, 0, 0, argv, C), 0);
	CHECK_BAD(&q, feed_chunk(&q, 502, T0, C + 1, 1, argv + C, C));
	CHECK(q.n == 1 && q.v[0].broken);
	CHECK_INT(feed_chunk(&q, 503, T0, 0, 0, argv, C), 0);
	CHECK_BAD(&q, feed_chunk(&q, 503, T0, 0, 0, argv, C));
	CHECK_INT(q.n, 2);
	for (size_t i = 0; i < q.n; i++)
		CHECK(q.v[i].broken && !q.v[i].complete);
	pw_capq_free(&q);

	/* an exec record that counts more chunks than came, or none that came, or another argv length */
	s = plain(504, T0, argv, C + 10);
	CHECK_INT(feed_chunk(&q, 504, T0, 0, 0, argv, C), 0);
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 2, rec, NULL)));
	CHECK_INT(q.n, 0);
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 1, rec, NULL)));
	CHECK_INT(q.n, 0);
	CHECK_INT(feed_chunk(&q, 504, T0, 0, 0, argv, 10), 0);
	CHECK_INT(feed_chunk(&q, 504, T0, 10, 1, argv + 10, C - 1), 0);
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 2, rec, NULL)));
	CHECK_INT(q.n, 0);
	CHECK(pw_capq_match(&q, 504, T0) == NULL);

	/* the right offset under the wrong index */
	CHECK_INT(feed_chunk(&q, 506, T0, 0, 0, argv, 10), 0);
	CHECK_BAD(&q, feed_chunk(&q, 506, T0, 10, 2, argv + 10, 10));
	CHECK(q.n == 1 && q.v[0].broken);
	pw_capq_free(&q);

	/* a chunk given twice, then the rest in order: the counts add up, but the argv is not trusted */
	s = plain(507, T0, argv, 2 * C);
	CHECK_INT(feed_chunk(&q, 507, T0, 0, 0, argv, C), 0);
	CHECK_BAD(&q, feed_chunk(&q, 507, T0, 0, 0, argv, C));
	CHECK_INT(feed_chunk(&q, 507, T0, C, 1, argv + C, C), 0);
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 2, rec, NULL)));
	CHECK(pw_capq_match(&q, 507, T0) == NULL);
	CHECK_INT(q.n, 0);

	/* the bytes add up but not the chunks */
	s = plain(508, T0, argv, 20);
	CHECK_INT(feed_chunk(&q, 508, T0, 0, 0, argv, 10), 0);
	CHECK_INT(feed_chunk(&q, 508, T0, 10, 1, argv + 10, 10), 0);
	CHECK_BAD(&q, feed(&q, rec, exec_record(&s, 0, 1, rec, NULL)));
	CHECK_INT(q.n, 0);

	/* a chunk keyed as an exec already complete does not change it */
	{
		struct pw_cap_exec e;

		s = plain(509, T0, "", 0);
		CHECK_INT(feed(&q, rec, exec_record(&s, 0, 0, rec, &e)), 0);
		feed_chunk(&q, 509, T0, 0, 0, argv, 10);
		x = pw_capq_match(&q, 509, T0);
		check_exact(x, &s, &e);
		if (x)
			pw_capq_done(&q, x);
		pw_capq_free(&q);
	}

	/* a fault said so: the broken chunks only cost the argv */
	s = plain(505, T0, argv, 3 * C);
	CHECK_INT(feed_chunk(&q, 505, T0, 0, 0, argv, C), 0);
	CHECK_BAD(&q, feed_chunk(&q, 505, T0, 2 * C, 2, argv + 2 * C, C));
	CHECK_INT(feed(&q, rec, exec_record(&s, PW_CAP_ARGV_FAULT, 1, rec, NULL)), 0);
	x = pw_capq_match(&q, 505, T0);
	if (CHECK(x != NULL)) {
		CHECK(x->broken);
		CHECK_INT(x->have, PW_F_EXE | PW_F_CWD | PW_F_CGROUP);
		CHECK_INT(x->why[0], PW_CAP_WHY_FAULT);
		CHECK_STR(x->exe.data, s.exe.path);
		CHECK_STR(x->cwd.data, s.cwd.path);
		CHECK_STR(x->cgroup.data, s.cgroup.path);
		pw_capq_done(&q, x);
	}
	pw_capq_free(&q);
	free(argv);
}

/* An exec whose argv the program could not give: the rest is still exact. */
static void check_argv_flag(int fault_at, int lost_at, size_t n, uint32_t want_chunks, uint32_t flag,
			    enum pw_cap_why why)
{
	struct pw_capq q = { 0 };
	unsigned char *argv = n <= 4 * PW_CAP_CHUNK ? random_argv(n) : NULL;
	struct exec_spec s = plain(900, T0, argv, n);
	struct pw_cap_exec e;
	struct pw_capx *x;
	char want[64];

	s.fault_at = fault_at;
	s.lost_at = lost_at;
	CHECK_INT(emit(&q, &s, &e), 0);
	CHECK_INT(e.flags, flag);
	CHECK_INT(e.nchunks, want_chunks);
	x = pw_capq_match(&q, s.tgid, s.ktime);
	if (CHECK(x != NULL)) {
		CHECK(x->complete);
		CHECK_INT(x->chunks, want_chunks);
		CHECK_INT(x->have, PW_F_EXE | PW_F_CWD | PW_F_CGROUP);
		CHECK_INT(x->why[0], why);
		CHECK_INT(x->why[1], PW_CAP_WHY_NONE);
		CHECK_INT(x->why[2], PW_CAP_WHY_NONE);
		CHECK_INT(x->why[3], PW_CAP_WHY_NONE);
		CHECK_INT(x->rec.argv_len, n);
		expect_path(&s.exe, want, sizeof(want));
		CHECK_STR(x->exe.data, want);
		expect_path(&s.cwd, want, sizeof(want));
		CHECK_STR(x->cwd.data, want);
		pw_capq_done(&q, x);
	}
	CHECK_INT(q.malformed, 0);
	CHECK_INT(q.n, 0);
	pw_capq_free(&q);
	free(argv);
}

static void test_argv_flags(void)
{
	const size_t C = PW_CAP_CHUNK;

	check_argv_flag(-1, 0, 100, 0, PW_CAP_ARGV_LOST, PW_CAP_WHY_RING);
	check_argv_flag(-1, 2, 3 * C + 1, 2, PW_CAP_ARGV_LOST, PW_CAP_WHY_RING);
	check_argv_flag(0, -1, 100, 0, PW_CAP_ARGV_FAULT, PW_CAP_WHY_FAULT);
	check_argv_flag(1, -1, 2 * C, 1, PW_CAP_ARGV_FAULT, PW_CAP_WHY_FAULT);
	check_argv_flag(-1, -1, C * PW_CAP_MAX_CHUNKS + 1, 0, PW_CAP_ARGV_TOOBIG, PW_CAP_WHY_BOUND);
	/* exactly the bound: no TOOBIG, but the program's chunks, here the first lost */
	check_argv_flag(-1, 0, C * PW_CAP_MAX_CHUNKS, 0, PW_CAP_ARGV_LOST, PW_CAP_WHY_RING);
}

/* One exec whose exe, cwd and cgroup are as given; check what the decoder made of each. */
static void check_paths3(struct path_spec exe, struct path_spec cwd, struct path_spec cgroup)
{
	struct pw_capq q = { 0 };
	struct exec_spec s = plain(321, T0, "x", 2);
	const struct path_spec *ps[3] = { &s.exe, &s.cwd, &s.cgroup };
	const struct pw_buf *bufs[3];
	const unsigned bits[3] = { PW_F_EXE, PW_F_CWD, PW_F_CGROUP };
	struct pw_capx *x;
	struct pw_cap_exec e;

	s.exe = exe;
	s.cwd = cwd;
	s.cgroup = cgroup;
	CHECK_INT(emit(&q, &s, &e), 0);
	x = pw_capq_match(&q, s.tgid, s.ktime);
	if (!CHECK(x != NULL)) {
		pw_capq_free(&q);
		return;
	}
	CHECK(x->have & PW_F_ARGV);
	bufs[0] = &x->exe;
	bufs[1] = &x->cwd;
	bufs[2] = &x->cgroup;
	for (int i = 0; i < 3; i++) {
		const struct path_spec *p = ps[i];
		const struct pw_buf *got = bufs[i];
		unsigned bit = bits[i];
		enum pw_cap_why why = PW_CAP_WHY_NONE;

		if (!p->path) {
			CHECK(!(x->have & bit));
		} else if (p->flags & (PW_CAP_PATH_TRUNC | PW_CAP_PATH_FAULT)) {
			why = (p->flags & PW_CAP_PATH_FAULT) ? PW_CAP_WHY_FAULT : PW_CAP_WHY_BOUND;
			CHECK(!(x->have & bit));
		} else {
			char want[PW_CAP_PATH + 64];

			expect_path(p, want, sizeof(want));
			if (CHECK(x->have & bit))
				CHECK_MEM(got->data, got->len, want, strlen(want));
		}
		CHECK_INT(x->why[1 + i], why);
	}
	pw_capq_done(&q, x);
	CHECK_INT(q.malformed, 0);
	pw_capq_free(&q);
}

static void check_paths(struct path_spec exe, struct path_spec cwd)
{
	struct path_spec cgroup = { "/system.slice/cron.service", 0, -1 };

	check_paths3(exe, cwd, cgroup);
}

static void test_path_flags(void)
{
	struct path_spec ok = { "/home/user/src", 0, -1 };
	struct path_spec none = { NULL, 0, -1 };
	/* a truncated or faulted walk leaves the components it wrote: cwd's list comes after them */
	struct path_spec trunc = { "/a/very/deep/tree/of/dirs", PW_CAP_PATH_TRUNC, 3 };
	struct path_spec fault = { "/usr/lib/x86_64-linux-gnu", PW_CAP_PATH_FAULT, 1 };
	struct path_spec both = { "/srv/data", PW_CAP_PATH_FAULT | PW_CAP_PATH_TRUNC, 2 };
	struct path_spec deleted = { "/tmp/a.out", PW_CAP_PATH_DELETED, -1 };
	struct path_spec memfd = { "/memfd:payload", PW_CAP_PATH_DELETED, -1 };
	struct path_spec root = { "/", 0, -1 };
	struct path_spec trunc_deleted = { "/x/y/z", PW_CAP_PATH_TRUNC | PW_CAP_PATH_DELETED, 1 };

	check_paths(ok, ok);
	check_paths(none, ok);
	check_paths(ok, none);
	check_paths(none, none);
	check_paths(trunc, ok);
	check_paths(ok, trunc);
	check_paths(fault, ok);
	check_paths(ok, fault);
	check_paths(both, deleted);
	check_paths(deleted, root);
	check_paths(memfd, deleted);
	check_paths(root, root);
	check_paths(trunc_deleted, fault);

	/* the cgroup's list comes last; its root is "/" */
	check_paths3(ok, ok, root);
	check_paths3(ok, ok, none);
	check_paths3(ok, ok, trunc);
	check_paths3(ok, ok, fault);
	check_paths3(trunc, fault, trunc);
	check_paths3(none, none, ok);
	check_paths3(deleted, memfd, ok);
}

/* The program never marks a cgroup deleted: such a record is refused. */
static void test_cgroup_deleted(void)
{
	struct pw_capq q = { 0 };
	struct exec_spec s = plain(322, T0, "x", 2);

	/* the same exec without the mark is taken */
	CHECK_INT(emit(&q, &s, NULL), 0);
	CHECK_INT(q.n, 1);
	pw_capq_free(&q);
	s.cgroup.flags = PW_CAP_PATH_DELETED;
	CHECK_INT(emit(&q, &s, NULL), -EINVAL);
	CHECK_INT(q.malformed, 1);
	CHECK_INT(q.n, 0);
	CHECK(pw_capq_match(&q, 322, T0) == NULL);
	pw_capq_free(&q);
}

static int cap_path(const char *list, size_t len, unsigned ncomp, bool deleted, struct pw_buf *out)
{
	char *p = unit_memdup(list, len);
	int r = pw_cap_path(p, len, ncomp, deleted, out);

	free(p);
	return r;
}

static void test_cap_path(void)
{
	static const char usr_bin_true[] = "true\0bin\0usr\0";
	struct pw_buf out = { 0 };
	char list[PW_CAP_PATH + 64], want[2 * (PW_CAP_DEPTH + 1) + 2];
	size_t len;
	unsigned n;

	CHECK_INT(cap_path("", 0, 0, false, &out), 0);
	CHECK_MEM(out.data, out.len, "/", 1);
	CHECK(out.data[out.len] == '\0');
	CHECK_INT(cap_path("", 0, 0, true, &out), 0);
	CHECK_STR(out.data, "/ (deleted)");

	CHECK_INT(cap_path(usr_bin_true, sizeof(usr_bin_true) - 1, 3, false, &out), 0);
	CHECK_STR(out.data, "/usr/bin/true");
	CHECK_INT(out.len, strlen("/usr/bin/true"));
	CHECK_INT(cap_path(usr_bin_true, sizeof(usr_bin_true) - 1, 3, true, &out), 0);
	CHECK_STR(out.data, "/usr/bin/true (deleted)");

	/* the list built from a path gives the path back */
	n = path_list("/etc/ssh/sshd_config.d/a-b c", -1, list, &len);
	CHECK_INT(n, 4);
	CHECK_INT(cap_path(list, len, n, false, &out), 0);
	CHECK_STR(out.data, "/etc/ssh/sshd_config.d/a-b c");

	/* ncomp that does not match the bytes */
	CHECK_INT(cap_path(usr_bin_true, sizeof(usr_bin_true) - 1, 2, false, &out), -EINVAL);
	CHECK_INT(cap_path(usr_bin_true, sizeof(usr_bin_true) - 1, 4, false, &out), -EINVAL);
	CHECK_INT(cap_path(usr_bin_true, sizeof(usr_bin_true) - 1, 0, false, &out), -EINVAL);
	CHECK_INT(cap_path("", 0, 1, false, &out), -EINVAL);
	/* unterminated: the last component has no NUL */
	CHECK_INT(cap_path(usr_bin_true, sizeof(usr_bin_true) - 2, 3, false, &out), -EINVAL);
	CHECK_INT(cap_path("true", 4, 1, false, &out), -EINVAL);
	/* an empty name */
	CHECK_INT(cap_path("\0bin\0", 5, 2, false, &out), -EINVAL);
	CHECK_INT(cap_path("true\0\0", 6, 2, false, &out), -EINVAL);

	/* the deepest walk there is, and one past it */
	len = 0;
	want[0] = '\0';
	for (unsigned i = 0; i < PW_CAP_DEPTH + 1; i++) {
		list[len++] = (char)('a' + i % 26);
		list[len++] = '\0';
	}
	for (unsigned i = PW_CAP_DEPTH; i-- > 0;) {
		size_t w = strlen(want);

		want[w] = '/';
		want[w + 1] = (char)('a' + i % 26);
		want[w + 2] = '\0';
	}
	CHECK_INT(cap_path(list, 2 * PW_CAP_DEPTH, PW_CAP_DEPTH, false, &out), 0);
	CHECK_STR(out.data, want);
	CHECK_INT(cap_path(list, 2 * (PW_CAP_DEPTH + 1), PW_CAP_DEPTH + 1, false, &out), -EINVAL);
	CHECK_INT(cap_path(list, 2 * PW_CAP_DEPTH, 65535, false, &out), -EINVAL);
	pw_buf_free(&out);
}

static void test_match_time(void)
{
	struct pw_capq q = { 0 };
	struct exec_spec s1 = plain(100, T0, "one", 4), s2 = plain(100, T0 + 10, "two", 4);
	struct exec_spec s3 = plain(100, T0 + 20, "three", 6);
	struct pw_cap_exec e1, e2, e3;
	struct pw_capx *x;

	CHECK_INT(emit(&q, &s1, &e1), 0);
	CHECK_INT(emit(&q, &s2, &e2), 0);
	CHECK_INT(emit(&q, &s3, &e3), 0);
	CHECK_INT(q.n, 3);
	/* before all of them, past the skew allowance: none */
	CHECK(pw_capq_match(&q, 100, s1.ktime - SKEW - 1) == NULL);
	CHECK_INT(q.n, 3);
	CHECK_INT(q.orphans, 0);
	/* another tgid: none */
	CHECK(pw_capq_match(&q, 101, s3.ktime) == NULL);
	CHECK_INT(q.n, 3);
	/* between the second and the third: the second, and the first is an orphan */
	x = pw_capq_match(&q, 100, s3.ktime - 1);
	check_exact(x, &s2, &e2);
	CHECK_INT(q.orphans, 1);
	CHECK_INT(q.n, 2);
	if (x)
		pw_capq_done(&q, x);
	/* the third, at exactly its time */
	take_exact(&q, 100, s3.ktime, &s3, &e3);
	CHECK_INT(q.n, 0);
	CHECK_INT(q.orphans, 1);

	/* the program's clock a hair ahead: up to the allowance matches, the oldest first */
	s1.ktime = T0 + 100 + SKEW;
	s2.ktime = T0 + 100 + SKEW / 2;
	CHECK_INT(emit(&q, &s1, &e1), 0);
	CHECK_INT(emit(&q, &s2, &e2), 0);
	x = pw_capq_match(&q, 100, T0 + 100);
	check_exact(x, &s2, &e2);
	CHECK_INT(q.orphans, 1);
	if (x)
		pw_capq_done(&q, x);
	take_exact(&q, 100, T0 + 100, &s1, &e1);
	/* one past it: no match, and still pending */
	s1.ktime = T0 + 200 + SKEW + 1;
	CHECK_INT(emit(&q, &s1, &e1), 0);
	CHECK(pw_capq_match(&q, 100, T0 + 200) == NULL);
	CHECK_INT(q.n, 1);
	take_exact(&q, 100, s1.ktime, &s1, &e1);
	CHECK_INT(q.orphans, 1);
	pw_capq_free(&q);
}

static void test_orphan_age(void)
{
	struct pw_capq q = { 0 };
	const uint64_t ts = T0 + 50 * SEC;
	struct exec_spec old = plain(200, ts - ORPHAN_AGE - 1, "old", 4);
	struct exec_spec edge = plain(201, ts - ORPHAN_AGE, "edge", 5);
	struct exec_spec mine = plain(300, ts, "mine", 5);
	struct exec_spec later = plain(202, ts + 5 * SEC, "later", 6);
	struct pw_cap_exec e;
	struct pw_capx *x;
	unsigned char argv[10] = "pending";

	CHECK_INT(emit(&q, &old, NULL), 0);
	CHECK_INT(emit(&q, &edge, &e), 0);
	CHECK_INT(emit(&q, &mine, NULL), 0);
	CHECK_INT(emit(&q, &later, NULL), 0);
	/* chunks whose exec record never came age out too */
	CHECK_INT(feed_chunk(&q, 203, ts - ORPHAN_AGE - 2, 0, 0, argv, sizeof(argv)), 0);
	CHECK_INT(feed_chunk(&q, 204, ts - 10, 0, 0, argv, sizeof(argv)), 0);
	CHECK_INT(q.n, 6);
	/* a match of another tgid drops the old ones of every tgid */
	x = pw_capq_match(&q, 300, ts);
	if (CHECK(x != NULL))
		CHECK_INT(x->tgid, 300);
	CHECK_INT(q.orphans, 2);
	CHECK_INT(q.n, 4);
	if (x)
		pw_capq_done(&q, x);
	CHECK(pw_capq_match(&q, 200, ts) == NULL);
	take_exact(&q, 201, ts, &edge, &e);
	/* an exec older than a second before its own event is an orphan, not a match */
	CHECK(pw_capq_match(&q, 202, later.ktime + ORPHAN_AGE + 1) == NULL);
	CHECK_INT(q.orphans, 4);
	CHECK_INT(q.n, 0);
	CHECK_INT(q.malformed, 0);
	pw_capq_free(&q);
}

static void test_interleaved(void)
{
	static unsigned char rec[REC_MAX];
	const uint32_t C = PW_CAP_CHUNK;
	struct pw_capq q = { 0 };
	unsigned char *a = random_argv(2 * C + 5), *b = random_argv(C + 9);
	struct exec_spec sa = plain(10, T0 + 7, a, 2 * C + 5), sb = plain(11, T0 + 7, b, C + 9);
	struct pw_cap_exec ea, eb;

	sb.exe.path = "/bin/sh";
	sb.cwd.path = "/";
	/* two CPUs' records, in turns, with the same ktime */
	CHECK_INT(feed_chunk(&q, 10, T0 + 7, 0, 0, a, C), 0);
	CHECK_INT(feed_chunk(&q, 11, T0 + 7, 0, 0, b, C), 0);
	CHECK_INT(feed_chunk(&q, 10, T0 + 7, C, 1, a + C, C), 0);
	CHECK_INT(feed_chunk(&q, 11, T0 + 7, C, 1, b + C, 9), 0);
	CHECK_INT(q.n, 2);
	/* b's exec record first */
	CHECK_INT(feed(&q, rec, exec_record(&sb, 0, 2, rec, &eb)), 0);
	CHECK_INT(feed_chunk(&q, 10, T0 + 7, 2 * C, 2, a + 2 * C, 5), 0);
	CHECK_INT(feed(&q, rec, exec_record(&sa, 0, 3, rec, &ea)), 0);
	CHECK_INT(q.n, 2);
	CHECK_INT(q.malformed, 0);

	take_exact(&q, 10, T0 + 7, &sa, &ea);
	take_exact(&q, 11, T0 + 7, &sb, &eb);
	CHECK_INT(q.orphans, 0);
	pw_capq_free(&q);
	free(a);
	free(b);
}

static void test_malformed(void)
{
	struct pw_capq q = { 0 };
	struct exec_spec s = plain(600, T0, "a", 2);
	static unsigned char rec[REC_MAX];
	struct pw_cap_chunk c;
	struct pw_cap_exec e;
	struct pw_cap_hdr h;
	size_t lists;

	memset(rec, 0x5a, sizeof(rec));
	/* shorter than a header */
	CHECK_BAD(&q, feed(&q, rec, 0));
	CHECK_BAD(&q, feed(&q, rec, 1));
	CHECK_BAD(&q, feed(&q, rec, sizeof(h) - 1));
	/* unknown types */
	memset(&h, 0, sizeof(h));
	h.tgid = 600;
	h.ktime = T0;
	for (uint32_t t = 0; t < 5; t++) {
		if (t == PW_CAP_T_CHUNK || t == PW_CAP_T_EXEC || t == PW_CAP_T_FORK)
			continue;
		h.type = t;
		memcpy(rec, &h, sizeof(h));
		CHECK_BAD(&q, feed(&q, rec, sizeof(rec)));
	}
	CHECK_INT(q.n, 0);

	/* chunks: no data, a length other than the data's, more than a chunk */
	memset(&c, 0, sizeof(c));
	c.h.type = PW_CAP_T_CHUNK;
	c.h.tgid = 600;
	c.h.ktime = T0;
	c.len = 0;
	memcpy(rec, &c, sizeof(c));
	CHECK_BAD(&q, feed(&q, rec, sizeof(c)));
	CHECK_BAD(&q, feed(&q, rec, sizeof(c) - 1));
	CHECK_BAD(&q, feed(&q, rec, sizeof(c) + 10));
	c.len = 100;
	memcpy(rec, &c, sizeof(c));
	CHECK_BAD(&q, feed(&q, rec, sizeof(c) + 50));
	CHECK_BAD(&q, feed(&q, rec, sizeof(c) + 101));
	c.len = UINT32_MAX;
	memcpy(rec, &c, sizeof(c));
	CHECK_BAD(&q, feed(&q, rec, sizeof(c) + 50));
	{
		size_t n = sizeof(c) + PW_CAP_CHUNK + 1;
		unsigned char *big = calloc(1, n);

		if (CHECK(big != NULL)) {
			c.len = PW_CAP_CHUNK + 1;
			memcpy(big, &c, sizeof(c));
			CHECK_BAD(&q, feed(&q, big, n));
		}
		free(big);
	}
	CHECK_INT(q.n, 0);

	/* exec records: shorter than the fixed part, lists past the record or short of it */
	s.argv_len = 0;
	lists = exec_record(&s, 0, 0, rec, &e) - sizeof(e);
	CHECK(lists > 0);
	CHECK_BAD(&q, feed(&q, rec, sizeof(e) - 1));
	CHECK_BAD(&q, feed(&q, rec, sizeof(h)));
	CHECK_BAD(&q, feed(&q, rec, sizeof(e) + lists - 1));
	CHECK_BAD(&q, feed(&q, rec, sizeof(e) + lists + 1));
	CHECK_BAD(&q, feed(&q, rec, sizeof(e)));
	CHECK_INT(q.n, 0);
	/* lengths that wrap in 32 bits */
	{
		struct pw_cap_exec w = e;

		w.exe.len = UINT32_MAX;
		w.cwd.len = (uint32_t)(lists + 1);
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		w.exe.flags = PW_CAP_PATH_NONE;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		w.exe = e.exe;
		/* longer than the program ever writes, the lengths adding up */
		w.exe.len = PW_CAP_PATH + 1;
		w.cwd.len = PW_CAP_PATH;
		w.cgroup.len = PW_CAP_PATH;
		w.exe.flags = w.cwd.flags = w.cgroup.flags = PW_CAP_PATH_TRUNC;
		memcpy(rec, &w, sizeof(w));
		memset(rec + sizeof(w), 'a', 3 * PW_CAP_PATH + 1);
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + 3 * PW_CAP_PATH + 1));
	}
	CHECK_INT(exec_record(&s, 0, 0, rec, &e), sizeof(e) + lists);
	/* ncomp that the bytes do not hold */
	{
		struct pw_cap_exec w = e;

		w.exe.ncomp = 60000;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		w.exe.ncomp = e.exe.ncomp + 1;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		w = e;
		w.cwd.ncomp = e.cwd.ncomp - 1;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		w = e;
		w.cgroup.ncomp = e.cgroup.ncomp + 1;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		/* cwd's and cgroup's lists split at another place */
		w = e;
		w.cwd.len = e.cwd.len + 1;
		w.cgroup.len = e.cgroup.len - 1;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
		/* the same lists split at another place */
		w = e;
		w.exe.len = e.exe.len - 1;
		w.cwd.len = e.cwd.len + 1;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
	}
	/* an argv of chunks that never came */
	{
		struct pw_cap_exec w = e;

		w.nchunks = 1;
		w.argv_len = 2;
		memcpy(rec, &w, sizeof(w));
		CHECK_BAD(&q, feed(&q, rec, sizeof(w) + lists));
	}
	CHECK_INT(q.n, 0);
	CHECK(pw_capq_match(&q, 600, T0) == NULL);

	/* after all of it, the record as the program writes it is taken */
	memcpy(rec, &e, sizeof(e));
	CHECK_INT(feed(&q, rec, sizeof(e) + lists), 0);
	{
		unsigned long long bad = q.malformed;
		struct pw_capx *x = pw_capq_match(&q, 600, T0);

		if (CHECK(x != NULL)) {
			CHECK_INT(x->have, PW_F_ARGV | PW_F_EXE | PW_F_CWD | PW_F_CGROUP);
			CHECK_STR(x->exe.data, s.exe.path);
			CHECK_STR(x->cgroup.data, s.cgroup.path);
			pw_capq_done(&q, x);
		}
		CHECK_INT(q.malformed, bad);
	}
	CHECK_INT(q.orphans, 0);
	pw_capq_free(&q);
}

/*
 * The records of a few execs, each with a few bytes changed or its length
 * cut: each is refused or taken, never a crash (ASan, valgrind), and what
 * is taken holds together.
 */
static void test_malformed_random(void)
{
	static unsigned char rec[REC_MAX];
	struct pw_capq q = { 0 };
	unsigned long long refused = 0, matched = 0;
	unsigned char argv[3 * 40];

	for (size_t i = 0; i < sizeof(argv); i++)
		argv[i] = (unsigned char)(i % 9 ? 'a' + i % 26 : 0);
	for (int round = 0; round < 3000; round++) {
		struct exec_spec s = plain(1 + round % 3, T0 + (uint64_t)round * (SEC / 10), argv, sizeof(argv));
		int r;

		/* argv as three chunks of 40 bytes, then the exec record */
		for (uint32_t k = 0; k < 4; k++) {
			size_t len;
			int z;

			if (k < 3) {
				struct pw_cap_chunk c = { { PW_CAP_T_CHUNK, s.tgid, s.ktime }, 40 * k, 40, k };

				memcpy(rec, &c, sizeof(c));
				memcpy(rec + sizeof(c), argv + 40 * k, 40);
				len = sizeof(c) + 40;
			} else {
				len = exec_record(&s, 0, 3, rec, NULL);
			}
			/* one record in four changed: one to three bytes, or its length */
			if (unit_rand() % 4 == 0) {
				if (unit_rand() % 3 == 0) {
					len = unit_rand() % (len + 8);
				} else {
					for (z = 1 + (int)(unit_rand() % 3); z > 0; z--)
						rec[unit_rand() % len] ^= (unsigned char)(1u << (unit_rand() % 8));
				}
			}
			r = feed(&q, rec, len);
			CHECK(r == 0 || r == -EINVAL);
			refused += r == -EINVAL;
		}
		if (round % 3 == 2) {
			for (uint32_t t = 0; t < 4; t++) {
				struct pw_capx *x = pw_capq_match(&q, t, s.ktime);

				if (!x)
					continue;
				matched++;
				CHECK(x->complete && x->tgid == t);
				CHECK(x->ktime <= s.ktime + SKEW && x->ktime + ORPHAN_AGE >= s.ktime);
				if (x->have & PW_F_ARGV)
					CHECK_INT(x->argv.len, x->rec.argv_len);
				if (x->have & PW_F_EXE)
					CHECK(x->exe.data[0] == '/' && strlen(x->exe.data) == x->exe.len);
				if (x->have & PW_F_CWD)
					CHECK(x->cwd.data[0] == '/' && strlen(x->cwd.data) == x->cwd.len);
				if (x->have & PW_F_CGROUP)
					CHECK(x->cgroup.data[0] == '/' &&
					      strlen(x->cgroup.data) == x->cgroup.len);
				pw_capq_done(&q, x);
			}
		}
	}
	CHECK_INT(q.malformed, refused);
	CHECK(refused > 0);
	CHECK(matched > 500);
	pw_capq_free(&q);
}

static void test_reuse(void)
{
	struct pw_capq q = { 0 };
	const size_t big = 40 * PW_CAP_CHUNK;	/* more than a slot keeps */
	unsigned char *argv = random_argv(big);
	size_t max_cap = 0;

	for (uint32_t round = 0; round < 200; round++) {
		struct exec_spec s[3];
		struct pw_cap_exec e[3];

		for (uint32_t i = 0; i < 3; i++) {
			uint32_t k = round * 3 + i;
			/* long, short and empty argvs into the same slots by turns */
			size_t n = k % 5 == 0 ? big - k : k % 5 == 1 ? 0 : (k * 977) % (2 * PW_CAP_CHUNK);

			s[i] = plain(7000 + i, T0 + round * 1000 + i, argv + (k % 5 == 0 ? k : 0), n);
			if (k % 7 == 0)
				s[i].exe.path = NULL;
			if (k % 11 == 0)
				s[i].cwd = (struct path_spec){ "/var/tmp/deleted", PW_CAP_PATH_DELETED, -1 };
			if (k % 13 == 0)
				s[i].fault_at = 0;
			CHECK_INT(emit(&q, &s[i], &e[i]), 0);
		}
		for (uint32_t j = 0; j < 3; j++) {
			uint32_t i = (round + j) % 3;	/* done in another order each round */
			struct pw_capx *x = pw_capq_match(&q, s[i].tgid, s[i].ktime);
			unsigned want = PW_F_ARGV | PW_F_EXE | PW_F_CWD | PW_F_CGROUP;

			if (!CHECK(x != NULL))
				continue;
			if (!s[i].exe.path)
				want &= ~(unsigned)PW_F_EXE;
			if (s[i].fault_at == 0 && s[i].argv_len > 0)
				want &= ~(unsigned)PW_F_ARGV;
			CHECK_INT(x->have, want);
			CHECK_INT(x->why[0], (want & PW_F_ARGV) ? PW_CAP_WHY_NONE : PW_CAP_WHY_FAULT);
			CHECK_INT(x->why[1], PW_CAP_WHY_NONE);
			CHECK_INT(x->why[2], PW_CAP_WHY_NONE);
			CHECK_INT(x->why[3], PW_CAP_WHY_NONE);
			CHECK(memcmp(&x->rec, &e[i], sizeof(e[i])) == 0);
			if (want & PW_F_ARGV)
				CHECK_MEM(x->argv.data, x->argv.len, s[i].argv, s[i].argv_len);
			if (want & PW_F_EXE)
				CHECK_STR(x->exe.data, s[i].exe.path);
			if (want & PW_F_CWD) {
				char w[64];

				expect_path(&s[i].cwd, w, sizeof(w));
				CHECK_STR(x->cwd.data, w);
			}
			pw_capq_done(&q, x);
		}
		CHECK_INT(q.n, 0);
		/* the slots past n keep their buffers */
		for (size_t i = 0; i < 3 && i < q.cap; i++)
			CHECK(q.v[i].exe.data != NULL || q.v[i].cwd.data != NULL);
		if (q.cap > max_cap)
			max_cap = q.cap;
	}
	/* the slots were reused, not grown */
	CHECK(max_cap > 0 && max_cap <= 16);
	CHECK_INT(q.malformed, 0);
	CHECK_INT(q.orphans, 0);
	pw_capq_free(&q);
	free(argv);
}

static void test_free_pending(void)
{
	struct pw_capq q = { 0 };
	unsigned char *argv = random_argv(3 * PW_CAP_CHUNK);
	char more[64];

	/* free of a queue that never took anything */
	pw_capq_free(&q);
	CHECK(q.v == NULL && q.n == 0 && q.cap == 0);

	/* complete execs, chunks without their exec record, a broken one, and more slots than one block */
	for (uint32_t i = 0; i < 40; i++) {
		struct exec_spec s = plain(i, T0 + i, argv, (i % 3 + 1) * PW_CAP_CHUNK - i);

		CHECK_INT(emit(&q, &s, NULL), 0);
		CHECK_INT(feed_chunk(&q, 1000 + i, T0, 0, 0, argv, PW_CAP_CHUNK), 0);
	}
	snprintf(more, sizeof(more), "left over");
	CHECK_INT(feed_chunk(&q, 5000, T0, 0, 0, more, (uint32_t)strlen(more)), 0);
	CHECK_BAD(&q, feed_chunk(&q, 5000, T0, 1, 3, more, 1));
	CHECK_INT(q.n, 81);
	CHECK(q.cap >= q.n);
	/* done with one, so that a slot past n holds buffers too */
	{
		struct pw_capx *x = pw_capq_match(&q, 39, T0 + 39);

		if (CHECK(x != NULL))
			pw_capq_done(&q, x);
		CHECK_INT(q.n, 80);
	}
	pw_capq_free(&q);
	CHECK(q.v == NULL && q.n == 0 && q.cap == 0 && q.malformed == 0 && q.orphans == 0);
	/* and it can be used again */
	{
		struct exec_spec s = plain(1, T0, "again", 6);
		struct pw_cap_exec e;

		CHECK_INT(emit(&q, &s, &e), 0);
		check_exact(pw_capq_match(&q, 1, T0), &s, &e);
	}
	pw_capq_free(&q);
	free(argv);
}

/* A fork record as the program writes it. */
static int feed_fork(struct pw_capq *q, uint32_t tgid, uint64_t ktime, uint64_t start)
{
	struct pw_cap_fork f;

	memset(&f, 0, sizeof(f));
	f.h.type = PW_CAP_T_FORK;
	f.h.tgid = tgid;
	f.h.ktime = ktime;
	f.start_boottime = start;
	return feed(q, &f, sizeof(f));
}

static void test_fork(void)
{
	struct pw_capq q = { 0 };
	uint64_t start = 0;
	struct pw_cap_fork f;

	CHECK_INT(pw_capq_fork(&q, 10, T0, &start), -ENOENT);
	/* the connector's event is sent just before the program runs */
	CHECK_INT(feed_fork(&q, 10, T0 + 5, 111), 0);
	CHECK_INT(q.nf, 1);
	CHECK_INT(q.n, 0);
	CHECK_INT(pw_capq_fork(&q, 11, T0, &start), -ENOENT);
	CHECK_INT(q.nf, 1);
	CHECK_INT(pw_capq_fork(&q, 10, T0, &start), 0);
	CHECK_INT(start, 111);
	CHECK_INT(q.nf, 0);
	CHECK_INT(pw_capq_fork(&q, 10, T0, &start), -ENOENT);

	/* the clocks a hair apart: a record up to the allowance before ts is taken */
	CHECK_INT(feed_fork(&q, 10, T0 + 100 * SKEW - SKEW, 222), 0);
	CHECK_INT(pw_capq_fork(&q, 10, T0 + 100 * SKEW, &start), 0);
	CHECK_INT(start, 222);
	/* one before it was an earlier fork of a reused pid, whose event was lost */
	CHECK_INT(feed_fork(&q, 12, T0 + 200 * SKEW - SKEW - 1, 333), 0);
	start = 0;
	CHECK_INT(pw_capq_fork(&q, 12, T0 + 200 * SKEW, &start), -ENOENT);
	CHECK_INT(start, 0);
	CHECK_INT(q.orphans, 1);
	CHECK_INT(q.nf, 0);

	/* several pending: each takes its own, in the order they came, the others stay */
	CHECK_INT(feed_fork(&q, 20, T0 + SEC, 1), 0);
	CHECK_INT(feed_fork(&q, 21, T0 + SEC + 1, 2), 0);
	CHECK_INT(feed_fork(&q, 20, T0 + SEC + 2, 3), 0);
	CHECK_INT(feed_fork(&q, 22, T0 + SEC + 3, 4), 0);
	CHECK_INT(pw_capq_fork(&q, 21, T0 + SEC, &start), 0);
	CHECK_INT(start, 2);
	CHECK_INT(q.nf, 3);
	CHECK_INT(pw_capq_fork(&q, 20, T0 + SEC, &start), 0);
	CHECK_INT(start, 1);
	CHECK_INT(pw_capq_fork(&q, 20, T0 + SEC + 2, &start), 0);
	CHECK_INT(start, 3);
	CHECK_INT(q.nf, 1);
	CHECK_INT(q.f[0].tgid, 22);
	/* a second later, the one whose event never came is an orphan */
	CHECK_INT(pw_capq_fork(&q, 23, T0 + 2 * SEC + 4, &start), -ENOENT);
	CHECK_INT(q.nf, 0);
	CHECK_INT(q.orphans, 2);

	/* a fork record of another length, and one keyed as an exec chunk, are refused */
	memset(&f, 0, sizeof(f));
	f.h.type = PW_CAP_T_FORK;
	f.h.tgid = 30;
	f.h.ktime = T0;
	CHECK_BAD(&q, feed(&q, &f, sizeof(f) - 1));
	CHECK_BAD(&q, feed(&q, &f, sizeof(f.h)));
	{
		unsigned char big[sizeof(f) + 1] = { 0 };

		memcpy(big, &f, sizeof(f));
		CHECK_BAD(&q, feed(&q, big, sizeof(big)));
	}
	CHECK_INT(q.nf, 0);
	CHECK_INT(q.n, 0);
	CHECK_INT(q.malformed, 3);
	pw_capq_free(&q);
	CHECK(q.f == NULL && q.nf == 0);
}

/* Past the bound of pending forks, the oldest is dropped and counted. */
static void test_fork_bound(void)
{
	struct pw_capq q = { 0 };
	uint64_t start;
	uint32_t n = 65536;

	for (uint32_t i = 0; i <= n; i++)
		if (!CHECK_INT(feed_fork(&q, 100 + i, T0 + i, 1000 + i), 0))
			break;
	CHECK_INT(q.nf, n);
	CHECK_INT(q.orphans, 1);
	CHECK_INT(pw_capq_fork(&q, 100, T0, &start), -ENOENT);
	CHECK_INT(pw_capq_fork(&q, 101, T0, &start), 0);
	CHECK_INT(start, 1001);
	CHECK_INT(pw_capq_fork(&q, 100 + n, T0 + n, &start), 0);
	CHECK_INT(start, 1000 + n);
	CHECK_INT(q.nf, n - 2);
	CHECK_INT(q.orphans, 1);
	pw_capq_free(&q);
}

int main(void)
{
	UNIT_RUN(test_no_chunks);
	UNIT_RUN(test_one_chunk);
	UNIT_RUN(test_many_chunks);
	UNIT_RUN(test_chunk_order);
	UNIT_RUN(test_argv_flags);
	UNIT_RUN(test_path_flags);
	UNIT_RUN(test_cgroup_deleted);
	UNIT_RUN(test_cap_path);
	UNIT_RUN(test_match_time);
	UNIT_RUN(test_orphan_age);
	UNIT_RUN(test_interleaved);
	UNIT_RUN(test_malformed);
	UNIT_RUN(test_malformed_random);
	UNIT_RUN(test_reuse);
	UNIT_RUN(test_free_pending);
	UNIT_RUN(test_fork);
	UNIT_RUN(test_fork_bound);
	return unit_done();
}
