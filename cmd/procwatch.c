/* procwatch.c - log process events with what /proc knows about each process */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "capture.h"
#include "decode.h"
#include "filter.h"
#include "format.h"
#include "names.h"
#include "options.h"
#include "procfs.h"
#include "ptable.h"
#include "sink.h"
#include "source.h"

#define BATCH 4096		/* events taken from the socket before they are written: a burst of a
				   few thousand fits, so an exec behind it is still read at once */
#define DRAIN_GRACE_MS 2000	/* after COMMAND is reaped, how long to wait for its exit event */
#define QUIET_MS 100		/* no event for this long after some: ask the drop counter about losses */

/* Counters for --stats. */
struct stats {
	unsigned long long received[PW_EV_NKINDS];
	unsigned long long written;	/* records formatted, lost records included */
	unsigned long long filtered;	/* process records left out by a filter */
	unsigned long long lost;	/* events the kernel dropped */
	/* records the output queue dropped: struct sink counts them */
	unsigned long long partial;	/* records written with missing fields */
};

/* Run state of one procwatch invocation. */
struct run {
	struct options opt;
	struct pw_source *src;
	struct pw_capture *cap;	/* the exec capture, NULL when execs are read from /proc */
	struct pw_procfs *pfs;
	struct pw_names *names;
	struct pw_ptable *pt;
	struct pw_event *evs;
	struct pw_fmt_state fmt;
	struct sink out;
	struct pw_record_opts ropts;
	struct stats stats;
	unsigned long counted;	/* records toward --count */
	bool tree;		/* only tracked processes (--pid or COMMAND) */
	pid_t child;		/* COMMAND, 0 when none */
	bool child_reaped;
	int child_status;
	bool child_exit_seen;	/* its exit event has been processed */
	bool unsettled;		/* events were read since the drop counter was last asked */
	int out_err;		/* -errno once writing failed, -EPIPE when the reader left */
	struct timespec reaped_at;
	struct timespec deadline;	/* --duration */
	sigset_t ignored;	/* signals ignored when procwatch started */
	bool started;		/* the run got as far as reading events: --stats has something to say */
	bool reopen;		/* SIGHUP with -o: open FILE again once no record is half written */
	bool ending;		/* writing out the queue at the end: no more reopening */
	bool done;
	int record_fd;		/* --record FILE, -1 when none */
	uint64_t replay_start;	/* --replay: when the recording began, the time of a snapshot */
};

static volatile sig_atomic_t got_signal;	/* last SIGINT/SIGTERM/SIGHUP received */
static volatile sig_atomic_t got_sigchld;
static volatile sig_atomic_t got_sigusr1;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_sigchld = 1;
	else if (sig == SIGUSR1)
		got_sigusr1 = 1;
	else
		got_signal = sig;
}

/* One line on stderr for a failed subscription: why, and what to do. */
static void explain_source_error(int err, const struct pw_source_info *info)
{
	switch (err) {
	case -EPROTONOSUPPORT:
		fprintf(stderr, "procwatch: this kernel has no process events connector "
			"(CONFIG_PROC_EVENTS is off): procwatch cannot run here\n");
		break;
	case -EPERM:
	case -EACCES:
		if (info->userns)
			fprintf(stderr, "procwatch: %s: permission denied: this kernel requires CAP_NET_ADMIN in "
				"the initial user namespace to listen to process events, which a user namespace "
				"cannot grant: run procwatch on the host, as root or after "
				"'setcap cap_net_admin+ep procwatch'\n", info->step);
		else
			fprintf(stderr, "procwatch: %s: permission denied: this kernel requires CAP_NET_ADMIN "
				"to listen to process events: run procwatch as root, or grant it with "
				"'setcap cap_net_admin+ep procwatch'\n", info->step);
		break;
	case -ECONNREFUSED:
		fprintf(stderr, "procwatch: %s: connection refused: process events are only sent to the "
			"initial network namespace; run procwatch there (e.g. not under 'unshare -n')\n",
			info->step);
		break;
	case PW_SOURCE_NOACK:
		fprintf(stderr, "procwatch: subscribe: the kernel ignored the subscription: process "
			"events need the initial pid and user namespaces; run procwatch on the host, "
			"not in a container or 'unshare -p'/'unshare -U'\n");
		break;
	default:
		fprintf(stderr, "procwatch: %s: %s\n", info->step ? info->step : "subscribe", strerror(-err));
		break;
	}
}

