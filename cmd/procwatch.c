/* procwatch.c - log process events with what /proc knows about each process */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "decode.h"
#include "format.h"
#include "names.h"
#include "procfs.h"
#include "ptable.h"
#include "sink.h"
#include "source.h"
#include "strutil.h"

#define EXIT_USAGE 2
#define BATCH 1024		/* events taken from the socket before they are written */
#define DRAIN_GRACE_MS 2000	/* after COMMAND is reaped, how long to wait for its exit event */

enum format { FORMAT_AUTO, FORMAT_JSON, FORMAT_TEXT };

struct options {
	unsigned events;	/* PW_KIND_BIT()s to show */
	enum format format;
	unsigned long count;	/* 0: no limit */
	bool threads;
	size_t rcvbuf;		/* 0: default */
	uint32_t ancestors;	/* depth of ancestry shown */
	bool numeric;		/* no user or group names */
	bool snapshot;		/* an exist record per running process first */
	const char *proc_root;	/* NULL: /proc */
	char **command;		/* NULL: watch the whole system */
};

/* Run state of one procwatch invocation. */
struct run {
	struct options opt;
	struct pw_source *src;
	struct pw_procfs *pfs;
	struct pw_names *names;
	struct pw_ptable *pt;
	struct pw_event *evs;
	struct pw_fmt_state fmt;
	struct sink out;
	struct pw_record_opts ropts;
	unsigned long written;
	pid_t child;		/* COMMAND, 0 when none */
	bool child_reaped;
	int child_status;
	bool child_exit_seen;	/* its exit event has been processed */
	int out_err;		/* -errno once writing failed, -EPIPE when the reader left */
	struct timespec reaped_at;
	bool done;
};

static volatile sig_atomic_t got_signal;	/* last SIGINT/SIGTERM/SIGHUP received */
static volatile sig_atomic_t got_sigchld;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_sigchld = 1;
	else
		got_signal = sig;
}

