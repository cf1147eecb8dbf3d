#!/usr/bin/env bats
# filters.bats - which records pass: --pid, --comm, --exe, --user, --under, --failed
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Most tests run procwatch in command mode with a command whose children
# differ in name, executable, user or outcome, and compare what each filter
# lets through. The --pid tests run trees in the background that fork short
# sleeps until $STOP exists. A process whose data a filter needs or a test
# checks runs 'cat GATE' (or waits for a child that does), held on a FIFO
# until procwatch has written its exec record (gate, helpers.bash): nothing
# depends on procwatch reading /proc before a guessed sleep ends. Waits for
# another process poll a condition, with a bound.

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
# "PID COMM SIGNAL" that still runs COMM gets SIGNAL; a procwatch of
# pw_start still running is stopped, and a process still held on a gate of
# a test that failed is let go.
teardown() {
	touch "$STOP"
	if [ -n "${PW_JOB:-}" ]; then
		kill "$PW_JOB" 2>/dev/null || true
		wait "$PW_JOB" 2>/dev/null || true
	fi
	kill_recorded
	release_left_gates
}

# pw ARGS...: run procwatch -f json ARGS under a 20 s guard, stdout to $OUT,
# stderr to $OUT.err; sets $status and $PW (procwatch's pid). Every line of
# $OUT is checked by jq.
pw() {
	status=0
	timeout 20 sh -c 'echo $$ >"$0"; exec "$@"' "$T/pw.pid" \
		"$PROCWATCH" -f json "$@" </dev/null >"$OUT" 2>"$OUT.err" 3>&- || status=$?
	pw_ended 20
}

# pw_ended GUARD: after procwatch ran under a guard of GUARD seconds: sets
# $PW and checks every line of $OUT with jq.
pw_ended() {
	PW=$(<"$T/pw.pid")
	[ "$status" -ne 124 ] || die "procwatch was still running after $1 s"
	if [ -s "$OUT" ]; then
		jq_lines "$OUT"
	fi
}

# pw_start ARGS...: pw ARGS with procwatch in the background (under a 60 s
# guard, the bound of the waits for it); pw_finish waits for it and sets
# what pw sets.
pw_start() {
	timeout 60 sh -c 'echo $$ >"$0"; exec "$@"' "$T/pw.pid" \
		"$PROCWATCH" -f json "$@" </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	PW_JOB=$!
}

pw_finish() {
	status=0
	wait "$PW_JOB" || status=$?
	PW_JOB=
	pw_ended 60
}

