/* pw-listen-probe - may this process listen to the kernel's process events? */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Binds a netlink socket to the proc connector's group, the step the
 * kernel refuses to a process it does not let listen. Exit status: 0 the
 * bind was allowed, 1 it was refused (EPERM or EACCES), 2 anything else
 * went wrong (said on stderr). For the tests, which assert what the
 * running kernel does, not what a kernel version is said to do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/connector.h>
#include <linux/netlink.h>

int main(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);

	if (fd < 0) {
		fprintf(stderr, "pw-listen-probe: socket: %s\n", strerror(errno));
		return 2;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;

		close(fd);
		if (err == EPERM || err == EACCES)
			return 1;
		fprintf(stderr, "pw-listen-probe: bind: %s\n", strerror(err));
		return 2;
	}
	close(fd);
	return 0;
}
