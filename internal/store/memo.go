package store

import (
	"context"
	"database/sql"
	"slices"

	"github.com/tandemhq/tandem/internal/scrum"
)

// writeMemo remembers, for the writes that share one group-commit
// transaction, values each of them would otherwise read again: a team's
// highest event seq and item number, its last rank, roster version and
// Definition of Ready, and the highest search_rowid. A burst of creates
// then reads each once per commit instead of once per item, on the one
// connection every write waits for.
//
// It is only ever what the transaction itself would read: every write path
// that changes one of these values updates or forgets it here, and the
// writer starts a new memo for each transaction and whenever a write is
// rolled back to its savepoint. A nil memo remembers nothing.
type writeMemo struct {
	eventSeq   map[string]int64
	itemNumber map[string]int
	lastRank   map[string]string
	roster     map[string]int64
	ready      map[string]readyMemo
	lastSearch int64 // 0: not read yet
	// prefetched holds the teams whose values were read together (see
	// tx.prefetch).
	prefetched map[string]bool
}

type readyMemo struct {
	d     scrum.ReadyDefinition
	found bool
}

func newWriteMemo() *writeMemo {
	return &writeMemo{eventSeq: map[string]int64{}, itemNumber: map[string]int{}, lastRank: map[string]string{},
		roster: map[string]int64{}, ready: map[string]readyMemo{}, prefetched: map[string]bool{}}
}

func (m *writeMemo) seq(teamID string) (int64, bool) {
	if m == nil {
		return 0, false
	}
	v, ok := m.eventSeq[teamID]
	return v, ok
}

func (m *writeMemo) setSeq(teamID string, seq int64) {
	if m != nil {
		m.eventSeq[teamID] = seq
	}
}

func (m *writeMemo) number(teamID string) (int, bool) {
	if m == nil {
		return 0, false
	}
	v, ok := m.itemNumber[teamID]
	return v, ok
}

func (m *writeMemo) setNumber(teamID string, n int) {
	if m != nil {
		m.itemNumber[teamID] = n
	}
}

// created notes an item inserted with its number and rank: it may be the
// team's new highest of either.
func (m *writeMemo) created(it scrum.Item) {
	if m == nil {
		return
	}
	if n, ok := m.itemNumber[it.TeamID]; ok && it.Number > n {
		m.itemNumber[it.TeamID] = it.Number
	}
	if r, ok := m.lastRank[it.TeamID]; ok && it.Rank > r {
		m.lastRank[it.TeamID] = it.Rank
	}
}

func (m *writeMemo) rank(teamID string) (string, bool) {
	if m == nil {
		return "", false
	}
	v, ok := m.lastRank[teamID]
	return v, ok
}

func (m *writeMemo) setRank(teamID, r string) {
	if m != nil {
		m.lastRank[teamID] = r
	}
}

// reranked forgets the team's last rank: a move may have changed it.
func (m *writeMemo) reranked(teamID string) {
	if m != nil {
		delete(m.lastRank, teamID)
	}
}

func (m *writeMemo) rosterVersion(teamID string) (int64, bool) {
	if m == nil {
		return 0, false
	}
	v, ok := m.roster[teamID]
	return v, ok
}

func (m *writeMemo) setRosterVersion(teamID string, v int64) {
	if m != nil {
		m.roster[teamID] = v
	}
}

func (m *writeMemo) rosterChanged(teamID string) {
	if m != nil {
		delete(m.roster, teamID)
	}
}

// readyDefinition returns a copy: callers may change what they get.
func (m *writeMemo) readyDefinition(teamID string) (scrum.ReadyDefinition, bool, bool) {
	if m == nil {
		return scrum.ReadyDefinition{}, false, false
	}
	v, ok := m.ready[teamID]
	if !ok {
		return scrum.ReadyDefinition{}, false, false
	}
	d := v.d
	d.Criteria = slices.Clone(d.Criteria)
	return d, v.found, true
}

func (m *writeMemo) setReadyDefinition(teamID string, d scrum.ReadyDefinition, found bool) {
	if m != nil {
		d.Criteria = slices.Clone(d.Criteria)
		m.ready[teamID] = readyMemo{d: d, found: found}
	}
}

func (m *writeMemo) readyChanged(teamID string) {
	if m != nil {
		delete(m.ready, teamID)
	}
}

// prefetch reads, with one statement, the values of teamID that writes
// look up one by one: its roster version, highest event seq, item number
// and rank, and the highest search_rowid. Only on a single writer, where
// nothing else writes between this read and the writes that use it (on
// PostgreSQL each value is read after locking the team). It reports
// whether it read them; values already remembered are kept, being newer.
func (t *tx) prefetch(ctx context.Context, teamID string) bool {
	m := t.memo
	if m == nil || !t.d.SingleWriter || m.prefetched[teamID] {
		return false
	}
	m.prefetched[teamID] = true
	q := `SELECT (SELECT roster_version FROM teams WHERE id = $1),
		(SELECT COALESCE(MAX(seq), 0) FROM events WHERE team_id = $1),
		(SELECT COALESCE(MAX(number), 0) FROM items WHERE team_id = $1),
		(SELECT COALESCE((SELECT rank FROM items WHERE team_id = $1 ORDER BY rank DESC LIMIT 1), ''))`
	if t.d.SearchIndex != nil {
		q += `, (SELECT COALESCE(MAX(search_rowid), 0) FROM items)`
	} else {
		q += `, 0`
	}
	var roster sql.NullInt64
	var seq, search int64
	var number int
	var rank string
	if err := t.q.QueryRowContext(ctx, q, teamID).Scan(&roster, &seq, &number, &rank, &search); err != nil {
		return false // each value is then read on its own, and fails there if it must
	}
	if _, ok := m.roster[teamID]; !ok && roster.Valid {
		m.roster[teamID] = roster.Int64
	}
	if _, ok := m.eventSeq[teamID]; !ok {
		m.eventSeq[teamID] = seq
	}
	if _, ok := m.itemNumber[teamID]; !ok {
		m.itemNumber[teamID] = number
	}
	if _, ok := m.lastRank[teamID]; !ok {
		m.lastRank[teamID] = rank
	}
	if m.lastSearch == 0 {
		m.lastSearch = search
	}
	return true
}
