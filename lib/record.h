/* record.h - the one list of output fields, walked by both formatters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_RECORD_H
#define PW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "names.h"

struct pw_ptable;
struct pw_record_opts;

/* One entry of a record's ancestry, as the formatters see it. */
struct pw_ancestor {
	pid_t pid;
	char key[64];
	const char *comm;	/* NULL: unknown */
	const char *exe;	/* NULL: unknown or none */
	size_t exe_len;
	const char *argv;	/* argc strings laid end to end; NULL: unknown */
	size_t argc;
};

/*
 * A formatter's callbacks, one per value type; each returns 0 or -errno.
 * Strings are raw bytes (not necessarily UTF-8); s == NULL means null.
 * An argv is argc NUL-terminated strings laid end to end.
 */
struct pw_field_ops {
	int (*str)(void *ctx, const char *key, const char *s, size_t n);
	int (*num)(void *ctx, const char *key, long long v);
	int (*real)(void *ctx, const char *key, double v);
	int (*boolean)(void *ctx, const char *key, bool v);
	int (*null)(void *ctx, const char *key);
	int (*argv)(void *ctx, const char *key, const char *args, size_t argc);
	int (*list)(void *ctx, const char *key, const char *const *items, size_t n);
	/* the lineage from first (the subject's parent) up; pw_record_ancestors() lists it */
	int (*ancestors)(void *ctx, const char *key, struct pw_pentry *first, struct pw_record_opts *o);
};

#define PW_ANCESTORS_ALL UINT32_MAX

struct pw_record_opts {
	struct pw_names *names;	/* NULL: no user or group names (--numeric) */
	int64_t wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boot_wall_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME: when the machine booted */
	char boot_id[16];	/* first 12 hex digits of the kernel's boot id */
	bool fixed_clocks;	/* replaying a recording: the offsets are the recording's */
	long ticks_per_sec;	/* of start times in /proc */
	uint32_t max_ancestors;	/* 0: no ancestry; PW_ANCESTORS_ALL: up to the root */
	const struct pw_ptable *pt;	/* for the generation of cached lineages */
	struct pw_ancestor *anc;	/* scratch for the walk, grown as needed */
	size_t anc_cap;
};

/*
 * Fill o's clocks, tick rate and the boot id from proc_root (NULL: /proc).
 * Returns 0 or -errno (boot id unreadable).
 */
int pw_record_opts_init(struct pw_record_opts *o, const char *proc_root);
void pw_record_opts_free(struct pw_record_opts *o);

/* Re-measure the clock offsets (after a jump of the wall clock), unless they are fixed. */
void pw_record_opts_clocks(struct pw_record_opts *o);

/*
 * Walk the fields of ev in output order, calling ops. Returns 0, or the
 * first negative value a callback returned (-ENOMEM when the scratch could
 * not grow).
 */
int pw_record_walk(const struct pw_event *ev, struct pw_record_opts *o,
		   const struct pw_field_ops *ops, void *ctx);

/*
 * The lineage from first up, as far as o allows, into o's scratch (*v).
 * Returns the number of entries, or -ENOMEM.
 */
long pw_record_ancestors(struct pw_record_opts *o, const struct pw_pentry *first,
			 const struct pw_ancestor **v);

/* Format monotonic ns + offset as RFC 3339 UTC with nanoseconds into buf (>= 40 bytes). */
void pw_record_time(uint64_t mono_ns, int64_t offset_ns, char *buf, size_t n);

/* A process key: boot id, start time in ticks, pid. */
void pw_record_key(const struct pw_record_opts *o, unsigned long long starttime, pid_t pid,
		   char *buf, size_t n);

#endif
