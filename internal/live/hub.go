// Package live fans team events out to connected clients. The database is
// the source of truth: a commit wakes the team's room, the room reads the
// new event rows once, encodes each once, and hands the bytes to every
// subscriber. A client that reconnects replays what it missed from the
// database by its Last-Event-ID.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Source reads event rows; *store.Store's transactions provide it through
// the adapter in NewStoreSource.
type Source interface {
	// Events returns up to limit events of a team with Seq > after.
	Events(ctx context.Context, teamID string, after int64, limit int) ([]scrum.Event, error)
	// LastSeq returns the team's highest event Seq.
	LastSeq(ctx context.Context, teamID string) (int64, error)
}

// MemberSource is a Source that can also tell whether a user is on a team
// without reading the whole roster. StoreSource is one.
type MemberSource interface {
	// Member returns a scrum.CodeNotFound error when userID is not on
	// teamID (or there is no such team).
	Member(ctx context.Context, teamID, userID string) error
}

// ErrNoMemberCheck is returned by CheckMember when the hub's Source is no
// MemberSource; the caller checks membership another way.
var ErrNoMemberCheck = errors.New("live: the source cannot check membership")

// Config sets the hub's limits. Zero values take the defaults.
type Config struct {
	// Buffer is how many frames may wait for a slow subscriber before it
	// is dropped (default 4096; memory is taken only while frames wait).
	// A dropped client reconnects and replays.
	Buffer int
	// MaxPerUser and MaxTotal cap live connections (defaults 10 and 5000).
	MaxPerUser int
	MaxTotal   int
	// Board, when set, shares presence with the other instances on the
	// database; BoardEvery is how often this instance renews its rows and
	// reads everyone's again (default 10 s).
	Board      Board
	BoardEvery time.Duration
}

// ErrTooMany is returned by Subscribe when a connection cap is reached.
var ErrTooMany = &scrum.Error{Code: scrum.CodeThrottled, RetryAfter: 5 * time.Second,
	Message: "too many live connections; close another tab and try again"}

// Hub owns the rooms. It is safe for concurrent use.
type Hub struct {
	src Source
	log *slog.Logger
	cfg Config

	share    *sharer      // nil without a Board
	boardGen atomic.Int64 // numbers the reads of the board (see setRemote)

	mu     sync.Mutex
	rooms  map[string]*room
	users  map[string]int
	total  int
	closed bool
}

// NewHub returns a hub reading events from src.
func NewHub(src Source, log *slog.Logger, cfg Config) *Hub {
	if cfg.Buffer == 0 {
		cfg.Buffer = 4096
	}
	if cfg.MaxPerUser == 0 {
		cfg.MaxPerUser = 10
	}
	if cfg.MaxTotal == 0 {
		cfg.MaxTotal = 5000
	}
	if cfg.BoardEvery == 0 {
		cfg.BoardEvery = 10 * time.Second
	}
	h := &Hub{src: src, log: log, cfg: cfg, rooms: map[string]*room{}, users: map[string]int{}}
	if cfg.Board != nil {
		h.share = newSharer(h, cfg.Board, scrum.NewID(), cfg.BoardEvery)
	}
	return h
}

// Frame is one event ready to write to a Server-Sent Events stream.
type Frame struct {
	Seq      int64
	Type     string
	Subject  string
	Audience string
	SSE      []byte // "id: …\nevent: …\ndata: …\n\n"
}

// Envelope is the JSON carried by each live event: the event's identity and
// the changed resource in Data.
type Envelope struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	TeamID    string          `json:"team_id"`
	SubjectID string          `json:"subject_id"`
	ActorID   string          `json:"actor_id"`
	At        time.Time       `json:"at"`
	Data      json.RawMessage `json:"data"`
}

// Encode renders an event as an SSE frame.
func Encode(e scrum.Event) Frame {
	data := e.Data
	if len(data) == 0 {
		data = []byte("{}")
	}
	body, _ := json.Marshal(Envelope{ID: e.Seq, Type: e.Type, TeamID: e.TeamID, SubjectID: e.SubjectID,
		ActorID: e.ActorID, At: e.At, Data: data})
	b := make([]byte, 0, len(body)+len(e.Type)+40)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Type...)
	b = append(b, "\ndata: "...)
	b = append(b, body...)
	b = append(b, "\n\n"...)
	return Frame{Seq: e.Seq, Type: e.Type, Subject: e.SubjectID, Audience: e.Audience, SSE: b}
}

// Visible reports whether userID may receive f.
func (f Frame) Visible(userID string) bool { return f.Audience == "" || f.Audience == userID }

