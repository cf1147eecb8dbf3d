#!/usr/bin/env bats
# events.bats - every kind of process event, triggered for real and checked field by field
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each test runs procwatch in command mode, so only the command's own tree is
# reported and the records are deterministic. A process whose argv, exe, cwd
# or ids are checked is held on a FIFO (gate in helpers.bash) until procwatch
# has written its exec record, so that procwatch reads its /proc entry while it
# is alive; a shell is held by the child it waits for. Fork, exit and the other
# records carry what the table learnt at that exec.

load helpers

setup() {
	OUT=$BATS_TEST_TMPDIR/out
	SH_EXE=$(readlink -f "$(command -v sh)")
}

# A failed test may leave a process held: let it go (a FIFO opens for
# writing without waiting only if it has a reader).
teardown() {
	local saved=$BATS_TEST_TMPDIR/core_pattern.saved

	if [ -f "$saved" ]; then
		cat "$saved" >/proc/sys/kernel/core_pattern
	fi
	release_left_gates
}

# no_stderr: procwatch wrote nothing on stderr.
no_stderr() {
	[ ! -s "$OUT.err" ] || die "unexpected stderr: $(cat "$OUT.err")"
}

# name_of DATABASE ID: the name getent gives for ID, or nothing.
name_of() {
	getent "$1" "$2" | cut -d: -f1
}

# JSON for a name that may be unknown: the string, or null.
json_name() {
	if [ -n "$1" ]; then
		jq -nc --arg n "$1" '$n'
	else
		echo null
	fi
}

# nobody_gate NAME: a gate (see helpers.bash) that uid 65534 can open: the
# test's directory is opened for traversal up to the run's own temporary
# directory, as nobody_copy does.
nobody_gate() {
	local g d

	g=$(gate "$1") || return 1
	chmod 644 "$g"
	d=$BATS_TEST_TMPDIR
	while [ -n "$d" ] && [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	printf '%s\n' "$g"
}

@test "every record has time, event and pid; process fields come in the documented order" {
	local before after g

	before=$(date -u +%s)
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c 'cat "$1"; exit 3' sh "$g"
	after=$(date -u +%s)
	[ "$status" -eq 3 ]
	no_stderr
	check 'length >= 6'
	check 'all(.[]; (.time | type == "string" and
			test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"))
		and (.event | type == "string") and (.pid | type == "number" and . > 0))'
	# wall-clock time, not the kernel's monotonic clock
	check 'all(.[]; .time | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 |
		. >= ($before - 1) and . <= ($after + 1))' --argjson before "$before" --argjson after "$after"
	check 'all(.[] | select(.event == "fork");
		keys_unsorted == ["time","event","pid","comm","key","ppid","pgid","parent_key","exe","argv","cwd",
				  "uid","user","euid","gid","group","egid",
				  "loginuid","sessionid","tty","start_time","cgroup","container_id","unit",
				  "ancestors"])'
	check 'all(.[] | select(.event == "exec");
		keys_unsorted == ["time","event","pid","comm","key","ppid","pgid","parent_key","exe","argv","cwd",
				  "uid","user","euid","gid","group","egid",
				  "loginuid","sessionid","tty","start_time","cgroup","container_id","unit",
				  "exec_source","ancestors"])'
	check 'all(.[] | select(.event == "exit");
		keys_unsorted == ["time","event","pid","comm","key","ppid","pgid","parent_key","exe","argv","cwd",
				  "uid","user","euid","gid","group","egid",
				  "loginuid","sessionid","tty","start_time","cgroup","container_id","unit",
				  "exit_code","signal","core_dumped","status","duration",
				  "ancestors"])'
	check '[.[].event] | index("exec") != null and index("exit") != null and index("fork") == 0'
}

