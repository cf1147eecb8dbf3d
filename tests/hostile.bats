#!/usr/bin/env bats
# hostile.bats - live hostile input: every byte in names and arguments, huge command lines, deleted files, deep trees
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each test runs procwatch in command mode as root on the real kernel. A
# process whose data is checked is held on a FIFO (gate in helpers.bash)
# until procwatch has written its exec record, so that procwatch reads its
# /proc entry while it is alive; a shell is held by the child it waits for.

load helpers

# The shell stays alive while cat waits on the gate $1 (no exec of its last
# command).
SCRIPT='cat "$1"; exit'

TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
EVENT_RE='(fork|exec|exit|uid|gid|sid|ptrace|comm|coredump|exist|lost)'

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	OUT=$BATS_TEST_TMPDIR/out
	DIR=$(pwd -P)
	ME=$BASHPID
	PW_PID=
}

# A failed test may leave procwatch running and a process held.
teardown() {
	end_held
}

# pw_bg FORMAT ARGS...: start procwatch -f FORMAT with ARGS in the background,
# stdout to $OUT, stderr to $OUT.err; $PW_PID is its pid.
pw_bg() {
	PW_FMT=$1
	shift
	"$PROCWATCH" -f "$PW_FMT" "$@" >"$OUT" 2>"$OUT.err" 3>&- &
	PW_PID=$!
}

# release_when GATE COMMAND...: once COMMAND succeeds (polled, bounded),
# release GATE; if it does not, stop procwatch and show what it wrote.
release_when() {
	local g=$1

	shift
	if ! wait_for 60 "$@" || ! release_gate "$g"; then
		kill "$PW_PID" 2>/dev/null
		wait "$PW_PID" 2>/dev/null
		PW_PID=
		printf 'procwatch wrote (head):\n' >&2
		head -c 4000 "$OUT" >&2
		cat "$OUT.err" >&2
		return 1
	fi
}

# pw_wait: wait for the procwatch of pw_bg and set $status; every line of
# JSON output is checked by jq.
pw_wait() {
	status=0
	wait "$PW_PID" || status=$?
	PW_PID=
	if [ "$PW_FMT" = json ] && [ -s "$OUT" ]; then
		jq_lines "$OUT"
	fi
}

# text_argv ARG...: the argv field of a text record whose argv is ARG...,
# with the spaces around it.
text_argv() {
	printf ' argv=%s ' "$(shwords "$@" | tv)"
}

# seen_text_exec FIELD: $OUT (text) has an exec record that holds the fixed
# string FIELD (made once by text_argv: wait_for counts its polls, not time).
seen_text_exec() {
	grep -E "^$TIME_RE exec [0-9]+ " "$OUT" | grep -qF -- "$1"
}

# pw_text_held GATES ARGS...: pw_held for text: run procwatch -f text with
# ARGS; for each gate of GATES (paths separated by spaces) in turn, wait
# until $OUT holds the exec record of 'cat GATE', then release it. Then
# wait for procwatch and set $status; stderr is in $OUT.err.
pw_text_held() {
	local g
	local -a gates

	read -r -a gates <<<"$1"
	shift
	pw_bg text "$@"
	for g in "${gates[@]}"; do
		release_when "$g" seen_text_exec "$(text_argv cat "$g")" || return 1
	done
	pw_wait
}

# check FILTER [JQ_ARGS...]: FILTER, applied to the array of all records of $OUT, must give true.
check() {
	local filter=$1

	shift
	if ! jq -e -s "$@" "$filter" "$OUT" >/dev/null; then
		printf 'not true: %s\nrecords (head):\n' "$filter" >&2
		head -c 4000 "$OUT" >&2
		return 1
	fi
}

# assert_text_lines FILE: every line of FILE is one text record.
assert_text_lines() {
	local n
	[ "$(wc -l <"$1")" -gt 0 ] || die "no lines in $1"
	n=$(grep -cvE "^$TIME_RE $EVENT_RE [0-9]+ " "$1") || true
	[ "$n" -eq 0 ] || die "$n lines that are not records in $1"
}

# hex: stdin as one line of lowercase hex digits.
hex() {
	od -An -v -tx1 | tr -d ' \n'
	echo
}

# all_bytes: every byte 0x01..0xff, once, in order.
all_bytes() {
	perl -e 'print map { chr } 1 .. 255'
}

