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
		sleep 0.2; exit 5'
	[ "$status" -eq 5 ]
	[ ! -s "$out.err" ]
	lost=$(jq -s '[.[] | select(.event == "lost")] | length' "$out")
	[ "$lost" -ge 1 ]
	# each lost record says how many and where: a positive count and a cpu number
	run jq -e -s 'all(.[] | select(.event == "lost"); (.count | type) == "number" and .count > 0 and (.cpu | type) == "number" and .cpu >= 0 and (keys | sort) == ["count","cpu","event","time"])' "$out"
	[ "$status" -eq 0 ]
	# 300 forks, execs and exits cannot fit in 4 KiB: most of them were lost
	[ "$(jq -s '[.[] | select(.event == "lost") | .count] | add' "$out")" -ge 300 ]
	# and procwatch kept going: the command's own exit is the last record
	run jq -s -c 'last | [.event, .exit_code]' "$out"
	[ "$output" = '["exit",5]' ]
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
