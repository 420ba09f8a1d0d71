#!/usr/bin/env python3
"""The run file's layout has one owner: src/io/run_layout.h for C++ and analysis/run_layout.py for Python hold
the same names and paths, and no other source spells out a run-file path (a writer and a reader that drift apart
would otherwise fail only when a figure comes out empty)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
# A quoted run-file path, digits and f-string fields included ("eval/w2", f"final/{name}").
PATH = re.compile(r'''["'](?:train|eval|final|quality|stability)/[a-z0-9_/{}]*["']''')


def cpp_layout(text):
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper(): value
            for name, value in re.findall(r'constexpr char k(\w+)\[\] = "([^"]+)";', text)}


def py_layout(text):
    return dict(re.findall(r'^([A-Z_]+) = "([^"]+)"$', text, re.M))


def stray_paths(path, text):
    """Run-file paths spelled out in a source other than the two layout files (comments and includes aside)."""
    found = []
    comment = "//" if path.suffix in (".cpp", ".h") else "#"  # Python and shell
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("#include") and PATH.search(line.split(comment)[0]):
            found.append(f"{path}:{number}: a run-file path outside the layout: {line.strip()}")
    return found


def main():
    cpp = cpp_layout((ROOT / "src/io/run_layout.h").read_text())
    py = py_layout((ROOT / "analysis/run_layout.py").read_text())
    assert len(cpp) > 20, f"found only {len(cpp)} paths in run_layout.h"
    problems = [f"{name}: C++ {cpp.get(name)!r}, Python {py.get(name)!r}" for name in sorted(set(cpp) | set(py))
                if cpp.get(name) != py.get(name)]
    sources = [p for p in sorted((ROOT / "src").glob("*/*")) if p.name != "run_layout.h"]
    sources += [p for p in sorted((ROOT / "analysis").glob("*.py")) if p.name != "run_layout.py"]
    sources += sorted((ROOT / "bench").glob("*.cpp")) + sorted((ROOT / "bench").glob("*.sh"))
    for p in sources:
        problems += stray_paths(p, p.read_text())
    # The check can fail: a planted path is found, a comment is not, and a drifted value is told apart.
    assert stray_paths(pathlib.Path("x.cpp"), 'log.append("eval/step", v);\n')
    assert not stray_paths(pathlib.Path("x.cpp"), '// such as "train/loss"\n')
    assert stray_paths(pathlib.Path("x.py"), 'steps = run.series("eval/step")\n')
    assert stray_paths(pathlib.Path("x.py"), 'w = run.finals[f"final/{name}"]; v = f["eval/w2"]\n')
    assert cpp_layout('inline constexpr char kEvalStep[] = "eval/step";') != py_layout('EVAL_STEP = "eval/steps"\n')
    for p in problems:
        print(p)
    print(f"{len(cpp)} run-file paths; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
