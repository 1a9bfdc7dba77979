package scrum

import (
	"encoding/json"
	"math"
	"testing"
)

func samplePayload(title string, est float64, parent string) ItemPayload {
	v := -3
	return NewItemPayload(Item{ID: "abcdefghijklmnop", Number: 42, Type: TypeBug, Title: title, Description: title + "\n<b>",
		AcceptanceCriteria: []Criterion{{Text: title, Done: true}, {Text: "second"}}, Value: &v, Estimate: &est,
		Labels: []string{"web", title}, ParentID: parent, Status: StatusRefining, GoalLinked: true, Ready: false,
		Readiness: []ReadinessCheck{{ID: "estimate", Kind: "has_estimate", Criterion: "Estimated <&>", Met: true}},
		Rank:      "a0V~", Version: 7})
}

func checkPayload(t *testing.T, p ItemPayload) {
	t.Helper()
	want, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.AppendJSON(nil); string(got) != string(want) {
		t.Fatalf("AppendJSON:\n%s\njson.Marshal:\n%s", got, want)
	}
	e, err := NewEvent("t", EventItemCreated, p.ID, "u", p)
	if err != nil || string(e.Data) != string(want) {
		t.Fatalf("NewEvent data %s, %v; want %s", e.Data, err, want)
	}
}

// TestItemPayloadAppendMatchesMarshal: the item.created event written by
// hand is byte for byte what json.Marshal writes, so live clients and the
// stored history see the same contract as before.
func TestItemPayloadAppendMatchesMarshal(t *testing.T) {
	checkPayload(t, ItemPayload{})
	checkPayload(t, NewItemPayload(Item{}))
	for _, title := range []string{"plain", `quote " back \ slash`, "tab\there\x00", "ünïcødé ✓", "line\u2028sep", "bad \xff utf8", ""} {
		for _, est := range []float64{0, 0.5, 13, 1e-7, 1e21, 0.1 + 0.2} {
			checkPayload(t, samplePayload(title, est, ""))
			checkPayload(t, samplePayload(title, est, "parentparentpare"))
		}
	}
	p := samplePayload("x", 1, "")
	p.Value, p.Estimate, p.Readiness, p.Labels, p.AcceptanceCriteria = nil, nil, []ReadinessPayload{}, []string{}, []Criterion{}
	checkPayload(t, p)
}

func FuzzItemPayload(f *testing.F) {
	f.Add("title", 3.0, "p", "label")
	f.Add("\xff\u2028\"<>", 1e-9, "", "")
	f.Fuzz(func(t *testing.T, title string, est float64, parent, label string) {
		if math.IsNaN(est) || math.IsInf(est, 0) {
			return // not an estimate; json.Marshal refuses them too
		}
		p := samplePayload(title, est, parent)
		p.Labels = append(p.Labels, label)
		checkPayload(t, p)
	})
}
