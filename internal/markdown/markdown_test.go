package markdown

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

const rel = ` rel="noopener noreferrer nofollow"`

func TestHTML(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"heading", "# Title", "<h1>Title</h1>\n"},
		{"emphasis", "*a* **b** ~~c~~", "<p><em>a</em> <strong>b</strong> <del>c</del></p>\n"},
		{"bullet list", "- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"ordered list", "3. a\n4. b", "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"task list", "- [x] done\n- [ ] todo",
			"<ul>\n<li><input checked=\"\" disabled=\"\" type=\"checkbox\"> done</li>\n<li><input disabled=\"\" type=\"checkbox\"> todo</li>\n</ul>\n"},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"code span escapes", "`<script>alert(1)</script>`", "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n"},
		{"fenced code", "```go\nif a < b && c {\n```", "<pre><code class=\"language-go\">if a &lt; b &amp;&amp; c {\n</code></pre>\n"},
		{"fenced code language quoted", "```\"><script>\nx\n```", "<pre><code class=\"language-&quot;&gt;&lt;script&gt;\">x\n</code></pre>\n"},
		{"blockquote", "> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"},
		{"quotes in text", `say "hi"`, "<p>say &quot;hi&quot;</p>\n"},

		{"relative link", "[item](/items/42)", `<p><a href="/items/42"` + rel + ">item</a></p>\n"},
		{"fragment link", "[up](#top)", `<p><a href="#top"` + rel + ">up</a></p>\n"},
		{"absolute link", "[docs](https://example.com/a?b=1&c=2)",
			`<p><a href="https://example.com/a?b=1&amp;c=2"` + rel + ` target="_blank">docs</a></p>` + "\n"},
		{"http link", "[x](HTTP://example.com)", `<p><a href="HTTP://example.com"` + rel + ` target="_blank">x</a></p>` + "\n"},
		{"scheme-relative link", "[x](//example.com)", `<p><a href="//example.com"` + rel + ` target="_blank">x</a></p>` + "\n"},
		{"link title", `[x](/a "say \"hi\" & <go>")`, `<p><a href="/a" title="say &quot;hi&quot; &amp; &lt;go&gt;"` + rel + ">x</a></p>\n"},
		{"mailto link", "[mail](mailto:a@example.com)", `<p><a href="mailto:a@example.com"` + rel + ">mail</a></p>\n"},
		{"autolink", "<https://example.com>", `<p><a href="https://example.com"` + rel + ` target="_blank">https://example.com</a></p>` + "\n"},
		{"bare URL", "see https://example.com/x.", `<p>see <a href="https://example.com/x"` + rel + ` target="_blank">https://example.com/x</a>.</p>` + "\n"},
		{"bare www", "www.example.com", `<p><a href="http://www.example.com"` + rel + ` target="_blank">www.example.com</a></p>` + "\n"},
		{"bare email", "mail ana@example.com", `<p>mail <a href="mailto:ana@example.com"` + rel + ">ana@example.com</a></p>\n"},
		{"link with space in URL", "[x](</a b>)", `<p><a href="/a%20b"` + rel + ">x</a></p>\n"},

		{"raw script block", "<script>alert(1)</script>", "<!-- raw HTML omitted -->\n"},
		{"raw script inline", "a <script>alert(1)</script> b", "<p>a <!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --> b</p>\n"},
		{"img onerror", "x <img src=x onerror=alert(1)>", "<p>x <!-- raw HTML omitted --></p>\n"},
		{"raw anchor", `x <a href="javascript:alert(1)">y</a>`, "<p>x <!-- raw HTML omitted -->y<!-- raw HTML omitted --></p>\n"},
		{"raw iframe block", "<iframe src=\"https://evil\"></iframe>", "<!-- raw HTML omitted -->\n"},
		{"javascript link", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"javascript link mixed case", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"vbscript link", "[x](vbscript:msgbox(1))", "<p>x</p>\n"},
		{"data html link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<p>x</p>\n"},
		{"data html link with comma", "[x](data:text/html,hi)", "<p>x</p>\n"},
		{"data image link", "[x](data:image/png;base64,iVBORw0KGgo=)", "<p>x</p>\n"},
		{"file link", "[x](file:///etc/passwd)", "<p>x</p>\n"},
		{"numeric entity colon", "[x](javascript&#58;alert(1))", "<p>x</p>\n"},
		{"hex entity colon", "[x](javascript&#x3A;alert(1))", "<p>x</p>\n"},
		{"named entity colon", "[x](javascript&colon;alert(1))", "<p>x</p>\n"},
		{"entity letters", "[x](&#106;&#97;vascript:alert(1))", "<p>x</p>\n"},
		{"backslash escape", `[x](javascript\:alert(1))`, "<p>x</p>\n"},
		{"percent-encoded colon", "[x](javascript%3Aalert(1))", "<p>x</p>\n"},
		{"tab in scheme", "[x](<java\tscript:alert(1)>)", "<p>x</p>\n"},
		{"entity tab in scheme", "[x](java&#9;script:alert(1))", "<p>x</p>\n"},
		{"leading space entity", "[x](&#32;javascript:alert(1))", "<p>x</p>\n"},
		{"javascript reference link", "[x][1]\n\n[1]: javascript:alert(1)", "<p>x</p>\n"},
		{"javascript autolink", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
		{"unknown scheme", "[x](foo:bar)", "<p>x</p>\n"},
		{"attribute syntax is off", "# h {onclick=alert(1)}", "<h1>h {onclick=alert(1)}</h1>\n"},

		{"external image", "![a *chart*](https://example.com/c.png)",
			`<p><a href="https://example.com/c.png"` + rel + ` target="_blank">a chart</a></p>` + "\n"},
		{"image title", `![alt](/c.png "T")`, `<p><a href="/c.png" title="T"` + rel + ">alt</a></p>\n"},
		{"image without alt", "![](/c.png)", `<p><a href="/c.png"` + rel + ">/c.png</a></p>\n"},
		{"image alt drops raw HTML", `![<b>"x"</b>](/c.png)`, `<p><a href="/c.png"` + rel + ">&#34;x&#34;</a></p>\n"},
		{"javascript image", "![pic](javascript:alert(1))", "<p>pic</p>\n"},
		{"data image", "![pic](data:image/svg+xml;base64,PHN2Zz4=)", "<p>pic</p>\n"},
		{"image in link", "[![pic](/c.png)](https://example.com)",
			`<p><a href="https://example.com"` + rel + ` target="_blank">pic</a></p>` + "\n"},

		{"mention", "thanks @ana!", "<p>thanks <span class=\"mention\">@ana</span>!</p>\n"},
		{"mention end of sentence", "ask @ana.b.", "<p>ask <span class=\"mention\">@ana.b</span>.</p>\n"},
		{"mention in emphasis", "_@ana_ **@ben**",
			"<p><em><span class=\"mention\">@ana</span></em> <strong><span class=\"mention\">@ben</span></strong></p>\n"},
		{"mention in code span", "`@ana`", "<p><code>@ana</code></p>\n"},
		{"mention in code block", "    @ana", "<pre><code>@ana\n</code></pre>\n"},
		{"email is not a mention", "x,ana@example.com", "<p>x,ana@example.com</p>\n"},
		{"escaped mention", `\@ana`, "<p>@ana</p>\n"},
		{"mention in URL", "https://example.com/@ana",
			`<p><a href="https://example.com/@ana"` + rel + ` target="_blank">https://example.com/@ana</a></p>` + "\n"},
		{"lone at", "a @ b", "<p>a @ b</p>\n"},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.HTML(tt.src))
			if got != tt.want {
				t.Errorf("HTML(%q):\ngot  %q\nwant %q", tt.src, got, tt.want)
			}
			if why := unsafeHTML(got); why != "" {
				t.Errorf("HTML(%q) = %q: got unsafe output (%s), want safe", tt.src, got, why)
			}
		})
	}
}

