/* test-procfs.c - unit tests of the /proc parsers (stat, status, cmdline, cgroup, tty) and the reader */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"
#include "strutil.h"
#include "unit.h"

#define S(lit) lit, sizeof(lit) - 1	/* a literal as (bytes, length), NULs included */
/* fields 5 to 23 of a stat line */
#define TAIL " 5 6 7 -1 9 10 11 12 13 14 15 16 17 18 -19 20 21 22 23\n"

/* Read all of path into a heap block of exactly its size. Returns it, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	char tmp[65536];
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((r = read(fd, tmp + n, sizeof(tmp) - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (r < 0)
		return NULL;
	*len = n;
	return unit_memdup(tmp, n);
}

static int parse_stat_exact(const char *s, size_t n, struct pw_stat *st)
{
	char *p = unit_memdup(s, n);
	int r = pw_parse_stat(p, n, st);

	free(p);
	return r;
}

/*
 * Build a stat line in b: pid 4321, then comm (n bytes), then state, ppid,
 * flags and starttime at fields 3, 4, 9 and 22; any other field n holds n
 * (8 and 19 hold -1 and -19, as tpgid and nice can).
 */
static void stat_line(struct pw_buf *b, const char *comm, size_t n, char state, int ppid,
		      unsigned long flags, unsigned long long start)
{
	char num[32];

	b->len = 0;
	pw_buf_append(b, "4321 (", 6);
	pw_buf_append(b, comm, n);
	snprintf(num, sizeof(num), ") %c %d", state, ppid);
	pw_buf_append(b, num, strlen(num));
	for (int f = 5; f <= 52; f++) {
		if (f == 8)
			snprintf(num, sizeof(num), " -1");
		else if (f == 9)
			snprintf(num, sizeof(num), " %lu", flags);
		else if (f == 19)
			snprintf(num, sizeof(num), " -19");
		else if (f == 22)
			snprintf(num, sizeof(num), " %llu", start);
		else
			snprintf(num, sizeof(num), " %d", f);
		pw_buf_append(b, num, strlen(num));
	}
	pw_buf_putc(b, '\n');
}

/* comm (n bytes) must come back as want, with the numeric fields intact. */
static void stat_comm_is(const char *comm, size_t n, const char *want, size_t wantlen)
{
	struct pw_buf b = { 0 };
	struct pw_stat st;

	stat_line(&b, comm, n, 'R', 4444, 0x400140, 987654321);
	memset(&st, 0x55, sizeof(st));
	if (CHECK_INT(parse_stat_exact(b.data, b.len, &st), 0)) {
		if (!CHECK_MEM(st.comm, strnlen(st.comm, sizeof(st.comm)), want, wantlen))
			unit_print_bytes("line", b.data, b.len);
		CHECK(strnlen(st.comm, sizeof(st.comm)) < sizeof(st.comm));
		CHECK_INT(st.state, 'R');
		CHECK_INT(st.ppid, 4444);
		CHECK_INT(st.flags, 0x400140);
		CHECK_INT(st.starttime, 987654321);
	} else {
		unit_print_bytes("line", b.data, b.len);
	}
	pw_buf_free(&b);
}

static void stat_invalid(const char *line, size_t n)
{
	struct pw_stat st;

	if (!CHECK_INT(parse_stat_exact(line, n, &st), -EINVAL))
		unit_print_bytes("line", line, n);
}

