package scrum

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EstimationInput opens a session.
type EstimationInput struct {
	Title string
	// Deck is a built-in DeckKind, or DeckCustom with DeckName naming one
	// of the team's saved decks.
	Deck     DeckKind
	DeckName string
	// ItemIDs is the queue in order; or TopN takes the first N open items
	// of the backlog that have no estimate yet.
	ItemIDs []string
	TopN    int
	// ProductOwnerVotes, when set, overrides the team's default.
	ProductOwnerVotes *bool
}

// SessionView is a session as one member sees it: votes of unrevealed
// rounds are counted and attributed, never shown, except the viewer's own.
type SessionView struct {
	Estimation Estimation
	Items      []Item   // the queued items, in queue order
	Members    []Member // everyone on the team: voters and observers
	Voters     []Person // who may vote
	// Voted lists, per queued item, who has voted in its current round.
	Voted map[string][]string
	// Mine holds the viewer's own card per item in its current round.
	Mine map[string]string
	// Rounds holds every revealed round, per item, oldest first.
	Rounds map[string][]RevealPayload
	// CanFacilitate and CanVote tell the UI which controls to show.
	CanFacilitate bool
	CanVote       bool
	Facilitators  []Person
}

// EstimationSettings returns the team's settings (defaults when never saved).
func (s *Service) EstimationSettings(ctx context.Context, actor Actor, teamID string) (EstimationSettings, error) {
	var st EstimationSettings
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		st, err = estimationSettings(ctx, tx, teamID)
		return err
	})
	return st, err
}

func estimationSettings(ctx context.Context, tx Tx, teamID string) (EstimationSettings, error) {
	st, err := tx.EstimationSettings(ctx, teamID)
	if IsCode(err, CodeNotFound) {
		return EstimationSettings{TeamID: teamID, TShirt: DefaultTShirtPoints(), CustomDecks: []CustomDeck{}}, nil
	}
	return st, err
}

// PutEstimationSettings replaces the team's custom decks, T-shirt mapping
// and Product Owner default; it needs facilitation.refinement.
func (s *Service) PutEstimationSettings(ctx context.Context, actor Actor, teamID string, in EstimationSettings, version int) (EstimationSettings, error) {
	var v Validation
	if len(in.CustomDecks) > MaxCustomDecks {
		v.Add("custom_decks", "a team keeps at most %d custom decks", MaxCustomDecks)
	}
	names := map[string]bool{}
	decks := make([]CustomDeck, 0, len(in.CustomDecks))
	for i, cd := range in.CustomDecks {
		cd = normalizeCustomDeck(fmt.Sprintf("custom_decks[%d]", i), cd, &v)
		if names[strings.ToLower(cd.Name)] {
			v.Add(fmt.Sprintf("custom_decks[%d].name", i), "two decks are named %q", cd.Name)
		}
		names[strings.ToLower(cd.Name)] = true
		decks = append(decks, cd)
	}
	tshirt := in.TShirt
	if tshirt == nil {
		tshirt = DefaultTShirtPoints()
	}
	prev := -1.0
	for _, size := range TShirtSizes() {
		p, ok := tshirt[size]
		switch {
		case !ok:
			v.Add("tshirt."+size, "every size from XS to XXL needs points")
		case p < 0 || p > MaxEstimate:
			v.Add("tshirt."+size, "points are 0 to %d", MaxEstimate)
		case p < prev:
			v.Add("tshirt."+size, "points must not shrink as sizes grow")
		}
		prev = p
	}
	for k := range tshirt {
		if !slices.Contains(TShirtSizes(), k) {
			v.Add("tshirt."+k, "unknown size (want XS, S, M, L, XL or XXL)")
		}
	}
	if err := v.Err(); err != nil {
		return EstimationSettings{}, err
	}
	var st EstimationSettings
	err := s.teamWrite(ctx, actor, teamID, RespFacilitateRefine, func(tx Tx, r Roster) error {
		cur, err := estimationSettings(ctx, tx, teamID)
		if err != nil {
			return err
		}
		if err := checkVersion("the estimation settings", version, cur.Version); err != nil {
			return err
		}
		st = EstimationSettings{TeamID: teamID, CustomDecks: decks, TShirt: maps.Clone(tshirt), ProductOwnerVotes: in.ProductOwnerVotes,
			Version: cur.Version + 1, UpdatedAt: tx.Now(), UpdatedBy: actor.User.ID}
		if err := tx.PutEstimationSettings(ctx, st); err != nil {
			return err
		}
		return audit(ctx, tx, actor, teamID, "estimation.settings", teamID, "changed the estimation decks and settings")
	})
	return st, err
}

