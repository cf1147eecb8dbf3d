#!/usr/bin/env bats
# filters.bats - which records pass: --pid, --comm, --exe, --user, --under, --failed
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Most tests run procwatch in command mode with a command whose children
# differ in name, executable, user or outcome, and compare what each filter
# lets through. The --pid tests run trees in the background that fork short
# sleeps until $STOP exists. A process whose data a filter needs stays alive
# briefly (a 'sleep' inside it), so that procwatch can read its /proc entry.
# Waits for another process poll a condition, with a bound.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	OUT=$T/out
	KILL_FILE=$T/kill-at-teardown
	# background workloads loop until this file exists
	STOP=$T/stop
	export STOP
}

# Background workloads stop at $STOP; any process listed in $KILL_FILE as
# "PID COMM SIGNAL" that still runs COMM gets SIGNAL.
teardown() {
	local pid comm sig

	touch "$STOP"
	[ -f "$KILL_FILE" ] || return 0
	while read -r pid comm sig; do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
			kill -"$sig" "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done <"$KILL_FILE"
}

# pw ARGS...: run procwatch -f json ARGS under a 20 s guard, stdout to $OUT,
# stderr to $OUT.err; sets $status and $PW (procwatch's pid). Every line of
# $OUT is checked by jq.
pw() {
	status=0
	timeout 20 sh -c 'echo $$ >"$0"; exec "$@"' "$T/pw.pid" \
		"$PROCWATCH" -f json "$@" </dev/null >"$OUT" 2>"$OUT.err" 3>&- || status=$?
	PW=$(<"$T/pw.pid")
	[ "$status" -ne 124 ] || die "procwatch was still running after 20 s"
	if [ -s "$OUT" ]; then
		jq_lines "$OUT"
	fi
}

# check FILTER [JQ_ARGS...]: FILTER, applied to the array of all records of
# $OUT, must give true.
check() {
	local filter=$1

	shift
	if ! jq -e -s "$@" "$filter" "$OUT" >/dev/null; then
		printf 'not true: %s\nrecords:\n' "$filter" >&2
		jq -c '[.event, .pid, .ppid, .comm, .exe, .argv, .uid, .euid, .exit_code, .signal]' "$OUT" >&2
		return 1
	fi
}

# same JSON FILTER [JQ_ARGS...]: FILTER over the array of records of $OUT gives JSON.
same() {
	local want=$1 filter=$2 got

	shift 2
	got=$(jq -c -s "$@" "$filter" "$OUT")
	[ "$got" = "$(jq -c -n "$@" "$want")" ] || die "$filter: expected $want, got $got"
}

# usage_error WORD: exit status 2, nothing on stdout, and on stderr a line
# naming WORD, then the hint.
usage_error() {
	local -a lines

	[ "$status" -eq 2 ] || die "exit status $status, expected 2"
	[ ! -s "$OUT" ] || die "unexpected stdout: $(cat "$OUT")"
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 2 ] || die "expected two lines on stderr: $(cat "$OUT.err")"
	[[ ${lines[0]} == "procwatch: "*"$1"* ]] || die "first line does not name '$1': ${lines[0]}"
	[ "${lines[1]}" = "Try 'procwatch --help' for more information." ] || die "no hint: ${lines[1]}"
}

# out_has FILTER [JQ_ARGS...]: the complete lines of $OUT so far make FILTER
# true over the array of their records.
out_has() {
	local filter=$1

	shift
	[ -s "$OUT" ] && sed '$!b; /[}]$/!d' "$OUT" | jq -e -s "$@" "$filter" >/dev/null 2>&1
}

comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# pids FILE: the pids listed in FILE, one per line, as a JSON array.
pids() {
	jq -sc . "$1"
}

# The whole chain: every record's ancestors start at its parent, end at
# pid 1 and pass through procwatch ($PW).
FULL_CHAIN='all(.[]; .ancestors[0].pid == .ppid and .ancestors[-1].pid == 1
	and any(.ancestors[]; .pid == $pw))'

