#!/usr/bin/env bats
# logfile.bats - -o FILE, logrotate, --stats, --duration
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Most tests run procwatch in command mode, so that only the command's own
# tree is reported. A process whose exec record a test checks, or that must
# outlive a step of the test, runs 'cat GATE' on a FIFO (helpers.bash) and
# is let go once procwatch has written its exec record: a shell is held by
# the cat it waits for. Waits for another process poll a condition, with a
# bound.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	OUT=$T/out
	LOG=$T/log
	KILL_FILE=$T/kill-at-teardown
	STATS_RE='^procwatch: stats: fork=[0-9]+ exec=[0-9]+ exit=[0-9]+ uid=[0-9]+ gid=[0-9]+ sid=[0-9]+ ptrace=[0-9]+ comm=[0-9]+ coredump=[0-9]+ written=[0-9]+ filtered=[0-9]+ lost=[0-9]+ dropped=[0-9]+ missing=[0-9]+ exec_source=(proc|bpf joined=[0-9]+ unmatched=[0-9]+ forks=[0-9]+ forks_unmatched=[0-9]+ ring_lost=[0-9]+ ring_full=[0-9]+ fault=[0-9]+ bound=[0-9]+ orphans=[0-9]+ malformed=[0-9]+)$'
}

# Processes listed in $KILL_FILE as "PID COMM SIGNAL" that still run COMM
# get SIGNAL; then a cat still held on a gate of a failed test is let go.
teardown() {
	local pid comm sig

	if [ -f "$KILL_FILE" ]; then
		while read -r pid comm sig; do
			if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
				kill -"$sig" "$pid" 2>/dev/null || true
				wait "$pid" 2>/dev/null || true
			fi
		done <"$KILL_FILE"
	fi
	release_left_gates
}

# pw ARGS...: run procwatch ARGS under a 20 s guard, stdout to $OUT, stderr
# to $OUT.err; sets $status and $PW (procwatch's pid).
pw() {
	status=0
	timeout 20 sh -c 'echo $$ >"$0"; exec "$@"' "$T/pw.pid" \
		"$PROCWATCH" "$@" </dev/null >"$OUT" 2>"$OUT.err" 3>&- || status=$?
	PW=$(<"$T/pw.pid")
	[ "$status" -ne 124 ] || die "procwatch was still running after 20 s"
}

# pw_bg ARGS...: start procwatch ARGS in the background, stdout to $OUT,
# stderr to $OUT.err; sets $PW. If the test fails, teardown stops it and
# lets go a cat of its command still held on a gate.
pw_bg() {
	"$PROCWATCH" "$@" </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	PW=$!
	echo "$PW procwatch TERM" >>"$KILL_FILE"
}

# pw_wait: wait for the background procwatch; sets $status.
pw_wait() {
	status=0
	wait "$PW" || status=$?
}

# gone PID: PID has ended (a zombie not yet waited for counts).
gone() {
	local state

	state=$(stat_field "$1" 3 2>/dev/null) || return 0
	[ "$state" = Z ]
}

# pw_end: wait for the background procwatch, which must end within 20 s;
# sets $status.
pw_end() {
	wait_for 20 gone "$PW" || die "procwatch was still running after 20 s"
	pw_wait
}

# pw_gated FILE GATES ARGS...: pw_bg ARGS, then for each gate of GATES
# (paths separated by spaces) in turn: wait until FILE, where ARGS send the
# records, holds the exec record of 'cat GATE', and release it. Then pw_end.
pw_gated() {
	local file=$1 g
	local -a gates

	read -r -a gates <<<"$2"
	shift 2
	pw_bg "$@"
	for g in "${gates[@]}"; do
		if ! wait_for 60 seen_exec_of_gate "$file" "$g" || ! release_gate "$g"; then
			printf 'procwatch wrote:\n' >&2
			cat "$file" "$OUT.err" >&2
			return 1
		fi
	done
	pw_end
}

# execs_of_gate FILE GATE N: the whole lines of FILE so far hold at least N
# exec records of 'cat GATE'.
execs_of_gate() {
	has "$1" '[.[] | select(.event == "exec" and .argv == ["cat", $g])] | length >= $n' \
		--arg g "$2" --argjson n "$3"
}

