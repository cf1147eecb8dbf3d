# helpers.bash - shared setup for procwatch's bats tests
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Environment (set by 'make check'): PROCWATCH (the binary), PW_BIN (test
# workloads), PW_SPAWN (the tagged spawner of the benchmark), TOP_SRCDIR.
# Tests write only to $BATS_TEST_TMPDIR.

bats_require_minimum_version 1.5.0

: "${PROCWATCH:=$BATS_TEST_DIRNAME/../procwatch}"
: "${PW_BIN:=$BATS_TEST_DIRNAME/bin}"
: "${PW_SPAWN:=$BATS_TEST_DIRNAME/bench/pw-spawn}"
: "${TOP_SRCDIR:=$BATS_TEST_DIRNAME/..}"
export LC_ALL=C

# jq_lines FILE: every line of FILE must be one JSON object; fails otherwise.
jq_lines() {
	local bad
	[ -s "$1" ] || { echo "no lines in $1" >&2; return 1; }
	# one jq for the whole file: each line parsed on its own, as a reader would
	bad=$(jq -R -r '(try (fromjson | type) catch "invalid") as $t | select($t != "object") |
		"line \(input_line_number) is not a JSON object: \(.)"' "$1") || return 1
	[ -z "$bad" ] || { echo "$bad" | head -5 >&2; return 1; }
}

# fixture NAME: copy tests/fixtures/NAME (a proc root) into this test's directory and
# print the copy's path. Each FILE.symlink in it becomes the symbolic link
# FILE, its target the exact bytes of the file: 'make dist' archives with
# tar -h, which cannot keep a symbolic link.
fixture() {
	local dst=$BATS_TEST_TMPDIR/${1##*/}
	cp -R "$TOP_SRCDIR/tests/fixtures/$1" "$dst" || return 1
	# the source tree is read-only under 'make distcheck'
	chmod -R u+w "$dst" || return 1
	find "$dst" -name '*.symlink' -type f -exec perl -e '
		for my $f (@ARGV) {
			open(my $h, "<:raw", $f) or die "$f: $!\n";
			local $/;
			my $target = <$h>;
			close $h;
			(my $link = $f) =~ s/\.symlink$//;
			unlink($f) or die "$f: $!\n";
			symlink($target, $link) or die "$link: $!\n";
		}' {} + || return 1
	printf '%s\n' "$dst"
}

# valgrind_skip REASON: skip this test in the valgrind run (tests/valgrind.sh),
# where procwatch is valgrind's process and runs many times slower.
valgrind_skip() {
	[ -z "${PW_VALGRIND:-}" ] || skip "under valgrind: $1"
}

# pw_json OUT -- ARGS...: run procwatch -f json with ARGS, stdout to OUT;
# sets $status and leaves stderr in $OUT.err. Every line is checked by jq.
pw_json() {
	local out=$1
	shift
	status=0
	"$PROCWATCH" -f json "$@" >"$out" 2>"$out.err" || status=$?
	if [ -s "$out" ]; then
		jq_lines "$out"
	fi
}

# select_events FILE JQ_FILTER [JQ_ARGS...]: the records of FILE matching the filter, compact, one per line.
select_events() {
	local file=$1 filter=$2

	shift 2
	jq -c "$@" "select($filter)" "$file"
}

# nobody_copy FILE: print the path of a copy of the program FILE that uid
# 65534 can run: the build tree may sit under a directory closed to other
# users, so the copy goes into this test's directory, opened for traversal
# up to the run's own temporary directory.
nobody_copy() {
	local dir=$BATS_TEST_TMPDIR/nobody d copy
	mkdir -p "$dir"
	copy=$dir/$(basename "$1")
	cp "$1" "$copy"
	chmod 755 "$dir" "$copy"
	d=$BATS_TEST_TMPDIR
	while [ -n "$d" ] && [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	echo "$copy"
}

# nobody_procwatch: print the path of a copy of procwatch that uid 65534 can run.
nobody_procwatch() {
	nobody_copy "$PROCWATCH"
}

# Who may listen to process events depends on the kernel build, not only
# on its version: the tests ask the running kernel, then assert what it
# does.

# listen_allowed [WRAPPER...]: whether a process started by WRAPPER (say
# 'setpriv --reuid=65534 ...' or 'unshare -U -r') may bind to the proc
# connector's group: status 0 it may, 1 the kernel refuses (EPERM). Any
# other outcome fails the test.
listen_allowed() {
	local probe r=0

	probe=$(nobody_copy "$PW_BIN/pw-listen-probe") || return 2
	"$@" "$probe" || r=$?
	case $r in
	0 | 1) return "$r" ;;
	*) die "the listen probe failed under '$*' (status $r)"; return 2 ;;
	esac
}

# expect_cap_refusal FILE [PATTERN]: FILE (a procwatch's stderr) is the
# one line of a refused subscription: it says that this kernel requires
# CAP_NET_ADMIN, how to grant it, matches PATTERN if given, and names no
# kernel version as the cause.
expect_cap_refusal() {
	local -a lines

	mapfile -t lines <"$1"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line on stderr: $(cat "$1")" || return 1
	[[ ${lines[0]} == "procwatch: "*"permission denied: this kernel requires CAP_NET_ADMIN"* ]] ||
		die "not the CAP_NET_ADMIN refusal: ${lines[0]}" || return 1
	[[ ${lines[0]} == *"'setcap cap_net_admin+ep procwatch'"* ]] ||
		die "does not say how to grant it: ${lines[0]}" || return 1
	! [[ ${lines[0]} =~ [0-9]\.[0-9]|[Kk]ernels\ (before|since|from) ]] ||
		die "names a kernel version: ${lines[0]}" || return 1
	[ -z "${2:-}" ] || [[ ${lines[0]} =~ $2 ]] || die "does not match '$2': ${lines[0]}" || return 1
}

# count_re PERL_REGEX FILE: how many times the byte pattern occurs in FILE.
count_re() {
	PAT=$1 perl -0777 -ne '$n = () = /$ENV{PAT}/g; END { print $n + 0, "\n" }' "$2"
}

# assert_no_control FILE: no byte below 0x20 but the newline ending each
# line, no DEL, no C1 control (C2 80..C2 9F), and a newline at the end.
assert_no_control() {
	local n
	n=$(count_re '[\x00-\x09\x0b-\x1f\x7f]' "$1")
	[ "$n" -eq 0 ] || { echo "$n raw C0/DEL bytes in $1" >&2; return 1; }
	n=$(count_re '\xc2[\x80-\x9f]' "$1")
	[ "$n" -eq 0 ] || { echo "$n raw C1 controls in $1" >&2; return 1; }
	[ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" = 0a ] || { echo "$1 does not end in a newline" >&2; return 1; }
}

# die MESSAGE: say why on stderr and fail.
die() {
	printf '%s\n' "$*" >&2
	return 1
}

# check FILTER [JQ_ARGS...]: FILTER, applied to the array of all records of
# $OUT, must give true.
check() {
	local filter=$1

	shift
	if ! jq -e -s "$@" "$filter" "$OUT" >/dev/null; then
		printf 'not true: %s\nrecords:\n' "$filter" >&2
		cat "$OUT" >&2
		return 1
	fi
}

# kill_recorded: for a teardown, stop the processes listed in $KILL_FILE
# ("pid comm signal" per line) that are still the same processes.
kill_recorded() {
	local pid comm sig

	[ -f "${KILL_FILE:-}" ] || return 0
	while read -r pid comm sig; do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
			kill -"$sig" "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done <"$KILL_FILE"
}

# value FILTER [JQ_ARGS...]: the raw value of FILTER over the array of records of $OUT.
value() {
	local filter=$1

	shift
	jq -r -s "$@" "$filter" "$OUT"
}

no_stderr() {
	[ ! -s "$OUT.err" ] || die "unexpected stderr: $(cat "$OUT.err")"
}

# json_args ARG...: the arguments as a JSON array of strings.
json_args() {
	local a json=

	for a; do
		json+=${json:+,}$(jq -nc --arg a "$a" '$a')
	done
	printf '[%s]\n' "$json"
}

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds; fail after SECONDS
# (of the clock, however long each poll takes on a loaded machine).
wait_for() {
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		# return, not only fail: under 'if' or '||' errexit does not stop the loop
		[ "$SECONDS" -lt "$end" ] || { die "timed out waiting for: $*"; return 1; }
		sleep 0.02
	done
}

# unmap: the bytes that a procwatch JSON string (read as UTF-8 on stdin)
# stands for: U+EF80..U+EFFF are raw bytes 0x80..0xFF, the rest is UTF-8.
unmap() {
	perl -e 'binmode STDIN; binmode STDOUT; local $/; my $s = <STDIN>;
		utf8::decode($s) or die "not UTF-8\n";
		print map { my $c = ord; if ($c >= 0xef80 && $c <= 0xefff) { chr($c - 0xef00) }
			    else { my $u = $_; utf8::encode($u); $u } } split //, $s;'
}

# stat_field PID N: field N (N >= 3) of /proc/PID/stat, counted after the comm.
stat_field() {
	local stat

	stat=$(<"/proc/$1/stat") || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- "$2" $stat
	shift "$(($1 - 2))"
	printf '%s\n' "$1"
}

# proc_chain PID: the pids from PID up to pid 1 as /proc links them, as a JSON array.
proc_chain() {
	local pid=$1 pids=()

	while [ "$pid" -gt 0 ]; do
		pids+=("$pid")
		[ "${#pids[@]}" -lt 4096 ] || die "no end to the chain of $1"
		[ "$pid" -ne 1 ] || break
		pid=$(stat_field "$pid" 4) || return 1
	done
	printf '%s\n' "${pids[@]}" | jq -sc .
}

# Holding a process until procwatch has written its exec record, without a
# guessed sleep: the process runs 'cat GATE', where GATE is a FIFO. cat
# blocks on it (in open, then in read) until release_gate opens the FIFO
# for writing and closes it: cat then reads end of file, prints nothing and
# exits. A FIFO holds one process; hold two with two gates.

# gate NAME: make the FIFO $BATS_TEST_TMPDIR/NAME and print its path.
gate() {
	local g=$BATS_TEST_TMPDIR/$1

	mkfifo "$g" || return 1
	printf '%s\n' "$g"
}

# release_gate GATE: let the 'cat GATE' go. Opening a FIFO for writing waits
# for its reader, so a cat that has not opened it yet cannot miss this; the
# wait is bounded, so a cat that is gone fails the test instead of hanging it.
release_gate() {
	timeout 30 sh -c ': >"$1"' sh "$1" || die "nobody waited on $1 to be released"
}

# release_left_gates: for a teardown: let go every process a failed test
# left waiting on a gate of its directory (opening a FIFO for writing
# without blocking succeeds only when it has a reader).
release_left_gates() {
	local g

	for g in "$BATS_TEST_TMPDIR"/*; do
		[ -p "$g" ] || continue
		perl -MFcntl -e 'sysopen(my $f, $ARGV[0], O_WRONLY | O_NONBLOCK) and close $f' "$g" 2>/dev/null || true
	done
}

# end_held: for a teardown: stop the procwatch that a failed test left
# running in the background ($PW_PID, if set), and let go what it held.
end_held() {
	if [ -n "${PW_PID:-}" ]; then
		kill "$PW_PID" 2>/dev/null || true
		wait "$PW_PID" 2>/dev/null || true
	fi
	release_left_gates
}

# seen_exec FILE JSON_ARGV: FILE (JSON lines) holds an exec record with that argv.
seen_exec() {
	jq -e -n --argjson a "$2" 'any(inputs; .event == "exec" and .argv == $a)' "$1" >/dev/null 2>&1
}

# seen_exec_of_gate FILE GATE: FILE (JSON lines) has the exec record of 'cat GATE'.
seen_exec_of_gate() {
	jq -e -n --arg g "$2" 'any(inputs; .event == "exec" and .argv == ["cat", $g])' "$1" >/dev/null 2>&1
}

# seen_text_exec_of_gate FILE GATE: FILE (text records) has the exec record of 'cat GATE'.
seen_text_exec_of_gate() {
	grep -F " argv=\"cat $2\"" "$1" | grep -q '^[^ ]* exec [0-9]* cat '
}

# pw_held OUT GATES ARGS...: like pw_json, with procwatch in the background:
# for each gate of GATES (paths separated by spaces) in turn, wait (bounded)
# until OUT holds the exec record of 'cat GATE', then release it. Then wait
# for procwatch, set $status, leave stderr in OUT.err and check every line
# of OUT with jq.
pw_held() {
	local out=$1 gates=$2

	shift 2
	held_run "$out" "$gates" "$PROCWATCH" -f json "$@"
}

# held_run OUT GATES COMMAND...: pw_held for a procwatch that COMMAND runs
# (as another user, say): COMMAND's stdout goes to OUT.
held_run() {
	local out=$1 pid g
	local -a gates

	read -r -a gates <<<"$2"
	shift 2
	"$@" >"$out" 2>"$out.err" &
	pid=$!
	for g in "${gates[@]}"; do
		if ! wait_for 60 seen_exec_of_gate "$out" "$g" || ! release_gate "$g"; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			printf 'procwatch wrote:\n' >&2
			cat "$out" "$out.err" >&2
			return 1
		fi
	done
	status=0
	wait "$pid" || status=$?
	if [ -s "$out" ]; then
		jq_lines "$out"
	fi
}
