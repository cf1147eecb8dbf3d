/* engine.c - the per-event pipeline: follow, select, enrich, format, batch by batch */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "engine.h"
#include "format.h"
#include "names.h"
#include "procfs.h"
#include "ptable.h"
#include "record.h"
#include "source.h"

#define FLUSH_AT 65536		/* bytes of records handed to the output at once */
/*
 * While a batch is written, the source is read again this often: often
 * enough that an exec arriving meanwhile is read while its process lives,
 * rarely enough that a quiet socket is not asked before every record.
 */
#define RETAKE_NS 2000000u

/*
 * The events of one batch, with what was decided about each before the
 * table was touched, and what its forks did to the traced tree.
 */
struct batch {
	int n;
	bool rel[PW_ENGINE_BATCH];	/* about a process procwatch reports on */
	bool show[PW_ENGINE_BATCH];	/* and of a kind that is written */
	bool born_tracked[PW_ENGINE_BATCH];	/* a fork into the traced tree */
	pid_t birth[PW_ENGINE_BATCH];	/* the batch's forks, in order */
	bool birth_tracked[PW_ENGINE_BATCH];
	int nbirths;
};

struct pw_engine {
	struct pw_engine_config cfg;
	struct pw_source *src;
	struct pw_capture *cap;
	struct pw_procfs *pfs;
	struct pw_names *names;
	struct pw_ptable *pt;
	struct pw_record_opts ropts;
	struct pw_fmt_state fmt;
	struct pw_event *evs;
	struct pw_proc scratch;	/* the second part of an exec's read */
	struct batch b;
	struct pw_engine_stats stats;
	uint64_t taken_ns;	/* CLOCK_MONOTONIC of the last read of the source */
	bool source_failed;	/* the error pw_engine_step() returned came from the source */
	bool tree;		/* only the traced tree is written */
	pid_t root;		/* the adopted COMMAND, 0 when none */
	bool root_exited;
	unsigned long counted;	/* process records, toward cfg.count */
	bool done;
	bool out_gone;		/* flush failed: records are no longer written */
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint32_t pw_engine_kernel_mask(unsigned events)
{
	static const uint32_t bit[PW_EV_NKINDS] = {
		[PW_EV_FORK] = 0x1, [PW_EV_EXEC] = 0x2, [PW_EV_EXIT] = 0x80000000,
		[PW_EV_UID] = 0x4, [PW_EV_GID] = 0x40, [PW_EV_SID] = 0x80,
		[PW_EV_PTRACE] = 0x100, [PW_EV_COMM] = 0x200, [PW_EV_COREDUMP] = 0x40000000,
	};
	/*
	 * The table must see every fork and exit (lineage, and freeing what
	 * has gone), every exec (the argv and exe later records carry) and
	 * every comm, uid and gid change, shown or not. --failed would be
	 * PROC_EVENT_NONZERO_EXIT without EXIT, but the table needs the
	 * successful exits too.
	 */
	unsigned need = events | PW_KIND_BIT(PW_EV_FORK) | PW_KIND_BIT(PW_EV_EXEC) | PW_KIND_BIT(PW_EV_EXIT) |
			PW_KIND_BIT(PW_EV_COMM) | PW_KIND_BIT(PW_EV_UID) | PW_KIND_BIT(PW_EV_GID);
	uint32_t mask = 0;

	for (unsigned k = 0; k < PW_EV_NKINDS; k++)
		if (need & PW_KIND_BIT(k))
			mask |= bit[k];
	return mask;
}

int pw_engine_new(const struct pw_engine_config *cfg, struct pw_source *src, struct pw_capture *cap,
		  struct pw_procfs *pfs, struct pw_engine **out, const char **step)
{
	struct pw_engine *eng = calloc(1, sizeof(*eng));
	int r = -ENOMEM;

