#!/usr/bin/env bash
# Runs every test: the gate (fmt, clippy, docs, the crates' and the app's
# host unit tests), the server's tests, the browser tests (wasm-bindgen-test
# in headless Chromium), the getting-started page followed in a fresh
# project, the release builds' download sizes against their ceilings
# (scripts/size.sh --ceilings), the build-time setting checks, the test identity
# provider's smoke test, and the end-to-end tests (real server, real built
# app and example, real identity provider, headless Chromium). Installs what
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

step "docs/getting-started.md, followed in a fresh project"
run scripts/getting-started.sh

scripts/build-e2e.sh

step "download sizes: every build within its ceiling (scripts/size.sh --ceilings)"
run scripts/size.sh --ceilings

# A build setting with a bad or missing value must fail the build with a
# message that names the variable.
refused_build() {
  local message=$1; shift
  step "build-time settings: $* must fail the build"
  if env "$@" cargo build --release --target wasm32-unknown-unknown \
      --bin silent-refresh >"$LOG.flag" 2>&1; then
    echo "FAILED: $* built" | tee -a "$LOG"; exit 1
  elif grep -qF "$message" "$LOG.flag"; then
    echo "test result: ok. $* is refused with a message naming the variable" | tee -a "$LOG"
  else
    cat "$LOG.flag"; echo "FAILED: $* failed for another reason" | tee -a "$LOG"; exit 1
  fi
}
refused_build "REFRESH_ROLE must be one of true, 1, yes, on, false, 0, no, off" REFRESH_ROLE=maybe
refused_build "OIDC_ISSUER is required with AUTH_MODE=oidc" AUTH_MODE=oidc
refused_build "AUTH_MODE must be seed, oidc, abp or bff" AUTH_MODE=saml
refused_build "ABP_SCOPES must be space-separated scopes including offline_access" AUTH_MODE=abp ABP_SCOPES=openid

step "the test identity provider (npm oidc-provider): smoke test"
run node tests/oidc-provider/smoke.mjs

step "end-to-end tests (real server, real app, headless Chromium)"
run cargo test -p silent-refresh --features e2e --test e2e -- --test-threads=1

step "summary"
grep -E "^test result:|^smoke:|Running " "$LOG" | sed -E 's/^ +//'
