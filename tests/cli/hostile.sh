#!/usr/bin/env bash
# Hostile and careless input (issue 28's table): each case is refused with its exit code and message, within its
# time bound, and no output of gftlab holds a C++ backtrace ("frame #"). A stop signal is answered in every
# phase: parsing (the default action, the signal's own status) and the long stages of a run (exit 4).
gftlab=$(realpath "$1")
source "$(dirname "$0")/in_scratch_dir.sh"
set +e
fails=0

# CPU time (user + system, in ms) of one gftlab command: under a parallel ctest, wall time mostly measures the
# wait for a core.
cpu_ms() {
  TIMEFORMAT='%3U %3S'
  { time { "$gftlab" "$@" > /dev/null 2>&1; }; } 2> cpu.txt
  cpu_txt_ms
}
cpu_txt_ms() { awk '{printf "%d", ($1 + $2) * 1000}' cpu.txt; }  # what `time` wrote with that TIMEFORMAT
# gftlab's start alone (LibTorch's static initialisers: about 0.7 s of CPU on the 2-core VM), the least of three
# runs: every refusal pays it before it reads anything, so the bound below is on what a refusal adds to it.
startup=$(for _ in 1 2 3; do cpu_ms --version; echo; done | sort -n | head -1)
echo "gftlab --version: ${startup} ms CPU (the start that every command pays)"

# check CODE PATTERN SECONDS -- ARGS...: exit CODE, PATTERN in the output, within SECONDS of CPU time beyond the
# start and 10x that of wall time beyond it, no backtrace.
check() {
  local code=$1 pattern=$2 limit=$3; shift 4
  local start out rc wall cpu
  start=$(date +%s%N)
  TIMEFORMAT='%3U %3S'
  { time { out=$(timeout -s KILL 60 "$gftlab" "$@" 2>&1); rc=$?; }; } 2> cpu.txt
  wall=$(( ($(date +%s%N) - start) / 1000000 - startup ))
  cpu=$(( $(cpu_txt_ms) - startup ))
  if [[ $rc -ne $code ]] || ! grep -qF -- "$pattern" <<<"$out" || grep -q "frame #" <<<"$out" ||
     (( cpu > limit * 1000 || wall > limit * 10000 )); then
    echo "FAIL: gftlab $* -> exit $rc (want $code), ${cpu} ms CPU and ${wall} ms wall beyond the start (limit ${limit} s): $out"
    fails=$((fails + 1))
  else
    echo "ok: gftlab $* -> $code, ${cpu} ms CPU, ${wall} ms wall beyond the start"
  fi
}

# 1. A 9-level alias chain: 10^9 leaves from 300 bytes. Refused from the parser's events, naming file and line.
{
  echo 'a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'
  for k in 1 2 3 4 5 6 7 8 9; do
    p=$((k - 1)); echo "a$k: &a$k [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
  done
  echo 'seed: *a9'
} > bomb.yaml
check 2 "bomb.yaml:5: the alias *a3 expands the document past 100000 nodes" 1 -- run bomb.yaml
# The same on the command line: five levels of ten in one override's value.
ten() { local out=$1; for _ in 1 2 3 4 5 6 7 8 9; do out="$out,$1"; done; echo "$out"; }
check 2 "past 100000 nodes" 1 -- run "$repo/configs/examples/toy.yaml" \
  "eval.euler_steps=[&b [$(ten 1)], &c [$(ten '*b')], &d [$(ten '*c')], &e [$(ten '*d')], [$(ten '*e')]]"
# A few levels of reuse are legal YAML and still work.
printf 'pretrain: {batch_size: &b 64}\nfinetune: {batch_size: *b}\n' > reuse.yaml
check 0 "batch_size: 64" 1 -- config reuse.yaml

# 2. Sweeps too large to plan, refused before anything is built (--max-runs raises the limit).
{
  echo "name: huge"
  echo "grid:"
  for key in seed finetune.lr finetune.steps pretrain.lr pretrain.steps model.width model.depth \
             eval.n_samples target.n_train finetune.batch_size; do
    echo "  $key: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
  done
  echo "profiles: {smoke: {}, quick: {}, paper: {}}"
} > grid.yaml
check 2 "would plan up to 1e+10 runs" 1 -- sweep plan grid.yaml --dry-run
check 2 "more than --max-runs 100000" 1 -- sweep submit grid.yaml --dry-run
printf 'name: seeds\nseeds: 100000000\nprofiles: {smoke: {}, quick: {}, paper: {}}\n' > seeds.yaml
check 2 "seeds.yaml:2: seeds: 100000000 seeds are more runs than --max-runs 100000 allows" 1 -- sweep plan seeds.yaml --dry-run
check 2 "more than --max-runs 10" 1 -- sweep plan "$repo/experiments/toy_shift.yaml" --dry-run --max-runs 10
check 0 "runs (dry run" 5 -- sweep plan "$repo/experiments/toy_shift.yaml" --dry-run

