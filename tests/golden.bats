#!/usr/bin/env bats
# golden.bats - a recorded event stream replayed against a fixture /proc: byte-identical output
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/fixtures/golden holds the datagrams of one real run (events.rec,
# made with --record) and a fake /proc of its processes (proc/); see
# tests/fixtures/README. Replaying them needs no kernel subscription and no
# privilege, and gives the same bytes on every machine: any change to what
# procwatch writes shows here, field by field. expected/NAME is the output
# of the arguments its test names.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	GOLDEN=$TOP_SRCDIR/tests/fixtures/golden
	PROC=$(fixture golden/proc)
}

# golden NAME FORMAT [ARG]...: replay with ARGS in FORMAT; the output must be
# expected/NAME byte for byte, and every JSON line must parse.
golden() {
	local name=$1 format=$2
	shift 2
	run --separate-stderr "$PROCWATCH" --replay="$GOLDEN/events.rec" --proc-root="$PROC" -f "$format" "$@"
	[ "$status" -eq 0 ] || { echo "status $status: $stderr" >&2; return 1; }
	[ -z "$stderr" ] || { echo "stderr: $stderr" >&2; return 1; }
	printf '%s\n' "$output" >"$name"
	if [ "$format" = json ]; then
		jq_lines "$name" || return 1
	fi
	diff -u "$GOLDEN/expected/$name" "$name" >&2
}

@test "golden: json, every event, full ancestry" {
	golden all.json json
}

@test "golden: text, every event, full ancestry" {
	golden all.txt text
}

@test "golden: json with threads, a snapshot first, numeric ids and two ancestors" {
	golden threads-snapshot.json json --threads --snapshot --numeric -a 2
}

@test "golden: text of a tree (-p) with threads, one ancestor, forks and exits" {
	golden subtree.txt text -p 22959 --threads -a 1 -e fork,exit
}

@test "golden: json through filters (--failed, --under)" {
	golden failed.json json --failed --under procwatch -e exit
}

@test "golden: text through a name filter and an event list" {
	golden comm.txt text --comm 'true' --comm 'we*' -e exec,exit,comm,uid,gid,sid
}

@test "golden: the replay needs no privilege" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run --separate-stderr setpriv --inh-caps=-all --bounding-set=-all -- \
		"$PROCWATCH" --replay="$GOLDEN/events.rec" --proc-root="$PROC" -f json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >out
	diff -u "$GOLDEN/expected/all.json" out >&2
}

@test "golden: a recording cut short is an error, after what it held" {
	head -c 2000 "$GOLDEN/events.rec" >cut.rec
	run --separate-stderr "$PROCWATCH" --replay=cut.rec --proc-root="$PROC" -f json
	[ "$status" -eq 1 ]
	[ "$stderr" = "procwatch: cut.rec: the recording is cut short or damaged" ]
	printf '%s\n' "$output" >out
	jq_lines out
	# what came before the cut was written: a prefix of the whole
	n=$(wc -l <out)
	[ "$n" -gt 0 ]
	head -n "$n" "$GOLDEN/expected/all.json" | diff -u - out >&2
}

@test "golden: a file that is not a recording is refused" {
	printf 'hello\n' >not.rec
	run --separate-stderr "$PROCWATCH" --replay=not.rec -f json
	[ "$status" -eq 1 ]
	[ "$stderr" = "procwatch: not.rec: not a procwatch recording" ]
	[ -z "$output" ]
	run --separate-stderr "$PROCWATCH" --replay=absent.rec -f json
	[ "$status" -eq 1 ]
	[ "$stderr" = "procwatch: absent.rec: No such file or directory" ]
}

@test "golden: --record keeps every event of a live run, and --replay gives them back" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to listen"
	run --separate-stderr "$PROCWATCH" --record=rec -f json -- sh -c 'sh -c "exit 3"; true'
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >live
	jq_lines live
	[ "$(stat -c %a rec)" = 600 ]
	run --separate-stderr "$PROCWATCH" --replay=rec --numeric -f json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >replayed
	jq_lines replayed
	# the recording holds the whole system's events: each of the run's is among them,
	# with its time, kind, pid, parent and exit status
	jq -c '[.time, .event, .pid, .ppid, .exit_code]' live | sort >want
	jq -c '[.time, .event, .pid, .ppid, .exit_code]' replayed | sort >got
	[ "$(wc -l <want)" -ge 6 ]
	grep -c '"exit",[0-9]*,[0-9]*,3]' want
	comm -23 want got >absent
	[ ! -s absent ] || { cat absent >&2; return 1; }
}

@test "golden: --record to a file that cannot be written is an error" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to listen"
	run --separate-stderr "$PROCWATCH" --record=/dev/full -f json -- true
	[ "$status" -eq 1 ]
	[ "$stderr" = "procwatch: --record /dev/full: No space left on device" ]
	[ -z "$output" ]
}

@test "golden: --replay refuses a command, --record and --exec-source=bpf" {
	run --separate-stderr "$PROCWATCH" --replay="$GOLDEN/events.rec" -- true
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == "procwatch: --replay reads recorded events: it cannot run a command" ]]
	run --separate-stderr "$PROCWATCH" --replay="$GOLDEN/events.rec" --record=x
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == "procwatch: --replay and --record cannot be used together" ]]
	run --separate-stderr "$PROCWATCH" --replay="$GOLDEN/events.rec" --exec-source=bpf
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == "procwatch: --replay reads execs from the recording and --proc-root, not with --exec-source=bpf" ]]
	[ ! -e x ]
}