# writes_to PATH: $PW has PATH open (after a reopen, the new file's name;
# the old file, moved away, shows its new name).
writes_to() {
	local fd

	for fd in "/proc/$PW/fd/"*; do
		[ "$(readlink "$fd")" != "$1" ] || return 0
	done
	return 1
}

# grown FILE SIZE: FILE is larger than SIZE bytes.
grown() {
	[ "$(stat -c %s "$1")" -gt "$2" ]
}

# check FILE FILTER [JQ_ARGS...]: FILTER, applied to the array of all records
# of FILE, must give true.
check() {
	local file=$1 filter=$2

	shift 2
	if ! jq -e -s "$@" "$filter" "$file" >/dev/null; then
		printf 'not true: %s\nrecords of %s:\n' "$filter" "$file" >&2
		jq -c '[.event, .pid, .ppid, .argv, .exit_code, .signal]' "$file" >&2
		return 1
	fi
}

no_stdout() {
	[ ! -s "$OUT" ] || die "unexpected stdout: $(head -c 2000 "$OUT")"
}

# one_stderr_line_naming WORD: exactly one line on stderr, a "procwatch: "
# message that names WORD.
one_stderr_line_naming() {
	local -a lines

	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr, got ${#lines[@]}: $(cat "$OUT.err")"
	[[ ${lines[0]} == "procwatch: "*"$1"* ]] || die "not a procwatch message naming $1: ${lines[0]}"
}

# usage_error WORD: exit status 2, nothing on stdout, and on stderr a line
# naming WORD, then the hint.
usage_error() {
	local -a lines

	[ "$status" -eq 2 ] || die "exit status $status, expected 2"
	no_stdout
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 2 ] || die "expected two lines on stderr: $(cat "$OUT.err")"
	[[ ${lines[0]} == "procwatch: "*"$1"* ]] || die "first line does not name '$1': ${lines[0]}"
	[ "${lines[1]}" = "Try 'procwatch --help' for more information." ] || die "no hint: ${lines[1]}"
}

# has FILE FILTER [JQ_ARGS...]: the complete lines of FILE so far make
# FILTER true over the array of their records.
has() {
	local file=$1 filter=$2

	shift 2
	[ -s "$file" ] && sed '$!b; /[}]$/!d' "$file" | jq -e -s "$@" "$filter" >/dev/null 2>&1
}

running() {
	kill -0 "$1" 2>/dev/null
}

# stats_field LINE NAME: the value of NAME=N in a stats line.
stats_field() {
	local v

	v=$(printf '%s\n' "$1" | grep -oE " $2=[0-9]+" | cut -d= -f2)
	[ -n "$v" ] || die "no $2 in: $1"
	printf '%s\n' "$v"
}

# The command of the rotation tests, with the arguments FLAG GATE MARK:
# 'cat GATE' again and again until FLAG exists, then the marker, 'cat MARK'.
# Each cat is held until the test lets it go, so each step of the test
# knows which records are out: those up to the exec of the cat held.
# shellcheck disable=SC2016
ROTATED_CMD=(sh -c 'while [ ! -e "$1" ]; do cat "$2"; done; cat "$3"; :' sh)

# rotated_gates: make the gates $G and $M. The arguments of ROTATED_CMD
# are then "$T/rotated" "$G" "$M".
rotated_gates() {
	G=$(gate g)
	M=$(gate m)
}

# rotated_start: procwatch -o $LOG -- ROTATED_CMD in the background; once
# the exec record of the first 'cat $G' is in $LOG, with that cat held.
rotated_start() {
	rotated_gates
	pw_bg -o "$LOG" -- "${ROTATED_CMD[@]}" "$T/rotated" "$G" "$M"
	wait_for 60 execs_of_gate "$LOG" "$G" 1
}

# rotated_end FILE: with one 'cat $G' held and its exec record written,
# end ROTATED_CMD: let that cat go with $T/rotated there, then the marker
# once FILE has its exec record; wait for procwatch.
rotated_end() {
	touch "$T/rotated"
	release_gate "$G"
	wait_for 60 execs_of_gate "$1" "$M" 1
	release_gate "$M"
	pw_wait
}