# start_tree DIR: a tree that forks a sleep every 20 ms until $STOP exists,
# in itself and in a subshell that is running before the call returns. The
# pids of the children go to DIR/kids.root and DIR/kids.sub, the
# subshell's to DIR/sub. Sets $TREE to the tree's pid.
start_tree() {
	local d=$1

	mkdir -p "$d"
	: >"$d/kids.root"
	: >"$d/kids.sub"
	# shellcheck disable=SC2016
	sh -c '
		d=$1
		(
			while [ ! -e "$STOP" ]; do
				sleep 0.02 & echo $! >>"$d/kids.sub"; wait $!
			done
		) &
		echo $! >"$d/sub.tmp"
		mv "$d/sub.tmp" "$d/sub"
		while [ ! -e "$STOP" ]; do
			sleep 0.02 & echo $! >>"$d/kids.root"; wait $!
		done
		wait' tree "$d" </dev/null >/dev/null 2>&1 3>&- &
	TREE=$!
	echo "$TREE sh KILL" >>"$KILL_FILE"
	wait_for 10 test -s "$d/sub"
	echo "$(<"$d/sub") sh KILL" >>"$KILL_FILE"
}

# stop_trees PID...: end the background trees and wait for them.
stop_trees() {
	local p

	touch "$STOP"
	for p; do
		wait "$p" || die "tree $p failed"
	done
}

@test "-p PID: PID and all its descendants, running at start and forked later; nothing else" {
	local a b

	start_tree "$T/a"
	a=$TREE
	start_tree "$T/b"
	b=$TREE
	pw -p "$a" -n 40
	stop_trees "$a" "$b"
	[ "$status" -eq 0 ]
	no_stderr
	local -a args=(
		--argjson root "$a" --argjson sub "$(<"$T/a/sub")"
		--argjson kroot "$(pids "$T/a/kids.root")" --argjson ksub "$(pids "$T/a/kids.sub")"
		--argjson other "$(jq -sc . "$T/b/kids.root" "$T/b/kids.sub" <(echo "$b" "$(<"$T/b/sub")"))"
	)
	check 'length == 40' "${args[@]}"
	# every record is about the tree: the root, its subshell or a child of either
	check '([.[].pid] | unique) - ([$root, $sub] + $kroot + $ksub) == []' "${args[@]}"
	check 'all(.[]; .pid == $root or any(.ancestors[]; .pid == $root))' "${args[@]}"
	# the subshell ran before procwatch; its children were forked later
	check 'any(.[]; .event == "fork" and (.pid as $p | $ksub | index([$p]))
		and .ppid == $sub and .ancestors[0].pid == $sub and .ancestors[1].pid == $root)' "${args[@]}"
	check 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"] and (.pid as $p | $kroot | index([$p]))
		and .ppid == $root and .ancestors[0].pid == $root)' "${args[@]}"
	# the other tree, just as busy, is absent (a pid both trees used in turn, as
	# pids wrap around during a long test run, tells nothing: lineage does)
	check '($other - ([$root, $sub] + $kroot + $ksub)) as $only_b
		| all(.[]; (.pid as $p | $only_b | index([$p]) | not) and all(.ancestors[]; .pid != $b))' \
		"${args[@]}" --argjson b "$b"
}

@test "--pid twice: both trees, not a third" {
	local a b c

	start_tree "$T/a"
	a=$TREE
	start_tree "$T/b"
	b=$TREE
	start_tree "$T/c"
	c=$TREE
	pw -p "$a" --pid="$b" -n 60
	stop_trees "$a" "$b" "$c"
	[ "$status" -eq 0 ]
	no_stderr
	local -a args=(
		--argjson a "$a" --argjson b "$b" --argjson c "$c"
		--argjson ka "$(jq -sc . "$T/a/kids.root" "$T/a/kids.sub" <(echo "$a" "$(<"$T/a/sub")"))"
		--argjson kb "$(jq -sc . "$T/b/kids.root" "$T/b/kids.sub" <(echo "$b" "$(<"$T/b/sub")"))"
	)
	check 'length == 60 and ([.[].pid] | unique) - ($ka + $kb) == []' "${args[@]}"
	check 'any(.[]; .event == "exec" and (.pid as $p | $ka | index([$p])))
		and any(.[]; .event == "exec" and (.pid as $p | $kb | index([$p])))' "${args[@]}"
	check 'all(.[]; .pid != $c and all(.ancestors[]; .pid != $c))' "${args[@]}"
}