# pw_abort: stop the procwatch of pw_start and show what it wrote.
pw_abort() {
	kill "$PW_JOB" 2>/dev/null || true
	wait "$PW_JOB" 2>/dev/null || true
	PW_JOB=
	printf 'procwatch wrote:\n' >&2
	cat "$OUT" "$OUT.err" >&2
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

# pw_await FILTER [JQ_ARGS...]: wait (bounded) until the complete lines of
# $OUT make FILTER true; fails, stopping the procwatch of pw_start, when it
# ends first or time runs out.
pw_await() {
	if wait_for 60 out_has_or_ended "$@" && out_has "$@"; then
		return 0
	fi
	pw_abort
	return 1
}

out_has_or_ended() {
	out_has "$@" || ! kill -0 "$PW_JOB" 2>/dev/null
}

# hold_until GATE FILTER [JQ_ARGS...]: pw_await FILTER, then release GATE.
hold_until() {
	local g=$1

	shift
	pw_await "$@" || return 1
	release_gate "$g" || { pw_abort; return 1; }
}

# pw_hold HOLDS ARGS...: pw ARGS with procwatch in the background, letting
# go the processes that the command holds on gates, in the order it runs
# them. HOLDS has one word per gate: ARGV0=GATE for a process 'ARGV0 GATE'
# that is to pass the filters: wait until $OUT holds its exec record, then
# release it; -GATE for one that is not: release it at once. No record can
# show that procwatch has read that one, and none needs to: what procwatch
# could not read of an exec stays unknown (name, executable, command line)
# or comes from events (ids, lineage), which lets no process through a
# filter that it does not pass.
pw_hold() {
	local -a holds
	local h

	read -r -a holds <<<"$1"
	shift
	pw_start "$@"
	for h in "${holds[@]}"; do
		if [ "${h:0:1}" = - ]; then
			release_gate "${h:1}" || { pw_abort; return 1; }
		else
			hold_until "${h#*=}" 'any(.[]; .event == "exec" and .argv == [$a, $g])' \
				--arg a "${h%%=*}" --arg g "${h#*=}" || return 1
		fi
	done
	pw_finish
}

# holds PASSING ARGV0=GATE...: the HOLDS of pw_hold for the processes
# 'ARGV0 GATE' that a command runs in this order, of which those whose
# numbers (from 1) PASSING lists are to pass the filters.
holds() {
	local pass=" $1 " i=0 w out=

	shift
	for w; do
		i=$((i + 1))
		if [[ $pass == *" $i "* ]]; then
			out+=" $w"
		else
			out+=" -${w#*=}"
		fi
	done
	printf '%s\n' "${out# }"
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

# start_tree DIR [GATE FILE]: a tree that forks a sleep every 20 ms (the
# pace of a busy tree, not a wait) until $STOP exists, in itself and in a
# subshell that is running before the call returns. With GATE and FILE,
# the first child that the root forks once FILE is not empty (procwatch
# has written a record) is 'cat GATE' instead: it comes a few records
# after the first. The pids of the children go to DIR/kids.root and
# DIR/kids.sub, the subshell's to DIR/sub. Sets $TREE to the tree's pid.
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
		held=$2
		while [ ! -e "$STOP" ]; do
			if [ -n "$held" ] && [ -s "$3" ]; then
				cat "$held" & echo $! >>"$d/kids.root"; wait $!
				held=
			else
				sleep 0.02 & echo $! >>"$d/kids.root"; wait $!
			fi
		done
		wait' tree "$d" "${2:-}" "${3:-}" </dev/null >/dev/null 2>&1 3>&- &
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
	local a b g

	g=$(gate g)
	start_tree "$T/a" "$g" "$OUT"
	a=$TREE
	start_tree "$T/b"
	b=$TREE
	# the held cat starts after procwatch's first record: -n leaves room for
	# the backlog procwatch may write before it (about 300 records a second)
	pw_start -p "$a" -n 400
	hold_until "$g" 'any(.[]; .event == "exec" and .argv == ["cat", $g])' --arg g "$g"
	pw_finish
	stop_trees "$a" "$b"
	[ "$status" -eq 0 ]
	no_stderr
	local -a args=(
		--argjson root "$a" --argjson sub "$(<"$T/a/sub")"
		--argjson kroot "$(pids "$T/a/kids.root")" --argjson ksub "$(pids "$T/a/kids.sub")"
		--argjson other "$(jq -sc . "$T/b/kids.root" "$T/b/kids.sub" <(echo "$b" "$(<"$T/b/sub")"))"
	)
	check 'length == 400' "${args[@]}"
	# every record is about the tree: the root, its subshell or a child of either
	check '([.[].pid] | unique) - ([$root, $sub] + $kroot + $ksub) == []' "${args[@]}"
	check 'all(.[]; .pid == $root or any(.ancestors[]; .pid == $root))' "${args[@]}"
	# the subshell ran before procwatch; its children were forked later
	check 'any(.[]; .event == "fork" and (.pid as $p | $ksub | index([$p]))
		and .ppid == $sub and .ancestors[0].pid == $sub and .ancestors[1].pid == $root)' "${args[@]}"
	check 'any(.[]; .event == "exec" and .argv == ["cat", $g] and (.pid as $p | $kroot | index([$p]))
		and .ppid == $root and .ancestors[0].pid == $root)' "${args[@]}" --arg g "$g"
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
	local last=/proc/sys/kernel/ns_last_pid root c u pw i g

	[ "$(id -u)" -eq 0 ] || skip "needs root to write $last"
	[ -e "$last" ] || skip "$last does not exist (CONFIG_CHECKPOINT_RESTORE is off)"
	(cat "$last" >"$last") 2>/dev/null || skip "$last is not writable here"
	mkfifo "$T/go"
	g=$(gate g)
	# the root: a child C, sleeps until told procwatch is ready (the sleeps
	# are what shows procwatch the tree), reaps C, then forks nothing until
	# the fifo is written; then a child held on the gate
	# shellcheck disable=SC2016
	sh -c '
		sleep 1000 & echo $! >"$1/c.tmp"; mv "$1/c.tmp" "$1/c"
		while [ ! -e "$1/ready" ]; do sleep 0.02; done
		wait
		read x <"$1/go"
		cat "$2"' root "$T" "$g" </dev/null >/dev/null 2>&1 3>&- &
	root=$!
	echo "$root sh KILL" >>"$KILL_FILE"
	wait_for 10 test -s "$T/c"
	c=$(<"$T/c")
	echo "$c sleep KILL" >>"$KILL_FILE"
	"$PROCWATCH" -f json -p "$root" </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	pw=$!
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	wait_for 10 out_has 'any(.[]; .event == "fork" and .ppid == $root)' --argjson root "$root"
	touch "$T/ready"
	kill -KILL "$c"
	wait_for 10 out_has 'any(.[]; .event == "exit" and .pid == $c)' --argjson c "$c"
	# C is reaped: its pid is free
	wait_for 10 test ! -e "/proc/$c"
	# an unrelated process, a child of this shell, gets C's pid (another
	# process may take it first: try again)
	for ((i = 0; i < 50; i++)); do
		echo $((c - 1)) >"$last"
		# it lives a little, as a process that procwatch must not report:
		# nothing here waits for it to be read
		sh -c 'sleep 0.05; :' 3>&- &
		u=$!
		wait "$u"
		[ "$u" -ne "$c" ] || break
	done
	[ "$u" -eq "$c" ] || die "pid $c could not be reused"
	# the tree moves on: the exec of its held child shows procwatch has read
	# past the reuse
	echo >"$T/go"
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	release_gate "$g"
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
	check 'any(.[]; .event == "exec" and .argv == ["cat", $g] and .ppid == $root)' "${args[@]}" --arg g "$g"
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