static struct timespec now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* Milliseconds from a to b. */
static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* The counters as one line on stderr. */
static void print_stats(struct run *run)
{
	const struct stats *s = &run->stats;

	fprintf(stderr, "procwatch: stats:");
	for (unsigned k = 0; k < PW_EV_NKINDS; k++)
		fprintf(stderr, " %s=%llu", pw_event_names[k], s->received[k]);
	/*
	 * formatted (and the queue's lost records), but not dropped by the
	 * queue, thrown away after a write error, nor still waiting in it
	 */
	fprintf(stderr, " written=%llu filtered=%llu lost=%llu dropped=%llu missing=%llu",
		s->written + run->out.lost_records - run->out.dropped_total - sink_queued_records(&run->out) -
			run->out.discarded,
		s->filtered, s->lost,
		run->out.dropped_total, s->partial);
	if (run->cap) {
		struct pw_capture_stats cs;

		pw_capture_get_stats(run->cap, &cs);
		fprintf(stderr, " exec_source=bpf joined=%llu unmatched=%llu forks=%llu forks_unmatched=%llu ring_lost=%llu "
			"ring_full=%llu fault=%llu bound=%llu orphans=%llu malformed=%llu\n",
			cs.joined, cs.unmatched, cs.forks, cs.forks_unmatched, cs.ring_lost, cs.why[PW_CAP_WHY_RING],
			cs.why[PW_CAP_WHY_FAULT], cs.why[PW_CAP_WHY_BOUND], cs.orphans, cs.malformed);
	} else {
		fprintf(stderr, " exec_source=proc\n");
	}
}

/*
 * Start COMMAND with the signal state procwatch inherited. Returns 0, or
 * the exit status to use when it could not be started (after printing why).
 */
static int spawn(struct run *run, const sigset_t *origmask)
{
	int pfd[2], err = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "procwatch: pipe: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "procwatch: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_FAILURE;
	}
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
		static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1 };

		close(pfd[0]);
		/* COMMAND gets the dispositions procwatch was started with */
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], sigismember(&run->ignored, sigs[i]) ? &ign : &dfl, NULL);
		sigprocmask(SIG_SETMASK, origmask, NULL);
		if (run->out.fd != STDOUT_FILENO)
			close(run->out.fd);
		execvp(run->opt.command[0], run->opt.command);
		err = errno;
		n = write(pfd[1], &err, sizeof(err));
		(void)n;
		_exit(err == ENOENT ? 127 : 126);
	}
	close(pfd[1]);
	run->child = pid;
	{
		/*
		 * COMMAND is in the table and the traced tree from here on, even if
		 * the kernel drops its fork event; the event, when it comes, adds
		 * nothing new.
		 */
		struct pw_event ev = { .kind = PW_EV_FORK, .pid = pid, .tid = pid, .ppid = getpid() };
		struct timespec now = now_mono();
		struct pw_pentry *e = pw_ptable_fork(run->pt, ev.ppid, pid);

		ev.ts_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		if (e) {
			e->flags |= PW_PT_TRACKED;
			pw_ptable_apply(run->pt, &ev);
			pw_proc_free(&ev.proc);
		}
	}
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == sizeof(err)) {
		fprintf(stderr, "procwatch: %s: %s\n", run->opt.command[0], strerror(err));
		waitpid(pid, NULL, 0);
		run->child = 0;
		return err == ENOENT ? 127 : 126;
	}
	return 0;
}

/*
 * --pid: each PID and everything below it that is running now joins the
 * traced tree; forks add their children later. Returns 0, or 1 after
 * naming a PID that does not exist.
 */
