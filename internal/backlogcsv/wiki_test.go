package backlogcsv

import (
	"strings"
	"testing"
)

func TestWikiToMarkdown(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"blank lines", "\n  \n\t\n", ""},
		{"plain text", "Just text, with: colons - and dashes.", "Just text, with: colons - and dashes."},
		{"soft line breaks stay", "one\ntwo", "one\ntwo"},
		{"paragraphs", "one\n\n\n\ntwo", "one\n\ntwo"},
		{"CRLF", "one\r\ntwo\rthree", "one\ntwo\nthree"},
		{"leading spaces would make code", "    indented", "indented"},

		// Headings.
		{"h1", "h1. Title", "# Title"},
		{"h6", "h6. Small *bold*", "###### Small **bold**"},
		{"h7 is text", "h7. Nope", "h7. Nope"},
		{"heading needs a space", "h2.Title", "h2.Title"},
		{"empty heading", "h3.", "###"},
		{"heading then text", "h2. A\ntext", "## A\n\ntext"},
		{"heading break becomes a space", `h2. one\\two`, "## one two"},

		// Emphasis.
		{"bold", "a *bold* b", "a **bold** b"},
		{"bold phrase", "*very bold* text", "**very bold** text"},
		{"italic", "_it_", "*it*"},
		{"strike", "-gone-", "~~gone~~"},
		{"nested", "*bold _and italic_*", "**bold *and italic***"},
		{"punctuation around", "(*a*), _b_!", "(**a**), *b*!"},
		{"no intraword italic", "snake_case_name and file_name.txt", "snake_case_name and file_name.txt"},
		{"no intraword strike", "well-known re-run 2024-03-12", "well-known re-run 2024-03-12"},
		{"dashes as punctuation", "a - b -- c --- d", "a - b -- c --- d"},
		{"negative numbers", "from -1 to -2 degrees", "from -1 to -2 degrees"},
		{"space after opener", "a * not bold* b", "a * not bold* b"},
		{"space before closer", "*not bold *", "*not bold *"},
		{"unclosed", "*open and _open", "*open and _open"},
		{"closer followed by a letter", "*a*b", "*a*b"},
		{"double markers", "**x** and --y--", "**x** and --y--"},
		{"escaped markers", `\*not bold\* and \_no\_`, `\*not bold\* and \_no\_`},
		{"unicode words", "über_alles_ and _ñu_", "über_alles_ and *ñu*"},
		{"overlapping", "*a _b* c_", "**a _b** c_"},
		{"marker inside monospace", "*see {{a*b}}*", "**see `a*b`**"},
		{"marker inside a link", "[a_b|http://x.io/a_b_c] *x*", "[a_b](http://x.io/a_b_c) **x**"},
		{"marker inside a bare URL", "_see http://x.io/a_b now_", "*see http://x.io/a_b now*"},
		{"URL punctuation", "(http://x.io/a_b_), *x*", "(http://x.io/a_b_), **x**"},
		{"URL at the end of emphasis", "*http://x.io/a*", "**http://x.io/a**"},
		{"all three nested", "*a _b -c- d_ e*", "**a *b ~~c~~ d* e**"},
		{"same marker does not nest", "*a *b* c*", "**a *b** c*"},

		// Monospace.
		{"mono", "use {{go test}} now", "use `go test` now"},
		{"mono keeps markup", "{{*not bold*}}", "`*not bold*`"},
		{"mono with backticks", "{{a`b}}", "``a`b``"},
		{"mono starting with a backtick", "{{`x}}", "`` `x ``"},
		{"empty mono", "{{}}", "{{}}"},
		{"unclosed mono", "{{open *b*", "{{open **b**"},
		{"triple brace", "{{{x}}}", "`{x`}"},

		// Links.
		{"link", "[Docs|https://example.com/docs]", "[Docs](https://example.com/docs)"},
		{"bare link", "[http://example.com]", "<http://example.com>"},
		{"mailto", "[mail me|mailto:a@b.c]", "[mail me](mailto:a@b.c)"},
		{"tooltip dropped", "[Docs|https://x.io|a tip]", "[Docs](https://x.io)"},
		{"parentheses in URL", "[w|https://en.wikipedia.org/wiki/Go_(language)]", "[w](https://en.wikipedia.org/wiki/Go_%28language%29)"},
		{"mention stays", "ping [~jsmith] and [~accountid:5b10a]", "ping [~jsmith] and [~accountid:5b10a]"},
		{"attachment stays", "[^screen.png]", "[^screen.png]"},
		{"anchor stays", "[#top] and [Top|#top]", "[#top] and [Top|#top]"},
		{"javascript stays text", "[x|javascript:alert(1)]", "[x|javascript:alert(1)]"},
		{"URL with a space stays", "[x|http://a b]", "[x|http://a b]"},
		{"unclosed bracket", "[oops http://x.io", "[oops http://x.io"},
		{"nested bracket", "[a [b|http://x.io]", "[a [b](http://x.io)"},
		{"empty link text", "[|https://x.io]", "<https://x.io>"},
		{"bare URL untouched", "see https://x.io/-a-.", "see https://x.io/-a-."},

		// Line breaks.
		{"line break", `one\\two`, "one\\\ntwo"},
		{"line break with spaces", `one \\ two`, "one \\\ntwo"},
		{"line break at the end", `one\\` + "\ntwo", "one\\\ntwo"},
		{"line break in a list", `* a\\b`, "- a\\\n  b"},
		{"line break in a quote", `bq. a\\b`, "> a\\\n> b"},

		// Lists.
		{"bullets", "* a\n* b", "- a\n- b"},
		{"dash bullets", "- a\n- b", "- a\n- b"},
		{"nested bullets", "* a\n** b\n*** c\n* d", "- a\n  - b\n    - c\n- d"},
		{"numbered", "# a\n## b\n# c", "1. a\n   1. b\n1. c"},
		{"mixed", "* a\n*# b\n*# c\n*#* d", "- a\n  1. b\n  1. c\n     - d"},
		{"mixed the other way", "# a\n#* b", "1. a\n   - b"},
		{"level jump clamped", "*** deep", "- deep"},
		{"level jump in a list", "* a\n*** c", "- a\n  - c"},
		{"list after text", "Intro:\n* a", "Intro:\n\n- a"},
		{"text after list", "* a\nafter", "- a\n\nafter"},
		{"blank line restarts nesting", "* a\n\n** b", "- a\n\n- b"},
		{"list item markup", "* *bold* and [l|http://x.io]", "- **bold** and [l](http://x.io)"},
		{"empty item", "* ", "\\*"},
		{"bold line is not a list", "*bold* start", "**bold** start"},
		{"hash word is not a list", "#123 fixed", "#123 fixed"},
		{"dash word is not a list", "-flag", "-flag"},

		// Quotes.
		{"bq", "bq. quoted *text*", "> quoted **text**"},
		{"bq lines", "bq. a\nbq. b\ntext", "> a\n> b\n\ntext"},
		{"quote block", "{quote}\nline one\n\nline two\n{quote}\nafter", "> line one\n>\n> line two\n\nafter"},
		{"quote inline", "before {quote}inside{quote} after", "before\n\n> inside\n\nafter"},
		{"quote with a list", "{quote}\n* a\n* b\n{quote}", "> - a\n> - b"},
		{"quote with code", "{quote}\n{code}\nx\n{code}\n{quote}", "> ```\n> x\n> ```"},
		{"unclosed quote", "{quote}\na", "> a"},
		{"empty quote", "a\n{quote}{quote}\nb", "a\n\nb"},
		{"quote case", "{QUOTE}a{Quote}", "> a"},

		// Code.
		{"code", "{code}\nx := 1\n{code}", "```\nx := 1\n```"},
		{"code language", "{code:java}\nint x;\n{code}", "```java\nint x;\n```"},
		{"code parameters", "{code:title=Foo.java|language=go|borderStyle=solid}\nx\n{code}", "```go\nx\n```"},
		{"code title only", "{code:title=Foo.java}\nx\n{code}", "```\nx\n```"},
		{"code language sanitized", "{code:ja`va}\nx\n{code}", "```\nx\n```"},
		{"code keeps markup", "{code}\n*not bold* _x_ [a|http://b]\nh1. no\n* no\n{code}",
			"```\n*not bold* _x_ [a|http://b]\nh1. no\n* no\n```"},
		{"code keeps indentation", "{code}\n  if x {\n\n      y()\n  }\n{code}", "```\n  if x {\n\n      y()\n  }\n```"},
		{"code on one line", "run {code}make test{code} first", "run\n\n```\nmake test\n```\n\nfirst"},
		{"code content after tag", "{code:sh}echo hi\necho bye{code}", "```sh\necho hi\necho bye\n```"},
		{"code with backticks", "{code}\n```\n{code}", "````\n```\n````"},
		{"unclosed code", "{code}\na\n*b*", "```\na\n*b*\n```"},
		{"empty code", "{code}{code}", "```\n```"},
		{"code after text", "text\n{code}\nx\n{code}\nmore", "text\n\n```\nx\n```\n\nmore"},
		{"noformat", "{noformat}\n*raw* {code}\n{noformat}", "```\n*raw* {code}\n```"},
		{"noformat parameters", "{noformat:nopanel=true}\nx\n{noformat}", "```\nx\n```"},
		{"code tag in monospace", "{{code}} is a macro", "`code` is a macro"},
		{"code tag without brace", "{code:java", "{code:java"},
		{"quote tag inside code", "{code}\n{quote}\n{code}", "```\n{quote}\n```"},
		{"two code blocks", "{code}a{code}{code}b{code}", "```\na\n```\n```\nb\n```"},

		// Tables.
		{"table", "||a||b||\n|1|2|", "| a | b |\n| --- | --- |\n| 1 | 2 |"},
		{"table without header", "|1|2|\n|3|4|", "|  |  |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |"},
		{"table cells converted", "||*h*||{{m}}||\n|[l|http://x.io]|a\\|b|", "| **h** | `m` |\n| --- | --- |\n| [l](http://x.io) | a\\|b |"},
		{"table pipe in monospace", "|{{a|b}}|c|", "|  |  |\n| --- | --- |\n| `a\\|b` | c |"},
		{"table pipe in a mention", "|[~a|b]|", "|  |\n| --- |\n| [~a\\|b] |"},
		{"table break is a space", `|a\\b|`, "|  |\n| --- |\n| a b |"},
		{"table without closing pipe", "||a||b\n|1|2", "| a | b |\n| --- | --- |\n| 1 | 2 |"},
		{"table empty cell", "|a| |c|", "|  |  |  |\n| --- | --- | --- |\n| a |  | c |"},
		{"vertical header", "||k|v|", "| k | v |\n| --- | --- |"},
		{"table between text", "before\n||a||\n|1|\nafter", "before\n\n| a |\n| --- |\n| 1 |\n\nafter"},
		{"tables split by a blank line", "||a||\n\n||b||", "| a |\n| --- |\n\n| b |\n| --- |"},
		{"lone pipes", "||", "||"},

		// Rules, colour and escapes.
		{"rule", "a\n----\nb", "a\n\n---\n\nb"},
		{"long rule", "--------", "---"},
		{"dashes line is not a heading underline", "Title\n---", "Title\n\\---"},
		{"equals line is not a heading underline", "Title\n===", "Title\n\\==="},
		{"fence in text", "```not code", "\\```not code"},
		{"fence in a list", "* ```x", "- \\```x"},
		{"fence in a quote", "bq. ~~~", "> \\~~~"},
		{"colour dropped", "{color:#ff0000}*red*{color} ok", "**red** ok"},
		{"colour without closing brace", "{color:red text", "{color:red text"},
		{"panel stays", "{panel:title=x}body{panel}", "{panel:title=x}body{panel}"},
		{"other markup stays", "+under+ ^sup^ ~sub~ ??cite?? !image.png!", "+under+ ^sup^ ~sub~ ??cite?? !image.png!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WikiToMarkdown(tt.in); got != tt.want {
				t.Errorf("WikiToMarkdown(%q):\ngot  %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCriteriaInMarkdown(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want []string
	}{
		{"none", "just text\n- a", nil},
		{"heading", "intro\n\n## Acceptance Criteria\n\n- a\n- b\n\n## Next\n- c", []string{"a", "b"}},
		{"colon line", "Acceptance criteria:\n1. a\n2) b", []string{"a", "b"}},
		{"bold colon line", "**Acceptance Criteria:**\n\n* a\n  - nested", []string{"a", "nested"}},
		{"heading with colon", "### acceptance criteria:\n+ a", []string{"a"}},
		{"stops at text", "# Acceptance Criteria\n- a\ntext\n- b", []string{"a"}},
		{"mention in a sentence", "The acceptance criteria are below\n- a", nil},
		{"empty items skipped", "Acceptance Criteria:\n- \n- a", []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range criteriaInMarkdown(tt.md) {
				got = append(got, c.Text)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWikiToMarkdownLinear guards against inputs that make the converter
// quadratic: each input is 200 KB of one piece of markup, repeated.
func TestWikiToMarkdownLinear(t *testing.T) {
	for _, unit := range []string{"*a ", "{{", "[", "{code:", "_x_ *y", "|[", "h1. *", "{color:", "-a- ", "http://x ",
		"{quote}", "{code}", "{noformat}x", "{code:go}", "||a", "* a\\\\",
		"* a\n** b\n", "|a|\n", "{code}\nx\n", "{quote}\n# a\n", "bq. x\n\n"} {
		in := strings.Repeat(unit, 200000/len(unit))
		if out := WikiToMarkdown(in); len(out) > 10*len(in) {
			t.Errorf("%q: output %d bytes for %d in", unit, len(out), len(in))
		}
	}
}
