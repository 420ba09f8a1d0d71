#!/usr/bin/env bash
# A researcher's own files through the real CLI, with stand-ins written at test time (tests/py/
# torchscript_standins.py): FID and KID from a supplied Inception and FD and the diversity scores in a supplied
# feature extractor's space, in an image sweep; a sweep that fine-tunes an imported TorchScript velocity field;
# and each refusal, with exit 2 before any work.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
"$python" "$repo/tests/py/torchscript_standins.py" write "$work/ts"
ts="$work/ts"

refused() {  # refused "<message>" gftlab-arguments...: exit 2, the message on stderr
  local message=$1 code=0
  shift
  "$gftlab" --threads 1 "$@" > out.log 2> err.log || code=$?
  if [ "$code" != 2 ] || ! grep -qF -- "$message" err.log; then
    echo "expected exit 2 and '$message' from: $*; got exit $code:"; cat out.log err.log; exit 1
  fi
}
images="$repo/configs/blocks/fmnist_shift.yaml"
toy="$repo/configs/blocks/toy_2d.yaml"
# (The other refusals of each file are unit-tested: tests/test_torchscript.cpp.)
refused "no such file" run "$images" "eval.fid.inception=$ts/absent.pt"
refused "'fid' needs the Inception network: eval.fid.inception" run "$images" "eval.metrics=[w2, fid]"
refused "FID needs images" run "$toy" "eval.fid.inception=$ts/inception.pt"
refused "eval.features.name" run "$images" "eval.features.torchscript=$ts/features.pt"
refused "pretrain.import" run "$toy" "pretrain.import=$ts/velocity_xonly.pt"
refused "uses the operator aten::scaled_dot_product_attention, which this LibTorch" run "$toy" \
  "pretrain.import=$ts/velocity_newer_op.pt"
refused "uses the operator aten::scaled_dot_product_attention" run "$images" \
  "eval.features.torchscript=$ts/velocity_newer_op.pt" eval.features.name=newer
refused "method.name scratch trains gftlab's own model" run "$toy" "pretrain.import=$ts/velocity.pt" method.name=scratch
refused "'enc.*' matches none of the model's parameters" run "$toy" "pretrain.import=$ts/velocity.pt" "finetune.trainable=[enc.*]"

cat > images.yaml <<YAML
name: images
base: [$images, $repo/configs/profiles/smoke_images.yaml]
set:
  eval.fid.inception: $ts/inception.pt
  eval.features: {torchscript: $ts/features.pt, name: standin}
  eval.metrics: [w2, fd, fid, diversity]
  eval.fid.kid_subset_size: 32
arms:
  gft: {method.name: gft, method.schedule.beta0: 1}
  standard: {method.name: standard}
seeds: [0]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
cat > imported.yaml <<YAML
name: imported
base: [$toy, $repo/configs/profiles/smoke.yaml]
set:
  pretrain.import: $ts/velocity.pt
  eval.metrics: [w2, diversity, path]
arms:
  gft: {method.name: gft, method.schedule.beta0: 1}
  standard-head: {method.name: standard, finetune.trainable: ["net.2.*"]}
seeds: [0]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
for e in images imported; do
  "$gftlab" --threads 1 sweep run $e.yaml --profile smoke --jobs 2 > $e.log 2>&1 || { cat $e.log logs/* 2>/dev/null; exit 1; }
done
"$python" - "$ts" <<'PY'
import hashlib, pathlib, sys
import h5py, numpy as np
ts = pathlib.Path(sys.argv[1])
sha = {name: hashlib.sha256((ts / name).read_bytes()).hexdigest() for name in ["inception.pt", "features.pt", "velocity.pt"]}
runs = [h5py.File(p) for p in sorted(pathlib.Path("results/images/smoke/runs").glob("*.h5"))]
assert len(runs) == 2
for f in runs:
    a = f.attrs
    assert a["status"] == "complete", a["status"]
    assert a["fid_name"] == "FID-64" and a["kid_name"] == "KID-64", (a["fid_name"], a["kid_name"])
    assert a["fid_inception_sha256"] == sha["inception.pt"] and a["feature_net_sha256"] == sha["features.pt"]
    assert a["fd_name"] == "FD-standin-64" and "feature_net_accuracy" not in a
    for name in ["fid", "kid", "fd", "precision", "vendi"]:
        assert np.isfinite(f["eval/" + name][:]).all() and f["eval/" + name].shape == (3,), name
    assert f["eval/fid"][0] > 0 and f["final/fid"][()] == f["eval/fid"][-1]
# Both arms start from the same pretrained model and seed: the same step-0 numbers, and the held-out images'
# features in each space were computed once, by the first run, and kept in the store.
assert runs[0]["eval/fid"][0] == runs[1]["eval/fid"][0] and runs[0]["eval/kid"][0] == runs[1]["eval/kid"][0]
assert runs[0]["eval/fd"][0] == runs[1]["eval/fd"][0]
cached = sorted(pathlib.Path("results/features/reference").glob("*.pt"))
assert len(cached) == 2, cached
for f in [h5py.File(p) for p in sorted(pathlib.Path("results/imported/smoke/runs").glob("*.h5"))]:
    a = f.attrs
    assert a["status"] == "complete" and a["pretrained_id"] == sha["velocity.pt"], a["pretrained_id"]
    assert a["pretrained_file"].endswith("velocity.pt")
    assert f["eval/probe_fm_loss"][0] != f["eval/probe_fm_loss"][-1]  # fine-tuning moved the weights
    if "net.2.*" in a["config_yaml"]:
        assert a["trainable_parameters"] == 32 * 2 + 2, a["trainable_parameters"]
    else:
        assert "trainable_parameters" not in a
print("own problem ok")
PY

# A model in flow_matching's convention (forward(x, t, **extras)), exported by analysis/export_model.py from a
# factory with a fixed keyword argument, fine-tunes as pretrain.import.
"$python" "$repo/analysis/export_model.py" --factory "$repo/tests/py/test_export_model.py:FmConditional" \
  --convention flow_matching --shape 2 --extra label=2 --out "$work/fm.pt" | grep -q "wrote $work/fm.pt (traced"
"$gftlab" --threads 1 run "$toy" "pretrain.import=$work/fm.pt" method.name=gft finetune.steps=30 \
  finetune.warmup_steps=0 eval.every=0 eval.n_samples=200 target.n_eval=400 progress=none \
  "output.file=$work/fm_run.h5" > fm.log 2>&1 || { cat fm.log; exit 1; }
"$gftlab" inspect "$work/fm_run.h5" | grep -q "status complete" || { "$gftlab" inspect "$work/fm_run.h5"; exit 1; }
