#!/usr/bin/env bats
# docs.bats - --help, the manual page, the README and the shell completions agree on options and
# event names; the manual page lists the JSON fields of real records, in their order
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

bats_require_minimum_version 1.5.0

MAN="$TOP_SRCDIR/man/procwatch.1"
BASH_COMP="$TOP_SRCDIR/completions/procwatch"
ZSH_COMP="$TOP_SRCDIR/completions/_procwatch"
FISH_COMP="$TOP_SRCDIR/completions/procwatch.fish"

setup() {
	D=$BATS_TEST_TMPDIR
	run --separate-stderr "$PROCWATCH" --help
	[ "$status" -eq 0 ] || die "procwatch --help: status $status"
	[ -z "$stderr" ] || die "procwatch --help wrote to stderr: $stderr"
	[ -n "$output" ] || die "procwatch --help wrote nothing"
	printf '%s\n' "$output" >"$D/help"
}

# same NAME_A FILE_A NAME_B FILE_B: the two sorted lists are equal and not empty.
same() {
	[ -s "$2" ] || die "no entries found in $1"
	[ -s "$4" ] || die "no entries found in $3"
	diff -u --label "$1" --label "$3" "$2" "$4" >&2 || die "$1 and $3 differ"
}

# Normalise roff: \- to -, drop font changes.
unroff() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g'
}

# man_section NAME: the lines of section NAME of the manual page.
man_section() {
	awk -v name="$1" '
		/^\.SH / { sh = $0; sub(/^\.SH +"?/, "", sh); sub(/"$/, "", sh); f = (sh == name); next }
		f' "$MAN"
}

# man_tags NAME: the tag lines (the line after each .TP/.TQ) of section NAME.
man_tags() {
	man_section "$1" | awk '/^\.T[PQ]/ { t = 1; next } t { print; t = 0 }' | unroff
}

long_opts() {
	grep -o -e '--[a-z][a-z-]*' | sort -u
}

# Short options written as a word of their own: -e, (-e, {-e+, "-e".
short_opts() {
	grep -oE -e '(^|[^A-Za-z0-9-])-[A-Za-z]([^A-Za-z0-9-]|$)' | grep -oE -e '-[A-Za-z]' | sort -u
}

# The option part of the option lines of --help: "-e, --events=LIST", "--threads",
# "-r, --realtime[=PRIO]" (an optional argument).
help_optparts() {
	local lines
	grep -E '^ +(-[A-Za-z]([, ]|$)|--[a-z])' "$D/help" |
		sed -E 's/^ +((-[A-Za-z], )?--[a-z][a-z-]*(=[A-Z]+|\[=[A-Z]+\])?|-[A-Za-z]( [A-Z]+)?)( .*)?$/\1/' >"$D/optparts"
	# every option line must have been cut down to its option part
	if lines=$(grep -E ' [a-z]{2,}' "$D/optparts"); then
		die "option lines of --help not understood: $lines"
	fi
	cat "$D/optparts"
}
help_long() { long_opts <"$D/help"; }
help_short() { help_optparts | short_opts; }
# The event names --help lists under --events (fork,exec,...,all).
help_events() {
	local lines
	lines=$(grep -cE '^ +[a-z]+(,[a-z]+)+$' "$D/help") || true
	[ "$lines" = 1 ] || die "expected one list of events in --help, found $lines"
	grep -E '^ +[a-z]+(,[a-z]+)+$' "$D/help" | tr -d ' ' | tr , '\n' | sort -u
}
# Options that take an argument, both forms: -e and --events for "-e, --events=LIST"; not those
# whose argument is optional, which never take the next word.
help_args() {
	help_optparts | grep -v '\[=' | grep = | grep -oE -e '-{1,2}[A-Za-z][a-z-]*' | sort -u
}

