package backlogcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureRows returns small CSV files cut from the Jira exports in
// testdata: the header and one row each. Seeds that small keep the fuzzer
// fast, and the whole files are parsed by the other tests.
func fixtureRows(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, name := range []string{"jira_server.csv", "jira_cloud.csv", "jira_team.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			f.Fatal(err)
		}
		for _, rec := range records[1:] {
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.WriteAll([][]string{records[0], rec})
			out = append(out, buf.Bytes())
		}
	}
	return out
}

// checkProblems checks that a parse error lists at least one problem.
func checkProblems(t *testing.T, err error) {
	t.Helper()
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("got error %v (%T), want *Errors", err, err)
	}
	if len(es.List) == 0 {
		t.Fatal("got *Errors without problems")
	}
}

// checkItem checks what every parsed item promises.
func checkItem(t *testing.T, it Item) {
	t.Helper()
	if !knownType(it.Type) || !knownStatus(it.Status) {
		t.Errorf("row %d: type %q, status %q", it.Row, it.Type, it.Status)
	}
	if it.Title == "" || strings.ContainsAny(it.Title, "\r\n") || utf8.RuneCountInString(it.Title) > maxTitle {
		t.Errorf("row %d: title %q", it.Row, it.Title)
	}
	if it.Estimate != nil && (*it.Estimate < 0 || *it.Estimate > maxEstimate) {
		t.Errorf("row %d: estimate %v", it.Row, *it.Estimate)
	}
	if !utf8.ValidString(it.Description) || strings.ContainsRune(it.Description, '\r') {
		t.Errorf("row %d: description %q", it.Row, it.Description)
	}
	if !reflect.DeepEqual(normalizeLabels(it.Labels), it.Labels) {
		t.Errorf("row %d: labels %q", it.Row, it.Labels)
	}
}

// reparse writes items as Tandem CSV and reads them back.
func reparse(t *testing.T, items []Item) []Item {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTandem(&buf, items); err != nil {
		t.Fatalf("write: %v", err)
	}
	again, err := ParseTandem(bytes.NewReader(buf.Bytes()), Options{MaxRows: len(items) + 1})
	if err != nil {
		t.Fatalf("parse what was written: %v\n%q", err, buf.String())
	}
	if len(again) != len(items) {
		t.Fatalf("got %d items back, want %d", len(again), len(items))
	}
	return again
}

func FuzzParseJira(f *testing.F) {
	for _, data := range fixtureRows(f) {
		f.Add(data, "")
		f.Add(data, "iso")
	}
	f.Add([]byte("Summary,Issue Type,Comment\nx,Story,12/Mar/24 9:15 AM;a;b;c\n"), "jira")
	f.Add([]byte("Summary,Issue Type,Custom field (Rank),Parent,Issue id,Issue key\nx,Epic,0|a:,,1,K-1\ny,Story,,1,2,K-2\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		items, err := ParseJira(bytes.NewReader(data), Options{DateFormat: format, MaxRows: 200})
		if err != nil {
			checkProblems(t, err)
			return
		}
		for i, it := range items {
			checkItem(t, it)
			if i > 0 {
				prev := items[i-1]
				if prev.Rank == "" && it.Rank != "" || prev.Rank != "" && it.Rank != "" && prev.Rank > it.Rank {
					t.Errorf("rank %q after %q", it.Rank, prev.Rank)
				}
			}
		}
		// What a Jira import reads, a Tandem export keeps, except what the
		// Tandem format has no column for.
		again := reparse(t, items)
		for i, it := range items {
			if strings.Contains(strings.Join(it.Labels, ""), ";") {
				continue
			}
			it.Row, it.Rank, it.Comments, it.Created = again[i].Row, "", nil, again[i].Created
			if !reflect.DeepEqual(again[i], it) {
				t.Errorf("item %d:\ngot  %#v\nwant %#v", i, again[i], it)
			}
		}
	})
}

func FuzzParseTandem(f *testing.F) {
	for _, data := range fixtureRows(f) {
		items, err := ParseJira(bytes.NewReader(data), Options{DateFormat: "iso"})
		if err != nil {
			items, err = ParseJira(bytes.NewReader(data), Options{})
		}
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteTandem(&buf, items); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte("title,labels,acceptance_criteria\n'=1+1,a;b,\"[x] a\n[ ] b\"\n''@x,,\n"))
	f.Add([]byte("Title,Value,Estimate\n\"a,b\",3,0.25\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParseTandem(bytes.NewReader(data), Options{MaxRows: 200})
		if err != nil {
			checkProblems(t, err)
			return
		}
		for _, it := range items {
			checkItem(t, it)
		}
		again := reparse(t, items)
		for i := range items {
			want := items[i]
			want.Row = again[i].Row
			if !reflect.DeepEqual(again[i], want) {
				t.Errorf("item %d:\ngot  %#v\nwant %#v", i, again[i], want)
			}
		}
	})
}

func FuzzWikiToMarkdown(f *testing.F) {
	for _, data := range fixtureRows(f) {
		cells, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range cells[1] {
			if strings.ContainsAny(c, "*_{[|\n") {
				f.Add(c)
			}
		}
	}
	f.Add("{quote}\n* a\n{code:go}\nx{code}{quote}|a|[b|http://c]|\\\\")
	f.Fuzz(func(t *testing.T, s string) {
		out := WikiToMarkdown(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Errorf("output is not UTF-8: %q", out)
		}
		if strings.ContainsRune(out, '\r') {
			t.Errorf("output keeps a carriage return: %q", out)
		}
		if len(out) > 10*len(s)+64 {
			t.Errorf("output of %d bytes for %d in", len(out), len(s))
		}
	})
}