static void test_parse_stat(void)
{
	char longc[300], field[4][32] = { "" };
	struct pw_buf b = { 0 };
	struct pw_stat st;
	size_t n, start22;
	const char *p;

	stat_line(&b, S("bash"), 'S', 4444, 0x400100, 123456789);
	memset(&st, 0x55, sizeof(st));
	if (CHECK_INT(parse_stat_exact(b.data, b.len, &st), 0)) {
		CHECK_STR(st.comm, "bash");
		CHECK_INT(st.state, 'S');
		CHECK_INT(st.ppid, 4444);
		CHECK_INT(st.flags, 0x400100);
		CHECK_INT(st.starttime, 123456789);
	}
	/* no trailing newline */
	CHECK_INT(parse_stat_exact(b.data, b.len - 1, &st), 0);
	CHECK_INT(st.starttime, 123456789);

	/* pid 1, a kernel thread, a zombie, the largest starttime */
	stat_line(&b, S("systemd"), 'S', 0, 0x400100, 2);
	if (CHECK_INT(parse_stat_exact(b.data, b.len, &st), 0))
		CHECK_INT(st.ppid, 0);
	stat_line(&b, S("kworker/0:1-events"), 'I', 2, 0x04208060, 77);
	if (CHECK_INT(parse_stat_exact(b.data, b.len, &st), 0)) {
		CHECK_STR(st.comm, "kworker/0:1-events");
		CHECK_INT(st.flags, 0x04208060);
	}
	stat_line(&b, S("defunct"), 'Z', 1, 0x40040c, ULLONG_MAX);
	if (CHECK_INT(parse_stat_exact(b.data, b.len, &st), 0)) {
		CHECK_INT(st.state, 'Z');
		CHECK(st.starttime == ULLONG_MAX);
	}

	/* comm is everything between the first '(' and the last ')' */
	stat_comm_is(S("Web Content"), S("Web Content"));
	stat_comm_is(S("a) (b"), S("a) (b"));
	stat_comm_is(S("x) R 1 2 3 4 5 6 7 8"), S("x) R 1 2 3 4 5 6 7 8"));
	stat_comm_is(S("a\nb"), S("a\nb"));
	stat_comm_is(S("()"), S("()"));
	stat_comm_is(S("(("), S("(("));
	stat_comm_is(S("))"), S("))"));
	stat_comm_is(S(")("), S(")("));
	stat_comm_is(S(")"), S(")"));
	stat_comm_is(S("("), S("("));
	stat_comm_is(S(""), S(""));
	stat_comm_is(S(" "), S(" "));
	stat_comm_is(S("\xff\xfe\x1b"), S("\xff\xfe\x1b"));
	stat_comm_is(S("0123456789abcde"), S("0123456789abcde"));

	/* a comm longer than the field is cut at 63 bytes */
	for (size_t i = 0; i < sizeof(longc); i++)
		longc[i] = (char)('a' + i % 26);
	stat_comm_is(longc, 63, longc, 63);
	stat_comm_is(longc, 64, longc, 63);
	stat_comm_is(longc, 65, longc, 63);
	memcpy(longc + 100, ") S 1 2 3 ", 10);
	stat_comm_is(longc, sizeof(longc), longc, 63);

	/* a line cut anywhere before field 22 is refused */
	stat_line(&b, S("a) b"), 'S', 4444, 0x400100, 123456789);
	p = memchr(b.data, ')', b.len);
	p = memchr(p + 1, ')', b.len - (size_t)(p + 1 - b.data));
	p += 2;
	for (int f = 3; f < 22; f++)
		p = memchr(p, ' ', b.len - (size_t)(p - b.data)) + 1;
	start22 = (size_t)(p - b.data);
	CHECK(strncmp(p, "123456789 ", 10) == 0);
	for (n = 0; n <= start22; n++) {
		if (parse_stat_exact(b.data, n, &st) != -EINVAL)
			break;
	}
	if (!CHECK_INT(n, start22 + 1))
		unit_print_bytes("accepted", b.data, n);

	/* no ')', no '(', or a ')' only before the '(' */
	stat_invalid(S("4321 (bash S 4444" TAIL));
	stat_invalid(S("4321 bash) S 4444" TAIL));
	stat_invalid(S("4321 )bash( S 4444" TAIL));
	stat_invalid(S("4321 bash S 4444" TAIL));
	stat_invalid(S(""));
	stat_invalid(S("("));
	stat_invalid(S("()"));
	stat_invalid(S("() S"));
	/* no state, a field that is not a number, an empty field */
	stat_invalid(S("4321 (x) 4444" TAIL));
	stat_invalid(S("4321 (x) S abc" TAIL));
	stat_invalid(S("4321 (x) S 4444 5 6 7 -1 nine 10 11 12 13 14 15 16 17 18 "
		       "-19 20 21 22 23\n"));
	stat_invalid(S("4321 (x) S 4444  6 7 -1 9 10 11 12 13 14 15 16 17 18 -19 20 21 22 23\n"));
	stat_invalid(S("4321 (x) S 4444 5 6 7 -1 9 10 11 12 13 14 15 16 17 18 -19 20 21 -\n"));

	/* the real thing, checked against a plain split after the last ')' */
	{
		char *line = slurp("/proc/self/stat", &n), *comm, *q, *copy;
		size_t commlen;

		if (!CHECK(line != NULL))
			goto out;
		comm = slurp("/proc/self/comm", &commlen);
		copy = malloc(n + 1);
		if (!CHECK(copy != NULL)) {
			free(comm);
			free(line);
			goto out;
		}
		memcpy(copy, line, n);
		copy[n] = '\0';
		q = strrchr(copy, ')') + 2;
		for (int f = 3, k = 0; f <= 22 && q; f++) {
			size_t len = strcspn(q, " ");

			if (f == 3 || f == 4 || f == 9 || f == 22)
				snprintf(field[k++], sizeof(field[0]), "%.*s", (int)len, q);
			q = q[len] ? q + len + 1 : NULL;
		}
		memset(&st, 0x55, sizeof(st));
		if (CHECK_INT(pw_parse_stat(line, n, &st), 0)) {
			if (CHECK(comm && commlen > 0))
				CHECK_MEM(st.comm, strlen(st.comm), comm, commlen - 1);
			CHECK_INT(st.state, field[0][0]);
			CHECK_INT(st.ppid, getppid());
			CHECK_INT(st.ppid, strtol(field[1], NULL, 10));
			CHECK(st.flags == strtoul(field[2], NULL, 10));
			CHECK(st.starttime == strtoull(field[3], NULL, 10));
			CHECK(st.starttime > 0);
		}
		free(copy);
		free(comm);
		free(line);
	}
out:
	pw_buf_free(&b);
}

