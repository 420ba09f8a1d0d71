#!/usr/bin/env bash
# A tiny complete run through the real CLI, its file read back with h5py to check the documented schema.
set -eu
gftlab=$1 python=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gftlab" --threads 1 run "$here/../../configs/examples/toy.yaml" pretrain.steps=100 finetune.steps=60 \
  finetune.warmup_steps=10 eval.every=30 eval.n_samples=200 target.n_eval=400 eval.nll_samples=20 \
  eval.dense_every=10 eval.dense_until=20 \
  eval.nll_steps=5 eval.euler_steps=[1,2] method.name=gft coupling.kind=ot_sampled progress=lines output.dir="$work/runs" \
  output.pretrained_dir="$work/pretrained" > "$work/stdout"
file=$(awk '/^complete /{print $2}' "$work/stdout")
test -f "$file"
ls "$work/runs" | grep -q '\.tmp\.' && { echo "temporary file left behind"; exit 1; }
"$gftlab" inspect "$file" | grep -q "status complete"
"$python" "$here/check_schema.py" "$file"