static int track_pids(struct run *run)
{
	pid_t *pids;
	long n;

	for (size_t i = 0; i < run->opt.npids; i++) {
		struct pw_pentry *e = pw_ptable_lookup(run->pt, run->opt.pids[i]);

		if (!e) {
			fprintf(stderr, "procwatch: --pid %d: no such process\n", (int)run->opt.pids[i]);
			return EXIT_FAILURE;
		}
		e->flags |= PW_PT_TRACKED;
	}
	n = pw_ptable_pids(run->pt, &pids);
	if (n < 0) {
		fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	for (long i = 0; i < n; i++) {
		struct pw_pentry *e = pw_ptable_lookup(run->pt, pids[i]);
		size_t depth = 0;

		for (struct pw_pentry *a = e->parent; a && depth < PW_ANCESTORS_MAX; a = a->parent, depth++) {
			if (a->flags & PW_PT_TRACKED) {
				e->flags |= PW_PT_TRACKED;
				break;
			}
		}
	}
	free(pids);
	return 0;
}

/* What this batch's forks did to the traced tree, before the table is touched. */
struct births {
	pid_t pid[BATCH];
	bool tracked[BATCH];
	int n;
};

/* Whether pid is in the traced tree: a fork earlier in this batch, else the table, says. */
static bool tracked(struct run *run, const struct births *b, pid_t pid)
{
	struct pw_pentry *e;

	for (int i = b->n - 1; i >= 0; i--)
		if (b->pid[i] == pid)
			return b->tracked[i];
	e = pw_ptable_lookup(run->pt, pid);
	return e && (e->flags & PW_PT_TRACKED);
}

/*
 * Whether ev concerns a process procwatch reports on. Nothing is changed
 * in the table yet: an exit and a fork reusing its pid may share a batch,
 * and the exit must still find the old process.
 */
static bool relevant(struct run *run, struct births *b, const struct pw_event *ev, bool *born_tracked)
{
	*born_tracked = false;
	if (ev->kind == PW_EV_LOST)
		return true;
	if (ev->kind == PW_EV_FORK && !ev->thread) {
		bool t = tracked(run, b, ev->ppid) || (run->child && ev->pid == run->child);

		if (run->tree) {
			b->pid[b->n] = ev->pid;
			b->tracked[b->n++] = t;
		}
		*born_tracked = t;
		return !run->tree || t;
	}
	if (!run->tree || tracked(run, b, ev->pid))
		return true;
	/*
	 * After a loss, a process of the tree may be one whose fork was among
	 * the lost events: ask /proc about a pid the table does not know.
	 */
	if (run->stats.lost && !pw_ptable_lookup(run->pt, ev->pid)) {
		struct pw_pentry *e = pw_ptable_find(run->pt, ev->pid);
		size_t depth = 0;

		for (const struct pw_pentry *a = e ? e->parent : NULL; a && depth < PW_ANCESTORS_MAX;
		     a = a->parent, depth++) {
			if (a->flags & PW_PT_TRACKED) {
				e->flags |= PW_PT_TRACKED;
				return true;
			}
		}
	}
	return false;
}

/* Whether the same process execs again later in the batch: /proc shows only the last image. */
static bool superseded(const struct pw_event *evs, int n, int i)
{
	for (int j = i + 1; j < n; j++)
		if (evs[j].kind == PW_EV_EXEC && evs[j].pid == evs[i].pid)
			return true;
	return false;
}

static bool shown(const struct run *run, const struct pw_event *ev)
{
	if (ev->kind == PW_EV_LOST)
		return true;
	if (ev->thread && !run->opt.threads)
		return false;
	return run->opt.events & PW_KIND_BIT(ev->kind);
}

/* After ev was written: forget a process that is gone. */
static void retire(struct run *run, const struct pw_event *ev)
{
	if (ev->kind != PW_EV_EXIT || ev->thread)
		return;
	if (run->child && ev->pid == run->child)
		run->child_exit_seen = true;
	pw_ptable_exit(run->pt, ev->pid);
}

/* The output is gone: nothing more is written (COMMAND, if any, is still waited for). */
static void output_lost(struct run *run, int err)
{
	if (run->out_err)
		return;
	run->out_err = err;
	run->done = true;
	if (err != -EPIPE)
		fprintf(stderr, "procwatch: write error: %s\n", strerror(-err));
}

/* One record in the format asked for, appended to out. Returns 0 or -ENOMEM. */
static int format(struct run *run, const struct pw_event *ev, struct pw_buf *out)
{
	return run->opt.format == FORMAT_JSON ? pw_format_json(ev, &run->ropts, &run->fmt, out) :
						pw_format_text(ev, &run->ropts, &run->fmt, out);
}

/* The lost record for records the output queue dropped (struct sink calls it). */
static int queue_lost(void *ctx, unsigned long long count, uint64_t ts_ns, struct pw_buf *out)
{
	struct run *run = ctx;
	struct pw_event ev = { .kind = PW_EV_LOST, .cpu = PW_CPU_UNKNOWN, .ts_ns = ts_ns };

	ev.u.lost.count = count;
	ev.u.lost.reason = PW_LOST_QUEUE;
	return format(run, &ev, out);
}

/*
 * Whether SIGINT, SIGTERM or SIGHUP waits: they are delivered only while
 * procwatch waits, and a storm can keep it from waiting for long.
 */
static bool stop_pending(void)
{
	sigset_t set;

	return sigpending(&set) == 0 &&
	       (sigismember(&set, SIGINT) == 1 || sigismember(&set, SIGTERM) == 1 || sigismember(&set, SIGHUP) == 1);
}

/*
 * SIGHUP with -o, taken while signals wait: between two waits procwatch
 * may write a whole batch, and what it writes after the signal belongs in
 * the new file.
 */
static void take_sighup(struct run *run)
{
	static const struct timespec no_wait;
	sigset_t hup;

	if (!run->opt.output || run->reopen || run->ending)
		return;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	if (sigtimedwait(&hup, NULL, &no_wait) == SIGHUP)
		run->reopen = true;
}

/*
 * Queue what is buffered and write what the reader takes; while the output
 * is to be reopened, only the rest of a record partly written: the queue
 * goes to the new one. Returns false when the output is gone.
 */
static bool flush_out(struct run *run)
{
	int r;

	if (run->out_err) {
		run->out.buf.len = 0;
		return false;
	}
	take_sighup(run);
	r = run->reopen && run->out.nonblock ? sink_hold(&run->out) : sink_flush(&run->out);
	if (r < 0)
		output_lost(run, r);
	return r == 0;
}

/* -o FILE: open it for appending, private to its owner. Returns the fd or -errno. */
static int open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	return fd < 0 ? -errno : fd;
}

/*
 * SIGHUP with -o: write out what is buffered (to a FIFO, only what was
 * begun), then reopen FILE, so that logrotate can move it away (create)
 * or truncate it (copytruncate). If it cannot be reopened, procwatch says
 * so and keeps the old file. Called once no record is half written.
 */
