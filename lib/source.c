/* source.c - the kernel's proc connector as a stream of struct pw_event (libmnl) */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <stdio.h>
#include <linux/connector.h>
#include <linux/cn_proc.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "decode.h"
#include "source.h"
#include "strutil.h"

/* Linux >= 6.6 subscription payload; Debian 12's headers lack it. */
struct pw_proc_input {
	uint32_t mcast_op;
	uint32_t event_type;
};
#define PW_PROC_EVENT_ALL 0xe00003c7u	/* every event bit, NONZERO_EXIT included */

#define ACK_TIMEOUT_MS 200
#define RECV_BUFSIZE 8192
/* The smallest message the kernel can send: header, cn_msg, event up to event_data. */
#define MIN_MSG NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(struct cn_msg) + 16)
/* Free event slots needed to take one more datagram: a lost record and an event per message. */
#define SLOTS_PER_DATAGRAM (2 * (RECV_BUFSIZE / MIN_MSG + 1))

struct cpu_seq {
	uint32_t next;
	bool seen;
};

struct pw_source {
	struct mnl_socket *nl;
	bool legacy;
	bool subscribed;
	bool masked;		/* the kernel filters: sequence gaps are not losses */
	bool overflowed;	/* ENOBUFS seen: count the drops */
	/*
	 * Losses, since the subscription: what sequence gaps showed (not
	 * with a kernel filter), what the socket's drop counter said when
	 * last read, and what lost records have reported. Each shows only
	 * part: a gap only once a later event from its cpu arrives, the
	 * counter only when read. The larger of the first two is the loss
	 * known; lost records report what it exceeds the third by.
	 */
	unsigned long long gaps, dropped, reported;
	unsigned long long drops0;	/* the drop counter when subscribed */
	bool have_drops;	/* the drop counter can be read */
	unsigned long ino;	/* the socket's inode, to find it in /proc/net/netlink */
	uint32_t nonce;
	bool acked;
	int ack_err;
	struct cpu_seq *seq;
	size_t nseq;
	unsigned long rejected;
	int replay_fd;		/* a recording read instead of the socket; -1: none */
	bool eof;		/* the recording has ended */
	int replay_err;		/* -errno: the recording could not be read on */
	int err;		/* -ENOMEM from decoding a datagram */
	int record_fd;		/* every datagram received is appended here; -1: none */
	int record_err;		/* -errno once appending to it failed */
	/* filled by the message callback */
	struct pw_event *evs;
	size_t nev, maxev;
	char buf[RECV_BUFSIZE] __attribute__((aligned(8)));
};

