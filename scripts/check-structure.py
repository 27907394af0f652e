#!/usr/bin/env python3
"""Checks two rules of the code map (ARCHITECTURE.md) that the compiler does not:

1. No import cycle between the modules of any crate of the workspace. For a
   reference from module A to module B (a `use` or a path such as
   `crate::x::y`), the edge counts between the two siblings under their
   nearest common ancestor; a parent and its descendants may use each other
   freely (a child uses its parent's items, a parent mounts its children).
   Test-only modules (`#[cfg(test)]`) are left out: tests sit above all.
2. One name per idea: no two public or crate-level types (struct, enum,
   trait, type alias) of the workspace share a name, tests aside.

Prints each violation with a file and line that shows it, and exits 1 if
there is any. Written here rather than taken from `cargo modules` because
that tool builds rust-analyzer (minutes on two cores) for one graph walk.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (crate name, root file) of every crate; the roots of their module trees.
CRATES = [
    ("silent-refresh", "src/lib.rs"),
    ("silent-refresh-server", "server/src/lib.rs"),
    ("silent-refresh-contract", "crates/contract/src/lib.rs"),
    ("silent-refresh-protocol", "crates/protocol/src/lib.rs"),
    ("silent-refresh-core", "crates/session-core/src/lib.rs"),
    ("silent-refresh-web", "crates/session-web/src/lib.rs"),
    ("silent-refresh-leptos", "crates/session-leptos/src/lib.rs"),
    ("minimal", "examples/minimal/src/main.rs"),
    ("bring-your-own-backend", "examples/bring-your-own-backend/src/main.rs"),
    ("size-floor", "examples/size-floor/src/main.rs"),
]

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"

# Names defined twice for one and the same idea, on the two sides of a wire
# or a file (rule 2 is about one name for different ideas), with the reason.
SAME_IDEA = {
    "DemoAccount": "a demo account: the server seeds it, the app lists it from app-config.json",
}


def strip_comments_and_strings(text):
    """`text` with comments, string and char literals blanked out to spaces
    (same length, newlines kept, so offsets and line numbers stay)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c in "rb" and re.match(r'b?r#*"', text[i:i + 20]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'b?r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            blank(i, j)
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
        elif c == "'":
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                blank(i, i + len(m.group(0)))
                i += len(m.group(0))
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


class Module:
    def __init__(self, path, file, test_only):
        self.path = path  # tuple of segments below the crate root
        self.file = file
        self.test_only = test_only
        self.children = {}
        self.refs = []  # (absolute path tuple, line)
        self.types = []  # (name, line)


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (as segment lists)."""
    tree = re.sub(r"\s+as\s+" + IDENT, "", tree)
    tree = re.sub(r"\s+", "", tree)
    results = []

    def walk(prefix, text):
        depth, parts, start = 0, [], 0
        for k, ch in enumerate(text):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(text[start:k])
                start = k + 1
        parts.append(text[start:])
        for part in parts:
            if not part:
                continue
            if "{" in part:
                head, rest = part.split("{", 1)
                rest = rest[: rest.rfind("}")]
                head = [s for s in head.split("::") if s]
                walk(prefix + head, rest)
            else:
                segs = [s for s in part.split("::") if s]
                if segs and segs[-1] == "self":
                    segs = segs[:-1]
                results.append(prefix + segs)

    walk([], tree)
    return results


def parse_module(crate_dir, module, text, modules_out):
    """Reads `text` (the body of `module`) for child modules, references and
    type definitions; inline modules become children."""
    clean = strip_comments_and_strings(text)
    line_of = lambda pos: clean.count("\n", 0, pos) + 1
    # Inline and file modules, with their attributes.
    pos = 0
    inline_spans = []
    for m in re.finditer(r"((?:#\[[^\]]*\]\s*)*)(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])", clean):
        if any(a <= m.start() < b for a, b in inline_spans):
            continue
        attrs, name, kind = m.group(1), m.group(2), m.group(3)
        test_only = module.test_only or bool(re.search(r"#\[cfg\(test\)\]", attrs))
        child_path = module.path + (name,)
        if kind == ";":
            file = child_file(crate_dir, module, name)
            child = Module(child_path, file, test_only)
            module.children[name] = child
            modules_out.append(child)
            if file and file.exists():
                parse_module(crate_dir, child, file.read_text(), modules_out)
        else:
            depth, j = 1, m.end()
            while j < len(clean) and depth:
                depth += {"{": 1, "}": -1}.get(clean[j], 0)
                j += 1
            inline_spans.append((m.start(), j))
            child = Module(child_path, module.file, test_only)
            child.inline_offset = line_of(m.end()) - 1
            module.children[name] = child
            modules_out.append(child)
            parse_module(crate_dir, child, text[m.end() : j - 1], modules_out)
    # Text outside inline modules.
    own = list(clean)
    for a, b in inline_spans:
        for k in range(a, b):
            if own[k] != "\n":
                own[k] = " "
    own = "".join(own)
    offset = getattr(module, "inline_offset", 0)
    for m in re.finditer(r"\buse\s+([^;]+);", own):
        for segs in expand_use_tree(m.group(1)):
            module.refs.append((segs, line_of(m.start()) + offset))
    for m in re.finditer(r"(?<![A-Za-z0-9_:])((?:crate|super|self)(?:::" + IDENT + r")+)", own):
        module.refs.append((m.group(1).split("::"), line_of(m.start()) + offset))
    for m in re.finditer(r"\bpub(?:\((?:crate|super)\))?\s+(?:struct|enum|trait|type)\s+(" + IDENT + ")", own):
        module.types.append((m.group(1), line_of(m.start()) + offset))


def child_file(crate_dir, module, name):
    """Where `mod name;` of `module` lives."""
    if module.file is None:
        return None
    base = module.file
    if base.name in ("lib.rs", "main.rs", "mod.rs") and not module.path:
        folder = base.parent
    elif base.name == "mod.rs":
        folder = base.parent
    else:
        folder = base.parent / base.stem
    for candidate in (folder / f"{name}.rs", folder / name / "mod.rs"):
        if candidate.exists():
            return candidate
    return None


def resolve(module, segs, modules_by_path):
    """The absolute path a reference names, or None when it leaves the crate."""
    if not segs:
        return None
    if segs[0] == "crate":
        path = []
        rest = segs[1:]
    elif segs[0] in ("super", "self"):
        path = list(module.path)
        rest = segs
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                path = path[:-1]
            rest = rest[1:]
    elif segs[0] in module.children:
        path = list(module.path)
        rest = segs
    else:
        return None
    full = tuple(path) + tuple(rest)
    # The longest prefix that is a module.
    for k in range(len(full), -1, -1):
        if full[:k] in modules_by_path:
            return full[:k]
    return ()


def cycles(edges):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    nodes = set(edges) | {t for ts in edges.values() for t in ts}

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    failures = 0
    types = defaultdict(list)
    for crate, root in CRATES:
        root_file = ROOT / root
        if not root_file.exists():
            continue
        top = Module((), root_file, False)
        modules = [top]
        parse_module(root_file.parent, top, root_file.read_text(), modules)
        by_path = {m.path: m for m in modules}
        edges = defaultdict(set)
        witness = {}
        for m in modules:
            if m.test_only:
                continue
            for name, line in m.types:
                types[name].append(f"{crate}: {m.file.relative_to(ROOT)}:{line}")
            for segs, line in m.refs:
                target = resolve(m, segs, by_path)
                if target is None or by_path.get(target) is None or by_path[target].test_only:
                    continue
                src = m.path
                common = 0
                while common < min(len(src), len(target)) and src[common] == target[common]:
                    common += 1
                if common == len(src) or common == len(target):
                    continue  # an ancestor and its descendant
                a, b = src[: common + 1], target[: common + 1]
                edges[a].add(b)
                witness.setdefault((a, b), f"{m.file.relative_to(ROOT)}:{line} ({'::'.join(segs)})")
        for comp in cycles(edges):
            failures += 1
            names = ", ".join("::".join(p) for p in comp)
            print(f"import cycle in {crate} between {names}:")
            members = set(comp)
            for a in comp:
                for b in sorted(edges[a]):
                    if b in members:
                        print(f"  {'::'.join(a)} -> {'::'.join(b)}: {witness[(a, b)]}")
    for name, places in sorted(types.items()):
        if len(places) > 1 and name not in SAME_IDEA:
            failures += 1
            print(f"the type name {name} is defined {len(places)} times:")
            for place in places:
                print(f"  {place}")
    if failures:
        print(f"check-structure: {failures} problem(s)")
        return 1
    print("check-structure: no import cycle, no type name defined twice")
    return 0


if __name__ == "__main__":
    sys.exit(main())
