package scrum

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem/internal/backlogcsv"
	"github.com/tandemhq/tandem/internal/rank"
)

// ImportResult says what an import created (or, in a preview, would).
type ImportResult struct {
	Items    int // items, epics included
	Epics    int
	Comments int
	// Unreadied counts items whose file said ready but that do not meet the
	// Definition of Ready: they come in as refining.
	Unreadied int
	// First holds the first items, as they would be stored.
	First []Item
	// Problems lists every bad row and field; a preview returns them, a
	// real import refuses with them.
	Problems []FieldError
}

// ItemsImported is the data of items.imported: one event for the whole
// import, so live views reload instead of applying thousands of events.
type ItemsImported struct {
	Count       int `json:"count"`
	Epics       int `json:"epics"`
	Comments    int `json:"comments"`
	FirstNumber int `json:"first_number"`
	LastNumber  int `json:"last_number"`
}

// EventItemsImported is sent once per import.
const EventItemsImported = "items.imported"

// MaxImportPreview caps ImportResult.First.
const MaxImportPreview = 20

// ImportItems adds parsed items at the bottom of the backlog, in file
// order, in one transaction: all of them or, when any row is bad, none
// (CodeInvalid listing every row and field). Parents are resolved by key
// within the file; comments come along with their original author's name.
// Importing sets order, so it needs backlog.ordering. With preview, nothing
// is written and problems are returned in the result instead.
func (s *Service) ImportItems(ctx context.Context, actor Actor, teamID string, drafts []backlogcsv.Item, preview bool) (ImportResult, error) {
	var res ImportResult
	if len(drafts) == 0 && !preview {
		return res, Invalid("file", "the file has no items")
	}
	run := s.teamWrite
	if preview {
		run = s.teamRead
	}
	err := run(ctx, actor, teamID, RespBacklogOrdering, func(tx Tx, r Roster) error {
		d, err := readyDefinition(ctx, tx, teamID)
		if err != nil {
			return err
		}
		its, comments := s.importDrafts(actor, teamID, drafts, d, tx, &res)
		if preview || len(res.Problems) > 0 {
			return nil
		}
		first, err := tx.NextItemNumbers(ctx, teamID, len(its))
		if err != nil {
			return err
		}
		last, err := tx.EdgeRank(ctx, teamID, true)
		if err != nil {
			return err
		}
		keys := rank.Spread(len(its))
		for i := range its {
			its[i].Number = first + i
			if last != "" {
				if last, err = rank.Between(last, ""); err != nil {
					return fmt.Errorf("import rank: %w", err)
				}
				keys[i] = last
			}
			its[i].Rank = keys[i]
		}
		if err := tx.CreateItems(ctx, its); err != nil {
			return err
		}
		if err := tx.CreateComments(ctx, comments); err != nil {
			return err
		}
		res.First = its[:min(len(its), MaxImportPreview)]
		return emit(ctx, tx, teamID, EventItemsImported, teamID, actor.User.ID, ItemsImported{Count: len(its),
			Epics: res.Epics, Comments: len(comments), FirstNumber: first, LastNumber: first + len(its) - 1})
	})
	if err != nil {
		return ImportResult{}, err
	}
	if !preview && len(res.Problems) > 0 {
		return res, &Error{Code: CodeInvalid, Message: fmt.Sprintf("the file has %d problems; nothing was imported", len(res.Problems)),
			Fields: res.Problems}
	}
	return res, nil
}

