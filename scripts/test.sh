#!/usr/bin/env bash
# Runs every test: the gate (fmt, clippy, docs, the crates' and the app's
# host unit tests), the server's tests, the browser tests (wasm-bindgen-test
# in headless Chromium), the build-time flag check, and the end-to-end tests
# (real server, real built app and example, headless Chromium). Installs what
# is missing first. Prints the test runners' summary lines last.
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh --test

LOG="$(mktemp)"
trap 'rm -f "$LOG" "$LOG.flag"' EXIT
run() { "$@" 2>&1 | tee -a "$LOG"; }

run scripts/check.sh

step "server tests"
run cargo test -p silent-refresh-server

step "browser tests of the session layer (wasm-bindgen-test, headless Chromium)"
run cargo test -p silent-refresh-web --target wasm32-unknown-unknown --tests

step "browser tests of the app (wasm-bindgen-test, headless Chromium)"
run cargo test -p silent-refresh --target wasm32-unknown-unknown --test browser

scripts/build-e2e.sh

step "build-time flag: an invalid REFRESH_ROLE must fail the build"
if REFRESH_ROLE=maybe cargo build --release --target wasm32-unknown-unknown \
    --bin silent-refresh >"$LOG.flag" 2>&1; then
  echo "FAILED: REFRESH_ROLE=maybe built" | tee -a "$LOG"; exit 1
elif grep -q "REFRESH_ROLE must be one of true, 1, yes, on, false, 0, no, off" "$LOG.flag"; then
  echo "test result: ok. REFRESH_ROLE=maybe is refused with a message naming the variable" | tee -a "$LOG"
else
  cat "$LOG.flag"; echo "FAILED: the build failed for another reason" | tee -a "$LOG"; exit 1
fi

step "end-to-end tests (real server, real app, headless Chromium)"
run cargo test -p silent-refresh --features e2e --test e2e -- --test-threads=1

step "summary"
grep -E "^test result:|Running " "$LOG" | sed -E 's/^ +//'