@test "fork: child of the forking process, with the parent's comm, exe, argv, cwd and ids" {
	local dir want_parent_argv want_child_argv g

	dir=$BATS_TEST_TMPDIR/fork\ dir
	mkdir "$dir"
	cd "$dir"
	g=$(gate g)
	# the command waits for its child, the child for its cat on the gate
	pw_held "$OUT" "$g" -- sh -c 'sh -c "cat \"\$1\"; :" forked "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	want_parent_argv=$(json_args sh -c 'sh -c "cat \"\$1\"; :" forked "$1"; :' sh "$g")
	want_child_argv=$(json_args sh -c 'cat "$1"; :' forked "$g")
	local -a args=(
		--argjson pargv "$want_parent_argv" --argjson cargv "$want_child_argv"
		--arg exe "$SH_EXE" --arg cwd "$(pwd -P)"
		--argjson uid "$(id -u)" --argjson user "$(json_name "$(id -un)")"
		--argjson gid "$(id -g)" --argjson group "$(json_name "$(id -gn)")"
	)
	# the command and its one child
	check '.[0].pid as $root | [.[] | select(.event == "fork" and .ppid == $root)] | length == 1'
	check '.[0].pid as $root
		| (.[] | select(.event == "exec" and .pid == $root)) as $p
		| (.[] | select(.event == "fork" and .ppid == $root)) as $f
		| $p.argv == $pargv and $p.exe == $exe
		and $f.pid != $root and $f.pid > 0
		and $f.comm == "sh" and $f.exe == $exe and $f.argv == $pargv and $f.cwd == $cwd
		and $f.uid == $uid and $f.euid == $uid and $f.user == $user
		and $f.gid == $gid and $f.egid == $gid and $f.group == $group
		and ($f | has("missing") | not) and ($f | has("thread") | not)' "${args[@]}"
	# the child's own exec comes after its fork record and is not what the fork showed
	check '.[0].pid as $root
		| ([.[] | select(.event == "fork" and .ppid == $root)][0].pid) as $c
		| (map(.event == "fork" and .pid == $c) | index(true)) as $fi
		| (map(.event == "exec" and .pid == $c) | index(true)) as $ei
		| $fi != null and $ei != null and $fi < $ei and .[$ei].argv == $cargv' "${args[@]}"
	# the grandchild (cat) inherits the child's argv after its exec, not its own later one
	check '.[0].pid as $root
		| ([.[] | select(.event == "fork" and .ppid == $root)][0].pid) as $c
		| [.[] | select(.event == "fork" and .ppid == $c)] as $g
		| ($g | length) == 1 and $g[0].argv == $cargv and $g[0].comm == "sh" and $g[0].exe == $exe
		and $g[0].cwd == $cwd' "${args[@]}"
}

@test "exec: exact argv (empty, spaces, quotes, invalid UTF-8), exe, cwd and ids" {
	local dir want g

	dir=$BATS_TEST_TMPDIR/exec\ dir
	mkdir "$dir"
	cd "$dir"
	g=$(gate g)
	# the shell waits for its cat on the gate, the last argument
	pw_held "$OUT" "$g" -- sh -c 'cat "$6"; exit 0' arg0 '' 'two words' "it's" 'say "hi"' "$(printf '\377')x" "$g"
	[ "$status" -eq 0 ]
	no_stderr
	# the argument before the gate: byte 0xff is U+EF00+0xff, then "x"
	want=$(json_args sh -c 'cat "$6"; exit 0' arg0 '' 'two words' "it's" 'say "hi"')
	check '.[0].pid as $root | [.[] | select(.event == "exec" and .pid == $root)] | length == 1'
	check '.[0].pid as $root
		| (.[] | select(.event == "exec" and .pid == $root)) as $e
		| $e.argv == $want + ["\uefffx", $g]
		and ($e.argv[8] | explode) == [61439, 120]
		and $e.exe == $exe and $e.cwd == $cwd and $e.comm == "sh"
		and $e.ppid == .[0].ppid
		and $e.uid == $uid and $e.euid == $uid and $e.user == $user
		and $e.gid == $gid and $e.egid == $gid and $e.group == $group
		and ($e | has("missing") | not)' \
		--argjson want "$want" --arg g "$g" --arg exe "$SH_EXE" --arg cwd "$(pwd -P)" \
		--argjson uid "$(id -u)" --argjson user "$(json_name "$(id -un)")" \
		--argjson gid "$(id -g)" --argjson group "$(json_name "$(id -gn)")"
	# the cat it runs: its own exe and argv
	check '.[0].pid as $root
		| [.[] | select(.event == "exec" and .ppid == $root)] as $s
		| ($s | length) == 1 and $s[0].argv == ["cat", $g] and $s[0].exe == $cat' \
		--arg g "$g" --arg cat "$(readlink -f "$(command -v cat)")"
}

