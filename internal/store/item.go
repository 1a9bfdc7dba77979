package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/tandemhq/tandem/internal/jsonw"
	"github.com/tandemhq/tandem/internal/scrum"
)

// NextItemNumber is one more than the team's highest item number, read
// from the (team_id, number) index; writers of a team are serialised.
func (t *tx) NextItemNumber(ctx context.Context, teamID string) (int, error) {
	return t.NextItemNumbers(ctx, teamID, 1)
}

// itemRow holds the encoded forms of an item's list-valued columns.
type itemRow struct {
	criteria, labels, ticks string
	value                   sql.NullInt64
	estimate                sql.NullFloat64
	parent                  sql.NullString
}

// encodeItem maps an item to its row. The JSON columns are written by
// hand (they are what json.Marshal writes): every create and edit runs
// this inside the single writer.
func encodeItem(it scrum.Item) (itemRow, error) {
	var r itemRow
	b := make([]byte, 0, 256)
	crit := it.AcceptanceCriteria
	if crit == nil {
		crit = []scrum.Criterion{}
	}
	b = scrum.AppendCriteriaJSON(b, crit)
	n := len(b)
	b = jsonw.Strings(b, nonNil(it.Labels))
	m := len(b)
	b = jsonw.Strings(b, nonNil(it.ReadyTicks))
	s := string(b)
	r.criteria, r.labels, r.ticks = s[:n], s[n:m], s[m:]
	if it.Value != nil {
		r.value = sql.NullInt64{Int64: int64(*it.Value), Valid: true}
	}
	if it.Estimate != nil {
		r.estimate = sql.NullFloat64{Float64: *it.Estimate, Valid: true}
	}
	r.parent = sql.NullString{String: it.ParentID, Valid: it.ParentID != ""}
	return r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (t *tx) CreateItem(ctx context.Context, it scrum.Item) error {
	r, err := encodeItem(it)
	if err != nil {
		return fmt.Errorf("create item: %w", err)
	}
	args := itemArgs(it, r)
	if t.d.SearchIndex == nil {
		_, err = t.q.ExecContext(ctx, `INSERT INTO items (`+itemInsertColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, args...)
	} else {
		var sr int64
		if sr, err = t.searchRowids(ctx, 1); err != nil {
			return fmt.Errorf("create item: %w", err)
		}
		_, err = t.q.ExecContext(ctx, `INSERT INTO items (`+itemInsertColumns+`, search_rowid)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
			append(args, sr)...)
		t.found++
	}
	if err != nil {
		return t.d.mapErr(fmt.Errorf("create item: %w", err))
	}
	t.memo.created(it)
	return t.insertLabels(ctx, it)
}

// searchRowids hands out n search_rowids (engines with SearchIndex) and
// returns the first. The highest in use is read once per transaction (it
// lives in the memo): its writes run one after another.
func (t *tx) searchRowids(ctx context.Context, n int) (int64, error) {
	m := t.memo
	if m.lastSearch == 0 {
		if err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(search_rowid), 0) FROM items`).Scan(&m.lastSearch); err != nil {
			return 0, fmt.Errorf("search rowid: %w", err)
		}
	}
	first := m.lastSearch + 1
	m.lastSearch += int64(n)
	return first, nil
}

const itemInsertColumns = `id, team_id, number, type, title, description, criteria, value, estimate,
	labels, parent_id, status, rank, version, created_at, created_by, updated_at, ready, ready_ticks, goal_linked`

// itemArgs are the values of itemInsertColumns.
func itemArgs(it scrum.Item, r itemRow) []any {
	return []any{it.ID, it.TeamID, it.Number, string(it.Type), it.Title, it.Description, r.criteria, r.value, r.estimate,
		r.labels, r.parent, string(it.Status), it.Rank, it.Version, micros(it.CreatedAt), it.CreatedBy, micros(it.UpdatedAt),
		it.Ready, r.ticks, it.GoalLinked}
}

func (t *tx) insertLabels(ctx context.Context, it scrum.Item) error {
	for _, l := range it.Labels {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO item_labels (team_id, label, item_id) VALUES ($1, $2, $3)`,
			it.TeamID, l, it.ID); err != nil {
			return t.d.mapErr(fmt.Errorf("label item: %w", err))
		}
	}
	return nil
}

const itemColumns = `id, team_id, number, type, title, description, criteria, value, estimate, labels, parent_id,
	status, rank, version, created_at, created_by, updated_at, ready, ready_ticks, goal_linked`

func scanItem(row interface{ Scan(...any) error }) (scrum.Item, error) {
	var it scrum.Item
	var r itemRow
	var typ, status string
	var created, updated int64
	err := row.Scan(&it.ID, &it.TeamID, &it.Number, &typ, &it.Title, &it.Description, &r.criteria, &r.value, &r.estimate,
		&r.labels, &r.parent, &status, &it.Rank, &it.Version, &created, &it.CreatedBy, &updated, &it.Ready, &r.ticks, &it.GoalLinked)
	if err != nil {
		return it, err
	}
	it.Type, it.Status = scrum.ItemType(typ), scrum.Status(status)
	if err := decodeList(r.criteria, &it.AcceptanceCriteria); err != nil {
		return it, fmt.Errorf("item %s criteria: %w", it.ID, err)
	}
	if err := decodeList(r.labels, &it.Labels); err != nil {
		return it, fmt.Errorf("item %s labels: %w", it.ID, err)
	}
	if err := decodeList(r.ticks, &it.ReadyTicks); err != nil {
		return it, fmt.Errorf("item %s readiness: %w", it.ID, err)
	}
	if r.value.Valid {
		v := int(r.value.Int64)
		it.Value = &v
	}
	if r.estimate.Valid {
		e := r.estimate.Float64
		it.Estimate = &e
	}
	it.ParentID = r.parent.String
	it.CreatedAt, it.UpdatedAt = fromMicros(created), fromMicros(updated)
	return it, nil
}

// decodeList decodes a JSON list column; the common empty list skips the
// decoder.
func decodeList[T any](s string, dst *[]T) error {
	if s == "[]" {
		*dst = nil
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

func (t *tx) Item(ctx context.Context, teamID, id string) (scrum.Item, error) {
	it, err := scanItem(t.q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = $1 AND team_id = $2`, id, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return it, scrum.NotFound("item")
	}
	if err != nil {
		return it, fmt.Errorf("item %s: %w", id, err)
	}
	return it, nil
}

func (t *tx) UpdateItem(ctx context.Context, it scrum.Item) error {
	r, err := encodeItem(it)
	if err != nil {
		return fmt.Errorf("update item: %w", err)
	}
	var oldLabels string
	if err := t.q.QueryRowContext(ctx, `SELECT labels FROM items WHERE id = $1 AND team_id = $2`, it.ID, it.TeamID).Scan(&oldLabels); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return scrum.NotFound("item")
		}
		return fmt.Errorf("update item: %w", err)
	}
	n, err := affected(t.q.ExecContext(ctx, `UPDATE items SET type = $1, title = $2, description = $3, criteria = $4, value = $5,
		estimate = $6, labels = $7, parent_id = $8, status = $9, version = $10, updated_at = $11,
		ready = $15, ready_ticks = $16, goal_linked = $17
		WHERE id = $12 AND team_id = $13 AND version = $14`,
		string(it.Type), it.Title, it.Description, r.criteria, r.value, r.estimate, r.labels, r.parent, string(it.Status),
		it.Version, micros(it.UpdatedAt), it.ID, it.TeamID, it.Version-1, it.Ready, r.ticks, it.GoalLinked))
	if err != nil {
		return t.d.mapErr(fmt.Errorf("update item: %w", err))
	}
	if n == 0 {
		return t.staleItem(ctx, it)
	}
	if oldLabels == r.labels {
		return nil
	}
	// item_labels holds exactly the labels in items.labels (both are
	// written from the same list), so the old list names the rows to drop
	// by primary key: no index on item_id is needed.
	var was []string
	if err := decodeList(oldLabels, &was); err != nil {
		return fmt.Errorf("relabel item %s: %w", it.ID, err)
	}
	for _, l := range was {
		if slices.Contains(it.Labels, l) {
			continue
		}
		if _, err := t.q.ExecContext(ctx, `DELETE FROM item_labels WHERE team_id = $1 AND label = $2 AND item_id = $3`,
			it.TeamID, l, it.ID); err != nil {
			return fmt.Errorf("relabel item: %w", err)
		}
	}
	for _, l := range it.Labels {
		if slices.Contains(was, l) {
			continue
		}
		if _, err := t.q.ExecContext(ctx, `INSERT INTO item_labels (team_id, label, item_id) VALUES ($1, $2, $3)`,
			it.TeamID, l, it.ID); err != nil {
			return t.d.mapErr(fmt.Errorf("label item: %w", err))
		}
	}
	return nil
}