man_long() { man_tags OPTIONS | long_opts; }
man_short() { man_tags OPTIONS | short_opts; }
man_events() { man_tags EVENTS | sed -n 's/^\.B \([a-z]*\)$/\1/p' | sort -u; }
# The event names the --events paragraph of OPTIONS names in bold.
man_events_option() {
	man_section OPTIONS | unroff |
		awk '/^\.T[PQ]/ { t = 1; f = 0; next } t { f = /--events/; t = 0; next } f' |
		sed -n 's/^\.BR* \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' | sort -u
}

# man_words: the words of the font macro lines on stdin (.B key, .BR uid ", " user, .RB { pid ,).
man_words() {
	unroff | sed -n 's/^\.\(B\|I\|[BIR][BIR]\) //p' | tr -d '"{},;:()' | tr ' ' '\n' | grep -E '^[a-z_]+$'
}
# man_json_fields: the fields JSON OUTPUT describes before the fields of the record kinds, in order.
man_json_fields() {
	man_section "JSON OUTPUT" | awk '/^Then come the fields/ { exit } /^\.T[PQ]/ { t = 1; next } t { print; t = 0 }' |
		man_words
}
# man_json_kind KIND: the words in fonts of the paragraph of KIND among the fields of the record kinds.
man_json_kind() {
	man_section "JSON OUTPUT" |
		awk -v kind="$1" '/^Then come the fields/ { k = 1; next } !k { next }
			/^\.(TP|PP|SH)/ { f = 0; t = /^\.TP/; next }
			t { t = 0; if ($0 == ".B " kind) { f = 1; next } } f' | man_words
}
# record_keys FILE JQ_FILTER: the keys of the first record of FILE matching the filter, in order.
record_keys() {
	jq -r "select($2) | keys_unsorted[]" "$1" | awk 'NR > 1 && /^time$/ { exit } 1'
}

# readme_section NAME: the lines of section "## NAME" of the README.
readme_section() {
	awk -v name="## $1" '/^## / { f = ($0 == name); next } f' "$TOP_SRCDIR/README.md"
}
readme_long() { readme_section Options | long_opts; }
readme_short() { readme_section Options | short_opts; }

bash_opts() { sed -n "s/^[[:space:]]*local opts='\(.*\)'\$/\1/p" "$BASH_COMP" | tr ' ' '\n'; }
bash_long() { bash_opts | long_opts; }
bash_short() { bash_opts | short_opts; }
# bash_case WORD: the option patterns of the case on WORD ($prev, ${words[i - 1]}).
bash_case() {
	awk -v word="$1" 'index($0, "case " word " in") { f = 1; next } f && /^[[:space:]]*esac/ { exit } f' "$BASH_COMP" |
		grep -E '^[[:space:]]*-[^ ]*( \| -[^ ]*)*\)$' | tr -s ' \t|)' '\n' | grep . | sort -u
}
bash_events() { sed -n "s/^[[:space:]]*local events='\(.*\)'\$/\1/p" "$BASH_COMP" | tr ' ' '\n' | grep . | sort -u; }

# The option specs given to _arguments (the lines after it, up to the last continued one),
# without their exclusion lists: '(-e --events)'{-e+,--events=}'[...]' gives {-e+,--events=}'[...]'.
zsh_specs() {
	awk '/_arguments/ { f = 1; next } f { print; if (!/\\$/) exit }' "$ZSH_COMP" |
		sed "s/^[[:space:]]*'([^)]*)'//"
}
zsh_long() { zsh_specs | long_opts; }
# {-r-,...}: an argument in the same word, such as an optional one
zsh_short() { zsh_specs | sed -E 's/([{,]-[A-Za-z])-([,}])/\1\2/g' | short_opts; }
zsh_events() {
	awk '/^_procwatch_events\(\)/ { f = 1; next } f && /^}/ { exit } f' "$ZSH_COMP" |
		sed -n "s/^[[:space:]]*'\([a-z]*\)\[.*/\1/p" | sort -u
}

