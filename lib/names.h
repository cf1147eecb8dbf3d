/* names.h - user and group names, looked up once per id */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_NAMES_H
#define PW_NAMES_H

#include <sys/types.h>

struct pw_names;

/* Returns 0 with *out set (free with pw_names_free()), or -ENOMEM. */
int pw_names_new(struct pw_names **out);
void pw_names_free(struct pw_names **names);

/*
 * Name of user uid / group gid, or NULL when it has none. The string is
 * owned by the cache and lives until pw_names_free().
 */
const char *pw_names_user(struct pw_names *names, uid_t uid);
const char *pw_names_group(struct pw_names *names, gid_t gid);

#endif
