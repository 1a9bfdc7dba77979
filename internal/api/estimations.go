package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

func (a *API) estimationRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/teams/{team}/estimations", Tag: "estimation",
			Summary: "Open a planning-poker session over chosen items or the top N unestimated (facilitation.refinement)",
			Body:    "EstimationRequest", Status: 201, Resp: "Estimation", Handle: a.openEstimation},
		{Method: "GET", Path: "/teams/{team}/estimations", Tag: "estimation", Summary: "The team's recent sessions, newest first",
			Status: 200, Resp: "EstimationSummaryList", Handle: a.listEstimations},
		{Method: "GET", Path: "/teams/{team}/estimation-settings", Tag: "estimation", Summary: "Custom decks, T-shirt points and whether the Product Owner votes",
			Status: 200, Resp: "EstimationSettings", Handle: a.getEstimationSettings},
		{Method: "PUT", Path: "/teams/{team}/estimation-settings", Tag: "estimation", Summary: "Save custom decks, T-shirt points and the Product Owner default (facilitation.refinement)",
			Body: "EstimationSettingsRequest", Versioned: true, Status: 200, Resp: "EstimationSettings", Handle: a.putEstimationSettings},
		{Method: "GET", Path: "/estimations/{id}", Tag: "estimation", Summary: "A session as you may see it: votes stay hidden until revealed",
			Status: 200, Resp: "Estimation", Handle: a.getEstimation},
		{Method: "POST", Path: "/estimations/{id}/votes", Tag: "estimation", Summary: "Vote on the current item, or ahead on a queued one (estimation)",
			Body: "VoteRequest", Status: 200, Resp: "VoteReceipt", Handle: a.castVote},
		{Method: "POST", Path: "/estimations/{id}/reveal", Tag: "estimation", Summary: "Reveal the current round's votes (facilitation.refinement)",
			Versioned: true, Status: 200, Resp: "Estimation", Handle: a.facilitate(a.reveal)},
		{Method: "POST", Path: "/estimations/{id}/revote", Tag: "estimation", Summary: "Start a new round of the current item (facilitation.refinement)",
			Versioned: true, Status: 200, Resp: "Estimation", Handle: a.facilitate(a.svc.Revote)},
		{Method: "POST", Path: "/estimations/{id}/accept", Tag: "estimation", Summary: "Write the agreed card to the item's estimate and go on (facilitation.refinement)",
			Body: "AcceptRequest", Versioned: true, Status: 200, Resp: "Estimation", Handle: facilitateBody(a, a.accept)},
		{Method: "POST", Path: "/estimations/{id}/next", Tag: "estimation", Summary: "Start the session, or leave the current item for the next (facilitation.refinement)",
			Versioned: true, Status: 200, Resp: "Estimation", Handle: a.facilitate(a.svc.NextItem)},
		{Method: "POST", Path: "/estimations/{id}/skip", Tag: "estimation", Summary: "Take an item out of the queue unestimated (facilitation.refinement)",
			Body: "SkipRequest", Versioned: true, Status: 200, Resp: "Estimation", Handle: facilitateBody(a, a.skip)},
		{Method: "PUT", Path: "/estimations/{id}/queue", Tag: "estimation", Summary: "Reorder the queue or add items (facilitation.refinement)",
			Body: "QueueRequest", Versioned: true, Status: 200, Resp: "Estimation", Handle: facilitateBody(a, a.queue)},
		{Method: "POST", Path: "/estimations/{id}/timer", Tag: "estimation", Summary: "Start (or with 0 stop) the round timer (facilitation.refinement)",
			Body: "TimerRequest", Versioned: true, Status: 200, Resp: "Estimation", Handle: facilitateBody(a, a.timer)},
		{Method: "POST", Path: "/estimations/{id}/close", Tag: "estimation", Summary: "Close the session (facilitation.refinement)",
			Versioned: true, Status: 200, Resp: "Estimation", Handle: a.facilitate(a.svc.CloseEstimation)},
	}
}

