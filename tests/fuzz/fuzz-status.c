/* fuzz-status.c - /proc/PID/status files through pw_parse_status_ids() */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>

#include "procfs.h"
#include "fuzz.h"

/*
 * The two numbers after the first line that starts with key, as the status
 * file writes them (tabs, or spaces, between them). Returns 0, or -EINVAL.
 */
static int ref_ids(const char *buf, size_t len, const char *key, uint32_t *a, uint32_t *b)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t eol = nl ? (size_t)(nl - buf) : len;

		/* the value may run past a line without a newline: nothing is after it */
		if (len - i > klen && memcmp(buf + i, key, klen) == 0) {
			const char *p = buf + i + klen, *end = buf + len;
			uint64_t v[2];

			for (int k = 0; k < 2; k++) {
				const char *start;
				bool over = false;

				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				start = p;
				v[k] = 0;
				for (; p < end && *p >= '0' && *p <= '9'; p++) {
					v[k] = v[k] * 10 + (uint64_t)(*p - '0');
					if (v[k] > UINT32_MAX) {
						over = true;
						v[k] = UINT32_MAX;
					}
				}
				if (p == start || over)
					return -EINVAL;
			}
			*a = (uint32_t)v[0];
			*b = (uint32_t)v[1];
			return 0;
		}
		i = eol + 1;
	}
	return -EINVAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	uid_t uid, euid;
	gid_t gid, egid;
	uint32_t ru, reu, rg, reg;
	int r, ru_r, rg_r;

	r = pw_parse_status_ids(buf, size, &uid, &euid, &gid, &egid);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	ru_r = ref_ids(buf, size, "Uid:", &ru, &reu);
	rg_r = ref_ids(buf, size, "Gid:", &rg, &reg);
	FUZZ_CHECK((r == 0) == (ru_r == 0 && rg_r == 0));
	if (r == 0) {
		FUZZ_CHECK(uid == ru && euid == reu);
		FUZZ_CHECK(gid == rg && egid == reg);
	}
	return 0;
}
