/* signals.c - the signals procwatch handles: stop, rotate, report, reap */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "signals.h"

volatile sig_atomic_t got_signal;	/* last SIGINT/SIGTERM/SIGHUP received */
volatile sig_atomic_t got_sigchld;
volatile sig_atomic_t got_sigusr1;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_sigchld = 1;
	else if (sig == SIGUSR1)
		got_sigusr1 = 1;
	else
		got_signal = sig;
}

void signals_catch(bool output, sigset_t *ignored, sigset_t *origmask)
{
	static const int handled[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: wake the loop */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigset_t block;

	sigemptyset(ignored);
	sigaction(SIGPIPE, NULL, &old);
	if (old.sa_handler == SIG_IGN)
		sigaddset(ignored, SIGPIPE);
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
		sigaction(handled[i], NULL, &old);
		if (old.sa_handler == SIG_IGN && handled[i] != SIGCHLD && handled[i] != SIGUSR1) {
			sigaddset(ignored, handled[i]);
			if (handled[i] != SIGHUP || !output)
				continue;
		}
		sigaddset(&block, handled[i]);
		sigaction(handled[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, origmask);
}

bool signals_stop_pending(void)
{
	sigset_t set;

	return sigpending(&set) == 0 &&
	       (sigismember(&set, SIGINT) == 1 || sigismember(&set, SIGTERM) == 1 || sigismember(&set, SIGHUP) == 1);
}
