package scrum

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fieldsOf returns the "field: message" pairs of a Validation.
func fieldsOf(v *Validation) []FieldError {
	var e *Error
	if err := v.Err(); err != nil && errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string // substring of the message; "" for valid
	}{
		{in: "ada@example.com", want: "ada@example.com"},
		{in: "  Ada.Lovelace@Example.COM\t", want: "ada.lovelace@example.com"},
		{in: "a+tag@sub.example.org", want: "a+tag@sub.example.org"},
		{in: "", wantErr: "email is required"},
		{in: "   ", wantErr: "email is required"},
		{in: "ada", wantErr: "is not an email address"},
		{in: "ada@localhost", wantErr: "is not an email address"},
		{in: "ada@@example.com", wantErr: "is not an email address"},
		{in: "Ada <ada@example.com>", wantErr: "is not an email address"},
		{in: "ada@exa mple.com", wantErr: "is not an email address"},
		{in: "ada,bob@example.com", wantErr: "is not an email address"},
		{in: strings.Repeat("a", 243) + "@example.com", want: strings.Repeat("a", 243) + "@example.com", wantErr: "longer than 254"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v Validation
			got := normalizeEmail("email", tt.in, &v)
			fs := fieldsOf(&v)
			if tt.wantErr == "" {
				if len(fs) != 0 {
					t.Fatalf("got errors %v, want none", fs)
				}
				if got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
				return
			}
			if len(fs) != 1 || fs[0].Field != "email" || !strings.Contains(fs[0].Message, tt.wantErr) {
				t.Fatalf("got errors %v, want one on email containing %q", fs, tt.wantErr)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "plain", in: "Orion", want: "Orion"},
		{name: "inner and outer spaces collapse", in: "  Orion \t  Team\n", want: "Orion Team"},
		{name: "80 runes of two bytes", in: strings.Repeat("é", 80), want: strings.Repeat("é", 80)},
		{name: "empty", in: "", wantErr: "team is required"},
		{name: "only spaces", in: " \t\n ", wantErr: "team is required"},
		{name: "81 runes", in: strings.Repeat("x", 81), wantErr: "longer than 80 characters"},
		{name: "NUL", in: "Ori\x00on", wantErr: "control characters"},
		{name: "escape", in: "Ori\x1bon", wantErr: "control characters"},
		{name: "DEL", in: "Ori\x7fon", wantErr: "control characters"},
		{name: "invalid UTF-8", in: "Ori\xffon", wantErr: "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validation
			got := normalizeName("team", tt.in, 80, &v)
			fs := fieldsOf(&v)
			if tt.wantErr == "" {
				if len(fs) != 0 || got != tt.want {
					t.Fatalf("got %q with errors %v, want %q and none", got, fs, tt.want)
				}
				return
			}
			if len(fs) != 1 || fs[0].Field != "team" || !strings.Contains(fs[0].Message, tt.wantErr) {
				t.Fatalf("got errors %v, want one on team containing %q", fs, tt.wantErr)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "10 characters", in: "abcdefghij"},
		{name: "a passphrase", in: "correct horse battery staple"},
		{name: "10 runes of two bytes", in: strings.Repeat("é", 10)},
		{name: "256 bytes", in: strings.Repeat("p", 256)},
		{name: "empty", in: "", wantErr: "at least 10 characters"},
		{name: "9 characters", in: "abcdefghi", wantErr: "at least 10 characters"},
		{name: "9 runes in 18 bytes", in: strings.Repeat("é", 9), wantErr: "at least 10 characters"},
		{name: "257 bytes", in: strings.Repeat("p", 257), wantErr: "longer than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validation
			checkPassword("password", tt.in, &v)
			fs := fieldsOf(&v)
			if tt.wantErr == "" {
				if len(fs) != 0 {
					t.Fatalf("got errors %v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Field != "password" || !strings.Contains(fs[0].Message, tt.wantErr) {
				t.Fatalf("got errors %v, want one on password containing %q", fs, tt.wantErr)
			}
			if strings.Contains(fs[0].Message, tt.in) && tt.in != "" {
				t.Errorf("the message %q echoes the password", fs[0].Message)
			}
		})
	}
}

func TestNormalizeAccountabilities(t *testing.T) {
	tests := []struct {
		name    string
		in      []Accountability
		want    []Accountability
		wantErr string
	}{
		{name: "one", in: []Accountability{Developer}, want: []Accountability{Developer}},
		{name: "display order", in: []Accountability{Stakeholder, Developer, ScrumMaster, ProductOwner},
			want: []Accountability{ProductOwner, ScrumMaster, Developer, Stakeholder}},
		{name: "duplicates", in: []Accountability{Developer, ScrumMaster, Developer}, want: []Accountability{ScrumMaster, Developer}},
		{name: "none", in: nil, wantErr: "at least one accountability is required"},
		{name: "empty list", in: []Accountability{}, wantErr: "at least one accountability is required"},
		{name: "unknown", in: []Accountability{"boss"}, wantErr: `unknown accountability "boss"`},
		{name: "unknown among known", in: []Accountability{Developer, "Developer"}, wantErr: `unknown accountability "Developer"`},
		{name: "empty string", in: []Accountability{""}, wantErr: `unknown accountability ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validation
			got := normalizeAccountabilities("accountabilities", tt.in, &v)
			fs := fieldsOf(&v)
			if tt.wantErr == "" {
				if len(fs) != 0 || !slices.Equal(got, tt.want) {
					t.Fatalf("got %v with errors %v, want %v", got, fs, tt.want)
				}
				return
			}
			if len(fs) != 1 || fs[0].Field != "accountabilities" || !strings.Contains(fs[0].Message, tt.wantErr) {
				t.Fatalf("got errors %v, want one on accountabilities containing %q", fs, tt.wantErr)
			}
			if got != nil {
				t.Errorf("got %v alongside an error, want nil", got)
			}
		})
	}
}

func TestAccountability(t *testing.T) {
	tests := []struct {
		a     Accountability
		valid bool
		title string
	}{
		{ProductOwner, true, "Product Owner"},
		{ScrumMaster, true, "Scrum Master"},
		{Developer, true, "Developer"},
		{Stakeholder, true, "Stakeholder"},
		{"", false, ""},
		{"team_admin", false, "team_admin"},
		{"PRODUCT_OWNER", false, "PRODUCT_OWNER"},
	}
	for _, tt := range tests {
		if got := tt.a.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.a, got, tt.valid)
		}
		if got := tt.a.Title(); got != tt.title {
			t.Errorf("%q.Title() = %q, want %q", tt.a, got, tt.title)
		}
	}
}

// A request with several bad fields hears about all of them at once.
func TestValidationCollectsEveryField(t *testing.T) {
	var v Validation
	normalizeEmail("email", "nope", &v)
	normalizeName("name", "", MaxNameLen, &v)
	checkPassword("password", "short", &v)
	v.Check(true, "ignored", "never recorded")
	err := v.Err()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid {
		t.Fatalf("got %v, want an Invalid error", err)
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	if !slices.Equal(names, []string{"email", "name", "password"}) {
		t.Errorf("got fields %v, want [email name password]", names)
	}
	if got := err.Error(); !strings.HasPrefix(got, "some fields are invalid (email: ") || !strings.Contains(got, "; password: ") {
		t.Errorf("got message %q, want every field listed", got)
	}
	var empty Validation
	if err := empty.Err(); err != nil {
		t.Errorf("got %v from an empty Validation, want nil", err)
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"not found", NotFound("team"), CodeNotFound},
		{"stale", Stale("the team", 4), CodeConflict},
		{"invalid", Invalid("name", "bad"), CodeInvalid},
		{"wrapped", fmt.Errorf("rename: %w", Errorf(CodeForbidden, "no")), CodeForbidden},
		{"plain error", errors.New("disk on fire"), ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.want != "" && !IsCode(tt.err, tt.want) {
				t.Errorf("IsCode(%v, %q) = false, want true", tt.err, tt.want)
			}
		})
	}
	var e *Error
	if !errors.As(Stale("the team", 4), &e) || e.Version != 4 || !strings.Contains(e.Message, "version 4") {
		t.Errorf("got %+v, want the current version 4 in a stale error", e)
	}
	if got := NotFound("team").Error(); got != "team not found" {
		t.Errorf("got %q, want %q", got, "team not found")
	}
}

// Ids made later sort after ids made earlier, as text (the order the
// indexes keyed by them keep), over 20 s of milliseconds: each of the
// characters that change every 4 ms, 128 ms and 4 s runs through all 32
// digits and wraps.
func TestIDsSortInTheOrderTheyWereMade(t *testing.T) {
	start := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
	prev := newIDAt(start.Add(-time.Millisecond))
	for ms := range 20_000 {
		at := start.Add(time.Duration(ms) * time.Millisecond)
		id := newIDAt(at)
		if !ValidID(id) {
			t.Fatalf("newIDAt(%v) = %q, which ValidID refuses", at, id)
		}
		if id <= prev {
			t.Fatalf("the id made at %v, %q, sorts before %q, made 1 ms earlier", at, id, prev)
		}
		prev = id
	}
	if a, b := newIDAt(start), newIDAt(start.AddDate(3, 0, 0)); a >= b {
		t.Errorf("an id made three years later, %q, sorts before %q", b, a)
	}
}

func TestIDsAndSecrets(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !ValidID(id) {
			t.Fatalf("NewID() = %q, which ValidID refuses", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
	for _, s := range []string{"", "abc", "aaaaaaaaaaaaaaaaa", "AAAAAAAAAAAAAAAA", "aaaaaaaaaaaaaaa0", "aaaaaaaaaaaaaaa1",
		"aaaaaaaaaaaaaaa8", "aaaaaaaa/aaaaaaa", "aaaaaaaaaaaaaaé"} {
		if ValidID(s) {
			t.Errorf("ValidID(%q) = true, want false", s)
		}
	}
	a, b := NewSecret(SessionPrefix), NewSecret(SessionPrefix)
	if a == b || !strings.HasPrefix(a, "tds_") || len(a) != len("tds_")+52 {
		t.Errorf("got secrets %q and %q, want two distinct tds_ secrets of 256 bits", a, b)
	}
	if h1, h2 := HashSecret(a), HashSecret(a); h1 != h2 || h1 == HashSecret(b) || len(h1) != 64 {
		t.Errorf("HashSecret is not a stable 64-hex-digit digest")
	}
	if strings.Contains(HashSecret(a), a[4:]) {
		t.Errorf("the hash contains the secret")
	}
}
