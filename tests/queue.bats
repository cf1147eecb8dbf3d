#!/usr/bin/env bats
# queue.bats - a reader who stops reading: the bounded output queue
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

setup() {
	OUT=$BATS_TEST_TMPDIR/out.json
	MAP=$BATS_TEST_TMPDIR/map
	KILL_FILE=$BATS_TEST_TMPDIR/kill
}

teardown() {
	kill_recorded
	release_left_gates
}

# slow_reader SECONDS OPTION... -- COMMAND...: run procwatch -f json with the
# options into a pipe whose reader sleeps SECONDS before it reads
# everything into $OUT; procwatch's stderr goes to $OUT.err, its exit
# status to $OUT.rc, and the time the reader woke (epoch seconds) to $OUT.woke.
slow_reader() {
	local secs=$1 rc

	shift
	{ rc=0; "$PROCWATCH" -f json "$@" 2>"$OUT.err" || rc=$?; echo "$rc" >"$OUT.rc"; } |
		{ sleep "$secs"; date +%s >"$OUT.woke"; cat; } >"$OUT"
	jq_lines "$OUT"
}

# lines_are N FILE: FILE exists and has N lines
lines_are() {
	[ -f "$2" ] && [ "$(wc -l <"$2")" -eq "$1" ]
}

# epoch seconds of each record, one per line
record_seconds() {
	jq -r '.time | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601' "$OUT"
}

@test "a reader who sleeps 5 s while 2,000 processes a second start loses nothing" {
	local n=12000 bytes ev k
	# 6 s at 2,000 a second: the reader sleeps through most of it. Two
	# ancestors (pw-spawn and procwatch) keep each record's size the test's
	# own: with all of them, an ancestor of the test run with 16 KiB of argv
	# makes 5 s of records more than the default --queue holds.
	slow_reader 5 --stats -a 2 -- "$PW_SPAWN" /bin/true q "$n" 1 0 "$MAP" 2000
	[ "$(cat "$OUT.rc")" -eq 0 ] || die "exit status $(cat "$OUT.rc"): $(cat "$OUT.err")"
	[ "$(wc -l <"$MAP")" -eq "$n" ]
	# everything: fork, exec and exit of each child and of the command, nothing lost
	[ "$(value '[.[] | select(.event == "lost")] | length')" -eq 0 ]
	for ev in fork exec exit; do
		k=$(value '[.[] | select(.event == $e)] | length' --arg e "$ev")
		[ "$k" -eq $((n + 1)) ] || die "$ev records: $k, not $((n + 1))"
	done
	# each process once in each kind (by key: a busy machine may reuse pids), and every child is one that ran
	[ "$(value '[.[] | select(.event == "exit") | .key] | unique | length')" -eq $((n + 1)) ]
	[ "$(cut -d' ' -f1 "$MAP" | sort -u | comm -23 - <(jq -r 'select(.event == "exit") | .pid' "$OUT" | sort -u) | wc -l)" -eq 0 ]
	# the reader really stalled: records older than its wake-up are more
	# than twice what the largest pipe can hold, so they waited in the queue
	bytes=$(paste -d' ' <(record_seconds) <(awk '{ print length($0) + 1 }' "$OUT") |
		awk -v woke="$(cat "$OUT.woke")" '$1 < woke - 1 { b += $2 } END { print b + 0 }')
	[ "$bytes" -gt $((2 * $(cat /proc/sys/fs/pipe-max-size))) ] ||
		die "only $bytes bytes of records are older than the reader's wake-up"
	grep -q "dropped=0 " "$OUT.err"
}