@test "pgid: a fork is in its parent's process group, an exec after setsid in its own" {
	local g pgid
	g=$(gate held)
	pgid=$(ps -o pgid= -p $$ | tr -d ' ')
	pw_held "$OUT" "$g" -- setsid cat "$g"
	[ "$status" -eq 0 ] || die "status $status: $(cat "$OUT.err")"
	# COMMAND starts in procwatch's group, which is this shell's
	select_events "$OUT" '.event == "fork"' | jq -e --argjson g "$pgid" 'select(.pgid == $g)' >/dev/null ||
		die "the fork record's pgid is not $pgid: $(select_events "$OUT" '.event == "fork"')"
	# setsid made it the leader of a new group, read at its exec while it waits
	select_events "$OUT" '.event == "exec" and .comm == "cat"' |
		jq -e 'select(.pgid == .pid and ((.missing // []) | index("pgid") | not))' >/dev/null ||
		die "the exec record of cat does not show pgid == pid: $(cat "$OUT")"
}

@test "exit: exit code 3" {
	local g

	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c 'cat "$1"; exit 3' sh "$g"
	[ "$status" -eq 3 ]
	no_stderr
	check '.[0].pid as $root | [.[] | select(.event == "exit" and .pid == $root)] | length == 1'
	check '.[0].pid as $root
		| (.[] | select(.event == "exit" and .pid == $root)) as $x
		| $x.exit_code == 3 and $x.signal == null and $x.status == 768 and $x.core_dumped == false
		and $x.ppid == .[0].ppid and $x.exe == $exe and $x.argv == ["sh", "-c", "cat \"$1\"; exit 3", "sh", $g]
		and $x.comm == "sh" and ($x | has("thread") | not)
		and (.[-1] == $x)' --arg exe "$SH_EXE" --arg g "$g"
	# the cat exited normally
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .ppid == $root)] as $s
		| ($s | length) == 1 and $s[0].exit_code == 0 and $s[0].status == 0 and $s[0].signal == null
		and $s[0].argv == ["cat", $g]' --arg g "$g"
}

@test "exit: killed by SIGKILL" {
	local g

	g=$(gate g)
	# the victim kills itself once its cat on the gate is let go
	pw_held "$OUT" "$g" -- sh -c 'exec 2>/dev/null; sh -c "cat \"\$1\"; kill -KILL \$\$" victim "$1"; exit 0' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and .ppid == $root and .comm == "sh")] as $v
		| ($v | length) == 1
		and $v[0].exit_code == null and $v[0].signal == "SIGKILL" and $v[0].status == 9
		and $v[0].core_dumped == false
		and $v[0].argv == ["sh", "-c", "cat \"$1\"; kill -KILL $$", "victim", $g]' --arg g "$g"
	check '.[0].pid as $root | (.[] | select(.event == "exit" and .pid == $root)) |
		.exit_code == 0 and .signal == null and .status == 0'
}

