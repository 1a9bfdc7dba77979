// Command benchrun is the benchmark orchestrator behind ./bench/run.sh. It
// builds Tandem and the bench tools once, runs the chosen scenarios (all by
// default) against child processes on loopback, prints a markdown report
// and writes the raw figures as JSON under bench/results/.
//
//	benchrun [-runs 3] [-duration 10s] [-warmup 1s] [-workers 32] [-keep] [-list] [-profile] [scenario...]
//
// Every figure is the median of -runs runs, shown with its range, next to a
// bare baseline measured in the same run; see bench/README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

// Report is the JSON written to bench/results/.
type Report struct {
	Started   time.Time         `json:"started"`
	Elapsed   float64           `json:"elapsed_s"`
	Settings  map[string]string `json:"settings"`
	Machine   Machine           `json:"machine"`
	LoadEnd   string            `json:"loadavg_end"`
	Tables    []*Table          `json:"tables"`
	Failures  []string          `json:"failures,omitempty"` // scenarios that could not run
	GoalsMiss []string          `json:"goals_missed,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 3, "runs per figure (the report shows their median and range)")
	duration := fs.Duration("duration", 10*time.Second, "measured length of each load run")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before each load run")
	workers := fs.Int("workers", 32, "closed-loop concurrency of load runs")
	keep := fs.Bool("keep", false, "keep the scratch directory (databases, server logs)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	strict := fs.Bool("strict", false, "exit non-zero when a goal is missed")
	estClients := fs.String("clients", "50,200,500", "live clients of the estimation scenario, comma-separated")
	soak := fs.Duration("soak", 2*time.Minute, "length of the soak scenario (run only when named)")
	profile := fs.Bool("profile", false, "run Tandem with pprof (bench build) and save CPU profiles of load runs to bench/results/")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ./bench/run.sh [flags] [scenario...]")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nscenarios:")
		for _, s := range scenarios() {
			fmt.Fprintf(stderr, "  %-12s %s\n", s.Name, s.About)
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	all := scenarios()
	if *list {
		for _, s := range all {
			fmt.Fprintf(stdout, "%-12s %s\n", s.Name, s.About)
			if s.OnlyByName {
				fmt.Fprintf(stdout, "%-12s (run only when named)\n", "")
			}
		}
		return nil
	}
	chosen := slices.DeleteFunc(slices.Clone(all), func(s Scenario) bool { return s.OnlyByName })
	if fs.NArg() > 0 {
		chosen = nil
		for _, name := range fs.Args() {
			i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == name })
			if i < 0 {
				fs.Usage()
				return fmt.Errorf("unknown scenario %q", name)
			}
			chosen = append(chosen, all[i])
		}
	}
	if *runs < 1 {
		return errors.New("-runs must be at least 1")
	}

	root, err := repoRoot()
	if err != nil {
		return err
	}
	logger := log.New(stderr, "bench: ", log.Ltime)
	started := time.Now()
	rep := Report{Started: started.UTC(), Machine: machine(root), Settings: map[string]string{
		"runs": fmt.Sprint(*runs), "duration": duration.String(), "warmup": warmup.String(), "workers": fmt.Sprint(*workers),
		"scenarios": strings.Join(names(chosen), " "), "clients": *estClients}}

	bin := filepath.Join(root, "bench", "results", ".bin")
	logger.Printf("building tandem, load and bare into %s", bin)
	if err := build(ctx, root, bin); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "tandem-bench-")
	if err != nil {
		return err
	}
	if *keep {
		logger.Printf("scratch directory kept: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	env := &Env{Bin: bin, Work: work, Runs: *runs, Duration: *duration, Warmup: *warmup, Workers: *workers, Log: logger, Soak: *soak}
	for _, f := range strings.Split(*estClients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 12 {
			return fmt.Errorf("-clients: %q is not a client count of at least 12", f)
		}
		env.EstClients = append(env.EstClients, n)
	}
	if *profile {
		env.Profiles = filepath.Join(root, "bench", "results", "profiles-"+started.UTC().Format("20060102-150405"))
	}

	fmt.Fprintf(stdout, "# Tandem benchmarks, %s\n\n", started.UTC().Format(time.RFC3339))
	rep.Machine.Markdown(stdout)
	for _, s := range chosen {
		if ctx.Err() != nil {
			break
		}
		logger.Printf("scenario %s: %s", s.Name, s.About)
		t0 := time.Now()
		tables, err := s.Run(ctx, env)
		if err != nil {
			logger.Printf("scenario %s failed: %v", s.Name, err)
			rep.Failures = append(rep.Failures, s.Name+": "+err.Error())
			fmt.Fprintf(stdout, "### %s — FAILED TO RUN\n\n```\n%v\n```\n\n", s.Name, err)
			continue
		}
		logger.Printf("scenario %s done in %s", s.Name, time.Since(t0).Round(time.Second))
		for _, t := range tables {
			t.Finish()
			t.Markdown(stdout)
			rep.Tables = append(rep.Tables, t)
			for _, r := range t.Rows {
				if r.Pass != nil && !*r.Pass {
					rep.GoalsMiss = append(rep.GoalsMiss, t.Scenario+": "+r.Metric)
				}
			}
		}
	}
	rep.LoadEnd = loadavg()
	rep.Elapsed = time.Since(started).Seconds()
	fmt.Fprintf(stdout, "Load average at end: %s. Whole run: %s.\n", rep.LoadEnd, time.Since(started).Round(time.Second))
	if len(rep.GoalsMiss) > 0 {
		fmt.Fprintf(stdout, "\nGoals missed: %s.\n", strings.Join(rep.GoalsMiss, "; "))
	}
	path, err := writeReport(root, rep)
	if err != nil {
		return err
	}
	logger.Printf("figures written to %s", path)
	switch {
	case len(rep.Failures) > 0:
		return fmt.Errorf("%d scenario(s) failed to run", len(rep.Failures))
	case *strict && len(rep.GoalsMiss) > 0:
		return fmt.Errorf("%d goal(s) missed", len(rep.GoalsMiss))
	}
	return nil
}

func names(ss []Scenario) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

// repoRoot finds the module root from the working directory upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/tandemhq/tandem\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the tandem repository")
		}
		dir = parent
	}
}

// build compiles the binaries once, as `make build` does.
func build(ctx context.Context, root, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin+string(filepath.Separator),
		"./cmd/tandem", "./bench/cmd/load", "./bench/cmd/bare", "./bench/cmd/tandemprof", "./bench/cmd/estseed")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

func writeReport(root string, rep Report) (string, error) {
	dir := filepath.Join(root, "bench", "results")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "bench-"+rep.Started.Format("20060102-150405")+".json")
	if err := os.WriteFile(path, b, 0o640); err != nil {
		return "", err
	}
	return path, os.WriteFile(filepath.Join(dir, "latest.json"), b, 0o640)
}
