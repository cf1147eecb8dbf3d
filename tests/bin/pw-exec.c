/* pw-exec.c - test workload: execs whose executable /proc shows in unusual ways */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/*
 * Usage:
 *   pw-exec hold FIFO
 *     open FIFO and read it to its end, then exit 0: the process stays
 *     until someone opens FIFO for writing and closes it;
 *   pw-exec memfd NAME PROG ARG...
 *     copy PROG into a memfd called NAME and exec that, with argv ARG...;
 *   pw-exec deleted PATH ARG...
 *     open PATH, unlink it, and exec the open file, with argv ARG....
 * Built static, so that it also runs in an empty chroot.
 */
static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "pw-exec: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

static int hold(const char *fifo)
{
	char buf[256];
	int fd = open(fifo, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return fail("open", fifo);
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	close(fd);
	return n < 0 ? fail("read", fifo) : 0;
}

static int exec_fd(int fd, char **argv, const char *what)
{
	execveat(fd, "", argv, environ, AT_EMPTY_PATH);
	return fail("execveat", what);
}

static int memfd(const char *name, const char *prog, char **argv)
{
	int in = open(prog, O_RDONLY | O_CLOEXEC), fd;
	struct stat st;

	if (in < 0 || fstat(in, &st) < 0)
		return fail("open", prog);
	/* no MFD_CLOEXEC: a memfd closed at exec could not be executed */
	fd = memfd_create(name, 0);
	if (fd < 0)
		return fail("memfd_create", name);
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(fd, in, &off, (size_t)(st.st_size - off));

		if (n <= 0)
			return fail("copy", prog);
	}
	close(in);
	return exec_fd(fd, argv, name);
}

static int deleted(const char *path, char **argv)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return fail("open", path);
	if (unlink(path) < 0)
		return fail("unlink", path);
	return exec_fd(fd, argv, path);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2]);
	if (argc >= 5 && strcmp(argv[1], "memfd") == 0)
		return memfd(argv[2], argv[3], argv + 4);
	if (argc >= 4 && strcmp(argv[1], "deleted") == 0)
		return deleted(argv[2], argv + 3);
	fprintf(stderr, "usage: pw-exec hold FIFO | memfd NAME PROG ARG... | deleted PATH ARG...\n");
	return 2;
}