# 3. An allocation no machine has: one line, the size and the keys that set it, exit 1.
check 1 "out of memory: one allocation asked for" 30 -- run "$repo/configs/examples/toy.yaml" model.width=100000000000 \
  output.dir=runs output.pretrained_dir=pre progress=none
check 1 "model.width = 100000000000" 30 -- run "$repo/configs/examples/toy.yaml" model.width=100000000000 \
  output.dir=runs output.pretrained_dir=pre progress=none

# 4. Keys the sweep owns, refused wherever they are written, with file, line and key.
printf 'name: moved\nset: {output.dir: /tmp/elsewhere}\nprofiles: {smoke: {}, quick: {}, paper: {}}\n' > moved.yaml
check 2 "moved.yaml:2: set.output.dir: is set by the sweep" 1 -- sweep plan moved.yaml --dry-run
printf 'name: moved\narms:\n  a: {output.file: x.h5}\nprofiles: {smoke: {}, quick: {}, paper: {}}\n' > arm.yaml
check 2 "arm.yaml:3: arms.a.output.file: is set by the sweep" 1 -- sweep plan arm.yaml --dry-run
printf 'name: moved\nprofiles: {smoke: {output.dir: y}, quick: {}, paper: {}}\n' > profile.yaml
check 2 "profiles.smoke.output.dir: is set by the sweep" 1 -- sweep plan profile.yaml --profile smoke --dry-run
check 2 "set by the sweep" 1 -- sweep plan "$repo/experiments/toy_shift.yaml" --dry-run output.dir=/tmp/elsewhere

# 5. Every command checks the whole experiment file, its slurm: block included.
printf 'name: injected\nslurm: {partition: "cpu\\n#SBATCH --wrap=id"}\nprofiles: {smoke: {}, quick: {}, paper: {}}\n' > slurm.yaml
check 2 "slurm.partition" 1 -- sweep plan slurm.yaml --dry-run
check 2 "slurm.partition" 1 -- sweep status slurm.yaml
check 2 "slurm.partition" 1 -- sweep run slurm.yaml
[[ -e results ]] && { echo "FAIL: a refused command wrote results/"; fails=$((fails + 1)); }

# 6. Stop signals. Each long stage, forced long by its step count, answers SIGTERM within 10 s.
# Waits until process PID has used CPU_SECONDS of CPU (or has ended): the point it has reached does not depend on
# how many other processes share the cores, as a wall-clock delay would.
wait_for_cpu() {
  local pid=$1 ticks per_second
  per_second=$(getconf CLK_TCK)
  ticks=$(awk -v s="$2" -v t="$per_second" 'BEGIN {printf "%d", s * t}')
  while [[ -r /proc/$pid/stat ]] &&
        (( $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "$ticks") < ticks )); do
    sleep 0.05
  done
}
stop_test() {  # stop_test WANT_CODE LABEL CPU_SECONDS PATTERN -- ARGS...: PATTERN in the output names the stage
  local want=$1 label=$2 delay=$3 pattern=$4; shift 5
  "$gftlab" --threads 1 "$@" > "stop-$label.log" 2>&1 &
  local pid=$! start rc
  wait_for_cpu "$pid" "$delay"
  start=$(date +%s)
  kill -TERM "$pid"
  timeout -s KILL 20 tail --pid="$pid" -f /dev/null
  wait "$pid"; rc=$?
  local took=$(( $(date +%s) - start ))
  if [[ $rc -ne $want || $took -gt 10 ]] || grep -q "frame #" "stop-$label.log" ||
     { [[ -n $pattern ]] && ! grep -qF -- "$pattern" "stop-$label.log"; }; then
    echo "FAIL: SIGTERM during $label -> exit $rc (want $want) after ${took}s"; cat "stop-$label.log"; fails=$((fails + 1))
  else
    echo "ok: SIGTERM during $label -> $rc after ${took}s"
  fi
}
# The CPU seconds given to each are past its start and the stages before (measured: loading Fashion-MNIST before
# the feature network trains takes 2.5-3 s). Planning 100 000 runs (the limit) takes minutes: nothing there can checkpoint, so SIGTERM ends it at once, with
# its own status (128 + 15).
head -7 grid.yaml > plan100k.yaml && echo "profiles: {smoke: {}, quick: {}, paper: {}}" >> plan100k.yaml
stop_test 143 planning 1.5 "" -- sweep plan plan100k.yaml --dry-run
base=("$repo/configs/examples/toy.yaml" output.dir=runs output.pretrained_dir=pre progress=none)
stop_test 4 pretraining 1.5 "stopped pretraining" -- run "${base[@]}" pretrain.steps=1000000
stop_test 4 "reward-classifier training" 2.5 "stopped training the reward classifier" -- run "${base[@]}" pretrain.steps=50 target.kind=moons \
  method.name=adjoint_matching method.reward=log_ratio_classifier method.classifier.steps=100000000