// Subscription is one live client. Frames queue up in Seq order; Ready
// signals that some are waiting, Take hands them over. The queue is a
// slice, not a channel of fixed size: an idle client costs a few bytes,
// and a burst (everyone in a room of hundreds voting at once) queues
// without dropping anyone, up to Config.Buffer frames. The subscription
// ends when the hub drops the client (too slow, removed from the team, or
// shutdown), after which it should reconnect and replay.
type Subscription struct {
	UserID string
	// Presence is the estimation session (or other live page) this client
	// shows; "" for none. Others on it are told when a person arrives and
	// leaves.
	Presence string
	// From is the last Seq the room had sent when the client joined;
	// C carries only later events, so replay (after, From] from the store.
	From int64

	hub  *Hub
	room *room
	once sync.Once

	ready  chan struct{}          // capacity 1: frames are queued or the subscription ended
	notify atomic.Pointer[func()] // called instead of signalling ready, when set
	mu     sync.Mutex
	queue  []*Frame
	ended  bool
}

// Ready is signalled when frames are waiting or the subscription ended;
// call Take then.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Take moves up to len(into) of the queued frames, oldest first, into
// into and returns how many; open is false once the subscription has ended
// and nothing is left. A caller with a fixed array allocates nothing per
// batch; what it could not take stays queued and signalled.
func (s *Subscription) Take(into []*Frame) (n int, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n = copy(into, s.queue)
	rest := copy(s.queue, s.queue[n:])
	clear(s.queue[rest:])
	s.queue = s.queue[:rest]
	if rest > 0 {
		s.signal()
	} else if cap(s.queue) > 64 {
		s.queue = nil // a burst's memory goes back once it has been taken
	}
	return n, rest > 0 || !s.ended
}

// Notify makes the subscription call fn, instead of signalling Ready,
// whenever frames arrive or it ends, and once at once if some are already
// waiting: for a caller that keeps no goroutine waiting on an idle client.
// fn must not block; it may run with the room locked.
func (s *Subscription) Notify(fn func()) {
	s.notify.Store(&fn)
	s.mu.Lock()
	waiting := len(s.queue) > 0 || s.ended
	s.mu.Unlock()
	if waiting {
		fn()
	}
}

func (s *Subscription) signal() {
	if fn := s.notify.Load(); fn != nil {
		(*fn)()
		return
	}
	select {
	case s.ready <- struct{}{}:
	default: // a signal is pending; Take will see everything
	}
}

// push queues f, or reports false when the queue is full.
func (s *Subscription) push(f *Frame, limit int) bool {
	s.mu.Lock()
	if len(s.queue) >= limit {
		s.mu.Unlock()
		return false
	}
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	s.signal()
	return true
}

// end marks the subscription over; queued frames can still be taken.
func (s *Subscription) end() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.signal()
}

// Subscribe joins userID to teamID's room. The caller has already checked
// membership.
func (h *Hub) Subscribe(ctx context.Context, teamID, userID string) (*Subscription, error) {
	return h.SubscribePresent(ctx, teamID, userID, "")
}

// SubscribePresent is Subscribe for a client showing page presence (an
// estimation session id): its first frame lists who is there, and everyone
// else there gets a delta when this person arrives or, with their last
// connection, leaves. With a Board, "there" counts people connected to
// the other instances too.
func (h *Hub) SubscribePresent(ctx context.Context, teamID, userID, presence string) (*Subscription, error) {
	var others map[string][]string
	var gen int64
	if presence != "" && h.share != nil {
		var err error
		gen = h.boardGen.Add(1)
		if others, err = h.share.board.Others(ctx, teamID, h.share.instance); err != nil {
			h.log.Warn("live: presence board", "op", "read", "err", err)
		}
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, scrum.Errorf(scrum.CodeUnavailable, "the server is shutting down")
	}
	if h.total >= h.cfg.MaxTotal || h.users[userID] >= h.cfg.MaxPerUser {
		h.mu.Unlock()
		return nil, ErrTooMany
	}
	r := h.rooms[teamID]
	if r == nil {
		r = &room{team: teamID, hub: h, subs: map[*Subscription]struct{}{}, kick: make(chan struct{}, 1), quit: make(chan struct{})}
		h.rooms[teamID] = r
	}
	r.refs++
	h.users[userID]++
	h.total++
	h.mu.Unlock()

	s := &Subscription{UserID: userID, Presence: presence, hub: h, room: r, ready: make(chan struct{}, 1)}
	r.mu.Lock()
	if !r.started {
		seq, err := h.src.LastSeq(ctx, teamID)
		if err != nil {
			r.mu.Unlock()
			h.release(r, userID)
			return nil, err
		}
		r.seq, r.started = seq, true
		go r.run()
	}
	if others != nil {
		r.setRemote(others, gen) // before s is in the room: its list will say it all
	}
	r.subs[s] = struct{}{}
	s.From = r.seq
	if presence != "" {
		r.join(s)
	}
	r.mu.Unlock()
	return s, nil
}

