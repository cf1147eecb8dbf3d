#!/usr/bin/env bats
# bpf.bats - the in-kernel exec capture (--exec-source=bpf): exec data as the kernel had it at the exec
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The processes whose exec data is checked here are not held, unless a test
# compares with what /proc shows: the capture must not need it. Where the
# capture cannot load (a build without it, no privilege, no BTF), the tests
# that need it skip with the reason procwatch gives; the first test asserts
# that it loads wherever it should.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	OUT=$BATS_TEST_TMPDIR/out
	DIR=$(pwd -P)
	PW_PID=
	CG_DIR=
}

teardown() {
	# a test that stopped procwatch: a stopped process does not take SIGTERM
	[ -z "${PW_PID:-}" ] || kill -CONT "$PW_PID" 2>/dev/null || true
	end_held
	[ -z "${CG_DIR:-}" ] || find "$CG_DIR" -depth -type d -exec rmdir {} + 2>/dev/null || true
	[ ! -p "$BATS_TEST_TMPDIR/root/gate" ] ||
		perl -MFcntl -e 'sysopen(my $f, $ARGV[0], O_WRONLY | O_NONBLOCK) and close $f' \
			"$BATS_TEST_TMPDIR/root/gate" 2>/dev/null || true
}

# capture_or_skip: skip this test, with procwatch's reason, where the exec capture cannot load.
capture_or_skip() {
	local err=$BATS_TEST_TMPDIR/probe.err

	"$PROCWATCH" --exec-source=bpf -e exec -a 0 -- /bin/true >/dev/null 2>"$err" && return 0
	skip "the exec capture cannot load here: $(head -n 1 "$err")"
}

# capture_should_load: whether this build and this process should be able
# to load the capture: built with it, root, a kernel with BTF and no lockdown.
capture_should_load() {
	[ "${PW_BPF_BUILT:-}" = yes ] && [ "$(id -u)" -eq 0 ] && [ -r /sys/kernel/btf/vmlinux ] &&
		! grep -qs '\[confidentiality\]' /sys/kernel/security/lockdown
}

# one_line FILE PATTERN: FILE holds exactly one line, and it matches the extended regex PATTERN.
one_line() {
	local -a lines

	mapfile -t lines <"$1"
	[ "${#lines[@]}" -eq 1 ] || die "expected one line in $1: $(cat "$1")" || return 1
	[[ ${lines[0]} =~ $2 ]] || die "not matching '$2': ${lines[0]}"
}

# exec_of FILE JSON_ARGV: FILE holds, on whole lines, the exec record with that argv.
exec_of() {
	sed '$!b; /[}]$/!d' "$1" | jq -e -n --argjson a "$2" 'any(inputs; .event == "exec" and .argv == $a)' >/dev/null 2>&1
}

# cmdline_json PID: /proc/PID/cmdline as a JSON array of strings.
cmdline_json() {
	tr '\0' '\n' <"/proc/$1/cmdline" | jq -R . | jq -s -c .
}

# held_as_proc_shows GATE JSON_ARGV COMMAND...: run COMMAND under procwatch
# (bpf); the process that execs with JSON_ARGV holds on GATE. While it is
# held, read its exe, cwd, cgroup and command line from /proc; then release
# it. Sets EXE, CWD and CG to what /proc showed and checks that its exec
# record shows the same, taken from the kernel.
held_as_proc_shows() {
	local g=$1 argv=$2 pid procargv

	shift 2
	"$PROCWATCH" --exec-source=bpf -f json -e exec -a 0 -- "$@" >"$OUT" 2>"$OUT.err" &
	PW_PID=$!
	wait_for 60 exec_of "$OUT" "$argv"
	pid=$(jq -r --argjson a "$argv" 'select(.event == "exec" and .argv == $a) | .pid' "$OUT")
	EXE=$(readlink "/proc/$pid/exe")
	CWD=$(readlink "/proc/$pid/cwd")
	CG=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	procargv=$(cmdline_json "$pid")
	release_gate "$g"
	status=0
	wait "$PW_PID" || status=$?
	PW_PID=
	[ "$status" -eq 0 ] || die "procwatch: status $status: $(cat "$OUT.err")"
	jq_lines "$OUT"
	no_stderr
	[ "$procargv" = "$argv" ] || die "/proc shows argv $procargv, not $argv"
	check 'map(select(.event == "exec" and .pid == $pid)) | last |
		.exec_source == "bpf" and .exe == $exe and .cwd == $cwd and .cgroup == $cg and .argv == $argv
		and .missing == null' \
		--argjson pid "$pid" --arg exe "$EXE" --arg cwd "$CWD" --arg cg "$CG" --argjson argv "$argv"
}

