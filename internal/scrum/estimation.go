package scrum

import (
	"context"
	"time"
)

// SessionState is where an estimation session is in its life.
type SessionState string

// Estimation states: waiting for the facilitator to start (async votes are
// taken), live (one item is current), closed (read-only).
const (
	SessionWaiting SessionState = "waiting"
	SessionLive    SessionState = "live"
	SessionClosed  SessionState = "closed"
)

// EntryState is where one queued item is.
type EntryState string

// Entry states.
const (
	EntryPending   EntryState = "pending"
	EntryCurrent   EntryState = "current"
	EntryEstimated EntryState = "estimated"
	EntrySkipped   EntryState = "skipped"
)

// Estimation is a planning-poker session over a queue of backlog items. Votes
// are stored apart (Vote), so many people voting never contend on the
// session row; Version changes only with the facilitator's actions.
type Estimation struct {
	ID      string
	TeamID  string
	Title   string
	Deck    Deck
	State   SessionState
	Current string // the current item's id; "" when none
	Queue   []Entry
	// TimerEnds is when the facilitator's round timer runs out; zero when
	// no timer runs.
	TimerEnds time.Time
	// ProductOwnerVotes lets the team's Product Owner vote in this session
	// as well as the holders of estimation.
	ProductOwnerVotes bool
	Version           int
	CreatedAt         time.Time
	CreatedBy         string
	ClosedAt          time.Time
}

// Entry is one item in a session's queue.
type Entry struct {
	ItemID   string
	State    EntryState
	Round    int  // the current round, from 1
	Revealed bool // the current round's votes are shown
	// Card and Estimate are what was accepted.
	Card       string
	Estimate   *float64
	StartedAt  time.Time // when it first became current
	FinishedAt time.Time // accepted or skipped
}

// Vote is one person's card for one item in one round.
type Vote struct {
	SessionID string
	ItemID    string
	Round     int
	VoterID   string
	Card      string
	At        time.Time
}

// Limits on sessions.
const (
	MaxSessionItems    = 100
	MaxSessionTitleLen = 120
	MaxTimerSeconds    = 3600
)

// Entry returns the queue entry of itemID.
func (s *Estimation) Entry(itemID string) (*Entry, bool) {
	for i := range s.Queue {
		if s.Queue[i].ItemID == itemID {
			return &s.Queue[i], true
		}
	}
	return nil, false
}

// EstimationSettings are a team's choices for estimation.
type EstimationSettings struct {
	TeamID      string
	CustomDecks []CustomDeck
	TShirt      map[string]float64
	// ProductOwnerVotes is the default for new sessions: whether the
	// Product Owner votes too, besides the holders of estimation.
	ProductOwnerVotes bool
	Version           int
	UpdatedAt         time.Time
	UpdatedBy         string
}

// EstimationTx stores sessions, votes and settings.
type EstimationTx interface {
	CreateEstimation(ctx context.Context, s Estimation) error
	// EstimationTeam returns the team of a session, or CodeNotFound.
	EstimationTeam(ctx context.Context, id string) (string, error)
	// Estimation returns CodeNotFound for an unknown id.
	Estimation(ctx context.Context, id string) (Estimation, error)
	// UpdateEstimation writes s when the stored version is s.Version-1;
	// CodeConflict otherwise.
	UpdateEstimation(ctx context.Context, s Estimation) error
	// Sessions lists a team's sessions, newest first, at most limit.
	Estimations(ctx context.Context, teamID string, limit int) ([]Estimation, error)
	// PutVote stores a vote, replacing the voter's earlier card of the same
	// round; it reports whether the voter had voted already.
	PutVote(ctx context.Context, v Vote) (replaced bool, err error)
	// Votes lists every vote of a session, every round, by time.
	Votes(ctx context.Context, sessionID string) ([]Vote, error)
	// EstimationSettings returns CodeNotFound when the team never saved any.
	EstimationSettings(ctx context.Context, teamID string) (EstimationSettings, error)
	// PutEstimationSettings inserts (Version 1) or updates settings whose
	// stored version is Version-1; CodeConflict otherwise.
	PutEstimationSettings(ctx context.Context, s EstimationSettings) error
}

// Estimation event types. Items' events (the round kept in the item's
// history) have the item as subject; session events the session.
const (
	EventSessionOpened  = "estimation.opened"
	EventSessionUpdated = "estimation.updated" // queue, current item, timer
	EventSessionClosed  = "estimation.closed"
	EventVoteCast       = "vote.cast"
	EventVotesRevealed  = "votes.revealed"
	EventRoundStarted   = "round.started"
	EventEstimateAgreed = "estimate.accepted"
	EventItemSkipped    = "estimation.skipped"
)

// SessionPayload is the data of session events: the session without any
// vote — who voted travels in vote.cast, values only in votes.revealed.
type SessionPayload struct {
	ID                string         `json:"id"`
	Title             string         `json:"title"`
	State             string         `json:"state"`
	CurrentItemID     string         `json:"current_item_id"`
	Deck              DeckPayload    `json:"deck"`
	Queue             []EntryPayload `json:"queue"`
	TimerEndsAt       *time.Time     `json:"timer_ends_at"`
	ProductOwnerVotes bool           `json:"product_owner_votes"`
	Version           int            `json:"version"`
}

