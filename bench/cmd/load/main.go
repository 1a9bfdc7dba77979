// Command load is the benchmarks' load generator. It runs as its own
// process, so its CPU and memory never count against the server measured,
// and prints its figures as JSON on stdout.
//
//	load attack -url U [-method GET] [-header 'K: V']... [-body S | -body-file F]
//	            [-workers 32] [-rate 0] [-duration 10s] [-warmup 1s]
//	load swarm  -url U -clients N -events K [-header 'K: V']... [-tokens FILE]
//	            [-type T] [-timeout 30s] [-hold]
//
// attack drives vegeta: -rate 0 is a closed loop of -workers concurrent
// requests as fast as the server answers; -rate R is vegeta's open model,
// R requests per second whatever the latency. swarm opens N EventSource-like
// streams and records when each client receives each event.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: load attack|swarm [flags]")
	}
	switch args[0] {
	case "attack":
		return attack(ctx, args[1:], stdout, stderr)
	case "swarm":
		return swarm(ctx, args[1:], stdin, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q (want attack or swarm)", args[0])
}

// headerFlags collects repeated -header 'Name: value' flags.
type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }

func (h *headerFlags) Set(v string) error {
	if name, _, ok := strings.Cut(v, ":"); !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("header %q is not 'Name: value'", v)
	}
	*h = append(*h, v)
	return nil
}

func (h headerFlags) apply(set func(name, value string)) {
	for _, kv := range h {
		name, value, _ := strings.Cut(kv, ":")
		set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
}
