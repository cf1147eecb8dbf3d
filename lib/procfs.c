/* procfs.c - the /proc reader: each file by its path from the proc root, pure parsers for its files */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "procfs.h"
#include "strutil.h"

#define PF_KTHREAD 0x00200000UL

struct pw_procfs {
	int rootfd;
	struct pw_buf scratch;	/* the contents of one file */
};

int pw_procfs_open(const char *root, struct pw_procfs **out)
{
	struct pw_procfs *pfs = calloc(1, sizeof(*pfs));

	if (!pfs)
		return -ENOMEM;
	pfs->rootfd = open(root ? root : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfs->rootfd < 0) {
		int err = errno;

		free(pfs);
		return -err;
	}
	*out = pfs;
	return 0;
}

void pw_procfs_free(struct pw_procfs **pfs)
{
	if (!*pfs)
		return;
	close((*pfs)->rootfd);
	pw_buf_free(&(*pfs)->scratch);
	free(*pfs);
	*pfs = NULL;
}

int pw_procfs_rootfd(const struct pw_procfs *pfs)
{
	return pfs->rootfd;
}

void pw_proc_free(struct pw_proc *p)
{
	pw_blob_unref(&p->exe);
	pw_blob_unref(&p->cwd);
	pw_blob_unref(&p->argv);
	pw_blob_unref(&p->cgroup);
}

/* A file read into b, as the string *dst. Returns 0 or -errno. */
static int take_string(struct pw_blob **dst, const struct pw_buf *b)
{
	return pw_blob_set(dst, b->data ? b->data : "", b->len);
}

/* Read all of dirfd/name into b (replacing its contents). Returns 0 or -errno. */
static int read_file(int dirfd, const char *name, struct pw_buf *b)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int err = 0;

	b->len = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (pw_buf_reserve(b, 4096) < 0) {
			err = -ENOMEM;
			break;
		}
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		/* /proc files (and regular ones) return less than asked only at the end */
		if ((size_t)n < b->cap - (b->len - (size_t)n) - 1)
			break;
	}
	close(fd);
	if (b->data)
		b->data[b->len] = '\0';
	return err;
}

/* readlinkat() into b, growing it until the target fits. Returns 0 or -errno. */
static int read_link(int dirfd, const char *name, struct pw_buf *b)
{
	b->len = 0;
	if (pw_buf_reserve(b, 256) < 0)
		return -ENOMEM;
	for (;;) {
		ssize_t n = readlinkat(dirfd, name, b->data, b->cap - 1);

		if (n < 0)
			return -errno;
		if ((size_t)n < b->cap - 1) {
			b->len = (size_t)n;
			b->data[n] = '\0';
			return 0;
		}
		if (pw_buf_reserve(b, b->cap * 2) < 0)
			return -ENOMEM;
	}
}

int pw_parse_stat(const char *buf, size_t len, struct pw_stat *st)
{
	const char *open = memchr(buf, '(', len), *close = NULL, *p, *end = buf + len;
	unsigned long long v[20];
	size_t n;
	int field;

	if (!open)
		return -EINVAL;
	for (p = end; p > open; p--) {
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	}
	if (!close)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';

	/* after ") ": field 3 state, then numeric fields 4.. (ppid is 4, flags 9, starttime 22) */
	p = close + 1;
	if (end - p < 3 || p[0] != ' ' || p[2] != ' ')
		return -EINVAL;
	st->state = p[1];
	p += 2;
	for (field = 4; field <= 22; field++) {
		unsigned long long x = 0;
		bool neg = false, digits = false;

		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		if (p < end && *p == '-') {
			neg = true;
			p++;
		}
		while (p < end && *p >= '0' && *p <= '9') {
			x = x * 10 + (unsigned long long)(*p - '0');
			p++;
			digits = true;
		}
		if (!digits)
			return -EINVAL;
		v[field - 4] = neg ? 0 - x : x;
	}
	st->ppid = (pid_t)v[4 - 4];
	st->pgid = (pid_t)v[5 - 4];
	st->tty_nr = (unsigned)v[7 - 4];
	st->flags = (unsigned long)v[9 - 4];
	st->starttime = v[22 - 4];
	return 0;
}

