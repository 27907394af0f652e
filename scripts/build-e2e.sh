#!/usr/bin/env bash
# Builds what the end-to-end tests and the benchmark run: the server binary
# and release builds of the app under target/e2e, one per REFRESH_ROLE value
# given (default: on and off).
#   scripts/build-e2e.sh          both
#   scripts/build-e2e.sh on       the benchmark's only
source "$(dirname "$0")/lib.sh"

flags=("$@")
((${#flags[@]})) || flags=(on off)
step "cargo build -p silent-refresh-server"
cargo build -p silent-refresh-server
for flag in "${flags[@]}"; do
  step "trunk build --release (REFRESH_ROLE=$flag) -> target/e2e/role-$flag"
  REFRESH_ROLE=$flag trunk build --release --offline --dist "target/e2e/role-$flag"
done
