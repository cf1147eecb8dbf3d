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

#include "capture.h"
#include "command.h"
#include "decode.h"
#include "engine.h"
#include "inputs.h"
#include "options.h"
#include "output.h"
#include "procfs.h"
#include "signals.h"
#include "source.h"

#define DRAIN_GRACE_MS 2000	/* after COMMAND is reaped, how long to wait for its exit event */
#define QUIET_MS 100		/* no event for this long after some: ask the drop counter about losses */

/* One procwatch invocation: its inputs, the engine between them, and the output. */
struct run {
	struct options opt;
	struct inputs in;
	struct pw_engine *eng;
	struct output out;
	struct command cmd;
	bool unsettled;		/* events were read since the drop counter was last asked */
	struct timespec deadline;	/* --duration */
	sigset_t ignored;	/* signals ignored when procwatch started */
};

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
	const struct sink *k = &run->out.sink;
	struct pw_engine_stats s;

	pw_engine_get_stats(run->eng, &s);
	fprintf(stderr, "procwatch: stats:");
	for (unsigned i = 0; i < PW_EV_NKINDS; i++)
		fprintf(stderr, " %s=%llu", pw_event_names[i], s.received[i]);
	/*
	 * formatted (and the queue's lost records), but not dropped by the
	 * queue, thrown away after a write error, nor still waiting in it
	 */
	fprintf(stderr, " written=%llu filtered=%llu lost=%llu dropped=%llu missing=%llu",
		s.written + k->lost_records - k->dropped_total - sink_queued_records(k) - k->discarded,
		s.filtered, s.lost, k->dropped_total, s.partial);
	if (run->in.cap) {
		struct pw_capture_stats cs;

		pw_capture_get_stats(run->in.cap, &cs);
		fprintf(stderr, " exec_source=bpf joined=%llu unmatched=%llu forks=%llu forks_unmatched=%llu ring_lost=%llu "
			"ring_full=%llu fault=%llu bound=%llu orphans=%llu malformed=%llu\n",
			cs.joined, cs.unmatched, cs.forks, cs.forks_unmatched, cs.ring_lost, cs.why[PW_CAP_WHY_RING],
			cs.why[PW_CAP_WHY_FAULT], cs.why[PW_CAP_WHY_BOUND], cs.orphans, cs.malformed);
	} else {
		fprintf(stderr, " exec_source=proc\n");
	}
}

/* The engine's output is full: write what the reader takes. */
static int flush_cb(void *ctx)
{
	struct run *run = ctx;

	return output_flush(&run->out) ? 0 : -EPIPE;
}

/* The lost record for records the output queue dropped (struct sink calls it). */
static int queue_lost(void *ctx, unsigned long long count, uint64_t ts_ns, struct pw_buf *out)
{
	struct run *run = ctx;

	return pw_engine_format_queue_lost(run->eng, count, ts_ns, out);
}

/* One line for a failed step of the engine. Returns the exit status 1. */
static int engine_error(const struct run *run, int r)
{
	if (r == -ENOMEM)
		fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
	else if (run->opt.replay && r == -EINVAL)
		fprintf(stderr, "procwatch: %s: the recording is cut short or damaged\n", run->opt.replay);
	else if (pw_source_record_error(run->in.src))
		fprintf(stderr, "procwatch: --record %s: %s\n", run->opt.record, strerror(-r));
	else if (pw_engine_source_failed(run->eng))
		fprintf(stderr, "procwatch: receive: %s\n", strerror(-r));
	else
		fprintf(stderr, "procwatch: reading %s: %s\n", run->opt.proc_root ? run->opt.proc_root : "/proc",
			strerror(-r));
	return EXIT_FAILURE;
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
	if (run->cmd.reaped && (ms < 0 || ms > 100))
		ms = 100;
	if (run->unsettled && (ms < 0 || ms > QUIET_MS))
		ms = QUIET_MS;
	if (ms < 0)
		return NULL;
	tmo->tv_sec = ms / 1000;
	tmo->tv_nsec = (ms % 1000) * 1000000;
	return tmo;
}

/* Whether nothing more is to be read: the output is gone or --count reached, and no COMMAND waits. */
static bool finished(const struct run *run)
{
	return !run->cmd.pid && (run->out.state == OUTPUT_GONE || pw_engine_done(run->eng));
}

