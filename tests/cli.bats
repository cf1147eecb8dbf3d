#!/usr/bin/env bats
# cli.bats - the command line: help, version, usage errors, output format, exit status, signals
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

HINT="Try 'procwatch --help' for more information."

setup() {
	ACTIVITY_PID=
	WATCH_PID=
}

teardown() {
	if [ -n "$WATCH_PID" ]; then
		kill -KILL "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
	fi
	if [ -n "$ACTIVITY_PID" ]; then
		kill "$ACTIVITY_PID" 2>/dev/null || true
		wait "$ACTIVITY_PID" 2>/dev/null || true
	fi
}

# Keep the system busy with short-lived processes, so that a whole-system
# procwatch has events to report. Stopped in teardown.
start_activity() {
	(while :; do /bin/true; done) </dev/null >/dev/null 2>&1 3>&- &
	ACTIVITY_PID=$!
}

# assert_usage_error: $status, $output and $stderr of 'run --separate-stderr'
# are a usage error: status 2, nothing on stdout, and on stderr exactly one
# "procwatch: ..." line followed by the hint line.
assert_usage_error() {
	local -a msgs
	mapfile -t msgs <<<"$stderr"
	[ "$status" -eq 2 ] || die "status $status, expected 2"
	[ -z "$output" ] || die "unexpected stdout: $output"
	[ "${#msgs[@]}" -eq 2 ] || die "expected 2 lines on stderr, got ${#msgs[@]}: $stderr"
	[[ ${msgs[0]} == "procwatch: "?* ]] || die "first line is not a procwatch message: ${msgs[0]}"
	[ "${msgs[1]}" = "$HINT" ] || die "second line is not the hint: ${msgs[1]}"
}

# The message line of a usage error.
usage_message() {
	printf '%s\n' "${stderr%%$'\n'*}"
}

# wait_for_line FILE PID: wait (at most 20 s) until FILE holds a whole line;
# fails early when PID is gone.
wait_for_line() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ "$(wc -l <"$1")" -gt 0 ] && return 0
		kill -0 "$2" 2>/dev/null || die "process $2 ended before writing a line"
		sleep 0.05
	done
	die "no line in $1 after 20 s"
}

# wait_exit PID: wait (at most 20 s) until child PID has exited, then reap it
# and set $status. Fails when it does not exit.
wait_exit() {
	local i state
	for ((i = 0; i < 400; i++)); do
		state=$(sed -n 's/.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || true
		if [ -z "$state" ] || [ "$state" = Z ]; then
			status=0
			wait "$1" || status=$?
			return 0
		fi
		sleep 0.05
	done
	die "process $1 still running 20 s after the signal"
}

# Every option in procwatch's getopt_long table, as "long" or "long/x" when
# it has a short twin x.
source_options() {
	local src=$TOP_SRCDIR/cmd/options.c optstring
	optstring=$(sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "$src")
	[ -n "$optstring" ] || die "no getopt_long() call found in $src"
	sed -n '/^static const struct option longopts\[\]/,/^};/p' "$src" |
		sed -n 's/^[[:space:]]*{ *"\([^"]*\)",[^,]*,[^,]*, *\([^ }]*\) *}.*/\1 \2/p' |
		while read -r long val; do
			if [[ $val == \'?\' && $optstring == *"${val:1:1}"* ]]; then
				echo "$long/${val:1:1}"
			else
				echo "$long"
			fi
		done
}

# assert_help_lists OPT...: $output (the help) has a line describing each
# OPT, given as "long" or "long/x".
assert_help_lists() {
	local opt long short
	for opt in "$@"; do
		long=${opt%/*}
		if [[ $opt == */* ]]; then
			short=${opt#*/}
			grep -qE -- "^ +-$short, --$long(\\[?=| |\$)" <<<"$output" ||
				die "help does not list -$short, --$long"
		else
			grep -qE -- "^ +--$long(\\[?=| |\$)" <<<"$output" ||
				die "help does not list --$long"
		fi
	done
}

@test "--help prints the usage with every option on stdout and exits 0" {
	run --separate-stderr "$PROCWATCH" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ ${lines[0]} == "Usage: procwatch "* ]]
	assert_help_lists events/e format/f count/n threads rcvbuf help/h version/V
	# and whatever option the option table has, too
	local -a table
	mapfile -t table < <(source_options)
	[ "${#table[@]}" -ge 7 ] || die "could not read the option table: ${table[*]}"
	assert_help_lists "${table[@]}"
	# the events that --events takes
	local ev
	for ev in fork exec exit uid gid sid ptrace comm coredump all; do
		grep -qE "(^|[ ,])$ev(,|\$)" <<<"$output" || die "help does not list event $ev"
	done
}

@test "-h prints the same usage as --help and exits 0" {
	run --separate-stderr "$PROCWATCH" --help
	[ "$status" -eq 0 ]
	local help=$output
	run --separate-stderr "$PROCWATCH" -h
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -n "$output" ]
	[ "$output" = "$help" ]
}

