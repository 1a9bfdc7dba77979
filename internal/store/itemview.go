package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

func (t *tx) CountItems(ctx context.Context, teamID string, f scrum.ItemFilter) (int, error) {
	if err := t.searchReady(ctx, f); err != nil {
		return 0, err
	}
	w := t.newItemWhere(teamID, f)
	var n int
	err := t.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE `+strings.Join(w.where, " AND "), w.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items of %s: %w", teamID, err)
	}
	return n, nil
}

func (t *tx) CountItemsBefore(ctx context.Context, teamID, rank string) (int, error) {
	var n int
	err := t.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE team_id = $1 AND status <> 'removed' AND rank < $2`,
		teamID, rank).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items before %q: %w", rank, err)
	}
	return n, nil
}

func (t *tx) ItemByNumber(ctx context.Context, teamID string, number int) (scrum.Item, error) {
	it, err := scanItem(t.q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE team_id = $1 AND number = $2`, teamID, number))
	if errors.Is(err, sql.ErrNoRows) {
		return it, scrum.NotFound("item")
	}
	if err != nil {
		return it, fmt.Errorf("item #%d: %w", number, err)
	}
	return it, nil
}

func (t *tx) ItemLabels(ctx context.Context, teamID string, limit int) ([]string, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT DISTINCT label FROM item_labels WHERE team_id = $1 ORDER BY label LIMIT $2`, teamID, limit)
	if err != nil {
		return nil, fmt.Errorf("labels of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("labels of %s: %w", teamID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
