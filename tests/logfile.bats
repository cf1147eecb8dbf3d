#!/usr/bin/env bats
# logfile.bats - -o FILE, logrotate, --stats, --duration
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Most tests run procwatch in command mode, so that only the command's own
# tree is reported. A command that must outlive a step of the test loops on
# a short sleep until the test creates a flag file. Waits for another
# process poll a condition, with a bound.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	OUT=$T/out
	LOG=$T/log
	KILL_FILE=$T/kill-at-teardown
	STATS_RE='^procwatch: stats: fork=[0-9]+ exec=[0-9]+ exit=[0-9]+ uid=[0-9]+ gid=[0-9]+ sid=[0-9]+ ptrace=[0-9]+ comm=[0-9]+ coredump=[0-9]+ written=[0-9]+ filtered=[0-9]+ lost=[0-9]+ dropped=[0-9]+ missing=[0-9]+$'
}

# Commands that wait for a flag stop at $T/done; processes listed in
# $KILL_FILE as "PID COMM SIGNAL" that still run COMM get SIGNAL.
teardown() {
	local pid comm sig

	touch "$T/done"
	[ -f "$KILL_FILE" ] || return 0
	while read -r pid comm sig; do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
			kill -"$sig" "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done <"$KILL_FILE"
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
# stderr to $OUT.err; sets $PW. A command of it that waits for $T/done
# ends at teardown.
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

# The command of the rotation tests: a sleep every 20 ms until $T/rotated
# exists, then the marker, sleep 0.031.
# shellcheck disable=SC2016
ROTATED_CMD=(sh -c 'while [ ! -e "$1/rotated" ]; do sleep 0.02; done; sleep 0.031; :' sh)

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
	check "$all" '[.[] | select(.event == "exec" and .argv == ["sleep", "0.031"])] | length == 1'
	check "$new" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.031"])'
	[ "$(jq -rs '.[-1].time' "$old")" \< "$(jq -rs '.[0].time' "$new")" ]
}

# rotate_by_hup: with $PW running ROTATED_CMD into $LOG, rotate as
# logrotate's create does (mv LOG LOG.1, kill -HUP), then rotation_done.
rotate_by_hup() {
	mv "$LOG" "$LOG.1"
	kill -HUP "$PW"
	wait_for 10 test -e "$LOG"
	rotation_done
}

# rotation_done: $LOG was created again; let ROTATED_CMD end and check both files.
rotation_done() {
	[ "$(stat -c %a "$LOG")" = 600 ]
	# procwatch goes on writing, into the new file
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	running "$PW"
	touch "$T/rotated"
	pw_wait
	# the command ran to its end: SIGHUP was neither passed on nor fatal
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	rotated_ok "$LOG.1" "$LOG"
}

@test "-o FILE: records go to FILE, nothing to stdout; FILE is created with mode 0600" {
	pw -o "$LOG" -- sh -c 'sleep 0.05; :'
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	jq_lines "$LOG"
	check "$LOG" '.[0].event == "fork" and .[0].ppid == $pw
		and any(.[]; .event == "exec" and .argv == ["sleep", "0.05"]) and .[-1].event == "exit"' --argjson pw "$PW"
	[ "$(stat -c %a "$LOG")" = 600 ]
	# whatever the umask
	rm "$LOG"
	(
		umask 000
		pw --output="$LOG" -- sh -c 'sleep 0.05; :'
		[ "$status" -eq 0 ]
	)
	no_stdout
	no_stderr
	jq_lines "$LOG"
	[ "$(stat -c %a "$LOG")" = 600 ]
}

@test "-o FILE appends: the records of two runs, in order" {
	local n1

	pw -o "$LOG" -- sh -c 'sleep 0.051; :'
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	cp "$LOG" "$T/first"
	n1=$(wc -l <"$LOG")
	pw -o "$LOG" -- sh -c 'sleep 0.052; :'
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	jq_lines "$LOG"
	# the first run's lines are still there, unchanged, and the second run's follow
	[ "$(wc -l <"$LOG")" -gt "$n1" ]
	head -n "$n1" "$LOG" | cmp - "$T/first"
	tail -n +"$((n1 + 1))" "$LOG" >"$T/second"
	check "$T/first" '[.[] | select(.event == "exec") | .argv[-1]] == ["sleep 0.051; :", "0.051"]'
	check "$T/second" '[.[] | select(.event == "exec") | .argv[-1]] == ["sleep 0.052; :", "0.052"]
		and .[0].event == "fork" and .[0].ppid == $pw' --argjson pw "$PW"
}

