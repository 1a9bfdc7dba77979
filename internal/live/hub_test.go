package live_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/live"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

const wait = 5 * time.Second

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// world is a real SQLite store with a hub woken by its commits, and one
// team whose members are the users.
type world struct {
	s     *store.Store
	hub   *live.Hub
	team  scrum.Team
	users []scrum.User
}

func newWorld(t *testing.T, cfg live.Config, wire bool) *world {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "tandem.db"), store.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	w := &world{s: s, hub: live.NewHub(live.StoreSource{Store: s}, discard, cfg)}
	t.Cleanup(w.hub.Close)
	if wire {
		s.OnChange(w.hub.Wake)
	}
	for _, name := range []string{"Priya", "Marco", "Lena", "Sam"} {
		w.users = append(w.users, storetest.MustUser(t, s, name))
	}
	w.team = storetest.MustTeam(t, s, "Orion", w.users...)
	return w
}

// emit appends one event of type typ to team, for audience ("" for all).
func (w *world) emit(t testing.TB, team, typ, subject, audience string) int64 {
	t.Helper()
	var seq int64
	err := w.s.Update(context.Background(), func(tx scrum.Tx) error {
		if err := tx.LockTeam(context.Background(), team); err != nil {
			return err
		}
		e, err := scrum.NewEvent(team, typ, subject, w.users[0].ID, map[string]string{"subject": subject})
		if err != nil {
			return err
		}
		e.Audience = audience
		e, err = tx.AppendEvent(context.Background(), e)
		seq = e.Seq
		return err
	})
	if err != nil {
		t.Errorf("emit: %v", err)
	}
	return seq
}

