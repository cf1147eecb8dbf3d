#!/usr/bin/env bats
# lineage.bats - ancestry of live processes

load helpers
