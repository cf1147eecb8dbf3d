#!/usr/bin/env bats
# output.bats - both output formats: JSON shape, time, escaping of hostile and invalid bytes
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

# A process whose data is checked is held on a FIFO (gate in helpers.bash)
# until procwatch has written its exec record, so that procwatch reads its
# /proc entry while it is alive. The shell stays alive while cat waits on
# the gate $1 (no exec of its last command), and its exec record comes
# before cat's.
SCRIPT='cat "$1"; exit'

TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
EVENT_RE='(fork|exec|exit|uid|gid|sid|ptrace|comm|coredump|exist|lost)'

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	OUT=$BATS_TEST_TMPDIR/out
	# the name of a process: newline, parentheses and ESC
	HOSTILE=$(printf 'x\n) (\033y')
	PW_PID=
}

# A failed test may leave procwatch running and a process held.
teardown() {
	end_held
}

# pw_held_until GATE SEEN ARGS...: run procwatch ARGS in the background,
# stdout to $OUT, stderr to $OUT.err; once 'SEEN GATE' (polled, bounded)
# finds the exec record of the process held on GATE, release GATE. Then
# wait for procwatch and set $status.
pw_held_until() {
	local g=$1 seen=$2

	shift 2
	"$PROCWATCH" "$@" >"$OUT" 2>"$OUT.err" 3>&- &
	PW_PID=$!
	if ! wait_for 60 "$seen" "$g" || ! release_gate "$g"; then
		printf 'procwatch wrote:\n' >&2
		cat "$OUT" "$OUT.err" >&2
		return 1
	fi
	status=0
	wait "$PW_PID" || status=$?
	PW_PID=
}

# seen_text_cat GATE: $OUT (text) holds the exec record of 'cat GATE'.
seen_text_cat() {
	grep -qF " argv=\"cat $1\"" "$OUT"
}

# seen_text_last GATE: $OUT (text) holds an exec record whose last argument is GATE.
seen_text_last() {
	grep -E "^$TIME_RE exec [0-9]+ " "$OUT" | grep -qF " $1\""
}

# seen_json_last GATE: $OUT (JSON lines) holds an exec record whose last argument is GATE.
seen_json_last() {
	jq -e -n --arg g "$1" 'any(inputs; .event == "exec" and .argv[-1] == $g)' "$OUT" >/dev/null 2>&1
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
	jq -c --arg s "$SCRIPT" 'select(.event == "exec" and .argv[0:3] == ["sh", "-c", $s])' "$OUT"
}

@test "JSON: every line is one compact object starting with time, event and pid" {
	local before after line n=0 t g
	g=$(gate g)
	before=$(date -u +%s)
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g"
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
	# fork, exec and exit of the shell and of cat
	[ "$n" -ge 6 ]
}

@test "JSON: an executable named with newline, parentheses and ESC" {
	local dir prog g
	dir=$(pwd -P)
	prog=$dir/$HOSTILE
	# a cat, held on the gate by its own name
	cp /bin/cat "$prog"
	g=$(gate g)
	pw_held_until "$g" seen_json_last -f json -- "$prog" "$g"
	jq_lines "$OUT"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	[ "$(jq -c --arg n "$HOSTILE" --arg p "$prog" --arg g "$g" \
		'select(.event == "exec" and .comm == $n and .exe == $p and .argv == [$p, $g])' "$OUT" |
		wc -l)" -eq 1 ]
	[ "$(jq -c --arg n "$HOSTILE" 'select(.event == "exit" and .comm == $n and .exit_code == 0)' "$OUT" |
		wc -l)" -eq 1 ]
}

@test "JSON: a name with newline, parentheses and ESC written to /proc/PID/comm" {
	local g
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c 'printf %s "$1" >/proc/$$/comm && cat "$2"; exit' sh "$HOSTILE" "$g"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	[ "$(jq -c --arg n "$HOSTILE" 'select(.event == "comm" and .comm == $n)' "$OUT" | wc -l)" -eq 1 ]
}

@test "JSON: old_comm is the name before the change, or null when unknown (races /proc: the shell renames itself at once)" {
	# the shell renames itself at once, racing procwatch's read of its /proc
	# entry on exec: repeat, so that a stale name shows up if it can; the
	# gate only keeps it alive after the rename
	local i g
	for ((i = 0; i < 10; i++)); do
		g=$(gate "g$i")
		pw_held "$OUT" "$g" -- sh -c 'printf %s "$1" >/proc/$$/comm && cat "$2"; exit' sh renamed "$g"
		[ "$status" -eq 0 ]
		[ ! -s "$OUT.err" ]
		run select_events "$OUT" '.event == "comm"'
		[ "${#lines[@]}" -eq 1 ]
		jq -e '.comm == "renamed" and (.old_comm == "sh" or .old_comm == null)' <<<"${lines[0]}" >/dev/null ||
			die "run $i: ${lines[0]}"
	done
}

