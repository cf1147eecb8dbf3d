/* strutil.h - byte buffers, UTF-8 checks and the escaping rules of both output formats */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_STRUTIL_H
#define PW_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/* Make room for extra more bytes. Returns 0 or -ENOMEM (buffer unchanged). */
int pw_buf_reserve(struct pw_buf *b, size_t extra);
/* Append n bytes and keep a NUL after them. Returns 0 or -ENOMEM. */
int pw_buf_append(struct pw_buf *b, const void *s, size_t n);
int pw_buf_putc(struct pw_buf *b, char c);
/* Free the storage and reset *b to empty. */
void pw_buf_free(struct pw_buf *b);

/*
 * Make *b hold the n bytes at s (and a NUL): in place when *b is held by
 * nobody else and has room, else in a new blob (the old one is released).
 * Returns 0, or -ENOMEM with *b unchanged.
 */
int pw_blob_set(struct pw_blob **b, const void *s, size_t n);
/* Another holder of b (which may be NULL); returns b. */
struct pw_blob *pw_blob_ref(struct pw_blob *b);
/* Release *b (NULL is fine) and set it to NULL. */
void pw_blob_unref(struct pw_blob **b);

/*
 * Length (1-4) of the well-formed UTF-8 sequence starting at s (n bytes
 * available), or 0 when the byte at s does not start one. Rejects overlong
 * forms, surrogates and code points above U+10FFFF.
 */
size_t pw_utf8_seq_len(const unsigned char *s, size_t n);

/*
 * Append s (n raw bytes) to b as valid UTF-8 for JSON: well-formed UTF-8 is
 * copied, and each byte that is not part of one (and each byte of a U+EF80 to
 * U+EFFF character, so that the mapping can be undone) becomes the character
 * U+EF00 + byte. Returns 0 or -ENOMEM.
 */
int pw_json_bytes(struct pw_buf *b, const char *s, size_t n);

/*
 * Append s as one text-format value: bare when every byte is in
 * [A-Za-z0-9._,:/@%+=~-] and s is neither empty nor "-" (which stands for
 * an unknown value in the text format), otherwise in double quotes
 * with \" \\ \n \t \r, \xHH for other control bytes, DEL, C1 controls and
 * bytes that are not well-formed UTF-8. Returns 0 or -ENOMEM.
 */
int pw_text_value(struct pw_buf *b, const char *s, size_t n);

/*
 * Append s with every byte outside [A-Za-z0-9._,:/@%+=~-] written as \xHH:
 * a name that can sit inside a larger bare value. Returns 0 or -ENOMEM.
 */
int pw_text_word(struct pw_buf *b, const char *s, size_t n);

/*
 * Append s as one shell word: bare when it holds only safe characters and
 * no ~, otherwise in single quotes, a quote written as '\''. The empty
 * string is ''.
 * Returns 0 or -ENOMEM.
 */
int pw_shell_word(struct pw_buf *b, const char *s, size_t n);

/*
 * Parse a whole decimal string into an unsigned value in [min, max].
 * Returns 0, -EINVAL (not a number), or -ERANGE.
 */
int pw_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif
