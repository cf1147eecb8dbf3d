#!/bin/bash
# valgrind.sh - the live bats tests once more, with procwatch under valgrind
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: tests/valgrind.sh BUILDDIR [BATS_FILE]...
# Every procwatch a test starts runs under memcheck with leak checking; a
# memory error or a leak makes it exit 99 (failing its test) and leaves a
# report, and any report at all fails this script with status 2, also from
# a run whose status a test does not look at. A test that fails without a
# report gives status 1. Tests about procwatch's own process (its
# exe, or a copy run by another user) skip themselves: under valgrind that
# process is valgrind's.
set -u
top=$(cd "${1:?usage: valgrind.sh BUILDDIR [BATS_FILE]...}" && pwd)
shift
src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$src"/tests/*.bats

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cat >"$work/procwatch" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite,indirect,possible --track-fds=no --log-file="$work/report.%p" \\
	--suppressions="$src/tests/valgrind.supp" \\
	"$top/procwatch" "\$@"
WRAP
chmod 755 "$work/procwatch"

PROCWATCH=$work/procwatch PW_VALGRIND=1 PW_BIN=$top/tests/bin PW_SPAWN=$top/tests/bench/pw-spawn \
	TOP_SRCDIR=$src LC_ALL=C bats "$@"
status=$?
reports=0
for r in "$work"/report.*; do
	# valgrind 3.19 does not know the bpf(2) command that attaches the exec
	# capture (BPF_LINK_CREATE) and says so: a note about valgrind, not a report
	sed -i -E '/^--[0-9]+-- WARNING: unhandled eBPF command 28$/d' "$r"
	[ -s "$r" ] || continue
	reports=$((reports + 1))
	echo "valgrind report ${r##*.}:"
	cat "$r"
done
echo "valgrind.sh: $reports valgrind reports"
# 2: valgrind found something; 1: only a test failed (under valgrind, mostly a matter of time)
[ "$reports" -eq 0 ] || exit 2
[ "$status" -eq 0 ]
