/* ptable.h - the process table: what procwatch knows about each process it has seen */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_PTABLE_H
#define PW_PTABLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "event.h"
#include "procfs.h"

/* Entry flags for the caller's use. */
#define PW_PT_TRACKED 0x1u	/* in the traced tree (command mode) */

struct pw_blob;

/*
 * One process (thread-group leader). Data fields are valid as `have` says:
 * after a fork they are what the child inherited, after an exec what /proc
 * said at the exec. Strings are shared between entries and immutable.
 */
struct pw_pentry {
	pid_t pid;		/* thread-group id */
	pid_t ppid;		/* creator's tgid, 0 when unknown */
	unsigned flags;
	unsigned have;		/* PW_F_* known */
	bool kthread;
	char comm[64];
	struct pw_blob *exe, *cwd, *argv;
	size_t argc;
	uid_t uid, euid;
	gid_t gid, egid;
	struct pw_pentry *next;	/* hash chain; owned by the table */
};

struct pw_ptable;

/*
 * Returns 0 with *out set (free with pw_ptable_free()), or -ENOMEM. pfs is
 * borrowed: it must outlive the table.
 */
int pw_ptable_new(struct pw_procfs *pfs, struct pw_ptable **out);
void pw_ptable_free(struct pw_ptable **pt);

/* The entry for pid, or NULL. Owned by the table; valid until removed. */
struct pw_pentry *pw_ptable_lookup(struct pw_ptable *pt, pid_t pid);

/*
 * A fresh entry for pid created by parent ppid, replacing any older one (a
 * new process with a reused pid inherits nothing of it). Its data arrives
 * with pw_ptable_apply() of the fork event. Returns NULL when out of memory.
 */
struct pw_pentry *pw_ptable_fork(struct pw_ptable *pt, pid_t ppid, pid_t pid);

/*
 * Bring the table up to date with ev and complete ev->proc with what is
 * known: a fork gets the inherited data, an exit the data of the last exec,
 * an exec (whose ev->proc the caller read from /proc right away) keeps its
 * cwd and ids from fork when they could not be read. Other events take
 * exe, argv, comm and ids from the table and read cwd and ppid from /proc
 * (everything when the process is new to the table). ev->proc.missing
 * names what was read from /proc and could not be.
 * Returns 0 or -ENOMEM.
 */
int pw_ptable_apply(struct pw_ptable *pt, struct pw_event *ev);

/* Forget pid (after its exit was reported). */
void pw_ptable_remove(struct pw_ptable *pt, pid_t pid);

/* Number of entries. */
size_t pw_ptable_size(const struct pw_ptable *pt);

#endif
