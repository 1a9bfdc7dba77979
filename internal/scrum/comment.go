package scrum

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem/internal/markdown"
)

// Comment is a remark on an item. Bodies are Markdown, rendered safely by
// the adapters; Mentions are the ids of the team members it @mentions.
type Comment struct {
	ID             string
	TeamID         string
	ItemID         string
	AuthorID       string
	AuthorName     string // filled on reads
	ImportedAuthor string // the author named in an imported file
	Body           string
	Mentions       []string
	CreatedAt      time.Time
}

// CommentTx stores comments.
type CommentTx interface {
	CreateComment(ctx context.Context, c Comment) error
	// Comments lists an item's comments, oldest first, a page at a time.
	Comments(ctx context.Context, teamID, itemID string, p Page) ([]Comment, string, error)
}

// ImportTx writes many items at once.
type ImportTx interface {
	// NextItemNumbers takes n consecutive item numbers and returns the first.
	NextItemNumbers(ctx context.Context, teamID string, n int) (int, error)
	// CreateItems inserts items (and their labels) in as few statements
	// as the engine allows.
	CreateItems(ctx context.Context, its []Item) error
	// CreateComments inserts comments.
	CreateComments(ctx context.Context, cs []Comment) error
}

// MaxCommentLen caps a comment's Markdown body (10 KB).
const MaxCommentLen = 10 << 10

// CommentPayload is the data of comment.added: everything a live view needs
// to show the comment, including its safely rendered HTML.
type CommentPayload struct {
	ID         string          `json:"id"`
	ItemID     string          `json:"item_id"`
	AuthorID   string          `json:"author_id"`
	AuthorName string          `json:"author_name"`
	Body       string          `json:"body"`
	HTML       string          `json:"html"`
	Mentions   []PersonPayload `json:"mentions"`
	CreatedAt  time.Time       `json:"created_at"`
}

// PersonPayload names a member in events.
type PersonPayload struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

// EventCommentAdded is sent for each new comment. Its subject is the item,
// so comments appear in the item's history.
const EventCommentAdded = "comment.added"

// MentionHandles lists the handles that @mention m, lower-case: the local
// part of their email ("lena" for lena@example.com), their name without
// spaces ("lenavogel"), their name's words joined by dots or by hyphens
// ("lena.vogel", "lena-vogel") and their first name ("lena"). Matching
// ignores case. A handle shared by several members (two Lenas) mentions
// none of them: it is ambiguous.
func MentionHandles(m Member) []string {
	var hs []string
	if at := strings.LastIndexByte(m.Email, '@'); at > 0 {
		hs = append(hs, strings.ToLower(m.Email[:at]))
	}
	words := strings.Fields(strings.ToLower(m.Name))
	if len(words) > 0 {
		hs = append(hs, strings.Join(words, ""), strings.Join(words, "."), strings.Join(words, "-"), words[0])
	}
	slices.Sort(hs)
	return slices.Compact(hs)
}

// MentionHandle is the handle to type to @mention m on roster r: the
// shortest-to-read of m's handles that names m alone (the first name when
// no one else shares it), "" when every handle is shared.
func MentionHandle(r Roster, m Member) string {
	hs := MentionHandles(m)
	// Readable first: the first name, then dotted names, then the rest.
	slices.SortStableFunc(hs, func(a, b string) int { return handleRank(m, a) - handleRank(m, b) })
	for _, h := range hs {
		if ms := resolveMentions(r, []string{h}); len(ms) == 1 && ms[0].UserID == m.UserID {
			return h
		}
	}
	return ""
}

func handleRank(m Member, h string) int {
	words := strings.Fields(strings.ToLower(m.Name))
	switch {
	case len(words) > 0 && h == words[0]:
		return 0
	case strings.Contains(h, "."):
		return 1
	}
	return 2
}

// resolveMentions maps handles to the members they name unambiguously.
func resolveMentions(r Roster, handles []string) []Member {
	byHandle := map[string][]Member{}
	for _, m := range r.Members {
		for _, h := range MentionHandles(m) {
			byHandle[h] = append(byHandle[h], m)
		}
	}
	var out []Member
	for _, h := range handles {
		ms := byHandle[strings.ToLower(h)]
		if len(ms) == 1 && !slices.ContainsFunc(out, func(x Member) bool { return x.UserID == ms[0].UserID }) {
			out = append(out, ms[0])
		}
	}
	return out
}

// MentionFilter returns a function that tells whether a handle names one
// member of the roster, for rendering only real mentions as mentions.
func MentionFilter(r Roster) func(string) bool {
	return func(h string) bool { return len(resolveMentions(r, []string{h})) == 1 }
}

// AddComment adds a Markdown comment to an item; every member may,
// stakeholders included. @mentions of team members are resolved and stored.
func (s *Service) AddComment(ctx context.Context, actor Actor, teamID, itemID, body string) (Comment, error) {
	body = strings.TrimSpace(body)
	var v Validation
	switch {
	case body == "":
		v.Add("body", "the comment is empty")
	case len(body) > MaxCommentLen:
		v.Add("body", "the comment is longer than %d bytes", MaxCommentLen)
	case !utf8.ValidString(body):
		v.Add("body", "the comment is not valid UTF-8")
	}
	if err := v.Err(); err != nil {
		return Comment{}, err
	}
	var c Comment
	err := s.teamWrite(ctx, actor, teamID, "", func(tx Tx, r Roster) error {
		if _, err := itemOf(ctx, tx, teamID, itemID); err != nil {
			return err
		}
		mentioned := resolveMentions(r, markdown.Mentions(body))
		c = Comment{ID: NewID(), TeamID: teamID, ItemID: itemID, AuthorID: actor.User.ID, AuthorName: actor.User.Name,
			Body: body, Mentions: make([]string, len(mentioned)), CreatedAt: tx.Now()}
		people := make([]PersonPayload, len(mentioned))
		for i, m := range mentioned {
			c.Mentions[i] = m.UserID
			people[i] = PersonPayload{UserID: m.UserID, Name: m.Name}
		}
		if err := tx.CreateComment(ctx, c); err != nil {
			return err
		}
		html := markdown.New(markdown.WithMentionFilter(MentionFilter(r))).HTML(body)
		return emit(ctx, tx, teamID, EventCommentAdded, itemID, actor.User.ID, CommentPayload{ID: c.ID, ItemID: itemID,
			AuthorID: c.AuthorID, AuthorName: c.AuthorName, Body: body, HTML: string(html), Mentions: people, CreatedAt: c.CreatedAt})
	})
	return c, err
}

// Comments lists an item's comments, oldest first, with the roster so the
// caller can render mentions of current members.
func (s *Service) Comments(ctx context.Context, actor Actor, teamID, itemID string, p Page) ([]Comment, string, Roster, error) {
	var out []Comment
	var next string
	var r Roster
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if r, err = s.roster(ctx, tx, actor, teamID); err != nil {
			return err
		}
		if _, err := itemOf(ctx, tx, teamID, itemID); err != nil {
			return err
		}
		out, next, err = tx.Comments(ctx, teamID, itemID, p)
		return err
	})
	return out, next, r, err
}