	*step = NULL;
	if (!eng)
		return -ENOMEM;
	eng->cfg = *cfg;
	eng->src = src;
	eng->cap = cap;
	eng->pfs = pfs;
	r = pw_record_opts_init(&eng->ropts, cfg->proc_root);
	if (r < 0) {
		*step = "boot id";
		goto err_opts;
	}
	r = -ENOMEM;
	eng->ropts.max_ancestors = cfg->ancestors;
	if (cfg->replay_clocks) {
		/* the times are the recording's */
		eng->ropts.wall_offset_ns = cfg->replay_clocks->wall_offset_ns;
		eng->ropts.boot_wall_ns = cfg->replay_clocks->boot_wall_ns;
		eng->ropts.fixed_clocks = true;
	}
	if (!cfg->numeric && pw_names_new(&eng->names) < 0)
		goto err_names;
	if (pw_ptable_new(pfs, &eng->pt) < 0)
		goto err_ptable;
	if (cfg->replay_clocks)
		pw_ptable_set_clock(eng->pt, cfg->replay_clocks->wall_offset_ns - cfg->replay_clocks->boot_wall_ns);
	eng->evs = calloc(PW_ENGINE_BATCH, sizeof(*eng->evs));
	if (!eng->evs)
		goto err_evs;
	eng->ropts.names = eng->names;
	eng->ropts.pt = eng->pt;
	if ((cfg->events & PW_KINDS_ALL) != PW_KINDS_ALL)
		pw_source_set_mask(src, pw_engine_kernel_mask(cfg->events));	/* best effort: filtered here anyway */
	*out = eng;
	return 0;

err_evs:
	pw_ptable_free(&eng->pt);
err_ptable:
	pw_names_free(&eng->names);
err_names:
	pw_record_opts_free(&eng->ropts);
err_opts:
	free(eng);
	return r;
}

void pw_engine_free(struct pw_engine **engp)
{
	struct pw_engine *eng = *engp;

	if (!eng)
		return;
	for (size_t i = 0; eng->evs && i < PW_ENGINE_BATCH; i++)
		pw_proc_free(&eng->evs[i].proc);
	free(eng->evs);
	pw_proc_free(&eng->scratch);
	pw_fmt_state_free(&eng->fmt);
	pw_record_opts_free(&eng->ropts);
	pw_ptable_free(&eng->pt);
	pw_names_free(&eng->names);
	free(eng);
	*engp = NULL;
}

int pw_engine_record(struct pw_engine *eng, int fd)
{
	struct pw_source_clocks clk = {
		.wall_offset_ns = eng->ropts.wall_offset_ns,
		.boot_wall_ns = eng->ropts.boot_wall_ns,
		.start_ns = now_ns(),
	};

	return pw_source_record(eng->src, fd, &clk);
}

long pw_engine_scan(struct pw_engine *eng)
{
	return pw_ptable_scan(eng->pt);
}

/* Whether e lies below a process of the traced tree. */
static bool below_tracked(const struct pw_pentry *e)
{
	return e && pw_pentry_ancestor_flagged(e, PW_PT_TRACKED) != NULL;
}

int pw_engine_trace(struct pw_engine *eng, pid_t pid)
{
	struct pw_pentry *e = pw_ptable_lookup(eng->pt, pid);
	pid_t *pids;
	long n;

	if (!e)
		return -ESRCH;
	e->flags |= PW_PT_TRACKED;
	eng->tree = true;
	/* what runs below it now joins too; forks add the rest */
	n = pw_ptable_pids(eng->pt, &pids);
	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++) {
		struct pw_pentry *d = pw_ptable_lookup(eng->pt, pids[i]);

		if (below_tracked(d))
			d->flags |= PW_PT_TRACKED;
	}
	free(pids);
	return 0;
}

int pw_engine_adopt(struct pw_engine *eng, pid_t pid, pid_t ppid)
{
	/*
	 * In the table and the traced tree from here on, even if the kernel
	 * drops its fork event; the event, when it comes, adds nothing new.
	 */
	struct pw_event ev = { .kind = PW_EV_FORK, .pid = pid, .tid = pid, .ppid = ppid, .ts_ns = now_ns() };
	struct pw_pentry *e = pw_ptable_fork(eng->pt, ppid, pid);
	int r;

	if (!e)
		return -ENOMEM;
	e->flags |= PW_PT_TRACKED;
	eng->tree = true;
	eng->root = pid;
	r = pw_ptable_apply(eng->pt, &ev);
	pw_proc_free(&ev.proc);
	return r;
}

