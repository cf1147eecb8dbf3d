/* fuzz-capture.c - sequences of exec capture records through a pw_capq, with netlink events between them */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "capture-decode.h"
#include "fuzz.h"

/*
 * The input is a sequence of steps, each starting with a 16-bit
 * little-endian word w:
 *
 *   w < 0x8000: a ring-buffer record of w bytes follows (fewer when the
 *               input ends first): fed to the queue;
 *   w >= 0x8000: a netlink event: a 32-bit tgid and a 64-bit ts follow,
 *               both little-endian. When bit 1 of w is set it is a fork,
 *               and the new process's start time is asked for; otherwise
 *               an exec, matched against the queue, and when bit 0 of w
 *               is set the match is done with.
 */
#define STEP_MATCH 0x8000u
#define STEP_DONE 0x0001u
#define STEP_FORK 0x0002u

#define ORPHAN_NS 1000000000ull	/* as capture-decode.h says: older than a second before ts */
#define SKEW_NS 1000000ull	/* how far after ts a match may be captured */

static uint64_t get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* What a matched exec holds must make sense on its own. */
static void check_exec(const struct pw_capq *q, const struct pw_capx *x, uint32_t tgid, uint64_t ts)
{
	const struct pw_buf *path[3] = { &x->exe, &x->cwd, &x->cgroup };
	const struct pw_cap_path *rec[3] = { &x->rec.exe, &x->rec.cwd, &x->rec.cgroup };
	const unsigned bit[3] = { PW_F_EXE, PW_F_CWD, PW_F_CGROUP };

	FUZZ_CHECK(x >= q->v && x < q->v + q->n);
	FUZZ_CHECK(x->tgid == tgid && x->complete);
	FUZZ_CHECK(x->rec.h.tgid == x->tgid && x->rec.h.ktime == x->ktime && x->rec.h.type == PW_CAP_T_EXEC);
	FUZZ_CHECK(x->ktime <= ts || x->ktime - ts <= SKEW_NS);
	FUZZ_CHECK((x->have & ~(unsigned)(PW_F_ARGV | PW_F_EXE | PW_F_CWD | PW_F_CGROUP)) == 0);
	FUZZ_CHECK(!(x->rec.cgroup.flags & PW_CAP_PATH_DELETED));
	for (int i = 0; i < 4; i++)
		FUZZ_CHECK((unsigned)x->why[i] < PW_CAP_WHY_NKINDS);
	if (x->have & PW_F_ARGV) {
		FUZZ_CHECK(!(x->rec.flags & (PW_CAP_ARGV_FAULT | PW_CAP_ARGV_LOST | PW_CAP_ARGV_TOOBIG)));
		FUZZ_CHECK(!x->broken);
		FUZZ_CHECK(x->chunks == x->rec.nchunks);
		FUZZ_CHECK(x->argv.len == x->rec.argv_len);
		FUZZ_CHECK(x->why[0] == PW_CAP_WHY_NONE);
	} else {
		FUZZ_CHECK(x->rec.flags & (PW_CAP_ARGV_FAULT | PW_CAP_ARGV_LOST | PW_CAP_ARGV_TOOBIG));
		FUZZ_CHECK(x->why[0] != PW_CAP_WHY_NONE);
	}
	for (int i = 0; i < 3; i++) {
		const struct pw_cap_path *p = rec[i];

		if (!(x->have & bit[i]))
			continue;
		FUZZ_CHECK(!(p->flags & (PW_CAP_PATH_NONE | PW_CAP_PATH_TRUNC | PW_CAP_PATH_FAULT)));
		FUZZ_CHECK(x->why[1 + i] == PW_CAP_WHY_NONE);
		/* "/" and then ncomp names joined by "/": no NUL in it, one at its end */
		FUZZ_CHECK(path[i]->data && path[i]->len > 0 && path[i]->data[0] == '/');
		FUZZ_CHECK(path[i]->data[path[i]->len] == '\0');
		FUZZ_CHECK(strlen(path[i]->data) == path[i]->len);
		FUZZ_CHECK(path[i]->len == (p->ncomp ? p->len : 1) + (p->flags & PW_CAP_PATH_DELETED ? 10 : 0));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_capq q = { 0 };
	size_t off = 0;

	while (size - off >= 2) {
		unsigned w = (unsigned)get_le(data + off, 2);
		unsigned long long bad = q.malformed, orphans = q.orphans;
		size_t n = q.n, nf = q.nf;

		off += 2;
		if (!(w & STEP_MATCH)) {
			size_t len = w < size - off ? w : size - off;
			char *rec = fuzz_memdup(data + off, len);
			int r = pw_capq_feed(&q, rec, len);

			free(rec);
			off += len;
			FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
			FUZZ_CHECK(q.malformed == bad + (r == -EINVAL));
			/* a record adds one exec at most, or takes back one it found */
			FUZZ_CHECK(q.n + 1 >= n && q.n <= n + 1);
			FUZZ_CHECK(q.orphans <= orphans + 1);
			FUZZ_CHECK(q.nf <= nf + 1 && q.nf + 1 >= nf);
		} else if (w & STEP_FORK) {
			uint32_t tgid;
			uint64_t ts, start = 0;
			int r;

			if (size - off < 12)
				break;
			tgid = (uint32_t)get_le(data + off, 4);
			ts = get_le(data + off + 4, 8);
			off += 12;
			r = pw_capq_fork(&q, tgid, ts, &start);
			FUZZ_CHECK(r == 0 || r == -ENOENT);
			FUZZ_CHECK(q.malformed == bad && q.n == n);
			/* what it does not take, it keeps or counts */
			FUZZ_CHECK(q.orphans >= orphans && nf == q.nf + (q.orphans - orphans) + (r == 0));
			if (r < 0) {
				/* every fork of tgid was taken or dropped; nothing older than a second is kept */
				for (size_t i = 0; i < q.nf; i++)
					FUZZ_CHECK(q.f[i].tgid != tgid && q.f[i].ktime + ORPHAN_NS >= ts);
			}
		} else {
			uint32_t tgid;
			uint64_t ts;
			struct pw_capx *x;

			if (size - off < 12)
				break;
			tgid = (uint32_t)get_le(data + off, 4);
			ts = get_le(data + off + 4, 8);
			off += 12;
			x = pw_capq_match(&q, tgid, ts);
			FUZZ_CHECK(q.malformed == bad);
			/* what a match drops, it counts as orphans */
			FUZZ_CHECK(q.orphans >= orphans && q.n + (q.orphans - orphans) == n);
			for (size_t i = 0; i < q.n; i++) {
				const struct pw_capx *y = &q.v[i];

				/* nothing left that the event shows lost */
				FUZZ_CHECK(y->ktime + ORPHAN_NS >= ts);
				if (y->tgid != tgid || !y->complete)
					continue;
				if (x)
					FUZZ_CHECK(y->ktime >= x->ktime);
				else
					FUZZ_CHECK(y->ktime > ts + SKEW_NS);
			}
			if (x) {
				check_exec(&q, x, tgid, ts);
				if (w & STEP_DONE) {
					pw_capq_done(&q, x);
					FUZZ_CHECK(q.n == n - (q.orphans - orphans) - 1);
				}
			}
		}
		FUZZ_CHECK(q.n <= q.cap && q.nf <= q.fcap);
	}
	pw_capq_free(&q);
	FUZZ_CHECK(q.v == NULL && q.n == 0 && q.cap == 0);
	return 0;
}
