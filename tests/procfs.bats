#!/usr/bin/env bats
# procfs.bats - fixture /proc trees through --proc-root
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each tree under tests/fixtures holds sys/kernel/random/boot_id and one
# directory per process, as /proc shows it (see tests/fixtures/README).
# procwatch --snapshot -n N writes one exist record per process, by pid,
# and ends after the N-th: N is the number of processes of the tree.

load helpers

TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
# the first 12 hex digits of every fixture's boot_id
BOOT=0123abcd4567

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	OUT=$BATS_TEST_TMPDIR/out
}

# snapshot DIR N FORMAT [ARG]...: the snapshot of fixture DIR (N records) in
# $OUT, stderr in $OUT.err; sets $status. With json every line goes
# through jq.
snapshot() {
	local dir=$1 n=$2 fmt=$3
	shift 3
	status=0
	timeout 20 "$PROCWATCH" --proc-root "$dir" --snapshot -n "$n" --numeric -f "$fmt" "$@" \
		>"$OUT" 2>"$OUT.err" || status=$?
	if [ "$fmt" = json ] && [ -s "$OUT" ]; then
		jq_lines "$OUT"
	fi
}

# assert_snapshot PID...: procwatch ended well, said nothing on stderr, and
# wrote one exist record per PID, in this order, each with a time and a
# start time.
assert_snapshot() {
	local want got
	[ "$status" -eq 0 ] || die "exit status $status; stderr: $(cat "$OUT.err")"
	[ ! -s "$OUT.err" ] || die "stderr: $(cat "$OUT.err")"
	want=$(printf '%s\n' "$@" | jq -s -c .)
	got=$(jq -s -c 'map(.pid)' "$OUT")
	[ "$got" = "$want" ] || die "pids $got, want $want"
	jq -s -e --arg re "^$TIME_RE\$" \
		'all(.event == "exist" and (.time | test($re)) and (.start_time | test($re)))' "$OUT" >/dev/null ||
		die "not all exist records with a time and a start time: $(cat "$OUT")"
}

# assert_record PID WANT: the record of PID in $OUT, without time and
# start_time, is the JSON object WANT, every field of it.
assert_record() {
	local got
	got=$(jq -c --argjson pid "$1" 'select(.pid == $pid) | del(.time, .start_time)' "$OUT")
	[ -n "$got" ] || die "no record for pid $1"
	if ! jq -n -e --argjson got "$got" --argjson want "$2" '$got == $want' >/dev/null; then
		printf 'record of pid %s:\n got  %s\n want %s\n' "$1" "$got" "$(jq -n -c --argjson w "$2" '$w')" >&2
		return 1
	fi
}

# pid_is PID FILTER [JQ_OPTION]...: the record of PID in $OUT is there,
# once, and FILTER is true of it.
pid_is() {
	local pid=$1 filter=$2
	shift 2
	jq -s -e --argjson pid "$pid" "$@" \
		"[.[] | select(.pid == \$pid)] | length == 1 and (.[0] | $filter)" "$OUT" >/dev/null ||
		die "pid $pid: not $filter: $(jq -c --argjson pid "$pid" 'select(.pid == $pid)' "$OUT")"
}

# start_secs PID: the start time of PID in $OUT, in seconds since the epoch.
start_secs() {
	jq --argjson pid "$1" 'select(.pid == $pid) | .start_time
		| capture("^(?<s>[^.]*)(?<f>\\.[0-9]+)Z$") | (.s + "Z" | fromdateiso8601) + (.f | tonumber)' "$OUT"
}

# assert_started_apart PID1 PID2 TICKS: the start times of the two differ
# by TICKS clock ticks, as their stat files say.
assert_started_apart() {
	local a b hz
	a=$(start_secs "$1") && b=$(start_secs "$2") && hz=$(getconf CLK_TCK) || return 1
	jq -n -e --argjson a "$a" --argjson b "$b" --argjson d "$3" --argjson hz "$hz" \
		'($b - $a - $d / $hz) | fabs < 0.001' >/dev/null ||
		die "start times $a and $b are not $3 ticks apart"
}

# text_line PID: the text record of PID in $OUT without its time and start
# time: "exist PID COMM key=value...".
text_line() {
	sed -nE "s/^$TIME_RE (exist $1 .*)/\1/p" "$OUT" | sed -E "s/ start_time=$TIME_RE( |\$)/\1/"
}

