package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/tandemhq/tandem/internal/scrum"
)

// AppendEvent gives e the team's next sequence number: one more than the
// highest, read from the (team_id, seq) primary key. Writers of a team are
// serialised (SQLite has one writer; on PostgreSQL the team row is locked
// first), so no two events get the same number, and a change writes only
// its own rows and its event row.
func (t *tx) AppendEvent(ctx context.Context, e scrum.Event) (scrum.Event, error) {
	if err := t.LockTeam(ctx, e.TeamID); err != nil {
		return e, err
	}
	if _, ok := t.memo.seq(e.TeamID); !ok {
		t.prefetch(ctx, e.TeamID)
	}
	if last, ok := t.memo.seq(e.TeamID); ok {
		e.Seq = last + 1
	} else if err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE team_id = $1`, e.TeamID).Scan(&e.Seq); err != nil {
		return e, fmt.Errorf("next event seq: %w", err)
	}
	if e.At.IsZero() {
		e.At = t.now
	}
	_, err := t.q.ExecContext(ctx, `INSERT INTO events (team_id, seq, type, subject_id, actor_id, audience, data, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.TeamID, e.Seq, e.Type, e.SubjectID, e.ActorID, e.Audience, string(e.Data), micros(e.At))
	if err != nil {
		return e, t.d.mapErr(fmt.Errorf("append event: %w", err))
	}
	t.memo.setSeq(e.TeamID, e.Seq)
	t.touched(e.TeamID)
	return e, nil
}

const eventColumns = `seq, type, subject_id, actor_id, audience, data, at`

func scanEvents(rows *sql.Rows, teamID string) ([]scrum.Event, error) {
	defer rows.Close()
	var out []scrum.Event
	for rows.Next() {
		e := scrum.Event{TeamID: teamID}
		var data string
		var at int64
		if err := rows.Scan(&e.Seq, &e.Type, &e.SubjectID, &e.ActorID, &e.Audience, &data, &at); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.Data, e.At = []byte(data), fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// visibleTo is the audience filter: events for the whole team, and those
// addressed to the viewer ($n).
func visibleTo(n int) string { return fmt.Sprintf(`(audience = '' OR audience = $%d)`, n) }

func (t *tx) Events(ctx context.Context, teamID, viewerID string, after int64, limit int) ([]scrum.Event, error) {
	if viewerID == "" {
		return nil, fmt.Errorf("events of %s: no viewer", teamID)
	}
	rows, err := t.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE team_id = $1 AND seq > $2 AND `+visibleTo(4)+` ORDER BY seq LIMIT $3`, teamID, after, limit, viewerID)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", teamID, err)
	}
	return scanEvents(rows, teamID)
}

func (t *tx) AllEvents(ctx context.Context, teamID string, after int64, limit int) ([]scrum.Event, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE team_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		teamID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", teamID, err)
	}
	return scanEvents(rows, teamID)
}

func (t *tx) LastEventSeq(ctx context.Context, teamID string) (int64, error) {
	var seq int64
	// MAX over the (team_id, seq) index is one seek. A team without events
	// yet reads 0 here; Team() tells unknown teams apart where it matters.
	err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE team_id = $1`, teamID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("last event of %s: %w", teamID, err)
	}
	return seq, nil
}

func (t *tx) SubjectEvents(ctx context.Context, teamID, subjectID, viewerID string, p scrum.Page) ([]scrum.Event, string, error) {
	if viewerID == "" {
		return nil, "", fmt.Errorf("events of %s: no viewer", subjectID)
	}
	limit := pageLimit(p.Limit)
	var after int64
	if p.Cursor != "" {
		parts, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		if after, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
			return nil, "", scrum.Invalid("cursor", "cursor is not valid")
		}
	}
	rows, err := t.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE team_id = $1 AND subject_id = $2 AND seq > $3 AND `+visibleTo(5)+` ORDER BY seq LIMIT $4`,
		teamID, subjectID, after, limit+1, viewerID)
	if err != nil {
		return nil, "", fmt.Errorf("events of %s: %w", subjectID, err)
	}
	es, err := scanEvents(rows, teamID)
	if err != nil {
		return nil, "", err
	}
	var next string
	if len(es) > limit {
		es = es[:limit]
		next = encodeCursor(strconv.FormatInt(es[limit-1].Seq, 10))
	}
	return es, next, nil
}

func (t *tx) AppendAudit(ctx context.Context, a scrum.AuditEntry) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO audit (at, actor_id, team_id, action, target, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, micros(a.At), a.ActorID, a.TeamID, a.Action, a.Target, a.Detail, a.IP)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

func (t *tx) Audit(ctx context.Context, teamID string, p scrum.Page) ([]scrum.AuditEntry, string, error) {
	limit := pageLimit(p.Limit)
	before := int64(1<<62 - 1)
	if p.Cursor != "" {
		parts, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		if before, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
			return nil, "", scrum.Invalid("cursor", "cursor is not valid")
		}
	}
	rows, err := t.q.QueryContext(ctx, `SELECT a.id, a.at, a.actor_id, COALESCE(u.name, ''), a.action, a.target, a.detail, a.ip
		FROM audit a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.team_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3`, teamID, before, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("audit of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []scrum.AuditEntry
	for rows.Next() {
		a := scrum.AuditEntry{TeamID: teamID}
		var at int64
		if err := rows.Scan(&a.ID, &at, &a.ActorID, &a.Actor, &a.Action, &a.Target, &a.Detail, &a.IP); err != nil {
			return nil, "", fmt.Errorf("audit of %s: %w", teamID, err)
		}
		a.At = fromMicros(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	var next string
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(strconv.FormatInt(out[limit-1].ID, 10))
	}
	return out, next, nil
}

func (t *tx) Throttle(ctx context.Context, key string) (scrum.Throttle, error) {
	th := scrum.Throttle{Key: key}
	var start, blocked int64
	err := t.q.QueryRowContext(ctx, `SELECT attempts, window_start, blocked_until FROM throttles WHERE throttle_key = $1`, key).
		Scan(&th.Count, &start, &blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return th, nil
	}
	if err != nil {
		return th, fmt.Errorf("throttle %s: %w", key, err)
	}
	th.WindowStart, th.BlockedUntil = fromMicros(start), fromMicros(blocked)
	return th, nil
}

func (t *tx) PutThrottle(ctx context.Context, th scrum.Throttle) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO throttles (throttle_key, attempts, window_start, blocked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (throttle_key) DO UPDATE SET attempts = excluded.attempts, window_start = excluded.window_start, blocked_until = excluded.blocked_until`,
		th.Key, th.Count, micros(th.WindowStart), micros(th.BlockedUntil))
	if err != nil {
		return fmt.Errorf("put throttle %s: %w", th.Key, err)
	}
	return nil
}

func (t *tx) DeleteThrottle(ctx context.Context, key string) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM throttles WHERE throttle_key = $1`, key); err != nil {
		return fmt.Errorf("delete throttle %s: %w", key, err)
	}
	return nil
}