// CheckMember returns nil when userID is on teamID and the service's
// answer to an outsider (a not-found error naming the team) when not. It
// reads one membership row, where the service's roster check copies the
// whole roster: that copy, once per connecting client of a 500-member
// team, was most of the memory a room filling up allocated.
func (h *Hub) CheckMember(ctx context.Context, teamID, userID string) error {
	ms, ok := h.src.(MemberSource)
	if !ok {
		return ErrNoMemberCheck
	}
	if !scrum.ValidID(teamID) {
		return scrum.NotFound("team")
	}
	if err := ms.Member(ctx, teamID, userID); err != nil {
		if scrum.IsCode(err, scrum.CodeNotFound) {
			return scrum.NotFound("team")
		}
		return err
	}
	return nil
}

// Present lists the users with a live connection showing presence, on
// this instance and, with a Board, on the others.
func (h *Hub) Present(ctx context.Context, teamID, presence string) []string {
	set := map[string]bool{}
	if h.share != nil {
		others, err := h.share.board.Others(ctx, teamID, h.share.instance)
		if err != nil {
			h.log.Warn("live: presence board", "op", "read", "err", err)
		}
		for _, u := range others[presence] {
			set[u] = true
		}
	}
	h.mu.Lock()
	r := h.rooms[teamID]
	h.mu.Unlock()
	if r != nil {
		r.mu.Lock()
		for u := range r.present[presence] {
			set[u] = true
		}
		r.mu.Unlock()
	}
	return sortedKeys(set)
}

// Close leaves the room. It is safe to call more than once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		r := s.room
		r.mu.Lock()
		if _, ok := r.subs[s]; ok {
			delete(r.subs, s)
			s.end()
		}
		if s.Presence != "" {
			r.leave(s)
		}
		r.mu.Unlock()
		s.hub.release(r, s.UserID)
	})
}

func (h *Hub) release(r *room, userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.total--
	if h.users[userID]--; h.users[userID] <= 0 {
		delete(h.users, userID)
	}
	if r.refs--; r.refs == 0 {
		delete(h.rooms, r.team)
		close(r.quit)
	}
}

// Wake tells the hub that teamID has new events; "" wakes every room (after
// a lost NOTIFY connection). It never blocks.
func (h *Hub) Wake(teamID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if teamID == "" {
		for _, r := range h.rooms {
			r.wake()
		}
		return
	}
	if r := h.rooms[teamID]; r != nil {
		r.wake()
	}
}

// Connections is the number of live subscriptions.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

// Close drops every subscriber; later Subscribe calls fail.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.mu.Lock()
		for s := range r.subs {
			delete(r.subs, s)
			s.end()
		}
		r.mu.Unlock()
	}
	if h.share != nil {
		h.share.close()
	}
}

// room is one team's set of subscribers and its fan-out goroutine.
type room struct {
	team string
	hub  *Hub
	kick chan struct{}
	quit chan struct{}
	refs int // guarded by hub.mu

	mu      sync.Mutex
	started bool
	seq     int64 // last Seq fanned out; advanced only by run
	subs    map[*Subscription]struct{}
	// present counts this instance's connections per presence key and
	// user; remote is who is present at the other instances (Board).
	present   map[string]map[string]int
	remote    map[string]map[string]bool
	remoteGen int64    // the read of the board that remote came from
	scratch   []string // join's list of who is present, reused
}

// Presence frames are SSE frames without an id: presence is not replayed
// (a reconnecting client gets a fresh list instead). They are written
// straight into one buffer: a joiner's list frame grows with the room, and
// in a room of hundreds filling up its garbage was the bulk of what
// joining allocated.

// presenceList is {"key":key,"present":[list…]}, the joiner's first frame.
func presenceList(key string, list []string) *Frame {
	n := len(key) + 64
	for _, u := range list {
		n += len(u) + 3
	}
	b := presenceStart(make([]byte, 0, n), key, "present")
	b = append(b, '[')
	for i, u := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, u)
	}
	b = append(b, "]}\n\n"...)
	return &Frame{Type: "presence", SSE: b}
}

