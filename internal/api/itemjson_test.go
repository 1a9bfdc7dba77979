package api

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

func sampleItem(title, desc string, est float64) itemJSON {
	v, p := 40, "parentparentpare"
	return itemJSON{ID: "abcdefghijklmnop", TeamID: "qrstuvwxyz234567", Number: 12, Type: "story", Title: title,
		Description: desc, AcceptanceCriteria: []scrum.Criterion{{Text: desc, Done: true}, {Text: "b"}}, Value: &v, Estimate: &est,
		Labels: []string{"web", title}, ParentID: &p, Status: "ready", GoalLinked: true, Ready: true,
		Readiness: []readinessJSON{{Criterion: "Has <criteria>", Met: true, ID: "acceptance-criteria", Kind: "has_acceptance_criteria"}},
		Rank:      "a0V~", Version: 3, CreatedAt: time.Date(2026, 11, 27, 9, 5, 1, 123456000, time.UTC), CreatedBy: "u",
		UpdatedAt: time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("x", 3600))}
}

func stdList(t testing.TB, items []itemJSON, next string) []byte {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(newList(items, next)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestItemAppendMatchesEncodingJSON: the hand-written list encoder writes
// byte for byte what encoding/json writes, tricky strings and numbers
// included.
func TestItemAppendMatchesEncodingJSON(t *testing.T) {
	titles := []string{"plain", `quote " back \ slash`, "<script>&amp;", "tab\there\nnew\rret\b\f\x00\x1f\x7f",
		"ünïcødé ✓ 日本", "line\u2028sep\u2029", "bad \xff\xfe utf8", ""}
	floats := []float64{0, 0.5, 1, 3, 13, 100, 1000, 1e-7, 1.5e-7, 1e21, 123456789012345680000, 0.1 + 0.2, math.SmallestNonzeroFloat64}
	var items []itemJSON
	for i, ti := range titles {
		items = append(items, sampleItem(ti, titles[len(titles)-1-i], floats[i%len(floats)]))
	}
	for _, f := range floats {
		items = append(items, sampleItem("f", "d", f))
	}
	bare := itemJSON{Labels: nil, AcceptanceCriteria: nil}
	items = append(items, bare)
	for _, next := range []string{"", "cursor<&>"} {
		want, got := stdList(t, items, next), appendItemList(nil, items, next)
		if !bytes.Equal(got, want) {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	}
	if got, want := appendItemList(nil, []itemJSON{}, ""), stdList(t, nil, ""); !bytes.Equal(got, want) {
		t.Errorf("empty: got %s, want %s", got, want)
	}
}

func FuzzItemAppend(f *testing.F) {
	f.Add("title", "desc <b>", 3.0, "label")
	f.Add("\xff\u2028\"", "\x00", 1e-9, "")
	f.Fuzz(func(t *testing.T, title, desc string, est float64, label string) {
		if math.IsNaN(est) || math.IsInf(est, 0) {
			return // not an estimate; encoding/json refuses them too
		}
		it := sampleItem(title, desc, est)
		it.Labels = []string{label}
		items := []itemJSON{it}
		if want, got := stdList(t, items, label), appendItemList(nil, items, label); !bytes.Equal(got, want) {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	})
}
