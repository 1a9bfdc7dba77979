package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

func (t *tx) CreateTeam(ctx context.Context, team scrum.Team) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO teams (id, name, version, created_at, created_by) VALUES ($1, $2, $3, $4, $5)`,
		team.ID, team.Name, team.Version, micros(team.CreatedAt), team.CreatedBy)
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create team: %w", err))
	}
	return nil
}

const teamColumns = `id, name, version, created_at, created_by`

func scanTeam(row interface{ Scan(...any) error }) (scrum.Team, error) {
	var team scrum.Team
	var created int64
	if err := row.Scan(&team.ID, &team.Name, &team.Version, &created, &team.CreatedBy); err != nil {
		return team, err
	}
	team.CreatedAt = fromMicros(created)
	return team, nil
}

func (t *tx) Team(ctx context.Context, id string) (scrum.Team, error) {
	team, err := scanTeam(t.q.QueryRowContext(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return team, scrum.NotFound("team")
	}
	if err != nil {
		return team, fmt.Errorf("team %s: %w", id, err)
	}
	return team, nil
}

func (t *tx) UpdateTeam(ctx context.Context, team scrum.Team) error {
	n, err := affected(t.q.ExecContext(ctx, `UPDATE teams SET name = $1, version = $2 WHERE id = $3 AND version = $4`,
		team.Name, team.Version, team.ID, team.Version-1))
	if err != nil {
		return fmt.Errorf("update team: %w", err)
	}
	if n == 0 {
		cur, err := t.Team(ctx, team.ID)
		if err != nil {
			return err
		}
		return scrum.Stale("the team", cur.Version)
	}
	return t.rosterChanged(ctx, team.ID)
}

// rosterChanged bumps the team's roster version; every write to its name,
// members or map calls it, so cached rosters cannot miss a change.
func (t *tx) rosterChanged(ctx context.Context, teamID string) error {
	t.memo.rosterChanged(teamID)
	if _, err := t.q.ExecContext(ctx, `UPDATE teams SET roster_version = roster_version + 1 WHERE id = $1`, teamID); err != nil {
		return fmt.Errorf("roster version of %s: %w", teamID, err)
	}
	return nil
}

func (t *tx) RosterVersion(ctx context.Context, teamID string) (int64, error) {
	if v, ok := t.memo.rosterVersion(teamID); ok {
		return v, nil
	}
	if t.prefetch(ctx, teamID) {
		if v, ok := t.memo.rosterVersion(teamID); ok {
			return v, nil
		}
	}
	var v int64
	err := t.q.QueryRowContext(ctx, `SELECT roster_version FROM teams WHERE id = $1`, teamID).Scan(&v)
	if err == nil {
		t.memo.setRosterVersion(teamID, v)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, scrum.NotFound("team")
	}
	if err != nil {
		return 0, fmt.Errorf("roster version of %s: %w", teamID, err)
	}
	return v, nil
}

func (t *tx) TeamsOf(ctx context.Context, userID string, p scrum.Page) ([]scrum.MyTeam, string, error) {
	limit := pageLimit(p.Limit)
	var after []string
	if p.Cursor != "" {
		var err error
		if after, err = decodeCursor(p.Cursor, 2); err != nil {
			return nil, "", err
		}
	} else {
		after = []string{"", ""}
	}
	// The page of teams first, then one row per accountability held on
	// each: one query, folded here.
	rows, err := t.q.QueryContext(ctx, `WITH page AS (
			SELECT t.id, t.name, t.version, t.created_at, t.created_by
			FROM teams t JOIN members m ON m.team_id = t.id
			WHERE m.user_id = $1 AND (t.name > $2 OR (t.name = $2 AND t.id > $3))
			ORDER BY t.name, t.id LIMIT $4)
		SELECT p.id, p.name, p.version, p.created_at, p.created_by, a.accountability
		FROM page p LEFT JOIN member_accountabilities a ON a.team_id = p.id AND a.user_id = $1
		ORDER BY p.name, p.id`, userID, after[0], after[1], limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("teams of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []scrum.MyTeam
	for rows.Next() {
		var mt scrum.MyTeam
		var created int64
		var acc sql.NullString
		if err := rows.Scan(&mt.ID, &mt.Name, &mt.Version, &created, &mt.CreatedBy, &acc); err != nil {
			return nil, "", fmt.Errorf("teams of %s: %w", userID, err)
		}
		if n := len(out); n > 0 && out[n-1].ID == mt.ID {
			if acc.Valid {
				out[n-1].Accountabilities = append(out[n-1].Accountabilities, scrum.Accountability(acc.String))
			}
			continue
		}
		mt.CreatedAt = fromMicros(created)
		if acc.Valid {
			mt.Accountabilities = []scrum.Accountability{scrum.Accountability(acc.String)}
		}
		out = append(out, mt)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	for i := range out {
		out[i].Accountabilities = ordered(out[i].Accountabilities)
	}
	var next string
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.Name, last.ID)
	}
	return out, next, nil
}

func (t *tx) CountTeamsOf(ctx context.Context, userID string) (int, error) {
	var n int
	if err := t.q.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count teams: %w", err)
	}
	return n, nil
}

// Members reads memberships and accountabilities in one query; the
// accountabilities come back as one row each and are folded here.
func (t *tx) Members(ctx context.Context, teamID string) ([]scrum.Member, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT m.user_id, u.name, u.email, m.version, m.joined_at, a.accountability
		FROM members m JOIN users u ON u.id = m.user_id
		LEFT JOIN member_accountabilities a ON a.team_id = m.team_id AND a.user_id = m.user_id
		WHERE m.team_id = $1
		ORDER BY u.name, m.user_id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("members of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []scrum.Member
	for rows.Next() {
		var m scrum.Member
		var joined int64
		var acc sql.NullString
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.Version, &joined, &acc); err != nil {
			return nil, fmt.Errorf("members of %s: %w", teamID, err)
		}
		if n := len(out); n > 0 && out[n-1].UserID == m.UserID {
			if acc.Valid {
				out[n-1].Accountabilities = append(out[n-1].Accountabilities, scrum.Accountability(acc.String))
			}
			continue
		}
		m.TeamID, m.JoinedAt = teamID, fromMicros(joined)
		if acc.Valid {
			m.Accountabilities = []scrum.Accountability{scrum.Accountability(acc.String)}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Accountabilities = ordered(out[i].Accountabilities)
	}
	return out, nil
}

func ordered(in []scrum.Accountability) []scrum.Accountability {
	out := make([]scrum.Accountability, 0, len(in))
	for _, a := range scrum.Accountabilities() {
		for _, b := range in {
			if a == b {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// Member reads one membership (one query; every read of a team checks it).
func (t *tx) Member(ctx context.Context, teamID, userID string) (scrum.Member, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT u.name, u.email, m.version, m.joined_at, a.accountability
		FROM members m JOIN users u ON u.id = m.user_id
		LEFT JOIN member_accountabilities a ON a.team_id = m.team_id AND a.user_id = m.user_id
		WHERE m.team_id = $1 AND m.user_id = $2`, teamID, userID)
	if err != nil {
		return scrum.Member{}, fmt.Errorf("member of %s: %w", teamID, err)
	}
	defer rows.Close()
	m := scrum.Member{TeamID: teamID, UserID: userID}
	found := false
	for rows.Next() {
		var joined int64
		var acc sql.NullString
		if err := rows.Scan(&m.Name, &m.Email, &m.Version, &joined, &acc); err != nil {
			return scrum.Member{}, fmt.Errorf("member of %s: %w", teamID, err)
		}
		found, m.JoinedAt = true, fromMicros(joined)
		if acc.Valid {
			m.Accountabilities = append(m.Accountabilities, scrum.Accountability(acc.String))
		}
	}
	if err := rows.Err(); err != nil {
		return scrum.Member{}, err
	}
	if !found {
		return scrum.Member{}, scrum.NotFound("member")
	}
	m.Accountabilities = ordered(m.Accountabilities)
	return m, nil
}

