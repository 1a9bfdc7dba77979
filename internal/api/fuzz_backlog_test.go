package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// FuzzMoveDecode sends arbitrary bodies to the move endpoint as the Product
// Owner. Properties: never a 5xx, always a JSON body, and the backlog stays
// the same set of items in a strict order whatever was accepted.
func FuzzMoveDecode(f *testing.F) {
	e := newBEnv(f)
	base := "/teams/" + e.team
	var ids []string
	for _, t := range []string{"A", "B", "C"} {
		ids = append(ids, e.item(e.dev, `{"title":"`+t+`"}`).ID)
	}
	for _, s := range []string{`{"to":"top"}`, `{"to":"bottom"}`, `{"before":"` + ids[0] + `"}`, `{"after":"` + ids[2] + `"}`,
		`{"before":"` + ids[1] + `","version":1}`, `{"to":"middle"}`, `{}`, `{"before":"x","after":"y"}`, `[]`, `null`,
		`{"to":"top"} {"to":"bottom"}`, `{"version":-1,"to":"top"}`, `{"before":"` + ids[1] + `","extra":1}`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := e.on(t)
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1"+base+"/items/"+ids[1]+"/move", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.po.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		err = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		if res.StatusCode >= 500 || err != nil {
			t.Fatalf("body %q: got %d (%v)", body, res.StatusCode, err)
		}
		var list struct{ Items []bitem }
		e.ok(e.po, "GET", base+"/items", "", 200, &list)
		if len(list.Items) != 3 {
			t.Fatalf("got %d items after %q", len(list.Items), body)
		}
		for i := 1; i < len(list.Items); i++ {
			if list.Items[i-1].Rank >= list.Items[i].Rank {
				t.Fatalf("ranks out of order after %q", body)
			}
		}
	})
}

// FuzzImport previews arbitrary CSV files in both formats. Properties:
// never a 5xx, a JSON body, and nothing written by a preview.
func FuzzImport(f *testing.F) {
	e := newBEnv(f)
	base := "/teams/" + e.team
	f.Add(tandemCSV, false)
	f.Add("title\r\nOne\r\n", false)
	f.Add("id,title,parent_id\r\nA,One,B\r\nB,Two,A\r\n", false)
	f.Add("Summary,Issue key,Issue Type,Status,Custom field (Rank)\r\nX,P-1,Story,Done,0|a:\r\n", true)
	f.Add("\"unterminated", true)
	f.Add("title,estimate\r\nx,NaN\r\ny,1e309\r\n", false)
	f.Fuzz(func(t *testing.T, file string, jira bool) {
		e := e.on(t)
		q := "?preview=true"
		if jira {
			q += "&format=jira"
		}
		r := e.csv(e.po, base+"/items/import"+q, file)
		var v any
		if r.Status >= 500 || json.NewDecoder(bytes.NewReader(r.Body)).Decode(&v) != nil {
			t.Fatalf("file %q: got %d %s", file, r.Status, r.Body)
		}
	})
	var list struct{ Items []bitem }
	e.ok(e.po, "GET", base+"/items", "", 200, &list)
	if len(list.Items) != 0 {
		f.Errorf("previews wrote %d items", len(list.Items))
	}
}

// on returns a copy of e that reports to t (fuzz targets must not use f).
func (e *benv) on(t testing.TB) *benv {
	c := *e
	c.t = t
	return &c
}
