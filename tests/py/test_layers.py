#!/usr/bin/env python3
"""The layers of src/ point one way: a file may include its own layer and the layers below it, never one
above. The order is the one docs/layout.md describes."""
import pathlib
import re
import sys
import tempfile

LAYERS = ["core", "ot", "io", "data", "model", "path", "schedule", "sampler", "coupling", "features", "metrics",
          "method", "train", "run", "sweep", "cli"]


def violations(src):
    rank = {name: k for k, name in enumerate(LAYERS)}
    found = []
    for path in sorted(src.glob("*/*")):
        layer = path.parent.name
        if layer not in rank:
            found.append(f"{path}: layer '{layer}' is not in the declared order")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = re.match(r'\s*#\s*include\s+"(\w+)/', line)
            if m and m.group(1) in rank and rank[m.group(1)] > rank[layer]:
                found.append(f"{path}:{number}: {layer} includes the higher layer {m.group(1)}")
    return found


def violations_of_text(layer, text):
    with tempfile.TemporaryDirectory() as d:
        (pathlib.Path(d) / layer).mkdir()
        (pathlib.Path(d) / layer / "x.cpp").write_text(text)
        return violations(pathlib.Path(d))


def main():
    src = pathlib.Path(__file__).resolve().parents[2] / "src"
    found = violations(src)
    # The check itself must be able to fail: a planted upward include is caught.
    assert any("core includes the higher layer cli" in v for v in
               violations_of_text("core", '#include "cli/commands.h"\n')), "the check misses an upward include"
    for v in found:
        print(v)
    print(f"{len(found)} layering violations in {src}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
