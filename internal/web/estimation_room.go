package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// roomView is the planning-poker room as one member sees it. The page
// renders it once; estimation.js fetches it again as a fragment after
// every event of the session, so late joiners, reloads and reconnects all
// see exactly the current state.
type roomView struct {
	Base          string // /teams/{team}
	Self          string // the room's own path
	Team          string
	Ses           scrum.Estimation
	LastSeq       int64
	Me            string
	CanFacilitate bool
	CanVote       bool
	Facilitators  []scrum.Person
	Queue         []roomEntry
	Current       *roomEntry
	// Target is the item the deck votes on: the current item, or in the
	// waiting state the queued item the voter picked (async voting).
	Target    *roomEntry
	Seats     []seat
	Observers []scrum.Member
	Voters    int
	Reveal    *revealView
	Summary   roomSummary
	Timers    []int // the timer lengths the facilitator can start, in seconds
	// Addable are open items near the top of the backlog that are not in
	// the queue: what the facilitator may add (only filled for them).
	Addable []scrum.Item
}

// maxAddable is how far down the backlog the "add to the queue" list looks.
const maxAddable = 100

// roomEntry is one queued item with what the viewer may know of its votes.
type roomEntry struct {
	Pos     int
	Entry   scrum.Entry
	Item    scrum.Item
	Voted   []string
	Mine    string
	Rounds  []scrum.RevealPayload
	Seconds int
}

// seat is one voter at the table for the target item.
type seat struct {
	UserID   string
	Name     string
	You      bool
	Voted    bool
	Card     string // revealed card
	Revealed bool
	Outlier  bool
}

// revealView is the last revealed round of the current item.
type revealView struct {
	Round     int
	Votes     int
	Rows      []distRow
	Average   string
	Median    string
	Spread    int
	Low, High string
	Consensus bool
	Suggested string
	Outliers  []string // names of who should explain first
}

type distRow struct {
	Card    string
	Count   int
	Names   []string
	Top     bool
	Outlier bool
}

type roomSummary struct {
	Estimated, Skipped, Pending, Rounds int
	Seconds                             int
}

// State helpers for the templates.
func (v roomView) Waiting() bool { return v.Ses.State == scrum.SessionWaiting }
func (v roomView) Live() bool    { return v.Ses.State == scrum.SessionLive }
func (v roomView) Closed() bool  { return v.Ses.State == scrum.SessionClosed }

// TimerEnds is the round timer's end for the page's countdown, or "".
func (v roomView) TimerEnds() string {
	if v.Ses.TimerEnds.IsZero() || !v.Ses.TimerEnds.After(time.Now()) {
		return ""
	}
	return v.Ses.TimerEnds.UTC().Format(time.RFC3339)
}

// Facilitating names who runs the session, for everyone else.
func (v roomView) FacilitatorNames() string {
	names := make([]string, 0, len(v.Facilitators))
	for _, p := range v.Facilitators {
		names = append(names, p.Name)
	}
	return orList(names)
}

// VotingClosed reports whether the deck is shut: the target is the
// current item and its round is revealed.
func (v roomView) VotingClosed() bool {
	return v.Current != nil && v.Target == v.Current && v.Current.Entry.Revealed
}

// IsTarget reports whether the deck votes on itemID.
func (v roomView) IsTarget(itemID string) bool {
	return v.Target != nil && v.Target.Entry.ItemID == itemID
}

// AcceptCards are the cards with points: only those can be accepted.
func (v roomView) AcceptCards() []string {
	var out []string
	for _, c := range v.Ses.Deck.Cards {
		if _, ok := v.Ses.Deck.Points[c]; ok {
			out = append(out, c)
		}
	}
	return out
}

// Suggested is the card the accept control preselects.
func (v roomView) Suggested() string {
	if v.Reveal == nil {
		return ""
	}
	return v.Reveal.Suggested
}

// VotedCount is how many voters voted on the target item this round.
func (v roomView) VotedCount() int {
	if v.Target == nil {
		return 0
	}
	return len(v.Target.Voted)
}

