#!/bin/bash
# watchers.sh - procwatch against forkstat and no watcher, on tagged spawn workloads
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: watchers.sh BUILDDIR   (run by 'make bench', as root)
# Environment: PW_BENCH_N (children per workload, default 20000),
#              PW_BENCH_REPS (repetitions, default 3),
#              PW_BENCH_WORKLOADS (default "storm parallel short argv4k"),
#              PW_BENCH_WATCHERS (default "none procwatch-bpf procwatch-proc
#                procwatch-r forkstat"),
#              PW_BENCH_BASE (another build directory: its procwatch runs too,
#                as base-bpf and base-proc, in the same alternation, for a
#                before and after comparison).
#
# Every child's argv carries a tag (pw-spawn writes "pid tag" for each), so
# a watcher's exec records can be checked: exact (argv and exe as run),
# stale (another process's argv, e.g. the parent's), or missing. Watchers
# run one after another, alternating, each on the same workload; CPU time
# and peak RSS come from the watcher's own rusage (GNU time). RSS counts
# the pages of a BPF ring buffer twice, since its data area is mapped twice
# so that a record can wrap: the "BPF maps" column is their share of the
# RSS, from /proc/PID/smaps at the end of the run. procwatch-bpf
# takes exec data in the kernel (--exec-source=bpf), procwatch-proc reads it
# from /proc (--exec-source=proc), procwatch-r is procwatch-proc with
# --realtime (SCHED_FIFO).
set -u
export LC_ALL=C	# sort and join must agree on the order
top=${1:?usage: watchers.sh BUILDDIR}
base=${PW_BENCH_BASE:-}
watchers=${PW_BENCH_WATCHERS:-none procwatch-bpf procwatch-proc procwatch-r forkstat}
[ -z "$base" ] || watchers="$watchers base-bpf base-proc"
[ -z "$base" ] || [ -x "$base/procwatch" ] || { echo "watchers.sh: no $base/procwatch" >&2; exit 1; }
n=${PW_BENCH_N:-20000}
reps=${PW_BENCH_REPS:-3}
workloads=${PW_BENCH_WORKLOADS:-storm parallel short argv4k}
spawn=$top/tests/bench/pw-spawn
tmp=$(mktemp -d)
pid_max=$(cat /proc/sys/kernel/pid_max)
trap 'echo "$pid_max" >/proc/sys/kernel/pid_max; rm -rf "$tmp"' EXIT
# pids must not wrap within a run: every child is matched to its records by pid
[ "$pid_max" -ge 4194304 ] || echo 4194304 >/proc/sys/kernel/pid_max ||
	{ echo "watchers.sh: cannot raise kernel.pid_max (run as root)" >&2; exit 1; }

command -v forkstat >/dev/null || apt-get install -y forkstat >/dev/null 2>&1 ||
	{ echo "watchers.sh: forkstat is not installed and could not be installed" >&2; exit 1; }
command -v jq >/dev/null || { echo "watchers.sh: jq is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null 2>&1 ||
	{ echo "watchers.sh: GNU time is needed" >&2; exit 1; }

truebin=$(readlink -f /bin/true)
exitbin=$top/tests/bench/pw-exit

# workload NAME: "PROG WORKERS ARGBYTES"
workload() {
	case $1 in
	storm) echo "$truebin 1 0" ;;
	parallel) echo "$truebin 2 0" ;;
	short) echo "$exitbin 1 0" ;;
	argv4k) echo "$truebin 1 4096" ;;
	esac
}

now_ns() { date +%s%N; }

# wait_for FILE PATTERN: until FILE holds PATTERN (the watcher saw a marker), at most 60 s;
# only the part written since the last look is searched
wait_for() {
	local i=0 seen=0 size
	while :; do
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$size" -gt "$seen" ]; then
			tail -c +$((seen > 8192 ? seen - 8191 : 1)) "$1" | grep -qF -- "$2" && return 0
			seen=$size
		fi
		"$truebin" "$2"
		sleep 0.05
		i=$((i + 1))
		[ "$i" -lt 1200 ] || return 1
	done
}

