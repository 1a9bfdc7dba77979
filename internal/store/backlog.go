package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Definition of Ready, product goal, ranks, suggestions, comments and the
// bulk writes of an import.

func (t *tx) ReadyDefinition(ctx context.Context, teamID string) (scrum.ReadyDefinition, error) {
	if d, found, ok := t.memo.readyDefinition(teamID); ok {
		if !found {
			return d, scrum.NotFound("definition of ready")
		}
		return d, nil
	}
	d, err := t.readyDefinition(ctx, teamID)
	if err == nil || scrum.IsCode(err, scrum.CodeNotFound) {
		t.memo.setReadyDefinition(teamID, d, err == nil)
	}
	return d, err
}

func (t *tx) readyDefinition(ctx context.Context, teamID string) (scrum.ReadyDefinition, error) {
	d := scrum.ReadyDefinition{TeamID: teamID}
	var crit string
	var updated int64
	err := t.q.QueryRowContext(ctx, `SELECT criteria, max_sprint_estimate, version, updated_at, updated_by
		FROM ready_definitions WHERE team_id = $1`, teamID).Scan(&crit, &d.MaxSprintEstimate, &d.Version, &updated, &d.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return d, scrum.NotFound("definition of ready")
	}
	if err != nil {
		return d, fmt.Errorf("definition of ready of %s: %w", teamID, err)
	}
	if err := json.Unmarshal([]byte(crit), &d.Criteria); err != nil {
		return d, fmt.Errorf("definition of ready of %s: %w", teamID, err)
	}
	d.UpdatedAt = fromMicros(updated)
	return d, nil
}

func (t *tx) PutReadyDefinition(ctx context.Context, d scrum.ReadyDefinition) error {
	crit := d.Criteria
	if crit == nil {
		crit = []scrum.ReadyCriterion{}
	}
	b, err := json.Marshal(crit)
	if err != nil {
		return fmt.Errorf("put definition of ready: %w", err)
	}
	var n int64
	t.memo.readyChanged(d.TeamID)
	if d.Version == 1 {
		n, err = affected(t.q.ExecContext(ctx, `INSERT INTO ready_definitions (team_id, criteria, max_sprint_estimate, version, updated_at, updated_by)
			VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (team_id) DO NOTHING`,
			d.TeamID, string(b), d.MaxSprintEstimate, micros(d.UpdatedAt), d.UpdatedBy))
	} else {
		n, err = affected(t.q.ExecContext(ctx, `UPDATE ready_definitions SET criteria = $1, max_sprint_estimate = $2, version = $3,
			updated_at = $4, updated_by = $5 WHERE team_id = $6 AND version = $7`,
			string(b), d.MaxSprintEstimate, d.Version, micros(d.UpdatedAt), d.UpdatedBy, d.TeamID, d.Version-1))
	}
	if err != nil {
		return t.d.mapErr(fmt.Errorf("put definition of ready: %w", err))
	}
	if n == 0 {
		cur, err := t.ReadyDefinition(ctx, d.TeamID)
		if err != nil && !scrum.IsCode(err, scrum.CodeNotFound) {
			return err
		}
		return scrum.Stale("the Definition of Ready", cur.Version)
	}
	return nil
}

func (t *tx) SetItemsReady(ctx context.Context, teamID string, ready map[string]bool) error {
	for id, r := range ready {
		if _, err := t.q.ExecContext(ctx, `UPDATE items SET ready = $1 WHERE id = $2 AND team_id = $3`, r, id, teamID); err != nil {
			return fmt.Errorf("set ready: %w", err)
		}
	}
	return nil
}

func (t *tx) ProductGoal(ctx context.Context, teamID string) (scrum.ProductGoal, error) {
	g := scrum.ProductGoal{TeamID: teamID}
	var updated int64
	err := t.q.QueryRowContext(ctx, `SELECT text, version, updated_at, updated_by FROM product_goals WHERE team_id = $1`, teamID).
		Scan(&g.Text, &g.Version, &updated, &g.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return g, scrum.NotFound("product goal")
	}
	if err != nil {
		return g, fmt.Errorf("product goal of %s: %w", teamID, err)
	}
	g.UpdatedAt = fromMicros(updated)
	return g, nil
}