/* Find "Key:\t" at the start of a line; returns the value or NULL. */
static const char *status_line(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(end - p) > klen && memcmp(p, key, klen) == 0)
			return p + klen;
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

static int two_ids(const char *v, const char *end, unsigned *a, unsigned *b)
{
	unsigned long long x[2];

	for (int i = 0; i < 2; i++) {
		bool digits = false;

		x[i] = 0;
		while (v < end && (*v == '\t' || *v == ' '))
			v++;
		while (v < end && *v >= '0' && *v <= '9') {
			x[i] = x[i] * 10 + (unsigned long long)(*v++ - '0');
			digits = true;
			if (x[i] > 0xffffffffULL)
				return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
	}
	*a = (unsigned)x[0];
	*b = (unsigned)x[1];
	return 0;
}

int pw_parse_status_ids(const char *buf, size_t len, uid_t *uid, uid_t *euid, gid_t *gid, gid_t *egid)
{
	const char *u = status_line(buf, len, "Uid:");
	const char *g = status_line(buf, len, "Gid:");

	if (!u || !g)
		return -EINVAL;
	if (two_ids(u, buf + len, uid, euid) < 0 || two_ids(g, buf + len, gid, egid) < 0)
		return -EINVAL;
	return 0;
}

long pw_parse_cmdline(struct pw_buf *b)
{
	long argc = 0;

	if (b->len && b->data[b->len - 1] != '\0') {
		if (pw_buf_putc(b, '\0') < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\0')
			argc++;
	return argc;
}

int pw_procfs_starttime(struct pw_procfs *pfs, pid_t pid, unsigned long long *starttime)
{
	char name[40];
	struct pw_stat st;
	int r;

	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	r = read_file(pfs->rootfd, name, &pfs->scratch);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || pw_parse_stat(pfs->scratch.data, pfs->scratch.len, &st) < 0)
		return -ESRCH;
	*starttime = st.starttime;
	return 0;
}

int pw_parse_cgroup(const char *buf, size_t len, const char **path, size_t *n)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol - p >= 3 && memcmp(p, "0::", 3) == 0) {
			*path = p + 3;
			*n = (size_t)(eol - p - 3);
			return 0;
		}
		if (eol == end)
			break;
		p = eol + 1;
	}
	return -ENOENT;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *prefix, size_t *plen)
{
	*plen = strlen(prefix);
	return n >= *plen && memcmp(s, prefix, *plen) == 0;
}

int pw_cgroup_container_id(const char *path, size_t n, char id[65])
{
	static const char *const prefixes[] = { "docker-", "libpod-", "cri-containerd-", "crio-", "containerd-", "" };
	const char *end = path + n;

	/* the deepest component that names a container wins */
	while (end > path) {
		const char *start = end;
		size_t len;

		while (start > path && start[-1] != '/')
			start--;
		len = (size_t)(end - start);
		if (len > 6 && memcmp(start + len - 6, ".scope", 6) == 0)
			len -= 6;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t plen;

			if (has_prefix(start, len, prefixes[i], &plen) && len - plen == 64 &&
			    all_hex(start + plen, 64)) {
				memcpy(id, start + plen, 64);
				id[64] = '\0';
				return 0;
			}
		}
		end = start > path ? start - 1 : path;
	}
	return -ENOENT;
}

int pw_cgroup_unit(const char *path, size_t n, const char **unit, size_t *len)
{
	const char *end = path + n;

	while (end > path) {
		const char *start = end;
		size_t l;

		while (start > path && start[-1] != '/')
			start--;
		l = (size_t)(end - start);
		if ((l > 8 && memcmp(end - 8, ".service", 8) == 0) || (l > 6 && memcmp(end - 6, ".scope", 6) == 0)) {
			*unit = start;
			*len = l;
			return 0;
		}
		end = start > path ? start - 1 : path;
	}
	return -ENOENT;
}

