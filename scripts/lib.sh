# Shared by the scripts: the repository root, and a PATH that finds the
# tools install-tools.sh puts in place (all in cargo's bin, which rustup
# puts on a user's PATH too).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$ROOT"

# Prints a step heading.
step() { printf '\n==> %s\n' "$*"; }

# The nightly that builds the release app with a size-optimised standard
# library (scripts/install-tools.sh adds its rust-src and wasm target).
NIGHTLY=nightly

# Where release_build leaves cargo's output.
release_target_dir() {
  case "${RELEASE_STD:-size}" in
    stable) echo "$ROOT/target" ;;
    *) echo "$ROOT/target/size-std" ;;
  esac
}

# with_release_std CMD...: runs CMD with the environment of a release
# build. With RELEASE_STD=size (the default): on $NIGHTLY, the standard
# library rebuilt for size, panics turned into traps and Leptos' view types
# erased (`erase_components`), in a target folder of its own. With
# RELEASE_STD=stable: on stable Rust with its prebuilt standard library.
# APP_RUSTFLAGS are added to the RUSTFLAGS either way (on stable, to the
# caller's own).
with_release_std() {
  case "${RELEASE_STD:-size}" in
    size)
      RUSTUP_TOOLCHAIN=$NIGHTLY CARGO_TARGET_DIR="$(release_target_dir)" \
        RUSTFLAGS="--cfg erase_components${APP_RUSTFLAGS:+ $APP_RUSTFLAGS}" \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
        CARGO_UNSTABLE_PANIC_IMMEDIATE_ABORT=true \
        CARGO_PROFILE_RELEASE_PANIC=immediate-abort \
        "$@"
      ;;
    stable) RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }${APP_RUSTFLAGS:-}" "$@" ;;
    *)
      echo "RELEASE_STD must be size or stable, not ${RELEASE_STD}" >&2
      return 2
      ;;
  esac
}

# `trunk build --release --offline "$@"` in a release build's environment
# (the app's own hook, scripts/trunk-app.sh, sets it too; the examples'
# builds take it from here).
release_build() { with_release_std trunk build --release --offline "$@"; }
