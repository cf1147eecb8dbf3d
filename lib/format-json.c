/* format-json.c - one event as one compact line of JSON (the only user of jansson) */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "format.h"
#include "ptable.h"
#include "strutil.h"

#define MAX_ROWS 64		/* rows of the field table a template can hold */
#define NTPLS 32		/* record shapes: kind, thread or not, lost reason */

/*
 * A record shape's object, kept from record to record: the same keys in
 * the same order, whose values are changed in place. A value that did not
 * change since the last record of the shape is not touched; a number is
 * set in its own json_t; a string is copied only when it differs. So a
 * record costs an allocation for each string that changed, not a tree.
 */
struct tpl {
	bool used;
	unsigned shape;
	json_t *obj;
	size_t n;		/* keys, once sealed */
	bool sealed;		/* the first record of the shape set the order */
	unsigned char order[MAX_ROWS];	/* the row of each key, in order */
	json_t *own[MAX_ROWS];	/* by row: the number, string or array we change in place */
	json_t *cur[MAX_ROWS];	/* by row: what obj holds now (borrowed) */
	struct pw_buf last[MAX_ROWS];	/* by row: the raw argv last set */
};

struct pw_json_tpls {
	struct tpl t[NTPLS];
};

struct json_ctx {
	struct tpl *t;
	size_t pos;		/* keys written so far */
	bool mismatch;		/* the record's keys are not the template's: rebuild it */
	struct pw_fmt_state *st;
	/* the last two fields, written after the object: ancestors (cached text) and missing */
	const char *ancestors;
	size_t ancestors_len;
	struct pw_buf missing;	/* JSON text */
	bool have_missing;
};

static size_t row(const struct pw_field *f)
{
	return (size_t)(f - pw_fields);
}

/* Put val (a reference we keep elsewhere, or a singleton) under f's key. Returns 0 or -ENOMEM. */
static int put(struct json_ctx *c, const struct pw_field *f, json_t *val)
{
	struct tpl *t = c->t;
	size_t r = row(f);

	if (r >= MAX_ROWS || c->pos >= MAX_ROWS)
		return -ENOMEM;
	if (t->sealed) {
		if (c->pos >= t->n || t->order[c->pos] != r) {
			c->mismatch = true;
			return -EAGAIN;
		}
	} else {
		t->order[c->pos] = (unsigned char)r;
	}
	c->pos++;
	if (t->cur[r] == val)
		return 0;
	if (json_object_set_nocheck(t->obj, f->name, val) < 0)
		return -ENOMEM;
	t->cur[r] = val;
	return 0;
}

/* The value we own for row r, of type type, made with make() when there is none. */
static json_t *own(struct tpl *t, size_t r, json_type type, json_t *(*make)(void))
{
	if (t->own[r] && json_typeof(t->own[r]) == type)
		return t->own[r];
	json_decref(t->own[r]);
	t->own[r] = make();
	return t->own[r];
}

static json_t *new_integer(void)
{
	return json_integer(0);
}

static json_t *new_real(void)
{
	return json_real(0);
}

static json_t *new_string(void)
{
	return json_stringn_nocheck("", 0);
}

static json_t *new_array(void)
{
	return json_array();
}

/* A JSON string from raw bytes; NULL when out of memory. */
static json_t *bytes_string(struct pw_buf *scratch, const char *s, size_t n)
{
	scratch->len = 0;
	if (pw_json_bytes(scratch, s, n) < 0)
		return NULL;
	/* pw_json_bytes() produced well-formed UTF-8: skip jansson's second check */
	return json_stringn_nocheck(scratch->data, scratch->len);
}

static int j_str(void *ctx, const struct pw_field *f, const char *s, size_t n)
{
	struct json_ctx *c = ctx;
	struct pw_buf *b = &c->st->a;
	size_t r = row(f);
	json_t *v;

	if (r >= MAX_ROWS || !(v = own(c->t, r, JSON_STRING, new_string)))
		return -ENOMEM;
	b->len = 0;
	if (pw_json_bytes(b, s, n) < 0)
		return -ENOMEM;
	/* pw_json_bytes() produced well-formed UTF-8: skip jansson's second check */
	if ((json_string_length(v) != b->len || memcmp(json_string_value(v), b->data ? b->data : "", b->len) != 0) &&
	    json_string_setn_nocheck(v, b->data ? b->data : "", b->len) < 0)
		return -ENOMEM;
	return put(c, f, v);
}

static int j_num(void *ctx, const struct pw_field *f, long long n)
{
	struct json_ctx *c = ctx;
	size_t r = row(f);
	json_t *v;

	if (r >= MAX_ROWS || !(v = own(c->t, r, JSON_INTEGER, new_integer)))
		return -ENOMEM;
	json_integer_set(v, n);
	return put(c, f, v);
}

static int j_real(void *ctx, const struct pw_field *f, double d)
{
	struct json_ctx *c = ctx;
	size_t r = row(f);
	json_t *v;

	if (r >= MAX_ROWS || !(v = own(c->t, r, JSON_REAL, new_real)))
		return -ENOMEM;
	json_real_set(v, d);
	return put(c, f, v);
}

static int j_bool(void *ctx, const struct pw_field *f, bool v)
{
	return put(ctx, f, json_boolean(v));
}