@test "the exec capture loads where this build and the kernel allow it, or says in one line why not" {
	status=0
	"$PROCWATCH" --exec-source=bpf -f json -e exec -a 0 -- /bin/true >"$OUT" 2>"$OUT.err" || status=$?
	if [ "${PW_BPF_BUILT:-}" = no ]; then
		[ "$status" -eq 1 ]
		one_line "$OUT.err" '^procwatch: --exec-source=bpf: cannot load the exec capture: this procwatch was built without it \(configure --enable-bpf\)$'
		[ ! -s "$OUT" ] || die "records from a run that could not start: $(cat "$OUT")"
	elif capture_should_load; then
		[ "$status" -eq 0 ] || die "status $status: $(cat "$OUT.err")"
		no_stderr
		jq_lines "$OUT"
		check 'map(select(.event == "exec")) | length == 1 and .[0].argv == ["/bin/true"]
			and .[0].exec_source == "bpf"'
	else
		[ "$status" -eq 1 ]
		one_line "$OUT.err" '^procwatch: --exec-source=bpf: cannot load the exec capture: .+$'
	fi
}

@test "--exec-source=proc reads /proc and loads no BPF program; bpf loads one, held by procwatch" {
	local src g pid ids

	for src in proc bpf; do
		[ "$src" = proc ] || capture_or_skip
		g=$(gate "g-$src")
		"$PROCWATCH" --exec-source=$src -f json -e exec -a 0 -- cat "$g" >"$OUT" 2>"$OUT.err" &
		PW_PID=$!
		wait_for 60 seen_exec_of_gate "$OUT" "$g"
		# the names of the BPF programs whose file descriptors this procwatch holds
		ids=$(sed -n 's/^prog_id:[[:space:]]*//p' "/proc/$PW_PID"/fdinfo/* 2>/dev/null | sort -u |
			while read -r id; do bpftool -j prog show id "$id"; done | jq -s -c 'map(.name) | unique')
		release_gate "$g"
		wait "$PW_PID"
		PW_PID=
		no_stderr
		if [ "$src" = proc ]; then
			[ "$ids" = '[]' ] || die "--exec-source=proc loaded BPF programs: $ids"
			check 'map(select(.event == "exec")) | .[0].exec_source == "proc"'
		else
			[ "$ids" = '["pw_exec","pw_fork"]' ] || die "--exec-source=bpf: programs $ids"
			check 'map(select(.event == "exec")) | .[0].exec_source == "bpf"'
		fi
	done
}

@test "--stats says which exec source ran, and how many execs the capture gave" {
	status=0
	"$PROCWATCH" --exec-source=proc --stats -e exec -a 0 -- /bin/true >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ]
	one_line "$OUT.err" ' missing=[0-9]+ exec_source=proc$'
	capture_or_skip
	"$PROCWATCH" --exec-source=bpf --stats -e exec -a 0 -- sh -c '/bin/true; /bin/true' >"$OUT" 2>"$OUT.err" ||
		status=$?
	[ "$status" -eq 0 ]
	one_line "$OUT.err" ' exec_source=bpf joined=[0-9]+ unmatched=[0-9]+ forks=[0-9]+ forks_unmatched=[0-9]+ ring_lost=0 ring_full=0 fault=0 bound=0 orphans=[0-9]+ malformed=0$'
	# the three execs of the command, at least, came from the capture (the machine runs others)
	[[ $(cat "$OUT.err") =~ joined=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 3 ] ||
		die "joined: $(cat "$OUT.err")"
}

@test "a bad --exec-source or --ring-size is a usage error naming it" {
	local bad

	for bad in --exec-source=kernel --exec-source= --ring-size=100K --ring-size=32K --ring-size=2G \
		--ring-size=0 --ring-size=-64K --ring-size=64Q; do
		run --separate-stderr "$PROCWATCH" "$bad" -- /bin/true
		[ "$status" -eq 2 ] || die "$bad: status $status"
		[ -z "$output" ] || die "$bad: stdout: $output"
		[ "${#stderr_lines[@]}" -ge 1 ] && [[ ${stderr_lines[0]} == "procwatch: "*"${bad%%=*}"* ]] ||
			die "$bad: $stderr"
	done
	run --separate-stderr "$PROCWATCH" --ring-size=64K -e exec -a 0 -- /bin/true
	[ "$status" -eq 0 ] || die "--ring-size=64K: status $status: $stderr"
	[ -z "$stderr" ] || die "--ring-size=64K: $stderr"
	if capture_should_load; then
		# the whole system's execs share so small a ring: where this one's
		# record did not fit, a lost record says so and /proc stands in
		jq -e -s '(map(select(.event == "exec")) | length == 1) and
			(map(select(.event == "exec")) | .[0]) as $e
			| if $e.exec_source == "bpf" then $e.argv == ["/bin/true"]
			  else any(.[]; .event == "lost" and .reason == "exec_capture" and .count > 0)
				and ($e.argv == ["/bin/true"] or ($e.missing | index("argv")))
			  end' <<<"$output" >/dev/null || die "$output"
	else
		# /proc races the process: its argv is right, or listed as missing
		jq -e -s 'map(select(.event == "exec")) | length == 1 and .[0].exec_source == "proc"
			and (.[0].argv == ["/bin/true"] or (.[0].missing | index("argv")))' <<<"$output" >/dev/null ||
			die "$output"
	fi
}

@test "without CAP_BPF and CAP_PERFMON: auto reads /proc silently, bpf exits 1 naming them" {
	capture_or_skip
	local drop='setpriv --bounding-set=-bpf,-perfmon,-sys_admin --'

	# the probe: does dropping them stop the capture on this kernel?
	status=0
	$drop "$PROCWATCH" --exec-source=bpf -f json -e exec -a 0 -- /bin/true >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 1 ] || die "--exec-source=bpf without the capabilities: status $status: $(cat "$OUT.err")"
	one_line "$OUT.err" "^procwatch: --exec-source=bpf: cannot load the exec capture: permission denied: it needs CAP_BPF and CAP_PERFMON: .*'setcap cap_net_admin,cap_bpf,cap_perfmon\+ep procwatch'$"
	[ ! -s "$OUT" ] || die "records from a run that could not start"
	status=0
	$drop "$PROCWATCH" -f json -e exec -a 0 -- /bin/true >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ]
	no_stderr
	jq_lines "$OUT"
	check 'map(select(.event == "exec")) | length == 1 and .[0].exec_source == "proc"'
}

@test "storm: 2,000 tagged /bin/true in two parallel workers, every exec record exact from the capture" {
	capture_or_skip
	local map=$BATS_TEST_TMPDIR/map true

	true=$(readlink -f /bin/true)
	status=0
	"$PROCWATCH" --exec-source=bpf --stats -f json -e exec -- "$PW_SPAWN" /bin/true st 2000 2 0 "$map" \
		>"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ] || die "status $status: $(cat "$OUT.err")"
	jq_lines "$OUT"
	cat "$map" "$map.1" >"$map.all"
	[ "$(wc -l <"$map.all")" -eq 2000 ]
	# each child that ran: its exec record, with its own tag, exe, cwd and parent
	jq -R -s -c 'split("\n") | map(select(. != "") | split(" ") | {pid: (.[0] | tonumber), tag: .[1]})' \
		"$map.all" >"$map.json"
	check '
		(map(select(.event == "exec")) | INDEX(.pid | tostring)) as $e
		| [$ran[0][] | $e[.pid | tostring] as $r
			| select($r != null and $r.argv == ["/bin/true", .tag] and $r.exe == $true
				and $r.cwd == $cwd and $r.exec_source == "bpf" and $r.missing == null and $r.cgroup != null
				and $r.comm == "true" and ($r.ancestors[0].argv[0] | endswith("pw-spawn")))]
		| length == 2000' --slurpfile ran "$map.json" --arg true "$true" --arg cwd "$DIR"
	[[ $(cat "$OUT.err") == *" lost=0 "* ]] || die "$(cat "$OUT.err")"
}

@test "fork: children gone before procwatch reads /proc keep their exact start time in their keys" {
	capture_or_skip
	local child='printf "%s %s\n" $$ "$(sed "s/.*) //" /proc/$$/stat | cut -d" " -f20)" >>"$1"'

	# procwatch is stopped before the forks: each child is gone, reaped by
	# its parent, before procwatch reads a thing of it
	"$PROCWATCH" --exec-source=bpf --stats -f json -e fork,exec,exit -- \
		sh -c 'kill -STOP "$PPID"; for i in 1 2 3 4 5 6 7 8 9 10; do sh -c "$1" sh "$2"; done; : >"$3"' \
		sh "$child" "$DIR/map" "$DIR/done" >"$OUT" 2>"$OUT.err" &
	PW_PID=$!
	wait_for 60 test -e "$DIR/done"
	kill -CONT "$PW_PID"
	status=0
	wait "$PW_PID" || status=$?
	PW_PID=
	[ "$status" -eq 0 ] || die "status $status: $(cat "$OUT.err")"
	jq_lines "$OUT"
	[ "$(wc -l <map)" -eq 10 ]
	# each child's records, fork first, are keyed by the start time it read itself
	jq -R -s -c 'split("\n") | map(select(. != "") | split(" ") | {pid: (.[0] | tonumber), ticks: .[1]})' map >map.json
	check '. as $recs | [$kids[0][] | . as $k | [$recs[] | select(.pid == $k.pid)] as $r
		| select(($r | map(.event)) == ["fork", "exec", "exit"]
			and ($r | all(.key | split("-") | .[1] == $k.ticks and .[2] == ($k.pid | tostring))))]
		| length == 10' --slurpfile kids map.json
	[[ $(cat "$OUT.err") =~ \ forks=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 10 ] || die "$(cat "$OUT.err")"
}

@test "with the capture, procwatch reads nothing in /proc for the fork, exec and exit of a new process" {
	capture_or_skip
	local p n

	# procwatch only (not -f): its reads under /proc are openat(ROOTFD, "PID/FILE"...);
	# the leak checker of a sanitizer build does not run under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -qq -o trace -e trace=openat,open,readlinkat,newfstatat,statx \
		"$PROCWATCH" --exec-source=bpf -f json -e fork,exec,exit -- sh -c '/bin/true; /bin/true' >"$OUT" 2>"$OUT.err"
	jq_lines "$OUT"
	no_stderr
	check 'map(select(.argv == ["/bin/true"])) | length == 4 and all(.missing == null)'
	# the control: the startup scan, and COMMAND's own fork, read /proc this way
	n=$(grep -cE '^openat\([0-9]+, "[0-9]+/' trace) || die "no read of /proc in the trace: $(head trace)"
	[ "$n" -gt 2 ] || die "$n reads of /proc"
	for p in $(jq -r 'select(.argv == ["/bin/true"]) | .pid' "$OUT" | sort -u); do
		! grep -E "\"$p(/[^\"]*)?\"" trace || die "procwatch read /proc/$p"
	done
}

# long_argv ARGFILE: exec /bin/true with the NUL-separated arguments of
# ARGFILE, and check the record's argv byte for byte.
long_argv() {
	local -a args

	mapfile -d '' -t args <"$1"
	status=0
	"$PROCWATCH" --exec-source=bpf -f json -e exec -a 0 -- /bin/true "${args[@]}" >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ] || die "status $status: $(head -c 300 "$OUT.err")"
	no_stderr
	jq_lines "$OUT"
	check 'map(select(.event == "exec")) | length == 1 and .[0].exec_source == "bpf"
		and .[0].argv[0] == "/bin/true" and .[0].missing == null'
	jq -j 'select(.event == "exec") | .argv[1:][] + "\u0000"' "$OUT" | unmap >"$1.got"
	cmp "$1" "$1.got" || die "argv differs from what was executed ($(wc -c <"$1") bytes)"
}

# args N BYTES: N arguments of BYTES bytes each, NUL-separated, of every byte
# value but NUL, each argument starting at another point of the cycle.
args() {
	perl -e 'my ($n, $len) = @ARGV; for my $i (0 .. $n - 1) {
		print join("", map { chr(1 + ($i * 7 + $_) % 255) } 0 .. $len - 1), "\0" }' "$1" "$2"
}

@test "long argv from the capture, byte for byte: 4 KiB, 100 KiB and 131,071 bytes in one argument" {
	capture_or_skip
	local n

	for n in 4096 102400 131071; do
		args 1 "$n" >"arg-$n"
		long_argv "arg-$n"
	done
}

@test "long argv from the capture, byte for byte: 15 arguments of 131,071 bytes (about 2 MB)" {
	capture_or_skip
	args 15 131071 >args-2m
	[ "$(wc -c <args-2m)" -eq $((15 * 131072)) ]
	long_argv args-2m
}

@test "long argv from the capture, byte for byte: 60,000 arguments" {
	capture_or_skip
	perl -e 'print "a$_\0" for 0 .. 59999' >args-60k
	long_argv args-60k
	check 'map(select(.event == "exec")) | .[0].argv | length == 60001'
}

@test "race: exec data is what the kernel had at the exec, though the process rewrote it and is gone" {
	capture_or_skip
	local s='$0 = "rewritten"; chdir "/" or die; open(my $f, ">", $ENV{DONE}) or die; close $f; exit 0' pid st

	# procwatch is stopped before the exec: the process rewrites its
	# command line, leaves its directory and exits before procwatch reads a thing
	"$PROCWATCH" --exec-source=bpf -f json -e exec,exit -a 0 -- \
		env DONE="$DIR/done" sh -c 'kill -STOP "$PPID"; echo $$ >pid; exec perl -e "$1"' sh "$s" \
		>"$OUT" 2>"$OUT.err" &
	PW_PID=$!
	wait_for 60 test -e "$DIR/done"
	pid=$(cat pid)
	# a zombie that procwatch, stopped, has not reaped: /proc has nothing of it left
	wait_for 60 sh -c '[ "$(sed "s/.*) //" "/proc/$1/stat" | cut -d" " -f1)" = Z ]' sh "$pid"
	st=$(cut -d' ' -f3 "/proc/$PW_PID/stat")
	[ "$st" = T ] || die "procwatch is not stopped: $st"
	kill -CONT "$PW_PID"
	status=0
	wait "$PW_PID" || status=$?
	PW_PID=
	[ "$status" -eq 0 ] || die "status $status: $(cat "$OUT.err")"
	no_stderr
	jq_lines "$OUT"
	check 'map(select(.event == "exec" and .pid == $pid)) | last |
		.argv == ["perl", "-e", $s] and .cwd == $cwd and .exe == $perl and .comm == "perl"
		and .exec_source == "bpf" and .missing == null and .cgroup != null' \
		--argjson pid "$pid" --arg s "$s" --arg cwd "$DIR" --arg perl "$(readlink -f "$(command -v perl)")"
}

@test "path: an executable deleted before its exec, as /proc shows it" {
	capture_or_skip
	local g

	g=$(gate g)
	cp "$PW_BIN/pw-exec" prog
	held_as_proc_shows "$g" "$(json_args prog hold "$g")" "$PW_BIN/pw-exec" deleted "$DIR/prog" prog hold "$g"
	[ "$EXE" = "$DIR/prog (deleted)" ] || die "/proc shows $EXE"
}

@test "path: an executable in a memfd, as /proc shows it" {
	capture_or_skip
	local g

	g=$(gate g)
	held_as_proc_shows "$g" "$(json_args memprog hold "$g")" "$PW_BIN/pw-exec" memfd pwtest "$PW_BIN/pw-exec" memprog hold "$g"
	[ "$EXE" = "/memfd:pwtest (deleted)" ] || die "/proc shows $EXE"
}

@test "path: a #! script is its interpreter, with the script in argv, as /proc shows it" {
	capture_or_skip
	local g

	g=$(gate g)
	printf '#!/bin/sh\nread -r x <"$1" || :\n' >script
	chmod +x script
	held_as_proc_shows "$g" "$(json_args /bin/sh "$DIR/script" "$g")" "$DIR/script" "$g"
	[ "$EXE" = "$(readlink -f /bin/sh)" ] || die "/proc shows $EXE"
}

@test "path: through a bind mount, the path that was used, as /proc shows it" {
	capture_or_skip
	local g

	g=$(gate g)
	mkdir a b
	cp "$PW_BIN/pw-exec" a/
	held_as_proc_shows "$g" "$(json_args ./pw-exec hold "$g")" \
		unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && cd "$2" && exec ./pw-exec hold "$3"' \
		sh "$DIR/a" "$DIR/b" "$g"
	[ "$EXE" = "$DIR/b/pw-exec" ] && [ "$CWD" = "$DIR/b" ] || die "/proc shows $EXE in $CWD"
}

@test "path: a chrooted process, from the real root, as /proc shows it" {
	capture_or_skip
	local g

	mkdir root
	cp "$PW_BIN/pw-exec" root/
	g=$(gate root/gate)
	held_as_proc_shows "$g" "$(json_args /pw-exec hold /gate)" chroot "$DIR/root" /pw-exec hold /gate
	[ "$EXE" = "$DIR/root/pw-exec" ] && [ "$CWD" = "$DIR/root" ] || die "/proc shows $EXE in $CWD"
}

@test "path: a file system mounted only in another mount namespace, as /proc shows it" {
	capture_or_skip
	local g

	g=$(gate g)
	mkdir m
	held_as_proc_shows "$g" "$(json_args "$DIR/m/pw-exec" hold "$g")" \
		unshare -m --propagation private sh -c 'mount -t tmpfs pwtest "$1" && cp "$2" "$1/" && cd "$1" &&
			exec "$1/pw-exec" hold "$3"' sh "$DIR/m" "$PW_BIN/pw-exec" "$g"
	[ "$EXE" = "$DIR/m/pw-exec" ] && [ "$CWD" = "$DIR/m" ] || die "/proc shows $EXE in $CWD"
	# not reachable from here: the mount is the other namespace's own
	[ ! -e "$DIR/m/pw-exec" ]
}

# cgroup_dir: make CG_DIR, a new cgroup with a space in its name, and
# CG_DIR/in/sub below it, in the cgroup v2 hierarchy; CG_REL is its path
# there. Skips where no v2 hierarchy is mounted.
cgroup_dir() {
	local v2

	v2=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	[ -n "$v2" ] || skip "no cgroup v2 hierarchy is mounted"
	CG_REL="/pw bats $BATS_SUITE_TEST_NUMBER.$$"
	CG_DIR=$v2$CG_REL
	mkdir -p "$CG_DIR/in/sub"
}

@test "cgroup: a process moved into a new cgroup before its exec, from the capture, as /proc shows it" {
	capture_or_skip
	cgroup_dir
	local g

	g=$(gate g)
	held_as_proc_shows "$g" "$(json_args "$PW_BIN/pw-exec" hold "$g")" \
		sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" hold "$3"' sh "$CG_DIR/in" "$PW_BIN/pw-exec" "$g"
	[ "$CG" = "$CG_REL/in" ] || die "/proc shows cgroup $CG"
}

@test "cgroup: procwatch in a cgroup namespace shows paths from its root, as /proc shows it" {
	capture_or_skip
	cgroup_dir
	local g pid cg

	g=$(gate g)
	# procwatch in the namespace of CG_DIR/in: its root; the process moves below it
	sh -c 'echo $$ >"$1/in/cgroup.procs" && exec unshare -C "$2" --exec-source=bpf -f json -e exec -a 0 -- \
		sh -c "echo \$\$ >\"\$1/in/sub/cgroup.procs\" && exec \"\$2\" hold \"\$3\"" sh "$1" "$3" "$4"' \
		sh "$CG_DIR" "$PROCWATCH" "$PW_BIN/pw-exec" "$g" >"$OUT" 2>"$OUT.err" &
	PW_PID=$!
	wait_for 60 exec_of "$OUT" "$(json_args "$PW_BIN/pw-exec" hold "$g")"
	pid=$(jq -r 'select(.event == "exec" and .argv[1] == "hold") | .pid' "$OUT")
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	release_gate "$g"
	status=0
	wait "$PW_PID" || status=$?
	PW_PID=
	[ "$status" -eq 0 ] || die "procwatch: status $status: $(cat "$OUT.err")"
	[ "$cg" = "$CG_REL/in/sub" ] || die "/proc shows cgroup $cg to this test"
	jq_lines "$OUT"
	no_stderr
	check 'map(select(.event == "exec" and .pid == $pid)) | last |
		.exec_source == "bpf" and .cgroup == "/sub" and .missing == null' --argjson pid "$pid"
}

@test "path: a cwd deeper than the walk's bound is read from /proc, not guessed, and counted" {
	capture_or_skip
	local g deep pid

	g=$(gate g)
	deep=$DIR$(printf '/d%.0s' $(seq 300))
	mkdir -p "$deep"
	"$PROCWATCH" --exec-source=bpf --stats -f json -e exec -a 0 -- sh -c 'cd "$1" && exec cat "$2"' sh "$deep" "$g" \
		>"$OUT" 2>"$OUT.err" &
	PW_PID=$!
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	pid=$(jq -r --arg g "$g" 'select(.event == "exec" and .argv == ["cat", $g]) | .pid' "$OUT")
	[ "$(readlink "/proc/$pid/cwd")" = "$deep" ]
	release_gate "$g"
	wait "$PW_PID"
	PW_PID=
	check 'map(select(.event == "exec" and .argv == ["cat", $g])) | .[0] |
		.cwd == $deep and .exec_source == "bpf+proc" and .missing == null
		and .exe == $cat' --arg g "$g" --arg deep "$deep" --arg cat "$(readlink -f "$(command -v cat)")"
	[[ $(cat "$OUT.err") =~ \ bound=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] || die "$(cat "$OUT.err")"
}

@test "cgroup: one deeper than the walk's bound is read from /proc, not guessed, and counted" {
	capture_or_skip
	cgroup_dir
	local g deep pid

	g=$(gate g)
	deep=$CG_DIR/in$(printf '/d%.0s' $(seq 300))
	mkdir -p "$deep"
	"$PROCWATCH" --exec-source=bpf --stats -f json -e exec -a 0 -- \
		sh -c 'echo $$ >"$1/cgroup.procs" && exec cat "$2"' sh "$deep" "$g" >"$OUT" 2>"$OUT.err" &
	PW_PID=$!
	wait_for 60 seen_exec_of_gate "$OUT" "$g"
	pid=$(jq -r --arg g "$g" 'select(.event == "exec" and .argv == ["cat", $g]) | .pid' "$OUT")
	[ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "${deep#"$(findmnt -n -t cgroup2 -o TARGET | head -n 1)"}" ] ||
		die "/proc shows $(cat "/proc/$pid/cgroup")"
	release_gate "$g"
	wait "$PW_PID"
	PW_PID=
	check 'map(select(.event == "exec" and .argv == ["cat", $g])) | .[0] |
		.cgroup == $cg and .exec_source == "bpf" and .missing == null' \
		--arg g "$g" --arg cg "$CG_REL/in$(printf '/d%.0s' $(seq 300))"
	[[ $(cat "$OUT.err") =~ \ bound=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] || die "$(cat "$OUT.err")"
}

@test "a tiny ring loses long argv: each loss counted in-band and in --stats, never a wrong byte" {
	capture_or_skip
	local map=$BATS_TEST_TMPDIR/map

	status=0
	# 100 KiB of argv cannot fit a 64 KiB ring
	"$PROCWATCH" --exec-source=bpf --ring-size=64K --stats -f json -e exec -a 0 -- \
		"$PW_SPAWN" /bin/true tr 20 1 102400 "$map" >"$OUT" 2>"$OUT.err" || status=$?
	[ "$status" -eq 0 ] || die "status $status: $(cat "$OUT.err")"
	jq_lines "$OUT"
	[ "$(wc -l <"$map")" -eq 20 ]
	# every spawned exec has a record, with its exact argv or none at all
	jq -R -s -c 'split("\n") | map(select(. != "") | split(" ") | {pid: (.[0] | tonumber), tag: .[1]})' \
		"$map" >"$map.json"
	check '
		(map(select(.event == "exec")) | INDEX(.pid | tostring)) as $e
		| all($ran[0][]; $e[.pid | tostring] as $r | .tag as $t
			| $r != null and $r.exec_source != "bpf"
			and ($r.argv == null and ($r.missing | index("argv"))
			     or $r.argv == ["/bin/true", $t, ("x" * (102400 - ($t | length))) + $t]))' --slurpfile ran "$map.json"
	# the lost records count what --stats counts, and at least these 20
	n=$(jq -s '[.[] | select(.event == "lost" and .reason == "exec_capture") | .count] | add // 0' "$OUT")
	[[ $(cat "$OUT.err") =~ \ ring_lost=([0-9]+) ]] || die "$(cat "$OUT.err")"
	[ "$n" -eq "${BASH_REMATCH[1]}" ] || die "lost records count $n, --stats ${BASH_REMATCH[1]}"
	[ "$n" -ge 20 ] || die "only $n losses"
	check 'all(.[] | select(.event == "lost"); .cpu == null and .count > 0)'
}

# comparable FILE: the records of FILE without what differs from run to run
# (times, pids, keys, the exec source, procwatch's own command line), and
# with the fields a record lists as missing left out, one per line.
comparable() {
	jq -c 'select(.event != "lost") | (.missing // []) as $m
		| del(.time, .pid, .key, .ppid, .parent_key, .start_time, .duration, .exec_source, .missing, .ancestors)
		| if (.argv // []) | any(startswith("--exec-source=")) then del(.argv) else . end
		| with_entries(select(.key as $k | $m | index($k) | not))' "$1"
}

@test "the same command tree under --exec-source=proc and bpf gives the same records but for what /proc lost" {
	capture_or_skip
	# no process here changes its directory or command line after its exec:
	# /proc would show the later value (the race test is about that)
	local src tree='/bin/echo one >/dev/null; sh -c "exec /bin/true two"; ls -d / >/dev/null; exit 4'

	for src in proc bpf; do
		status=0
		"$PROCWATCH" --exec-source=$src -f json -- sh -c "$tree" >"$OUT.$src" 2>"$OUT.$src.err" || status=$?
		[ "$status" -eq 4 ] || die "$src: status $status: $(cat "$OUT.$src.err")"
		jq_lines "$OUT.$src"
	done
	# the same events, in the same order
	[ "$(jq -r .event "$OUT.proc" | grep -vx lost)" = "$(jq -r .event "$OUT.bpf" | grep -vx lost)" ]
	# bpf lost nothing; each record of proc agrees with bpf on every field it has
	OUT=$OUT.bpf check 'all(.[] | select(.event == "exec"); .exec_source == "bpf" and .missing == null)'
	comparable "$OUT.proc" >proc.cmp
	comparable "$OUT.bpf" >bpf.cmp
	jq -n -e --slurpfile p proc.cmp --slurpfile b bpf.cmp '
		[$p, $b] | transpose | all(.[]; .[0] as $x | .[1] as $y | $x | to_entries | all(.[]; $y[.key] == .value))' \
		>/dev/null || die "records differ: $(diff proc.cmp bpf.cmp)"
	OUT=$OUT.bpf check 'map(select(.event == "exec") | .argv) ==
		[["sh", "-c", $t], ["/bin/echo", "one"], ["sh", "-c", "exec /bin/true two"], ["/bin/true", "two"],
		 ["ls", "-d", "/"]]' --arg t "$tree"
}
