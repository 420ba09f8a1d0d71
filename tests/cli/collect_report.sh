#!/usr/bin/env bash
# A real smoke sweep with a diverging arm and a failing arm: `sweep run` keeps going and exits 1, `sweep
# collect` reports every run with its state, and `gftlab report` draws every figure and lists the problems.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
cat > check.yaml <<YAML
name: check
description: Does collect see every state?
base: [$repo/configs/blocks/toy_2d.yaml, $repo/configs/profiles/smoke.yaml]
set: {eval.euler_steps: [1, 4], target.n_eval: 400}  # 400: a second held-out set, so W2's noise floor is written
arms:
  gft: {method.name: gft, method.schedule.beta0: 1}
  standard: {method.name: standard}
  diverging: {method.name: standard, finetune.lr: 1.0e12, finetune.grad_clip: 0}
  broken: {method.name: standard, finetune.steps: 41, output.pretrained_dir: /dev/null/store}
grid: {target.n_train: [64, 128, 256]}
report: {baseline: standard}
seeds: [0, 1]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
if "$gftlab" --threads 1 sweep run check.yaml --profile smoke --jobs 2 > run.log 2>&1; then
  cat run.log; echo "sweep run should exit 1 when runs failed"; exit 1
fi
grep -q "6 run(s) failed" run.log || { cat run.log; exit 1; }
"$gftlab" sweep collect check.yaml --profile smoke | grep -q "12 complete, 6 diverged, 6 failed, 0 pending"
"$gftlab" report check.yaml --profile smoke > report.log 2>&1 || { cat report.log; exit 1; }
"$python" - results/check/smoke <<'PY'
import math, pathlib, sys
import h5py
d = pathlib.Path(sys.argv[1])
with h5py.File(d / "summary.h5") as f:
    t = f["table"]
    arm, status = t["arm"].asstr()[:], t["status"].asstr()[:]
    error, run_file = t["error"].asstr()[:], t["run_file"].asstr()[:]
    assert f.attrs["n_runs"] == 24 and f.attrs["n_failed"] == 6 and f.attrs["n_diverged"] == 6
    # Arms by role (the report block: baseline standard, the annealed gft arm the default treatment), with the
    # settings their blocks declare.
    roles = dict(zip(f["arms/name"].asstr()[:], f["arms/role"].asstr()[:]))
    assert roles == {"gft": "treatment", "standard": "baseline", "diverging": "reference", "broken": "reference"}, roles
    assert list(f["arms/settings"].asstr()[:])[:2] == ["method.name=gft, method.schedule.beta0=1", "method.name=standard"]
    assert [roles[a] for a in arm] == list(t["role"].asstr()[:])
    for i in range(24):
        expected = {"gft": "complete", "standard": "complete", "diverging": "diverged", "broken": "failed"}[arm[i]]
        assert status[i] == expected, (arm[i], status[i])
        w2 = t["final/w2"][i]
        if expected == "complete":
            assert math.isfinite(w2) and run_file[i] and error[i] == ""
            assert f["runs"][t["run_id"].asstr()[i]]["final/w2"][()] == w2  # the external link
            assert math.isnan(t["final/diverged_step"][i]) and t["final/quality_noise_floor"][i] > 0
        else:
            assert math.isnan(w2)
        if expected == "diverged":
            assert math.isfinite(t["final/diverged_step"][i]) and math.isfinite(t["final/quality_noise_floor"][i])
            assert f["runs"][t["run_id"].asstr()[i]].attrs["status"] == "diverged"
        if expected == "failed":
            assert run_file[i] == "" and error[i].startswith("gftlab:"), error[i]
    assert sorted(set(t["param/target.n_train"].asstr()[:])) == ["128", "256", "64"]
figures = ["stability", "diversity_steps", "final_quality", "final_diversity", "paths", "euler_ladder", "stability_summary",
           "by_target_n_train", "cost", "forest"]
for name in figures:
    for ext in ("png", "pdf"):
        p = d / "figures" / f"{name}.{ext}"
        assert p.exists() and p.stat().st_size > 1000, p
report = (d / "figures" / "report.md").read_text()
for name in figures:
    assert f"({name}.png)" in report, name
assert report.count("| **diverged** |") == 6 and report.count("| **failed** |") == 6
assert "*Does collect see every state?*" in report
# Cost: standard fine-tuning evaluates one network and no VJP per step, 40 steps, in each of its 6 runs.
assert "| standard | method.name=standard | 6 | 40 [40, 40] | 0 [0, 0] | " in report, report
# The claims: gft (an annealed gft arm: the default treatment) at each grid point, one primary measure per claim.
assert "| quality | gft | target.n_train=64 | final w2 (non-inferiority, margin ×1.05; noise floor " in report, report
assert "## Secondary comparisons" in report
assert report.startswith("# check (smoke)") and "## Claims" in report
# report.html: one page with every figure inside, the claims and run tables as tables, the provenance, and no
# reference to anything on the network.
import re
page = (d / "figures" / "report.html").read_text()
embedded = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}">', page)
assert len(embedded) == len(figures), (len(embedded), len(figures))
assert not re.search(r'(src|href)="(https?:)?//|<link|@import|url\(|<script src', page, re.I)
claims_part = page[page.index("<h2>Claims</h2>"):page.index("<h2>Runs that are not complete</h2>")]
assert "<table>" in claims_part and "<th>claim</th>" in claims_part, claims_part[:2000]
assert page.count("<strong>diverged</strong>") == 6 and page.count("<strong>failed</strong>") == 6
assert "<h2>Provenance</h2>" in page and "commit: " in page and "BLAS kernel: " in page
assert '<a href="forest.pdf">PDF</a>' in page
import json
doc = json.loads((d / "figures" / "claims.json").read_text())
assert doc["baseline"] == "standard" and {r["arm"] for r in doc["claims"]} == {"gft"}
assert doc["family"]["size"] == 3 * 5 and doc["family"]["analysis"] == "exploratory"  # 2 seeds decide nothing
# The diverging arm (a reference): both seeds enter its comparisons by worst rank, none is lost.
diverging = [c for c in report.splitlines() if c.startswith("| diverging | target.n_train=64 | final w2 |")]
assert diverging and diverging[0].endswith("| 2 | 0 | 2 |  |"), diverging
print("collect and report ok")
PY
