package markdown

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHTML checks that rendered HTML stays safe whatever the source: only
// allowed elements and attributes, no <script, no on… handlers, no script
// or data URLs in attributes even after entity decoding. It also checks
// that Plain and Mentions agree with the renderer and that nothing panics.
func FuzzHTML(f *testing.F) {
	seeds := []string{
		"# Title\n\n*a* **b** ~~c~~ `d`\n\n- [x] e\n- [ ] f\n\n| g | h |\n|:-|-:|\n| 1 | 2 |",
		"<script>alert(1)</script>",
		"x <img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">y</a>",
		"[x](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [x](vbscript:x) [x](data:text/html,x)",
		"[x](javascript&#58;alert(1)) [x](&#106;avascript:x) [x](javascript&colon;x) [x](<java\tscript:x>)",
		"![a](https://example.com/a.png \"t\") ![b](javascript:x) [![c](/c.png)](https://example.com)",
		"[x][1]\n\n[1]: javascript:alert(1) \"t\"",
		"<javascript:alert(1)> <https://example.com> www.example.com ana@example.com",
		"@ana _@ben_ `@carl` a@b.com \\@dan @eve@example.com",
		"```\"><script>\nx\n```",
		"[x](/a \"\\\" onmouseover=\\\"alert(1)\")",
		"# h {onclick=alert(1)}",
		strings.Repeat(">", 40) + " deep",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	even := func(h string) bool { return len(h)%2 == 0 }
	r := New(WithMentionFilter(even))
	f.Fuzz(func(t *testing.T, src string) {
		out := string(r.HTML(src))
		if why := unsafeHTML(out); why != "" {
			t.Fatalf("HTML(%q) = %q: unsafe: %s", src, out, why)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("HTML(%q) = %q: invalid UTF-8", src, out)
		}

		const max = 40
		p := Plain(src, max)
		if n := utf8.RuneCountInString(p); n > max {
			t.Fatalf("Plain(%q, %d) = %q: got %d runes, want <= %d", src, max, p, n, max)
		}

		for _, h := range Mentions(src) {
			if h == "" || strings.HasSuffix(h, ".") {
				t.Fatalf("Mentions(%q): got handle %q", src, h)
			}
			span := `<span class="mention">@` + html.EscapeString(h) + `</span>`
			if even(h) && !strings.Contains(out, span) {
				t.Fatalf("Mentions(%q) has %q, but HTML %q lacks %q", src, h, out, span)
			}
		}
	})
}