/* Numbers out of range in fields procwatch skips must not upset the parser. */
static void test_parse_stat_extremes(void)
{
	struct pw_stat st;

	memset(&st, 0, sizeof(st));
	CHECK_INT(parse_stat_exact(S("4321 (x) S 4444 5 6 7 -1 9 99999999999999999999999 11 12 "
				      "13 14 15 16 17 18 -19 20 21 22 23\n"), &st), 0);
	CHECK_INT(st.ppid, 4444);
	CHECK_INT(st.flags, 9);
	CHECK_INT(st.starttime, 22);

	/* negating LLONG_MIN is undefined: UBSan stops here if the parser does it */
	memset(&st, 0, sizeof(st));
	CHECK_INT(parse_stat_exact(S("4321 (x) S 4444 5 6 7 -1 9 10 11 12 13 14 15 16 17 18 "
				      "-9223372036854775808 20 21 22 23\n"), &st), 0);
	CHECK_INT(st.ppid, 4444);
	CHECK_INT(st.flags, 9);
	CHECK_INT(st.starttime, 22);
}

static int status_exact(const char *s, size_t n, uid_t *u, uid_t *eu, gid_t *g, gid_t *eg)
{
	char *p = unit_memdup(s, n);
	int r = pw_parse_status_ids(p, n, u, eu, g, eg);

	free(p);
	return r;
}

static void status_invalid(const char *s, size_t n)
{
	uid_t u, eu;
	gid_t g, eg;

	if (!CHECK_INT(status_exact(s, n, &u, &eu, &g, &eg), -EINVAL))
		unit_print_bytes("status", s, n);
}

static void test_parse_status_ids(void)
{
	static const char status[] =
		"Name:\tbash\n"
		"Umask:\t0022\n"
		"State:\tS (sleeping)\n"
		"Tgid:\t4321\n"
		"Ngid:\t0\n"
		"Pid:\t4321\n"
		"PPid:\t4444\n"
		"TracerPid:\t0\n"
		"Uid:\t1000\t1001\t1002\t1003\n"
		"Gid:\t100\t101\t102\t103\n"
		"FDSize:\t256\n"
		"Groups:\t4 24 27 100 \n"
		"NStgid:\t4321\n";
	uid_t u, eu;
	gid_t g, eg;
	size_t n, last;
	char *real;

	u = eu = g = eg = 7;
	if (CHECK_INT(status_exact(S(status), &u, &eu, &g, &eg), 0)) {
		CHECK_INT(u, 1000);
		CHECK_INT(eu, 1001);
		CHECK_INT(g, 100);
		CHECK_INT(eg, 101);
	}

	/* first and last lines, Gid before Uid, no final newline, spaces */
	u = eu = g = eg = 7;
	CHECK_INT(status_exact(S("Gid:\t5\t6\t5\t5\nUid:\t0\t0\t0\t0"), &u, &eu, &g, &eg), 0);
	CHECK(u == 0 && eu == 0 && g == 5 && eg == 6);
	CHECK_INT(status_exact(S("Uid: 1 2\nGid:  3  4"), &u, &eu, &g, &eg), 0);
	CHECK(u == 1 && eu == 2 && g == 3 && eg == 4);
	CHECK_INT(status_exact(S("Uid:\t4294967295\t4294967295\t0\t0\nGid:\t0\t0\t0\t0\n"),
			       &u, &eu, &g, &eg), 0);
	CHECK(u == (uid_t)4294967295u && eu == (uid_t)4294967295u);

	/* a line missing */
	status_invalid(S("Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nFDSize:\t64\n"));
	status_invalid(S("Name:\tbash\nGid:\t1000\t1000\t1000\t1000\nFDSize:\t64\n"));
	status_invalid(S(""));
	status_invalid(S("\n"));
	/* the key only counts at the start of a line */
	status_invalid(S("XUid:\t1\t1\nGid:\t1\t1\n"));
	status_invalid(S("Name:\tUid:\t1\t1\nGid:\t1\t1\n"));
	status_invalid(S("Gid:\t1\t1\nUid:"));
	/* garbage numbers */
	status_invalid(S("Uid:\tabc\tdef\t0\t0\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t1000\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t12x\t5\t0\t0\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t-1\t0\t0\t0\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t4294967296\t0\t0\t0\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t99999999999999999999999\t0\nGid:\t0\t0\t0\t0\n"));
	status_invalid(S("Uid:\t0\t0\t0\t0\nGid:\t0\tx\t0\t0\n"));

	/* cut short before the effective gid: refused, never read past the end */
	last = (size_t)(strstr(status, "Gid:\t100\t") - status) + 9;
	for (n = 0; n <= last; n++)
		if (status_exact(status, n, &u, &eu, &g, &eg) != -EINVAL)
			break;
	CHECK_INT(n, last + 1);
	for (n = last + 3; n <= sizeof(status) - 1; n++) {
		eg = 7;
		if (status_exact(status, n, &u, &eu, &g, &eg) != 0 || eg != 101)
			break;
	}
	CHECK_INT(n, sizeof(status));

	real = slurp("/proc/self/status", &n);
	if (CHECK(real != NULL) && CHECK_INT(pw_parse_status_ids(real, n, &u, &eu, &g, &eg), 0)) {
		CHECK_INT(u, getuid());
		CHECK_INT(eu, geteuid());
		CHECK_INT(g, getgid());
		CHECK_INT(eg, getegid());
	}
	free(real);
}