bool pw_engine_root_exited(const struct pw_engine *eng)
{
	return eng->root_exited;
}

bool pw_engine_source_failed(const struct pw_engine *eng)
{
	return eng->source_failed;
}

bool pw_engine_done(const struct pw_engine *eng)
{
	return eng->done;
}

void pw_engine_get_stats(const struct pw_engine *eng, struct pw_engine_stats *st)
{
	*st = eng->stats;
}

/* Format phase: one record in the format asked for, appended to out. Returns 0 or -ENOMEM. */
static int format(struct pw_engine *eng, const struct pw_event *ev, struct pw_buf *out)
{
	if (eng->cfg.format == PW_FORMAT_JSON)
		return pw_format_json(ev, &eng->ropts, &eng->fmt, out);
	return pw_format_text(ev, &eng->ropts, &eng->fmt, out);
}

/* Format ev into the output and count it; hand a full buffer on. Returns 0 or -ENOMEM. */
static int emit(struct pw_engine *eng, const struct pw_event *ev)
{
	int r;

	if (eng->out_gone)
		return 0;
	r = format(eng, ev, eng->cfg.out);
	if (r < 0)
		return r;
	eng->stats.written++;
	if (ev->kind != PW_EV_LOST && ev->proc.missing)
		eng->stats.partial++;
	if (ev->kind != PW_EV_LOST && eng->cfg.count && ++eng->counted >= eng->cfg.count)
		eng->done = true;
	if (eng->cfg.out->len >= FLUSH_AT && eng->cfg.flush(eng->cfg.ctx) < 0)
		eng->out_gone = eng->done = true;
	return 0;
}

int pw_engine_format_queue_lost(struct pw_engine *eng, unsigned long long count, uint64_t ts_ns,
				struct pw_buf *out)
{
	struct pw_event ev = { .kind = PW_EV_LOST, .cpu = PW_CPU_UNKNOWN, .ts_ns = ts_ns };

	ev.u.lost.count = count;
	ev.u.lost.reason = PW_LOST_QUEUE;
	return format(eng, &ev, out);
}

int pw_engine_settle(struct pw_engine *eng)
{
	struct pw_event ev = { .kind = PW_EV_LOST };

	if (pw_source_settle(eng->src, &ev) <= 0)
		return 0;	/* none, or no drop counter to read: sequence gaps alone count losses */
	eng->stats.lost += ev.u.lost.count;
	return emit(eng, &ev);
}

/* A lost record for the execs whose capture data did not fit the ring. Returns 0 or -ENOMEM. */
static int capture_lost(struct pw_engine *eng)
{
	struct pw_event ev = { .kind = PW_EV_LOST, .cpu = PW_CPU_UNKNOWN };
	unsigned long long n = pw_capture_take_lost(eng->cap);

	if (!n || eng->done)
		return 0;
	ev.ts_ns = now_ns();
	ev.u.lost.count = n;
	ev.u.lost.reason = PW_LOST_CAPTURE;
	return emit(eng, &ev);
}

/* Select phase: whether a record that is shown also passes the filters; counts those that do not. */
static bool passes(struct pw_engine *eng, const struct pw_event *ev)
{
	if (pw_filter_match(eng->cfg.filter, ev))
		return true;
	eng->stats.filtered++;
	return false;
}