/*
 * Read, report and write until told to stop, the output is gone, or COMMAND
 * has exited and its queued events are written. Returns 0, or 1 after a
 * runtime error was reported.
 */
static int loop(struct run *run, const sigset_t *waitmask)
{
	int fd = pw_source_fd(run->in.src);

	for (;;) {
		struct pollfd pfd[2] = {
			{ fd, POLLIN, 0 },
			/* POLLERR: the reader of our pipe is gone; POLLOUT: it takes more of the queue */
			{ output_fd(&run->out), sink_pending(&run->out.sink) ? POLLOUT : 0, 0 },
		};
		struct timespec tmo, now;
		int r;

		if (got_sigusr1) {
			got_sigusr1 = 0;
			print_stats(run);
		}
		if (got_signal == SIGHUP && run->opt.output) {
			got_signal = 0;
			output_hangup(&run->out);
		}
		/* a record begun on the old output is finished there first */
		output_rotate(&run->out);
		now = now_mono();
		if (run->opt.duration > 0 && ms_between(&run->deadline, &now) >= 0 && !got_signal) {
			/* the time is up: as if told to stop */
			got_signal = SIGTERM;
			run->opt.duration = 0;
		}
		if (got_signal) {
			if (!run->cmd.pid)
				return EXIT_SUCCESS;
			/* COMMAND decides when it is done; procwatch reports it and follows */
			kill(run->cmd.pid, got_signal);
			got_signal = 0;
		}
		if (got_sigchld) {
			got_sigchld = 0;
			command_reap(&run->cmd);
		}
		if (finished(run))
			return EXIT_SUCCESS;
		if (run->cmd.reaped && (pw_engine_root_exited(run->eng) ||
					ms_between(&run->cmd.reaped_at, &now) > DRAIN_GRACE_MS)) {
			/* write what is already queued, then stop */
			while ((r = pw_engine_step(run->eng)) > 0)
				;
			return r < 0 ? engine_error(run, r) : EXIT_SUCCESS;
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
			run->unsettled = false;
			if ((r = pw_engine_settle(run->eng)) < 0)
				return engine_error(run, r);
			output_flush(&run->out);
			continue;
		}
		if (pfd[1].revents & (POLLERR | POLLHUP)) {
			output_fail(&run->out, -EPIPE);
			continue;
		}
		if (pfd[1].revents & POLLOUT)
			output_flush(&run->out);
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		do {
			r = pw_engine_step(run->eng);
			if (r < 0)
				return engine_error(run, r);
			if (finished(run))
				return EXIT_SUCCESS;
		} while (r == PW_ENGINE_BATCH && !signals_stop_pending() && run->out.state != OUTPUT_REOPEN);
		if (pw_source_ended(run->in.src))
			return EXIT_SUCCESS;	/* the recording is over */
		run->unsettled = true;
		/* the socket is drained (or a signal waits): the reader sees everything now */
		output_flush(&run->out);
	}
}

/* The engine over the inputs, writing into the output. Returns 0, or 1 after one line on stderr. */
static int start_engine(struct run *run, const struct pw_source_clocks *clk)
{
	struct pw_engine_config cfg = {
		.events = run->opt.events,
		.threads = run->opt.threads,
		.format = run->opt.format == FORMAT_JSON ? PW_FORMAT_JSON : PW_FORMAT_TEXT,
		.ancestors = run->opt.ancestors,
		.numeric = run->opt.numeric,
		.count = run->opt.count,
		.filter = &run->opt.filter,
		.proc_root = run->opt.proc_root,
		.replay_clocks = run->opt.replay ? clk : NULL,
		.out = &run->out.sink.buf,
		.flush = flush_cb,
		.ctx = run,
	};
	const char *root = run->opt.proc_root ? run->opt.proc_root : "/proc", *step;
	long n;
	int r = pw_engine_new(&cfg, run->in.src, run->in.cap, run->in.pfs, &run->eng, &step);

	if (r < 0 && step)
		fprintf(stderr, "procwatch: %s/sys/kernel/random/boot_id: %s\n", root, strerror(-r));
	else if (r < 0)
		fprintf(stderr, "procwatch: %s\n", strerror(-r));
	if (r < 0)
		return EXIT_FAILURE;
	if (run->in.record_fd >= 0 && (r = pw_engine_record(run->eng, run->in.record_fd)) < 0) {
		fprintf(stderr, "procwatch: --record %s: %s\n", run->opt.record, strerror(-r));
		return EXIT_FAILURE;
	}
	/* after subscribing: a process started meanwhile is in the scan or in the events */
	n = pw_engine_scan(run->eng);
	if (n < 0) {
		fprintf(stderr, "procwatch: scanning %s: %s\n", root, strerror((int)-n));
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < run->opt.npids; i++) {
		r = pw_engine_trace(run->eng, run->opt.pids[i]);
		if (r == -ESRCH)
			fprintf(stderr, "procwatch: --pid %d: no such process\n", (int)run->opt.pids[i]);
		else if (r < 0)
			fprintf(stderr, "procwatch: %s\n", strerror(-r));
		if (r < 0)
			return EXIT_FAILURE;
	}
	return 0;
}

