/* ptable.c - the process table: every process, its data and its lineage */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptable.h"
#include "record.h"
#include "strutil.h"

#define MAX_SPARE 1024		/* freed entries kept for reuse */

struct pw_ptable {
	struct pw_pentry **bucket;	/* living processes by pid */
	size_t nbuckets;	/* power of two */
	size_t n;		/* living */
	size_t nentries;	/* living and kept for lineage */
	struct pw_pentry *spare;	/* freed entries, reused before malloc */
	size_t nspare;
	struct pw_procfs *pfs;
	struct pw_proc scratch;	/* /proc data of a process seen for the first time */
	long ticks_per_sec;
	bool fixed_clock;
	int64_t boot_mono_ns;	/* CLOCK_BOOTTIME - CLOCK_MONOTONIC when fixed_clock */
	uint64_t gen;		/* see pw_ptable_generation() */
};

static void drop_chain(struct pw_pentry *e)
{
	free(e->chain);
	e->chain = NULL;
	e->chain_len = 0;
}

static void clear_data(struct pw_pentry *e)
{
	drop_chain(e);
	pw_proc_forget(&e->d, ~0u);
	e->d.kthread = false;
}

const char *pw_pentry_exe(const struct pw_pentry *e, size_t *n)
{
	if (!(e->d.have & PW_F_EXE) || e->d.kthread || !e->d.exe) {
		*n = 0;
		return NULL;
	}
	*n = e->d.exe->len;
	return e->d.exe->data;
}

const char *pw_pentry_argv(const struct pw_pentry *e, size_t *argc)
{
	if (!(e->d.have & PW_F_ARGV)) {
		*argc = 0;
		return NULL;
	}
	*argc = e->d.argc;
	return e->d.argv && e->d.argc ? e->d.argv->data : "";
}

int pw_pentry_lineage(const struct pw_pentry *e, int (*fn)(const struct pw_pentry *a, void *ctx), void *ctx)
{
	size_t depth = 0;

	for (const struct pw_pentry *a = e->parent; a && depth < PW_ANCESTORS_MAX; a = a->parent, depth++) {
		int r = fn(a, ctx);

		if (r <= 0)
			return r;
	}
	return 1;
}

struct flagged {
	unsigned flags;
	const struct pw_pentry *found;
};

static int is_flagged(const struct pw_pentry *a, void *ctx)
{
	struct flagged *f = ctx;

	if ((a->flags & f->flags) != f->flags)
		return 1;
	f->found = a;
	return 0;
}

struct pw_pentry *pw_pentry_ancestor_flagged(const struct pw_pentry *e, unsigned flags)
{
	struct flagged f = { flags, NULL };

	pw_pentry_lineage(e, is_flagged, &f);
	return (struct pw_pentry *)f.found;
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
	pt->ticks_per_sec = sysconf(_SC_CLK_TCK);
	if (pt->ticks_per_sec <= 0)
		pt->ticks_per_sec = 100;
	*out = pt;
	return 0;
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

/*
 * Drop one reference to e; an entry nobody needs is freed, and with it its
 * reference to its parent, up the chain (a loop: lineage can be deep).
 */
static void unref(struct pw_ptable *pt, struct pw_pentry *e)
{
	while (e && --e->refs == 0) {
		struct pw_pentry *parent = e->parent;

		clear_data(e);
		pt->nentries--;
		if (pt->nspare < MAX_SPARE) {
			e->next = pt->spare;
			pt->spare = e;
			pt->nspare++;
		} else {
			free(e);
		}
		e = parent;
	}
}

/* Take e out of the pid index: its process is gone. */
static void unhash(struct pw_ptable *pt, struct pw_pentry *e)
{
	struct pw_pentry **pp = &pt->bucket[slot(pt, e->pid)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			e->next = NULL;
			e->alive = false;
			pt->n--;
			unref(pt, e);
			return;
		}
	}
}