# assert_text PID WANT: the text record of PID is WANT (see text_line).
assert_text() {
	local got
	got=$(text_line "$1")
	if [ "$got" != "$2" ]; then
		printf 'text record of pid %s:\n got  %s\n want %s\n' "$1" "$got" "$2" >&2
		return 1
	fi
}

# assert_text_lines N: $OUT holds exactly N text exist records, each with a
# start time, and no control byte but the newline ending each line.
assert_text_lines() {
	local n
	[ "$status" -eq 0 ] || die "exit status $status; stderr: $(cat "$OUT.err")"
	[ ! -s "$OUT.err" ] || die "stderr: $(cat "$OUT.err")"
	n=$(wc -l <"$OUT")
	[ "$n" -eq "$1" ] || die "$n lines, want $1: $(cat "$OUT")"
	n=$(grep -cE "^$TIME_RE exist [0-9]+ .* start_time=$TIME_RE( |\$)" "$OUT") || true
	[ "$n" -eq "$1" ] || die "$n records, want $1: $(cat "$OUT")"
	n=$(perl -0777 -ne '$n = () = /[\x00-\x09\x0b-\x1f\x7f]/g; print $n + 0' "$OUT")
	[ "$n" -eq 0 ] || die "$n raw control bytes in $OUT"
}

# json_map: the text (UTF-8) of the JSON string procwatch writes for the
# bytes on stdin, by the rule of procwatch(1): well-formed UTF-8 stays as
# it is, but for U+EF80..U+EFFF; every other byte b, and each byte of
# those, becomes U+EF00 + b.
json_map() {
	perl -e 'binmode STDIN; binmode STDOUT; local $/; my $s = <STDIN>; my $o = "";
		while (length $s) {
			if ($s =~ s/^(\xee[\xbe\xbf][\x80-\xbf])//) {
				$o .= chr(0xef00 + ord) for split //, $1;
			} elsif ($s =~ s/^([\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})//) {
				my $c = $1;
				utf8::decode($c);
				$o .= $c;
			} else {
				$s =~ s/^(.)//s;
				$o .= chr(0xef00 + ord $1);
			}
		}
		utf8::encode($o);
		print $o;'
}

# json_unmap: the bytes a JSON string of procwatch (UTF-8 on stdin) stands
# for, by the inverse rule of procwatch(1).
json_unmap() {
	perl -e 'binmode STDIN; binmode STDOUT; local $/; my $s = <STDIN>;
		utf8::decode($s) or die "not UTF-8\n";
		print map { my $c = ord; if ($c >= 0xef80 && $c <= 0xefff) { chr($c - 0xef00) }
			    else { my $u = $_; utf8::encode($u); $u } } split //, $s;'
}

# stat_comm FILE: the comm field of a stat file, between the first "(" and the last ")".
stat_comm() {
	perl -0777 -ne 'my $i = index($_, "("); print substr($_, $i + 1, rindex($_, ")") - $i - 1)' "$1"
}