func (t *tx) PutProductGoal(ctx context.Context, g scrum.ProductGoal) error {
	var n int64
	var err error
	if g.Version == 1 {
		n, err = affected(t.q.ExecContext(ctx, `INSERT INTO product_goals (team_id, text, version, updated_at, updated_by)
			VALUES ($1, $2, 1, $3, $4) ON CONFLICT (team_id) DO NOTHING`, g.TeamID, g.Text, micros(g.UpdatedAt), g.UpdatedBy))
	} else {
		n, err = affected(t.q.ExecContext(ctx, `UPDATE product_goals SET text = $1, version = $2, updated_at = $3, updated_by = $4
			WHERE team_id = $5 AND version = $6`, g.Text, g.Version, micros(g.UpdatedAt), g.UpdatedBy, g.TeamID, g.Version-1))
	}
	if err != nil {
		return t.d.mapErr(fmt.Errorf("put product goal: %w", err))
	}
	if n == 0 {
		cur, err := t.ProductGoal(ctx, g.TeamID)
		if err != nil && !scrum.IsCode(err, scrum.CodeNotFound) {
			return err
		}
		return scrum.Stale("the product goal", cur.Version)
	}
	return nil
}

func (t *tx) ItemRanks(ctx context.Context, teamID string) ([]string, []string, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT id, rank FROM items WHERE team_id = $1 ORDER BY rank`, teamID)
	if err != nil {
		return nil, nil, fmt.Errorf("ranks of %s: %w", teamID, err)
	}
	defer rows.Close()
	var ids, ranks []string
	for rows.Next() {
		var id, r string
		if err := rows.Scan(&id, &r); err != nil {
			return nil, nil, fmt.Errorf("ranks of %s: %w", teamID, err)
		}
		ids, ranks = append(ids, id), append(ranks, r)
	}
	return ids, ranks, rows.Err()
}

// Rerank first moves every key of the team out of the way ('~' sorts after
// every rank digit), so that no new key collides with an old one under the
// unique index, then writes the new keys in batches.
func (t *tx) Rerank(ctx context.Context, teamID string, ids, keys []string) error {
	if len(ids) != len(keys) {
		return fmt.Errorf("rerank: %d ids, %d keys", len(ids), len(keys))
	}
	t.memo.reranked(teamID)
	if _, err := t.q.ExecContext(ctx, `UPDATE items SET rank = '~' || rank WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("rerank %s: %w", teamID, err)
	}
	const batch = 200
	for lo := 0; lo < len(ids); lo += batch {
		hi := min(lo+batch, len(ids))
		args := []any{teamID}
		var cases, in strings.Builder
		for i := lo; i < hi; i++ {
			args = append(args, ids[i], keys[i])
			n := len(args)
			fmt.Fprintf(&cases, " WHEN $%d THEN $%d", n-1, n)
			if i > lo {
				in.WriteString(", ")
			}
			in.WriteString("$" + strconv.Itoa(n-1))
		}
		q := `UPDATE items SET rank = CASE id` + cases.String() + ` END WHERE team_id = $1 AND id IN (` + in.String() + `)`
		if _, err := t.q.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("rerank %s: %w", teamID, err)
		}
	}
	return nil
}

const suggestionColumns = `id, team_id, item_id, before_id, after_id, to_edge, note, state, created_by, created_at, resolved_by, resolved_at, version`

func scanSuggestion(row interface{ Scan(...any) error }) (scrum.Suggestion, error) {
	var sg scrum.Suggestion
	var state string
	var created, resolved int64
	err := row.Scan(&sg.ID, &sg.TeamID, &sg.ItemID, &sg.Move.Before, &sg.Move.After, &sg.Move.To, &sg.Note, &state,
		&sg.CreatedBy, &created, &sg.ResolvedBy, &resolved, &sg.Version)
	sg.State, sg.CreatedAt, sg.ResolvedAt = scrum.SuggestionState(state), fromMicros(created), fromMicros(resolved)
	return sg, err
}

