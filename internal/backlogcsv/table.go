package backlogcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table is a CSV file read into memory: its header and its data rows,
// without the blank ones.
type table struct {
	header []string
	rows   []record
}

// record is one data row of a table.
type record struct {
	row   int // 1-based row in the file, the header being row 1
	cells []string
}

// cell returns the i-th cell of r, or "" when the row is too short or i is
// negative: files may be ragged.
func (r record) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

// readTable reads a whole CSV file. Problems with the file's content go to c;
// the error it returns is for reading src itself, which is not the
// uploader's fault (or is a size limit the caller set on src). It returns a
// nil table when nothing after the problems in c can be checked.
//
// Rows whose cells are all blank are skipped but still counted, so row
// numbers match what a spreadsheet shows. Line endings inside cells become
// "\n". Reading stops after maxRows data rows.
func readTable(src io.Reader, maxRows int, c *collector) (*table, error) {
	br := bufio.NewReader(src)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		if _, err := br.Discard(3); err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		c.add(0, FileField, "file is empty")
		return nil, nil
	}
	if err != nil {
		return nil, csvProblem(err, 1, c)
	}
	for i, h := range header {
		if !cleanText(h) {
			c.add(1, FileField, "file is not a CSV file in UTF-8")
			return nil, nil
		}
		header[i] = strings.TrimSpace(h)
	}
	t := &table{header: header}

	for row := 2; ; row++ {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return t, csvProblem(err, row, c)
		}
		if !checkCells(row, cells, header, c) || blank(cells) {
			continue
		}
		if len(t.rows) == maxRows {
			c.add(0, FileField, "file has more than %d rows", maxRows)
			return t, nil
		}
		t.rows = append(t.rows, record{row: row, cells: cells})
	}
}

// csvProblem records a CSV syntax error at row in c and returns nil, or
// returns any other error wrapped.
func csvProblem(err error, row int, c *collector) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read csv: %w", err)
	}
	c.add(row, FileField, "file is not valid CSV: %v on line %d", pe.Err, pe.Line)
	return nil
}

// checkCells reports whether a row's cells are usable, recording the
// problems of one that is not. It also turns the line endings inside cells
// into "\n".
func checkCells(row int, cells, header []string, c *collector) bool {
	for i, v := range cells {
		if !cleanText(v) {
			c.add(row, columnName(header, i), "is not UTF-8 text")
			return false
		}
		if strings.IndexByte(v, '\r') >= 0 {
			v = strings.ReplaceAll(v, "\r\n", "\n")
			cells[i] = strings.ReplaceAll(v, "\r", "\n")
		}
	}
	if len(cells) > len(header) {
		for _, v := range cells[len(header):] {
			if strings.TrimSpace(v) != "" {
				c.add(row, FileField, "row has %d cells but the header has %d", len(cells), len(header))
				return false
			}
		}
	}
	return true
}

// cleanText reports whether s is UTF-8 without NUL bytes, which databases
// refuse in text.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func columnName(header []string, i int) string {
	if i < len(header) && header[i] != "" {
		return header[i]
	}
	return FileField
}

func blank(cells []string) bool {
	for _, v := range cells {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
