#!/usr/bin/env bats
# lineage.bats - ancestry, process keys and the context fields of live processes
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each test runs procwatch in command mode unless it says otherwise, so that
# only the command's own tree is reported. A process whose data is checked
# stays alive briefly (a 'sleep' inside it), so that procwatch can read its
# /proc entry. Waits for another process poll a condition, with a bound.

load helpers

setup() {
	OUT=$BATS_TEST_TMPDIR/out
	KILL_FILE=$BATS_TEST_TMPDIR/kill-at-teardown
	SH_EXE=$(readlink -f "$(command -v sh)")
	SLEEP_EXE=$(readlink -f "$(command -v sleep)")
	PW_EXE=$(readlink -f "$PROCWATCH")
	# this test's shell, the parent of what it starts ($BASHPID differs in a $(...))
	ME=$BASHPID
}

# Processes a test may leave behind are listed in $KILL_FILE as "PID COMM SIGNAL"
# and sent SIGNAL here, if that pid still runs that command.
teardown() {
	kill_recorded
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
	local i want chain

	# level i runs level i+1 as 'sh -c CMD level<i+1>; :' (the ':' keeps dash from exec'ing it)
	lvl[5]='sleep 0.3; :'
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
	pw_json "$OUT" -- sh -c "${lvl[1]}" level1
	[ "$status" -eq 0 ]
	no_stderr
	local -a args=(
		--argjson want "$want" --argjson chain "$chain"
		--arg sh "$SH_EXE" --arg pw "$PW_EXE" --arg boot "$(boot_prefix)"
		--argjson pwargv "$(json_args "$PROCWATCH" -f json -- sh -c "${lvl[1]}" level1)"
	)
	check '[.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])] | length == 1'
	# five shells, parent first, each with its own argv, exe and comm
	check '(.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])) as $e
		| ($e.ancestors | length) >= 7
		and ([$e.ancestors[0:5][].argv] == $want)
		and all($e.ancestors[0:5][]; .comm == "sh" and .exe == $sh)
		and $e.ancestors[0].pid == $e.ppid
		and $e.parent_key == $e.ancestors[0].key' "${args[@]}"
	# each shell is the parent of the next
	check '. as $r | (.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])) as $e
		| all(range(0; 4) as $i
			| ($e.ancestors[$i].pid) as $child | ($e.ancestors[$i + 1].pid) as $parent
			| any($r[]; .event == "fork" and .pid == $child and .ppid == $parent); .)'
	# then procwatch (the parent of the command), then its own ancestors as /proc links them
	check '.[0] as $f
		| (.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])) as $e
		| $f.event == "fork" and $e.ancestors[4].pid == $f.pid
		and $e.ancestors[5].pid == $f.ppid and $e.ancestors[5].exe == $pw and $e.ancestors[5].argv == $pwargv
		and $e.ancestors[5].key == $f.parent_key
		and [$e.ancestors[6:][].pid] == $chain and $e.ancestors[-1].pid == 1
		and $e.ancestors[5:] == $f.ancestors' "${args[@]}"
	# keys: well formed, all distinct, and each the key of that process in its own records
	check '(.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])) as $e
		| ([$e.key, $e.ancestors[].key] | unique | length) == ($e.ancestors | length) + 1
		and all($e, $e.ancestors[]; .key | type == "string" and test("^" + $boot + "-[0-9]+-[0-9]+$"))
		and all($e, $e.ancestors[]; (.key | split("-")[2] | tonumber) == .pid)' "${args[@]}"
	check '. as $r | (.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])) as $e
		| all($e.ancestors[0:5][]; . as $a
			| ([$r[] | select(.pid == $a.pid and (.event == "fork" or .event == "exec"))] as $own
			| ($own | map(.event)) == ["fork", "exec"] and all($own[]; .key == $a.key)))
		and all($r[] | select(.pid == $e.pid); .key == $e.key)'
	# the key of a process procwatch did not see start: its start time in /proc
	check '(.[] | select(.event == "exec" and .argv == ["sleep", "0.3"])) as $e
		| any($e.ancestors[]; .pid == $pid and .key == $key)' \
		--argjson pid "$ME" --arg key "$(boot_prefix)-$(stat_field "$ME" 22)-$ME"
}

