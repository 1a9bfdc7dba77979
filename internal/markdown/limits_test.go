package markdown

import (
	"fmt"
	"strings"
	"testing"
)

func TestLimitNesting(t *testing.T) {
	deep := strings.Repeat(">", maxNesting)
	tests := []struct {
		name, src, want string
	}{
		{"plain text", "a > b\n", "a > b\n"},
		{"shallow", "> > - 1. x\n", "> > - 1. x\n"},
		{"at the limit", deep + " x\n", deep + " x\n"},
		{"quotes past the limit", deep + ">> x\n", deep + `\>> x` + "\n"},
		{"spaced quotes", strings.Repeat("> ", maxNesting+1) + "x", strings.Repeat("> ", maxNesting) + `\> x`},
		{"bullets", strings.Repeat("- ", maxNesting+2), strings.Repeat("- ", maxNesting) + `\- - `},
		{"ordered", strings.Repeat("1. ", maxNesting+1) + "x", strings.Repeat("1. ", maxNesting) + `1\. x`},
		{"each line", deep + ">\n" + deep + ">\n", deep + `\>` + "\n" + deep + `\>` + "\n"},
		{"not a marker", strings.Repeat("-", 100), strings.Repeat("-", 100)},
	}
	for _, tt := range tests {
		if got := limitNesting(tt.src); got != tt.want {
			t.Errorf("%s: limitNesting(%q):\ngot  %q\nwant %q", tt.name, tt.src, got, tt.want)
		}
	}
}

// TestSplitLongBlocks checks that long paragraphs are split without losing
// text, and that long tables and code blocks are left whole.
func TestSplitLongBlocks(t *testing.T) {
	r := New()

	var para strings.Builder
	for i := 0; para.Len() < 3*maxTextBlock; i++ {
		fmt.Fprintf(&para, "word%d and some more words on line %d\n", i, i)
	}
	got := string(r.HTML(para.String()))
	if n := strings.Count(got, "<p>"); n < 3 || n > 4 {
		t.Errorf("paragraph of %d bytes: got %d paragraphs, want 3 or 4", para.Len(), n)
	}
	if want := strings.Join(strings.Fields(para.String()), " "); Plain(para.String(), len(want)) != want {
		t.Errorf("paragraph of %d bytes: Plain lost text", para.Len())
	}

	line := strings.Repeat("lorem ipsum ", 3*maxTextBlock/12)
	got = string(r.HTML(line))
	if n := strings.Count(got, "<p>"); n < 3 || n > 6 {
		t.Errorf("line of %d bytes: got %d paragraphs, want 3 to 6", len(line), n)
	}

	var table strings.Builder
	table.WriteString("| item | note |\n|---|---|\n")
	for i := 0; table.Len() < 2*maxTextBlock; i++ {
		fmt.Fprintf(&table, "| item %d | a note about item %d |\n", i, i)
	}
	rows := strings.Count(table.String(), "\n")
	got = string(r.HTML(table.String()))
	if strings.Count(got, "<table>") != 1 || strings.Count(got, "<tr>") != rows-1 {
		t.Errorf("table of %d bytes: got %d tables and %d rows, want 1 and %d", table.Len(), strings.Count(got, "<table>"), strings.Count(got, "<tr>"), rows-1)
	}

	code := "```\n" + strings.Repeat("x = [a](b *c_ \n", 2*maxTextBlock/15) + "```\n"
	got = string(r.HTML(code))
	if strings.Count(got, "<pre>") != 1 || strings.Contains(got, "<p>") {
		t.Errorf("code block of %d bytes: got %q…, want one pre and no paragraphs", len(code), got[:80])
	}
}
