#!/usr/bin/env bats
# lineage.bats - ancestry, process keys and the context fields of live processes
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each test runs procwatch in command mode unless it says otherwise, so that
# only the command's own tree is reported. A process whose data is checked
# is held on a FIFO (a 'cat GATE', see gate in helpers.bash) until procwatch
# has written its exec record, so that procwatch reads its /proc entry while
# it runs; a shell is held by the cat it waits for. Waits for another process
# poll a condition, with a bound.

load helpers

setup() {
	OUT=$BATS_TEST_TMPDIR/out
	KILL_FILE=$BATS_TEST_TMPDIR/kill-at-teardown
	SH_EXE=$(readlink -f "$(command -v sh)")
	CAT_EXE=$(readlink -f "$(command -v cat)")
	PW_EXE=$(readlink -f "$PROCWATCH")
	# this test's shell, the parent of what it starts ($BASHPID differs in a $(...))
	ME=$BASHPID
}

# Processes a test may leave behind are listed in $KILL_FILE as "PID COMM SIGNAL"
# and sent SIGNAL here, if that pid still runs that command. A held process
# that a failed test did not release is released here.
teardown() {
	kill_recorded
	release_left_gates
}

# seen_execs_of_gate FILE GATE N: FILE (JSON lines) holds N exec records of 'cat GATE'.
seen_execs_of_gate() {
	jq -e -n --arg g "$2" --argjson n "$3" \
		'[limit($n; inputs | select(.event == "exec" and .argv == ["cat", $g]))] | length == $n' \
		"$1" >/dev/null 2>&1
}

# seen_or_ended GATE N PID: $OUT holds N exec records of 'cat GATE', or the
# process PID has ended.
seen_or_ended() {
	seen_execs_of_gate "$OUT" "$1" "$2" || ! kill -0 "$3" 2>/dev/null
}

# shquote STRING: STRING as one single-quoted word for any POSIX shell.
shquote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

# boot_prefix: the first 12 hex digits of the kernel's boot id, as keys start.
boot_prefix() {
	tr -d '-' </proc/sys/kernel/random/boot_id | cut -c1-12
}

# audit_json FILE: a /proc loginuid or sessionid value as JSON: null when unset.
audit_json() {
	local v

	v=$(<"$1")
	if [ "$v" = 4294967295 ]; then
		echo null
	else
		echo "$v"
	fi
}

# out_has FILTER [JQ_ARGS...]: $OUT, as far as it is written, makes FILTER true.
out_has() {
	local filter=$1

	shift
	jq -e -s "$@" "$filter" "$OUT" >/dev/null 2>&1
}

