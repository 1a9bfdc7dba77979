package backlogcsv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseFixture parses a Jira export from testdata.
func parseFixture(t *testing.T, name string, opts Options) []Item {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := ParseJira(f, opts)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return items
}

// brief sums up the fields of an item that the fixture tables check.
func brief(it Item) string {
	est := "-"
	if it.Estimate != nil {
		est = fmt.Sprint(*it.Estimate)
	}
	return fmt.Sprintf("row %d %s %s %s est=%s labels=%s parent=%s rank=%s",
		it.Row, it.Key, it.Type, it.Status, est, strings.Join(it.Labels, ","), it.ParentKey, it.Rank)
}

func checkBriefs(t *testing.T, items []Item, want []string) {
	t.Helper()
	var got []string
	for _, it := range items {
		got = append(got, brief(it))
	}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d:\ngot  %s\nwant %s", i, got[i], want[i])
		}
	}
}

// byKey finds an item by its key.
func byKey(t *testing.T, items []Item, key string) Item {
	t.Helper()
	for _, it := range items {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("no item %s", key)
	return Item{}
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func checkComments(t *testing.T, it Item, want []Comment) {
	t.Helper()
	if !reflect.DeepEqual(it.Comments, want) {
		t.Errorf("%s comments:\ngot  %#v\nwant %#v", it.Key, it.Comments, want)
	}
}

func checkCriteria(t *testing.T, it Item, want ...string) {
	t.Helper()
	var got []string
	for _, c := range it.AcceptanceCriteria {
		if c.Done {
			t.Errorf("%s: criterion %q is done, want not done", it.Key, c.Text)
		}
		got = append(got, c.Text)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s criteria: got %q, want %q", it.Key, got, want)
	}
}

func checkText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}

func TestParseJiraServer(t *testing.T) {
	items := parseFixture(t, "jira_server.csv", Options{})
	// Ranked items by LexoRank, then the unranked ones in file order.
	checkBriefs(t, items, []string{
		"row 7 SHOP-6 story removed est=- labels= parent=SHOP-1 rank=0|hzzzzz:",
		"row 3 SHOP-2 story new est=5 labels=payments,web,mobile parent=SHOP-1 rank=0|i00007:",
		"row 2 SHOP-1 epic in_progress est=- labels=checkout parent= rank=0|i0000f:",
		"row 4 SHOP-3 bug done est=2 labels=bug-bash parent=SHOP-1 rank=0|i0000n:",
		"row 10 SHOP-9 bug new est=1 labels= parent=SHOP-1 rank=0|i0000p:",
		"row 6 SHOP-5 chore new est=- labels= parent=SHOP-4 rank=0|i0000v:",
		"row 9 SHOP-8 spike new est=- labels=research,payments parent= rank=0|i0000x:",
		"row 11 SHOP-10 story ready est=8 labels= parent= rank=0|i00011:",
		"row 12 SHOP-11 epic new est=- labels=loyalty parent= rank=0|i00013:",
		"row 5 SHOP-4 chore ready est=0.5 labels=tech-debt parent= rank=",
		"row 8 SHOP-7 chore in_progress est=3 labels= parent= rank=",
		"row 13 SHOP-12 story refining est=- labels= parent=SHOP-11 rank=",
	})

	shop2 := byKey(t, items, "SHOP-2")
	if shop2.Title != "Pay with a saved card" {
		t.Errorf("title: got %q, want %q", shop2.Title, "Pay with a saved card")
	}
	if want := date("2024-03-05 09:30"); !shop2.Created.Equal(want) {
		t.Errorf("created: got %v, want %v", shop2.Created, want)
	}
	checkText(t, "SHOP-2 description", shop2.Description, strings.Join([]string{
		"As a returning customer I want to pay with a saved card so that checkout takes one click.",
		"",
		"### Acceptance Criteria",
		"",
		"- Saved cards are listed with brand and last four digits",
		"- The default card is *preselected*",
		"- Paying with a saved card needs no CVC under `€50`",
		"",
		"### Notes",
		"",
		"See [Stripe docs](https://stripe.com/docs/payments/save-and-reuse) and the ~~old~~ **new** flow:",
		"",
		"```javascript",
		`const pm = await stripe.paymentMethods.list({ customer, type: "card" });`,
		"```",
	}, "\n"))
	checkCriteria(t, shop2,
		"Saved cards are listed with brand and last four digits",
		"The default card is *preselected*",
		"Paying with a saved card needs no CVC under `€50`")
	checkComments(t, shop2, []Comment{
		{Author: "jsmith", At: date("2024-03-12 09:15"), Body: "Looks good; but check 3DS first.\nAlso: the **decline** path."},
		{Author: "pobrien", At: date("2024-03-12 11:02"), Body: "Agreed"},
	})

	shop3 := byKey(t, items, "SHOP-3")
	checkText(t, "SHOP-3 description", shop3.Description, strings.Join([]string{
		"Steps:",
		"",
		"1. Add two items at `0.125`",
		"1. Open the basket",
		"",
		"| Expected | Actual |",
		"| --- | --- |",
		"| 0.25 | 0.24 |",
		"",
		"```",
		"Total: 0.24 *EUR*",
		"```",
	}, "\n"))
	checkComments(t, shop3, []Comment{
		{Author: "jsmith", At: date("2024-03-07 08:00"), Body: "Fixed in `Money.round`; see PR #42"},
	})

	checkText(t, "SHOP-10 description", byKey(t, items, "SHOP-10").Description,
		"- Estimate comes from the carrier\n  1. DHL\n  1. UPS\n- Fallback text\\\n  shown in grey")

	shop12 := byKey(t, items, "SHOP-12")
	checkCriteria(t, shop12, "Points appear on the receipt", "Refunds take points back")
	checkComments(t, shop12, []Comment{{Author: "pobrien", At: date("2024-03-11 16:30"),
		Body: "Question for legal;\n\n- are points money?\n- do they expire?"}})
	checkComments(t, byKey(t, items, "SHOP-7"), []Comment{{Author: "amartin", At: date("2024-03-09 17:30"),
		Body: "Benchmarks:\n\n| before | after |\n| --- | --- |\n| 900 ms | 40 ms |"}})

	for _, it := range items {
		if it.Value != nil {
			t.Errorf("%s: got value %d, want none", it.Key, *it.Value)
		}
		if strings.Contains(it.Description, "\r") {
			t.Errorf("%s: description keeps a carriage return", it.Key)
		}
	}
	if labels := byKey(t, items, "SHOP-9").Labels; labels != nil {
		t.Errorf("SHOP-9 labels: got %#v, want nil", labels)
	}
}

func TestParseJiraCloud(t *testing.T) {
	items := parseFixture(t, "jira_cloud.csv", Options{})
	checkBriefs(t, items, []string{
		// Parent 20999 is not in the file, so its id stays.
		"row 7 APP-6 story new est=2 labels= parent=20999 rank=0|i000zz:",
		"row 2 APP-1 epic in_progress est=- labels=onboarding parent= rank=0|i00100:",
		// "Verified" is unknown; its status category is Done.
		"row 4 APP-3 bug done est=1 labels=email parent=APP-1 rank=0|i00104:",
		// "Awaiting Deploy" is unknown; its status category is In Progress.
		"row 3 APP-2 story in_progress est=3 labels=onboarding,growth parent=APP-1 rank=0|i00108:",
		"row 9 APP-8 chore ready est=2 labels= parent=APP-1 rank=0|i0010c:",
		"row 6 APP-5 chore done est=- labels= parent=APP-4 rank=0|i0010g:",
		"row 10 APP-9 story removed est=- labels= parent=APP-1 rank=0|i0010k:",
		"row 11 APP-10 epic new est=- labels=billing parent= rank=0|i0010o:",
		"row 5 APP-4 chore new est=- labels=security,ops parent= rank=",
		"row 8 APP-7 spike in_progress est=0.5 labels= parent= rank=",
		"row 12 APP-11 story refining est=5 labels=billing,pdf parent=APP-10 rank=",
	})

	app2 := byKey(t, items, "APP-2")
	checkText(t, "APP-2 description", app2.Description, strings.Join([]string{
		"## Acceptance Criteria",
		"",
		"1. Up to **10** emails at once",
		"1. Invalid emails are shown inline",
		"",
		"> We lose teams at this step.",
		"> -- support",
	}, "\n"))
	checkCriteria(t, app2, "Up to **10** emails at once", "Invalid emails are shown inline")
	checkComments(t, app2, []Comment{
		{Author: "5b10ac8d82e05b22cc7d4ef5", At: date("2024-04-04 14:30"),
			Body: "Design is in Figma; link below.\n[Figma](https://figma.com/file/abc)"},
		{Author: "712020:3f1c2a7e-94b1-4c1e-9d0e-6b2a1f0c9e11", At: date("2024-04-05 09:05"),
			Body: "```sql\nselect count(*) from invites; -- 1204\n```"},
	})
	checkText(t, "APP-3 description", byKey(t, items, "APP-3").Description, strings.Join([]string{
		"The subject reads `&lt;b&gt;Welcome&lt;/b&gt;`.",
		"",
		"| Client | Broken? |",
		"| --- | --- |",
		"| Gmail | yes |",
		"| Outlook | no |",
	}, "\n"))
	checkText(t, "APP-7 description", byKey(t, items, "APP-7").Description,
		"Time-box: **1 day**.\n\n- read the docs\n  - scopes\n  - token rotation")
	if got := byKey(t, items, "APP-1").Title; got != "Onboarding v2" {
		t.Errorf("title after a BOM: got %q, want %q", got, "Onboarding v2")
	}
}

func TestParseJiraTeamManaged(t *testing.T) {
	items := parseFixture(t, "jira_team.csv", Options{DateFormat: "iso"})
	checkBriefs(t, items, []string{
		"row 2 MOB-1 epic in_progress est=- labels=offline parent= rank=0|i0y000:",
		"row 5 MOB-4 story new est=2 labels=ui parent=MOB-1 rank=0|i0y004:",
		// "Design Review" is unknown; its status category is To Do.
		"row 3 MOB-2 story new est=5 labels=offline,ios,android parent=MOB-1 rank=0|i0y008:",
		"row 6 MOB-5 spike in_progress est=- labels= parent= rank=0|i0y00c:",
		"row 8 MOB-7 epic new est=- labels= parent= rank=0|i0y00g:",
		"row 9 MOB-8 story removed est=2 labels= parent=MOB-7 rank=0|i0y00k:",
		"row 10 MOB-9 chore in_progress est=3 labels=notifications,settings parent=MOB-7 rank=0|i0y00o:",
		"row 4 MOB-3 bug done est=3 labels= parent=MOB-1 rank=",
		"row 7 MOB-6 chore in_progress est=1 labels= parent= rank=",
		"row 11 MOB-10 spike ready est=- labels= parent=MOB-1 rank=",
	})
	checkText(t, "MOB-1 description", byKey(t, items, "MOB-1").Description, strings.Join([]string{
		"### Scope",
		"",
		"1. Read-only cache",
		"1. Queue writes",
		"   1. Retry with backoff",
		"   - show a banner",
	}, "\n"))
	mob2 := byKey(t, items, "MOB-2")
	checkCriteria(t, mob2, "Tasks open without network", "Stale data is marked with a `⏱` icon")
	checkText(t, "MOB-2 description", mob2.Description, strings.Join([]string{
		"Acceptance criteria:",
		"",
		"- Tasks open without network",
		"- Stale data is marked with a `⏱` icon",
		"",
		"See [RFC 12](https://wiki.example.com/rfc/12).",
	}, "\n"))
	checkComments(t, mob2, []Comment{
		{Author: "5b10ac8d82e05b22cc7d4ef5", At: date("2024-05-04 10:00"), Body: "Which 50? Most recent; or starred first?"},
		{Author: "712020:3f1c2a7e-94b1-4c1e-9d0e-6b2a1f0c9e11", At: date("2024-05-04 10:30"), Body: "Most recent.\nStarred later;\nmaybe."},
	})
	checkText(t, "MOB-3 description", byKey(t, items, "MOB-3").Description, strings.Join([]string{
		"```kotlin",
		"val cache = LruCache<String, Task>(50)",
		"cache.put(id, task) // boom",
		"```",
		"",
		"Stack trace in the attachment.",
	}, "\n"))
	checkText(t, "MOB-9 description", byKey(t, items, "MOB-9").Description, strings.Join([]string{
		"Between `22:00` and `07:00` **no** pushes.",
		"",
		"---",
		"",
		"*Owner:* [~accountid:712020:3f1c2a7e-94b1-4c1e-9d0e-6b2a1f0c9e11]",
	}, "\n"))
	if want := date("2024-05-12 18:30"); !byKey(t, items, "MOB-9").Created.Equal(want) {
		t.Errorf("created: got %v, want %v", byKey(t, items, "MOB-9").Created, want)
	}
}

// TestParseJiraMinimal covers a file with only the required columns, and
// the shapes of cells Jira leaves to the file: ragged rows, blank rows,
// repeated and space-separated labels.
func TestParseJiraMinimal(t *testing.T) {
	in := "Summary,Issue Type,Labels,Labels\n" +
		"  First  ,story,a b,b\n" +
		",,,\n" +
		"Second,Bug\n" +
		"Third,EPIC,,c\n"
	items, err := ParseJira(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Row: 2, Type: "story", Title: "First", Status: "new", Labels: []string{"a", "b"}},
		{Row: 4, Type: "bug", Title: "Second", Status: "new"},
		{Row: 5, Type: "epic", Title: "Third", Status: "new", Labels: []string{"c"}},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("got  %#v\nwant %#v", items, want)
	}
}