/* pw_parse_cmdline() on n raw bytes held in a buffer of exactly n bytes. */
static long cmdline_exact(struct pw_buf *b, const char *s, size_t n)
{
	b->data = unit_memdup(s, n);
	b->len = b->cap = n;
	return pw_parse_cmdline(b);
}

/* The arguments in b are the argc strings of want, each followed by its NUL. */
static void args_are(const struct pw_buf *b, long argc, const char *want, size_t wantlen)
{
	long nul = 0;

	for (size_t i = 0; i < wantlen; i++)
		nul += want[i] == '\0';
	CHECK_INT(argc, nul);
	CHECK_MEM(b->data, b->len, want, wantlen);
	CHECK(b->len == 0 || b->data[b->len - 1] == '\0');
}

static void test_parse_cmdline(void)
{
	struct pw_buf b = { 0 };
	char raw[200], want[200];
	unsigned long bad = 0;
	long argc;

	args_are(&b, cmdline_exact(&b, S("a\0b\0")), S("a\0b\0"));
	pw_buf_free(&b);
	args_are(&b, cmdline_exact(&b, S("a\0\0b\0")), S("a\0\0b\0"));
	pw_buf_free(&b);
	args_are(&b, cmdline_exact(&b, S("a\0b")), S("a\0b\0"));
	CHECK(b.cap > b.len && b.data[b.len] == '\0');
	pw_buf_free(&b);
	args_are(&b, cmdline_exact(&b, S("")), S(""));
	pw_buf_free(&b);
	args_are(&b, cmdline_exact(&b, S("\0")), S("\0"));
	pw_buf_free(&b);
	args_are(&b, cmdline_exact(&b, S("\0\0\0")), S("\0\0\0"));
	pw_buf_free(&b);
	/* a process that rewrote its argv into one string (setproctitle) */
	args_are(&b, cmdline_exact(&b, S("nginx: worker process")), S("nginx: worker process\0"));
	pw_buf_free(&b);
	/* a never-filled buffer */
	CHECK_INT(pw_parse_cmdline(&b), 0);
	CHECK_INT(b.len, 0);

	/* random argument vectors, with and without the last NUL */
	for (unsigned i = 0; i < 5000; i++) {
		size_t n = 0, m;
		unsigned nargs = unit_rand() % 8;
		bool drop = false;

		for (unsigned a = 0; a < nargs; a++) {
			size_t len = unit_rand() % 20;

			for (size_t k = 0; k < len; k++)
				raw[n++] = (char)(1 + unit_rand() % 255);
			raw[n++] = '\0';
			drop = len > 0;
		}
		memcpy(want, raw, n);
		m = n;
		if (drop && unit_rand() % 2)
			m--;
		argc = cmdline_exact(&b, raw, m);
		if ((argc != (long)nargs || b.len != n || memcmp(b.data, want, n) != 0) && !bad++)
			unit_print_bytes("cmdline", raw, m);
		pw_buf_free(&b);
	}
	CHECK_INT(bad, 0);
}

