/* ptable.h - the process table: what procwatch knows about each process it has seen */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_PTABLE_H
#define PW_PTABLE_H

#include <stdbool.h>
#include <sys/types.h>

/* Entry flags. */
#define PW_PT_TRACKED 0x1u	/* in the traced tree (command mode) */

struct pw_pentry {
	pid_t pid;		/* thread-group id */
	pid_t ppid;		/* creator's tgid, 0 when unknown */
	char comm[17];		/* last known comm, "" when unknown */
	unsigned flags;
	struct pw_pentry *next;	/* hash chain; owned by the table */
};

struct pw_ptable;

/* Returns 0 with *out set (free with pw_ptable_free()), or -ENOMEM. */
int pw_ptable_new(struct pw_ptable **out);
void pw_ptable_free(struct pw_ptable **pt);

/* The entry for pid, or NULL. Owned by the table; valid until removed. */
struct pw_pentry *pw_ptable_lookup(struct pw_ptable *pt, pid_t pid);

/*
 * A fresh entry for pid, replacing any older one (a new process with a
 * reused pid inherits nothing). Returns NULL when out of memory.
 */
struct pw_pentry *pw_ptable_insert(struct pw_ptable *pt, pid_t pid);

/* The entry for pid, created empty when absent; NULL when out of memory. */
struct pw_pentry *pw_ptable_get(struct pw_ptable *pt, pid_t pid);

/* Forget pid. */
void pw_ptable_remove(struct pw_ptable *pt, pid_t pid);

/* Number of entries. */
size_t pw_ptable_size(const struct pw_ptable *pt);

#endif
