package live

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Board shares presence between the instances serving one database. Each
// instance writes only its own rows and renews them; rows an instance
// stopped renewing (it died) stop counting after the board's lifetime.
// postgres.Board is one; on SQLite there is one instance and no board.
type Board interface {
	// Set records whether userID is present on key of teamID at instance
	// and tells the other instances (see Hub.PresenceChanged).
	Set(ctx context.Context, instance, teamID, key, userID string, present bool) error
	// Renew keeps instance's rows alive.
	Renew(ctx context.Context, instance string) error
	// Others lists who is present on teamID at the live instances other
	// than instance: presence key → user ids.
	Others(ctx context.Context, teamID, instance string) (map[string][]string, error)
	// Clear removes instance's rows and tells the other instances.
	Clear(ctx context.Context, instance string) error
}

// boardOp is one local arrival (present) or departure on the board.
type boardOp struct {
	team, key, user string
	present         bool
}

// sharer writes this instance's presence to the board, in the order it
// changed, and reads the other instances' presence into the rooms: when
// told that a team's presence changed, and every renewal, which is also
// when the departures of instances that died show.
type sharer struct {
	board    Board
	instance string
	every    time.Duration
	hub      *Hub

	mu      sync.Mutex
	ops     []boardOp
	refresh map[string]bool // teams to read again; "" is every team
	kick    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	stop    sync.Once
}

func newSharer(h *Hub, b Board, instance string, every time.Duration) *sharer {
	s := &sharer{board: b, instance: instance, every: every, hub: h, refresh: map[string]bool{},
		kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// set queues a local arrival or departure; it never blocks (the caller
// holds a room's lock).
func (s *sharer) set(op boardOp) {
	s.mu.Lock()
	s.ops = append(s.ops, op)
	s.mu.Unlock()
	s.signal()
}

// changed asks for teamID's presence ("" for every team) to be read again.
func (s *sharer) changed(teamID string) {
	s.mu.Lock()
	s.refresh[teamID] = true
	s.mu.Unlock()
	s.signal()
}

func (s *sharer) signal() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *sharer) run() {
	defer close(s.done)
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	for {
		select {
		case <-s.kick:
		case <-tick.C:
			s.do(func(ctx context.Context) error { return s.board.Renew(ctx, s.instance) }, "renew")
			s.changed("")
		case <-s.quit:
			return
		}
		s.mu.Lock()
		ops, teams := s.ops, s.refresh
		s.ops, s.refresh = nil, map[string]bool{}
		s.mu.Unlock()
		for _, op := range ops {
			s.do(func(ctx context.Context) error {
				return s.board.Set(ctx, s.instance, op.team, op.key, op.user, op.present)
			}, "set")
		}
		if teams[""] {
			teams = map[string]bool{}
			for _, id := range s.hub.roomIDs() {
				teams[id] = true
			}
		}
		for team := range teams {
			s.read(team)
		}
	}
}

// read loads the other instances' presence on team into its room.
func (s *sharer) read(team string) {
	var others map[string][]string
	gen := s.hub.boardGen.Add(1)
	ok := s.do(func(ctx context.Context) (err error) {
		others, err = s.board.Others(ctx, team, s.instance)
		return err
	}, "read")
	if ok {
		s.hub.setRemote(team, others, gen)
	}
}

func (s *sharer) do(fn func(context.Context) error, what string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fn(ctx); err != nil {
		s.hub.log.Warn("live: presence board", "op", what, "err", err)
		return false
	}
	return true
}

// close stops the sharer and takes this instance's presence off the board.
func (s *sharer) close() {
	s.stop.Do(func() {
		close(s.quit)
		<-s.done
		s.do(func(ctx context.Context) error { return s.board.Clear(ctx, s.instance) }, "clear")
	})
}

// PresenceChanged tells the hub that another instance's presence on
// teamID changed ("" for any team, after a lost NOTIFY connection). It
// never blocks; without a board it does nothing.
func (h *Hub) PresenceChanged(teamID string) {
	if h.share != nil {
		h.share.changed(teamID)
	}
}

// roomIDs lists the teams whose rooms show presence: someone here has a
// page with presence open, or someone elsewhere did at the last read.
func (h *Hub) roomIDs() []string {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	var ids []string
	for _, r := range rooms {
		r.mu.Lock()
		if len(r.present) > 0 || len(r.remote) > 0 {
			ids = append(ids, r.team)
		}
		r.mu.Unlock()
	}
	return ids
}

// setRemote replaces what the room of team knows of the other instances'
// presence and tells its subscribers who arrived and left. gen orders the
// reads of the board: each takes the next number before it starts, and a
// room keeps the answer of the read that started last, whatever order the
// answers arrive in (a joiner's read and the sharer's run side by side).
func (h *Hub) setRemote(team string, others map[string][]string, gen int64) {
	h.mu.Lock()
	r := h.rooms[team]
	h.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setRemote(others, gen)
}

// setRemote is Hub.setRemote with the room locked.
func (r *room) setRemote(others map[string][]string, gen int64) {
	if gen <= r.remoteGen {
		return // an older read of the board than the one applied
	}
	r.remoteGen = gen
	next := make(map[string]map[string]bool, len(others))
	for key, users := range others {
		if len(users) == 0 {
			continue
		}
		set := make(map[string]bool, len(users))
		for _, u := range users {
			set[u] = true
		}
		next[key] = set
	}
	for key, set := range next {
		for _, u := range sortedKeys(set) {
			if !r.remote[key][u] && r.present[key][u] == 0 {
				r.tellKey(key, presenceDelta(key, "joined", u))
			}
		}
	}
	for key, set := range r.remote {
		for _, u := range sortedKeys(set) {
			if !next[key][u] && r.present[key][u] == 0 {
				r.tellKey(key, presenceDelta(key, "left", u))
			}
		}
	}
	r.remote = next
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// tellKey sends f to every subscriber showing presence key; the caller
// holds r.mu.
func (r *room) tellKey(key string, f *Frame) {
	for o := range r.subs {
		if o.Presence == key {
			r.send(o, f)
		}
	}
}
