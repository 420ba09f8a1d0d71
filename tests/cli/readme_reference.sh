#!/usr/bin/env bash
# The README's configuration reference must be exactly what `gftlab config --reference` prints from the schema.
set -eu
gftlab=$1 readme=$2
if ! diff <("$gftlab" config --reference) <(sed -n '/^| key | type | default | allowed | meaning |$/,/^$/p' "$readme" | sed '/^$/d'); then
  echo "README.md's configuration reference is stale: paste the output of 'gftlab config --reference'" >&2
  exit 1
fi