@test "-o FILE: an existing file keeps its mode and its content" {
	echo '{"earlier":true}' >"$LOG"
	chmod 644 "$LOG"
	pw -o "$LOG" -- sh -c 'sleep 0.05; :'
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

@test "-o FILE on a terminal: json by default (and text without -o)" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	# the check that script gives a terminal: text on it without -o
	script -qec "$(printf '%q ' "$PROCWATCH" -- sh -c 'sleep 0.05; :')" /dev/null </dev/null >"$T/tty" 2>&1
	grep -qE '^[0-9T:.-]+Z exec [0-9]+ sleep ' "$T/tty" || die "no text on the terminal: $(cat "$T/tty")"
	if grep -q '^{' "$T/tty"; then
		die "json on the terminal without -o: $(cat "$T/tty")"
	fi
	script -qec "$(printf '%q ' "$PROCWATCH" -o "$LOG" -- sh -c 'sleep 0.05; :')" /dev/null </dev/null >"$T/tty" 2>&1
	[ ! -s "$T/tty" ] || die "unexpected output on the terminal: $(cat "$T/tty")"
	jq_lines "$LOG"
	check "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.05"]) and .[0].tty != null'
}

@test "SIGHUP reopens FILE: mv FILE FILE.1, kill -HUP, as logrotate's create does" {
	pw_bg -o "$LOG" -- "${ROTATED_CMD[@]}" "$T"
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	rotate_by_hup
}

@test "SIGHUP with -o reopens FILE also under nohup, and COMMAND still starts with SIGHUP ignored" {
	local cmd ign
	nohup "$PROCWATCH" -o "$LOG" -- "${ROTATED_CMD[@]}" "$T" </dev/null >"$OUT" 2>"$OUT.err" 3>&- &
	PW=$!
	echo "$PW procwatch TERM" >>"$KILL_FILE"
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	# COMMAND's shell: SIGHUP (bit 0 of SigIgn) ignored, as procwatch was started
	cmd=$(sed '$!b; /[}]$/!d' "$LOG" | jq -s 'first(.[] | select(.event == "fork" and .ppid == $pw)) | .pid' --argjson pw "$PW")
	[[ "$cmd" =~ ^[0-9]+$ ]] || die "no fork of COMMAND in $LOG"
	ign=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$cmd/status")
	[ -n "$ign" ] && [ $((0x$ign & 1)) -eq 1 ] || die "COMMAND's SigIgn: $ign"
	rotate_by_hup
}

