#!/usr/bin/env bash
# The CLI's exit codes and messages for bad input: everything stops before any work, with exit code 2.
set -u
gftlab=$1
fails=0
cfg=$(mktemp --suffix=.yaml)
trap 'rm -f "$cfg"' EXIT
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
expect 2 "allowed: > 0" -- run "$cfg" finetune.lr=-1
expect 2 "must not exceed target.n_eval" -- run "$cfg" eval.n_samples=5000
expect 2 "does not exist" -- run no_such_file.yaml
expect 2 "config is required" -- run
expect 2 "" -- frobnicate
expect 0 "inspect" -- --help
expect 0 "key=value" -- run --help
expect 0 "run_id" -- config "$cfg"
expect 0 "| \`method.name\`" -- config --reference
exit $((fails > 0))
