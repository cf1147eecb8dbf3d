/* test-ptable.c - unit tests of the process table, driven by synthetic events over an empty /proc */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "ptable.h"
#include "strutil.h"
#include "unit.h"

#define SEC 1000000000ULL
#define CHAIN 10000
#define SMALL_STACK (128 * 1024)	/* a recursion 10,000 deep does not fit */

/*
 * The proc root is an empty directory: every /proc read fails as if the
 * process were gone, so the table knows only what the events tell it.
 */
static char proc_root[4096];
static struct pw_procfs *pfs;
static uint64_t t0;		/* CLOCK_MONOTONIC at start, ns */

/* What an exec's /proc read found, for exec_ev(). */
struct image {
	const char *exe;
	const char *argv;	/* argc NUL-terminated strings laid end to end */
	size_t argv_len;
	size_t argc;
	const char *comm;
	const char *cwd;	/* NULL: not read */
	uid_t uid;		/* (uid_t)-1: not read */
	gid_t gid;
};

/* argv as a literal of NUL-terminated strings: its bytes and their number */
#define ARGV(lit) .argv = lit, .argv_len = sizeof(lit) - 1

static const struct image sh_image = {
	.exe = "/bin/sh", ARGV("sh\0-c\0x\0"), .argc = 3, .comm = "sh",
	.cwd = "/home/u", .uid = 1000, .gid = 100,
};
/* an exec that could read neither cwd nor ids ("\0" "1": not the octal "\01") */
static const struct image sleep_image = {
	.exe = "/bin/sleep", ARGV("sleep\0" "1\0"), .argc = 2, .comm = "sleep",
	.cwd = NULL, .uid = (uid_t)-1,
};
static const struct image py_image = {
	.exe = "/usr/bin/python3", ARGV("python3\0srv.py\0"), .argc = 2, .comm = "python3",
	.cwd = "/srv", .uid = 2000, .gid = 200,
};

static struct pw_ptable *new_table(void)
{
	struct pw_ptable *pt = NULL;

	if (pw_ptable_new(pfs, &pt) < 0 || !pt) {
		printf("Bail out! pw_ptable_new failed\n");
		exit(1);
	}
	return pt;
}

static void ev_reset(struct pw_event *ev, enum pw_kind kind, pid_t pid, pid_t ppid, uint64_t ts)
{
	ev->kind = kind;
	ev->cpu = 0;
	ev->seq = 0;
	ev->ts_ns = ts;
	ev->pid = ev->tid = pid;
	ev->ppid = ppid;
	ev->thread = false;
	memset(&ev->u, 0, sizeof(ev->u));
	ev->entry = NULL;
}

/* A fork as procwatch handles it: the table makes room for the child, then applies the event. */
static struct pw_pentry *fork_ev(struct pw_ptable *pt, struct pw_event *ev, pid_t ppid, pid_t pid,
				 uint64_t ts)
{
	ev_reset(ev, PW_EV_FORK, pid, ppid, ts);
	if (!CHECK(pw_ptable_fork(pt, ppid, pid) != NULL))
		return NULL;
	if (!CHECK_INT(pw_ptable_apply(pt, ev), 0))
		return NULL;
	CHECK(ev->entry != NULL);
	return ev->entry;
}

static void set_buf(struct pw_blob **b, const char *s, size_t n)
{
	if (pw_blob_set(b, s, n) < 0) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
}

/*
 * An exec whose /proc read found img, and stat with start time start (0:
 * stat not read). Returns the subject's entry.
 */
