/* capture.c - load the exec capture (the only file that speaks libbpf) and hand out its records */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#ifndef HAVE_BPF

bool pw_capture_built(void)
{
	return false;
}

int pw_capture_open(size_t ring_bytes, struct pw_capture **out, char *why, size_t n)
{
	(void)ring_bytes;
	*out = NULL;
	snprintf(why, n, "this procwatch was built without it (configure --enable-bpf)");
	return -EOPNOTSUPP;
}

int pw_capture_consume(struct pw_capture *c)
{
	(void)c;
	return 0;
}

int pw_capture_exec(struct pw_capture *c, pid_t tgid, uint64_t ts, struct pw_proc *p)
{
	(void)c;
	(void)tgid;
	(void)ts;
	(void)p;
	return 0;
}

int pw_capture_discard(struct pw_capture *c, pid_t tgid, uint64_t ts)
{
	(void)c;
	(void)tgid;
	(void)ts;
	return 0;
}

int pw_capture_fork(struct pw_capture *c, pid_t tgid, uint64_t ts, unsigned long long *ticks)
{
	(void)c;
	(void)tgid;
	(void)ts;
	(void)ticks;
	return 0;
}

unsigned long long pw_capture_take_lost(struct pw_capture *c)
{
	(void)c;
	return 0;
}

void pw_capture_get_stats(struct pw_capture *c, struct pw_capture_stats *st)
{
	(void)c;
	memset(st, 0, sizeof(*st));
}

void pw_capture_close(struct pw_capture **c)
{
	*c = NULL;
}

#else

#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "exec.skel.h"
#include "procfs.h"
#include "strutil.h"

#define WAIT_NS 1000000l	/* how long a netlink exec waits for its record */
#define WAIT_STEP_NS 50000l

struct pw_capture {
	struct pw_exec_bpf *skel;
	struct ring_buffer *rb;
	struct pw_capq q;
	int err;		/* -ENOMEM from a callback */
	int lost_fd;
	int ncpus;
	uint64_t *percpu;	/* ncpus values of the lost map */
	unsigned long long lost_seen;	/* ring losses already reported */
	unsigned long long ticks_ns;	/* ns per clock tick of /proc's start time */
	bool cgroup_ok;		/* the captured cgroup path is the one /proc shows this process */
	struct pw_buf args;	/* an argv being terminated */
	struct pw_capture_stats st;
};

bool pw_capture_built(void)
{
	return true;
}

/* libbpf's last message of a failed load: the line that says why. */
static char last_msg[256];

static int keep_last(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(last_msg)];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (n)
		memcpy(last_msg, line, n + 1);
	return 0;
}

static bool locked_down(void)
{
	char buf[128];
	FILE *f = fopen("/sys/kernel/security/lockdown", "re");
	bool on = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		on = strstr(buf, "[confidentiality]") != NULL;
	fclose(f);
	return on;
}

/*
 * Whether the cgroup path the program takes, from the root of the v2
 * hierarchy, is what /proc/PID/cgroup shows procwatch: it shows paths from
 * the root of the reader's cgroup namespace, and no "0::" line at all
 * before the v2 hierarchy is first mounted.
 */
static bool cgroup_as_proc_shows(void)
{
	const unsigned long init_cgroup_ns = 0xeffffffbul;	/* the kernel's PROC_CGROUP_INIT_INO */
	struct stat st;
	char line[512];
	bool v2 = false;
	FILE *f;

	if (stat("/proc/self/ns/cgroup", &st) != 0 || st.st_ino != init_cgroup_ns)
		return false;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return false;
	while (!v2 && fgets(line, sizeof(line), f))
		v2 = strncmp(line, "0::", 3) == 0;
	fclose(f);
	return v2;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct pw_capture *c = ctx;

	if (pw_capq_feed(&c->q, data, len) == -ENOMEM) {
		c->err = -ENOMEM;
		return -ENOMEM;	/* stops the consume: the caller reports it */
	}
	return 0;
}

static void explain(int err, char *why, size_t n)
{
	if (err == -EPERM || err == -EACCES) {
		if (locked_down())
			snprintf(why, n, "kernel lockdown (confidentiality) forbids the kernel reads it needs");
		else if (err == -EPERM)
			snprintf(why, n, "permission denied: it needs CAP_BPF and CAP_PERFMON: run procwatch as "
				 "root, or grant them with 'setcap cap_net_admin,cap_bpf,cap_perfmon+ep procwatch'");
		else
			snprintf(why, n, "the kernel's verifier refused it: %s", last_msg[0] ? last_msg : strerror(-err));
	} else if (err == -EINVAL || err == -E2BIG) {
		snprintf(why, n, "the kernel's verifier refused it: %s", last_msg[0] ? last_msg : strerror(-err));
	} else {
		snprintf(why, n, "%s%s%s", strerror(-err), last_msg[0] ? ": " : "", last_msg);
	}
}

