#!/usr/bin/env bash
# fmnist_shift's smoke profile, reward arms included, completes in under 2 minutes on 2 cores (the feature network
# from the shared test store): the reward classifier's classes are bounded (method.classifier.samples) instead
# of one pretrained-model sample per training image (6000 at the larger grid point).
gftlab=$(realpath "$1") python=$2 features=$(realpath -m "$3")
: "${GFTLAB_TEST_FEATURE_NET:?the small feature network of the tests, set by ctest (CMakeLists.txt)}"
source "$(dirname "$0")/in_scratch_dir.sh"
start=$(date +%s)
timeout -s KILL 300 "$gftlab" sweep run "$repo/experiments/fmnist_shift.yaml" --profile smoke --jobs 2 \
  output.features_dir="$features" $GFTLAB_TEST_FEATURE_NET > run.log 2>&1 || { cat run.log; exit 1; }
took=$(( $(date +%s) - start ))
"$gftlab" sweep status "$repo/experiments/fmnist_shift.yaml" --profile smoke $GFTLAB_TEST_FEATURE_NET | grep -q "24 complete, 0 diverged, 0 failed" ||
  { cat run.log; echo "not every run completed"; exit 1; }
"$python" - results/fmnist_shift/smoke/runs <<'PY'
import pathlib, sys
import h5py
counts = {h5py.File(f).attrs.get("reward_classifier_samples_per_class") for f in pathlib.Path(sys.argv[1]).glob("*.h5")}
assert counts - {None} == {64}, counts  # configs/profiles/smoke_images.yaml: 64 per class at either n_train
PY
[[ $took -lt 120 ]] || { echo "fmnist_shift smoke took ${took} s (over 120 s)"; exit 1; }
echo "fmnist_shift smoke: 24 runs in ${took} s"