@test "beyond --queue the oldest records are dropped and a lost record counts them exactly" {
	local n=6000 seen lost counted last_lost m
	slow_reader 2 --stats --queue=256K -- "$PW_SPAWN" /bin/true q "$n" 1 0 "$MAP" 2000
	[ "$(cat "$OUT.rc")" -eq 0 ] || die "exit status $(cat "$OUT.rc"): $(cat "$OUT.err")"
	# a lost record of the queue: its own fields, and it stands alone
	run jq -e -s '[.[] | select(.event == "lost")] | length >= 1 and all(.[]; (keys | sort) == ["count","cpu","event","reason","time"] and .reason == "queue" and .cpu == null and .count > 0)' "$OUT"
	[ "$status" -eq 0 ] || die "lost records: $(select_events "$OUT" '.event == "lost"')"
	# records written plus records dropped are the 3 per process there were
	seen=$(value '[.[] | select(.event != "lost")] | length')
	lost=$(value '[.[] | select(.event == "lost") | .count] | add')
	[ $((seen + lost)) -eq $((3 * (n + 1))) ] || die "$seen written + $lost dropped != $((3 * (n + 1)))"
	grep -q "dropped=$lost " "$OUT.err" || die "stats: $(cat "$OUT.err")"
	# oldest first: after the last lost record, every child later than the
	# earliest one there has all three of its records
	last_lost=$(jq -s 'map(.event == "lost") | rindex(true)' "$OUT")
	awk '{ print $1, NR }' "$MAP" >"$BATS_TEST_TMPDIR/index"
	jq -r -s --argjson from "$last_lost" '.[$from + 1:][] | select(.event != "lost") | "\(.pid) \(.event)"' "$OUT" |
		sort >"$BATS_TEST_TMPDIR/after"
	m=$(join <(sort "$BATS_TEST_TMPDIR/index") "$BATS_TEST_TMPDIR/after" | awk 'NR == 1 || $2 < m { m = $2 } END { print m }')
	[ -n "$m" ] || die "no child records after the lost record"
	run awk -v m="$m" 'NR == FNR { idx[$1] = $2; next } idx[$1] > m { k[$1]++ }
		END { for (p in idx) if (idx[p] > m && k[p] != 3) { print p, idx[p], k[p] + 0; bad = 1 } exit bad }' \
		"$BATS_TEST_TMPDIR/index" "$BATS_TEST_TMPDIR/after"
	[ "$status" -eq 0 ] || die "children after the gap without all three records (pid index count): $output"
	# and the newest survive: the command's own exit is the last record
	[ "$(value 'last | .event')" = exit ]
}

@test "a queue-lost record in text is one line saying so" {
	# the reader stalls for a second: the scenario. That 2,000 processes a
	# second overflow the queue meanwhile is a matter of the spawner's rate,
	# not of a race with /proc: no record's content is checked
	{ "$PROCWATCH" -f text --queue=64K -- "$PW_SPAWN" /bin/true q 3000 1 0 "$MAP" 2000 2>"$OUT.err"; } |
		{ sleep 1; cat; } >"$OUT"
	[ ! -s "$OUT.err" ] || die "stderr: $(cat "$OUT.err")"
	grep -Eq '^[0-9T:.-]+Z lost count=[1-9][0-9]* reason=queue$' "$OUT" || die "no lost line: $(grep lost "$OUT")"
	assert_no_control "$OUT"
}

# subscribed PID: PID's proc connector socket is open
subscribed() {
	awk -v pid="$1" '$2 == 11 && $3 == pid { found = 1 } END { exit !found }' /proc/net/netlink
}

# drained PID: PID's proc connector socket holds no event it has not read
# (Rmem is 0): every event sent before this was taken in.
drained() {
	awk -v pid="$1" '$2 == 11 && $3 == pid { found = 1; if ($5 != 0) busy = 1 } END { exit !found || busy }' \
		/proc/net/netlink
}

# start_behind_fifo [OPTION]...: procwatch -f json watching the whole system into a
# FIFO that this shell opens as fd 4 but does not read; 1,000 processes
# then fill the pipe, and the rest waits in procwatch's queue. Sets PW.
start_behind_fifo() {
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	"$PROCWATCH" -f json "$@" >"$fifo" 2>"$OUT.err" 3>&- &
	PW=$!
	echo "$PW procwatch KILL" >>"$KILL_FILE"
	exec 4<"$fifo"
	# subscribed: its connector socket is bound (what happens next is in the events)
	wait_for 10 subscribed "$PW"
	"$PW_SPAWN" /bin/true q 1000 1 0 "$MAP"
	# procwatch has read the events of all of them
	wait_for 60 drained "$PW"
	kill -0 "$PW" || die "procwatch is gone: $(cat "$OUT.err")"
}

