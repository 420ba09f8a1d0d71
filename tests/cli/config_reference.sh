#!/usr/bin/env bash
# docs/config.md's configuration reference must be exactly what `gftlab config --reference` prints from the schema.
set -eu
gftlab=$1 reference=$2
if ! diff <("$gftlab" config --reference) <(sed -n '/^| key | type | default | allowed | meaning |$/,/^$/p' "$reference" | sed '/^$/d'); then
  echo "$reference is stale: paste the output of 'gftlab config --reference' into it" >&2
  exit 1
fi
