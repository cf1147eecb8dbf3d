/* procfs.h - the /proc reader: each file by its path from the proc root, pure parsers for its files */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_PROCFS_H
#define PW_PROCFS_H

#include "event.h"

struct pw_procfs;

/*
 * Open the proc root (NULL means "/proc"). Returns 0 with *out set (free it
 * with pw_procfs_free()), or -errno.
 */
int pw_procfs_open(const char *root, struct pw_procfs **out);
void pw_procfs_free(struct pw_procfs **pfs);

/* The proc root directory fd, for listing processes; owned by pfs. */
int pw_procfs_rootfd(const struct pw_procfs *pfs);

/*
 * Read the fields in want (PW_F_*) of process pid into p, reusing p's
 * strings where nobody else holds them. Fields that could not be read (the
 * process is gone, is a zombie, or may not be read by this user) are set
 * in p->missing; that is not an error. Fields not in want are left as they
 * are. Returns 0, or -errno: -ENOMEM, or a failure to read a file for
 * another reason (-EIO, say), with p->have and p->missing as far as it got.
 */
int pw_procfs_read(struct pw_procfs *pfs, pid_t pid, unsigned want, struct pw_proc *p);

/*
 * The start time (stat field 22) of process pid, with one open. Returns 0,
 * -ESRCH when it is gone (or its stat cannot be read or parsed), or
 * -ENOMEM.
 */
int pw_procfs_starttime(struct pw_procfs *pfs, pid_t pid, unsigned long long *starttime);

/* Release the buffers held by p. */
void pw_proc_free(struct pw_proc *p);

/* Fields of /proc/PID/stat procwatch uses. */
struct pw_stat {
	char comm[64];
	char state;
	pid_t ppid;
	pid_t pgid;
	unsigned tty_nr;
	unsigned long flags;
	unsigned long long starttime;
};

/*
 * Parse a stat line (len bytes, need not be NUL-terminated): comm lies
 * between the first '(' and the last ')'. Returns 0 or -EINVAL.
 */
int pw_parse_stat(const char *buf, size_t len, struct pw_stat *st);

/* Parse the Uid: and Gid: lines of a status file. Returns 0 or -EINVAL when either is absent. */
int pw_parse_status_ids(const char *buf, size_t len, uid_t *uid, uid_t *euid, gid_t *gid, gid_t *egid);

/*
 * Turn the raw cmdline in b into argc NUL-terminated arguments in place
 * (empty arguments kept; an unterminated last argument is terminated).
 * Returns argc, or -ENOMEM.
 */
long pw_parse_cmdline(struct pw_buf *b);

/*
 * Find the cgroup v2 path (the "0::" line) in a /proc/PID/cgroup file.
 * Returns 0 with *path and *n set (pointing into buf), or -ENOENT.
 */
int pw_parse_cgroup(const char *buf, size_t len, const char **path, size_t *n);

/*
 * The container id a cgroup path shows (docker, podman/libpod, containerd,
 * CRI-O and kubepods shapes): 64 hex digits into id[65]. Returns 0, or
 * -ENOENT when the path shows none.
 */
int pw_cgroup_container_id(const char *path, size_t n, char id[65]);

/*
 * The systemd unit a cgroup path shows: its last component that ends in
 * ".service" or ".scope". Returns 0 with *unit and *len pointing into
 * path, or -ENOENT.
 */
int pw_cgroup_unit(const char *path, size_t n, const char **unit, size_t *len);

/*
 * Name of the terminal with device number tty_nr ("pts/3", "tty1",
 * "ttyS0", "console") into buf. Returns 0, or -ENOENT when tty_nr is 0.
 */
int pw_tty_name(unsigned tty_nr, char *buf, size_t n);

#endif
