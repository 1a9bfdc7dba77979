#!/usr/bin/env bash
# Runs the benchmarks: ./bench/run.sh [flags] [scenario...] (all by default).
# See bench/README.md. The report goes to stdout, progress to stderr, and
# the raw figures to bench/results/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
mkdir -p bench/results/.bin
go build -o bench/results/.bin/benchrun ./bench/cmd/benchrun
exec bench/results/.bin/benchrun "$@"