// deckFor resolves the deck a session asks for.
func deckFor(st EstimationSettings, kind DeckKind, name string) (Deck, error) {
	if kind == DeckCustom {
		for _, cd := range st.CustomDecks {
			if strings.EqualFold(cd.Name, strings.TrimSpace(name)) {
				return cd.Deck(), nil
			}
		}
		return Deck{}, Invalid("deck_name", "the team has no custom deck named %q", name)
	}
	d, ok := BuiltinDeck(kind, st.TShirt)
	if !ok {
		return Deck{}, Invalid("deck", "unknown deck %q (want modified_fibonacci, fibonacci, tshirt, powers_of_2 or custom)", string(kind))
	}
	return d, nil
}

// OpenEstimation opens a session in the waiting state, where members may
// vote ahead; it needs facilitation.refinement.
func (s *Service) OpenEstimation(ctx context.Context, actor Actor, teamID string, in EstimationInput) (Estimation, error) {
	in.Title = strings.TrimSpace(in.Title)
	var v Validation
	v.Check(utf8.ValidString(in.Title) && utf8.RuneCountInString(in.Title) <= MaxSessionTitleLen, "title",
		"the title is at most %d characters", MaxSessionTitleLen)
	switch {
	case len(in.ItemIDs) > 0 && in.TopN > 0:
		v.Add("item_ids", "give item_ids or top_n, not both")
	case len(in.ItemIDs) == 0 && in.TopN <= 0:
		v.Add("item_ids", "choose at least one item (item_ids) or how many from the top (top_n)")
	case len(in.ItemIDs) > MaxSessionItems || in.TopN > MaxSessionItems:
		v.Add("item_ids", "a session holds at most %d items", MaxSessionItems)
	}
	seen := map[string]bool{}
	for i, id := range in.ItemIDs {
		if seen[id] {
			v.Add(fmt.Sprintf("item_ids[%d]", i), "item %s is listed twice", id)
		}
		seen[id] = true
	}
	if err := v.Err(); err != nil {
		return Estimation{}, err
	}
	var ses Estimation
	err := s.teamWrite(ctx, actor, teamID, RespFacilitateRefine, func(tx Tx, r Roster) error {
		st, err := estimationSettings(ctx, tx, teamID)
		if err != nil {
			return err
		}
		deck, err := deckFor(st, in.Deck, in.DeckName)
		if err != nil {
			return err
		}
		ids := in.ItemIDs
		if in.TopN > 0 {
			if ids, err = unestimated(ctx, tx, teamID, in.TopN); err != nil {
				return err
			}
			if len(ids) == 0 {
				return Invalid("top_n", "every open item of the backlog already has an estimate")
			}
		}
		var bad Validation
		for i, id := range ids {
			it, err := itemOf(ctx, tx, teamID, id)
			switch {
			case IsCode(err, CodeNotFound):
				bad.Add(fmt.Sprintf("item_ids[%d]", i), "no item %s on this team", id)
				continue
			case err != nil:
				return err
			}
			if it.Type == TypeEpic || it.Status == StatusDone || it.Status == StatusRemoved {
				bad.Add(fmt.Sprintf("item_ids[%d]", i), "#%d is %s; only open stories, bugs, spikes and chores are estimated", it.Number, describeUnestimable(it))
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		title := in.Title
		if title == "" {
			title = "Refinement " + tx.Now().UTC().Format("2 Jan 2006")
		}
		ses = Estimation{ID: NewID(), TeamID: teamID, Title: title, Deck: deck, State: SessionWaiting, Version: 1,
			ProductOwnerVotes: st.ProductOwnerVotes, CreatedAt: tx.Now(), CreatedBy: actor.User.ID}
		if in.ProductOwnerVotes != nil {
			ses.ProductOwnerVotes = *in.ProductOwnerVotes
		}
		for _, id := range ids {
			ses.Queue = append(ses.Queue, Entry{ItemID: id, State: EntryPending, Round: 1})
		}
		if err := tx.CreateEstimation(ctx, ses); err != nil {
			return err
		}
		return emit(ctx, tx, teamID, EventSessionOpened, ses.ID, actor.User.ID, NewSessionPayload(ses))
	})
	return ses, err
}

func describeUnestimable(it Item) string {
	if it.Type == TypeEpic {
		return "an epic"
	}
	return string(it.Status)
}

// unestimated returns up to n open, unestimated, non-epic items in order.
func unestimated(ctx context.Context, tx Tx, teamID string, n int) ([]string, error) {
	var out []string
	p := Page{Limit: 200}
	for len(out) < n {
		its, next, err := tx.Items(ctx, teamID, ItemFilter{Open: true, Types: []ItemType{TypeStory, TypeBug, TypeSpike, TypeChore}}, p)
		if err != nil {
			return nil, err
		}
		for _, it := range its {
			if it.Estimate == nil && len(out) < n {
				out = append(out, it.ID)
			}
		}
		if next == "" {
			break
		}
		p.Cursor = next
	}
	return out, nil
}

// Sessions lists a team's recent sessions, newest first.
func (s *Service) Estimations(ctx context.Context, actor Actor, teamID string) ([]Estimation, error) {
	var out []Estimation
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		out, err = tx.Estimations(ctx, teamID, 50)
		return err
	})
	return out, err
}