func (w *world) subscribe(t *testing.T, team, user string) *live.Subscription {
	t.Helper()
	sub, err := w.hub.Subscribe(context.Background(), team, user)
	if err != nil {
		t.Fatalf("subscribe %s: %v", user, err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// collect reads n frames from sub.
func collect(t *testing.T, sub *live.Subscription, n int) []int64 {
	t.Helper()
	var got []int64
	deadline := time.After(wait)
	for len(got) < n {
		select {
		case f, ok := <-live.C(sub):
			if !ok {
				t.Fatalf("subscription closed after %v, want %d frames", got, n)
			}
			got = append(got, f.Seq)
		case <-deadline:
			t.Fatalf("got %v within %v, want %d frames", got, wait, n)
		}
	}
	return got
}

func seqs(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func closed(sub *live.Subscription) bool {
	select {
	case _, ok := <-live.C(sub):
		return !ok
	case <-time.After(wait):
		return false
	}
}

func TestFanOutInOrder(t *testing.T) {
	w := newWorld(t, live.Config{}, true)
	var subs []*live.Subscription
	for i := range 20 {
		subs = append(subs, w.subscribe(t, w.team.ID, w.users[i%len(w.users)].ID))
	}
	for i := range 50 {
		w.emit(t, w.team.ID, "test.event", fmt.Sprint(i), "")
	}
	for i, sub := range subs {
		if got := collect(t, sub, 50); !slices.Equal(got, seqs(1, 50)) {
			t.Errorf("subscriber %d: got %v, want 1..50 in order", i, got)
		}
	}
	sub := w.subscribe(t, w.team.ID, w.users[0].ID)
	w.emit(t, w.team.ID, "test.shape", "subject-x", "")
	f := <-live.C(sub)
	want := fmt.Sprintf("id: 51\nevent: test.shape\ndata: {\"id\":51,\"type\":\"test.shape\",\"team_id\":%q,\"subject_id\":\"subject-x\"", w.team.ID)
	if got := string(f.SSE); len(got) < len(want) || got[:len(want)] != want || got[len(got)-2:] != "\n\n" {
		t.Errorf("got frame %q, want it to start %q and end with a blank line", got, want)
	}
}

// TestSlowSubscriberDropped: a subscriber that never reads is dropped when
// its buffer fills, and the others get everything without waiting for it.
func TestSlowSubscriberDropped(t *testing.T) {
	// The buffer is smaller than the burst, but large enough that a reader
	// that keeps up is never dropped by a few events fanned out at once on
	// a loaded machine.
	const buffer = 12
	w := newWorld(t, live.Config{Buffer: buffer}, true)
	slow := w.subscribe(t, w.team.ID, w.users[1].ID)
	fast := w.subscribe(t, w.team.ID, w.users[2].ID)
	got := make(chan []int64, 1)
	go func() {
		var seen []int64
		for f := range live.C(fast) {
			seen = append(seen, f.Seq)
			if len(seen) == 30 {
				break
			}
		}
		got <- seen
	}()
	for i := range 30 {
		w.emit(t, w.team.ID, "test.event", fmt.Sprint(i), "")
	}
	select {
	case seen := <-got:
		if !slices.Equal(seen, seqs(1, 30)) {
			t.Errorf("fast subscriber got %v, want 1..30", seen)
		}
	case <-time.After(wait):
		t.Fatal("the fast subscriber was held up by the slow one")
	}
	// The slow one got at most its buffer, then its channel closed.
	n := 0
	deadline := time.After(wait)
drain:
	for {
		select {
		case _, ok := <-live.C(slow):
			if !ok {
				break drain
			}
			n++
		case <-deadline:
			t.Fatal("the slow subscriber was never dropped")
		}
	}
	if n > buffer {
		t.Errorf("slow subscriber received %d frames, want at most its buffer of %d", n, buffer)
	}
	slow.Close()
	if c := w.hub.Connections(); c != 1 {
		t.Errorf("got %d connections, want 1", c)
	}
}

// TestExactlyOnceUnderConcurrentWrites: a client that joins while writers
// are busy replays (after, From] from the store and then takes frames
// from C; together they are every event exactly once, in order.
func TestExactlyOnceUnderConcurrentWrites(t *testing.T) {
	w := newWorld(t, live.Config{Buffer: 4096}, true)
	const writers, each = 4, 40
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for j := range each {
				w.emit(t, w.team.ID, "test.event", fmt.Sprintf("%d-%d", i, j), "")
			}
		}()
	}
	const clients = 8
	results := make([][]int64, clients)
	var cwg sync.WaitGroup
	close(start)
	for c := range clients {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			time.Sleep(time.Duration(c) * 3 * time.Millisecond)
			after := int64(c % 3) // some clients saw a few events before
			sub, err := w.hub.Subscribe(context.Background(), w.team.ID, w.users[c%len(w.users)].ID)
			if err != nil {
				t.Errorf("subscribe: %v", err)
				return
			}
			defer sub.Close()
			var got []int64
			if after < sub.From {
				es, err := live.StoreSource{Store: w.s}.Events(context.Background(), w.team.ID, after, int(sub.From-after))
				if err != nil {
					t.Errorf("replay: %v", err)
					return
				}
				for _, e := range es {
					got = append(got, e.Seq)
				}
			}
			last := max(after, sub.From)
			deadline := time.After(wait * 2)
			for last < writers*each {
				select {
				case f, ok := <-live.C(sub):
					if !ok {
						t.Errorf("client %d: dropped", c)
						return
					}
					if f.Seq <= last {
						continue // already seen, as the SSE handler skips it
					}
					got = append(got, f.Seq)
					last = f.Seq
				case <-deadline:
					t.Errorf("client %d: stuck at %d", c, last)
					return
				}
			}
			results[c] = got
		}()
	}
	wg.Wait()
	cwg.Wait()
	for c, got := range results {
		if want := seqs(int64(c%3)+1, writers*each); !slices.Equal(got, want) {
			t.Errorf("client %d: got %d events %v, want %d..%d exactly once in order", c, len(got), got, c%3+1, writers*each)
		}
	}
}

func TestConnectionCaps(t *testing.T) {
	w := newWorld(t, live.Config{MaxPerUser: 2, MaxTotal: 3}, true)
	a1 := w.subscribe(t, w.team.ID, w.users[0].ID)
	w.subscribe(t, w.team.ID, w.users[0].ID)
	_, err := w.hub.Subscribe(context.Background(), w.team.ID, w.users[0].ID)
	if !errors.Is(err, live.ErrTooMany) || scrum.ErrorCode(err) != scrum.CodeThrottled {
		t.Fatalf("third stream of one user: got %v, want ErrTooMany", err)
	}
	w.subscribe(t, w.team.ID, w.users[1].ID)
	if _, err := w.hub.Subscribe(context.Background(), w.team.ID, w.users[2].ID); !errors.Is(err, live.ErrTooMany) {
		t.Fatalf("fourth stream in total: got %v, want ErrTooMany", err)
	}
	a1.Close()
	a1.Close() // twice is harmless
	if got := w.hub.Connections(); got != 2 {
		t.Fatalf("got %d connections after a close, want 2", got)
	}
	w.subscribe(t, w.team.ID, w.users[2].ID)
}

// TestRemovedMemberDropped: member.removed reaches the removed member and
// then closes their streams; everyone else's stay open.
func TestRemovedMemberDropped(t *testing.T) {
	w := newWorld(t, live.Config{}, true)
	lena := w.users[2]
	mine := []*live.Subscription{w.subscribe(t, w.team.ID, lena.ID), w.subscribe(t, w.team.ID, lena.ID)}
	other := w.subscribe(t, w.team.ID, w.users[3].ID)
	w.emit(t, w.team.ID, scrum.EventMemberRemoved, lena.ID, "")
	w.emit(t, w.team.ID, "test.after", "x", "")
	for i, sub := range mine {
		f, ok := <-live.C(sub)
		if !ok || f.Type != scrum.EventMemberRemoved {
			t.Fatalf("stream %d: got %+v, want member.removed first", i, f)
		}
		if !closed(sub) {
			t.Errorf("stream %d of the removed member is still open", i)
		}
	}
	if got := collect(t, other, 2); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("another member got %v, want both events", got)
	}
}

