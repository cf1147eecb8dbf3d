/* filter.h - which records to write: process, user, lineage and outcome filters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_FILTER_H
#define PW_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "event.h"

/*
 * Options of one kind OR together (--comm a --comm b: either name); kinds
 * AND together (--comm a --user 0: both). Empty lists do not filter.
 */
struct pw_filter {
	const char **comm;	/* fnmatch patterns on the process name */
	size_t ncomm;
	const char **exe;	/* fnmatch patterns on the executable path */
	size_t nexe;
	const char **under;	/* fnmatch patterns on any ancestor's name or executable */
	size_t nunder;
	uid_t *uids;		/* real or effective uid */
	size_t nuids;
	bool failed;		/* only exits with a non-zero status or a signal */
};

/* Add a pattern or uid; returns 0 or -ENOMEM. */
int pw_filter_add(const char ***list, size_t *n, const char *pattern);
int pw_filter_add_uid(struct pw_filter *f, uid_t uid);
void pw_filter_free(struct pw_filter *f);

/* Whether f filters anything at all. */
bool pw_filter_active(const struct pw_filter *f);

/*
 * Whether ev (enriched: ev->proc and ev->entry filled) passes f. Lost
 * records always pass. The whole lineage counts for --under, however much
 * of it is printed.
 */
bool pw_filter_match(const struct pw_filter *f, const struct pw_event *ev);

struct pw_pentry;

/* The data fields (PW_F_*) f looks at in a record's process data. */
unsigned pw_filter_needs(const struct pw_filter *f);

/*
 * Whether records of a process with data p (its table entry e, or NULL)
 * pass f as far as its data tells now: its name, executable, users and
 * lineage match; --failed is not judged. For deciding what to read at an
 * exec, ahead of the records: a later rename or new ids can still let a
 * record pass, which then reads what it lacks.
 */
bool pw_filter_may_match(const struct pw_filter *f, const struct pw_proc *p, const struct pw_pentry *e);

#endif
