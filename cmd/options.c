/* options.c - procwatch's command line: one longopts[] table, strict values */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "options.h"
#include "record.h"
#include "sink.h"
#include "source.h"
#include "strutil.h"

/* Long-only options: values above any character. */
enum {
	OPT_THREADS = 256,
	OPT_RCVBUF,
	OPT_QUEUE,
	OPT_NUMERIC,
	OPT_SNAPSHOT,
	OPT_PROC_ROOT,
	OPT_COMM,
	OPT_EXE,
	OPT_UNDER,
	OPT_FAILED,
	OPT_STATS,
	OPT_REALTIME,
	OPT_EXEC_SOURCE,
	OPT_RING_SIZE,
	OPT_RECORD,
	OPT_REPLAY,
};

static const struct option longopts[] = {
	{ "events", required_argument, NULL, 'e' },
	{ "format", required_argument, NULL, 'f' },
	{ "count", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "exe", required_argument, NULL, OPT_EXE },
	{ "user", required_argument, NULL, 'u' },
	{ "under", required_argument, NULL, OPT_UNDER },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "ancestors", required_argument, NULL, 'a' },
	{ "numeric", no_argument, NULL, OPT_NUMERIC },
	{ "snapshot", no_argument, NULL, OPT_SNAPSHOT },
	{ "threads", no_argument, NULL, OPT_THREADS },
	{ "duration", required_argument, NULL, 'D' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "realtime", optional_argument, NULL, 'r' },
	{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "exec-source", required_argument, NULL, OPT_EXEC_SOURCE },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("Usage: procwatch [OPTION]... [-- COMMAND [ARG]...]\n"
	       "Log process events (fork, exec, exit, ...) with what /proc knows about each\n"
	       "process and its ancestry, one line per event: NDJSON for jq and log\n"
	       "shippers, or text. With COMMAND: subscribe, run COMMAND, report only it and\n"
	       "its descendants, and exit with its status.\n"
	       "\n"
	       "Output:\n"
	       "  -e, --events=LIST   events to show, comma-separated (default all):\n"
	       "                      ");
	for (unsigned k = 0; k < PW_EV_NKINDS; k++)
		printf("%s,", pw_event_names[k]);
	printf("all\n"
	       "  -f, --format=FMT    json or text (default: text on a terminal, else json)\n"
	       "  -n, --count=N       stop after N records\n"
	       "  -o, --output=FILE   append to FILE (mode 0600), reopened on SIGHUP\n"
	       "  -a, --ancestors=N   show N ancestors of each process (0: none; default all)\n"
	       "      --numeric       show user and group ids only, no names\n"
	       "      --snapshot      first an exist record for each running process\n"
	       "      --threads       also show thread creation and thread exit\n"
	       "\n"
	       "Filters (repeat an option for either value; different options all apply):\n"
	       "  -p, --pid=PID       only PID and its descendants\n"
	       "      --comm=PATTERN  only processes whose name matches (shell glob)\n"
	       "      --exe=PATTERN   only processes whose executable path matches\n"
	       "  -u, --user=USER     only processes whose real or effective user is USER\n"
	       "                      (a name or a uid)\n"
	       "      --under=PATTERN only processes with an ancestor whose name or\n"
	       "                      executable path matches\n"
	       "      --failed        only exits with a non-zero status or a signal\n"
	       "\n"
	       "Run:\n"
	       "  -D, --duration=SECONDS  stop after SECONDS\n"
	       "      --stats         counters on stderr at exit (and on SIGUSR1)\n"
	       "  -r, --realtime[=PRIO]  run with real-time priority PRIO (SCHED_FIFO, 1-99,\n"
	       "                      default 10), so short-lived processes are read before\n"
	       "                      they exit; needs CAP_SYS_NICE\n"
	       "      --rcvbuf=BYTES  kernel receive buffer (default %u; beyond\n"
	       "                      net.core.rmem_max needs CAP_NET_ADMIN)\n"
	       "      --queue=SIZE    bytes of records kept for a reader who is not\n"
	       "                      reading; K, M, G or T after the number (default\n"
	       "                      256M); beyond it the oldest are dropped and a lost\n"
	       "                      record says so\n"
	       "      --exec-source=SRC  where an exec's argv, exe and cwd come from: bpf\n"
	       "                      (taken in the kernel at the exec; needs CAP_BPF and\n"
	       "                      CAP_PERFMON), proc (read from /proc after it), or\n"
	       "                      auto (bpf when it loads, else proc; the default)\n"
	       "      --ring-size=SIZE  the exec capture's ring buffer: a power of two\n"
	       "                      from 64K to 1G, K, M or G after the number\n"
	       "                      (default 16M)\n"
	       "      --proc-root=DIR read process data from DIR instead of /proc\n"
	       "      --record=FILE   also write every datagram the kernel sends to FILE,\n"
	       "                      for --replay\n"
	       "      --replay=FILE   read the events of a recording instead of the\n"
	       "                      kernel's, until it ends (needs no privileges)\n"
	       "  -h, --help          show this help and exit\n"
	       "  -V, --version       show the version and exit\n"
	       "\n"
	       "Exit status: 0 success, 1 runtime error, 2 usage error; with COMMAND, its\n"
	       "status (128+N when killed by signal N; 126/127 when it cannot be run).\n"
	       "See procwatch(1) for the fields of each event.\n",
	       PW_SOURCE_RCVBUF_DEFAULT);
}

