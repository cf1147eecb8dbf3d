/* sink.h - output that never stalls the reading of events: a bounded queue */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_SINK_H
#define PW_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

#define SINK_QUEUE_DEFAULT (256ul << 20)	/* bytes queued while the reader is not reading */

struct sink_block;

/*
 * Formats the lost record for count records the queue dropped, the first of
 * them at monotonic time ts_ns, into out. Returns 0 or -ENOMEM.
 */
typedef int (*sink_lost_fn)(void *ctx, unsigned long long count, uint64_t ts_ns, struct pw_buf *out);

struct sink {
	int fd;			/* where records go: standard output or -o FILE */
	int wfd;		/* what is written to: fd, or a non-blocking open of the same pipe or tty */
	bool sock;		/* wfd is a socket: written with MSG_DONTWAIT */
	bool nonblock;		/* a write never blocks: what the reader does not take yet is queued */
	struct pw_buf buf;	/* whole records formatted since the last flush */
	struct sink_block *head, *tail;
	struct sink_block *spare;	/* an empty block kept for the next flush */
	size_t queued;		/* bytes in the queue not yet written */
	size_t peak;		/* most bytes queued since the queue was last empty after a trim */
	size_t limit;		/* --queue: beyond it, the oldest records are dropped */
	unsigned long long dropped;	/* records dropped and not yet reported by a lost record */
	uint64_t dropped_ts;	/* monotonic time the first of them was queued */
	unsigned long long dropped_total;
	unsigned long long lost_records;	/* lost records for drops begun on the output */
	unsigned long long discarded;	/* records thrown away when writing failed */
	sink_lost_fn lost;
	void *lost_ctx;
};

void sink_init(struct sink *s, size_t limit, sink_lost_fn lost, void *ctx);

/*
 * Write to fd from now on (what is queued goes there too). A pipe, a
 * socket or a terminal is written without blocking, so that a reader who
 * stops reading never stops procwatch from reading the kernel's events;
 * a regular file is written directly. Returns 0 or -errno.
 */
int sink_attach(struct sink *s, int fd);

/*
 * Queue the records in s->buf and write what the reader takes without
 * blocking. Beyond s->limit queued bytes, the oldest records are dropped;
 * a lost record tells how many, where they were. Returns 0, or -errno
 * (-EPIPE when the reader is gone) after discarding everything.
 */
int sink_flush(struct sink *s);

/*
 * Like sink_flush, but write only the rest of a record partly written:
 * for when the output is about to change. Returns 0 or -errno.
 */
int sink_hold(struct sink *s);

/* Whether a record is partly written: the output must not change before it is finished. */
bool sink_partial(const struct sink *s);

/* Whether records wait in the queue for the reader. */
static inline bool sink_pending(const struct sink *s)
{
	return s->head != NULL || s->dropped != 0;
}

/* Records not written yet (those in the queue, the partly written one included). */
unsigned long long sink_queued_records(const struct sink *s);

void sink_free(struct sink *s);

#endif
