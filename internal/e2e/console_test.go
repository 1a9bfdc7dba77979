package e2e_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
)

// The harness itself: a tab catches a script the CSP refuses and an
// uncaught error, so the other tests' silence means something.
func TestConsoleCatchesCSPViolationsAndErrors(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	v := s.Visitor(t)
	v.Open("/signin")
	e2e.Eval[bool](v, `(() => {
		const s = document.createElement("script");
		s.textContent = "window.__inline = 1";
		document.body.append(s);
		setTimeout(() => { throw new Error("boom from a timer") }, 0);
		return true;
	})()`)
	v.WaitUntil(`document.readyState === "complete"`)

	var csp, thrown bool
	for range 40 {
		for _, m := range v.TakeProblems() {
			csp = csp || m.IsCSPViolation()
			thrown = thrown || (m.IsException() && strings.Contains(m.Text, "boom from a timer"))
		}
		if csp && thrown {
			break
		}
		v.WaitUntil(`true`)
	}
	if !csp {
		t.Error("an inline script ran past the collector: no CSP violation recorded")
	}
	if !thrown {
		t.Error("an uncaught error was not recorded")
	}
	if e2e.Eval[bool](v, `window.__inline === 1`) {
		t.Error("the inline script ran: the page has no working CSP")
	}
}