@test "five nested shells: the innermost exec shows each shell, then procwatch and its ancestors to pid 1" {
	valgrind_skip "procwatch's own process is valgrind's"
	local -a lvl
	local i want chain g

	g=$(gate g)
	# level i runs level i+1 as 'sh -c CMD level<i+1>; :' (the ':' keeps dash
	# from exec'ing it); the innermost is held, and every shell waits for it
	lvl[5]="cat $(shquote "$g"); :"
	for i in 4 3 2 1; do
		lvl[i]="sh -c $(shquote "${lvl[i + 1]}") level$((i + 1)); :"
	done
	want='['
	for i in 5 4 3 2 1; do
		want+=$(json_args sh -c "${lvl[i]}" "level$i")
		[ "$i" -eq 1 ] || want+=,
	done
	want+=']'
	chain=$(proc_chain "$ME")
	pw_held "$OUT" "$g" -- sh -c "${lvl[1]}" level1
	[ "$status" -eq 0 ]
	no_stderr
	local -a args=(
		--arg g "$g" --argjson want "$want" --argjson chain "$chain"
		--arg sh "$SH_EXE" --arg pw "$PW_EXE" --arg boot "$(boot_prefix)"
		--argjson pwargv "$(json_args "$PROCWATCH" -f json -- sh -c "${lvl[1]}" level1)"
	)
	check '[.[] | select(.event == "exec" and .argv == ["cat", $g])] | length == 1' "${args[@]}"
	# five shells, parent first, each with its own argv, exe and comm
	check '(.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| ($e.ancestors | length) >= 7
		and ([$e.ancestors[0:5][].argv] == $want)
		and all($e.ancestors[0:5][]; .comm == "sh" and .exe == $sh)
		and $e.ancestors[0].pid == $e.ppid
		and $e.parent_key == $e.ancestors[0].key' "${args[@]}"
	# each shell is the parent of the next
	check '. as $r | (.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| all(range(0; 4) as $i
			| ($e.ancestors[$i].pid) as $child | ($e.ancestors[$i + 1].pid) as $parent
			| any($r[]; .event == "fork" and .pid == $child and .ppid == $parent); .)' --arg g "$g"
	# then procwatch (the parent of the command), then its own ancestors as /proc links them
	check '.[0] as $f
		| (.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| $f.event == "fork" and $e.ancestors[4].pid == $f.pid
		and $e.ancestors[5].pid == $f.ppid and $e.ancestors[5].exe == $pw and $e.ancestors[5].argv == $pwargv
		and $e.ancestors[5].key == $f.parent_key
		and [$e.ancestors[6:][].pid] == $chain and $e.ancestors[-1].pid == 1
		and $e.ancestors[5:] == $f.ancestors' "${args[@]}"
	# keys: well formed, all distinct, and each the key of that process in its own records
	check '(.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| ([$e.key, $e.ancestors[].key] | unique | length) == ($e.ancestors | length) + 1
		and all($e, $e.ancestors[]; .key | type == "string" and test("^" + $boot + "-[0-9]+-[0-9]+$"))
		and all($e, $e.ancestors[]; (.key | split("-")[2] | tonumber) == .pid)' "${args[@]}"
	check '. as $r | (.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| all($e.ancestors[0:5][]; . as $a
			| ([$r[] | select(.pid == $a.pid and (.event == "fork" or .event == "exec"))] as $own
			| ($own | map(.event)) == ["fork", "exec"] and all($own[]; .key == $a.key)))
		and all($r[] | select(.pid == $e.pid); .key == $e.key)' --arg g "$g"
	# the key of a process procwatch did not see start: its start time in /proc
	check '(.[] | select(.event == "exec" and .argv == ["cat", $g])) as $e
		| any($e.ancestors[]; .pid == $pid and .key == $key)' \
		--arg g "$g" --argjson pid "$ME" --arg key "$(boot_prefix)-$(stat_field "$ME" 22)-$ME"
}