@test "hostile-comm: a name with ') (' and a newline comes out whole in JSON, with its child's ancestry" {
	local dir
	dir=$(fixture hostile-comm)
	snapshot "$dir" 3 json
	assert_snapshot 1 4242 4243

	assert_record 1 '{"event":"exist","pid":1,"comm":"systemd","key":"'$BOOT'-2-1","ppid":0,"pgid":1,
		"parent_key":null,"exe":"/usr/lib/systemd/systemd","argv":["/sbin/init","splash"],"cwd":"/",
		"uid":0,"user":null,"euid":0,"gid":0,"group":null,"egid":0,"loginuid":null,"sessionid":null,
		"tty":null,"cgroup":"/init.scope","container_id":null,"unit":"init.scope","ancestors":[]}'
	assert_record 4242 '{"event":"exist","pid":4242,"comm":"a) (b\nc","key":"'$BOOT'-51234-4242",
		"ppid":1,"pgid":4242,"parent_key":"'$BOOT'-2-1","exe":"/tmp/evil/a) (b\nc",
		"argv":["./a) (b\nc","--name=x) (y","","it'\''s"],"cwd":"/tmp/evil dir",
		"uid":1000,"user":null,"euid":1000,"gid":1000,"group":null,"egid":1000,
		"loginuid":1000,"sessionid":7,"tty":"pts/1",
		"cgroup":"/user.slice/user-1000.slice/session-7.scope","container_id":null,"unit":"session-7.scope",
		"ancestors":[{"pid":1,"key":"'$BOOT'-2-1","comm":"systemd","exe":"/usr/lib/systemd/systemd",
			"argv":["/sbin/init","splash"]}]}'
	assert_record 4243 '{"event":"exist","pid":4243,"comm":"sh","key":"'$BOOT'-51300-4243",
		"ppid":4242,"pgid":4242,"parent_key":"'$BOOT'-51234-4242","exe":"/usr/bin/dash",
		"argv":["sh","-c","echo hi"],"cwd":"/tmp/evil dir",
		"uid":1000,"user":null,"euid":1000,"gid":1000,"group":null,"egid":1000,
		"loginuid":1000,"sessionid":7,"tty":"pts/1",
		"cgroup":"/user.slice/user-1000.slice/session-7.scope","container_id":null,"unit":"session-7.scope",
		"ancestors":[
			{"pid":4242,"key":"'$BOOT'-51234-4242","comm":"a) (b\nc","exe":"/tmp/evil/a) (b\nc",
			 "argv":["./a) (b\nc","--name=x) (y","","it'\''s"]},
			{"pid":1,"key":"'$BOOT'-2-1","comm":"systemd","exe":"/usr/lib/systemd/systemd",
			 "argv":["/sbin/init","splash"]}]}'

	# the comm is exactly the bytes of the stat file between the first "(" and the last ")"
	stat_comm "$dir/4242/stat" >"$BATS_TEST_TMPDIR/comm"
	pid_is 4242 '.comm == $want' --rawfile want "$BATS_TEST_TMPDIR/comm"
	# start times are the stat start times, in clock ticks after boot
	assert_started_apart 1 4242 51232
	assert_started_apart 4242 4243 66
}

@test "hostile-comm: text keeps one line per record, quotes the name and escapes it in the chain" {
	local dir
	dir=$(fixture hostile-comm)
	snapshot "$dir" 3 text
	assert_text_lines 3

	assert_text 1 'exist 1 systemd key='$BOOT'-2-1 ppid=0 pgid=1 exe=/usr/lib/systemd/systemd argv="/sbin/init splash" cwd=/ uid=0 euid=0 gid=0 egid=0 cgroup=/init.scope unit=init.scope'
	assert_text 4242 'exist 4242 "a) (b\nc" key='$BOOT'-51234-4242 ppid=1 pgid=4242 parent_key='$BOOT'-2-1 exe="/tmp/evil/a) (b\nc" argv="'\''./a) (b\nc'\'' '\''--name=x) (y'\'' '\'''\'' '\''it'\''\\'\'''\''s'\''" cwd="/tmp/evil dir" uid=1000 euid=1000 gid=1000 egid=1000 loginuid=1000 sessionid=7 tty=pts/1 cgroup=/user.slice/user-1000.slice/session-7.scope unit=session-7.scope chain=systemd(1)'
	assert_text 4243 'exist 4243 sh key='$BOOT'-51300-4243 ppid=4242 pgid=4242 parent_key='$BOOT'-51234-4242 exe=/usr/bin/dash argv="sh -c '\''echo hi'\''" cwd="/tmp/evil dir" uid=1000 euid=1000 gid=1000 egid=1000 loginuid=1000 sessionid=7 tty=pts/1 cgroup=/user.slice/user-1000.slice/session-7.scope unit=session-7.scope chain=a\x29\x20\x28b\x0ac(4242)<systemd(1)'
}

@test "hostile-comm: --ancestors 1 keeps the parent only" {
	local dir
	dir=$(fixture hostile-comm)
	snapshot "$dir" 3 json --ancestors 1
	assert_snapshot 1 4242 4243
	run jq -c 'select(.pid == 4243) | .ancestors | map(.pid)' "$OUT"
	[ "$status" -eq 0 ]
	[ "$output" = "[4242]" ]

	snapshot "$dir" 3 text --ancestors 1
	assert_text_lines 3
	text_line 4243 | grep -qE ' chain=a\\x29\\x20\\x28b\\x0ac\(4242\)$'
}

