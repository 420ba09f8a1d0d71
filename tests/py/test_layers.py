#!/usr/bin/env python3
"""The layers of src/ point one way: a file may include its own layer and the layers below it, never one
above. The order is the one docs/layout.md describes.

Each configuration key has one owner, the layer that declares it (<layer>/config_keys.cpp, core's in
core/config_schema.cpp) and parses it into typed settings. Below the edge, a layer reads only its own keys and
core's (the seed and the execution settings every layer may see); the edge (run, sweep, cli) reads any key to
hand components their settings. The owners are KEY_OWNERS, by longest prefix; the check also holds every
declaration to them."""
import pathlib
import re
import sys
import tempfile

LAYERS = ["core", "ot", "io", "data", "model", "path", "schedule", "sampler", "coupling", "features", "metrics",
          "method", "train", "run", "sweep", "cli"]


EDGE = {"run", "sweep", "cli"}
KEY_OWNERS = {  # key prefix -> owning layer; the longest matching prefix wins
    "seed": "core", "threads": "core", "device": "core", "cudnn_benchmark": "core", "tf32": "core",
    "progress": "core",
    "output.": "core", "checkpoint.": "core",
    "source.": "data", "target.": "data",
    "model.": "model", "pretrain.import": "model", "finetune.trainable": "model",
    "path.": "path",
    "method.schedule.": "schedule",
    "eval.sampler.": "sampler",
    "coupling.": "coupling",
    "features.": "features", "eval.features.": "features", "eval.fid.": "features",
    "eval.": "metrics", "stability.": "metrics",
    "method.": "method",
    "pretrain.": "train", "finetune.": "train",
}
READ = re.compile(r'\bget(?:_[a-z_]+)?\(\s*("[a-z0-9_.]*"|[a-z_]+\s*\+\s*"[a-z0-9_.]+"|[a-z_]+\s*\))')
BUILDERS = r'\b(?:make|integer|number|choice|text|list|string_list|array)'
DECLARED = re.compile(BUILDERS + r'\(\s*("[a-z0-9_.]+"|[a-z_]+\s*\+\s*"[a-z0-9_.]+")')


def owner(key):
    best = max((p for p in KEY_OWNERS if key == p or (p.endswith(".") and key.startswith(p))), key=len, default=None)
    return KEY_OWNERS.get(best)


def owned_suffixes(layer):
    return {p for p, who in KEY_OWNERS.items() if who == layer}


def key_violations(path, layer, text):
    """Reads of keys `layer` does not own; declarations outside its prefixes. A read through a prefix variable
    (`p + ".steps"`) or a bare variable is allowed at the edge and in a layer that owns keys (of a family, for a
    prefix)."""
    found = []
    declaring = path.name == "config_keys.cpp" or (layer == "core" and path.name == "config_schema.cpp")
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{number}"
        for m in READ.finditer(line):
            arg = m.group(1)
            if arg.startswith('"'):
                key = arg.strip('"')
                if layer not in EDGE and owner(key) not in (layer, "core"):
                    found.append(f"{where}: {layer} reads '{key}', a key of {owner(key) or 'no layer'}")
            elif layer in EDGE:
                continue
            elif not owned_suffixes(layer):
                found.append(f"{where}: {layer} reads a key through a variable ({arg.rstrip(')').strip()}): name it")
            elif "+" in arg:
                suffix = arg.split('"')[1]
                if not any(k.endswith(".") for k in owned_suffixes(layer)):
                    found.append(f"{where}: {layer} reads '*{suffix}' but owns no key family")
        if declaring:
            for m in DECLARED.finditer(line):
                key = m.group(1).strip('"')
                if not key.startswith(" ") and '"' not in m.group(1)[1:-1] and owner(key) != layer:
                    found.append(f"{where}: {layer} declares '{key}', a key of {owner(key) or 'no layer'}")
    return found


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
        found += key_violations(path, layer, path.read_text())
    return found


def violations_of_text(layer, text, name="x.cpp"):
    with tempfile.TemporaryDirectory() as d:
        (pathlib.Path(d) / layer).mkdir()
        (pathlib.Path(d) / layer / name).write_text(text)
        return violations(pathlib.Path(d))


def unowned_keys(reference):
    """The keys of the generated reference (docs/config.md, kept current by cli.config_reference_current) that
    no layer owns."""
    keys = re.findall(r"^\| `([a-z0-9_.]+)` \|", reference.read_text(), re.M)
    assert len(keys) > 100, f"found only {len(keys)} keys in {reference}"
    return [k for k in keys if owner(k) is None]


def main():
    src = pathlib.Path(__file__).resolve().parents[2] / "src"
    found = violations(src)
    # The check itself must be able to fail: a planted upward include is caught.
    assert any("core includes the higher layer cli" in v for v in
               violations_of_text("core", '#include "cli/commands.h"\n')), "the check misses an upward include"
    # ... and so is a read of another layer's key, below the edge, while the edge may read it.
    planted = 'const double s = cfg.get_float("method.schedule.beta0");\n'
    assert any("sampler reads 'method.schedule.beta0', a key of schedule" in v
               for v in violations_of_text("sampler", planted)), "the check misses a foreign key"
    assert not violations_of_text("schedule", planted) and not violations_of_text("run", planted)
    assert violations_of_text("ot", "cfg.get_int(key);\n"), "the check misses a read hidden in a variable"
    assert violations_of_text("metrics", 'keys.push_back(integer("eval.sampler.steps", 100, "steps"));\n',
                              "config_keys.cpp"), "the check misses a key declared by a layer that does not own it"
    root = pathlib.Path(__file__).resolve().parents[2]
    found += [f"docs/config.md: '{k}' has no owner in KEY_OWNERS" for k in unowned_keys(root / "docs" / "config.md")]
    for v in found:
        print(v)
    print(f"{len(found)} layering violations in {src}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
