#!/usr/bin/env bats
# output.bats - both output formats: JSON shape, time, escaping of hostile and invalid bytes
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

# The shell stays alive while sleep runs (no exec of its last command), so
# its /proc entry is still there when its exec event is read.
SCRIPT='sleep 0.3; exit'

TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
EVENT_RE='(fork|exec|exit|uid|gid|sid|ptrace|comm|coredump|exist|lost)'

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	OUT=$BATS_TEST_TMPDIR/out
	# the name of a process: newline, parentheses and ESC
	HOSTILE=$(printf 'x\n) (\033y')
}

# assert_text_lines FILE: every line of FILE is one text record.
assert_text_lines() {
	local n
	[ "$(wc -l <"$1")" -gt 0 ] || die "no lines in $1"
	n=$(grep -cvE "^$TIME_RE $EVENT_RE [0-9]+ " "$1") || true
	[ "$n" -eq 0 ] || die "lines that are not records: $(grep -vE "^$TIME_RE $EVENT_RE [0-9]+ " "$1")"
}

# text_records FILE EVENT: the text records of FILE for EVENT, without the
# time, event and pid: "COMM key=value...".
text_records() {
	sed -nE "s/^$TIME_RE $2 [0-9]+ //p" "$1"
}

# jq_a JQ_FILTER: the JSON string the filter selects from $OUT, as jq -a writes it.
jq_a() {
	jq -a "$1" "$OUT"
}

# mapped BYTES: the escapes jq -a shows for BYTES mapped one by one to U+EF00 + byte.
mapped() {
	local hex
	for hex in $(printf '%s' "$1" | od -An -v -tx1); do
		printf '\\u%04x' $((0xef00 + 0x$hex))
	done
}

# The exec record of the shell running $SCRIPT, compact.
shell_exec() {
	select_events "$OUT" ".event == \"exec\" and .argv[0:3] == [\"sh\", \"-c\", \"$SCRIPT\"]"
}

@test "JSON: every line is one compact object starting with time, event and pid" {
	local before after line n=0 t
	before=$(date -u +%s)
	pw_json "$OUT" -- sh -c "$SCRIPT"
	after=$(date -u +%s)
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	while IFS= read -r line; do
		n=$((n + 1))
		[ "$(printf '%s\n' "$line" | jq -c .)" = "$line" ] || die "not compact: $line"
		printf '%s\n' "$line" | jq -e '(keys_unsorted[0:3] == ["time", "event", "pid"]) and (.pid | type == "number")' >/dev/null ||
			die "does not start with time, event, pid: $line"
		t=$(printf '%s\n' "$line" | jq -r .time)
		[[ $t =~ ^$TIME_RE$ ]] || die "bad time: $t"
		t=$(jq -rn --arg t "$t" '$t | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601')
		[ "$t" -ge $((before - 60)) ] && [ "$t" -le $((after + 60)) ] ||
			die "time $t not within a minute of [$before, $after]"
	done <"$OUT"
	# fork, exec and exit of the shell and of sleep
	[ "$n" -ge 6 ]
}

@test "JSON: an executable named with newline, parentheses and ESC" {
	local dir prog
	dir=$(pwd -P)
	prog=$dir/$HOSTILE
	cp /bin/sleep "$prog"
	pw_json "$OUT" -- "$prog" 0.3
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	[ "$(jq -c --arg n "$HOSTILE" --arg p "$prog" \
		'select(.event == "exec" and .comm == $n and .exe == $p and .argv == [$p, "0.3"])' "$OUT" |
		wc -l)" -eq 1 ]
	[ "$(jq -c --arg n "$HOSTILE" 'select(.event == "exit" and .comm == $n and .exit_code == 0)' "$OUT" |
		wc -l)" -eq 1 ]
}

@test "JSON: a name with newline, parentheses and ESC written to /proc/PID/comm" {
	pw_json "$OUT" -- sh -c 'printf %s "$1" >/proc/$$/comm && sleep 0.3; exit' sh "$HOSTILE"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	[ "$(jq -c --arg n "$HOSTILE" 'select(.event == "comm" and .comm == $n)' "$OUT" | wc -l)" -eq 1 ]
}

@test "JSON: old_comm is the name before the change, or null when unknown" {
	# the shell renames itself at once, racing procwatch's read of its /proc
	# entry on exec: repeat, so that a stale name shows up if it can
	local i
	for ((i = 0; i < 10; i++)); do
		pw_json "$OUT" -- sh -c 'printf %s "$1" >/proc/$$/comm && sleep 0.1; exit' sh renamed
		[ "$status" -eq 0 ]
		[ ! -s "$OUT.err" ]
		run select_events "$OUT" '.event == "comm"'
		[ "${#lines[@]}" -eq 1 ]
		jq -e '.comm == "renamed" and (.old_comm == "sh" or .old_comm == null)' <<<"${lines[0]}" >/dev/null ||
			die "run $i: ${lines[0]}"
	done
}

@test "text: an executable named with newline, parentheses and ESC cannot forge a line" {
	local dir prog status=0
	dir=$(pwd -P)
	prog=$dir/$HOSTILE
	cp /bin/sleep "$prog"
	"$PROCWATCH" -f text -- "$prog" 0.3 >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	# prefix comm, then exe and argv; \n and ESC escaped inside double quotes
	run text_records "$OUT" exec
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '"x\n) (\x1by" '* ]] || die "comm not escaped: ${lines[0]}"
	[[ ${lines[0]} == *" exe=\"$dir/x\\n) (\\x1by\" "* ]] || die "exe not escaped: ${lines[0]}"
	[[ ${lines[0]} == *" argv=\"'$dir/x\\n) (\\x1by' 0.3\""* ]] || die "argv not escaped: ${lines[0]}"
}

