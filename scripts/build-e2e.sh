#!/usr/bin/env bash
# Builds what the end-to-end tests and the benchmark run: the server binary
# and release builds of the app under target/e2e, one per REFRESH_ROLE value
# given (default: on and off, and then the oidc, abp and bff builds and the
# minimal, size-floor and bring-your-own-backend examples too).
#   scripts/build-e2e.sh          all nine
#   scripts/build-e2e.sh on       the benchmark's only
source "$(dirname "$0")/lib.sh"

flags=("$@")
with_example=$(( ${#flags[@]} == 0 ))
((${#flags[@]})) || flags=(on off)
step "cargo build -p silent-refresh-server"
cargo build -p silent-refresh-server
for flag in "${flags[@]}"; do
  step "trunk build --release (REFRESH_ROLE=$flag) -> target/e2e/role-$flag"
  REFRESH_ROLE=$flag release_build --dist "target/e2e/role-$flag"
done
if ((with_example)); then
  # The issuer's port is fixed: the app learns it at build time
  # (PROVIDER_PORT in tests/e2e/harness.rs).
  step "trunk build --release (AUTH_MODE=oidc) -> target/e2e/oidc"
  AUTH_MODE=oidc OIDC_ISSUER=http://127.0.0.1:9417 REFRESH_ROLE=on \
    release_build --dist "target/e2e/oidc"
  step "trunk build --release (AUTH_MODE=abp) -> target/e2e/abp"
  AUTH_MODE=abp REFRESH_ROLE=on release_build --dist "target/e2e/abp"
  step "trunk build --release (AUTH_MODE=bff) -> target/e2e/bff"
  AUTH_MODE=bff REFRESH_ROLE=on release_build --dist "target/e2e/bff"
  step "trunk build --release examples/minimal -> target/e2e/minimal"
  (cd examples/minimal && release_build --dist "$ROOT/target/e2e/minimal")
  step "trunk build --release examples/size-floor -> target/e2e/size-floor"
  (cd examples/size-floor && release_build --dist "$ROOT/target/e2e/size-floor")
  step "trunk build --release examples/bring-your-own-backend -> target/e2e/own-backend"
  (cd examples/bring-your-own-backend && release_build --dist "$ROOT/target/e2e/own-backend")
fi
