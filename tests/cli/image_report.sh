#!/usr/bin/env bash
# A tiny image sweep through the real CLI: U-Net runs on Fashion-MNIST, then `gftlab report` draws the image
# figures (FD, FD against Euler steps, sample grids). The feature network comes from the shared test store.
gftlab=$(realpath "$1") python=$2 features=$(realpath -m "$3")
: "${GFTLAB_TEST_FEATURE_NET:?the small feature network of the tests, set by ctest (CMakeLists.txt)}"
source "$(dirname "$0")/in_scratch_dir.sh"
cat > images.yaml <<YAML
name: images
base: [$repo/configs/blocks/fmnist_shift.yaml, $repo/configs/profiles/smoke_images.yaml]
arms:
  gft: {method.name: gft, method.schedule.beta0: 1}
  standard: {method.name: standard}
seeds: [0, 1]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
"$gftlab" --threads 1 sweep run images.yaml --profile smoke --jobs 2 output.features_dir="$features" $GFTLAB_TEST_FEATURE_NET > run.log 2>&1 \
  || { cat run.log logs/* 2>/dev/null; exit 1; }
"$gftlab" report images.yaml --profile smoke output.features_dir="$features" $GFTLAB_TEST_FEATURE_NET > report.log 2>&1 || { cat report.log; exit 1; }
"$python" - results/images/smoke <<'PY'
import pathlib, sys
import h5py
d = pathlib.Path(sys.argv[1])
for name in ["stability", "diversity_steps", "final_quality", "final_diversity", "euler_ladder", "samples"]:
    for ext in ("png", "pdf"):
        assert (d / "figures" / f"{name}.{ext}").stat().st_size > 1000, name
with h5py.File(d / "summary.h5") as f:
    run = f["runs"][f["table/run_id"].asstr()[0]]
    assert run["eval/samples"].shape == (3, 16, 28, 28) and run["eval/samples"].dtype == "uint8"
    import os  # the test network's width, from the settings ctest passes (CMakeLists.txt)
    width = dict(key.split("=") for key in os.environ["GFTLAB_TEST_FEATURE_NET"].split())["features.width"]
    assert run.attrs["fd_name"].startswith(f"FD-fmnist-cnn{width}-") and run.attrs["fd_name"].endswith("-64")
    assert "fd_euler_4" in f["table/final"] and "fd" in f["table/final"]
    # The PNG of the last evaluation's grid decodes to the same images as /eval/samples (4 x 4 tiles, 2 px apart).
    import io, matplotlib.image, numpy as np
    png = matplotlib.image.imread(io.BytesIO(bytes(run["eval/sample_grids/10"][:])), format="png")
    assert png.shape == (4 * 28 + 6, 4 * 28 + 6), png.shape
    tile = np.rint(png[30:58, 60:88] * 255).astype(np.uint8)
    assert (tile == run["eval/samples"][-1][6]).all()
report = (d / "figures" / "report.md").read_text()
assert "(samples.png)" in report and "| fd: mean [Student-t 95% interval] |" in report and "FD (images)" in report
print("image report ok")
PY
