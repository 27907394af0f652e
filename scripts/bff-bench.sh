#!/usr/bin/env bash
# BFF benchmark (not part of the tests): two server instances behind nginx
# on one redis-server, as the end-to-end tests deploy them, signed in once
# in headless Chromium. Prints signed-in calls per second through nginx to
# two instances, straight to one, and through nginx to one; a refresh
# burst's latency and grants against the same burst on a fresh token; and
# what one session takes in Redis.
#   scripts/bff-bench.sh                 5 s per run, 16 in flight, bursts of 100
#   scripts/bff-bench.sh 10 32 200       other figures
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh --test
scripts/build-e2e.sh >/dev/null
step "cargo build --release -p silent-refresh-server (the instances measured)"
cargo build --release -p silent-refresh-server
step "BFF benchmark"
SERVER_BINARY="$ROOT/target/release/silent-refresh-server" cargo run --quiet --release -p silent-refresh --features e2e --example bff_bench -- "$@"