@test "kthread: a kernel thread has argv [] and exe null, neither missing" {
	local dir
	dir=$(fixture kthread)
	snapshot "$dir" 2 json
	assert_snapshot 2 37

	assert_record 2 '{"event":"exist","pid":2,"comm":"kthreadd","key":"'$BOOT'-24-2","ppid":0,"pgid":0,
		"parent_key":null,"exe":null,"argv":[],"cwd":"/",
		"uid":0,"user":null,"euid":0,"gid":0,"group":null,"egid":0,"loginuid":null,"sessionid":null,
		"tty":null,"cgroup":"/","container_id":null,"unit":null,"ancestors":[]}'
	assert_record 37 '{"event":"exist","pid":37,"comm":"kworker/1:0H-kblockd","key":"'$BOOT'-30-37",
		"ppid":2,"pgid":0,"parent_key":"'$BOOT'-24-2","exe":null,"argv":[],"cwd":"/",
		"uid":0,"user":null,"euid":0,"gid":0,"group":null,"egid":0,"loginuid":null,"sessionid":null,
		"tty":null,"cgroup":"/","container_id":null,"unit":null,
		"ancestors":[{"pid":2,"key":"'$BOOT'-24-2","comm":"kthreadd","exe":null,"argv":[]}]}'
	assert_started_apart 2 37 6
}

@test "kthread: text shows argv as \"\" and no exe" {
	local dir
	dir=$(fixture kthread)
	snapshot "$dir" 2 text
	assert_text_lines 2
	assert_text 2 'exist 2 kthreadd key='$BOOT'-24-2 ppid=0 pgid=0 argv="" cwd=/ uid=0 euid=0 gid=0 egid=0 cgroup=/'
	assert_text 37 'exist 37 kworker/1:0H-kblockd key='$BOOT'-30-37 ppid=2 pgid=0 parent_key='$BOOT'-24-2 argv="" cwd=/ uid=0 euid=0 gid=0 egid=0 cgroup=/ chain=kthreadd(2)'
}

@test "zombie: argv, exe and cwd are null and missing; comm, ids and the rest are there" {
	local dir
	dir=$(fixture zombie)
	snapshot "$dir" 4 json
	# 899 lost everything before it could be read: no record
	assert_snapshot 1 900 901 902

	assert_record 900 '{"event":"exist","pid":900,"comm":"make","key":"'$BOOT'-70000-900","ppid":1,"pgid":900,
		"parent_key":"'$BOOT'-2-1","exe":"/usr/bin/make","argv":["make","-j4"],"cwd":"/home/dev/src",
		"uid":1000,"user":null,"euid":1000,"gid":1000,"group":null,"egid":1000,
		"loginuid":1000,"sessionid":3,"tty":"pts/0",
		"cgroup":"/user.slice/user-1000.slice/session-3.scope","container_id":null,"unit":"session-3.scope",
		"ancestors":[{"pid":1,"key":"'$BOOT'-2-1","comm":"systemd","exe":"/usr/lib/systemd/systemd",
			"argv":["/sbin/init","splash"]}]}'

	# the zombie, field by field but for its cgroup (see the next test)
	run jq -c 'select(.pid == 901) | del(.time, .start_time, .cgroup, .container_id, .unit, .missing)' "$OUT"
	[ "$status" -eq 0 ]
	jq -n -e --argjson got "$output" '$got == {"event":"exist","pid":901,"comm":"cc1",
		"key":"'$BOOT'-70100-901","ppid":900,"pgid":900,"parent_key":"'$BOOT'-70000-900",
		"exe":null,"argv":null,"cwd":null,
		"uid":1000,"user":null,"euid":1000,"gid":1000,"group":null,"egid":1000,
		"loginuid":1000,"sessionid":3,"tty":"pts/0",
		"ancestors":[
			{"pid":900,"key":"'$BOOT'-70000-900","comm":"make","exe":"/usr/bin/make","argv":["make","-j4"]},
			{"pid":1,"key":"'$BOOT'-2-1","comm":"systemd","exe":"/usr/lib/systemd/systemd",
			 "argv":["/sbin/init","splash"]}]}' ||
		die "zombie record: $output"
	pid_is 901 '.missing as $m | (["exe", "argv", "cwd"] - $m) == []
		and ([$m[] | select(. == "comm" or . == "ppid" or . == "uid" or . == "gid"
			or . == "start_time" or . == "tty" or . == "loginuid")] == [])'

	# only stat could be read: everything else is null and missing
	assert_record 902 '{"event":"exist","pid":902,"comm":"gone","key":"'$BOOT'-70200-902","ppid":900,"pgid":900,
		"parent_key":"'$BOOT'-70000-900","exe":null,"argv":null,"cwd":null,
		"uid":null,"user":null,"euid":null,"gid":null,"group":null,"egid":null,
		"loginuid":null,"sessionid":null,"tty":null,"cgroup":null,"container_id":null,"unit":null,
		"ancestors":[
			{"pid":900,"key":"'$BOOT'-70000-900","comm":"make","exe":"/usr/bin/make","argv":["make","-j4"]},
			{"pid":1,"key":"'$BOOT'-2-1","comm":"systemd","exe":"/usr/lib/systemd/systemd",
			 "argv":["/sbin/init","splash"]}],
		"missing":["exe","argv","cwd","uid","gid","loginuid","cgroup"]}'

	# whatever is missing is null
	jq -s -e 'all(.[]; . as $r | all(.missing[]?; . as $f
		| if $f == "uid" then [$r.uid, $r.euid, $r.user] elif $f == "gid" then [$r.gid, $r.egid, $r.group]
		  elif $f == "loginuid" then [$r.loginuid, $r.sessionid]
		  elif $f == "cgroup" then [$r.cgroup, $r.container_id, $r.unit] else [$r[$f]] end
		| all(. == null)))' "$OUT" >/dev/null || die "a missing field has a value: $(cat "$OUT")"
}

