#!/usr/bin/env python3
"""The download report of one release build of the app (scripts/size.sh).

Reads a built app's folder and prints, raw, gzip -9 and brotli -11:
- the login page's first download: everything fetched before its form
  works (the page, its CSS, the main JS, the chunk loader, the main wasm);
- the login page plus the dashboard: the first download and the chunks the
  dashboard needs (the one it is in, DASHBOARD_CHUNK, and those that chunk
  shares with others, as the chunk loader lists them);
- the whole app, every chunk counted;
- each chunk.
Exits 1 when a figure is over its budget (gzip -9 bytes); with --ceilings
the three figures are called ceilings (scripts/size.sh). Given only DIR
and NAME (a build with no chunks and no budget, such as an example), prints
the first download alone.

    scripts/size_report.py [--ceilings] DIR NAME [DASHBOARD_CHUNK FIRST_BUDGET DASHBOARD_BUDGET WHOLE_BUDGET]
"""

import functools
import gzip
import pathlib
import re
import subprocess
import sys


@functools.cache
def sizes(path):
    """Raw, gzip -9 and brotli -11 bytes of `path` (each file is counted in
    several figures; brotli -11 is slow)."""
    data = path.read_bytes()
    brotli = subprocess.run(
        ["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True
    ).stdout
    return len(data), len(gzip.compress(data, 9, mtime=0)), len(brotli)


def row(label, figures):
    raw, gz, br = figures
    print(f"  {label:46s} {raw:9d} {gz:9d} {br:9d}")


def total(paths):
    figures = [sizes(path) for path in paths]
    return tuple(sum(column) for column in zip(*figures)) if figures else (0, 0, 0)


def chunks_of(loader, chunk):
    """The wasm files the chunk loader fetches for the chunk named `chunk`:
    its own file and the shared ones it waits for."""
    text = loader.read_text()
    fetch = r'makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)"'
    shared = dict(re.findall(r"const (__chunk_\d+) = " + fetch, text))
    own = re.search(
        r"export const __wasm_split_load_" + chunk + r" = wrapAsyncCb\(" + fetch
        + r".*?, \[([^\]]*)\]\)\);",
        text,
        re.S,
    )
    if not own:
        sys.exit(f"{loader} does not load a chunk named {chunk}")
    deps = [d.strip() for d in own.group(2).split(",") if d.strip()]
    return [own.group(1)] + [shared[d] for d in deps]


def main():
    args = sys.argv[1:]
    limit = "ceiling" if args[:1] == ["--ceilings"] else "budget"
    folder, name, *budgeted = args[1:] if limit == "ceiling" else args
    folder = pathlib.Path(folder)

    page = folder / "index.html"
    html = page.read_text()
    # A release build's page is minified: its attributes may have no quotes.
    linked = re.findall(r'(?:href|from) ?=?\s*["\']?/([^"\'\s>]+\.(?:css|js|wasm))', html)
    linked += re.findall(r"module_or_path: '/([^']+)'", html)
    first = [page] + [folder / f for f in dict.fromkeys(linked)]
    unlinked = [f.name for f in folder.glob("*.css") if f not in first]
    if unlinked:
        sys.exit(f"{page} links no {', '.join(unlinked)}: the first download would miss it")
    loaders = sorted(folder.glob("__wasm_split-*.js"))
    chunks = sorted(
        f for f in folder.glob("*.wasm") if f not in first
    )
    everything = sorted(
        f for f in folder.iterdir() if f.suffix in (".html", ".css", ".js", ".wasm")
    )

    print(f"\n{name} build")
    print(f"  {'':46s} {'raw':>9s} {'gzip-9':>9s} {'brotli-11':>9s}")
    print("  the login page's first download:")
    for f in first:
        row("  " + f.name, sizes(f))
    if not budgeted:
        row("login page, first download", total(first))
        return
    dashboard_chunk, *budgets = budgeted
    first_budget, dashboard_budget, whole_budget = map(int, budgets)
    dashboard = [folder / f for f in chunks_of(loaders[0], dashboard_chunk)] if loaders else []
    checks = [
        ("login page, first download", total(first), first_budget),
        ("login page + dashboard", total(first + dashboard), dashboard_budget),
        ("the whole app", total(everything), whole_budget),
    ]
    print("  the chunks (fetched when a page is first visited):")
    for f in chunks:
        needed = " (dashboard)" if f in dashboard else ""
        row(f"  {f.name}{needed}", sizes(f))
    print(f"  against the {limit}s (gzip -9):")
    over = False
    for label, figures, budget in checks:
        row(label, figures)
        gz = figures[1]
        verdict = "within" if gz <= budget else f"OVER by {gz - budget}"
        print(f"  {'':46s} {verdict} {limit} {budget}")
        over = over or gz > budget
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
