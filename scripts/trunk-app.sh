#!/usr/bin/env bash
# Builds the app's wasm and puts it in the page: Trunk's post-build hook
# (Trunk.toml), so `trunk build` and `trunk serve` build everything. It
# stands in for Trunk's own Rust step, which cannot run the wasm splitter
# between cargo and wasm-bindgen.
#
# A release build (`trunk build --release`) splits the console's pages into
# chunks of their own (src/pages/split.rs), fetched when a page is first
# visited:
#   cargo build --cfg wasm_split, keeping relocations
#   -> wasm-split-cli: the main module, one wasm per chunk, __wasm_split.js
#   -> wasm-bindgen (main module) -> unused classes dropped, short
#   import names -> wasm-opt -Oz (main module and chunks) -> terser (the
#   main module's JavaScript)
# The release build's RELEASE_STD setting is with_release_std's (lib.sh).
# A debug build (`trunk serve`) is cargo and wasm-bindgen only, on stable.
#
# KEEP_NAMES=1 keeps the functions' names in the wasm, for stack traces
# that say where a trap happened.
#
# Every file gets a content hash in its name (the server keeps such files
# for a year), the page gets the start-up script and preload links, and
# every asset a .br and .gz copy (scripts/compress-assets.sh).
source "$(dirname "$0")/lib.sh"
staging=${TRUNK_STAGING_DIR:?run by Trunk: see Trunk.toml}
public="${TRUNK_PUBLIC_URL:-/}"
public="${public%/}/"
profile=${TRUNK_PROFILE:-debug}
name=silent-refresh
target_triple=wasm32-unknown-unknown

cargo_build() {
  local args=(build --offline --target "$target_triple" --bin "$name")
  if [[ $profile == release ]]; then
    APP_RUSTFLAGS="--cfg wasm_split -C link-arg=--emit-relocs" \
      with_release_std cargo "${args[@]}" --release
  else
    cargo "${args[@]}"
  fi
}

# content_hash PATH...: 16 hex digits of the SHA-256 of the files in PATHs.
content_hash() { find "$@" -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16; }

# fail MESSAGE: stops the build, saying why.
fail() {
  echo "scripts/trunk-app.sh: $*" >&2
  exit 1
}

step "cargo build ($profile) of $name"
cargo_build
if [[ $profile == release ]]; then
  built="$(release_target_dir)/$target_triple/release/$name.wasm"
else
  built="${CARGO_TARGET_DIR:-$ROOT/target}/$target_triple/debug/$name.wasm"
fi

work="$ROOT/target/trunk-app/$profile"
rm -rf "$work"
mkdir -p "$work/split" "$work/out"
main="$built"
if [[ $profile == release ]]; then
  step "wasm-split-cli: the pages' chunks"
  wasm-split-cli "$built" "$work/split" --out-name "$name" --target web
  main="$work/split/$name.wasm"
fi
bindgen=(--target=web --no-typescript --out-dir="$work/out" --out-name="$name")
# The chunks call into the main module through exports the linker made.
[[ $profile == release ]] && bindgen+=(--keep-lld-exports)
wasm-bindgen "${bindgen[@]}" "$main"
if [[ $profile == release ]]; then
  # wasm-streams, which Leptos links for server functions this app does
  # not have, exports three classes to JavaScript that nothing makes:
  # dropped with the wasm they call, the first download is 1.5 to 1.8 KB
  # (gzip) smaller.
  step "unused classes dropped: wasm-streams's"
  unused_exports=$(scripts/drop-classes.py "$work/out/$name.js" \
    IntoUnderlyingByteSource IntoUnderlyingSink IntoUnderlyingSource)
  step "short names for the functions the wasm imports from its JavaScript"
  scripts/short-imports.py "$work/out/$name.js" "$work/out/${name}_bg.wasm"
  step "wasm-opt -Oz: the main module and each chunk"
  # wasm-opt reads the splitter's name sections and says it skips a part
  # it does not know: not worth a line per chunk.
  names=()
  [[ ${KEEP_NAMES:-} == 1 ]] && names=(-g)
  wasm-opt() {
    { command wasm-opt "${names[@]}" "$@" 2>&1 >&3 | { grep -v "unknown name subsection" || true; } >&2; } 3>&1
  }
  wasm-opt --remove-exports="$unused_exports" -Oz \
    --output="$work/out/${name}_bg.wasm" "$work/out/${name}_bg.wasm"
  # Every export the JavaScript calls must still be there.
  node - "$work/out/${name}_bg.wasm" "$work/out/$name.js" <<'JS' || fail "the JavaScript calls wasm exports that are gone"