func (t *tx) PutMember(ctx context.Context, m scrum.Member) error {
	if m.Version == 1 {
		_, err := t.q.ExecContext(ctx, `INSERT INTO members (team_id, user_id, version, joined_at) VALUES ($1, $2, 1, $3)`,
			m.TeamID, m.UserID, micros(m.JoinedAt))
		if err != nil {
			return t.d.mapErr(fmt.Errorf("add member: %w", err))
		}
	} else {
		n, err := affected(t.q.ExecContext(ctx, `UPDATE members SET version = $1 WHERE team_id = $2 AND user_id = $3 AND version = $4`,
			m.Version, m.TeamID, m.UserID, m.Version-1))
		if err != nil {
			return fmt.Errorf("update member: %w", err)
		}
		if n == 0 {
			cur, err := t.Member(ctx, m.TeamID, m.UserID)
			if err != nil {
				return err
			}
			return scrum.Stale("the membership", cur.Version)
		}
		if _, err := t.q.ExecContext(ctx, `DELETE FROM member_accountabilities WHERE team_id = $1 AND user_id = $2`, m.TeamID, m.UserID); err != nil {
			return fmt.Errorf("update member: %w", err)
		}
	}
	for _, a := range m.Accountabilities {
		_, err := t.q.ExecContext(ctx, `INSERT INTO member_accountabilities (team_id, user_id, accountability) VALUES ($1, $2, $3)`,
			m.TeamID, m.UserID, string(a))
		if err != nil {
			err = t.d.mapErr(fmt.Errorf("set accountability %s: %w", a, err))
			if scrum.IsCode(err, scrum.CodeConflict) && a == scrum.ProductOwner {
				return scrum.Errorf(scrum.CodeConflict, "the team already has a Product Owner")
			}
			return err
		}
	}
	return t.rosterChanged(ctx, m.TeamID)
}

