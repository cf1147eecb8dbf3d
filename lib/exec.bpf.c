/* exec.bpf.c - capture an exec's argv, exe, cwd, cgroup and ids in the exec'ing task itself, and a new process's start time */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "capture-kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "capture-record.h"

char LICENSE[] SEC("license") = "GPL";

/* Sized by userspace before loading (--ring-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} ring SEC(".maps");

/* Records that did not fit the ring, per CPU: [0] chunks, [1] exec records, [2] fork records. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

struct chunk_buf {
	struct pw_cap_chunk c;
	char data[PW_CAP_CHUNK];
};

struct exec_buf {
	struct pw_cap_exec e;
	char paths[4 * PW_CAP_PATH + PW_CAP_NAME];	/* exe, cwd, cgroup; a power of two to mask */
};

/*
 * bpf_loop state lives in per-CPU maps, not on the stack. A tracepoint
 * program runs with preemption disabled, so one slot per CPU is enough.
 */
struct argv_state {
	u64 start, len, off;
	u32 index, flags;
};

struct walk_state {
	u64 dentry, mnt;	/* where the walk is */
	u32 base, off;		/* the list is written at paths[base + off] */
	u16 ncomp, flags;
	u32 done;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct chunk_buf);
} chunk_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct exec_buf);
} exec_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct argv_state);
} argv_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct walk_state);
} walk_scratch SEC(".maps");

static __always_inline void count_lost(u32 which)
{
	u64 *n = bpf_map_lookup_elem(&lost, &which);

	if (n)
		*n += 1;
}

/* One argv chunk into the ring; 1 ends the loop. */
static long argv_step(u64 i, void *ctx)
{
	u32 z = 0;
	struct argv_state *s = bpf_map_lookup_elem(&argv_scratch, &z);
	struct chunk_buf *b = bpf_map_lookup_elem(&chunk_scratch, &z);
	u64 off, n;

	(void)i;
	(void)ctx;
	if (!s || !b)
		return 1;
	off = s->off;
	if (off >= s->len)
		return 1;
	n = s->len - off;
	if (n > PW_CAP_CHUNK)
		n = PW_CAP_CHUNK;
	barrier_var(n);
	if (n > PW_CAP_CHUNK)
		return 1;
	if (bpf_probe_read_user(b->data, n, (const void *)(s->start + off))) {
		s->flags |= PW_CAP_ARGV_FAULT;
		return 1;
	}
	b->c.off = off;
	b->c.len = (u32)n;
	b->c.index = s->index;
	if (bpf_ringbuf_output(&ring, b, sizeof(b->c) + n, BPF_RB_NO_WAKEUP)) {
		s->flags |= PW_CAP_ARGV_LOST;
		count_lost(0);
		return 1;
	}
	s->index++;
	s->off = off + n;
	return 0;
}

/*
 * Append the component name (a kernel string) to the walk's list; 1 ends
 * the walk: a read that faulted or gave fewer than shortest bytes with its
 * NUL, or a list past its bound.
 */
static __always_inline long put_name(struct walk_state *w, struct exec_buf *b, const void *name, long shortest)
{
	u32 off = w->off, at;
	long n;

	if (off >= PW_CAP_PATH) {
		w->flags |= PW_CAP_PATH_TRUNC;
		return 1;
	}
	at = (w->base + off) & (4 * PW_CAP_PATH - 1);
	n = bpf_probe_read_kernel_str(&b->paths[at], PW_CAP_NAME, name);
	if (n < shortest) {
		w->flags |= PW_CAP_PATH_FAULT;
		return 1;
	}
	if (off + (u32)n > PW_CAP_PATH) {
		w->flags |= PW_CAP_PATH_TRUNC;
		return 1;
	}
	w->off = off + (u32)n;
	w->ncomp++;
	return 0;
}

/*
 * One step of a path walk up to the top of the mount tree; 1 ends the
 * loop. That is where /proc's readlink stops for a reader at the root of
 * its mount namespace: a chroot does not shorten the path, another mount
 * namespace's paths end at its own root.
 */
