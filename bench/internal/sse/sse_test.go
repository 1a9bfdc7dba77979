package sse

import (
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	stream := "retry: 2000\n\n: ping\n\nid: 7\nevent: item.created\ndata: {\"a\":1}\n\n" +
		"data: line one\ndata: line two\n\nid: 9\r\ndata: x\r\n\r\n"
	r := NewReader(strings.NewReader(stream))
	want := []Event{
		{ID: "7", Type: "item.created", Data: []byte(`{"a":1}`)},
		{ID: "7", Type: "message", Data: []byte("line one\nline two")},
		{ID: "9", Type: "message", Data: []byte("x")},
	}
	for i, w := range want {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if got.ID != w.ID || got.Type != w.Type || string(got.Data) != string(w.Data) {
			t.Errorf("event %d = %+v, want %+v", i, got, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last event: got %v, want io.EOF", err)
	}
	if r.Bytes() != int64(len(stream)) {
		t.Errorf("Bytes() = %d, want %d", r.Bytes(), len(stream))
	}
}
