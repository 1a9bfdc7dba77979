package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/tandemhq/tandem/bench/internal/stats"
)

// Table is one scenario's figures: each row holds one value per run for
// the subject (Tandem, usually) and for its baseline.
type Table struct {
	Scenario string   `json:"scenario"`
	Title    string   `json:"title"`
	Subject  string   `json:"subject"`  // column heading, e.g. "tandem"
	Baseline string   `json:"baseline"` // e.g. "bare net/http"; "" when there is none
	Rows     []*Row   `json:"rows"`
	Notes    []string `json:"notes,omitempty"`
}

// Row is one metric.
type Row struct {
	Metric   string        `json:"metric"`
	Unit     string        `json:"unit"`
	Subject  stats.Samples `json:"subject"`
	Baseline stats.Samples `json:"baseline,omitempty"`
	Goal     *Goal         `json:"goal,omitempty"`

	// Filled in by Finish.
	SubjectSum  stats.Summary  `json:"subject_summary"`
	BaselineSum *stats.Summary `json:"baseline_summary,omitempty"`
	// Ratio is subject/baseline of each run, summarized: paired runs sit
	// close together in time, so their ratio cancels much of the noise.
	Ratio *stats.Summary `json:"ratio,omitempty"`
	Pass  *bool          `json:"pass,omitempty"`
}

// Goal is what a row must reach, judged on the median.
type Goal struct {
	OnRatio bool    `json:"on_ratio"` // judge the ratio, not the subject's value
	AtMost  bool    `json:"at_most"`  // ≤ Value; otherwise ≥ Value
	Value   float64 `json:"value"`    // a ratio is a fraction: 0.5 is 50%
}

func (g Goal) String() string {
	op := "≥"
	if g.AtMost {
		op = "≤"
	}
	if g.OnRatio {
		return fmt.Sprintf("ratio %s %s", op, pct(g.Value))
	}
	return fmt.Sprintf("%s %s", op, num(g.Value))
}

// Add appends a row and returns it, so a scenario can fill its values.
func (t *Table) Add(metric, unit string, goal *Goal) *Row {
	r := &Row{Metric: metric, Unit: unit, Goal: goal}
	t.Rows = append(t.Rows, r)
	return r
}

// Finish summarizes every row and judges the goals.
func (t *Table) Finish() {
	for _, r := range t.Rows {
		r.SubjectSum = stats.Summarize(r.Subject)
		if t.Baseline != "" && len(r.Baseline) > 0 {
			b := stats.Summarize(r.Baseline)
			r.BaselineSum = &b
			ra := stats.Summarize(stats.Ratios(r.Subject, r.Baseline))
			r.Ratio = &ra
		}
		if r.Goal == nil {
			continue
		}
		v := r.SubjectSum.Median
		if r.Goal.OnRatio {
			v = math.NaN()
			if r.Ratio != nil {
				v = r.Ratio.Median
			}
		}
		pass := !math.IsNaN(v) && (r.Goal.AtMost && v <= r.Goal.Value || !r.Goal.AtMost && v >= r.Goal.Value)
		r.Pass = &pass
	}
}

// Markdown writes the table: metric | subject | baseline | ratio | goal | pass/fail.
func (t *Table) Markdown(w io.Writer) {
	fmt.Fprintf(w, "### %s — %s\n\n", t.Scenario, t.Title)
	base := t.Baseline
	if base == "" {
		base = "baseline"
	}
	fmt.Fprintf(w, "| metric | %s (median, min–max) | %s (median, min–max) | ratio | goal | pass/fail |\n", t.Subject, base)
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range t.Rows {
		baseCell, ratioCell := "—", "—"
		if r.BaselineSum != nil {
			baseCell = summary(*r.BaselineSum, r.Unit)
		}
		if r.Ratio != nil && r.Ratio.N > 0 {
			ratioCell = fmt.Sprintf("%s (%s–%s)", pct(r.Ratio.Median), pct(r.Ratio.Min), pct(r.Ratio.Max))
		}
		goal, verdict := "—", "—"
		if r.Goal != nil {
			goal = r.Goal.String()
			switch {
			case r.Goal.OnRatio || r.Unit == "":
			case r.Unit == "%":
				goal += "%"
			default:
				goal += " " + r.Unit
			}
			verdict = "**FAIL**"
			if *r.Pass {
				verdict = "pass"
			}
		}
		metric := r.Metric
		if r.Unit != "" {
			metric += " (" + r.Unit + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", metric, summary(r.SubjectSum, r.Unit), baseCell, ratioCell, goal, verdict)
	}
	for _, n := range t.Notes {
		fmt.Fprintf(w, "\n%s\n", n)
	}
	fmt.Fprintln(w)
}

func summary(s stats.Summary, unit string) string {
	if s.N == 0 {
		return "n/a"
	}
	if s.N == 1 {
		return num(s.Median)
	}
	return fmt.Sprintf("%s (%s–%s)", num(s.Median), num(s.Min), num(s.Max))
}

// num prints a figure with precision fit to its size.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "n/a"
	case a >= 1000:
		return addThousands(fmt.Sprintf("%.0f", v))
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	case a == 0:
		return "0"
	}
	return fmt.Sprintf("%.3f", v)
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", v*100)
}

func addThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