fish_lines() { grep -E '^complete -c procwatch ' "$FISH_COMP"; }
fish_long() { fish_lines | grep -oE -e ' -l [a-z][a-z-]*' | sed 's/ -l /--/' | sort -u; }
fish_short() { fish_lines | grep -oE -e ' -s [A-Za-z]' | sed 's/ -s /-/' | sort -u; }
fish_events() { sed -n 's/^[[:space:]]*set -l events //p' "$FISH_COMP" | tr ' ' '\n' | grep . | sort -u; }

# check_opts SOURCE: SOURCE_long and SOURCE_short match --help.
check_opts() {
	help_long >"$D/help.long"
	help_short >"$D/help.short"
	"${1}_long" >"$D/$1.long"
	"${1}_short" >"$D/$1.short"
	same "--help long options" "$D/help.long" "$1 long options" "$D/$1.long"
	same "--help short options" "$D/help.short" "$1 short options" "$D/$1.short"
}

@test "--help lists each option once, every short option with a long twin" {
	local n
	help_long >"$D/long"
	help_short >"$D/short"
	grep -qx -e --help "$D/long" || die "--help not found among: $(cat "$D/long")"
	grep -qx -e --version "$D/long" || die "--version not found among: $(cat "$D/long")"
	[ -s "$D/short" ] || die "no short options found"
	help_optparts >"$D/parts"
	if grep -vE -e '--[a-z]' "$D/parts" >"$D/lonely"; then
		die "short options without a long twin in --help: $(cat "$D/lonely")"
	fi
	[ "$(wc -l <"$D/parts")" -eq "$(wc -l <"$D/long")" ] || die "an option is listed twice in --help"
}

@test "the manual page lists the options of --help" {
	check_opts man
}

# "GROUP --option" for each long option, by the group it is listed under: the headings of --help
# ("Output:", "Filters (...):") and the subsections of OPTIONS in the manual page.
help_groups() {
	awk '/^[A-Z][a-z]+( \(.*\))?:$/ { g = $1; sub(/:$/, "", g); next } /^$/ { g = "" }
		g && /^ +-/ { print g, $0 }' "$D/help" |
		sed -E 's/^([A-Za-z]+) +(-[A-Za-z], )?(--[a-z][a-z-]*).*/\1 \3/' | sort -u
}
man_groups() {
	man_section OPTIONS | awk '/^\.SS / { g = $2; next } /^\.T[PQ]/ { t = 1; next } t { print g, $0; t = 0 }' |
		unroff | sed -E 's/^([A-Za-z]*) .*(--[a-z][a-z-]*).*/\1 \2/' | sort -u
}

@test "the manual page groups the options as --help does" {
	help_groups >"$D/help.groups"
	man_groups >"$D/man.groups"
	[ "$(cut -d' ' -f1 "$D/help.groups" | sort -u | wc -l)" -ge 2 ] || die "no groups in --help: $(cat "$D/help.groups")"
	same "--help groups" "$D/help.groups" "OPTIONS subsections" "$D/man.groups"
}

@test "the bash completion offers the options of --help" {
	check_opts bash
	help_args >"$D/help.args"
	# every option that takes an argument has its argument completed (or not) on its own
	bash_case '$prev' >"$D/bash.prev"
	comm -23 "$D/help.args" "$D/bash.prev" >"$D/bash.noargs"
	[ -s "$D/bash.prev" ] || die "no case on \$prev in the bash completion"
	[ ! -s "$D/bash.noargs" ] || die "bash completion does not handle the argument of: $(cat "$D/bash.noargs")"
	# and is known not to start the command when its argument is "--"
	bash_case '${words[i - 1]}' >"$D/bash.skip"
	same "--help options with an argument" "$D/help.args" "bash options skipped before --" "$D/bash.skip"
}

@test "the zsh completion offers the options of --help" {
	check_opts zsh
}

