/* pw-spawn.c - benchmark workload: tagged children whose argv a watcher must report */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/*
 * Usage: pw-spawn PROG TAG N WORKERS ARGBYTES MAPFILE [RATE]
 * Spawns N children of PROG (WORKERS processes in parallel, each running
 * its share one after another, at most RATE children a second each when
 * RATE is given). Child i gets argv { PROG, "TAG-i" } plus,
 * when ARGBYTES > 0, one argument of that many bytes that ends in its tag.
 * Each child's "pid argv1" goes to MAPFILE (worker w > 0 writes MAPFILE.w),
 * so a watcher's records can be checked against what really ran.
 */
static int run(const char *prog, const char *tag, long first, long n, size_t argbytes, const char *path,
	       long rate)
{
	struct timespec t0;
	char *big = NULL, name[128];
	FILE *map = fopen(path, "w");
	char *argv[4] = { (char *)prog, name, NULL, NULL };

	if (!map) {
		fprintf(stderr, "pw-spawn: %s: %s\n", path, strerror(errno));
		return 1;
	}
	setvbuf(map, NULL, _IOFBF, 1 << 16);
	if (argbytes) {
		big = malloc(argbytes + 1);
		if (!big)
			return 1;
		memset(big, 'x', argbytes);
		big[argbytes] = '\0';
		argv[2] = big;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = first; i < first + n; i++) {
		pid_t pid;
		int r;

		if (rate > 0) {
			/* child k of this worker starts k/RATE seconds after the first */
			long long ns = (long long)(i - first) * 1000000000ll / rate + t0.tv_nsec;
			struct timespec at = { t0.tv_sec + ns / 1000000000, ns % 1000000000 };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
				;
		}

		snprintf(name, sizeof(name), "%s-%ld", tag, i);
		if (big) {
			size_t len = strlen(name);

			memcpy(big + argbytes - len, name, len);
		}
		r = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
		if (r) {
			fprintf(stderr, "pw-spawn: %s: %s\n", prog, strerror(r));
			free(big);
			fclose(map);
			return 1;
		}
		fprintf(map, "%d %s\n", (int)pid, name);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(big);
	return fclose(map) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	long n, workers, argbytes, rate = 0;
	int status = 0;

	if ((argc != 7 && argc != 8) || (n = atol(argv[3])) <= 0 || (workers = atol(argv[4])) <= 0 ||
	    (argbytes = atol(argv[5])) < 0 || argbytes > 1 << 20 || (argc == 8 && (rate = atol(argv[7])) <= 0)) {
		fprintf(stderr, "usage: pw-spawn PROG TAG N WORKERS ARGBYTES MAPFILE [RATE]\n");
		return 2;
	}
	for (long w = 0; w < workers; w++) {
		long share = n / workers + (w < n % workers);
		long first = w * (n / workers) + (w < n % workers ? w : n % workers);
		pid_t pid = workers == 1 ? 0 : fork();

		if (pid < 0) {
			fprintf(stderr, "pw-spawn: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			char path[4096];
			int r;

			if (w)
				snprintf(path, sizeof(path), "%s.%ld", argv[6], w);
			else
				snprintf(path, sizeof(path), "%s", argv[6]);
			r = run(argv[1], argv[2], first, share, (size_t)argbytes, path, rate);

			if (workers == 1) {
				status = r;
				break;
			}
			_exit(r);
		}
	}
	if (workers > 1) {
		int st;

		while (wait(&st) > 0)
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				status = 1;
	}
	return status;
}