# rotated_ok OLD NEW: across OLD and NEW, in that order, the records of the
# command's run: each once, nothing lost, the marker in NEW only.
rotated_ok() {
	local old=$1 new=$2 all=$T/all

	jq_lines "$old"
	jq_lines "$new"
	cat "$old" "$new" >"$all"
	# not a line twice
	[ -z "$(sort "$all" | uniq -d)" ] || die "duplicated records: $(sort "$all" | uniq -d)"
	# the old file begins with the fork of the command by procwatch, the new one ends with its exit
	check "$all" '.[0].event == "fork" and .[0].ppid == $pw and .[-1].event == "exit" and .[-1].key == .[0].key
		and .[-1].exit_code == 0' --argjson pw "$PW"
	# nothing lost: every process of the tree has one fork, one exec and one
	# exit (by key: under a parallel test suite, pids wrap around here)
	check "$all" '[.[] | select(.event == "fork") | .key] as $f
		| [.[] | select(.event == "exec") | .key] as $e
		| [.[] | select(.event == "exit") | .key] as $x
		| ($f | length) > 3 and ($f | unique | length) == ($f | length)
		and ($f | sort) == ($e | sort) and ($f | sort) == ($x | sort)
		and all(.[]; .event != "lost")'
	# the marker once, in the new file; the old file holds only older records
	check "$all" '[.[] | select(.event == "exec" and .argv == ["cat", $m])] | length == 1' --arg m "$M"
	check "$new" 'any(.[]; .event == "exec" and .argv == ["cat", $m])' --arg m "$M"
	[ "$(jq -rs '.[-1].time' "$old")" \< "$(jq -rs '.[0].time' "$new")" ]
}

# rotate_by_hup: with $PW running ROTATED_CMD into $LOG, its first cat
# held, rotate as logrotate's create does (mv LOG LOG.1, kill -HUP), then
# rotation_done.
rotate_by_hup() {
	mv "$LOG" "$LOG.1"
	kill -HUP "$PW"
	wait_for 10 test -e "$LOG"
	rotation_done
}

# rotation_done: $LOG was created again; let ROTATED_CMD end and check both files.
rotation_done() {
	[ "$(stat -c %a "$LOG")" = 600 ]
	# procwatch has reopened it (logrotate's create makes the file itself):
	# what happens from now on goes to the new file
	wait_for 10 writes_to "$LOG"
	# procwatch goes on writing, into the new file: the next cat
	release_gate "$G"
	wait_for 60 execs_of_gate "$LOG" "$G" 1
	running "$PW"
	rotated_end "$LOG"
	# the command ran to its end: SIGHUP was neither passed on nor fatal
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	rotated_ok "$LOG.1" "$LOG"
}

@test "-o FILE: records go to FILE, nothing to stdout; FILE is created with mode 0600" {
	local g1 g2

	g1=$(gate g1)
	g2=$(gate g2)
	pw_gated "$LOG" "$g1" -o "$LOG" -- sh -c 'cat "$1"; :' sh "$g1"
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	jq_lines "$LOG"
	check "$LOG" '.[0].event == "fork" and .[0].ppid == $pw
		and any(.[]; .event == "exec" and .argv == ["cat", $g]) and .[-1].event == "exit"' \
		--argjson pw "$PW" --arg g "$g1"
	[ "$(stat -c %a "$LOG")" = 600 ]
	# whatever the umask
	rm "$LOG"
	(
		umask 000
		pw_gated "$LOG" "$g2" --output="$LOG" -- sh -c 'cat "$1"; :' sh "$g2"
		[ "$status" -eq 0 ]
	)
	no_stdout
	no_stderr
	jq_lines "$LOG"
	[ "$(stat -c %a "$LOG")" = 600 ]
}

@test "-o FILE appends: the records of two runs, in order" {
	local n1 g1 g2 script='cat "$1"; :'

	g1=$(gate g1)
	g2=$(gate g2)
	pw_gated "$LOG" "$g1" -o "$LOG" -- sh -c "$script" sh "$g1"
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	cp "$LOG" "$T/first"
	n1=$(wc -l <"$LOG")
	pw_gated "$LOG" "$g2" -o "$LOG" -- sh -c "$script" sh "$g2"
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	jq_lines "$LOG"
	# the first run's lines are still there, unchanged, and the second run's follow
	[ "$(wc -l <"$LOG")" -gt "$n1" ]
	head -n "$n1" "$LOG" | cmp - "$T/first"
	tail -n +"$((n1 + 1))" "$LOG" >"$T/second"
	check "$T/first" '[.[] | select(.event == "exec") | .argv] == [["sh", "-c", $s, "sh", $g], ["cat", $g]]' \
		--arg s "$script" --arg g "$g1"
	check "$T/second" '[.[] | select(.event == "exec") | .argv] == [["sh", "-c", $s, "sh", $g], ["cat", $g]]
		and .[0].event == "fork" and .[0].ppid == $pw' --argjson pw "$PW" --arg s "$script" --arg g "$g2"
}

