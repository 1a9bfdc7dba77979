package jsonw

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func marshal(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMatchesEncodingJSON: every appender writes byte for byte what
// encoding/json writes, tricky strings and numbers included.
func TestMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"plain", `quote " back \ slash`, "<script>&amp;", "tab\there\nnew\rret\b\f\x00\x1f\x7f",
		"ünïcødé ✓ 日本", "line\u2028sep\u2029", "bad \xff\xfe utf8", ""} {
		if got, want := string(String(nil, s)), marshal(t, s); got != want {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
	for _, f := range []float64{0, 0.5, 1, 3, 13, 100, 1000, 1e-7, 1.5e-7, 1e21, 123456789012345680000, 0.1 + 0.2,
		math.SmallestNonzeroFloat64, -2.5, -1e-9} {
		if got, want := string(Float(nil, f)), marshal(t, f); got != want {
			t.Errorf("Float(%v) = %s, want %s", f, got, want)
		}
	}
	for _, ss := range [][]string{nil, {}, {"a", "<b>"}} {
		if got, want := string(Strings(nil, ss)), marshal(t, ss); got != want {
			t.Errorf("Strings(%q) = %s, want %s", ss, got, want)
		}
	}
	for _, tm := range []time.Time{time.Date(2026, 11, 27, 9, 5, 1, 123456000, time.UTC),
		time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("x", 3600))} {
		if got, want := string(Time(nil, tm)), marshal(t, tm); got != want {
			t.Errorf("Time(%v) = %s, want %s", tm, got, want)
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("title <b> & \u2028")
	f.Add("\xff\x00\"\\")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(String(nil, s)), marshal(t, s); got != want {
			t.Fatalf("String(%q) = %s, want %s", s, got, want)
		}
	})
}
