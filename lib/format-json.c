/* format-json.c - one event as one compact line of JSON (the only user of jansson) */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "format.h"
#include "ptable.h"
#include "strutil.h"

struct json_ctx {
	json_t *obj;
	struct pw_fmt_state *st;
	/* the last two fields, written after the object: ancestors (cached text) and missing */
	const char *ancestors;
	size_t ancestors_len;
	json_t *missing;
};

/* A JSON string from raw bytes; NULL when out of memory. */
static json_t *bytes_string(struct pw_buf *scratch, const char *s, size_t n)
{
	scratch->len = 0;
	if (pw_json_bytes(scratch, s, n) < 0)
		return NULL;
	/* pw_json_bytes() produced well-formed UTF-8: skip jansson's second check */
	return json_stringn_nocheck(scratch->data, scratch->len);
}

/* json_object_set_new() steals val even when it fails. */
static int set(struct json_ctx *c, const char *key, json_t *val)
{
	if (!val || json_object_set_new_nocheck(c->obj, key, val) < 0)
		return -ENOMEM;
	return 0;
}

static int j_str(void *ctx, const struct pw_field *f, const char *s, size_t n)
{
	struct json_ctx *c = ctx;

	return set(c, f->name, bytes_string(&c->st->a, s, n));
}

static int j_num(void *ctx, const struct pw_field *f, long long v)
{
	return set(ctx, f->name, json_integer(v));
}

static int j_real(void *ctx, const struct pw_field *f, double v)
{
	return set(ctx, f->name, json_real(v));
}

static int j_bool(void *ctx, const struct pw_field *f, bool v)
{
	return set(ctx, f->name, json_boolean(v));
}

static int j_null(void *ctx, const struct pw_field *f)
{
	return set(ctx, f->name, json_null());
}

static json_t *argv_array(struct pw_buf *scratch, const char *args, size_t argc)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < argc; i++) {
		size_t n = strlen(args);

		if (json_array_append_new(arr, bytes_string(scratch, args, n)) < 0) {
			json_decref(arr);
			return NULL;
		}
		args += n + 1;
	}
	return arr;
}

static int j_argv(void *ctx, const struct pw_field *f, const char *args, size_t argc)
{
	struct json_ctx *c = ctx;

	return set(c, f->name, argv_array(&c->st->a, args, argc));
}