@test "a double-forked daemon keeps its exited parent and grandparent in its ancestors" {
	local dir=$BATS_TEST_TMPDIR top gp p d f

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# top -> gp -> p -> daemon: gp and p exit as soon as procwatch has
	# reported their exec (so it could read them); the daemon waits until both
	# are gone (or zombies) before its last exec, then tells top it is done.
	# Each process execs again only once its exec so far are reported: the
	# /proc read of an exec would otherwise see the next one.
	top='sh -c "$GP" gp "$1"
		i=0
		until [ -e "$1/execd" ]; do
			i=$((i + 1))
			[ "$i" -lt 500 ] || exit 9
			sleep 0.02
		done
		exit 0'
	gp='eval "$SEEN"; seen 1 "$1"; echo $$ >"$1/gp.pid"; sh -c "$P" p "$1" & exit 0'
	p='eval "$SEEN"; seen 1 "$1"; echo $$ >"$1/p.pid"; setsid sh -c "$D" daemon "$1" & exit 0'
	d='exec </dev/null >/dev/null 2>&1 3>&-
		printf "%s sh TERM\n%s sleep TERM\n" $$ $$ >>"$1/kill-at-teardown"
		echo $$ >"$1/daemon.pid"
		eval "$SEEN"
		seen 2 "$1"
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
	f='eval "$SEEN"; seen 3 "$1"
		read -r _ _ _ pp _ </proc/$$/stat
		echo "$pp" >"$1/reaper"
		: >"$1/execd"
		exec sleep 5'
	# seen N DIR: wait until procwatch has written N exec records of this
	# shell's pid to DIR/out
	local seen
	seen=$(cat <<'EOF'
seen() {
	i=0
	until [ "$(jq --argjson pid "$$" 'select(.event == "exec" and .pid == $pid) | .pid' "$2/out" \
		2>/dev/null | wc -l)" -ge "$1" ]
	do
		i=$((i + 1))
		[ "$i" -lt 500 ] || exit 9
		sleep 0.02
	done
}
EOF
)
	[ "$OUT" = "$dir/out" ]
	SEEN=$seen GP=$gp P=$p D=$d F=$f pw_json "$OUT" -- sh -c "$top" top "$dir"
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
	local start end

	start=$(date +%s%N)
	pw_json "$OUT" -- sh -c 'sleep 0.2; exit 0'
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	no_stderr
	local -a args=(
		--arg sh "$SH_EXE" --arg sleep "$SLEEP_EXE"
		--argjson wall "$(((end - start) / 1000))"
	)
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .ppid == $root)] as $x
		| [.[] | select(.event == "fork" and .ppid == $root)] as $f
		| ($x | length) == 1 and ($f | length) == 1 and $x[0].pid == $f[0].pid
		and $x[0].argv == ["sleep", "0.2"] and $x[0].exe == $sleep and $x[0].comm == "sleep"
		and $f[0].argv == ["sh", "-c", "sleep 0.2; exit 0"] and $f[0].exe == $sh
		and ($x[0].duration | type) == "number"
		and $x[0].duration >= 0.2 and $x[0].duration < $wall / 1e6' "${args[@]}"
	check '.[0].pid as $root
		| (.[] | select(.event == "exit" and .pid == $root)) as $x
		| (.[] | select(.event == "exit" and .ppid == $root)) as $s
		| $x.argv == ["sh", "-c", "sleep 0.2; exit 0"] and $x.exe == $sh
		and $x.duration > $s.duration and $x.duration < $wall / 1e6' "${args[@]}"
}

@test "-a 1: exactly one ancestor, the parent" {
	valgrind_skip "procwatch's own process is valgrind's"
	pw_json "$OUT" -a 1 -- sh -c 'sleep 0.2; :'
	[ "$status" -eq 0 ]
	no_stderr
	check 'length >= 6 and all(.[]; (.ancestors | length) == 1 and .ancestors[0].key == .parent_key)'
	check '.[0].pid as $root | .[0].ppid as $pw
		| all(.[] | select(.pid == $root); .ancestors[0].pid == $pw and .ancestors[0].comm == "procwatch")
		and all(.[] | select(.pid != $root); .ancestors[0].pid == $root
			and .ancestors[0].argv == ["sh", "-c", "sleep 0.2; :"])
		and any(.[]; .pid != $root)'
}

