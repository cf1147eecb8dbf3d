/* format.h - one event as one line of NDJSON or text */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_FORMAT_H
#define PW_FORMAT_H

#include "event.h"
#include "record.h"

struct pw_json_tpls;

/* Scratch space a formatter reuses from line to line. */
struct pw_fmt_state {
	struct pw_buf a, b;
	struct pw_buf missing;
	struct pw_json_tpls *json;	/* the JSON formatter's reused objects */
};

/*
 * Append ev as one line (ending in '\n') to out. Returns 0 or -ENOMEM; on
 * failure out is left as it was.
 */
int pw_format_json(const struct pw_event *ev, struct pw_record_opts *o,
		   struct pw_fmt_state *st, struct pw_buf *out);
int pw_format_text(const struct pw_event *ev, struct pw_record_opts *o,
		   struct pw_fmt_state *st, struct pw_buf *out);

void pw_fmt_state_free(struct pw_fmt_state *st);

#endif