@test "text: a name with newline, parentheses and ESC written to /proc/PID/comm cannot forge a line" {
	local status=0
	"$PROCWATCH" -f text -- sh -c 'printf %s "$1" >/proc/$$/comm && sleep 0.3; exit' sh "$HOSTILE" \
		>"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	run text_records "$OUT" comm
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '"x\n) (\x1by" '* ]] || die "comm not escaped: ${lines[0]}"
}

@test "JSON: bytes that are not UTF-8 are mapped to U+EF00 + byte, reversibly" {
	# 0xff; overlong C0 80; valid U+00E9; a sequence cut short (E2 82)
	local arg
	arg=$(printf 'a\377b\300\200c\303\251d\342\202')
	pw_json "$OUT" -- sh -c "$SCRIPT" sh "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	run shell_exec
	[ "${#lines[@]}" -eq 1 ]
	local rec=${lines[0]}
	[ "$(jq -a '.argv[4]' <<<"$rec")" = '"a\uefffb\uefc0\uef80c\u00e9d\uefe2\uef82"' ]
	jq -j '.argv[4]' <<<"$rec" | unmap >"$BATS_TEST_TMPDIR/back"
	printf '%s' "$arg" | cmp - "$BATS_TEST_TMPDIR/back"
}

@test "JSON: characters U+EF80..U+EFFF in the input are mapped byte by byte, reversibly" {
	local first last below arg expected
	first=$(printf '\xee\xbe\x80')	# U+EF80
	last=$(printf '\xee\xbf\xbf')	# U+EFFF
	below=$(printf '\xee\xbd\xbf')	# U+EF7F, outside the range: kept
	arg="p${first}q${last}r${below}s"
	expected="\"p$(mapped "$first")q$(mapped "$last")r\\uef7fs\""
	pw_json "$OUT" -- sh -c "$SCRIPT" sh "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	run shell_exec
	[ "${#lines[@]}" -eq 1 ]
	local rec=${lines[0]}
	[ "$(jq -a '.argv[4]' <<<"$rec")" = "$expected" ] ||
		die "got $(jq -a '.argv[4]' <<<"$rec"), expected $expected"
	jq -j '.argv[4]' <<<"$rec" | unmap >"$BATS_TEST_TMPDIR/back"
	printf '%s' "$arg" | cmp - "$BATS_TEST_TMPDIR/back"
}

@test "JSON: control characters are escaped, and decode back exactly" {
	local arg
	arg=$(printf 'a\001b\177c\302\233d\te')
	pw_json "$OUT" -- sh -c "$SCRIPT" sh "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_no_control "$OUT"
	run shell_exec
	[ "${#lines[@]}" -eq 1 ]
	jq -j '.argv[4]' <<<"${lines[0]}" >"$BATS_TEST_TMPDIR/back"
	printf '%s' "$arg" | cmp - "$BATS_TEST_TMPDIR/back"
}

@test "text: control characters are shown as \\xHH" {
	local arg status=0
	arg=$(printf 'a\001b\177c\302\233d\te')
	"$PROCWATCH" -f text -- sh -c "$SCRIPT" sh "$arg" >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	# shell words first, then the whole value in double quotes:
	# 'a<01>b<7f>c<c2 9b>d<tab>e' -> 'a\x01b\x7fc\xc2\x9bd\te'
	local expected
	expected=$(cat <<'EOF'
argv="sh -c 'sleep 0.3; exit' sh 'a\x01b\x7fc\xc2\x9bd\te'"
EOF
	)
	run text_records "$OUT" exec
	local line found=0
	for line in "${lines[@]}"; do
		[[ $line == "sh "* ]] || continue
		found=$((found + 1))
		[[ $line == *" $expected "* ]] || die "expected $expected in: $line"
	done
	[ "$found" -eq 1 ]
}

@test "text: argv as shell words, quoted as one value; safe values bare" {
	local status=0 sleep_exe
	sleep_exe=$(readlink -f "$(command -v sleep)")
	[[ $sleep_exe =~ ^[A-Za-z0-9._,:/@%+=~-]+$ ]] || skip "the path of sleep needs quoting: $sleep_exe"
	"$PROCWATCH" -f text -- sh -c "$SCRIPT" x '' 'a b' "it's" >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	# shell words: sh -c 'sleep 0.3; exit' x '' 'a b' 'it'\''s'
	# then one double-quoted value, a backslash written as \\
	local expected
	expected=$(cat <<'EOF'
argv="sh -c 'sleep 0.3; exit' x '' 'a b' 'it'\\''s'"
EOF
	)
	run text_records "$OUT" exec
	local line shells=0 sleeps=0
	for line in "${lines[@]}"; do
		case $line in
		"sh "*)
			shells=$((shells + 1))
			[[ $line == *" $expected "* ]] || die "expected $expected in: $line"
			;;
		"sleep "*)
			sleeps=$((sleeps + 1))
			[[ $line == *" exe=$sleep_exe "* ]] || die "expected exe=$sleep_exe in: $line"
			[[ $line == *' argv="sleep 0.3" '* ]] || die "expected argv=\"sleep 0.3\" in: $line"
			;;
		esac
	done
	[ "$shells" -eq 1 ]
	[ "$sleeps" -eq 1 ]
}