@test "the fish completion offers the options of --help" {
	check_opts fish
}

@test "the README lists the options of --help" {
	check_opts readme
}

@test "the manual page describes the events of --help" {
	help_events | grep -vx all >"$D/help.events"
	man_events >"$D/man.events"
	same "--help events" "$D/help.events" "EVENTS in the manual" "$D/man.events"
	help_events >"$D/help.all"
	man_events_option >"$D/man.option"
	same "--help events" "$D/help.all" "--events in the manual" "$D/man.option"
}

@test "the completions offer the events of --help" {
	local shell
	help_events >"$D/help.events"
	for shell in bash zsh fish; do
		"${shell}_events" >"$D/$shell.events"
		same "--help events" "$D/help.events" "$shell completion events" "$D/$shell.events"
	done
}

@test "an unknown event is rejected with the list of --help" {
	run --separate-stderr "$PROCWATCH" -e nosuchevent
	[ "$status" -eq 2 ] || die "status $status, expected 2"
	[ -z "$output" ] || die "unexpected stdout: $output"
	[[ $stderr == *"unknown event 'nosuchevent'"* ]] || die "unexpected stderr: $stderr"
	help_events >"$D/help.events"
	printf '%s\n' "$stderr" | sed -n 's/.*(known: \(.*\)).*/\1/p' | sed 's/, /\n/g' | sort -u >"$D/known"
	same "--help events" "$D/help.events" "the error message" "$D/known"
}

@test "the manual page lists the JSON fields of real records in their order" {
	pw_json "$D/run" -- sh -c 'exit 3'
	[ "$status" -eq 3 ] || die "procwatch -- sh -c 'exit 3': status $status: $(cat "$D/run.err")"
	# the process fields: those of a fork record without the ancestry, which follows the kind's fields
	record_keys "$D/run" '.event == "fork"' | grep -vxE 'ancestors|missing' >"$D/fork.keys"
	man_json_fields | grep -vxE 'tid|thread' >"$D/man.fields"
	same "fields of a fork record" "$D/fork.keys" "fields in JSON OUTPUT" "$D/man.fields"
	# the fields of an exit record, in the order of its paragraph
	record_keys "$D/run" '.event == "exit"' | grep -vxFf "$D/fork.keys" | grep -vxE 'ancestors|missing' >"$D/exit.keys"
	man_json_kind exit | grep -xFf "$D/exit.keys" | awk '!seen[$0]++' >"$D/man.exit"
	same "fields of an exit record" "$D/exit.keys" "fields of exit in JSON OUTPUT" "$D/man.exit"
	# the field of an exec record, which says where its exec data came from
	record_keys "$D/run" '.event == "exec"' | grep -vxFf "$D/fork.keys" | grep -vxE 'ancestors|missing' >"$D/exec.keys"
	[ "$(cat "$D/exec.keys")" = exec_source ] || die "fields of an exec record beyond a fork's: $(cat "$D/exec.keys")"
	man_json_kind exec | grep -xFf "$D/exec.keys" | awk '!seen[$0]++' >"$D/man.exec"
	same "fields of an exec record" "$D/exec.keys" "fields of exec in JSON OUTPUT" "$D/man.exec"
	# then the ancestry, and each of its fields
	[ "$(record_keys "$D/run" '.event == "exit"' | grep -vx missing | tail -n 1)" = ancestors ] ||
		die "ancestors is not the last field before missing: $(record_keys "$D/run" '.event == "exit"' | tr '\n' ' ')"
	jq -r 'select(.event == "exit") | .ancestors[0] | keys_unsorted[]' "$D/run" >"$D/anc.keys"
	man_section "JSON OUTPUT" | awk '/^Then comes$/ { f = 1 } f && /^\.PP/ { exit } f' | man_words |
		grep -xFf "$D/anc.keys" | awk '!seen[$0]++' >"$D/man.anc"
	same "fields of an ancestor" "$D/anc.keys" "fields of ancestors in JSON OUTPUT" "$D/man.anc"
}