void pw_ptable_free(struct pw_ptable **ptp)
{
	struct pw_ptable *pt = *ptp;

	if (!pt)
		return;
	for (size_t i = 0; i < pt->nbuckets; i++)
		while (pt->bucket[i])
			unhash(pt, pt->bucket[i]);
	while (pt->spare) {
		struct pw_pentry *e = pt->spare;

		pt->spare = e->next;
		free(e);
	}
	free(pt->bucket);
	pw_proc_free(&pt->scratch);
	free(pt);
	*ptp = NULL;
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

/* A fresh, empty, living entry for pid; an older process with that pid leaves the index. */
static struct pw_pentry *insert(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);
	size_t s;

	if (e)
		unhash(pt, e);
	if (pt->spare) {
		e = pt->spare;
		pt->spare = e->next;
		pt->nspare--;
	} else if (!(e = malloc(sizeof(*e)))) {
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->refs = 1;
	e->alive = true;
	if (pt->n >= pt->nbuckets)
		grow(pt);
	s = slot(pt, pid);
	e->next = pt->bucket[s];
	pt->bucket[s] = e;
	pt->n++;
	pt->nentries++;
	return e;
}

/*
 * What e shows as an ancestor (pid, key, comm, exe, argv) or its lineage
 * changed: its own rendering is stale, and so is every rendering that
 * passes through it, if anything descends from it.
 */
static void changed(struct pw_ptable *pt, struct pw_pentry *e)
{
	drop_chain(e);
	if (e->refs > (e->alive ? 1u : 0u))
		pt->gen++;
}

uint64_t pw_ptable_generation(const struct pw_ptable *pt)
{
	return pt->gen;
}

/*
 * Make parent e's creator. A link that would close a loop (possible only
 * from inconsistent /proc reads during pid reuse) is refused, so every
 * lineage ends.
 */
static void set_parent(struct pw_pentry *e, struct pw_pentry *parent, struct pw_ptable *pt)
{
	struct pw_pentry *old = e->parent;

	if (parent == old)
		return;
	for (const struct pw_pentry *a = parent; a; a = a->parent)
		if (a == e)
			return;
	if (parent)
		parent->refs++;
	e->parent = parent;
	if (old)
		unref(pt, old);
	changed(pt, e);
}

struct pw_pentry *pw_ptable_fork(struct pw_ptable *pt, pid_t ppid, pid_t pid)
{
	struct pw_pentry *e = insert(pt, pid);

	if (e)
		e->d.ppid = ppid;
	return e;
}

void pw_ptable_exit(struct pw_ptable *pt, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);

	if (e)
		unhash(pt, e);
}

void pw_ptable_set_clock(struct pw_ptable *pt, int64_t boot_mono_ns)
{
	pt->fixed_clock = true;
	pt->boot_mono_ns = boot_mono_ns;
}

size_t pw_ptable_size(const struct pw_ptable *pt)
{
	return pt->n;
}

size_t pw_ptable_entries(const struct pw_ptable *pt)
{
	return pt->nentries;
}

/* Replace the fields of e that p read (fields in mask only); their strings are shared. */
static void store(struct pw_ptable *pt, struct pw_pentry *e, const struct pw_proc *p, unsigned mask)
{
	unsigned got = p->have & mask;
	bool lineage = (got & (PW_F_EXE | PW_F_ARGV | PW_F_COMM)) ||
		       ((got & PW_F_START) && (!(e->d.have & PW_F_START) || e->d.starttime != p->starttime));

	pw_proc_copy(&e->d, p, got);
	if (lineage)
		changed(pt, e);
}

/* Forget the fields in mask (an exec replaced them and they could not be read). */
static void drop(struct pw_ptable *pt, struct pw_pentry *e, unsigned mask)
{
	if (mask & e->d.have)
		changed(pt, e);
	pw_proc_forget(&e->d, mask);
}

/* The child's data is the parent's at the fork; identity and lineage are its own. */
static void inherit(struct pw_pentry *child, const struct pw_pentry *parent)
{
	unsigned own = PW_F_PPID | PW_F_START, kept = child->d.have & own;

	clear_data(child);
	child->d.kthread = parent->d.kthread;
	pw_proc_copy(&child->d, &parent->d, parent->d.have & pw_fields_inherited(PW_IN_FORK));
	child->d.have |= kept;
}