@test "-p: a pid reused by an unrelated process after the tracked one exited is not included" {
	local last=/proc/sys/kernel/ns_last_pid root c u pw i

	[ "$(id -u)" -eq 0 ] || skip "needs root to write $last"
	[ -e "$last" ] || skip "$last does not exist (CONFIG_CHECKPOINT_RESTORE is off)"
	(cat "$last" >"$last") 2>/dev/null || skip "$last is not writable here"
	mkfifo "$T/go"
	# the root: a child C, sleeps until told procwatch is ready, reaps C,
	# then forks nothing until the fifo is written
	# shellcheck disable=SC2016
	sh -c '
		sleep 1000 & echo $! >"$1/c.tmp"; mv "$1/c.tmp" "$1/c"
		while [ ! -e "$1/ready" ]; do sleep 0.02; done
		wait
		read x <"$1/go"
		sleep 0.03' root "$T" </dev/null >/dev/null 2>&1 3>&- &
	root=$!
	echo "$root sh KILL" >>"$KILL_FILE"
	wait_for 10 test -s "$T/c"
	c=$(<"$T/c")
	echo "$c sleep KILL" >>"$KILL_FILE"
	"$PROCWATCH" -f json -p "$root" </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	pw=$!
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	wait_for 10 out_has 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	touch "$T/ready"
	kill -KILL "$c"
	wait_for 10 out_has 'any(.[]; .event == "exit" and .pid == $c)' --argjson c "$c"
	# C is reaped: its pid is free
	wait_for 10 test ! -e "/proc/$c"
	# an unrelated process, a child of this shell, gets C's pid (another
	# process may take it first: try again)
	for ((i = 0; i < 50; i++)); do
		echo $((c - 1)) >"$last"
		sh -c 'sleep 0.05; :' 3>&- &
		u=$!
		wait "$u"
		[ "$u" -ne "$c" ] || break
	done
	[ "$u" -eq "$c" ] || die "pid $c could not be reused"
	# the tree moves on: its last sleep shows procwatch has read past the reuse
	echo >"$T/go"
	wait "$root"
	wait_for 10 out_has 'any(.[]; .event == "exit" and .pid == $root)' --argjson root "$root"
	kill -TERM "$pw"
	status=0
	wait "$pw" || status=$?
	[ "$status" -eq 0 ]
	no_stderr
	jq_lines "$OUT"
	local -a args=(--argjson c "$c" --argjson root "$root")
	# C's one record is its exit; nothing of the process that reused the pid
	check '[.[] | select(.pid == $c)] | length == 1 and .[0].event == "exit" and .[0].signal == "SIGKILL"' \
		"${args[@]}"
	check 'all(.[]; .argv != ["sleep", "0.05"] and .argv != ["sh", "-c", "sleep 0.05; :"])' "${args[@]}"
	check 'any(.[]; .event == "exec" and .argv == ["sleep", "0.03"] and .ppid == $root)' "${args[@]}"
	check 'all(.[]; .pid == $root or any(.ancestors[]; .pid == $root))' "${args[@]}"
}

@test "-p with a pid that does not exist: exit 1, one line naming it, nothing on stdout" {
	local p=999999

	while [ -e "/proc/$p" ]; do
		p=$((p + 1))
	done
	pw -p "$p"
	[ "$status" -eq 1 ]
	[ ! -s "$OUT" ]
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$OUT.err")"
	[[ ${lines[0]} == "procwatch: "*"$p"* ]] || die "does not name $p: ${lines[0]}"
}

@test "-p 0, -p abc and other bad pids are usage errors" {
	local p

	for p in 0 abc '' -1 12x 2147483648; do
		pw -p "$p"
		usage_error "'$p'"
	done
	pw --pid=abc
	usage_error "'abc'"
}

# The comm and exe tests: three sleeps under the command, told apart by
# argv[0]: sleep (comm sleep), a copy at $T/bin/sleep (comm sleep, another
# exe) and a copy at $T/bin/nap (comm nap).
copies() {
	mkdir -p "$T/bin"
	cp "$(command -v sleep)" "$T/bin/sleep"
	cp "$(command -v sleep)" "$T/bin/nap"
}

# pw_sleeps ARGS...: procwatch ARGS on the three sleeps; the command succeeds.
pw_sleeps() {
	# shellcheck disable=SC2016
	pw "$@" -- sh -c 'sleep 0.05; "$1/sleep" 0.05; "$1/nap" 0.05; :' sh "$T/bin"
	[ "$status" -eq 0 ]
	no_stderr
}

