#!/usr/bin/env bash
# Adjoint Matching and its deterministic variant through the real CLI (issue 7). On a Gaussian-mixture shift with the exact log density
# ratio as the reward, the exact NLL of held-out target samples under the fine-tuned model must fall well below
# the pretrained model's (the evaluation at step 0 is the pretrained weights), and the generated samples must
# move onto the target (their target log-density); the cost series are written. On 8 Gaussians -> moons,
# known only through samples, the classifier's logit as the reward must bring the samples to the target.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
shift_keys=(source.kind=gmm_random source.gmm.components=8 source.gmm.std=0.5 source.gmm.spread=4
            source.gmm.layout_seed=0 target.kind=gmm_random target.gmm.components=4 target.gmm.std=0.4
            target.gmm.spread=4 target.gmm.layout_seed=1)
# 20 simulation steps and 5 regression times per step, as the quick profiles use: the margins below hold with
# room to spare (the NLL improves by about 10, the target NLL by 30 to 40) at a fifth of the default's cost.
budget=(pretrain.steps=1500 finetune.steps=150 finetune.warmup_steps=15 method.adjoint.steps=20
        method.adjoint.time_samples=5)
"$gftlab" --threads 1 run "$repo/configs/examples/toy.yaml" method.name=adjoint_matching "${shift_keys[@]}" \
  "${budget[@]}" eval.every=150 eval.n_samples=500 \
  target.n_eval=500 eval.metrics=[w2,target_nll,nll] eval.nll_samples=300 progress=none output.file=am.h5 \
  output.pretrained_dir=pretrained > run.log 2>&1 || { cat run.log; exit 1; }
"$python" - am.h5 <<'PY'
import sys
import h5py
f = h5py.File(sys.argv[1])
steps, nll, target_nll = f["eval/step"][:], f["eval/nll"][:], f["eval/target_nll"][:]
print(f"steps {list(steps)}: NLL of target samples {nll}, target NLL of generated samples {target_nll}")
assert list(steps) == [0, 150]
assert nll[1] < nll[0] - 3.0, "the target's exact NLL did not improve markedly"
assert target_nll[1] < target_nll[0] - 10.0, "the samples did not move onto the target"
assert (f["train/nfe"][:] == 2 * 20 + 2 * 5).all() and (f["train/vjp"][:] == 21).all()
PY
# The deterministic variant, adjoint truncated to the final half: its NLL must improve as markedly, at the cost
# of 20 simulation steps + 10 adjoint steps + 2 x 5 regression evaluations and 10 + 1 VJPs per step.
"$gftlab" --threads 1 run "$repo/configs/examples/toy.yaml" method.name=adjoint_deterministic \
  method.adjoint.truncate=0.5 "${shift_keys[@]}" "${budget[@]}" \
  eval.every=150 eval.n_samples=500 target.n_eval=500 eval.metrics=[w2,target_nll,nll] eval.nll_samples=300 \
  progress=none output.file=det.h5 output.pretrained_dir=pretrained > det.log 2>&1 || { cat det.log; exit 1; }
"$python" - det.h5 <<'PY'
import sys
import h5py
f = h5py.File(sys.argv[1])
nll, target_nll = f["eval/nll"][:], f["eval/target_nll"][:]
print(f"deterministic: NLL of target samples {nll}, target NLL of generated samples {target_nll}")
assert nll[1] < nll[0] - 3.0 and target_nll[1] < target_nll[0] - 10.0
assert (f["train/nfe"][:] == 20 + 10 + 2 * 5).all() and (f["train/vjp"][:] == 11).all()
PY
"$gftlab" --threads 1 run "$repo/configs/examples/toy.yaml" method.name=adjoint_matching \
  method.reward=log_ratio_classifier "${budget[@]}" eval.every=150 \
  eval.n_samples=500 target.n_eval=500 target.n_train=2000 eval.metrics=[w2,diversity] progress=none \
  output.file=classifier.h5 output.pretrained_dir=pretrained > classifier.log 2>&1 || { cat classifier.log; exit 1; }
"$python" - classifier.h5 <<'PY'
import sys
import h5py
f = h5py.File(sys.argv[1])
a, w2, precision = f.attrs, f["eval/w2"][:], f["eval/precision"][:]
print(f"classifier accuracy {a['reward_classifier_accuracy']:.3f}, calibration error "
      f"{a['reward_classifier_calibration_error']:.3f}; W2 {w2}, precision {precision}")
assert a["reward_classifier_accuracy"] > 0.9 and a["reward_classifier_calibration_error"] < 0.05
assert w2[1] < 0.7 * w2[0] and precision[1] > 0.5 > precision[0]
PY
"$gftlab" run "$repo/configs/examples/toy.yaml" method.name=adjoint_matching > refused.log 2>&1 && exit 1
grep -q "log_ratio_exact. needs an analytic Gaussian-mixture target" refused.log || { cat refused.log; exit 1; }
echo "adjoint matching ok"
