/* ptable.c - the process table: what procwatch knows about each process it has seen */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptable.h"
#include "strutil.h"

#define MAX_SPARE 1024		/* freed entries kept for reuse */

/* An immutable string shared by the entries that hold it. */
struct pw_blob {
	unsigned refs;
	size_t len;
	char data[];
};

struct pw_ptable {
	struct pw_pentry **bucket;
	size_t nbuckets;	/* power of two */
	size_t n;
	struct pw_pentry *spare;	/* freed entries, reused before malloc */
	size_t nspare;
	struct pw_procfs *pfs;
	struct pw_proc scratch;	/* /proc data of a parent seen for the first time */
};

static struct pw_blob *blob_new(const char *s, size_t len)
{
	struct pw_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	b->refs = 1;
	b->len = len;
	memcpy(b->data, s, len);
	b->data[len] = '\0';
	return b;
}

static struct pw_blob *blob_ref(struct pw_blob *b)
{
	if (b)
		b->refs++;
	return b;
}

static void blob_unref(struct pw_blob **b)
{
	if (*b && --(*b)->refs == 0)
		free(*b);
	*b = NULL;
}

static void entry_clear_data(struct pw_pentry *e)
{
	blob_unref(&e->exe);
	blob_unref(&e->cwd);
	blob_unref(&e->argv);
	e->have = 0;
	e->argc = 0;
	e->kthread = false;
	e->comm[0] = '\0';
}

int pw_ptable_new(struct pw_procfs *pfs, struct pw_ptable **out)
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
	pt->pfs = pfs;
	*out = pt;
	return 0;
}