@test "--comm PATTERN: only processes whose name matches; repeating the option ORs" {
	copies
	pw_sleeps --comm sleep
	same '[["exec","sleep"],["exit","sleep"],["exec",$b+"/sleep"],["exit",$b+"/sleep"]]' \
		'[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .comm == "sleep")'
	# globs, two of them
	pw_sleeps --comm 'sl?e*' --comm '[n]a[p]'
	same '[["exec","sleep"],["exit","sleep"],["exec",$b+"/sleep"],["exit",$b+"/sleep"],
		["exec",$b+"/nap"],["exit",$b+"/nap"]]' '[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	# a pattern must match the whole name
	pw_sleeps --comm sle --comm 'ap'
	[ ! -s "$OUT" ]
}

@test "--exe PATTERN: only processes whose executable matches; repeating ORs" {
	copies
	pw_sleeps --exe "$T/bin/*"
	same '[["exec",$b+"/sleep"],["exit",$b+"/sleep"],["exec",$b+"/nap"],["exit",$b+"/nap"]]' \
		'[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .exe | startswith($b + "/"))' --arg b "$T/bin"
	pw_sleeps --exe "$(readlink -f "$(command -v sleep)")" --exe '*/nap'
	same '[["exec","sleep"],["exit","sleep"],["exec",$b+"/nap"],["exit",$b+"/nap"]]' \
		'[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
}

@test "--comm and --exe together: both must match" {
	copies
	pw_sleeps --comm sleep --exe "$T/bin/*"
	same '[["exec",$b+"/sleep"],["exit",$b+"/sleep"]]' '[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	# each alone matches something, together nothing
	pw_sleeps --comm nap --exe '/usr/*'
	[ ! -s "$OUT" ]
}

# The user tests: setpriv runs a shell as uid 65534 (real and effective),
# which runs a sleep; then a sleep with only the effective uid 65534; then
# a sleep that stays root. (setpriv's own exec is not checked: it changes
# its uid and execs at once, before its /proc entry can be read.)
pw_users() {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root to change uids"
	pw "$@" -- sh -c 'setpriv --reuid=65534 sh -c "sleep 0.051; :"; setpriv --euid=65534 sleep 0.052; sleep 0.053; :'
	[ "$status" -eq 0 ]
	no_stderr
}

# What -u 65534 lets through, by number or by name.
check_65534() {
	check 'all(.[]; .uid == 65534 or .euid == 65534)'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# the shell that runs as 65534, the fork it made, its sleep
	check '(.[] | select(.event == "exec" and .argv == ["sh", "-c", "sleep 0.051; :"])) as $sh
		| $sh.uid == 65534 and $sh.euid == 65534
		and any(.[]; .event == "fork" and .ppid == $sh.pid and .uid == 65534)
		and any(.[]; .event == "exec" and .argv == ["sleep", "0.051"] and .ppid == $sh.pid and .uid == 65534)
		and any(.[]; .event == "exit" and .argv == ["sleep", "0.051"])'
	# the sleep that has 65534 only as its effective uid
	check 'any(.[]; .event == "exec" and .argv == ["sleep", "0.052"] and .uid == 0 and .euid == 65534)
		and any(.[]; .event == "exit" and .argv == ["sleep", "0.052"])'
	# the uid changes themselves, with the new ids
	check '[.[] | select(.event == "uid") | [.uid, .euid]] == [[65534, 65534], [0, 65534]]'
	# nothing that stays root
	check 'all(.[]; .argv != ["sleep", "0.053"]) and all(.[] | select(.event == "fork"); .uid == 65534)'
}

@test "-u UID: processes whose real or effective uid is UID" {
	pw_users -u 65534
	check_65534
}

@test "-u NAME: by user name, the same as by number" {
	local name

	name=$(getent passwd 65534 | cut -d: -f1)
	[ -n "$name" ] || skip "uid 65534 has no name here"
	pw_users --user="$name"
	check_65534
}

