#!/usr/bin/env bash
# Interrupts real runs and continues them from their checkpoints; each final run file must equal that of an
# uninterrupted run bit for bit (tests/py/same_run_file.py). Covered: SIGKILL during pretraining (periodic
# checkpoint), SIGUSR1 during fine-tuning (signal checkpoint, exit 4), and an image run stopped by SIGTERM.
gftlab=$(realpath "$1") python=$2 features=$(realpath -m "$3")
: "${GFTLAB_TEST_FEATURE_NET:?the small feature network of the tests, set by ctest (CMakeLists.txt)}"
source "$(dirname "$0")/in_scratch_dir.sh"
same="$python $repo/tests/py/same_run_file.py"

wait_for() {  # a glob, then the PID that must still be running meanwhile
  for _ in $(seq 600); do
    compgen -G "$1" > /dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "the run ended before $1 appeared"; return 1; }
    sleep 0.05
  done
  echo "timed out waiting for $1"; return 1
}

expect_exit() {  # code, PID
  local code=0
  wait "$2" || code=$?
  [[ $code -eq $1 ]] || { echo "expected exit $1, got $code"; cat ./*.log; exit 1; }
}

toy=("$repo/configs/examples/toy.yaml" pretrain.steps=800 finetune.steps=800 eval.every=200 eval.n_samples=200
     target.n_eval=200 eval.nll_samples=20 eval.nll_steps=5 method.name=gft coupling.kind=ot_sampled progress=none checkpoint.every_seconds=0.3)
"$gftlab" --threads 1 run "${toy[@]}" output.file=ref/toy.h5 output.pretrained_dir=ref/pretrained > ref.log 2>&1

"$gftlab" --threads 1 run "${toy[@]}" output.file=int/toy.h5 output.pretrained_dir=int/pretrained > kill.log 2>&1 &
pid=$!
wait_for 'int/pretrained/*.ckpt' $pid
kill -9 $pid
expect_exit 137 $pid

"$gftlab" --threads 1 run "${toy[@]}" output.file=int/toy.h5 output.pretrained_dir=int/pretrained > usr1.log 2>&1 &
pid=$!
wait_for int/toy.ckpt $pid
kill -USR1 $pid
expect_exit 4 $pid
grep -q "continuing from its checkpoint" usr1.log || { cat usr1.log; echo "pretraining did not continue"; exit 1; }
test ! -e int/toy.h5 || { echo "an interrupted run left a run file"; exit 1; }

"$gftlab" --threads 1 run "${toy[@]}" output.file=int/toy.h5 output.pretrained_dir=int/pretrained > resume.log 2>&1
grep -q "continuing .* from its checkpoint at step" resume.log || { cat resume.log; exit 1; }
test ! -e int/toy.ckpt || { echo "the checkpoint outlived the complete run"; exit 1; }
cmp ref/pretrained/*.pt int/pretrained/*.pt || { echo "continued pretraining differs"; exit 1; }
$same ref/toy.h5 int/toy.h5
"$python" -c "import h5py, sys; a = h5py.File(sys.argv[1]).attrs; sys.exit(0 if a['resumes'] == 1 and a['resumed_from_step'] > 0 else 1)" int/toy.h5

cat > images.yaml <<YAML
name: images
base: [$repo/configs/blocks/fmnist_shift.yaml, $repo/configs/profiles/smoke_images.yaml]
set: {method.name: gft, method.schedule.beta0: 1, finetune.steps: 60, eval.every: 20}
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
"$gftlab" sweep plan images.yaml --profile smoke > plan.log
args=(results/images/smoke/configs/*.yaml progress=none output.features_dir="$features" $GFTLAB_TEST_FEATURE_NET checkpoint.every_seconds=0.2)
"$gftlab" --threads 1 run "${args[@]}" output.file=ref/img.h5 > img_ref.log 2>&1
"$gftlab" --threads 1 run "${args[@]}" output.file=int/img.h5 > img_int.log 2>&1 &
pid=$!
wait_for int/img.ckpt $pid
kill -TERM $pid
expect_exit 4 $pid
"$gftlab" --threads 1 run "${args[@]}" output.file=int/img.h5 > img_resume.log 2>&1
$same ref/img.h5 int/img.h5
echo "checkpoint/resume ok: toy (pretraining killed, fine-tuning signalled) and image runs identical"