int pw_capture_open(size_t ring_bytes, struct pw_capture **out, char *why, size_t n)
{
	struct pw_capture *c;
	long hz = sysconf(_SC_CLK_TCK);
	int r;

	*out = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(why, n, "this kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF");
		return -ENOENT;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ticks_ns = hz > 0 ? 1000000000ull / (unsigned long long)hz : 10000000ull;
	c->cgroup_ok = cgroup_as_proc_shows();
	last_msg[0] = '\0';
	libbpf_set_print(keep_last);
	c->skel = pw_exec_bpf__open();
	if (!c->skel) {
		r = -errno;
		goto err_load;
	}
	r = bpf_map__set_max_entries(c->skel->maps.ring, (uint32_t)(ring_bytes ? ring_bytes : PW_CAPTURE_RING_DEFAULT));
	if (r == 0)
		r = pw_exec_bpf__load(c->skel);
	if (r == 0)
		r = pw_exec_bpf__attach(c->skel);
	if (r < 0)
		goto err_load;
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		r = c->ncpus < 0 ? c->ncpus : -EINVAL;
		goto err_load;
	}
	c->percpu = calloc((size_t)c->ncpus, sizeof(*c->percpu));
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.ring), on_record, c, NULL);
	if (!c->percpu || !c->rb) {
		r = c->percpu ? -errno : -ENOMEM;
		goto err_load;
	}
	c->lost_fd = bpf_map__fd(c->skel->maps.lost);
	*out = c;
	return 0;
err_load:
	if (r == -ENOMEM)
		snprintf(why, n, "%s", strerror(ENOMEM));
	else
		explain(r, why, n);
	pw_capture_close(&c);
	return r;
}

int pw_capture_consume(struct pw_capture *c)
{
	int r = ring_buffer__consume(c->rb);

	if (c->err) {
		c->err = 0;
		return -ENOMEM;
	}
	return r < 0 && r != -EINTR ? r : 0;
}

/* Total of one counter of the lost map over all CPUs. */
static unsigned long long lost_sum(struct pw_capture *c, uint32_t key)
{
	unsigned long long sum = 0;

	if (bpf_map_lookup_elem(c->lost_fd, &key, c->percpu) != 0)
		return 0;
	for (int i = 0; i < c->ncpus; i++)
		sum += c->percpu[i];
	return sum;
}

unsigned long long pw_capture_take_lost(struct pw_capture *c)
{
	unsigned long long total = lost_sum(c, 0) + lost_sum(c, 1) + lost_sum(c, 2), n = total - c->lost_seen;

	c->lost_seen = total;
	c->st.ring_lost = total;
	return n;
}

void pw_capture_get_stats(struct pw_capture *c, struct pw_capture_stats *st)
{
	c->st.ring_lost = lost_sum(c, 0) + lost_sum(c, 1) + lost_sum(c, 2);
	c->st.orphans = c->q.orphans;
	c->st.malformed = c->q.malformed;
	*st = c->st;
}

static int copy_str(struct pw_blob **dst, const struct pw_buf *src)
{
	return pw_blob_set(dst, src->data ? src->data : "", src->len);
}