type deckJSON = scrum.DeckPayload

type estimationItemJSON struct {
	ID                 string            `json:"id"`
	Number             int               `json:"number"`
	Type               string            `json:"type"`
	Title              string            `json:"title"`
	Description        string            `json:"description"`
	AcceptanceCriteria []scrum.Criterion `json:"acceptance_criteria"`
	Estimate           *float64          `json:"estimate"`
	Status             string            `json:"status"`
	Ready              bool              `json:"ready"`
	Readiness          []readinessJSON   `json:"readiness"`
	Version            int               `json:"version"`
}

type entryJSON struct {
	scrum.EntryPayload
	Item *estimationItemJSON `json:"item"`
	// Voted lists who voted in the current round; MyVote is the caller's
	// own card, the only card shown before a reveal.
	Voted  []string              `json:"voted"`
	MyVote *string               `json:"my_vote"`
	Rounds []scrum.RevealPayload `json:"rounds"`
	// Seconds is the time spent on the item so far.
	Seconds int `json:"seconds"`
}

type participantJSON struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
	Voter   bool   `json:"voter"`
	Present bool   `json:"present"`
}

type summaryJSON struct {
	Estimated int `json:"estimated"`
	Skipped   int `json:"skipped"`
	Pending   int `json:"pending"`
	Rounds    int `json:"rounds"`
	Seconds   int `json:"seconds"`
}

type estimationJSON struct {
	ID                string            `json:"id"`
	TeamID            string            `json:"team_id"`
	Title             string            `json:"title"`
	State             string            `json:"state"`
	CurrentItemID     *string           `json:"current_item_id"`
	Deck              deckJSON          `json:"deck"`
	Queue             []entryJSON       `json:"queue"`
	TimerEndsAt       *time.Time        `json:"timer_ends_at"`
	ProductOwnerVotes bool              `json:"product_owner_votes"`
	Participants      []participantJSON `json:"participants"`
	Facilitators      []personJSON      `json:"facilitators"`
	CanFacilitate     bool              `json:"can_facilitate"`
	CanVote           bool              `json:"can_vote"`
	Summary           summaryJSON       `json:"summary"`
	Version           int               `json:"version"`
	CreatedAt         time.Time         `json:"created_at"`
	CreatedBy         string            `json:"created_by"`
	ClosedAt          *time.Time        `json:"closed_at"`
}

