#!/usr/bin/env bash
# The CLI's exit codes and messages for bad input: everything stops before any work, with exit code 2.
set -u
gftlab=$(realpath "$1")
exp=$(cd "$(dirname "$0")/../.." && pwd)/experiments/toy_shift.yaml
fails=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cfg=$work/run.yaml
printf 'seed: 1\nmethod:\n  name: standard\n' > "$cfg"

expect() {  # expect CODE PATTERN -- ARGS...
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$gftlab" "$@" 2>&1); rc=$?
  if [[ $rc -ne $code ]] || ! grep -qF -- "$pattern" <<<"$out"; then
    echo "FAIL: gftlab $* -> exit $rc (want $code), output: $out"; fails=$((fails + 1))
  else
    echo "ok: gftlab $* -> $code"
  fi
}

expect 2 "did you mean 'seed'" -- run "$cfg" seeed=1
expect 2 "is not one of: standard, scratch" -- run "$cfg" method.name=gftt
expect 2 "$cfg" -- run "$cfg" method.name=gftt
expect 2 "expected an integer" -- run "$cfg" seed=x
# The Debian build has no CUDA: device=cuda stops before any work and says why (a CUDA build without a GPU
# says that instead).
expect 2 "device: 'cuda':" -- run "$cfg" device=cuda
expect 2 "not one of cpu, cuda, cuda:K, auto" -- run "$cfg" device=gpu
expect 2 "allowed: > 0" -- run "$cfg" finetune.lr=-1
expect 2 "must not exceed target.n_eval" -- run "$cfg" eval.n_samples=5000
expect 2 "did you mean 'gft'" -- run "$cfg" method.name=gftt
expect 2 "needs the exact marginal velocity" -- run "$cfg" method.name=gft_marginal target.kind=moons
expect 2 "independent coupling only" -- run "$cfg" method.name=gft_marginal target.kind=8gaussians coupling.kind=ot
expect 2 "geometric decay" -- run "$cfg" method.name=gft method.schedule.kind=exponential method.schedule.beta_end=0
expect 2 "sum to 1" -- run "$cfg" method.name=gft method.schedule.kind=step method.schedule.stages=[[2,0.5],[1,0.4]]
expect 2 "is not one of: independent, ot, ot_sampled, sinkhorn" -- run "$cfg" coupling.kind=emd
expect 2 "not among the evaluated metrics" -- run "$cfg" eval.metrics=[w2] stability.quality_metric=nll
expect 2 "does not exist" -- run no_such_file.yaml
expect 2 "needs at least 10" -- run "$cfg" method.name=adjoint_matching method.reward=log_ratio_classifier target.n_train=5
expect 2 "draws no target batches" -- run "$cfg" method.name=adjoint_matching target.kind=8gaussians coupling.kind=ot
printf 'seed: 1\nmethod:\n  name: standard\nseed: 2\n' > "$work/twice.yaml"
expect 2 "twice.yaml:4: seed: the key is given twice in one mapping, on lines 1 and 4" -- run "$work/twice.yaml"
expect 2 "needs an analytic Gaussian-mixture target" -- run "$cfg" method.name=adjoint_matching target.kind=moons
expect 2 'applies to `adjoint_deterministic` only' -- run "$cfg" method.name=adjoint_matching method.adjoint.truncate=0.5
expect 2 'applies to `adjoint_matching` only' -- run "$cfg" method.name=adjoint_deterministic method.adjoint.t0=0.1
expect 2 "method.adjoint.regulariser" -- run "$cfg" method.name=adjoint_deterministic method.adjoint.regulariser=kll
expect 2 "slurm.partition: \"x\$(id)\" is not allowed" -- sweep submit "$exp" --profile smoke --partition 'x$(id)' --dry-run
expect 2 "slurm.time: \"1\\n#SBATCH --uid=0\" is not allowed" -- sweep submit "$exp" --time $'1\n#SBATCH --uid=0' --dry-run
expect 2 "set by the sweep" -- sweep submit "$exp" --profile smoke output.dir=../outside --dry-run
expect 2 "not in {local,slurm}" -- sweep resume "$exp" --backend pbs
[[ -e results ]] && { echo "FAIL: a refused submission wrote results/"; fails=$((fails + 1)); }
mkdir no_slurm && ln -s "$(command -v grep)" no_slurm/grep
PATH=$work/no_slurm expect 1 "sbatch not found" -- sweep submit "$exp" --profile smoke
expect 0 "nothing submitted" -- sweep submit "$exp" --profile smoke --runs-per-task 3 --dry-run
grep -q -- "--array=0-4$" results/toy_shift/smoke/slurm/array-1.sbatch || { echo "FAIL: 14 runs, 3 per task"; fails=$((fails + 1)); }
expect 2 "config is required" -- run
expect 2 "did you mean 'seed'" -- pretrain "$cfg" seeed=1
expect 2 "does not exist" -- pretrain no_such_file.yaml
expect 0 "fine-tunes no pretrained model" -- pretrain "$cfg" method.name=scratch
expect 2 "" -- frobnicate
expect 0 "inspect" -- --help
expect 0 "key=value" -- run --help
expect 0 "run_id" -- config "$cfg"
expect 0 "| \`method.name\`" -- config --reference
exit $((fails > 0))
