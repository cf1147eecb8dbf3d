/* test-strutil.c - unit tests of byte buffers, UTF-8 checks, escaping and number parsing */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "unit.h"

#define S(lit) lit, sizeof(lit) - 1	/* a literal as (bytes, length), NULs included */

static size_t seq_len_exact(const void *s, size_t n)
{
	unsigned char *p = unit_memdup(s, n);
	size_t len = pw_utf8_seq_len(p, n);

	free(p);
	return len;
}

/*
 * Reference: the well-formed byte sequences of Unicode Table 3-7. Returns
 * the sequence length, or 0 when s[0..n) does not start with one.
 */
static size_t ref_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c <= 0x7f)
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

static bool well_formed(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, len; i < n; i += len) {
		len = pw_utf8_seq_len(p + i, n - i);
		if (!len)
			return false;
	}
	return true;
}

static void test_utf8_seq_len(void)
{
	unsigned char s[4];
	unsigned long bad = 0;

	CHECK_INT(seq_len_exact(S("A")), 1);
	CHECK_INT(seq_len_exact(S("\0")), 1);
	CHECK_INT(seq_len_exact(S("\x7f")), 1);
	CHECK_INT(seq_len_exact(S("Ab")), 1);
	CHECK_INT(seq_len_exact(S("\xc2\x80")), 2);		/* U+0080 */
	CHECK_INT(seq_len_exact(S("\xc3\xa9")), 2);		/* é */
	CHECK_INT(seq_len_exact(S("\xdf\xbf")), 2);		/* U+07FF */
	CHECK_INT(seq_len_exact(S("\xe0\xa0\x80")), 3);	/* U+0800 */
	CHECK_INT(seq_len_exact(S("\xe2\x82\xac")), 3);	/* € */
	CHECK_INT(seq_len_exact(S("\xed\x9f\xbf")), 3);	/* U+D7FF */
	CHECK_INT(seq_len_exact(S("\xee\x80\x80")), 3);	/* U+E000 */
	CHECK_INT(seq_len_exact(S("\xef\xbf\xbf")), 3);	/* U+FFFF */
	CHECK_INT(seq_len_exact(S("\xf0\x90\x80\x80")), 4);	/* U+10000 */
	CHECK_INT(seq_len_exact(S("\xf0\x9f\x98\x80")), 4);	/* U+1F600 */
	CHECK_INT(seq_len_exact(S("\xf4\x8f\xbf\xbf")), 4);	/* U+10FFFF */
	CHECK_INT(seq_len_exact(S("\xc3\xa9x")), 2);

	/* overlong forms */
	CHECK_INT(seq_len_exact(S("\xc0\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xc1\xbf")), 0);
	CHECK_INT(seq_len_exact(S("\xe0\x80\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xe0\x9f\xbf")), 0);
	CHECK_INT(seq_len_exact(S("\xf0\x80\x80\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xf0\x8f\xbf\xbf")), 0);
	/* surrogates */
	CHECK_INT(seq_len_exact(S("\xed\xa0\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xed\xbf\xbf")), 0);
	/* above U+10FFFF, and bytes that never start a sequence */
	CHECK_INT(seq_len_exact(S("\xf4\x90\x80\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xf5\x80\x80\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xf8\x88\x80\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xfe")), 0);
	CHECK_INT(seq_len_exact(S("\xff")), 0);
	/* truncated sequences, in blocks of exactly their length */
	CHECK_INT(seq_len_exact(S("\xc3")), 0);
	CHECK_INT(seq_len_exact(S("\xe2")), 0);
	CHECK_INT(seq_len_exact(S("\xe2\x82")), 0);
	CHECK_INT(seq_len_exact(S("\xf0\x9f")), 0);
	CHECK_INT(seq_len_exact(S("\xf0\x9f\x98")), 0);
	/* a sequence cut short by another character */
	CHECK_INT(seq_len_exact(S("\xe2\x82x")), 0);
	CHECK_INT(seq_len_exact(S("\xc3\xc3\xa9")), 0);
	CHECK_INT(seq_len_exact(S("\xf0\x9f\x98" "A")), 0);
	/* lone continuation bytes */
	CHECK_INT(seq_len_exact(S("\x80")), 0);
	CHECK_INT(seq_len_exact(S("\xbf")), 0);
	CHECK_INT(seq_len_exact(S("\x80\x80\x80\x80")), 0);

	/* against the reference: every 1- and 2-byte input, every 3-byte one from E0 up */
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		if (pw_utf8_seq_len(s, 1) != ref_seq_len(s, 1) && !bad++)
			unit_print_bytes("first mismatch", s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			if (pw_utf8_seq_len(s, 2) != ref_seq_len(s, 2) && !bad++)
				unit_print_bytes("first mismatch", s, 2);
		}
	}
	for (unsigned a = 0xe0; a < 256; a++) {
		s[0] = (unsigned char)a;
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				if (pw_utf8_seq_len(s, 3) != ref_seq_len(s, 3) && !bad++)
					unit_print_bytes("first mismatch", s, 3);
			}
		}
	}
	/* 4-byte inputs from F0 up, continuation-heavy */
	for (unsigned i = 0; i < 200000; i++) {
		uint32_t r = unit_rand();

		s[0] = (unsigned char)(0xf0 + (r & 0x0f));
		s[1] = (unsigned char)(r >> 8);
		s[2] = (unsigned char)(0x80 | ((r >> 16) & 0x7f));
		s[3] = (unsigned char)(r >> 24);
		if (pw_utf8_seq_len(s, 4) != ref_seq_len(s, 4) && !bad++)
			unit_print_bytes("first mismatch", s, 4);
	}
	CHECK_INT(bad, 0);
}