// importDrafts validates drafts and turns them into items and comments,
// recording every problem in res.
func (s *Service) importDrafts(actor Actor, teamID string, drafts []backlogcsv.Item, d ReadyDefinition, tx Tx, res *ImportResult) ([]Item, []Comment) {
	now := tx.Now()
	ids := make(map[string]string, len(drafts)) // key in the file → new id
	for _, dr := range drafts {
		if dr.Key != "" {
			ids[dr.Key] = NewID()
		}
	}
	its := make([]Item, 0, len(drafts))
	var comments []Comment
	for _, dr := range drafts {
		id := ids[dr.Key]
		if id == "" {
			id = NewID()
		}
		it := Item{ID: id, TeamID: teamID, Type: ItemType(dr.Type), Title: dr.Title, Description: dr.Description,
			Value: dr.Value, Estimate: dr.Estimate, Labels: dr.Labels, Status: Status(dr.Status),
			Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: actor.User.ID}
		if it.Type == "" {
			it.Type = TypeStory
		}
		if it.Status == "" {
			it.Status = StatusNew
		}
		for _, c := range dr.AcceptanceCriteria {
			it.AcceptanceCriteria = append(it.AcceptanceCriteria, Criterion{Text: c.Text, Done: c.Done})
		}
		var v Validation
		normalizeItem(&it, &v)
		if dr.ParentKey != "" {
			if p, ok := ids[dr.ParentKey]; ok && p != id {
				it.ParentID = p
			} else {
				v.Add("parent", "parent %q is not an item of this file", dr.ParentKey)
			}
		}
		if err := v.Err(); err != nil {
			for _, f := range err.(*Error).Fields {
				res.Problems = append(res.Problems, FieldError{Field: f.Field, Message: f.Message, Row: dr.Row})
			}
		}
		d.assess(&it)
		if it.Status == StatusReady && !it.Ready {
			it.Status = StatusRefining
			res.Unreadied++
		}
		if it.Type == TypeEpic {
			res.Epics++
		}
		for _, c := range dr.Comments {
			body := strings.TrimSpace(c.Body)
			if body == "" {
				continue
			}
			if len(body) > MaxCommentLen {
				res.Problems = append(res.Problems, FieldError{Field: "comment", Row: dr.Row,
					Message: fmt.Sprintf("a comment is longer than %d bytes", MaxCommentLen)})
				continue
			}
			at := c.At
			if at.IsZero() {
				at = now
			}
			comments = append(comments, Comment{ID: NewID(), TeamID: teamID, ItemID: id, AuthorID: actor.User.ID,
				ImportedAuthor: c.Author, Body: body, CreatedAt: at.UTC()})
		}
		its = append(its, it)
	}
	if cyc := parentCycles(its); len(cyc) > 0 {
		for _, row := range cyc {
			res.Problems = append(res.Problems, FieldError{Field: "parent", Row: drafts[row].Row, Message: "the parent chain makes a cycle"})
		}
	}
	res.Items, res.Comments = len(its), len(comments)
	res.First = its[:min(len(its), MaxImportPreview)]
	return its, comments
}

// parentCycles returns the indexes of items whose parent chain loops.
func parentCycles(its []Item) []int {
	idx := make(map[string]int, len(its))
	for i, it := range its {
		idx[it.ID] = i
	}
	var out []int
	for i := range its {
		slow, fast := i, i
		for {
			a, ok1 := next(its, idx, fast)
			if !ok1 {
				break
			}
			b, ok2 := next(its, idx, a)
			if !ok2 {
				break
			}
			fast = b
			slow, _ = next(its, idx, slow)
			if slow == fast {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

func next(its []Item, idx map[string]int, i int) (int, bool) {
	j, ok := idx[its[i].ParentID]
	return j, ok && its[i].ParentID != ""
}

// teamRead runs fn like teamWrite but read-only: for previews.
func (s *Service) teamRead(ctx context.Context, actor Actor, teamID, need string, fn func(Tx, Roster) error) error {
	return s.store.View(ctx, func(tx Tx) error {
		r, err := s.roster(ctx, tx, actor, teamID)
		if err != nil {
			return err
		}
		if need != "" {
			if err := r.Authorize(actor.User.ID, need); err != nil {
				return err
			}
		}
		return fn(tx, r)
	})
}

// ExportItems returns every item of the team (removed ones only when
// asked) in backlog order, as CSV drafts.
func (s *Service) ExportItems(ctx context.Context, actor Actor, teamID string, withRemoved bool) ([]backlogcsv.Item, error) {
	var out []backlogcsv.Item
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		for p := (Page{Limit: 1000}); ; {
			its, next, err := tx.Items(ctx, teamID, ItemFilter{WithRemoved: withRemoved}, p)
			if err != nil {
				return err
			}
			for _, it := range its {
				out = append(out, exportItem(it))
			}
			if next == "" {
				break
			}
			p.Cursor = next
		}
		// A parent left out (removed) must not dangle: the file would not
		// import again.
		in := make(map[string]bool, len(out))
		for _, x := range out {
			in[x.Key] = true
		}
		for i := range out {
			if !in[out[i].ParentKey] {
				out[i].ParentKey = ""
			}
		}
		return nil
	})
	return out, err
}

func exportItem(it Item) backlogcsv.Item {
	x := backlogcsv.Item{Key: it.ID, Type: string(it.Type), Title: it.Title, Description: it.Description,
		Status: string(it.Status), Value: it.Value, Estimate: it.Estimate, Labels: it.Labels, ParentKey: it.ParentID,
		Rank: it.Rank, Created: it.CreatedAt}
	for _, c := range it.AcceptanceCriteria {
		x.AcceptanceCriteria = append(x.AcceptanceCriteria, backlogcsv.Criterion{Text: c.Text, Done: c.Done})
	}
	return x
}