@test "-o FILE: an existing file keeps its mode and its content" {
	local g

	echo '{"earlier":true}' >"$LOG"
	chmod 644 "$LOG"
	g=$(gate g)
	pw_gated "$LOG" "$g" -o "$LOG" -- sh -c 'cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	jq_lines "$LOG"
	[ "$(stat -c %a "$LOG")" = 644 ]
	[ "$(head -n 1 "$LOG")" = '{"earlier":true}' ]
	check "$LOG" 'length > 3 and .[1].event == "fork" and .[1].ppid == $pw' --argjson pw "$PW"
}

@test "-o into a missing directory: exit 1 with one line naming the file, the command not run" {
	local file=$T/no-such-dir/log

	pw -o "$file" -- touch "$T/ran"
	[ "$status" -eq 1 ]
	no_stdout
	one_stderr_line_naming "$file"
	[ ! -e "$T/ran" ]
	[ ! -e "$file" ]
}

# on_tty OUTPUT ARGS...: run procwatch ARGS in the background on a terminal
# that script(1) gives it, what the terminal shows going to OUTPUT; sets TTY_PID.
on_tty() {
	local out=$1

	shift
	script -qec "$(printf '%q ' "$PROCWATCH" "$@")" /dev/null </dev/null >"$out" 2>&1 3>&- &
	TTY_PID=$!
}

@test "-o FILE on a terminal: json by default (and text without -o)" {
	local g1 g2

	command -v script >/dev/null || skip "script (util-linux) is not installed"
	g1=$(gate g1)
	g2=$(gate g2)
	# the check that script gives a terminal: text on it without -o
	on_tty "$T/tty" -- sh -c 'cat "$1"; :' sh "$g1"
	wait_for 60 seen_text_exec_of_gate "$T/tty" "$g1" || die "no text on the terminal: $(cat "$T/tty")"
	release_gate "$g1"
	wait "$TTY_PID"
	if grep -q '^{' "$T/tty"; then
		die "json on the terminal without -o: $(cat "$T/tty")"
	fi
	on_tty "$T/tty" -o "$LOG" -- sh -c 'cat "$1"; :' sh "$g2"
	wait_for 60 seen_exec_of_gate "$LOG" "$g2"
	release_gate "$g2"
	wait "$TTY_PID"
	[ ! -s "$T/tty" ] || die "unexpected output on the terminal: $(cat "$T/tty")"
	jq_lines "$LOG"
	check "$LOG" 'any(.[]; .event == "exec" and .argv == ["cat", $g]) and .[0].tty != null' --arg g "$g2"
}

@test "SIGHUP reopens FILE: mv FILE FILE.1, kill -HUP, as logrotate's create does" {
	rotated_start
	rotate_by_hup
}

@test "SIGHUP with -o reopens FILE also under nohup, and COMMAND still starts with SIGHUP ignored" {
	local cmd ign
	rotated_gates
	nohup "$PROCWATCH" -o "$LOG" -- "${ROTATED_CMD[@]}" "$T/rotated" "$G" "$M" </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	PW=$!
	echo "$PW procwatch TERM" >>"$KILL_FILE"
	wait_for 60 execs_of_gate "$LOG" "$G" 1
	# COMMAND's shell (alive: it waits for the cat held): SIGHUP (bit 0 of
	# SigIgn) ignored, as procwatch was started
	cmd=$(sed '$!b; /[}]$/!d' "$LOG" | jq -s 'first(.[] | select(.event == "fork" and .ppid == $pw)) | .pid' --argjson pw "$PW")
	[[ "$cmd" =~ ^[0-9]+$ ]] || die "no fork of COMMAND in $LOG"
	ign=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$cmd/status")
	[ -n "$ign" ] && [ $((0x$ign & 1)) -eq 1 ] || die "COMMAND's SigIgn: $ign"
	rotate_by_hup
}

