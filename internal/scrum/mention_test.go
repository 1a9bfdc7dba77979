package scrum

import "testing"

func TestMentionHandle(t *testing.T) {
	people := []Member{
		{UserID: "a", Name: "Lena Vogel", Email: "lv@example.com"},
		{UserID: "b", Name: "Lena Park", Email: "lena.park@example.com"},
		{UserID: "c", Name: "Marco Rossi", Email: "marco@example.com"},
		{UserID: "d", Name: "Ana", Email: "ana@example.com"},
	}
	r := NewRoster(Team{ID: "t"}, people, nil)
	want := map[string]string{
		"a": "lena.vogel", // "lena" is shared by both Lenas
		"b": "lena.park",
		"c": "marco",
		"d": "ana",
	}
	for _, m := range people {
		h := MentionHandle(r, m)
		if h != want[m.UserID] {
			t.Errorf("%s: got %q, want %q", m.Name, h, want[m.UserID])
		}
		// What the autocomplete inserts must mention that person, and only them.
		if got := resolveMentions(r, []string{h}); len(got) != 1 || got[0].UserID != m.UserID {
			t.Errorf("%s: @%s resolves to %+v", m.Name, h, got)
		}
	}
}
