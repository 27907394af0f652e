#!/usr/bin/env bash
# Soak benchmark (not part of the tests): 2 s access tokens, the dashboard
# reloaded every 2 s for ten minutes, in headless Chromium against the real
# server. Prints refreshes, 401s, errors, and the JS heap and wasm memory at
# the start and the end.
#   scripts/soak.sh        600 s
#   scripts/soak.sh 120    two minutes
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh --test
scripts/build-e2e.sh on >/dev/null
step "soak benchmark"
cargo run --quiet -p silent-refresh --features e2e --example soak -- "$@"
