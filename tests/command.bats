#!/usr/bin/env bats
# command.bats - command mode: 'procwatch -- COMMAND' traces COMMAND's tree and exits with its status
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

# A process whose data is checked is held on a FIFO (gate in helpers.bash)
# until procwatch has written its exec record, so that procwatch reads its
# /proc entry while it is alive; a shell is held by the child it waits for.

setup() {
	OUT=$BATS_TEST_TMPDIR/out
	KILL_FILE=$BATS_TEST_TMPDIR/kill-at-teardown
}

# Processes a test may leave behind are listed in $KILL_FILE as "PID COMM SIGNAL"
# and sent SIGNAL here, if that pid still runs that command. A process still
# held is let go (a FIFO opens without waiting only if it has a reader).
teardown() {
	kill_recorded
	release_left_gates
}

# lines_at_least FILE N: FILE has N lines or more.
lines_at_least() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# comm_is PID NAME: process PID runs under the name NAME.
comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# one_stderr_line_naming WORD: procwatch wrote exactly one line on stderr,
# a "procwatch: " message that names WORD.
one_stderr_line_naming() {
	local -a lines

	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr, got ${#lines[@]}: $(cat "$OUT.err")"
	[[ ${lines[0]} == "procwatch: "* ]] || die "not a procwatch message: ${lines[0]}"
	[[ ${lines[0]} == *"$1"* ]] || die "message does not name $1: ${lines[0]}"
}

# wait_for_record FILTER: wait (at most 10 s) until a record of $OUT matches
# FILTER; only whole lines are read.
wait_for_record() {
	local i

	for ((i = 0; i < 200; i++)); do
		if [ -s "$OUT" ] && sed '$!b; /[}]$/!d' "$OUT" |
			jq -e -s "any(.[]; $1)" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	die "no record matching $1 within 10 s: $(cat "$OUT")"
}

# The tree check: the first record is the fork of COMMAND; every other fork
# is a child of a process of the tree; every record is about a
# process of the tree.
TREE='[.[] | select(.event == "fork") | .pid] as $tree
	| .[0].event == "fork"
	and ([.[].pid] | unique) == ($tree | unique)
	and all(.[1:][] | select(.event == "fork"); .ppid as $p | any($tree[]; . == $p))
	and (.[0].ppid as $pw | all($tree[]; . != $pw))'

@test "exit status: the command's exit code (exit 7 -> 7)" {
	local g
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c 'cat "$1"; exit 7' sh "$g"
	[ "$status" -eq 7 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .pid == $root)] | length == 1
		and .[0].exit_code == 7 and .[0].status == 1792 and .[0].signal == null'
}

@test "exit status: 128+15 when the command is killed by SIGTERM" {
	pw_json "$OUT" -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .pid == $root)] | length == 1
		and .[0].exit_code == null and .[0].signal == "SIGTERM" and .[0].status == 15'
}

@test "exit status: 128+9 when the command is killed by SIGKILL" {
	pw_json "$OUT" -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .pid == $root)] | length == 1
		and .[0].exit_code == null and .[0].signal == "SIGKILL" and .[0].status == 9'
}

@test "exit status: 127 and one line on stderr when the command is not found" {
	local name=procwatch-test-no-such-command

	if command -v "$name" >/dev/null; then
		skip "a command named $name exists here"
	fi
	pw_json "$OUT" -- "$name" arg
	[ "$status" -eq 127 ]
	one_stderr_line_naming "$name"
	# nothing was run
	if [ -s "$OUT" ]; then
		check 'all(.[]; .event != "exec")'
	fi
}

@test "exit status: 126 and one line on stderr when the command is not executable" {
	local file=$BATS_TEST_TMPDIR/not-executable

	printf '#!/bin/sh\nexit 0\n' >"$file"
	chmod 644 "$file"
	pw_json "$OUT" -- "$file"
	[ "$status" -eq 126 ]
	one_stderr_line_naming "$file"
	if [ -s "$OUT" ]; then
		check 'all(.[]; .event != "exec")'
	fi
}