/* Complete p with the fields in want that e knows and p has not. */
static void fill(const struct pw_pentry *e, unsigned want, struct pw_proc *p)
{
	pw_proc_copy(p, &e->d, e->d.have & want & ~p->have);
}

/*
 * What /proc said belongs to e only if the start times agree; otherwise the
 * pid was reused and the read describes another process: forget it.
 */
static void check_identity(const struct pw_pentry *e, struct pw_proc *p)
{
	if ((e->d.have & PW_F_START) && (p->have & PW_F_START) && p->starttime != e->d.starttime) {
		p->missing |= p->have;
		p->have = 0;
	}
}

/*
 * Read process pid from /proc into e (a new entry when e is NULL) and link
 * it to its parent. Returns 0 with *out set, -ESRCH when the process is
 * gone, or -errno.
 */
static int discover(struct pw_ptable *pt, pid_t pid, struct pw_pentry *e, struct pw_pentry **out)
{
	int r = pw_procfs_read(pt->pfs, pid, PW_F_ALL, &pt->scratch);

	if (r < 0)
		return r;
	if (!(pt->scratch.have & PW_F_START))
		return -ESRCH;	/* gone: nothing to know it by */
	if (!e && !(e = insert(pt, pid)))
		return -ENOMEM;
	store(pt, e, &pt->scratch, PW_F_ALL);
	if ((e->d.have & PW_F_PPID) && !e->parent)
		set_parent(e, pw_ptable_lookup(pt, e->d.ppid), pt);
	*out = e;
	return 0;
}

/*
 * Read what e lacks of want from /proc, if it is still the same process.
 * The start-up scan reads only what a lineage shows; the rest comes here,
 * the first time a record or a child needs it. Returns 0 or -errno.
 */
static int complete(struct pw_ptable *pt, struct pw_pentry *e, unsigned want)
{
	unsigned lack = want & PW_F_ALL & ~e->d.have;
	int r;

	if (!lack || !e->alive)
		return 0;
	r = pw_procfs_read(pt->pfs, e->pid, lack | PW_F_START, &pt->scratch);
	if (r < 0)
		return r;
	check_identity(e, &pt->scratch);
	store(pt, e, &pt->scratch, lack);
	return 0;
}

/*
 * The living entry for pid with all its data: from the table, or
 * discovered now. Returns 0 with *out set, -ESRCH when it is gone, or
 * -errno.
 */
static int known(struct pw_ptable *pt, pid_t pid, struct pw_pentry **out)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);
	int r;

	if (!e || !e->d.have)
		return discover(pt, pid, e, out);
	r = complete(pt, e, PW_F_ALL);
	if (r == 0)
		*out = e;
	return r;
}

/* What the start-up scan reads: the lineage and what it shows of each process. */
#define SCAN_FIELDS (PW_F_PPID | PW_F_COMM | PW_F_START | PW_F_TTY | PW_F_EXE | PW_F_ARGV)

int pw_ptable_find(struct pw_ptable *pt, pid_t pid, struct pw_pentry **out)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);

	if (!e)
		return discover(pt, pid, NULL, out);
	*out = e;
	return 0;
}

long pw_ptable_scan(struct pw_ptable *pt)
{
	DIR *d = fdopendir(dup(pw_procfs_rootfd(pt->pfs)));
	struct dirent *de;
	long n = 0;

	if (!d)
		return -errno;
	rewinddir(d);
	while ((de = readdir(d))) {
		unsigned long pid;

		if (pw_parse_ulong(de->d_name, 1, INT32_MAX, &pid) < 0)
			continue;
		if (pw_ptable_lookup(pt, (pid_t)pid))
			continue;
		int r = pw_procfs_read(pt->pfs, (pid_t)pid, SCAN_FIELDS, &pt->scratch);

		if (r < 0) {
			closedir(d);
			return r;
		}
		if (!(pt->scratch.have & PW_F_START))
			continue;	/* exited meanwhile */
		struct pw_pentry *e = insert(pt, (pid_t)pid);

		if (!e) {
			closedir(d);
			return -ENOMEM;
		}
		store(pt, e, &pt->scratch, SCAN_FIELDS);
		n++;
	}
	closedir(d);
	/* parents are linked once all are known: /proc lists them in no useful order */
	for (size_t i = 0; i < pt->nbuckets; i++)
		for (struct pw_pentry *e = pt->bucket[i]; e; e = e->next)
			if (!e->parent && (e->d.have & PW_F_PPID))
				set_parent(e, pw_ptable_lookup(pt, e->d.ppid), pt);
	return n;
}

