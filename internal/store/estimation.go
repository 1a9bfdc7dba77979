package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// deckJSON and entryJSON are the stored forms of a session's deck and
// queue; they are storage, not the wire contract, so they stay here.
type deckJSON struct {
	Kind   string             `json:"kind"`
	Name   string             `json:"name"`
	Cards  []string           `json:"cards"`
	Points map[string]float64 `json:"points"`
}

type entryJSON struct {
	ItemID     string   `json:"item_id"`
	State      string   `json:"state"`
	Round      int      `json:"round"`
	Revealed   bool     `json:"revealed,omitempty"`
	Card       string   `json:"card,omitempty"`
	Estimate   *float64 `json:"estimate,omitempty"`
	StartedAt  int64    `json:"started_at,omitempty"`
	FinishedAt int64    `json:"finished_at,omitempty"`
}

func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func optTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

func encodeSession(s scrum.Estimation) (deck, queue string, err error) {
	d, err := json.Marshal(deckJSON{Kind: string(s.Deck.Kind), Name: s.Deck.Name, Cards: s.Deck.Cards, Points: s.Deck.Points})
	if err != nil {
		return "", "", fmt.Errorf("encode deck: %w", err)
	}
	es := make([]entryJSON, len(s.Queue))
	for i, e := range s.Queue {
		es[i] = entryJSON{ItemID: e.ItemID, State: string(e.State), Round: e.Round, Revealed: e.Revealed, Card: e.Card,
			Estimate: e.Estimate, StartedAt: optMicros(e.StartedAt), FinishedAt: optMicros(e.FinishedAt)}
	}
	q, err := json.Marshal(es)
	if err != nil {
		return "", "", fmt.Errorf("encode queue: %w", err)
	}
	return string(d), string(q), nil
}

func (t *tx) CreateEstimation(ctx context.Context, s scrum.Estimation) error {
	deck, queue, err := encodeSession(s)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO estimation_sessions (id, team_id, title, deck, state, current_item_id, queue,
		timer_ends_at, product_owner_votes, version, created_at, created_by, closed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		s.ID, s.TeamID, s.Title, deck, string(s.State), s.Current, queue, optMicros(s.TimerEnds), s.ProductOwnerVotes,
		s.Version, micros(s.CreatedAt), s.CreatedBy, optMicros(s.ClosedAt))
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create session: %w", err))
	}
	return nil
}

func (t *tx) EstimationTeam(ctx context.Context, id string) (string, error) {
	var team string
	err := t.q.QueryRowContext(ctx, `SELECT team_id FROM estimation_sessions WHERE id = $1`, id).Scan(&team)
	if errors.Is(err, sql.ErrNoRows) {
		return "", scrum.NotFound("estimation session")
	}
	if err != nil {
		return "", fmt.Errorf("team of session %s: %w", id, err)
	}
	return team, nil
}

const sessionColumns = `id, team_id, title, deck, state, current_item_id, queue, timer_ends_at, product_owner_votes,
	version, created_at, created_by, closed_at`

type rowScanner interface{ Scan(dst ...any) error }

func scanSession(r rowScanner) (scrum.Estimation, error) {
	var s scrum.Estimation
	var deck, queue, state string
	var timer, created, closed int64
	if err := r.Scan(&s.ID, &s.TeamID, &s.Title, &deck, &state, &s.Current, &queue, &timer, &s.ProductOwnerVotes,
		&s.Version, &created, &s.CreatedBy, &closed); err != nil {
		return s, err
	}
	s.State = scrum.SessionState(state)
	s.TimerEnds, s.CreatedAt, s.ClosedAt = optTime(timer), fromMicros(created), optTime(closed)
	var d deckJSON
	if err := json.Unmarshal([]byte(deck), &d); err != nil {
		return s, fmt.Errorf("decode deck of session %s: %w", s.ID, err)
	}
	s.Deck = scrum.Deck{Kind: scrum.DeckKind(d.Kind), Name: d.Name, Cards: d.Cards, Points: d.Points}
	var es []entryJSON
	if err := json.Unmarshal([]byte(queue), &es); err != nil {
		return s, fmt.Errorf("decode queue of session %s: %w", s.ID, err)
	}
	s.Queue = make([]scrum.Entry, len(es))
	for i, e := range es {
		s.Queue[i] = scrum.Entry{ItemID: e.ItemID, State: scrum.EntryState(e.State), Round: e.Round, Revealed: e.Revealed,
			Card: e.Card, Estimate: e.Estimate, StartedAt: optTime(e.StartedAt), FinishedAt: optTime(e.FinishedAt)}
	}
	return s, nil
}

func (t *tx) Estimation(ctx context.Context, id string) (scrum.Estimation, error) {
	s, err := scanSession(t.q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM estimation_sessions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, scrum.NotFound("estimation session")
	}
	if err != nil {
		return s, fmt.Errorf("session %s: %w", id, err)
	}
	return s, nil
}

func (t *tx) UpdateEstimation(ctx context.Context, s scrum.Estimation) error {
	deck, queue, err := encodeSession(s)
	if err != nil {
		return err
	}
	n, err := affected(t.q.ExecContext(ctx, `UPDATE estimation_sessions SET title = $1, deck = $2, state = $3, current_item_id = $4,
		queue = $5, timer_ends_at = $6, product_owner_votes = $7, version = $8, closed_at = $9 WHERE id = $10 AND version = $11`,
		s.Title, deck, string(s.State), s.Current, queue, optMicros(s.TimerEnds), s.ProductOwnerVotes, s.Version,
		optMicros(s.ClosedAt), s.ID, s.Version-1))
	if err != nil {
		return t.d.mapErr(fmt.Errorf("update session: %w", err))
	}
	if n == 0 {
		cur, err := t.Estimation(ctx, s.ID)
		if err != nil {
			return err
		}
		return scrum.Stale("the session", cur.Version)
	}
	return nil
}

