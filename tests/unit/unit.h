/* unit.h - a minimal check harness for the C unit tests, with TAP-style output */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_UNIT_H
#define PW_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each test function runs a number of CHECK()s; a failed check prints
 * "# file:line: ..." and the function is reported "not ok". unit_done()
 * prints the plan and the totals and returns the exit status: 0 only when
 * every check passed.
 */
static struct {
	unsigned checks;
	unsigned failed;
	unsigned tests;
} unit;

static inline int unit_check(int ok, const char *file, int line, const char *expr)
{
	unit.checks++;
	if (!ok) {
		unit.failed++;
		printf("# %s:%d: check failed: %s\n", file, line, expr);
		fflush(stdout);
	}
	return ok;
}

/* Print n bytes for a diagnostic, with \xHH for anything not printable ASCII. */
static inline void unit_print_bytes(const char *what, const void *p, size_t n)
{
	const unsigned char *s = p;

	printf("#   %s (%zu bytes): \"", what, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	}
	printf("\"\n");
}

static inline int unit_check_int(long long a, long long b, const char *file, int line,
				 const char *expr)
{
	if (unit_check(a == b, file, line, expr))
		return 1;
	printf("#   got %lld (%#llx), want %lld (%#llx)\n", a, (unsigned long long)a, b,
	       (unsigned long long)b);
	return 0;
}

static inline int unit_check_mem(const void *a, size_t alen, const void *b, size_t blen,
				 const char *file, int line, const char *expr)
{
	if (unit_check(alen == blen && (alen == 0 || memcmp(a, b, alen) == 0), file, line, expr))
		return 1;
	unit_print_bytes("got ", a, alen);
	unit_print_bytes("want", b, blen);
	return 0;
}

/* All macros evaluate to 1 on success and 0 on failure. */
#define CHECK(cond) unit_check((cond) != 0, __FILE__, __LINE__, #cond)
#define CHECK_INT(a, b) unit_check_int((long long)(a), (long long)(b), __FILE__, __LINE__, \
				       #a " == " #b)
#define CHECK_MEM(a, alen, b, blen) unit_check_mem(a, alen, b, blen, __FILE__, __LINE__, \
						   #a " == " #b)
#define CHECK_STR(a, b) unit_check_mem(a, strlen(a), b, strlen(b), __FILE__, __LINE__, \
				       #a " == " #b)

static inline void unit_run(const char *name, void (*fn)(void))
{
	unsigned before = unit.failed;

	fn();
	unit.tests++;
	printf("%sok %u - %s\n", unit.failed == before ? "" : "not ", unit.tests, name);
	fflush(stdout);
}

#define UNIT_RUN(fn) unit_run(#fn, fn)

static inline int unit_done(void)
{
	printf("1..%u\n# %u checks, %u failed\n", unit.tests, unit.checks, unit.failed);
	return unit.failed ? 1 : 0;
}

/* A copy of n bytes in a heap block of exactly n bytes, so ASan sees any over-read. */
static inline void *unit_memdup(const void *p, size_t n)
{
	void *q = calloc(1, n);

	if (!q && n) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	if (n)
		memcpy(q, p, n);
	return q;
}

/* Deterministic pseudo-random numbers (xorshift64*), fixed seed. */
static uint64_t unit_rng_state = 0x2545f4914f6cdd1dULL;

static inline uint32_t unit_rand(void)
{
	unit_rng_state ^= unit_rng_state >> 12;
	unit_rng_state ^= unit_rng_state << 25;
	unit_rng_state ^= unit_rng_state >> 27;
	return (uint32_t)((unit_rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

#endif