/* Clock ticks since boot at monotonic time ns: the start time of a process that vanished too soon. */
static unsigned long long ticks_at(const struct pw_ptable *pt, uint64_t mono_ns)
{
	struct timespec mono, boot;
	int64_t off;

	if (pt->fixed_clock) {
		off = pt->boot_mono_ns;
	} else {
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_BOOTTIME, &boot);
		off = ((int64_t)boot.tv_sec - mono.tv_sec) * 1000000000 + (boot.tv_nsec - mono.tv_nsec);
	}
	return (unsigned long long)((int64_t)mono_ns + off) / (1000000000ULL / (unsigned long long)pt->ticks_per_sec);
}

static void reset_proc(struct pw_proc *p)
{
	p->have = 0;
	p->missing = 0;
	p->argc = 0;
	p->kthread = false;
	p->zombie = false;
}

/* Make sure e has a start time: from /proc, or from its fork when it vanished too soon. Returns 0 or -errno. */
static int ensure_start(struct pw_ptable *pt, struct pw_pentry *e)
{
	int r;

	if (e->d.have & PW_F_START)
		return 0;
	r = pw_procfs_starttime(pt->pfs, e->pid, &e->d.starttime);
	if (r < 0 && r != -ESRCH)
		return r;
	if (r < 0 && !e->fork_ns)
		return 0;
	if (r < 0)
		e->d.starttime = ticks_at(pt, e->fork_ns);
	e->d.have |= PW_F_START;
	return 0;
}

/*
 * A new process: its entry, its parent's data as inherited, its start
 * time when the capture knew it. Nothing is read from /proc but a parent
 * the table never saw. Returns 0 or -ENOMEM.
 */
static int follow_fork(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e, *parent;

	reset_proc(p);
	ev->u.fork.fresh = false;
	if (ev->thread) {
		/* a thread shares everything with its process */
		e = pw_ptable_lookup(pt, ev->pid);
	} else {
		e = pw_ptable_lookup(pt, ev->pid);
		if (!e && !(e = pw_ptable_fork(pt, ev->ppid, ev->pid)))
			return -ENOMEM;
		if (!e->fork_ns) {
			ev->u.fork.fresh = true;
			e->fork_ns = ev->ts_ns;
			/* the child's own start time: its identity for the rest of its life */
			if (ev->u.fork.start_known) {
				e->d.starttime = ev->u.fork.starttime;
				e->d.have |= PW_F_START;
			}
			if (ev->ppid)
				e->d.have |= PW_F_PPID;
			parent = pw_ptable_lookup(pt, ev->ppid);
			if (!parent || !parent->d.have) {
				int r = discover(pt, ev->ppid, parent, &parent);

				if (r == -ESRCH)
					parent = NULL;	/* gone: no parent to inherit from */
				else if (r < 0)
					return r;
			}
			if (parent) {
				inherit(e, parent);
				set_parent(e, parent, pt);
			}
		}
	}
	ev->entry = e;
	if (e)
		fill(e, PW_F_ALL, p);
	p->missing = PW_F_ALL & ~p->have;
	return 0;
}

