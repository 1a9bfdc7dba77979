// Package sse reads a Server-Sent Events stream the way an EventSource
// does: fields per line, an event dispatched on a blank line, comments
// ignored. It counts the bytes it reads so a benchmark can report them.
package sse

import (
	"bufio"
	"bytes"
	"io"
)

// Event is one dispatched event.
type Event struct {
	ID   string
	Type string // "message" when the stream named none
	Data []byte
}

// Reader parses events from a stream.
type Reader struct {
	br     *bufio.Reader
	n      int64
	lastID string
	data   bytes.Buffer
}

type counter struct {
	r io.Reader
	n *int64
}

func (c counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	rd := &Reader{}
	rd.br = bufio.NewReaderSize(counter{r: r, n: &rd.n}, 16<<10)
	return rd
}

// Bytes returns how many bytes have been read from the stream so far.
func (r *Reader) Bytes() int64 { return r.n }

// Next returns the next event. Comments (heartbeats) and retry fields are
// consumed silently. The error is io.EOF when the stream ends cleanly.
func (r *Reader) Next() (Event, error) {
	typ := ""
	r.data.Reset()
	hasData := false
	for {
		line, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A very long line: gather it whole.
			rest, err2 := r.br.ReadBytes('\n')
			line, err = append(bytes.Clone(line), rest...), err2
		}
		if err != nil {
			if err == io.EOF && len(line) == 0 {
				return Event{}, io.EOF
			}
			if err != io.EOF {
				return Event{}, err
			}
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if !hasData {
				typ = ""
				if err == io.EOF {
					return Event{}, io.EOF
				}
				continue
			}
			if typ == "" {
				typ = "message"
			}
			return Event{ID: r.lastID, Type: typ, Data: bytes.Clone(r.data.Bytes())}, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			typ = string(value)
		case "data":
			if hasData {
				r.data.WriteByte('\n')
			}
			r.data.Write(value)
			hasData = true
		case "id":
			r.lastID = string(value)
		}
		if err == io.EOF {
			return Event{}, io.EOF
		}
	}
}
