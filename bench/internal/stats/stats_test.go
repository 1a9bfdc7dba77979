package stats

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3} // unsorted on purpose
	tests := []struct {
		p, want float64
	}{
		{0, 1}, {25, 2}, {50, 3}, {75, 4}, {100, 5},
		{10, 1.4}, {99, 4.96}, {-5, 1}, {150, 5},
	}
	for _, tt := range tests {
		if got := Percentile(xs, tt.p); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Percentile(%v, %v) = %v, want %v", xs, tt.p, got, tt.want)
		}
	}
	if xs[0] != 5 {
		t.Errorf("Percentile sorted its input: got xs[0]=%v, want 5", xs[0])
	}
	if got := Percentile(nil, 50); !math.IsNaN(got) {
		t.Errorf("Percentile(nil) = %v, want NaN", got)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := Median(tt.xs); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	got := Summarize([]float64{30, math.NaN(), 10, 20})
	want := Summary{Median: 20, Min: 10, Max: 30, N: 3}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if s := Summarize(nil); !math.IsNaN(s.Median) || s.N != 0 {
		t.Errorf("Summarize(nil) = %+v, want NaN median and N=0", s)
	}
}

func TestRatios(t *testing.T) {
	got := Ratios([]float64{10, 9, 8}, []float64{20, 0})
	if got[0] != 0.5 || !math.IsNaN(got[1]) || !math.IsNaN(got[2]) {
		t.Errorf("Ratios = %v, want [0.5 NaN NaN]", got)
	}
}

func TestDurationPercentiles(t *testing.T) {
	ds := []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}
	got := DurationPercentiles(ds, 50, 100)
	if got[0] != 2 || got[1] != 3 {
		t.Errorf("DurationPercentiles = %v, want [2 3]", got)
	}
}

func TestSummaryJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		S Summary
		X Samples
	}{S: Summarize(nil), X: Samples{1.5, math.NaN()}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"S":{"median":null,"min":null,"max":null,"n":0},"X":[1.5,null]}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