func TestAudience(t *testing.T) {
	w := newWorld(t, live.Config{}, true)
	lena, sam := w.subscribe(t, w.team.ID, w.users[2].ID), w.subscribe(t, w.team.ID, w.users[3].ID)
	w.emit(t, w.team.ID, "test.private", "x", w.users[3].ID)
	w.emit(t, w.team.ID, "test.public", "y", "")
	if got := collect(t, sam, 2); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("Sam got %v, want both events", got)
	}
	if got := collect(t, lena, 1); !slices.Equal(got, []int64{2}) {
		t.Errorf("Lena got %v, want only the public event 2", got)
	}
}

// TestWakeAll: Wake("") — sent after a lost NOTIFY connection — makes every
// room read what it missed.
func TestWakeAll(t *testing.T) {
	w := newWorld(t, live.Config{}, false) // commits do not wake the hub
	teamB := storetest.MustTeam(t, w.s, "Lyra", w.users[1], w.users[2])
	a := w.subscribe(t, w.team.ID, w.users[0].ID)
	b := w.subscribe(t, teamB.ID, w.users[2].ID)
	w.emit(t, w.team.ID, "test.a", "x", "")
	w.emit(t, teamB.ID, "test.b", "y", "")
	w.emit(t, teamB.ID, "test.b", "z", "")
	select {
	case f := <-live.C(a):
		t.Fatalf("got %+v before any wake", f)
	case <-time.After(100 * time.Millisecond):
	}
	w.hub.Wake("")
	if got := collect(t, a, 1); !slices.Equal(got, []int64{1}) {
		t.Errorf("team A got %v, want [1]", got)
	}
	if got := collect(t, b, 2); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("team B got %v, want [1 2]", got)
	}
	// A wake for one team reaches only that room.
	w.emit(t, w.team.ID, "test.a", "x", "")
	w.emit(t, teamB.ID, "test.b", "y", "")
	w.hub.Wake(teamB.ID)
	if got := collect(t, b, 1); !slices.Equal(got, []int64{3}) {
		t.Errorf("team B got %v, want [3]", got)
	}
	select {
	case f := <-live.C(a):
		t.Fatalf("team A got %+v from team B's wake", f)
	case <-time.After(100 * time.Millisecond):
	}
	w.hub.Wake("unknown-team") // no room: nothing happens, nothing blocks
}

