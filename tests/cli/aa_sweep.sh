#!/usr/bin/env bash
# The A/A sweep: gft at beta0 = 0 is standard fine-tuning exactly, so paired by seed every per-run value of the
# report (finals, the function probe, the quality series) is identical, and every claim's effect is exactly 0.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
cat > aa.yaml <<YAML
name: aa
base: [$repo/configs/blocks/toy_2d.yaml, $repo/configs/profiles/smoke.yaml]
set: {eval.dense_every: 5, eval.dense_until: 20, target.n_eval: 400}
arms:
  gft: {method.name: gft, method.schedule.kind: cosine, method.schedule.beta0: 0}
  standard: {method.name: standard}
report: {baseline: standard}
seeds: 3
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
"$gftlab" --threads 1 sweep run aa.yaml --profile smoke --jobs 2 > run.log 2>&1 || { cat run.log; exit 1; }
"$gftlab" report aa.yaml --profile smoke > report.log 2>&1 || { cat report.log; exit 1; }
"$python" - results/aa/smoke <<'PY'
import json, math, pathlib, sys
import h5py
import numpy as np
d = pathlib.Path(sys.argv[1])
with h5py.File(d / "summary.h5") as f:
    t = f["table"]
    arm, seed = t["arm"].asstr()[:], t["seed"][:]
    ids = t["run_id"].asstr()[:]
    for s in range(3):
        a = int(np.flatnonzero((arm == "gft") & (seed == s))[0])
        b = int(np.flatnonzero((arm == "standard") & (seed == s))[0])
        for name in t["final"]:
            if name == "wall_seconds":
                continue
            x, y = t["final"][name][a], t["final"][name][b]
            assert x == y or (math.isnan(x) and math.isnan(y)), (name, s, x, y)
        for series in ("stability/probe_output", "quality/value", "eval/w2", "train/fm_loss"):
            assert np.array_equal(f["runs"][ids[a]][series][:], f["runs"][ids[b]][series][:]), (series, s)
doc = json.loads((d / "figures" / "claims.json").read_text())
assert {r["claim"] for r in doc["claims"]} == {"stability", "paths", "quality", "diversity", "speed"}, doc["claims"]
for r in doc["claims"]:
    if r["verdict"] == "not measurable":  # speed at smoke scale, with its reason
        assert r["note"], r
        continue
    assert r["n_pairs"] == 3 and r["seeds_lost"] == 0, r
    assert r["effect"] == 0.0 and r["verdict"] == "inconclusive", r
print("A/A ok")
PY
