#!/usr/bin/env bash
# Writes a brotli (quality 11) and a gzip (-9) copy next to every asset of a
# built app, for the server to send as they are (no compression per request).
# Trunk runs it after each build (Trunk.toml) on its staging directory.
#   scripts/compress-assets.sh [DIR]     default: $TRUNK_STAGING_DIR
set -euo pipefail
dir=${1:-${TRUNK_STAGING_DIR:?give the directory of a built app}}
command -v brotli >/dev/null || { echo "brotli is missing: run scripts/install-tools.sh" >&2; exit 1; }
find "$dir" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) |
  while read -r file; do
    gzip -9 -n -k -f "$file"
    brotli -q 11 -k -f "$file"
  done