int pw_engine_snapshot(struct pw_engine *eng, uint64_t ts_ns)
{
	struct pw_event *ev = &eng->evs[0];
	pid_t *pids;
	long n = pw_ptable_pids(eng->pt, &pids);
	int r = 0;

	if (n < 0)
		return (int)n;
	if (!ts_ns)
		ts_ns = now_ns();
	pw_record_opts_clocks(&eng->ropts);
	for (long i = 0; i < n && !eng->done && r == 0; i++) {
		r = pw_ptable_describe(eng->pt, pids[i], ev);
		if (r == -ESRCH) {
			r = 0;
			continue;
		}
		if (r < 0 || (eng->tree && !(ev->entry->flags & PW_PT_TRACKED)) || !passes(eng, ev))
			continue;
		ev->ts_ns = ts_ns;
		r = emit(eng, ev);
	}
	free(pids);
	return r;
}

/* Whether pid is in the traced tree: a fork earlier in this batch, else the table, says. */
static bool tracked(struct pw_engine *eng, pid_t pid)
{
	const struct batch *b = &eng->b;
	struct pw_pentry *e;

	for (int i = b->nbirths - 1; i >= 0; i--)
		if (b->birth[i] == pid)
			return b->birth_tracked[i];
	e = pw_ptable_lookup(eng->pt, pid);
	return e && (e->flags & PW_PT_TRACKED);
}

/*
 * Select phase, on what the table knows before the batch touches it:
 * whether ev concerns a process procwatch reports on (1) or not (0), or
 * -errno. An exit and a fork reusing its pid may share a batch, and the
 * exit must still find the old process.
 */
static int relevant(struct pw_engine *eng, const struct pw_event *ev, bool *born_tracked)
{
	struct batch *b = &eng->b;

	*born_tracked = false;
	if (ev->kind == PW_EV_LOST)
		return true;
	if (ev->kind == PW_EV_FORK && !ev->thread) {
		bool t = tracked(eng, ev->ppid) || (eng->root && ev->pid == eng->root);

		if (eng->tree) {
			b->birth[b->nbirths] = ev->pid;
			b->birth_tracked[b->nbirths++] = t;
		}
		*born_tracked = t;
		return !eng->tree || t;
	}
	if (!eng->tree || tracked(eng, ev->pid))
		return true;
	/*
	 * After a loss, a process of the tree may be one whose fork was among
	 * the lost events: ask /proc about a pid the table does not know.
	 */
	if (eng->stats.lost && !pw_ptable_lookup(eng->pt, ev->pid)) {
		struct pw_pentry *e;
		int r = pw_ptable_find(eng->pt, ev->pid, &e);

		if (r < 0)
			return r == -ESRCH ? 0 : r;	/* gone: nothing to report on */
		if (below_tracked(e)) {
			e->flags |= PW_PT_TRACKED;
			return 1;
		}
	}
	return 0;
}

static bool shown(const struct pw_engine *eng, const struct pw_event *ev)
{
	if (ev->kind == PW_EV_LOST)
		return true;
	if (ev->thread && !eng->cfg.threads)
		return false;
	return eng->cfg.events & PW_KIND_BIT(ev->kind);
}

/* Whether the same process execs again later in the batch: /proc shows only the last image. */
static bool superseded(const struct pw_engine *eng, int i)
{
	for (int j = i + 1; j < eng->b.n; j++)
		if (eng->evs[j].kind == PW_EV_EXEC && eng->evs[j].pid == eng->evs[i].pid)
			return true;
	return false;
}

/*
 * What an exec's eager read takes for the table: the fields a lineage
 * shows and the identity (tty and pgid come with them, from stat).
 */
#define LINEAGE (PW_F_PPID | PW_F_COMM | PW_F_EXE | PW_F_ARGV | PW_F_START | PW_F_TTY | PW_F_PGID)

/*
 * Select, ahead of time: whether a record of the process that exec'd may
 * be written, judged on the exec's new data and the table. When not, the
 * rest of its data is not read now; a record that is written after all
 * reads it then.
 */
static bool may_write(struct pw_engine *eng, const struct pw_event *ev)
{
	return pw_filter_may_match(eng->cfg.filter, &ev->proc, pw_ptable_lookup(eng->pt, ev->pid));
}