/* 64 hex digits, two different ones, the first in capitals; 63 of them */
#define HEX16 "0123456789abcdef"
#define HEX64 HEX16 HEX16 HEX16 HEX16
#define HEX63 "123456789abcdef" HEX16 HEX16 HEX16
#define HEX64B "fedcba9876543210" "fedcba9876543210" "fedcba9876543210" "fedcba9876543210"
#define HEX64_CAPS "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define POD_UID "8f3e2a1b_4c5d_4e6f_9a0b_1c2d3e4f5a6b"
#define POD_UUID "8f3e2a1b-4c5d-4e6f-9a0b-1c2d3e4f5a6b"

/* pw_parse_cgroup() on the n bytes of file, held in a block of exactly n bytes: want is the path, or NULL for -ENOENT. */
static void cgroup_path_is(const char *file, size_t n, const char *want)
{
	char *buf = unit_memdup(file, n);
	const char *path = NULL;
	size_t len = 12345;
	int r = pw_parse_cgroup(buf, n, &path, &len);

	if (!want) {
		if (!CHECK_INT(r, -ENOENT))
			unit_print_bytes("file", file, n);
	} else if (CHECK_INT(r, 0)) {
		if (CHECK(path >= buf && len <= n && path + len <= buf + n))
			CHECK_MEM(path, len, want, strlen(want));
		else
			unit_print_bytes("file", file, n);
	} else {
		unit_print_bytes("file", file, n);
	}
	free(buf);
}

static void test_parse_cgroup(void)
{
	char *real;
	size_t n;

	cgroup_path_is(S("0::/init.scope\n"), "/init.scope");
	cgroup_path_is(S("0::/\n"), "/");
	cgroup_path_is(S("0::/user.slice/user-1000.slice/session-3.scope\n"),
		       "/user.slice/user-1000.slice/session-3.scope");
	/* no final newline */
	cgroup_path_is(S("0::/system.slice/ssh.service"), "/system.slice/ssh.service");
	/* a hybrid hierarchy: v1 lines first, the v2 line last */
	cgroup_path_is(S("12:pids:/system.slice/cron.service\n"
			 "11:memory:/system.slice/cron.service\n"
			 "1:name=systemd:/system.slice/cron.service\n"
			 "0::/system.slice/cron.service\n"), "/system.slice/cron.service");
	cgroup_path_is(S("0::/a\n1:name=systemd:/b\n"), "/a");
	/* "10::" and a "0::" inside a line are not the v2 line */
	cgroup_path_is(S("10::/x\n0::/y\n"), "/y");
	cgroup_path_is(S("1:name=systemd:/0::/x\n0::/y\n"), "/y");
	/* spaces and parentheses are part of the path */
	cgroup_path_is(S("0::/system.slice/a b (c).service\n"), "/system.slice/a b (c).service");
	/* the root of a cgroup namespace: an empty path */
	cgroup_path_is(S("0::\n"), "");

	/* no v2 line */
	cgroup_path_is(S("12:pids:/\n11:memory:/\n1:name=systemd:/\n"), NULL);
	cgroup_path_is(S(""), NULL);
	cgroup_path_is(S("\n"), NULL);
	cgroup_path_is(S("0:/x\n"), NULL);
	cgroup_path_is(S(" 0::/x\n"), NULL);
	cgroup_path_is(S("0:"), NULL);

	/* this process: the v2 line, found as a plain search finds it */
	real = slurp("/proc/self/cgroup", &n);
	if (CHECK(real != NULL)) {
		char *copy = malloc(n + 2), *line;

		if (CHECK(copy != NULL)) {
			copy[0] = '\n';
			memcpy(copy + 1, real, n);
			copy[n + 1] = '\0';
			line = strstr(copy, "\n0::");
			if (line) {
				line += 4;
				line[strcspn(line, "\n")] = '\0';
				cgroup_path_is(real, n, line);
			} else {
				cgroup_path_is(real, n, NULL);
			}
		}
		free(copy);
	}
	free(real);
}

/* pw_cgroup_container_id() on path (not NUL-terminated): want is the id, or NULL for -ENOENT. */
static void container_id_is(const char *path, const char *want)
{
	size_t n = strlen(path);
	char *buf = unit_memdup(path, n), id[65];
	int r;

	memset(id, 'x', sizeof(id));
	r = pw_cgroup_container_id(buf, n, id);
	if (!want) {
		if (!CHECK_INT(r, -ENOENT))
			unit_print_bytes("path", path, n);
	} else if (CHECK_INT(r, 0)) {
		if (!CHECK(id[64] == '\0') || !CHECK_MEM(id, strnlen(id, 64), want, strlen(want)))
			unit_print_bytes("path", path, n);
	} else {
		unit_print_bytes("path", path, n);
	}
	free(buf);
}