@test "SIGHUP in the middle of a backlog: what procwatch writes after it goes to the new file" {
	local map=$T/map at_stop at_hup grown rec batch after go end
	valgrind_skip "a backlog of 18,000 events takes minutes"
	go=$(gate go)
	end=$(gate end)
	# shellcheck disable=SC2016
	pw_bg -o "$LOG" -- sh -c 'cat "$3"; "$1" /bin/true q 6000 1 0 "$2"; cat "$4"; :' \
		sh "$PW_SPAWN" "$map" "$go" "$end"
	wait_for 60 seen_exec_of_gate "$LOG" "$go"
	# a backlog: 6,000 children start and end while procwatch is stopped
	kill -STOP "$PW"
	release_gate "$go" || { kill -CONT "$PW"; return 1; }
	# the spawner's own pace: on a loaded machine 6,000 children take minutes
	wait_for 300 eval '[ -f "$map" ] && [ "$(wc -l <"$map")" -eq 6000 ]' || { kill -CONT "$PW"; return 1; }
	at_stop=$(stat -c %s "$LOG")
	kill -CONT "$PW"
	# the signal comes once procwatch has begun to write the backlog
	wait_for 10 grown "$LOG" "$at_stop"
	mv "$LOG" "$LOG.1"
	kill -HUP "$PW"
	at_hup=$(stat -c %s "$LOG.1")
	# COMMAND ends; procwatch writes the backlog up to COMMAND's exit
	release_gate "$end"
	pw_wait
	[ "$status" -eq 0 ]
	no_stderr
	# after the signal, the old file gets at most the rest of one batch
	# (4,096 events) of records, not the rest of the backlog
	grown=$(($(stat -c %s "$LOG.1") - at_hup))
	rec=$(awk 'length($0) > m { m = length($0) } END { print m + 1 }' "$LOG.1" "$LOG")
	batch=$((4096 * rec + 65536))
	after=$((grown + $(stat -c %s "$LOG")))
	[ "$after" -gt $((2 * batch)) ] ||
		skip "procwatch was through most of the backlog before the SIGHUP ($after bytes after it)"
	[ "$grown" -le "$batch" ] || die "the old file grew by $grown of the $after bytes written after SIGHUP"
	# and across the two files every record once, none lost: each child has its exit
	jq_lines "$LOG.1"
	jq_lines "$LOG"
	cat "$LOG.1" "$LOG" >"$T/all"
	[ -z "$(sort "$T/all" | uniq -d)" ] || die "records written twice"
	[ "$(jq -s '[.[] | select(.event == "lost")] | length' "$T/all")" -eq 0 ]
	run comm -23 <(cut -d' ' -f1 "$map" | sort -u) <(jq -r 'select(.event == "exit") | .pid' "$T/all" | sort -u)
	[ -z "$output" ] || die "children without an exit record: $(echo "$output" | head -5)"
}

@test "logrotate with create and a postrotate kill -HUP" {
	local conf=$T/logrotate.conf

	command -v logrotate >/dev/null || skip "logrotate is not installed"
	rotated_start
	cat >"$conf" <<-EOF
		$LOG {
		    rotate 1
		    create 0600
		    postrotate
		        kill -HUP $PW
		    endscript
		}
	EOF
	chmod 644 "$conf"
	run --separate-stderr logrotate -f -s "$T/logrotate.state" "$conf"
	[ "$status" -eq 0 ] || die "logrotate failed: $stderr"
	[ -z "$stderr" ]
	[ -z "$output" ]
	[ -s "$LOG.1" ]
	rotation_done
}

# copytruncate_start: rotated_start, then let cats go until the exec
# records of ten are in $LOG, the tenth held: enough records that the file
# is well past what comes after the truncation.
copytruncate_start() {
	local n

	rotated_start
	for n in 2 3 4 5 6 7 8 9 10; do
		release_gate "$G"
		wait_for 60 execs_of_gate "$LOG" "$G" "$n"
	done
}

# copytruncate_end: after the copy and truncation, procwatch goes on
# writing, into FILE: the next cat; then ROTATED_CMD ends.
copytruncate_end() {
	release_gate "$G"
	wait_for 60 execs_of_gate "$LOG" "$G" 1
	rotated_end "$LOG"
}

