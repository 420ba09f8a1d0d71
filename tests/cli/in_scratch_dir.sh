# Sourced by the CLI tests: strict mode, `repo` (the source tree), and a scratch directory as the working
# directory, removed on exit.
set -eu
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
