/* output.c - where records go: standard output or -o FILE, through the queue, reopened on SIGHUP */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

/* FILE for appending, private to its owner. Returns the fd or -errno. */
static int open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	return fd < 0 ? -errno : fd;
}

int output_open(struct output *o, const char *path, size_t queue, sink_lost_fn lost, void *ctx)
{
	int fd = STDOUT_FILENO, r;

	o->path = path;
	o->state = OUTPUT_OPEN;
	o->err = 0;
	sink_init(&o->sink, queue, lost, ctx);
	if (path && (fd = open_file(path)) < 0) {
		fprintf(stderr, "procwatch: %s: %s\n", path, strerror(-fd));
		return fd;
	}
	r = sink_attach(&o->sink, fd);
	if (r < 0)
		fprintf(stderr, "procwatch: %s: %s\n", path ? path : "standard output", strerror(-r));
	return r;
}

void output_fail(struct output *o, int err)
{
	if (o->state == OUTPUT_GONE)
		return;
	o->state = OUTPUT_GONE;
	o->err = err;
	if (err != -EPIPE)
		fprintf(stderr, "procwatch: write error: %s\n", strerror(-err));
}

void output_hangup(struct output *o)
{
	if (o->path && o->state == OUTPUT_OPEN)
		o->state = OUTPUT_REOPEN;
}

/*
 * SIGHUP with -o, taken while signals wait: between two waits procwatch
 * may write a whole batch.
 */
static void take_hangup(struct output *o)
{
	static const struct timespec no_wait;
	sigset_t hup;

	if (!o->path || o->state != OUTPUT_OPEN)
		return;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	if (sigtimedwait(&hup, NULL, &no_wait) == SIGHUP)
		o->state = OUTPUT_REOPEN;
}

bool output_flush(struct output *o)
{
	int r;

	if (o->state == OUTPUT_GONE) {
		o->sink.buf.len = 0;
		return false;
	}
	take_hangup(o);
	r = o->state == OUTPUT_REOPEN && o->sink.nonblock ? sink_hold(&o->sink) : sink_flush(&o->sink);
	if (r < 0)
		output_fail(o, r);
	return r == 0;
}

/*
 * Write out what is buffered (to a FIFO, only what was begun), then open
 * FILE again, so that logrotate can move it away (create) or truncate it
 * (copytruncate). If it cannot be opened, procwatch says so and keeps the
 * old file.
 */
void output_rotate(struct output *o)
{
	int fd, old, r;

	if (o->state != OUTPUT_REOPEN || sink_partial(&o->sink))
		return;
	if (!output_flush(o))
		return;
	o->state = OUTPUT_OPEN;
	fd = open_file(o->path);
	if (fd < 0) {
		fprintf(stderr, "procwatch: warning: reopening %s: %s; still writing to the old file\n",
			o->path, strerror(-fd));
		return;
	}
	old = o->sink.fd;
	r = sink_attach(&o->sink, fd);
	close(old);
	if (r < 0)
		output_fail(o, r);
}

int output_drain(struct output *o, const sigset_t *waitmask, volatile sig_atomic_t *stop)
{
	*stop = 0;
	if (o->state != OUTPUT_GONE)
		o->state = OUTPUT_ENDING;
	output_flush(o);
	while (o->state != OUTPUT_GONE && sink_pending(&o->sink)) {
		struct pollfd pfd = { o->sink.wfd, POLLOUT, 0 };

		if (*stop && !(*stop == SIGHUP && o->path)) {
			fprintf(stderr, "procwatch: output blocked: %llu records not written\n",
				sink_queued_records(&o->sink) + o->sink.dropped);
			o->state = OUTPUT_GONE;
			o->err = -EAGAIN;
			break;
		}
		if (ppoll(&pfd, 1, NULL, waitmask) < 0 && errno != EINTR)
			output_fail(o, -errno);
		else if (pfd.revents & (POLLERR | POLLHUP))
			output_fail(o, -EPIPE);
		else if (pfd.revents & POLLOUT)
			output_flush(o);
	}
	return o->state == OUTPUT_GONE ? o->err : 0;
}

int output_fd(const struct output *o)
{
	return o->state == OUTPUT_GONE ? -1 : o->sink.wfd;
}

void output_close(struct output *o)
{
	sink_free(&o->sink);
	if (o->sink.fd >= 0 && o->sink.fd != STDOUT_FILENO)
		close(o->sink.fd);
	o->sink.fd = -1;
}