func (t *tx) staleItem(ctx context.Context, it scrum.Item) error {
	cur, err := t.Item(ctx, it.TeamID, it.ID)
	if err != nil {
		return err
	}
	return scrum.Stale("the item", cur.Version)
}

func (t *tx) SetItemRank(ctx context.Context, it scrum.Item) error {
	n, err := affected(t.q.ExecContext(ctx, `UPDATE items SET rank = $1, version = $2, updated_at = $3
		WHERE id = $4 AND team_id = $5 AND version = $6`,
		it.Rank, it.Version, micros(it.UpdatedAt), it.ID, it.TeamID, it.Version-1))
	t.memo.reranked(it.TeamID)
	if err != nil {
		return t.d.mapErr(fmt.Errorf("move item: %w", err))
	}
	if n == 0 {
		return t.staleItem(ctx, it)
	}
	return nil
}

func (t *tx) EdgeRank(ctx context.Context, teamID string, last bool) (string, error) {
	q := `SELECT rank FROM items WHERE team_id = $1 ORDER BY rank LIMIT 1`
	if last {
		if _, ok := t.memo.rank(teamID); !ok {
			t.prefetch(ctx, teamID)
		}
		if r, ok := t.memo.rank(teamID); ok {
			return r, nil
		}
		q = `SELECT rank FROM items WHERE team_id = $1 ORDER BY rank DESC LIMIT 1`
	}
	var r string
	err := t.q.QueryRowContext(ctx, q, teamID).Scan(&r)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("edge rank: %w", err)
	}
	if last {
		t.memo.setRank(teamID, r)
	}
	return r, nil
}

