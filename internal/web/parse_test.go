package web_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/tandemhq/tandem/internal/web"
)

// TestEveryPageParses: page template sets are built on first use, so this
// builds them all; a broken template panics here rather than on a user's
// first visit.
func TestEveryPageParses(t *testing.T) {
	a := newApp(t)
	w := web.New(a.svc, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	w.ParseAll()
}
