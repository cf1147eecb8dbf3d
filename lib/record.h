/* record.h - the one table of output fields, walked by both formatters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_RECORD_H
#define PW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "names.h"

struct pw_ptable;
struct pw_record_opts;

struct pw_field;

/*
 * A formatter's callbacks, one per value type; each returns 0 or -errno.
 * f is the row of the field table being written: f->name is the key.
 * Strings are raw bytes (not necessarily UTF-8); s == NULL means null.
 * An argv is argc NUL-terminated strings laid end to end.
 */
struct pw_field_ops {
	int (*str)(void *ctx, const struct pw_field *f, const char *s, size_t n);
	int (*num)(void *ctx, const struct pw_field *f, long long v);
	int (*real)(void *ctx, const struct pw_field *f, double v);
	int (*boolean)(void *ctx, const struct pw_field *f, bool v);
	int (*null)(void *ctx, const struct pw_field *f);
	int (*argv)(void *ctx, const struct pw_field *f, const char *args, size_t argc);
	int (*list)(void *ctx, const struct pw_field *f, const char *const *items, size_t n);
	/* the lineage from first (the subject's parent) up; pw_record_ancestors() lists it */
	int (*ancestors)(void *ctx, const struct pw_field *f, struct pw_pentry *first, struct pw_record_opts *o);
};

/* How a field passes from parent to child, and across an exec. */
#define PW_IN_FORK 0x1u		/* a child starts with its parent's value */
#define PW_IN_EXEC 0x2u		/* an exec replaces it */
#define PW_IN_VOLATILE 0x4u	/* it changes without an event: read again for each record */

/* Where a field's value comes from. */
#define PW_FROM_STAT 0x1u	/* /proc/PID/stat */
#define PW_FROM_STATUS 0x2u	/* /proc/PID/status */
#define PW_FROM_CMDLINE 0x4u
#define PW_FROM_EXE 0x8u	/* the /proc/PID/exe link */
#define PW_FROM_CWD 0x10u	/* the /proc/PID/cwd link */
#define PW_FROM_LOGIN 0x20u	/* /proc/PID/loginuid and sessionid */
#define PW_FROM_CGROUP 0x40u	/* /proc/PID/cgroup */
#define PW_FROM_CAPTURE 0x80u	/* the exec capture's record */
#define PW_FROM_EVENT 0x100u	/* the event itself */
#define PW_FROM_TABLE 0x200u	/* worked out from the process table (keys, lineage) */

/* Row flags. */
#define PW_FIELD_POSITIONAL 0x1u	/* in text, one of the fixed leading columns */

struct pw_view;

/*
 * One output field: a row of the one table that both formatters, the
 * missing list and the process table's copies are driven by.
 */
struct pw_field {
	const char *name;	/* the key */
	unsigned kinds;		/* PW_KIND_BIT()s of the records that carry it */
	unsigned bit;		/* the PW_F_* datum it shows; 0: none */
	/*
	 * For the row that owns its datum (the one whose name stands for it in
	 * "missing"): where it is read, how it is inherited, and how it is
	 * copied from one process's data to another's (sharing strings).
	 */
	bool owner;
	unsigned from;		/* PW_FROM_* */
	unsigned inherit;	/* PW_IN_* */
	void (*copy)(struct pw_proc *dst, const struct pw_proc *src);
	unsigned flags;		/* PW_FIELD_* */
	/* write the value of this record through ops; returns 0 or -errno */
	int (*write)(const struct pw_view *v, const struct pw_field *f, const struct pw_field_ops *ops, void *ctx);
};

/* The table, in output order; pw_nfields rows. */
extern const struct pw_field pw_fields[];
extern const size_t pw_nfields;

/* The data fields (PW_F_*) whose rows have all of the PW_IN_* bits in inherit. */
unsigned pw_fields_inherited(unsigned inherit);

/*
 * Copy the data fields in mask that src has into dst (strings are shared,
 * nothing is allocated); dst->have gains them.
 */
void pw_proc_copy(struct pw_proc *dst, const struct pw_proc *src, unsigned mask);

/* Forget the data fields in mask: their strings are released, have loses them. */
void pw_proc_forget(struct pw_proc *p, unsigned mask);

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
	const struct pw_pentry **anc;	/* scratch for the lineage, grown as needed */
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
			 const struct pw_pentry *const **v);

/* Format monotonic ns + offset as RFC 3339 UTC with nanoseconds into buf (>= 40 bytes). */
void pw_record_time(uint64_t mono_ns, int64_t offset_ns, char *buf, size_t n);

/* A process key: boot id, start time in ticks, pid. */
void pw_record_key(const struct pw_record_opts *o, unsigned long long starttime, pid_t pid,
		   char *buf, size_t n);

#endif
