#!/usr/bin/env bash
# The bundle's size report: builds the seed and the oidc release builds and
# prints each file raw, gzip -9 and brotli -11, the totals against the
# budget, and the 15 crates that weigh most in the wasm (twiggy, on cargo's
# wasm before wasm-bindgen and wasm-opt, which still has its names). Exits 1
# when a build is over its budget.
#   scripts/size.sh
source "$(dirname "$0")/lib.sh"
scripts/install-tools.sh
if ! command -v twiggy >/dev/null; then
  step "cargo install twiggy"
  cargo install twiggy --locked
fi

SEED_BUDGET=200000
OIDC_BUDGET=215000
OUT=target/size
over=0

# report NAME BUDGET: the files of $OUT/NAME, then the crates of its wasm.
report() {
  local name=$1 budget=$2 raw=0 gz=0 br=0
  printf '\n%s build (budget %d bytes gzip -9)\n' "$name" "$budget"
  printf '  %-44s %9s %9s %9s\n' file raw gzip-9 brotli-11
  for file in "$OUT/$name"/*.{html,css,js,wasm}; do
    local r g b
    r=$(wc -c <"$file"); g=$(gzip -9 -n -c "$file" | wc -c); b=$(brotli -q 11 -c "$file" | wc -c)
    printf '  %-44s %9d %9d %9d\n' "$(basename "$file")" "$r" "$g" "$b"
    raw=$((raw + r)); gz=$((gz + g)); br=$((br + b))
  done
  printf '  %-44s %9d %9d %9d\n' total "$raw" "$gz" "$br"
  if ((gz <= budget)); then
    echo "  within budget: $gz of $budget bytes gzip -9"
  else
    echo "  OVER budget by $((gz - budget)) bytes gzip -9 ($gz of $budget)"
    over=1
  fi
  echo "  the 15 heaviest crates in the wasm (bytes before wasm-opt, names kept):"
  twiggy top -n 1000000 --format csv "$OUT/$name.named.wasm" | python3 -c '
import csv, re, sys, collections
by_crate = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name = row["Name"]
    if name.startswith("\"function names\""):
        continue
    crate = re.search(r"([A-Za-z_][A-Za-z0-9_]*)::", name)
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

build seed AUTH_MODE=seed
build oidc AUTH_MODE=oidc OIDC_ISSUER=https://id.example.com
report seed "$SEED_BUDGET"
report oidc "$OIDC_BUDGET"
exit "$over"