# The comm and exe tests: three cats under the command, each held on a
# gate, told apart by argv[0]: cat (comm cat), a copy at $T/bin/cat (comm
# cat, another exe) and a copy at $T/bin/nap (comm nap).
copies() {
	mkdir -p "$T/bin"
	cp "$(command -v cat)" "$T/bin/cat"
	cp "$(command -v cat)" "$T/bin/nap"
	gate cat1 >/dev/null
	gate cat2 >/dev/null
	gate cat3 >/dev/null
}

# pw_cats PASSING ARGS...: procwatch ARGS on the three cats, of which those
# numbered in PASSING (1 cat, 2 $T/bin/cat, 3 $T/bin/nap) are to pass the
# filters; the command succeeds.
pw_cats() {
	local pass=$1

	shift
	# shellcheck disable=SC2016
	pw_hold "$(holds "$pass" "cat=$T/cat1" "$T/bin/cat=$T/cat2" "$T/bin/nap=$T/cat3")" \
		"$@" -- sh -c 'cat "$2"; "$1/cat" "$3"; "$1/nap" "$4"; :' sh "$T/bin" "$T/cat1" "$T/cat2" "$T/cat3"
	[ "$status" -eq 0 ]
	no_stderr
}

@test "--comm PATTERN: only processes whose name matches; repeating the option ORs" {
	copies
	pw_cats "1 2" --comm cat
	same '[["exec","cat"],["exit","cat"],["exec",$b+"/cat"],["exit",$b+"/cat"]]' \
		'[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .comm == "cat")'
	# globs, two of them
	pw_cats "1 2 3" --comm 'c?t*' --comm '[n]a[p]'
	same '[["exec","cat"],["exit","cat"],["exec",$b+"/cat"],["exit",$b+"/cat"],
		["exec",$b+"/nap"],["exit",$b+"/nap"]]' '[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	# a pattern must match the whole name
	pw_cats "" --comm ca --comm 'ap'
	[ ! -s "$OUT" ]
}

@test "--exe PATTERN: only processes whose executable matches; repeating ORs" {
	copies
	pw_cats "2 3" --exe "$T/bin/*"
	same '[["exec",$b+"/cat"],["exit",$b+"/cat"],["exec",$b+"/nap"],["exit",$b+"/nap"]]' \
		'[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .exe | startswith($b + "/"))' --arg b "$T/bin"
	pw_cats "1 3" --exe "$(readlink -f "$(command -v cat)")" --exe '*/nap'
	same '[["exec","cat"],["exit","cat"],["exec",$b+"/nap"],["exit",$b+"/nap"]]' \
		'[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
}

