#!/usr/bin/env bash
# Runs each fuzz target for FUZZTIME (go test -fuzz takes one target per
# run). The seed corpora also run as plain tests in `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
t="${FUZZTIME:-10s}"
targets=(
  "./internal/api FuzzDecodeJSON"
  "./internal/api FuzzAPI"
  "./internal/store FuzzCursor"
  "./internal/store FuzzAnonymous"
  "./internal/api FuzzMoveDecode"
  "./internal/api FuzzImport"
  "./internal/api FuzzItemAppend"
  "./internal/scrum FuzzItemPayload"
  "./internal/api FuzzEstimation"
  "./internal/markdown FuzzHTML"
  "./internal/backlogcsv FuzzParseJira"
  "./internal/backlogcsv FuzzParseTandem"
  "./internal/backlogcsv FuzzWikiToMarkdown"
  "./internal/rank FuzzBetween"
  "./internal/live FuzzPresenceFrames"
)
for spec in "${targets[@]}"; do
  set -- $spec
  pkg=$1 name=$2
  echo "fuzz $name ($pkg) for $t"
  go test -run='^$' -fuzz="^${name}\$" -fuzztime="$t" "$pkg"
done
