/* strutil.c - byte buffers, UTF-8 checks and the escaping rules of both output formats */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

int pw_buf_reserve(struct pw_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int pw_buf_append(struct pw_buf *b, const void *s, size_t n)
{
	if (pw_buf_reserve(b, n) < 0)
		return -ENOMEM;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int pw_buf_putc(struct pw_buf *b, char c)
{
	return pw_buf_append(b, &c, 1);
}

int pw_blob_set(struct pw_blob **b, const void *s, size_t n)
{
	struct pw_blob *old = *b, *nb;
	size_t cap;

	if (old && old->refs == 1 && old->cap > n) {
		if (n)
			memmove(old->data, s, n);
		old->data[n] = '\0';
		old->len = n;
		return 0;
	}
	cap = n + 1 < 32 ? 32 : n + 1;
	nb = malloc(sizeof(*nb) + cap);
	if (!nb)
		return -ENOMEM;
	nb->refs = 1;
	nb->len = n;
	nb->cap = cap;
	if (n)
		memcpy(nb->data, s, n);
	nb->data[n] = '\0';
	pw_blob_unref(b);
	*b = nb;
	return 0;
}

struct pw_blob *pw_blob_ref(struct pw_blob *b)
{
	if (b)
		b->refs++;
	return b;
}

void pw_blob_unref(struct pw_blob **b)
{
	if (*b && --(*b)->refs == 0)
		free(*b);
	*b = NULL;
}

void pw_buf_free(struct pw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

size_t pw_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* U+EF80..U+EFFF: the range raw bytes are mapped to, so it must be escaped itself. */
static bool is_escape_range(const unsigned char *s, size_t len)
{
	return len == 3 && s[0] == 0xee && (s[1] == 0xbe || s[1] == 0xbf);
}

int pw_json_bytes(struct pw_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (pw_buf_reserve(b, n) < 0)
		return -ENOMEM;
	while (i < n) {
		size_t run = i, len;

		/* copy the longest run of well-formed text in one go */
		while (run < n && (len = pw_utf8_seq_len(p + run, n - run)) && !is_escape_range(p + run, len))
			run += len;
		if (run > i && pw_buf_append(b, p + i, run - i) < 0)
			return -ENOMEM;
		i = run;
		if (i >= n)
			break;
		len = pw_utf8_seq_len(p + i, n - i);
		if (!len)
			len = 1;
		for (size_t k = 0; k < len; k++) {
			unsigned cp = 0xef00 + p[i + k];
			char enc[3] = {
				(char)(0xe0 | (cp >> 12)),
				(char)(0x80 | ((cp >> 6) & 0x3f)),
				(char)(0x80 | (cp & 0x3f)),
			};
			if (pw_buf_append(b, enc, 3) < 0)
				return -ENOMEM;
		}
		i += len;
	}
	/* keep the terminating NUL even when nothing was appended */
	return pw_buf_append(b, "", 0);
}

static bool is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._,:/@%+=~-", c) != NULL);
}

static int put_hex(struct pw_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	return pw_buf_append(b, esc, 4);
}

int pw_text_value(struct pw_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	int r = 0;

	for (i = 0; i < n && is_bare(p[i]); i++)
		;
	/* a lone "-" stands for an unknown value: a real "-" is quoted */
	if (n && i == n && !(n == 1 && s[0] == '-'))
		return pw_buf_append(b, s, n);

	if (pw_buf_reserve(b, n + 2) < 0 || pw_buf_putc(b, '"') < 0)
		return -ENOMEM;
	for (i = 0; i < n && r == 0;) {
		unsigned char c = p[i];
		size_t len = pw_utf8_seq_len(p + i, n - i);

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			r = pw_buf_append(b, esc, 2);
		} else if (c == '\n') {
			r = pw_buf_append(b, "\\n", 2);
		} else if (c == '\t') {
			r = pw_buf_append(b, "\\t", 2);
		} else if (c == '\r') {
			r = pw_buf_append(b, "\\r", 2);
		} else if (c < 0x20 || c == 0x7f || len == 0) {
			r = put_hex(b, c);
		} else if (len == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
			/* C1 control (U+0080..U+009F): terminals act on these */
			r = put_hex(b, c);
			if (r == 0)
				r = put_hex(b, p[i + 1]);
		} else {
			r = pw_buf_append(b, p + i, len);
		}
		i += len ? len : 1;
	}
	if (r == 0)
		r = pw_buf_putc(b, '"');
	return r;
}

int pw_text_word(struct pw_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int r = is_bare(c) ? pw_buf_putc(b, (char)c) : put_hex(b, c);

		if (r < 0)
			return r;
	}
	return 0;
}

int pw_shell_word(struct pw_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_bare((unsigned char)s[i]); i++)
		;
	/* a shell expands ~ at the start and after = or : in assignments: quote it anywhere */
	if (n && i == n && !memchr(s, '~', n))
		return pw_buf_append(b, s, n);
	if (pw_buf_putc(b, '\'') < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int r = s[i] == '\'' ? pw_buf_append(b, "'\\''", 4) : pw_buf_putc(b, s[i]);

		if (r < 0)
			return r;
	}
	return pw_buf_putc(b, '\'');
}

int pw_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}