@test "the first record is the fork of the command by procwatch, with procwatch's data" {
	valgrind_skip "procwatch's own process is valgrind's"
	local pw bg g script='cat "$1"; exit 0'

	g=$(gate g)
	sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$BATS_TEST_TMPDIR/procwatch.pid" \
		"$PROCWATCH" -f json -- sh -c "$script" sh "$g" >"$OUT" 2>"$OUT.err" 3>&- &
	bg=$!
	echo "$bg procwatch TERM" >>"$KILL_FILE"
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	release_gate "$g"
	status=0
	wait "$bg" || status=$?
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	no_stderr
	pw=$(cat "$BATS_TEST_TMPDIR/procwatch.pid")
	check '.[0].event == "fork" and .[0].ppid == $pw and .[0].pid != $pw
		and .[0].exe == $exe and .[0].argv == [$bin, "-f", "json", "--", "sh", "-c", $s, "sh", $g]
		and .[1].event == "exec" and .[1].pid == .[0].pid and .[1].ppid == $pw
		and .[1].argv == ["sh", "-c", $s, "sh", $g]' \
		--argjson pw "$pw" --arg exe "$(readlink -f "$PROCWATCH")" --arg bin "$PROCWATCH" \
		--arg s "$script" --arg g "$g"
	check "$TREE"
}

@test "only the command's tree: processes outside it are absent" {
	local outside busy g ticks pw n

	g=$(gate g)
	# a process that exits during the run (the command kills it) ...
	sleep 30 >/dev/null 2>&1 3>&- &
	outside=$!
	echo "$outside sleep KILL" >>"$KILL_FILE"
	# ... and one that keeps forking and exec'ing all along, a line in
	# $ticks for each sleep it ran
	ticks=$BATS_TEST_TMPDIR/ticks
	: >"$ticks"
	(while :; do sleep 0.02; echo >>"$ticks"; done) </dev/null >/dev/null 2>&1 3>&- &
	busy=$!
	echo "$busy bash KILL" >>"$KILL_FILE"
	"$PROCWATCH" -f json -- sh -c 'kill "$1"; cat "$2"; exit 0' sh "$outside" "$g" \
		>"$OUT" 2>"$OUT.err" 3>&- &
	pw=$!
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	# the command is held until the busy loop has run sleep at least twice more
	# while procwatch watches
	n=$(wc -l <"$ticks")
	wait_for 60 lines_at_least "$ticks" $((n + 3))
	release_gate "$g"
	status=0
	wait "$pw" || status=$?
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	no_stderr
	# the outside sleep was killed by the command, during the run
	status=0
	wait "$outside" || status=$?
	[ "$status" -eq 143 ]
	check 'all(.[]; .pid != $outside and .pid != $busy and .ppid != $busy)' \
		--argjson outside "$outside" --argjson busy "$busy"
	check "$TREE"
	check '.[0].pid as $root
		| [.[] | select(.event == "fork") | .pid] == [$root, ([.[] | select(.event == "exec" and .argv == ["cat", $g])][0].pid)]' \
		--arg g "$g"
}

@test "descendants of descendants are reported" {
	local g s2 s3

	g=$(gate g)
	# shells in shells, each passing the gate on as $1 and running ':' after
	# its child, so that it waits for it: the innermost cat holds them all
	s3='cat "$1"; :'
	s2='sh -c "cat \"\$1\"; :" sh "$1"; :'
	pw_held "$OUT" "$g" -- sh -c 'sh -c "sh -c \"cat \\\"\\\$1\\\"; :\" sh \"\$1\"; :" sh "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check "$TREE"
	check '. as $all
		| .[0].pid as $l1
		| ([.[] | select(.event == "exec" and .argv == ["sh", "-c", $s2, "sh", $g])][0]) as $l2
		| ([.[] | select(.event == "exec" and .argv == ["sh", "-c", $s3, "sh", $g])][0]) as $l3
		| ([.[] | select(.event == "exec" and .argv == ["cat", $g])][0]) as $l4
		| $l2.ppid == $l1 and $l3.ppid == $l2.pid and $l4.ppid == $l3.pid
		and ([$l1, $l2.pid, $l3.pid, $l4.pid] | unique | length) == 4
		and all($l1, $l2.pid, $l3.pid, $l4.pid; . as $p | [$all[] | select(.event == "exit" and .pid == $p)] | length == 1)' \
		--arg s2 "$s2" --arg s3 "$s3" --arg g "$g"
}