@test "coredump: a core-dumping signal gives a coredump record and an exit with core_dumped" {
	local pattern=/proc/sys/kernel/core_pattern saved child g

	[ "$(id -u)" -eq 0 ] || skip "needs root to set $pattern"
	saved=$(cat "$pattern")
	printf '%s\n' "$saved" >"$BATS_TEST_TMPDIR/core_pattern.saved"
	if ! printf '%s\n' "$BATS_TEST_TMPDIR/core.%p" 2>/dev/null >"$pattern"; then
		rm -f "$BATS_TEST_TMPDIR/core_pattern.saved"
		skip "$pattern is not writable here"
	fi
	g=$(gate g)
	# the dumper signals itself once its cat on the gate is let go
	pw_held "$OUT" "$g" -- sh -c 'exec 2>/dev/null; ulimit -c unlimited
		sh -c "cat \"\$1\"; kill -SEGV \$\$" dumper "$1"; exit 0' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root | [.[] | select(.event == "coredump")] | length == 1 and .[0].ppid == $root'
	check '.[0].pid as $root
		| (.[] | select(.event == "coredump")) as $c
		| [.[] | select(.event == "exit" and .pid == $c.pid)] as $x
		| ($x | length) == 1 and $x[0].ppid == $root
		and $x[0].signal == "SIGSEGV" and $x[0].exit_code == null
		and $x[0].core_dumped == true and $x[0].status == 139
		and $c.comm == "sh" and $c.exe == $exe
		and $c.argv == ["sh", "-c", "cat \"$1\"; kill -SEGV $$", "dumper", $g]
		and (map(.event == "coredump") | index(true)) < (map(.event == "exit" and .pid == $c.pid) | index(true))' \
		--arg exe "$SH_EXE" --arg g "$g"
	# the kernel really wrote the core where the pattern says
	child=$(value '.[] | select(.event == "coredump") | .pid')
	[ -s "$BATS_TEST_TMPDIR/core.$child" ]
}

@test "uid and gid: setpriv to 65534 gives a gid and a uid record with the new ids" {
	local user group g

	[ "$(id -u)" -eq 0 ] || skip "needs root to change ids"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	user=$(json_name "$(name_of passwd 65534)")
	group=$(json_name "$(name_of group 65534)")
	# the gate is opened by cat, which runs as 65534
	g=$(nobody_gate g)
	pw_held "$OUT" "$g" -- sh -c 'setpriv --reuid=65534 --regid=65534 --clear-groups cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "fork" and .ppid == $root)] as $f
		| ($f | length) == 1'
	check '.[0].pid as $root
		| ([.[] | select(.event == "fork" and .ppid == $root)][0].pid) as $p
		| [.[] | select(.event == "uid")] as $u
		| [.[] | select(.event == "gid")] as $g
		| ($u | length) == 1 and ($g | length) == 1
		and $u[0].pid == $p and $u[0].ruid == 65534 and $u[0].uid == 65534 and $u[0].euid == 65534
		and $u[0].user == $user and $u[0].ppid == $root
		and $g[0].pid == $p and $g[0].rgid == 65534 and $g[0].gid == 65534 and $g[0].egid == 65534
		and $g[0].group == $group and $g[0].ppid == $root' \
		--argjson user "$user" --argjson group "$group"
	# between the exec of setpriv and the exec of cat
	check '.[0].pid as $root
		| ([.[] | select(.event == "fork" and .ppid == $root)][0].pid) as $p
		| [to_entries[] | select(.value.event == "exec" and .value.pid == $p) | .key] as $ex
		| (map(.event == "uid") | index(true)) as $ui
		| (map(.event == "gid") | index(true)) as $gi
		| ($ex | length) == 2 and $ex[0] < $ui and $ex[0] < $gi and $ui < $ex[1] and $gi < $ex[1]'
	# cat runs as 65534
	check '.[0].pid as $root
		| [.[] | select(.event == "exec" and .ppid == $root)][-1]
		| .argv == ["cat", $g] and .uid == 65534 and .euid == 65534 and .gid == 65534 and .egid == 65534 and .user == $user' \
		--argjson user "$user" --arg g "$g"
}