// voters returns who may vote in ses: the holders of estimation, and the
// Product Owner when the session says so.
func voters(r Roster, ses Estimation) []Person {
	ps := r.Holders(RespEstimation)
	if ses.ProductOwnerVotes {
		for _, po := range r.HoldersOf(ProductOwner) {
			if !slices.ContainsFunc(ps, func(p Person) bool { return p.UserID == po.UserID }) {
				ps = append(ps, po)
			}
		}
	}
	return ps
}

// Estimation returns the session as the actor may see it.
func (s *Service) Estimation(ctx context.Context, actor Actor, id string) (SessionView, error) {
	var sv SessionView
	err := s.store.View(ctx, func(tx Tx) error {
		ses, r, err := s.loadSession(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		votes, err := tx.Votes(ctx, id)
		if err != nil {
			return err
		}
		sv = viewSession(ses, r, votes, actor.User.ID)
		for _, e := range ses.Queue {
			it, err := tx.Item(ctx, ses.TeamID, e.ItemID)
			if IsCode(err, CodeNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			sv.Items = append(sv.Items, it)
		}
		d, err := readyDefinition(ctx, tx, ses.TeamID)
		if err != nil {
			return err
		}
		for i := range sv.Items {
			d.assess(&sv.Items[i])
		}
		return nil
	})
	return sv, err
}

// CheckPresenceRoom reports whether id names an estimation session of
// team, the only rooms whose page shows who is there. The caller has
// checked that the actor is a member of team.
func (s *Service) CheckPresenceRoom(ctx context.Context, team, id string) error {
	refused := Invalid("presence", "presence must be the id of an estimation session of this team")
	if !ValidID(id) {
		return refused
	}
	return s.store.View(ctx, func(tx Tx) error {
		owner, err := tx.EstimationTeam(ctx, id)
		if IsCode(err, CodeNotFound) || (err == nil && owner != team) {
			return refused
		}
		return err
	})
}

// viewSession applies the secrecy rule: a round's cards appear only once
// revealed, and to their own voter.
func viewSession(ses Estimation, r Roster, votes []Vote, viewer string) SessionView {
	sv := SessionView{Estimation: ses, Members: r.Members, Voters: voters(r, ses), Voted: map[string][]string{}, Mine: map[string]string{},
		Rounds: map[string][]RevealPayload{}, Facilitators: r.Holders(RespFacilitateRefine)}
	sv.CanFacilitate = r.Holds(viewer, RespFacilitateRefine)
	sv.CanVote = slices.ContainsFunc(sv.Voters, func(p Person) bool { return p.UserID == viewer })
	byRound := map[string]map[int][]Vote{}
	for _, v := range votes {
		e, ok := ses.Entry(v.ItemID)
		if !ok {
			continue
		}
		if byRound[v.ItemID] == nil {
			byRound[v.ItemID] = map[int][]Vote{}
		}
		byRound[v.ItemID][v.Round] = append(byRound[v.ItemID][v.Round], v)
		if v.Round == e.Round {
			sv.Voted[v.ItemID] = append(sv.Voted[v.ItemID], v.VoterID)
			if v.VoterID == viewer {
				sv.Mine[v.ItemID] = v.Card
			}
		}
	}
	for _, e := range ses.Queue {
		last := e.Round - 1
		if e.Revealed || e.State == EntryEstimated {
			last = e.Round
		}
		for round := 1; round <= last; round++ {
			if vs := byRound[e.ItemID][round]; len(vs) > 0 || round == e.Round {
				sv.Rounds[e.ItemID] = append(sv.Rounds[e.ItemID], NewRevealPayload(ses, e.ItemID, round, vs))
			}
		}
	}
	return sv
}

// loadSession reads a session and the roster of its team, checking that
// the actor is a member (404 otherwise, as for any team resource).
func (s *Service) loadSession(ctx context.Context, tx Tx, actor Actor, id string) (Estimation, Roster, error) {
	if !ValidID(id) {
		return Estimation{}, Roster{}, NotFound("estimation session")
	}
	teamID, err := tx.EstimationTeam(ctx, id)
	if err != nil {
		return Estimation{}, Roster{}, err
	}
	r, err := s.roster(ctx, tx, actor, teamID)
	if IsCode(err, CodeNotFound) {
		return Estimation{}, Roster{}, NotFound("estimation session")
	}
	if err != nil {
		return Estimation{}, Roster{}, err
	}
	ses, err := tx.Estimation(ctx, id)
	return ses, r, err
}

// lockSessionTeam finds the team of session id and locks it for the rest
// of the write.
func lockSessionTeam(ctx context.Context, tx Tx, id string) (string, error) {
	if !ValidID(id) {
		return "", NotFound("estimation session")
	}
	teamID, err := tx.EstimationTeam(ctx, id)
	if err != nil {
		return "", err
	}
	return teamID, tx.LockTeam(ctx, teamID)
}

// sessionWrite runs fn on a session in a write transaction after locking
// its team and checking that the actor holds need ("" for any member).
func (s *Service) sessionWrite(ctx context.Context, actor Actor, id, need string, fn func(Tx, Roster, *Estimation) error) error {
	var denied error
	var teamID string
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if teamID, err = lockSessionTeam(ctx, tx, id); err != nil {
			return err
		}
		ses, r, err := s.loadSession(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if need != "" {
			if err := r.Authorize(actor.User.ID, need); err != nil {
				denied = err
				return err
			}
		}
		return fn(tx, r, &ses)
	})
	if denied != nil && err == denied {
		s.auditDenied(ctx, actor, teamID, need)
	}
	return err
}

// facilitate is sessionWrite for the facilitator's actions on an open
// session: it checks the version, runs change, bumps the version, stores
// the session and emits estimation.updated unless change emitted its own.
func (s *Service) facilitate(ctx context.Context, actor Actor, id string, version int, change func(Tx, Roster, *Estimation) error) (Estimation, error) {
	var out Estimation
	err := s.sessionWrite(ctx, actor, id, RespFacilitateRefine, func(tx Tx, r Roster, ses *Estimation) error {
		if err := checkVersion("the session", version, ses.Version); err != nil {
			return err
		}
		if ses.State == SessionClosed {
			return Errorf(CodeConflict, "the session is closed")
		}
		if err := change(tx, r, ses); err != nil {
			return err
		}
		ses.Version++
		if err := tx.UpdateEstimation(ctx, *ses); err != nil {
			return err
		}
		out = *ses
		return nil
	})
	return out, err
}

func sessionEvent(ctx context.Context, tx Tx, ses *Estimation, typ, actorID string) error {
	p := NewSessionPayload(*ses)
	p.Version++ // the version the session is stored with after this change
	return emit(ctx, tx, ses.TeamID, typ, ses.ID, actorID, p)
}

// CastVote records the actor's card for an item of the session: the current
// item, or (async) any pending one. It needs estimation.
func (s *Service) CastVote(ctx context.Context, actor Actor, id, itemID, card string) (Vote, error) {
	var vote Vote
	var teamID string
	denied := false
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if teamID, err = lockSessionTeam(ctx, tx, id); err != nil {
			return err
		}
		ok, err := s.mayVote(ctx, tx, actor, teamID, id)
		if err != nil {
			return err
		}
		ses, err := tx.Estimation(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			r, err := s.loadRoster(ctx, tx, teamID)
			if err != nil {
				return err
			}
			denied = true
			return r.Authorize(actor.User.ID, RespEstimation) // a refusal naming estimation and its holders
		}
		if !ses.Deck.Has(card) {
			return Invalid("value", "%q is not a card of the %s deck (%s)", card, ses.Deck.Name, strings.Join(ses.Deck.Cards, ", "))
		}
		if ses.State == SessionClosed {
			return Errorf(CodeConflict, "the session is closed; votes are no longer taken")
		}
		e, ok := ses.Entry(itemID)
		switch {
		case !ok:
			return Errorf(CodeConflict, "item %s is not in this session", itemID)
		case e.State == EntryEstimated || e.State == EntrySkipped:
			return Errorf(CodeConflict, "this item was already %s", e.State)
		case e.Revealed:
			return Errorf(CodeConflict, "the votes of this round are revealed; wait for a re-vote")
		}
		vote = Vote{SessionID: id, ItemID: itemID, Round: e.Round, VoterID: actor.User.ID, Card: card, At: tx.Now()}
		replaced, err := tx.PutVote(ctx, vote)
		if err != nil {
			return err
		}
		return emit(ctx, tx, ses.TeamID, EventVoteCast, itemID, actor.User.ID,
			VoteCast{SessionID: id, ItemID: itemID, Round: e.Round, UserID: actor.User.ID, Changed: replaced})
	})
	if denied {
		s.auditDenied(ctx, actor, teamID, RespEstimation)
	}
	return vote, err
}

