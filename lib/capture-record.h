/* capture-record.h - the records the in-kernel exec capture writes to its ring buffer */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_CAPTURE_RECORD_H
#define PW_CAPTURE_RECORD_H

/*
 * Shared by lib/exec.bpf.c and the userspace decoder, so only fixed-width
 * types. Every record starts with struct pw_cap_hdr. One exec writes its
 * argv as zero or more chunk records, then one exec record: a reader joins
 * them by (tgid, ktime), which every record of that exec carries. A fork
 * of a new process writes one fork record.
 */
#include <linux/types.h>

#define PW_CAP_CHUNK 32704	/* argv bytes per chunk record: a chunk with its header fits 32 KiB */
#define PW_CAP_MAX_CHUNKS 256	/* 8 MiB: more than the kernel lets an exec carry (6 MiB) */
#define PW_CAP_PATH 4096	/* bytes of one path's component list, as PATH_MAX */
#define PW_CAP_NAME 256		/* one component, with its NUL */
#define PW_CAP_DEPTH 256	/* components walked per path */

enum pw_cap_type {
	PW_CAP_T_CHUNK = 1,
	PW_CAP_T_EXEC = 2,
	PW_CAP_T_FORK = 3,
};

struct pw_cap_hdr {
	__u32 type;
	__u32 tgid;
	__u64 ktime;		/* CLOCK_MONOTONIC ns when the exec was seen: the join key with tgid */
};

struct pw_cap_chunk {
	struct pw_cap_hdr h;
	__u64 off;		/* offset of data[] in the argv area */
	__u32 len;
	__u32 index;		/* 0, 1, ...: chunks of one exec come in order */
	/* followed by len bytes */
};

/* A new process (not a thread): h.tgid is the child's. */
struct pw_cap_fork {
	struct pw_cap_hdr h;
	__u64 start_boottime;	/* the child's, as pw_cap_exec's */
};

/* pw_cap_exec.flags, and the flags of each path */
enum {
	PW_CAP_ARGV_FAULT = 1u << 0,	/* reading argv faulted: the chunks are not the argv */
	PW_CAP_ARGV_LOST = 1u << 1,	/* a chunk did not fit the ring */
	PW_CAP_ARGV_TOOBIG = 1u << 2,	/* more argv than PW_CAP_MAX_CHUNKS chunks */
	PW_CAP_NO_LOGIN = 1u << 3,	/* no login identity in this kernel (no audit) */
};
enum {
	PW_CAP_PATH_TRUNC = 1u << 0,	/* deeper or longer than the walk's bound */
	PW_CAP_PATH_FAULT = 1u << 1,	/* a read faulted */
	PW_CAP_PATH_DELETED = 1u << 2,	/* unlinked: /proc appends " (deleted)" */
	PW_CAP_PATH_NONE = 1u << 3,	/* no such path (no file, no fs) */
};

/*
 * A path as a list of NUL-terminated components from the leaf up to the
 * root the process sees, e.g. "true\0bin\0usr\0" for /usr/bin/true; no
 * components is "/". A cgroup's list is the same, up to its hierarchy's root.
 */
struct pw_cap_path {
	__u16 flags;
	__u16 ncomp;
	__u32 len;		/* bytes of the list */
};

struct pw_cap_exec {
	struct pw_cap_hdr h;
	__u32 pid;		/* the thread that exec'd, as the tracepoint saw it */
	__u32 old_pid;		/* its id before the exec (a thread other than the leader) */
	__u32 ppid;
	__u32 flags;
	__u64 start_boottime;	/* ns: /proc's start time is this in clock ticks */
	__u64 argv_len;		/* bytes from arg_start to arg_end */
	__u32 nchunks;		/* chunk records written for this exec */
	__u32 uid, euid, gid, egid;
	__u32 loginuid, sessionid;
	__u32 tty_nr;		/* as stat field 7 encodes it; 0: none */
	__u32 pgid;		/* process group, in the initial pid namespace */
	char comm[16];
	struct pw_cap_path exe, cwd;
	struct pw_cap_path cgroup;	/* in the cgroup v2 hierarchy, from its root */
	/* followed by exe.len bytes, then cwd.len bytes, then cgroup.len bytes */
};

#endif