@test "a double-forked daemon keeps its exited parent and grandparent in its ancestors" {
	local dir=$BATS_TEST_TMPDIR top gp p d f g gates=

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# top -> gp -> p -> daemon: gp and p exit as soon as procwatch has
	# reported their exec (so it could read them): each is held until then by
	# the 'cat GATE' it waits for. The daemon waits until both are gone (or
	# zombies) before its last exec, then tells top it is done. Each process
	# execs again only once its exec so far are reported: the /proc read of an
	# exec would otherwise see the next one.
	top='sh -c "$GP" gp "$1"
		i=0
		until [ -e "$1/execd" ]; do
			i=$((i + 1))
			[ "$i" -lt 3000 ] || exit 9
			sleep 0.02
		done
		exit 0'
	gp='echo $$ >"$1/gp.pid"; cat "$1/gp-gate"; sh -c "$P" p "$1" & exit 0'
	p='echo $$ >"$1/p.pid"; cat "$1/p-gate"; setsid sh -c "$D" daemon "$1" & exit 0'
	d='exec </dev/null >/dev/null 2>&1 3>&-
		printf "%s sh TERM\n%s sleep TERM\n" $$ $$ >>"$1/kill-at-teardown"
		echo $$ >"$1/daemon.pid"
		cat "$1/daemon-gate"
		gone() {
			local s
			! read -r _ _ s _ <"/proc/$1/stat" || [ "$s" = Z ]
		}
		read -r gp <"$1/gp.pid"
		read -r p <"$1/p.pid"
		i=0
		until gone "$gp" && gone "$p"; do
			i=$((i + 1))
			[ "$i" -lt 500 ] || exit 9
			sleep 0.02
		done
		exec sh -c "$F" daemonized "$1"'
	# the daemon lives on after the command, as daemons do: nothing waits for
	# the end of this sleep, and teardown stops it
	f='cat "$1/f-gate"
		read -r _ _ _ pp _ </proc/$$/stat
		echo "$pp" >"$1/reaper"
		: >"$1/execd"
		exec sleep 5'
	# the scripts find the gates in $dir, this test's directory, where gate makes them
	for g in gp-gate p-gate daemon-gate f-gate; do
		gates+=${gates:+ }$(gate "$g")
	done
	GP=$gp P=$p D=$d F=$f pw_held "$OUT" "$gates" -- sh -c "$top" top "$dir"
	[ "$status" -eq 0 ]
	no_stderr
	[ -e "$dir/execd" ]
	local -a args=(
		--argjson gp "$(<"$dir/gp.pid")" --argjson p "$(<"$dir/p.pid")"
		--argjson d "$(<"$dir/daemon.pid")" --argjson reaper "$(<"$dir/reaper")"
		--argjson gpargv "$(json_args sh -c "$gp" gp "$dir")"
		--argjson pargv "$(json_args sh -c "$p" p "$dir")"
		--argjson topargv "$(json_args sh -c "$top" top "$dir")"
		--argjson fargv "$(json_args sh -c "$f" daemonized "$dir")"
	)
	check '[.[] | select(.event == "exec" and .argv == $fargv)] | length == 1' "${args[@]}"
	# the setup did what it says: both parents exited before the daemon's last exec
	check '(map(.event == "exec" and .argv == $fargv) | index(true)) as $ei
		| (map(.event == "exit" and .pid == $p) | index(true)) as $pi
		| (map(.event == "exit" and .pid == $gp) | index(true)) as $gi
		| $pi != null and $gi != null and $pi < $ei and $gi < $ei' "${args[@]}"
	check '.[0].pid as $root | .[0].ppid as $pw
		| (.[] | select(.event == "exec" and .argv == $fargv)) as $e
		| $e.pid == $d and $e.ppid == $reaper and $reaper != $p and $reaper != $gp
		and $e.ancestors[0].pid == $p and $e.ancestors[0].argv == $pargv
		and $e.ancestors[1].pid == $gp and $e.ancestors[1].argv == $gpargv
		and $e.ancestors[2].pid == $root and $e.ancestors[2].argv == $topargv
		and $e.ancestors[3].pid == $pw and $e.ancestors[-1].pid == 1
		and $e.parent_key == $e.ancestors[0].key' "${args[@]}"
	# the exited shells are the same processes their own records showed
	check '. as $r | (.[] | select(.event == "exec" and .argv == $fargv)) as $e
		| all($e.ancestors[0:2][]; . as $a
			| [$r[] | select(.pid == $a.pid) | .key] | length >= 3 and all(.[]; . == $a.key))' "${args[@]}"
}

@test "exit: argv and exe of the exec, and the lifetime as duration" {
	local start end g pw

	g=$(gate g)
	start=$(date +%s%N)
	"$PROCWATCH" -f json -- sh -c 'cat "$1"; exit 0' sh "$g" >"$OUT" 2>"$OUT.err" 3>&- &
	pw=$!
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	# the lifetime to measure: the cat lives 0.2 s more once its exec is
	# reported, so it lives at least that long whatever the scheduler does
	sleep 0.2
	release_gate "$g"
	status=0
	wait "$pw" || status=$?
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	no_stderr
	jq_lines "$OUT"
	local -a args=(
		--arg sh "$SH_EXE" --arg cat "$CAT_EXE" --arg g "$g"
		--argjson shargv "$(json_args sh -c 'cat "$1"; exit 0' sh "$g")"
		--argjson wall "$(((end - start) / 1000))"
	)
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .ppid == $root)] as $x
		| [.[] | select(.event == "fork" and .ppid == $root)] as $f
		| ($x | length) == 1 and ($f | length) == 1 and $x[0].pid == $f[0].pid
		and $x[0].argv == ["cat", $g] and $x[0].exe == $cat and $x[0].comm == "cat"
		and $f[0].argv == $shargv and $f[0].exe == $sh
		and ($x[0].duration | type) == "number"
		and $x[0].duration >= 0.2 and $x[0].duration < $wall / 1e6' "${args[@]}"
	check '.[0].pid as $root
		| (.[] | select(.event == "exit" and .pid == $root)) as $x
		| (.[] | select(.event == "exit" and .ppid == $root)) as $s
		| $x.argv == $shargv and $x.exe == $sh
		and $x.duration > $s.duration and $x.duration < $wall / 1e6' "${args[@]}"
}

