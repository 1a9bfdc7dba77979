# Tandem. `make run` starts a demo on SQLite; `make test` runs every test.
# These machines default to an older Go; go.mod needs 1.27.3, which the go
# command fetches from the module proxy.
export GOTOOLCHAIN := go1.27.3

.PHONY: run build test bench fuzz vet fmt

run:
	go run ./cmd/tandem serve --demo

build:
	CGO_ENABLED=0 go build -trimpath -o bin/tandem ./cmd/tandem

test:
	./scripts/test.sh

bench:
	./bench/run.sh

fuzz:
	FUZZTIME=60s ./scripts/fuzz.sh

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')
