package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PresencePrefix starts the NOTIFY payload that says a team's presence
// changed ("presence:" + team id); other payloads are team ids with new
// events.
const PresencePrefix = "presence:"

// Board is live.Board on the presence table: instances sharing one
// database see who is connected to the others.
type Board struct {
	DB *sql.DB
	// Lifetime is how long a row counts after its instance last renewed
	// it (default 30 s); instances renew well within it.
	Lifetime time.Duration
}

func (b Board) lifetime() string {
	d := b.Lifetime
	if d <= 0 {
		d = 30 * time.Second
	}
	return fmt.Sprintf("%d milliseconds", d.Milliseconds())
}

const notifyPresence = `SELECT pg_notify('` + Channel + `', '` + PresencePrefix + `' || $1)`

// Set records or removes one presence row of instance, then notifies.
func (b Board) Set(ctx context.Context, instance, teamID, key, userID string, present bool) error {
	q := `DELETE FROM presence WHERE team_id = $1 AND key = $2 AND user_id = $3 AND instance_id = $4`
	if present {
		q = `INSERT INTO presence (team_id, key, user_id, instance_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (team_id, key, user_id, instance_id) DO UPDATE SET renewed_at = now()`
	}
	if _, err := b.DB.ExecContext(ctx, q, teamID, key, userID, instance); err != nil {
		return fmt.Errorf("set presence on %s: %w", teamID, err)
	}
	if _, err := b.DB.ExecContext(ctx, notifyPresence, teamID); err != nil {
		return fmt.Errorf("notify presence on %s: %w", teamID, err)
	}
	return nil
}

// Renew keeps instance's rows alive and removes rows long dead (an
// instance that stopped without clearing its own).
func (b Board) Renew(ctx context.Context, instance string) error {
	if _, err := b.DB.ExecContext(ctx, `UPDATE presence SET renewed_at = now() WHERE instance_id = $1`, instance); err != nil {
		return fmt.Errorf("renew presence: %w", err)
	}
	if _, err := b.DB.ExecContext(ctx, `DELETE FROM presence WHERE renewed_at < now() - 10 * $1::interval`, b.lifetime()); err != nil {
		return fmt.Errorf("remove dead presence: %w", err)
	}
	return nil
}

// Others lists who is present on teamID at live instances but instance.
func (b Board) Others(ctx context.Context, teamID, instance string) (map[string][]string, error) {
	rows, err := b.DB.QueryContext(ctx, `SELECT DISTINCT key, user_id FROM presence
		WHERE team_id = $1 AND instance_id <> $2 AND renewed_at > now() - $3::interval`, teamID, instance, b.lifetime())
	if err != nil {
		return nil, fmt.Errorf("read presence on %s: %w", teamID, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var key, user string
		if err := rows.Scan(&key, &user); err != nil {
			return nil, fmt.Errorf("read presence on %s: %w", teamID, err)
		}
		out[key] = append(out[key], user)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read presence on %s: %w", teamID, err)
	}
	return out, nil
}

// Clear removes instance's rows and notifies each team they were on.
func (b Board) Clear(ctx context.Context, instance string) error {
	_, err := b.DB.ExecContext(ctx, `WITH gone AS (DELETE FROM presence WHERE instance_id = $1 RETURNING team_id)
		SELECT pg_notify('`+Channel+`', '`+PresencePrefix+`' || team_id) FROM (SELECT DISTINCT team_id FROM gone) t`, instance)
	if err != nil {
		return fmt.Errorf("clear presence: %w", err)
	}
	return nil
}
