/* fuzz.h - what the libFuzzer targets share: the entry point and a fatal check */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_FUZZ_H
#define PW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken promise of the library: say which one and abort(), so that the
 * fuzzer stops and keeps the input. Use it for invariants, never for
 * inputs the library is allowed to refuse.
 */
#define FUZZ_CHECK(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: check failed: %s\n",		\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

/* A copy of n bytes in a heap block of exactly n bytes, so ASan sees any access past it. */
static inline char *fuzz_memdup(const void *p, size_t n)
{
	char *q = malloc(n ? n : 1);

	FUZZ_CHECK(q != NULL);
	if (n)
		memcpy(q, p, n);
	return q;
}

#endif
