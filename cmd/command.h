/* command.h - the COMMAND procwatch runs and traces: started, reaped, its exit status */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_COMMAND_H
#define PW_COMMAND_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <sys/types.h>

struct command {
	pid_t pid;		/* 0: none (not started, or it could not run) */
	bool reaped;
	int status;		/* its wait status, once reaped */
	struct timespec reaped_at;	/* CLOCK_MONOTONIC */
};

/*
 * Start argv with the signal dispositions of ignored (the signals ignored
 * when procwatch started) and the mask origmask; close_fd (the -o file, or
 * -1) is closed in it. Returns 0 once it runs, or the exit status to use
 * (126, 127, 1) after one line on stderr saying why it could not.
 */
int command_start(struct command *c, char **argv, const sigset_t *ignored, const sigset_t *origmask,
		  int close_fd);

/* Reap it if it has exited (SIGCHLD came). */
void command_reap(struct command *c);

/* Its exit status as a shell reports it: the code, or 128 + the signal. */
int command_exit_status(const struct command *c);

#endif
