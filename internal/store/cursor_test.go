package store

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tandemhq/tandem/internal/scrum"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := [][]string{
		{"Orion", "abcdefghijklmnop"},
		{"", ""},
		{"42"},
		{"Ünïcödé team", "id"},
		{"a/b+c=d", "?&#"},
	}
	for _, parts := range tests {
		c := EncodeCursor(parts...)
		if strings.ContainsAny(c, "+/=") {
			t.Errorf("cursor %q is not URL-safe", c)
		}
		got, err := DecodeCursor(c, len(parts))
		if err != nil || !slices.Equal(got, parts) {
			t.Errorf("DecodeCursor(EncodeCursor(%q)) = %q, %v; want the parts back", parts, got, err)
		}
	}
}

func TestCursorRefusals(t *testing.T) {
	tests := []struct {
		name   string
		cursor string
		parts  int
	}{
		{"not base64", "%%%", 1},
		{"padding", "YWJj==", 1},
		{"standard alphabet", "+/+/", 1},
		{"too few parts", EncodeCursor("only"), 2},
		{"too many parts", EncodeCursor("a", "b", "c"), 2},
		{"invalid UTF-8", "_w", 1},
		{"over 1024 bytes", EncodeCursor(strings.Repeat("x", 800)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCursor(tt.cursor, tt.parts)
			var fields []string
			if e, ok := err.(*scrum.Error); ok {
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
			}
			if scrum.ErrorCode(err) != scrum.CodeInvalid || !slices.Equal(fields, []string{"cursor"}) {
				t.Fatalf("got %v (fields %v), want an invalid error naming cursor", err, fields)
			}
		})
	}
}

// FuzzCursor: DecodeCursor never panics and only fails with an invalid
// error naming the cursor; what EncodeCursor makes, it reads back.
func FuzzCursor(f *testing.F) {
	f.Add("Orion", "abcdefghijklmnop", "YWJj")
	f.Add("", "", "")
	f.Add("\x00", "x", "%%%")
	f.Add("Ünï", "\xff", "_w")
	f.Fuzz(func(t *testing.T, a, b, raw string) {
		for n := 0; n <= 3; n++ {
			parts, err := DecodeCursor(raw, n)
			if err != nil {
				if scrum.ErrorCode(err) != scrum.CodeInvalid {
					t.Fatalf("DecodeCursor(%q, %d): got %v, want an invalid error", raw, n, err)
				}
				continue
			}
			if len(parts) != n {
				t.Fatalf("DecodeCursor(%q, %d) = %d parts", raw, n, len(parts))
			}
			for _, p := range parts {
				if !utf8.ValidString(p) {
					t.Fatalf("DecodeCursor(%q) gave invalid UTF-8 %q", raw, p)
				}
			}
		}
		c := EncodeCursor(a, b)
		got, err := DecodeCursor(c, 2)
		roundTrips := utf8.ValidString(a) && utf8.ValidString(b) && !strings.Contains(a+b, "\x00") && len(c) <= 1024
		switch {
		case roundTrips && (err != nil || !slices.Equal(got, []string{a, b})):
			t.Fatalf("round trip of %q %q: got %q, %v", a, b, got, err)
		case !roundTrips && err == nil && !slices.Equal(got, []string{a, b}) && !strings.Contains(a+b, "\x00"):
			t.Fatalf("round trip of %q %q: got %q without an error", a, b, got)
		}
	})
}
