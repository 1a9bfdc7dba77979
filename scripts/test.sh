#!/usr/bin/env bash
# Every test: formatting, vet, staticcheck, the race-enabled test suite on SQLite and
# PostgreSQL, browser tests in headless Chromium, and short fuzzing of the
# request decoders. In CI (CI=true) a missing PostgreSQL or browser fails
# the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
step() { printf '\n== %s\n' "$*"; }

step "browser"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian chromium for the browser tests"
    apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  fi
fi
if command -v chromium >/dev/null 2>&1; then
  export TANDEM_TEST_CHROMIUM="$(command -v chromium)"
  chromium --version || true
elif [ "${CI:-}" = true ]; then
  echo "chromium is missing and could not be installed; CI needs the browser tests" >&2
  exit 1
else
  echo "chromium not found: browser tests will skip"
fi

step "postgresql"
PG="${TANDEM_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  export TANDEM_TEST_POSTGRES="$PG"
  echo "using $TANDEM_TEST_POSTGRES"
elif (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  export TANDEM_TEST_POSTGRES="$PG"
  echo "using $TANDEM_TEST_POSTGRES"
elif [ "${CI:-}" = true ]; then
  echo "PostgreSQL is not reachable at 127.0.0.1:5432; CI must run the PostgreSQL suite" >&2
  exit 1
else
  echo "PostgreSQL not reachable: its suite will skip"
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '^bench/testdata/') 2>&1 || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
# Pinned in go.mod (tool directive); staticcheck.conf says which checks.
go tool staticcheck ./...

step "go test -race"
go test -race -count=1 -timeout 12m $(go list ./... | grep -v '/internal/e2e$')

step "browser tests"
# On their own: they check live flows against time limits from the issues
# (all four players see a reveal within a second), which a machine busy
# with the other packages' race-enabled tests can miss.
go test -race -count=1 -timeout 10m ./internal/e2e

step "fuzz (short)"
FUZZTIME="${FUZZTIME:-6s}" ./scripts/fuzz.sh

echo
echo "all tests passed"
