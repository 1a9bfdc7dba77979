package scrum

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func modFib(t *testing.T) Deck {
	t.Helper()
	d, ok := BuiltinDeck(DeckModifiedFibonacci, nil)
	if !ok {
		t.Fatal("no modified Fibonacci deck")
	}
	return d
}

// show renders stats compactly: distribution, average, median, spread,
// consensus, suggested card, low and high.
func show(st VoteStats) string {
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	var dist []string
	for _, c := range st.Distribution {
		dist = append(dist, fmt.Sprintf("%s×%d", c.Card, c.Count))
	}
	return fmt.Sprintf("[%s] avg=%s med=%s spread=%d consensus=%v suggest=%q low=%q high=%q",
		strings.Join(dist, " "), f(st.Average), f(st.Median), st.Spread, st.Consensus, st.Suggested, st.Low, st.High)
}

func TestDeckStats(t *testing.T) {
	mf := modFib(t)
	tshirt, _ := BuiltinDeck(DeckTShirt, nil)
	runes := CustomDeck{Name: "Runes", Cards: []string{"1", "3", "Z9", "Q7"}}.Deck()
	labels := CustomDeck{Name: "Moods", Cards: []string{"meh", "ok", "yay"}}.Deck()
	// A deck a team typed from large to small.
	down := CustomDeck{Name: "Down", Cards: []string{"8", "5", "3", "1"}}.Deck()
	tests := []struct {
		name  string
		deck  Deck
		votes []string
		want  string
	}{
		{"no votes", mf, nil, `[] avg=- med=- spread=0 consensus=false suggest="" low="" high=""`},
		{"everyone agrees", mf, []string{"8", "8", "8"}, `[8×3] avg=8 med=8 spread=0 consensus=true suggest="8" low="" high=""`},
		{"distribution in deck order, not vote order", mf, []string{"13", "½", "3", "13"},
			`[½×1 3×1 13×2] avg=7.38 med=8 spread=6 consensus=false suggest="8" low="½" high="13"`},
		{"? and ☕ are counted but not sized", mf, []string{"5", "3", "5", "?", "☕"},
			`[3×1 5×2 ?×1 ☕×1] avg=4.33 med=5 spread=1 consensus=false suggest="5" low="3" high="5"`},
		{"agreeing sizes with an unsure vote are no consensus", mf, []string{"8", "?", "8"},
			`[8×2 ?×1] avg=8 med=8 spread=0 consensus=false suggest="8" low="" high=""`},
		{"only unsized votes", mf, []string{"?", "☕"}, `[?×1 ☕×1] avg=- med=- spread=0 consensus=false suggest="" low="" high=""`},
		{"a tie between two cards rounds up", mf, []string{"3", "5"}, `[3×1 5×1] avg=4 med=4 spread=1 consensus=false suggest="5" low="3" high="5"`},
		{"even count: median between the middle two", mf, []string{"1", "2", "3", "8"},
			`[1×1 2×1 3×1 8×1] avg=3.5 med=2.5 spread=4 consensus=false suggest="3" low="1" high="8"`},
		{"half points", mf, []string{"½", "1"}, `[½×1 1×1] avg=0.75 med=0.75 spread=1 consensus=false suggest="1" low="½" high="1"`},
		{"nearest card to a median between cards", mf, []string{"2", "13"},
			`[2×1 13×1] avg=7.5 med=7.5 spread=4 consensus=false suggest="8" low="2" high="13"`},
		{"average rounded to cents", mf, []string{"1", "1", "2"}, `[1×2 2×1] avg=1.33 med=1 spread=1 consensus=false suggest="1" low="1" high="2"`},
		{"T-shirt sizes have no average", tshirt, []string{"S", "XL", "M"},
			`[S×1 M×1 XL×1] avg=- med=3 spread=3 consensus=false suggest="M" low="S" high="XL"`},
		{"T-shirt tie rounds up", tshirt, []string{"M", "L"}, `[M×1 L×1] avg=- med=4 spread=1 consensus=false suggest="L" low="M" high="L"`},
		{"custom deck: labels counted, numbers sized", runes, []string{"Z9", "3", "Q7", "3"},
			`[3×2 Z9×1 Q7×1] avg=3 med=3 spread=0 consensus=false suggest="3" low="" high=""`},
		{"custom deck of labels only", labels, []string{"ok", "yay"}, `[ok×1 yay×1] avg=- med=- spread=0 consensus=false suggest="" low="" high=""`},
		{"a descending deck still rounds a tie up", down, []string{"3", "5"},
			`[5×1 3×1] avg=4 med=4 spread=1 consensus=false suggest="5" low="3" high="5"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := show(tt.deck.Stats(tt.votes)); got != tt.want {
				t.Errorf("Stats(%q):\n got %s\nwant %s", tt.votes, got, tt.want)
			}
		})
	}
}

// TestRevealOutliers: the lowest and highest voters explain first; nobody
// is an outlier when everyone agreed.
func TestRevealOutliers(t *testing.T) {
	ses := Estimation{ID: "session", Deck: modFib(t)}
	votes := []Vote{{VoterID: "a", Card: "2"}, {VoterID: "b", Card: "5"}, {VoterID: "c", Card: "13"}, {VoterID: "d", Card: "?"}, {VoterID: "e", Card: "2"}}
	p := NewRevealPayload(ses, "item", 1, votes)
	var out []string
	for _, v := range p.Votes {
		if v.Outlier {
			out = append(out, v.UserID)
		}
	}
	if !slices.Equal(out, []string{"a", "c", "e"}) {
		t.Errorf("got outliers %v, want a, c and e (2 and 13)", out)
	}
	if p.Stats.Suggested != "3" || len(p.Stats.Distribution) != 4 {
		t.Errorf("got stats %+v, want 4 bars and 3 (nearest the median 3.5, rounded up) suggested", p.Stats)
	}
	p = NewRevealPayload(ses, "item", 1, []Vote{{VoterID: "a", Card: "3"}, {VoterID: "b", Card: "3"}})
	if p.Votes[0].Outlier || p.Votes[1].Outlier || !p.Stats.Consensus {
		t.Errorf("got %+v, want consensus and no outliers", p)
	}
	if p := NewRevealPayload(ses, "item", 1, nil); p.Votes == nil || p.Stats.Distribution == nil {
		t.Errorf("got %+v, want empty lists (JSON []), not null", p)
	}
}

func TestBuiltinDecks(t *testing.T) {
	mf := modFib(t)
	if got := strings.Join(mf.Cards, " "); got != "0 ½ 1 2 3 5 8 13 20 40 100 ? ☕" {
		t.Errorf("got modified Fibonacci %s", got)
	}
	if mf.Points["½"] != 0.5 || mf.Points["100"] != 100 {
		t.Errorf("got points %v", mf.Points)
	}
	for _, c := range []string{CardUnsure, CardCoffee} {
		if _, ok := mf.Points[c]; ok {
			t.Errorf("%s has points; it must not be accepted as a size", c)
		}
	}
	for _, k := range BuiltinDeckKinds() {
		d, ok := BuiltinDeck(k, nil)
		if !ok || !d.Has(CardUnsure) || len(d.Cards) < 6 {
			t.Errorf("%s: got %+v, want a deck with ?", k, d)
		}
	}
	if _, ok := BuiltinDeck(DeckCustom, nil); ok {
		t.Error("custom is not a built-in deck")
	}
	tshirt, _ := BuiltinDeck(DeckTShirt, map[string]float64{"XS": 1, "S": 2, "M": 4, "L": 8, "XL": 16, "XXL": 32})
	if tshirt.Points["M"] != 4 || tshirt.Numeric() {
		t.Errorf("got T-shirt %+v, want the team's points and no average", tshirt)
	}
}

func TestCustomDeckValidation(t *testing.T) {
	long := strings.Repeat("n", MaxDeckNameLen+1)
	many := make([]string, MaxDeckCards+1)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	tests := []struct {
		name       string
		deck       CustomDeck
		wantFields []string // empty: valid
	}{
		{"numbers and labels", CustomDeck{Name: " Runes ", Cards: []string{" 1", "3 ", "Z9", "½"}}, nil},
		{"no name", CustomDeck{Name: "  ", Cards: []string{"1", "2"}}, []string{"d.name"}},
		{"a name too long", CustomDeck{Name: long, Cards: []string{"1", "2"}}, []string{"d.name"}},
		{"one card", CustomDeck{Name: "One", Cards: []string{"1"}}, []string{"d.cards"}},
		{"too many cards", CustomDeck{Name: "Many", Cards: many}, []string{"d.cards"}},
		{"an empty card", CustomDeck{Name: "E", Cards: []string{"1", " "}}, []string{"d.cards"}},
		{"a card too long", CustomDeck{Name: "L", Cards: []string{"1", "123456789"}}, []string{"d.cards"}},
		{"a card twice once trimmed", CustomDeck{Name: "Twice", Cards: []string{"1", " 1"}}, []string{"d.cards"}},
		{"bad UTF-8", CustomDeck{Name: "U", Cards: []string{"1", "\xff"}}, []string{"d.cards"}},
		{"no name and one card", CustomDeck{Cards: []string{"1"}}, []string{"d.name", "d.cards"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validation
			got := normalizeCustomDeck("d", tt.deck, &v)
			var fields []string
			for _, f := range fieldsOf(&v) {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Fatalf("got fields %v, want %v", fields, tt.wantFields)
			}
			if len(tt.wantFields) == 0 && (got.Name != "Runes" || strings.Join(got.Cards, ",") != "1,3,Z9,½") {
				t.Errorf("got %+v, want the name and cards trimmed", got)
			}
		})
	}
	d := CustomDeck{Name: "Mixed", Cards: []string{"1", "2.5", "Z9", "-1", "NaN", "1e9", "½"}}.Deck()
	if fmt.Sprint(d.Points) != "map[1:1 2.5:2.5 ½:0.5]" || !d.Numeric() || d.Kind != DeckCustom {
		t.Errorf("got %+v, want points for the cards that are sizes only", d)
	}
	if (CustomDeck{Name: "Moods", Cards: []string{"meh", "ok"}}).Deck().Numeric() {
		t.Error("a deck of labels is not numeric")
	}
}

// TestSessionViewSecrecy: before a reveal a member sees who voted and their
// own card, never anyone else's; revealed and finished rounds show all.
func TestSessionViewSecrecy(t *testing.T) {
	ses := Estimation{ID: "session", Deck: modFib(t), State: SessionLive, Current: "one", Queue: []Entry{
		{ItemID: "one", State: EntryCurrent, Round: 2},
		{ItemID: "two", State: EntryPending, Round: 1},
		{ItemID: "three", State: EntrySkipped, Round: 1},
	}}
	votes := []Vote{
		{ItemID: "one", Round: 1, VoterID: devID, Card: "3"},
		{ItemID: "one", Round: 1, VoterID: poID, Card: "8"},
		{ItemID: "one", Round: 2, VoterID: devID, Card: "5"},
		{ItemID: "two", Round: 1, VoterID: poID, Card: "13"},
		{ItemID: "three", Round: 1, VoterID: devID, Card: "20"},
		{ItemID: "elsewhere", Round: 1, VoterID: devID, Card: "40"},
	}
	r := testRoster(fourRoles())
	// cards lists every card the view shows: own votes and revealed ones.
	cards := func(sv SessionView) []string {
		var out []string
		for _, c := range sv.Mine {
			out = append(out, c)
		}
		for _, rs := range sv.Rounds {
			for _, r := range rs {
				for _, v := range r.Votes {
					out = append(out, v.Card)
				}
			}
		}
		slices.Sort(out)
		return out
	}

	sv := viewSession(ses, r, votes, stkID)
	if got := cards(sv); !slices.Equal(got, []string{"3", "8"}) {
		t.Errorf("a stakeholder sees cards %v, want only the revealed round's 3 and 8", got)
	}
	if len(sv.Rounds["one"]) != 1 || sv.Rounds["one"][0].Round != 1 {
		t.Errorf("got rounds %+v, want round 1 of item one only (it was revealed before the re-vote)", sv.Rounds["one"])
	}
	if !slices.Equal(sv.Voted["one"], []string{devID}) || !slices.Equal(sv.Voted["two"], []string{poID}) || len(sv.Mine) != 0 {
		t.Errorf("got voted %v mine %v, want who voted in each current round and no cards", sv.Voted, sv.Mine)
	}
	if sv.CanVote || sv.CanFacilitate {
		t.Errorf("a stakeholder may vote %v, facilitate %v", sv.CanVote, sv.CanFacilitate)
	}
	sv = viewSession(ses, r, votes, devID)
	if sv.Mine["one"] != "5" || len(sv.Mine) != 2 || !sv.CanVote {
		t.Errorf("got mine %v, want Lena's own current cards", sv.Mine)
	}
	if got := cards(sv); !slices.Equal(got, []string{"20", "3", "5", "8"}) {
		t.Errorf("Lena sees cards %v, want the revealed 3 and 8 and her own 5 and 20, never the Product Owner's 13", got)
	}
	sv = viewSession(ses, r, votes, smID)
	if !sv.CanFacilitate || sv.CanVote {
		t.Errorf("the Scrum Master: facilitate %v vote %v, want facilitate only", sv.CanFacilitate, sv.CanVote)
	}
	ses.Queue[0].Revealed = true
	sv = viewSession(ses, r, votes, stkID)
	if rs := sv.Rounds["one"]; len(rs) != 2 || len(rs[1].Votes) != 1 || rs[1].Votes[0].Card != "5" {
		t.Errorf("after the reveal got rounds %+v, want round 2 shown", rs)
	}
	ses.ProductOwnerVotes = true
	if sv := viewSession(ses, r, votes, poID); !sv.CanVote || len(sv.Voters) != 2 {
		t.Errorf("with product_owner_votes the Product Owner may vote: got %v, voters %v", sv.CanVote, sv.Voters)
	}
}