@test "-a 1: exactly one ancestor, the parent" {
	local g

	valgrind_skip "procwatch's own process is valgrind's"
	g=$(gate g)
	pw_held "$OUT" "$g" -a 1 -- sh -c 'cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check 'length >= 6 and all(.[]; (.ancestors | length) == 1 and .ancestors[0].key == .parent_key)'
	check '.[0].pid as $root | .[0].ppid as $pw
		| all(.[] | select(.pid == $root); .ancestors[0].pid == $pw and .ancestors[0].comm == "procwatch")
		and all(.[] | select(.pid != $root); .ancestors[0].pid == $root
			and .ancestors[0].argv == $shargv)
		and any(.[]; .pid != $root)' --argjson shargv "$(json_args sh -c 'cat "$1"; :' sh "$g")"
}

@test "-a 0: no ancestors field, keys still there" {
	local g

	g=$(gate g)
	pw_held "$OUT" "$g" -a 0 -- sh -c 'cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check 'length >= 6 and all(.[]; (has("ancestors") | not)
		and (.key | type) == "string" and (.parent_key | type) == "string")'
	check '.[0].pid as $root | (.[] | select(.pid == $root) | .key) as $k
		| all(.[] | select(.event == "fork" and .ppid == $root); .parent_key == $k)'
}

@test "text: -a 2 gives chain=comm(pid)<comm(pid) with the parent and the grandparent" {
	valgrind_skip "procwatch's own process is valgrind's"
	local ev root pw comm n g bg
	local -a lines

	g=$(gate g)
	"$PROCWATCH" -f text -a 2 -- sh -c 'cat "$1"; :' sh "$g" >"$OUT" 2>"$OUT.err" 3>&- &
	bg=$!
	wait_for 60 seen_text_exec_of_gate "$OUT" "$g"
	release_gate "$g"
	status=0
	wait "$bg" || status=$?
	[ "$status" -eq 0 ]
	no_stderr
	mapfile -t lines <"$OUT"
	[ "${#lines[@]}" -ge 6 ]
	read -r _ ev root comm _ <<<"${lines[0]}"
	[ "$ev" = fork ]
	pw=$(grep -o ' ppid=[0-9]*' <<<"${lines[0]}" | head -n1 | cut -d= -f2)
	[ -n "$pw" ]
	comm=$(<"/proc/$ME/comm")
	# every line has exactly one chain of exactly two entries
	n=$(grep -cE " chain=[^ <]+\([0-9]+\)<[^ <]+\([0-9]+\)( |$)" "$OUT")
	[ "$n" -eq "${#lines[@]}" ]
	n=$(grep -c ' chain=.* chain=' "$OUT" || true)
	[ "$n" -eq 0 ]
	# the command: procwatch, then procwatch's parent (this shell)
	n=$(grep -cE "^[^ ]+ (fork|exec|exit) $root [^ ]+ .* chain=procwatch\\($pw\\)<$comm\\($ME\\)( |$)" "$OUT")
	[ "$n" -eq 3 ]
	# the cat: the shell, then procwatch
	n=$(grep -cE "^[^ ]+ (fork|exec|exit) [0-9]+ [^ ]+ .* ppid=$root .* chain=sh\\($root\\)<procwatch\\($pw\\)( |$)" \
		"$OUT")
	[ "$n" -eq 3 ]
	grep -qE "^[^ ]+ exec [0-9]+ cat .* chain=sh\\($root\\)<procwatch\\($pw\\)( |$)" "$OUT"
}