// mayVote decides whether the actor votes in session id from their own
// membership and the map, without loading the whole team: in a room of
// hundreds, every vote would otherwise read every member. Someone not on
// the team gets the session's 404.
func (s *Service) mayVote(ctx context.Context, tx Tx, actor Actor, teamID, id string) (bool, error) {
	m, err := tx.Member(ctx, teamID, actor.User.ID)
	if IsCode(err, CodeNotFound) {
		return false, NotFound("estimation session")
	}
	if err != nil {
		return false, err
	}
	stored, err := tx.Responsibilities(ctx, teamID)
	if err != nil {
		return false, err
	}
	own := NewRoster(Team{ID: teamID}, []Member{m}, stored)
	if own.Holds(actor.User.ID, RespEstimation) {
		return true, nil
	}
	if !m.Has(ProductOwner) {
		return false, nil
	}
	ses, err := tx.Estimation(ctx, id)
	return err == nil && ses.ProductOwnerVotes, err
}

// roundVotes returns the votes of one round of an item.
func roundVotes(ctx context.Context, tx Tx, sessionID, itemID string, round int) ([]Vote, error) {
	all, err := tx.Votes(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	var out []Vote
	for _, v := range all {
		if v.ItemID == itemID && v.Round == round {
			out = append(out, v)
		}
	}
	return out, nil
}

// currentEntry returns the current item's entry, or a conflict naming why
// there is none.
func currentEntry(ses *Estimation, itemID string) (*Entry, error) {
	if ses.Current == "" {
		return nil, Errorf(CodeConflict, "no item is being estimated; start the session or pick the next item")
	}
	if itemID != "" && itemID != ses.Current {
		return nil, Errorf(CodeConflict, "item %s is not the current item of the session", itemID)
	}
	e, _ := ses.Entry(ses.Current)
	return e, nil
}

// Reveal shows the current round's votes to everyone.
func (s *Service) Reveal(ctx context.Context, actor Actor, id string, version int) (Estimation, RevealPayload, error) {
	var rp RevealPayload
	ses, err := s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		e, err := currentEntry(ses, "")
		if err != nil {
			return err
		}
		if e.Revealed {
			return Errorf(CodeConflict, "the votes of this round are already revealed")
		}
		votes, err := roundVotes(ctx, tx, id, e.ItemID, e.Round)
		if err != nil {
			return err
		}
		e.Revealed = true
		ses.TimerEnds = time.Time{}
		rp = NewRevealPayload(*ses, e.ItemID, e.Round, votes)
		return emit(ctx, tx, ses.TeamID, EventVotesRevealed, e.ItemID, actor.User.ID, rp)
	})
	return ses, rp, err
}