func (t *tx) AdjacentRank(ctx context.Context, teamID, r string, next bool) (string, error) {
	q := `SELECT rank FROM items WHERE team_id = $1 AND rank < $2 ORDER BY rank DESC LIMIT 1`
	if next {
		q = `SELECT rank FROM items WHERE team_id = $1 AND rank > $2 ORDER BY rank LIMIT 1`
	}
	var out string
	err := t.q.QueryRowContext(ctx, q, teamID, r).Scan(&out)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("adjacent rank: %w", err)
	}
	return out, nil
}

// Items builds its WHERE clause from the filter; every value is a bound
// parameter.
func (t *tx) Items(ctx context.Context, teamID string, f scrum.ItemFilter, p scrum.Page) ([]scrum.Item, string, error) {
	limit := pageLimit(p.Limit)
	if err := t.searchReady(ctx, f); err != nil {
		return nil, "", err
	}
	w := t.newItemWhere(teamID, f)
	if p.Cursor != "" {
		parts, err := decodeCursor(p.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		w.add("rank > " + w.arg(parts[0]))
	}
	order := ` FROM items WHERE ` + strings.Join(w.where, " AND ") + ` ORDER BY rank LIMIT ` + w.arg(limit+1)
	var out []scrum.Item
	var err error
	if t.items != nil {
		out, err = t.cachedItems(ctx, teamID, order, w.args, limit)
	} else {
		out, err = t.queryItems(ctx, `SELECT `+itemColumns+order, w.args, limit+1)
	}
	if err != nil {
		return nil, "", fmt.Errorf("items of %s: %w", teamID, err)
	}
	var next string
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].Rank)
	}
	return out, next, nil
}

