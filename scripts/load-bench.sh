#!/usr/bin/env bash
# Load benchmark (not part of the tests): cold and warm loads of the login
# page and dashboard reloads, per release build, in headless Chromium
# against the real server. Prints times, requests and bytes on the wire.
#   scripts/load-bench.sh
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh --test
scripts/build-e2e.sh >/dev/null
step "load benchmark"
cargo run --quiet -p silent-refresh --features e2e --example load_bench
