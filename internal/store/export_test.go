package store

import (
	"context"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Hold occupies the single writer until release is called, so that the
// writes queued meanwhile run as one batch, in the order they were queued.
func (s *Store) Hold(ctx context.Context) (release func()) {
	held, free := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.Update(ctx, func(scrum.Tx) error {
			close(held)
			<-free
			return nil
		})
	}()
	<-held
	return func() { close(free) }
}

// Queued is the number of writes waiting for the writer.
func (s *Store) Queued() int { return len(s.queue) }

// Unindexed is the number of items not in the search index yet.
func (s *Store) Unindexed() int64 { return s.unindexed.Load() }
