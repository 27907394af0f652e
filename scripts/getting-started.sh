#!/usr/bin/env bash
# Follows docs/getting-started.md step by step in a fresh project outside
# the repository, so the page cannot rot: its shell blocks run in order (all
# but the one that serves the app, which examples/minimal's end-to-end test
# does), its file blocks are written where they say, and the app it builds
# must be examples/minimal's. One thing differs from a reader's run: the
# session layer comes from this checkout (`--path`), not from crates.io.
#   scripts/getting-started.sh [DIR]   DIR: where to put the project (a
#                                      fresh temporary directory if none)
source "$(dirname "$0")/lib.sh"

WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
# The project's own target directory would build everything again on each
# run; this one is kept between runs (and never part of a package).
export CARGO_TARGET_DIR="$ROOT/target/getting-started"

step "docs/getting-started.md, followed in $WORK"
python3 - "$ROOT" "$WORK/steps.sh" <<'PY'
import re, shlex, sys
root, out = sys.argv[1], sys.argv[2]
doc = open(f"{root}/docs/getting-started.md").read()
blocks = re.findall(r"^```([^\n]*)\n(.*?)^```$", doc, re.S | re.M)
lines = ["set -euxo pipefail"]
main_rs = None
for info, body in blocks:
    words = info.split()
    lang = words[0] if words else ""
    file = next((w[5:] for w in words if w.startswith("file=")), None)
    if file:
        if file == "src/main.rs":
            main_rs = body
        lines.append(f"mkdir -p \"$(dirname {shlex.quote(file)})\"")
        lines.append(f"cat > {shlex.quote(file)} <<'GETTING_STARTED_EOF'\n{body}GETTING_STARTED_EOF")
    elif lang == "sh" and "serve" not in words:
        body = re.sub(r"^(cargo add (--dev )?silent-refresh-leptos\b.*)$",
                      lambda m: m.group(1) + f" --path {shlex.quote(root)}/crates/session-leptos",
                      body, flags=re.M)
        lines.append(body)
example = open(f"{root}/examples/minimal/src/main.rs").read()
if main_rs != example:
    sys.exit("docs/getting-started.md: src/main.rs is not examples/minimal/src/main.rs")
open(out, "w").write("\n".join(lines) + "\n")
PY
cd "$WORK"
rm -rf my-admin
bash steps.sh
step "the project the page built"
ls my-admin/dist
echo "getting started: ok (built and tested in $WORK/my-admin)"