/* The rest of an exec's data, read at once from /proc. Returns 0 or -ENOMEM. */
static int read_rest(struct pw_engine *eng, struct pw_event *ev)
{
	struct pw_proc *p = &ev->proc, *more = &eng->scratch;
	unsigned want = PW_F_ALL & ~(p->have | p->missing | p->inherit);

	int r;

	if (!want)
		return 0;
	r = pw_procfs_read(eng->pfs, ev->pid, want, more);
	if (r < 0)
		return r;
	pw_proc_copy(p, more, more->have);
	p->missing |= more->missing;
	return 0;
}

/*
 * Follow phase, the part that cannot wait: an exec's data from the
 * kernel's record, or from /proc at once (a short-lived process takes its
 * command line with it); a fork's start time from the capture. Returns 0
 * or -ENOMEM.
 */
static int follow_eager(struct pw_engine *eng, int i)
{
	struct pw_event *ev = &eng->evs[i];
	int got = 0, r;

	if (ev->kind == PW_EV_FORK && !ev->thread && eng->cap) {
		/* every fork: the table follows them all */
		got = pw_capture_fork(eng->cap, ev->pid, ev->ts_ns, &ev->u.fork.starttime);
		if (got < 0)
			return got;
		ev->u.fork.start_known = got == 1;
		return 0;
	}
	if (ev->kind != PW_EV_EXEC)
		return 0;
	if (!eng->b.rel[i]) {
		/* not followed: its record, if any, is not kept waiting */
		return eng->cap ? pw_capture_discard(eng->cap, ev->pid, ev->ts_ns) : 0;
	}
	ev->proc.source = PW_XS_PROC;
	if (eng->cap && (got = pw_capture_exec(eng->cap, ev->pid, ev->ts_ns, &ev->proc)) < 0)
		return got;
	if (got) {
		unsigned all3 = PW_F_ARGV | PW_F_EXE | PW_F_CWD;
		/* the kernel's record at the exec: /proc only for what it lacks */
		unsigned rest = PW_F_ALL & ~(unsigned)got;

		ev->proc.have = (unsigned)got;
		ev->proc.missing = 0;
		ev->proc.inherit = 0;
		ev->proc.source = ((unsigned)got & all3) == all3 ? PW_XS_BPF : PW_XS_MIXED;
		/* the rest only for a process whose records may be written */
		return rest && may_write(eng, ev) ? read_rest(eng, ev) : 0;
	}
	if (superseded(eng, i)) {
		/* what /proc shows now belongs to the later exec: nothing of this one is known */
		ev->proc.have = ev->proc.inherit = 0;
		ev->proc.missing = PW_F_ALL;
		return 0;
	}
	/* what following needs, from stat, cmdline and the exe link; the ids only for a set-id exe */
	r = pw_procfs_read(eng->pfs, ev->pid, LINEAGE | PW_F_UID | PW_F_GID | PW_F_IDS_AT_EXEC, &ev->proc);
	if (r < 0)
		return r;
	return may_write(eng, ev) ? read_rest(eng, ev) : 0;
}

/*
 * Append to the batch what the source holds now, decide what each new
 * event is, and do the eager part of following them. Returns the number
 * of events taken, or -errno.
 */
static int take(struct pw_engine *eng)
{
	struct batch *b = &eng->b;
	int first = b->n, r;
	/* the drop counter is read once a batch */
	int n = first ? pw_source_read_more(eng->src, eng->evs + first, (size_t)(PW_ENGINE_BATCH - first)) :
			pw_source_read(eng->src, eng->evs, PW_ENGINE_BATCH);

	eng->taken_ns = now_ns();
	if (n < 0)
		eng->source_failed = true;
	if (n <= 0)
		return n;
	b->n += n;
	for (int i = first; i < b->n; i++) {
		struct pw_event *ev = &eng->evs[i];

		if (ev->kind < PW_EV_NKINDS)
			eng->stats.received[ev->kind]++;
		else if (ev->kind == PW_EV_LOST)
			eng->stats.lost += ev->u.lost.count;
		r = relevant(eng, ev, &b->born_tracked[i]);
		if (r < 0)
			return r;
		b->rel[i] = r > 0;
		b->show[i] = b->rel[i] && shown(eng, ev);
	}
	for (int i = first; i < b->n; i++)
		if ((r = follow_eager(eng, i)) < 0)
			return r;
	return n;
}

