#!/usr/bin/env bash
# SLURM end to end on a private single-node cluster (cluster.sh): submit a smoke sweep as a job array, send
# one task the time limit's warning (USR1) mid-run so that it checkpoints and requeues itself, wait, and
# check that every run is complete, that the requeued run equals an uninterrupted one bit for bit, and that
# the dependent collect job wrote summary.h5. Then `sweep resume --backend slurm` submits only what is
# missing. Exit 77 (skipped, with the reason) when no cluster can be started here.
gftlab=$(realpath "$1") python=$2
here=$(cd "$(dirname "$0")" && pwd)
reason=$(bash "$here/cluster.sh" check) || { echo "$reason"; exit 77; }
source "$here/../cli/in_scratch_dir.sh"
submitter=""
cleanup() {
  set +e
  [[ -n $submitter ]] && kill "$submitter" 2>/dev/null
  bash "$here/cluster.sh" stop "$work/cluster"
  rm -rf "$work"
}
trap cleanup EXIT
chmod 0755 "$work"  # munged runs as the munge user and needs its way to the socket
bash "$here/cluster.sh" start "$work/cluster" > cluster.log 2>&1 || { cat cluster.log; exit 1; }
source "$work/cluster/env"

cat > tiny.yaml <<YAML
name: tiny
base: [$repo/configs/blocks/toy_2d.yaml]
arms: {gft: {method.name: gft}, standard: {method.name: standard}}
seeds: 2
profiles: {smoke: {base: [$repo/configs/profiles/smoke.yaml]}, quick: {}, paper: {}}
slurm: {cpus_per_task: 1, signal_seconds: 60, setup: ["echo setup line ran"]}
YAML
# Long enough to be interrupted mid-run; a checkpoint every second shows when fine-tuning is under way.
overrides=(finetune.steps=6000 eval.every=0 checkpoint.every_seconds=1)
dir=results/tiny/smoke
fail() { echo "FAILED: $*"; tail -n 20 submit.log "$dir"/slurm/logs/* "$dir"/logs/* 2>/dev/null; exit 1; }
within() {  # seconds, then a condition to poll for
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}

echo "$(date +%T) submit"
timeout 600 "$gftlab" sweep submit tiny.yaml --profile smoke --wait "${overrides[@]}" > submit.log 2>&1 &
submitter=$!
within 60 test -s "$dir/slurm/submissions.jsonl" || fail "no submission recorded"
job=$(sed -n 's/.*"array_job": "\([0-9]*\)".*/\1/p' "$dir/slurm/submissions.jsonl")
target=$(sed -n '1s/.*"run_id": "\([0-9a-f]*\)".*/\1/p' "$dir/slurm/array-1.jsonl")  # task 0's run
within 120 test -e "$dir/runs/$target.ckpt" || fail "task ${job}_0 never got to fine-tuning"
# The warning SLURM sends --signal seconds before the time limit. scancel delivers it, then keeps retrying
# ("transitional state") while the task requeues itself, and a late retry would hit the restarted task:
# stop it after 3 s and judge by the requeue.
timeout 3 scancel --signal=USR1 --batch "${job}_0" 2> /dev/null || true
# A requeued job waits ~2 min (BeginTime) before it may start again; the test does not.
within 60 bash -c "squeue -h -j ${job}_0 -o '%r' | grep -q BeginTime" || fail "task ${job}_0 was not requeued"
"$gftlab" sweep status tiny.yaml --profile smoke "${overrides[@]}" > status_during.log
grep -q "task ${job}_0 PENDING; checkpoint" status_during.log || { cat status_during.log; fail "status lacks SLURM's view"; }
scontrol update JobId="${job}_0" StartTime=now
wait $submitter || fail "sweep submit --wait exited with $?"

grep -q "4 complete, 0 diverged, 0 failed, 0 pending" submit.log || fail "not every run is complete"
grep -q "checkpoint written; requeueing ${job}_0" "$dir/slurm/logs/${job}_0.out" || fail "task 0 did not requeue itself"
grep -q "setup line ran" "$dir/slurm/logs/${job}_0.out" || fail "the setup line did not run"
ls "$dir"/slurm/logs/collect_*.out > /dev/null && test -s "$dir/summary.h5" || fail "the collect job wrote no summary.h5"
grep -q "4 complete" "$dir"/slurm/logs/collect_*.out || fail "the collect job saw incomplete runs"
"$python" - "$dir/runs/$target.h5" <<'PY' || fail "the requeued run's file does not show the restart"
import sys, h5py
a = h5py.File(sys.argv[1]).attrs
assert a["resumes"] == 1 and a["resumed_from_step"] > 0, dict(a)
assert a["slurm_restart_count"] == "1" and a["slurm_array_task_id"] == "0" and a["threads"] == 1, dict(a)
PY
echo "$(date +%T) array done; reference run"
"$gftlab" --threads 1 run "$dir/configs/$target.yaml" --out uninterrupted.h5 progress=none > ref.log 2>&1
"$python" "$repo/tests/py/same_run_file.py" "$dir/runs/$target.h5" uninterrupted.h5 || fail "requeued run differs"

echo "$(date +%T) resume"
# Resume: only the missing run goes into a second array; with nothing missing, nothing is submitted.
rm "$dir/runs/$target.h5"
"$gftlab" sweep resume tiny.yaml --profile smoke --backend slurm --wait "${overrides[@]}" > resume.log 2>&1 \
  || { cat resume.log; fail "sweep resume exited with $?"; }
grep -q "(1 runs in 1 tasks)" resume.log && grep -q "4 complete, 0 diverged" resume.log || { cat resume.log; fail "resume"; }
"$gftlab" sweep resume tiny.yaml --profile smoke --backend slurm "${overrides[@]}" > again.log 2>&1
grep -q "nothing to submit" again.log || { cat again.log; fail "a complete sweep was submitted again"; }
echo "SLURM ok: array job $job, task 0 requeued $(grep -o "at step [0-9]*" "$dir/logs/$target.log" | head -1)"