@test "the manual page renders without warnings" {
	command -v groff >/dev/null || skip "groff is not installed"
	run --separate-stderr groff -man -Tutf8 -ww -z "$MAN"
	[ "$status" -eq 0 ] || die "groff: status $status: $stderr"
	[ -z "$output" ] || die "groff wrote to stdout: $output"
	[ -z "$stderr" ] || die "groff warnings: $stderr"
	command -v man >/dev/null || skip "man is not installed"
	run --separate-stderr env MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN"
	[ "$status" -eq 0 ] || die "man: status $status: $stderr"
	[ -n "$output" ] || die "man rendered nothing"
	[ -z "$stderr" ] || die "man warnings: $stderr"
}

@test "the manual page has a NAME line whatis can read" {
	command -v lexgrog >/dev/null || skip "lexgrog (man-db) is not installed"
	run --separate-stderr lexgrog "$MAN"
	[ "$status" -eq 0 ] || die "lexgrog: status $status: $output $stderr"
	[[ $output == *'"procwatch - '?*'"'* ]] || die "unexpected lexgrog output: $output"
	[ -z "$stderr" ] || die "lexgrog wrote to stderr: $stderr"
}

# bash_complete WORD...: the completions of the last WORD, one per line, sorted.
bash_complete() {
	bash -c '
		source /usr/share/bash-completion/bash_completion || exit
		source "$1" || exit
		shift
		compopt() { :; }
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_LINE=${COMP_LINE// = /=}	# readline makes "=" a word of its own
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_procwatch procwatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | grep . | sort -u
	' bash "$BASH_COMP" "$@"
}

@test "the bash completion completes options, events, formats and the command" {
	[ -r /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	{ help_long; help_short; echo --; } | sort -u >"$D/expected"
	run --separate-stderr bash_complete procwatch -
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	printf '%s\n' "$output" | sed 's/=$//' | sort -u >"$D/got"
	same "--help options" "$D/expected" "bash completion of -" "$D/got"

	run --separate-stderr bash_complete procwatch -e fork,e
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = $'fork,exec\nfork,exit' ] || die "-e fork,e: $output"

	run --separate-stderr bash_complete procwatch --events = fork,c
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = $'fork,comm\nfork,coredump' ] || die "--events=fork,c: $output"

	run --separate-stderr bash_complete procwatch -f ''
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = $'json\ntext' ] || die "-f: $output"

	mkdir "$D/root" "$D/root/pwdocs-dir"
	touch "$D/root/pwdocs-file"
	run --separate-stderr bash_complete procwatch --proc-root "$D/root/pwdocs-"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = "$D/root/pwdocs-dir" ] || die "--proc-root: $output"

	mkdir "$D/bin"
	printf '#!/bin/sh\n' >"$D/bin/pwdocs-probe"
	chmod +x "$D/bin/pwdocs-probe"
	PATH=$D/bin:$PATH run --separate-stderr bash_complete procwatch -e exec -- pwdocs-pr
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = pwdocs-probe ] || die "command after --: $output"
}

# users_with PREFIX: the names in the user database that begin with PREFIX, sorted.
users_with() {
	getent passwd | cut -d: -f1 | grep -E "^$1" | sort -u
}

# pids_with PREFIX: the pids in /proc that begin with PREFIX, sorted.
pids_with() {
	ls /proc | grep -E "^$1[0-9]*\$" | sort -u
}

# check_pids PREFIX FILE_BEFORE OFFERED: what was offered for PREFIX are pids beginning with PREFIX,
# among them every process that was running both before (FILE_BEFORE) and after the completion.
check_pids() {
	local bad
	[ -n "$3" ] || die "-p $1: nothing offered"
	if bad=$(printf '%s\n' "$3" | grep -vxE "$1[0-9]*"); then
		die "-p $1: offered what is not a pid that begins with $1: $bad"
	fi
	pids_with "$1" | comm -12 "$2" - >"$D/alive"
	printf '%s\n' "$3" | sort -u | comm -23 "$D/alive" - >"$D/notoffered"
	[ ! -s "$D/notoffered" ] || die "-p $1: running processes not offered: $(cat "$D/notoffered")"
}

