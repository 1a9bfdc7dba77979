package backlogcsv

import (
	"fmt"
	"sort"
	"strings"
)

// FileField is the Field of a FieldError about the file as a whole rather
// than one column: not CSV, no header, a missing column, too many rows.
const FileField = "file"

// FieldError is one problem found in an uploaded file.
type FieldError struct {
	// Row is the 1-based row of the problem (the header is row 1), or 0 when
	// the problem concerns the whole file.
	Row int
	// Field is the column header as written in the file, or FileField.
	Field string
	// Message is short, human and lower-case.
	Message string
}

// Error formats e as "row 3: Issue Type: unknown issue type "Sub-task"".
func (e FieldError) Error() string {
	switch {
	case e.Row <= 0:
		return e.Message
	case e.Field == FileField:
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("row %d: %s: %s", e.Row, e.Field, e.Message)
}

// Errors is every problem found in a file that could not be imported.
// Problems are ordered by row.
type Errors struct {
	List []FieldError
}

// maxErrorText bounds how many problems Error spells out.
const maxErrorText = 10

// Error summarises the first few problems on one line.
func (e *Errors) Error() string {
	var b strings.Builder
	if len(e.List) == 1 {
		b.WriteString("import csv: 1 problem: ")
	} else {
		fmt.Fprintf(&b, "import csv: %d problems: ", len(e.List))
	}
	for i, fe := range e.List {
		if i == maxErrorText {
			fmt.Fprintf(&b, "; and %d more", len(e.List)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(fe.Error())
	}
	return b.String()
}

// collector gathers problems while a file is parsed.
type collector struct {
	list []FieldError
}

func (c *collector) add(row int, field, format string, args ...any) {
	c.list = append(c.list, FieldError{Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns the problems as an *Errors, or nil if there were none. It
// returns a plain nil so that callers can compare the result with nil.
func (c *collector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	sort.SliceStable(c.list, func(i, j int) bool { return c.list[i].Row < c.list[j].Row })
	return &Errors{List: c.list}
}
