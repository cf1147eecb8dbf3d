/* inputs.c - what procwatch reads: the exec capture, the events (kernel or recording), /proc, --record */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "inputs.h"
#include "procfs.h"
#include "source.h"

/*
 * Load the exec capture as --exec-source asks. Returns 0, or 1 after
 * saying why it cannot run under --exec-source=bpf.
 */
static int open_capture(struct inputs *in, const struct options *o)
{
	char why[512];
	int r;

	/* a fake proc root describes processes that the kernel's records are not about */
	if (o->exec_source == EXEC_SOURCE_PROC ||
	    (o->exec_source == EXEC_SOURCE_AUTO &&
	     (o->proc_root || o->replay || !pw_capture_built())))
		return 0;
	r = pw_capture_open(o->ring, &in->cap, why, sizeof(why));
	if (r == 0 || o->exec_source == EXEC_SOURCE_AUTO)
		return 0;
	fprintf(stderr, "procwatch: --exec-source=bpf: cannot load the exec capture: %s\n", why);
	return 1;
}

int inputs_open(struct inputs *in, const struct options *o, struct pw_source_clocks *clk)
{
	struct pw_source_info info;
	int r;

	/* the capture first: each exec the connector reports from here on has its record */
	if (open_capture(in, o) != 0)
		return EXIT_FAILURE;
	if (o->replay) {
		r = pw_source_open_replay(o->replay, &in->src, clk);
		if (r < 0) {
			fprintf(stderr, "procwatch: %s: %s\n", o->replay,
				r == -EINVAL ? "not a procwatch recording" : strerror(-r));
			return EXIT_FAILURE;
		}
	} else {
		r = pw_source_open(&in->src, o->rcvbuf, &info);
		if (r < 0) {
			char why[512];

			pw_source_explain(r, &info, why, sizeof(why));
			fprintf(stderr, "procwatch: %s\n", why);
			return EXIT_FAILURE;
		}
		if (info.capped)
			fprintf(stderr, "procwatch: warning: receive buffer capped at net.core.rmem_max (%lu bytes); "
				"raise it or run with CAP_NET_ADMIN to avoid losing events under load\n",
				info.rmem_max);
	}
	r = pw_procfs_open(o->proc_root, &in->pfs);
	if (r < 0) {
		fprintf(stderr, "procwatch: %s: %s\n", o->proc_root ? o->proc_root : "/proc",
			strerror(-r));
		return EXIT_FAILURE;
	}
	if (!o->record)
		return 0;
	in->record_fd = open(o->record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
	if (in->record_fd < 0) {
		fprintf(stderr, "procwatch: --record %s: %s\n", o->record, strerror(errno));
		return EXIT_FAILURE;
	}
	return 0;
}

void inputs_close(struct inputs *in, int *status)
{
	pw_procfs_free(&in->pfs);
	pw_capture_close(&in->cap);
	pw_source_close(&in->src);
	if (in->record_fd >= 0 && close(in->record_fd) < 0 && *status == EXIT_SUCCESS) {
		fprintf(stderr, "procwatch: --record: %s\n", strerror(errno));
		*status = EXIT_FAILURE;
	}
	in->record_fd = -1;
}
