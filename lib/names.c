/* names.c - user and group names, looked up once per id */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "names.h"

struct name_entry {
	unsigned id;
	char *name;		/* NULL: the id has no name */
};

struct name_cache {
	struct name_entry *v;
	size_t n, cap;
};

struct pw_names {
	struct name_cache users, groups;
	char *buf;
	size_t buflen;
};

int pw_names_new(struct pw_names **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static void cache_free(struct name_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
}

void pw_names_free(struct pw_names **names)
{
	if (!*names)
		return;
	cache_free(&(*names)->users);
	cache_free(&(*names)->groups);
	free((*names)->buf);
	free(*names);
	*names = NULL;
}

/* The entry for id, or NULL when it was never looked up. */
static struct name_entry *cache_find(struct name_cache *c, unsigned id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return &c->v[i];
	return NULL;
}

static const char *cache_add(struct name_cache *c, unsigned id, const char *name)
{
	char *copy = NULL;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct name_entry *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	if (name && !(copy = strdup(name)))
		return NULL;
	c->v[c->n].id = id;
	c->v[c->n].name = copy;
	c->n++;
	return copy;
}

static int grow_buf(struct pw_names *names)
{
	size_t len = names->buflen ? names->buflen * 2 : 1024;
	char *b = realloc(names->buf, len);

	if (!b)
		return -ENOMEM;
	names->buf = b;
	names->buflen = len;
	return 0;
}

const char *pw_names_user(struct pw_names *names, uid_t uid)
{
	struct name_entry *e = cache_find(&names->users, uid);
	struct passwd pwd, *res = NULL;
	int r;

	if (e)
		return e->name;
	if (!names->buf && grow_buf(names) < 0)
		return NULL;
	while ((r = getpwuid_r(uid, &pwd, names->buf, names->buflen, &res)) == ERANGE)
		if (grow_buf(names) < 0)
			return NULL;
	return cache_add(&names->users, uid, r == 0 && res ? res->pw_name : NULL);
}

const char *pw_names_group(struct pw_names *names, gid_t gid)
{
	struct name_entry *e = cache_find(&names->groups, gid);
	struct group grp, *res = NULL;
	int r;

	if (e)
		return e->name;
	if (!names->buf && grow_buf(names) < 0)
		return NULL;
	while ((r = getgrgid_r(gid, &grp, names->buf, names->buflen, &res)) == ERANGE)
		if (grow_buf(names) < 0)
			return NULL;
	return cache_add(&names->groups, gid, r == 0 && res ? res->gr_name : NULL);
}
