package live

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// FuzzPresenceFrames checks the hand-written presence frames against
// encoding/json: whatever the key and user ids, the data line decodes to
// the values encoding/json would give back for them.
func FuzzPresenceFrames(f *testing.F) {
	f.Add("kdgkny5vct3j5gea", "cc6tatxzj2yzs5vj", "u2")
	f.Add(`quote"back\slash`, "tab\there", "<&>")
	f.Add("é\u2028", "\x00\x1f", "\xff")
	f.Fuzz(func(t *testing.T, key, a, b string) {
		same := func(s string) string { // s as encoding/json round-trips it
			raw, _ := json.Marshal(s)
			var out string
			_ = json.Unmarshal(raw, &out)
			return out
		}
		decode := func(fr *Frame) map[string]any {
			t.Helper()
			sse := string(fr.SSE)
			data, ok := strings.CutPrefix(sse, "event: presence\ndata: ")
			if !ok || !strings.HasSuffix(data, "\n\n") || strings.Count(data, "\n") != 2 {
				t.Fatalf("not one SSE presence frame: %q", sse)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(data), &v); err != nil {
				t.Fatalf("data is not JSON: %v: %q", err, data)
			}
			return v
		}
		got := decode(presenceDelta(key, "joined", a))
		if got["key"] != same(key) || got["joined"] != same(a) || len(got) != 2 {
			t.Errorf("delta: got %v", got)
		}
		got = decode(presenceList(key, []string{a, b}))
		list, _ := got["present"].([]any)
		if got["key"] != same(key) || !slices.Equal(list, []any{same(a), same(b)}) {
			t.Errorf("list: got %v", got)
		}
	})
}