@test "pid reuse: the same pid twice gives two keys, and the second process nothing of the first" {
	valgrind_skip "valgrind slows procwatch down too much to read short-lived processes in time"
	local last=/proc/sys/kernel/ns_last_pid

	[ "$(id -u)" -eq 0 ] || skip "needs root to write $last"
	[ -e "$last" ] || skip "$last does not exist (CONFIG_CHECKPOINT_RESTORE is off)"
	(cat "$last" >"$last") 2>/dev/null || skip "$last is not writable here"
	# Three rounds: the first cat leaves pid P; the next fork is steered to
	# P (another process may take it first: try again; only the subshell
	# that got P runs the second cat). This shell holds each cat on its gate
	# until procwatch has reported its exec, and then 0.11 s (the first) or
	# 0.12 s (the second) more, the lifetimes their exit records must show.
	# The command forks nothing else, so that no other process of the traced
	# tree takes a pid whose records are checked. In the second round
	# procwatch (the parent of the command) is stopped from the exit of the
	# first cat to the fork of the second, so that both reach it in one
	# batch, as under load: this shell stops it once it has reported the
	# first exec, and the command lets it go on.
	local first second script pw n

	first=$(gate first)
	second=$(gate second)
	script='trap "kill -CONT $PPID" EXIT
		n=0
		while [ "$n" -lt 3 ]; do
			cat "$1/first" & p=$!
			wait "$p"
			i=0
			while :; do
				echo $((p - 1)) >/proc/sys/kernel/ns_last_pid
				(
					read -r me _ </proc/self/stat
					[ "$me" -eq "$p" ] || exit 0
					exec cat "$1/second"
				) & q=$!
				[ "$q" -ne "$p" ] || break
				wait "$q"
				i=$((i + 1))
				[ "$i" -lt 20 ] || exit 9
			done
			kill -CONT "$PPID"
			wait "$q"
			echo "$p" >>"$1/pids"
			n=$((n + 1))
		done'
	[ "$first" = "$BATS_TEST_TMPDIR/first" ]
	[ "$second" = "$BATS_TEST_TMPDIR/second" ]
	"$PROCWATCH" -f json -- sh -c "$script" reuse "$BATS_TEST_TMPDIR" >"$OUT" 2>"$OUT.err" 3>&- &
	pw=$!
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	for n in 1 2 3; do
		wait_for 60 seen_or_ended "$first" "$n" "$pw"
		seen_execs_of_gate "$OUT" "$first" "$n" || break
		# not a wait for procwatch: the lifetime to measure
		sleep 0.11
		[ "$n" -ne 2 ] || kill -STOP "$pw"
		release_gate "$first"
		wait_for 60 seen_or_ended "$second" "$n" "$pw"
		seen_execs_of_gate "$OUT" "$second" "$n" || break
		# likewise
		sleep 0.12
		release_gate "$second"
	done
	status=0
	wait "$pw" || status=$?
	[ "$status" -eq 0 ] || die "exit status $status: a pid could not be reused"
	no_stderr
	jq_lines "$OUT"
	local -a args=(
		--argjson ps "$(jq -sc . "$BATS_TEST_TMPDIR/pids")"
		--arg shexe "$SH_EXE" --arg first "$first" --arg second "$second"
	)
	local defs='def of($p): [.[] | select(.pid == $p)];
		def secs: (.[0:19] + "Z" | fromdateiso8601) + (.[20:29] | tonumber / 1e9);
		def root_exec: .[0].pid as $root | .[] | select(.pid == $root and .event == "exec");
		. as $r | ($ps | length) == 3 and ($ps | unique | length) == 3 and all($ps[] as $p | $r | '
	# each pid: the records of two processes, each with its own argv
	check "$defs"'of($p) as $a
		| ($a | map(.event)) == ["fork", "exec", "exit", "fork", "exec", "exit"]
		and $a[1].argv == ["cat", $first] and $a[2].argv == ["cat", $first]
		and $a[4].argv == ["cat", $second] and $a[5].argv == ["cat", $second]; .)' "${args[@]}"
	# two processes: two keys, two start times
	check "$defs"'of($p) as $a
		| ($a[0:3] | map(.key) | unique | length) == 1 and ($a[3:6] | map(.key) | unique | length) == 1
		and ($a[0].key | type) == "string" and ($a[3].key | type) == "string" and $a[0].key != $a[3].key
		and ($a[0:3] | map(.start_time) | unique | length) == 1
		and ($a[3:6] | map(.start_time) | unique | length) == 1
		and $a[0].start_time < $a[3].start_time; .)' "${args[@]}"
	# the second fork shows the shell that forked it, not the first cat
	check "$defs"'root_exec as $sh | of($p)[3] as $f
		| $f.argv == $sh.argv and $f.exe == $shexe and $f.comm == "sh"; .)' "${args[@]}"
	# its lineage is the shell's, with nothing of the first cat
	check "$defs"'root_exec as $sh | of($p) as $a
		| all($a[3:6][]; .ppid == $sh.pid and .parent_key == $sh.key
			and .ancestors[0].pid == $sh.pid and .ancestors[0].key == $sh.key
			and .ancestors[1:] == $sh.ancestors
			and all(.ancestors[]; .key != $a[0].key and .argv != ["cat", $first])); .)' "${args[@]}"
	# each lifetime is measured from its own fork
	check "$defs"'of($p) as $a
		| $a[2].duration >= 0.11 and $a[5].duration >= 0.12
		and (($a[2].time | secs) - ($a[0].time | secs) - $a[2].duration | fabs) < 0.01
		and (($a[5].time | secs) - ($a[3].time | secs) - $a[5].duration | fabs) < 0.01; .)' "${args[@]}"
}