@test "zombie: a zombie keeps its cgroup, as /proc/PID/cgroup still shows it on cgroup v2" {
	local dir
	dir=$(fixture zombie)
	snapshot "$dir" 4 json
	assert_snapshot 1 900 901 902
	run jq -c 'select(.pid == 901) | {cgroup, container_id, unit, missing}' "$OUT"
	[ "$status" -eq 0 ]
	[ "$output" = '{"cgroup":"/user.slice/user-1000.slice/session-3.scope","container_id":null,"unit":"session-3.scope","missing":["exe","argv","cwd"]}' ] ||
		die "zombie cgroup fields: $output"
}

@test "zombie: text leaves the missing fields out and lists them" {
	local dir
	dir=$(fixture zombie)
	snapshot "$dir" 4 text
	assert_text_lines 4
	text_line 901 | grep -qE '^exist 901 cc1 key='$BOOT'-70100-901 ppid=900 pgid=900 parent_key='$BOOT'-70000-900 uid=1000 euid=1000 gid=1000 egid=1000 loginuid=1000 sessionid=3 tty=pts/0 .*chain=make\(900\)<systemd\(1\) missing=exe,argv,cwd(,|$)'
	assert_text 902 'exist 902 gone key='$BOOT'-70200-902 ppid=900 pgid=900 parent_key='$BOOT'-70000-900 chain=make(900)<systemd(1) missing=exe,argv,cwd,uid,gid,loginuid,cgroup'
}