# copytruncate_ok: after the copy and truncation, FILE holds the new records
# from its first byte on: no NUL bytes, every line a record, the marker.
copytruncate_ok() {
	[ "$(tr -cd '\000' <"$LOG" | wc -c)" -eq 0 ] || die "NUL bytes in $LOG: $(od -c "$LOG" | head)"
	jq_lines "$LOG"
	jq_lines "$LOG.1"
	check "$LOG.1" '.[0].event == "fork" and .[0].ppid == $pw' --argjson pw "$PW"
	check "$LOG" '[.[] | select(.event == "exec" and .argv == ["cat", $m])] | length == 1' --arg m "$M"
	check "$LOG" '.[-1].event == "exit" and .[-1].exit_code == 0 and .[-1].ppid == $pw' --argjson pw "$PW"
	# the records after the truncation are far fewer than what the file had
	[ "$(stat -c %s "$LOG")" -lt "$(stat -c %s "$LOG.1")" ]
}

@test "copytruncate: cp FILE FILE.1 and truncate FILE, no signal: new records start FILE" {
	copytruncate_start
	cp "$LOG" "$LOG.1" && : >"$LOG"
	copytruncate_end
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	copytruncate_ok
}

@test "logrotate with copytruncate" {
	local conf=$T/logrotate.conf

	command -v logrotate >/dev/null || skip "logrotate is not installed"
	copytruncate_start
	printf '%s {\n    rotate 1\n    copytruncate\n}\n' "$LOG" >"$conf"
	chmod 644 "$conf"
	run --separate-stderr logrotate -f -s "$T/logrotate.state" "$conf"
	[ "$status" -eq 0 ] || die "logrotate failed: $stderr"
	[ -z "$stderr" ]
	copytruncate_end
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	copytruncate_ok
}

@test "--stats: one line on stderr at exit; written is the number of lines on stdout" {
	local line g

	g=$(gate g)
	pw_gated "$OUT" "$g" -f json --stats -- sh -c 'cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$OUT.err")"
	line=${lines[0]}
	[[ $line =~ $STATS_RE ]] || die "not a stats line: $line"
	[ "$(stats_field "$line" written)" -eq "$(wc -l <"$OUT")" ]
	[ "$(wc -l <"$OUT")" -eq 6 ]
	[ "$(stats_field "$line" filtered)" -eq 0 ]
	[ "$(stats_field "$line" lost)" -eq 0 ]
	[ "$(stats_field "$line" missing)" -eq "$(jq -s '[.[] | select(has("missing"))] | length' "$OUT")" ]
	# received: at least the command's and the cat's fork, exec and exit
	[ "$(stats_field "$line" fork)" -ge 2 ]
	[ "$(stats_field "$line" exec)" -ge 2 ]
	[ "$(stats_field "$line" exit)" -ge 2 ]
}

@test "--stats: filtered counts the records a filter removed" {
	local line g1 g2

	g1=$(gate g1)
	g2=$(gate g2)
	# the command's tree has six records: two forks, two execs, two exits
	pw_bg -f json --stats --comm nomatch -- sh -c 'cat "$1"; :' sh "$g1"
	# no record to wait for: none passes --comm nomatch, whatever procwatch
	# read of the cat, so the cat goes at once
	release_gate "$g1"
	pw_end
	[ "$status" -eq 0 ]
	no_stdout
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$OUT.err")"
	line=${lines[0]}
	[[ $line =~ $STATS_RE ]] || die "not a stats line: $line"
	[ "$(stats_field "$line" written)" -eq 0 ]
	[ "$(stats_field "$line" filtered)" -eq 6 ]
	# two of them pass --comm cat: the exec and the exit of the cat
	pw_gated "$OUT" "$g2" -f json --stats --comm cat -- sh -c 'cat "$1"; :' sh "$g2"
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	check "$OUT" 'map(.event) == ["exec", "exit"] and all(.[]; .argv == ["cat", $g])' --arg g "$g2"
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$OUT.err")"
	line=${lines[0]}
	[[ $line =~ $STATS_RE ]] || die "not a stats line: $line"
	[ "$(stats_field "$line" written)" -eq 2 ]
	[ "$(stats_field "$line" filtered)" -eq 4 ]
}

