# Shared by the scripts: the repository root, and a PATH that finds the
# tools install-tools.sh puts in place (cargo's bin, wasm-opt from npm).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$ROOT"

# Prints a step heading.
step() { printf '\n==> %s\n' "$*"; }