@test "at SIGTERM procwatch waits for the reader; a second SIGTERM gives up and says how much" {
	local rc=0 written
	start_behind_fifo --stats
	kill -TERM "$PW"
	# it has stopped reading events (a second SIGTERM before that would be
	# the same pending signal), and waits for the reader
	wait_for 120 eval '! subscribed "$PW"'
	# time for a procwatch that does not wait to be gone; one that waits is
	# still there however long this takes, so no race decides the check
	sleep 0.3
	kill -0 "$PW" || die "procwatch did not wait for the reader: $(cat "$OUT.err")"
	kill -TERM "$PW"
	wait "$PW" || rc=$?
	# what did reach the pipe, read now that procwatch is gone
	cat <&4 >"$OUT"
	exec 4<&-
	[ "$rc" -eq 1 ]
	grep -Eq '^procwatch: output blocked: [1-9][0-9]* records not written$' "$OUT.err" ||
		die "stderr: $(cat "$OUT.err")"
	grep -q '^procwatch: stats: ' "$OUT.err"
	[ "$(wc -l <"$OUT.err")" -eq 2 ] || die "stderr: $(cat "$OUT.err")"
	# --stats counts as written the whole records the reader got, no more
	written=$(sed -n 's/.* written=\([0-9]*\) .*/\1/p' "$OUT.err")
	[ "$written" -gt 0 ]
	[ "$(wc -l <"$OUT")" -eq "$written" ] || die "$(wc -l <"$OUT") lines read, written=$written"
	# and those are whole JSON records, but perhaps the last, cut short
	head -n "$written" "$OUT" >"$OUT.whole"
	jq_lines "$OUT.whole"
}

@test "a reader who comes back after SIGTERM gets every record" {
	local rc=0
	start_behind_fifo
	kill -TERM "$PW"
	# the reader comes back once procwatch has stopped reading events
	wait_for 120 eval '! subscribed "$PW"'
	# time for a procwatch that does not wait to be gone (see above)
	sleep 0.3
	kill -0 "$PW" || die "procwatch did not wait for the reader"
	cat <&4 >"$OUT" &
	exec 4<&-
	wait "$PW" || rc=$?
	wait
	[ "$rc" -eq 0 ] || die "exit status $rc: $(cat "$OUT.err")"
	no_stderr
	jq_lines "$OUT"
	[ "$(value '[.[] | select(.event == "lost")] | length')" -eq 0 ]
	# the exit of every child
	run comm -23 <(cut -d' ' -f1 "$MAP" | sort -u) <(jq -r 'select(.event == "exit") | .pid' "$OUT" | sort -u)
	[ -z "$output" ] || die "children without an exit record: $output"
}

@test "--snapshot records reach a slow reader also when COMMAND cannot be run" {
	local fast slow rc
	# -p 1: every process; with COMMAND alone nothing runs in its tree yet
	"$PROCWATCH" -f json --snapshot -p 1 -- /nonexistent/command >"$OUT.fast" 2>/dev/null || true
	fast=$(jq -s '[.[] | select(.event == "exist")] | length' "$OUT.fast")
	# the reader stalls for a second (the scenario); however soon procwatch
	# is through, the reader gets what it queued
	{ rc=0; "$PROCWATCH" -f json --snapshot -p 1 -- /nonexistent/command 2>"$OUT.err" || rc=$?; echo "$rc" >"$OUT.rc"; } |
		{ sleep 1; cat; } >"$OUT"
	[ "$(cat "$OUT.rc")" -eq 127 ]
	grep -q '^procwatch: /nonexistent/command: No such file or directory$' "$OUT.err"
	# more than a pipe holds, so the queue must have had them
	[ "$(wc -c <"$OUT.fast")" -gt 65536 ] || skip "the snapshot fits in a pipe here ($(wc -c <"$OUT.fast") bytes)"
	jq_lines "$OUT"
	slow=$(value '[.[] | select(.event == "exist")] | length')
	# the same processes, give or take a few that started or ended in between
	[ "$slow" -ge $((fast - 20)) ] || die "$slow exist records to a slow reader, $fast to a fast one"
}