static const struct option longopts[] = {
	{ "events", required_argument, NULL, 'e' },
	{ "format", required_argument, NULL, 'f' },
	{ "count", required_argument, NULL, 'n' },
	{ "threads", no_argument, NULL, 'T' },
	{ "rcvbuf", required_argument, NULL, 'R' },
	{ "ancestors", required_argument, NULL, 'a' },
	{ "numeric", no_argument, NULL, 'N' },
	{ "snapshot", no_argument, NULL, 'S' },
	{ "proc-root", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("Usage: procwatch [OPTION]... [-- COMMAND [ARG]...]\n"
	       "Log process events (fork, exec, exit, ...) with what /proc knows about each\n"
	       "process, one line per event: NDJSON for jq and log shippers, or text.\n"
	       "With COMMAND: subscribe, run COMMAND, report only it and its descendants,\n"
	       "and exit with its status.\n"
	       "\n"
	       "Options:\n"
	       "  -e, --events=LIST   events to show, comma-separated (default all):\n"
	       "                      ");
	for (unsigned k = 0; k < PW_EV_NKINDS; k++)
		printf("%s,", pw_event_names[k]);
	printf("all\n"
	       "  -f, --format=FMT    json or text (default: text on a terminal, else json)\n"
	       "  -n, --count=N       stop after N records\n"
	       "  -a, --ancestors=N   show N ancestors of each process (0: none; default all)\n"
	       "      --numeric       show user and group ids only, no names\n"
	       "      --snapshot      first an exist record for each running process\n"
	       "      --threads       also show thread creation and thread exit\n"
	       "      --rcvbuf=BYTES  kernel receive buffer (default %u; beyond\n"
	       "                      net.core.rmem_max needs CAP_NET_ADMIN)\n"
	       "      --proc-root=DIR read process data from DIR instead of /proc\n"
	       "  -h, --help          show this help and exit\n"
	       "  -V, --version       show the version and exit\n"
	       "\n"
	       "Exit status: 0 success, 1 runtime error, 2 usage error; with COMMAND, its\n"
	       "status (128+N when killed by signal N; 126/127 when it cannot be run).\n"
	       "See procwatch(1) for the fields of each event.\n",
	       PW_SOURCE_RCVBUF_DEFAULT);
}

static void __attribute__((format(printf, 1, 2), noreturn)) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("procwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'procwatch --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

/*
 * getopt_long() reports a failed long option through optopt as its internal
 * value, so name it from the argument itself.
 */
static void __attribute__((noreturn)) bad_option(int c, const char *arg)
{
	size_t n;

	if (strncmp(arg, "--", 2) != 0) {
		if (c == ':')
			usage_error("option '-%c' needs an argument", optopt);
		usage_error("unknown option '-%c'", optopt);
	}
	n = strcspn(arg, "=");
	if (c == ':')
		usage_error("option '%s' needs an argument", arg);
	if (optopt && arg[n] == '=')
		usage_error("option '%.*s' takes no argument", (int)n, arg);
	usage_error("unknown option '%.*s'", (int)n, arg);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	unsigned long v;
	const char *bad;
	size_t badlen;
	int c;

	memset(o, 0, sizeof(*o));
	o->events = PW_KINDS_ALL;
	o->ancestors = PW_ANCESTORS_ALL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:f:n:a:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (pw_events_parse(optarg, &o->events, &bad, &badlen) < 0) {
				char known[128] = "";

				for (unsigned k = 0; k < PW_EV_NKINDS; k++) {
					strcat(known, pw_event_names[k]);
					strcat(known, ", ");
				}
				usage_error("unknown event '%.*s' in --events (known: %sall)", (int)badlen, bad, known);
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else if (strcmp(optarg, "text") == 0)
				o->format = FORMAT_TEXT;
			else
				usage_error("unknown format '%s' (use json or text)", optarg);
			break;
		case 'n':
			if (pw_parse_ulong(optarg, 1, ULONG_MAX, &o->count) < 0)
				usage_error("invalid --count '%s': expected a whole number >= 1", optarg);
			break;
		case 'T':
			o->threads = true;
			break;
		case 'a':
			if (pw_parse_ulong(optarg, 0, PW_ANCESTORS_MAX, &v) < 0)
				usage_error("invalid --ancestors '%s': expected a whole number from 0 to %d",
					    optarg, PW_ANCESTORS_MAX);
			o->ancestors = (uint32_t)v;
			break;
		case 'N':
			o->numeric = true;
			break;
		case 'S':
			o->snapshot = true;
			break;
		case 'P':
			o->proc_root = optarg;
			break;
		case 'R':
			if (pw_parse_ulong(optarg, 4096, (unsigned long)INT_MAX / 2, &v) < 0)
				usage_error("invalid --rcvbuf '%s': expected bytes from 4096 to %d", optarg,
					    INT_MAX / 2);
			o->rcvbuf = v;
			break;
		case 'h':
			usage();
			exit(EXIT_SUCCESS);
		case 'V':
			printf("procwatch %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case ':':
		default:
			bad_option(c, argv[optind - 1]);
		}
	}
	if (optind < argc) {
		/* a command must be introduced by "--", so a mistyped option is never run */
		if (strcmp(argv[optind - 1], "--") != 0)
			usage_error("unexpected argument '%s' (a command goes after '--')", argv[optind]);
		o->command = argv + optind;
	} else if (optind > 1 && strcmp(argv[optind - 1], "--") == 0) {
		usage_error("'--' must be followed by a command");
	}
	if (o->format == FORMAT_AUTO)
		o->format = isatty(STDOUT_FILENO) ? FORMAT_TEXT : FORMAT_JSON;
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
		fprintf(stderr, "procwatch: %s: permission denied: kernels before 6.6 need "
			"CAP_NET_ADMIN (run as root or 'setcap cap_net_admin+ep procwatch')\n", info->step);
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

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
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
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		close(pfd[0]);
		sigaction(SIGPIPE, &dfl, NULL);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGHUP, &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigprocmask(SIG_SETMASK, origmask, NULL);
		execvp(run->opt.command[0], run->opt.command);
		err = errno;
		n = write(pfd[1], &err, sizeof(err));
		(void)n;
		_exit(err == ENOENT ? 127 : 126);
	}
	close(pfd[1]);
	run->child = pid;
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
 * Place ev in the process tree before anything is read: a fork adds its
 * child (in command mode only to the traced tree). Returns whether ev
 * concerns a process procwatch reports on.
 */
static bool relevant(struct run *run, const struct pw_event *ev)
{
	struct pw_pentry *e;

	if (ev->kind == PW_EV_LOST)
		return true;
	if (ev->kind == PW_EV_FORK && !ev->thread) {
		struct pw_pentry *parent = pw_ptable_lookup(run->pt, ev->ppid);
		bool tracked = (parent && (parent->flags & PW_PT_TRACKED)) ||
			       (run->child && ev->pid == run->child);

		if (run->child && !tracked)
			return false;
		e = pw_ptable_fork(run->pt, ev->ppid, ev->pid);
		if (e && tracked)
			e->flags |= PW_PT_TRACKED;
		return true;
	}
	if (!run->child)
		return true;
	e = pw_ptable_lookup(run->pt, ev->pid);
	return e && (e->flags & PW_PT_TRACKED);
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

/* Write what is buffered. Returns false when the output is gone. */
static bool flush_out(struct run *run)
{
	int r;

	if (run->out_err) {
		run->out.buf.len = 0;
		return false;
	}
	r = sink_flush(&run->out);
	if (r < 0)
		output_lost(run, r);
	return r == 0;
}

/* Format ev into the output, counting it; write out a full buffer. Returns 0 or -ENOMEM. */
static int emit(struct run *run, const struct pw_event *ev)
{
	int r = run->opt.format == FORMAT_JSON ? pw_format_json(ev, &run->ropts, &run->fmt, &run->out.buf) :
						 pw_format_text(ev, &run->ropts, &run->fmt, &run->out.buf);

	if (r < 0)
		return r;
	if (ev->kind != PW_EV_LOST && run->opt.count && ++run->written >= run->opt.count)
		run->done = true;
	if (run->out.buf.len >= 65536)
		flush_out(run);
	return 0;
}

/* An exist record for every process in the table, by pid. Returns -1 to go on, or an exit status. */
static int snapshot(struct run *run)
{
	struct pw_event *ev = &run->evs[0];
	struct timespec now;
	pid_t *pids;
	long n = pw_ptable_pids(run->pt, &pids);

	if (n < 0)
		goto nomem;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pw_record_opts_clocks(&run->ropts);
	for (long i = 0; i < n && !run->done; i++) {
		int r = pw_ptable_describe(run->pt, pids[i], ev);

		if (r == -ENOMEM) {
			free(pids);
			goto nomem;
		}
		ev->ts_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		if (r == 0 && emit(run, ev) < 0) {
			free(pids);
			goto nomem;
		}
	}
	free(pids);
	flush_out(run);
	return run->out_err || run->done ? EXIT_SUCCESS : -1;
nomem:
	fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
	return EXIT_FAILURE;
}

/*
 * Take one batch from the socket, enrich, format and write it. Returns -1
 * to go on, or an exit status.
 */
static int process_batch(struct run *run, int *nread)
{
	bool rel[BATCH], show[BATCH];
	int n = pw_source_read(run->src, run->evs, BATCH);

	*nread = n > 0 ? n : 0;
	if (n < 0) {
		fprintf(stderr, "procwatch: receive: %s\n", strerror(-n));
		return EXIT_FAILURE;
	}
	for (int i = 0; i < n; i++) {
		rel[i] = relevant(run, &run->evs[i]);
		show[i] = rel[i] && shown(run, &run->evs[i]);
	}

	/* exec first: a short-lived process takes its command line with it */
	for (int i = 0; i < n; i++) {
		struct pw_event *ev = &run->evs[i];

		if (rel[i] && ev->kind == PW_EV_EXEC &&
		    pw_procfs_read(run->pfs, ev->pid, PW_F_ALL, &ev->proc) < 0)
			goto nomem;
	}

	pw_record_opts_clocks(&run->ropts);
	for (int i = 0; i < n; i++) {
		struct pw_event *ev = &run->evs[i];

		if (!rel[i] || ev->kind == PW_EV_LOST)
			goto format;
		/* the table must follow every fork, exec and exit, shown or not */
		if (show[i] || ev->kind == PW_EV_FORK || ev->kind == PW_EV_EXEC || ev->kind == PW_EV_COMM ||
		    ev->kind == PW_EV_UID || ev->kind == PW_EV_GID) {
			if (pw_ptable_apply(run->pt, ev) < 0)
				goto nomem;
		}
format:
		if (show[i] && !run->done && emit(run, ev) < 0)
			goto nomem;
		if (run->out_err && !run->child)
			return EXIT_SUCCESS;	/* main() tells the status from out_err */
		if (rel[i])
			retire(run, ev);
	}
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
		clock_gettime(CLOCK_MONOTONIC, &run->reaped_at);
	}
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
			/* POLLERR: the reader of our pipe is gone */
			{ run->out_err ? -1 : run->out.fd, 0, 0 },
		};
		struct timespec tmo = { 0, 100 * 1000000 };
		int r, nread;

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
		if (run->child_reaped && (run->child_exit_seen || ms_since(&run->reaped_at) > DRAIN_GRACE_MS)) {
			/* write what is already queued, then stop */
			do {
				r = process_batch(run, &nread);
				if (r >= 0)
					return r;
			} while (nread > 0);
			return EXIT_SUCCESS;
		}
		r = ppoll(pfd, 2, run->child_reaped ? &tmo : NULL, waitmask);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "procwatch: poll: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
		if (pfd[1].revents & (POLLERR | POLLHUP)) {
			output_lost(run, -EPIPE);
			continue;
		}
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		do {
			r = process_batch(run, &nread);
			if (r >= 0)
				return r;
		} while (nread == BATCH);
		/* the socket is drained: the reader sees everything now */
		flush_out(run);
	}
}

