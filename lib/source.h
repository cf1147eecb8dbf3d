/* source.h - the kernel's proc connector as a stream of struct pw_event */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_SOURCE_H
#define PW_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "event.h"

/* pw_source_open() result when the kernel never acknowledged the subscription. */
#define PW_SOURCE_NOACK (-ETIME)

/* Default receive buffer: enough for a 500 ms stall at ~26k events/s. */
#define PW_SOURCE_RCVBUF_DEFAULT (32u << 20)

struct pw_source;

struct pw_source_info {
	int rcvbuf;		/* receive buffer the kernel granted (bytes, as getsockopt reports) */
	bool forced;		/* SO_RCVBUFFORCE was allowed */
	bool capped;		/* the request exceeded net.core.rmem_max and was capped */
	unsigned long rmem_max;
	bool legacy;		/* subscribed with the pre-6.6 4-byte form */
	bool userns;		/* on EPERM: procwatch runs in a user namespace other than the initial one */
	const char *step;	/* on failure: the step that failed ("socket", "bind", ...) */
};

/*
 * Subscribe to all process events. rcvbuf 0 means the default. Returns 0
 * with *out set (close with pw_source_close()), or -errno:
 * -EPROTONOSUPPORT no proc connector, -EPERM not allowed (the kernel wants
 * CAP_NET_ADMIN in the initial user namespace; info->userns says whether
 * procwatch runs in another one), -ECONNREFUSED another network namespace,
 * PW_SOURCE_NOACK no acknowledgement (another pid or user namespace).
 * info is filled either way.
 */
int pw_source_open(struct pw_source **out, size_t rcvbuf, struct pw_source_info *info);

/*
 * Why pw_source_open() failed with err, and what to do about it, as one
 * line (no newline) into buf.
 */
void pw_source_explain(int err, const struct pw_source_info *info, char *buf, size_t n);

/*
 * Let the kernel filter (Linux >= 6.6): only events whose PROC_EVENT_* bit
 * is in mask are sent. Losses are then counted from the socket's drop
 * counter (no cpu). Returns 0, -EOPNOTSUPP on kernels before 6.6 (nothing
 * changes), or -errno.
 */
int pw_source_set_mask(struct pw_source *src, uint32_t mask);

/* The socket, for poll(); it is non-blocking. For a replay, the recording's fd. */
int pw_source_fd(const struct pw_source *src);

/*
 * Receive and decode what is pending, at most max events, without blocking.
 * Losses come in-band as PW_EV_LOST events (exact count per cpu, from the
 * per-cpu sequence numbers). Returns the number of events stored (0 when
 * nothing is pending), or -errno.
 */
int pw_source_read(struct pw_source *src, struct pw_event *evs, size_t max);

/*
 * The same, but without reading the socket's drop counter (a file in
 * /proc): for reading again soon after pw_source_read(), which counts the
 * drops of both.
 */
int pw_source_read_more(struct pw_source *src, struct pw_event *evs, size_t max);

/*
 * Read the socket's drop counter and store in *ev a lost record for every
 * event the kernel dropped that no lost record has counted yet: losses at
 * the end of a stream, which no later sequence number reveals. Call it
 * when the stream ends or goes quiet. Returns 1 with *ev set, 0 when
 * nothing is unaccounted for, or -errno when the counter cannot be read.
 * Only the decoded part of *ev is written.
 */
int pw_source_settle(struct pw_source *src, struct pw_event *ev);

/* Number of datagrams rejected by validation so far. */
unsigned long pw_source_rejected(const struct pw_source *src);

/*
 * A source without a socket, fed with recorded datagrams by
 * pw_source_feed(): for tests and fuzzing. Returns 0 or -ENOMEM.
 */
int pw_source_new_detached(struct pw_source **out);

/*
 * Validate and decode one datagram (len bytes, as received from the
 * kernel) into evs, as pw_source_read() would, losses included. max must
 * be at least pw_source_feed_min(). Returns the number of events,
 * -EINVAL (max too small or the datagram too long), or -ENOMEM (the
 * losses could not be counted; the source stays failed).
 */
int pw_source_feed(struct pw_source *src, const void *buf, size_t len, struct pw_event *evs, size_t max);
size_t pw_source_feed_min(void);

/* The clocks of the machine a recording was made on. */
struct pw_source_clocks {
	int64_t wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boot_wall_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME */
	uint64_t start_ns;	/* CLOCK_MONOTONIC when the recording began */
};

/*
 * Append every datagram received from now on to fd (borrowed), after a
 * header that holds clk: a recording for pw_source_open_replay(). Returns
 * 0 or -errno (the header could not be written). Once an append fails,
 * pw_source_read() returns its -errno, pw_source_record_error() keeps it,
 * and nothing more is recorded.
 */
int pw_source_record(struct pw_source *src, int fd, const struct pw_source_clocks *clk);
int pw_source_record_error(const struct pw_source *src);

/*
 * A source that reads the datagrams of a recording at path instead of a
 * socket; *clk gets the recording's clocks. Returns 0 with *out set, or
 * -errno (-EINVAL: not a recording). pw_source_read() then returns
 * -EINVAL for a recording cut short (after the events before the cut),
 * and 0 at its end, after which pw_source_ended() is true.
 */
int pw_source_open_replay(const char *path, struct pw_source **out, struct pw_source_clocks *clk);
bool pw_source_ended(const struct pw_source *src);

/* Unsubscribe (PROC_CN_MCAST_IGNORE), close and free; *src becomes NULL. */
void pw_source_close(struct pw_source **src);

#endif