// Revote starts a new round of the current item; the revealed round stays
// in the item's history.
func (s *Service) Revote(ctx context.Context, actor Actor, id string, version int) (Estimation, error) {
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		e, err := currentEntry(ses, "")
		if err != nil {
			return err
		}
		if !e.Revealed {
			return Errorf(CodeConflict, "reveal this round before starting another")
		}
		e.Round++
		e.Revealed = false
		ses.TimerEnds = time.Time{}
		return emit(ctx, tx, ses.TeamID, EventRoundStarted, e.ItemID, actor.User.ID, RoundPayload{SessionID: id, ItemID: e.ItemID, Round: e.Round})
	})
}

// AcceptEstimate writes the agreed card's points to the current item as
// its estimate, then moves on to the next item.
func (s *Service) AcceptEstimate(ctx context.Context, actor Actor, id, itemID, card string, version int) (Estimation, error) {
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		if itemID == "" {
			return Invalid("item_id", "name the item whose estimate is agreed")
		}
		if !ses.Deck.Has(card) {
			return Invalid("value", "%q is not a card of the %s deck", card, ses.Deck.Name)
		}
		pts, ok := ses.Deck.Points[card]
		if !ok {
			return Invalid("value", "%q is not a size; accept a card with points", card)
		}
		e, err := currentEntry(ses, itemID)
		if err != nil {
			return err
		}
		if !e.Revealed {
			// Agreeing ends the round: its votes are shown, to everyone at once.
			votes, err := roundVotes(ctx, tx, id, e.ItemID, e.Round)
			if err != nil {
				return err
			}
			if len(votes) > 0 {
				e.Revealed = true
				if err := emit(ctx, tx, ses.TeamID, EventVotesRevealed, e.ItemID, actor.User.ID, NewRevealPayload(*ses, e.ItemID, e.Round, votes)); err != nil {
					return err
				}
			}
		}
		d, err := readyDefinition(ctx, tx, ses.TeamID)
		if err != nil {
			return err
		}
		if _, err := s.editItemAs(ctx, tx, r, actor, d, e.ItemID, 0, true, func(it Item) (Item, error) {
			it.Estimate = &pts
			return it, nil
		}); err != nil {
			return err
		}
		now := tx.Now()
		e.State, e.Card, e.Estimate, e.FinishedAt = EntryEstimated, card, &pts, now
		if err := emit(ctx, tx, ses.TeamID, EventEstimateAgreed, e.ItemID, actor.User.ID, AgreedPayload{SessionID: id, ItemID: e.ItemID,
			Card: card, Estimate: &pts, Rounds: e.Round, Seconds: int(now.Sub(e.StartedAt).Seconds())}); err != nil {
			return err
		}
		advance(ses, now)
		return sessionEvent(ctx, tx, ses, EventSessionUpdated, actor.User.ID)
	})
}