static void test_cgroup_container_id(void)
{
	/* docker (cgroupfs and systemd drivers), podman, containerd and CRI-O under kubepods */
	container_id_is("/docker/" HEX64, HEX64);
	container_id_is("/system.slice/docker-" HEX64 ".scope", HEX64);
	container_id_is("/machine.slice/libpod-" HEX64 ".scope", HEX64);
	container_id_is("/machine.slice/libpod-" HEX64 ".scope/container", HEX64);
	container_id_is("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID
			".slice/cri-containerd-" HEX64 ".scope", HEX64);
	container_id_is("/kubepods/besteffort/pod" POD_UUID "/" HEX64, HEX64);
	container_id_is("/kubepods/burstable/pod" POD_UUID "/" HEX64, HEX64);
	container_id_is("/kubepods.slice/kubepods-pod" POD_UID ".slice/crio-" HEX64 ".scope", HEX64);
	container_id_is("/docker/" HEX64B, HEX64B);
	/* a container in a container: the innermost */
	container_id_is("/docker/" HEX64 "/docker/" HEX64B, HEX64B);
	container_id_is("/system.slice/docker-" HEX64 ".scope/kubepods/besteffort/pod" POD_UUID "/" HEX64B,
			HEX64B);
	/* a trailing slash does not hide the last component */
	container_id_is("/docker/" HEX64 "/", HEX64);
	container_id_is("/system.slice/docker-" HEX64 ".scope/", HEX64);
	/* no leading slash */
	container_id_is("docker-" HEX64 ".scope", HEX64);

	/* the monitors next to a container are not the container */
	container_id_is("/machine.slice/libpod-conmon-" HEX64 ".scope", NULL);
	container_id_is("/kubepods.slice/kubepods-pod" POD_UID ".slice/crio-conmon-" HEX64 ".scope", NULL);
	/* the pod is not a container */
	container_id_is("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID ".slice",
			NULL);
	container_id_is("/kubepods/besteffort/pod" POD_UUID, NULL);
	/* hex digits in capitals, 63 or 65 of them, or more in the component */
	container_id_is("/docker/" HEX64_CAPS, NULL);
	container_id_is("/docker/A" HEX63, NULL);
	container_id_is("/docker/" HEX63, NULL);
	container_id_is("/docker/" HEX64 "0", NULL);
	container_id_is("/system.slice/docker-" HEX63 ".scope", NULL);
	container_id_is("/system.slice/docker-" HEX64 "0.scope", NULL);
	container_id_is("/system.slice/docker-" HEX64_CAPS ".scope", NULL);
	container_id_is("/docker/x" HEX64, NULL);
	container_id_is("/docker/" HEX64 "x", NULL);
	container_id_is("/system.slice/docker-" HEX64 ".scopex", NULL);
	container_id_is("/system.slice/docker-" HEX64 ".service.d", NULL);
	container_id_is("/system.slice/docker-" HEX64 "g.scope", NULL);
	/* no container at all */
	container_id_is("/system.slice/ssh.service", NULL);
	container_id_is("/user.slice/user-1000.slice/session-3.scope", NULL);
	container_id_is("/system.slice/docker.service", NULL);
	container_id_is("/", NULL);
	container_id_is("", NULL);
	container_id_is("//", NULL);
}

/* pw_cgroup_unit() on path (not NUL-terminated): want is the unit, or NULL for -ENOENT. */
static void unit_is(const char *path, const char *want)
{
	size_t n = strlen(path), len = 12345;
	char *buf = unit_memdup(path, n);
	const char *name = NULL;
	int r = pw_cgroup_unit(buf, n, &name, &len);

	if (!want) {
		if (!CHECK_INT(r, -ENOENT))
			unit_print_bytes("path", path, n);
	} else if (CHECK_INT(r, 0)) {
		if (!CHECK(name >= buf && len <= n && name + len <= buf + n) ||
		    !CHECK_MEM(name, len, want, strlen(want)))
			unit_print_bytes("path", path, n);
	} else {
		unit_print_bytes("path", path, n);
	}
	free(buf);
}

