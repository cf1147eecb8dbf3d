/* pw-scan-bench.c - time the start-up scan of /proc that seeds the process table */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "procfs.h"
#include "ptable.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	double ms[64];
	long n = 0;

	if (reps < 1 || reps > 64) {
		fprintf(stderr, "usage: pw-scan-bench [1-64]\n");
		return 2;
	}
	for (int i = 0; i < reps; i++) {
		struct pw_procfs *pfs;
		struct pw_ptable *pt;
		double t0;

		if (pw_procfs_open(NULL, &pfs) < 0 || pw_ptable_new(pfs, &pt) < 0) {
			fprintf(stderr, "pw-scan-bench: cannot open /proc\n");
			return 1;
		}
		t0 = now_ms();
		n = pw_ptable_scan(pt);
		ms[i] = now_ms() - t0;
		pw_ptable_free(&pt);
		pw_procfs_free(&pfs);
		if (n < 0) {
			fprintf(stderr, "pw-scan-bench: scan failed\n");
			return 1;
		}
	}
	qsort(ms, (size_t)reps, sizeof(ms[0]), cmp);
	printf("scan of %ld processes: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)\n", n,
	       ms[reps / 2], ms[0], ms[reps - 1], reps);
	return 0;
}
