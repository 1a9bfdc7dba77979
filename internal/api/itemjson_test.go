package api

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
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

// TestItemJSONCache: a page read through the cache is byte for byte a
// fresh encoding, after every kind of change an item can see: an edit
// (new version), a move or re-rank (rank only), a Definition of Ready
// change (ready flag and checks only) and a check's wording alone.
func TestItemJSONCache(t *testing.T) {
	v := 5
	base := []scrum.Item{
		{ID: "aaaaaaaaaaaaaaaa", TeamID: "tttttttttttttttt", Number: 1, Type: scrum.TypeStory, Title: "Export CSV",
			Value: &v, Rank: "a0", Version: 1, Status: scrum.StatusNew,
			Readiness: []scrum.ReadinessCheck{{ID: "estimate", Kind: "has_estimate", Criterion: "Estimated"}}},
		{ID: "bbbbbbbbbbbbbbbb", TeamID: "tttttttttttttttt", Number: 2, Type: scrum.TypeBug, Title: "Login <fails>",
			Labels: []string{"auth"}, Rank: "a1", Version: 4, Status: scrum.StatusReady, Ready: true},
	}
	fresh := func(its []scrum.Item) []byte {
		js := make([]itemJSON, len(its))
		for i, it := range its {
			js[i] = toItem(it)
		}
		return appendItemList(nil, js, "")
	}
	c := newItemJSONCache()
	cached := func(its []scrum.Item) []byte {
		b := append([]byte(`{"items":[`), nil...)
		return appendItemListEnd(c.appendItems(b, its), "")
	}
	step := func(name string, its []scrum.Item) {
		t.Helper()
		for range 2 { // the first read may fill the cache, the second reads from it
			if got, want := cached(its), fresh(its); !bytes.Equal(got, want) {
				t.Fatalf("%s: got\n%s\nwant\n%s", name, got, want)
			}
		}
	}
	step("first read", base)
	edited := slices.Clone(base)
	edited[0].Title, edited[0].Version = "Export CSV and JSON", 2
	step("edit", edited)
	moved := slices.Clone(edited)
	moved[1].Rank = "a00"
	step("move", moved)
	dor := slices.Clone(moved)
	dor[1].Ready = false
	dor[1].Readiness = []scrum.ReadinessCheck{{ID: "value", Kind: "has_value", Criterion: "Has a value"}}
	step("definition of ready", dor)
	reworded := slices.Clone(dor)
	reworded[1].Readiness = []scrum.ReadinessCheck{{ID: "value", Kind: "has_value", Criterion: "Has a business value"}}
	step("reworded check", reworded)
}
