#!/usr/bin/env bats
# filters.bats - which records pass: --pid, --comm, --exe, --user, --under, --failed

load helpers
