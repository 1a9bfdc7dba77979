package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// Someone who already has an account follows an invite: "I already have
// an account", sign in, and they are back at the invitation to join.
func TestJoinWithExistingAccount(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	team := s.SeedTeam(t, "Orion", po)
	po.Open("/teams/" + team)
	link := po.CreateInvite(scrum.ScrumMaster)

	marco := s.NewAccount(t, "Marco Rossi")
	marco.Open(link)
	marco.ClickNav(`a[href^="/signin?next=/join/"]`)
	marco.Fill(`#f-email`, marco.Email)
	marco.Fill(`#f-password`, marco.Password)
	if st := marco.ClickNav(`form[action="/signin"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("sign in: status %d, want 200", st)
	}
	marco.WaitPath(`^/join/`)
	marco.ClickNav(`form[action^="/join/"] button[type=submit]`)
	marco.WaitPath(`^/teams/` + team + `$`)
	if got := marco.Text(".page-subtitle"); !strings.Contains(got, "You are Scrum Master") {
		t.Errorf("after joining, the subtitle says %q, want Scrum Master", got)
	}
	// As a Scrum Master he may reassign.
	if !marco.Exists(`summary[aria-label="Reassign facilitation.retrospective"]`) {
		t.Error("the new Scrum Master sees no Reassign menu")
	}
}

// A sign-up with mistakes comes back with the fields marked, the message
// announced (focus on the summary), and what was typed kept — except the
// password.
func TestSignUpShowsFieldErrors(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	u := s.NewUser(t, "Ada Lovelace")
	u.Open("/signup")
	u.Fill(`#f-name`, "Ada Lovelace")
	u.Fill(`#f-email`, "not-an-email")
	u.Fill(`#f-password`, "short")
	if st := u.ClickNav(`form[action="/signup"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("bad sign-up: status %d, want 422", st)
	}
	u.WaitFor(`.form-errors`)
	for _, f := range []string{"email", "password"} {
		if v, _ := u.Attr(`#f-`+f, "aria-invalid"); v != "true" {
			t.Errorf("field %s: aria-invalid=%q, want true", f, v)
		}
		if !u.Exists(`#e-` + f) {
			t.Errorf("field %s has no error message", f)
		}
	}
	if v, _ := u.Attr(`#f-name`, "aria-invalid"); v == "true" {
		t.Error("the valid name is marked invalid")
	}
	if got := e2e.Eval[string](u.Tab, `document.activeElement?.className ?? ""`); !strings.Contains(got, "form-errors") {
		t.Errorf("focus is on %q, want the error summary", got)
	}
	if got := e2e.Eval[string](u.Tab, `document.querySelector("#f-email").value`); got != "not-an-email" {
		t.Errorf("email field = %q after the error, want what was typed", got)
	}
	if got := e2e.Eval[string](u.Tab, `document.querySelector("#f-password").value`); got != "" {
		t.Errorf("password field = %q after the error, want it empty", got)
	}
	// Fixing it signs up.
	u.FillSignUp()
}