// ToEstimation renders a session view; present lists who is connected.
// The web package shares it so the page and the API show one shape.
func ToEstimation(sv scrum.SessionView, present []string, now time.Time) estimationJSON {
	ses := sv.Estimation
	p := scrum.NewSessionPayload(ses)
	j := estimationJSON{ID: ses.ID, TeamID: ses.TeamID, Title: ses.Title, State: p.State, Deck: p.Deck,
		Queue: make([]entryJSON, len(ses.Queue)), TimerEndsAt: p.TimerEndsAt, ProductOwnerVotes: ses.ProductOwnerVotes,
		Facilitators: toPeople(sv.Facilitators), CanFacilitate: sv.CanFacilitate, CanVote: sv.CanVote,
		Version: ses.Version, CreatedAt: ses.CreatedAt, CreatedBy: ses.CreatedBy}
	if ses.Current != "" {
		c := ses.Current
		j.CurrentItemID = &c
	}
	if !ses.ClosedAt.IsZero() {
		t := ses.ClosedAt
		j.ClosedAt = &t
	}
	items := map[string]scrum.Item{}
	for _, it := range sv.Items {
		items[it.ID] = it
	}
	for i, e := range ses.Queue {
		ej := entryJSON{EntryPayload: p.Queue[i], Voted: nonNilStrings(sv.Voted[e.ItemID]), Rounds: sv.Rounds[e.ItemID]}
		if ej.Rounds == nil {
			ej.Rounds = []scrum.RevealPayload{}
		}
		if c, ok := sv.Mine[e.ItemID]; ok {
			ej.MyVote = &c
		}
		if it, ok := items[e.ItemID]; ok {
			ij := toItem(it)
			ej.Item = &estimationItemJSON{ID: it.ID, Number: it.Number, Type: ij.Type, Title: it.Title, Description: it.Description,
				AcceptanceCriteria: ij.AcceptanceCriteria, Estimate: it.Estimate, Status: ij.Status, Ready: it.Ready,
				Readiness: ij.Readiness, Version: it.Version}
		}
		switch {
		case !e.FinishedAt.IsZero() && !e.StartedAt.IsZero():
			ej.Seconds = int(e.FinishedAt.Sub(e.StartedAt).Seconds())
		case !e.StartedAt.IsZero() && ses.State != scrum.SessionClosed:
			ej.Seconds = int(now.Sub(e.StartedAt).Seconds())
		}
		switch e.State {
		case scrum.EntryEstimated:
			j.Summary.Estimated++
		case scrum.EntrySkipped:
			j.Summary.Skipped++
		default:
			j.Summary.Pending++
		}
		if e.State == scrum.EntryEstimated || e.State == scrum.EntryCurrent || len(ej.Rounds) > 0 {
			j.Summary.Rounds += e.Round
		}
		j.Summary.Seconds += ej.Seconds
		j.Queue[i] = ej
	}
	for _, m := range sv.Members {
		voter := slices.ContainsFunc(sv.Voters, func(p scrum.Person) bool { return p.UserID == m.UserID })
		j.Participants = append(j.Participants, participantJSON{UserID: m.UserID, Name: m.Name, Voter: voter,
			Present: slices.Contains(present, m.UserID)})
	}
	if j.Participants == nil {
		j.Participants = []participantJSON{}
	}
	return j
}