@test "the bash completion completes pids, user names and files" {
	[ -r /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	local pid=$$
	pids_with "$pid" >"$D/before"
	run --separate-stderr bash_complete procwatch -p "$pid"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	check_pids "$pid" "$D/before" "$output"
	printf '%s\n' "$output" | grep -qx "$pid" || die "-p $pid: $output"

	pids_with '' >"$D/before"
	run --separate-stderr bash_complete procwatch --pid = ''
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	check_pids '' "$D/before" "$output"
	printf '%s\n' "$output" | grep -qx 1 || die "--pid=: $output"

	run --separate-stderr bash_complete procwatch -u ro
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	users_with ro >"$D/users"
	printf '%s\n' "$output" | grep . >"$D/got" || true
	same "users that begin with ro" "$D/users" "bash completion of -u ro" "$D/got"

	run --separate-stderr bash_complete procwatch --user = ''
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	users_with '' >"$D/users"
	printf '%s\n' "$output" | grep . >"$D/got" || true
	same "users" "$D/users" "bash completion of --user=" "$D/got"

	mkdir "$D/out" "$D/out/pwdocs-dir"
	touch "$D/out/pwdocs-file.json"
	run --separate-stderr bash_complete procwatch -o "$D/out/pwdocs-"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = "$D/out/pwdocs-dir"$'\n'"$D/out/pwdocs-file.json" ] || die "-o: $output"

	run --separate-stderr bash_complete procwatch --output = "$D/out/pwdocs-f"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = "$D/out/pwdocs-file.json" ] || die "--output=: $output"

	# -r takes no separate argument: what follows it is an option, or "--" and the command
	run --separate-stderr bash_complete procwatch -r --thr
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = --threads ] || die "-r --thr: $output"
	mkdir "$D/bin"
	printf '#!/bin/sh\n' >"$D/bin/pwdocs-probe"
	chmod +x "$D/bin/pwdocs-probe"
	PATH=$D/bin:$PATH run --separate-stderr bash_complete procwatch -r -- pwdocs-pr
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$output" = pwdocs-probe ] || die "-r -- command: $output"
}

# fish_complete LINE: what fish offers for LINE (completion, tab, description per line).
fish_complete() {
	mkdir -p "$D/home"
	env HOME="$D/home" XDG_CONFIG_HOME="$D/home/config" XDG_DATA_HOME="$D/home/data" \
		XDG_CACHE_HOME="$D/home/cache" \
		fish --no-config -c 'source $argv[1]; and complete -C $argv[2]' "$FISH_COMP" "$1"
}

@test "the fish completion completes options, events, formats and the command" {
	command -v fish >/dev/null || skip "fish is not installed"
	{ help_long; help_short; } | sort -u >"$D/expected"
	run --separate-stderr fish_complete 'procwatch -'
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	printf '%s\n' "$output" | cut -f1 | sort -u >"$D/got"
	same "--help options" "$D/expected" "fish completion of -" "$D/got"

	run --separate-stderr fish_complete 'procwatch -e fork,e'
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$(printf '%s\n' "$output" | cut -f1)" = $'fork,exec\nfork,exit' ] || die "-e fork,e: $output"

	run --separate-stderr fish_complete 'procwatch --format='
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$(printf '%s\n' "$output" | cut -f1)" = $'--format=json\n--format=text' ] || die "--format=: $output"

	mkdir "$D/root" "$D/root/pwdocs-dir"
	touch "$D/root/pwdocs-file"
	run --separate-stderr fish_complete "procwatch --proc-root=$D/root/pwdocs-"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$(printf '%s\n' "$output" | cut -f1)" = "--proc-root=$D/root/pwdocs-dir/" ] || die "--proc-root=: $output"

	mkdir "$D/bin"
	printf '#!/bin/sh\n' >"$D/bin/pwdocs-probe"
	chmod +x "$D/bin/pwdocs-probe"
	PATH=$D/bin:$PATH run --separate-stderr fish_complete 'procwatch -e exec -- pwdocs-pr'
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$(printf '%s\n' "$output" | cut -f1)" = pwdocs-probe ] || die "command after --: $output"
}