static void test_cgroup_unit(void)
{
	unit_is("/system.slice/ssh.service", "ssh.service");
	unit_is("/user.slice/user-1000.slice/session-3.scope", "session-3.scope");
	unit_is("/init.scope", "init.scope");
	unit_is("/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service");
	unit_is("/system.slice/docker-" HEX64 ".scope", "docker-" HEX64 ".scope");
	unit_is("/machine.slice/libpod-" HEX64 ".scope", "libpod-" HEX64 ".scope");
	unit_is("/machine.slice/libpod-conmon-" HEX64 ".scope", "libpod-conmon-" HEX64 ".scope");
	unit_is("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID
		".slice/cri-containerd-" HEX64 ".scope", "cri-containerd-" HEX64 ".scope");
	unit_is("/kubepods.slice/kubepods-pod" POD_UID ".slice/crio-" HEX64 ".scope", "crio-" HEX64 ".scope");
	/* the deepest unit: below it only slices and plain directories */
	unit_is("/machine.slice/libpod-" HEX64 ".scope/container", "libpod-" HEX64 ".scope");
	unit_is("/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1.scope",
		"vte-spawn-1.scope");
	unit_is("/user.slice/user-1000.slice/user@1000.service/app.slice", "user@1000.service");
	unit_is("/system.slice/docker-" HEX64 ".scope/kubepods/besteffort/pod" POD_UUID "/" HEX64B,
		"docker-" HEX64 ".scope");
	/* a trailing slash, no leading slash */
	unit_is("/system.slice/ssh.service/", "ssh.service");
	unit_is("ssh.service", "ssh.service");

	/* no unit */
	unit_is("/docker/" HEX64, NULL);
	unit_is("/kubepods/besteffort/pod" POD_UUID "/" HEX64, NULL);
	unit_is("/custom/batch/job42", NULL);
	unit_is("/user.slice/user-1000.slice", NULL);
	unit_is("/system.slice/.service", NULL);
	unit_is("/.scope", NULL);
	unit_is("/a.servicex", NULL);
	unit_is("/a.service.d", NULL);
	unit_is("/a.scope.d/x", NULL);
	unit_is("/", NULL);
	unit_is("", NULL);
}

/* tty_nr as /proc/PID/stat encodes the device major:minor */
static unsigned tty_nr(unsigned major, unsigned minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static void tty_is(unsigned nr, const char *want)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	if (!want) {
		CHECK_INT(pw_tty_name(nr, buf, sizeof(buf)), -ENOENT);
		return;
	}
	if (CHECK_INT(pw_tty_name(nr, buf, sizeof(buf)), 0) && CHECK(memchr(buf, '\0', sizeof(buf))))
		if (!CHECK_STR(buf, want))
			printf("#   tty_nr %u\n", nr);
}

static void test_tty_name(void)
{
	char *small;

	tty_is(0, NULL);
	tty_is(34816, "pts/0");
	tty_is(34817, "pts/1");
	tty_is(tty_nr(136, 255), "pts/255");
	tty_is(tty_nr(136, 256), "pts/256");
	tty_is(tty_nr(136, 300), "pts/300");
	tty_is(tty_nr(136, 1048575), "pts/1048575");
	tty_is(1025, "tty1");
	tty_is(tty_nr(4, 0), "tty0");
	tty_is(tty_nr(4, 63), "tty63");
	tty_is(tty_nr(4, 64), "ttyS0");
	tty_is(tty_nr(4, 65), "ttyS1");
	tty_is(tty_nr(5, 0), "tty");
	tty_is(tty_nr(5, 1), "console");
	tty_is(tty_nr(188, 0), "ttyUSB0");
	tty_is(tty_nr(166, 2), "ttyACM2");
	tty_is(tty_nr(204, 64), "ttyAMA0");
	/* anything else: the device number */
	tty_is(tty_nr(3, 1), "3:1");
	tty_is(tty_nr(300, 5), "300:5");
	tty_is(tty_nr(4095, 1048575), "4095:1048575");

	/* a buffer too small: cut, terminated, nothing written past it */
	small = unit_memdup("xxxx", 4);
	CHECK_INT(pw_tty_name(tty_nr(136, 300), small, 4), 0);
	CHECK_MEM(small, 4, "pts\0", 4);
	free(small);
}

static void test_procfs_read(void)
{
	struct pw_procfs *pfs = NULL;
	struct pw_proc p;
	char cwd[PATH_MAX], exe[PATH_MAX], *comm;
	ssize_t exelen;
	size_t commlen;

	CHECK_INT(pw_procfs_open("/nonexistent/proc", &pfs), -ENOENT);
	CHECK(pfs == NULL);
	if (!CHECK_INT(pw_procfs_open(NULL, &pfs), 0))
		return;

	memset(&p, 0, sizeof(p));
	CHECK_INT(pw_procfs_read(pfs, getpid(), PW_F_ALL, &p), 0);
	CHECK_INT(p.have, PW_F_ALL);
	CHECK_INT(p.missing, 0);
	CHECK_INT(p.ppid, getppid());
	CHECK(!p.kthread && !p.zombie);
	CHECK_INT(p.uid, getuid());
	CHECK_INT(p.euid, geteuid());
	CHECK_INT(p.gid, getgid());
	CHECK_INT(p.egid, getegid());
	comm = slurp("/proc/self/comm", &commlen);
	if (CHECK(comm && commlen > 0))
		CHECK_MEM(p.comm, strlen(p.comm), comm, commlen - 1);
	free(comm);
	if (CHECK(getcwd(cwd, sizeof(cwd)) != NULL) && CHECK(p.cwd != NULL))
		CHECK_STR(p.cwd->data, cwd);
	exelen = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (CHECK(exelen > 0) && CHECK(p.exe != NULL))
		CHECK_MEM(p.exe->data, p.exe->len, exe, (size_t)exelen);
	if (CHECK_INT(p.argc, 1) && CHECK(p.argv != NULL)) {
		size_t len = strlen(p.argv->data);

		CHECK(len >= 11 && strcmp(p.argv->data + len - 11, "test-procfs") == 0);
	}

	/* a process that does not exist is not an error: everything is missing */
	CHECK_INT(pw_procfs_read(pfs, 2147483646, PW_F_ALL, &p), 0);
	CHECK_INT(p.have, 0);
	CHECK_INT(p.missing, PW_F_ALL);
	CHECK_INT(p.argc, 0);

	pw_proc_free(&p);
	CHECK(p.exe == NULL && p.cwd == NULL && p.argv == NULL);
	pw_procfs_free(&pfs);
	CHECK(pfs == NULL);
	pw_procfs_free(&pfs);
}

