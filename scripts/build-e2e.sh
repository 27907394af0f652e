#!/usr/bin/env bash
# Builds what the end-to-end tests and the benchmark run: the server binary
# and two release builds of the app, REFRESH_ROLE on and off, under target/e2e.
source "$(dirname "$0")/lib.sh"

step "cargo build -p silent-refresh-server"
cargo build -p silent-refresh-server
for flag in on off; do
  step "trunk build --release (REFRESH_ROLE=$flag) -> target/e2e/role-$flag"
  REFRESH_ROLE=$flag trunk build --release --offline --dist "target/e2e/role-$flag"
done
