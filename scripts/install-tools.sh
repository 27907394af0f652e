#!/usr/bin/env bash
# Installs what is missing to build the app (and, with --test, to test it).
# Idempotent, and quick when everything is already there. Nothing here makes
# Trunk download anything: it runs offline with the tools installed below.
#
#   scripts/install-tools.sh          wasm target, trunk, wasm-bindgen, wasm-opt, terser, brotli
#   scripts/install-tools.sh --test   the same, plus Chromium, ChromeDriver, the
#                                     CJK fonts, and the npm packages of the test
#                                     identity provider and of the a11y checks
source "$(dirname "$0")/lib.sh"

TRUNK_VERSION=0.21.14
# Where the npm-installed tools live, outside any checkout.
TOOLS_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/silent-refresh-tools"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"   # 0.22 needs a newer rustc than this machine has
# wasm-bindgen's CLI must match the library exactly: read it from the lock file.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[[ -n "$WASM_BINDGEN_VERSION" ]] || { echo "wasm-bindgen is not in Cargo.lock" >&2; exit 1; }

WASM_SPLIT_VERSION=0.2.4

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
# Each check reads a command's whole output before grep looks at it: in
# `cmd | grep -q`, grep quits at the first match, cmd may then die of
# SIGPIPE, and under pipefail the check fails although the text was there.
has_version() {
  command -v "$1" >/dev/null || return 1
  local printed
  printed=$("$1" --version 2>/dev/null) || return 1
  grep -qF "$2" <<<"$printed"
}

if ! grep -qx wasm32-unknown-unknown <<<"$(rustup target list --installed)"; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The release app's size-optimised standard library (release_build in
# lib.sh; RELEASE_STD=stable does without): the nightly's std sources and
# wasm target, and the crates std depends on, fetched so that builds run
# offline.
if [[ "${RELEASE_STD:-size}" == size ]]; then
  if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
    step "rustup toolchain install $NIGHTLY"
    rustup toolchain install "$NIGHTLY" --profile minimal
  fi
  if ! grep -qx rust-src <<<"$(rustup component list --installed --toolchain "$NIGHTLY" | sed 's/-x86_64.*//; s/ .*//')"; then
    step "rustup component add rust-src --toolchain $NIGHTLY"
    rustup component add rust-src --toolchain "$NIGHTLY"
  fi
  if ! grep -qx wasm32-unknown-unknown <<<"$(rustup target list --installed --toolchain "$NIGHTLY")"; then
    step "rustup target add wasm32-unknown-unknown --toolchain $NIGHTLY"
    rustup target add wasm32-unknown-unknown --toolchain "$NIGHTLY"
  fi
  STD_MANIFEST="$(rustup run "$NIGHTLY" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
  if ! rustup run "$NIGHTLY" cargo fetch --offline --manifest-path "$STD_MANIFEST" >/dev/null 2>&1; then
    step "cargo fetch (the crates of $NIGHTLY's standard library)"
    rustup run "$NIGHTLY" cargo fetch --manifest-path "$STD_MANIFEST"
  fi
fi

# Tools we only run are built for a short wait, not for the last percent of
# speed: without Trunk's own release profile (fat LTO, one codegen unit) and
# without the features an offline build never uses (Trunk's update check and
# TLS for downloading tools; wasm-bindgen's TLS for downloading a driver).
# Trunk mostly waits for cargo, so it is optimised lightly too; wasm-bindgen
# rewrites every test binary, so it keeps full optimisation.
# docs/performance.md has the figures.
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --no-default-features "$@"
}

if ! has_version trunk "trunk $TRUNK_VERSION"; then
  step "cargo install trunk $TRUNK_VERSION"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 quick_install trunk --version "$TRUNK_VERSION" --locked
fi

if ! has_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: that lock file asks for a crate version the registry lacks.
  quick_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# The release build's splitter (scripts/trunk-app.sh): it cuts cargo's wasm
# into the main module and one chunk per page. The version that reads the
# split points of the wasm_split_helpers in Cargo.lock.
# It prints no version: cargo's list of installed crates says which it is.
if ! command -v wasm-split-cli >/dev/null \
    || ! grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:" <<<"$(cargo install --list)"; then
  step "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION"
  quick_install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked \
    --features build-binary --force
fi

# The build writes brotli copies of its assets (scripts/compress-assets.sh).
if ! command -v brotli >/dev/null; then
  step "apt-get install brotli"
  apt_install brotli
fi

if ! command -v npm >/dev/null; then
  step "apt-get install nodejs npm"
  apt_install nodejs npm
fi
if ! has_version wasm-opt "version 132" || ! has_version terser "terser 5.46.0"; then
  # binaryen 132 from npm; Debian's binaryen is too old and silently breaks
  # wasm-bindgen's output (a blank page). terser minifies wasm-bindgen's
  # JavaScript (scripts/trunk-app.sh). Installed outside the checkout and
  # linked beside cargo's tools, so `trunk build` finds them in any shell.
  step "npm ci (wasm-opt from binaryen, terser) in $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  cp package.json package-lock.json "$TOOLS_DIR/"
  npm ci --prefix "$TOOLS_DIR" --no-audit --no-fund
  ln -sf "$TOOLS_DIR/node_modules/binaryen/bin/wasm-opt" "$CARGO_BIN/wasm-opt"
  ln -sf "$TOOLS_DIR/node_modules/terser/bin/terser" "$CARGO_BIN/terser"
fi

if [[ "${1:-}" == "--test" ]]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step "apt-get install chromium chromium-driver"
    apt_install chromium chromium-driver
  fi
  # The BFF's shared sessions (the server's tests and the end-to-end
  # tests start their own redis-server) and the load balancer in front of
  # two BFF instances. Installing starts no service here: the tests start
  # their own on free ports.
  if ! PATH="$PATH:/usr/sbin" command -v redis-server >/dev/null \
      || ! PATH="$PATH:/usr/sbin" command -v nginx >/dev/null; then
    step "apt-get install redis-server nginx"
    apt_install redis-server nginx
  fi
  # Chinese text in the screenshots the end-to-end tests save, as text
  # rather than boxes.
  if ! grep -qi "Noto Sans CJK" <<<"$(fc-list 2>/dev/null || true)"; then
    step "apt-get install fonts-noto-cjk"
    apt_install fonts-noto-cjk fontconfig
  fi
  # npm packages of the tests, each from its committed lock, and only when
  # the lock changed since the last install: oidc-provider for the OIDC
  # tests, axe-core for the accessibility checks.
  for dir in tests/oidc-provider tests/a11y; do
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock" 2>/dev/null; then
      step "npm ci in $dir"
      npm ci --prefix "$dir" --no-audit --no-fund
      cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock"
    fi
  done
fi