@test "invalid-utf8: bytes that are not UTF-8 map to U+EF00 + byte, and the JSON stays valid" {
	local dir
	dir=$(fixture invalid-utf8)
	snapshot "$dir" 2 json
	assert_snapshot 3999 4000
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null
	# no raw byte of the fixture's invalid sequences
	perl -ne 'exit 1 if /\xff|\xc3\(/' "$OUT"

	# the rule by hand: 0xff is U+EFFF; 0xc3 before "(" is U+EFC3; U+EF80 in the input is escaped byte by byte
	run jq -a -c 'select(.pid == 4000) | [.comm, .exe, .argv, .cwd]' "$OUT"
	[ "$status" -eq 0 ]
	[ "$output" = '["caf\u00e9","/opt/caf\u00e9/bin/tool",["/opt/caf\u00e9/bin/tool","x\uefffy","\uefc3(z","\uefee\uefbe\uef80"],"/srv/\uefff\uefc3(dir"]' ] ||
		die "got $output"
	run jq -a -c 'select(.pid == 3999) | [.comm, .exe, .argv]' "$OUT"
	[ "$status" -eq 0 ]
	[ "$output" = '["p\uefff","/usr/local/bin/p\uefff",["p\uefff"]]' ] || die "got $output"
	run jq -a -c 'select(.pid == 4000) | .ancestors' "$OUT"
	[ "$output" = '[{"pid":3999,"key":"'$BOOT'-60000-3999","comm":"p\uefff","exe":"/usr/local/bin/p\uefff","argv":["p\uefff"]}]' ] ||
		die "got $output"

	# the rule applied to the fixture's own bytes
	local pid f
	for pid in 3999 4000; do
		json_map <"$dir/$pid/cmdline" >"$BATS_TEST_TMPDIR/want"
		pid_is "$pid" '(.argv | map(. + "\u0000") | add) == $want' --rawfile want "$BATS_TEST_TMPDIR/want"
		for f in exe cwd; do
			perl -e 'print readlink($ARGV[0]) // die "$ARGV[0]: $!\n"' "$dir/$pid/$f" >"$BATS_TEST_TMPDIR/raw"
			json_map <"$BATS_TEST_TMPDIR/raw" >"$BATS_TEST_TMPDIR/want"
			pid_is "$pid" '.[$f] == $want' --rawfile want "$BATS_TEST_TMPDIR/want" --arg f "$f"
			# and back: the mapping is undone to the very bytes
			jq -j --argjson pid "$pid" --arg f "$f" 'select(.pid == $pid) | .[$f]' "$OUT" | json_unmap |
				cmp - "$BATS_TEST_TMPDIR/raw"
		done
		stat_comm "$dir/$pid/stat" | json_map >"$BATS_TEST_TMPDIR/want"
		pid_is "$pid" '.comm == $want' --rawfile want "$BATS_TEST_TMPDIR/want"
	done
}

@test "invalid-utf8: text shows the bytes as \\xHH" {
	local dir want
	dir=$(fixture invalid-utf8)
	snapshot "$dir" 2 text
	assert_text_lines 2
	perl -ne 'exit 1 if /\xff|\xc3\(/' "$OUT"
	want=$'exist 4000 "caf\xc3\xa9" key='$BOOT$'-60050-4000 ppid=3999 pgid=3999 parent_key='$BOOT$'-60000-3999 exe="/opt/caf\xc3\xa9/bin/tool" argv="\'/opt/caf\xc3\xa9/bin/tool\' \'x\\xffy\' \'\\xc3(z\' \'\xee\xbe\x80\'" cwd="/srv/\\xff\\xc3(dir" uid=1000 euid=1000 gid=1000 egid=1000 loginuid=1000 sessionid=5 cgroup=/user.slice/user-1000.slice/session-5.scope unit=session-5.scope chain=p\\xff(3999)'
	assert_text 4000 "$want"
	assert_text 3999 'exist 3999 "p\xff" key='$BOOT'-60000-3999 ppid=1 pgid=3999 exe="/usr/local/bin/p\xff" argv="'\''p\xff'\''" cwd=/ uid=1000 euid=1000 gid=1000 egid=1000 loginuid=1000 sessionid=5 cgroup=/user.slice/user-1000.slice/session-5.scope unit=session-5.scope'
}

# The container ids of the cgroups fixture (sha256 of a name, for 64 distinct hex digits).
ID_DOCKER=fb081ee28007cf7662db5e3558f574e6698bfcc3250c545dac4ac4700025ddf4
ID_DOCKER_SYSTEMD=6de102c1cecc011032305908295668eedad74d736c6d216e4c42f416ae84988f
ID_PODMAN=2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9
ID_CONTAINERD=2397d068a8d1552a4c3f9147ba9c94e086bfd66fb2acb5bbaf47197105127d5f
ID_KUBEPODS=f7e1c863f0b36030388f431381338f8739d26c715c50dc0a7eab6d64f30fd598
ID_CRIO=c64064614423cb790e88b3e5492ff5ccf673b25ae823089f7a60c65cda24d809
ID_PODMAN_NESTED=65253155845055398da31679e908c116416029856a633dabc15cb47530220170

