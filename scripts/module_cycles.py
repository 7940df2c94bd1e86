#!/usr/bin/env python3
"""The crate's module dependency map: which file under src/ uses which, and any cycle in it.

An arrow A -> B means a path in A (a `use`, or a `crate::`/`super::`/`self::` path in code)
resolves into the module whose file is B. A re-export (`pub use child::X`, a module's face) is
not an arrow, and neither is `mod child;`. Test modules
(`#[cfg(test)] mod tests { .. }`) and `src/bin/` are left out: the rule is for the library.

    python3 scripts/module_cycles.py          # prints every cycle; exit 1 if there is one
    python3 scripts/module_cycles.py --arrows # prints every arrow too
    python3 scripts/module_cycles.py --top    # the same for top-level modules (a folder is one)
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_files():
    """Map module path (tuple of names, () = crate root) -> file path."""
    files = {}
    for root, dirs, names in os.walk(SRC):
        rel = os.path.relpath(root, SRC)
        if rel.startswith("bin"):
            continue
        for name in names:
            if not name.endswith(".rs"):
                continue
            parts = [] if rel == "." else rel.split(os.sep)
            if name in ("lib.rs", "mod.rs"):
                path = tuple(parts)
            else:
                path = tuple(parts + [name[:-3]])
            files[path] = os.path.join(root, name)
    return files


def strip(text):
    """Remove comments, string and char literals, and #[cfg(test)] modules."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r#+".*?"#+', '""', text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text, flags=re.S)
    text = re.sub(r"'(?:\\.|[^'\\])'", "''", text)
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text)
        if not m:
            break
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: m.start()] + text[i:]
    text = re.sub(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*;", "", text)
    return text


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> [[a,b],[a,c,d],[a,c,e]]."""
    tree = re.sub(r"\bas\s+\w+", "", tree)
    toks = re.findall(r"::|[{},*]|\w+", tree)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def one():
        prefix = []
        while True:
            t = peek()
            if t == "{":
                take()
                subs = many()
                take()  # }
                return [prefix + s for s in subs]
            if t is None or t in ",}":
                return [prefix]
            tok = take()
            if tok != "::":
                prefix.append(tok)

    def many():
        out = []
        while peek() not in (None, "}"):
            out.extend(one())
            if peek() == ",":
                take()
        return out

    return [p for p in many() if p]


def resolve(path, here, files):
    """The module file a path's longest module prefix names, or None (an outside crate)."""
    segs = list(path)
    if not segs:
        return None
    if segs[0] == "crate":
        base, segs = (), segs[1:]
    elif segs[0] in ("super", "self"):
        base = here
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    elif here + (segs[0],) in files:
        base = here
    else:
        return None
    best = base if base in files else None
    cur = base
    for seg in segs:
        cur = cur + (seg,)
        if cur in files:
            best = cur
        else:
            break
    return best


def module_of(path_tuple, files):
    """The module a file's own code lives in (a non-mod.rs file is its own module)."""
    return path_tuple


def arrows():
    files = module_files()
    edges = {}
    for mod, fname in files.items():
        text = strip(open(fname, encoding="utf-8").read())
        found = set()
        # A `pub use` hands names on (a module's face); it is not a use of them.
        text = re.sub(r"\bpub(?:\([^)]*\))?\s+use\s+[^;]+;", "", text)
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            for p in expand_use(m.group(1)):
                target = resolve(p, mod, files)
                if target is not None and target != mod:
                    found.add(target)
        for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", text):
            target = resolve(m.group(1).split("::"), mod, files)
            if target is not None and target != mod:
                found.add(target)
        edges[mod] = found
    return files, edges


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

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
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def name(mod):
    return "::".join(mod) or "crate"


def top_level(edges):
    """The same map with every file folded into its top-level module (`db::audit` -> `db`)."""
    out = {}
    for mod, targets in edges.items():
        a = mod[:1]
        out.setdefault(a, set()).update(t[:1] for t in targets if t[:1] != a)
    return out


def main():
    files, edges = arrows()
    if "--top" in sys.argv:
        edges = top_level(edges)
    if "--arrows" in sys.argv:
        for mod in sorted(edges):
            for target in sorted(edges[mod]):
                print(f"{name(mod)} -> {name(target)}")
    found = cycles(edges)
    for comp in found:
        members = set(comp)
        print(f"cycle of {len(comp)} modules:")
        for mod in sorted(comp):
            inner = sorted(name(t) for t in edges[mod] if t in members)
            print(f"  {name(mod)} -> {', '.join(inner)}")
    count = sum(len(t) for t in edges.values())
    print(f"{len(edges)} modules, {count} arrows, {len(found)} cycle(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
