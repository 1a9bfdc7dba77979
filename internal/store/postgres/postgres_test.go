package postgres_test

import (
	"context"
	"testing"

	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/postgres"
	"github.com/tandemhq/tandem/internal/storetest"
)

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), storetest.PostgresDSN(t), store.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }
