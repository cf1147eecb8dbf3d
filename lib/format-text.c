/* format-text.c - one event as one line of text: TIME EVENT PID COMM key=value... */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "ptable.h"
#include "strutil.h"

struct text_ctx {
	struct pw_fmt_state *st;
	struct pw_buf *out;	/* the line; prefix fields first */
	struct pw_buf *body;	/* key=value fields, each preceded by a space */
	int prefix;		/* prefix fields written so far: time, event, pid/count, comm */
};

/* The positional fields of the table form the prefix; everything else is key=value. */
static int begin_key(struct text_ctx *c, const struct pw_field *f, const char *key, struct pw_buf **dst)
{
	if (f->flags & PW_FIELD_POSITIONAL) {
		*dst = c->out;
		return c->prefix++ ? pw_buf_putc(c->out, ' ') : 0;
	}
	*dst = c->body;
	if (pw_buf_putc(c->body, ' ') < 0 || pw_buf_append(c->body, key, strlen(key)) < 0)
		return -ENOMEM;
	return pw_buf_putc(c->body, '=');
}

static int begin(struct text_ctx *c, const struct pw_field *f, struct pw_buf **dst)
{
	return begin_key(c, f, f->name, dst);
}

static int t_str(void *ctx, const struct pw_field *f, const char *s, size_t n)
{
	struct text_ctx *c = ctx;
	struct pw_buf *dst;

	if (begin(c, f, &dst) < 0)
		return -ENOMEM;
	return pw_text_value(dst, s, n);
}

static int t_num(void *ctx, const struct pw_field *f, long long v)
{
	struct text_ctx *c = ctx;
	struct pw_buf *dst;
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", v);

	if (begin(c, f, &dst) < 0)
		return -ENOMEM;
	return pw_buf_append(dst, num, (size_t)n);
}

static int t_real(void *ctx, const struct pw_field *f, double v)
{
	struct text_ctx *c = ctx;
	struct pw_buf *dst;
	char num[48];
	int n = snprintf(num, sizeof(num), "%.9f", v);

	if (begin(c, f, &dst) < 0)
		return -ENOMEM;
	return pw_buf_append(dst, num, (size_t)n);
}

static int t_bool(void *ctx, const struct pw_field *f, bool v)
{
	struct text_ctx *c = ctx;
	struct pw_buf *dst;

	if (begin(c, f, &dst) < 0)
		return -ENOMEM;
	return v ? pw_buf_append(dst, "true", 4) : pw_buf_append(dst, "false", 5);
}

/* Unknown values are left out of the body; a positional field shows "-". */
static int t_null(void *ctx, const struct pw_field *f)
{
	struct text_ctx *c = ctx;

	if (f->flags & PW_FIELD_POSITIONAL) {
		c->prefix++;
		return pw_buf_append(c->out, " -", 2);
	}
	return 0;
}

/* The command line as shell words, then quoted as one value. */
static int t_argv(void *ctx, const struct pw_field *f, const char *args, size_t argc)
{
	struct text_ctx *c = ctx;
	struct pw_buf *words = &c->st->a, *dst;
	int r = 0;

	words->len = 0;
	for (size_t i = 0; i < argc && r == 0; i++) {
		size_t n = strlen(args);

		if (i)
			r = pw_buf_putc(words, ' ');
		if (r == 0)
			r = pw_shell_word(words, args, n);
		args += n + 1;
	}
	if (r == 0)
		r = begin(c, f, &dst);
	if (r == 0)
		r = pw_text_value(dst, words->data ? words->data : "", words->len);
	return r;
}

static int t_list(void *ctx, const struct pw_field *f, const char *const *items, size_t n)
{
	struct text_ctx *c = ctx;
	struct pw_buf *dst;

	if (begin(c, f, &dst) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if ((i && pw_buf_putc(dst, ',') < 0) || pw_buf_append(dst, items[i], strlen(items[i])) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The ancestry as chain=comm(pid)<comm(pid)<...: each name's bytes outside
 * the bare set are written as \xHH, so the chain is one bare value that no
 * name can forge; an unknown name is "?".
 */
static int t_ancestors(void *ctx, const struct pw_field *f, struct pw_pentry *first, struct pw_record_opts *o)
{
	struct text_ctx *c = ctx;
	const struct pw_pentry *const *v;
	struct pw_buf *dst;
	char num[24];
	long n = pw_record_ancestors(o, first, &v);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return 0;
	if (begin_key(c, f, "chain", &dst) < 0)
		return -ENOMEM;
	for (long i = 0; i < n; i++) {
		const char *comm = (v[i]->d.have & PW_F_COMM) ? v[i]->d.comm : NULL;
		int len = snprintf(num, sizeof(num), "(%d)", (int)v[i]->pid);

		if (i && pw_buf_putc(dst, '<') < 0)
			return -ENOMEM;
		if (pw_text_word(dst, comm ? comm : "?", comm ? strlen(comm) : 1) < 0 ||
		    pw_buf_append(dst, num, (size_t)len) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const struct pw_field_ops text_ops = {
	.str = t_str,
	.num = t_num,
	.real = t_real,
	.boolean = t_bool,
	.null = t_null,
	.argv = t_argv,
	.list = t_list,
	.ancestors = t_ancestors,
};

int pw_format_text(const struct pw_event *ev, struct pw_record_opts *o,
		   struct pw_fmt_state *st, struct pw_buf *out)
{
	struct text_ctx c = { st, out, &st->b, 0 };
	size_t start = out->len;
	int r;

	st->b.len = 0;
	r = pw_record_walk(ev, o, &text_ops, &c);
	if (r == 0 && st->b.len)
		r = pw_buf_append(out, st->b.data, st->b.len);
	if (r == 0)
		r = pw_buf_putc(out, '\n');
	if (r < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return r;
}
