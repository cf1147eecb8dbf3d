/* ptable.c - the process table: what procwatch knows about each process it has seen */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptable.h"

struct pw_ptable {
	struct pw_pentry **bucket;
	size_t nbuckets;	/* power of two */
	size_t n;
	struct pw_pentry *spare;	/* freed entries, reused before malloc */
};

int pw_ptable_new(struct pw_ptable **out)
{
	struct pw_ptable *pt = calloc(1, sizeof(*pt));

	if (!pt)
		return -ENOMEM;
	pt->nbuckets = 1024;
	pt->bucket = calloc(pt->nbuckets, sizeof(*pt->bucket));
	if (!pt->bucket) {
		free(pt);
		return -ENOMEM;
	}
	*out = pt;
	return 0;
}

static void free_chain(struct pw_pentry *e)
{
	while (e) {
		struct pw_pentry *next = e->next;

		free(e);
		e = next;
	}
}

void pw_ptable_free(struct pw_ptable **pt)
{
	if (!*pt)
		return;
	for (size_t i = 0; i < (*pt)->nbuckets; i++)
		free_chain((*pt)->bucket[i]);
	free_chain((*pt)->spare);
	free((*pt)->bucket);
	free(*pt);
	*pt = NULL;
}

static size_t slot(const struct pw_ptable *pt, pid_t pid)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (pt->nbuckets - 1);
}

struct pw_pentry *pw_ptable_lookup(struct pw_ptable *pt, pid_t pid)
{
	for (struct pw_pentry *e = pt->bucket[slot(pt, pid)]; e; e = e->next)
		if (e->pid == pid)
			return e;
	return NULL;
}

/* Double the bucket array; on failure the table keeps working, only slower. */
static void grow(struct pw_ptable *pt)
{
	size_t nb = pt->nbuckets * 2;
	struct pw_pentry **b = calloc(nb, sizeof(*b));
	struct pw_ptable old = *pt;

	if (!b)
		return;
	pt->bucket = b;
	pt->nbuckets = nb;
	for (size_t i = 0; i < old.nbuckets; i++) {
		struct pw_pentry *e = old.bucket[i];

		while (e) {
			struct pw_pentry *next = e->next;
			size_t s = slot(pt, e->pid);

			e->next = b[s];
			b[s] = e;
			e = next;
		}
	}
	free(old.bucket);
}

struct pw_pentry *pw_ptable_insert(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid), *next;
	size_t s;

	if (e) {
		next = e->next;
		memset(e, 0, sizeof(*e));
		e->pid = pid;
		e->next = next;
		return e;
	}
	if (pt->spare) {
		e = pt->spare;
		pt->spare = e->next;
	} else if (!(e = malloc(sizeof(*e)))) {
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	if (pt->n >= pt->nbuckets)
		grow(pt);
	s = slot(pt, pid);
	e->next = pt->bucket[s];
	pt->bucket[s] = e;
	pt->n++;
	return e;
}

struct pw_pentry *pw_ptable_get(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);

	return e ? e : pw_ptable_insert(pt, pid);
}

void pw_ptable_remove(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry **pp = &pt->bucket[slot(pt, pid)];

	for (; *pp; pp = &(*pp)->next) {
		struct pw_pentry *e = *pp;

		if (e->pid == pid) {
			*pp = e->next;
			e->next = pt->spare;
			pt->spare = e;
			pt->n--;
			return;
		}
	}
}

size_t pw_ptable_size(const struct pw_ptable *pt)
{
	return pt->n;
}