@test "--snapshot --count N: exactly N exist records, by ascending pid, with ancestors" {
	run --separate-stderr timeout 20 "$PROCWATCH" -f json --snapshot --count 5
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$OUT"
	jq_lines "$OUT"
	check 'length == 5 and all(.[]; .event == "exist") and .[0].pid == 1
		and ([.[].pid] | . == (sort | unique))'
	check 'all(.[]; (.ancestors | type) == "array" and (.key | type) == "string")
		and .[0].ancestors == [] and .[0].parent_key == null
		and all(.[]; if .ppid > 0 then .ancestors[0].pid == .ppid and .ancestors[0].key == .parent_key
			     else .ancestors == [] end)'
}

@test "--snapshot: exist records for running processes come first, then live events" {
	local pw i marker g held

	marker=snapshot-marker-$$-$RANDOM
	g=$(gate g)
	"$PROCWATCH" -f json --snapshot >"$OUT" 2>"$OUT.err" &
	pw=$!
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	# the snapshot is written before any live event: wait for this shell's exist record
	wait_for 10 out_has 'any(.[]; .event == "exist" and .pid == $me)' --argjson me "$ME"
	# the marker last in its argv; held until procwatch has reported it
	sh -c 'cat "$1"; :' sh "$g" "$marker" 3>&- &
	held=$!
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	release_gate "$g"
	wait "$held"
	wait_for 10 out_has 'any(.[]; .event == "exec" and .argv[-1] == $m)' --arg m "$marker"
	kill -TERM "$pw"
	status=0
	wait "$pw" || status=$?
	[ "$status" -eq 0 ]
	no_stderr
	jq_lines "$OUT"
	local -a args=(
		--argjson me "$ME" --arg m "$marker"
		--argjson chain "$(proc_chain "$ME")"
		--argjson argv "$(tr '\0' '\n' <"/proc/$ME/cmdline" | jq -R . | jq -sc .)"
	)
	# a prefix of exist records, by ascending pid; nothing of them after it
	check '(map(.event == "exist") | index(false)) as $n
		| $n != null and $n > 3
		and all(.[0:$n][]; .event == "exist") and all(.[$n:][]; .event != "exist")
		and ([.[0:$n][].pid] | . == (sort | unique)) and .[0].pid == 1'
	check 'all(.[] | select(.event == "exist"); (.ancestors | type) == "array"
		and if .ppid > 0 then .ancestors[0].pid == .ppid and .ancestors[0].key == .parent_key
		    else .ancestors == [] end)'
	# this shell: its argv and its lineage as /proc links it
	check '[.[] | select(.event == "exist" and .pid == $me)] as $s
		| ($s | length) == 1 and $s[0].argv == $argv
		and ([$s[0].pid] + [$s[0].ancestors[].pid]) == $chain' "${args[@]}"
	# a live process forked from this shell has it as its parent
	check '(.[] | select(.event == "exist" and .pid == $me)) as $s
		| [.[] | select(.event == "exec" and .argv[-1] == $m)] as $e
		| ($e | length) == 1 and $e[0].ancestors[0].pid == $me and $e[0].ancestors[0].key == $s.key
		and $e[0].ancestors[1:] == $s.ancestors' "${args[@]}"
}