# stats_lines N: $OUT.err has N stats lines.
stats_lines() {
	[ "$(grep -c '^procwatch: stats: ' "$OUT.err")" -eq "$1" ]
}

@test "--stats: SIGUSR1 prints the line without stopping procwatch" {
	local -a lines
	local g m

	g=$(gate g)
	m=$(gate m)
	# two cats on the gate g, one after the other, then the marker on m
	# shellcheck disable=SC2016
	pw_bg -f json --stats -- sh -c 'cat "$1"; cat "$1"; cat "$2"; :' sh "$g" "$m"
	wait_for 60 execs_of_gate "$OUT" "$g" 1
	kill -USR1 "$PW"
	wait_for 10 stats_lines 1
	running "$PW"
	# it goes on reporting
	release_gate "$g"
	wait_for 60 execs_of_gate "$OUT" "$g" 2
	kill -USR1 "$PW"
	wait_for 10 stats_lines 2
	running "$PW"
	release_gate "$g"
	wait_for 60 execs_of_gate "$OUT" "$m" 1
	release_gate "$m"
	pw_end
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	check "$OUT" 'any(.[]; .event == "exec" and .argv == ["cat", $m]) and .[-1].event == "exit"
		and .[-1].ppid == $pw' --argjson pw "$PW" --arg m "$m"
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 3 ] || die "expected three lines on stderr: $(cat "$OUT.err")"
	for line in "${lines[@]}"; do
		[[ $line =~ $STATS_RE ]] || die "not a stats line: $line"
	done
	# the counters grow; the last line counts every line written
	[ "$(stats_field "${lines[0]}" written)" -lt "$(stats_field "${lines[1]}" written)" ]
	[ "$(stats_field "${lines[1]}" written)" -lt "$(stats_field "${lines[2]}" written)" ]
	[ "$(stats_field "${lines[2]}" written)" -eq "$(wc -l <"$OUT")" ]
}

@test "-D 1: a whole-system run stops by itself after a second, status 0" {
	local t0 t1

	t0=$(date +%s%N)
	status=0
	timeout 10 "$PROCWATCH" -f json -D 1 </dev/null >"$OUT" 2>"$OUT.err" 3>&- || status=$?
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	no_stderr
	if [ -s "$OUT" ]; then
		jq_lines "$OUT"
	fi
	[ $((t1 - t0)) -ge 1000000000 ] || die "stopped after $(((t1 - t0) / 1000000)) ms"
	[ $((t1 - t0)) -lt 5000000000 ] || die "stopped after $(((t1 - t0) / 1000000)) ms"
	# --duration= with a fraction
	t0=$(date +%s%N)
	status=0
	timeout 10 "$PROCWATCH" -f json --duration=0.3 </dev/null >"$OUT" 2>"$OUT.err" 3>&- || status=$?
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	no_stderr
	[ $((t1 - t0)) -ge 300000000 ] || die "stopped after $(((t1 - t0) / 1000000)) ms"
	[ $((t1 - t0)) -lt 1000000000 ] || die "stopped after $(((t1 - t0) / 1000000)) ms"
}

@test "-D 0.5 -- sleep 30: the command gets SIGTERM, procwatch exits 143" {
	local t0 t1

	t0=$(date +%s%N)
	pw -f json -D 0.5 -- sleep 30
	t1=$(date +%s%N)
	[ "$status" -eq 143 ]
	no_stderr
	jq_lines "$OUT"
	[ $((t1 - t0)) -ge 500000000 ] || die "stopped after $(((t1 - t0) / 1000000)) ms"
	[ $((t1 - t0)) -lt 5000000000 ] || die "stopped after $(((t1 - t0) / 1000000)) ms"
	check "$OUT" 'map(.event) == ["fork", "exec", "exit"] and .[1].argv == ["sleep", "30"]
		and .[2].signal == "SIGTERM" and .[2].exit_code == null and .[2].status == 15
		and .[2].duration >= 0.4'
}

@test "-D 0, -D -1, -D abc and other bad durations are usage errors" {
	local d

	for d in 0 -1 abc '' 0.0 1x nan inf -0.5 ' 1'; do
		pw -D "$d" -- true
		usage_error "'$d'"
	done
	pw --duration=abc -- true
	usage_error "'abc'"
}
