#!/usr/bin/env bash
# The gate before the tests: the module structure (no import cycle, no type
# name defined twice), formatting, clippy with warnings as errors on the host
# and on wasm32, the docs without warnings, the host unit tests of the crates
# and the app, and the library crates as crates.io would take them (packaged,
# built from the package, nothing of the reference server in their tree).
# scripts/test.sh runs it first.
source "$(dirname "$0")/lib.sh"

LIBRARIES=(-p silent-refresh-protocol -p silent-refresh-core -p silent-refresh-web -p silent-refresh-leptos)
WASM_PACKAGES=(-p silent-refresh-contract "${LIBRARIES[@]}" -p silent-refresh)
EXAMPLES=(-p silent-refresh-example-minimal -p silent-refresh-example-bring-your-own-backend -p silent-refresh-example-size-floor)

step "module structure: no import cycle, one name per type"
python3 scripts/check-structure.py

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (host, every target and feature)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo clippy (wasm32)"
cargo clippy --target wasm32-unknown-unknown "${WASM_PACKAGES[@]}" "${EXAMPLES[@]}" --all-targets \
  --features silent-refresh-core/testing -- -D warnings

step "cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet

step "host unit tests and doc tests of the crates and the app"
cargo test "${WASM_PACKAGES[@]}"

step "the library crates hold nothing of the reference server"
for library in silent-refresh-web silent-refresh-leptos; do
  if cargo tree -p "$library" --edges normal,build | grep -E "silent-refresh-(contract|server)"; then
    echo "$library depends on the reference server's crates" >&2
    exit 1
  fi
done

step "cargo publish --dry-run (the library crates, packaged and built as published)"
# Cargo takes a registry crate of one version as never changing, so it would
# link an earlier dry run's build of these crates instead of this one's.
cargo clean "${LIBRARIES[@]}"
cargo publish --dry-run --allow-dirty "${LIBRARIES[@]}"
