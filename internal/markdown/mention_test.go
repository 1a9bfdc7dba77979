package markdown

import (
	"slices"
	"testing"
)

func TestMentions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"none", "no one here", nil},
		{"empty", "", nil},
		{"one", "@ana", []string{"ana"}},
		{"distinct in order", "@ben, @ana and @ben again", []string{"ben", "ana"}},
		{"case kept", "@Ana and @ana", []string{"Ana", "ana"}},
		{"handle characters", "@ana_b @c-d @e.f @g9", []string{"ana_b", "c-d", "e.f", "g9"}},
		{"unicode letters", "@Zoë @Łukasz", []string{"Zoë", "Łukasz"}},
		{"end of sentence", "thanks @ana. And @ben...", []string{"ana", "ben"}},
		{"possessive", "@ana's idea", []string{"ana"}},
		{"punctuation around", "(@ana) [@ben] @carl: cc:@dan \"@eve\"", []string{"ana", "ben", "carl", "dan", "eve"}},
		{"emphasis", "_@ana_ *@ben* **@carl** ~~@dan~~", []string{"ana", "ben", "carl", "dan"}},
		{"underscore handle", "@ana_ rocks", []string{"ana_"}},
		{"code span", "`@ana` @ben", []string{"ben"}},
		{"fenced code", "```\n@ana\n```\n@ben", []string{"ben"}},
		{"indented code", "    @ana", nil},
		{"email", "mail ana@example.com", nil},
		{"email after punctuation", "x,ana@example.com", nil},
		{"dotted email", "first.last@example.com", nil},
		{"plus email", "a+b@example.com", nil},
		{"underscore email", "a_@example.com", nil},
		{"mention then address", "@ana@example.com", nil},
		{"escaped", `\@ana`, nil},
		{"URL", "https://example.com/@ana", nil},
		{"autolink", "<https://example.com/@ana>", nil},
		{"path", "see example.com/@ana", nil},
		{"link text", "[@ana](/members/ana)", []string{"ana"}},
		{"image alt", "![photo by @ana](/p.png)", nil},
		{"raw HTML attribute", `<a title="@ana">x</a>`, nil},
		{"text between raw tags", "<b>@ana</b>", []string{"ana"}},
		{"containers", "> @ana\n\n- @ben\n\n# @carl", []string{"ana", "ben", "carl"}},
		{"table", "| who |\n|---|\n| @ana |", []string{"ana"}},
		{"lone at", "@ @. @- @@", nil},
		{"start with dot", "@.ana", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mentions(tt.src); !slices.Equal(got, tt.want) {
				t.Errorf("Mentions(%q): got %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}