@test "cgroups: cgroup, container_id and unit for docker, podman, kubepods, CRI-O, services and sessions" {
	local dir want got
	dir=$(fixture cgroups)
	snapshot "$dir" 13 json
	assert_snapshot 501 502 503 504 505 506 507 508 509 510 511 512 513
	jq -s -e 'all(has("missing") | not)' "$OUT" >/dev/null || die "fields missing: $(jq -c .missing "$OUT")"

	want=$(jq -n -c \
		--arg docker "$ID_DOCKER" --arg dsys "$ID_DOCKER_SYSTEMD" --arg podman "$ID_PODMAN" \
		--arg ctd "$ID_CONTAINERD" --arg kube "$ID_KUBEPODS" --arg crio "$ID_CRIO" \
		--arg nested "$ID_PODMAN_NESTED" '[
	{pid: 501, cgroup: "/docker/\($docker)", container_id: $docker, unit: null},
	{pid: 502, cgroup: "/system.slice/docker-\($dsys).scope", container_id: $dsys,
	 unit: "docker-\($dsys).scope"},
	{pid: 503, cgroup: "/machine.slice/libpod-\($podman).scope", container_id: $podman,
	 unit: "libpod-\($podman).scope"},
	{pid: 504, cgroup: "/machine.slice/libpod-conmon-\($podman).scope", container_id: null,
	 unit: "libpod-conmon-\($podman).scope"},
	{pid: 505, cgroup: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8f3e2a1b_4c5d_4e6f_9a0b_1c2d3e4f5a6b.slice/cri-containerd-\($ctd).scope",
	 container_id: $ctd, unit: "cri-containerd-\($ctd).scope"},
	{pid: 506, cgroup: "/kubepods/besteffort/pod8f3e2a1b-4c5d-4e6f-9a0b-1c2d3e4f5a6b/\($kube)",
	 container_id: $kube, unit: null},
	{pid: 507, cgroup: "/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/crio-\($crio).scope",
	 container_id: $crio, unit: "crio-\($crio).scope"},
	{pid: 508, cgroup: "/system.slice/ssh.service", container_id: null, unit: "ssh.service"},
	{pid: 509, cgroup: "/user.slice/user-1000.slice/session-3.scope", container_id: null,
	 unit: "session-3.scope"},
	{pid: 510, cgroup: "/system.slice/system-getty.slice/getty@tty1.service", container_id: null,
	 unit: "getty@tty1.service"},
	{pid: 511, cgroup: "/custom/batch/job42", container_id: null, unit: null},
	{pid: 512, cgroup: "/machine.slice/libpod-\($nested).scope/container", container_id: $nested,
	 unit: "libpod-\($nested).scope"},
	{pid: 513, cgroup: "/system.slice/cron.service", container_id: null, unit: "cron.service"}]')
	got=$(jq -s -c 'map({pid, cgroup, container_id, unit})' "$OUT")
	jq -n -e --argjson got "$got" --argjson want "$want" '$got == $want' >/dev/null ||
		die "$(diff <(jq -n --argjson v "$want" '$v[]' -c) <(jq -n --argjson v "$got" '$v[]' -c))"

	# the cgroup is the fixture's "0::" line, byte for byte
	local pid
	for pid in 501 502 503 504 505 506 507 508 509 510 511 512 513; do
		sed -n 's/^0:://p' "$dir/$pid/cgroup" | head -c -1 >"$BATS_TEST_TMPDIR/want"
		pid_is "$pid" '.cgroup == $want' --rawfile want "$BATS_TEST_TMPDIR/want"
	done
}

@test "cgroups: loginuid and sessionid (unset is null), tty from stat field 7" {
	local dir got
	dir=$(fixture cgroups)
	snapshot "$dir" 13 json
	assert_snapshot 501 502 503 504 505 506 507 508 509 510 511 512 513
	got=$(jq -c 'select(.pid >= 508 and .pid <= 511) | {pid, loginuid, sessionid, tty}' "$OUT" | jq -s -c .)
	[ "$got" = '[{"pid":508,"loginuid":null,"sessionid":null,"tty":null},{"pid":509,"loginuid":1000,"sessionid":3,"tty":"pts/0"},{"pid":510,"loginuid":null,"sessionid":null,"tty":"tty1"},{"pid":511,"loginuid":0,"sessionid":1,"tty":null}]' ] ||
		die "got $got"
	# the values come from the fixture's files
	[ "$(cat "$dir/508/loginuid")" = 4294967295 ]
	[ "$(awk '{ print $7 }' "$dir/509/stat")" = 34816 ]
	[ "$(awk '{ print $7 }' "$dir/510/stat")" = 1025 ]
	[ "$(awk '{ print $7 }' "$dir/508/stat")" = 0 ]
}

