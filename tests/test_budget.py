#!/usr/bin/python3
"""The suite's time against its budget, printed at the end of `make test`: the ten slowest tests and the whole
run's wall time. Over the budget is a warning, never a failure (a noisy machine must not block a change). The
ctest summary is repeated last, so that it stays the closing line.

usage: test_budget.py CTEST_OUTPUT BUDGET_SECONDS"""
import re
import sys

LINE = re.compile(r"Test\s+#\d+: (.+?) \.+\s*(?:\*\*\*)?(\w+)\s+([\d.]+) sec")


def main(path, budget):
    text = open(path, encoding="utf-8", errors="replace").read()
    tests = sorted(((float(s), name.strip(), state) for name, state, s in LINE.findall(text)), reverse=True)
    total = re.search(r"Total Test time \(real\) =\s*([\d.]+) sec", text)
    summary = [line for line in text.splitlines() if re.match(r"\d+% tests passed", line)]
    print(f"\nThe ten slowest of {len(tests)} tests:")
    for seconds, name, state in tests[:10]:
        print(f"  {seconds:7.1f} s  {name}{'' if state == 'Passed' else f'  ({state})'}")
    if total:
        wall = float(total.group(1))
        verdict = "within" if wall <= budget else "WARNING: over"
        print(f"Suite: {wall:.0f} s of tests on this machine, {verdict} the budget of {budget:.0f} s "
              "(TEST_BUDGET_SECONDS; tests/test_budget.py)")
    for line in summary + ([total.group(0)] if total else []):
        print(line)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], float(sys.argv[2]))