func TestHTMLMentionFilter(t *testing.T) {
	members := map[string]bool{"ana": true}
	r := New(WithMentionFilter(func(h string) bool { return members[h] }))
	got := string(r.HTML("@ana and @eve"))
	want := "<p><span class=\"mention\">@ana</span> and @eve</p>\n"
	if got != want {
		t.Errorf("HTML with filter:\ngot  %q\nwant %q", got, want)
	}
}

func TestHTMLTruncates(t *testing.T) {
	line := strings.Repeat("word ", 19) + "end\n"
	src := strings.Repeat(line, 2*MaxSource/len(line))
	got := string(New().HTML(src))
	if !strings.HasSuffix(got, truncatedHTML) {
		t.Errorf("HTML of %d bytes: got suffix %q, want %q", len(src), got[len(got)-60:], truncatedHTML)
	}
	if len(got) > MaxSource+MaxSource/10 {
		t.Errorf("HTML of %d bytes: got %d bytes, want about %d", len(src), len(got), MaxSource)
	}
	if strings.Count(got, "end") != MaxSource/len(line) {
		t.Errorf("HTML of %d bytes: got %d whole lines, want %d", len(src), strings.Count(got, "end"), MaxSource/len(line))
	}
	if got := string(New().HTML(line)); strings.Contains(got, "truncated") {
		t.Errorf("HTML(%q): got %q, want no truncation marker", line, got)
	}
}