static int j_null(void *ctx, const struct pw_field *f)
{
	return put(ctx, f, json_null());
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
	struct tpl *t = c->t;
	size_t r = row(f), len = 0;
	json_t *v;

	if (r >= MAX_ROWS || !(v = own(t, r, JSON_ARRAY, new_array)))
		return -ENOMEM;
	for (size_t i = 0; i < argc; i++)
		len += strlen(args + len) + 1;
	/* the same arguments as the last record of this shape: the array stands */
	if (t->last[r].len != len + 1 || memcmp(t->last[r].data, args, len) != 0 || t->last[r].data[len] != (char)argc) {
		json_array_clear(v);
		t->last[r].len = 0;
		for (size_t i = 0, off = 0; i < argc; i++) {
			size_t n = strlen(args + off);

			if (json_array_append_new(v, bytes_string(&c->st->a, args + off, n)) < 0)
				return -ENOMEM;
			off += n + 1;
		}
		if (pw_buf_append(&t->last[r], args, len) < 0 || pw_buf_putc(&t->last[r], (char)argc) < 0) {
			t->last[r].len = 0;
			return -ENOMEM;
		}
	}
	return put(c, f, v);
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
/*
 * The only list is "missing", the last field, of names from the field
 * table (plain ASCII identifiers): written as JSON text at once, kept
 * aside and put after the ancestors.
 */
static int j_list(void *ctx, const struct pw_field *f, const char *const *items, size_t n)
{
	struct json_ctx *c = ctx;
	struct pw_buf *b = &c->missing;
	int r;

	(void)f;
	b->len = 0;
	r = pw_buf_putc(b, '[');
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i)
			r = pw_buf_putc(b, ',');
		if (r == 0)
			r = pw_buf_putc(b, '"');
		if (r == 0)
			r = pw_buf_append(b, items[i], strlen(items[i]));
		if (r == 0)
			r = pw_buf_putc(b, '"');
	}
	if (r == 0)
		r = pw_buf_putc(b, ']');
	c->have_missing = r == 0;
	return r;
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

/* Forget what t holds: its next record builds it again. */
static void tpl_reset(struct tpl *t)
{
	if (t->obj)
		json_object_clear(t->obj);
	memset(t->cur, 0, sizeof(t->cur));
	t->sealed = false;
	t->n = 0;
}

static void tpl_free(struct tpl *t)
{
	json_decref(t->obj);
	for (size_t i = 0; i < MAX_ROWS; i++) {
		json_decref(t->own[i]);
		pw_buf_free(&t->last[i]);
	}
	memset(t, 0, sizeof(*t));
}

/* The template of ev's shape: its kind, whether a thread, the reason of a loss. */
static struct tpl *tpl_for(struct pw_fmt_state *st, const struct pw_event *ev)
{
	unsigned shape = ((unsigned)ev->kind << 3) | (ev->thread ? 4u : 0u) |
			 (ev->kind == PW_EV_LOST ? (unsigned)ev->u.lost.reason : 0u);
	struct tpl *free_slot = NULL, *t;

	if (!st->json && !(st->json = calloc(1, sizeof(*st->json))))
		return NULL;
	for (size_t i = 0; i < NTPLS; i++) {
		t = &st->json->t[i];
		if (t->used && t->shape == shape)
			return t;
		if (!t->used && !free_slot)
			free_slot = t;
	}
	t = free_slot ? free_slot : &st->json->t[0];
	if (t->used)
		tpl_free(t);
	t->obj = json_object();
	if (!t->obj)
		return NULL;
	t->used = true;
	t->shape = shape;
	return t;
}

int pw_format_json(const struct pw_event *ev, struct pw_record_opts *o,
		   struct pw_fmt_state *st, struct pw_buf *out)
{
	struct json_ctx c = { .st = st, .missing = st->missing };
	size_t start = out->len;
	int r;

	c.t = tpl_for(st, ev);
	if (!c.t)
		return -ENOMEM;
	for (int tries = 0;; tries++) {
		c.pos = 0;
		c.mismatch = false;
		c.ancestors = NULL;
		c.have_missing = false;
		r = pw_record_walk(ev, o, &json_ops, &c);
		if (r == 0 && c.t->sealed && c.pos != c.t->n)
			c.mismatch = true;
		if (!c.mismatch || tries)
			break;
		/* a record of this shape with other keys: the object is built again */
		tpl_reset(c.t);
	}
	if (r == 0 && c.mismatch)
		r = -EINVAL;
	if (r == 0 && !c.t->sealed) {
		c.t->sealed = true;
		c.t->n = c.pos;
	}
	if (r == 0 && json_dump_callback(c.t->obj, dump_cb, out,
					 JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) < 0)
		r = -ENOMEM;
	/* jansson wrote the object: the fields kept aside follow before its end */
	if (r == 0 && (c.ancestors || c.have_missing)) {
		out->len--;
		if (c.ancestors && (pw_buf_append(out, ",\"ancestors\":", 13) < 0 ||
				    pw_buf_append(out, c.ancestors, c.ancestors_len) < 0))
			r = -ENOMEM;
		if (r == 0 && c.have_missing &&
		    (pw_buf_append(out, ",\"missing\":", 11) < 0 ||
		     pw_buf_append(out, c.missing.data, c.missing.len) < 0))
			r = -ENOMEM;
		if (r == 0)
			r = pw_buf_putc(out, '}');
	}
	if (r == 0)
		r = pw_buf_putc(out, '\n');
	st->missing = c.missing;	/* its storage is kept for the next record */
	if (r < 0) {
		/* a half-changed object is not trusted again */
		tpl_reset(c.t);
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
	pw_buf_free(&st->missing);
	if (st->json) {
		for (size_t i = 0; i < NTPLS; i++)
			tpl_free(&st->json->t[i]);
		free(st->json);
		st->json = NULL;
	}
}
