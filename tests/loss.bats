#!/usr/bin/env bats
# loss.bats - a reader that falls behind gets in-band lost records and keeps going
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

@test "a stalled procwatch reports the events the kernel dropped and goes on" {
	out=$BATS_TEST_TMPDIR/out.json
	# the command stops procwatch, overflows its tiny receive buffer, then resumes it
	pw_json "$out" --rcvbuf=4096 -- sh -c '
		kill -STOP $PPID
		i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
		kill -CONT $PPID
		exit 5'
	[ "$status" -eq 5 ]
	[ ! -s "$out.err" ]
	lost=$(jq -s '[.[] | select(.event == "lost")] | length' "$out")
	[ "$lost" -ge 1 ]
	# each lost record says how many and where: a positive count, and the
	# cpu whose sequence numbers showed the gap, or null when the socket's
	# drop counter told (the last drops of a cpu, which no later event shows)
	run jq -e -s 'all(.[] | select(.event == "lost"); (.count | type) == "number" and .count > 0 and
		((.cpu | type) == "number" and .cpu >= 0 or .cpu == null) and (keys | sort) == ["count","cpu","event","time"])' "$out"
	[ "$status" -eq 0 ]
	# 300 forks, execs and exits cannot fit in 4 KiB: most of them were lost
	[ "$(jq -s '[.[] | select(.event == "lost") | .count] | add' "$out")" -ge 300 ]
	# nothing is uncounted: every fork of the traced tree (procwatch's of
	# the shell, and the shell's 300) has its record or was counted lost;
	# other processes' lost events only add to the count
	run jq -e -s '([.[] | select(.event == "fork")] | length) + ([.[] | select(.event == "lost") | .count] | add) >= 301' "$out"
	[ "$status" -eq 0 ] || die "forks and lost events do not add up: $(jq -c -s '[.[] | select(.event == "fork" or .event == "lost") | [.event, .count]]' "$out")"
	# and procwatch kept going: the command's own exit comes after the first loss
	run jq -e -s '(map(.event == "lost") | index(true)) < (map(.event == "exit" and .exit_code == 5) | index(true))' "$out"
	[ "$status" -eq 0 ]
	# only lost records may follow that exit: the losses the drop counter settled at the end
	run jq -e -s '(map(.event == "exit" and .exit_code == 5) | index(true)) as $x | all(.[$x + 1:][]; .event == "lost")' "$out"
	[ "$status" -eq 0 ]
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