func TestHTMLInvalidInput(t *testing.T) {
	tests := []string{"a\xffb", "a\x00b", "\xe2\x82", strings.Repeat("é", MaxSource)}
	for _, src := range tests {
		got := string(New().HTML(src))
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
			t.Errorf("HTML(%q): got %q, want valid UTF-8 without NUL", clipForMessage(src), clipForMessage(got))
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct {
		url      string
		ok       bool
		external bool
	}{
		{"https://example.com", true, true},
		{"http://example.com", true, true},
		{"//example.com", true, true},
		{`\\example.com`, true, true},
		{"/items/1", true, false},
		{"items/1", true, false},
		{"?q=1", true, false},
		{"#top", true, false},
		{"", true, false},
		{"mailto:a@example.com", true, false},
		{"a/b:c", true, false},
		{"javascript:alert(1)", false, false},
		{"JAVASCRIPT:alert(1)", false, false},
		{"vbscript:x", false, false},
		{"data:text/html,x", false, false},
		{"ftp://example.com", false, false},
		{"tel:+123", false, false},
		{"java%09script:alert(1)", false, false},
		{"javascript%3Aalert(1)", false, false},
		{"/x?next=javascript:alert(1)", false, false},
		{"data%3Atext/html,x", false, false},
	}
	for _, tt := range tests {
		u, ok := safeURL([]byte(tt.url))
		if ok != tt.ok || u.external != tt.external {
			t.Errorf("safeURL(%q): got (%v, external %v), want (%v, external %v)", tt.url, ok, u.external, tt.ok, tt.external)
		}
	}
}

// TestHTMLPathological renders 100 KB inputs that make goldmark's parsing
// time quadratic, and bounds the CPU time each takes. Before limitNesting
// and splitLongBlocks, the worst took 2 to 3 s each without the race
// detector; now they take at most a few hundred milliseconds.
func TestHTMLPathological(t *testing.T) {
	const n = MaxSource
	var nestedList strings.Builder
	for i := 0; nestedList.Len() < n; i++ {
		nestedList.WriteString(strings.Repeat(" ", i%200) + "* a\n")
	}
	tests := []struct{ name, src string }{
		{"nested quotes", strings.Repeat(">", n)},
		{"nested ordered lists", strings.Repeat("1. ", n/3)},
		{"nested quotes and lists", strings.Repeat("> - ", n/4)},
		{"indented lists", nestedList.String()},
		{"mismatched emphasis", strings.Repeat("*a_ ", n/4)},
		{"emphasis multiple of 3", "a**b" + strings.Repeat("c* ", n/3)},
		{"nested strong emphasis", strings.Repeat("*a **a ", n/14) + "b" + strings.Repeat(" a** a*", n/14)},
		{"unclosed links", strings.Repeat("[a](b", n/5)},
		{"unclosed pointy links", strings.Repeat("[a](<b", n/6)},
		{"nested brackets", strings.Repeat("[", n/2) + "a" + strings.Repeat("]", n/2)},
		{"link openers", strings.Repeat("[a", n/2)},
		{"long heading", "# " + strings.Repeat("*a_ ", n/4)},
		{"long table cell", "| a |\n|---|\n| " + strings.Repeat("*a_ ", n/4) + " |"},
		{"many references", strings.Repeat("[a]: /b\n", n/16) + strings.Repeat("[a] ", n/8)},
		{"mentions", strings.Repeat("@a.", n/3)},
		{"emails", strings.Repeat("a@b.c ", n/6)},
		{"bare URLs", strings.Repeat("http://a.b/(", n/12)},
	}
	limit := time.Second * raceSlowdown
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := cpuTime()
			out := r.HTML(tt.src)
			if d := cpuTime() - start; d > limit {
				t.Errorf("HTML of %d bytes: took %v of CPU time, want under %v", len(tt.src), d, limit)
			} else {
				t.Logf("HTML of %d bytes: %v of CPU time", len(tt.src), d)
			}
			if why := unsafeHTML(string(out)); why != "" {
				t.Errorf("HTML: got unsafe output (%s), want safe", why)
			}
		})
	}
}

// TestHTMLConcurrent renders from several goroutines at once, for the race
// detector to check that a Renderer can be shared.
func TestHTMLConcurrent(t *testing.T) {
	r := New(WithMentionFilter(func(h string) bool { return h == "ana" }))
	const src = "# T\n\n@ana [x](https://example.com) ![i](/i.png)\n\n| a |\n|---|\n| b |"
	want := r.HTML(src)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if got := r.HTML(src); got != want {
					t.Errorf("concurrent HTML: got %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