// advance makes the next pending item current (none left: no current).
func advance(ses *Estimation, now time.Time) {
	ses.Current = ""
	ses.TimerEnds = time.Time{}
	for i := range ses.Queue {
		if ses.Queue[i].State == EntryPending {
			ses.Queue[i].State = EntryCurrent
			if ses.Queue[i].StartedAt.IsZero() {
				ses.Queue[i].StartedAt = now
			}
			ses.Current = ses.Queue[i].ItemID
			return
		}
	}
}

// NextItem starts a waiting session, or leaves the current item (skipped
// unless accepted) for the next pending one.
func (s *Service) NextItem(ctx context.Context, actor Actor, id string, version int) (Estimation, error) {
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		now := tx.Now()
		if ses.State == SessionWaiting {
			ses.State = SessionLive
		} else if ses.Current != "" {
			e, _ := ses.Entry(ses.Current)
			e.State, e.FinishedAt = EntrySkipped, now
			if err := emit(ctx, tx, ses.TeamID, EventItemSkipped, e.ItemID, actor.User.ID, RoundPayload{SessionID: id, ItemID: e.ItemID, Round: e.Round}); err != nil {
				return err
			}
		} else if !slices.ContainsFunc(ses.Queue, func(e Entry) bool { return e.State == EntryPending }) {
			return Errorf(CodeConflict, "every item of the session is done; close it")
		}
		advance(ses, now)
		return sessionEvent(ctx, tx, ses, EventSessionUpdated, actor.User.ID)
	})
}