# run_one WATCHER WORKLOAD REP: one measured run; prints
# "lost exact stale cpu_ms wall_ms rss_kib maps_kib" for the run
run_one() {
	local watcher=$1 wl=$2 rep=$3 prog workers argbytes tag out pid tpid t0 t1 maps
	read -r prog workers argbytes <<<"$(workload "$wl")"
	tag=pwb-$wl-$rep-$watcher
	out=$tmp/$tag.out
	: >"$out"
	case $watcher in
	none)
		t0=$(now_ns)
		"$spawn" "$prog" "$tag" "$n" "$workers" "$argbytes" "$tmp/$tag.map" || return 1
		t1=$(now_ns)
		echo "- - - - $(((t1 - t0) / 1000000)) - -"
		return 0 ;;
	procwatch-bpf)
		/usr/bin/time -o "$tmp/$tag.time" -f '%U %S %M' "$top/procwatch" --exec-source=bpf -f json >"$out" 2>"$tmp/$tag.err" & ;;
	procwatch-proc)
		/usr/bin/time -o "$tmp/$tag.time" -f '%U %S %M' "$top/procwatch" --exec-source=proc -f json >"$out" 2>"$tmp/$tag.err" & ;;
	procwatch-r)
		/usr/bin/time -o "$tmp/$tag.time" -f '%U %S %M' "$top/procwatch" --exec-source=proc -r -f json >"$out" 2>"$tmp/$tag.err" & ;;
	base-bpf)
		/usr/bin/time -o "$tmp/$tag.time" -f '%U %S %M' "$base/procwatch" --exec-source=bpf -f json >"$out" 2>"$tmp/$tag.err" & ;;
	base-proc)
		/usr/bin/time -o "$tmp/$tag.time" -f '%U %S %M' "$base/procwatch" --exec-source=proc -f json >"$out" 2>"$tmp/$tag.err" & ;;
	forkstat)
		/usr/bin/time -o "$tmp/$tag.time" -f '%U %S %M' forkstat -l >"$out" 2>"$tmp/$tag.err" & ;;
	esac
	tpid=$!
	wait_for "$out" "$tag-ready" || { kill "$tpid"; return 1; }
	t0=$(now_ns)
	"$spawn" "$prog" "$tag" "$n" "$workers" "$argbytes" "$tmp/$tag.map" || return 1
	t1=$(now_ns)
	wait_for "$out" "$tag-done" || { kill "$tpid"; return 1; }
	pid=$(pgrep -P "$tpid" | head -n 1)
	maps=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { bpf = / anon_inode:bpf-map$/ }
		bpf && $1 == "Rss:" { kib += $2 } END { print kib + 0 }' "/proc/$pid/smaps")
	kill -TERM "$pid"
	wait "$tpid"
	cat "$tmp/$tag".map* | sort -k1,1 >"$tmp/$tag.want"
	case $watcher in
	procwatch* | base-*)
		# pid, argv joined by \x1f, exe of every exec record
		jq -r --arg tag "$tag" 'select(.event == "exec") |
			[(.pid | tostring), ((.argv // ["<null>"]) | join("\u001f")), (.exe // "<null>")] | join("\t") |
			gsub("\n"; "\\n")' "$out" ;;
	forkstat)
		# forkstat shows the command line, not the executable: argv only
		awk '$2 == "exec" { pid = $3; $1 = $2 = $3 = ""; sub(/^ +/, ""); gsub(/ /, "\037"); print pid "\t" $0 "\t-" }' "$out" ;;
	esac | sort -k1,1 >"$tmp/$tag.seen"
	# every tagged child: its exec record's argv and exe against what ran
	join -t "$(printf '\t')" <(awk '{ print $1 "\t" $2 }' "$tmp/$tag.want") "$tmp/$tag.seen" |
		awk -F '\t' -v prog="$prog" -v big="$argbytes" -v n="$n" '
		{
			tagv = $2; argv = $3; exe = $4
			if (!(tagv in seen)) { seen[tagv] = 1; found++ }
			want = prog "\037" tagv
			if (big > 0) {
				split(argv, a, "\037")
				ok = (a[1] == prog && a[2] == tagv && length(a[3]) == big && substr(a[3], big - length(tagv) + 1) == tagv)
			} else {
				ok = (argv == want)
			}
			if (ok && (exe == "-" || exe == prog)) exact++
			else if (argv != "<null>" && argv != "" && index(argv, tagv) == 0) stale++
		}
		END { printf "%d %d %d", n - found, exact + 0, stale + 0 }' >"$tmp/$tag.score"
	read -r user sys rss <"$tmp/$tag.time"
	echo "$(cat "$tmp/$tag.score") $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }') $(((t1 - t0) / 1000000)) $rss $maps"
}

# stats VALUES...: "median (min-max)"
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0 || v[1] == "-") { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		if (v[1] == v[NR]) printf "%g", m; else printf "%g (%g-%g)", m, v[1], v[NR] }'
}

echo "Workload: $n children per run, $reps runs per watcher, alternating; medians (min-max)."
echo "Machine: $(nproc) CPUs, $(uname -r)."
echo
echo "| workload | watcher | lost execs | exact argv+exe | stale argv | CPU ms / 1000 execs | slowdown | peak RSS KiB | of it, BPF maps KiB |"
echo "|---|---|---|---|---|---|---|---|---|"
for wl in $workloads; do
	declare -A lost=() exact=() stale=() cpu=() wall=() rss=() maps=()
	for rep in $(seq "$reps"); do
		# alternate the order so no watcher always runs on a warmer machine
		if [ $((rep % 2)) -eq 1 ]; then order=$watchers
		else order=$(printf '%s\n' $watchers | tac | tr '\n' ' '); fi
		for w in $order; do
			read -r l e s c t r m <<<"$(run_one "$w" "$wl" "$rep")" || { echo "run $w $wl $rep failed" >&2; exit 1; }
			lost[$w]+=" $l"; exact[$w]+=" $e"; stale[$w]+=" $s"; wall[$w]+=" $t"; rss[$w]+=" $r"; maps[$w]+=" $m"
			[ "$c" = - ] && cpu[$w]+=" -" || cpu[$w]+=" $(awk -v c="$c" -v n="$n" 'BEGIN { printf "%.1f", c * 1000 / n }')"
		done
	done
	for w in $watchers; do
		slow=-
		if [ "$w" != none ] && [ -n "${wall[none]:-}" ]; then
			slow=$(stats $(paste -d ' ' <(printf '%s\n' ${wall[$w]}) <(printf '%s\n' ${wall[none]}) | awk '{ printf "%.2f\n", $1 / $2 }'))
		fi
		ex=$(stats $(printf '%s\n' ${exact[$w]} | awk -v n="$n" '$1 == "-" { print "-"; next } { printf "%.2f\n", $1 * 100 / n }'))
		[ "$ex" = - ] || ex="$ex %"
		echo "| $wl | $w | $(stats ${lost[$w]}) | $ex | $(stats ${stale[$w]}) | $(stats ${cpu[$w]}) | $slow | $(stats ${rss[$w]}) | $(stats ${maps[$w]}) |"
	done
	unset lost exact stale cpu wall rss maps
done