static struct pw_pentry *exec_ev(struct pw_ptable *pt, struct pw_event *ev, pid_t pid, pid_t ppid,
				 uint64_t ts, const struct image *img, unsigned long long start)
{
	struct pw_proc *p = &ev->proc;

	ev_reset(ev, PW_EV_EXEC, pid, 0, ts);
	p->have = PW_F_EXE | PW_F_ARGV | PW_F_COMM | PW_F_PPID;
	p->missing = 0;
	p->inherit = 0;
	p->kthread = p->zombie = false;
	p->ppid = ppid;
	set_buf(&p->exe, img->exe, strlen(img->exe));
	set_buf(&p->argv, img->argv, img->argv_len);
	p->argc = img->argc;
	memset(p->comm, 0, sizeof(p->comm));
	strncpy(p->comm, img->comm, sizeof(p->comm) - 1);
	if (img->cwd) {
		set_buf(&p->cwd, img->cwd, strlen(img->cwd));
		p->have |= PW_F_CWD;
	}
	if (img->uid != (uid_t)-1) {
		p->uid = p->euid = img->uid;
		p->gid = p->egid = img->gid;
		p->have |= PW_F_UID | PW_F_GID;
	}
	if (start) {
		p->starttime = start;
		p->have |= PW_F_START;
	}
	p->missing = PW_F_ALL & ~p->have;
	if (!CHECK_INT(pw_ptable_apply(pt, ev), 0))
		return NULL;
	CHECK(ev->entry != NULL);
	return ev->entry;
}

/* An exit as procwatch handles it: applied, reported, then retired from the table. */
static void exit_ev(struct pw_ptable *pt, struct pw_event *ev, pid_t pid, pid_t ppid, uint64_t ts)
{
	ev_reset(ev, PW_EV_EXIT, pid, ppid, ts);
	CHECK_INT(pw_ptable_apply(pt, ev), 0);
	pw_ptable_exit(pt, pid);
}

static void comm_ev(struct pw_ptable *pt, struct pw_event *ev, pid_t pid, uint64_t ts, const char *comm)
{
	ev_reset(ev, PW_EV_COMM, pid, 0, ts);
	strncpy(ev->u.comm.comm, comm, sizeof(ev->u.comm.comm) - 1);
	CHECK_INT(pw_ptable_apply(pt, ev), 0);
}

/* The length of argc strings laid end to end. */
static size_t argv_len(const char *argv, size_t argc)
{
	size_t n = 0;

	for (size_t i = 0; i < argc; i++)
		n += strlen(argv + n) + 1;
	return n;
}

/* Entry e's exe and argv are img's. */
static void entry_is(const struct pw_pentry *e, const struct image *img)
{
	size_t n, argc;
	const char *exe, *argv;

	if (!CHECK(e != NULL))
		return;
	exe = pw_pentry_exe(e, &n);
	argv = pw_pentry_argv(e, &argc);
	if (CHECK(exe != NULL))
		CHECK_MEM(exe, n, img->exe, strlen(img->exe));
	if (CHECK(argv != NULL) && CHECK_INT(argc, img->argc))
		CHECK_MEM(argv, argv_len(argv, argc), img->argv, img->argv_len);
	CHECK_STR(e->d.comm, img->comm);
}

/* The record's data (ev->proc) shows img's exe and argv. */
static void record_is(const struct pw_event *ev, const struct image *img)
{
	const struct pw_proc *p = &ev->proc;

	CHECK(p->have & PW_F_EXE);
	CHECK(p->have & PW_F_ARGV);
	CHECK_MEM(p->exe->data, p->exe->len, img->exe, strlen(img->exe));
	if (CHECK_INT(p->argc, img->argc))
		CHECK_MEM(p->argv->data, argv_len(p->argv->data, p->argc), img->argv, img->argv_len);
}

/* Number of ancestors above e. */
static size_t depth(const struct pw_pentry *e)
{
	size_t n = 0;

	for (const struct pw_pentry *a = e->parent; a; a = a->parent)
		n++;
	return n;
}

/* Clock ticks since boot at monotonic time ns. */
static unsigned long long ticks_at(uint64_t ns)
{
	struct timespec mono, boot;
	long hz = sysconf(_SC_CLK_TCK);
	int64_t off;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	off = ((int64_t)boot.tv_sec - mono.tv_sec) * (int64_t)SEC + (boot.tv_nsec - mono.tv_nsec);
	return (unsigned long long)((int64_t)ns + off) / (SEC / (unsigned long long)hz);
}

