/* test-procfs.c - unit tests of the /proc parsers (stat, status, cmdline) and the reader */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (CHECK(getcwd(cwd, sizeof(cwd)) != NULL) && CHECK(p.cwd.data))
		CHECK_STR(p.cwd.data, cwd);
	exelen = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (CHECK(exelen > 0) && CHECK(p.exe.data))
		CHECK_MEM(p.exe.data, p.exe.len, exe, (size_t)exelen);
	if (CHECK_INT(p.argc, 1) && CHECK(p.argv.data)) {
		size_t len = strlen(p.argv.data);

		CHECK(len >= 11 && strcmp(p.argv.data + len - 11, "test-procfs") == 0);
	}

	/* a process that does not exist is not an error: everything is missing */
	CHECK_INT(pw_procfs_read(pfs, 2147483646, PW_F_ALL, &p), 0);
	CHECK_INT(p.have, 0);
	CHECK_INT(p.missing, PW_F_ALL);
	CHECK_INT(p.argc, 0);

	pw_proc_free(&p);
	CHECK(p.exe.data == NULL && p.cwd.data == NULL && p.argv.data == NULL);
	pw_procfs_free(&pfs);
	CHECK(pfs == NULL);
	pw_procfs_free(&pfs);
}

int main(void)
{
	UNIT_RUN(test_parse_stat);
	UNIT_RUN(test_parse_status_ids);
	UNIT_RUN(test_parse_cmdline);
	UNIT_RUN(test_procfs_read);
	/* last: under UBSan a parser bug here ends the program */
	UNIT_RUN(test_parse_stat_extremes);
	return unit_done();
}
