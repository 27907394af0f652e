#!/usr/bin/env python3
"""Gives the functions the wasm imports from its JavaScript short names.

    scripts/short-imports.py JS WASM

wasm-bindgen names each import from its JavaScript JS (module
`./NAME_bg.js`) with a hash, `__wbg_new_cd4348290afae586`, and writes the
name twice: in WASM's import section and as a key of JS's import object.
Two hundred such names, hashes do not compress, cost the first download
about 4 KB (gzip). This renames them `a`, `b`, ... `ba`, ... in both
places, and the module `a`; other imports (the chunk loader's) keep their
names. Exits 1, saying why, when a name is not a key of the import object
exactly once.

Hand-written: binaryen's --minify-imports renames only `env` imports, and
its variant that renames every module renames the exports too, which the
chunk loader and the start-up script call by name.
"""
import pathlib
import re
import string
import sys

ALPHABET = string.ascii_lowercase + string.ascii_uppercase
# The renamed imports' module, in the wasm and as the import object's key.
SHORT_MODULE = "a"


def fail(message):
    sys.exit(f"scripts/short-imports.py: {message}")


def short_names():
    """a, b, ..., Z, ba, bb, ...: the digits of a count in ALPHABET."""
    count = 0
    while True:
        name, n = "", count
        while True:
            name = ALPHABET[n % len(ALPHABET)] + name
            n //= len(ALPHABET)
            if n == 0:
                break
        count += 1
        yield name


def leb(data, pos):
    """The unsigned LEB128 at `pos`, and the position after it."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def to_leb(value):
    """`value` as unsigned LEB128."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def name_at(data, pos):
    length, pos = leb(data, pos)
    return data[pos : pos + length].decode(), pos + length


def encoded(name):
    raw = name.encode()
    return to_leb(len(raw)) + raw


def import_descriptor_end(data, pos):
    """The position after an import's descriptor (kind byte at `pos`)."""
    kind = data[pos]
    pos += 1
    if kind in (0x00, 0x04):  # a function or a tag: a type index
        if kind == 0x04:
            pos += 1  # the tag's attribute
        return leb(data, pos)[1]
    if kind == 0x01:  # a table: its element type, then limits
        pos += 1
    elif kind == 0x03:  # a global: its value type and mutability
        return pos + 2
    flags, pos = leb(data, pos)  # limits
    pos = leb(data, pos)[1]
    return leb(data, pos)[1] if flags & 1 else pos


def rename_imports(wasm, module):
    """`wasm` with `module`'s imports renamed; the mapping old -> new."""
    pos, out, mapping, names = 8, bytearray(wasm[:8]), {}, short_names()
    while pos < len(wasm):
        section = wasm[pos]
        size, body_start = leb(wasm, pos + 1)
        body_end = body_start + size
        if section != 2:
            out += wasm[pos:body_end]
            pos = body_end
            continue
        count, p = leb(wasm, body_start)
        body = bytearray(to_leb(count))
        for _ in range(count):
            mod, p = name_at(wasm, p)
            field, p = name_at(wasm, p)
            end = import_descriptor_end(wasm, p)
            if mod == module:
                mapping[field] = mapping.get(field) or next(names)
                body += encoded(SHORT_MODULE) + encoded(mapping[field])
            else:
                body += encoded(mod) + encoded(field)
            body += wasm[p:end]
            p = end
        out += bytes([2]) + to_leb(len(body)) + body
        pos = body_end
    return bytes(out), mapping


def rename_keys(js, module, mapping):
    """`js` with the import object's keys renamed as `mapping` says."""
    for old, new in mapping.items():
        js, found = re.subn(rf"^(\s*){re.escape(old)}:", rf"\g<1>{new}:", js, flags=re.M)
        if found != 1:
            fail(f"{old} is a key of the import object {found} times, not once")
    js, found = re.subn(rf'^(\s*)"{re.escape(module)}": import0,', rf'\g<1>"{SHORT_MODULE}": import0,', js, flags=re.M)
    if found != 1:
        fail(f'the import object has no "{module}"')
    return js


def main():
    js_path, wasm_path = map(pathlib.Path, sys.argv[1:])
    module = f"./{js_path.stem}_bg.js"
    wasm, mapping = rename_imports(wasm_path.read_bytes(), module)
    if not mapping:
        fail(f"{wasm_path} imports nothing from {module}")
    js_path.write_text(rename_keys(js_path.read_text(), module, mapping))
    wasm_path.write_bytes(wasm)


if __name__ == "__main__":
    main()