static void test_empty_proc(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };

	CHECK_INT(pw_ptable_scan(pt), 0);
	CHECK_INT(pw_ptable_size(pt), 0);
	CHECK_INT(pw_ptable_entries(pt), 0);
	CHECK(pw_ptable_lookup(pt, 1) == NULL);
	/* an event for a process nobody knows: no entry, nothing read */
	comm_ev(pt, &ev, 4242, t0, "ghost");
	CHECK(ev.entry == NULL);
	CHECK_INT(ev.proc.have, 0);
	CHECK_STR(ev.u.comm.old_comm, "");
	CHECK_INT(pw_ptable_entries(pt), 0);
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
	CHECK(pt == NULL);
}

static void test_fork_inherits(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };
	struct pw_pentry *sh, *child;
	uint64_t ts = t0 + 1 * SEC;
	unsigned long long want;

	sh = exec_ev(pt, &ev, 100, 1, t0, &sh_image, 5000);
	if (!sh)
		goto out;
	CHECK(sh->parent == NULL);	/* pid 1 is not in the table */
	CHECK_INT(sh->d.starttime, 5000);
	CHECK_INT(pw_ptable_size(pt), 1);

	child = fork_ev(pt, &ev, 100, 101, ts);
	if (!child)
		goto out;
	CHECK(child != sh);
	CHECK(child == pw_ptable_lookup(pt, 101));
	CHECK(child->alive);
	CHECK_INT(child->pid, 101);
	CHECK_INT(child->d.ppid, 100);
	CHECK(child->parent == sh);
	CHECK_INT(sh->refs, 2);
	/* its own identity: the start time of its fork (no /proc to read it from) */
	CHECK(child->d.have & PW_F_START);
	want = ticks_at(ts);
	CHECK(child->d.starttime + 1 >= want && child->d.starttime <= want + 1);
	CHECK(child->d.starttime != sh->d.starttime);
	CHECK_INT(child->fork_ns, ts);
	/* the parent's data, in the entry and in the record */
	entry_is(child, &sh_image);
	record_is(&ev, &sh_image);
	CHECK_STR(ev.proc.comm, "sh");
	CHECK(ev.proc.have & PW_F_CWD);
	CHECK_MEM(ev.proc.cwd->data, ev.proc.cwd->len, "/home/u", 7);
	CHECK((ev.proc.have & (PW_F_UID | PW_F_GID)) == (PW_F_UID | PW_F_GID));
	CHECK_INT(ev.proc.uid, 1000);
	CHECK_INT(ev.proc.euid, 1000);
	CHECK_INT(ev.proc.gid, 100);
	CHECK_INT(child->d.uid, 1000);
	CHECK_INT(child->d.gid, 100);
	CHECK_INT(pw_ptable_size(pt), 2);
	CHECK_INT(pw_ptable_entries(pt), 2);

	/* a thread of the child: no new entry */
	ev_reset(&ev, PW_EV_FORK, 101, 100, ts + 1000);
	ev.tid = 102;
	ev.thread = true;
	CHECK_INT(pw_ptable_apply(pt, &ev), 0);
	CHECK(ev.entry == child);
	CHECK(pw_ptable_lookup(pt, 102) == NULL);
	CHECK_INT(pw_ptable_entries(pt), 2);
out:
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
}

