package markdown

import (
	"os"
	"testing"
)

// description reads a realistic 5 KB item description.
func description(b *testing.B) string {
	b.Helper()
	src, err := os.ReadFile("testdata/description.md")
	if err != nil {
		b.Fatalf("read description: %v", err)
	}
	return string(src)
}

func BenchmarkHTML(b *testing.B) {
	src := description(b)
	r := New(WithMentionFilter(func(h string) bool { return h != "tom-h" }))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		r.HTML(src)
	}
}

func BenchmarkPlain(b *testing.B) {
	src := description(b)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Plain(src, 160)
	}
}

func BenchmarkMentions(b *testing.B) {
	src := description(b)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Mentions(src)
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New()
	}
}