func (t *tx) Estimations(ctx context.Context, teamID string, limit int) ([]scrum.Estimation, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT `+sessionColumns+` FROM estimation_sessions WHERE team_id = $1
		ORDER BY created_at DESC, id LIMIT $2`, teamID, limit)
	if err != nil {
		return nil, fmt.Errorf("sessions of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []scrum.Estimation
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("sessions of %s: %w", teamID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutVote is an upsert; whether the voter had voted is read first, in the
// same transaction, so the answer is exact.
func (t *tx) PutVote(ctx context.Context, v scrum.Vote) (bool, error) {
	var n int
	err := t.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM estimation_votes WHERE session_id = $1 AND item_id = $2 AND round = $3 AND voter_id = $4`,
		v.SessionID, v.ItemID, v.Round, v.VoterID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read vote: %w", err)
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO estimation_votes (session_id, item_id, round, voter_id, card, cast_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (session_id, item_id, round, voter_id) DO UPDATE SET card = excluded.card, cast_at = excluded.cast_at`,
		v.SessionID, v.ItemID, v.Round, v.VoterID, v.Card, micros(v.At))
	if err != nil {
		return false, t.d.mapErr(fmt.Errorf("put vote: %w", err))
	}
	return n > 0, nil
}

func (t *tx) Votes(ctx context.Context, sessionID string) ([]scrum.Vote, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT item_id, round, voter_id, card, cast_at FROM estimation_votes
		WHERE session_id = $1 ORDER BY cast_at, voter_id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("votes of %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []scrum.Vote
	for rows.Next() {
		v := scrum.Vote{SessionID: sessionID}
		var at int64
		if err := rows.Scan(&v.ItemID, &v.Round, &v.VoterID, &v.Card, &at); err != nil {
			return nil, fmt.Errorf("votes of %s: %w", sessionID, err)
		}
		v.At = fromMicros(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *tx) EstimationSettings(ctx context.Context, teamID string) (scrum.EstimationSettings, error) {
	st := scrum.EstimationSettings{TeamID: teamID}
	var decks, tshirt string
	var updated int64
	err := t.q.QueryRowContext(ctx, `SELECT custom_decks, tshirt, product_owner_votes, version, updated_at, updated_by
		FROM estimation_settings WHERE team_id = $1`, teamID).Scan(&decks, &tshirt, &st.ProductOwnerVotes, &st.Version, &updated, &st.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return st, scrum.NotFound("estimation settings")
	}
	if err != nil {
		return st, fmt.Errorf("estimation settings of %s: %w", teamID, err)
	}
	st.UpdatedAt = fromMicros(updated)
	var cds []struct {
		Name  string   `json:"name"`
		Cards []string `json:"cards"`
	}
	if err := json.Unmarshal([]byte(decks), &cds); err != nil {
		return st, fmt.Errorf("decode decks of %s: %w", teamID, err)
	}
	st.CustomDecks = make([]scrum.CustomDeck, len(cds))
	for i, c := range cds {
		st.CustomDecks[i] = scrum.CustomDeck{Name: c.Name, Cards: c.Cards}
	}
	if err := json.Unmarshal([]byte(tshirt), &st.TShirt); err != nil {
		return st, fmt.Errorf("decode T-shirt points of %s: %w", teamID, err)
	}
	return st, nil
}

func (t *tx) PutEstimationSettings(ctx context.Context, st scrum.EstimationSettings) error {
	type deck struct {
		Name  string   `json:"name"`
		Cards []string `json:"cards"`
	}
	ds := make([]deck, len(st.CustomDecks))
	for i, c := range st.CustomDecks {
		ds[i] = deck{Name: c.Name, Cards: c.Cards}
	}
	decks, err := json.Marshal(ds)
	if err != nil {
		return fmt.Errorf("encode decks: %w", err)
	}
	tshirt, err := json.Marshal(st.TShirt)
	if err != nil {
		return fmt.Errorf("encode T-shirt points: %w", err)
	}
	var n int64
	if st.Version == 1 {
		n, err = affected(t.q.ExecContext(ctx, `INSERT INTO estimation_settings (team_id, custom_decks, tshirt, product_owner_votes, version, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (team_id) DO NOTHING`,
			st.TeamID, string(decks), string(tshirt), st.ProductOwnerVotes, micros(st.UpdatedAt), st.UpdatedBy))
	} else {
		n, err = affected(t.q.ExecContext(ctx, `UPDATE estimation_settings SET custom_decks = $1, tshirt = $2, product_owner_votes = $3,
			version = $4, updated_at = $5, updated_by = $6 WHERE team_id = $7 AND version = $8`,
			string(decks), string(tshirt), st.ProductOwnerVotes, st.Version, micros(st.UpdatedAt), st.UpdatedBy, st.TeamID, st.Version-1))
	}
	if err != nil {
		return t.d.mapErr(fmt.Errorf("put estimation settings: %w", err))
	}
	if n == 0 {
		cur, err := t.EstimationSettings(ctx, st.TeamID)
		if err != nil && !scrum.IsCode(err, scrum.CodeNotFound) {
			return err
		}
		return scrum.Stale("the estimation settings", cur.Version)
	}
	return nil
}