const fs = require("fs");
const [wasm, js] = process.argv.slice(2);
const compiled = new WebAssembly.Module(fs.readFileSync(wasm));
const exported = new Set(WebAssembly.Module.exports(compiled).map((e) => e.name));
const called = new Set([...fs.readFileSync(js, "utf8").matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]));
const missing = [...called].filter((name) => !exported.has(name));
if (missing.length) {
  console.error(`${js} calls ${missing.join(", ")}, not exported by ${wasm}`);
  process.exit(1);
}
JS
  for chunk in "$work/split"/*.wasm; do
    [[ $chunk == "$main" ]] && continue
    base=$(basename "$chunk" .wasm)
    wasm-opt -Oz --output="$work/out/$base.wasm" "$chunk"
    hashed="$base-$(content_hash "$work/out/$base.wasm")"
    mv "$work/out/$base.wasm" "$work/out/$hashed.wasm"
    sed -i "s|\"\\./$base\\.wasm\"|\"./$hashed.wasm\"|" "$work/split/__wasm_split.js"
  done
  cp "$work/split/__wasm_split.js" "$work/out/__wasm_split.js"
  # Every chunk the loader names must be there under that name.
  for wanted in $(grep -o '"\./[A-Za-z0-9_.-]*\.wasm"' "$work/out/__wasm_split.js" | tr -d '"'); do
    [[ -f "$work/out/${wanted#./}" ]] || fail "__wasm_split.js asks for $wanted, which is not built"
  done
fi

if [[ $profile == release ]]; then
  # wasm-bindgen's JavaScript as it writes it is twice the size it needs:
  # minified, the first download is 2.4 KB (gzip) smaller. The chunk
  # loader stays as the splitter writes it (0.4 KB more), readable to
  # scripts/size_report.py, which reads from it which chunks a page needs.
  step "terser: the main module's JavaScript"
  terser "$work/out/$name.js" --module --compress --mangle --output "$work/out/$name.js"
fi

# One hash names the main module, its JS and the chunk loader, which name
# each other.
build_hash=$(content_hash "$work/out")
js="$name-$build_hash.js"
wasm="$name-${build_hash}_bg.wasm"
mv "$work/out/$name.js" "$work/out/$js"
mv "$work/out/${name}_bg.wasm" "$work/out/$wasm"
if [[ -f "$work/out/__wasm_split.js" ]]; then
  loader="__wasm_split-$build_hash.js"
  # Every import of it: minified, they are all on one line.
  sed -i "s|from *'\\./__wasm_split\\.js'|from './$loader'|g; s|from *\"\\./__wasm_split\\.js\"|from \"./$loader\"|g" "$work/out/$js"
  sed -i "s|from \"\\./$name\\.js\"|from \"./$js\"|" "$work/out/__wasm_split.js"
  mv "$work/out/__wasm_split.js" "$work/out/$loader"
  grep -qF "./$loader" "$work/out/$js" || fail "$js does not import the chunk loader"
  if grep -qE "from *[\"']\./__wasm_split\.js[\"']" "$work/out/$js"; then
    fail "$js still imports the chunk loader by its unhashed name"
  fi
  grep -qF "from \"./$js\"" "$work/out/$loader" || fail "$loader does not import $js"
fi
cp -r "$work/out"/. "$staging/"

# The start-up script and the preloads, as Trunk writes them.
python3 - "$staging/index.html" "$public" "$js" "$wasm" "${loader:-}" <<'PY'
import base64, hashlib, pathlib, re, sys
page, public, js, wasm, loader = sys.argv[1:]
staging = pathlib.Path(page).parent
def sri(name):
    digest = hashlib.sha384((staging / name).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()
links = [f'<link rel="modulepreload" href="{public}{js}" crossorigin="anonymous" integrity="{sri(js)}">']
if loader:
    links.append(f'<link rel="modulepreload" href="{public}{loader}" crossorigin="anonymous" integrity="{sri(loader)}">')
links.append(f'<link rel="preload" href="{public}{wasm}" crossorigin="anonymous" integrity="{sri(wasm)}" as="fetch" type="application/wasm">')
script = f"""<script type="module">
import init, * as bindings from '{public}{js}';
const wasm = await init({{ module_or_path: '{public}{wasm}' }});
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {{detail: {{wasm}}}}));
</script>
"""
html = pathlib.Path(page).read_text()
# Trunk leaves the skipped Rust link of index.html in the page (minified
# in a release build: attributes reordered, quotes dropped).
html, found = re.subn(r'\s*<link\b(?=[^>]*\bdata-trunk\b)(?=[^>]*\brel="?rust\b)[^>]*>', "", html)
if found != 1:
    sys.exit(f"{page} has no Rust link of Trunk's to remove")
if "</head>" not in html:
    sys.exit(f"{page} has no </head> to put the app in")
html = html.replace("</head>", script + "".join(links) + "</head>", 1)
pathlib.Path(page).write_text(html)
PY
scripts/compress-assets.sh "$staging"
