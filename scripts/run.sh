#!/usr/bin/env bash
# Builds the app and serves it with the reference API server and its
# embedded SQLite database. Extra arguments go to the server, e.g.
#   scripts/run.sh --addr 127.0.0.1:3000 --access-ttl 15s
# REFRESH_ROLE (default on here) and the other build settings of
# src/config.rs are read from the environment at build time.
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh

export REFRESH_ROLE="${REFRESH_ROLE:-on}"
step "trunk build --release (REFRESH_ROLE=$REFRESH_ROLE)"
release_build
step "cargo build -p silent-refresh-server"
cargo build -p silent-refresh-server
step "starting the server (Ctrl-C stops it)"
exec target/debug/silent-refresh-server --static-dir dist --db data/dev.sqlite "$@"
