#!/bin/sh
# bench.sh - procwatch benchmarks: watchers side by side, start-up scan time, memory, soak
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: bench.sh BUILDDIR   (run by 'make bench', as root for the scan part)
# Environment: PW_BENCH_PROCS (processes for the scan, default 2000),
#              PW_BENCH_FORKS (short-lived processes for the memory run, default 1000000),
#              PW_SOAK_SECONDS (length of the soak, default 1800).
set -eu
top=${1:?usage: bench.sh BUILDDIR}
procs=${PW_BENCH_PROCS:-2000}
forks=${PW_BENCH_FORKS:-1000000}
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT

echo "## Watchers side by side"
bash "$(dirname "$0")/watchers.sh" "$top" || exit 1
echo

echo "## Start-up scan of /proc with $procs extra processes"
i=0
while [ "$i" -lt "$procs" ]; do
	sleep 600 &
	echo $! >>"$tmp/pids"
	i=$((i + 1))
done
"$top/tests/bench/pw-scan-bench" 9
kill $(cat "$tmp/pids") 2>/dev/null || true
wait 2>/dev/null || true
rm -f "$tmp/pids"

echo
echo "## Memory over $forks short-lived processes (procwatch -f json -- pw-forker $forks)"
"$top/procwatch" -f json -- "$top/tests/bench/pw-forker" "$forks" >/dev/null &
pw=$!
rss() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pw/status" 2>/dev/null; }
sleep 1
first=$(rss VmRSS)
echo "RSS after 1 s: ${first} KiB"
last=$first
peak=$(rss VmHWM)
while kill -0 "$pw" 2>/dev/null; do
	cur=$(rss VmRSS)
	hwm=$(rss VmHWM)
	[ -n "$cur" ] && last=$cur
	[ -n "$hwm" ] && peak=$hwm
	sleep 1
done
wait "$pw" || true
echo "RSS at the end: ${last} KiB; peak RSS (VmHWM): ${peak} KiB"

echo
echo "## Soak: ${PW_SOAK_SECONDS:-1800} s of mixed storm"
bash "$(dirname "$0")/soak.sh" "$top"