func TestCloseEndsEverything(t *testing.T) {
	w := newWorld(t, live.Config{}, true)
	subs := []*live.Subscription{w.subscribe(t, w.team.ID, w.users[0].ID), w.subscribe(t, w.team.ID, w.users[1].ID)}
	w.hub.Close()
	for i, sub := range subs {
		if !closed(sub) {
			t.Errorf("subscription %d still open after Close", i)
		}
	}
	if _, err := w.hub.Subscribe(context.Background(), w.team.ID, w.users[0].ID); scrum.ErrorCode(err) != scrum.CodeUnavailable {
		t.Errorf("Subscribe after Close: got %v, want unavailable", err)
	}
}

// TestFromIsTheRoomPosition: a new subscriber's From is the last event
// already committed, so replaying (after, From] and then reading C loses
// nothing.
func TestFromIsTheRoomPosition(t *testing.T) {
	w := newWorld(t, live.Config{}, true)
	for range 3 {
		w.emit(t, w.team.ID, "test.before", "x", "")
	}
	sub := w.subscribe(t, w.team.ID, w.users[0].ID)
	if sub.From != 3 {
		t.Fatalf("got From %d, want 3", sub.From)
	}
	w.emit(t, w.team.ID, "test.after", "x", "")
	if got := collect(t, sub, 1); !slices.Equal(got, []int64{4}) {
		t.Errorf("got %v, want [4]", got)
	}
	late := w.subscribe(t, w.team.ID, w.users[1].ID)
	if late.From != 4 {
		t.Errorf("a later subscriber got From %d, want 4", late.From)
	}
}

// presenceOf reads the next frame of sub, which must be a presence frame,
// and returns its data.
func presenceOf(t *testing.T, sub *live.Subscription) string {
	t.Helper()
	select {
	case f, ok := <-live.C(sub):
		if !ok {
			t.Fatal("subscription closed, want a presence frame")
		}
		sse := string(f.SSE)
		if f.Type != "presence" || f.Seq != 0 || !strings.HasPrefix(sse, "event: presence\ndata: ") || !strings.HasSuffix(sse, "\n\n") {
			t.Fatalf("got frame %q (seq %d), want a presence frame without an id", sse, f.Seq)
		}
		return strings.TrimSuffix(strings.TrimPrefix(sse, "event: presence\ndata: "), "\n\n")
	case <-time.After(wait):
		t.Fatal("no presence frame")
	}
	return ""
}

// nextIsEvent emits an event and wants it to be sub's next frame: proof
// that no presence frame was queued before it.
func (w *world) nextIsEvent(t *testing.T, subs ...*live.Subscription) {
	t.Helper()
	seq := w.emit(t, w.team.ID, "test.fence", "fence", "")
	for i, sub := range subs {
		select {
		case f := <-live.C(sub):
			if f == nil || f.Seq != seq {
				t.Fatalf("subscriber %d: got %+v, want event %d and no presence frame before it", i, f, seq)
			}
		case <-time.After(wait):
			t.Fatalf("subscriber %d: no event %d", i, seq)
		}
	}
}

