#!/usr/bin/env bash
# Benchmark (not part of the tests): N concurrent calls right after the
# access token expired vs. on a fresh token, in headless Chromium against the
# real server. Prints refreshes seen by the server, failures, median and p99.
#   scripts/bench.sh            N = 10, 100, 1000
#   scripts/bench.sh 50 5000    other sizes
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh --test
# The benchmark runs the default build, REFRESH_ROLE on.
scripts/build-e2e.sh on >/dev/null
step "refresh burst benchmark"
cargo run --quiet -p silent-refresh --features e2e --example refresh_bench -- "$@"