@test "--comm and --exe together: both must match" {
	copies
	pw_cats 2 --comm cat --exe "$T/bin/*"
	same '[["exec",$b+"/cat"],["exit",$b+"/cat"]]' '[.[] | [.event, .argv[0]]]' --arg b "$T/bin"
	check "$FULL_CHAIN" --argjson pw "$PW"
	# each alone matches something, together nothing
	pw_cats "" --comm nap --exe '/usr/*'
	[ ! -s "$OUT" ]
}

# The user tests: setpriv runs a shell as uid 65534 (real and effective),
# which runs 'cat U1'; then 'cat U2' with only the effective uid 65534; then
# 'cat U3' that stays root, each held on its gate. (setpriv's own exec is
# not checked: it changes its uid and execs at once, before its /proc entry
# can be read.)
U_SH='cat "$1"; :'

# open_to_others: the gates of this test, for a cat of uid 65534 (whose
# group stays root's): the directories above them up to the run's own
# temporary directory opened for traversal.
open_to_others() {
	local d=$T

	while [ -n "$d" ] && [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod go+x "$d"
		d=$(dirname "$d")
	done
}

# pw_users PASSING ARGS...: procwatch ARGS on that command, of which the
# cats numbered in PASSING (1 to 3) are to pass the filters.
pw_users() {
	local pass=$1 n

	shift
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root to change uids"
	U1=$T/u1 U2=$T/u2 U3=$T/u3
	for n in u1 u2 u3; do
		[ -p "$T/$n" ] || gate "$n" >/dev/null
	done
	open_to_others
	# shellcheck disable=SC2016
	pw_hold "$(holds "$pass" "cat=$U1" "cat=$U2" "cat=$U3")" "$@" -- sh -c '
		setpriv --reuid=65534 sh -c "$1" sh "$2"
		setpriv --euid=65534 cat "$3"
		cat "$4"
		:' sh "$U_SH" "$U1" "$U2" "$U3"
	[ "$status" -eq 0 ]
	no_stderr
}

# What -u 65534 lets through, by number or by name.
check_65534() {
	local -a args=(--arg c "$U_SH" --arg g1 "$U1" --arg g2 "$U2" --arg g3 "$U3")

	check 'all(.[]; .uid == 65534 or .euid == 65534)'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# the shell that runs as 65534, the fork it made, its cat
	check '(.[] | select(.event == "exec" and .argv == ["sh", "-c", $c, "sh", $g1])) as $sh
		| $sh.uid == 65534 and $sh.euid == 65534
		and any(.[]; .event == "fork" and .ppid == $sh.pid and .uid == 65534)
		and any(.[]; .event == "exec" and .argv == ["cat", $g1] and .ppid == $sh.pid and .uid == 65534)
		and any(.[]; .event == "exit" and .argv == ["cat", $g1])' "${args[@]}"
	# the cat that has 65534 only as its effective uid
	check 'any(.[]; .event == "exec" and .argv == ["cat", $g2] and .uid == 0 and .euid == 65534)
		and any(.[]; .event == "exit" and .argv == ["cat", $g2])' "${args[@]}"
	# the uid changes themselves, with the new ids
	check '[.[] | select(.event == "uid") | [.uid, .euid]] == [[65534, 65534], [0, 65534]]'
	# nothing that stays root
	check 'all(.[]; .argv != ["cat", $g3]) and all(.[] | select(.event == "fork"); .uid == 65534)' "${args[@]}"
}

@test "-u UID: processes whose real or effective uid is UID" {
	pw_users "1 2" -u 65534
	check_65534
}

@test "-u NAME: by user name, the same as by number" {
	local name

	name=$(getent passwd 65534 | cut -d: -f1)
	[ -n "$name" ] || skip "uid 65534 has no name here"
	pw_users "1 2" --user="$name"
	check_65534
}

@test "-u 0: not the exec of a process that became 65534; by name too" {
	local opt

	for opt in "-u 0" "--user=0" "-u root"; do
		# shellcheck disable=SC2086
		pw_users "2 3" $opt
		check 'all(.[]; .uid == 0 or .euid == 0)'
		check "$FULL_CHAIN" --argjson pw "$PW"
		check 'all(.[]; .argv != ["cat", $g1])' --arg g1 "$U1"
		# the real uid is still 0 in the second cat
		check 'any(.[]; .event == "exec" and .argv == ["cat", $g2] and .uid == 0 and .euid == 65534)
			and any(.[]; .event == "exec" and .argv == ["cat", $g3] and .uid == 0 and .euid == 0)
			and any(.[]; .event == "exit" and .argv == ["cat", $g3])' --arg g2 "$U2" --arg g3 "$U3"
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
# directory of its own, each run 'cat GATE' (UNDER1, UNDER2) and wait for
# it; the command runs its own (UNDER3). Each cat is held on its gate.
pw_under() {
	local pass=$1 n

	shift
	mkdir -p "$T/under-exe"
	printf '#!/bin/sh\ncat "$1"\nexit 0\n' >"$T/pw-under-marker"
	chmod 755 "$T/pw-under-marker"
	cp "$(readlink -f "$(command -v sh)")" "$T/under-exe/sh"
	UNDER1=$T/under1 UNDER2=$T/under2 UNDER3=$T/under3
	for n in under1 under2 under3; do
		[ -p "$T/$n" ] || gate "$n" >/dev/null
	done
	# shellcheck disable=SC2016
	pw_hold "$(holds "$pass" "cat=$UNDER1" "cat=$UNDER2" "cat=$UNDER3")" "$@" -- sh -c '
		"$1/pw-under-marker" "$2"
		"$1/under-exe/sh" -c "cat \"\$1\"; :" sh "$3"
		cat "$4"
		:' sh "$T" "$UNDER1" "$UNDER2" "$UNDER3"
	[ "$status" -eq 0 ]
	no_stderr
}

# UNDER_ONLY (with --arg g GATE): the records are the fork, exec and exit of
# one process that runs 'cat GATE', the child of the process that matched.
UNDER_ONLY='map(.event) == ["fork", "exec", "exit"] and ([.[].pid] | unique | length) == 1
	and .[1].argv == ["cat", $g] and .[2].argv == ["cat", $g]'

@test "--under PATTERN: only processes with an ancestor whose comm matches" {
	pw_under 1 --under pw-under-marker
	check "$UNDER_ONLY" --arg g "$UNDER1"
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .ancestors[0].comm == "pw-under-marker" and .ancestors[0].pid == .ppid)'
	# a glob
	pw_under 1 --under 'pw-under-mark*'
	check "$UNDER_ONLY" --arg g "$UNDER1"
}

@test "--under PATTERN: an ancestor whose executable matches" {
	pw_under 2 --under "$T/under-exe/*"
	check "$UNDER_ONLY" --arg g "$UNDER2"
	check "$FULL_CHAIN" --argjson pw "$PW"
	check 'all(.[]; .ancestors[0].exe == $exe and .ancestors[0].comm == "sh")' --arg exe "$T/under-exe/sh"
	# repeated: either
	pw_under "1 2" --under "$T/under-exe/*" --under pw-under-marker
	check 'map(select(.event == "exec") | .argv) == [["cat", $g1], ["cat", $g2]]
		and length == 6' --arg g1 "$UNDER1" --arg g2 "$UNDER2"
}

@test "--under with --ancestors 0: filtered on the lineage that is not printed" {
	pw_under 1 --under pw-under-marker --ancestors 0
	check 'map(.event) == ["fork", "exec", "exit"] and ([.[].pid] | unique | length) == 1
		and .[1].argv == ["cat", $g]' --arg g "$UNDER1"
	check 'all(.[]; has("ancestors") | not) and all(.[]; (.parent_key | type) == "string")'
}

# The --failed tests: children that exit 3, are killed, exit 0, and a
# script named pw-failer: a subshell of it exits 5, then it waits for a
# cat held on a gate and exits 4; the command exits 6. The subshell's
# exit passes every filter used here, so its record shows that procwatch
# has read the exec of pw-failer while pw-failer was alive: then the gate
# is released.
pw_failed() {
	printf '#!/bin/sh\n(exit 5)\ncat "$1"\nexit 4\n' >"$T/pw-failer"
	chmod 755 "$T/pw-failer"
	[ -p "$T/failer" ] || gate failer >/dev/null
	# shellcheck disable=SC2016
	pw_start "$@" -- sh -c '
		sh -c "exit 3"
		{ sh -c "kill -KILL \$\$"; } 2>/dev/null
		sh -c "exit 0"
		"$1/pw-failer" "$2"
		exit 6' sh "$T" "$T/failer"
	hold_until "$T/failer" 'any(.[]; .event == "exit" and .exit_code == 5)'
	pw_finish
	[ "$status" -eq 6 ]
	no_stderr
}

@test "--failed: only exits with a non-zero code or a signal" {
	pw_failed --failed
	same '[[3, null], [null, "SIGKILL"], [5, null], [4, null], [6, null]]' '[.[] | [.exit_code, .signal]]'
	check 'all(.[]; .event == "exit")'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# the third is the script's subshell, the fourth the script, the last the command itself
	check '.[2].comm == "pw-failer" and .[2].ppid == .[3].pid
		and .[3].comm == "pw-failer" and .[3].ppid == .[4].pid and .[4].ppid == $pw' --argjson pw "$PW"
}

@test "--failed with --comm: both apply" {
	pw_failed --failed --comm pw-failer
	same '[["exit", 5, "pw-failer"], ["exit", 4, "pw-failer"]]' '[.[] | [.event, .exit_code, .comm]]'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# --comm alone: its exec, the fork and exit of its subshell and the fork
	# of its cat (the name is inherited), and its exit
	pw_failed --comm pw-failer
	same '[["exec", null], ["fork", null], ["exit", 5], ["fork", null], ["exit", 4]]' '[.[] | [.event, .exit_code]]'
}

@test "--pid with --failed: only failed exits inside the tree" {
	local a b

	# two busy loops (the sleep paces them); only exit records, from the
	# table, are checked
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
	local p1 p2 g1 g2

	mkdir -p "$T/bin"
	# two copies of cat, held on gates until both runs are done
	cp "$(command -v cat)" "$T/bin/pw-snapnap"
	g1=$(gate g1)
	g2=$(gate g2)
	"$T/bin/pw-snapnap" "$g1" </dev/null >/dev/null 2>&1 3>&- &
	p1=$!
	"$T/bin/pw-snapnap" "$g2" </dev/null >/dev/null 2>&1 3>&- &
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
	release_gate "$g1"
	release_gate "$g2"
	wait "$p1"
	wait "$p2"
}

@test "-e exec (kernel-side mask): exec records with complete ancestry for a command tree" {
	local g1 g2 outer inner='cat "$1"; :'

	g1=$(gate g1)
	g2=$(gate g2)
	# the inner shell waits for its cat, the outer one for both shells and cats
	# shellcheck disable=SC2016
	outer='sh -c "$1" sh "$2"; cat "$3"; :'
	pw_hold "cat=$g1 cat=$g2" -e exec -- sh -c "$outer" sh "$inner" "$g1" "$g2"
	[ "$status" -eq 0 ]
	no_stderr
	check 'all(.[]; .event == "exec") and length == 4'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# the table followed the forks: each exec's parent is the shell that forked it
	check '.[0] as $outer | .[1] as $inner | .[2] as $s1 | .[3] as $s2
		| $outer.argv == ["sh", "-c", $o, "sh", $i, $g1, $g2] and $outer.ppid == $pw
		and $inner.argv == ["sh", "-c", $i, "sh", $g1] and $inner.ppid == $outer.pid
		and $s1.argv == ["cat", $g1] and $s1.ppid == $inner.pid
		and $s2.argv == ["cat", $g2] and $s2.ppid == $outer.pid' --argjson pw "$PW" \
		--arg o "$outer" --arg i "$inner" --arg g1 "$g1" --arg g2 "$g2"
	check '.[0] as $outer | .[1] as $inner | .[2] as $s1 | .[3] as $s2
		| [$s1.ancestors[0:2][] | [.pid, .argv]] == [[$inner.pid, $inner.argv], [$outer.pid, $outer.argv]]
		and [$s2.ancestors[0] | .pid, .argv] == [$outer.pid, $outer.argv]
		and $s1.ancestors[2:] == $outer.ancestors and $s2.ancestors[1:] == $outer.ancestors
		and $inner.ancestors[1:] == $outer.ancestors'
}

@test "-e sid,ptrace in command mode: only sid and ptrace records" {
	local want='["sid"]' trace=:

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# what the traced and the setsid process run does not matter: only the
	# ptrace and sid events, from the table, are checked
	if command -v strace >/dev/null; then
		trace='strace -f -o /dev/null sh -c "/bin/true; :"'
		want='["ptrace", "sid"]'
	fi
	pw -e sid,ptrace -- sh -c "setsid /bin/true; $trace; :"
	[ "$status" -eq 0 ]
	no_stderr
	same "$want" '[.[].event] | unique'
	check "$FULL_CHAIN" --argjson pw "$PW"
	# one setsid, by a child of the command
	check '[.[] | select(.event == "sid")] | length == 1 and .[0].ancestors[1].pid == $pw' --argjson pw "$PW"
}

@test "-e exec, unhurried: no lost record although the kernel drops other processes' sid events" {
	local n0 n1 busy g

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# outside the tree: a setsid every few milliseconds, counted in a file
	# shellcheck disable=SC2016
	sh -c 'while [ ! -e "$STOP" ]; do setsid true; echo >>"$1"; done' sh "$T/sids" \
		</dev/null >/dev/null 2>&1 3>&- &
	busy=$!
	echo "$busy sh KILL" >>"$KILL_FILE"
	wait_for 10 test -s "$T/sids"
	n0=$(wc -l <"$T/sids")
	# the shell, whose command line is checked, is held while it waits for a cat on a gate
	g=$(gate g)
	# shellcheck disable=SC2016
	pw_hold "cat=$g" -e exec -- sh -c 'cat "$1"; i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done' sh "$g"
	n1=$(wc -l <"$T/sids")
	stop_trees "$busy"
	[ "$status" -eq 0 ]
	no_stderr
	# sid events happened meanwhile, outside the tree
	[ "$n1" -gt "$n0" ]
	check 'all(.[]; .event == "exec") and length == 52'
	# the cat and every /bin/true are children of the command's shell
	check '.[0].ppid == $pw and .[0].argv[0] == "sh" and .[1].argv == ["cat", $g]
		and all(.[1:][]; .ppid == $sh and .ancestors[0].pid == $sh and .ancestors[1].pid == $pw
			and .ancestors[-1].pid == 1)' \
		--argjson pw "$PW" --argjson sh "$(jq -s '.[0].pid' "$OUT")" --arg g "$g"
}

# lost_records: how many lost records the complete lines of $OUT hold.
lost_records() {
	sed '$!b; /[}]$/!d' "$OUT" | jq -s '[.[] | select(.event == "lost")] | length'
}

@test "-e exec, stalled: lost records with cpu null and a count, then procwatch goes on" {
	local g i l

	g=$(gate g)
	# the command stops procwatch, overflows its tiny receive buffer, resumes
	# it, waits for the lost record (polling, with a bound), then runs 'cat
	# GATE' until it is told that procwatch has written the exec of one
	# shellcheck disable=SC2016
	pw_start --rcvbuf=4096 -e exec -- sh -c '
		kill -STOP $PPID
		i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
		kill -CONT $PPID
		i=0
		until grep -q "\"event\":\"lost\"" "$1"; do
			i=$((i + 1)); [ $i -lt 1000 ] || exit 9; sleep 0.01
		done
		i=0
		until [ -e "$3" ]; do
			i=$((i + 1)); [ $i -le 20 ] || exit 9
			cat "$2"
		done
		exit 5' sh "$OUT" "$g" "$T/seen"
	pw_await 'any(.[]; .event == "lost")'
	# each cat is held until its exec record is out; a cat whose exec may
	# have been lost too (the buffer is still tiny) is let go for another
	for ((i = 0; i < 20; i++)); do
		l=$(lost_records)
		pw_await 'any(.[]; .event == "exec" and .argv == ["cat", $g])
			or ([.[] | select(.event == "lost")] | length) > $l' --arg g "$g" --argjson l "$l"
		if out_has 'any(.[]; .event == "exec" and .argv == ["cat", $g])' --arg g "$g"; then
			touch "$T/seen"
			release_gate "$g"
			break
		fi
		release_gate "$g"
	done
	pw_finish
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
		| any(.[$l:][]; .event == "exec" and .argv == ["cat", $g])' --arg g "$g"
}