@test "-u 0: not the exec of a process that became 65534; by name too" {
	local opt

	for opt in "-u 0" "--user=0" "-u root"; do
		# shellcheck disable=SC2086
		pw_users $opt
		check 'all(.[]; .uid == 0 or .euid == 0)'
		check "$FULL_CHAIN" --argjson pw "$PW"
		check 'all(.[]; .argv != ["sleep", "0.051"])'
		# the real uid is still 0 in the second sleep
		check 'any(.[]; .event == "exec" and .argv == ["sleep", "0.052"] and .uid == 0 and .euid == 65534)
			and any(.[]; .event == "exec" and .argv == ["sleep", "0.053"] and .uid == 0 and .euid == 0)
			and any(.[]; .event == "exit" and .argv == ["sleep", "0.053"])'
		check '[.[] | select(.event == "uid") | [.uid, .euid]] == [[0, 65534]]'
	done
}

@test "-u with an unknown user name is a usage error" {
	local name=procwatch-no-such-user

	! getent passwd "$name" >/dev/null || skip "a user $name exists here"
	pw -u "$name" -- true
	usage_error "'$name'"
	pw --user=4294967295 -- true
	usage_error "'4294967295'"
}

# The --under tests: a uniquely named script, and a copy of sh in a
# directory of its own, each run a sleep; the command runs its own sleep.
pw_under() {
	mkdir -p "$T/under-exe"
	printf '#!/bin/sh\nsleep 0.051\nexit 0\n' >"$T/pw-under-marker"
	chmod 755 "$T/pw-under-marker"
	cp "$(readlink -f "$(command -v sh)")" "$T/under-exe/sh"
	# shellcheck disable=SC2016
	pw "$@" -- sh -c '"$1/pw-under-marker"; "$1/under-exe/sh" -c "sleep 0.052; :"; sleep 0.053; :' sh "$T"
	[ "$status" -eq 0 ]
	no_stderr
}

# UNDER_ONLY SLEEP: the records are the fork, exec and exit of one process
# that runs `sleep SLEEP`, the child of the process that matched.
UNDER_ONLY='map(.event) == ["fork", "exec", "exit"] and ([.[].pid] | unique | length) == 1
	and .[1].argv == ["sleep", $s] and .[2].argv == ["sleep", $s]'

@test "--under PATTERN: only processes with an ancestor whose comm matches" {
	pw_under --under pw-under-marker
	check "$UNDER_ONLY" --arg s 0.051
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .ancestors[0].comm == "pw-under-marker" and .ancestors[0].pid == .ppid)'
	# a glob
	pw_under --under 'pw-under-mark*'
	check "$UNDER_ONLY" --arg s 0.051
}

@test "--under PATTERN: an ancestor whose executable matches" {
	valgrind_skip "valgrind slows procwatch down too much to read short-lived processes in time"
	pw_under --under "$T/under-exe/*"
	check "$UNDER_ONLY" --arg s 0.052
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .ancestors[0].exe == $exe and .ancestors[0].comm == "sh")' --arg exe "$T/under-exe/sh"
	# repeated: either
	pw_under --under "$T/under-exe/*" --under pw-under-marker
	check 'map(select(.event == "exec") | .argv) == [["sleep", "0.051"], ["sleep", "0.052"]]
		and length == 6'
}

@test "--under with --ancestors 0: filtered on the lineage that is not printed" {
	pw_under --under pw-under-marker --ancestors 0
	check 'map(.event) == ["fork", "exec", "exit"] and ([.[].pid] | unique | length) == 1
		and .[1].argv == ["sleep", "0.051"]'
	check 'all(.[]; has("ancestors") | not) and all(.[]; (.parent_key | type) == "string")'
}

# The --failed tests: children that exit 3, are killed, exit 0, and a
# script named pw-failer that exits 4; the command exits 6.
pw_failed() {
	printf '#!/bin/sh\nsleep 0.05\nexit 4\n' >"$T/pw-failer"
	chmod 755 "$T/pw-failer"
	# shellcheck disable=SC2016
	pw "$@" -- sh -c '
		sh -c "sleep 0.01; exit 3"
		{ sh -c "sleep 0.01; kill -KILL \$\$"; } 2>/dev/null
		sh -c "sleep 0.01; exit 0"
		"$1/pw-failer"
		exit 6' sh "$T"
	[ "$status" -eq 6 ]
	no_stderr
}

@test "--failed: only exits with a non-zero code or a signal" {
	valgrind_skip "valgrind slows procwatch down too much to read short-lived processes in time"
	pw_failed --failed
	same '[[3, null], [null, "SIGKILL"], [4, null], [6, null]]' '[.[] | [.exit_code, .signal]]'
	check 'all(.[]; .event == "exit")'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# the third is the script, the last the command itself
	check '.[2].comm == "pw-failer" and .[2].ppid == .[3].pid and .[3].ppid == $pw' --argjson pw "$PW"
}

