#!/usr/bin/env bash
# Kills a real `gftlab sweep run` mid-sweep (SIGKILL, workers included) and restarts it: the sweep must end
# complete, with no duplicate, partial or lost run, and the restart must skip what was already done; the runs'
# TensorBoard events, rewritten by the runs that continued from a checkpoint, equal their run files exactly.
# The smallest sweep that exercises it: two arms, three seeds, runs long enough to be caught in flight.
gftlab=$(realpath "$1") python=$2
source "$(dirname "$0")/in_scratch_dir.sh"
cat > resume.yaml <<YAML
name: resume
base: [$repo/configs/blocks/toy_2d.yaml, $repo/configs/profiles/smoke.yaml]
set: {finetune.steps: 3000, eval.every: 0, eval.metrics: [w2]}
arms:
  gft: {method.name: gft, method.schedule.beta0: 1}
  standard: {method.name: standard}
seeds: [0, 1, 2]
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
exp=resume.yaml
args=(sweep run "$exp" --profile smoke --jobs 2)
runs=results/resume/smoke/runs
total=$("$gftlab" sweep plan "$exp" --profile smoke --dry-run | awk '/runs \(dry run/{print $1}')

"$gftlab" --threads 1 "${args[@]}" > first.log 2>&1 &
runner=$!
for _ in $(seq 600); do  # until at least two runs are complete and more are in flight
  done_now=$(ls "$runs" 2>/dev/null | grep -c '\.h5$' || true)
  [[ $done_now -ge 2 ]] && ls "$runs" | grep -q '\.tmp\.' && break
  sleep 0.1
done
kill -9 "$runner"
wait "$runner" 2>/dev/null || true
sleep 1  # the workers receive SIGTERM from the kernel when their parent dies
before=$(ls "$runs" | grep -c '\.h5$')
[[ $before -ge 2 && $before -lt $total ]] || { echo "expected a partial sweep, found $before runs"; exit 1; }
for f in "$runs"/*.h5; do "$gftlab" inspect "$f" | grep -q "status complete" || { echo "$f is not complete"; exit 1; }; done

# Each seed's pretrained model, shared by both arms: trained once, before the runs, not inside them.
grep -q "pretraining 3 model(s) first" first.log || { cat first.log; echo "the shared model was not pretrained first"; exit 1; }
ls results/resume/smoke/logs/pretrain-*.log > /dev/null || { echo "no pretraining log"; exit 1; }

"$gftlab" --threads 1 "${args[@]}" > second.log 2>&1
grep -q "pretraining" second.log && { cat second.log; echo "the restart pretrained again"; exit 1; }
grep -q "$before already done" second.log || { cat second.log; echo "restart did not skip the $before done runs"; exit 1; }
[[ $(ls "$runs" | grep -c '\.h5$') -eq $total ]] || { ls "$runs"; echo "expected $total run files"; exit 1; }
ls "$runs" | grep -q '\.tmp\.' && { ls "$runs"; echo "temporary files left behind"; exit 1; }
# The runs in flight when the runner died got SIGTERM, wrote a checkpoint, and continued from it.
grep -l "from its checkpoint at step" results/resume/smoke/logs/*.log > /dev/null ||
  { echo "no run continued from a checkpoint"; exit 1; }
ls "$runs" | grep -q '\.ckpt$' && { ls "$runs"; echo "checkpoints outlived their complete runs"; exit 1; }
"$gftlab" sweep status "$exp" --profile smoke > status.log
grep -q "$total complete, 0 diverged, 0 failed, 0 pending" status.log || { cat status.log second.log; exit 1; }
"$gftlab" sweep collect "$exp" --profile smoke > /dev/null
"$python" "$repo/tests/py/check_tensorboard.py" results/resume/smoke
echo "resume ok: $before runs survived the kill, the restart did the other $((total - before))"