@test "-V and --version print 'procwatch X.Y.Z' and exit 0" {
	local version
	version=$(sed -n 's/^AC_INIT(\[procwatch\], *\[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")
	[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "no version in configure.ac: '$version'"
	for opt in -V --version; do
		run --separate-stderr "$PROCWATCH" "$opt"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$output" = "procwatch $version" ]
	done
}

@test "an unknown long option is a usage error" {
	run --separate-stderr "$PROCWATCH" --bogus
	assert_usage_error
	[[ $(usage_message) == *"--bogus"* ]]
}

@test "an unknown short option is a usage error" {
	run --separate-stderr "$PROCWATCH" -x
	assert_usage_error
	[[ $(usage_message) == *"-x"* ]]
}

@test "a missing option argument is a usage error" {
	run --separate-stderr "$PROCWATCH" -e
	assert_usage_error
	[[ $(usage_message) == *"-e"* ]]
}

@test "a long option missing its argument is a usage error naming the option" {
	# named as typed, or by its short twin; never by a letter that is no option
	local opt short
	for opt in events/e format/f count/n rcvbuf queue; do
		run --separate-stderr "$PROCWATCH" "--${opt%/*}"
		assert_usage_error
		if [[ $opt == */* ]]; then
			short=${opt#*/}
			[[ $(usage_message) == *"--${opt%/*}"* || $(usage_message) == *"'-$short'"* ]] ||
				die "message for --${opt%/*} names neither it nor -$short: $(usage_message)"
		else
			[[ $(usage_message) == *"--$opt"* ]] ||
				die "message for --$opt does not name it: $(usage_message)"
		fi
	done
}

@test "an argument given to an option that takes none is a usage error naming the option" {
	run --separate-stderr "$PROCWATCH" --threads=1
	assert_usage_error
	[[ $(usage_message) == *"--threads"* ]] || die "message does not name --threads: $(usage_message)"
}

@test "an unknown event name is a usage error naming it" {
	run --separate-stderr "$PROCWATCH" -e exec,bogus
	assert_usage_error
	[[ $(usage_message) == *"'bogus'"* ]]
	run --separate-stderr "$PROCWATCH" --events=bogus,exec
	assert_usage_error
	[[ $(usage_message) == *"'bogus'"* ]]
}

@test "an unknown format is a usage error" {
	run --separate-stderr "$PROCWATCH" -f xml
	assert_usage_error
	[[ $(usage_message) == *"xml"* ]]
	run --separate-stderr "$PROCWATCH" --format=JSON
	assert_usage_error
}

@test "a bad --count is a usage error" {
	local n
	for n in 0 -1 12x '' ' 3' 99999999999999999999999; do
		run --separate-stderr "$PROCWATCH" -n "$n"
		assert_usage_error
		[[ $(usage_message) == *count* ]] || die "-n '$n': message does not name --count"
		run --separate-stderr "$PROCWATCH" "--count=$n"
		assert_usage_error
	done
}

@test "a bad --rcvbuf is a usage error" {
	local n
	for n in abc 1 4095 '' -4096 64k; do
		run --separate-stderr "$PROCWATCH" "--rcvbuf=$n"
		assert_usage_error
		[[ $(usage_message) == *rcvbuf* ]] || die "--rcvbuf='$n': message does not name --rcvbuf"
	done
}

@test "a bad --queue is a usage error" {
	local n
	for n in abc '' -1 1X 2T 1025G 12.5M K 99999999999999999999; do
		run --separate-stderr "$PROCWATCH" "--queue=$n"
		assert_usage_error
		[[ $(usage_message) == *queue* ]] || die "--queue='$n': message does not name --queue"
	done
}

@test "--queue takes bytes or K, M, G, T; 0 and 1T are accepted" {
	local out=$BATS_TEST_TMPDIR/out n
	for n in 0 4096 64K 1M 2G 1T; do
		pw_json "$out" --queue="$n" -- sh -c 'exit 3'
		[ "$status" -eq 3 ] || die "--queue=$n: status $status: $(cat "$out.err")"
		[ ! -s "$out.err" ] || die "--queue=$n: stderr: $(cat "$out.err")"
		[ "$(jq -s '[.[] | select(.event == "exit")] | length' "$out")" -eq 1 ]
	done
}

@test "an argument without '--' is a usage error and is not run" {
	local marker=$BATS_TEST_TMPDIR/ran
	run --separate-stderr "$PROCWATCH" touch "$marker"
	assert_usage_error
	[[ $(usage_message) == *"'touch'"* ]]
	[ ! -e "$marker" ]
	run --separate-stderr "$PROCWATCH" ls
	assert_usage_error
	[[ $(usage_message) == *"'ls'"* ]]
}

@test "'--' without a command is a usage error" {
	run --separate-stderr "$PROCWATCH" --
	assert_usage_error
	run --separate-stderr "$PROCWATCH" -f json --
	assert_usage_error
}

@test "the format is json when stdout is not a terminal" {
	local out=$BATS_TEST_TMPDIR/out g
	g=$(gate g)
	held_run "$out" "$g" "$PROCWATCH" -- sh -c 'cat "$1"; exit' sh "$g"
	[ "$status" -eq 0 ]
	[ ! -s "$out.err" ]
	[ "$(select_events "$out" '.event == "exec" and .argv == ["cat", $g]' --arg g "$g" | wc -l)" -eq 1 ]
}

@test "the format is text when stdout is a terminal" {
	command -v script >/dev/null || skip "script (util-linux) is not installed: no pty to test with"
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err cmd g pid
	local time='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
	g=$(gate g)
	printf -v cmd '%q -- sh -c %q sh %q 2>%q' "$PROCWATCH" 'cat "$1"; exit' "$g" "$err"
	script -qec "$cmd" /dev/null </dev/null >"$out" &
	pid=$!
	# the held cat's exec record, read while it waits
	wait_for 60 seen_text_exec_of_gate "$out" "$g"
	release_gate "$g"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$err" ]
	# the terminal turns \n into \r\n
	tr -d '\r' <"$out" >"$out.lf"
	[ "$(wc -l <"$out.lf")" -gt 0 ]
	run grep -cvE "^$time (fork|exec|exit|comm) [0-9]+ " "$out.lf"
	[ "$output" = 0 ] || die "lines that are not text records: $(grep -vE "^$time " "$out.lf")"
	grep -qE "^$time exec [0-9]+ cat .* argv=\"cat $g\"" "$out.lf"
}

@test "-n/--count N stops after N records and exits 0" {
	local out=$BATS_TEST_TMPDIR/out opt
	local -a args
	start_activity
	for opt in -n --count; do
		if [ "$opt" = -n ]; then args=(-n 2); else args=(--count=2); fi
		status=0
		timeout 20 "$PROCWATCH" -f json "${args[@]}" >"$out" 2>"$out.err" || status=$?
		[ "$status" -eq 0 ] || die "$opt: status $status"
		[ ! -s "$out.err" ] || die "$opt: stderr: $(cat "$out.err")"
		jq_lines "$out"
		[ "$(wc -l <"$out")" -eq 2 ] || die "$opt: $(wc -l <"$out") records"
		[ "$(jq -r '.event | type' "$out" | sort -u)" = string ]
	done
}

@test "a closed pipe ends procwatch quietly with status 0" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	local -a st
	start_activity
	timeout 20 "$PROCWATCH" -f json 2>"$err" | head -n1 >"$out"
	st=("${PIPESTATUS[@]}")
	[ "${st[0]}" -eq 0 ] || die "procwatch status ${st[0]} (124: still running after 20 s)"
	[ "${st[1]}" -eq 0 ]
	[ ! -s "$err" ] || die "stderr: $(cat "$err")"
	[ "$(wc -l <"$out")" -eq 1 ]
	jq_lines "$out"
}

@test "a write error is reported in one line and exits 1" {
	local err=$BATS_TEST_TMPDIR/err
	local -a lines_err
	status=0
	"$PROCWATCH" -f json -- true >/dev/full 2>"$err" || status=$?
	[ "$status" -eq 1 ]
	mapfile -t lines_err <"$err"
	[ "${#lines_err[@]}" -eq 1 ] || die "expected one line on stderr, got: $(cat "$err")"
	[[ ${lines_err[0]} == "procwatch: "*"write error"*"No space left on device"* ]]
}

# signal_test SIG: a whole-system procwatch that gets SIG exits 0 with whole lines.
signal_test() {
	local out=$BATS_TEST_TMPDIR/out
	start_activity
	# a background job of a script starts with SIGINT ignored; give it the default
	env --default-signal="$1" "$PROCWATCH" -f json >"$out" 2>"$out.err" 3>&- &
	WATCH_PID=$!
	wait_for_line "$out" "$WATCH_PID"
	kill -s "$1" "$WATCH_PID"
	wait_exit "$WATCH_PID"
	WATCH_PID=
	[ "$status" -eq 0 ] || die "status $status after SIG$1"
	[ ! -s "$out.err" ] || die "stderr: $(cat "$out.err")"
	jq_lines "$out"
	# the last record is whole
	[ -z "$(tail -c1 "$out")" ] || die "output does not end with a newline"
}

@test "SIGTERM makes procwatch flush and exit 0" {
	valgrind_skip "its exit takes longer than the test waits"
	signal_test TERM
}

@test "SIGINT makes procwatch flush and exit 0" {
	valgrind_skip "its exit takes longer than the test waits"
	signal_test INT
}

@test "--rcvbuf=1048576 is accepted" {
	local out=$BATS_TEST_TMPDIR/out g h
	g=$(gate g)
	pw_held "$out" "$g" --rcvbuf=1048576 -- sh -c 'cat "$1"; exit 3' sh "$g"
	[ "$status" -eq 3 ]
	[ ! -s "$out.err" ] || die "stderr: $(cat "$out.err")"
	[ "$(select_events "$out" '.event == "exec" and .argv == ["cat", $g]' --arg g "$g" | wc -l)" -eq 1 ]
	h=$(gate h)
	pw_held "$out" "$h" --rcvbuf 1048576 -- sh -c 'cat "$1"; exit 4' sh "$h"
	[ "$status" -eq 4 ]
	[ ! -s "$out.err" ] || die "stderr: $(cat "$out.err")"
	[ "$(select_events "$out" '.event == "exec" and .argv == ["cat", $g]' --arg g "$h" | wc -l)" -eq 1 ]
}

@test "an unprivileged --rcvbuf beyond rmem_max: a warning where the kernel lets anyone listen, else the refusal" {
	valgrind_skip "another user's copy of procwatch cannot run valgrind's"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	local out=$BATS_TEST_TMPDIR/out rmem_max big pw g
	local -a msgs nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	rmem_max=$(cat /proc/sys/net/core/rmem_max)
	big=$((rmem_max * 2))
	[ "$big" -le 1073741823 ] || skip "net.core.rmem_max ($rmem_max) leaves no room above it for --rcvbuf"
	pw=$(nobody_procwatch)
	g=$(gate g)
	if listen_allowed "${nobody[@]}"; then
		held_run "$out" "$g" "${nobody[@]}" "$pw" -f json --rcvbuf="$big" -- sh -c 'cat "$1"; exit 5' sh "$g"
		[ "$status" -eq 5 ] || die "status $status; stderr: $(cat "$out.err")"
		mapfile -t msgs <"$out.err"
		[ "${#msgs[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$out.err")"
		[[ ${msgs[0]} == "procwatch: "*warning*rmem_max* ]]
	else
		# the refusal alone: the buffer's warning would come only after subscribing
		status=0
		"${nobody[@]}" "$pw" -f json --rcvbuf="$big" -- true >"$out" 2>"$out.err" || status=$?
		[ "$status" -eq 1 ]
		[ ! -s "$out" ]
		expect_cap_refusal "$out.err"
		# with the capability the buffer is granted beyond rmem_max: no warning
		setcap cap_net_admin+ep "$pw"
		held_run "$out" "$g" "${nobody[@]}" "$pw" -f json --rcvbuf="$big" -- sh -c 'cat "$1"; exit 5' sh "$g"
		[ "$status" -eq 5 ] || die "status $status; stderr: $(cat "$out.err")"
		[ ! -s "$out.err" ] || die "unexpected stderr: $(cat "$out.err")"
	fi
	# it really ran as 65534
	[ "$(select_events "$out" '.event == "exec" and .argv == ["cat", $g] and .uid == 65534' --arg g "$g" | wc -l)" -eq 1 ]
}
