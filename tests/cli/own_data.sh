#!/usr/bin/env bash
# Your own data files through the real CLI: Fashion-MNIST classes written to .npy and HDF5 files (by numpy
# and h5py, tests/py/data_files.py) give the same run, every dataset bit for bit, as the built-in loader with
# the same classes; the run file records each file's SHA-256; a bad file stops `run` and `sweep run` with
# exit 2 before any work.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
"$python" "$repo/tests/py/data_files.py" write "$work/data" > /dev/null
d="$work/data"
# A tiny U-Net class shift, with the metrics that need no feature network (so that the test trains none).
cat > images.yaml <<YAML
source: {kind: fashion_mnist, classes: [0, 1, 2, 3, 4]}
target: {kind: fashion_mnist, classes: [5, 6, 7, 8, 9], n_train: 64, n_eval: 64}
model: {kind: unet, unet: {channels: 8, mults: [1, 2], blocks: 1, groups: 4}}
pretrain: {steps: 20, batch_size: 16}
finetune: {steps: 10, batch_size: 16}
method: {name: gft}
eval: {every: 5, n_samples: 64, sampler: {kind: euler, steps: 4}, path_steps: 4, metrics: [w2, mmd, path]}
stability: {quality_metric: w2}
YAML
common=(--threads 1 run images.yaml)
"$gftlab" "${common[@]}" output.file=builtin.h5 > builtin.log 2>&1 || { cat builtin.log; exit 1; }
"$gftlab" "${common[@]}" output.file=npy.h5 \
  source.kind=files "source.path=$d/fmnist_train.npy" "source.labels=$d/fmnist_train_labels.npy" \
  "source.eval_path=$d/fmnist_test.npy" "source.eval_labels=$d/fmnist_test_labels.npy" \
  target.kind=files "target.path=$d/fmnist_train.npy" "target.labels=$d/fmnist_train_labels.npy" \
  "target.eval_path=$d/fmnist_test.npy" "target.eval_labels=$d/fmnist_test_labels.npy" > npy.log 2>&1 \
  || { cat npy.log; exit 1; }
h5() { echo "$1.kind=files" "$1.path=$d/fashion_mnist_train.h5" "$1.dataset=images" "$1.labels=labels" \
         "$1.eval_path=$d/fashion_mnist_test.h5"; }
"$gftlab" "${common[@]}" output.file=hdf5.h5 $(h5 source) $(h5 target) > hdf5.log 2>&1 || { cat hdf5.log; exit 1; }

"$python" - "$d" <<'PY'
import hashlib, pathlib, sys
import h5py, numpy as np
d = pathlib.Path(sys.argv[1])
def datasets(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        return out, dict(f.attrs)
builtin, a = datasets("builtin.h5")
timing = {"final/wall_seconds", "eval/train_seconds"}
assert a["status"] == "complete" and len(builtin) > 10
sha = lambda p: hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest()
assert a["target_train_images_sha256"] == sha(a["target_train_images_file"]), "the built-in loader's files are hashed"
for name, files in (("npy.h5", {"data": "fmnist_train.npy", "labels": "fmnist_train_labels.npy",
                                "eval_data": "fmnist_test.npy", "eval_labels": "fmnist_test_labels.npy"}),
                    ("hdf5.h5", {"data": "fashion_mnist_train.h5", "eval_data": "fashion_mnist_test.h5"})):
    other, b = datasets(name)
    assert sorted(other) == sorted(builtin), name
    for key in sorted(set(builtin) - timing):
        same = np.array_equal(other[key], builtin[key], equal_nan=other[key].dtype.kind == "f")
        assert same and other[key].dtype == builtin[key].dtype, (name, key)
    for prefix in ("source", "target"):
        recorded = {k[len(prefix) + 1:-len("_file")] for k in b if k.startswith(prefix + "_") and k.endswith("_file")}
        assert recorded == set(files), (name, recorded)
        for role, file in files.items():
            assert b[f"{prefix}_{role}_file"] == str(d / file) and b[f"{prefix}_{role}_sha256"] == sha(d / file)
print("own data ok")
PY

refused() {  # refused "<message>" gftlab-arguments...: exit 2, the message on stderr, no run file
  local message=$1 code=0
  shift
  "$gftlab" --threads 1 "$@" > out.log 2> err.log || code=$?
  if [ "$code" != 2 ] || ! grep -qF -- "$message" err.log; then
    echo "expected exit 2 and '$message' from: $*; got exit $code:"; cat out.log err.log; exit 1
  fi
}
refused "target.path: $d/nan.npy: row 7 holds NaN or Inf" run "$repo/configs/blocks/toy_2d.yaml" output.file=bad.h5 \
  target.kind=files "target.path=$d/nan.npy" target.eval_fraction=0.5
test ! -e bad.h5
cat > bad.yaml <<YAML
name: bad
base: [$repo/configs/blocks/toy_2d.yaml, $repo/configs/profiles/smoke.yaml]
set: {source.kind: files, source.path: $d/absent.npy, source.eval_fraction: 0.5}
arms: {standard: {method.name: standard}}
seeds: [0]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
refused "absent.npy" sweep run bad.yaml --profile smoke
! compgen -G "results/bad/smoke/runs/*" > /dev/null  # nothing ran
echo "own data refusals ok"
