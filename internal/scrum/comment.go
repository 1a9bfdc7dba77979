package scrum

import (
	"context"
	"time"
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