@test "sid: setsid gives a sid record with sid == pid" {
	local g

	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c 'setsid cat "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "sid")] as $s
		| [.[] | select(.event == "fork") | .pid] as $tree
		| ($s | length) == 1 and $s[0].sid == $s[0].pid and $s[0].pid != $root
		and any($tree[]; . == $s[0].pid)
		and any(.[]; .event == "exec" and .pid == $s[0].pid and .argv == ["cat", $g])' --arg g "$g"
}

@test "comm: renaming a shell through /proc/self/comm gives its new and old comm" {
	local g

	# a subshell renames itself: its old name is known from its fork; the
	# command, whose exe the subshell inherits, waits for it, and it for its cat
	g=$(gate g)
	pw_held "$OUT" "$g" -- sh -c '(printf renamed >/proc/self/comm; cat "$1"; :); :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "comm")] as $c
		| ($c | length) == 1 and $c[0].comm == "renamed" and $c[0].old_comm == "sh"
		and $c[0].pid != $root and $c[0].ppid == $root
		and any(.[]; .event == "fork" and .pid == $c[0].pid and .comm == "sh")
		and $c[0].exe == $exe' --arg exe "$SH_EXE"
	# what follows knows the new name: the cat is forked by "renamed"
	check '(.[] | select(.event == "comm")) as $c
		| [.[] | select(.event == "fork" and .ppid == $c.pid)] | length == 1 and .[0].comm == "renamed"'
}

@test "ptrace: strace -f gives an attach record with strace's pid as tracer" {
	local g

	command -v strace >/dev/null || skip "strace is not installed"
	g=$(gate g)
	# strace waits for the traced shell, the shell for its cat on the gate
	pw_held "$OUT" "$g" -- sh -c 'strace -f -o /dev/null sh -c "cat \"\$1\"; :" traced "$1"; :' sh "$g"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.event == "fork" and .ppid == $root)] as $s
		| ($s | length) == 1
		and any(.[]; .event == "exec" and .pid == $s[0].pid and .argv[0] == "strace")
		and ([.[] | select(.event == "exec" and .argv == ["sh", "-c", "cat \"$1\"; :", "traced", $g])] | length) == 1' \
		--arg g "$g"
	check '.[0].pid as $root
		| ([.[] | select(.event == "fork" and .ppid == $root)][0].pid) as $s
		| ([.[] | select(.event == "exec" and .argv == ["sh", "-c", "cat \"$1\"; :", "traced", $g])][0].pid) as $t
		| [.[] | select(.event == "ptrace" and .pid == $t)] as $a
		| ($a | length) >= 1 and $a[0].tracer_pid == $s and $a[0].action == "attach"
		and any(.[]; .event == "fork" and .pid == $t and .ppid == $s)' --arg g "$g"
}

@test "ptrace: strace -p gives an attach and a detach record" {
	valgrind_skip "valgrind slows procwatch down too much to read short-lived processes in time"
	local g h

	command -v strace >/dev/null || skip "strace is not installed"
	# the traced process is a cat held on the gate g; strace says "Process N
	# attached" on stderr once it has attached (polled, bounded), then the
	# shell holds strace on the gate h. h goes first: once the exec record of
	# its cat is out, strace's was read while strace was alive. Then strace
	# detaches, and the traced cat is let go.
	g=$(gate g)
	h=$(gate h)
	pw_held "$OUT" "$h $g" -- sh -c 'exec 2>/dev/null
		cat "$2" & t=$!
		strace -o /dev/null -p "$t" 2>"$1" & s=$!
		i=0
		until grep -q attached "$1"; do
			i=$((i + 1))
			[ "$i" -lt 200 ] || exit 9
			sleep 0.05
		done
		cat "$3"
		kill -INT "$s"
		wait "$s"
		wait "$t"
		exit 0' sh "$BATS_TEST_TMPDIR/strace.err" "$g" "$h"
	[ "$status" -eq 0 ]
	no_stderr
	check '([.[] | select(.event == "exec" and .argv == ["cat", $g])][0].pid) as $t
		| ([.[] | select(.event == "exec" and .argv[0] == "strace")][0].pid) as $s
		| [.[] | select(.event == "ptrace" and .pid == $t)] as $p
		| $t != null and $s != null and ($p | length) == 2
		and $p[0].action == "attach" and $p[0].tracer_pid == $s
		and $p[1].action == "detach" and $p[1].tracer_pid == 0' --arg g "$g"
}