@test "the fish completion completes pids, user names and files" {
	command -v fish >/dev/null || skip "fish is not installed"
	local pid=$$ comm
	comm=$(cat /proc/$$/comm)
	if command -v ps >/dev/null; then
		# fish lists processes with ps
		pids_with "$pid" >"$D/before"
		run --separate-stderr fish_complete "procwatch -p $pid"
		[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
		check_pids "$pid" "$D/before" "$(printf '%s\n' "$output" | cut -f1)"
		# each with the name of the process (and its terminal, when it has one)
		printf '%s\n' "$output" |
			awk -F '\t' -v pid="$pid" -v comm="$comm" '$1 == pid && ($2 == comm || index($2, comm " [") == 1) { f = 1 }
				END { exit !f }' || die "-p $pid: no '$pid<tab>$comm' in: $output"

		pids_with 1 >"$D/before"
		run --separate-stderr fish_complete "procwatch --pid=1"
		[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
		check_pids 1 "$D/before" "$(printf '%s\n' "$output" | cut -f1 | sed 's/^--pid=//')"
		printf '%s\n' "$output" | cut -f1 | grep -qx -e --pid=1 || die "--pid=1: $output"
	fi

	run --separate-stderr fish_complete 'procwatch -u '
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	users_with '' >"$D/users"
	printf '%s\n' "$output" | cut -f1 | grep . | sort -u >"$D/got" || true
	same "users" "$D/users" "fish completion of -u" "$D/got"

	run --separate-stderr fish_complete 'procwatch --user=ro'
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	users_with ro | sed 's/^/--user=/' >"$D/users"
	printf '%s\n' "$output" | cut -f1 | grep . | sort -u >"$D/got" || true
	same "users that begin with ro" "$D/users" "fish completion of --user=ro" "$D/got"

	mkdir "$D/out" "$D/out/pwdocs-dir"
	touch "$D/out/pwdocs-file.json"
	run --separate-stderr fish_complete "procwatch -o $D/out/pwdocs-"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$D/out/pwdocs-dir/"$'\n'"$D/out/pwdocs-file.json" ] || die "-o: $output"

	run --separate-stderr fish_complete "procwatch --output=$D/out/pwdocs-f"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || die "status $status: $stderr"
	[ "$(printf '%s\n' "$output" | cut -f1)" = "--output=$D/out/pwdocs-file.json" ] || die "--output=: $output"
}

@test "the zsh completion is valid zsh" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run --separate-stderr zsh -n "$ZSH_COMP"
	[ "$status" -eq 0 ] || die "zsh -n: status $status: $stderr"
	[ -z "$output" ] || die "unexpected stdout: $output"
	[ -z "$stderr" ] || die "unexpected stderr: $stderr"
	[ "$(head -n 1 "$ZSH_COMP")" = "#compdef procwatch" ] || die "first line is not #compdef procwatch"
}

@test "README: .ci/run runs the Quick start test command verbatim" {
	local cmd
	cmd=$(sed -n "s/^test_command='\(.*\)'$/\1/p" "$TOP_SRCDIR/.ci/run")
	[ -n "$cmd" ]
	[[ $cmd == *"make -j"*" check" ]]
	grep -qxF -- "$cmd" "$TOP_SRCDIR/README.md"
}