# tv: the bytes on stdin as a text value (see ESCAPING), for bytes without
# any well-formed multi-byte UTF-8: every byte >= 0x80 is \xHH.
tv() {
	perl -e 'local $/; $_ = <STDIN>; $_ //= "";
		if (length && $_ ne "-" && m{^[A-Za-z0-9._,:/@%+=~-]+$}) { print; exit }
		s/([\\"])/\\$1/g; s/\n/\\n/g; s/\t/\\t/g; s/\r/\\r/g;
		s/([\x00-\x1f\x7f-\xff])/sprintf("\\x%02x", ord $1)/ge;
		print qq{"$_"}'
}

# shwords ARG...: the arguments as the shell words of a text argv, joined by spaces.
shwords() {
	printf '%s\0' "$@" | perl -e 'local $/ = "\0"; my @a = map { chomp; $_ } <STDIN>;
		print join " ", map { (length && m{^[A-Za-z0-9._,:/@%+=-]+$}) ? $_
		: do { (my $q = $_) =~ s/\x27/\x27\\\x27\x27/g; "\x27$q\x27" } } @a'
}

# events_with PATTERN_FILE: the sorted events of the text records of $OUT
# that hold the fixed string in PATTERN_FILE, each followed by a space. The
# shell's exec and exit records and the fork of its cat hold its argv.
events_with() {
	grep -Ff "$1" "$OUT" | awk '{ printf "%s\n", $2 }' | sort | tr '\n' ' '
}

# The 17 chunks of 15 bytes that together hold every byte 0x01..0xff, as
# names for /proc/self/comm (the kernel keeps at most 15 bytes of a name).
chunks() {
	local i
	CHUNKS=()
	for ((i = 0; i < 17; i++)); do
		CHUNKS+=("$(perl -e 'print substr(join("", map { chr } 1 .. 255), $ARGV[0] * 15, 15)' "$i")")
	done
	# no chunk ends in a newline, which $(...) would have dropped
	[ "$(printf '%s' "${CHUNKS[@]}" | hex)" = "$(all_bytes | hex)" ]
}

# comm_gates: one gate per chunk, in $GATES (separated by spaces); the
# arguments for COMM_SCRIPT, each chunk followed by its gate, in $PAIRS.
comm_gates() {
	local i g
	GATES=
	PAIRS=()
	for ((i = 0; i < 17; i++)); do
		g=$(gate "g$i")
		GATES+=${GATES:+ }$g
		PAIRS+=("${CHUNKS[i]}" "$g")
	done
}

# Each chunk becomes the name of a subshell, which then stays alive on its
# gate (a child cat it waits for).
COMM_SCRIPT='while [ "$#" -gt 1 ]; do (printf %s "$1" >/proc/self/comm && cat "$2"; exit) & shift 2; done; wait'

@test "JSON: names holding every byte 0x01..0xff decode back exactly" {
	local line pid
	chunks
	comm_gates
	pw_held "$OUT" "$GATES" -- sh -c "$COMM_SCRIPT" sh "${PAIRS[@]}"
	[ "$status" -eq 0 ]
	no_stderr
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	check '[.[] | select(.event == "comm")] | length == 17'
	# decoded by the documented rule, the 17 new names are exactly the chunks
	jq -c 'select(.event == "comm")' "$OUT" | while IFS= read -r line; do
		jq -j .comm <<<"$line" | unmap | hex
	done | sort >"$BATS_TEST_TMPDIR/got"
	for c in "${CHUNKS[@]}"; do printf '%s' "$c" | hex; done | sort >"$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the exit record of each renamed subshell carries its new name
	check '. as $r | all(.[] | select(.event == "comm"); . as $c
		| [$r[] | select(.event == "exit" and .pid == $c.pid)] | length == 1 and .[0].comm == $c.comm)'
}

@test "text: names holding every byte 0x01..0xff stay on one line, escaped exactly" {
	local c want n
	chunks
	comm_gates
	pw_text_held "$GATES" -- sh -c "$COMM_SCRIPT" sh "${PAIRS[@]}"
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	[ "$(grep -cE "^$TIME_RE comm [0-9]+ " "$OUT")" -eq 17 ]
	for c in "${CHUNKS[@]}"; do
		want=$(printf %s "$c" | tv)
		n=$(sed -nE "s/^$TIME_RE comm [0-9]+ //p" "$OUT" | grep -cF -- "$want key=") ||
			die "no comm record for $want"
		[ "$n" -eq 1 ] || die "$n comm records for $want"
	done
}

@test "JSON: an argument holding every byte 0x01..0xff decodes back exactly" {
	local arg rec g
	arg=$(all_bytes)
	[ "${#arg}" -eq 255 ]
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g" "$arg"
	[ "$status" -eq 0 ]
	no_stderr
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	check '[.[] | select(.event == "exec" and .argv[0:4] == ["sh", "-c", $s, "sh"])] | length == 1' --arg s "$SCRIPT"
	rec=$(jq -c --arg s "$SCRIPT" 'select(.event == "exec" and .argv[0:4] == ["sh", "-c", $s, "sh"])' "$OUT")
	jq -e --arg g "$g" '.argv | length == 6 and .[4] == $g' <<<"$rec" >/dev/null
	[ "$(jq -j '.argv[5]' <<<"$rec" | unmap | hex)" = "$(all_bytes | hex)" ]
	# 0x01..0x7f are themselves, each byte 0x80..0xff one character U+EF80..U+EFFF
	jq -e '.argv[5] | explode == ([range(1; 128)] + [range(128; 256) | . + 61184])' <<<"$rec" >/dev/null
	# the exit record shows the same command line
	check '(.[] | select(.event == "exec" and .argv[0:4] == ["sh", "-c", $s, "sh"])) as $e
		| [.[] | select(.event == "exit" and .pid == $e.pid and .argv == $e.argv)] | length == 1' --arg s "$SCRIPT"
}

@test "text: an argument holding every byte 0x01..0xff stays on one line, escaped exactly" {
	local arg want g
	arg=$(all_bytes)
	g=$(gate g)
	pw_text_held "$g" -- sh -c "$SCRIPT" sh "$g" "$arg"
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	want=" argv=$(shwords sh -c "$SCRIPT" sh "$g" "$arg" | tv) "
	printf '%s\n' "$want" >"$BATS_TEST_TMPDIR/pat"
	[ "$(events_with "$BATS_TEST_TMPDIR/pat")" = "exec exit fork " ] ||
		die "want $want in: $(grep -F ' sh ' "$OUT")"
}

@test "JSON: a 128 KiB argument is written whole (the kernel's limit: 131071 bytes)" {
	local big rec g
	# MAX_ARG_STRLEN is 128 KiB with the null byte: the longest argument there can be
	big=$(perl -e '$s = ""; $i = 0; $s .= sprintf("%07d|", $i++) while length $s < 131071; print substr($s, 0, 131071)')
	[ "${#big}" -eq 131071 ]
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g" "$big" end
	[ "$status" -eq 0 ]
	no_stderr
	rec=$(jq -c --arg s "$SCRIPT" 'select(.event == "exec" and .argv[0:4] == ["sh", "-c", $s, "sh"])' "$OUT")
	[ -n "$rec" ]
	[ "$(wc -l <<<"$rec")" -eq 1 ]
	jq -e --arg g "$g" '(.argv | length) == 7 and .argv[4] == $g and (.argv[5] | length) == 131071
		and .argv[6] == "end"' <<<"$rec" >/dev/null
	cmp <(jq -j '.argv[5]' <<<"$rec") <(printf '%s' "$big")
	check '(.[] | select(.event == "exec" and .argv[0:4] == ["sh", "-c", $s, "sh"])) as $e
		| [.[] | select(.event == "exit" and .pid == $e.pid and .argv == $e.argv)] | length == 1' --arg s "$SCRIPT"
}

@test "text: a 128 KiB argument is written whole on one line" {
	local big g
	big=$(perl -e '$s = ""; $i = 0; $s .= sprintf("%07d|", $i++) while length $s < 131071; print substr($s, 0, 131071)')
	g=$(gate g)
	pw_text_held "$g" -- sh -c "$SCRIPT" sh "$g" "$big" end
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	printf '%s\n' " argv=$(shwords sh -c "$SCRIPT" sh "$g" "$big" end | tv) " >"$BATS_TEST_TMPDIR/pat"
	[ "$(events_with "$BATS_TEST_TMPDIR/pat")" = "exec exit fork " ]
}

# ten_thousand: 10,000 arguments, every 1000th of them empty (the last one too).
ten_thousand() {
	local i
	ARGS=()
	for ((i = 0; i < 10000; i++)); do
		if ((i % 1000 == 999)); then
			ARGS+=("")
		else
			ARGS+=("a$i-$((i * 7919 % 10007))")
		fi
	done
}

@test "JSON: 10,000 arguments, empty ones included, all there in order" {
	local want g
	ten_thousand
	g=$(gate g)
	want=$(jq -nc --arg s "$SCRIPT" --arg g "$g" '["sh", "-c", $s, "sh", $g]
		+ [range(10000) | if . % 1000 == 999 then "" else "a\(.)-\(. * 7919 % 10007)" end]')
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g" "${ARGS[@]}"
	[ "$status" -eq 0 ]
	no_stderr
	check '[.[] | select(.event == "exec" and .argv == $want)] | length == 1' --argjson want "$want"
	check '(.[] | select(.event == "exec" and .argv == $want)) as $e
		| ($e.argv | length) == 10005
		and ([.[] | select(.event == "exit" and .pid == $e.pid and .argv == $want)] | length) == 1' \
		--argjson want "$want"
}

@test "text: 10,000 arguments on one line, empty ones as ''" {
	local g
	ten_thousand
	g=$(gate g)
	pw_text_held "$g" -- sh -c "$SCRIPT" sh "$g" "${ARGS[@]}"
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	printf '%s\n' " argv=$(shwords sh -c "$SCRIPT" sh "$g" "${ARGS[@]}" | tv) " >"$BATS_TEST_TMPDIR/pat"
	grep -qF "a9998-$((9998 * 7919 % 10007)) ''\" " "$BATS_TEST_TMPDIR/pat"
	[ "$(events_with "$BATS_TEST_TMPDIR/pat")" = "exec exit fork " ]
}

@test "deleted executable: exec of a file removed before it (exe ends in ' (deleted)'), exit after its removal" {
	local prog=$DIR/doomed-cat prog2=$DIR/doomed-cat2 g1 g2 g3
	cp /bin/cat "$prog"
	cp /bin/cat "$prog2"
	g1=$(gate g1)
	g2=$(gate g2)
	g3=$(gate g3)
	# 1. doomed-cat waits on g1, which nobody releases; once its exec record
	#    is out, the shell (held on g2) removes it and then kills it: its exit
	#    record is written after the removal. 2. doomed-cat2 is opened,
	#    removed, then executed through its descriptor, held on g3: /proc
	#    shows it as deleted.
	pw_bg json -- sh -c '"$1" "$2" & p=$!
		cat "$3"
		rm -- "$1" && kill "$p"; wait "$p" 2>/dev/null; [ "$?" -eq 143 ] || exit 98
		exec 3<"$4" && rm -- "$4" && exec /proc/self/fd/3 "$5"' sh "$prog" "$g1" "$g2" "$prog2" "$g3"
	release_when "$g2" seen_exec "$OUT" "$(json_args "$prog" "$g1")"
	release_when "$g3" seen_exec "$OUT" "$(json_args /proc/self/fd/3 "$g3")"
	pw_wait
	[ "$status" -eq 0 ]
	no_stderr
	[ ! -e "$prog" ] && [ ! -e "$prog2" ]
	# exit records take exe from the exec (see JSON OUTPUT): the path it had
	check '[.[] | select(.event == "exec" and .exe == $p and .argv == [$p, $g])] | length == 1' \
		--arg p "$prog" --arg g "$g1"
	check '(.[] | select(.event == "exec" and .exe == $p)) as $e
		| [.[] | select(.event == "exit" and .pid == $e.pid)] | length == 1 and .[0].exe == $p
		and .[0].signal == "SIGTERM" and .[0].exit_code == null and .[0].comm == "doomed-cat"
		and .[0].argv == [$p, $g]' --arg p "$prog" --arg g "$g1"
	# the exec through the descriptor of the removed file
	check '[.[] | select(.event == "exec" and .argv == ["/proc/self/fd/3", $g])] | length == 1
		and (.[0] | (.exe | endswith(" (deleted)")) and .exe == $p + " (deleted)" and (has("missing") | not))' \
		--arg p "$prog2" --arg g "$g3" || { jq -c 'select(.event == "exec")' "$OUT" >&2; return 1; }
	check '(.[] | select(.event == "exec" and .argv == ["/proc/self/fd/3", $g])) as $e
		| [.[] | select(.event == "exit" and .pid == $e.pid)] | length == 1
		and .[0].exe == $e.exe and .[0].exit_code == 0' --arg g "$g3"
}

@test "text: a deleted executable stays on one line" {
	local prog=$DIR/doomed-cat g g0
	cp /bin/cat "$prog"
	g0=$(gate g0)
	g=$(gate g)
	# the shell is held (by a cat it waits for) until its own exec record is
	# out, so that its second exec cannot be read in place of the first
	pw_bg text -- sh -c 'cat "$3"; exec 3<"$1" && rm -- "$1" && exec /proc/self/fd/3 "$2"' sh "$prog" "$g" "$g0"
	release_when "$g0" seen_text_exec "$(text_argv cat "$g0")"
	release_when "$g" seen_text_exec "$(text_argv /proc/self/fd/3 "$g")"
	pw_wait
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	printf '%s\n' " exe=$(printf %s "$prog (deleted)" | tv) " >"$BATS_TEST_TMPDIR/pat"
	# the exec and the exit record
	[ "$(grep -cFf "$BATS_TEST_TMPDIR/pat" "$OUT")" -eq 2 ]
}

# memfd_exec: run cat GATE from a memfd named pw-memfd, as argv[0] memcat
# (arguments: machine, path of cat, gate).
MEMFD_PERL='
	my $nr = { x86_64 => 319, aarch64 => 279, riscv64 => 279, i686 => 356, i386 => 356 }->{$ARGV[0]}
		// die "no memfd_create number for $ARGV[0]\n";
	my $name = "pw-memfd";
	my $fd = syscall($nr, $name, 0);
	$fd >= 0 or die "memfd_create: $!\n";
	open(my $in, "<:raw", $ARGV[1]) or die "$ARGV[1]: $!\n";
	open(my $out, ">&=:raw", $fd) or die "fdopen: $!\n";
	local $/; print $out scalar <$in> or die "write: $!\n";
	close $in; $out->flush;
	exec { "/proc/self/fd/$fd" } "memcat", $ARGV[2] or die "exec: $!\n";
'

@test "exec from a memfd: the record is valid, exe is the memfd" {
	valgrind_skip "procwatch's own process is valgrind's"
	local cat g g2
	command -v perl >/dev/null || skip "perl is not installed"
	cat=$(readlink -f /bin/cat)
	# /dev/null as the gate: cat ends at once
	timeout 5 perl -e "$MEMFD_PERL" "$(uname -m)" "$cat" /dev/null ||
		skip "perl cannot exec from a memfd here"
	g=$(gate g)
	pw_bg json -- perl -e "$MEMFD_PERL" "$(uname -m)" "$cat" "$g"
	release_when "$g" seen_exec "$OUT" "$(json_args memcat "$g")"
	pw_wait
	[ "$status" -eq 0 ]
	no_stderr
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	check '[.[] | select(.event == "exec" and .argv == ["memcat", $g])] | length == 1
		and (.[0] | .exe == "/memfd:pw-memfd (deleted)" and (has("missing") | not)
			and .ancestors[0].comm == "procwatch")' --arg g "$g" ||
		{ jq -c 'select(.event == "exec")' "$OUT" >&2; return 1; }
	check '(.[] | select(.event == "exec" and .argv == ["memcat", $g])) as $e
		| [.[] | select(.event == "exit" and .pid == $e.pid)] | length == 1
		and .[0].exe == $e.exe and .[0].exit_code == 0' --arg g "$g"
	g2=$(gate g2)
	pw_bg text -- perl -e "$MEMFD_PERL" "$(uname -m)" "$cat" "$g2"
	release_when "$g2" seen_text_exec "$(text_argv memcat "$g2")"
	pw_wait
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	[ "$(grep -cF ' exe="/memfd:pw-memfd (deleted)" ' "$OUT")" -eq 2 ]
}

@test "removed cwd: exec in a directory removed from inside shows it as the kernel does" {
	local d=$DIR/gone g g2
	mkdir "$d"
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c 'cd "$1" && rmdir -- "$1" && cat "$2"; exit' sh "$d" "$g"
	[ "$status" -eq 0 ]
	no_stderr
	[ ! -e "$d" ]
	check '[.[] | select(.event == "exec" and .argv == ["cat", $g])] | length == 1
		and (.[0] | .cwd == $d + " (deleted)" and (has("missing") | not))' --arg d "$d" --arg g "$g" ||
		{ jq -c 'select(.event == "exec")' "$OUT" >&2; return 1; }
	# the exit records read cwd again: still the removed directory
	check '(.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| [.[] | select(.event == "exit" and .pid == $e.pid)] | length == 1 and .[0].cwd == $d + " (deleted)"' \
		--arg d "$d" --arg g "$g"
	mkdir "$d.2"
	g2=$(gate g2)
	pw_text_held "$g2" -- sh -c 'cd "$1" && rmdir -- "$1" && cat "$2"; exit' sh "$d.2" "$g2"
	[ "$status" -eq 0 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	[ "$(grep -cF " cwd=\"$d.2 (deleted)\" " "$OUT")" -ge 2 ]
}

# DEEP: level N runs level N+1 as a child shell, up to level 500, which runs
# cat on the gate $2 and exits 7; each level exits with the status of the next.
DEEP='if [ "$1" -lt 500 ]; then sh -c "$0" "$0" $(($1 + 1)) "$2"; else cat "$2"; exit 7; fi; exit $?'

@test "ancestry 500 levels deep: every level, then procwatch and its ancestors; the status passes through" {
	valgrind_skip "procwatch's own process is valgrind's"
	local chain g
	g=$(gate g)
	chain=$(proc_chain "$ME")
	pw_held "$OUT" "$g" -e fork,exec -- sh -c "$DEEP" "$DEEP" 1 "$g"
	[ "$status" -eq 7 ]
	no_stderr
	check '[.[] | select(.event == "exec" and .argv == ["cat", $g])] | length == 1' --arg g "$g"
	check '[.[] | select(.event == "exec" and .comm == "sh")] | length == 500'
	# the argv of the 500 levels, as a single argument, is beyond the kernel's
	# limit (131071 bytes): jq makes it
	check '[range(500; 0; -1) | ["sh", "-c", $s, $s, tostring, $g]] as $want
		| .[0] as $f | (.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| ($e.ancestors | length) == 501 + ($chain | length)
		and [$e.ancestors[0:500][].argv] == $want
		and all($e.ancestors[0:500][]; .comm == "sh")
		and $e.ancestors[0].pid == $e.ppid and $e.parent_key == $e.ancestors[0].key
		and $f.event == "fork" and $e.ancestors[499].pid == $f.pid
		and $e.ancestors[500].pid == $f.ppid and $e.ancestors[500].comm == "procwatch"
		and [$e.ancestors[501:][].pid] == $chain and $e.ancestors[-1].pid == 1
		and ([$e.key, $e.ancestors[].key] | unique | length) == ($e.ancestors | length) + 1' \
		--arg s "$DEEP" --arg g "$g" --argjson chain "$chain"
	# every shell shows the levels above it
	check 'all(.[] | select(.event == "exec" and .comm == "sh"); (.argv[4] | tonumber) as $n
		| (.ancestors | length) == $n + ($chain | length))' --argjson chain "$chain"
}

@test "ancestry 500 levels deep with -a 10: exactly 10 ancestors, the nearest ones" {
	local want g g2
	g=$(gate g)
	want=$(jq -nc --arg s "$DEEP" --arg g "$g" '[range(500; 490; -1) | ["sh", "-c", $s, $s, tostring, $g]]')
	pw_held "$OUT" "$g" -a 10 -- sh -c "$DEEP" "$DEEP" 1 "$g"
	[ "$status" -eq 7 ]
	no_stderr
	check 'all(.[]; (.ancestors | length) <= 10)'
	check '[.[] | select(.event == "exec" and .comm == "sh")] | length == 500'
	check '(.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| [$e.ancestors[].argv] == $want and $e.ancestors[0].pid == $e.ppid' --argjson want "$want" --arg g "$g"
	check '[.[] | select(.event == "exit" and .comm == "sh")] | length == 500
		and all(.[] | select(.event == "exit" and .comm == "sh"); .exit_code == 7
			and ((.argv[4] | tonumber) < 10 or (.ancestors | length) == 10))'
	g2=$(gate g2)
	pw_text_held "$g2" -a 10 -- sh -c "$DEEP" "$DEEP" 1 "$g2"
	[ "$status" -eq 7 ]
	no_stderr
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	grep -E "^$TIME_RE exec [0-9]+ cat " "$OUT" | grep -qE ' chain=(sh\([0-9]+\)<){9}sh\([0-9]+\)$'
}
