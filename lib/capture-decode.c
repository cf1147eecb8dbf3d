/* capture-decode.c - assemble the exec capture's ring-buffer records into execs */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture-decode.h"
#include "strutil.h"

#define ORPHAN_NS 1000000000ull	/* an exec this much older than a netlink exec lost its event */
#define PENDING_MAX 65536	/* execs, and forks, held at most: past it the oldest is an orphan */
#define SKEW_NS 1000000ull	/* how far the program's clock may read ahead of the connector's */
#define KEEP_BYTES (1u << 20)	/* a slot keeps a buffer this large for the next exec */

static void drop(struct pw_capq *q, size_t i)
{
	struct pw_capx tmp = q->v[i];

	if (tmp.argv.cap > KEEP_BYTES)
		pw_buf_free(&tmp.argv);
	/* the last pending exec takes the slot; the slot's buffers go past n */
	q->v[i] = q->v[--q->n];
	q->v[q->n] = tmp;
}

static struct pw_capx *find(struct pw_capq *q, uint32_t tgid, uint64_t ktime)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].tgid == tgid && q->v[i].ktime == ktime && !q->v[i].complete)
			return &q->v[i];
	return NULL;
}

static struct pw_capx *add(struct pw_capq *q, uint32_t tgid, uint64_t ktime)
{
	struct pw_capx *x;

	if (q->n == PENDING_MAX) {
		size_t old = 0;

		for (size_t i = 1; i < q->n; i++)
			if (q->v[i].ktime < q->v[old].ktime)
				old = i;
		drop(q, old);
		q->orphans++;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct pw_capx *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		memset(v + q->cap, 0, (cap - q->cap) * sizeof(*v));
		q->v = v;
		q->cap = cap;
	}
	x = &q->v[q->n++];
	x->tgid = tgid;
	x->ktime = ktime;
	x->complete = false;
	x->broken = false;
	x->chunks = 0;
	x->argv.len = 0;
	x->exe.len = 0;
	x->cwd.len = 0;
	x->cgroup.len = 0;
	x->have = 0;
	return x;
}

int pw_cap_path(const char *list, size_t len, unsigned ncomp, bool deleted, struct pw_buf *out)
{
	const char *comp[PW_CAP_DEPTH];
	size_t clen[PW_CAP_DEPTH];
	size_t off = 0;

	if (ncomp > PW_CAP_DEPTH)
		return -EINVAL;
	for (unsigned i = 0; i < ncomp; i++) {
		const char *nul = off < len ? memchr(list + off, '\0', len - off) : NULL;

		if (!nul || nul == list + off)
			return -EINVAL;	/* unterminated, or an empty name */
		comp[i] = list + off;
		clen[i] = (size_t)(nul - comp[i]);
		off += clen[i] + 1;
	}
	if (off != len)
		return -EINVAL;
	out->len = 0;
	if (ncomp == 0 && pw_buf_putc(out, '/') < 0)
		return -ENOMEM;
	for (unsigned i = ncomp; i-- > 0;)
		if (pw_buf_putc(out, '/') < 0 || pw_buf_append(out, comp[i], clen[i]) < 0)
			return -ENOMEM;
	if (deleted && pw_buf_append(out, " (deleted)", 10) < 0)
		return -ENOMEM;
	return 0;
}

static enum pw_cap_why path_why(unsigned flags)
{
	if (flags & PW_CAP_PATH_FAULT)
		return PW_CAP_WHY_FAULT;
	return PW_CAP_WHY_BOUND;
}

/* Turn one path of an exec record into x's string, or say why not. */
static int take_path(struct pw_capx *x, const struct pw_cap_path *p, const char *list, unsigned bit, int slot,
		     struct pw_buf *out)
{
	int r;

	if (p->flags & PW_CAP_PATH_NONE)
		return 0;
	if (p->flags & (PW_CAP_PATH_TRUNC | PW_CAP_PATH_FAULT)) {
		x->why[slot] = path_why(p->flags);
		return 0;
	}
	r = pw_cap_path(list, p->len, p->ncomp, (p->flags & PW_CAP_PATH_DELETED) != 0, out);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return -EINVAL;
	x->have |= bit;
	return 0;
}

