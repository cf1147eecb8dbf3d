#!/usr/bin/env bats
# namespaces.bats - where the kernel will not deliver process events, procwatch says why and exits 1
# SPDX-License-Identifier: GPL-2.0-or-later

load helpers

setup() {
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	[ "$(id -u)" -eq 0 ] || skip "creating namespaces here needs root"
}

# expect_one_line PATTERN: stderr is exactly one line matching PATTERN, stdout empty, status 1
expect_one_line() {
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == procwatch:* ]]
	[[ "${stderr_lines[0]}" =~ $1 ]]
}

@test "another network namespace: connection refused, run it in the initial one" {
	run --separate-stderr unshare -n "$PROCWATCH" -f json -- true
	expect_one_line "initial network namespace"
}

@test "another user namespace: the kernel refuses the bind or ignores the subscription, and procwatch says which" {
	if listen_allowed unshare -U -r; then
		run --separate-stderr unshare -U -r "$PROCWATCH" -f json -- true
		expect_one_line "initial pid and user namespaces"
	else
		# root there is not root here: the capability must come from the initial namespace
		run --separate-stderr unshare -U -r "$PROCWATCH" -f json -- true
		expect_one_line "^procwatch: bind: .*CAP_NET_ADMIN in the initial user namespace"
		printf '%s\n' "${stderr_lines[@]}" >"$BATS_TEST_TMPDIR/err"
		expect_cap_refusal "$BATS_TEST_TMPDIR/err" "run procwatch on the host"
	fi
}

@test "another pid namespace: the kernel ignores the subscription" {
	run --separate-stderr unshare -p -f "$PROCWATCH" -f json -- true
	expect_one_line "initial pid and user namespaces"
}

@test "the command does not run when procwatch cannot subscribe" {
	marker=$BATS_TEST_TMPDIR/ran
	run --separate-stderr unshare -n "$PROCWATCH" -f json -- touch "$marker"
	[ "$status" -eq 1 ]
	[ ! -e "$marker" ]
}