@test "text: an executable named with newline, parentheses and ESC cannot forge a line" {
	local dir prog g status=0
	dir=$(pwd -P)
	prog=$dir/$HOSTILE
	# a cat, held on the gate by its own name
	cp /bin/cat "$prog"
	g=$(gate g)
	pw_held_until "$g" seen_text_last -f text -- "$prog" "$g"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	# prefix comm, then exe and argv; \n and ESC escaped inside double quotes
	run text_records "$OUT" exec
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '"x\n) (\x1by" '* ]] || die "comm not escaped: ${lines[0]}"
	[[ ${lines[0]} == *" exe=\"$dir/x\\n) (\\x1by\" "* ]] || die "exe not escaped: ${lines[0]}"
	[[ ${lines[0]} == *" argv=\"'$dir/x\\n) (\\x1by' $g\""* ]] || die "argv not escaped: ${lines[0]}"
}

@test "text: a name with newline, parentheses and ESC written to /proc/PID/comm cannot forge a line" {
	local g status=0
	g=$(gate g)
	pw_held_until "$g" seen_text_cat -f text -- \
		sh -c 'printf %s "$1" >/proc/$$/comm && cat "$2"; exit' sh "$HOSTILE" "$g"
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
	local arg g
	arg=$(printf 'a\377b\300\200c\303\251d\342\202')
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g" "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	run shell_exec
	[ "${#lines[@]}" -eq 1 ]
	local rec=${lines[0]}
	[ "$(jq -a '.argv[5]' <<<"$rec")" = '"a\uefffb\uefc0\uef80c\u00e9d\uefe2\uef82"' ]
	jq -j '.argv[5]' <<<"$rec" | unmap >"$BATS_TEST_TMPDIR/back"
	printf '%s' "$arg" | cmp - "$BATS_TEST_TMPDIR/back"
}

@test "JSON: characters U+EF80..U+EFFF in the input are mapped byte by byte, reversibly" {
	local first last below arg expected g
	first=$(printf '\xee\xbe\x80')	# U+EF80
	last=$(printf '\xee\xbf\xbf')	# U+EFFF
	below=$(printf '\xee\xbd\xbf')	# U+EF7F, outside the range: kept
	arg="p${first}q${last}r${below}s"
	expected="\"p$(mapped "$first")q$(mapped "$last")r\\uef7fs\""
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g" "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	run shell_exec
	[ "${#lines[@]}" -eq 1 ]
	local rec=${lines[0]}
	[ "$(jq -a '.argv[5]' <<<"$rec")" = "$expected" ] ||
		die "got $(jq -a '.argv[5]' <<<"$rec"), expected $expected"
	jq -j '.argv[5]' <<<"$rec" | unmap >"$BATS_TEST_TMPDIR/back"
	printf '%s' "$arg" | cmp - "$BATS_TEST_TMPDIR/back"
}

@test "JSON: control characters are escaped, and decode back exactly" {
	local arg g
	arg=$(printf 'a\001b\177c\302\233d\te')
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c "$SCRIPT" sh "$g" "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_no_control "$OUT"
	run shell_exec
	[ "${#lines[@]}" -eq 1 ]
	jq -j '.argv[5]' <<<"${lines[0]}" >"$BATS_TEST_TMPDIR/back"
	printf '%s' "$arg" | cmp - "$BATS_TEST_TMPDIR/back"
}

@test "text: control characters are shown as \\xHH" {
	local arg g status=0
	arg=$(printf 'a\001b\177c\302\233d\te')
	g=$(gate g)
	pw_held_until "$g" seen_text_cat -f text -- sh -c "$SCRIPT" sh "$g" "$arg"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	assert_no_control "$OUT"
	# shell words first, then the whole value in double quotes (a quote
	# written as \"): 'a<01>b<7f>c<c2 9b>d<tab>e' -> 'a\x01b\x7fc\xc2\x9bd\te'
	local expected
	expected=$(cat <<'EOF'
argv="sh -c 'cat \"$1\"; exit' sh GATE 'a\x01b\x7fc\xc2\x9bd\te'"
EOF
	)
	expected=${expected/GATE/"$g"}
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
	local status=0 cat_exe g
	cat_exe=$(readlink -f "$(command -v cat)")
	[[ $cat_exe =~ ^[A-Za-z0-9._,:/@%+=~-]+$ ]] || skip "the path of cat needs quoting: $cat_exe"
	g=$(gate g)
	pw_held_until "$g" seen_text_cat -f text -- sh -c "$SCRIPT" x "$g" '' 'a b' "it's"
	[ "$status" -eq 0 ]
	[ ! -s "$OUT.err" ]
	assert_text_lines "$OUT"
	# shell words: sh -c 'cat "$1"; exit' x GATE '' 'a b' 'it'\''s'
	# then one double-quoted value, a quote written as \" and a backslash as \\
	local expected
	expected=$(cat <<'EOF'
argv="sh -c 'cat \"$1\"; exit' x GATE '' 'a b' 'it'\\''s'"
EOF
	)
	expected=${expected/GATE/"$g"}
	run text_records "$OUT" exec
	local line shells=0 cats=0
	for line in "${lines[@]}"; do
		case $line in
		"sh "*)
			shells=$((shells + 1))
			[[ $line == *" $expected "* ]] || die "expected $expected in: $line"
			;;
		"cat "*)
			cats=$((cats + 1))
			[[ $line == *" exe=$cat_exe "* ]] || die "expected exe=$cat_exe in: $line"
			[[ $line == *" argv=\"cat $g\" "* ]] || die "expected argv=\"cat $g\" in: $line"
			;;
		esac
	done
	[ "$shells" -eq 1 ]
	[ "$cats" -eq 1 ]
}
