/* sink.h - buffered output to a file descriptor, every write checked */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_SINK_H
#define PW_SINK_H

#include "event.h"

struct sink {
	int fd;
	struct pw_buf buf;	/* lines not yet written */
};

/*
 * Write out everything buffered. Returns 0, or -errno (-EPIPE when the
 * reader is gone) after discarding what could not be written.
 */
int sink_flush(struct sink *s);

void sink_free(struct sink *s);

#endif