@test "cgroups: text shows container_id and unit, and leaves out what is null" {
	local dir
	dir=$(fixture cgroups)
	snapshot "$dir" 13 text
	assert_text_lines 13
	assert_text 502 'exist 502 redis-server key='$BOOT'-80502-502 ppid=1 pgid=502 exe=/usr/bin/redis-server argv=redis-server cwd=/ uid=0 euid=0 gid=0 egid=0 cgroup=/system.slice/docker-'$ID_DOCKER_SYSTEMD'.scope container_id='$ID_DOCKER_SYSTEMD' unit=docker-'$ID_DOCKER_SYSTEMD'.scope'
	assert_text 509 'exist 509 bash key='$BOOT'-80509-509 ppid=1 pgid=509 exe=/usr/bin/bash argv=bash cwd=/ uid=0 euid=0 gid=0 egid=0 loginuid=1000 sessionid=3 tty=pts/0 cgroup=/user.slice/user-1000.slice/session-3.scope unit=session-3.scope'
	assert_text 511 'exist 511 batch key='$BOOT'-80511-511 ppid=1 pgid=511 exe=/usr/bin/batch argv=batch cwd=/ uid=0 euid=0 gid=0 egid=0 loginuid=0 sessionid=1 cgroup=/custom/batch/job42'
}

@test "a proc root without sys/kernel/random/boot_id is an error naming the file" {
	local dir
	dir=$(fixture hostile-comm)
	rm "$dir/sys/kernel/random/boot_id"
	run --separate-stderr timeout 20 "$PROCWATCH" --proc-root "$dir" --snapshot -n 3 -f json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ] || die "stderr: $stderr"
	[ "$stderr" = "procwatch: $dir/sys/kernel/random/boot_id: No such file or directory" ] || die "stderr: $stderr"
}

@test "a boot_id that holds no boot id is an error naming the file" {
	local dir content
	dir=$(fixture hostile-comm)
	for content in '' 'not a boot id' '0123abcd'; do
		printf '%s\n' "$content" >"$dir/sys/kernel/random/boot_id"
		run --separate-stderr timeout 20 "$PROCWATCH" --proc-root "$dir" --snapshot -n 3 -f json
		[ "$status" -eq 1 ] || die "boot_id '$content': exit status $status, output: $output"
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ] || die "stderr: $stderr"
		[[ $stderr == "procwatch: $dir/sys/kernel/random/boot_id: "* ]] || die "stderr: $stderr"
	done
}

@test "a boot_id in capitals gives its own first 12 hex digits, or is refused" {
	local dir
	dir=$(fixture hostile-comm)
	printf '0123ABCD-4567-89EF-0123-456789ABCDEF\n' >"$dir/sys/kernel/random/boot_id"
	snapshot "$dir" 3 json
	if [ "$status" -eq 1 ]; then
		[ ! -s "$OUT" ]
		[ "$(wc -l <"$OUT.err")" -eq 1 ] || die "stderr: $(cat "$OUT.err")"
		grep -qF "procwatch: $dir/sys/kernel/random/boot_id: " "$OUT.err"
	else
		assert_snapshot 1 4242 4243
		jq -s -e 'all(.key | ascii_downcase | startswith("0123abcd4567-"))' "$OUT" >/dev/null ||
			die "keys: $(jq -c .key "$OUT")"
	fi
}

@test "a proc root that does not exist, or is not a directory, is an error naming it" {
	local dir=$BATS_TEST_TMPDIR/no/such/proc
	run --separate-stderr timeout 20 "$PROCWATCH" --proc-root "$dir" --snapshot -n 1 -f json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ] || die "stderr: $stderr"
	[ "$stderr" = "procwatch: $dir: No such file or directory" ] || die "stderr: $stderr"

	: >"$BATS_TEST_TMPDIR/file"
	run --separate-stderr timeout 20 "$PROCWATCH" --proc-root "$BATS_TEST_TMPDIR/file" --snapshot -n 1 -f json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "procwatch: $BATS_TEST_TMPDIR/file: Not a directory" ] || die "stderr: $stderr"
}
