#!/usr/bin/env bash
# The bundle's size report: builds the seed (REFRESH_ROLE=on), oidc, abp and
# bff release builds and prints, per build, raw, gzip -9 and brotli -11: the
# login page's first download, the download up to the dashboard after
# signing in, the whole app and each chunk, against the budgets
# (scripts/size_report.py); then the 15 crates that weigh most in the seed
# wasm (twiggy, on cargo's wasm before splitting, wasm-bindgen and
# wasm-opt, which still has its names). Exits 1 when a build is over a
# budget.
#   scripts/size.sh
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh
if ! command -v twiggy >/dev/null; then
  step "cargo install twiggy"
  cargo install twiggy --locked
fi

# gzip -9 bytes: the login page's first download, the login page and the
# dashboard, the whole app. The identity-provider builds may take 8 KB more.
SEED_BUDGETS=(150000 200000 280000)
PROVIDER_BUDGETS=(158000 208000 288000)
# The chunk the dashboard is in (src/pages/split.rs).
DASHBOARD_CHUNK=console
OUT=target/size
over=0

# crates: the 15 crates that weigh most in $OUT/seed.named.wasm.
crates() {
  echo
  echo "the 15 heaviest crates in the seed wasm (bytes before wasm-opt, names kept):"
  twiggy top -n 1000000 --format csv "$OUT/seed.named.wasm" | python3 -c '
import csv, re, sys, collections
by_crate = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name = row["Name"]
    # Names, relocations and wasm-bindgen'"'"'s descriptions: gone after the build.
    if name.startswith(("\"function names\"", "custom section", "export \"__wbindgen_describe", "__wbindgen_describe")):
        continue
    # The nightly'"'"'s names carry a crate hash: `leptos[1f2e…]::…`.
    crate = re.search(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    by_crate[crate.group(1) if crate else name.split(":")[0][:28]] += int(row["ShallowSize"])
for crate, size in by_crate.most_common(15):
    print(f"    {crate:28s} {size:9d}")'
}

# build NAME ENV...: a release build into $OUT/NAME, keeping cargo's wasm.
build() {
  local name=$1; shift
  step "trunk build --release ($name) -> $OUT/$name"
  rm -rf "${OUT:?}/$name"
  (export "$@"; release_build --dist "$OUT/$name" >/dev/null)
  cp "$(release_target_dir)/wasm32-unknown-unknown/release/silent-refresh.wasm" "$OUT/$name.named.wasm"
}

# report NAME BUDGETS...
report() {
  local name=$1; shift
  scripts/size_report.py "$OUT/$name" "$name" "$DASHBOARD_CHUNK" "$@" || over=1
}

build seed AUTH_MODE=seed REFRESH_ROLE=on
build oidc AUTH_MODE=oidc OIDC_ISSUER=https://id.example.com REFRESH_ROLE=on
build abp AUTH_MODE=abp REFRESH_ROLE=on
build bff AUTH_MODE=bff REFRESH_ROLE=on
report seed "${SEED_BUDGETS[@]}"
for name in oidc abp bff; do report "$name" "${PROVIDER_BUDGETS[@]}"; done
crates
exit "$over"