static void free_chain(struct pw_pentry *e)
{
	while (e) {
		struct pw_pentry *next = e->next;

		entry_clear_data(e);
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
	pw_proc_free(&(*pt)->scratch);
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
	size_t nb = pt->nbuckets * 2, old_nb = pt->nbuckets;
	struct pw_pentry **b = calloc(nb, sizeof(*b)), **old = pt->bucket;

	if (!b)
		return;
	pt->bucket = b;
	pt->nbuckets = nb;
	for (size_t i = 0; i < old_nb; i++) {
		struct pw_pentry *e = old[i];

		while (e) {
			struct pw_pentry *next = e->next;
			size_t s = slot(pt, e->pid);

			e->next = b[s];
			b[s] = e;
			e = next;
		}
	}
	free(old);
}

/* A fresh, empty entry for pid, replacing an older one. */
static struct pw_pentry *insert(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid), *next;
	size_t s;

	if (e) {
		next = e->next;
		entry_clear_data(e);
		memset(e, 0, sizeof(*e));
		e->pid = pid;
		e->next = next;
		return e;
	}
	if (pt->spare) {
		e = pt->spare;
		pt->spare = e->next;
		pt->nspare--;
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

struct pw_pentry *pw_ptable_fork(struct pw_ptable *pt, pid_t ppid, pid_t pid)
{
	struct pw_pentry *e = insert(pt, pid);

	if (e)
		e->ppid = ppid;
	return e;
}

void pw_ptable_remove(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry **pp = &pt->bucket[slot(pt, pid)];

	for (; *pp; pp = &(*pp)->next) {
		struct pw_pentry *e = *pp;

		if (e->pid != pid)
			continue;
		*pp = e->next;
		pt->n--;
		entry_clear_data(e);
		if (pt->nspare < MAX_SPARE) {
			e->next = pt->spare;
			pt->spare = e;
			pt->nspare++;
		} else {
			free(e);
		}
		return;
	}
}

size_t pw_ptable_size(const struct pw_ptable *pt)
{
	return pt->n;
}

/* Replace the fields of e that p read (fields in mask only). Returns 0 or -ENOMEM. */
static int store(struct pw_pentry *e, const struct pw_proc *p, unsigned mask)
{
	unsigned got = p->have & mask;
	struct pw_blob *exe = NULL, *cwd = NULL, *argv = NULL;

	if ((got & PW_F_EXE) && !(exe = blob_new(p->exe.data ? p->exe.data : "", p->exe.len)))
		goto err;
	if ((got & PW_F_CWD) && !(cwd = blob_new(p->cwd.data ? p->cwd.data : "", p->cwd.len)))
		goto err;
	if ((got & PW_F_ARGV) && !(argv = blob_new(p->argv.data ? p->argv.data : "", p->argc ? p->argv.len : 0)))
		goto err;
	if (got & PW_F_EXE) {
		blob_unref(&e->exe);
		e->exe = exe;
	}
	if (got & PW_F_CWD) {
		blob_unref(&e->cwd);
		e->cwd = cwd;
	}
	if (got & PW_F_ARGV) {
		blob_unref(&e->argv);
		e->argv = argv;
		e->argc = p->argc;
	}
	if (got & PW_F_COMM)
		memcpy(e->comm, p->comm, sizeof(e->comm));
	if (got & PW_F_PPID)
		e->ppid = p->ppid;
	if (got & PW_F_UID) {
		e->uid = p->uid;
		e->euid = p->euid;
	}
	if (got & PW_F_GID) {
		e->gid = p->gid;
		e->egid = p->egid;
	}
	if (got & (PW_F_EXE | PW_F_ARGV))
		e->kthread = p->kthread;
	e->have |= got;
	return 0;
err:
	blob_unref(&exe);
	blob_unref(&cwd);
	blob_unref(&argv);
	return -ENOMEM;
}

/* Forget the fields in mask (an exec replaced them and they could not be read). */
static void drop(struct pw_pentry *e, unsigned mask)
{
	if (mask & PW_F_EXE)
		blob_unref(&e->exe);
	if (mask & PW_F_ARGV) {
		blob_unref(&e->argv);
		e->argc = 0;
	}
	if (mask & PW_F_COMM)
		e->comm[0] = '\0';
	e->have &= ~mask;
}

static void inherit(struct pw_pentry *child, const struct pw_pentry *parent)
{
	pid_t ppid = child->ppid;

	entry_clear_data(child);
	child->have = parent->have & ~PW_F_PPID;
	child->kthread = parent->kthread;
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	child->exe = blob_ref(parent->exe);
	child->cwd = blob_ref(parent->cwd);
	child->argv = blob_ref(parent->argv);
	child->argc = parent->argc;
	child->uid = parent->uid;
	child->euid = parent->euid;
	child->gid = parent->gid;
	child->egid = parent->egid;
	child->ppid = ppid;
	if (ppid)
		child->have |= PW_F_PPID;
}

static int copy_blob(struct pw_buf *dst, const struct pw_blob *b)
{
	dst->len = 0;
	return pw_buf_append(dst, b ? b->data : "", b ? b->len : 0);
}

/* Complete p with the fields in want that e knows and p has not. Returns 0 or -ENOMEM. */
static int fill(const struct pw_pentry *e, unsigned want, struct pw_proc *p)
{
	unsigned add = e->have & want & ~p->have;

	if ((add & PW_F_EXE) && copy_blob(&p->exe, e->exe) < 0)
		return -ENOMEM;
	if ((add & PW_F_CWD) && copy_blob(&p->cwd, e->cwd) < 0)
		return -ENOMEM;
	if (add & PW_F_ARGV) {
		if (copy_blob(&p->argv, e->argv) < 0)
			return -ENOMEM;
		p->argc = e->argc;
	}
	if (add & (PW_F_EXE | PW_F_ARGV))
		p->kthread = e->kthread;
	if (add & PW_F_COMM)
		memcpy(p->comm, e->comm, sizeof(p->comm));
	if (add & PW_F_PPID)
		p->ppid = e->ppid;
	if (add & PW_F_UID) {
		p->uid = e->uid;
		p->euid = e->euid;
	}
	if (add & PW_F_GID) {
		p->gid = e->gid;
		p->egid = e->egid;
	}
	p->have |= add;
	return 0;
}

/* The entry for pid with its data, read from /proc when the table has none. */
static struct pw_pentry *known(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);

	if (e && e->have)
		return e;
	if (!e && !(e = insert(pt, pid)))
		return NULL;
	if (pw_procfs_read(pt->pfs, pid, PW_F_ALL, &pt->scratch) < 0 ||
	    store(e, &pt->scratch, PW_F_ALL) < 0)
		return NULL;
	return e;
}

static void reset_proc(struct pw_proc *p)
{
	p->have = 0;
	p->missing = 0;
	p->argc = 0;
	p->kthread = false;
	p->zombie = false;
}

int pw_ptable_apply(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e, *parent;
	unsigned lack;

	switch (ev->kind) {
	case PW_EV_FORK:
		reset_proc(p);
		if (ev->thread) {
			/* a thread shares everything with its process */
			e = known(pt, ev->pid);
		} else {
			e = pw_ptable_lookup(pt, ev->pid);
			if (!e && !(e = pw_ptable_fork(pt, ev->ppid, ev->pid)))
				return -ENOMEM;
			parent = known(pt, ev->ppid);
			if (parent)
				inherit(e, parent);
		}
		if (e && fill(e, PW_F_ALL, p) < 0)
			return -ENOMEM;
		p->missing = PW_F_ALL & ~p->have;
		return 0;
	case PW_EV_EXEC:
		/* ev->proc was read at once; an exec replaces exe, argv and comm */
		e = pw_ptable_lookup(pt, ev->pid);
		if (!e && !(e = insert(pt, ev->pid)))
			return -ENOMEM;
		drop(e, (PW_F_EXE | PW_F_ARGV | PW_F_COMM) & ~p->have);
		if (store(e, p, PW_F_ALL) < 0)
			return -ENOMEM;
		return fill(e, PW_F_CWD | PW_F_UID | PW_F_GID | PW_F_PPID, p);
	case PW_EV_EXIT:
		reset_proc(p);
		e = pw_ptable_lookup(pt, ev->pid);
		lack = PW_F_ALL & ~(e ? e->have : 0);
		if (lack && pw_procfs_read(pt->pfs, ev->pid, lack, p) < 0)
			return -ENOMEM;
		if (e && fill(e, PW_F_ALL, p) < 0)
			return -ENOMEM;
		p->missing = PW_F_ALL & ~p->have;
		return 0;
	default:
		/*
		 * exe, argv, comm and ids change only through events the table
		 * follows: take them from there, so the record shows the process
		 * as it was at this event. cwd and ppid change silently: read them.
		 */
		e = pw_ptable_lookup(pt, ev->pid);
		lack = e ? PW_F_CWD | PW_F_PPID | (PW_F_ALL & ~e->have) : PW_F_ALL;
		if (pw_procfs_read(pt->pfs, ev->pid, lack, p) < 0)
			return -ENOMEM;
		if (!e)
			return 0;
		/*
		 * The name known before may have been read from /proc after the
		 * rename already happened: when it equals the new one, the old
		 * name is unknown.
		 */
		if (ev->kind == PW_EV_COMM && strncmp(e->comm, ev->u.comm.comm, sizeof(ev->u.comm.comm)) != 0) {
			memcpy(ev->u.comm.old_comm, e->comm, sizeof(ev->u.comm.old_comm) - 1);
			ev->u.comm.old_comm[sizeof(ev->u.comm.old_comm) - 1] = '\0';
		}
		if (store(e, p, lack) < 0)
			return -ENOMEM;
		if (ev->kind == PW_EV_COMM) {
			memset(e->comm, 0, sizeof(e->comm));
			memcpy(e->comm, ev->u.comm.comm, sizeof(ev->u.comm.comm));
			e->have |= PW_F_COMM;
		} else if (ev->kind == PW_EV_UID) {
			e->uid = ev->u.id.real;
			e->euid = ev->u.id.eff;
			e->have |= PW_F_UID;
		} else if (ev->kind == PW_EV_GID) {
			e->gid = ev->u.id.real;
			e->egid = ev->u.id.eff;
			e->have |= PW_F_GID;
		}
		return fill(e, PW_F_ALL, p);
	}
}
