package backlogcsv

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func intp(v int) *int           { return &v }
func floatp(v float64) *float64 { return &v }
func roundTrip(t *testing.T, items []Item) []Item {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTandem(&buf, items); err != nil {
		t.Fatalf("write: %v", err)
	}
	got, err := ParseTandem(&buf, Options{})
	if err != nil {
		t.Fatalf("parse what was written: %v\n%s", err, buf.String())
	}
	return got
}

func TestTandemRoundTrip(t *testing.T) {
	items := []Item{
		{Key: "it_1", Type: "epic", Title: "Checkout, payments and \"quotes\"", Status: "in_progress",
			Value: intp(0), Estimate: floatp(0), Labels: []string{"payments", "web app", "日本語"},
			Description: "Line one,\nline \"two\"\r\n\nü ñ 🚀 — done."},
		{Key: "it_2", Type: "story", Title: "=HYPERLINK(\"http://evil\",\"click\")", Status: "new",
			Value: intp(1000000), Estimate: floatp(0.5), ParentKey: "it_1",
			AcceptanceCriteria: []Criterion{{Text: "saved cards, listed", Done: true}, {Text: "no \"CVC\"", Done: false},
				{Text: "[x] literal box", Done: false}, {Text: "=1+1", Done: true}},
			Description: "- a Markdown list\n- that starts with a dash"},
		{Key: "+it_3", Type: "bug", Title: "+1 for this", Status: "done", Estimate: floatp(1000),
			Labels: []string{"-negative", "@mention", "=sum"}, ParentKey: "@it_1", Description: "@here"},
		{Key: "it_4", Type: "spike", Title: "-1 day", Status: "removed", Value: intp(13), Estimate: floatp(13),
			Description: "\tindented with a tab"},
		{Key: "it_5", Type: "chore", Title: "'quoted already", Status: "ready", Description: "'=not a formula either"},
		{Key: "it_6", Type: "chore", Title: "''=two quotes", Status: "planned", Estimate: floatp(0.1),
			Description: "'''@three"},
		{Type: "story", Title: "No key, no extras", Status: "refining"},
		{Key: "it_8", Type: "story", Title: "Trailing space stays in the description", Status: "new",
			Description: "ends with blank lines\n\n"},
	}
	want := make([]Item, len(items))
	for i, it := range items {
		it.Row = i + 2
		it.Description = strings.ReplaceAll(it.Description, "\r\n", "\n")
		want[i] = it
	}
	got := roundTrip(t, items)
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("item %d:\ngot  %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

// TestWriteTandem checks the written text itself: the header, CRLF line
// ends and the guard against formulas.
func TestWriteTandem(t *testing.T) {
	var buf bytes.Buffer
	err := WriteTandem(&buf, []Item{
		{Key: "a", Type: "story", Title: "=cmd|' /C calc'!A0", Status: "new", Estimate: floatp(2),
			Labels: []string{"x", "y"}, AcceptanceCriteria: []Criterion{{Text: "one\ntwo", Done: true}, {Text: "  "}, {Text: "three"}},
			Description: "+ a\n@b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "id,type,title,status,value,estimate,labels,parent_id,acceptance_criteria,description\r\n" +
		"a,story,'=cmd|' /C calc'!A0,new,,2,x;y,,\"[x] one two\r\n[ ] three\",\"'+ a\r\n@b\"\r\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestGuard(t *testing.T) {
	tests := []struct{ in, out string }{
		{"", ""}, {"plain", "plain"}, {"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"}, {"\rx", "'\rx"}, {"'x", "'x"}, {"'=x", "''=x"}, {"''-x", "'''-x"}, {"'", "'"},
		{"a=b", "a=b"}, {" =x", " =x"},
	}
	for _, tt := range tests {
		if got := guard(tt.in); got != tt.out {
			t.Errorf("guard(%q): got %q, want %q", tt.in, got, tt.out)
		}
		if got := unguard(tt.out); got != tt.in {
			t.Errorf("unguard(%q): got %q, want %q", tt.out, got, tt.in)
		}
	}
	// A cell typed by hand with one quote before a formula loses the quote.
	if got := unguard("'=SUM(A1)"); got != "=SUM(A1)" {
		t.Errorf("unguard: got %q, want %q", got, "=SUM(A1)")
	}
}

func TestParseTandem(t *testing.T) {
	in := "\uFEFFTitle,TYPE, Status ,labels,Acceptance_Criteria,estimate,value,ID,Parent_ID\n" +
		"  First  ,,,\"b; a;;b ; c\",\"[x] done one\n\n  [ ] open one  \nno box\n[X]  shouty\n[x]\n[ ]glued\",2.50,007,  k1 ,\n" +
		"'=Second,BUG,In_Progress,,,,,k2,k1\n" +
		",,,,,,,,\n" +
		"Third,epic,done,,,0,0,,\n"
	items, err := ParseTandem(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Row: 2, Key: "k1", Type: "story", Title: "First", Status: "new", Value: intp(7), Estimate: floatp(2.5),
			Labels: []string{"b", "a", "c"},
			AcceptanceCriteria: []Criterion{{"done one", true}, {"open one", false}, {"no box", false},
				{"shouty", true}, {"[ ]glued", false}}},
		{Row: 3, Key: "k2", Type: "bug", Title: "=Second", Status: "in_progress", ParentKey: "k1"},
		{Row: 5, Type: "epic", Title: "Third", Status: "done", Value: intp(0), Estimate: floatp(0)},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("got  %#v\nwant %#v", items, want)
	}
}

func TestParseTandemErrors(t *testing.T) {
	long := strings.Repeat("ß", 201)
	tests := []struct {
		name string
		in   string
		opts Options
		want []FieldError
	}{
		{"empty", "", Options{}, []FieldError{{0, "file", "file is empty"}}},
		{"not a header", "Buy milk,story,new\n", Options{}, []FieldError{
			{1, "file", "first row is not a header: want columns id,type,title,status,value,estimate,labels,parent_id,acceptance_criteria,description"}}},
		{"unknown and unnamed columns", "title,Priority,,TITLE\nx,1,,\n", Options{}, []FieldError{
			{1, "Priority", `unknown column "Priority"`},
			{1, "file", "column 3 has no name"},
			{1, "TITLE", `column "TITLE" appears more than once`}}},
		{"no title column", "id,type\n1,story\n", Options{}, []FieldError{{1, "file", `missing required column "title"`}}},
		{"bad CSV", "title\n\"open\n", Options{}, []FieldError{
			{2, "file", `file is not valid CSV: extraneous or missing " in quoted-field on line 2`}}},
		{"too many rows", "title\na\nb\nc\n", Options{MaxRows: 2}, []FieldError{{0, "file", "file has more than 2 rows"}}},
		{"not UTF-8", "title,description\nok,\xff\xfe\n", Options{}, []FieldError{{2, "description", "is not UTF-8 text"}}},
		{"extra cells", "title,type\nok,story,x\n", Options{}, []FieldError{{2, "file", "row has 3 cells but the header has 2"}}},
		{"title", "title,type\n\"  \",story\n" + long + ",\n\"two\nlines\",\n", Options{}, []FieldError{
			{2, "title", "title is required"},
			{3, "title", "title is longer than 200 characters"},
			{4, "title", "title must be a single line"}}},
		{"type", "title,Type\nx,feature\n", Options{}, []FieldError{
			{2, "Type", `unknown type "feature" (want story, bug, spike, chore or epic)`}}},
		{"status", "title,status\nx,doing\n", Options{}, []FieldError{
			{2, "status", `unknown status "doing" (want new, refining, ready, planned, in_progress, done or removed)`}}},
		{"value", "title,value\nx,abc\ny,-3\nz,1000001\nw,2.5\n", Options{}, []FieldError{
			{2, "value", `"abc" is not a whole number`},
			{3, "value", `"-3" is negative`},
			{4, "value", `"1000001" is more than 1000000`},
			{5, "value", `"2.5" is not a whole number`}}},
		{"estimate", "title,estimate\nx,many\ny,-0.5\nz,1001\nw,.5\nv,NaN\nu,99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999\n", Options{}, []FieldError{
			{2, "estimate", `"many" is not a number`},
			{3, "estimate", `"-0.5" is negative`},
			{4, "estimate", `"1001" is more than 1000`},
			{5, "estimate", `".5" is not a number`},
			{6, "estimate", `"NaN" is not a number`},
			{7, "estimate", `"9999999999999999999999999999999999999999…" is more than 1000`}}},
		{"duplicate id", "id,title\na,x\nb,y\na,z\n", Options{}, []FieldError{{4, "id", `duplicate id "a" (also on row 2)`}}},
		{"all at once", "title,type,status,estimate\n,bug,new,1\nok,story,new,\n\"\",epik,nope,x\n", Options{}, []FieldError{
			{2, "title", "title is required"},
			{4, "title", "title is required"},
			{4, "type", `unknown type "epik" (want story, bug, spike, chore or epic)`},
			{4, "status", `unknown status "nope" (want new, refining, ready, planned, in_progress, done or removed)`},
			{4, "estimate", `"x" is not a number`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseTandem(strings.NewReader(tt.in), tt.opts)
			if items != nil {
				t.Errorf("got %d items, want none", len(items))
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// TestJiraToTandem exports what a Jira import read and reads it back, as
// an import followed by an export would.
func TestJiraToTandem(t *testing.T) {
	for _, f := range []struct{ name, format string }{
		{"jira_server.csv", ""}, {"jira_cloud.csv", ""}, {"jira_team.csv", "iso"},
	} {
		items := parseFixture(t, f.name, Options{DateFormat: f.format})
		got := roundTrip(t, items)
		for i := range items {
			want := items[i]
			want.Row, want.Rank, want.Comments, want.Created = i+2, "", nil, got[i].Created
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("%s item %d:\ngot  %#v\nwant %#v", f.name, i, got[i], want)
			}
		}
	}
}