/* A size in bytes, or with a K, M, G or T suffix (powers of 1024), up to 1T. Returns 0 or -EINVAL. */
static int parse_size(const char *s, size_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	unsigned long v;
	size_t len = strlen(s);
	char num[32];
	int shift = 0;

	if (len && (u = strchr(units, s[len - 1])) != NULL) {
		shift = 10 * (int)(u - units + 1);
		len--;
	}
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	if (pw_parse_ulong(num, 0, ULONG_MAX, &v) < 0 || (unsigned long long)v > (1ull << 40) >> shift ||
	    v > SIZE_MAX >> shift)
		return -EINVAL;
	*out = (size_t)v << shift;
	return 0;
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

static void __attribute__((noreturn)) nomem(void)
{
	fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
	exit(EXIT_FAILURE);
}

static void parse_events(const char *arg, unsigned *events)
{
	const char *bad;
	size_t badlen;
	char known[128] = "";

	if (pw_events_parse(arg, events, &bad, &badlen) == 0)
		return;
	for (unsigned k = 0; k < PW_EV_NKINDS; k++) {
		strcat(known, pw_event_names[k]);
		strcat(known, ", ");
	}
	usage_error("unknown event '%.*s' in --events (known: %sall)", (int)badlen, bad, known);
}

/* A user name or a numeric uid. */
static uid_t parse_user(const char *arg)
{
	unsigned long v;
	struct passwd *pw;

	if (pw_parse_ulong(arg, 0, UINT32_MAX - 1, &v) == 0)
		return (uid_t)v;
	errno = 0;
	pw = getpwnam(arg);
	if (!pw)
		usage_error("unknown user '%s' in --user", arg);
	return pw->pw_uid;
}

/* Seconds, whole or with a fraction, > 0. */
static double parse_seconds(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || errno || !isfinite(v) || v <= 0 || v > 1e9 || arg[0] < '0' || arg[0] > '9')
		usage_error("invalid --duration '%s': expected seconds > 0", arg);
	return v;
}

