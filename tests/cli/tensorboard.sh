#!/usr/bin/env bash
# The toy_shift smoke sweep writes TensorBoard event files while it trains, one directory per run under
# results/toy_shift/smoke/tensorboard/<arm>/<point>/seed<k>; every scalar equals its run file's series
# (tests/py/check_tensorboard.py reads them with a reader of its own). `export-tensorboard` writes the same
# events again from the finished run files.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
exp="$repo/experiments/toy_shift.yaml"
"$gftlab" --threads 1 sweep run "$exp" --profile smoke --jobs 2 > run.log 2>&1 || { cat run.log; exit 1; }
"$gftlab" sweep collect "$exp" --profile smoke > /dev/null
"$python" "$repo/tests/py/check_tensorboard.py" results/toy_shift/smoke
ls results/toy_shift/smoke/tensorboard/gft-cosine/target.n_train=256/seed0/events.out.tfevents.gftlab > /dev/null
# A sweep made before event files existed: export-tensorboard writes the same scalars from its run files.
rm -rf results/toy_shift/smoke/tensorboard
"$gftlab" export-tensorboard "$exp" --profile smoke | grep -q "the events of 14 run files"
"$python" "$repo/tests/py/check_tensorboard.py" results/toy_shift/smoke
# One run file: RUN.tensorboard/ beside it.
run=$(ls results/toy_shift/smoke/runs/*.h5 | head -1)
"$gftlab" export-tensorboard "$run" > /dev/null
ls "${run%.h5}.tensorboard/events.out.tfevents.gftlab" > /dev/null