stop_test 4 "reward-classifier sampling" 2.5 "stopped sampling the pretrained model" -- run "${base[@]}" pretrain.steps=50 target.kind=moons model.width=512 \
  method.name=adjoint_matching method.reward=log_ratio_classifier method.classifier.samples=1000000 \
  target.n_train=1000000 method.classifier.steps=10
stop_test 4 fine-tuning 2 "stopped run" -- run "${base[@]}" pretrain.steps=50 finetune.steps=1000000 eval.every=0
# The reference statistics (the held-out samples' features, computed at the first evaluation), made long by a
# slow supplied extractor and 20 000 samples: stopped between batches, nothing stored for them.
/usr/bin/python3 "$repo/tests/py/torchscript_standins.py" write ts > /dev/null
stop_test 4 "reference statistics" 4 "stopped computing the features of the held-out reference samples" -- \
  run "${base[@]}" pretrain.steps=50 output.features_dir=features eval.metrics=[fd] \
  stability.quality_metric=fd eval.features.torchscript=ts/features_slow.pt eval.features.name=slow \
  eval.n_samples=20000 target.n_eval=20000
ls features/reference 2>/dev/null | grep -q '\.pt$' && { echo "FAIL: stopped reference features were stored"; fails=$((fails + 1)); }
stop_test 4 "feature-network training" 5 "stopped training the feature network" -- features \
  output.features_dir=features features.epochs=1000
ls features 2>/dev/null | grep -q '\.pt$' && { echo "FAIL: a stopped feature network was stored"; fails=$((fails + 1)); }
# The Fashion-MNIST export (1-2 s in all) stopped in flight: exit 4 (143 if the signal beat its handler), no
# temporary file left, and a file under its final name only when complete.
/usr/bin/python3 "$repo/analysis/export_fashion_mnist.py" export > export.log 2>&1 &
exporter=$!
sleep 0.6
kill -TERM "$exporter"
wait "$exporter"; rc=$?
if [[ $rc -ne 4 && $rc -ne 143 ]] || ls export 2>/dev/null | grep -q '\.tmp\.' ||
   ! /usr/bin/python3 -c "
import h5py, pathlib
for f in pathlib.Path('export').glob('*.h5'):
    with h5py.File(f) as h: assert len(h['labels']) == len(h['images']) in (60000, 10000), f"; then
  echo "FAIL: SIGTERM during the Fashion-MNIST export -> exit $rc"; cat export.log; ls export; fails=$((fails + 1))
else
  echo "ok: SIGTERM during the Fashion-MNIST export -> $rc"
fi

# 7. A second `sweep run` beside a live one leaves the live run to it: "running elsewhere", never failed.
cat > live.yaml <<YAML
name: live
base: [$repo/configs/blocks/toy_2d.yaml, $repo/configs/profiles/smoke.yaml]
set: {finetune.steps: 1000000, eval.every: 0, pretrain.steps: 50}
profiles: {smoke: {}, quick: {}, paper: {}}
YAML
setsid "$gftlab" --threads 1 sweep run live.yaml --profile smoke > live.log 2>&1 &
first=$!
for _ in $(seq 100); do ls results/live/smoke/runs/*.lock > /dev/null 2>&1 && break; sleep 0.2; done
sleep 1
check 0 "running elsewhere (another process holds its lock)" 5 -- sweep run live.yaml --profile smoke
ls results/live/smoke/logs/*.failed > /dev/null 2>&1 && { echo "FAIL: the live run was marked failed"; fails=$((fails + 1)); }
kill -TERM -- -"$first"
wait "$first"
timeout 15 flock results/live/smoke/runs/*.lock true  # the run itself writes its checkpoint and leaves
exit $((fails > 0))
