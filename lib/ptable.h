/* ptable.h - the process table: every process, its data and its lineage */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_PTABLE_H
#define PW_PTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "procfs.h"

/* Entry flags for the caller's use. */
#define PW_PT_TRACKED 0x1u	/* in the traced tree (command mode) */

struct pw_blob;

/*
 * One process (thread-group leader). Its data d is valid as d.have says:
 * after a fork what the child inherited, after an exec what was read at
 * the exec. Strings are shared between entries and immutable.
 *
 * An entry lives while its process lives and, after the exit, for as long
 * as a living descendant's lineage passes through it.
 */
struct pw_pentry {
	pid_t pid;		/* thread-group id */
	struct pw_pentry *parent;	/* creator's entry (a reference), NULL when unknown */
	unsigned refs;		/* 1 while alive, +1 per child entry */
	unsigned flags;
	bool alive;		/* in the table under its pid */
	uint64_t fork_ns;	/* CLOCK_MONOTONIC of its fork event, 0 when it predates procwatch */
	struct pw_proc d;	/* d.ppid: the creator's tgid, 0 when unknown */
	/*
	 * A formatter's rendering of the lineage from this entry up (what its
	 * children print as ancestors), valid while chain_gen equals
	 * pw_ptable_generation(); owned by the entry, freed with it.
	 */
	char *chain;
	size_t chain_len;
	uint64_t chain_gen;
	struct pw_pentry *next;	/* hash chain; owned by the table */
};

struct pw_ptable;

/*
 * Returns 0 with *out set (free with pw_ptable_free()), or -ENOMEM. pfs is
 * borrowed: it must outlive the table.
 */
int pw_ptable_new(struct pw_procfs *pfs, struct pw_ptable **out);
void pw_ptable_free(struct pw_ptable **pt);

/*
 * Seed the table with every process in /proc and link each to its parent.
 * Returns the number of processes read, or -errno.
 */
long pw_ptable_scan(struct pw_ptable *pt);

/* The living process pid, or NULL. Owned by the table. */
struct pw_pentry *pw_ptable_lookup(struct pw_ptable *pt, pid_t pid);

/*
 * A fresh entry for pid created by parent ppid, replacing any older one (a
 * new process with a reused pid inherits nothing of it). Its data and its
 * link to the parent arrive with pw_ptable_apply() of the fork event.
 * Returns NULL when out of memory.
 */
struct pw_pentry *pw_ptable_fork(struct pw_ptable *pt, pid_t ppid, pid_t pid);

/*
 * The living process pid: from the table, or read from /proc now and
 * linked to its parent (after lost events, a process the table never saw
 * being born). Returns 0 with *out set, -ESRCH when it is gone, or -errno.
 */
int pw_ptable_find(struct pw_ptable *pt, pid_t pid, struct pw_pentry **out);

/*
 * Follow: bring the table up to date with ev from the event's own data,
 * and fill ev->proc with what the table knows: a fork gets the inherited
 * data, an exit the data of the last exec, an exec (whose ev->proc the
 * caller read at once, from /proc or the capture) keeps its cwd and ids
 * from the fork when they were not read. /proc is read only for a process
 * the table has never seen. ev->entry is set to the subject's entry.
 * Returns 0 or -errno.
 */
int pw_ptable_follow(struct pw_ptable *pt, struct pw_event *ev);

/*
 * Enrich, after pw_ptable_follow() and only for a record that is written:
 * read from /proc what it still lacks (a fork's start time and its
 * parent's data, an exit's fields the table lacks, the fields of other
 * events that change without an event). ev->proc.missing names what could
 * not be read. Returns 0 or -errno.
 */
int pw_ptable_enrich(struct pw_ptable *pt, struct pw_event *ev);

/* Both, for one event. */
int pw_ptable_apply(struct pw_ptable *pt, struct pw_event *ev);

/*
 * Describe the living process pid as an exist record (ev->kind, pid,
 * ppid, entry and proc filled from the table). Returns 0, -ESRCH when pid
 * is not in the table, or -errno.
 */
int pw_ptable_describe(struct pw_ptable *pt, pid_t pid, struct pw_event *ev);

/*
 * The pids of all living processes, ascending, in a new array *pids (free()
 * it). Returns their number, or -ENOMEM.
 */
long pw_ptable_pids(const struct pw_ptable *pt, pid_t **pids);

/* Process pid has exited and was reported: it leaves the table, its lineage stays while needed. */
void pw_ptable_exit(struct pw_ptable *pt, pid_t pid);

/*
 * A number that changes whenever a lineage any entry shows may have
 * changed (a process with descendants exec'd, was renamed or relinked).
 */
uint64_t pw_ptable_generation(const struct pw_ptable *pt);

/*
 * Fix CLOCK_BOOTTIME - CLOCK_MONOTONIC at boot_mono_ns, for the start time
 * of a process that vanished before it could be read (replaying a
 * recording); otherwise it is measured each time.
 */
void pw_ptable_set_clock(struct pw_ptable *pt, int64_t boot_mono_ns);

/* Living processes in the table. */
size_t pw_ptable_size(const struct pw_ptable *pt);

/* Entries held, living or kept for a descendant's lineage. */
size_t pw_ptable_entries(const struct pw_ptable *pt);

/*
 * Call fn on each ancestor of e, its parent first, at most
 * PW_ANCESTORS_MAX of them. fn returns < 0 for an error, 0 to stop, > 0 to
 * go on. Returns what fn returned last, or 1 when the lineage ended first.
 */
int pw_pentry_lineage(const struct pw_pentry *e, int (*fn)(const struct pw_pentry *a, void *ctx), void *ctx);

/* The nearest ancestor of e with all of flags set, or NULL. */
struct pw_pentry *pw_pentry_ancestor_flagged(const struct pw_pentry *e, unsigned flags);

/* An entry's strings: NULL (with *n 0) when unknown. */
const char *pw_pentry_exe(const struct pw_pentry *e, size_t *n);
const char *pw_pentry_argv(const struct pw_pentry *e, size_t *argc);

#endif