static void reopen_output(struct run *run)
{
	int fd;

	if (!flush_out(run))
		return;
	fd = open_output(run->opt.output);
	if (fd < 0) {
		fprintf(stderr, "procwatch: warning: reopening %s: %s; still writing to the old file\n",
			run->opt.output, strerror(-fd));
		return;
	}
	{
		int old = run->out.fd, r = sink_attach(&run->out, fd);

		close(old);
		if (r < 0)
			output_lost(run, r);
	}
}

/* Format ev into the output, counting it; write out a full buffer. Returns 0 or -ENOMEM. */
static int emit(struct run *run, const struct pw_event *ev)
{
	int r = format(run, ev, &run->out.buf);

	if (r < 0)
		return r;
	run->stats.written++;
	if (ev->kind != PW_EV_LOST && ev->proc.missing)
		run->stats.partial++;
	if (ev->kind != PW_EV_LOST && run->opt.count && ++run->counted >= run->opt.count)
		run->done = true;
	if (run->out.buf.len >= 65536)
		flush_out(run);
	return 0;
}

/*
 * Write a lost record for the losses that only the socket's drop counter
 * knows of yet: the last events of a cpu, which no later sequence number
 * reveals. Called when the stream goes quiet and when it ends. Returns 0
 * or -ENOMEM.
 */
static int settle(struct run *run)
{
	struct pw_event ev = { .kind = PW_EV_LOST };

	run->unsettled = false;
	if (pw_source_settle(run->src, &ev) <= 0)
		return 0;	/* none, or no drop counter to read: sequence gaps alone count losses */
	run->stats.lost += ev.u.lost.count;
	return emit(run, &ev);
}

/* A lost record for the execs whose capture data did not fit the ring. Returns 0 or -ENOMEM. */
static int capture_lost(struct run *run)
{
	struct pw_event ev = { .kind = PW_EV_LOST, .cpu = PW_CPU_UNKNOWN };
	unsigned long long n = pw_capture_take_lost(run->cap);
	struct timespec now;

	if (!n || run->done)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ev.ts_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	ev.u.lost.count = n;
	ev.u.lost.reason = PW_LOST_CAPTURE;
	return emit(run, &ev);
}

/* Whether a record that is shown also passes the filters; counts those that do not. */
static bool passes(struct run *run, const struct pw_event *ev)
{
	if (pw_filter_match(&run->opt.filter, ev))
		return true;
	run->stats.filtered++;
	return false;
}

