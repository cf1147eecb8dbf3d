/* signals.h - the signals procwatch handles: stop, rotate, report, reap */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_SIGNALS_H
#define PW_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

extern volatile sig_atomic_t got_signal;	/* last SIGINT/SIGTERM/SIGHUP received */
extern volatile sig_atomic_t got_sigchld;
extern volatile sig_atomic_t got_sigusr1;

/*
 * Catch SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGUSR1 (without SA_RESTART:
 * they wake ppoll()) and block them outside it; *origmask gets the mask
 * before. A signal ignored at start (nohup, a background job) stays
 * ignored and is added to *ignored, for COMMAND too; but with output to a
 * file, SIGHUP still reopens it. SIGPIPE is ignored: EPIPE is handled
 * where it happens.
 */
void signals_catch(bool output, sigset_t *ignored, sigset_t *origmask);

/*
 * Whether SIGINT, SIGTERM or SIGHUP waits: they are delivered only while
 * procwatch waits, and a storm can keep it from waiting for long.
 */
bool signals_stop_pending(void);

#endif
