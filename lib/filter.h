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

#endif
