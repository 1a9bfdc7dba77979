package markdown

import (
	"fmt"
	"html"
	"strings"
	"testing"
)

// allowedTags are the elements the renderer may produce.
var allowedTags = map[string]bool{
	"a": true, "p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"em": true, "strong": true, "del": true, "code": true, "pre": true, "blockquote": true,
	"ul": true, "ol": true, "li": true, "hr": true, "br": true, "span": true, "input": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
}

// allowedAttrs are the attributes the renderer may produce.
var allowedAttrs = map[string]bool{
	"href": true, "title": true, "rel": true, "target": true, "class": true,
	"align": true, "checked": true, "disabled": true, "type": true, "start": true,
}

// unsafeHTML scans renderer output and returns why it is unsafe, or "" if
// it is not. It relies on the renderer escaping every '<', '>' and '"' in
// text, so that each '<' opens a tag or comment, and on attribute values
// being double-quoted. It rejects <script and any other element outside
// allowedTags, any attribute outside allowedAttrs (on… handlers included),
// and any href that, entity-decoded, stripped of whitespace and control
// characters and lower-cased, starts with javascript:, vbscript: or data:.
func unsafeHTML(out string) string {
	if strings.Contains(strings.ToLower(out), "<script") {
		return "contains <script"
	}
	for i := 0; i < len(out); {
		switch c := out[i]; {
		case c == '>' || c == '"':
			return fmt.Sprintf("unescaped %q in text at %d", c, i)
		case c != '<':
			i++
			continue
		}
		if strings.HasPrefix(out[i:], "<!--") {
			end := strings.Index(out[i:], "-->")
			if end < 0 {
				return fmt.Sprintf("unclosed comment at %d", i)
			}
			if comment := out[i : i+end+3]; comment != "<!-- raw HTML omitted -->" {
				return fmt.Sprintf("unexpected comment %q", comment)
			}
			i += end + 3
			continue
		}
		n, why := scanTag(out[i:])
		if why != "" {
			return fmt.Sprintf("%s at %d in %q", why, i, clipForMessage(out[i:]))
		}
		i += n
	}
	return ""
}

// scanTag checks the tag that s starts with and returns its length.
func scanTag(s string) (int, string) {
	i := 1
	if i < len(s) && s[i] == '/' {
		i++
	}
	start := i
	for i < len(s) && ('a' <= s[i] && s[i] <= 'z' || '0' <= s[i] && s[i] <= '9') {
		i++
	}
	name := s[start:i]
	if !allowedTags[name] {
		return 0, fmt.Sprintf("element %q", name)
	}
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return 0, "unclosed tag"
		}
		if s[i] == '>' {
			return i + 1, ""
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '>' {
			i++
		}
		attr := strings.ToLower(s[start:i])
		if !allowedAttrs[attr] {
			return 0, fmt.Sprintf("attribute %q", attr)
		}
		if i >= len(s) || s[i] != '=' {
			continue
		}
		i++
		if i >= len(s) || s[i] != '"' {
			return 0, fmt.Sprintf("unquoted value of %q", attr)
		}
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return 0, fmt.Sprintf("unterminated value of %q", attr)
		}
		if why := unsafeValue(attr, s[i+1:i+1+end]); why != "" {
			return 0, why
		}
		i += end + 2
	}
}

// unsafeValue checks one attribute value as a browser would decode it.
func unsafeValue(attr, v string) string {
	decoded := html.UnescapeString(v)
	norm := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, decoded))
	if attr != "href" {
		// Only a URL attribute is ever run as script; a title that reads
		// "javascript:" is text.
		return ""
	}
	switch {
	case strings.HasPrefix(norm, "javascript:"), strings.HasPrefix(norm, "vbscript:"):
		return fmt.Sprintf("script URL in href=%q", v)
	case strings.HasPrefix(norm, "data:"):
		return fmt.Sprintf("data URL in href=%q", v)
	}
	return ""
}

func clipForMessage(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// TestUnsafeHTML checks the checker itself: it must flag what a browser
// would run and let inert text through, or the fuzz target means nothing.
func TestUnsafeHTML(t *testing.T) {
	unsafe := []string{
		`<script>x</script>`,
		`<img src="x">`,
		`<a href="x" onclick="y">a</a>`,
		`<a href="javascript:x">a</a>`,
		`<a href=" JaVa&#x09;Script&colon;x">a</a>`,
		`<a href="vbscript:x">a</a>`,
		`<a href="data:text/html,x">a</a>`,
		`<a href=x>a</a>`,
		`<p>a > b</p>`,
		`<!-- hi -->`,
	}
	for _, s := range unsafe {
		if unsafeHTML(s) == "" {
			t.Errorf("unsafeHTML(%q) = \"\", want a reason", s)
		}
	}
	safe := []string{
		`<p>javascript:alert(1)</p>`,
		`<a href="https://example.com/javascript:x" title="javascript:x">a</a>`,
		`<a href="/a" title="see data:x">a</a>`,
		`<p><!-- raw HTML omitted --></p>`,
	}
	for _, s := range safe {
		if why := unsafeHTML(s); why != "" {
			t.Errorf("unsafeHTML(%q) = %q, want \"\"", s, why)
		}
	}
}
