/* event.h - the one record passed between procwatch's pipeline stages */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_EVENT_H
#define PW_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pw_pentry;

/* Event kinds procwatch reports; the order is the order of pw_event_names[]. */
enum pw_kind {
	PW_EV_FORK,
	PW_EV_EXEC,
	PW_EV_EXIT,
	PW_EV_UID,
	PW_EV_GID,
	PW_EV_SID,
	PW_EV_PTRACE,
	PW_EV_COMM,
	PW_EV_COREDUMP,
	PW_EV_NKINDS,		/* number of selectable kinds */
	PW_EV_LOST = PW_EV_NKINDS, /* in-band loss report, always shown */
	PW_EV_EXIST,		/* a process running at start (--snapshot) */
	PW_EV_ACK,		/* subscription ack: decoded, never shown */
};

#define PW_ANCESTORS_MAX 4096	/* hard cap on a lineage, whatever -a says */

#define PW_KIND_BIT(k) (1u << (k))
#define PW_KINDS_ALL ((1u << PW_EV_NKINDS) - 1)

/* Fields of the subject process read from /proc (bit per field). */
enum pw_datum {
	PW_F_PPID = 1u << 0,
	PW_F_COMM = 1u << 1,
	PW_F_EXE = 1u << 2,
	PW_F_ARGV = 1u << 3,
	PW_F_CWD = 1u << 4,
	PW_F_UID = 1u << 5,
	PW_F_GID = 1u << 6,
	PW_F_START = 1u << 7,	/* start time (stat), also the process identity */
	PW_F_TTY = 1u << 8,
	PW_F_LOGIN = 1u << 9,	/* loginuid and sessionid */
	PW_F_CGROUP = 1u << 10,
	PW_F_PGID = 1u << 11,	/* process group */
};
#define PW_F_NFIELDS 12
#define PW_F_ALL ((1u << PW_F_NFIELDS) - 1)
/*
 * A read request, not a field: at an exec, read the ids only when the new
 * executable is set-user-ID or set-group-ID (nothing else changes them at
 * exec); otherwise they are left to the process table (pw_proc.inherit).
 */
#define PW_F_IDS_AT_EXEC (1u << 16)

/* A growable byte buffer; owned by whoever embeds it, freed with pw_buf_free(). */
struct pw_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Where an exec record's argv, exe and cwd came from. */
enum pw_exec_source {
	PW_XS_NONE,		/* not an exec */
	PW_XS_PROC,		/* read from /proc after the exec */
	PW_XS_BPF,		/* taken in the kernel at the exec */
	PW_XS_MIXED,		/* taken in the kernel, but some of the three from /proc */
};

/*
 * An immutable string shared by the process data that hold it: a process
 * and its children after a fork hold the same exe, argv, cwd and cgroup.
 * data[len] is a NUL. See pw_blob_set() and pw_blob_unref().
 */
struct pw_blob {
	unsigned refs;
	size_t len;
	size_t cap;		/* bytes data[] can hold, the NUL included */
	char data[];
};

/*
 * What is known of a process: the data of a table entry, and of the
 * subject of a record. `have` lists the fields known; for a read,
 * `missing` those that were wanted but could not be read, and `inherit`
 * those not read because they cannot have changed (the table knows them).
 * The strings are shared blobs: NULL when unknown.
 */
struct pw_proc {
	unsigned have;
	unsigned missing;
	unsigned inherit;
	pid_t ppid;
	pid_t pgid;
	char comm[64];		/* raw bytes from stat, NUL-terminated */
	bool kthread;		/* kernel thread: no exe, empty argv */
	bool zombie;
	struct pw_blob *exe;
	struct pw_blob *cwd;
	struct pw_blob *argv;	/* arguments, each NUL-terminated, argc of them */
	size_t argc;
	uid_t uid, euid;
	gid_t gid, egid;
	unsigned long long starttime;	/* clock ticks since boot */
	unsigned tty_nr;	/* 0: none */
	uint32_t loginuid, sessionid;	/* UINT32_MAX: unset */
	struct pw_blob *cgroup;	/* cgroup v2 path */
	enum pw_exec_source source;
};

#define PW_CPU_UNKNOWN UINT32_MAX

/* What a lost record counts. */
enum pw_lost_reason {
	PW_LOST_EVENTS,		/* events the kernel dropped */
	PW_LOST_QUEUE,		/* records procwatch's own output queue dropped */
	PW_LOST_CAPTURE,	/* execs whose capture data did not fit the ring buffer */
};

struct pw_event {
	enum pw_kind kind;
	unsigned cpu;		/* PW_CPU_UNKNOWN for a loss counted without cpu */
	uint32_t seq;
	uint64_t ts_ns;		/* CLOCK_MONOTONIC, from the kernel */
	pid_t pid;		/* subject thread-group id */
	pid_t tid;		/* subject thread id */
	pid_t ppid;		/* parent tgid (fork, exit, coredump); 0 when not carried */
	bool thread;		/* a thread, not a process (fork/exit) */
	union {
		struct {
			bool start_known;	/* start time from the exec capture, not /proc */
			bool fresh;	/* following it made a new entry (not one adopted before) */
			unsigned long long starttime;	/* clock ticks since boot */
		} fork;
		struct {
			uint32_t status;	/* raw wait status */
		} exit;
		struct {
			uint32_t real, eff;
		} id;
		struct {
			pid_t tracer_pid;
			pid_t tracer_tid;
		} ptrace;
		struct {
			char comm[17];
			char old_comm[17];	/* "" when unknown */
		} comm;
		struct {
			uint64_t count;
			enum pw_lost_reason reason;
		} lost;
		struct {
			int err;
			uint32_t ack;
		} ack;
	} u;
	struct pw_pentry *entry;	/* the subject in the process table, NULL when not there */
	struct pw_proc proc;	/* enrichment of the subject */
};

#endif
