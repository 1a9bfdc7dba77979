package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

func (t *tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := t.q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

func (t *tx) CreateUser(ctx context.Context, u scrum.User, passwordHash string) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, site_admin, deactivated, version, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.Email, u.Name, passwordHash, u.SiteAdmin, u.Deactivated, u.Version, micros(u.CreatedAt))
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create user: %w", err))
	}
	return nil
}

const userColumns = `id, email, name, site_admin, deactivated, version, created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (scrum.User, error) {
	var u scrum.User
	var created int64
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.SiteAdmin, &u.Deactivated, &u.Version, &created}, extra...)
	if err := row.Scan(dest...); err != nil {
		return u, err
	}
	u.CreatedAt = fromMicros(created)
	return u, nil
}

func (t *tx) User(ctx context.Context, id string) (scrum.User, error) {
	u, err := scanUser(t.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, scrum.NotFound("user")
	}
	if err != nil {
		return u, fmt.Errorf("user %s: %w", id, err)
	}
	return u, nil
}

func (t *tx) UserByEmail(ctx context.Context, email string) (scrum.User, string, error) {
	var hash string
	u, err := scanUser(t.q.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", scrum.NotFound("user")
	}
	if err != nil {
		return u, "", fmt.Errorf("user by email: %w", err)
	}
	return u, hash, nil
}

func (t *tx) CreateSession(ctx context.Context, s scrum.Session) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, s.Hash, s.UserID, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt))
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create session: %w", err))
	}
	return nil
}

func (t *tx) Session(ctx context.Context, hash string) (scrum.Session, error) {
	s := scrum.Session{Hash: hash}
	var created, seen, expires int64
	err := t.q.QueryRowContext(ctx, `SELECT user_id, created_at, last_seen_at, expires_at FROM sessions WHERE hash = $1`, hash).
		Scan(&s.UserID, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return s, scrum.NotFound("session")
	}
	if err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return s, nil
}

func (t *tx) TouchSession(ctx context.Context, hash string, at time.Time) error {
	if _, err := t.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE hash = $2`, micros(at), hash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

func (t *tx) DeleteSession(ctx context.Context, hash string) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (t *tx) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete sessions of %s: %w", userID, err)
	}
	return nil
}

func (t *tx) CreateToken(ctx context.Context, k scrum.Token) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO tokens (id, user_id, name, hash, created_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, k.ID, k.UserID, k.Name, k.Hash, micros(k.CreatedAt), micros(k.LastUsedAt))
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create token: %w", err))
	}
	return nil
}

const tokenColumns = `id, user_id, name, hash, created_at, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (scrum.Token, error) {
	var k scrum.Token
	var created, used int64
	if err := row.Scan(&k.ID, &k.UserID, &k.Name, &k.Hash, &created, &used); err != nil {
		return k, err
	}
	k.CreatedAt, k.LastUsedAt = fromMicros(created), fromMicros(used)
	return k, nil
}

func (t *tx) TokenByHash(ctx context.Context, hash string) (scrum.Token, error) {
	k, err := scanToken(t.q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return k, scrum.NotFound("token")
	}
	if err != nil {
		return k, fmt.Errorf("token: %w", err)
	}
	return k, nil
}

func (t *tx) Tokens(ctx context.Context, userID string) ([]scrum.Token, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []scrum.Token
	for rows.Next() {
		k, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := t.q.ExecContext(ctx, `UPDATE tokens SET last_used_at = $1 WHERE id = $2`, micros(at), id); err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return nil
}

func (t *tx) DeleteToken(ctx context.Context, userID, id string) error {
	n, err := affected(t.q.ExecContext(ctx, `DELETE FROM tokens WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	if n == 0 {
		return scrum.NotFound("token")
	}
	return nil
}
