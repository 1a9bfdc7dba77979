package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/tandemhq/tandem/internal/backlogcsv"
	"github.com/tandemhq/tandem/internal/problem"
	"github.com/tandemhq/tandem/internal/scrum"
)

// MaxImportBody caps a CSV import upload (20 MiB), apart from MaxBody.
const MaxImportBody = 20 << 20

func (a *API) exportItems(w http.ResponseWriter, r *http.Request) error {
	withRemoved := r.URL.Query().Get("include_removed") == "true"
	its, err := a.svc.ExportItems(r.Context(), actor(r), r.PathValue("team"), withRemoved)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="backlog.csv"`)
	return backlogcsv.WriteTandem(w, its)
}

// ImportOptions reads ?format= and ?date_format= of an import.
func ImportOptions(r *http.Request) (format string, opts backlogcsv.Options, err error) {
	q := r.URL.Query()
	format = q.Get("format")
	var v scrum.Validation
	switch format {
	case "":
		format = "tandem"
	case "tandem", "jira":
	default:
		v.Add("format", `format must be "tandem" or "jira"`)
	}
	if df := q.Get("date_format"); df != "" {
		if _, ok := backlogcsv.DateLayout(df); !ok && !strings.ContainsAny(df, "0123456789") {
			v.Add("date_format", "date_format must be jira, iso, us, eu or a Go time layout such as 02/01/2006 15:04")
		}
		opts.DateFormat = df
	}
	switch q.Get("preview") {
	case "", "true", "false":
	default:
		v.Add("preview", "preview must be true or false")
	}
	return format, opts, v.Err()
}

// ParseImport parses an import body in format; file problems come back as
// a CodeInvalid error listing every row and field.
func ParseImport(body io.Reader, format string, opts backlogcsv.Options) ([]backlogcsv.Item, error) {
	parse := backlogcsv.ParseTandem
	if format == "jira" {
		parse = backlogcsv.ParseJira
	}
	drafts, err := parse(body, opts)
	var ce *backlogcsv.Errors
	if errors.As(err, &ce) {
		fields := make([]scrum.FieldError, len(ce.List))
		for i, fe := range ce.List {
			fields[i] = scrum.FieldError{Field: fe.Field, Message: fe.Message, Row: fe.Row}
		}
		return nil, &scrum.Error{Code: scrum.CodeInvalid, Fields: fields,
			Message: fmt.Sprintf("the file has %d problems; nothing was imported", len(fields))}
	}
	var mbe *http.MaxBytesError
	if err != nil && !errors.As(err, &mbe) {
		return nil, scrum.Errorf(scrum.CodeMalformed, "the file could not be read as CSV: %v", err)
	}
	return drafts, err
}

type importJSON struct {
	Preview   bool          `json:"preview"`
	Valid     bool          `json:"valid"`
	Items     int           `json:"items"`
	Epics     int           `json:"epics"`
	Comments  int           `json:"comments"`
	Unreadied int           `json:"unreadied"`
	First     []itemJSON    `json:"first"`
	Errors    []importError `json:"errors"`
}

type importError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (a *API) importItems(w http.ResponseWriter, r *http.Request) error {
	// Not text/plain: a cross-site form may send that without a preflight.
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "text/csv" && mt != "application/csv") {
		return &problem.HTTPError{Status: http.StatusUnsupportedMediaType, Detail: "send the file as text/csv"}
	}
	format, opts, err := ImportOptions(r)
	if err != nil {
		return err
	}
	preview := r.URL.Query().Get("preview") == "true"
	drafts, err := ParseImport(http.MaxBytesReader(w, r.Body, MaxImportBody), format, opts)
	out := importJSON{Preview: preview, First: []itemJSON{}, Errors: []importError{}}
	if err != nil {
		var de *scrum.Error
		if !preview || !errors.As(err, &de) || de.Code != scrum.CodeInvalid {
			return err
		}
		for _, f := range de.Fields {
			out.Errors = append(out.Errors, importError{Row: f.Row, Field: f.Field, Message: f.Message})
		}
		return writeJSON(w, http.StatusOK, out)
	}
	res, err := a.svc.ImportItems(r.Context(), actor(r), r.PathValue("team"), drafts, preview)
	if err != nil {
		return err
	}
	out.Valid = len(res.Problems) == 0
	out.Items, out.Epics, out.Comments, out.Unreadied = res.Items, res.Epics, res.Comments, res.Unreadied
	for _, it := range res.First {
		out.First = append(out.First, toItem(it))
	}
	for _, f := range res.Problems {
		out.Errors = append(out.Errors, importError{Row: f.Row, Field: f.Field, Message: f.Message})
	}
	status := http.StatusCreated
	if preview {
		status = http.StatusOK
	}
	return writeJSON(w, status, out)
}
