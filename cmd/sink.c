/* sink.c - output that never stalls the reading of events: a bounded queue */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sink.h"
#include "strutil.h"

#define BLOCK_MIN 65536
#define TRIM_ABOVE (4u << 20)	/* a queue that grew beyond this returns its memory once empty */

/* Whole records, oldest first; only the head can be partly written. */
struct sink_block {
	struct sink_block *next;
	size_t len;		/* bytes in data */
	size_t off;		/* bytes of data already written */
	size_t cap;
	unsigned long nrec;	/* records (lines) in data */
	uint64_t ts_ns;		/* monotonic time its first record was queued */
	char data[];
};

void sink_init(struct sink *s, size_t limit, sink_lost_fn lost, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->wfd = -1;
	s->limit = limit;
	s->lost = lost;
	s->lost_ctx = ctx;
}

int sink_attach(struct sink *s, int fd)
{
	char path[64];
	struct stat st;
	int flags, nfd;

	if (s->wfd >= 0 && s->wfd != s->fd)
		close(s->wfd);
	s->fd = s->wfd = fd;
	s->sock = s->nonblock = false;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISSOCK(st.st_mode)) {
		s->sock = s->nonblock = true;
		return 0;
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return 0;	/* a file: writing it does not wait for a reader */
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && (flags & O_NONBLOCK)) {
		s->nonblock = true;
		return 0;
	}
	/*
	 * A pipe or a terminal opened again is a file description of its own:
	 * O_NONBLOCK on it leaves alone the one COMMAND and the shell share.
	 * Where that is not possible, writes block as a last resort.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (flags >= 0 ? flags & O_APPEND : 0));
	if (nfd >= 0) {
		s->wfd = nfd;
		s->nonblock = true;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static unsigned long count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	unsigned long k = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/*
 * Write p[0..n) as far as the reader takes it now (all of it when the
 * output blocks). Returns the bytes written or -errno.
 */
static ssize_t put(struct sink *s, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = s->sock ? send(s->wfd, p + done, n - done, MSG_DONTWAIT | MSG_NOSIGNAL) :
				      write(s->wfd, p + done, n - done);

		if (r >= 0) {
			done += (size_t)r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (s->nonblock)
			break;
		{
			/* handed to us non-blocking after all: wait until it drains */
			struct pollfd pfd = { s->wfd, POLLOUT, 0 };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
		}
	}
	return (ssize_t)done;
}

/* A new empty block at the tail, for at least n bytes. Returns it, or NULL. */
static struct sink_block *new_block(struct sink *s, size_t n)
{
	size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
	struct sink_block *t;

	if (cap == BLOCK_MIN && s->spare) {
		t = s->spare;
		s->spare = NULL;
	} else if (!(t = malloc(sizeof(*t) + cap))) {
		return NULL;
	}
	t->next = NULL;
	t->len = t->off = 0;
	t->cap = cap;
	t->nrec = 0;
	t->ts_ns = now_ns();
	if (s->tail)
		s->tail->next = t;
	else
		s->head = t;
	s->tail = t;
	return t;
}

/*
 * Append whole records p[0..n) to the queue: as many as fit into the last
 * block, the rest into a new one, so that blocks are full and memory stays
 * near the bound. Returns 0 or -ENOMEM.
 */
static int enqueue(struct sink *s, const char *p, size_t n)
{
	while (n) {
		struct sink_block *t = s->tail;
		size_t room = t && !t->off ? t->cap - t->len : 0;	/* a block begun on takes no more */
		const char *end;
		size_t k = n;

		if (n > room) {
			end = room ? memrchr(p, '\n', room) : NULL;
			if (end)
				k = (size_t)(end - p) + 1;
			else if (!(t = new_block(s, n)))
				return -ENOMEM;
		}
		memcpy(t->data + t->len, p, k);
		t->len += k;
		t->nrec += count_lines(p, k);
		s->queued += k;
		p += k;
		n -= k;
	}
	if (s->queued > s->peak)
		s->peak = s->queued;
	return 0;
}

static void pop(struct sink *s)
{
	struct sink_block *b = s->head;

	s->head = b->next;
	if (!s->head)
		s->tail = NULL;
	s->queued -= b->len - b->off;
	if (!s->spare && b->cap == BLOCK_MIN)
		s->spare = b;	/* the next flush needs one: no malloc per batch */
	else
		free(b);
}

/* Drop the oldest whole blocks until the queue is within its bound. */
static void drop_oldest(struct sink *s)
{
	while (s->queued > s->limit) {
		/* a record partly written must be finished, or the reader gets half a line */
		struct sink_block *prev = s->head && s->head->off ? s->head : NULL;
		struct sink_block *b = prev ? prev->next : s->head;

		if (!b)
			break;
		if (!s->dropped)
			s->dropped_ts = b->ts_ns;
		s->dropped += b->nrec;
		s->dropped_total += b->nrec;
		s->queued -= b->len;
		if (prev)
			prev->next = b->next;
		else
			s->head = b->next;
		if (s->tail == b)
			s->tail = prev;
		free(b);
	}
}