/* Follow phase: bring the table up to date with ev, and fill ev from it. Returns 0 or -errno. */
static int follow(struct pw_engine *eng, int i)
{
	struct pw_event *ev = &eng->evs[i];
	const struct batch *b = &eng->b;

	if (ev->kind == PW_EV_FORK && !ev->thread) {
		/* a new process: a pid still in the table belonged to one that is gone */
		struct pw_pentry *e = pw_ptable_fork(eng->pt, ev->ppid, ev->pid);

		if (!e)
			return -ENOMEM;
		if (b->born_tracked[i])
			e->flags |= PW_PT_TRACKED;
	}
	/* the table must follow every fork, exec, comm, uid and gid, shown or not */
	if (ev->kind == PW_EV_LOST)
		return 0;
	if (b->show[i] || ev->kind == PW_EV_FORK || ev->kind == PW_EV_EXEC || ev->kind == PW_EV_COMM ||
	    ev->kind == PW_EV_UID || ev->kind == PW_EV_GID)
		return pw_ptable_follow(eng->pt, ev);
	return 0;
}

/* Enrich phase: read what a record that is written still lacks. Returns 0 or -errno. */
static int enrich(struct pw_engine *eng, struct pw_event *ev)
{
	return ev->kind == PW_EV_LOST ? 0 : pw_ptable_enrich(eng->pt, ev);
}

/* After ev was written: forget a process that is gone. */
static void retire(struct pw_engine *eng, const struct pw_event *ev)
{
	if (ev->kind != PW_EV_EXIT || ev->thread)
		return;
	if (eng->root && ev->pid == eng->root)
		eng->root_exited = true;
	pw_ptable_exit(eng->pt, ev->pid);
}

/*
 * Select, enrich and format a record that is shown: the filters judge what
 * the table knows, and only a record they pass is read for what it lacks.
 * When the table does not know what a filter looks at (the name of a
 * process whose exec could not be read), the record is read first. Returns
 * 0 or -errno.
 */
static int write(struct pw_engine *eng, struct pw_event *ev)
{
	unsigned carried = ev->kind == PW_EV_COMM ? PW_F_COMM : ev->kind == PW_EV_UID ? PW_F_UID : 0;
	/* what was read and could not be, reading again will not tell */
	unsigned unknown = pw_filter_needs(eng->cfg.filter) & ~(ev->proc.have | ev->proc.missing | carried);
	int r;

	if (unknown && ev->kind != PW_EV_LOST && (r = enrich(eng, ev)) < 0)
		return r;
	if (!passes(eng, ev))
		return 0;
	if (!unknown && (r = enrich(eng, ev)) < 0)
		return r;
	return emit(eng, ev);
}

int pw_engine_step(struct pw_engine *eng)
{
	struct batch *b = &eng->b;
	int r;

	b->n = 0;
	b->nbirths = 0;
	r = take(eng);
	if (r <= 0)
		return r;
	pw_record_opts_clocks(&eng->ropts);
	for (int i = 0; i < b->n; i++) {
		struct pw_event *ev = &eng->evs[i];

		if (!b->rel[i])
			continue;
		if (b->show[i] && b->n <= PW_ENGINE_BATCH - 2 && now_ns() - eng->taken_ns >= RETAKE_NS) {
			/*
			 * A batch that takes long to write: an exec that arrived
			 * meanwhile is read now, not after the batch. A failure
			 * of the source shows again at the next batch; this one
			 * is written first.
			 */
			if ((r = take(eng)) == -ENOMEM)
				return r;
		}
		if ((r = follow(eng, i)) < 0)
			return r;
		if (b->show[i] && !eng->done && (r = write(eng, ev)) < 0)
			return r;
		retire(eng, ev);
	}
	if (eng->cap && (r = capture_lost(eng)) < 0)
		return r;
	return b->n;
}