func orList(names []string) string {
	switch len(names) {
	case 0:
		return "nobody yet"
	case 1:
		return names[0]
	}
	out := ""
	for i, n := range names[:len(names)-1] {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out + " or " + names[len(names)-1]
}

func (w *Web) loadRoom(r *http.Request, a scrum.Actor) (roomView, error) {
	ctx := r.Context()
	team, id := r.PathValue("team"), r.PathValue("id")
	sv, err := w.svc.Estimation(ctx, a, id)
	if err != nil {
		return roomView{}, err
	}
	ses := sv.Estimation
	if ses.TeamID != team {
		return roomView{}, scrum.NotFound("estimation session")
	}
	v := roomView{Base: "/teams/" + team, Team: team, Ses: ses, Me: a.User.ID, CanFacilitate: sv.CanFacilitate,
		CanVote: sv.CanVote, Facilitators: sv.Facilitators, Voters: len(sv.Voters),
		Timers: []int{60, 120, 180, 300}}
	v.Self = v.Base + "/estimation/" + ses.ID
	if v.LastSeq, err = w.svc.LastEventSeq(ctx, a, team); err != nil {
		return v, err
	}
	items := map[string]scrum.Item{}
	for _, it := range sv.Items {
		items[it.ID] = it
	}
	now := time.Now()
	for i, e := range ses.Queue {
		it, ok := items[e.ItemID]
		if !ok {
			continue // deleted since: nothing to show
		}
		re := roomEntry{Pos: i + 1, Entry: e, Item: it, Voted: sv.Voted[e.ItemID], Mine: sv.Mine[e.ItemID], Rounds: sv.Rounds[e.ItemID]}
		switch {
		case !e.FinishedAt.IsZero() && !e.StartedAt.IsZero():
			re.Seconds = int(e.FinishedAt.Sub(e.StartedAt).Seconds())
		case !e.StartedAt.IsZero() && ses.State != scrum.SessionClosed:
			re.Seconds = int(now.Sub(e.StartedAt).Seconds())
		}
		switch e.State {
		case scrum.EntryEstimated:
			v.Summary.Estimated++
			v.Summary.Rounds += e.Round
		case scrum.EntrySkipped:
			v.Summary.Skipped++
		default:
			v.Summary.Pending++
		}
		v.Summary.Seconds += re.Seconds
		v.Queue = append(v.Queue, re)
	}
	if v.CanFacilitate && ses.State != scrum.SessionClosed {
		open, _, err := w.svc.Items(ctx, a, team, scrum.ItemFilter{Statuses: openStatuses}, scrum.Page{Limit: maxAddable})
		if err != nil {
			return v, err
		}
		for _, it := range open {
			if _, queued := ses.Entry(it.ID); !queued && it.Type != scrum.TypeEpic {
				v.Addable = append(v.Addable, it)
			}
		}
	}
	for i := range v.Queue {
		if v.Queue[i].Entry.ItemID == ses.Current {
			v.Current = &v.Queue[i]
		}
	}
	v.Target = v.Current
	if ses.State == scrum.SessionWaiting {
		want := r.URL.Query().Get("target")
		for i := range v.Queue {
			q := &v.Queue[i]
			if q.Entry.State != scrum.EntryPending {
				continue
			}
			if v.Target == nil || q.Entry.ItemID == want {
				v.Target = q
			}
		}
	}
	voter := map[string]bool{}
	for _, p := range sv.Voters {
		voter[p.UserID] = true
	}
	for _, m := range sv.Members {
		if !voter[m.UserID] {
			v.Observers = append(v.Observers, m)
		}
	}
	if v.Current != nil && v.Current.Entry.Revealed && len(v.Current.Rounds) > 0 {
		v.Reveal = newReveal(ses.Deck, v.Current.Rounds[len(v.Current.Rounds)-1], sv.Members)
	}
	var cards map[string]scrum.VotePayload
	if v.Reveal != nil && v.Target == v.Current {
		last := v.Current.Rounds[len(v.Current.Rounds)-1]
		cards = map[string]scrum.VotePayload{}
		for _, vp := range last.Votes {
			cards[vp.UserID] = vp
		}
	}
	for _, p := range sv.Voters {
		s := seat{UserID: p.UserID, Name: p.Name, You: p.UserID == a.User.ID}
		if v.Target != nil {
			s.Voted = slices.Contains(v.Target.Voted, p.UserID)
		}
		if vp, ok := cards[p.UserID]; ok {
			s.Voted, s.Revealed, s.Card, s.Outlier = true, true, vp.Card, vp.Outlier
		}
		v.Seats = append(v.Seats, s)
	}
	// Outliers first: they explain first.
	if v.Reveal != nil {
		slices.SortStableFunc(v.Seats, func(x, y seat) int {
			switch {
			case x.Outlier == y.Outlier:
				return 0
			case x.Outlier:
				return -1
			}
			return 1
		})
	}
	return v, nil
}

func newReveal(d scrum.Deck, rp scrum.RevealPayload, members []scrum.Member) *revealView {
	name := func(id string) string {
		for _, m := range members {
			if m.UserID == id {
				return firstName(m.Name)
			}
		}
		return "Someone"
	}
	rv := &revealView{Round: rp.Round, Votes: len(rp.Votes), Spread: rp.Stats.Spread, Consensus: rp.Stats.Consensus,
		Suggested: rp.Stats.Suggested, Average: number(roundNumber(rp.Stats.Average)), Median: number(rp.Stats.Median)}
	top := 0
	for _, c := range rp.Stats.Distribution {
		top = max(top, c.Count)
	}
	outlier := map[string]bool{}
	for _, vp := range rp.Votes {
		if vp.Outlier {
			outlier[vp.Card] = true
			rv.Outliers = append(rv.Outliers, name(vp.UserID))
		}
	}
	for _, c := range rp.Stats.Distribution {
		row := distRow{Card: c.Card, Count: c.Count, Top: c.Count == top && !outlier[c.Card], Outlier: outlier[c.Card]}
		for _, vp := range rp.Votes {
			if vp.Card == c.Card {
				row.Names = append(row.Names, name(vp.UserID))
			}
		}
		rv.Rows = append(rv.Rows, row)
	}
	// Low and High: the first and last sized cards voted, in deck order.
	for _, c := range rp.Stats.Distribution {
		if _, ok := d.Points[c.Card]; ok {
			if rv.Low == "" {
				rv.Low = c.Card
			}
			rv.High = c.Card
		}
	}
	return rv
}

// number prints an average or median: 5, 6.5, ½ for 0.5.
func number(f *float64) string {
	if f == nil {
		return ""
	}
	if *f == 0.5 {
		return "½"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// roundNumber keeps one decimal: averages like 6.333 read as 6.3.
func roundNumber(f *float64) *float64 {
	if f == nil {
		return nil
	}
	x := float64(int(*f*10+0.5)) / 10
	return &x
}

// duration prints seconds spent on an item: 45 s, 3 min, 1 h 5 min.
func duration(s int) string {
	switch {
	case s < 60:
		return strconv.Itoa(s) + " s"
	case s < 3600:
		return strconv.Itoa((s+30)/60) + " min"
	}
	return strconv.Itoa(s/3600) + " h " + strconv.Itoa((s%3600)/60) + " min"
}

func (w *Web) roomPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	v, err := w.loadRoom(r, a)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("fragment") == "room" {
		rw.Header().Set("Cache-Control", "no-store")
		w.fragment(rw, r, "estimation_room", "room", v)
		return nil
	}
	ro, err := w.svc.Roster(r.Context(), a, v.Team)
	if err != nil {
		return err
	}
	t := ro.Team
	w.render(rw, r, http.StatusOK, "estimation_room", view{Title: v.Ses.Title, Team: &t, Nav: "estimation", Data: v})
	return nil
}
