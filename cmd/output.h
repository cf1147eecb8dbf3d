/* output.h - where records go: standard output or -o FILE, through the queue, reopened on SIGHUP */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_OUTPUT_H
#define PW_OUTPUT_H

#include <signal.h>
#include <stdbool.h>

#include "sink.h"

/* The one state of the output: rotation, the end and failure are steps of it. */
enum output_state {
	OUTPUT_OPEN,		/* records are written */
	OUTPUT_REOPEN,		/* SIGHUP with -o: FILE is opened again once no record is half written */
	OUTPUT_ENDING,		/* the queue is being written out: no more reopening */
	OUTPUT_GONE,		/* writing failed or the reader left: nothing more is written */
};

struct output {
	struct sink sink;	/* sink.buf is where records are formatted */
	const char *path;	/* -o FILE; NULL: standard output */
	enum output_state state;
	int err;		/* once GONE: -errno, -EPIPE when the reader left */
};

/*
 * Open path for appending (mode 0600), or take standard output when path
 * is NULL. Returns 0, or -errno after one line on stderr.
 */
int output_open(struct output *o, const char *path, size_t queue, sink_lost_fn lost, void *ctx);

/*
 * Queue what is formatted and write what the reader takes; while FILE is
 * to be reopened, only the rest of a record partly written. A SIGHUP that
 * waits is taken first: what is written after it belongs in the new file.
 * Returns false once the output is gone.
 */
bool output_flush(struct output *o);

/* SIGHUP arrived: with -o, reopen FILE as soon as no record is half written. */
void output_hangup(struct output *o);

/* Reopen FILE now if a SIGHUP asked for it and no record is half written. */
void output_rotate(struct output *o);

/* The output failed (err < 0): say why unless the reader just left; nothing more is written. */
void output_fail(struct output *o, int err);

/*
 * At the end: wait until the reader has taken every queued record. A
 * signal in *stop (other than SIGHUP with -o) gives up on a reader who
 * does not read. Returns 0, or -errno when the output failed (-EPIPE: the
 * reader left, not an error).
 */
int output_drain(struct output *o, const sigset_t *waitmask, volatile sig_atomic_t *stop);

/* The fd written to, for poll(): -1 once the output is gone. */
int output_fd(const struct output *o);

void output_close(struct output *o);

#endif