// estimationSummaryJSON is a session in a list: no votes, no items.
type estimationSummaryJSON struct {
	scrum.SessionPayload
	TeamID    string     `json:"team_id"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ClosedAt  *time.Time `json:"closed_at"`
}

func (a *API) writeEstimation(w http.ResponseWriter, r *http.Request, id string, status int) error {
	sv, err := a.svc.Estimation(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeVersioned(w, status, sv.Estimation.Version, ToEstimation(sv, a.hub.Present(r.Context(), sv.Estimation.TeamID, id), time.Now()))
}

type estimationRequest struct {
	Title             string   `json:"title"`
	Deck              string   `json:"deck"`
	DeckName          string   `json:"deck_name"`
	ItemIDs           []string `json:"item_ids"`
	TopN              int      `json:"top_n"`
	ProductOwnerVotes *bool    `json:"product_owner_votes"`
}

func (a *API) openEstimation(w http.ResponseWriter, r *http.Request) error {
	var in estimationRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.Deck == "" {
		in.Deck = string(scrum.DeckModifiedFibonacci)
	}
	ses, err := a.svc.OpenEstimation(r.Context(), actor(r), r.PathValue("team"), scrum.EstimationInput{Title: in.Title,
		Deck: scrum.DeckKind(in.Deck), DeckName: in.DeckName, ItemIDs: in.ItemIDs, TopN: in.TopN, ProductOwnerVotes: in.ProductOwnerVotes})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/estimations/"+ses.ID)
	return a.writeEstimation(w, r, ses.ID, http.StatusCreated)
}

func (a *API) listEstimations(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.svc.Estimations(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	out := make([]estimationSummaryJSON, len(ss))
	for i, s := range ss {
		out[i] = estimationSummaryJSON{SessionPayload: scrum.NewSessionPayload(s), TeamID: s.TeamID, CreatedAt: s.CreatedAt, CreatedBy: s.CreatedBy}
		if !s.ClosedAt.IsZero() {
			t := s.ClosedAt
			out[i].ClosedAt = &t
		}
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

func (a *API) getEstimation(w http.ResponseWriter, r *http.Request) error {
	return a.writeEstimation(w, r, r.PathValue("id"), http.StatusOK)
}

type voteRequest struct {
	ItemID string `json:"item_id"`
	Value  string `json:"value"`
}

type voteReceiptJSON struct {
	SessionID string `json:"session_id"`
	ItemID    string `json:"item_id"`
	Round     int    `json:"round"`
	Value     string `json:"value"` // the caller's own card
}

func (a *API) castVote(w http.ResponseWriter, r *http.Request) error {
	var in voteRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	var v scrum.Validation
	v.Check(in.ItemID != "", "item_id", "name the item you vote on")
	v.Check(in.Value != "", "value", "choose a card")
	if err := v.Err(); err != nil {
		return err
	}
	vote, err := a.svc.CastVote(r.Context(), actor(r), r.PathValue("id"), in.ItemID, in.Value)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, voteReceiptJSON{SessionID: vote.SessionID, ItemID: vote.ItemID, Round: vote.Round, Value: vote.Card})
}

// facilitate adapts a body-less facilitator action taking If-Match.
func (a *API) facilitate(fn func(ctx context.Context, actor scrum.Actor, id string, version int) (scrum.Estimation, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := expectedVersion(r, 0)
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		if _, err := fn(r.Context(), actor(r), id, v); err != nil {
			return err
		}
		return a.writeEstimation(w, r, id, http.StatusOK)
	}
}

func (a *API) reveal(ctx context.Context, actor scrum.Actor, id string, version int) (scrum.Estimation, error) {
	ses, _, err := a.svc.Reveal(ctx, actor, id, version)
	return ses, err
}

// sessionVersion is the version field of a facilitator's request body;
// If-Match may carry it instead.
type sessionVersion struct {
	Version int `json:"version"`
}

func (v sessionVersion) expected() int { return v.Version }

// facilitateBody adapts a facilitator action with a JSON body: decode,
// read the expected version, act, answer with the session as the caller
// now sees it.
func facilitateBody[T interface{ expected() int }](a *API,
	act func(ctx context.Context, actor scrum.Actor, id string, in T, version int) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
		v, err := expectedVersion(r, in.expected())
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		if err := act(r.Context(), actor(r), id, in, v); err != nil {
			return err
		}
		return a.writeEstimation(w, r, id, http.StatusOK)
	}
}

type acceptRequest struct {
	ItemID string `json:"item_id"`
	Value  string `json:"value"`
	sessionVersion
}

func (a *API) accept(ctx context.Context, ac scrum.Actor, id string, in acceptRequest, v int) error {
	_, err := a.svc.AcceptEstimate(ctx, ac, id, in.ItemID, in.Value, v)
	return err
}

type skipRequest struct {
	ItemID string `json:"item_id"`
	sessionVersion
}

func (a *API) skip(ctx context.Context, ac scrum.Actor, id string, in skipRequest, v int) error {
	if in.ItemID == "" {
		return scrum.Invalid("item_id", "name the item to skip")
	}
	_, err := a.svc.SkipItem(ctx, ac, id, in.ItemID, v)
	return err
}

type queueRequest struct {
	ItemIDs []string `json:"item_ids"`
	sessionVersion
}

func (a *API) queue(ctx context.Context, ac scrum.Actor, id string, in queueRequest, v int) error {
	_, err := a.svc.ReorderQueue(ctx, ac, id, in.ItemIDs, v)
	return err
}

type timerRequest struct {
	Seconds int `json:"seconds"`
	sessionVersion
}

func (a *API) timer(ctx context.Context, ac scrum.Actor, id string, in timerRequest, v int) error {
	_, err := a.svc.SetTimer(ctx, ac, id, in.Seconds, v)
	return err
}

type customDeckJSON struct {
	Name  string   `json:"name"`
	Cards []string `json:"cards"`
}

type settingsJSON struct {
	CustomDecks       []customDeckJSON   `json:"custom_decks"`
	TShirt            map[string]float64 `json:"tshirt"`
	ProductOwnerVotes bool               `json:"product_owner_votes"`
	Decks             []deckJSON         `json:"decks"` // every deck a session can use
	Version           int                `json:"version"`
}

func toSettings(st scrum.EstimationSettings) settingsJSON {
	j := settingsJSON{CustomDecks: make([]customDeckJSON, len(st.CustomDecks)), TShirt: st.TShirt,
		ProductOwnerVotes: st.ProductOwnerVotes, Version: st.Version}
	for _, k := range scrum.BuiltinDeckKinds() {
		d, _ := scrum.BuiltinDeck(k, st.TShirt)
		j.Decks = append(j.Decks, scrum.NewDeckPayload(d))
	}
	for i, cd := range st.CustomDecks {
		j.CustomDecks[i] = customDeckJSON{Name: cd.Name, Cards: cd.Cards}
		j.Decks = append(j.Decks, scrum.NewDeckPayload(cd.Deck()))
	}
	return j
}

func (a *API) getEstimationSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := a.svc.EstimationSettings(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, st.Version, toSettings(st))
}

type settingsRequest struct {
	CustomDecks       []customDeckJSON   `json:"custom_decks"`
	TShirt            map[string]float64 `json:"tshirt"`
	ProductOwnerVotes bool               `json:"product_owner_votes"`
	Version           int                `json:"version"`
}

func (a *API) putEstimationSettings(w http.ResponseWriter, r *http.Request) error {
	var in settingsRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	st := scrum.EstimationSettings{TShirt: in.TShirt, ProductOwnerVotes: in.ProductOwnerVotes}
	for _, cd := range in.CustomDecks {
		st.CustomDecks = append(st.CustomDecks, scrum.CustomDeck{Name: cd.Name, Cards: cd.Cards})
	}
	st, err = a.svc.PutEstimationSettings(r.Context(), actor(r), r.PathValue("team"), st, v)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, st.Version, toSettings(st))
}

func estimationSchemas() map[string]schema {
	deck := obj([]string{"kind", "name", "cards", "points"}, "kind", enum("fibonacci", "modified_fibonacci", "tshirt", "powers_of_2", "custom"),
		"name", str(), "cards", arr(str()), "points", schema{"type": "object", "additionalProperties": number()})
	reveal := obj([]string{"session_id", "item_id", "round", "votes", "stats"}, "session_id", str(), "item_id", str(), "round", integer(),
		"votes", arr(obj([]string{"user_id", "card", "outlier"}, "user_id", str(), "card", str(), "outlier", boolean())),
		"stats", obj([]string{"distribution", "average", "median", "spread", "consensus", "suggested"},
			"distribution", arr(obj([]string{"card", "count"}, "card", str(), "count", integer())),
			"average", nullable(number()), "median", nullable(number()), "spread", integer(), "consensus", boolean(), "suggested", str()))
	entryState := enum("pending", "current", "estimated", "skipped")
	states := enum("waiting", "live", "closed")
	item := obj([]string{"id", "number", "type", "title", "description", "acceptance_criteria", "estimate", "status", "ready", "readiness", "version"},
		"id", str(), "number", integer(), "type", str(), "title", str(), "description", str(), "acceptance_criteria", arr(ref("Criterion")),
		"estimate", nullable(number()), "status", str(), "ready", boolean(), "readiness", arr(ref("Readiness")), "version", integer())
	entry := obj([]string{"item_id", "state", "round", "revealed", "estimate", "item", "voted", "my_vote", "rounds", "seconds"},
		"item_id", str(), "state", entryState, "round", integer(), "revealed", boolean(), "card", str(), "estimate", nullable(number()),
		"started_at", dateTime(), "finished_at", dateTime(), "item", nullable(item), "voted", arr(str()), "my_vote", nullable(str()),
		"rounds", arr(ref("Reveal")), "seconds", integer())
	plainEntry := obj([]string{"item_id", "state", "round", "revealed", "estimate"}, "item_id", str(), "state", entryState, "round", integer(),
		"revealed", boolean(), "card", str(), "estimate", nullable(number()), "started_at", dateTime(), "finished_at", dateTime())
	customDeck := obj([]string{"name", "cards"}, "name", strMax(scrum.MaxDeckNameLen), "cards", arr(strMax(scrum.MaxCardLen)))
	return map[string]schema{
		"Deck":   deck,
		"Reveal": reveal,
		"Estimation": obj([]string{"id", "team_id", "title", "state", "current_item_id", "deck", "queue", "timer_ends_at", "product_owner_votes",
			"participants", "facilitators", "can_facilitate", "can_vote", "summary", "version", "created_at", "created_by", "closed_at"},
			"id", str(), "team_id", str(), "title", str(), "state", states, "current_item_id", nullable(str()), "deck", ref("Deck"),
			"queue", arr(entry), "timer_ends_at", nullable(dateTime()), "product_owner_votes", boolean(),
			"participants", arr(obj([]string{"user_id", "name", "voter", "present"}, "user_id", str(), "name", str(), "voter", boolean(), "present", boolean())),
			"facilitators", arr(ref("Person")), "can_facilitate", boolean(), "can_vote", boolean(),
			"summary", obj([]string{"estimated", "skipped", "pending", "rounds", "seconds"}, "estimated", integer(), "skipped", integer(),
				"pending", integer(), "rounds", integer(), "seconds", integer()),
			"version", integer(), "created_at", dateTime(), "created_by", str(), "closed_at", nullable(dateTime())),
		"EstimationSummary": obj([]string{"id", "team_id", "title", "state", "current_item_id", "deck", "queue", "timer_ends_at", "version", "created_at", "created_by", "closed_at"},
			"id", str(), "team_id", str(), "title", str(), "state", states, "current_item_id", str(), "deck", ref("Deck"), "queue", arr(plainEntry),
			"timer_ends_at", nullable(dateTime()), "product_owner_votes", boolean(), "version", integer(), "created_at", dateTime(),
			"created_by", str(), "closed_at", nullable(dateTime())),
		"EstimationSummaryList": listOf("EstimationSummary"),
		"EstimationRequest": obj(nil, "title", strMax(scrum.MaxSessionTitleLen),
			"deck", enum("fibonacci", "modified_fibonacci", "tshirt", "powers_of_2", "custom"), "deck_name", str(),
			"item_ids", arr(str()), "top_n", schema{"type": "integer", "minimum": 0, "maximum": scrum.MaxSessionItems},
			"product_owner_votes", nullable(boolean())),
		"VoteRequest":   obj([]string{"item_id", "value"}, "item_id", str(), "value", str()),
		"VoteReceipt":   obj([]string{"session_id", "item_id", "round", "value"}, "session_id", str(), "item_id", str(), "round", integer(), "value", str()),
		"AcceptRequest": obj([]string{"item_id", "value"}, "item_id", str(), "value", str(), "version", integer()),
		"SkipRequest":   obj([]string{"item_id"}, "item_id", str(), "version", integer()),
		"QueueRequest":  obj([]string{"item_ids"}, "item_ids", arr(str()), "version", integer()),
		"TimerRequest":  obj([]string{"seconds"}, "seconds", schema{"type": "integer", "minimum": 0, "maximum": scrum.MaxTimerSeconds}, "version", integer()),
		"EstimationSettings": obj([]string{"custom_decks", "tshirt", "product_owner_votes", "decks", "version"},
			"custom_decks", arr(customDeck), "tshirt", schema{"type": "object", "additionalProperties": number()},
			"product_owner_votes", boolean(), "decks", arr(ref("Deck")), "version", integer()),
		"EstimationSettingsRequest": obj(nil, "custom_decks", arr(customDeck), "tshirt", schema{"type": "object", "additionalProperties": number()},
			"product_owner_votes", boolean(), "version", integer()),
	}
}