@test "SIGHUP in the middle of a backlog: what procwatch writes after it goes to the new file" {
	local map=$T/map at_hup grown rec batch after
	valgrind_skip "a backlog of 18,000 events takes minutes"
	# shellcheck disable=SC2016
	pw_bg -o "$LOG" -- sh -c 'while [ ! -e "$3.go" ]; do sleep 0.02; done
		"$1" /bin/true q 6000 1 0 "$2"
		while [ ! -e "$3" ]; do sleep 0.02; done' sh "$PW_SPAWN" "$map" "$T/rotated"
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	# a backlog: 6,000 children start and end while procwatch is stopped
	kill -STOP "$PW"
	touch "$T/rotated.go"
	wait_for 60 eval '[ -f "$map" ] && [ "$(wc -l <"$map")" -eq 6000 ]' || { kill -CONT "$PW"; return 1; }
	kill -CONT "$PW"
	sleep 0.1
	mv "$LOG" "$LOG.1"
	kill -HUP "$PW"
	at_hup=$(stat -c %s "$LOG.1")
	# COMMAND ends; procwatch writes the backlog up to COMMAND's exit
	touch "$T/rotated"
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
	pw_bg -o "$LOG" -- "${ROTATED_CMD[@]}" "$T"
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
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

# copytruncate_ok: after the copy and truncation, FILE holds the new records
# from its first byte on: no NUL bytes, every line a record, the marker.
copytruncate_ok() {
	[ "$(tr -cd '\000' <"$LOG" | wc -c)" -eq 0 ] || die "NUL bytes in $LOG: $(od -c "$LOG" | head)"
	jq_lines "$LOG"
	jq_lines "$LOG.1"
	check "$LOG.1" '.[0].event == "fork" and .[0].ppid == $pw' --argjson pw "$PW"
	check "$LOG" '[.[] | select(.event == "exec" and .argv == ["sleep", "0.031"])] | length == 1'
	check "$LOG" '.[-1].event == "exit" and .[-1].exit_code == 0 and .[-1].ppid == $pw' --argjson pw "$PW"
	# the records after the truncation are far fewer than what the file had
	[ "$(stat -c %s "$LOG")" -lt "$(stat -c %s "$LOG.1")" ]
}

@test "copytruncate: cp FILE FILE.1 and truncate FILE, no signal: new records start FILE" {
	pw_bg -o "$LOG" -- "${ROTATED_CMD[@]}" "$T"
	# enough records that the file is well past what comes after the truncation
	wait_for 10 has "$LOG" '[.[] | select(.event == "exec" and .argv == ["sleep", "0.02"])] | length >= 10'
	cp "$LOG" "$LOG.1" && : >"$LOG"
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	touch "$T/rotated"
	pw_wait
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	copytruncate_ok
}

@test "logrotate with copytruncate" {
	local conf=$T/logrotate.conf

	command -v logrotate >/dev/null || skip "logrotate is not installed"
	pw_bg -o "$LOG" -- "${ROTATED_CMD[@]}" "$T"
	wait_for 10 has "$LOG" '[.[] | select(.event == "exec" and .argv == ["sleep", "0.02"])] | length >= 10'
	printf '%s {\n    rotate 1\n    copytruncate\n}\n' "$LOG" >"$conf"
	chmod 644 "$conf"
	run --separate-stderr logrotate -f -s "$T/logrotate.state" "$conf"
	[ "$status" -eq 0 ] || die "logrotate failed: $stderr"
	[ -z "$stderr" ]
	wait_for 10 has "$LOG" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	touch "$T/rotated"
	pw_wait
	[ "$status" -eq 0 ]
	no_stdout
	no_stderr
	copytruncate_ok
}

@test "--stats: one line on stderr at exit; written is the number of lines on stdout" {
	local line

	pw -f json --stats -- sh -c 'sleep 0.05; :'
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
	# received: at least the command's and the sleep's fork, exec and exit
	[ "$(stats_field "$line" fork)" -ge 2 ]
	[ "$(stats_field "$line" exec)" -ge 2 ]
	[ "$(stats_field "$line" exit)" -ge 2 ]
}

@test "--stats: filtered counts the records a filter removed" {
	local line

	# the command's tree has six records: two forks, two execs, two exits
	pw -f json --stats --comm nomatch -- sh -c 'sleep 0.05; :'
	[ "$status" -eq 0 ]
	no_stdout
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$OUT.err")"
	line=${lines[0]}
	[[ $line =~ $STATS_RE ]] || die "not a stats line: $line"
	[ "$(stats_field "$line" written)" -eq 0 ]
	[ "$(stats_field "$line" filtered)" -eq 6 ]
	# two of them pass --comm sleep: the exec and the exit of the sleep
	pw -f json --stats --comm sleep -- sh -c 'sleep 0.05; :'
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	check "$OUT" 'map(.event) == ["exec", "exit"] and all(.[]; .argv == ["sleep", "0.05"])'
	mapfile -t lines <"$OUT.err"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$OUT.err")"
	line=${lines[0]}
	[[ $line =~ $STATS_RE ]] || die "not a stats line: $line"
	[ "$(stats_field "$line" written)" -eq 2 ]
	[ "$(stats_field "$line" filtered)" -eq 4 ]
}

@test "--stats: SIGUSR1 prints the line without stopping procwatch" {
	local -a lines

	# shellcheck disable=SC2016
	pw_bg -f json --stats -- sh -c 'while [ ! -e "$1/done" ]; do sleep 0.02; done; sleep 0.031; :' sh "$T"
	wait_for 10 has "$OUT" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.02"])'
	kill -USR1 "$PW"
	wait_for 10 grep -q '^procwatch: stats: ' "$OUT.err"
	running "$PW"
	# it goes on reporting
	local n
	n=$(grep -c '"argv":\["sleep","0.02"\]' "$OUT")
	wait_for 10 has "$OUT" '[.[] | select(.event == "exec" and .argv == ["sleep", "0.02"])] | length > $n' \
		--argjson n "$n"
	kill -USR1 "$PW"
	wait_for 10 test "$(grep -c '^procwatch: stats: ' "$OUT.err")" -eq 2
	running "$PW"
	touch "$T/done"
	pw_wait
	[ "$status" -eq 0 ]
	jq_lines "$OUT"
	check "$OUT" 'any(.[]; .event == "exec" and .argv == ["sleep", "0.031"]) and .[-1].event == "exit"
		and .[-1].ppid == $pw' --argjson pw "$PW"
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