@test "threads: hidden by default, one fork and one exit for the process" {
	pw_json "$OUT" -- "$PW_BIN/pw-threads" 3
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| ([.[] | select(.pid == $root and .event == "fork")] | length) == 1
		and ([.[] | select(.pid == $root and .event == "exit")] | length) == 1
		and ([.[] | select(.pid == $root and .event == "exec")] | length) == 1
		and all(.[]; (has("thread") | not) and (has("tid") | not))
		and all(.[]; .pid == $root)'
	check '.[0].pid as $root | (.[] | select(.event == "exit")) | .exit_code == 0 and .status == 0 and .pid == $root'
}

@test "threads: --threads shows each thread's fork and exit with tid and thread:true" {
	local g pid

	g=$(gate g)
	# pw-threads reads the gate before it starts its threads: their records
	# carry what procwatch read of it at its exec
	"$PROCWATCH" -f json --threads -- "$PW_BIN/pw-threads" 3 "$g" >"$OUT" 2>"$OUT.err" &
	pid=$!
	wait_for 60 seen_exec "$OUT" "$(json_args "$PW_BIN/pw-threads" 3 "$g")"
	release_gate "$g"
	status=0
	wait "$pid" || status=$?
	jq_lines "$OUT"
	[ "$status" -eq 0 ]
	no_stderr
	check '.[0].pid as $root
		| [.[] | select(.thread == true and .event == "fork")] as $tf
		| [.[] | select(.thread == true and .event == "exit")] as $tx
		| ($tf | length) == 3 and ($tx | length) == 3
		and all($tf[], $tx[]; .pid == $root and .tid != .pid and (.tid | type) == "number")
		and ([$tf[].tid] | unique | length) == 3
		and ([$tf[].tid] | sort) == ([$tx[].tid] | sort)
		and all(.[]; .thread == true or .thread == null)'
	check '.[0].pid as $root
		| [.[] | select(.event == "exit" and (has("thread") | not))] as $x
		| ($x | length) == 1 and $x[0].pid == $root and $x[0].exit_code == 0
		and ([.[] | select(.event == "fork" and (has("thread") | not))] | length) == 1
		and all(.[] | select(has("thread") | not); has("tid") | not)'
	# thread records are process records: keys in order, tid and thread after comm
	check 'all(.[] | select(.thread == true and .event == "fork");
		keys_unsorted == ["time","event","pid","comm","tid","thread","key","ppid","pgid","parent_key",
				  "exe","argv","cwd","uid","user","euid","gid","group","egid",
				  "loginuid","sessionid","tty","start_time","cgroup","container_id","unit",
				  "ancestors"])'
}

@test "-e exec,exit: only exec and exit records" {
	local g

	g=$(gate g)
	pw_held "$OUT" "$g" -e exec,exit -- sh -c 'sh -c "cat \"\$1\"; :" sh "$1"; setsid true; exit 4' sh "$g"
	[ "$status" -eq 4 ]
	no_stderr
	check '([.[].event] | unique) == ["exec", "exit"]'
	check '(.[0].pid) as $root
		| any(.[]; .event == "exit" and .pid == $root and .exit_code == 4)
		and ([.[] | select(.event == "exec" and .argv == ["cat", $g])] | length) == 1' --arg g "$g"
}

