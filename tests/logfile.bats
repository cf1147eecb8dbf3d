#!/usr/bin/env bats
# logfile.bats - -o FILE, logrotate, --stats, --duration

load helpers
