#!/bin/bash
# soak.sh - a whole-system procwatch under a mixed process storm for a long
# time: its RSS, open fds and lost events, sampled as it goes
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: soak.sh BUILDDIR [SECONDS]   (run by 'make bench'; default
# PW_SOAK_SECONDS or 1800). Four workloads run side by side, each again as
# soon as it ends, so the machine is busy to its limit: a sequential storm
# of /bin/true, two parallel workers, children with a 4 KiB argument, and
# shells three deep. procwatch writes JSON with full ancestry to
# /dev/null; every 60 s SIGUSR1 makes it print its counters.
set -u
top=${1:?usage: soak.sh BUILDDIR [SECONDS]}
secs=${2:-${PW_SOAK_SECONDS:-1800}}
spawn=$top/tests/bench/pw-spawn
tmp=$(mktemp -d)
pids=()
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$top/procwatch" -f json --stats >/dev/null 2>"$tmp/stats" &
pw=$!
pids+=("$pw")
sleep 1
kill -0 "$pw" || { echo "soak.sh: procwatch did not start: $(cat "$tmp/stats")" >&2; exit 1; }

end=$((SECONDS + secs))
# workload NAME COMMAND...: run COMMAND again and again until the end
workload() {
	local name=$1
	shift
	( while [ "$SECONDS" -lt "$end" ]; do "$@" >/dev/null 2>&1; done ) &
	pids+=("$!")
}
workload storm "$spawn" /bin/true s 2000 1 0 "$tmp/map.s"
workload parallel "$spawn" /bin/true p 2000 2 0 "$tmp/map.p"
workload argv4k "$spawn" /bin/true a 1000 1 4096 "$tmp/map.a"
workload deep sh -c 'i=0; while [ $i -lt 200 ]; do sh -c "sh -c true"; i=$((i + 1)); done'

status_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pw/status"; }
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }
echo "| minute | exec events | lost | VmRSS KiB | VmHWM KiB | open fds |"
echo "|---|---|---|---|---|---|"
minute=0
while [ "$SECONDS" -lt "$end" ] && kill -0 "$pw" 2>/dev/null; do
	sleep 60
	minute=$((minute + 1))
	kill -USR1 "$pw"
	sleep 0.2
	line=$(grep 'stats:' "$tmp/stats" | tail -n 1)
	printf '| %d | %s | %s | %s | %s | %s |\n' "$minute" "$(field exec "$line")" "$(field lost "$line")" \
		"$(status_kb VmRSS)" "$(status_kb VmHWM)" "$(ls "/proc/$pw/fd" | wc -l)"
done
kill -TERM "$pw"
wait "$pw"
rc=$?
pids=("${pids[@]:1}")
echo
echo "procwatch exit status $rc; final counters:"
grep 'stats:' "$tmp/stats" | tail -n 1
grep -v 'stats:' "$tmp/stats"
[ "$rc" -eq 0 ]
