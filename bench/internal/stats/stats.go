// Package stats holds the few statistics the benchmarks report: exact
// percentiles of a sample, and the median with its range over repeated runs.
package stats

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Percentile returns the p-th percentile (0–100) of xs by linear
// interpolation between the closest ranks. xs need not be sorted and is not
// changed. It returns NaN for an empty sample.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return SortedPercentile(s, p)
}

// SortedPercentile is Percentile for a sample already sorted ascending,
// which lets a caller take several percentiles after one sort.
func SortedPercentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	p = min(max(p, 0), 100)
	rank := p / 100 * float64(n-1)
	lo := int(math.Floor(rank))
	hi := int(math.Ceil(rank))
	if lo == hi {
		return sorted[lo]
	}
	return sorted[lo] + (sorted[hi]-sorted[lo])*(rank-float64(lo))
}

// DurationPercentiles returns the given percentiles of ds in milliseconds.
// It sorts ds in place.
func DurationPercentiles(ds []time.Duration, ps ...float64) []float64 {
	slices.Sort(ds)
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = SortedPercentile(ms, p)
	}
	return out
}

// Median returns the median of xs (the mean of the middle two for an even
// count), or NaN for an empty sample.
func Median(xs []float64) float64 { return Percentile(xs, 50) }

// Summary is how every figure is reported: the median of repeated runs and
// the range they spanned.
type Summary struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

// Summarize returns the median, minimum and maximum of xs, ignoring NaNs.
func Summarize(xs []float64) Summary {
	clean := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			clean = append(clean, x)
		}
	}
	if len(clean) == 0 {
		return Summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	return Summary{Median: Median(clean), Min: slices.Min(clean), Max: slices.Max(clean), N: len(clean)}
}

// Ratios returns a[i]/b[i] for each pair, NaN where a pair is missing or
// b[i] is zero. Ratios of paired runs, taken close together in time, are
// steadier on a noisy machine than a ratio of two medians.
func Ratios(a, b []float64) []float64 {
	n := max(len(a), len(b))
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
		if i < len(a) && i < len(b) && b[i] != 0 {
			out[i] = a[i] / b[i]
		}
	}
	return out
}

// MarshalJSON writes NaN figures (no data) as null, which JSON can carry.
func (s Summary) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"median":%s,"min":%s,"max":%s,"n":%d}`,
		jsonFloat(s.Median), jsonFloat(s.Min), jsonFloat(s.Max), s.N)), nil
}

// Samples is a list of figures that marshals NaN as null.
type Samples []float64

// MarshalJSON implements json.Marshaler.
func (xs Samples) MarshalJSON() ([]byte, error) {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = jsonFloat(x)
	}
	return []byte("[" + strings.Join(parts, ",") + "]"), nil
}

func jsonFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "null"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