func (t *tx) CreateSuggestion(ctx context.Context, sg scrum.Suggestion) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO suggestions (`+suggestionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		sg.ID, sg.TeamID, sg.ItemID, sg.Move.Before, sg.Move.After, sg.Move.To, sg.Note, string(sg.State),
		sg.CreatedBy, micros(sg.CreatedAt), sg.ResolvedBy, micros(sg.ResolvedAt), sg.Version)
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create suggestion: %w", err))
	}
	return nil
}

func (t *tx) Suggestion(ctx context.Context, teamID, id string) (scrum.Suggestion, error) {
	sg, err := scanSuggestion(t.q.QueryRowContext(ctx, `SELECT `+suggestionColumns+` FROM suggestions WHERE id = $1 AND team_id = $2`, id, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return sg, scrum.NotFound("suggestion")
	}
	if err != nil {
		return sg, fmt.Errorf("suggestion %s: %w", id, err)
	}
	return sg, nil
}

func (t *tx) UpdateSuggestion(ctx context.Context, sg scrum.Suggestion) error {
	n, err := affected(t.q.ExecContext(ctx, `UPDATE suggestions SET state = $1, resolved_by = $2, resolved_at = $3, version = $4
		WHERE id = $5 AND team_id = $6 AND version = $7`,
		string(sg.State), sg.ResolvedBy, micros(sg.ResolvedAt), sg.Version, sg.ID, sg.TeamID, sg.Version-1))
	if err != nil {
		return fmt.Errorf("update suggestion: %w", err)
	}
	if n == 0 {
		cur, err := t.Suggestion(ctx, sg.TeamID, sg.ID)
		if err != nil {
			return err
		}
		return scrum.Stale("the suggestion", cur.Version)
	}
	return nil
}

func (t *tx) OpenSuggestions(ctx context.Context, teamID string, limit int) ([]scrum.Suggestion, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT `+suggestionColumns+` FROM suggestions
		WHERE team_id = $1 AND state = 'open' ORDER BY created_at, id LIMIT $2`, teamID, limit)
	if err != nil {
		return nil, fmt.Errorf("suggestions of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []scrum.Suggestion
	for rows.Next() {
		sg, err := scanSuggestion(rows)
		if err != nil {
			return nil, fmt.Errorf("suggestions of %s: %w", teamID, err)
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

func (t *tx) CreateComment(ctx context.Context, c scrum.Comment) error {
	return t.CreateComments(ctx, []scrum.Comment{c})
}

func (t *tx) CreateComments(ctx context.Context, cs []scrum.Comment) error {
	const cols = 8
	return batches(len(cs), 100, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, c := range cs[lo:hi] {
			m := c.Mentions
			if m == nil {
				m = []string{}
			}
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			args = append(args, c.ID, c.TeamID, c.ItemID, c.AuthorID, c.ImportedAuthor, c.Body, string(b), micros(c.CreatedAt))
		}
		_, err := t.q.ExecContext(ctx, `INSERT INTO comments (id, team_id, item_id, author_id, imported_author, body, mentions, created_at)
			VALUES `+placeholders(hi-lo, cols), args...)
		if err != nil {
			return t.d.mapErr(fmt.Errorf("create comments: %w", err))
		}
		return nil
	})
}

func (t *tx) Comments(ctx context.Context, teamID, itemID string, p scrum.Page) ([]scrum.Comment, string, error) {
	limit := pageLimit(p.Limit)
	after := []string{"-1", ""}
	if p.Cursor != "" {
		var err error
		if after, err = decodeCursor(p.Cursor, 2); err != nil {
			return nil, "", err
		}
	}
	at, err := strconv.ParseInt(after[0], 10, 64)
	if err != nil {
		return nil, "", scrum.Invalid("cursor", "cursor is not valid")
	}
	rows, err := t.q.QueryContext(ctx, `SELECT c.id, c.author_id, COALESCE(u.name, ''), c.imported_author, c.body, c.mentions, c.created_at
		FROM comments c LEFT JOIN users u ON u.id = c.author_id
		WHERE c.team_id = $1 AND c.item_id = $2 AND (c.created_at > $3 OR (c.created_at = $3 AND c.id > $4))
		ORDER BY c.created_at, c.id LIMIT $5`, teamID, itemID, at, after[1], limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("comments of %s: %w", itemID, err)
	}
	defer rows.Close()
	var out []scrum.Comment
	for rows.Next() {
		c := scrum.Comment{TeamID: teamID, ItemID: itemID}
		var mentions string
		var created int64
		if err := rows.Scan(&c.ID, &c.AuthorID, &c.AuthorName, &c.ImportedAuthor, &c.Body, &mentions, &created); err != nil {
			return nil, "", fmt.Errorf("comments of %s: %w", itemID, err)
		}
		if err := json.Unmarshal([]byte(mentions), &c.Mentions); err != nil {
			return nil, "", fmt.Errorf("comment %s mentions: %w", c.ID, err)
		}
		c.CreatedAt = fromMicros(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	var next string
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(strconv.FormatInt(micros(last.CreatedAt), 10), last.ID)
	}
	return out, next, nil
}

// NextItemNumbers reserves n numbers and returns the first. The items
// inserted with them make the next call start after them.
func (t *tx) NextItemNumbers(ctx context.Context, teamID string, n int) (int, error) {
	if err := t.LockTeam(ctx, teamID); err != nil {
		return 0, err
	}
	if _, ok := t.memo.number(teamID); !ok {
		t.prefetch(ctx, teamID)
	}
	last, ok := t.memo.number(teamID)
	if !ok {
		if err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM items WHERE team_id = $1`, teamID).Scan(&last); err != nil {
			return 0, fmt.Errorf("next item numbers: %w", err)
		}
		t.memo.setNumber(teamID, last)
	}
	return last + 1, nil
}

// CreateItems inserts items 50 to a statement, then their labels.
func (t *tx) CreateItems(ctx context.Context, its []scrum.Item) error {
	cols, columns := 20, itemInsertColumns
	search := t.d.SearchIndex != nil
	if search {
		cols, columns = 21, itemInsertColumns+", search_rowid"
	}
	err := batches(len(its), 50, func(lo, hi int) error {
		var sr int64
		if search {
			var err error
			if sr, err = t.searchRowids(ctx, hi-lo); err != nil {
				return err
			}
		}
		args := make([]any, 0, (hi-lo)*cols)
		for i, it := range its[lo:hi] {
			r, err := encodeItem(it)
			if err != nil {
				return err
			}
			args = append(args, itemArgs(it, r)...)
			if search {
				args = append(args, sr+int64(i))
				t.found++
			}
			t.memo.created(it)
		}
		_, err := t.q.ExecContext(ctx, `INSERT INTO items (`+columns+`) VALUES `+placeholders(hi-lo, cols), args...)
		return err
	})
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create items: %w", err))
	}
	var labels []any
	for _, it := range its {
		for _, l := range it.Labels {
			labels = append(labels, it.TeamID, l, it.ID)
		}
	}
	err = batches(len(labels)/3, 200, func(lo, hi int) error {
		_, err := t.q.ExecContext(ctx, `INSERT INTO item_labels (team_id, label, item_id) VALUES `+placeholders(hi-lo, 3), labels[lo*3:hi*3]...)
		return err
	})
	if err != nil {
		return t.d.mapErr(fmt.Errorf("label items: %w", err))
	}
	return nil
}

// batches calls fn for consecutive ranges [lo, hi) of at most size of n.
func batches(n, size int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += size {
		if err := fn(lo, min(lo+size, n)); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "($1, $2), ($3, $4)" for rows×cols parameters.
func placeholders(rows, cols int) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		b.WriteByte(')')
	}
	return b.String()
}