static void test_exec_replaces(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };
	struct pw_pentry *sh, *child, *e;
	size_t n;

	sh = exec_ev(pt, &ev, 100, 1, t0, &sh_image, 5000);
	child = fork_ev(pt, &ev, 100, 101, t0 + SEC);
	if (!sh || !child)
		goto out;
	/* the exec read exe, argv and comm; cwd and ids kept from the fork */
	e = exec_ev(pt, &ev, 101, 100, t0 + SEC + 1000, &sleep_image, child->d.starttime);
	CHECK(e == child);
	entry_is(child, &sleep_image);
	record_is(&ev, &sleep_image);
	CHECK_STR(ev.proc.comm, "sleep");
	CHECK(ev.proc.have & PW_F_CWD);
	CHECK_MEM(ev.proc.cwd->data, ev.proc.cwd->len, "/home/u", 7);
	CHECK(ev.proc.have & PW_F_UID);
	CHECK_INT(ev.proc.uid, 1000);
	CHECK_INT(child->d.uid, 1000);
	/* lineage and the parent's own data are untouched */
	CHECK(child->parent == sh);
	entry_is(sh, &sh_image);

	/* an exec the /proc read of which shows another start time describes another process */
	e = exec_ev(pt, &ev, 101, 100, t0 + 2 * SEC, &py_image, child->d.starttime + 7);
	CHECK(e == child);
	CHECK(!(ev.proc.have & (PW_F_EXE | PW_F_ARGV)));
	CHECK(pw_pentry_exe(child, &n) == NULL);
	CHECK_INT(n, 0);
	CHECK(pw_pentry_argv(child, &n) == NULL);
	CHECK(child->d.uid != 2000);
	CHECK(child->parent == sh);

	/* the exit record carries what the last exec read */
	e = exec_ev(pt, &ev, 101, 100, t0 + 3 * SEC, &sleep_image, child->d.starttime);
	exit_ev(pt, &ev, 101, 100, t0 + 4 * SEC);
	CHECK(ev.entry == e);
	record_is(&ev, &sleep_image);
	CHECK(pw_ptable_lookup(pt, 101) == NULL);
	CHECK_INT(pw_ptable_size(pt), 1);
	CHECK_INT(pw_ptable_entries(pt), 1);
	CHECK_INT(sh->refs, 1);
out:
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
}

static void test_pid_reuse(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };
	struct pw_pentry *sh, *py, *first, *second, *third;
	unsigned long long first_start, second_start;

	sh = exec_ev(pt, &ev, 100, 1, t0, &sh_image, 5000);
	py = exec_ev(pt, &ev, 200, 1, t0, &py_image, 6000);
	first = fork_ev(pt, &ev, 100, 101, t0 + SEC);
	if (!sh || !py || !first)
		goto out;
	exec_ev(pt, &ev, 101, 100, t0 + SEC + 1000, &sleep_image, first->d.starttime);
	first_start = first->d.starttime;
	exit_ev(pt, &ev, 101, 100, t0 + 2 * SEC);
	CHECK(pw_ptable_lookup(pt, 101) == NULL);
	CHECK_INT(pw_ptable_entries(pt), 2);

	/* pid 101 again, five seconds later, from another parent */
	second = fork_ev(pt, &ev, 200, 101, t0 + 7 * SEC);
	if (!second)
		goto out;
	CHECK(second == pw_ptable_lookup(pt, 101));
	second_start = second->d.starttime;
	CHECK(second_start > first_start);
	CHECK(second_start >= first_start + 4 * (unsigned long long)sysconf(_SC_CLK_TCK));
	CHECK_INT(second->fork_ns, t0 + 7 * SEC);
	/* nothing of the first: the new parent's data and lineage */
	CHECK(second->parent == py);
	CHECK_INT(second->d.ppid, 200);
	entry_is(second, &py_image);
	record_is(&ev, &py_image);
	CHECK_INT(ev.proc.uid, 2000);
	CHECK_INT(second->d.uid, 2000);
	CHECK_INT(py->refs, 2);
	CHECK_INT(sh->refs, 1);
	CHECK_INT(pw_ptable_entries(pt), 3);

	/* a fork for a pid still in the table (its exit was lost): reuse, replaced */
	third = fork_ev(pt, &ev, 100, 101, t0 + 12 * SEC);
	if (!third)
		goto out;
	CHECK(third == pw_ptable_lookup(pt, 101));
	CHECK(third->d.starttime > second_start);
	CHECK(third->parent == sh);
	entry_is(third, &sh_image);
	CHECK_INT(third->d.uid, 1000);
	CHECK_INT(py->refs, 1);
	CHECK_INT(sh->refs, 2);
	CHECK_INT(pw_ptable_size(pt), 3);
	CHECK_INT(pw_ptable_entries(pt), 3);
out:
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
}