/* Append the character U+EF00 + c, which pw_json_bytes() uses for byte c. */
static void put_mapped(struct pw_buf *b, unsigned char c)
{
	unsigned cp = 0xef00u + c;
	char enc[3] = {
		(char)(0xe0 | (cp >> 12)),
		(char)(0x80 | ((cp >> 6) & 0x3f)),
		(char)(0x80 | (cp & 0x3f)),
	};

	pw_buf_append(b, enc, 3);
}

/* pw_json_bytes() of n bytes (from an exactly-sized copy) must give want. */
static void json_is(const char *in, size_t n, const char *want, size_t wantlen)
{
	struct pw_buf b = { 0 };
	char *p = unit_memdup(in, n);

	if (!CHECK_INT(pw_json_bytes(&b, p, n), 0))
		goto out;
	if (!CHECK_MEM(b.data, b.len, want, wantlen))
		unit_print_bytes("input", in, n);
	/* like every writer of a pw_buf, it leaves a NUL after the data */
	CHECK(b.data && b.data[b.len] == '\0');
out:
	free(p);
	pw_buf_free(&b);
}

/*
 * Undo pw_json_bytes(): each U+EF80..U+EFFF character becomes the byte it
 * stands for. Returns the decoded length, or -1 when s is not well-formed.
 */
static long json_unmap(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t len = ref_seq_len(s + i, n - i);

		if (!len)
			return -1;
		if (len == 3 && s[i] == 0xee && (s[i + 1] == 0xbe || s[i + 1] == 0xbf)) {
			unsigned cp = (unsigned)(s[i] & 0x0f) << 12 |
				      (unsigned)(s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f);

			out[o++] = (unsigned char)(cp - 0xef00);
		} else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	return (long)o;
}

