/* record.h - the one list of output fields, walked by both formatters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_RECORD_H
#define PW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "names.h"

/*
 * A formatter's callbacks, one per value type; each returns 0 or -errno.
 * Strings are raw bytes (not necessarily UTF-8); s == NULL means null.
 * An argv is argc NUL-terminated strings laid end to end.
 */
struct pw_field_ops {
	int (*str)(void *ctx, const char *key, const char *s, size_t n);
	int (*num)(void *ctx, const char *key, long long v);
	int (*boolean)(void *ctx, const char *key, bool v);
	int (*null)(void *ctx, const char *key);
	int (*argv)(void *ctx, const char *key, const char *args, size_t argc);
	int (*list)(void *ctx, const char *key, const char *const *items, size_t n);
};

struct pw_record_opts {
	struct pw_names *names;	/* NULL: no user or group names */
	int64_t wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/*
 * Walk the fields of ev in output order, calling ops. Returns 0, or the
 * first negative value a callback returned.
 */
int pw_record_walk(const struct pw_event *ev, const struct pw_record_opts *o,
		   const struct pw_field_ops *ops, void *ctx);

/* Format monotonic ns + offset as RFC 3339 UTC with nanoseconds into buf (>= 40 bytes). */
void pw_record_time(uint64_t mono_ns, int64_t offset_ns, char *buf, size_t n);

#endif