/* What x tells of the process into p; returns the fields set, or -ENOMEM. */
static int fill(struct pw_capture *c, const struct pw_capx *x, struct pw_proc *p)
{
	const struct pw_cap_exec *e = &x->rec;
	unsigned got = PW_F_PPID | PW_F_COMM | PW_F_UID | PW_F_GID | PW_F_START | PW_F_TTY | PW_F_PGID;

	if (x->have & PW_F_ARGV) {
		long argc;

		c->args.len = 0;
		if (pw_buf_append(&c->args, x->argv.data, x->argv.len) < 0)
			return -ENOMEM;
		argc = pw_parse_cmdline(&c->args);
		if (argc < 0 || copy_str(&p->argv, &c->args) < 0)
			return -ENOMEM;
		p->argc = (size_t)argc;
		got |= PW_F_ARGV;
	}
	if ((x->have & PW_F_EXE) && copy_str(&p->exe, &x->exe) == 0)
		got |= PW_F_EXE;
	else if (x->have & PW_F_EXE)
		return -ENOMEM;
	if ((x->have & PW_F_CWD) && copy_str(&p->cwd, &x->cwd) == 0)
		got |= PW_F_CWD;
	else if (x->have & PW_F_CWD)
		return -ENOMEM;
	if ((x->have & PW_F_CGROUP) && c->cgroup_ok) {
		if (copy_str(&p->cgroup, &x->cgroup) < 0)
			return -ENOMEM;
		got |= PW_F_CGROUP;
	}
	for (size_t i = 0; i < sizeof(x->why) / sizeof(x->why[0]); i++)
		if (x->why[i] != PW_CAP_WHY_NONE && (i < 3 || c->cgroup_ok))
			c->st.why[x->why[i]]++;
	p->ppid = (pid_t)e->ppid;
	memset(p->comm, 0, sizeof(p->comm));
	memcpy(p->comm, e->comm, sizeof(e->comm));
	p->comm[sizeof(e->comm) - 1] = '\0';
	p->uid = e->uid;
	p->euid = e->euid;
	p->gid = e->gid;
	p->egid = e->egid;
	p->starttime = e->start_boottime / c->ticks_ns;
	p->tty_nr = e->tty_nr;
	p->pgid = (pid_t)e->pgid;
	if (!(e->flags & PW_CAP_NO_LOGIN)) {
		p->loginuid = e->loginuid;
		p->sessionid = e->loginuid == UINT32_MAX ? UINT32_MAX : e->sessionid;
		got |= PW_F_LOGIN;
	}
	return (int)got;
}

/*
 * Consume the ring until found(c, arg) is true, for WAIT_NS at most: a
 * record reserved on another CPU holds back the ones after it, and a
 * fork's record is written just after its netlink event is sent. Returns
 * 1 found, 0 not, or -ENOMEM.
 */
static int await(struct pw_capture *c, bool (*found)(struct pw_capture *, void *), void *arg)
{
	struct timespec step = { 0, WAIT_STEP_NS };
	long waited = 0;

	for (;;) {
		int r = pw_capture_consume(c);

		if (r < 0)
			return r;
		if (found(c, arg))
			return 1;
		if (waited >= WAIT_NS)
			return 0;
		nanosleep(&step, NULL);
		waited += WAIT_STEP_NS;
	}
}

struct exec_query {
	uint32_t tgid;
	uint64_t ts;
	struct pw_capx *x;
};

static bool exec_found(struct pw_capture *c, void *arg)
{
	struct exec_query *e = arg;

	e->x = pw_capq_match(&c->q, e->tgid, e->ts);
	return e->x != NULL;
}

struct fork_query {
	uint32_t tgid;
	uint64_t ts, start;
};

static bool fork_found(struct pw_capture *c, void *arg)
{
	struct fork_query *f = arg;

	return pw_capq_fork(&c->q, f->tgid, f->ts, &f->start) == 0;
}

int pw_capture_discard(struct pw_capture *c, pid_t tgid, uint64_t ts)
{
	struct pw_capx *x;
	int r = pw_capture_consume(c);

	if (r < 0)
		return r;
	x = pw_capq_match(&c->q, (uint32_t)tgid, ts);
	if (x)
		pw_capq_done(&c->q, x);
	return 0;
}

int pw_capture_fork(struct pw_capture *c, pid_t tgid, uint64_t ts, unsigned long long *ticks)
{
	struct fork_query f = { (uint32_t)tgid, ts, 0 };
	int r = await(c, fork_found, &f);

	if (r < 0)
		return r;
	if (r == 0) {
		c->st.forks_unmatched++;
		return 0;
	}
	c->st.forks++;
	*ticks = f.start / c->ticks_ns;
	return 1;
}

int pw_capture_exec(struct pw_capture *c, pid_t tgid, uint64_t ts, struct pw_proc *p)
{
	struct exec_query q = { (uint32_t)tgid, ts, NULL };
	struct pw_capx *x;
	int r = await(c, exec_found, &q);

	if (r < 0)
		return r;
	x = q.x;
	if (!x) {
		c->st.unmatched++;
		return 0;
	}
	r = fill(c, x, p);
	pw_capq_done(&c->q, x);
	if (r >= 0)
		c->st.joined++;
	return r;
}

void pw_capture_close(struct pw_capture **pc)
{
	struct pw_capture *c = *pc;

	if (!c)
		return;
	ring_buffer__free(c->rb);
	pw_exec_bpf__destroy(c->skel);
	pw_capq_free(&c->q);
	pw_buf_free(&c->args);
	free(c->percpu);
	free(c);
	*pc = NULL;
}

#endif
