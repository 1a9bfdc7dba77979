package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// registerEstimation adds the planning-poker pages: the team's sessions
// with the forms to open one and to set the decks, and the session room.
func (w *Web) registerEstimation(mux Mux) {
	mux.HandleFunc("GET /teams/{team}/estimation", w.page(w.estimationPage))
	mux.HandleFunc("POST /teams/{team}/estimation", w.page(w.openEstimation))
	mux.HandleFunc("POST /teams/{team}/estimation/settings", w.page(w.saveEstimationSettings))
	mux.HandleFunc("GET /teams/{team}/estimation/{id}", w.page(w.roomPage))
}

// estimationView is the sessions page.
type estimationView struct {
	Base          string
	LastSeq       int64
	Open          []scrum.Estimation // waiting or live, newest first
	Closed        []scrum.Estimation
	CanFacilitate bool
	Facilitators  []scrum.Person
	Decks         []deckChoice
	Candidates    []scrum.Item // open, unestimated items near the top
	Settings      scrum.EstimationSettings
	TShirt        []tshirtPoint
	CustomText    string // the custom decks, one per line, for the form
	POName        string
}

type deckChoice struct {
	Value, Label, Cards string
}

type tshirtPoint struct {
	Size   string
	Points string
}

// maxCandidates is how many unestimated items the open form offers.
const maxCandidates = 30

func (w *Web) loadEstimation(r *http.Request, a scrum.Actor, ro scrum.Roster) (estimationView, error) {
	ctx := r.Context()
	team := ro.Team.ID
	v := estimationView{Base: "/teams/" + team, CanFacilitate: ro.Holds(a.User.ID, scrum.RespFacilitateRefine),
		Facilitators: ro.Holders(scrum.RespFacilitateRefine)}
	if pos := ro.HoldersOf(scrum.ProductOwner); len(pos) > 0 {
		v.POName = pos[0].Name
	}
	var err error
	if v.LastSeq, err = w.svc.LastEventSeq(ctx, a, team); err != nil {
		return v, err
	}
	ses, err := w.svc.Estimations(ctx, a, team)
	if err != nil {
		return v, err
	}
	for _, s := range ses {
		if s.State == scrum.SessionClosed {
			v.Closed = append(v.Closed, s)
		} else {
			v.Open = append(v.Open, s)
		}
	}
	if v.Settings, err = w.svc.EstimationSettings(ctx, a, team); err != nil {
		return v, err
	}
	for _, k := range scrum.BuiltinDeckKinds() {
		d, _ := scrum.BuiltinDeck(k, v.Settings.TShirt)
		v.Decks = append(v.Decks, deckChoice{Value: string(k), Label: deckTitle(d), Cards: strings.Join(d.Cards, " ")})
	}
	var lines []string
	for _, cd := range v.Settings.CustomDecks {
		v.Decks = append(v.Decks, deckChoice{Value: "custom:" + cd.Name, Label: cd.Name + " (custom)", Cards: strings.Join(cd.Cards, " ")})
		lines = append(lines, cd.Name+": "+strings.Join(cd.Cards, ", "))
	}
	v.CustomText = strings.Join(lines, "\n")
	for _, size := range scrum.TShirtSizes() {
		p := v.Settings.TShirt[size]
		v.TShirt = append(v.TShirt, tshirtPoint{Size: size, Points: strconv.FormatFloat(p, 'f', -1, 64)})
	}
	its, _, err := w.svc.Items(ctx, a, team, scrum.ItemFilter{Statuses: openStatuses}, scrum.Page{Limit: 200})
	if err != nil {
		return v, err
	}
	for _, it := range its {
		if it.Estimate == nil && it.Type != scrum.TypeEpic && len(v.Candidates) < maxCandidates {
			v.Candidates = append(v.Candidates, it)
		}
	}
	return v, nil
}

// deckTitle names a deck for people.
func deckTitle(d scrum.Deck) string {
	switch d.Kind {
	case scrum.DeckFibonacci:
		return "Fibonacci"
	case scrum.DeckModifiedFibonacci:
		return "Modified Fibonacci"
	case scrum.DeckTShirt:
		return "T-shirt sizes"
	case scrum.DeckPowersOfTwo:
		return "Powers of 2"
	}
	return d.Name
}

func (w *Web) estimationPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	return w.showEstimation(rw, r, a, http.StatusOK, view{})
}

// showEstimation renders the sessions page; v carries a failed form.
func (w *Web) showEstimation(rw http.ResponseWriter, r *http.Request, a scrum.Actor, status int, v view) error {
	ro, err := w.svc.Roster(r.Context(), a, r.PathValue("team"))
	if err != nil {
		return err
	}
	d, err := w.loadEstimation(r, a, ro)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("fragment") == "sessions" {
		w.fragment(rw, r, "estimation", "list-fragments", d)
		return nil
	}
	t := ro.Team
	v.Title, v.Team, v.Nav, v.Data = "Estimation", &t, "estimation", d
	w.render(rw, r, status, "estimation", v)
	return nil
}

