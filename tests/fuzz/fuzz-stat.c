/* fuzz-stat.c - /proc/PID/stat lines through pw_parse_stat(), and the terminal they name */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "procfs.h"
#include "fuzz.h"

/* pw_tty_name() into buffers of every small size: always terminated, a prefix of the whole name. */
static void check_tty(unsigned tty_nr)
{
	char full[64];
	int r;

	memset(full, 0x5a, sizeof(full));
	r = pw_tty_name(tty_nr, full, sizeof(full));
	if (tty_nr == 0) {
		FUZZ_CHECK(r == -ENOENT);
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(memchr(full, '\0', sizeof(full)) != NULL);
	FUZZ_CHECK(full[0] != '\0');
	for (size_t n = 1; n <= 16; n++) {
		char *b = malloc(n);

		FUZZ_CHECK(b != NULL);
		FUZZ_CHECK(pw_tty_name(tty_nr, b, n) == 0);
		FUZZ_CHECK(memchr(b, '\0', n) != NULL);
		FUZZ_CHECK(strncmp(b, full, n - 1) == 0);
		free(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *open, *close = NULL;
	struct pw_stat st, st2;
	char *longer;
	size_t n;

	memset(&st, 0x5a, sizeof(st));
	if (pw_parse_stat(buf, size, &st) < 0)
		return 0;

	/* comm: the bytes between the first '(' and the last ')', cut to fit */
	open = memchr(buf, '(', size);
	FUZZ_CHECK(open != NULL);
	for (const char *p = buf + size; p > open + 1; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	FUZZ_CHECK(close != NULL);
	n = (size_t)(close - open - 1);
	if (n > sizeof(st.comm) - 1)
		n = sizeof(st.comm) - 1;
	FUZZ_CHECK(memcmp(st.comm, open + 1, n) == 0);
	FUZZ_CHECK(st.comm[n] == '\0');
	/* then " S ": the state */
	FUZZ_CHECK(close + 4 <= buf + size && close[1] == ' ' && close[3] == ' ');
	FUZZ_CHECK(st.state == close[2]);

	/* what follows field 22 does not matter (the kernel keeps adding fields) */
	longer = malloc(size + 8);
	FUZZ_CHECK(longer != NULL);
	memcpy(longer, buf, size);
	memcpy(longer + size, " 0 -1 7\n", 8);
	memset(&st2, 0, sizeof(st2));
	FUZZ_CHECK(pw_parse_stat(longer, size + 8, &st2) == 0);
	FUZZ_CHECK(memcmp(st.comm, st2.comm, n + 1) == 0);
	FUZZ_CHECK(st.state == st2.state && st.ppid == st2.ppid && st.tty_nr == st2.tty_nr);
	FUZZ_CHECK(st.flags == st2.flags && st.starttime == st2.starttime);
	free(longer);

	check_tty(st.tty_nr);
	return 0;
}
