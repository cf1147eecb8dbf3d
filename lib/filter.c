/* filter.c - which records to write: process, user, lineage and outcome filters */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "filter.h"
#include "ptable.h"
#include "record.h"

int pw_filter_add(const char ***list, size_t *n, const char *pattern)
{
	const char **v = realloc(*list, (*n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[(*n)++] = pattern;
	*list = v;
	return 0;
}

int pw_filter_add_uid(struct pw_filter *f, uid_t uid)
{
	uid_t *v = realloc(f->uids, (f->nuids + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[f->nuids++] = uid;
	f->uids = v;
	return 0;
}

void pw_filter_free(struct pw_filter *f)
{
	free(f->comm);
	free(f->exe);
	free(f->under);
	free(f->uids);
	memset(f, 0, sizeof(*f));
}

bool pw_filter_active(const struct pw_filter *f)
{
	return f->ncomm || f->nexe || f->nunder || f->nuids || f->failed;
}

/* Whether s matches one of the patterns; an unknown s (NULL) matches none. */
static bool any(const char *const *pats, size_t n, const char *s)
{
	if (!s)
		return false;
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], s, 0) == 0)
			return true;
	return false;
}

/* An ancestor whose name or executable matches: stop (0); none yet: go on (1). */
static int under_match(const struct pw_pentry *a, void *ctx)
{
	const struct pw_filter *f = ctx;
	size_t n;
	const char *exe = pw_pentry_exe(a, &n);

	return ((a->d.have & PW_F_COMM) && any(f->under, f->nunder, a->d.comm)) || any(f->under, f->nunder, exe) ? 0 : 1;
}

static bool under(const struct pw_filter *f, const struct pw_pentry *e)
{
	return e && pw_pentry_lineage(e, under_match, (void *)f) == 0;
}

static bool failed(const struct pw_event *ev)
{
	struct pw_exit_status es;

	if (ev->kind != PW_EV_EXIT)
		return false;
	if (pw_exit_status_decode(ev->u.exit.status, &es) < 0)
		return true;
	return es.signal != 0 || es.code != 0;
}

/* comm, exe, user and --under on process data p (of entry e); uid and euid given. */
static bool match_data(const struct pw_filter *f, const struct pw_proc *p, const char *comm, bool have_ids,
		       uid_t uid, uid_t euid, const struct pw_pentry *e)
{
	if (f->ncomm && !any(f->comm, f->ncomm, comm))
		return false;
	if (f->nexe && !any(f->exe, f->nexe, (p->have & PW_F_EXE) && !p->kthread && p->exe ? p->exe->data : NULL))
		return false;
	if (f->nuids) {
		bool hit = false;

		for (size_t i = 0; i < f->nuids && have_ids; i++)
			hit |= f->uids[i] == uid || f->uids[i] == euid;
		if (!hit)
			return false;
	}
	if (f->nunder && !under(f, e))
		return false;
	return true;
}

unsigned pw_filter_needs(const struct pw_filter *f)
{
	return (f->ncomm ? PW_F_COMM : 0) | (f->nexe ? PW_F_EXE : 0) | (f->nuids ? PW_F_UID : 0);
}

bool pw_filter_may_match(const struct pw_filter *f, const struct pw_proc *p, const struct pw_pentry *e)
{
	const struct pw_proc *ids = (p->have & PW_F_UID) || !e ? p : &e->d;

	return match_data(f, p, (p->have & PW_F_COMM) ? p->comm : NULL, ids->have & PW_F_UID, ids->uid, ids->euid, e);
}

bool pw_filter_match(const struct pw_filter *f, const struct pw_event *ev)
{
	const struct pw_proc *p = &ev->proc;
	const char *comm = ev->kind == PW_EV_COMM ? ev->u.comm.comm : (p->have & PW_F_COMM) ? p->comm : NULL;
	bool id_event = ev->kind == PW_EV_UID;

	if (ev->kind == PW_EV_LOST)
		return true;
	if (f->failed && !failed(ev))
		return false;
	return match_data(f, p, comm, id_event || (p->have & PW_F_UID), id_event ? ev->u.id.real : p->uid,
			  id_event ? ev->u.id.eff : p->euid, ev->entry);
}
