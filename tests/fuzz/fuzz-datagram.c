/* fuzz-datagram.c - datagrams through a detached source, and their payloads through the decoder */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "decode.h"
#include "source.h"
#include "fuzz.h"

/* The largest datagram pw_source_feed() takes (found once), and event arrays of the minimum size. */
static size_t bufsize;
static size_t maxev;
static struct pw_event *evs_a, *evs_b, *expect;
static unsigned char *filler;

/*
 * A datagram of len bytes that the source must ignore: one message of a
 * type it has no callback for, filling all of it with the byte fill.
 */
static void make_filler(unsigned char *buf, size_t len, unsigned char fill)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = (uint32_t)len,
		.nlmsg_type = NLMSG_MIN_TYPE + 1,
	};

	memset(buf, fill, len);
	memcpy(buf, &nlh, sizeof(nlh));
}

static void init(void)
{
	size_t lo = sizeof(struct nlmsghdr), hi = 1u << 20;
	struct pw_source *src;

	maxev = pw_source_feed_min();
	FUZZ_CHECK(maxev > 0);
	/* exactly maxev slots: ASan catches a write past them */
	evs_a = calloc(maxev, sizeof(*evs_a));
	evs_b = calloc(maxev, sizeof(*evs_b));
	expect = calloc(maxev, sizeof(*expect));
	filler = malloc(hi);
	FUZZ_CHECK(evs_a && evs_b && expect && filler);
	FUZZ_CHECK(pw_source_new_detached(&src) == 0);
	/* the largest length taken: lo is taken, hi is not */
	make_filler(filler, lo, 0);
	FUZZ_CHECK(pw_source_feed(src, filler, lo, evs_a, maxev) == 0);
	make_filler(filler, hi, 0);
	FUZZ_CHECK(pw_source_feed(src, filler, hi, evs_a, maxev) == -EINVAL);
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		make_filler(filler, mid, 0);
		if (pw_source_feed(src, filler, mid, evs_a, maxev) >= 0)
			lo = mid;
		else
			hi = mid;
	}
	bufsize = lo;
	FUZZ_CHECK(pw_source_rejected(src) == 0);
	pw_source_close(&src);
}

/*
 * A fresh source whose receive buffer was last filled with the byte fill:
 * whatever it decodes from a shorter datagram must not depend on fill.
 */
static struct pw_source *new_source(unsigned char fill)
{
	struct pw_source *src;

	FUZZ_CHECK(pw_source_new_detached(&src) == 0);
	make_filler(filler, bufsize, fill);
	FUZZ_CHECK(pw_source_feed(src, filler, bufsize, evs_a, maxev) == 0);
	FUZZ_CHECK(pw_source_rejected(src) == 0);
	return src;
}

static bool kind_valid(enum pw_kind k)
{
	return (unsigned)k < PW_EV_NKINDS || k == PW_EV_LOST;
}

/* What pw_source_feed() returned must make sense on its own. */
static void check_events(const struct pw_event *evs, int n)
{
	for (int i = 0; i < n; i++) {
		const struct pw_event *ev = &evs[i];

		FUZZ_CHECK(kind_valid(ev->kind));
		/* the event that revealed a loss may be one that is not shown (ack, unknown kind) */
		if (ev->kind == PW_EV_LOST)
			FUZZ_CHECK(ev->u.lost.count > 0 && ev->u.lost.count <= UINT32_MAX / 2);
		if (ev->kind == PW_EV_COMM) {
			FUZZ_CHECK(memchr(ev->u.comm.comm, '\0', sizeof(ev->u.comm.comm)) != NULL);
			FUZZ_CHECK(memchr(ev->u.comm.old_comm, '\0', sizeof(ev->u.comm.old_comm)) != NULL);
		}
		FUZZ_CHECK(ev->entry == NULL);
	}
}

/*
 * Decode the payload (len bytes) on its own, from a block of exactly len
 * bytes and with bytes after it: the bytes after must not matter. Returns
 * what pw_decode_event() returned, with *ev filled.
 */