void options_parse(int argc, char **argv, struct options *o)
{
	struct pw_filter *f = &o->filter;
	unsigned long v;
	pid_t *pids;
	int c;

	memset(o, 0, sizeof(*o));
	o->events = PW_KINDS_ALL;
	o->ancestors = PW_ANCESTORS_ALL;
	o->queue = SINK_QUEUE_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:f:n:o:p:u:a:D:r::hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			parse_events(optarg, &o->events);
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
		case 'o':
			if (!*optarg)
				usage_error("--output needs a file name");
			o->output = optarg;
			break;
		case 'p':
			if (pw_parse_ulong(optarg, 1, INT32_MAX, &v) < 0)
				usage_error("invalid --pid '%s': expected a process id", optarg);
			pids = realloc(o->pids, (o->npids + 1) * sizeof(*pids));
			if (!pids)
				nomem();
			pids[o->npids++] = (pid_t)v;
			o->pids = pids;
			break;
		case OPT_COMM:
			if (pw_filter_add(&f->comm, &f->ncomm, optarg) < 0)
				nomem();
			break;
		case OPT_EXE:
			if (pw_filter_add(&f->exe, &f->nexe, optarg) < 0)
				nomem();
			break;
		case OPT_UNDER:
			if (pw_filter_add(&f->under, &f->nunder, optarg) < 0)
				nomem();
			break;
		case 'u':
			if (pw_filter_add_uid(f, parse_user(optarg)) < 0)
				nomem();
			break;
		case OPT_FAILED:
			f->failed = true;
			break;
		case 'a':
			if (pw_parse_ulong(optarg, 0, PW_ANCESTORS_MAX, &v) < 0)
				usage_error("invalid --ancestors '%s': expected a whole number from 0 to %d",
					    optarg, PW_ANCESTORS_MAX);
			o->ancestors = (uint32_t)v;
			break;
		case OPT_NUMERIC:
			o->numeric = true;
			break;
		case OPT_SNAPSHOT:
			o->snapshot = true;
			break;
		case OPT_THREADS:
			o->threads = true;
			break;
		case 'D':
			o->duration = parse_seconds(optarg);
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case 'r':
			o->realtime = 10;
			if (optarg && pw_parse_ulong(optarg, 1, 99, &v) < 0)
				usage_error("invalid --realtime '%s': expected a priority from 1 to 99", optarg);
			if (optarg)
				o->realtime = (int)v;
			break;
		case OPT_RCVBUF:
			if (pw_parse_ulong(optarg, 4096, (unsigned long)INT_MAX / 2, &v) < 0)
				usage_error("invalid --rcvbuf '%s': expected bytes from 4096 to %d", optarg,
					    INT_MAX / 2);
			o->rcvbuf = v;
			break;
		case OPT_QUEUE:
			if (parse_size(optarg, &o->queue) < 0)
				usage_error("invalid --queue '%s': expected bytes, or a number with K, M, G "
					    "or T, up to 1T", optarg);
			break;
		case OPT_EXEC_SOURCE:
			if (strcmp(optarg, "auto") == 0)
				o->exec_source = EXEC_SOURCE_AUTO;
			else if (strcmp(optarg, "bpf") == 0)
				o->exec_source = EXEC_SOURCE_BPF;
			else if (strcmp(optarg, "proc") == 0)
				o->exec_source = EXEC_SOURCE_PROC;
			else
				usage_error("unknown --exec-source '%s' (use auto, bpf or proc)", optarg);
			break;
		case OPT_RING_SIZE:
			if (parse_size(optarg, &o->ring) < 0 || o->ring < (64u << 10) || o->ring > (1u << 30) ||
			    (o->ring & (o->ring - 1)))
				usage_error("invalid --ring-size '%s': expected a power of two from 64K to 1G",
					    optarg);
			break;
		case OPT_PROC_ROOT:
			o->proc_root = optarg;
			break;
		case OPT_RECORD:
			if (!*optarg)
				usage_error("--record needs a file name");
			o->record = optarg;
			break;
		case OPT_REPLAY:
			if (!*optarg)
				usage_error("--replay needs a file name");
			o->replay = optarg;
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
	if (o->replay && o->command)
		usage_error("--replay reads recorded events: it cannot run a command");
	if (o->replay && o->record)
		usage_error("--replay and --record cannot be used together");
	if (o->replay && o->exec_source == EXEC_SOURCE_BPF)
		usage_error("--replay reads execs from the recording and --proc-root, not with --exec-source=bpf");
	if (f->failed && !(o->events & PW_KIND_BIT(PW_EV_EXIT)))
		usage_error("--failed selects exit records, but --events leaves out exit");
	if (o->format == FORMAT_AUTO)
		o->format = isatty(STDOUT_FILENO) && !o->output ? FORMAT_TEXT : FORMAT_JSON;
}

void options_free(struct options *o)
{
	free(o->pids);
	pw_filter_free(&o->filter);
}
