/* engine.h - the per-event pipeline: follow, select, enrich, format, batch by batch */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_ENGINE_H
#define PW_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "filter.h"

struct pw_source;
struct pw_source_clocks;
struct pw_capture;
struct pw_procfs;
struct pw_engine;

/* Events taken from the source at most per batch. */
#define PW_ENGINE_BATCH 4096

enum pw_engine_format { PW_FORMAT_JSON, PW_FORMAT_TEXT };

struct pw_engine_config {
	unsigned events;	/* PW_KIND_BIT()s to write */
	bool threads;		/* also thread creation and exit */
	enum pw_engine_format format;
	uint32_t ancestors;	/* depth of ancestry written (PW_ANCESTORS_ALL: all) */
	bool numeric;		/* no user or group names */
	unsigned long count;	/* stop after this many process records; 0: no limit */
	const struct pw_filter *filter;	/* borrowed */
	const char *proc_root;	/* where the boot id is read; NULL: /proc */
	/* the clocks of a replayed recording instead of this machine's; NULL: live */
	const struct pw_source_clocks *replay_clocks;
	/*
	 * Where records go: appended to *out. flush is called when out holds
	 * 64 KiB or more; it returns 0, or < 0 once the output is gone.
	 */
	struct pw_buf *out;
	int (*flush)(void *ctx);
	void *ctx;
};

/* What the engine counted, for --stats. */
struct pw_engine_stats {
	unsigned long long received[PW_EV_NKINDS];
	unsigned long long written;	/* records formatted, lost records included */
	unsigned long long filtered;	/* process records left out by a filter */
	unsigned long long lost;	/* events the kernel dropped */
	unsigned long long partial;	/* records written with missing fields */
};

/*
 * A new engine over src (events), cap (exec records; NULL: execs are read
 * from /proc) and pfs (process data), all borrowed: they must outlive it.
 * It asks the kernel to send only the events it needs. Returns 0 with *out
 * set (free it with pw_engine_free()), or -errno with *step naming what
 * failed ("boot id", or NULL for memory).
 */
int pw_engine_new(const struct pw_engine_config *cfg, struct pw_source *src, struct pw_capture *cap,
		  struct pw_procfs *pfs, struct pw_engine **out, const char **step);
void pw_engine_free(struct pw_engine **eng);

/*
 * Record every datagram the source receives from now on to fd (borrowed),
 * with the engine's clocks, for a replay. Returns 0 or -errno.
 */
int pw_engine_record(struct pw_engine *eng, int fd);

/* Seed the process table from /proc. Returns the number of processes, or -errno. */
long pw_engine_scan(struct pw_engine *eng);

/*
 * Write only records of the traced tree: process pid (living, in the
 * table) and its descendants, those running now and those born later.
 * Returns 0, -ESRCH when pid is not running, or -ENOMEM.
 */
int pw_engine_trace(struct pw_engine *eng, pid_t pid);

/*
 * Process pid, just forked by ppid (procwatch itself), is the root of the
 * traced tree, in the table before any event about it arrives: the COMMAND
 * procwatch runs. pw_engine_root_exited() tells when its exit has been
 * written. Returns 0 or -ENOMEM.
 */
int pw_engine_adopt(struct pw_engine *eng, pid_t pid, pid_t ppid);
bool pw_engine_root_exited(const struct pw_engine *eng);

/*
 * An exist record for every process in the table, by pid, as the filters
 * and the traced tree allow. ts_ns (CLOCK_MONOTONIC) is their time; 0:
 * now. Returns 0 or -errno.
 */
int pw_engine_snapshot(struct pw_engine *eng, uint64_t ts_ns);

/*
 * Take what the source holds now (at most PW_ENGINE_BATCH events) and
 * write the records of it. Returns the number of events taken, or -errno:
 * from the source (pw_engine_source_failed() then says so), or from
 * reading /proc (-ENOMEM, or an I/O error).
 */
int pw_engine_step(struct pw_engine *eng);
bool pw_engine_source_failed(const struct pw_engine *eng);

/*
 * A lost record for losses that only the socket's drop counter knows of:
 * call it when the stream goes quiet and when it ends. Returns 0 or -errno.
 */
int pw_engine_settle(struct pw_engine *eng);

/* The lost record for count records the output queue dropped, into out. Returns 0 or -ENOMEM. */
int pw_engine_format_queue_lost(struct pw_engine *eng, unsigned long long count, uint64_t ts_ns,
				struct pw_buf *out);

/* Whether --count is reached: nothing more is written. */
bool pw_engine_done(const struct pw_engine *eng);

void pw_engine_get_stats(const struct pw_engine *eng, struct pw_engine_stats *st);

/*
 * The events the kernel must send for events (PW_KIND_BIT()s written):
 * the table follows fork, exec, exit, comm, uid and gid whatever is shown.
 * PROC_EVENT_* bits.
 */
uint32_t pw_engine_kernel_mask(unsigned events);

#endif