@test "SIGHUP with -o on a FIFO the reader left full: the record begun ends there, the queue goes to the new FIFO" {
	local fifo=$BATS_TEST_TMPDIR/fifo rc=0 longest ev g
	mkfifo "$fifo"
	g=$(gate g)
	# 1,000 children fill the pipe; then, after the rotation, 500 more
	# shellcheck disable=SC2016
	"$PROCWATCH" -f json -o "$fifo" -- sh -c '"$1" /bin/true q 1000 1 0 "$2"; cat "$3"
		"$1" /bin/true r 500 1 0 "$2.r"' sh "$PW_SPAWN" "$MAP" "$g" 2>"$OUT.err" &
	PW=$!
	echo "$PW procwatch KILL" >>"$KILL_FILE"
	exec 4<"$fifo"
	wait_for 30 lines_are 1000 "$MAP"
	# procwatch has read the events of all of them: what the pipe does not hold is queued
	wait_for 60 drained "$PW"
	# logrotate's create, with a reader of the new FIFO waiting
	mv "$fifo" "$fifo.1"
	mkfifo "$fifo"
	cat "$fifo" >"$OUT.new" &
	kill -HUP "$PW"
	# the old FIFO ends once the record begun on it is whole
	timeout 20 cat <&4 >"$OUT.old" || die "the old FIFO did not end: status $?"
	exec 4<&-
	release_gate "$g"
	wait "$PW" || rc=$?
	wait
	[ "$rc" -eq 0 ] || die "exit status $rc: $(cat "$OUT.err")"
	[ ! -s "$OUT.err" ] || die "stderr: $(cat "$OUT.err")"
	# the old FIFO: what the full pipe held, then the rest of one record, no more
	[ "$(tail -c 1 "$OUT.old" | od -An -c | tr -d ' ')" = '\n' ] || die "the old FIFO ends inside a record"
	longest=$(cat "$OUT.old" "$OUT.new" | awk 'length($0) > m { m = length($0) } END { print m + 1 }')
	[ "$(wc -c <"$OUT.old")" -le $((65536 + longest)) ] || die "$(wc -c <"$OUT.old") bytes reached the old FIFO"
	jq_lines "$OUT.old"
	jq_lines "$OUT.new"
	# records of the first round that waited in the queue went to the new
	# FIFO: execs of its children, known by the pids of its map (a /bin/true
	# may be gone before procwatch reads its argv), not of the second round's
	[ "$(jq -r 'select(.event == "exec") | .pid' "$OUT.new" | sort -u |
		comm -12 - <(cut -d' ' -f1 "$MAP" | sort -u) | comm -23 - <(cut -d' ' -f1 "$MAP.r" | sort -u) |
		wc -l)" -gt 0 ] || die "the new FIFO has none of the records queued before SIGHUP"
	# together: each record once, nothing lost, the exit of every child of both rounds
	cat "$OUT.old" "$OUT.new" >"$OUT"
	[ -z "$(sort "$OUT" | uniq -d)" ] || die "records written twice"
	[ "$(value '[.[] | select(.event == "lost")] | length')" -eq 0 ]
	for ev in exec exit; do
		run comm -23 <(cut -d' ' -f1 "$MAP" "$MAP.r" | sort -u) <(jq -r --arg e "$ev" 'select(.event == $e) | .pid' "$OUT" | sort -u)
		[ -z "$output" ] || die "children without an $ev record: $output"
	done
}
