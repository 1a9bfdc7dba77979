package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem/internal/backlogcsv"
	"github.com/tandemhq/tandem/internal/scrum"
)

// Import limits: the upload, and how much of it the preview page carries
// to the confirm step in a hidden field (larger files are chosen again).
const (
	maxImportUpload = 20 << 20
	maxImportCarry  = 2 << 20
)

// importView is the import page: the upload form, and after a preview what
// the import would create or why it cannot.
type importView struct {
	Base       string
	CanImport  bool
	Orderers   []scrum.Person
	Format     string // tandem or jira
	DateFormat string // a preset name, "custom", or ""
	DateCustom string // a Go layout when DateFormat is custom
	FileName   string
	LastSeq    int64

	Previewed bool
	CSV       string // the file, carried to the confirm step
	TooBig    bool   // the file is too big to carry: choose it again
	Result    scrum.ImportResult
	Problems  []importProblem
	FileError string // the file could not be read at all
}

type importProblem struct {
	Row     int
	Field   string
	Message string
}

// dateFormats are the presets of backlogcsv.DateLayout, for the select.
var dateFormats = []struct{ Name, Label string }{
	{"", "Jira’s default (27/Nov/25 3:04 PM)"},
	{"iso", "ISO (2025-11-27 15:04)"},
	{"us", "US (11/27/25 3:04 PM)"},
	{"eu", "European (27.11.25 15:04)"},
	{"custom", "Other (a Go time layout)…"},
}

// DateFormats lists the date format choices.
func (v importView) DateFormats() []struct{ Name, Label string } { return dateFormats }

// Valid reports whether the previewed file can be imported.
func (v importView) Valid() bool {
	return v.Previewed && v.FileError == "" && len(v.Problems) == 0 && v.Result.Items > 0
}

func (w *Web) importView(r *http.Request, a scrum.Actor) (importView, scrum.Team, error) {
	ro, err := w.svc.Roster(r.Context(), a, r.PathValue("team"))
	if err != nil {
		return importView{}, scrum.Team{}, err
	}
	seq, err := w.svc.LastEventSeq(r.Context(), a, ro.Team.ID)
	if err != nil {
		return importView{}, scrum.Team{}, err
	}
	return importView{Base: "/teams/" + ro.Team.ID, CanImport: ro.Holds(a.User.ID, scrum.RespBacklogOrdering),
		Orderers: ro.Holders(scrum.RespBacklogOrdering), Format: "tandem", LastSeq: seq}, ro.Team, nil
}

func (w *Web) importPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	v, t, err := w.importView(r, a)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "jira" {
		v.Format = "jira"
	}
	w.render(rw, r, http.StatusOK, "import", view{Title: "Import items", Team: &t, Nav: "backlog", Data: v})
	return nil
}

// importFile previews an uploaded file (step=preview) or imports it
// (step=import). Nothing is written unless every row is good.
func (w *Web) importFile(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	v, t, err := w.importView(r, a)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxImportUpload)
	if err := r.ParseMultipartForm(4 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return scrum.Errorf(scrum.CodeTooLarge, "the file is larger than %d MB", maxImportUpload>>20)
		}
		return scrum.Errorf(scrum.CodeMalformed, "the upload could not be read")
	}
	f := r.PostForm
	v.Format = f.Get("format")
	if v.Format != "jira" {
		v.Format = "tandem"
	}
	v.DateFormat, v.DateCustom = f.Get("date_format"), strings.TrimSpace(f.Get("date_custom"))
	opts := backlogcsv.Options{DateFormat: v.DateFormat}
	switch v.DateFormat {
	case "", "iso", "us", "eu":
	case "custom":
		opts.DateFormat = v.DateCustom
	default:
		v.DateFormat, opts.DateFormat = "", ""
	}
	content, name, err := importContent(r)
	if err != nil {
		return err
	}
	v.FileName = name
	status := http.StatusOK
	render := func() error {
		w.render(rw, r, status, "import", view{Title: "Import items", Team: &t, Nav: "backlog", Data: v})
		return nil
	}
	if content == "" {
		status = http.StatusUnprocessableEntity
		v.FileError = "Choose a CSV file to import."
		return render()
	}
	v.Previewed = true
	if len(content) <= maxImportCarry {
		v.CSV = content
	} else {
		v.TooBig = true
	}
	if v.DateFormat == "custom" && !strings.ContainsAny(opts.DateFormat, "0123456789") {
		status = http.StatusUnprocessableEntity
		v.FileError = "Give the date format as a Go time layout, such as 02/01/2006 15:04."
		return render()
	}
	parse := backlogcsv.ParseTandem
	if v.Format == "jira" {
		parse = backlogcsv.ParseJira
	}
	drafts, err := parse(strings.NewReader(content), opts)
	var ce *backlogcsv.Errors
	switch {
	case errors.As(err, &ce):
		for _, fe := range ce.List {
			v.Problems = append(v.Problems, importProblem{Row: fe.Row, Field: fe.Field, Message: fe.Message})
		}
		status = http.StatusUnprocessableEntity
		return render()
	case err != nil:
		status = http.StatusUnprocessableEntity
		v.FileError = fmt.Sprintf("The file could not be read as CSV: %v.", err)
		return render()
	}
	preview := f.Get("step") != "import"
	res, err := w.svc.ImportItems(r.Context(), a, t.ID, drafts, preview)
	if err != nil {
		var de *scrum.Error
		if !errors.As(err, &de) || de.Code != scrum.CodeInvalid {
			return err
		}
		res.Problems = de.Fields
		if len(res.Problems) == 0 {
			v.FileError = de.Message
		}
	}
	v.Result = res
	for _, p := range res.Problems {
		v.Problems = append(v.Problems, importProblem{Row: p.Row, Field: p.Field, Message: p.Message})
	}
	if len(v.Problems) > 0 || v.FileError != "" {
		status = http.StatusUnprocessableEntity
		return render()
	}
	if preview {
		return render()
	}
	msg := "Imported " + plural(res.Items, "item", "items")
	if res.Comments > 0 {
		msg += " with " + plural(res.Comments, "comment", "comments")
	}
	w.redirect(rw, r, v.Base+"/backlog?status=all", msg+" at the bottom of the backlog.")
	return nil
}

// importContent returns the uploaded file, or the file the preview page
// carried along, and its name.
func importContent(r *http.Request) (string, string, error) {
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return "", "", scrum.Errorf(scrum.CodeMalformed, "the file could not be read")
			}
			defer f.Close()
			var buf bytes.Buffer
			if _, err := io.Copy(&buf, io.LimitReader(f, maxImportUpload+1)); err != nil {
				return "", "", scrum.Errorf(scrum.CodeMalformed, "the file could not be read")
			}
			return buf.String(), fhs[0].Filename, nil
		}
	}
	return r.PostForm.Get("csv"), r.PostForm.Get("file_name"), nil
}

// rowLabel names a file row for people: "row 12", or "the file".
func rowLabel(row int) string {
	if row <= 0 {
		return "the file"
	}
	return "row " + strconv.Itoa(row)
}
