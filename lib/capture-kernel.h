/* capture-kernel.h - the kernel types lib/exec.bpf.c reads, for CO-RE relocation */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_CAPTURE_KERNEL_H
#define PW_CAPTURE_KERNEL_H

/*
 * Only the fields the capture reads, under their kernel names. libbpf
 * finds each one in the running kernel's BTF when the program loads, so
 * the layout here does not matter and no build needs /sys/kernel/btf.
 */
#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef int pid_t;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	u32 val;
} kuid_t;

typedef struct {
	u32 val;
} kgid_t;

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct hlist_bl_node {
	struct hlist_bl_node *next, **pprev;
};

struct dentry {
	struct hlist_bl_node d_hash;
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
};

struct fs_struct {
	struct path root, pwd;
};

struct mm_struct {
	unsigned long arg_start, arg_end;
};

struct cred {
	kuid_t uid, euid;
	kgid_t gid, egid;
};

struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	struct tty_driver *driver;
	int index;
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

struct upid {
	int nr;
};

/* numbers[0] is the id in the initial pid namespace, the one /proc here shows */
struct pid {
	struct upid numbers[1];
};

struct signal_struct {
	struct tty_struct *tty;
	struct pid *pids[PIDTYPE_MAX];
};

/* 6.15 renamed kernfs_node.parent to __parent: both are tried */
struct kernfs_node {
	struct kernfs_node *parent;
	const char *name;
};

struct kernfs_node___new {
	struct kernfs_node *__parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;
};

struct task_struct {
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct fs_struct *fs;
	const struct cred *cred;
	struct signal_struct *signal;
	struct css_set *cgroups;
	u64 start_boottime;
	kuid_t loginuid;
	unsigned int sessionid;
	char comm[16];
};

struct linux_binprm {
	struct file *file;
};

#pragma clang attribute pop

#endif
