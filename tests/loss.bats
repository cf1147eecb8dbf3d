#!/usr/bin/env bats
# loss.bats - a reader that falls behind gets in-band lost records and keeps going
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

# seen_lost FILE: FILE (JSON lines) holds a lost record.
seen_lost() {
	jq -e -n 'any(inputs; .event == "lost")' "$1" >/dev/null 2>&1
}

@test "a stalled procwatch reports the events the kernel dropped and goes on" {
	local out=$BATS_TEST_TMPDIR/out.json g pid
	g=$(gate g)
	# the command stops procwatch, overflows its tiny receive buffer, resumes
	# it and waits until procwatch has reported the loss
	"$PROCWATCH" -f json --rcvbuf=4096 -- sh -c '
		kill -STOP $PPID
		i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
		kill -CONT $PPID
		cat "$1"; exit 5' sh "$g" >"$out" 2>"$out.err" &
	pid=$!
	# procwatch goes on after the loss: it says so while COMMAND still runs
	wait_for 60 seen_lost "$out"
	release_gate "$g"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 5 ]
	[ ! -s "$out.err" ]
	jq_lines "$out"
	# each lost record says how many and where: a positive count, and the
	# cpu whose sequence numbers showed the gap, or null when the socket's
	# drop counter told (the last drops of a cpu, which no later event shows)
	run jq -e -s 'all(.[] | select(.event == "lost"); (.count | type) == "number" and .count > 0 and
		((.cpu | type) == "number" and .cpu >= 0 or .cpu == null) and (keys | sort) == ["count","cpu","event","time"])' "$out"
	[ "$status" -eq 0 ]
	# 300 forks, execs and exits cannot fit in 4 KiB: most of them were lost
	[ "$(jq -s '[.[] | select(.event == "lost") | .count] | add' "$out")" -ge 300 ]
	# nothing is uncounted: each of the shell and its 300 children has its
	# fork record or was counted lost, and likewise its exit (or its fork was
	# lost, and procwatch never knew it was the shell's); other processes'
	# lost events only add to the count
	run jq -e -s '([.[] | select(.event == "lost") | .count] | add) as $lost
		| ([.[] | select(.event == "fork")] | length) + $lost >= 301
		and ([.[] | select(.event == "exit")] | length) + $lost >= 301' "$out"
	[ "$status" -eq 0 ] || die "records and lost events do not add up: $(jq -c -s 'group_by(.event) | map([.[0].event, length, ([.[].count // 0] | add)])' "$out")"
	# the command's exit, unless the kernel dropped it too, comes after the
	# first loss, and only lost records follow it
	run jq -e -s '(map(.event == "exit" and .exit_code == 5) | index(true)) as $x
		| $x == null or ((map(.event == "lost") | index(true)) < $x and all(.[$x + 1:][]; .event == "lost"))' "$out"
	[ "$status" -eq 0 ]
}

@test "a loss that no later event shows is counted when the stream ends" {
	local out=$BATS_TEST_TMPDIR/out.json
	# the overflow is the last thing that happens: the command's exit may
	# be dropped with the rest, and no later event shows a sequence gap
	pw_json "$out" --rcvbuf=4096 -- sh -c '
		kill -STOP $PPID
		i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
		kill -CONT $PPID
		exit 5'
	[ "$status" -eq 5 ]
	[ ! -s "$out.err" ]
	[ "$(jq -s '[.[] | select(.event == "lost") | .count] | add' "$out")" -ge 300 ]
	run jq -e -s '([.[] | select(.event == "lost") | .count] | add) as $lost
		| ([.[] | select(.event == "fork")] | length) + $lost >= 301
		and ([.[] | select(.event == "exit")] | length) + $lost >= 301' "$out"
	[ "$status" -eq 0 ] || die "records and lost events do not add up: $(jq -c -s 'group_by(.event) | map([.[0].event, length, ([.[].count // 0] | add)])' "$out")"
}

@test "an unhurried run loses nothing" {
	out=$BATS_TEST_TMPDIR/out.json
	pw_json "$out" -- sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done'
	[ "$status" -eq 0 ]
	[ "$(jq -s '[.[] | select(.event == "lost")] | length' "$out")" -eq 0 ]
	# the shell's own exec and one per /bin/true, each with its exit
	[ "$(jq -s '[.[] | select(.event == "exec")] | length' "$out")" -eq 51 ]
	[ "$(jq -s '[.[] | select(.event == "exit")] | length' "$out")" -eq 51 ]
}
