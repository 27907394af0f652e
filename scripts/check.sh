#!/usr/bin/env bash
# The gate before the tests: the module structure (no import cycle, no type
# name defined twice), formatting, clippy with warnings as errors on the host
# and on wasm32, the docs without warnings, and the host unit tests of the
# crates and the app. scripts/test.sh runs it first.
source "$(dirname "$0")/lib.sh"

WASM_PACKAGES=(-p silent-refresh-contract -p silent-refresh-core -p silent-refresh-web -p silent-refresh)

step "module structure: no import cycle, one name per type"
python3 scripts/check-structure.py

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (host, every target and feature)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo clippy (wasm32)"
cargo clippy --target wasm32-unknown-unknown "${WASM_PACKAGES[@]}" --all-targets \
  --features silent-refresh-core/testing -- -D warnings

step "cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet

step "host unit tests and doc tests of the crates and the app"
cargo test "${WASM_PACKAGES[@]}"