int main(int argc, char **argv)
{
	struct run run = { .out = { .fd = STDOUT_FILENO } };
	struct pw_source_info info;
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: wake the loop */
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t block, origmask;
	int r, status = EXIT_FAILURE;

	parse_args(argc, argv, &run.opt);

	/* EPIPE is handled where it happens, so the unsubscribe always runs */
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &origmask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	r = pw_source_open(&run.src, run.opt.rcvbuf, &info);
	if (r < 0) {
		explain_source_error(r, &info);
		return EXIT_FAILURE;
	}
	if (info.capped)
		fprintf(stderr, "procwatch: warning: receive buffer capped at net.core.rmem_max (%lu bytes); "
			"raise it or run with CAP_NET_ADMIN to avoid losing events under load\n", info.rmem_max);

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
	if ((!run.opt.numeric && pw_names_new(&run.names) < 0) || pw_ptable_new(run.pfs, &run.pt) < 0 ||
	    !(run.evs = calloc(BATCH, sizeof(*run.evs)))) {
		fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
		goto out_state;
	}
	run.ropts.names = run.names;
	/* after subscribing: a process started meanwhile is in the scan or in the events */
	r = (int)pw_ptable_scan(run.pt);
	if (r < 0) {
		fprintf(stderr, "procwatch: scanning %s: %s\n", run.opt.proc_root ? run.opt.proc_root : "/proc",
			strerror(-r));
		goto out_state;
	}

	if (run.opt.snapshot && !run.opt.command) {
		status = snapshot(&run);
		if (status >= 0)
			goto out_state;
	}
	if (run.opt.command) {
		status = spawn(&run, &origmask);
		if (status)
			goto out_state;
	}
	status = loop(&run, &origmask);
	flush_out(&run);
	if (run.out_err && run.out_err != -EPIPE)
		status = EXIT_FAILURE;
	else if (status == EXIT_SUCCESS && run.child)
		status = status_of(run.child_status);
out_state:
	for (size_t i = 0; run.evs && i < BATCH; i++)
		pw_proc_free(&run.evs[i].proc);
	free(run.evs);
	pw_fmt_state_free(&run.fmt);
	pw_record_opts_free(&run.ropts);
	sink_free(&run.out);
	pw_ptable_free(&run.pt);
	pw_names_free(&run.names);
	pw_procfs_free(&run.pfs);
out_source:
	pw_source_close(&run.src);
	return status;
}