// DeckPayload is the JSON form of a deck.
type DeckPayload struct {
	Kind   string             `json:"kind"`
	Name   string             `json:"name"`
	Cards  []string           `json:"cards"`
	Points map[string]float64 `json:"points"`
}

// EntryPayload is the JSON form of a queue entry.
type EntryPayload struct {
	ItemID     string     `json:"item_id"`
	State      string     `json:"state"`
	Round      int        `json:"round"`
	Revealed   bool       `json:"revealed"`
	Card       string     `json:"card,omitempty"`
	Estimate   *float64   `json:"estimate"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// NewSessionPayload builds the payload of s.
func NewSessionPayload(s Estimation) SessionPayload {
	p := SessionPayload{ID: s.ID, Title: s.Title, State: string(s.State), CurrentItemID: s.Current,
		Deck: NewDeckPayload(s.Deck), Queue: make([]EntryPayload, len(s.Queue)), ProductOwnerVotes: s.ProductOwnerVotes, Version: s.Version}
	for i, e := range s.Queue {
		p.Queue[i] = NewEntryPayload(e)
	}
	if !s.TimerEnds.IsZero() {
		t := s.TimerEnds
		p.TimerEndsAt = &t
	}
	return p
}

// NewDeckPayload builds the JSON form of d.
func NewDeckPayload(d Deck) DeckPayload {
	pts := d.Points
	if pts == nil {
		pts = map[string]float64{}
	}
	return DeckPayload{Kind: string(d.Kind), Name: d.Name, Cards: nonNil(d.Cards), Points: pts}
}

// NewEntryPayload builds the JSON form of e.
func NewEntryPayload(e Entry) EntryPayload {
	p := EntryPayload{ItemID: e.ItemID, State: string(e.State), Round: e.Round, Revealed: e.Revealed, Card: e.Card, Estimate: e.Estimate}
	if !e.StartedAt.IsZero() {
		t := e.StartedAt
		p.StartedAt = &t
	}
	if !e.FinishedAt.IsZero() {
		t := e.FinishedAt
		p.FinishedAt = &t
	}
	return p
}

// VoteCast is the data of vote.cast: who voted, never what.
type VoteCast struct {
	SessionID string `json:"session_id"`
	ItemID    string `json:"item_id"`
	Round     int    `json:"round"`
	UserID    string `json:"user_id"`
	Changed   bool   `json:"changed"` // a second vote in the same round
}

// RoundPayload identifies a round (round.started, estimation.skipped).
type RoundPayload struct {
	SessionID string `json:"session_id"`
	ItemID    string `json:"item_id"`
	Round     int    `json:"round"`
}

// VotePayload is one revealed vote.
type VotePayload struct {
	UserID  string `json:"user_id"`
	Card    string `json:"card"`
	Outlier bool   `json:"outlier"`
}

// CardCountPayload is one bar of a distribution.
type CardCountPayload struct {
	Card  string `json:"card"`
	Count int    `json:"count"`
}

// StatsPayload is the JSON form of VoteStats.
type StatsPayload struct {
	Distribution []CardCountPayload `json:"distribution"`
	Average      *float64           `json:"average"`
	Median       *float64           `json:"median"`
	Spread       int                `json:"spread"`
	Consensus    bool               `json:"consensus"`
	Suggested    string             `json:"suggested"`
}

// RevealPayload is the data of votes.revealed: the round's votes and their
// summary.
type RevealPayload struct {
	SessionID string        `json:"session_id"`
	ItemID    string        `json:"item_id"`
	Round     int           `json:"round"`
	Votes     []VotePayload `json:"votes"`
	Stats     StatsPayload  `json:"stats"`
}

// AgreedPayload is the data of estimate.accepted.
type AgreedPayload struct {
	SessionID string   `json:"session_id"`
	ItemID    string   `json:"item_id"`
	Card      string   `json:"card"`
	Estimate  *float64 `json:"estimate"`
	Rounds    int      `json:"rounds"`
	Seconds   int      `json:"seconds"` // time spent on the item
}

// NewRevealPayload builds the reveal of one round from its votes.
func NewRevealPayload(s Estimation, itemID string, round int, votes []Vote) RevealPayload {
	cards := make([]string, 0, len(votes))
	for _, v := range votes {
		cards = append(cards, v.Card)
	}
	st := s.Deck.Stats(cards)
	p := RevealPayload{SessionID: s.ID, ItemID: itemID, Round: round, Votes: make([]VotePayload, 0, len(votes)),
		Stats: StatsPayload{Distribution: []CardCountPayload{}, Average: st.Average, Median: st.Median, Spread: st.Spread,
			Consensus: st.Consensus, Suggested: st.Suggested}}
	for _, c := range st.Distribution {
		p.Stats.Distribution = append(p.Stats.Distribution, CardCountPayload{Card: c.Card, Count: c.Count})
	}
	for _, v := range votes {
		out := st.Spread > 0 && (v.Card == st.Low || v.Card == st.High)
		p.Votes = append(p.Votes, VotePayload{UserID: v.VoterID, Card: v.Card, Outlier: out})
	}
	return p
}