static long path_step(u64 i, void *ctx)
{
	u32 z = 0;
	struct walk_state *w = bpf_map_lookup_elem(&walk_scratch, &z);
	struct exec_buf *b = bpf_map_lookup_elem(&exec_scratch, &z);
	struct dentry *d, *parent, *mnt_root;
	struct vfsmount *mnt;

	(void)i;
	(void)ctx;
	if (!b || !w)
		return 1;
	d = (struct dentry *)w->dentry;
	mnt = (struct vfsmount *)w->mnt;
	mnt_root = BPF_CORE_READ(mnt, mnt_root);
	parent = BPF_CORE_READ(d, d_parent);
	if (d == mnt_root) {
		/* the root of a mount: go on from where it is mounted */
		struct mount *m = (struct mount *)((u64)mnt - bpf_core_field_offset(struct mount, mnt));
		struct mount *up = BPF_CORE_READ(m, mnt_parent);

		if (!up || up == m) {
			w->done = 1;	/* the top of the mount tree */
			return 1;
		}
		w->dentry = (u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = (u64)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}

	if (put_name(w, b, BPF_CORE_READ(d, d_name.name), 1))
		return 1;
	if (d == parent) {
		/* a dentry of no directory (memfd): /proc names it "/NAME (deleted)" */
		w->flags |= PW_CAP_PATH_DELETED;
		w->done = 1;
		return 1;
	}
	w->dentry = (u64)parent;
	return 0;
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___new *kn_new = (void *)kn;

	if (bpf_core_field_exists(kn_new->__parent))
		return BPF_CORE_READ(kn_new, __parent);
	return BPF_CORE_READ(kn, parent);
}

/* One step of a cgroup's walk up its kernfs nodes; 1 ends the loop. */
static long cgroup_step(u64 i, void *ctx)
{
	u32 z = 0;
	struct walk_state *w = bpf_map_lookup_elem(&walk_scratch, &z);
	struct exec_buf *b = bpf_map_lookup_elem(&exec_scratch, &z);
	struct kernfs_node *kn, *parent;

	(void)i;
	(void)ctx;
	if (!b || !w)
		return 1;
	kn = (struct kernfs_node *)w->dentry;
	parent = kn_parent(kn);
	if (!parent) {
		w->done = 1;	/* the hierarchy's root: no name of its own */
		return 1;
	}
	/* a node other than the root has a name */
	if (put_name(w, b, BPF_CORE_READ(kn, name), 2))
		return 1;
	w->dentry = (u64)parent;
	return 0;
}

static __always_inline void walk_begin(struct walk_state *w, u32 base, u64 start)
{
	w->dentry = start;
	w->mnt = 0;
	w->base = base;
	w->off = 0;
	w->ncomp = 0;
	w->flags = 0;
	w->done = 0;
}

static __always_inline void walk_end(struct walk_state *w, struct pw_cap_path *out)
{
	if (!w->done)
		w->flags |= PW_CAP_PATH_TRUNC;
	out->flags = w->flags;
	out->ncomp = w->ncomp;
	out->len = w->off;
}

/* Walk the path (d, mnt) into b->paths[base...], describing it in out. */
static __always_inline void walk(struct walk_state *w, struct pw_cap_path *out, u32 base,
				 struct dentry *d, struct vfsmount *mnt)
{
	out->flags = 0;
	out->ncomp = 0;
	out->len = 0;
	if (!d || !mnt) {
		out->flags = PW_CAP_PATH_NONE;
		return;
	}
	walk_begin(w, base, (u64)d);
	w->mnt = (u64)mnt;
	/* unlinked: unhashed, and not the root of its tree */
	if (!BPF_CORE_READ(d, d_hash.pprev) && BPF_CORE_READ(d, d_parent) != d)
		w->flags |= PW_CAP_PATH_DELETED;
	bpf_loop(PW_CAP_DEPTH, path_step, NULL, 0);
	walk_end(w, out);
}

/* Walk the cgroup v2 path of p into b->paths[base...], describing it in out. */
static __always_inline void walk_cgroup(struct walk_state *w, struct pw_cap_path *out, u32 base,
					struct task_struct *p)
{
	struct kernfs_node *kn = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn);

	out->flags = 0;
	out->ncomp = 0;
	out->len = 0;
	if (!kn) {
		out->flags = PW_CAP_PATH_NONE;
		return;
	}
	walk_begin(w, base, (u64)kn);
	bpf_loop(PW_CAP_DEPTH, cgroup_step, NULL, 0);
	walk_end(w, out);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	u32 z = 0;
	struct exec_buf *b = bpf_map_lookup_elem(&exec_scratch, &z);
	struct argv_state *as = bpf_map_lookup_elem(&argv_scratch, &z);
	struct walk_state *w = bpf_map_lookup_elem(&walk_scratch, &z);
	struct chunk_buf *cb = bpf_map_lookup_elem(&chunk_scratch, &z);
	struct pw_cap_exec *e;
	const struct cred *cred;
	struct tty_struct *tty;
	struct fs_struct *fs;
	struct file *file;
	u64 start, end, size;

	if (!b || !as || !w || !cb)
		return 0;
	e = &b->e;
	e->h.type = PW_CAP_T_EXEC;
	e->h.tgid = (u32)BPF_CORE_READ(p, tgid);
	e->h.ktime = bpf_ktime_get_ns();
	e->pid = (u32)BPF_CORE_READ(p, pid);
	e->old_pid = (u32)old_pid;
	e->ppid = (u32)BPF_CORE_READ(p, real_parent, tgid);
	e->flags = 0;
	e->start_boottime = BPF_CORE_READ(p, start_boottime);
	cred = BPF_CORE_READ(p, cred);
	e->uid = BPF_CORE_READ(cred, uid.val);
	e->euid = BPF_CORE_READ(cred, euid.val);
	e->gid = BPF_CORE_READ(cred, gid.val);
	e->egid = BPF_CORE_READ(cred, egid.val);
	if (bpf_core_field_exists(p->loginuid)) {
		e->loginuid = BPF_CORE_READ(p, loginuid.val);
		e->sessionid = BPF_CORE_READ(p, sessionid);
	} else {
		e->flags |= PW_CAP_NO_LOGIN;	/* a kernel without audit */
	}
	e->tty_nr = 0;
	tty = BPF_CORE_READ(p, signal, tty);
	if (tty) {
		int major = BPF_CORE_READ(tty, driver, major);
		int minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);

		/* new_encode_dev(), as stat shows it */
		e->tty_nr = ((u32)minor & 0xff) | ((u32)major << 8) | (((u32)minor & ~0xffu) << 12);
	}
	e->pgid = (u32)BPF_CORE_READ(p, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);

	/* argv first, in chunks: the exec record comes last and says how many */
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	as->start = start;
	as->len = end > start ? end - start : 0;
	as->off = 0;
	as->index = 0;
	as->flags = 0;
	cb->c.h.type = PW_CAP_T_CHUNK;
	cb->c.h.tgid = e->h.tgid;
	cb->c.h.ktime = e->h.ktime;
	if (as->len > (u64)PW_CAP_CHUNK * PW_CAP_MAX_CHUNKS)
		as->flags |= PW_CAP_ARGV_TOOBIG;
	else
		bpf_loop(PW_CAP_MAX_CHUNKS, argv_step, NULL, 0);
	e->argv_len = as->len;
	e->nchunks = as->index;
	e->flags |= as->flags;

	/* exe, cwd, then the cgroup */
	fs = BPF_CORE_READ(p, fs);
	file = BPF_CORE_READ(bprm, file);
	walk(w, &e->exe, 0, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt));
	walk(w, &e->cwd, e->exe.len, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt));
	walk_cgroup(w, &e->cgroup, e->exe.len + e->cwd.len, p);

	size = sizeof(*e) + (u64)e->exe.len + (u64)e->cwd.len + (u64)e->cgroup.len;
	barrier_var(size);
	if (size > sizeof(*b))
		return 0;
	/* an exec whose chunk was lost is counted once, there */
	if (bpf_ringbuf_output(&ring, b, size, BPF_RB_NO_WAKEUP) && !(e->flags & PW_CAP_ARGV_LOST))
		count_lost(1);
	return 0;
}

/* A new process's start time, which keys it; a thread has its process's. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(pw_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pw_cap_fork f;

	(void)parent;
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	f.h.type = PW_CAP_T_FORK;
	f.h.tgid = (u32)BPF_CORE_READ(child, tgid);
	f.h.ktime = bpf_ktime_get_ns();
	f.start_boottime = BPF_CORE_READ(child, start_boottime);
	if (bpf_ringbuf_output(&ring, &f, sizeof(f), BPF_RB_NO_WAKEUP))
		count_lost(2);
	return 0;
}