@test "-a 0: no ancestors field, keys still there" {
	pw_json "$OUT" -a 0 -- sh -c 'sleep 0.2; :'
	[ "$status" -eq 0 ]
	no_stderr
	check 'length >= 6 and all(.[]; (has("ancestors") | not)
		and (.key | type) == "string" and (.parent_key | type) == "string")'
	check '.[0].pid as $root | (.[] | select(.pid == $root) | .key) as $k
		| all(.[] | select(.event == "fork" and .ppid == $root); .parent_key == $k)'
}

@test "text: -a 2 gives chain=comm(pid)<comm(pid) with the parent and the grandparent" {
	valgrind_skip "procwatch's own process is valgrind's"
	local ev root pw comm n
	local -a lines

	status=0
	"$PROCWATCH" -f text -a 2 -- sh -c 'sleep 0.2; :' >"$OUT" 2>"$OUT.err" || status=$?
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
	# the sleep: the shell, then procwatch
	n=$(grep -cE "^[^ ]+ (fork|exec|exit) [0-9]+ [^ ]+ .* ppid=$root .* chain=sh\\($root\\)<procwatch\\($pw\\)( |$)" \
		"$OUT")
	[ "$n" -eq 3 ]
	grep -qE "^[^ ]+ exec [0-9]+ sleep .* chain=sh\\($root\\)<procwatch\\($pw\\)( |$)" "$OUT"
}