static int send_msg(struct pw_source *src, uint32_t op, uint32_t mask, bool legacy)
{
	char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(struct pw_proc_input))];
	struct nlmsghdr *nlh;
	struct cn_msg *cn;
	struct pw_proc_input in = { .mcast_op = op, .event_type = mask };
	size_t plen = legacy ? sizeof(uint32_t) : sizeof(in);

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_pid = mnl_socket_get_portid(src->nl);
	cn = mnl_nlmsg_put_extra_header(nlh, sizeof(*cn) + plen);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->ack = src->nonce;
	cn->len = (uint16_t)plen;
	memcpy(cn->data, &in, plen);
	if (mnl_socket_sendto(src->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static int send_op(struct pw_source *src, uint32_t op, bool legacy)
{
	return send_msg(src, op, PW_PROC_EVENT_ALL, legacy);
}

static int send_op_mask(struct pw_source *src, uint32_t op, uint32_t mask)
{
	return send_msg(src, op, mask, false);
}

/*
 * Record the sequence number of a message: *gap is how many were lost
 * before it on its cpu. Returns 0, or -ENOMEM (a loss could not be told).
 */
static int seq_gap(struct pw_source *src, unsigned cpu, uint32_t seq, uint32_t *gap)
{
	struct cpu_seq *s;

	*gap = 0;
	if (cpu >= 65536)
		return 0;
	if (cpu >= src->nseq) {
		size_t n = cpu + 1 > 64 ? cpu + 1 : 64;
		struct cpu_seq *v = realloc(src->seq, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + src->nseq, 0, (n - src->nseq) * sizeof(*v));
		src->seq = v;
		src->nseq = n;
	}
	s = &src->seq[cpu];
	*gap = s->seen ? seq - s->next : 0;
	/* a sequence number from the past is a reordering, not a loss of four billion */
	if (*gap > UINT32_MAX / 2)
		*gap = 0;
	s->seen = true;
	s->next = seq + 1;
	return 0;
}

/*
 * Take new totals of the losses that sequence gaps and the drop counter
 * show; returns how many of the larger are not reported yet, and counts
 * them as reported.
 */
static unsigned long long unreported(struct pw_source *src, unsigned long long gaps,
				     unsigned long long dropped)
{
	unsigned long long known, n;

	src->gaps = gaps;
	src->dropped = dropped;
	known = gaps > dropped ? gaps : dropped;
	n = known > src->reported ? known - src->reported : 0;
	src->reported += n;
	return n;
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct pw_source *src = data;
	const struct cn_msg *cn;
	struct pw_event *ev;
	size_t avail;
	uint32_t lost;
	int r;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*cn))
		goto err_invalid;
	cn = mnl_nlmsg_get_payload(nlh);
	avail = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*cn);
	if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC || cn->len > avail)
		goto err_invalid;
	if (src->nev + 2 > src->maxev)
		return MNL_CB_STOP;	/* cannot happen: pw_source_read() keeps room */
	ev = &src->evs[src->nev];
	r = pw_decode_event(cn->data, cn->len, cn->seq, ev);
	if (r < 0)
		goto err_invalid;
	if (seq_gap(src, ev->cpu, cn->seq, &lost) < 0) {
		src->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	if (lost && !src->masked && src->subscribed)
		lost = (uint32_t)unreported(src, src->gaps + lost, src->dropped);
	if (lost && !src->masked) {
		/* the loss happened before this event: report it first */
		/* copy the decoded part only: each slot owns its enrichment buffers */
		memcpy(&src->evs[src->nev + 1], ev, offsetof(struct pw_event, proc));
		memset(ev, 0, offsetof(struct pw_event, proc));
		ev->kind = PW_EV_LOST;
		ev->cpu = src->evs[src->nev + 1].cpu;
		ev->ts_ns = src->evs[src->nev + 1].ts_ns;
		ev->u.lost.count = lost;
		src->nev++;
		ev = &src->evs[src->nev];
	}
	if (r == 0)
		return MNL_CB_OK;	/* a kind this version does not know: skipped */
	if (ev->kind == PW_EV_ACK) {
		if (cn->ack == src->nonce + 1) {
			src->acked = true;
			src->ack_err = ev->u.ack.err;
		}
		return MNL_CB_OK;
	}
	src->nev++;
	return MNL_CB_OK;
err_invalid:
	src->rejected++;
	return MNL_CB_OK;
}

/* Receive one datagram and decode it. Returns 1, 0 when none is pending, or -errno. */
/* Validate and decode one datagram of n bytes in buf (sent by the kernel). */
static void decode_datagram(struct pw_source *src, const void *buf, size_t n)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		/* the kernel sends every event as NLMSG_DONE: mnl_cb_run() would stop there */
		[NLMSG_DONE] = on_message,
	};

	const unsigned char *p = buf;
	size_t off = 0;

	/*
	 * libmnl's mnl_nlmsg_ok() compares nlmsg_len as an int: a huge length
	 * passes it. Every header must lie within the datagram before the
	 * walk starts, or none of it is trusted.
	 */
	while (n - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(p + off);

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > n - off) {
			src->rejected++;
			return;
		}
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= n - off)
			break;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	if (mnl_cb_run2(buf, n, 0, 0, NULL, src, ctl, MNL_ARRAY_SIZE(ctl)) < 0 && !src->err)
		src->rejected++;
}

