/* fuzz-escape.c - both output formats' escaping: well-formed output that decodes back */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>

#include "strutil.h"
#include "fuzz.h"

static bool is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._,:/@%+=~-", c) != NULL);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes), from the
 * table of well-formed byte sequences in the Unicode standard (3.9, table
 * 3-7), or 0.
 */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void check_utf8_seq_len(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* no sequence is longer than 4: an exact copy of at most that, so a read past it shows */
		size_t w = n - i < 4 ? n - i : 4;
		unsigned char *p = (unsigned char *)fuzz_memdup(s + i, w);

		FUZZ_CHECK(pw_utf8_seq_len(p, w) == ref_utf8_len(p, w));
		free(p);
	}
}

/* The code point of the well-formed sequence s of len bytes. */
static uint32_t code_point(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_mask[len];

	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* JSON: well-formed UTF-8, each U+EF80..U+EFFF a raw byte, everything else itself. */
static void check_json(const unsigned char *in, size_t n)
{
	struct pw_buf b = { NULL, 0, 0 };
	const unsigned char *out;
	unsigned char *back = malloc(n + 1);
	size_t i = 0, k = 0;

	FUZZ_CHECK(back != NULL);
	/* appends to what is there */
	FUZZ_CHECK(pw_buf_append(&b, "[", 1) == 0);
	FUZZ_CHECK(pw_json_bytes(&b, (const char *)in, n) == 0);
	FUZZ_CHECK(b.len >= 1 && b.data[0] == '[' && b.data[b.len] == '\0');
	out = (const unsigned char *)b.data + 1;
	while (i < b.len - 1) {
		size_t len = pw_utf8_seq_len(out + i, b.len - 1 - i);
		uint32_t cp;

		FUZZ_CHECK(len > 0);
		cp = code_point(out + i, len);
		if (cp >= 0xef80 && cp <= 0xefff) {
			FUZZ_CHECK(k < n);
			back[k++] = (unsigned char)(cp - 0xef00);
		} else {
			FUZZ_CHECK(k + len <= n);
			memcpy(back + k, out + i, len);
			k += len;
		}
		i += len;
	}
	FUZZ_CHECK(k == n && memcmp(back, in, n) == 0);
	free(back);
	pw_buf_free(&b);
}

/* Text value: bare when it may be, else quoted; no control byte or DEL either way; decodes back. */
static void check_text_value(const unsigned char *in, size_t n)
{
	struct pw_buf b = { NULL, 0, 0 };
	const unsigned char *out;
	unsigned char *back = malloc(n + 1);
	size_t i, k = 0, len;
	bool bare = n > 0 && !(n == 1 && in[0] == '-');

	FUZZ_CHECK(back != NULL);
	for (i = 0; i < n && bare; i++)
		bare = is_bare(in[i]);
	FUZZ_CHECK(pw_text_value(&b, (const char *)in, n) == 0);
	out = (const unsigned char *)b.data;
	FUZZ_CHECK(out != NULL && out[b.len] == '\0');
	for (i = 0; i < b.len; i++)
		FUZZ_CHECK(out[i] >= 0x20 && out[i] != 0x7f);
	/* the whole value is well-formed UTF-8 without C1 controls */
	for (i = 0; i < b.len; i += len) {
		len = pw_utf8_seq_len(out + i, b.len - i);
		FUZZ_CHECK(len > 0);
		FUZZ_CHECK(!(len == 2 && out[i] == 0xc2 && out[i + 1] < 0xa0));
	}
	if (bare) {
		FUZZ_CHECK(b.len == n && memcmp(out, in, n) == 0);
		goto out;
	}
	FUZZ_CHECK(b.len >= 2 && out[0] == '"' && out[b.len - 1] == '"');
	for (i = 1; i < b.len - 1;) {
		unsigned char c = out[i];

		/* a '"' inside is always escaped */
		FUZZ_CHECK(c != '"');
		FUZZ_CHECK(k < n);
		if (c != '\\') {
			back[k++] = c;
			i++;
			continue;
		}
		FUZZ_CHECK(i + 1 < b.len - 1);
		switch (out[i + 1]) {
		case '"':
		case '\\':
			back[k++] = out[i + 1];
			i += 2;
			break;
		case 'n':
			back[k++] = '\n';
			i += 2;
			break;
		case 't':
			back[k++] = '\t';
			i += 2;
			break;
		case 'r':
			back[k++] = '\r';
			i += 2;
			break;
		case 'x':
			FUZZ_CHECK(i + 3 < b.len - 1);
			FUZZ_CHECK(hexval(out[i + 2]) >= 0 && hexval(out[i + 3]) >= 0);
			back[k++] = (unsigned char)(hexval(out[i + 2]) << 4 | hexval(out[i + 3]));
			i += 4;
			break;
		default:
			FUZZ_CHECK(!"unknown escape in a text value");
		}
	}
	FUZZ_CHECK(k == n && memcmp(back, in, n) == 0);
out:
	free(back);
	pw_buf_free(&b);
}

/* Text word: only bare bytes and \xHH, decodes back. */
static void check_text_word(const unsigned char *in, size_t n)
{
	struct pw_buf b = { NULL, 0, 0 };
	const unsigned char *out;
	unsigned char *back = malloc(n + 1);
	size_t i, k = 0;

	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(pw_text_word(&b, (const char *)in, n) == 0);
	out = (const unsigned char *)b.data;
	FUZZ_CHECK(n == 0 || out != NULL);
	if (out)
		FUZZ_CHECK(out[b.len] == '\0');
	for (i = 0; i < b.len;) {
		FUZZ_CHECK(k < n);
		if (out[i] == '\\') {
			FUZZ_CHECK(i + 3 < b.len && out[i + 1] == 'x');
			FUZZ_CHECK(hexval(out[i + 2]) >= 0 && hexval(out[i + 3]) >= 0);
			back[k++] = (unsigned char)(hexval(out[i + 2]) << 4 | hexval(out[i + 3]));
			i += 4;
		} else {
			FUZZ_CHECK(is_bare(out[i]));
			back[k++] = out[i++];
		}
	}
	FUZZ_CHECK(k == n && memcmp(back, in, n) == 0);
	free(back);
	pw_buf_free(&b);
}

/* Shell word: bare without '~', or quoted so that a POSIX shell reads back the same bytes. */
static void check_shell_word(const unsigned char *in, size_t n)
{
	struct pw_buf b = { NULL, 0, 0 };
	const unsigned char *out;
	unsigned char *back = malloc(n + 1);
	size_t i, k = 0;
	bool quoted = false;

	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(pw_shell_word(&b, (const char *)in, n) == 0);
	out = (const unsigned char *)b.data;
	FUZZ_CHECK(out != NULL && b.len > 0 && out[b.len] == '\0');
	for (i = 0; i < b.len; i++) {
		unsigned char c = out[i];

		if (quoted) {
			if (c == '\'') {
				quoted = false;
			} else {
				FUZZ_CHECK(k < n);
				back[k++] = c;
			}
		} else if (c == '\'') {
			quoted = true;
		} else if (c == '\\') {
			FUZZ_CHECK(i + 1 < b.len && k < n);
			back[k++] = out[++i];
		} else {
			/* outside quotes only what no shell expands */
			FUZZ_CHECK(is_bare(c) && c != '~');
			FUZZ_CHECK(k < n);
			back[k++] = c;
		}
	}
	FUZZ_CHECK(!quoted);
	FUZZ_CHECK(k == n && memcmp(back, in, n) == 0);
	free(back);
	pw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_utf8_seq_len(data, size);
	check_json(data, size);
	check_text_value(data, size);
	check_text_word(data, size);
	check_shell_word(data, size);
	return 0;
}