static void test_exited_parent_kept(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };
	struct pw_pentry *sh, *mid, *daemon;
	pid_t *pids = NULL;
	long n;

	/* sh(300) -> mid(301) -> daemon(302); mid and sh exit first */
	sh = exec_ev(pt, &ev, 300, 1, t0, &sh_image, 5000);
	mid = fork_ev(pt, &ev, 300, 301, t0 + SEC);
	if (!sh || !mid)
		goto out;
	exec_ev(pt, &ev, 301, 300, t0 + SEC + 1000, &py_image, mid->d.starttime);
	daemon = fork_ev(pt, &ev, 301, 302, t0 + 2 * SEC);
	if (!daemon)
		goto out;
	exec_ev(pt, &ev, 302, 1, t0 + 2 * SEC + 1000, &sleep_image, daemon->d.starttime);
	CHECK_INT(pw_ptable_entries(pt), 3);

	exit_ev(pt, &ev, 301, 300, t0 + 3 * SEC);
	CHECK(pw_ptable_lookup(pt, 301) == NULL);
	CHECK_INT(pw_ptable_size(pt), 2);
	CHECK_INT(pw_ptable_entries(pt), 3);
	exit_ev(pt, &ev, 300, 1, t0 + 4 * SEC);
	CHECK(pw_ptable_lookup(pt, 300) == NULL);
	CHECK_INT(pw_ptable_size(pt), 1);
	CHECK_INT(pw_ptable_entries(pt), 3);

	/* the living daemon still shows who started it */
	CHECK(daemon == pw_ptable_lookup(pt, 302));
	CHECK(daemon->parent == mid);
	CHECK(!mid->alive);
	CHECK_INT(mid->pid, 301);
	entry_is(mid, &py_image);
	CHECK(mid->parent == sh);
	CHECK(!sh->alive);
	entry_is(sh, &sh_image);
	CHECK_INT(depth(daemon), 2);
	n = pw_ptable_pids(pt, &pids);
	if (CHECK_INT(n, 1))
		CHECK_INT(pids[0], 302);
	free(pids);
	CHECK_INT(pw_ptable_describe(pt, 302, &ev), 0);
	CHECK(ev.entry == daemon);
	CHECK_INT(ev.kind, PW_EV_EXIST);
	record_is(&ev, &sleep_image);
	CHECK_INT(pw_ptable_describe(pt, 301, &ev), -ESRCH);

	/* its exit frees the whole lineage */
	exit_ev(pt, &ev, 302, 1, t0 + 5 * SEC);
	CHECK(ev.entry == daemon);
	record_is(&ev, &sleep_image);
	CHECK_INT(pw_ptable_size(pt), 0);
	CHECK_INT(pw_ptable_entries(pt), 0);
out:
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
}

/* Exit of pid on a small stack: a recursive release of a long lineage would overflow it. */
struct exit_job {
	struct pw_ptable *pt;
	pid_t pid;
};

static void *exit_job(void *arg)
{
	struct exit_job *j = arg;

	pw_ptable_exit(j->pt, j->pid);
	return NULL;
}

