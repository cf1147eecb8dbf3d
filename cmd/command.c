/* command.c - the COMMAND procwatch runs and traces: started, reaped, its exit status */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "command.h"

int command_start(struct command *c, char **argv, const sigset_t *ignored, const sigset_t *origmask,
		  int close_fd)
{
	int pfd[2], err = 0;
	pid_t pid;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	/* exec failure comes back through the pipe; a successful exec closes it */
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "procwatch: pipe: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "procwatch: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_FAILURE;
	}
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
		static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1 };

		close(pfd[0]);
		/* COMMAND gets the dispositions procwatch was started with */
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], sigismember(ignored, sigs[i]) ? &ign : &dfl, NULL);
		sigprocmask(SIG_SETMASK, origmask, NULL);
		if (close_fd >= 0)
			close(close_fd);
		execvp(argv[0], argv);
		err = errno;
		n = write(pfd[1], &err, sizeof(err));
		(void)n;
		_exit(err == ENOENT ? 127 : 126);
	}
	close(pfd[1]);
	c->pid = pid;
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == sizeof(err)) {
		fprintf(stderr, "procwatch: %s: %s\n", argv[0], strerror(err));
		waitpid(pid, NULL, 0);
		c->pid = 0;
		return err == ENOENT ? 127 : 126;
	}
	return 0;
}

void command_reap(struct command *c)
{
	int st;

	if (!c->pid || c->reaped)
		return;
	if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
		c->reaped = true;
		c->status = st;
		clock_gettime(CLOCK_MONOTONIC, &c->reaped_at);
	}
}

int command_exit_status(const struct command *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return EXIT_FAILURE;
}
