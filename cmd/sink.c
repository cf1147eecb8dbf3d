/* sink.c - buffered output to a file descriptor, every write checked */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"
#include "strutil.h"

int sink_flush(struct sink *s)
{
	size_t off = 0;
	int err;

	while (off < s->buf.len) {
		ssize_t n = write(s->fd, s->buf.data + off, s->buf.len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* stdout was handed to us non-blocking: wait until it drains */
				struct pollfd pfd = { s->fd, POLLOUT, 0 };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
					err = -errno;
					goto fail;
				}
				continue;
			}
			err = -errno;
			goto fail;
		}
		off += (size_t)n;
	}
	s->buf.len = 0;
	return 0;
fail:
	/* what cannot be written is dropped: the caller ends the run */
	s->buf.len = 0;
	return err;
}

void sink_free(struct sink *s)
{
	pw_buf_free(&s->buf);
}
