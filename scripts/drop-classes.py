#!/usr/bin/env python3
"""Drops classes a dependency exports to JavaScript that nothing uses.

    scripts/drop-classes.py JS CLASS...

Removes each CLASS from wasm-bindgen's JavaScript JS (the class, its
`Symbol.dispose` line and its FinalizationRegistry) and prints the wasm
exports it called, as wasm-opt's `--remove-exports` wildcards, so that
wasm-opt drops them and the code only they reach. Exits 1, saying why,
when a CLASS is not there as wasm-bindgen writes it, or is still named
after the edit (something else uses it).

Hand-written, not a JavaScript bundler's tree shaking: the start-up script
hands every export of the module to the page (`window.wasmBindings`), so
no bundler may drop one; these classes are only ever made by the wasm
(wasm-bindgen's `__wrap`), and a build where one is still named after
the edit fails.
"""
import pathlib
import re
import sys


def fail(message):
    sys.exit(f"scripts/drop-classes.py: {message}")


def drop(text, name):
    """`text` without class `name`, as wasm-bindgen writes it."""
    parts = [
        # The class: from its line to the first closing brace in column 0.
        rf"export class {name} \{{\n(?:.*\n)*?\}}\n",
        rf"if \(Symbol\.dispose\) {name}\.prototype\[Symbol\.dispose\] = .*\n",
        rf"const {name}Finalization = \(typeof FinalizationRegistry === 'undefined'\)\n(?:.*\n)*?.*\);\n",
    ]
    for part in parts:
        text, found = re.subn(part, "", text, count=1)
        if not found:
            fail(f"{name} is not in the JavaScript as wasm-bindgen writes it ({part!r})")
    if re.search(rf"\b{name}\b", text):
        fail(f"something still uses {name}: it cannot be dropped")
    return text


def main():
    js, *names = sys.argv[1:]
    path = pathlib.Path(js)
    text = path.read_text()
    for name in names:
        text = drop(text, name)
    path.write_text(text)
    lower = [name.lower() for name in names]
    print(",".join(f"{n}_*,__wbg_{n}_free" for n in lower))


if __name__ == "__main__":
    main()
