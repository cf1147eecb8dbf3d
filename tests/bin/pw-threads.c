/* pw-threads.c - test workload: a process that starts N threads, joins them and exits */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Usage: pw-threads [N [GATE]]. With GATE (a FIFO), it first reads GATE
 * to its end, so that a test can hold it until procwatch has written its
 * exec record: the threads' records then carry what was read.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *work(void *arg)
{
	usleep(20000);
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	pthread_t t[64];

	if (n < 1 || n > 64 || argc > 3) {
		fprintf(stderr, "usage: pw-threads [1-64 [GATE]]\n");
		return 2;
	}
	if (argc > 2) {
		char c;
		ssize_t r;
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		while ((r = read(fd, &c, 1)) != 0)
			if (r < 0) {
				perror(argv[2]);
				return 1;
			}
		close(fd);
	}
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, work, NULL) != 0)
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
