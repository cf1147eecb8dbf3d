/* inputs.h - what procwatch reads: the exec capture, the events (kernel or recording), /proc, --record */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_INPUTS_H
#define PW_INPUTS_H

#include "options.h"

struct pw_source;
struct pw_source_clocks;
struct pw_capture;
struct pw_procfs;

struct inputs {
	struct pw_source *src;	/* the kernel's events, or a recording's */
	struct pw_capture *cap;	/* the exec capture, NULL when execs are read from /proc */
	struct pw_procfs *pfs;
	int record_fd;		/* --record FILE, -1 when none */
};

/*
 * Open what o asks for: the exec capture first (each exec the connector
 * reports from then on has its record), the event source (*clk gets a
 * recording's clocks), the /proc reader, and --record's file. Returns 0,
 * or 1 after one line on stderr.
 */
int inputs_open(struct inputs *in, const struct options *o, struct pw_source_clocks *clk);

/* Close what is open; a failure to close --record's file makes *status 1 if it was 0. */
void inputs_close(struct inputs *in, int *status);

#endif
