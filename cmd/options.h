/* options.h - procwatch's command line */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_OPTIONS_H
#define PW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"

#define EXIT_USAGE 2

enum format { FORMAT_AUTO, FORMAT_JSON, FORMAT_TEXT };

/* Where an exec's argv, exe and cwd come from. */
enum exec_source { EXEC_SOURCE_AUTO, EXEC_SOURCE_BPF, EXEC_SOURCE_PROC };

struct options {
	unsigned events;	/* PW_KIND_BIT()s to show */
	enum format format;
	unsigned long count;	/* 0: no limit */
	bool threads;
	size_t rcvbuf;		/* 0: default */
	size_t queue;		/* bytes of records kept while the reader does not read */
	enum exec_source exec_source;
	size_t ring;		/* bytes of the exec capture's ring buffer; 0: default */
	uint32_t ancestors;	/* depth of ancestry shown */
	bool numeric;		/* no user or group names */
	bool snapshot;		/* an exist record per running process first */
	bool stats;		/* counters on stderr at exit */
	int realtime;		/* SCHED_FIFO priority; 0: normal scheduling */
	const char *proc_root;	/* NULL: /proc */
	const char *output;	/* NULL: standard output */
	const char *record;	/* NULL: no recording of the datagrams */
	const char *replay;	/* NULL: events from the kernel */
	double duration;	/* seconds; 0: no limit */
	pid_t *pids;		/* --pid roots */
	size_t npids;
	struct pw_filter filter;
	char **command;		/* NULL: watch the whole system */
};

/*
 * Parse argv into o. Prints --help or --version and exits 0, or prints a
 * usage error and exits 2. Free o with options_free().
 */
void options_parse(int argc, char **argv, struct options *o);
void options_free(struct options *o);

#endif