@test "--numeric: user and group are null, the ids are there" {
	local g

	g=$(gate g)
	pw_held "$OUT" "$g" --numeric -- sh -c 'cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	[ -n "$(id -un)" ]
	check 'length >= 6 and all(.[]; has("user") and has("group") and .user == null and .group == null
		and .uid == $uid and .euid == $uid and .gid == $gid and .egid == $gid)' \
		--argjson uid "$(id -u)" --argjson gid "$(id -g)"
	check 'all(.[]; (.ancestors | length) > 1)'
}

@test "context fields: start_time within the run, no tty after setsid, cgroup, loginuid, sessionid" {
	local start end cg g

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	g=$(gate g)
	start=$(date +%s%N)
	pw_held "$OUT" "$g" -- setsid sh -c 'cat "$1"; :' sh "$g"
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	no_stderr
	check 'length >= 6 and all(.[]; .start_time | type == "string"
		and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"))'
	check 'def secs: (.[0:19] + "Z" | fromdateiso8601) + (.[20:29] | tonumber / 1e9);
		all(.[]; (.start_time | secs) as $t
			| $t >= $start / 1e9 - 0.01 and $t <= $stop / 1e9 + 0.01
			and $t <= (.time | secs) + 0.000001)' \
		--argjson start "$((start / 1000))e3" --argjson stop "$((end / 1000))e3"
	# one process, one start time
	check 'group_by(.pid) | all(.[]; map(.start_time) | unique | length == 1)'
	# no controlling terminal after setsid: the shell it runs (its last exec) and the cat
	check '.[0].pid as $root
		| [.[] | select(.event == "exec" and .pid == $root)][-1] as $s
		| [.[] | select(.argv == ["cat", $g])] as $z
		| $s.argv == $shargv and ($z | length) == 2
		and ($s | has("tty")) and $s.tty == null and all($z[]; has("tty") and .tty == null)' \
		--arg g "$g" --argjson shargv "$(json_args sh -c 'cat "$1"; :' sh "$g")"
	# cgroup: the v2 path this shell is in, inherited
	check 'all(.[]; .cgroup | type == "string" and startswith("/"))'
	cg=$(sed -n 's/^0:://p' "/proc/$ME/cgroup")
	if [ -n "$cg" ]; then
		check 'all(.[]; .cgroup == $cg)' --arg cg "$cg"
	fi
	check 'all(.[]; (.container_id == null or (.container_id | test("^[0-9a-f]{64}$")))
		and (.unit == null or (.unit | type) == "string"))'
	# audit ids: inherited from this shell, null when unset
	check 'all(.[]; (.loginuid == null or (.loginuid | type) == "number")
		and (.sessionid == null or (.sessionid | type) == "number")
		and .loginuid == $login and .sessionid == $session)' \
		--argjson login "$(audit_json "/proc/$ME/loginuid")" \
		--argjson session "$(audit_json "/proc/$ME/sessionid")"
}

@test "tty: a pts name under script(1)" {
	local cmd tty g bg

	command -v script >/dev/null || skip "script (util-linux) is not installed"
	g=$(gate g)
	# tty(1) ends at once, unheld: the tty its exec record shows is the
	# same whether procwatch read it or kept the one inherited at the fork
	cmd="exec $(shquote "$PROCWATCH") -f json -- sh -c 'tty >\"\$1\"; cat \"\$2\"; :' sh $(shquote "$OUT.tty") $(shquote "$g")"
	cmd+=" >$(shquote "$OUT") 2>$(shquote "$OUT.err")"
	script -qec "$cmd" /dev/null </dev/null >"$OUT.script" 2>&1 3>&- &
	bg=$!
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	release_gate "$g"
	status=0
	wait "$bg" || status=$?
	[ "$status" -eq 0 ]
	no_stderr
	jq_lines "$OUT"
	tty=$(<"$OUT.tty")
	[[ $tty == /dev/pts/* ]]
	check 'length >= 6 and all(.[]; .tty == $tty)' --arg tty "${tty#/dev/}"
}
