package api

import (
	"net/http"
	"time"

	"github.com/tandemhq/tandem/internal/markdown"
	"github.com/tandemhq/tandem/internal/scrum"
)

type commentJSON struct {
	ID             string    `json:"id"`
	ItemID         string    `json:"item_id"`
	AuthorID       string    `json:"author_id"`
	AuthorName     string    `json:"author_name"`
	ImportedAuthor string    `json:"imported_author,omitempty"`
	Body           string    `json:"body"`
	HTML           string    `json:"html"`
	Mentions       []string  `json:"mentions"`
	CreatedAt      time.Time `json:"created_at"`
}

func toComment(c scrum.Comment, md *markdown.Renderer) commentJSON {
	return commentJSON{ID: c.ID, ItemID: c.ItemID, AuthorID: c.AuthorID, AuthorName: c.AuthorName, ImportedAuthor: c.ImportedAuthor,
		Body: c.Body, HTML: string(md.HTML(c.Body)), Mentions: nonNilStrings(c.Mentions), CreatedAt: c.CreatedAt}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type commentRequest struct {
	Body string `json:"body"`
}

func (a *API) addComment(w http.ResponseWriter, r *http.Request) error {
	var in commentRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	team := r.PathValue("team")
	c, err := a.svc.AddComment(r.Context(), actor(r), team, r.PathValue("item"), in.Body)
	if err != nil {
		return err
	}
	// Rendered without a member filter: the mentions that resolved are in
	// c.Mentions, and the event carries the filtered HTML.
	return writeJSON(w, http.StatusCreated, toComment(c, markdown.New()))
}

func (a *API) listComments(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	cs, next, roster, err := a.svc.Comments(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"), p)
	if err != nil {
		return err
	}
	md := markdown.New(markdown.WithMentionFilter(scrum.MentionFilter(roster)))
	out := make([]commentJSON, len(cs))
	for i, c := range cs {
		out[i] = toComment(c, md)
	}
	return writeJSON(w, http.StatusOK, newList(out, next))
}
