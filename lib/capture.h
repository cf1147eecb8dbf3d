/* capture.h - the in-kernel exec capture: every exec's argv, exe, cwd and ids, taken in the kernel */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_CAPTURE_H
#define PW_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture-decode.h"
#include "event.h"

/* Default ring buffer: a 6 MiB exec (the kernel's most) with room for a storm beside it. */
#define PW_CAPTURE_RING_DEFAULT (16u << 20)

struct pw_capture;

struct pw_capture_stats {
	unsigned long long joined;	/* netlink execs given their capture record */
	unsigned long long unmatched;	/* netlink execs whose record did not come in time */
	unsigned long long forks;	/* netlink forks given their start time */
	unsigned long long forks_unmatched;	/* netlink forks whose record did not come in time */
	unsigned long long why[PW_CAP_WHY_NKINDS];	/* argv, exe or cwd not captured, by reason */
	unsigned long long ring_lost;	/* execs and forks whose data did not fit the ring, all CPUs */
	unsigned long long orphans;	/* capture records no netlink exec claimed */
	unsigned long long malformed;
};

/* Whether this build has the capture (configure --enable-bpf). */
bool pw_capture_built(void);

/*
 * Load the capture and attach it to the exec tracepoint; ring_bytes is a
 * power of two, 0 the default. Returns 0 with *out set (close it with
 * pw_capture_close()), or -errno with one line in why[n] saying why it
 * cannot run here: missing capability, no BTF, lockdown, the verifier.
 */
int pw_capture_open(size_t ring_bytes, struct pw_capture **out, char *why, size_t n);

/* Take what the ring holds now. Returns 0 or -ENOMEM. */
int pw_capture_consume(struct pw_capture *c);

/*
 * Fill p with what the capture saw of the exec of tgid that the netlink
 * exec event at ts reports: argv, exe, cwd, ids, ppid, comm, start time,
 * tty and login identity. A record not there yet is waited for briefly.
 * Returns the PW_F_* fields set (0 when no record came), or -ENOMEM.
 */
int pw_capture_exec(struct pw_capture *c, pid_t tgid, uint64_t ts, struct pw_proc *p);

/*
 * Drop the record of the exec that the netlink exec event at ts reports,
 * for an event no record is written for, so that it is not held as an
 * orphan. Does not wait. Returns 0 or -ENOMEM.
 */
int pw_capture_discard(struct pw_capture *c, pid_t tgid, uint64_t ts);

/*
 * The start time, in clock ticks since boot as /proc/PID/stat shows it,
 * of the new process tgid that the netlink fork event at ts reports. A
 * record not there yet is waited for briefly. Returns 1 with *ticks set,
 * 0 when no record came, or -ENOMEM.
 */
int pw_capture_fork(struct pw_capture *c, pid_t tgid, uint64_t ts, unsigned long long *ticks);

/* Capture records that did not fit the ring since the last call, for a lost record. */
unsigned long long pw_capture_take_lost(struct pw_capture *c);

void pw_capture_get_stats(struct pw_capture *c, struct pw_capture_stats *st);

void pw_capture_close(struct pw_capture **c);

#endif