/* A random string mixing ASCII, valid UTF-8, the escape range, and stray bytes. */
static size_t random_bytes(unsigned char *s, size_t max)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "\"", "\\", "'", "~", "=", ":", "\n", "\t", "\r", "\x1b", "\x7f",
		"\0", "\xc3\xa9", "\xc2\x9b", "\xc2\xa0", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xee\xbe\x80", "\xee\xbf\xbf", "\xee\xbd\xbf", "\xef\x80\x80", "\xed\xa0\x80",
		"\xc0\x80", "\xe2\x82", "\xf4\x90\x80\x80",
	};
	size_t n = 0, want = unit_rand() % (max + 1);

	while (n < want) {
		uint32_t r = unit_rand();

		if (r & 1) {
			s[n++] = (unsigned char)(r >> 8);
		} else {
			const char *p = pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t len = *p ? strlen(p) : 1;

			if (n + len > want)
				break;
			memcpy(s + n, p, len);
			n += len;
		}
	}
	return n;
}

static void test_json_bytes(void)
{
	unsigned char in[80], back[80 * 9];
	struct pw_buf b = { 0 };
	unsigned long bad_utf8 = 0, bad_trip = 0, bad_nul = 0;

	json_is(S(""), S(""));
	json_is(S("hello, world"), S("hello, world"));
	json_is(S("a\0b"), S("a\0b"));
	json_is(S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
	json_is(S("\xff"), S("\xee\xbf\xbf"));
	json_is(S("\x80"), S("\xee\xbe\x80"));
	json_is(S("a\xff" "b"), S("a\xee\xbf\xbf" "b"));
	/* a character of the escape range itself: each of its bytes is mapped */
	json_is(S("\xee\xbe\x80"), S("\xee\xbf\xae\xee\xbe\xbe\xee\xbe\x80"));
	json_is(S("x\xee\xbf\xbfy"), S("x\xee\xbf\xae\xee\xbe\xbf\xee\xbe\xbfy"));
	/* just outside the escape range: unchanged */
	json_is(S("\xee\xbd\xbf"), S("\xee\xbd\xbf"));
	json_is(S("\xef\x80\x80"), S("\xef\x80\x80"));
	/* ill-formed: byte by byte */
	json_is(S("\xc0\x80"), S("\xee\xbf\x80\xee\xbe\x80"));
	json_is(S("\xe2\x82"), S("\xee\xbf\xa2\xee\xbe\x82"));
	json_is(S("\xed\xa0\x80"), S("\xee\xbf\xad\xee\xbe\xa0\xee\xbe\x80"));
	json_is(S("\xe2\x82x"), S("\xee\xbf\xa2\xee\xbe\x82x"));

	/* every byte from 0x80 up maps to U+EF00 + byte */
	for (unsigned c = 0x80; c < 0x100; c++) {
		struct pw_buf want = { 0 };
		char one = (char)c;

		put_mapped(&want, (unsigned char)c);
		json_is(&one, 1, want.data, want.len);
		pw_buf_free(&want);
	}

	/* appends after what the buffer already holds */
	pw_buf_append(&b, "x=", 2);
	CHECK_INT(pw_json_bytes(&b, "\xff", 1), 0);
	CHECK_MEM(b.data, b.len, "x=\xee\xbf\xbf", 5);
	pw_buf_free(&b);

	/* random strings: well-formed output that maps back to the input */
	for (unsigned i = 0; i < 20000; i++) {
		size_t n = random_bytes(in, sizeof(in));
		char *p = unit_memdup(in, n);
		long m;

		b.len = 0;
		if (!CHECK_INT(pw_json_bytes(&b, p, n), 0)) {
			free(p);
			break;
		}
		if (!well_formed(b.data, b.len) && !bad_utf8++)
			unit_print_bytes("ill-formed output for", in, n);
		if (b.data[b.len] != '\0')
			bad_nul++;
		m = json_unmap((const unsigned char *)b.data, b.len, back);
		if ((m < 0 || (size_t)m != n || memcmp(back, in, n) != 0) && !bad_trip++)
			unit_print_bytes("no round trip for", in, n);
		free(p);
	}
	CHECK_INT(bad_utf8, 0);
	CHECK_INT(bad_trip, 0);
	CHECK_INT(bad_nul, 0);
	pw_buf_free(&b);
}

/* pw_text_value() of n bytes (from an exactly-sized copy) must give want. */
static void text_is(const char *in, size_t n, const char *want, size_t wantlen)
{
	struct pw_buf b = { 0 };
	char *p = unit_memdup(in, n);

	if (!CHECK_INT(pw_text_value(&b, p, n), 0))
		goto out;
	if (!CHECK_MEM(b.data, b.len, want, wantlen))
		unit_print_bytes("input", in, n);
	CHECK(b.data && b.data[b.len] == '\0');
out:
	free(p);
	pw_buf_free(&b);
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

/* Undo pw_text_value(). Returns the decoded length, or -1 when s is malformed. */
static long text_unescape(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i, o = 0;

	if (n == 0 || s[0] != '"') {
		memcpy(out, s, n);
		return (long)n;
	}
	if (n < 2 || s[n - 1] != '"')
		return -1;
	for (i = 1; i < n - 1; i++) {
		if (s[i] == '"')
			return -1;
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (++i >= n - 1)
			return -1;
		switch (s[i]) {
		case '"':
		case '\\':
			out[o++] = s[i];
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'x':
			if (i + 2 >= n - 1 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return -1;
			out[o++] = (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
			break;
		default:
			return -1;
		}
	}
	return (long)o;
}

static void test_text_value(void)
{
	unsigned char in[80], back[80 * 4 + 2];
	struct pw_buf b = { 0 };
	unsigned long bad_ctl = 0, bad_utf8 = 0, bad_trip = 0, bad_bare = 0;

	text_is(S("bash"), S("bash"));
	text_is(S("/usr/bin/python3.11"), S("/usr/bin/python3.11"));
	text_is(S("a-b_c,d:e@f%g+h=i~j"), S("a-b_c,d:e@f%g+h=i~j"));
	text_is(S(""), S("\"\""));
	text_is(S("a b"), S("\"a b\""));
	text_is(S(" "), S("\" \""));
	text_is(S("say \"hi\""), S("\"say \\\"hi\\\"\""));
	text_is(S("C:\\dir"), S("\"C:\\\\dir\""));
	text_is(S("'"), S("\"'\""));
	text_is(S("a\nb\tc\rd"), S("\"a\\nb\\tc\\rd\""));
	text_is(S("\x1b[31mred"), S("\"\\x1b[31mred\""));
	text_is(S("\x01"), S("\"\\x01\""));
	text_is(S("\x7f"), S("\"\\x7f\""));
	text_is(S("a\0b"), S("\"a\\x00b\""));
	/* C1 controls are escaped, U+00A0 and other text is kept raw */
	text_is(S("\xc2\x9b" "31m"), S("\"\\xc2\\x9b31m\""));
	text_is(S("\xc2\x80"), S("\"\\xc2\\x80\""));
	text_is(S("\xc2\x9f"), S("\"\\xc2\\x9f\""));
	text_is(S("\xc2\xa0"), S("\"\xc2\xa0\""));
	text_is(S("caf\xc3\xa9"), S("\"caf\xc3\xa9\""));
	text_is(S("\xe2\x82\xac\xf0\x9f\x98\x80"), S("\"\xe2\x82\xac\xf0\x9f\x98\x80\""));
	/* bytes that are not well-formed UTF-8 */
	text_is(S("\xff"), S("\"\\xff\""));
	text_is(S("a\x80" "b"), S("\"a\\x80b\""));
	text_is(S("\xe2\x82"), S("\"\\xe2\\x82\""));
	text_is(S("\xc0\x80"), S("\"\\xc0\\x80\""));
	text_is(S("\xed\xa0\x80"), S("\"\\xed\\xa0\\x80\""));

	/* appends after what the buffer already holds */
	pw_buf_append(&b, "comm=", 5);
	CHECK_INT(pw_text_value(&b, "a b", 3), 0);
	CHECK_STR(b.data, "comm=\"a b\"");
	pw_buf_free(&b);

	/* random strings: no control byte out, well-formed, and reversible */
	for (unsigned i = 0; i < 20000; i++) {
		size_t n = random_bytes(in, sizeof(in));
		char *p = unit_memdup(in, n);
		long m;

		b.len = 0;
		if (!CHECK_INT(pw_text_value(&b, p, n), 0)) {
			free(p);
			break;
		}
		for (size_t k = 0; k < b.len; k++) {
			unsigned char c = (unsigned char)b.data[k];

			if ((c < 0x20 || c == 0x7f) && !bad_ctl++)
				unit_print_bytes("control byte out for", in, n);
		}
		if (!well_formed(b.data, b.len) && !bad_utf8++)
			unit_print_bytes("ill-formed output for", in, n);
		if (b.len && b.data[0] != '"' && (b.len != n || memcmp(b.data, in, n) != 0) &&
		    !bad_bare++)
			unit_print_bytes("changed bare value for", in, n);
		m = text_unescape((const unsigned char *)b.data, b.len, back);
		if ((m < 0 || (size_t)m != n || memcmp(back, in, n) != 0) && !bad_trip++)
			unit_print_bytes("no round trip for", in, n);
		free(p);
	}
	CHECK_INT(bad_ctl, 0);
	CHECK_INT(bad_utf8, 0);
	CHECK_INT(bad_bare, 0);
	CHECK_INT(bad_trip, 0);
	pw_buf_free(&b);
}

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._,:/@%+=~-", c));
}

/*
 * Read s back the way a POSIX shell reads one word built of bare safe
 * characters, '...' and \'. Returns the word's length in out, or -1 when s
 * holds anything else unquoted (the shell would act on it). *tilde is set
 * when an unquoted '~' sits where bash would expand it: at the start of the
 * word, or, in a word that looks like an assignment (name=...), right after
 * the first '=' or after a later ':'.
 */
static long shell_unquote(const unsigned char *s, size_t n, unsigned char *out, bool *tilde)
{
	bool quoted = false, name = true, assign = false;
	size_t o = 0;

	*tilde = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (quoted) {
			if (c == '\'')
				quoted = false;
			else
				out[o++] = c;
			name = false;
			continue;
		}
		if (c == '\'') {
			quoted = true;
			name = false;
			continue;
		}
		if (c == '\\') {
			if (++i >= n)
				return -1;
			out[o++] = s[i];
			name = false;
			continue;
		}
		if (!shell_safe(c))
			return -1;
		if (c == '~' && (i == 0 || (assign && (out[o - 1] == '=' || out[o - 1] == ':'))))
			*tilde = true;
		if (c == '=' && name && o > 0 && !assign)
			assign = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			   (o > 0 && c >= '0' && c <= '9')))
			name = false;
		out[o++] = c;
	}
	return quoted ? -1 : (long)o;
}

