/* decode.h - proc connector payloads to struct pw_event, and event names */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PW_DECODE_H
#define PW_DECODE_H

#include "event.h"

/* Selectable event names, indexed by enum pw_kind, PW_EV_NKINDS of them. */
extern const char *const pw_event_names[PW_EV_NKINDS];

/* Name of any kind, including "lost". */
const char *pw_kind_name(enum pw_kind kind);

/*
 * Parse a comma-separated list of event names (or "all") into a mask of
 * PW_KIND_BIT()s. Returns 0, or -EINVAL with *bad pointing at the offending
 * name inside list (its length in *badlen).
 */
int pw_events_parse(const char *list, unsigned *mask, const char **bad, size_t *badlen);

/*
 * Decode one proc connector payload (a struct proc_event, len bytes) whose
 * cn_msg carried seq. Returns 1 with *ev filled, 0 for a kind procwatch does
 * not know (skip it), -EBADMSG when len does not cover the payload.
 */
int pw_decode_event(const void *payload, size_t len, uint32_t seq, struct pw_event *ev);

/* A wait status taken apart. */
struct pw_exit_status {
	int code;		/* 0-255, or -1 when killed by a signal */
	int signal;		/* killing signal, or 0 when exited */
	bool core_dumped;
};

/* Take a raw wait status apart. Returns 0, or -EINVAL for a status that is neither exit nor kill. */
int pw_exit_status_decode(uint32_t status, struct pw_exit_status *out);

/*
 * Write the name of signal sig ("SIGKILL", "SIGRTMIN+3", or "SIG99" when
 * unknown) into buf of size n. Returns buf.
 */
const char *pw_signal_name(int sig, char *buf, size_t n);

#endif