@test "--failed with --comm: both apply" {
	pw_failed --failed --comm pw-failer
	same '[["exit", 4, "pw-failer"]]' '[.[] | [.event, .exit_code, .comm]]'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# --comm alone: its exec, the fork of its sleep (the name is inherited) and its exit
	pw_failed --comm pw-failer
	same '[["exec", null], ["fork", null], ["exit", 4]]' '[.[] | [.event, .exit_code]]'
}

@test "--pid with --failed: only failed exits inside the tree" {
	local a b

	# shellcheck disable=SC2016
	sh -c 'while [ ! -e "$STOP" ]; do sh -c "exit 3"; sh -c "exit 0"; sleep 0.02; done' \
		</dev/null >/dev/null 2>&1 3>&- &
	a=$!
	# shellcheck disable=SC2016
	sh -c 'while [ ! -e "$STOP" ]; do sh -c "exit 4"; sh -c "exit 0"; sleep 0.02; done' \
		</dev/null >/dev/null 2>&1 3>&- &
	b=$!
	echo "$a sh KILL" >>"$KILL_FILE"
	echo "$b sh KILL" >>"$KILL_FILE"
	pw -p "$a" --failed -n 5
	stop_trees "$a" "$b"
	[ "$status" -eq 0 ]
	no_stderr
	check 'length == 5 and all(.[]; .event == "exit" and .exit_code == 3 and .ppid == $a
		and .ancestors[0].pid == $a)' --argjson a "$a"
}

@test "--snapshot with --count N: exactly N exist records, then exit 0" {
	pw --snapshot --count 3
	[ "$status" -eq 0 ]
	no_stderr
	check 'length == 3 and all(.[]; .event == "exist") and .[0].pid == 1
		and ([.[].pid] | . == (sort | unique))'
}

@test "--snapshot with --comm: only the matching exist records" {
	local p1 p2

	mkdir -p "$T/bin"
	cp "$(command -v sleep)" "$T/bin/pw-snapnap"
	"$T/bin/pw-snapnap" 30 </dev/null >/dev/null 2>&1 3>&- &
	p1=$!
	"$T/bin/pw-snapnap" 30 </dev/null >/dev/null 2>&1 3>&- &
	p2=$!
	echo "$p1 pw-snapnap KILL" >>"$KILL_FILE"
	echo "$p2 pw-snapnap KILL" >>"$KILL_FILE"
	wait_for 10 comm_is "$p1" pw-snapnap
	wait_for 10 comm_is "$p2" pw-snapnap
	pw --snapshot --comm pw-snapnap -D 0.5
	[ "$status" -eq 0 ]
	no_stderr
	check 'map([.event, .pid, .comm, .exe]) == [["exist", $p1, "pw-snapnap", $exe], ["exist", $p2, "pw-snapnap", $exe]]' \
		--argjson p1 "$p1" --argjson p2 "$p2" --arg exe "$T/bin/pw-snapnap"
	check 'all(.[]; .ancestors[-1].pid == 1 and .ancestors[0].pid == .ppid)'
	# and with --count, the first of them
	pw --snapshot --comm 'pw-snap*' -n 1
	[ "$status" -eq 0 ]
	no_stderr
	check 'map([.event, .pid]) == [["exist", $p1]]' --argjson p1 "$p1"
}

@test "-e exec (kernel-side mask): exec records with complete ancestry for a command tree" {
	valgrind_skip "valgrind slows procwatch down too much to read short-lived processes in time"
	pw -e exec -- sh -c 'sh -c "sleep 0.05; :"; sleep 0.052; :'
	[ "$status" -eq 0 ]
	no_stderr
	check 'all(.[]; .event == "exec") and length == 4'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# the table followed the forks: each exec's parent is the shell that forked it
	check '.[0] as $outer | .[1] as $inner | .[2] as $s1 | .[3] as $s2
		| $outer.argv == ["sh", "-c", "sh -c \"sleep 0.05; :\"; sleep 0.052; :"] and $outer.ppid == $pw
		and $inner.argv == ["sh", "-c", "sleep 0.05; :"] and $inner.ppid == $outer.pid
		and $s1.argv == ["sleep", "0.05"] and $s1.ppid == $inner.pid
		and $s2.argv == ["sleep", "0.052"] and $s2.ppid == $outer.pid' --argjson pw "$PW"
	check '.[0] as $outer | .[1] as $inner | .[2] as $s1 | .[3] as $s2
		| [$s1.ancestors[0:2][] | [.pid, .argv]] == [[$inner.pid, $inner.argv], [$outer.pid, $outer.argv]]
		and [$s2.ancestors[0] | .pid, .argv] == [$outer.pid, $outer.argv]
		and $s1.ancestors[2:] == $outer.ancestors and $s2.ancestors[1:] == $outer.ancestors
		and $inner.ancestors[1:] == $outer.ancestors'
}

