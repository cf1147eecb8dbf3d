/* fuzz-cmdline.c - /proc/PID/cmdline contents through pw_parse_cmdline() */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "procfs.h"
#include "strutil.h"
#include "fuzz.h"

/* Split b (as parsed) into argc arguments and check each against the raw input. */
static void check_args(const struct pw_buf *b, long argc, const uint8_t *data, size_t size)
{
	size_t off = 0;

	for (long i = 0; i < argc; i++) {
		const char *nul;
		size_t len;

		FUZZ_CHECK(off < b->len);
		nul = memchr(b->data + off, '\0', b->len - off);
		FUZZ_CHECK(nul != NULL);
		len = (size_t)(nul - (b->data + off));
		/* each argument is the raw bytes up to the next NUL or the end */
		FUZZ_CHECK(off + len <= size);
		FUZZ_CHECK(memcmp(b->data + off, data + off, len) == 0);
		FUZZ_CHECK(off + len == size || data[off + len] == '\0');
		off += len + 1;
	}
	FUZZ_CHECK(off == b->len);
}

/* Parse a buffer holding the input, whose capacity is cap (> size). */
static void parse(const uint8_t *data, size_t size, size_t cap)
{
	struct pw_buf b = { NULL, 0, 0 };
	size_t nuls = 0;
	long argc;

	if (cap) {
		/* as read_file() leaves it: contents, a NUL, and maybe no spare byte */
		b.data = malloc(cap);
		FUZZ_CHECK(b.data != NULL);
		memcpy(b.data, data, size);
		b.data[size] = '\0';
		b.len = size;
		b.cap = cap;
	}
	for (size_t i = 0; i < size; i++)
		nuls += data[i] == '\0';

	argc = pw_parse_cmdline(&b);
	FUZZ_CHECK(argc >= 0);
	if (size == 0) {
		FUZZ_CHECK(argc == 0 && b.len == 0);
	} else if (data[size - 1] == '\0') {
		FUZZ_CHECK((size_t)argc == nuls && b.len == size);
	} else {
		/* an unterminated last argument is terminated */
		FUZZ_CHECK((size_t)argc == nuls + 1 && b.len == size + 1);
	}
	FUZZ_CHECK(b.len == 0 || b.data[b.len - 1] == '\0');
	FUZZ_CHECK(b.len < b.cap || (b.len == 0 && b.cap == 0));
	if (b.data)
		FUZZ_CHECK(b.data[b.len] == '\0');
	check_args(&b, argc, data, size);
	pw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse(data, size, size + 1);
	parse(data, size, size + 2);
	if (size == 0)
		parse(data, size, 0);
	return 0;
}
