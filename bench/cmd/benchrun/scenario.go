package main

import "context"

// Scenario is one named benchmark. Run measures, repeating each figure
// Env.Runs times, and returns tables of raw per-run values; the
// orchestrator summarizes, judges goals and prints them.
type Scenario struct {
	Name  string
	About string
	Run   func(ctx context.Context, e *Env) ([]*Table, error)
	// OnlyByName leaves the scenario out of a run of every scenario (it
	// takes minutes): it runs when named.
	OnlyByName bool
}

// scenarios lists every scenario in the order `./bench/run.sh` runs them.
// To add one, write a file with a func returning a Scenario and list it
// here (see bench/README.md).
func scenarios() []Scenario {
	return []Scenario{
		apiScenario(),
		rssScenario(),
		startupScenario(),
		sseBareScenario(),
		estimationScenario(),
		sqliteBareScenario(),
		backlogScenario(),
		backlogSizeScenario(),
		soakScenario(),
	}
}

// Rotate runs fns, starting with a different one each round (ABBA for
// two), so that no contender always runs first on a drifting machine.
func Rotate(round int, fns ...func() error) error {
	for i := range fns {
		if err := fns[(round+i)%len(fns)](); err != nil {
			return err
		}
	}
	return nil
}
