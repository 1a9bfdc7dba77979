package live_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/live"
)

// gatedBoard is a Board of one other instance whose presence the test
// sets. A read made with a context carrying holdRead takes its snapshot
// at once and then waits for the test to let it answer.
type gatedBoard struct {
	mu     sync.Mutex
	others map[string][]string // key → users present at the other instance
	held   chan struct{}       // a held read has taken its snapshot
	resume chan struct{}       // lets the held read answer
}

type holdRead struct{}

func (b *gatedBoard) Set(context.Context, string, string, string, string, bool) error { return nil }
func (b *gatedBoard) Renew(context.Context, string) error                             { return nil }
func (b *gatedBoard) Clear(context.Context, string) error                             { return nil }

func (b *gatedBoard) Others(ctx context.Context, _, _ string) (map[string][]string, error) {
	b.mu.Lock()
	snap := make(map[string][]string, len(b.others))
	for k, us := range b.others {
		snap[k] = slices.Clone(us)
	}
	b.mu.Unlock()
	if ctx.Value(holdRead{}) != nil {
		b.held <- struct{}{}
		<-b.resume
	}
	return snap, nil
}

func (b *gatedBoard) set(key string, users ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.others = map[string][]string{key: users}
}

// A joiner reads the board, and while its answer is on the way the other
// instance's Sam leaves and this instance's sharer applies that. The
// joiner's older answer must not bring Sam back: not in its own list, and
// not as a "joined" to those already in the room.
func TestOlderBoardReadDoesNotWin(t *testing.T) {
	board := &gatedBoard{held: make(chan struct{}), resume: make(chan struct{})}
	w := newWorld(t, live.Config{Board: board, BoardEvery: time.Hour}, true)
	const key = "sessionaaaaaaaaa"
	priyaID, marcoID, sam := w.users[0].ID, w.users[1].ID, w.users[3].ID
	board.set(key, sam)

	priya, err := w.hub.SubscribePresent(context.Background(), w.team.ID, priyaID, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(priya.Close)
	if got, want := presenceOf(t, priya), fmt.Sprintf(`{"key":%q,"present":["%s"]}`, key, joinSorted(priyaID, sam)); got != want {
		t.Fatalf("Priya got %s, want %s", got, want)
	}

	type joined struct {
		sub *live.Subscription
		err error
	}
	done := make(chan joined, 1)
	go func() {
		ctx := context.WithValue(context.Background(), holdRead{}, true)
		sub, err := w.hub.SubscribePresent(ctx, w.team.ID, marcoID, key)
		done <- joined{sub, err}
	}()
	select {
	case <-board.held: // Marco's read saw Sam
	case <-time.After(wait):
		t.Fatal("Marco's join never read the board")
	}

	board.set(key) // Sam leaves the other instance
	w.hub.PresenceChanged(w.team.ID)
	if got, want := presenceOf(t, priya), fmt.Sprintf(`{"key":%q,"left":%q}`, key, sam); got != want {
		t.Fatalf("Priya got %s, want %s", got, want)
	}

	close(board.resume)
	j := <-done
	if j.err != nil {
		t.Fatal(j.err)
	}
	marco := j.sub
	t.Cleanup(marco.Close)
	if got, want := presenceOf(t, marco), fmt.Sprintf(`{"key":%q,"present":["%s"]}`, key, joinSorted(priyaID, marcoID)); got != want {
		t.Errorf("Marco got %s, want %s: an older read of the board won", got, want)
	}
	if got, want := presenceOf(t, priya), fmt.Sprintf(`{"key":%q,"joined":%q}`, key, marcoID); got != want {
		t.Errorf("Priya got %s, want %s", got, want)
	}
	w.nextIsEvent(t, priya, marco)
}

func joinSorted(ids ...string) string {
	slices.Sort(ids)
	return strings.Join(ids, `","`)
}