// SkipItem takes an item out of the queue without an estimate.
func (s *Service) SkipItem(ctx context.Context, actor Actor, id, itemID string, version int) (Estimation, error) {
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		e, ok := ses.Entry(itemID)
		if !ok {
			return Errorf(CodeConflict, "item %s is not in this session", itemID)
		}
		if e.State == EntryEstimated || e.State == EntrySkipped {
			return Errorf(CodeConflict, "this item was already %s", e.State)
		}
		now := tx.Now()
		e.State, e.FinishedAt = EntrySkipped, now
		if err := emit(ctx, tx, ses.TeamID, EventItemSkipped, itemID, actor.User.ID, RoundPayload{SessionID: id, ItemID: itemID, Round: e.Round}); err != nil {
			return err
		}
		if ses.Current == itemID {
			advance(ses, now)
		}
		return sessionEvent(ctx, tx, ses, EventSessionUpdated, actor.User.ID)
	})
}

// ReorderQueue puts the session's unfinished items in the given order;
// itemIDs may add open items of the backlog, but must keep every
// unfinished one (skip removes an item).
func (s *Service) ReorderQueue(ctx context.Context, actor Actor, id string, itemIDs []string, version int) (Estimation, error) {
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		seen := map[string]bool{}
		var v Validation
		for i, iid := range itemIDs {
			if seen[iid] {
				v.Add(fmt.Sprintf("item_ids[%d]", i), "item %s is listed twice", iid)
			}
			seen[iid] = true
		}
		if err := v.Err(); err != nil {
			return err
		}
		var done, open []Entry
		for _, e := range ses.Queue {
			switch {
			case e.State == EntryEstimated || e.State == EntrySkipped:
				if seen[e.ItemID] {
					return Invalid("item_ids", "item %s was already %s", e.ItemID, e.State)
				}
				done = append(done, e)
			case !seen[e.ItemID]:
				return Invalid("item_ids", "item %s is missing; skip it to take it out of the queue", e.ItemID)
			}
		}
		for i, iid := range itemIDs {
			if e, ok := ses.Entry(iid); ok {
				open = append(open, *e)
				continue
			}
			it, err := itemOf(ctx, tx, ses.TeamID, iid)
			if IsCode(err, CodeNotFound) {
				return Invalid(fmt.Sprintf("item_ids[%d]", i), "no item %s on this team", iid)
			}
			if err != nil {
				return err
			}
			if it.Type == TypeEpic || it.Status == StatusDone || it.Status == StatusRemoved {
				return Invalid(fmt.Sprintf("item_ids[%d]", i), "#%d is %s", it.Number, describeUnestimable(it))
			}
			open = append(open, Entry{ItemID: iid, State: EntryPending, Round: 1})
		}
		if len(done)+len(open) > MaxSessionItems {
			return Invalid("item_ids", "a session holds at most %d items", MaxSessionItems)
		}
		ses.Queue = append(done, open...)
		return sessionEvent(ctx, tx, ses, EventSessionUpdated, actor.User.ID)
	})
}

// SetTimer starts a round timer of seconds (0 stops it).
func (s *Service) SetTimer(ctx context.Context, actor Actor, id string, seconds, version int) (Estimation, error) {
	if seconds < 0 || seconds > MaxTimerSeconds {
		return Estimation{}, Invalid("seconds", "a timer runs 0 to %d seconds", MaxTimerSeconds)
	}
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		if seconds == 0 {
			ses.TimerEnds = time.Time{}
		} else {
			ses.TimerEnds = tx.Now().Add(time.Duration(seconds) * time.Second).Truncate(time.Millisecond)
		}
		return sessionEvent(ctx, tx, ses, EventSessionUpdated, actor.User.ID)
	})
}

// CloseEstimation ends the session; votes are no longer taken.
func (s *Service) CloseEstimation(ctx context.Context, actor Actor, id string, version int) (Estimation, error) {
	return s.facilitate(ctx, actor, id, version, func(tx Tx, r Roster, ses *Estimation) error {
		now := tx.Now()
		if ses.Current != "" {
			e, _ := ses.Entry(ses.Current)
			e.State = EntryPending // not estimated: it stays unestimated on the backlog
		}
		ses.Current, ses.State, ses.ClosedAt, ses.TimerEnds = "", SessionClosed, now, time.Time{}
		return sessionEvent(ctx, tx, ses, EventSessionClosed, actor.User.ID)
	})
}