static void exit_on_small_stack(struct pw_ptable *pt, pid_t pid)
{
	struct exit_job j = { pt, pid };
	pthread_attr_t attr;
	pthread_t t;

	if (!CHECK_INT(pthread_attr_init(&attr), 0))
		return;
	CHECK_INT(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
	if (CHECK_INT(pthread_create(&t, &attr, exit_job, &j), 0))
		CHECK_INT(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

/* Processes base, base+1, ... each forked by the one before, all alive. */
static struct pw_pentry *build_chain(struct pw_ptable *pt, struct pw_event *ev, pid_t base)
{
	struct pw_pentry *e = exec_ev(pt, ev, base, 1, t0, &sh_image, 5000);

	for (pid_t i = 1; e && i < CHAIN; i++)
		e = fork_ev(pt, ev, base + i - 1, base + i, t0 + SEC + (uint64_t)i * 1000);
	return e;
}

static void test_long_chain(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };
	struct pw_pentry *leaf;
	const pid_t base = 100000;
	unsigned bad = 0;

	/* leaf first: each exit frees one entry */
	leaf = build_chain(pt, &ev, base);
	if (!CHECK(leaf != NULL))
		goto out;
	CHECK_INT(pw_ptable_size(pt), CHAIN);
	CHECK_INT(pw_ptable_entries(pt), CHAIN);
	CHECK_INT(depth(leaf), CHAIN - 1);
	entry_is(leaf, &sh_image);
	for (pid_t i = CHAIN - 1; i >= 0; i--) {
		exit_ev(pt, &ev, base + i, i ? base + i - 1 : 1, t0 + 100 * SEC);
		bad += pw_ptable_entries(pt) != (size_t)i;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(pw_ptable_size(pt), 0);
	CHECK_INT(pw_ptable_entries(pt), 0);

	/* root first: all kept for the leaf, which takes them all with it */
	leaf = build_chain(pt, &ev, base);
	if (!CHECK(leaf != NULL))
		goto out;
	for (pid_t i = 0; i < CHAIN - 1; i++) {
		exit_ev(pt, &ev, base + i, i ? base + i - 1 : 1, t0 + 100 * SEC);
		bad += pw_ptable_entries(pt) != CHAIN;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(pw_ptable_size(pt), 1);
	CHECK(leaf == pw_ptable_lookup(pt, base + CHAIN - 1));
	CHECK_INT(depth(leaf), CHAIN - 1);
	ev_reset(&ev, PW_EV_EXIT, base + CHAIN - 1, base + CHAIN - 2, t0 + 101 * SEC);
	CHECK_INT(pw_ptable_apply(pt, &ev), 0);
	CHECK(ev.entry == leaf);
	exit_on_small_stack(pt, base + CHAIN - 1);
	CHECK_INT(pw_ptable_size(pt), 0);
	CHECK_INT(pw_ptable_entries(pt), 0);

	/* freeing the table with a whole chain alive */
	leaf = build_chain(pt, &ev, base);
	CHECK(leaf != NULL);
	CHECK_INT(pw_ptable_entries(pt), CHAIN);
out:
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
}

static void test_comm(void)
{
	struct pw_ptable *pt = new_table();
	struct pw_event ev = { 0 };
	struct pw_pentry *sh, *child, *grandchild;

	sh = exec_ev(pt, &ev, 100, 1, t0, &sh_image, 5000);
	child = fork_ev(pt, &ev, 100, 101, t0 + SEC);
	if (!sh || !child)
		goto out;
	CHECK_STR(child->d.comm, "sh");
	comm_ev(pt, &ev, 101, t0 + 2 * SEC, "renamed");
	CHECK(ev.entry == child);
	CHECK_STR(ev.u.comm.old_comm, "sh");
	CHECK_STR(child->d.comm, "renamed");
	CHECK_STR(sh->d.comm, "sh");
	/* a rename to the name it already has: the old name is unknown */
	comm_ev(pt, &ev, 101, t0 + 3 * SEC, "renamed");
	CHECK_STR(ev.u.comm.old_comm, "");
	CHECK_STR(child->d.comm, "renamed");
	/* a name of 15 bytes, the most the kernel keeps */
	comm_ev(pt, &ev, 101, t0 + 4 * SEC, "fifteen-bytes-x");
	CHECK_STR(ev.u.comm.old_comm, "renamed");
	CHECK_STR(child->d.comm, "fifteen-bytes-x");
	/* a child forked after the rename has the new name */
	grandchild = fork_ev(pt, &ev, 101, 102, t0 + 5 * SEC);
	if (grandchild) {
		CHECK_STR(grandchild->d.comm, "fifteen-bytes-x");
		CHECK_STR(ev.proc.comm, "fifteen-bytes-x");
		CHECK(grandchild->parent == child);
	}
out:
	pw_proc_free(&ev.proc);
	pw_ptable_free(&pt);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct timespec ts;
	int r;

	snprintf(proc_root, sizeof(proc_root), "%s/pw-test-ptable-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(proc_root)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	r = pw_procfs_open(proc_root, &pfs);
	if (r < 0) {
		printf("Bail out! pw_procfs_open: %s\n", strerror(-r));
		rmdir(proc_root);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;

	UNIT_RUN(test_empty_proc);
	UNIT_RUN(test_fork_inherits);
	UNIT_RUN(test_exec_replaces);
	UNIT_RUN(test_pid_reuse);
	UNIT_RUN(test_exited_parent_kept);
	UNIT_RUN(test_long_chain);
	UNIT_RUN(test_comm);

	pw_procfs_free(&pfs);
	rmdir(proc_root);
	return unit_done();
}
