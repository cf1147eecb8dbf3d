/* fuzz-cgroup.c - /proc/PID/cgroup files, the container id and unit a path shows, terminal names */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "procfs.h"
#include "fuzz.h"

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* The container id and the unit of path (n bytes, in a block of exactly n bytes). */
static void check_path(const char *path, size_t n)
{
	const char *unit = NULL;
	size_t ulen = 0;
	char id[65];
	int r;

	memset(id, 'Z', sizeof(id));
	r = pw_cgroup_container_id(path, n, id);
	FUZZ_CHECK(r == 0 || r == -ENOENT);
	if (r == 0) {
		const char *at = NULL;

		FUZZ_CHECK(id[64] == '\0');
		for (int i = 0; i < 64; i++)
			FUZZ_CHECK((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'));
		/* the id is in the path, as a whole component or after a known prefix */
		for (size_t i = 0; i + 64 <= n && !at; i++)
			if (memcmp(path + i, id, 64) == 0)
				at = path + i;
		FUZZ_CHECK(at != NULL);
	}

	r = pw_cgroup_unit(path, n, &unit, &ulen);
	FUZZ_CHECK(r == 0 || r == -ENOENT);
	if (r == 0) {
		FUZZ_CHECK(unit >= path && ulen <= n && unit + ulen <= path + n);
		FUZZ_CHECK(has_suffix(unit, ulen, ".service") || has_suffix(unit, ulen, ".scope"));
		/* one whole component */
		FUZZ_CHECK(memchr(unit, '/', ulen) == NULL);
		FUZZ_CHECK(unit == path || unit[-1] == '/');
		FUZZ_CHECK(unit + ulen == path + n || unit[ulen] == '/');
		/* and the last one that is a unit */
		for (const char *p = unit + ulen; p < path + n; p++) {
			const char *c = p + 1, *e;

			if (*p != '/')
				continue;
			e = memchr(c, '/', (size_t)(path + n - c));
			if (!e)
				e = path + n;
			FUZZ_CHECK(!has_suffix(c, (size_t)(e - c), ".service") &&
				   !has_suffix(c, (size_t)(e - c), ".scope"));
		}
	}
}

static void check_tty(unsigned tty_nr)
{
	char name[64];
	int r;

	memset(name, 0x5a, sizeof(name));
	r = pw_tty_name(tty_nr, name, sizeof(name));
	if (tty_nr == 0) {
		FUZZ_CHECK(r == -ENOENT);
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(name[0] != '\0' && memchr(name, '\0', sizeof(name)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *path = NULL;
	size_t n = 0;
	uint32_t tty = 0;
	char *copy;
	int r;

	r = pw_parse_cgroup(buf, size, &path, &n);
	FUZZ_CHECK(r == 0 || r == -ENOENT);
	if (r == 0) {
		/* the rest of the first line that starts with "0::" */
		FUZZ_CHECK(path >= buf + 3 && path + n <= buf + size);
		FUZZ_CHECK(memcmp(path - 3, "0::", 3) == 0);
		FUZZ_CHECK(path - 3 == buf || path[-4] == '\n');
		FUZZ_CHECK(memchr(path, '\n', n) == NULL);
		FUZZ_CHECK(path + n == buf + size || path[n] == '\n');
		for (const char *p = buf; p < path - 3; p++)
			FUZZ_CHECK(!((p == buf || p[-1] == '\n') && p + 3 <= buf + size &&
				     memcmp(p, "0::", 3) == 0));
		copy = fuzz_memdup(path, n);
		check_path(copy, n);
		free(copy);
	} else {
		FUZZ_CHECK(!(size >= 3 && memcmp(buf, "0::", 3) == 0));
	}

	/* the raw input as a path */
	check_path(buf, size);

	/* a device number from the input's last bytes */
	memcpy(&tty, buf + (size > 4 ? size - 4 : 0), size < 4 ? size : 4);
	check_tty(tty);
	check_tty(tty & 0xfffff);
	return 0;
}