/* A fork that is written: its start time, and all of its parent's data. Returns 0 or -ENOMEM. */
static int enrich_fork(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = ev->entry;

	int r = 0;

	if (ev->thread) {
		reset_proc(p);
		r = known(pt, ev->pid, &e);
		if (r == -ESRCH)
			e = NULL;	/* gone: the record says so */
		else if (r < 0)
			return r;
		ev->entry = e;
	} else if (e && ev->u.fork.fresh) {
		if ((r = ensure_start(pt, e)) < 0)
			return r;
		if (e->parent && (e->parent->d.have & PW_F_ALL) != PW_F_ALL) {
			if ((r = complete(pt, e->parent, PW_F_ALL)) < 0)
				return r;
			inherit(e, e->parent);
		}
	}
	if (e)
		fill(e, PW_F_ALL, p);
	p->missing = PW_F_ALL & ~p->have;
	return 0;
}

/* An exec: ev->proc was read at once (or taken from the capture); it replaces exe, argv and comm. */
static int follow_exec(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = pw_ptable_lookup(pt, ev->pid);

	if (!e) {
		if (!(e = insert(pt, ev->pid)))
			return -ENOMEM;
		if (p->have & PW_F_PPID)
			set_parent(e, pw_ptable_lookup(pt, p->ppid), pt);
	}
	check_identity(e, p);
	drop(pt, e, pw_fields_inherited(PW_IN_EXEC) & ~p->have);
	store(pt, e, p, PW_F_ALL);
	ev->entry = e;
	/* what was not read because it cannot have changed is the table's, if it knows it */
	if (p->inherit & ~e->d.have) {
		if (complete(pt, e, p->inherit) < 0)
			return -ENOMEM;
		p->missing |= p->inherit & ~e->d.have;
	}
	p->missing &= ~(p->inherit & e->d.have);
	fill(e, PW_F_ALL & ~pw_fields_inherited(PW_IN_EXEC), p);
	return 0;
}

/* An exec that is written: what the eager read left for later, read now. Returns 0 or -ENOMEM. */
static int enrich_exec(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = ev->entry;
	unsigned lack = PW_F_ALL & ~(p->have | p->missing | p->inherit);

	if (!e)
		return 0;
	if (lack && e->alive) {
		int r = pw_procfs_read(pt->pfs, e->pid, lack | PW_F_START, &pt->scratch);

		if (r < 0)
			return r;
		check_identity(e, &pt->scratch);
		store(pt, e, &pt->scratch, lack);
		fill(e, lack, p);
		p->missing |= lack & ~e->d.have;
	}
	return ensure_start(pt, e);
}

/* An exit: what the table knows. */
static int follow_exit(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = pw_ptable_lookup(pt, ev->pid);

	reset_proc(p);
	ev->entry = e;
	if (e)
		fill(e, PW_F_ALL, p);
	p->missing = PW_F_ALL & ~p->have;
	return 0;
}

/* An exit that is written: what the table lacks, from /proc while the process is a zombie. */
static int enrich_exit(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = ev->entry;
	unsigned lack = PW_F_ALL & ~(e ? e->d.have : 0);
	int r = 0;

	reset_proc(p);
	if (lack && (r = pw_procfs_read(pt->pfs, ev->pid, lack, p)) < 0)
		return r;
	if (e) {
		check_identity(e, p);
		fill(e, PW_F_ALL, p);
		if ((r = ensure_start(pt, e)) < 0)
			return r;
	}
	p->missing = PW_F_ALL & ~p->have;
	return 0;
}

/*
 * Another event: the table takes the event's own data (a new name, new
 * ids). Only a process the table does not know is read from /proc.
 */