@test "-e sid,ptrace in command mode: only sid and ptrace records" {
	local want='["sid"]' trace=:

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	if command -v strace >/dev/null; then
		trace='strace -f -o /dev/null sh -c "sleep 0.05; :"'
		want='["ptrace", "sid"]'
	fi
	pw -e sid,ptrace -- sh -c "setsid sleep 0.05; $trace; :"
	[ "$status" -eq 0 ]
	no_stderr
	same "$want" '[.[].event] | unique'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# one setsid, by a child of the command
	check '[.[] | select(.event == "sid")] | length == 1 and .[0].ancestors[1].pid == $pw' --argjson pw "$PW"
}

@test "-e exec, unhurried: no lost record although the kernel drops other processes' sid events" {
	local n0 n1 busy

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# outside the tree: a setsid every few milliseconds, counted in a file
	# shellcheck disable=SC2016
	sh -c 'while [ ! -e "$STOP" ]; do setsid true; echo >>"$1"; done' sh "$T/sids" \
		</dev/null >/dev/null 2>&1 3>&- &
	busy=$!
	echo "$busy sh KILL" >>"$KILL_FILE"
	wait_for 10 test -s "$T/sids"
	n0=$(wc -l <"$T/sids")
	pw -e exec -- sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done'
	n1=$(wc -l <"$T/sids")
	stop_trees "$busy"
	[ "$status" -eq 0 ]
	no_stderr
	# sid events happened meanwhile, outside the tree
	[ "$n1" -gt "$n0" ]
	check 'all(.[]; .event == "exec") and length == 51'
	# every /bin/true is a child of the command's shell
	check '.[0].ppid == $pw and .[0].argv[0] == "sh"
		and all(.[1:][]; .ppid == $sh and .ancestors[0].pid == $sh and .ancestors[1].pid == $pw
			and .ancestors[-1].pid == 1)' \
		--argjson pw "$PW" --argjson sh "$(jq -s '.[0].pid' "$OUT")"
}

@test "-e exec, stalled: lost records with cpu null and a count, then procwatch goes on" {
	# the command stops procwatch, overflows its tiny receive buffer, resumes
	# it, waits for the lost record, then runs sleep 0.02 until procwatch
	# has written its exec
	# shellcheck disable=SC2016
	pw --rcvbuf=4096 -e exec -- sh -c '
		kill -STOP $PPID
		i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
		kill -CONT $PPID
		i=0
		until grep -q "\"event\":\"lost\"" "$1"; do
			i=$((i + 1)); [ $i -lt 1000 ] || exit 9; sleep 0.01
		done
		i=0
		until grep -q "\"event\":\"exec\".*\"argv\":\[\"sleep\",\"0.02\"\]" "$1"; do
			i=$((i + 1)); [ $i -lt 100 ] || exit 9; sleep 0.02
		done
		exit 5' sh "$OUT"
	[ "$status" -eq 5 ] || die "exit status $status; last records: $(jq -c '[.event, .argv, .count]' "$OUT" | tail -5)"
	no_stderr
	check 'all(.[]; .event == "exec" or .event == "lost")'
	check 'any(.[]; .event == "lost")'
	check 'all(.[] | select(.event == "lost"); (keys | sort) == ["count", "cpu", "event", "time"]
		and .cpu == null and (.count | type) == "number" and .count > 0)'
	# 300 forks, execs and exits cannot fit in 4 KiB
	check '[.[] | select(.event == "lost") | .count] | add >= 300'
	# after the loss, records again
	check '(map(.event == "lost") | index(true)) as $l
		| any(.[$l:][]; .event == "exec" and .argv == ["sleep", "0.02"])'
}
