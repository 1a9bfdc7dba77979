package markdown

import (
	"strings"
	"testing"
)

func TestPlain(t *testing.T) {
	tests := []struct {
		name string
		src  string
		max  int
		want string
	}{
		{"empty", "", 10, ""},
		{"heading and body", "# Title\n\nBody *text*.", 100, "Title Body text."},
		{"link", "see [the docs](https://example.com)", 100, "see the docs"},
		{"image", "![a chart](/c.png) below", 100, "a chart below"},
		{"autolink", "<https://example.com>", 100, "https://example.com"},
		{"code span", "run `go  test *` now", 100, "run go test * now"},
		{"code block", "```go\nfmt.Println(1)\n```", 100, "fmt.Println(1)"},
		{"raw HTML", "a <b>bold</b> move\n\n<div>\nhidden\n</div>", 100, "a bold move"},
		{"entities and escapes", `&amp; &lt;b&gt; \*not\* &copy;`, 100, "& <b> *not* ©"},
		{"code keeps escapes", "`\\* &amp;`", 100, "\\* &amp;"},
		{"task list", "- [x] done\n- [ ] todo", 100, "done todo"},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", 100, "a b 1 2"},
		{"mention", "ask @ana", 100, "ask @ana"},
		{"whitespace", "a\n\n\n   b\tc  \nd", 100, "a b c d"},
		{"blocks do not run together", "# A\nB\n\n- C\n- D\n\n> E", 100, "A B C D E"},
		{"fits exactly", "abcde", 5, "abcde"},
		{"cut mid-word", "abcdefgh", 5, "abcd…"},
		{"cut at space", "one two three four five six", 20, "one two three four…"},
		{"cut before space", "hello world again", 12, "hello world…"},
		{"cut keeps long word", "hello wonderful world", 12, "hello wonde…"},
		{"runes not bytes", "ééééé", 3, "éé…"},
		{"max 1", "abc", 1, "…"},
		{"max 0", "abc", 0, ""},
		{"negative max", "abc", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plain(tt.src, tt.max); got != tt.want {
				t.Errorf("Plain(%q, %d): got %q, want %q", tt.src, tt.max, got, tt.want)
			}
		})
	}
}

func TestPlainTruncatedSource(t *testing.T) {
	src := strings.Repeat("word ", 2*MaxSource/5)
	got := Plain(src, 10*MaxSource)
	if !strings.HasSuffix(got, "…") {
		t.Errorf("Plain of %d bytes: got suffix %q, want %q", len(src), got[len(got)-10:], "…")
	}
}