@test "--events=fork,sid: only fork and sid records" {
	pw_json "$OUT" --events=fork,sid -- sh -c 'setsid true; exit 0'
	[ "$status" -eq 0 ]
	no_stderr
	check '([.[].event] | unique) == ["fork", "sid"]'
	check '[.[] | select(.event == "sid")] | length == 1 and .[0].sid == .[0].pid'
}

@test "-e all: every kind of event can appear" {
	local want='["comm","exec","exit","fork","gid","sid","uid"'

	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
	# a core-dumping signal reports coredump even with 'ulimit -c 0'; with a
	# pipe in core_pattern it would start the system's crash collector
	local crash=: trace=:
	if [ "$(head -c1 /proc/sys/kernel/core_pattern)" != "|" ]; then
		crash='sh -c "kill -SEGV \$\$"'
		want+=',"coredump"'
	fi
	if command -v strace >/dev/null; then
		trace='strace -o /dev/null true'
		want+=',"ptrace"'
	fi
	want+=']'
	pw_json "$OUT" -e all -- sh -c "exec 2>/dev/null; ulimit -c 0
		setpriv --reuid=65534 --regid=65534 --clear-groups true
		setsid true
		(printf renamed >/proc/self/comm)
		$crash
		$trace
		exit 0"
	[ "$status" -eq 0 ]
	no_stderr
	check '([.[].event] | unique) == ($want | sort)' --argjson want "$want"
}

# as_nobody COMMAND...: run COMMAND from / as uid and gid 65534, no groups
as_nobody() {
	(cd / && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
}

@test "unprivileged: uid 65534 gets its records where the kernel lets it listen, else the refusal, and with CAP_NET_ADMIN" {
	valgrind_skip "another user's copy of procwatch cannot run valgrind's"
	local user pw g w

	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to uid 65534"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	pw=$(nobody_procwatch)
	as_nobody test -x "$pw"
	user=$(json_name "$(name_of passwd 65534)")
	if ! listen_allowed as_nobody; then
		# this kernel refuses: one line says what it needs, and COMMAND never runs
		w=$BATS_TEST_TMPDIR/w
		mkdir -m 777 "$w"
		status=0
		as_nobody "$pw" -f json -- touch "$w/ran" >"$OUT" 2>"$OUT.err" || status=$?
		[ "$status" -eq 1 ]
		[ ! -s "$OUT" ]
		[ ! -e "$w/ran" ]
		expect_cap_refusal "$OUT.err" "^procwatch: bind: "
		# granted the way that line says, the same user is heard
		setcap cap_net_admin+ep "$pw"
	fi
	g=$(gate g)
	# output files are opened here, as root: the test directory may be closed to 65534
	held_run "$OUT" "$g" as_nobody "$pw" -f json -- sh -c 'cat "$1"; exit 5' sh "$g"
	[ "$status" -eq 5 ]
	# a warning about the receive buffer is allowed, nothing else
	run grep -v '^procwatch: warning: ' "$OUT.err"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	check '.[0].event == "fork" and .[0].uid == 65534 and .[0].euid == 65534'
	check '.[0].pid as $root
		| (.[] | select(.event == "exec" and .pid == $root)) as $e
		| (.[] | select(.event == "exit" and .pid == $root)) as $x
		| $e.uid == 65534 and $e.euid == 65534 and $e.user == $user
		and $e.gid == 65534 and $e.egid == 65534
		and $e.argv == ["sh", "-c", "cat \"$1\"; exit 5", "sh", $g] and $e.cwd == "/"
		and $x.exit_code == 5 and $x.status == 1280
		and any(.[]; .event == "exec" and .ppid == $root and .argv == ["cat", $g] and .uid == 65534)' \
		--argjson user "$user" --arg g "$g"
}