@test "records queued when the command exits are all written (races /proc: 20 children that exit at once)" {
	pw_json "$OUT" -- sh -c 'i=0; while [ $i -lt 20 ]; do /bin/true; i=$((i + 1)); done'
	[ "$status" -eq 0 ]
	no_stderr
	check "$TREE"
	# a child may be gone before procwatch reads its /proc entry: then its
	# exe and argv are null and named in missing, never the shell's
	check '.[0].pid as $root
		| all(.[] | select((.event == "exec" or .event == "exit") and .pid != $root);
			(.argv == null or .argv == ["/bin/true"]) and (.argv == null) == any(.missing[]?; . == "argv")
			and (.exe == null or .exe == $exe) and (.exe == null) == any(.missing[]?; . == "exe"))' \
		--arg exe "$(readlink -f /bin/true)"
	check '.[0].pid as $root
		| [.[] | select(.event == "fork" and .ppid == $root) | .pid] as $kids
		| [.[] | select(.event == "exec" and .pid != $root) | .pid] as $execs
		| [.[] | select(.event == "exit" and .pid != $root) | .pid] as $exits
		| ($kids | length) == 20 and ($kids | unique | length) == 20
		and ($execs | length) == 20 and ($execs | sort) == ($kids | sort)
		and ($exits | length) == 20 and ($exits | sort) == ($kids | sort)
		and all(.[] | select(.event == "exit" and .pid != $root); .exit_code == 0)
		and .[-1].event == "exit" and .[-1].pid == $root'
}

@test "procwatch ends when the command exits, even if a daemonised grandchild lives on" {
	local pidfile=$BATS_TEST_TMPDIR/daemon.pid daemon

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# the guard: procwatch must be done well before the daemon (5 s: the
	# daemon's sleep is the measure, nothing waits on it)
	status=0
	timeout 3 "$PROCWATCH" -f json -- sh -c '
		setsid sh -c "echo \$\$ >\"\$1\"; exec sleep 5" daemon "$1" </dev/null >/dev/null 2>&1 &
		exit 0' sh "$pidfile" >"$OUT" 2>"$OUT.err" || status=$?
	wait_for 5 test -s "$pidfile"
	daemon=$(cat "$pidfile")
	echo "$daemon sleep KILL" >>"$KILL_FILE"
	wait_for 5 comm_is "$daemon" sleep
	[ "$status" -ne 124 ] || die "procwatch was still running after 3 s"
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	no_stderr
	# the daemon outlived procwatch
	[ "$(cat "/proc/$daemon/comm")" = sleep ]
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .pid == $root)] | length == 1 and .[0].exit_code == 0'
}

@test "SIGTERM to procwatch goes to the command, and procwatch exits with its status" {
	local pw

	"$PROCWATCH" -f json -- sleep 30 </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	pw=$!
	# SIGTERM: procwatch passes it on, so COMMAND does not outlive a failed test
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	wait_for_record '.event == "fork"'
	kill -TERM "$pw"
	status=0
	wait "$pw" || status=$?
	[ "$status" -eq 143 ]
	jq_lines "$OUT"
	no_stderr
	check '.[0].event == "fork" and .[0].ppid == $pw' --argjson pw "$pw"
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .pid == $root)] | length == 1
		and .[0].signal == "SIGTERM" and .[0].exit_code == null and .[0].status == 15'
	check '.[-1].event == "exit"'
}

@test "-n N stops after N records" {
	pw_json "$OUT" -n 3 -- sh -c 'i=0; while [ $i -lt 10 ]; do /bin/true; i=$((i + 1)); done'
	[ "$status" -eq 0 ]
	no_stderr
	[ "$(wc -l <"$OUT")" -eq 3 ]
	check 'length == 3 and .[0].event == "fork" and .[1].event == "exec" and .[1].pid == .[0].pid
		and .[2].event == "fork" and .[2].ppid == .[0].pid'
}

@test "--count=1 writes only the fork of the command" {
	# the sleep only brings more records to leave out (an exec, a fork,
	# exits); procwatch waits for the command however long it takes
	pw_json "$OUT" --count=1 -- sh -c 'sleep 0.1; exit 0'
	[ "$status" -eq 0 ]
	no_stderr
	[ "$(wc -l <"$OUT")" -eq 1 ]
	check 'length == 1 and .[0].event == "fork"'
}