static int feed_exec(struct pw_capq *q, const struct pw_cap_exec *e, const char *paths, size_t plen)
{
	struct pw_capx *x;
	unsigned argv_bad = PW_CAP_ARGV_FAULT | PW_CAP_ARGV_LOST | PW_CAP_ARGV_TOOBIG;
	int r;

	if ((size_t)e->exe.len + e->cwd.len + e->cgroup.len != plen)
		return -EINVAL;
	x = find(q, e->h.tgid, e->h.ktime);
	if (!x) {
		if (e->nchunks)
			return -EINVAL;	/* its chunks never came: they are counted as lost in the kernel */
		x = add(q, e->h.tgid, e->h.ktime);
		if (!x)
			return -ENOMEM;
	}
	x->rec = *e;
	x->complete = true;
	for (size_t i = 0; i < sizeof(x->why) / sizeof(x->why[0]); i++)
		x->why[i] = PW_CAP_WHY_NONE;
	if (e->flags & PW_CAP_ARGV_LOST)
		x->why[0] = PW_CAP_WHY_RING;
	else if (e->flags & PW_CAP_ARGV_FAULT)
		x->why[0] = PW_CAP_WHY_FAULT;
	else if (e->flags & PW_CAP_ARGV_TOOBIG)
		x->why[0] = PW_CAP_WHY_BOUND;
	if (!(e->flags & argv_bad)) {
		if (x->broken || x->chunks != e->nchunks || x->argv.len != e->argv_len) {
			drop(q, (size_t)(x - q->v));
			return -EINVAL;
		}
		x->have |= PW_F_ARGV;
	}
	r = take_path(x, &e->exe, paths, PW_F_EXE, 1, &x->exe);
	if (r == 0)
		r = take_path(x, &e->cwd, paths + e->exe.len, PW_F_CWD, 2, &x->cwd);
	if (r == 0 && (e->cgroup.flags & PW_CAP_PATH_DELETED))
		r = -EINVAL;	/* the program never marks a cgroup deleted */
	if (r == 0)
		r = take_path(x, &e->cgroup, paths + e->exe.len + e->cwd.len, PW_F_CGROUP, 3, &x->cgroup);
	if (r < 0)
		drop(q, (size_t)(x - q->v));
	return r;
}

static int feed_chunk(struct pw_capq *q, const struct pw_cap_chunk *c, const char *data, size_t dlen)
{
	struct pw_capx *x;

	if (c->len == 0 || c->len > PW_CAP_CHUNK || c->len != dlen)
		return -EINVAL;
	x = find(q, c->h.tgid, c->h.ktime);
	if (!x) {
		x = add(q, c->h.tgid, c->h.ktime);
		if (!x)
			return -ENOMEM;
	}
	if (c->index != x->chunks || c->off != x->argv.len) {
		x->broken = true;
		return -EINVAL;
	}
	if (pw_buf_append(&x->argv, data, c->len) < 0)
		return -ENOMEM;
	x->chunks++;
	return 0;
}