func (t *tx) DeleteMember(ctx context.Context, teamID, userID string) error {
	// member_accountabilities cascade.
	n, err := affected(t.q.ExecContext(ctx, `DELETE FROM members WHERE team_id = $1 AND user_id = $2`, teamID, userID))
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if n == 0 {
		return scrum.NotFound("member")
	}
	return t.rosterChanged(ctx, teamID)
}

func (t *tx) Responsibilities(ctx context.Context, teamID string) ([]scrum.Responsibility, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT r.resp_key, r.owner_accountability, r.owner_user_id, u.name, r.version, r.updated_at, r.updated_by
		FROM responsibilities r LEFT JOIN users u ON u.id = r.owner_user_id
		WHERE r.team_id = $1`, teamID)
	if err != nil {
		return nil, fmt.Errorf("responsibilities of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []scrum.Responsibility
	for rows.Next() {
		var r scrum.Responsibility
		var acc, uid, uname sql.NullString
		var updated int64
		if err := rows.Scan(&r.Key, &acc, &uid, &uname, &r.Version, &updated, &r.UpdatedBy); err != nil {
			return nil, fmt.Errorf("responsibilities of %s: %w", teamID, err)
		}
		r.Owner = scrum.Owner{Accountability: scrum.Accountability(acc.String), UserID: uid.String}
		r.OwnerName, r.UpdatedAt = uname.String, fromMicros(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) PutResponsibility(ctx context.Context, teamID string, r scrum.Responsibility) error {
	acc := sql.NullString{String: string(r.Owner.Accountability), Valid: r.Owner.Accountability != ""}
	uid := sql.NullString{String: r.Owner.UserID, Valid: r.Owner.UserID != ""}
	var n int64
	var err error
	if r.Version == 1 {
		n, err = affected(t.q.ExecContext(ctx, `INSERT INTO responsibilities (team_id, resp_key, owner_accountability, owner_user_id, version, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (team_id, resp_key) DO NOTHING`,
			teamID, r.Key, acc, uid, micros(r.UpdatedAt), r.UpdatedBy))
	} else {
		n, err = affected(t.q.ExecContext(ctx, `UPDATE responsibilities SET owner_accountability = $1, owner_user_id = $2, version = $3, updated_at = $4, updated_by = $5
			WHERE team_id = $6 AND resp_key = $7 AND version = $8`,
			acc, uid, r.Version, micros(r.UpdatedAt), r.UpdatedBy, teamID, r.Key, r.Version-1))
	}
	if err != nil {
		return t.d.mapErr(fmt.Errorf("put responsibility %s: %w", r.Key, err))
	}
	if n == 0 {
		var cur int
		if err := t.q.QueryRowContext(ctx, `SELECT version FROM responsibilities WHERE team_id = $1 AND resp_key = $2`, teamID, r.Key).Scan(&cur); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("put responsibility %s: %w", r.Key, err)
		}
		return scrum.Stale("the responsibility", cur)
	}
	return t.rosterChanged(ctx, teamID)
}

func (t *tx) CreateInvite(ctx context.Context, in scrum.Invite) error {
	accs := make([]string, len(in.Accountabilities))
	for i, a := range in.Accountabilities {
		accs[i] = string(a)
	}
	_, err := t.q.ExecContext(ctx, `INSERT INTO invites (id, team_id, hash, accountabilities, created_by, created_at, expires_at, max_uses, uses)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)`,
		in.ID, in.TeamID, in.Hash, strings.Join(accs, ","), in.CreatedBy, micros(in.CreatedAt), micros(in.ExpiresAt), in.MaxUses)
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create invite: %w", err))
	}
	return nil
}

func (t *tx) InviteByHash(ctx context.Context, hash string) (scrum.Invite, error) {
	in := scrum.Invite{Hash: hash}
	var accs string
	var created, expires int64
	err := t.q.QueryRowContext(ctx, `SELECT id, team_id, accountabilities, created_by, created_at, expires_at, max_uses, uses
		FROM invites WHERE hash = $1`, hash).
		Scan(&in.ID, &in.TeamID, &accs, &in.CreatedBy, &created, &expires, &in.MaxUses, &in.Uses)
	if errors.Is(err, sql.ErrNoRows) {
		return in, scrum.NotFound("invite")
	}
	if err != nil {
		return in, fmt.Errorf("invite: %w", err)
	}
	for _, a := range strings.Split(accs, ",") {
		in.Accountabilities = append(in.Accountabilities, scrum.Accountability(a))
	}
	in.CreatedAt, in.ExpiresAt = fromMicros(created), fromMicros(expires)
	return in, nil
}

func (t *tx) UseInvite(ctx context.Context, id string) error {
	n, err := affected(t.q.ExecContext(ctx, `UPDATE invites SET uses = uses + 1 WHERE id = $1 AND uses < max_uses`, id))
	if err != nil {
		return fmt.Errorf("use invite: %w", err)
	}
	if n == 0 {
		return scrum.Errorf(scrum.CodeConflict, "this invite was just used up")
	}
	return nil
}