static int follow_other(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = pw_ptable_lookup(pt, ev->pid);

	reset_proc(p);
	if (!e) {
		int r = discover(pt, ev->pid, NULL, &e);

		if (r < 0) {
			ev->entry = NULL;
			return r == -ESRCH ? 0 : r;	/* gone: enrich tries /proc once more */
		}
	}
	/*
	 * The name known before may have been read from /proc after the rename
	 * already happened: when it equals the new one, the old name is unknown.
	 */
	if (ev->kind == PW_EV_COMM && (e->d.have & PW_F_COMM) &&
	    strncmp(e->d.comm, ev->u.comm.comm, sizeof(ev->u.comm.comm)) != 0) {
		memcpy(ev->u.comm.old_comm, e->d.comm, sizeof(ev->u.comm.old_comm) - 1);
		ev->u.comm.old_comm[sizeof(ev->u.comm.old_comm) - 1] = '\0';
	}
	if (ev->kind == PW_EV_COMM) {
		memset(e->d.comm, 0, sizeof(e->d.comm));
		memcpy(e->d.comm, ev->u.comm.comm, sizeof(ev->u.comm.comm));
		e->d.have |= PW_F_COMM;
		changed(pt, e);
	} else if (ev->kind == PW_EV_UID) {
		e->d.uid = ev->u.id.real;
		e->d.euid = ev->u.id.eff;
		e->d.have |= PW_F_UID;
	} else if (ev->kind == PW_EV_GID) {
		e->d.gid = ev->u.id.real;
		e->d.egid = ev->u.id.eff;
		e->d.have |= PW_F_GID;
	}
	ev->entry = e;
	fill(e, PW_F_ALL, p);
	return 0;
}

/*
 * Another event that is written: exe, argv, comm, ids, tty and the start
 * time change only through events the table follows, so the record shows
 * the process as it was at this event; the rest can change silently and
 * is read.
 */
static int enrich_other(struct pw_ptable *pt, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc;
	struct pw_pentry *e = ev->entry;
	unsigned lack;
	int r;

	if (!e)
		return pw_procfs_read(pt->pfs, ev->pid, PW_F_ALL, p);
	lack = pw_fields_inherited(PW_IN_VOLATILE) | PW_F_START | (PW_F_ALL & ~e->d.have);
	r = pw_procfs_read(pt->pfs, ev->pid, lack, p);
	if (r < 0)
		return r;
	check_identity(e, p);
	store(pt, e, p, lack & ~PW_F_PPID);
	fill(e, PW_F_ALL, p);
	return 0;
}

int pw_ptable_describe(struct pw_ptable *pt, pid_t pid, struct pw_event *ev)
{
	struct pw_pentry *e = pw_ptable_lookup(pt, pid);

	int r;

	if (!e)
		return -ESRCH;
	if ((r = complete(pt, e, PW_F_ALL)) < 0)
		return r;
	ev->kind = PW_EV_EXIST;
	ev->pid = ev->tid = pid;
	ev->ppid = 0;
	ev->thread = false;
	ev->entry = e;
	reset_proc(&ev->proc);
	fill(e, PW_F_ALL, &ev->proc);
	ev->proc.missing = PW_F_ALL & ~ev->proc.have;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

long pw_ptable_pids(const struct pw_ptable *pt, pid_t **pids)
{
	pid_t *v = malloc((pt->n ? pt->n : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < pt->nbuckets; i++)
		for (const struct pw_pentry *e = pt->bucket[i]; e; e = e->next)
			v[n++] = e->pid;
	qsort(v, n, sizeof(*v), cmp_pid);
	*pids = v;
	return (long)n;
}

int pw_ptable_follow(struct pw_ptable *pt, struct pw_event *ev)
{
	switch (ev->kind) {
	case PW_EV_FORK:
		return follow_fork(pt, ev);
	case PW_EV_EXEC:
		return follow_exec(pt, ev);
	case PW_EV_EXIT:
		return follow_exit(pt, ev);
	case PW_EV_LOST:
	case PW_EV_EXIST:
	case PW_EV_ACK:
		ev->entry = NULL;
		return 0;
	default:
		return follow_other(pt, ev);
	}
}

int pw_ptable_enrich(struct pw_ptable *pt, struct pw_event *ev)
{
	switch (ev->kind) {
	case PW_EV_FORK:
		return enrich_fork(pt, ev);
	case PW_EV_EXEC:
		return enrich_exec(pt, ev);
	case PW_EV_EXIT:
		return enrich_exit(pt, ev);
	case PW_EV_LOST:
	case PW_EV_EXIST:
	case PW_EV_ACK:
		return 0;
	default:
		return enrich_other(pt, ev);
	}
}

int pw_ptable_apply(struct pw_ptable *pt, struct pw_event *ev)
{
	int r = pw_ptable_follow(pt, ev);

	return r < 0 ? r : pw_ptable_enrich(pt, ev);
}