static int decode_payload(const unsigned char *payload, size_t len, uint32_t seq, struct pw_event *ev)
{
	struct pw_event longer_ev;
	unsigned char *p = (unsigned char *)fuzz_memdup(payload, len);
	unsigned char *q = malloc(len + 64);
	int r, r2;

	FUZZ_CHECK(q != NULL);
	memset(ev, 0, sizeof(*ev));
	r = pw_decode_event(p, len, seq, ev);
	FUZZ_CHECK(r == 1 || r == 0 || r == -EBADMSG);
	FUZZ_CHECK(r != -EBADMSG || len < sizeof(struct proc_event));
	if (r >= 0) {
		struct proc_event pe;

		memset(&pe, 0, sizeof(pe));
		memcpy(&pe, p, len < sizeof(pe) ? len : sizeof(pe));
		FUZZ_CHECK(ev->seq == seq);
		FUZZ_CHECK(ev->cpu == pe.cpu);
		FUZZ_CHECK(ev->ts_ns == pe.timestamp_ns);

		memcpy(q, p, len);
		memset(q + len, 0xa5, 64);
		memset(&longer_ev, 0, sizeof(longer_ev));
		r2 = pw_decode_event(q, len + 64, seq, &longer_ev);
		FUZZ_CHECK(r2 == r);
		FUZZ_CHECK(memcmp(ev, &longer_ev, offsetof(struct pw_event, proc)) == 0);
	}
	if (r == 1) {
		FUZZ_CHECK(kind_valid(ev->kind) || ev->kind == PW_EV_ACK);
		FUZZ_CHECK(ev->kind != PW_EV_LOST);
		if (ev->kind == PW_EV_COMM)
			FUZZ_CHECK(memchr(ev->u.comm.comm, '\0', sizeof(ev->u.comm.comm)) != NULL);
	}
	free(q);
	free(p);
	return r;
}

/*
 * Walk the messages of the datagram with every length checked, and decode
 * each proc connector payload: the events the source must return, losses
 * aside, in order. Returns their number; *bad tells whether a header has
 * a length that does not fit (then the source may keep the events before
 * it or refuse the whole datagram).
 */
static size_t walk(const unsigned char *buf, size_t len, bool *bad)
{
	size_t off = 0, n = 0;
	bool intr = false;

	*bad = false;
	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nlh;
		struct cn_msg cn;
		size_t mlen;

		memcpy(&nlh, buf + off, sizeof(nlh));
		mlen = nlh.nlmsg_len;
		if (mlen < sizeof(nlh) || mlen > len - off) {
			*bad = true;
			break;
		}
		/* the rest of the datagram is refused, but its lengths still count */
		if (nlh.nlmsg_flags & NLM_F_DUMP_INTR)
			intr = true;
		if (!intr && nlh.nlmsg_type == NLMSG_DONE && mlen >= NLMSG_HDRLEN + sizeof(cn)) {
			const unsigned char *payload = buf + off + NLMSG_HDRLEN + sizeof(cn);
			size_t avail = mlen - NLMSG_HDRLEN - sizeof(cn);
			struct pw_event ev;

			memcpy(&cn, buf + off + NLMSG_HDRLEN, sizeof(cn));
			if (cn.id.idx == CN_IDX_PROC && cn.id.val == CN_VAL_PROC && cn.len <= avail &&
			    decode_payload(payload, cn.len, cn.seq, &ev) == 1 && ev.kind != PW_EV_ACK) {
				FUZZ_CHECK(n < maxev);
				memcpy(&expect[n++], &ev, offsetof(struct pw_event, proc));
			}
		}
		if (NLMSG_ALIGN(mlen) >= len - off)
			break;
		off += NLMSG_ALIGN(mlen);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_source *a, *b;
	size_t nexp, k;
	bool bad;
	int ra, rb;

	if (!filler)
		init();

	/* the same datagram after different stale buffer contents: the same result */
	a = new_source(0x00);
	b = new_source(0xff);
	memset(evs_a, 0, maxev * sizeof(*evs_a));
	memset(evs_b, 0, maxev * sizeof(*evs_b));
	ra = pw_source_feed(a, data, size, evs_a, maxev);
	rb = pw_source_feed(b, data, size, evs_b, maxev);
	if (size > bufsize) {
		FUZZ_CHECK(ra == -EINVAL && rb == -EINVAL);
		goto out;
	}
	FUZZ_CHECK(ra >= 0 && (size_t)ra <= maxev);
	FUZZ_CHECK(ra == rb);
	FUZZ_CHECK(pw_source_rejected(a) == pw_source_rejected(b));
	for (int i = 0; i < ra; i++)
		FUZZ_CHECK(memcmp(&evs_a[i], &evs_b[i], offsetof(struct pw_event, proc)) == 0);
	check_events(evs_a, ra);

	/* each payload decoded on its own gives the events the source gave */
	nexp = walk(data, size, &bad);
	k = 0;
	for (int i = 0; i < ra; i++) {
		if (evs_a[i].kind == PW_EV_LOST)
			continue;
		FUZZ_CHECK(k < nexp);
		FUZZ_CHECK(memcmp(&evs_a[i], &expect[k], offsetof(struct pw_event, proc)) == 0);
		k++;
	}
	FUZZ_CHECK(k == nexp || (bad && k == 0));

	/* feeding it again to the same source: only the sequence numbers can add losses */
	rb = pw_source_feed(a, data, size, evs_b, maxev);
	FUZZ_CHECK(rb >= ra && (size_t)rb <= maxev);
	check_events(evs_b, rb);
out:
	pw_source_close(&a);
	pw_source_close(&b);
	return 0;
}