/* One ancestor as {pid, key, comm, exe, argv}; NULL when out of memory. */
static json_t *ancestor(struct pw_buf *scratch, const struct pw_record_opts *ro, const struct pw_pentry *a)
{
	json_t *o = json_object();
	const char *comm = (a->d.have & PW_F_COMM) ? a->d.comm : NULL, *exe, *argv;
	size_t exe_len, argc;
	char key[64];

	if (!o)
		return NULL;
	exe = pw_pentry_exe(a, &exe_len);
	argv = pw_pentry_argv(a, &argc);
	if (a->d.have & PW_F_START)
		pw_record_key(ro, a->d.starttime, a->pid, key, sizeof(key));
	if (json_object_set_new_nocheck(o, "pid", json_integer(a->pid)) < 0 ||
	    json_object_set_new_nocheck(o, "key", (a->d.have & PW_F_START) ? json_string(key) : json_null()) < 0 ||
	    json_object_set_new_nocheck(o, "comm", comm ? bytes_string(scratch, comm, strlen(comm)) : json_null()) < 0 ||
	    json_object_set_new_nocheck(o, "exe", exe ? bytes_string(scratch, exe, exe_len) : json_null()) < 0 ||
	    json_object_set_new_nocheck(o, "argv", argv ? argv_array(scratch, argv, argc) : json_null()) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int dump_cb(const char *buf, size_t size, void *data);

/* Render the lineage from first up as a JSON array into out. Returns 0 or -ENOMEM. */
static int render_chain(struct json_ctx *c, struct pw_pentry *first, struct pw_record_opts *o, struct pw_buf *out)
{
	const struct pw_pentry *const *v;
	long n = pw_record_ancestors(o, first, &v);
	json_t *arr;
	int r = 0;

	if (n < 0 || !(arr = json_array()))
		return -ENOMEM;
	for (long i = 0; i < n && r == 0; i++)
		if (json_array_append_new(arr, ancestor(&c->st->a, o, v[i])) < 0)
			r = -ENOMEM;
	out->len = 0;
	if (r == 0 && json_dump_callback(arr, dump_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
		r = -ENOMEM;
	json_decref(arr);
	return r;
}

/*
 * The ancestry is the bulk of a record and the same for every record of
 * the processes below one parent: it is rendered once per parent and kept
 * on the parent's entry until the process table says a lineage changed.
 */
static int j_ancestors(void *ctx, const struct pw_field *f, struct pw_pentry *first, struct pw_record_opts *o)
{
	struct json_ctx *c = ctx;
	uint64_t gen = o->pt ? pw_ptable_generation(o->pt) : 0;
	char *copy;
	int r;

	(void)f;
	if (!first) {
		c->ancestors = "[]";
		c->ancestors_len = 2;
		return 0;
	}
	if (first->chain && first->chain_gen == gen && o->pt) {
		c->ancestors = first->chain;
		c->ancestors_len = first->chain_len;
		return 0;
	}
	r = render_chain(c, first, o, &c->st->b);
	if (r < 0)
		return r;
	c->ancestors = c->st->b.data;
	c->ancestors_len = c->st->b.len;
	if (o->pt && (copy = malloc(c->st->b.len + 1))) {
		memcpy(copy, c->st->b.data, c->st->b.len + 1);
		free(first->chain);
		first->chain = copy;
		first->chain_len = c->st->b.len;
		first->chain_gen = gen;
	}
	return 0;
}

/* The only list is "missing", the last field: kept aside and written after ancestors. */
static int j_list(void *ctx, const struct pw_field *f, const char *const *items, size_t n)
{
	struct json_ctx *c = ctx;
	json_t *arr = json_array();

	(void)f;
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(arr, json_string(items[i])) < 0) {
			json_decref(arr);
			return -ENOMEM;
		}
	}
	json_decref(c->missing);
	c->missing = arr;
	return 0;
}

static const struct pw_field_ops json_ops = {
	.str = j_str,
	.num = j_num,
	.real = j_real,
	.boolean = j_bool,
	.null = j_null,
	.argv = j_argv,
	.list = j_list,
	.ancestors = j_ancestors,
};

/*
 * jansson escapes only what JSON requires. DEL and the C1 controls
 * (U+0080..U+009F, bytes C2 80..C2 9F) are legal raw but act on terminals,
 * so they are written as \u escapes too. Raw bytes >= 0x7f only occur
 * inside strings, so the rewrite cannot touch the JSON syntax; jansson
 * never splits a character across calls.
 */
static int dump_cb(const char *buf, size_t size, void *data)
{
	struct pw_buf *out = data;
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < size) {
		size_t run = i;
		unsigned c;

		while (run < size && (unsigned char)buf[run] != 0x7f &&
		       !((unsigned char)buf[run] == 0xc2 && run + 1 < size &&
			 (unsigned char)buf[run + 1] < 0xa0))
			run++;
		if (run > i && pw_buf_append(out, buf + i, run - i) < 0)
			return -1;
		if (run >= size)
			break;
		c = (unsigned char)buf[run] == 0x7f ? 0x7f : (unsigned char)buf[run + 1];
		{
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			if (pw_buf_append(out, esc, 6) < 0)
				return -1;
		}
		i = run + (c == 0x7f ? 1 : 2);
	}
	return 0;
}

int pw_format_json(const struct pw_event *ev, struct pw_record_opts *o,
		   struct pw_fmt_state *st, struct pw_buf *out)
{
	struct json_ctx c = { .obj = json_object(), .st = st };
	size_t start = out->len;
	int r;

	if (!c.obj)
		return -ENOMEM;
	r = pw_record_walk(ev, o, &json_ops, &c);
	if (r == 0 && json_dump_callback(c.obj, dump_cb, out,
					 JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) < 0)
		r = -ENOMEM;
	/* jansson wrote the object: reopen it for the fields kept aside */
	if (r == 0 && (c.ancestors || c.missing)) {
		out->len--;
		if (c.ancestors && (pw_buf_append(out, ",\"ancestors\":", 13) < 0 ||
				    pw_buf_append(out, c.ancestors, c.ancestors_len) < 0))
			r = -ENOMEM;
		if (r == 0 && c.missing &&
		    (pw_buf_append(out, ",\"missing\":", 11) < 0 ||
		     json_dump_callback(c.missing, dump_cb, out, JSON_COMPACT) < 0))
			r = -ENOMEM;
		if (r == 0)
			r = pw_buf_putc(out, '}');
	}
	if (r == 0)
		r = pw_buf_putc(out, '\n');
	json_decref(c.obj);
	json_decref(c.missing);
	if (r < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return r;
}

void pw_fmt_state_free(struct pw_fmt_state *st)
{
	pw_buf_free(&st->a);
	pw_buf_free(&st->b);
}