@test "pid reuse: the same pid twice gives two keys, and the second process nothing of the first" {
	valgrind_skip "valgrind slows procwatch down too much to read short-lived processes in time"
	local last=/proc/sys/kernel/ns_last_pid

	[ "$(id -u)" -eq 0 ] || skip "needs root to write $last"
	[ -e "$last" ] || skip "$last does not exist (CONFIG_CHECKPOINT_RESTORE is off)"
	(cat "$last" >"$last") 2>/dev/null || skip "$last is not writable here"
	# Three rounds: the first sleep leaves pid P; the next fork is steered to
	# P (another process may take it first: try again). In the second round
	# procwatch (the parent of the command) is stopped from the exit of the
	# first sleep to the fork of the second, so that both reach it in one
	# batch, as under load; it is stopped only once it has reported the
	# first exec.
	[ "$OUT" = "$BATS_TEST_TMPDIR/out" ]
	pw_json "$OUT" -- sh -c 'trap "kill -CONT $PPID" EXIT
		n=0
		while [ "$n" -lt 3 ]; do
			sleep 0.11 & p=$!
			if [ "$n" -eq 1 ]; then
				i=0
				until jq --argjson p "$p" "select(.event == \"exec\" and .pid == \$p) | .pid" \
					"$1/out" 2>/dev/null | grep -q .
				do
					i=$((i + 1))
					[ "$i" -lt 500 ] || exit 8
					sleep 0.01
				done
				kill -STOP "$PPID"
			fi
			wait "$p"
			i=0
			while :; do
				echo $((p - 1)) >/proc/sys/kernel/ns_last_pid
				sleep 0.12 & q=$!
				[ "$q" -ne "$p" ] || break
				wait "$q"
				i=$((i + 1))
				[ "$i" -lt 20 ] || exit 9
			done
			kill -CONT "$PPID"
			wait "$q"
			echo "$p" >>"$1/pids"
			n=$((n + 1))
		done' reuse "$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ] || die "exit status $status: a pid could not be reused"
	no_stderr
	local -a args=(
		--argjson ps "$(jq -sc . "$BATS_TEST_TMPDIR/pids")"
		--arg shexe "$SH_EXE"
	)
	local defs='def of($p): [.[] | select(.pid == $p)];
		def secs: (.[0:19] + "Z" | fromdateiso8601) + (.[20:29] | tonumber / 1e9);
		def root_exec: .[0].pid as $root | .[] | select(.pid == $root and .event == "exec");
		. as $r | ($ps | length) == 3 and ($ps | unique | length) == 3 and all($ps[] as $p | $r | '
	# each pid: the records of two processes, each with its own argv
	check "$defs"'of($p) as $a
		| ($a | map(.event)) == ["fork", "exec", "exit", "fork", "exec", "exit"]
		and $a[1].argv == ["sleep", "0.11"] and $a[2].argv == ["sleep", "0.11"]
		and $a[4].argv == ["sleep", "0.12"] and $a[5].argv == ["sleep", "0.12"]; .)' "${args[@]}"
	# two processes: two keys, two start times
	check "$defs"'of($p) as $a
		| ($a[0:3] | map(.key) | unique | length) == 1 and ($a[3:6] | map(.key) | unique | length) == 1
		and ($a[0].key | type) == "string" and ($a[3].key | type) == "string" and $a[0].key != $a[3].key
		and ($a[0:3] | map(.start_time) | unique | length) == 1
		and ($a[3:6] | map(.start_time) | unique | length) == 1
		and $a[0].start_time < $a[3].start_time; .)' "${args[@]}"
	# the second fork shows the shell that forked it, not the first sleep
	check "$defs"'root_exec as $sh | of($p)[3] as $f
		| $f.argv == $sh.argv and $f.exe == $shexe and $f.comm == "sh"; .)' "${args[@]}"
	# its lineage is the shell's, with nothing of the first sleep
	check "$defs"'root_exec as $sh | of($p) as $a
		| all($a[3:6][]; .ppid == $sh.pid and .parent_key == $sh.key
			and .ancestors[0].pid == $sh.pid and .ancestors[0].key == $sh.key
			and .ancestors[1:] == $sh.ancestors
			and all(.ancestors[]; .key != $a[0].key and .argv != ["sleep", "0.11"])); .)' "${args[@]}"
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
	local pw i marker

	marker=snapshot-marker-$$-$RANDOM
	"$PROCWATCH" -f json --snapshot >"$OUT" 2>"$OUT.err" &
	pw=$!
	echo "$pw procwatch TERM" >>"$KILL_FILE"
	# the snapshot is written before any live event: wait for this shell's exist record
	wait_for 10 out_has 'any(.[]; .event == "exist" and .pid == $me)' --argjson me "$ME"
	sh -c 'sleep 0.1; :' "$marker"
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
	pw_json "$OUT" --numeric -- sh -c 'sleep 0.1; :'
	[ "$status" -eq 0 ]
	no_stderr
	[ -n "$(id -un)" ]
	check 'length >= 6 and all(.[]; has("user") and has("group") and .user == null and .group == null
		and .uid == $uid and .euid == $uid and .gid == $gid and .egid == $gid)' \
		--argjson uid "$(id -u)" --argjson gid "$(id -g)"
	check 'all(.[]; (.ancestors | length) > 1)'
}

@test "context fields: start_time within the run, no tty after setsid, cgroup, loginuid, sessionid" {
	local start end cg

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	start=$(date +%s%N)
	pw_json "$OUT" -- setsid sh -c 'sleep 0.2; :'
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
	# no controlling terminal after setsid: the shell it runs (its last exec) and the sleep
	check '.[0].pid as $root
		| [.[] | select(.event == "exec" and .pid == $root)][-1] as $s
		| [.[] | select(.argv == ["sleep", "0.2"])] as $z
		| $s.argv == ["sh", "-c", "sleep 0.2; :"] and ($z | length) == 2
		and ($s | has("tty")) and $s.tty == null and all($z[]; has("tty") and .tty == null)'
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
	local cmd tty

	command -v script >/dev/null || skip "script (util-linux) is not installed"
	cmd="exec $(shquote "$PROCWATCH") -f json -- sh -c 'tty >\"\$1\"; sleep 0.2; :' sh $(shquote "$OUT.tty")"
	cmd+=" >$(shquote "$OUT") 2>$(shquote "$OUT.err")"
	run --separate-stderr script -qec "$cmd" /dev/null </dev/null
	[ "$status" -eq 0 ]
	no_stderr
	jq_lines "$OUT"
	tty=$(<"$OUT.tty")
	[[ $tty == /dev/pts/* ]]
	check 'length >= 6 and all(.[]; .tty == $tty)' --arg tty "${tty#/dev/}"
}
