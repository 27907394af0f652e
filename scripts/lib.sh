# Shared by the scripts: the repository root, and a PATH that finds the
# tools install-tools.sh puts in place (all in cargo's bin, which rustup
# puts on a user's PATH too).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$ROOT"

# Prints a step heading.
step() { printf '\n==> %s\n' "$*"; }