// TestParseJiraRankOrder checks that file order stands when there is no
// rank column, and that equal ranks keep file order.
func TestParseJiraRankOrder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"no rank column", "Summary,Issue Type\nc,Story\na,Story\nb,Story\n", []string{"c", "a", "b"}},
		{"empty rank column", "Summary,Issue Type,Rank\nc,Story,\na,Story,\n", []string{"c", "a"}},
		{"ties keep file order", "Summary,Issue Type,Custom field (Rank)\n" +
			"x,Story,0|b:\ny,Story,0|a:\nz,Story,0|b:\nw,Story,\nv,Story,0|a:\n",
			[]string{"y", "v", "x", "z", "w"}},
		{"byte order, not numeric", "Summary,Issue Type,Custom field (Rank)\n" +
			"ten,Story,1|10:\nnine,Story,1|9:\nupper,Story,1|Z:\n", []string{"ten", "nine", "upper"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseJira(strings.NewReader(tt.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Title)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJiraType(t *testing.T) {
	tests := map[string]string{
		"Story": "story", "user story": "story", "Bug": "bug", "DEFECT": "bug", "Spike": "spike",
		"Research": "spike", "Task": "chore", "Chore": "chore", "Improvement": "chore",
		"Technical task": "chore", "Sub-task": "chore", "Subtask": "chore", "Epic": "epic",
		"Initiative": "", "": "",
	}
	for in, want := range tests {
		if got := jiraType(in); got != want {
			t.Errorf("jiraType(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestJiraStatus(t *testing.T) {
	tests := []struct{ status, category, want string }{
		{"To Do", "", "new"}, {"open", "", "new"}, {"Backlog", "", "new"}, {"New", "", "new"},
		{"Refinement", "", "refining"}, {"In Refinement", "", "refining"}, {"Needs refinement", "", "refining"},
		{"Ready", "", "ready"}, {"Ready for Dev", "", "ready"}, {"Ready for Development", "", "ready"},
		{"Selected for Development", "", "ready"},
		{"In Progress", "", "in_progress"}, {"In Development", "", "in_progress"}, {"In Review", "", "in_progress"},
		{"Code Review", "", "in_progress"}, {"Testing", "", "in_progress"}, {"QA", "", "in_progress"},
		{"Done", "", "done"}, {"Closed", "", "done"}, {"RESOLVED", "", "done"},
		{"Won't Do", "", "removed"}, {"Won't Fix", "", "removed"}, {"Cancelled", "", "removed"},
		{"Canceled", "", "removed"}, {"Rejected", "", "removed"}, {"Duplicate", "", "removed"},
		// A known name wins over the category.
		{"Done", "To Do", "done"},
		{"Parked", "To Do", "new"}, {"Parked", "In Progress", "in_progress"}, {"Parked", "done", "done"},
		{"Parked", "", ""}, {"Parked", "Later", ""},
	}
	for _, tt := range tests {
		if got := jiraStatus(tt.status, tt.category); got != tt.want {
			t.Errorf("jiraStatus(%q, %q): got %q, want %q", tt.status, tt.category, got, tt.want)
		}
	}
}

func TestParseJiraDates(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		name   string
		opts   Options
		cell   string
		want   time.Time
		errMsg string
	}{
		{"default", Options{}, "12/Mar/24 9:15 AM", time.Date(2024, 3, 12, 9, 15, 0, 0, time.UTC), ""},
		{"jira preset", Options{DateFormat: "jira"}, "01/Dec/23 11:59 PM", time.Date(2023, 12, 1, 23, 59, 0, 0, time.UTC), ""},
		{"iso preset", Options{DateFormat: "iso"}, "2024-03-12 09:15", time.Date(2024, 3, 12, 9, 15, 0, 0, time.UTC), ""},
		{"us preset", Options{DateFormat: "us"}, "3/2/24 1:05 PM", time.Date(2024, 3, 2, 13, 5, 0, 0, time.UTC), ""},
		{"eu preset", Options{DateFormat: "eu"}, "02.03.24 13:05", time.Date(2024, 3, 2, 13, 5, 0, 0, time.UTC), ""},
		{"layout", Options{DateFormat: "2006-01-02T15:04:05Z07:00"}, "2024-03-12T09:15:00+02:00",
			time.Date(2024, 3, 12, 9, 15, 0, 0, time.FixedZone("", 2*3600)), ""},
		{"location", Options{Location: cet}, "12/Mar/24 9:15 AM", time.Date(2024, 3, 12, 9, 15, 0, 0, cet), ""},
		{"wrong format", Options{}, "2024-03-12 09:15", time.Time{},
			`"2024-03-12 09:15" is not a date like "02/Jan/06 3:04 PM"`},
		{"wrong preset", Options{DateFormat: "eu"}, "12/Mar/24 9:15 AM", time.Time{},
			`"12/Mar/24 9:15 AM" is not a date like "02.01.06 15:04"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "Summary,Issue Type,Created,Comment\nx,Story," + tt.cell + "," + tt.cell + ";me;hi\n"
			items, err := ParseJira(strings.NewReader(in), tt.opts)
			if tt.errMsg != "" {
				checkErrors(t, err, []FieldError{{2, "Created", tt.errMsg}, {2, "Comment", tt.errMsg}})
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := items[0].Created; got.Format(time.RFC3339) != tt.want.Format(time.RFC3339) {
				t.Errorf("created: got %v, want %v", got, tt.want)
			}
			if got := items[0].Comments[0].At; !got.Equal(tt.want) {
				t.Errorf("comment date: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDateLayout(t *testing.T) {
	for _, name := range []string{"jira", "iso", "us", "eu"} {
		if l, ok := DateLayout(name); !ok || l == "" {
			t.Errorf("DateLayout(%q): got %q, %v, want a layout", name, l, ok)
		}
	}
	if l, ok := DateLayout("02/Jan/06"); ok {
		t.Errorf("DateLayout of a layout: got %q, true, want false", l)
	}
}

// checkErrors checks that err is an *Errors holding exactly want.
func checkErrors(t *testing.T, err error, want []FieldError) {
	t.Helper()
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("got error %v (%T), want *Errors", err, err)
	}
	if !reflect.DeepEqual(es.List, want) {
		var got, w []string
		for _, fe := range es.List {
			got = append(got, fmt.Sprintf("%d|%s|%s", fe.Row, fe.Field, fe.Message))
		}
		for _, fe := range want {
			w = append(w, fmt.Sprintf("%d|%s|%s", fe.Row, fe.Field, fe.Message))
		}
		t.Errorf("errors:\ngot\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(w, "\n  "))
	}
}

func TestParseJiraErrors(t *testing.T) {
	long := strings.Repeat("é", 201)
	tests := []struct {
		name string
		in   string
		opts Options
		want []FieldError
	}{
		{"empty file", "", Options{}, []FieldError{{0, "file", "file is empty"}}},
		{"only a BOM", "\uFEFF", Options{}, []FieldError{{0, "file", "file is empty"}}},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", Options{}, []FieldError{{1, "file", "file is not a CSV file in UTF-8"}}},
		{"bad quote in header", "Summary,\"Issue\" Type\n", Options{},
			[]FieldError{{1, "file", `file is not valid CSV: extraneous or missing " in quoted-field on line 1`}}},
		{"unterminated quote", "Summary,Issue Type\nok,Story\n\"broken,Story\n", Options{},
			[]FieldError{{3, "file", `file is not valid CSV: extraneous or missing " in quoted-field on line 3`}}},
		{"no summary", "Title,Issue Type\nx,Story\n", Options{},
			[]FieldError{{1, "file", `missing required column "Summary"`}}},
		{"not a header", "Do the thing,Story,To Do\n", Options{}, []FieldError{
			{1, "file", `missing required column "Summary"`}, {1, "file", `missing required column "Issue Type"`}}},
		{"too many rows", "Summary,Issue Type\na,Story\nb,Story\n\nc,Story\n", Options{MaxRows: 2},
			[]FieldError{{0, "file", "file has more than 2 rows"}}},
		{"not UTF-8", "Summary,Issue Type\ncaf\xe9,Story\n", Options{}, []FieldError{{2, "Summary", "is not UTF-8 text"}}},
		{"NUL byte", "Summary,Issue Type\nok,St\x00ry\n", Options{}, []FieldError{{2, "Issue Type", "is not UTF-8 text"}}},
		{"extra cells", "Summary,Issue Type\nok,Story,,oops\n", Options{},
			[]FieldError{{2, "file", "row has 4 cells but the header has 2"}}},
		{"no title", "Summary,Issue Type\n  ,Story\n", Options{}, []FieldError{{2, "Summary", "title is required"}}},
		{"long title", "Summary,Issue Type\n" + long + ",Story\n", Options{},
			[]FieldError{{2, "Summary", "title is longer than 200 characters"}}},
		{"no type", "Summary,Issue Type\nx,\n", Options{}, []FieldError{{2, "Issue Type", "issue type is required"}}},
		{"unknown type", "Summary,Issue Type\nx,Sub-bug\n", Options{},
			[]FieldError{{2, "Issue Type", `unknown issue type "Sub-bug"`}}},
		{"unknown status", "Summary,Issue Type,Status\nx,Story,Parked\n", Options{},
			[]FieldError{{2, "Status", `unknown status "Parked"`}}},
		{"unknown status and category", "Summary,Issue Type,Status,Status Category\nx,Story,Parked,Later\n", Options{},
			[]FieldError{{2, "Status", `unknown status "Parked"`}}},
		{"points not a number", "Summary,Issue Type,Custom field (Story Points)\nx,Story,abc\ny,Story,\"1,5\"\n", Options{},
			[]FieldError{{2, "Custom field (Story Points)", `"abc" is not a number`},
				{3, "Custom field (Story Points)", `"1,5" is not a number`}}},
		{"points negative", "Summary,Issue Type,Custom field (Story point estimate)\nx,Story,-1\n", Options{},
			[]FieldError{{2, "Custom field (Story point estimate)", `"-1" is negative`}}},
		{"points too many", "Summary,Issue Type,Custom field (Story Points)\nx,Story,1000.5\n", Options{},
			[]FieldError{{2, "Custom field (Story Points)", `"1000.5" is more than 1000`}}},
		{"points in the second column", "Summary,Issue Type,Custom field (Story Points),Custom field (Story point estimate)\nx,Story,,1e3\n",
			Options{}, []FieldError{{2, "Custom field (Story point estimate)", `"1e3" is not a number`}}},
		{"bad created", "Summary,Issue Type,Created\nx,Story,yesterday\n", Options{},
			[]FieldError{{2, "Created", `"yesterday" is not a date like "02/Jan/06 3:04 PM"`}}},
		{"comment without author", "Summary,Issue Type,Comment\nx,Story,12/Mar/24 9:15 AM;just text\n", Options{},
			[]FieldError{{2, "Comment", `"12/Mar/24 9:15 AM;just text" is not a comment like "date;author;text"`}}},
		{"comment with a bad date", "Summary,Issue Type,Comment,Comment\nx,Story,ok;me;hi,12/Mar/24 9:15 AM;me;fine\n", Options{},
			[]FieldError{{2, "Comment", `"ok" is not a date like "02/Jan/06 3:04 PM"`}}},
		{"long value in a message", "Summary,Issue Type\nx," + strings.Repeat("a", 100) + "\n", Options{},
			[]FieldError{{2, "Issue Type", `unknown issue type "` + strings.Repeat("a", 40) + `…"`}}},
		{"duplicate key", "Summary,Issue key,Issue Type\nx,K-1,Story\ny,K-2,Story\nz,K-1,Bug\n", Options{},
			[]FieldError{{4, "Issue key", `duplicate issue key "K-1" (also on row 2)`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseJira(strings.NewReader(tt.in), tt.opts)
			if items != nil {
				t.Errorf("got %d items, want none", len(items))
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// TestParseJiraAllErrors checks that one pass reports every problem of
// every row, with row numbers that count records, not lines.
func TestParseJiraAllErrors(t *testing.T) {
	in := "Summary,Issue key,Issue Type,Status,Custom field (Story Points),Created,Comment\n" +
		"Fine,A-1,Story,To Do,3,12/Mar/24 9:15 AM,\n" +
		"\"Title on\ntwo lines\",A-2,Story,To Do,,,\n" +
		",A-3,Feature,Limbo,x,soon,nope\n" +
		",,,,,,\n" +
		"Also fine,A-4,Bug,Done,1,,\"12/Mar/24 9:15 AM;me;multi\nline; body\"\n" +
		"Last,A-1,Task,Done,2000,,\n"
	_, err := ParseJira(strings.NewReader(in), Options{})
	checkErrors(t, err, []FieldError{
		{3, "Summary", "title must be a single line"},
		{4, "Summary", "title is required"},
		{4, "Issue Type", `unknown issue type "Feature"`},
		{4, "Status", `unknown status "Limbo"`},
		{4, "Custom field (Story Points)", `"x" is not a number`},
		{4, "Created", `"soon" is not a date like "02/Jan/06 3:04 PM"`},
		{4, "Comment", `"nope" is not a comment like "date;author;text"`},
		{7, "Custom field (Story Points)", `"2000" is more than 1000`},
		{7, "Issue key", `duplicate issue key "A-1" (also on row 2)`},
	})
	if got, want := err.Error(), `import csv: 9 problems: row 3: Summary: title must be a single line; row 4: Summary: title is required;`; !strings.HasPrefix(got, want) {
		t.Errorf("Error(): got %q, want it to start with %q", got, want)
	}
}

// failingReader fails after its data, as a reader with a size limit does.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParseReadError(t *testing.T) {
	tooBig := errors.New("request body too large")
	for name, parse := range map[string]func(*failingReader) error{
		"jira":   func(r *failingReader) error { _, err := ParseJira(r, Options{}); return err },
		"tandem": func(r *failingReader) error { _, err := ParseTandem(r, Options{}); return err },
	} {
		err := parse(&failingReader{data: "Summary,Issue Type,title\nx,Story,y\n", err: tooBig})
		if !errors.Is(err, tooBig) {
			t.Errorf("%s: got %v, want the reader's error", name, err)
		}
		var es *Errors
		if errors.As(err, &es) {
			t.Errorf("%s: a read error came back as *Errors", name)
		}
	}
}

func TestErrorsError(t *testing.T) {
	one := &Errors{List: []FieldError{{0, "file", "file is empty"}}}
	if got, want := one.Error(), "import csv: 1 problem: file is empty"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var many Errors
	for i := 0; i < 12; i++ {
		many.List = append(many.List, FieldError{Row: i + 2, Field: "Summary", Message: "title is required"})
	}
	got := many.Error()
	if !strings.HasPrefix(got, "import csv: 12 problems: row 2: Summary: title is required; row 3:") ||
		!strings.HasSuffix(got, "row 11: Summary: title is required; and 2 more") {
		t.Errorf("got %q", got)
	}
	if got, want := (FieldError{3, "file", "row has 4 cells but the header has 2"}).Error(),
		"row 3: row has 4 cells but the header has 2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// jiraExport returns a Jira Cloud export of n issues: epics with children,
// wiki descriptions, comments, labels and ranks.
func jiraExport(n int) []byte {
	var b strings.Builder
	b.WriteString("Issue Type,Issue key,Issue id,Summary,Status,Status Category,Created,Sprint,Sprint," +
		"Labels,Labels,Description,Parent,Custom field (Story Points),Custom field (Rank),Comment,Comment\n")
	for i := 0; i < n; i++ {
		typ, parent := "Story", fmt.Sprint(100000+i/10*10)
		if i%10 == 0 {
			typ, parent = "Epic", ""
		}
		rank := ""
		if i%7 != 0 {
			rank = fmt.Sprintf("0|i%05x:", (i*7919)%n)
		}
		fmt.Fprintf(&b, "%s,BIG-%d,%d,Issue number %d,In Progress,In Progress,12/Mar/24 9:15 AM,S1,S2,"+
			"backend,api web,\"h2. Goal\nMake *this* work with {{code}} and [a link|https://example.com/%d].\n"+
			"h3. Acceptance Criteria\n* first\n* second\n||a||b||\n|1|2|\n{code:go}\nfmt.Println(%d)\n{code}\","+
			"%s,%d,%s,\"12/Mar/24 9:15 AM;someone;Looks good; ship it\nreally\",13/Mar/24 10:00 AM;other;ok\n",
			typ, i, 100000+i, i, i, i, parent, i%13, rank)
	}
	return []byte(b.String())
}

func TestParseJiraLarge(t *testing.T) {
	items, err := ParseJira(bytes.NewReader(jiraExport(10000)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 10000 {
		t.Fatalf("got %d items, want 10000", len(items))
	}
	if it := byKey(t, items, "BIG-15"); it.ParentKey != "BIG-10" || len(it.Comments) != 2 || len(it.AcceptanceCriteria) != 2 {
		t.Errorf("BIG-15: got parent %q, %d comments, %d criteria, want BIG-10, 2, 2",
			it.ParentKey, len(it.Comments), len(it.AcceptanceCriteria))
	}
}

func BenchmarkParseJira(b *testing.B) {
	data := jiraExport(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJira(bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