// presenceDelta is {"key":key,field:userID}, field "joined" or "left".
func presenceDelta(key, field, userID string) *Frame {
	b := presenceStart(make([]byte, 0, len(key)+len(userID)+64), key, field)
	b = appendJSONString(b, userID)
	b = append(b, "}\n\n"...)
	return &Frame{Type: "presence", SSE: b}
}

func presenceStart(b []byte, key, field string) []byte {
	b = append(b, "event: presence\ndata: {\"key\":"...)
	b = appendJSONString(b, key)
	b = append(b, ',')
	b = appendJSONString(b, field)
	return append(b, ':')
}

// appendJSONString appends s as a JSON string. Keys and user ids are
// plain ASCII ids; anything else is escaped as encoding/json would.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// join counts s as present and tells the others; the caller holds r.mu.
func (r *room) join(s *Subscription) {
	if r.present == nil {
		r.present = map[string]map[string]int{}
	}
	users := r.present[s.Presence]
	if users == nil {
		users = map[string]int{}
		r.present[s.Presence] = users
	}
	users[s.UserID]++
	remote := r.remote[s.Presence]
	// The sorted list is built in the room's scratch slice, which only
	// this lock's holder uses: the frame is the one allocation.
	list := r.scratch[:0]
	for u := range users {
		list = append(list, u)
	}
	for u := range remote {
		if users[u] == 0 {
			list = append(list, u)
		}
	}
	slices.Sort(list)
	r.send(s, presenceList(s.Presence, list))
	clear(list)
	r.scratch = list[:0]
	if users[s.UserID] == 1 {
		if sh := r.hub.share; sh != nil {
			sh.set(boardOp{team: r.team, key: s.Presence, user: s.UserID, present: true})
		}
		if !remote[s.UserID] {
			r.tell(s, presenceDelta(s.Presence, "joined", s.UserID))
		}
	}
}

// leave uncounts s and, after a person's last connection, tells the
// others; the caller holds r.mu.
func (r *room) leave(s *Subscription) {
	users := r.present[s.Presence]
	if users[s.UserID]--; users[s.UserID] > 0 {
		return
	}
	delete(users, s.UserID)
	if len(users) == 0 {
		delete(r.present, s.Presence)
	}
	if sh := r.hub.share; sh != nil {
		sh.set(boardOp{team: r.team, key: s.Presence, user: s.UserID, present: false})
	}
	if !r.remote[s.Presence][s.UserID] {
		r.tell(s, presenceDelta(s.Presence, "left", s.UserID))
	}
}

// tell sends f to every subscriber on the same presence key but s.
func (r *room) tell(s *Subscription, f *Frame) {
	for o := range r.subs {
		if o != s && o.Presence == s.Presence {
			r.send(o, f)
		}
	}
}

// send queues f for s, dropping s when it is too slow; the caller holds
// r.mu.
func (r *room) send(s *Subscription, f *Frame) {
	if _, ok := r.subs[s]; !ok {
		return
	}
	if !s.push(f, r.hub.cfg.Buffer) {
		delete(r.subs, s)
		s.end()
	}
}

func (r *room) wake() {
	select {
	case r.kick <- struct{}{}:
	default: // a wake is already pending; it will read everything new
	}
}

func (r *room) run() {
	for {
		select {
		case <-r.kick:
			r.fanOut()
		case <-r.quit:
			return
		}
	}
}

const fetchBatch = 500

// fanOut reads the events after the room's Seq and sends them to every
// subscriber allowed to see them. The read happens outside the lock so
// joining clients are never held up by the database.
func (r *room) fanOut() {
	for {
		r.mu.Lock()
		after := r.seq
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		es, err := r.hub.src.Events(ctx, r.team, after, fetchBatch)
		cancel()
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				r.hub.log.Warn("live: read events", "team", r.team, "err", err)
			}
			return
		}
		r.mu.Lock()
		for _, e := range es {
			if e.Seq <= r.seq {
				continue
			}
			f := Encode(e)
			for s := range r.subs {
				if f.Visible(s.UserID) {
					r.send(s, &f) // too slow: dropped rather than buffered without bound
				}
			}
			if e.Type == scrum.EventMemberRemoved {
				r.dropUser(e.SubjectID)
			}
			r.seq = e.Seq
		}
		r.mu.Unlock()
		if len(es) < fetchBatch {
			return
		}
	}
}

// dropUser closes the streams of someone who left the team, after they got
// the event telling them so.
func (r *room) dropUser(userID string) {
	for s := range r.subs {
		if s.UserID == userID {
			delete(r.subs, s)
			s.end()
		}
	}
}