static int feed_fork(struct pw_capq *q, const struct pw_cap_fork *f)
{
	if (q->nf == PENDING_MAX) {
		memmove(q->f, q->f + 1, (q->nf - 1) * sizeof(*q->f));
		q->nf--;
		q->orphans++;
	}
	if (q->nf == q->fcap) {
		size_t cap = q->fcap ? q->fcap * 2 : 16;
		struct pw_capf *v = realloc(q->f, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		q->f = v;
		q->fcap = cap;
	}
	q->f[q->nf].tgid = f->h.tgid;
	q->f[q->nf].ktime = f->h.ktime;
	q->f[q->nf].start_boottime = f->start_boottime;
	q->nf++;
	return 0;
}

int pw_capq_feed(struct pw_capq *q, const void *data, size_t len)
{
	const char *p = data;
	struct pw_cap_hdr h;
	int r = -EINVAL;

	/* copies of the fixed parts: a record need not be aligned */
	if (len < sizeof(h))
		goto err_malformed;
	memcpy(&h, p, sizeof(h));
	if (h.type == PW_CAP_T_EXEC && len >= sizeof(struct pw_cap_exec) &&
	    len <= sizeof(struct pw_cap_exec) + 3 * PW_CAP_PATH) {
		struct pw_cap_exec e;

		memcpy(&e, p, sizeof(e));
		r = feed_exec(q, &e, p + sizeof(e), len - sizeof(e));
	} else if (h.type == PW_CAP_T_FORK && len == sizeof(struct pw_cap_fork)) {
		struct pw_cap_fork f;

		memcpy(&f, p, sizeof(f));
		r = feed_fork(q, &f);
	} else if (h.type == PW_CAP_T_CHUNK && len > sizeof(struct pw_cap_chunk)) {
		struct pw_cap_chunk c;

		memcpy(&c, p, sizeof(c));
		r = feed_chunk(q, &c, p + sizeof(c), len - sizeof(c));
	}
	if (r != -EINVAL)
		return r;
err_malformed:
	q->malformed++;
	return -EINVAL;
}

/* Drop, as orphans, the execs for which keep() is false. */
static void drop_unless(struct pw_capq *q, bool (*keep)(const struct pw_capx *, uint32_t, uint64_t),
			uint32_t tgid, uint64_t t)
{
	size_t i = 0;

	while (i < q->n) {
		if (keep(&q->v[i], tgid, t)) {
			i++;
			continue;
		}
		drop(q, i);
		q->orphans++;
	}
}

static bool recent(const struct pw_capx *x, uint32_t tgid, uint64_t ts)
{
	(void)tgid;
	return x->ktime + ORPHAN_NS >= ts;
}

static bool not_older(const struct pw_capx *x, uint32_t tgid, uint64_t ktime)
{
	return x->tgid != tgid || !x->complete || x->ktime >= ktime;
}

struct pw_capx *pw_capq_match(struct pw_capq *q, uint32_t tgid, uint64_t ts)
{
	struct pw_capx *best = NULL;
	uint64_t k;

	drop_unless(q, recent, 0, ts);
	for (size_t i = 0; i < q->n; i++) {
		struct pw_capx *x = &q->v[i];

		if (x->tgid == tgid && x->complete && x->ktime <= ts && (!best || x->ktime > best->ktime))
			best = x;
	}
	if (!best) {
		/* the two clocks read a hair apart: take the oldest just after ts */
		for (size_t i = 0; i < q->n; i++) {
			struct pw_capx *x = &q->v[i];

			if (x->tgid == tgid && x->complete && x->ktime <= ts + SKEW_NS &&
			    (!best || x->ktime < best->ktime))
				best = x;
		}
		return best;
	}
	/* earlier execs of tgid whose events never came */
	k = best->ktime;
	drop_unless(q, not_older, tgid, k);
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].tgid == tgid && q->v[i].complete && q->v[i].ktime == k)
			return &q->v[i];
	return NULL;
}

int pw_capq_fork(struct pw_capq *q, uint32_t tgid, uint64_t ts, uint64_t *start)
{
	size_t i = 0, keep = 0;
	int r = -ENOENT;

	/* forks come in order: the first of tgid not before ts is the one */
	for (; i < q->nf; i++) {
		const struct pw_capf *f = &q->f[i];
		bool old = f->ktime + ORPHAN_NS < ts;

		if (r == 0 || (!old && f->tgid != tgid)) {
			q->f[keep++] = *f;
			continue;
		}
		if (!old && f->ktime + SKEW_NS >= ts) {
			*start = f->start_boottime;
			r = 0;	/* taken */
			continue;
		}
		q->orphans++;	/* too old, or an earlier fork of tgid whose event was lost */
	}
	q->nf = keep;
	return r;
}

void pw_capq_done(struct pw_capq *q, struct pw_capx *x)
{
	drop(q, (size_t)(x - q->v));
}

void pw_capq_free(struct pw_capq *q)
{
	for (size_t i = 0; i < q->cap; i++) {
		pw_buf_free(&q->v[i].argv);
		pw_buf_free(&q->v[i].exe);
		pw_buf_free(&q->v[i].cwd);
		pw_buf_free(&q->v[i].cgroup);
	}
	free(q->v);
	free(q->f);
	memset(q, 0, sizeof(*q));
}
