#!/usr/bin/env bats
# procfs.bats - fixture /proc trees through --proc-root

load helpers