/* The lost record for what was dropped, before the oldest record left. Returns 1 when written, 0, or -errno. */
static int write_lost(struct sink *s)
{
	struct pw_buf rec = { 0 };
	ssize_t w;
	int r;

	r = s->lost(s->lost_ctx, s->dropped, s->dropped_ts, &rec);
	if (r < 0)
		return r;
	w = put(s, rec.data, rec.len);
	if (w > 0 && (size_t)w < rec.len) {
		/* begun: it goes first, finished when the reader takes more */
		struct sink_block *b = malloc(sizeof(*b) + rec.len);

		if (!b) {
			pw_buf_free(&rec);
			return -ENOMEM;
		}
		memcpy(b->data, rec.data, rec.len);
		b->len = b->cap = rec.len;
		b->off = (size_t)w;
		b->nrec = 1;
		b->ts_ns = s->dropped_ts;
		b->next = s->head;
		s->head = b;
		if (!s->tail)
			s->tail = b;
		s->queued += rec.len - (size_t)w;
	}
	pw_buf_free(&rec);
	if (w < 0)
		return (int)w;
	if (w == 0)
		return 0;	/* not begun: formatted again next time, with what is dropped meanwhile */
	s->dropped = 0;
	s->lost_records++;
	return 1;
}

/* Write up to n bytes of the oldest block, as far as the reader takes them. Returns the bytes written or -errno. */
static ssize_t write_head(struct sink *s, size_t n)
{
	struct sink_block *b = s->head;
	ssize_t w = put(s, b->data + b->off, n);

	if (w < 0)
		return w;
	b->off += (size_t)w;
	s->queued -= (size_t)w;
	if (b->off == b->len)
		pop(s);
	return w;
}

/* Write from the queue what the reader takes. Returns 0 or -errno. */
static int write_queue(struct sink *s)
{
	while (s->head || s->dropped) {
		struct sink_block *b = s->head;
		size_t n;
		ssize_t w;

		if (s->dropped && (!b || !b->off)) {
			int r = write_lost(s);

			if (r <= 0)
				return r;
			continue;
		}
		n = b->len - b->off;
		w = write_head(s, n);
		if (w < 0)
			return (int)w;
		if ((size_t)w < n)
			return 0;	/* the reader has enough for now */
	}
	if (s->peak > TRIM_ABOVE) {
		/* the reader caught up after a long stall: give the memory back */
#ifdef __GLIBC__
		malloc_trim(0);
#endif
		s->peak = 0;
	}
	return 0;
}

static void discard(struct sink *s)
{
	s->discarded += sink_queued_records(s) + (s->buf.len ? count_lines(s->buf.data, s->buf.len) : 0);
	while (s->head)
		pop(s);
	s->buf.len = 0;
	s->dropped = 0;
}

/* Move the records in s->buf to the queue. Returns 0 or -ENOMEM. */
static int stage(struct sink *s)
{
	int r = s->buf.len ? enqueue(s, s->buf.data, s->buf.len) : 0;

	s->buf.len = 0;
	return r;
}

/* What cannot be written is dropped: the caller ends the run. */
static int fail(struct sink *s, int r)
{
	discard(s);
	return r;
}

int sink_flush(struct sink *s)
{
	int r = stage(s);

	if (r < 0 || (r = write_queue(s)) < 0)
		return fail(s, r);
	drop_oldest(s);
	return 0;
}

int sink_hold(struct sink *s)
{
	int r = stage(s);

	if (r < 0)
		return fail(s, r);
	if (sink_partial(s)) {
		struct sink_block *b = s->head;
		const char *nl = memchr(b->data + b->off, '\n', b->len - b->off);
		ssize_t w = write_head(s, nl ? (size_t)(nl - (b->data + b->off)) + 1 : b->len - b->off);

		if (w < 0)
			return fail(s, (int)w);
	}
	drop_oldest(s);
	return 0;
}

bool sink_partial(const struct sink *s)
{
	return s->head && s->head->off && s->head->data[s->head->off - 1] != '\n';
}

unsigned long long sink_queued_records(const struct sink *s)
{
	unsigned long long n = 0;

	for (const struct sink_block *b = s->head; b; b = b->next)
		n += b->off ? count_lines(b->data + b->off, b->len - b->off) : b->nrec;
	return n;
}

void sink_free(struct sink *s)
{
	discard(s);
	free(s->spare);
	s->spare = NULL;
	pw_buf_free(&s->buf);
	if (s->wfd >= 0 && s->wfd != s->fd)
		close(s->wfd);
	s->wfd = s->fd;
}