/* Read exactly n bytes of the recording. Returns 1, 0 at its end, or -errno (-EINVAL: cut short). */
static int replay_read(struct pw_source *src, void *buf, size_t n, bool first)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(src->replay_fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return got == 0 && first ? 0 : -EINVAL;
		got += (size_t)r;
	}
	return 1;
}

/* The next datagram of the recording. Returns 1, 0 at its end, or -errno. */
static int replay_one(struct pw_source *src)
{
	uint32_t len;
	int r;

	if (src->eof || src->replay_err)
		return src->replay_err;
	r = replay_read(src, &len, sizeof(len), true);
	if (r == 1 && (len == 0 || len > sizeof(src->buf)))
		r = -EINVAL;
	if (r == 1)
		r = replay_read(src, src->buf, len, false);
	if (r < 0) {
		/* kept: the events read before it are handed over first */
		src->replay_err = r;
		return r;
	}
	if (r == 0) {
		src->eof = true;
		return 0;
	}
	decode_datagram(src, src->buf, len);
	return src->err ? src->err : 1;
}

/* Append the datagram of n bytes in buf to the recording. Returns 0 or -errno. */
static int record(struct pw_source *src, size_t n)
{
	uint32_t len = (uint32_t)n;
	struct iovec iov[2] = { { &len, sizeof(len) }, { src->buf, n } };
	size_t want = sizeof(len) + n, done = 0;

	while (done < want) {
		ssize_t w = writev(src->record_fd, iov, 2);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		done += (size_t)w;
		/* a short write: go on from where it stopped */
		for (int i = 0; i < 2; i++) {
			size_t k = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			w -= (ssize_t)k;
		}
	}
	return 0;
}

static int recv_one(struct pw_source *src)
{
	struct sockaddr_nl addr;
	struct iovec iov = { src->buf, sizeof(src->buf) };
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	if (src->replay_fd >= 0)
		return replay_one(src);
	for (;;) {
		n = recvmsg(mnl_socket_get_fd(src->nl), &msg, MSG_DONTWAIT);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0;
		/*
		 * ENOBUFS: the queue overflowed. Unfiltered, the sequence gaps
		 * tell how much was lost and where; with a kernel filter, the
		 * socket's drop counter does.
		 */
		if (errno == ENOBUFS) {
			src->overflowed = true;
			continue;
		}
		return -errno;
	}
	if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC)) {
		src->rejected++;
		return 1;
	}
	if (src->record_fd >= 0 && src->subscribed) {
		int r = record(src, (size_t)n);

		if (r < 0) {
			src->record_fd = -1;
			src->record_err = r;
			return r;
		}
	}
	decode_datagram(src, src->buf, (size_t)n);
	return src->err ? src->err : 1;
}