/* write n bytes of s to dir/name */
static void put_file(const char *dir, const char *name, const char *s, size_t n)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!CHECK(f != NULL))
		return;
	CHECK(fwrite(s, 1, n, f) == n);
	fclose(f);
}

/*
 * A process with an empty command line that is not a kernel thread, read
 * for its exec event: it may be in its next exec already, so its exe and
 * name are not taken; read for anything else, they are.
 */
static void test_procfs_read_mid_exec(void)
{
	static const char stat[] = "77 (true) R 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0 "
				   "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
	char root[] = "/tmp/test-procfs.XXXXXX", dir[sizeof(root) + 8], link[sizeof(dir) + 16];
	struct pw_procfs *pfs = NULL;
	struct pw_proc p;

	if (!CHECK(mkdtemp(root) != NULL))
		return;
	snprintf(dir, sizeof(dir), "%s/77", root);
	CHECK_INT(mkdir(dir, 0755), 0);
	put_file(dir, "stat", stat, sizeof(stat) - 1);
	put_file(dir, "cmdline", "", 0);
	snprintf(link, sizeof(link), "%s/exe", dir);
	CHECK_INT(symlink("/usr/bin/true", link), 0);
	snprintf(link, sizeof(link), "%s/cwd", dir);
	CHECK_INT(symlink("/", link), 0);
	if (!CHECK_INT(pw_procfs_open(root, &pfs), 0))
		return;

	memset(&p, 0, sizeof(p));
	CHECK_INT(pw_procfs_read(pfs, 77, PW_F_ALL | PW_F_IDS_AT_EXEC, &p), 0);
	CHECK_INT(p.have & (PW_F_ARGV | PW_F_EXE | PW_F_COMM), 0);
	CHECK_INT(p.missing & (PW_F_ARGV | PW_F_EXE | PW_F_COMM), PW_F_ARGV | PW_F_EXE | PW_F_COMM);
	CHECK_INT(p.have & (PW_F_CWD | PW_F_PPID | PW_F_START), PW_F_CWD | PW_F_PPID | PW_F_START);

	CHECK_INT(pw_procfs_read(pfs, 77, PW_F_ALL, &p), 0);
	CHECK_INT(p.have & (PW_F_ARGV | PW_F_EXE | PW_F_COMM), PW_F_EXE | PW_F_COMM);
	CHECK_INT(p.missing & PW_F_ARGV, PW_F_ARGV);
	CHECK_STR(p.comm, "true");
	if (CHECK(p.exe != NULL))
		CHECK_STR(p.exe->data, "/usr/bin/true");

	pw_proc_free(&p);
	pw_procfs_free(&pfs);
	unlink(link);
	snprintf(link, sizeof(link), "%s/exe", dir);
	unlink(link);
	snprintf(link, sizeof(link), "%s/stat", dir);
	unlink(link);
	snprintf(link, sizeof(link), "%s/cmdline", dir);
	unlink(link);
	CHECK_INT(rmdir(dir), 0);
	CHECK_INT(rmdir(root), 0);
}

int main(void)
{
	UNIT_RUN(test_parse_stat);
	UNIT_RUN(test_parse_status_ids);
	UNIT_RUN(test_parse_cmdline);
	UNIT_RUN(test_procfs_read_mid_exec);
	UNIT_RUN(test_parse_cgroup);
	UNIT_RUN(test_cgroup_container_id);
	UNIT_RUN(test_cgroup_unit);
	UNIT_RUN(test_tty_name);
	UNIT_RUN(test_procfs_read);
	/* last: under UBSan a parser bug here ends the program */
	UNIT_RUN(test_parse_stat_extremes);
	return unit_done();
}