static void shell_is(const char *in, size_t n, const char *want, size_t wantlen)
{
	struct pw_buf b = { 0 };
	char *p = unit_memdup(in, n);

	if (!CHECK_INT(pw_shell_word(&b, p, n), 0))
		goto out;
	if (!CHECK_MEM(b.data, b.len, want, wantlen))
		unit_print_bytes("input", in, n);
	CHECK(b.data && b.data[b.len] == '\0');
out:
	free(p);
	pw_buf_free(&b);
}

/* The shell must read pw_shell_word(s) back as s, without expanding a tilde. */
static void shell_reads_back(const char *s)
{
	unsigned char back[256];
	struct pw_buf b = { 0 };
	bool tilde;
	long m;

	if (!CHECK_INT(pw_shell_word(&b, s, strlen(s)), 0))
		goto out;
	m = shell_unquote((const unsigned char *)b.data, b.len, back, &tilde);
	if (!CHECK(m >= 0 && (size_t)m == strlen(s) && memcmp(back, s, (size_t)m) == 0) ||
	    !CHECK(!tilde)) {
		unit_print_bytes("input ", s, strlen(s));
		unit_print_bytes("output", b.data, b.len);
	}
out:
	pw_buf_free(&b);
}

static void test_shell_word(void)
{
	unsigned char in[80], back[80 * 4 + 2];
	struct pw_buf b = { 0 };
	unsigned long bad_trip = 0;

	shell_is(S("ls"), S("ls"));
	shell_is(S("/usr/bin/env"), S("/usr/bin/env"));
	shell_is(S("--color=auto"), S("--color=auto"));
	shell_is(S(""), S("''"));
	shell_is(S("a b"), S("'a b'"));
	shell_is(S("it's"), S("'it'\\''s'"));
	shell_is(S("'"), S("''\\'''"));
	shell_is(S("~"), S("'~'"));
	shell_is(S("~/x"), S("'~/x'"));
	shell_is(S("$HOME"), S("'$HOME'"));
	shell_is(S("*.c"), S("'*.c'"));
	shell_is(S("a;b"), S("'a;b'"));
	shell_is(S("a\nb"), S("'a\nb'"));
	shell_is(S("caf\xc3\xa9"), S("'caf\xc3\xa9'"));

	/* appends after what the buffer already holds */
	pw_buf_append(&b, "echo ", 5);
	CHECK_INT(pw_shell_word(&b, "a b", 3), 0);
	CHECK_STR(b.data, "echo 'a b'");
	pw_buf_free(&b);

	/* bash expands a tilde after '=' and ':' in an argument that looks like an assignment */
	shell_reads_back("~");
	shell_reads_back("~root");
	shell_reads_back("a~b");
	shell_reads_back("--prefix=~/x");
	shell_reads_back("x=~");
	shell_reads_back("x=~/y");
	shell_reads_back("PATH=/bin:~/bin");

	/* random strings (without NUL, which no shell word can hold) */
	for (unsigned i = 0; i < 20000; i++) {
		size_t n = random_bytes(in, sizeof(in));
		char *p;
		bool tilde;
		long m;

		for (size_t k = 0; k < n; k++)
			if (!in[k])
				in[k] = '0';
		p = unit_memdup(in, n);
		b.len = 0;
		if (!CHECK_INT(pw_shell_word(&b, p, n), 0)) {
			free(p);
			break;
		}
		m = shell_unquote((const unsigned char *)b.data, b.len, back, &tilde);
		if ((m < 0 || (size_t)m != n || memcmp(back, in, n) != 0) && !bad_trip++) {
			unit_print_bytes("input ", in, n);
			unit_print_bytes("output", b.data, b.len);
		}
		free(p);
	}
	CHECK_INT(bad_trip, 0);
	pw_buf_free(&b);
}