/* The socket's drop counter from /proc/net/netlink. Returns 0 or -errno. */
static int read_drops(const struct pw_source *src, unsigned long long *drops)
{
	char line[512];
	FILE *f = fopen("/proc/net/netlink", "re");
	int r = -ENOENT;

	if (!f)
		return -errno;
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long d;
		unsigned long ino;

		if (sscanf(line, "%*s %*d %*u %*x %*d %*d %*d %*d %llu %lu", &d, &ino) == 2 && ino == src->ino) {
			*drops = d;
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

int pw_source_settle(struct pw_source *src, struct pw_event *ev)
{
	unsigned long long d, n;
	struct timespec now;
	int r;

	if (!src->have_drops)
		return -ENOENT;
	r = read_drops(src, &d);
	if (r < 0)
		return r;
	n = unreported(src, src->gaps, d - src->drops0);
	if (!n)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	memset(ev, 0, offsetof(struct pw_event, proc));
	ev->kind = PW_EV_LOST;
	ev->cpu = PW_CPU_UNKNOWN;
	ev->ts_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	ev->u.lost.count = n;
	return 1;
}

/*
 * With a kernel filter, after ENOBUFS: a lost record for what the drop
 * counter says was dropped since last time (no sequence gap tells).
 */
static void count_drops(struct pw_source *src, struct pw_event *evs, size_t max)
{
	unsigned long long before = src->dropped;
	int r;

	if (!src->masked || !src->overflowed || src->nev >= max)
		return;
	r = pw_source_settle(src, &evs[src->nev]);
	if (r > 0)
		src->nev++;
	else if (r == 0 && src->dropped == before)
		src->overflowed = false;	/* the queue drained: no more drops */
}

static int read_events(struct pw_source *src, struct pw_event *evs, size_t max, bool drops)
{
	/* a failure after some events: those were handed over, the failure is now */
	if (src->err)
		return src->err;
	src->evs = evs;
	src->nev = 0;
	src->maxev = max;
	while (max - src->nev >= SLOTS_PER_DATAGRAM || (src->nev == 0 && max >= 2)) {
		int r = recv_one(src);

		if (r < 0)
			return src->nev ? (int)src->nev : r;
		if (r == 0)
			break;
		/* while subscribing, leave what follows the ack in the socket for the caller */
		if (!src->subscribed && src->acked)
			break;
	}
	if (drops)
		count_drops(src, evs, max);
	return (int)src->nev;
}

int pw_source_read(struct pw_source *src, struct pw_event *evs, size_t max)
{
	return read_events(src, evs, max, true);
}

int pw_source_read_more(struct pw_source *src, struct pw_event *evs, size_t max)
{
	return read_events(src, evs, max, false);
}

/* Wait up to ACK_TIMEOUT_MS for the kernel's answer to our LISTEN. */
static int wait_ack(struct pw_source *src)
{
	struct pw_event *evs = calloc(SLOTS_PER_DATAGRAM, sizeof(*evs));
	struct timespec start, now;
	long left = ACK_TIMEOUT_MS;
	int r = 0;

	if (!evs)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!src->acked && left > 0) {
		struct pollfd pfd = { mnl_socket_get_fd(src->nl), POLLIN, 0 };
		r = poll(&pfd, 1, (int)left);

		if (r < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		/* events before the ack belong to other listeners' time: only their sequence numbers count */
		if (r > 0 && (r = pw_source_read(src, evs, SLOTS_PER_DATAGRAM)) < 0)
			break;
		r = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ACK_TIMEOUT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
					 (now.tv_nsec - start.tv_nsec) / 1000000);
	}
	free(evs);
	if (r < 0)
		return r;
	if (!src->acked)
		return PW_SOURCE_NOACK;
	return src->ack_err ? -src->ack_err : 0;
}

/*
 * Whether procwatch runs in the initial user namespace, whose inode
 * number is fixed (PROC_USER_INIT_INO). When that cannot be told, it is
 * taken to be: the diagnostic then names only the capability.
 */
static bool initial_userns(void)
{
	struct stat st;

	return stat("/proc/self/ns/user", &st) < 0 || st.st_ino == 0xEFFFFFFDu;
}

/* Ask for rcvbuf bytes of receive buffer: forced when allowed, else up to rmem_max. */
static void set_rcvbuf(int fd, size_t want, struct pw_source_info *info)
{
	int v = want > INT_MAX / 2 ? INT_MAX / 2 : (int)want;
	socklen_t len = sizeof(v);
	int f;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0) {
		info->forced = true;
	} else {
		info->rmem_max = 0;
		f = open("/proc/sys/net/core/rmem_max", O_RDONLY | O_CLOEXEC);
		if (f >= 0) {
			char tmp[32];
			ssize_t n = read(f, tmp, sizeof(tmp) - 1);

			if (n > 0) {
				tmp[n] = '\0';
				tmp[strcspn(tmp, "\n")] = '\0';
				if (pw_parse_ulong(tmp, 0, ULONG_MAX, &info->rmem_max) < 0)
					info->rmem_max = 0;
			}
			close(f);
		}
		if (info->rmem_max && (unsigned long)v > info->rmem_max) {
			info->capped = true;
			v = info->rmem_max > INT_MAX / 2 ? INT_MAX / 2 : (int)info->rmem_max;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0)
		info->rcvbuf = v;
}

static struct pw_source *source_new(void)
{
	struct pw_source *src = calloc(1, sizeof(*src));

	if (src)
		src->replay_fd = src->record_fd = -1;
	return src;
}

int pw_source_open(struct pw_source **out, size_t rcvbuf, struct pw_source_info *info)
{
	struct pw_source *src;
	struct timespec ts;
	struct stat st;
	int r, fd;

	memset(info, 0, sizeof(*info));
	src = source_new();
	if (!src)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	src->nonce = (uint32_t)getpid() ^ (uint32_t)ts.tv_nsec;

	info->step = "socket";
	src->nl = mnl_socket_open2(NETLINK_CONNECTOR, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!src->nl) {
		r = -errno;
		goto err_socket;
	}
	fd = mnl_socket_get_fd(src->nl);
	set_rcvbuf(fd, rcvbuf ? rcvbuf : PW_SOURCE_RCVBUF_DEFAULT, info);

	info->step = "bind";
	if (mnl_socket_bind(src->nl, CN_IDX_PROC, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		if (r == -EPERM || r == -EACCES)
			info->userns = !initial_userns();
		goto err_bind;
	}

	info->step = "subscribe";
	r = send_op(src, PROC_CN_MCAST_LISTEN, false);
	if (r == 0)
		r = wait_ack(src);
	if (r == PW_SOURCE_NOACK) {
		/* kernels before 6.6 ignore the 8-byte form: try the legacy one */
		src->legacy = true;
		r = send_op(src, PROC_CN_MCAST_LISTEN, true);
		if (r == 0)
			r = wait_ack(src);
	}
	if (r < 0) {
		if (r == -EPERM || r == -EACCES)
			info->userns = !initial_userns();
		goto err_subscribe;
	}
	src->subscribed = true;
	info->legacy = src->legacy;
	/* losses count from here: the drop counter is the judge at the end */
	if (fstat(fd, &st) == 0) {
		src->ino = (unsigned long)st.st_ino;
		src->have_drops = read_drops(src, &src->drops0) == 0;
	}
	info->step = NULL;
	*out = src;
	return 0;

err_subscribe:
	free(src->seq);		/* events of other listeners may have arrived meanwhile */
err_bind:
	mnl_socket_close(src->nl);
err_socket:
	free(src);
	return r;
}

void pw_source_explain(int err, const struct pw_source_info *info, char *buf, size_t n)
{
	switch (err) {
	case -EPROTONOSUPPORT:
		snprintf(buf, n, "this kernel has no process events connector "
			"(CONFIG_PROC_EVENTS is off): procwatch cannot run here");
		break;
	case -EPERM:
	case -EACCES:
		if (info->userns)
			snprintf(buf, n, "%s: permission denied: this kernel requires CAP_NET_ADMIN in "
				"the initial user namespace to listen to process events, which a user namespace "
				"cannot grant: run procwatch on the host, as root or after "
				"'setcap cap_net_admin+ep procwatch'", info->step);
		else
			snprintf(buf, n, "%s: permission denied: this kernel requires CAP_NET_ADMIN "
				"to listen to process events: run procwatch as root, or grant it with "
				"'setcap cap_net_admin+ep procwatch'", info->step);
		break;
	case -ECONNREFUSED:
		snprintf(buf, n, "%s: connection refused: process events are only sent to the "
			"initial network namespace; run procwatch there (e.g. not under 'unshare -n')",
			info->step);
		break;
	case PW_SOURCE_NOACK:
		snprintf(buf, n, "subscribe: the kernel ignored the subscription: process "
			"events need the initial pid and user namespaces; run procwatch on the host, "
			"not in a container or 'unshare -p'/'unshare -U'");
		break;
	default:
		snprintf(buf, n, "%s: %s", info->step ? info->step : "subscribe", strerror(-err));
		break;
	}
}


int pw_source_set_mask(struct pw_source *src, uint32_t mask)
{
	int r;

	if (src->legacy)
		return -EOPNOTSUPP;
	if (!src->have_drops)
		return -ENOENT;	/* losses could not be counted: stay unfiltered */
	r = send_op_mask(src, PROC_CN_MCAST_LISTEN, mask);
	if (r < 0)
		return r;
	src->masked = true;
	return 0;
}

int pw_source_new_detached(struct pw_source **out)
{
	struct pw_source *src = source_new();

	if (!src)
		return -ENOMEM;
	*out = src;
	return 0;
}

/* The start of a recording: what it is, and the clocks of the machine it was made on. */
struct rec_header {
	char magic[16];
	int64_t wall_offset_ns;
	int64_t boot_wall_ns;
	uint64_t start_ns;
};
static const char rec_magic[16] = "procwatch-rec-2\n";

int pw_source_open_replay(const char *path, struct pw_source **out, struct pw_source_clocks *clk)
{
	struct rec_header h;
	struct pw_source *src;
	int r;

	src = source_new();
	if (!src)
		return -ENOMEM;
	src->replay_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (src->replay_fd < 0) {
		r = -errno;
		goto err_open;
	}
	r = replay_read(src, &h, sizeof(h), false);
	if (r == 1 && memcmp(h.magic, rec_magic, sizeof(rec_magic)) != 0)
		r = -EINVAL;
	if (r < 0)
		goto err_header;
	clk->wall_offset_ns = h.wall_offset_ns;
	clk->boot_wall_ns = h.boot_wall_ns;
	clk->start_ns = h.start_ns;
	*out = src;
	return 0;

err_header:
	close(src->replay_fd);
err_open:
	free(src);
	return r;
}

int pw_source_record(struct pw_source *src, int fd, const struct pw_source_clocks *clk)
{
	struct rec_header h = {
		.wall_offset_ns = clk->wall_offset_ns,
		.boot_wall_ns = clk->boot_wall_ns,
		.start_ns = clk->start_ns,
	};
	size_t done = 0;

	memcpy(h.magic, rec_magic, sizeof(rec_magic));
	while (done < sizeof(h)) {
		ssize_t w = write(fd, (const char *)&h + done, sizeof(h) - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		done += (size_t)w;
	}
	src->record_fd = fd;
	return 0;
}

int pw_source_record_error(const struct pw_source *src)
{
	return src->record_err;
}

bool pw_source_ended(const struct pw_source *src)
{
	return src->eof;
}

int pw_source_feed(struct pw_source *src, const void *buf, size_t len, struct pw_event *evs, size_t max)
{
	src->evs = evs;
	src->nev = 0;
	src->maxev = max;
	if (max < SLOTS_PER_DATAGRAM || len > RECV_BUFSIZE)
		return -EINVAL;
	/* as recvmsg() would hand it over: aligned, in the source's own buffer */
	memcpy(src->buf, buf, len);
	decode_datagram(src, src->buf, len);
	return src->err ? src->err : (int)src->nev;
}

size_t pw_source_feed_min(void)
{
	return SLOTS_PER_DATAGRAM;
}

int pw_source_fd(const struct pw_source *src)
{
	if (src->replay_fd >= 0)
		return src->replay_fd;
	return mnl_socket_get_fd(src->nl);
}

unsigned long pw_source_rejected(const struct pw_source *src)
{
	return src->rejected;
}

void pw_source_close(struct pw_source **src)
{
	if (!*src)
		return;
	if ((*src)->subscribed)
		send_op(*src, PROC_CN_MCAST_IGNORE, (*src)->legacy);
	if ((*src)->nl)
		mnl_socket_close((*src)->nl);
	if ((*src)->replay_fd >= 0)
		close((*src)->replay_fd);
	free((*src)->seq);
	free(*src);
	*src = NULL;
}