/* The --duration deadline from now. */
static void set_deadline(struct run *run)
{
	long long ns = (long long)(run->opt.duration * 1e9);

	run->deadline = now_mono();
	run->deadline.tv_sec += ns / 1000000000;
	run->deadline.tv_nsec += ns % 1000000000;
	if (run->deadline.tv_nsec >= 1000000000) {
		run->deadline.tv_sec++;
		run->deadline.tv_nsec -= 1000000000;
	}
}

/*
 * The run once everything is open: the snapshot, COMMAND, the events.
 * Returns the exit status.
 */
static int watch(struct run *run, const sigset_t *origmask, const struct pw_source_clocks *clk)
{
	int r, status;

	if (run->opt.duration > 0)
		set_deadline(run);
	if (run->opt.snapshot) {
		r = pw_engine_snapshot(run->eng, run->opt.replay ? clk->start_ns : 0);
		if (r < 0)
			return engine_error(run, r);
		output_flush(&run->out);
		/* COMMAND runs even when --count was reached: it decides the exit status */
		if (finished(run) && !run->opt.command)
			return EXIT_SUCCESS;
	}
	if (run->opt.command) {
		status = command_start(&run->cmd, run->opt.command, &run->ignored, origmask,
				       run->out.sink.fd != STDOUT_FILENO ? run->out.sink.fd : -1);
		if (status)
			return status;	/* what --snapshot wrote still reaches the reader */
		if ((r = pw_engine_adopt(run->eng, run->cmd.pid, getpid())) < 0)
			return engine_error(run, r);
	}
	status = loop(run, origmask);
	/* the end of the stream: a loss that no later event revealed is counted now */
	if ((r = pw_engine_settle(run->eng)) < 0)
		status = engine_error(run, r);
	return status;
}

int main(int argc, char **argv)
{
	struct run run = { .in.record_fd = -1 };
	struct pw_source_clocks clk = { 0 };
	sigset_t origmask;
	bool started = false;
	int r, status;

	options_parse(argc, argv, &run.opt);
	signals_catch(run.opt.output != NULL, &run.ignored, &origmask);
	status = EXIT_FAILURE;
	if (output_open(&run.out, run.opt.output, run.opt.queue, queue_lost, &run) < 0)
		goto out;
	if (run.opt.realtime) {
		struct sched_param sp = { .sched_priority = run.opt.realtime };

		/* reset on fork: COMMAND runs with normal scheduling */
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0) {
			fprintf(stderr, "procwatch: --realtime: %s (needs CAP_SYS_NICE or root)\n", strerror(errno));
			goto out;
		}
	}
	if (inputs_open(&run.in, &run.opt, &clk) != 0 || start_engine(&run, &clk) != 0)
		goto out;
	started = true;
	status = watch(&run, &origmask, &clk);
	/* no more events: the kernel stops sending them while the reader catches up */
	pw_source_close(&run.in.src);
	r = output_drain(&run.out, &origmask, &got_signal);
	if (r < 0 && r != -EPIPE)
		status = EXIT_FAILURE;
	else if (status == EXIT_SUCCESS && run.cmd.pid)
		status = command_exit_status(&run.cmd);
out:
	if (run.opt.stats && started)
		print_stats(&run);
	pw_engine_free(&run.eng);
	inputs_close(&run.in, &status);
	output_close(&run.out);
	options_free(&run.opt);
	return status;
}
