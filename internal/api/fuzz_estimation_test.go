package api_test

import (
	"encoding/json"
	"testing"
)

// FuzzEstimation sends arbitrary bodies to every estimation route that
// takes one, as the person allowed to call it (Lena votes, Marco does the
// rest), so bodies get past authorization into the rules. Properties:
// never a 5xx, always a JSON body that matches the OpenAPI document, and
// the session stays readable.
func FuzzEstimation(f *testing.F) {
	e := newEnv(f)
	targets := []struct{ method, path, actor string }{
		{"POST", "/api/v1/teams/{teamA}/estimations", "smA"},
		{"POST", "/api/v1/estimations/{estA}/votes", "dev1A"},
		{"POST", "/api/v1/estimations/{estA}/accept", "smA"},
		{"POST", "/api/v1/estimations/{estA}/skip", "smA"},
		{"PUT", "/api/v1/estimations/{estA}/queue", "smA"},
		{"POST", "/api/v1/estimations/{estA}/timer", "smA"},
		{"PUT", "/api/v1/teams/{teamA}/estimation-settings", "smA"},
	}
	seeds := [][]string{
		{`{"item_ids":["{item2}","{item3}"],"deck":"tshirt","title":"Fuzz"}`, `{"top_n":100,"product_owner_votes":true}`,
			`{"deck":"custom","deck_name":"Runes","item_ids":["{item1}"]}`, `{"item_ids":["{item2}"],"top_n":1}`, `{"top_n":-1}`,
			`{"item_ids":["{itemB}","nope","{item2}","{item2}"]}`},
		{`{"item_id":"{item2}","value":"5"}`, `{"item_id":"{item3}","value":"½"}`, `{"item_id":"{item2}","value":"☕"}`,
			`{"item_id":"{item2}","value":5}`, `{"item_id":"","value":""}`, `{"item_id":"{item1}","value":"?"}`},
		{`{"item_id":"{item2}","value":"5","version":2}`, `{"item_id":"{item2}","value":"?"}`, `{"item_id":"{item2}","value":"100","version":-1}`},
		{`{"item_id":"{item3}"}`, `{"item_id":"{item2}","version":99}`},
		{`{"item_ids":["{item3}","{item2}"]}`, `{"item_ids":["{item3}","{item2}","{item1}","{itemB}"]}`, `{"item_ids":null}`},
		{`{"seconds":60}`, `{"seconds":0}`, `{"seconds":3601}`, `{"seconds":1e3}`, `{"seconds":-5,"version":2}`},
		{`{"custom_decks":[{"name":"Runes","cards":["1","3","Z9","½"]}],"tshirt":{"XS":1,"S":2,"M":3,"L":5,"XL":8,"XXL":13}}`,
			`{"custom_decks":[{"name":"","cards":[]}],"tshirt":{"XXXL":1}}`, `{"tshirt":{"XS":-1,"S":1e308}}`, `{"product_owner_votes":true}`},
	}
	for i, ss := range seeds {
		for _, s := range append(ss, `{`, `[]`, `null`, `{"unknown":1}`) {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		c := *e
		c.t = t
		tg := targets[int(target)%len(targets)]
		res := c.do(request{method: tg.method, path: tg.path, actor: tg.actor, body: body})
		if res.status >= 500 {
			t.Fatalf("%s %s %q: got %s", tg.method, tg.path, body, res)
		}
		if len(res.body) > 0 && !json.Valid(res.body) {
			t.Fatalf("%s %s %q: got invalid JSON %q", tg.method, tg.path, body, res.body)
		}
		if got := c.do(request{method: "GET", path: "/api/v1/estimations/{estA}", actor: "dev2A"}); got.status != 200 {
			t.Fatalf("after %s %s %q the session reads %s", tg.method, tg.path, body, got)
		}
	})
}