static void test_parse_ulong(void)
{
	char max[32], over[32];
	unsigned long v;

	v = 99;
	CHECK_INT(pw_parse_ulong("0", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(pw_parse_ulong("42", 0, 100, &v), 0);
	CHECK_INT(v, 42);
	CHECK_INT(pw_parse_ulong("007", 0, 100, &v), 0);
	CHECK_INT(v, 7);
	CHECK_INT(pw_parse_ulong("10", 10, 10, &v), 0);
	CHECK_INT(v, 10);

	snprintf(max, sizeof(max), "%lu", ULONG_MAX);
	CHECK_INT(pw_parse_ulong(max, 0, ULONG_MAX, &v), 0);
	CHECK(v == ULONG_MAX);
	/* ULONG_MAX + 1: the last digit of ULONG_MAX is never 9 */
	snprintf(over, sizeof(over), "%s", max);
	over[strlen(over) - 1]++;
	v = 99;
	CHECK_INT(pw_parse_ulong(over, 0, ULONG_MAX, &v), -ERANGE);
	CHECK_INT(pw_parse_ulong("99999999999999999999999999", 0, ULONG_MAX, &v), -ERANGE);
	CHECK_INT(pw_parse_ulong("9", 10, 100, &v), -ERANGE);
	CHECK_INT(pw_parse_ulong("101", 10, 100, &v), -ERANGE);
	CHECK_INT(pw_parse_ulong("0", 1, 100, &v), -ERANGE);
	CHECK_INT(v, 99);

	/* the whole string, digits only */
	CHECK_INT(pw_parse_ulong(NULL, 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("abc", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("12abc", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("12 ", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("12\n", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong(" 12", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("\t12", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("+12", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("-1", 0, ULONG_MAX, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("-0", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("0x10", 0, 100, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("1e3", 0, 10000, &v), -EINVAL);
	CHECK_INT(pw_parse_ulong("1.5", 0, 100, &v), -EINVAL);
	CHECK_INT(v, 99);
}

static void test_buf(void)
{
	struct pw_buf b = { 0 };
	char want[3000];
	int ok = 1;

	CHECK_INT(pw_buf_putc(&b, 'a'), 0);
	CHECK_INT(b.len, 1);
	CHECK_MEM(b.data, b.len + 1, "a", 2);
	CHECK(b.cap > b.len);
	CHECK_INT(pw_buf_append(&b, "bcXYZ", 2), 0);
	CHECK_INT(b.len, 3);
	CHECK_MEM(b.data, b.len + 1, "abc", 4);
	CHECK_INT(pw_buf_append(&b, "", 0), 0);
	CHECK_MEM(b.data, b.len + 1, "abc", 4);
	CHECK_INT(pw_buf_putc(&b, '\0'), 0);
	CHECK_INT(b.len, 4);
	CHECK_MEM(b.data, b.len + 1, "abc\0", 5);

	/* the NUL follows the data after every call, across reallocations */
	pw_buf_free(&b);
	for (size_t i = 0; i < sizeof(want); i++) {
		want[i] = (char)('a' + i % 26);
		if (i % 3 == 0)
			ok &= pw_buf_putc(&b, want[i]) == 0;
		else
			ok &= pw_buf_append(&b, &want[i], 1) == 0;
		ok &= b.len == i + 1 && b.cap > b.len && b.data[b.len] == '\0';
	}
	CHECK(ok);
	CHECK_MEM(b.data, b.len, want, sizeof(want));
	CHECK_INT(pw_buf_append(&b, want, sizeof(want)), 0);
	CHECK_INT(b.len, 2 * sizeof(want));
	CHECK(memcmp(b.data + sizeof(want), want, sizeof(want)) == 0);
	CHECK(b.data[b.len] == '\0');

	/* an appending of nothing to an empty buffer still gives a string */
	pw_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK_INT(pw_buf_append(&b, NULL, 0), 0);
	CHECK(b.data && b.data[0] == '\0' && b.len == 0);

	/* a request that cannot fit leaves the buffer as it was */
	{
		char *data = b.data;
		size_t cap = b.cap;

		CHECK_INT(pw_buf_reserve(&b, SIZE_MAX), -ENOMEM);
		CHECK_INT(pw_buf_append(&b, "x", SIZE_MAX), -ENOMEM);
		CHECK(b.data == data && b.cap == cap && b.len == 0);
	}
	CHECK_INT(pw_buf_reserve(&b, 10000), 0);
	CHECK(b.cap >= 10001);
	CHECK_INT(b.len, 0);

	pw_buf_free(&b);
	pw_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

int main(void)
{
	UNIT_RUN(test_buf);
	UNIT_RUN(test_utf8_seq_len);
	UNIT_RUN(test_json_bytes);
	UNIT_RUN(test_text_value);
	UNIT_RUN(test_shell_word);
	UNIT_RUN(test_parse_ulong);
	return unit_done();
}