int pw_tty_name(unsigned tty_nr, char *buf, size_t n)
{
	unsigned major = (tty_nr >> 8) & 0xfff;
	unsigned minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		return -ENOENT;
	if (major >= 136 && major <= 143)
		snprintf(buf, n, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(buf, n, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, n, "ttyS%u", minor - 64);
	else if (major == 5 && minor == 0)
		snprintf(buf, n, "tty");
	else if (major == 5 && minor == 1)
		snprintf(buf, n, "console");
	else if (major == 188)
		snprintf(buf, n, "ttyUSB%u", minor);
	else if (major == 166)
		snprintf(buf, n, "ttyACM%u", minor);
	else if (major == 204 && minor >= 64)
		snprintf(buf, n, "ttyAMA%u", minor - 64);
	else
		snprintf(buf, n, "%u:%u", major, minor);
	return 0;
}

/* A number file such as loginuid; returns 0 or -errno. */
static int read_u32(int dirfd, const char *name, struct pw_buf *b, uint32_t *out)
{
	unsigned long v;
	int r = read_file(dirfd, name, b);

	if (r < 0)
		return r;
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	if (pw_parse_ulong(b->data, 0, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static bool gone(int err)
{
	return err == -ENOENT || err == -ESRCH || err == -EACCES || err == -EPERM || err == -EINVAL;
}

int pw_procfs_read(struct pw_procfs *pfs, pid_t pid, unsigned want, struct pw_proc *p)
{
	char dir[24], file[48];
	struct pw_stat st;
	unsigned got = 0;
	bool have_stat = false;
	int dirfd = pfs->rootfd, r = 0;

	p->have = 0;
	p->inherit = 0;
	p->kthread = p->zombie = false;
	if (want & PW_F_ARGV)
		p->argc = 0;
	want &= PW_F_ALL | PW_F_IDS_AT_EXEC;
	p->missing = want & PW_F_ALL;
	if (!p->missing)
		return 0;	/* nothing to read */
	/* each file by its path from the root: no directory fd to open and close per process */
	snprintf(dir, sizeof(dir), "%d/", (int)pid);
#define AT(name) (snprintf(file, sizeof(file), "%s%s", dir, (name)), file)

	/* the racy fields first: a short-lived process loses them at exit */
	if (want & PW_F_ARGV) {
		r = read_file(dirfd, AT("cmdline"), &pfs->scratch);
		if (r == 0) {
			long argc = pw_parse_cmdline(&pfs->scratch);

			if (argc < 0 || take_string(&p->argv, &pfs->scratch) < 0) {
				r = -ENOMEM;
				goto err_read;
			}
			p->argc = (size_t)argc;
			got |= PW_F_ARGV;
		} else if (!gone(r)) {
			goto err_read;
		}
	}
	if (want & PW_F_EXE) {
		r = read_link(dirfd, AT("exe"), &pfs->scratch);
		if (r == 0 && (r = take_string(&p->exe, &pfs->scratch)) == 0)
			got |= PW_F_EXE;
		else if (r == -ENOMEM)
			goto err_read;
	}
	if (want & PW_F_CWD) {
		r = read_link(dirfd, AT("cwd"), &pfs->scratch);
		if (r == 0 && (r = take_string(&p->cwd, &pfs->scratch)) == 0)
			got |= PW_F_CWD;
		else if (r == -ENOMEM)
			goto err_read;
	}
	r = read_file(dirfd, AT("stat"), &pfs->scratch);
	if (r == -ENOMEM)
		goto err_read;
	if (r == 0 && pw_parse_stat(pfs->scratch.data, pfs->scratch.len, &st) == 0) {
		have_stat = true;
		p->kthread = (st.flags & PF_KTHREAD) != 0;
		p->zombie = st.state == 'Z' || st.state == 'X';
		/* only init and kthreadd have no parent; a dying task shows 0 too */
		if ((want & PW_F_PPID) && (st.ppid != 0 || pid <= 2)) {
			p->ppid = st.ppid;
			got |= PW_F_PPID;
		}
		if (want & PW_F_COMM) {
			memcpy(p->comm, st.comm, sizeof(p->comm));
			got |= PW_F_COMM;
		}
		if (want & PW_F_PGID)
			p->pgid = st.pgid;
		if (want & PW_F_START)
			p->starttime = st.starttime;
		if (want & PW_F_TTY)
			p->tty_nr = st.tty_nr;
		got |= want & (PW_F_START | PW_F_TTY | PW_F_PGID);
	}
	if ((want & PW_F_IDS_AT_EXEC) && (want & (PW_F_UID | PW_F_GID))) {
		struct stat exe;

		/* only a set-id executable changes the ids at exec */
		if (fstatat(dirfd, AT("exe"), &exe, 0) == 0) {
			if (!(exe.st_mode & (S_ISUID | S_ISGID))) {
				p->inherit |= want & (PW_F_UID | PW_F_GID);
				want &= ~(PW_F_UID | PW_F_GID);
			}
		} else if (errno == ENOENT || errno == ESRCH) {
			want &= ~(PW_F_UID | PW_F_GID);	/* gone: its status is too, they stay missing */
		}
	}
	if (want & (PW_F_UID | PW_F_GID)) {
		r = read_file(dirfd, AT("status"), &pfs->scratch);
		if (r == -ENOMEM)
			goto err_read;
		if (r == 0 && pw_parse_status_ids(pfs->scratch.data, pfs->scratch.len,
						  &p->uid, &p->euid, &p->gid, &p->egid) == 0)
			got |= want & (PW_F_UID | PW_F_GID);
	}
	if (want & PW_F_LOGIN) {
		r = read_u32(dirfd, AT("loginuid"), &pfs->scratch, &p->loginuid);
		/* the kernel gives a session only with a login uid: unset, both are */
		if (r == 0 && p->loginuid == UINT32_MAX)
			p->sessionid = UINT32_MAX;
		else if (r == 0)
			r = read_u32(dirfd, AT("sessionid"), &pfs->scratch, &p->sessionid);
		if (r == -ENOMEM)
			goto err_read;
		if (r == 0)
			got |= PW_F_LOGIN;
	}
	if (want & PW_F_CGROUP) {
		const char *path;
		size_t n;

		r = read_file(dirfd, AT("cgroup"), &pfs->scratch);
		if (r == -ENOMEM)
			goto err_read;
		if (r == 0 && pw_parse_cgroup(pfs->scratch.data, pfs->scratch.len, &path, &n) == 0) {
			if (pw_blob_set(&p->cgroup, path, n) < 0) {
				r = -ENOMEM;
				goto err_read;
			}
			got |= PW_F_CGROUP;
		}
	}
	r = 0;

	/*
	 * An empty cmdline is only the truth for a kernel thread; for anything
	 * else it means the process has exited (or is exiting) and lost it.
	 */
	if ((got & PW_F_ARGV) && p->argc == 0 && !(have_stat && p->kthread)) {
		got &= ~PW_F_ARGV;
		/*
		 * Read for an exec event, it may also be a process in its next
		 * exec, between the new memory and the new command line: its exe
		 * and name may be the next image's already.
		 */
		if (want & PW_F_IDS_AT_EXEC)
			got &= ~(PW_F_EXE | PW_F_COMM);
	}
	if (have_stat && p->kthread) {
		/* a kernel thread has no executable: known to be none, not missing */
		got |= want & (PW_F_EXE | PW_F_ARGV);
		pw_blob_unref(&p->exe);
		p->argc = 0;
	}
	if (have_stat && p->zombie)
		got &= ~(PW_F_ARGV | PW_F_EXE | PW_F_CWD);	/* a zombie keeps its cgroup */
#undef AT
	p->have = got;
	p->missing = want & PW_F_ALL & ~got;
	return 0;

err_read:
	p->have = got;
	p->missing = want & PW_F_ALL & ~got;
	return r;
}