// openEstimation opens a session from the form and goes to its room.
func (w *Web) openEstimation(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Invalid("form", "the form could not be read")
	}
	in := scrum.EstimationInput{Title: r.PostForm.Get("title")}
	deck := r.PostForm.Get("deck")
	if name, ok := strings.CutPrefix(deck, "custom:"); ok {
		in.Deck, in.DeckName = scrum.DeckCustom, name
	} else {
		in.Deck = scrum.DeckKind(deck)
	}
	if r.PostForm.Get("source") == "top" {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("top_n")))
		if err != nil || n <= 0 {
			return w.formFailed(rw, r, a, scrum.Invalid("top_n", "say how many items from the top: a number from 1 to %d", scrum.MaxSessionItems))
		}
		in.TopN = n
	} else {
		in.ItemIDs = r.PostForm["item"]
	}
	po := r.PostForm.Get("po_votes") == "on"
	in.ProductOwnerVotes = &po
	ses, err := w.svc.OpenEstimation(r.Context(), a, r.PathValue("team"), in)
	if err != nil {
		return w.formFailed(rw, r, a, err)
	}
	w.redirect(rw, r, "/teams/"+r.PathValue("team")+"/estimation/"+ses.ID, fmt.Sprintf("Session opened with %s.", plural(len(ses.Queue), "item", "items")))
	return nil
}

// formFailed shows the sessions page again with the problem, or the
// error page for refusals and faults.
func (w *Web) formFailed(rw http.ResponseWriter, r *http.Request, a scrum.Actor, err error) error {
	if !scrum.IsCode(err, scrum.CodeInvalid) && !scrum.IsCode(err, scrum.CodeConflict) {
		return err
	}
	msg := "Fix the problem to continue"
	var de *scrum.Error
	if errors.As(err, &de) && len(de.Fields) == 0 {
		msg = de.Message
	}
	fs := fields(err)
	// Item fields arrive as item_ids[3]; the form has one list.
	for k, m := range fs {
		if strings.HasPrefix(k, "item_ids[") {
			delete(fs, k)
			fs["item_ids"] = m
		}
	}
	status := http.StatusUnprocessableEntity
	if scrum.IsCode(err, scrum.CodeConflict) {
		status = http.StatusConflict
	}
	return w.showEstimation(rw, r, a, status, view{Error: msg, Fields: fs, Form: r.PostForm})
}

// saveEstimationSettings stores the custom decks, T-shirt points and
// whether the Product Owner votes by default.
func (w *Web) saveEstimationSettings(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Invalid("form", "the form could not be read")
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	in := scrum.EstimationSettings{ProductOwnerVotes: r.PostForm.Get("po_votes") == "on", TShirt: map[string]float64{}}
	var bad scrum.Validation
	for _, size := range scrum.TShirtSizes() {
		p, err := strconv.ParseFloat(strings.TrimSpace(r.PostForm.Get("tshirt_"+size)), 64)
		if err != nil {
			bad.Add("tshirt."+size, "give %s a number of points", size)
			continue
		}
		in.TShirt[size] = p
	}
	in.CustomDecks = parseCustomDecks(r.PostForm.Get("custom_decks"), &bad)
	if err := bad.Err(); err != nil {
		return w.formFailed(rw, r, a, err)
	}
	if _, err := w.svc.PutEstimationSettings(r.Context(), a, r.PathValue("team"), in, version); err != nil {
		return w.formFailed(rw, r, a, err)
	}
	w.redirect(rw, r, "/teams/"+r.PathValue("team")+"/estimation#settings", "Estimation settings saved.")
	return nil
}

// parseCustomDecks reads "Name: 1, 2, 3" lines.
func parseCustomDecks(text string, bad *scrum.Validation) []scrum.CustomDeck {
	var out []scrum.CustomDeck
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, cards, ok := strings.Cut(line, ":")
		if !ok {
			bad.Add("custom_decks", "line %d: write a name, a colon, then the cards separated by commas", i+1)
			continue
		}
		cd := scrum.CustomDeck{Name: strings.TrimSpace(name)}
		for c := range strings.SplitSeq(cards, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cd.Cards = append(cd.Cards, c)
			}
		}
		out = append(out, cd)
	}
	return out
}

// formChecked reports whether a checkbox list in a re-shown form holds id.
func formChecked(f url.Values, name, id string) bool {
	return f != nil && slices.Contains(f[name], id)
}

// estimationFuncs are the template helpers of the estimation pages.
func estimationFuncs() template.FuncMap {
	return template.FuncMap{
		"duration":    duration,
		"formChecked": formChecked,
		"deckTitle":   deckTitle,
		"orList":      orList,
		"missing": func(rs []scrum.ReadinessCheck) []string {
			var out []string
			for _, r := range rs {
				if !r.Met {
					out = append(out, r.Criterion)
				}
			}
			return out
		},
		"now": time.Now,
		"names": func(ps []scrum.Person) []string {
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = p.Name
			}
			return out
		},
		"estimatedOf": func(s scrum.Estimation) int {
			n := 0
			for _, e := range s.Queue {
				if e.State == scrum.EntryEstimated {
					n++
				}
			}
			return n
		},
		"pct": func(n, of int) int {
			if of == 0 {
				return 0
			}
			return n * 100 / of
		},
	}
}
