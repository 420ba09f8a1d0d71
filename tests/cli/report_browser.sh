#!/usr/bin/env bash
# report.html in a real browser (label `browser`): Debian's chromium renders a small sweep's report headless at
# 1280 px; the screenshot must show a page (not a blank or an error) with nothing drawn past its right margin
# (wide tables scroll inside their box). Skipped where chromium is not installed: `make test` does not install it.
gftlab=$(realpath "$1") python=$2
command -v chromium > /dev/null || { echo "chromium is not installed: skipped"; exit 77; }
source "$(dirname "$0")/in_scratch_dir.sh"
cat > page.yaml <<YAML
name: page
description: Does the report read in a browser?
base: [$repo/configs/blocks/toy_2d.yaml, $repo/configs/profiles/smoke.yaml]
arms:
  gft: {method.name: gft, method.schedule.beta0: 1}
  standard: {method.name: standard}
report: {baseline: standard}
seeds: [0, 1]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
"$gftlab" --threads 1 sweep run page.yaml --profile smoke --jobs 2 > run.log 2>&1 || { cat run.log; exit 1; }
"$gftlab" report page.yaml --profile smoke > report.log 2>&1 || { cat report.log; exit 1; }
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2400 \
  --screenshot="$work/shot.png" "file://$work/results/page/smoke/figures/report.html" > chromium.log 2>&1 ||
  { cat chromium.log; exit 1; }
"$python" - "$work/shot.png" <<'PY'
import sys
import matplotlib.image as mpimg
import numpy as np
shot = mpimg.imread(sys.argv[1])[:, :, :3]  # floats in [0, 1]
assert shot.shape[:2] == (2400, 1280), shot.shape
ink = shot.mean(axis=2) < 0.6
assert ink.mean() > 0.01, "the page is nearly blank"
right = ink[:, -60:]
assert not right.any(), f"something is drawn in the right margin (rows {np.where(right.any(axis=1))[0][:5]})"
print(f"report.html rendered: {ink.mean():.1%} ink, right margin clear")
PY