// TestPresence: the joiner learns who is there; the others on the same key
// learn who joined and, with their last tab, who left; other keys and
// plain subscribers hear nothing.
func TestPresence(t *testing.T) {
	w := newWorld(t, live.Config{}, true)
	ctx := context.Background()
	const key, otherKey = "sessionaaaaaaaaa", "sessionbbbbbbbbb"
	u := func(i int) string { return w.users[i].ID }
	join := func(i int, key string) *live.Subscription {
		t.Helper()
		sub, err := w.hub.SubscribePresent(ctx, w.team.ID, u(i), key)
		if err != nil {
			t.Fatalf("subscribe %d: %v", i, err)
		}
		t.Cleanup(sub.Close)
		return sub
	}
	list := func(ids ...string) string {
		slices.Sort(ids)
		return fmt.Sprintf(`{"key":%q,"present":["%s"]}`, key, strings.Join(ids, `","`))
	}

	priya := join(0, key)
	if got := presenceOf(t, priya); got != list(u(0)) {
		t.Errorf("first joiner got %s, want %s", got, list(u(0)))
	}
	plain := w.subscribe(t, w.team.ID, u(2))
	elsewhere := join(3, otherKey)
	if got := presenceOf(t, elsewhere); got != fmt.Sprintf(`{"key":%q,"present":[%q]}`, otherKey, u(3)) {
		t.Errorf("joiner of another key got %s", got)
	}
	marco := join(1, key)
	if got := presenceOf(t, marco); got != list(u(0), u(1)) {
		t.Errorf("second joiner got %s, want %s", got, list(u(0), u(1)))
	}
	if got, want := presenceOf(t, priya), fmt.Sprintf(`{"key":%q,"joined":%q}`, key, u(1)); got != want {
		t.Errorf("Priya got %s, want %s", got, want)
	}
	w.nextIsEvent(t, priya, marco, plain, elsewhere)

	// Marco's second tab lists everyone but tells nobody he joined again.
	marco2 := join(1, key)
	if got := presenceOf(t, marco2); got != list(u(0), u(1)) {
		t.Errorf("second tab got %s, want %s", got, list(u(0), u(1)))
	}
	w.nextIsEvent(t, priya, marco, marco2, plain, elsewhere)
	if got := w.hub.Present(context.Background(), w.team.ID, key); !slices.Equal(got, sorted(u(0), u(1))) {
		t.Errorf("got present %v, want Priya and Marco", got)
	}

	// Closing one of two tabs says nothing; closing the last says left.
	marco.Close()
	w.nextIsEvent(t, priya, marco2, plain, elsewhere)
	if got := w.hub.Present(context.Background(), w.team.ID, key); len(got) != 2 {
		t.Errorf("got present %v with Marco's second tab open, want both", got)
	}
	marco2.Close()
	if got, want := presenceOf(t, priya), fmt.Sprintf(`{"key":%q,"left":%q}`, key, u(1)); got != want {
		t.Errorf("Priya got %s, want %s", got, want)
	}
	w.nextIsEvent(t, priya, plain, elsewhere)
	if got := w.hub.Present(context.Background(), w.team.ID, key); !slices.Equal(got, []string{u(0)}) {
		t.Errorf("got present %v, want Priya only", got)
	}
	if got := w.hub.Present(context.Background(), w.team.ID, otherKey); !slices.Equal(got, []string{u(3)}) {
		t.Errorf("got present %v on the other key, want Sam only", got)
	}
	priya.Close()
	if got := w.hub.Present(context.Background(), w.team.ID, key); len(got) != 0 {
		t.Errorf("got present %v after everyone left, want nobody", got)
	}
	if got := w.hub.Present(context.Background(), "no-such-team", key); len(got) != 0 {
		t.Errorf("got present %v for a team without a room", got)
	}
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// CheckMember answers as the service's roster check does: members pass,
// outsiders and unknown or malformed teams get "team not found".
func TestCheckMember(t *testing.T) {
	w := newWorld(t, live.Config{}, false)
	ctx := context.Background()
	if err := w.hub.CheckMember(ctx, w.team.ID, w.users[1].ID); err != nil {
		t.Fatalf("member: %v", err)
	}
	outsider := storetest.MustUser(t, w.s, "Olga")
	for _, c := range []struct{ team, user string }{
		{w.team.ID, outsider.ID}, {scrum.NewID(), w.users[0].ID}, {"not an id!", w.users[0].ID},
	} {
		err := w.hub.CheckMember(ctx, c.team, c.user)
		var se *scrum.Error
		if !errors.As(err, &se) || se.Code != scrum.CodeNotFound || se.Message != "team not found" {
			t.Errorf("CheckMember(%q, %q) = %v, want team not found", c.team, c.user, err)
		}
	}
}