/* An exist record for every process in the table, by pid. Returns -1 to go on, or an exit status. */
static int snapshot(struct run *run)
{
	struct pw_event *ev = &run->evs[0];
	struct timespec now = now_mono();
	pid_t *pids;
	long n = pw_ptable_pids(run->pt, &pids);

	if (n < 0)
		goto nomem;
	pw_record_opts_clocks(&run->ropts);
	for (long i = 0; i < n && !run->done; i++) {
		int r = pw_ptable_describe(run->pt, pids[i], ev);

		if (r == -ENOMEM) {
			free(pids);
			goto nomem;
		}
		if (r < 0 || (run->tree && !(ev->entry->flags & PW_PT_TRACKED)) || !passes(run, ev))
			continue;
		ev->ts_ns = run->opt.replay ? run->replay_start :
					      (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		if (emit(run, ev) < 0) {
			free(pids);
			goto nomem;
		}
	}
	free(pids);
	flush_out(run);
	/* COMMAND runs even when --count was reached: it decides the exit status */
	return (run->out_err || run->done) && !run->opt.command ? EXIT_SUCCESS : -1;
nomem:
	fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
	return EXIT_FAILURE;
}

/* Events taken from the socket and not written yet, with what was decided about each. */
struct batch {
	int n;
	bool rel[BATCH];	/* about a process procwatch reports on */
	bool show[BATCH];	/* and shown */
	bool born_tracked[BATCH];	/* a fork into the traced tree */
	struct births births;
};

/*
 * Append to b what the socket holds now, and read /proc for the new execs
 * at once. Returns the number of events taken, or -errno.
 */
static int take(struct run *run, struct batch *b)
{
	int first = b->n;
	/* the drop counter is read once a batch */
	int n = first ? pw_source_read_more(run->src, run->evs + first, (size_t)(BATCH - first)) :
			pw_source_read(run->src, run->evs, BATCH);

	if (n <= 0)
		return n;
	b->n += n;
	for (int i = first; i < b->n; i++) {
		struct pw_event *ev = &run->evs[i];

		if (ev->kind < PW_EV_NKINDS)
			run->stats.received[ev->kind]++;
		else if (ev->kind == PW_EV_LOST)
			run->stats.lost += ev->u.lost.count;
		b->rel[i] = relevant(run, &b->births, ev, &b->born_tracked[i]);
		b->show[i] = b->rel[i] && shown(run, ev);
	}

	/* exec first: a short-lived process takes its command line with it */
	for (int i = first; i < b->n; i++) {
		struct pw_event *ev = &run->evs[i];
		int got = 0;

		if (ev->kind == PW_EV_FORK && !ev->thread && run->cap) {
			/* every fork: the table follows them all */
			got = pw_capture_fork(run->cap, ev->pid, ev->ts_ns, &ev->u.fork.starttime);
			if (got < 0)
				return -ENOMEM;
			ev->u.fork.start_known = got == 1;
			continue;
		}
		if (ev->kind != PW_EV_EXEC)
			continue;
		if (!b->rel[i]) {
			/* not followed: its record, if any, is not kept waiting */
			if (run->cap && pw_capture_discard(run->cap, ev->pid, ev->ts_ns) < 0)
				return -ENOMEM;
			continue;
		}
		ev->proc.source = PW_XS_PROC;
		if (run->cap && (got = pw_capture_exec(run->cap, ev->pid, ev->ts_ns, &ev->proc)) < 0)
			return -ENOMEM;
		if (got) {
			unsigned all3 = PW_F_ARGV | PW_F_EXE | PW_F_CWD;

			/* the kernel's record at the exec: /proc only for what it lacks */
			unsigned rest = PW_F_ALL & ~(unsigned)got;

			if (pw_procfs_read(run->pfs, ev->pid, rest, &ev->proc) < 0)
				return -ENOMEM;
			ev->proc.have |= (unsigned)got;
			ev->proc.missing &= ~(unsigned)got;
			ev->proc.source = ((unsigned)got & all3) == all3 ? PW_XS_BPF : PW_XS_MIXED;
			continue;
		}
		if (superseded(run->evs, b->n, i)) {
			/* what /proc shows now belongs to the later exec: nothing of this one is known */
			ev->proc.have = ev->proc.inherit = 0;
			ev->proc.missing = PW_F_ALL;
			continue;
		}
		if (pw_procfs_read(run->pfs, ev->pid, PW_F_ALL | PW_F_IDS_AT_EXEC, &ev->proc) < 0)
			return -ENOMEM;
	}
	return n;
}

/*
 * Take one batch from the socket, enrich, format and write it. Returns -1
 * to go on, or an exit status.
 */
static int process_batch(struct run *run, int *nread)
{
	static struct batch b;
	int r;

	b.n = 0;
	b.births.n = 0;
	r = take(run, &b);
	*nread = r > 0 ? r : 0;
	if (r == -ENOMEM)
		goto nomem;
	if (r < 0) {
		if (run->opt.replay && r == -EINVAL)
			fprintf(stderr, "procwatch: %s: the recording is cut short or damaged\n", run->opt.replay);
		else if (pw_source_record_error(run->src))
			fprintf(stderr, "procwatch: --record %s: %s\n", run->opt.record, strerror(-r));
		else
			fprintf(stderr, "procwatch: receive: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}

	pw_record_opts_clocks(&run->ropts);
	for (int i = 0; i < b.n; i++) {
		struct pw_event *ev = &run->evs[i];

		if (!b.rel[i])
			continue;
		if (b.show[i] && b.n <= BATCH - 2) {
			/*
			 * Before each record is formatted: an exec that arrived
			 * meanwhile is read now, not after the whole batch.
			 */
			if (take(run, &b) == -ENOMEM)
				goto nomem;
			*nread = b.n;
		}
		if (ev->kind == PW_EV_FORK && !ev->thread) {
			/* a new process: a pid still in the table belonged to one that is gone */
			struct pw_pentry *e = pw_ptable_fork(run->pt, ev->ppid, ev->pid);

			if (!e)
				goto nomem;
			if (b.born_tracked[i])
				e->flags |= PW_PT_TRACKED;
		}
		/* the table must follow every fork, exec, exit, comm, uid and gid, shown or not */
		if (ev->kind != PW_EV_LOST &&
		    (b.show[i] || ev->kind == PW_EV_FORK || ev->kind == PW_EV_EXEC || ev->kind == PW_EV_COMM ||
		     ev->kind == PW_EV_UID || ev->kind == PW_EV_GID) &&
		    pw_ptable_apply(run->pt, ev) < 0)
			goto nomem;
		if (b.show[i] && !run->done && passes(run, ev) && emit(run, ev) < 0)
			goto nomem;
		if (run->out_err && !run->child)
			return EXIT_SUCCESS;	/* main() tells the status from out_err */
		retire(run, ev);
	}
	if (run->cap && capture_lost(run) < 0)
		goto nomem;
	return -1;
nomem:
	fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
	return EXIT_FAILURE;
}

/* The exit status a wait status stands for, as a shell reports it. */
static int status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAILURE;
}

static void reap(struct run *run)
{
	int st;

	if (!run->child || run->child_reaped)
		return;
	if (waitpid(run->child, &st, WNOHANG) == run->child) {
		run->child_reaped = true;
		run->child_status = st;
		run->reaped_at = now_mono();
	}
}

/* The ppoll() timeout: the --duration deadline, or a short wait while COMMAND's exit is awaited. */
static struct timespec *timeout(const struct run *run, struct timespec *tmo)
{
	struct timespec now = now_mono();
	long ms = -1;

	if (run->opt.duration > 0) {
		ms = ms_between(&now, &run->deadline);
		if (ms < 0)
			ms = 0;
	}
	if (run->child_reaped && (ms < 0 || ms > 100))
		ms = 100;
	if (run->unsettled && (ms < 0 || ms > QUIET_MS))
		ms = QUIET_MS;
	if (ms < 0)
		return NULL;
	tmo->tv_sec = ms / 1000;
	tmo->tv_nsec = (ms % 1000) * 1000000;
	return tmo;
}

/*
 * Read, report and write until told to stop, the output is gone, or COMMAND
 * has exited and its queued events are written. Returns 0, or 1 after a
 * runtime error was reported.
 */
static int loop(struct run *run, const sigset_t *waitmask)
{
	int fd = pw_source_fd(run->src);

	for (;;) {
		struct pollfd pfd[2] = {
			{ fd, POLLIN, 0 },
			/* POLLERR: the reader of our pipe is gone; POLLOUT: it takes more of the queue */
			{ run->out_err ? -1 : run->out.wfd, sink_pending(&run->out) ? POLLOUT : 0, 0 },
		};
		struct timespec tmo, now;
		int r, nread;

		if (got_sigusr1) {
			got_sigusr1 = 0;
			print_stats(run);
		}
		if (got_signal == SIGHUP && run->opt.output) {
			got_signal = 0;
			run->reopen = true;
		}
		/* a record begun on the old output is finished there first */
		if (run->reopen && !sink_partial(&run->out)) {
			reopen_output(run);
			run->reopen = false;
		}
		now = now_mono();
		if (run->opt.duration > 0 && ms_between(&run->deadline, &now) >= 0 && !got_signal) {
			/* the time is up: as if told to stop */
			got_signal = SIGTERM;
			run->opt.duration = 0;
		}
		if (got_signal) {
			if (!run->child)
				return EXIT_SUCCESS;
			/* COMMAND decides when it is done; procwatch reports it and follows */
			kill(run->child, got_signal);
			got_signal = 0;
		}
		if (got_sigchld) {
			got_sigchld = 0;
			reap(run);
		}
		if (run->done && !run->child)
			return EXIT_SUCCESS;
		if (run->child_reaped && (run->child_exit_seen || ms_between(&run->reaped_at, &now) > DRAIN_GRACE_MS)) {
			/* write what is already queued, then stop */
			do {
				r = process_batch(run, &nread);
				if (r >= 0)
					return r;
			} while (nread > 0);
			return EXIT_SUCCESS;
		}
		r = ppoll(pfd, 2, timeout(run, &tmo), waitmask);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "procwatch: poll: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
		if (r == 0 && run->unsettled) {
			/* quiet: what the kernel dropped last is known now, or never */
			if (settle(run) < 0) {
				fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
				return EXIT_FAILURE;
			}
			flush_out(run);
			continue;
		}
		if (pfd[1].revents & (POLLERR | POLLHUP)) {
			output_lost(run, -EPIPE);
			continue;
		}
		if (pfd[1].revents & POLLOUT)
			flush_out(run);
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		do {
			r = process_batch(run, &nread);
			if (r >= 0)
				return r;
		} while (nread == BATCH && !stop_pending() && !run->reopen);
		if (pw_source_ended(run->src))
			return EXIT_SUCCESS;	/* the recording is over */
		run->unsettled = true;
		/* the socket is drained (or a signal waits): the reader sees everything now */
		flush_out(run);
	}
}

/*
 * At the end: wait until the reader has taken every queued record. A
 * signal that stops procwatch gives up on a reader who does not read.
 * Returns status, or 1 when the output failed.
 */
static int drain_out(struct run *run, const sigset_t *waitmask, int status)
{
	got_signal = 0;
	run->reopen = false;
	run->ending = true;
	flush_out(run);
	while (!run->out_err && sink_pending(&run->out)) {
		struct pollfd pfd = { run->out.wfd, POLLOUT, 0 };

		if (got_signal && !(got_signal == SIGHUP && run->opt.output)) {
			fprintf(stderr, "procwatch: output blocked: %llu records not written\n",
				sink_queued_records(&run->out) + run->out.dropped);
			run->out_err = -EAGAIN;
			break;
		}
		if (ppoll(&pfd, 1, NULL, waitmask) < 0 && errno != EINTR)
			output_lost(run, -errno);
		else if (pfd.revents & (POLLERR | POLLHUP))
			output_lost(run, -EPIPE);
		else if (pfd.revents & POLLOUT)
			flush_out(run);
	}
	return run->out_err && run->out_err != -EPIPE ? EXIT_FAILURE : status;
}

/*
 * Load the exec capture as --exec-source asks. Returns 0, or 1 after
 * saying why it cannot run under --exec-source=bpf.
 */
static int open_capture(struct run *run)
{
	char why[512];
	int r;

	/* a fake proc root describes processes that the kernel's records are not about */
	if (run->opt.exec_source == EXEC_SOURCE_PROC ||
	    (run->opt.exec_source == EXEC_SOURCE_AUTO &&
	     (run->opt.proc_root || run->opt.replay || !pw_capture_built())))
		return 0;
	r = pw_capture_open(run->opt.ring, &run->cap, why, sizeof(why));
	if (r == 0 || run->opt.exec_source == EXEC_SOURCE_AUTO)
		return 0;
	fprintf(stderr, "procwatch: --exec-source=bpf: cannot load the exec capture: %s\n", why);
	return 1;
}

/*
 * The events the kernel needs to send. The process table must see every
 * fork and exit (lineage, and freeing what has gone), every exec (the
 * argv and exe later records carry) and every comm, uid and gid change
 * (the names and ids it hands out), shown or not. So only sid, ptrace and
 * coredump can be left to the kernel to drop, when they are not asked
 * for. --failed would be PROC_EVENT_NONZERO_EXIT without EXIT, but the
 * table needs the successful exits too: procwatch filters those itself.
 */
static uint32_t kernel_mask(const struct options *o)
{
	static const uint32_t bit[PW_EV_NKINDS] = {
		[PW_EV_FORK] = 0x1, [PW_EV_EXEC] = 0x2, [PW_EV_EXIT] = 0x80000000,
		[PW_EV_UID] = 0x4, [PW_EV_GID] = 0x40, [PW_EV_SID] = 0x80,
		[PW_EV_PTRACE] = 0x100, [PW_EV_COMM] = 0x200, [PW_EV_COREDUMP] = 0x40000000,
	};
	uint32_t mask = 0;

	for (unsigned k = 0; k < PW_EV_NKINDS; k++)
		if ((o->events & PW_KIND_BIT(k)) || k == PW_EV_FORK || k == PW_EV_EXEC || k == PW_EV_EXIT ||
		    k == PW_EV_COMM || k == PW_EV_UID || k == PW_EV_GID)
			mask |= bit[k];
	return mask;
}

int main(int argc, char **argv)
{
	struct run run = { .record_fd = -1 };
	struct pw_source_info info;
	struct pw_source_clocks clk = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: wake the loop */
	struct sigaction ign = { .sa_handler = SIG_IGN }, sa_pipe;
	static const int handled[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1 };
	sigset_t block, origmask;
	long nproc;
	int r, status = EXIT_FAILURE;

	options_parse(argc, argv, &run.opt);
	run.tree = run.opt.npids || run.opt.command;

	/* EPIPE is handled where it happens, so the unsubscribe always runs */
	sigemptyset(&run.ignored);
	sigaction(SIGPIPE, NULL, &sa_pipe);
	if (sa_pipe.sa_handler == SIG_IGN)
		sigaddset(&run.ignored, SIGPIPE);
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
		struct sigaction old;

		/* a signal ignored at start (nohup, a background job) stays ignored, also for COMMAND */
		sigaction(handled[i], NULL, &old);
		if (old.sa_handler == SIG_IGN && handled[i] != SIGCHLD && handled[i] != SIGUSR1) {
			sigaddset(&run.ignored, handled[i]);
			/* but with -o, SIGHUP only reopens FILE: logrotate's signal works under nohup too */
			if (handled[i] != SIGHUP || !run.opt.output)
				continue;
		}
		sigaddset(&block, handled[i]);
		sigaction(handled[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &origmask);

	sink_init(&run.out, run.opt.queue, queue_lost, &run);
	r = STDOUT_FILENO;
	if (run.opt.output && (r = open_output(run.opt.output)) < 0) {
		fprintf(stderr, "procwatch: %s: %s\n", run.opt.output, strerror(-r));
		options_free(&run.opt);
		return EXIT_FAILURE;
	}
	if ((r = sink_attach(&run.out, r)) < 0) {
		fprintf(stderr, "procwatch: %s: %s\n", run.opt.output ? run.opt.output : "standard output",
			strerror(-r));
		goto out_output;
	}

	if (run.opt.realtime) {
		struct sched_param sp = { .sched_priority = run.opt.realtime };

		/* reset on fork: COMMAND runs with normal scheduling */
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0) {
			fprintf(stderr, "procwatch: --realtime: %s (needs CAP_SYS_NICE or root)\n", strerror(errno));
			goto out_output;
		}
	}
	/* the capture first: each exec the connector reports from here on has its record */
	if ((r = open_capture(&run)) != 0)
		goto out_source;
	if (run.opt.replay) {
		r = pw_source_open_replay(run.opt.replay, &run.src, &clk);
		if (r < 0) {
			fprintf(stderr, "procwatch: %s: %s\n", run.opt.replay,
				r == -EINVAL ? "not a procwatch recording" : strerror(-r));
			goto out_source;
		}
		goto opened;
	}
	r = pw_source_open(&run.src, run.opt.rcvbuf, &info);
	if (r < 0) {
		explain_source_error(r, &info);
		goto out_source;
	}
	if (info.capped)
		fprintf(stderr, "procwatch: warning: receive buffer capped at net.core.rmem_max (%lu bytes); "
			"raise it or run with CAP_NET_ADMIN to avoid losing events under load\n", info.rmem_max);
	if ((run.opt.events & PW_KINDS_ALL) != PW_KINDS_ALL)
		pw_source_set_mask(run.src, kernel_mask(&run.opt));	/* best effort: filtered here anyway */
opened:

	r = pw_procfs_open(run.opt.proc_root, &run.pfs);
	if (r < 0) {
		fprintf(stderr, "procwatch: %s: %s\n", run.opt.proc_root ? run.opt.proc_root : "/proc",
			strerror(-r));
		goto out_source;
	}
	r = pw_record_opts_init(&run.ropts, run.opt.proc_root);
	if (r < 0) {
		fprintf(stderr, "procwatch: %s/sys/kernel/random/boot_id: %s\n",
			run.opt.proc_root ? run.opt.proc_root : "/proc", strerror(-r));
		goto out_state;
	}
	run.ropts.max_ancestors = run.opt.ancestors;
	if (run.opt.replay) {
		/* the times are the recording's */
		run.ropts.wall_offset_ns = clk.wall_offset_ns;
		run.ropts.boot_wall_ns = clk.boot_wall_ns;
		run.ropts.fixed_clocks = true;
		run.replay_start = clk.start_ns;
	} else if (run.opt.record) {
		struct timespec now = now_mono();

		clk.start_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		clk.wall_offset_ns = run.ropts.wall_offset_ns;
		clk.boot_wall_ns = run.ropts.boot_wall_ns;
		run.record_fd = open(run.opt.record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
		if (run.record_fd < 0 || (r = pw_source_record(run.src, run.record_fd, &clk)) < 0) {
			fprintf(stderr, "procwatch: --record %s: %s\n", run.opt.record,
				strerror(run.record_fd < 0 ? errno : -r));
			goto out_state;
		}
	}
	if ((!run.opt.numeric && pw_names_new(&run.names) < 0) || pw_ptable_new(run.pfs, &run.pt) < 0 ||
	    !(run.evs = calloc(BATCH, sizeof(*run.evs)))) {
		fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
		goto out_state;
	}
	run.ropts.names = run.names;
	run.ropts.pt = run.pt;
	if (run.opt.replay)
		pw_ptable_set_clock(run.pt, clk.wall_offset_ns - clk.boot_wall_ns);
	/* after subscribing: a process started meanwhile is in the scan or in the events */
	nproc = pw_ptable_scan(run.pt);
	if (nproc < 0) {
		fprintf(stderr, "procwatch: scanning %s: %s\n", run.opt.proc_root ? run.opt.proc_root : "/proc",
			strerror((int)-nproc));
		goto out_state;
	}
	if (run.opt.npids && (status = track_pids(&run)) != 0)
		goto out_state;
	if (run.opt.duration > 0) {
		long long ns = (long long)(run.opt.duration * 1e9);

		run.deadline = now_mono();
		run.deadline.tv_sec += ns / 1000000000;
		run.deadline.tv_nsec += ns % 1000000000;
		if (run.deadline.tv_nsec >= 1000000000) {
			run.deadline.tv_sec++;
			run.deadline.tv_nsec -= 1000000000;
		}
	}

	run.started = true;
	if (run.opt.snapshot) {
		status = snapshot(&run);
		if (status >= 0) {
			status = drain_out(&run, &origmask, status);
			goto out_state;
		}
	}
	if (run.opt.command) {
		status = spawn(&run, &origmask);
		if (status) {
			/* what --snapshot wrote still reaches the reader */
			status = drain_out(&run, &origmask, status);
			goto out_state;
		}
	}
	status = loop(&run, &origmask);
	/* the end of the stream: a loss that no later event revealed is counted now */
	if (settle(&run) < 0) {
		fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
		status = EXIT_FAILURE;
	}
	/* no more events: the kernel stops sending them while the reader catches up */
	pw_source_close(&run.src);
	status = drain_out(&run, &origmask, status);
	if (status == EXIT_SUCCESS && run.child)
		status = status_of(run.child_status);
out_state:
	if (run.opt.stats && run.started)
		print_stats(&run);
	for (size_t i = 0; run.evs && i < BATCH; i++)
		pw_proc_free(&run.evs[i].proc);
	free(run.evs);
	pw_fmt_state_free(&run.fmt);
	pw_record_opts_free(&run.ropts);
	pw_ptable_free(&run.pt);
	pw_names_free(&run.names);
	pw_procfs_free(&run.pfs);
out_source:
	pw_capture_close(&run.cap);
	pw_source_close(&run.src);
	if (run.record_fd >= 0 && close(run.record_fd) < 0 && status == EXIT_SUCCESS) {
		fprintf(stderr, "procwatch: --record %s: %s\n", run.opt.record, strerror(errno));
		status = EXIT_FAILURE;
	}
out_output:
	sink_free(&run.out);
	if (run.out.fd >= 0 && run.out.fd != STDOUT_FILENO)
		close(run.out.fd);
	options_free(&run.opt);
	return status;
}
