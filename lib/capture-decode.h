/* capture-decode.h - assemble the exec capture's ring-buffer records into execs */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_CAPTURE_DECODE_H
#define PW_CAPTURE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture-record.h"
#include "event.h"

/* Why an exec's field could not come from its capture record (pw_capx.why). */
enum pw_cap_why {
	PW_CAP_WHY_NONE,
	PW_CAP_WHY_RING,	/* a chunk did not fit the ring buffer */
	PW_CAP_WHY_FAULT,	/* a read in the kernel faulted */
	PW_CAP_WHY_BOUND,	/* a path deeper or longer than the walk's bound, argv past 8 MiB */
	PW_CAP_WHY_NKINDS,
};

/* One exec as the capture saw it: its chunks so far, then its exec record. */
struct pw_capx {
	uint32_t tgid;
	uint64_t ktime;
	bool complete;		/* the exec record has come */
	uint32_t chunks;	/* chunk records taken, in order */
	bool broken;		/* a chunk out of order or out of place */
	struct pw_cap_exec rec;	/* the exec record's fixed part, once complete */
	struct pw_buf argv;	/* the argv area, as /proc/PID/cmdline gives it */
	struct pw_buf exe, cwd;	/* paths as /proc shows them, NUL-terminated */
	struct pw_buf cgroup;	/* as /proc/PID/cgroup's "0::" line, from the hierarchy's root */
	unsigned have;		/* PW_F_ARGV, PW_F_EXE, PW_F_CWD, PW_F_CGROUP that are exact */
	enum pw_cap_why why[4];	/* argv, exe, cwd, cgroup: why not, when not in have */
};

/* A new process's start time, as its fork record gave it. */
struct pw_capf {
	uint32_t tgid;
	uint64_t ktime;
	uint64_t start_boottime;
};

/*
 * Pending execs, in no order; slots past n keep their buffers for reuse.
 * Pending forks, in the order they came.
 */
struct pw_capq {
	struct pw_capx *v;
	size_t n, cap;
	struct pw_capf *f;
	size_t nf, fcap;
	unsigned long long malformed;	/* records that were not what the program writes */
	unsigned long long orphans;	/* execs and forks no netlink event claimed */
};

/*
 * Take one ring-buffer record of len bytes. Returns 0, -EINVAL for a
 * record that is not what the program writes (counted in malformed), or
 * -ENOMEM.
 */
int pw_capq_feed(struct pw_capq *q, const void *data, size_t len);

/*
 * The exec of tgid that a netlink exec event at ts stands for: the latest
 * complete one captured at or before ts. Older ones of tgid, and any exec
 * captured more than a second before ts, are dropped as orphans: their
 * netlink events were lost. Returns NULL when none has come.
 */
struct pw_capx *pw_capq_match(struct pw_capq *q, uint32_t tgid, uint64_t ts);

/*
 * The start time (ns of CLOCK_BOOTTIME) of the new process tgid whose
 * netlink fork event came at ts, into *start: the fork record of tgid
 * captured first at or after ts (the connector's event is sent just
 * before the program runs). Older ones of tgid, and any fork captured
 * more than a second before ts, are dropped as orphans. Returns 0, or
 * -ENOENT when none has come.
 */
int pw_capq_fork(struct pw_capq *q, uint32_t tgid, uint64_t ts, uint64_t *start);

/* Forget x (from pw_capq_match) once its data is taken. */
void pw_capq_done(struct pw_capq *q, struct pw_capx *x);

void pw_capq_free(struct pw_capq *q);

/*
 * A path from its component list (leaf first, each NUL-terminated) as
 * /proc shows it, into out (NUL-terminated). Returns 0, -EINVAL when the
 * list does not hold ncomp components, or -ENOMEM.
 */
int pw_cap_path(const char *list, size_t len, unsigned ncomp, bool deleted, struct pw_buf *out);

#endif