// queryItems runs a query for itemColumns.
func (t *tx) queryItems(ctx context.Context, query string, args []any, size int) ([]scrum.Item, error) {
	rows, err := t.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]scrum.Item, 0, size)
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// cachedItems is a page read through the item cache: it reads the page's
// keys, then the rows the cache does not hold. The two statements may see
// different commits (reads outside a transaction always may); a row that
// changed in between is taken as read, and one deleted in between is
// left out.
func (t *tx) cachedItems(ctx context.Context, teamID, order string, args []any, limit int) ([]scrum.Item, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT id, rank, version, ready`+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]scrum.Item, 0, limit+1)
	var missing []any
	var id, rank sql.RawBytes
	var version int
	var ready bool
	t.items.mu.RLock()
	for rows.Next() {
		if err := rows.Scan(&id, &rank, &version, &ready); err != nil {
			t.items.mu.RUnlock()
			return nil, err
		}
		it, ok := t.items.lookup(id, rank, version, ready)
		if !ok {
			it = scrum.Item{ID: string(id)} // filled in below
			missing = append(missing, it.ID)
		}
		out = append(out, it)
	}
	t.items.mu.RUnlock()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(missing) == 0 {
		return out, nil
	}
	var in strings.Builder
	for i := range missing {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(i+2))
	}
	read, err := t.queryItems(ctx, `SELECT `+itemColumns+` FROM items WHERE team_id = $1 AND id IN (`+in.String()+`)`,
		append([]any{teamID}, missing...), len(missing))
	if err != nil {
		return nil, err
	}
	t.items.put(read)
	byID := make(map[string]scrum.Item, len(read))
	for _, it := range read {
		byID[it.ID] = it
	}
	kept := out[:0]
	for _, it := range out {
		if it.Version == 0 { // not from the cache
			var ok bool
			if it, ok = byID[it.ID]; !ok {
				continue // deleted since the first read
			}
		}
		kept = append(kept, it)
	}
	return kept, nil
}

// searchTerms splits a search into words of letters and digits, the way
// both engines' tokenizers do; at most 16 are used.
func searchTerms(q string) []string {
	terms := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(terms) > 16 {
		terms = terms[:16]
	}
	return terms
}

// itemWhere is the WHERE clause of a filtered item list, shared by Items
// and CountItems so that a count always matches the list.
type itemWhere struct {
	where []string
	args  []any
}

func (w *itemWhere) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *itemWhere) add(cond string) { w.where = append(w.where, cond) }

// searchReady brings a search index the store keeps (Dialect.SearchIndex)
// up to date before a search reads it: a read asks the writer, a write
// indexes what waits itself.
func (t *tx) searchReady(ctx context.Context, f scrum.ItemFilter) error {
	if t.d.SearchIndex == nil || len(searchTerms(f.Query)) == 0 {
		return nil
	}
	if t.readOnly {
		if t.searchSync == nil {
			return nil
		}
		return t.searchSync(ctx)
	}
	return t.indexPending(ctx)
}

func (t *tx) newItemWhere(teamID string, f scrum.ItemFilter) *itemWhere {
	w := &itemWhere{where: []string{"team_id = $1"}, args: []any{teamID}}
	if len(f.Types) > 0 {
		in := make([]string, len(f.Types))
		for i, x := range f.Types {
			in[i] = w.arg(string(x))
		}
		w.add("type IN (" + strings.Join(in, ", ") + ")")
	}
	if len(f.Statuses) > 0 {
		in := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			in[i] = w.arg(string(x))
		}
		w.add("status IN (" + strings.Join(in, ", ") + ")")
	} else if !f.WithRemoved {
		w.add("status <> 'removed'")
	}
	if f.Label != "" {
		w.add("EXISTS (SELECT 1 FROM item_labels l WHERE l.team_id = items.team_id AND l.label = " +
			w.arg(f.Label) + " AND l.item_id = items.id)")
	}
	if f.ParentID != "" {
		w.add("parent_id = " + w.arg(f.ParentID))
	}
	if f.Ready != nil {
		w.add("ready = " + w.arg(*f.Ready))
	}
	if f.Open {
		w.add("status NOT IN ('done', 'removed')")
	}
	if f.GoalLinked != nil {
		w.add("goal_linked = " + w.arg(*f.GoalLinked))
	}
	if terms := searchTerms(f.Query); len(terms) > 0 {
		w.add(fmt.Sprintf(t.d.SearchSQL, w.arg(t.d.SearchQuery(terms))))
	} else if strings.TrimSpace(f.Query) != "" {
		w.add("FALSE") // only punctuation: nothing can match
	}
	return w
}
