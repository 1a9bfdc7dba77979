package scrum

import (
	"context"
	"time"
)

// Store is the persistence the Service uses. Implementations decide how to
// read and write, never whether: every rule lives in the Service.
type Store interface {
	// Update runs fn in one write transaction: everything fn writes,
	// including event rows, commits together or not at all. A returned
	// error from fn rolls its writes back and is returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn with read-only access.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is the data access available inside Update and View. Lookups of a
// single record return a CodeNotFound error when it does not exist, never a
// zero value; unique-key violations return CodeConflict.
type Tx interface {
	// Now is the time of this transaction, fixed when it starts.
	Now() time.Time
	// ReadOnly reports whether this is a View: reads of committed state
	// only, which caches may keep.
	ReadOnly() bool
	UserTx
	TeamTx
	EventTx
	ThrottleTx
	ItemTx
	ReadyTx
	RankTx
	BacklogTx
	ItemViewTx
	EstimationTx
}

// Page asks for one page of a list: after the opaque cursor, at most Limit.
type Page struct {
	Cursor string
	Limit  int
}

// UserTx stores accounts, sessions and tokens.
type UserTx interface {
	CountUsers(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, u User, passwordHash string) error
	// User returns CodeNotFound for an unknown id.
	User(ctx context.Context, id string) (User, error)
	// UserByEmail returns the user and password hash, or CodeNotFound.
	UserByEmail(ctx context.Context, email string) (User, string, error)

	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with the hash, or CodeNotFound.
	Session(ctx context.Context, hash string) (Session, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID string) error

	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns CodeNotFound for an unknown hash.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context, userID string) ([]Token, error)
	TouchToken(ctx context.Context, id string, at time.Time) error
	// DeleteToken returns CodeNotFound unless userID owns the token.
	DeleteToken(ctx context.Context, userID, id string) error
}

// TeamTx stores teams, memberships, the responsibility map and invites.
type TeamTx interface {
	CreateTeam(ctx context.Context, t Team) error
	// Team returns CodeNotFound for an unknown id.
	Team(ctx context.Context, id string) (Team, error)
	// UpdateTeam writes t when the stored version is t.Version-1; it
	// returns CodeConflict (with the current version) otherwise.
	UpdateTeam(ctx context.Context, t Team) error
	// TeamsOf lists the teams userID belongs to, by name, each with what
	// they hold on it. CodeInvalid for a bad cursor.
	TeamsOf(ctx context.Context, userID string, p Page) ([]MyTeam, string, error)
	// RosterVersion changes whenever the team's name, members or map do
	// (the store bumps it in the same transaction); CodeNotFound for an
	// unknown team.
	RosterVersion(ctx context.Context, teamID string) (int64, error)
	// LockTeam serialises writers of one team until the transaction ends,
	// so event sequence numbers and ranks are assigned in commit order. A
	// no-op where the engine has a single writer.
	LockTeam(ctx context.Context, teamID string) error

	// Members lists a team's members by name.
	Members(ctx context.Context, teamID string) ([]Member, error)
	// Member returns CodeNotFound when userID is not on the team.
	Member(ctx context.Context, teamID, userID string) (Member, error)
	// PutMember inserts a member (Version 1) or updates one whose stored
	// version is m.Version-1; a second product_owner is CodeConflict.
	PutMember(ctx context.Context, m Member) error
	DeleteMember(ctx context.Context, teamID, userID string) error
	CountTeamsOf(ctx context.Context, userID string) (int, error)

	// Responsibilities returns the team's stored map entries (without
	// defaults; see NewRoster).
	Responsibilities(ctx context.Context, teamID string) ([]Responsibility, error)
	// PutResponsibility upserts an entry whose stored version is
	// r.Version-1 (0 when it was never stored); CodeConflict otherwise.
	PutResponsibility(ctx context.Context, teamID string, r Responsibility) error

	CreateInvite(ctx context.Context, in Invite) error
	// InviteByHash returns CodeNotFound for an unknown hash.
	InviteByHash(ctx context.Context, hash string) (Invite, error)
	// UseInvite counts one use of the invite.
	UseInvite(ctx context.Context, id string) error
}

// EventTx appends and reads team events and the audit log.
type EventTx interface {
	// AppendEvent assigns e the team's next Seq and stores it.
	AppendEvent(ctx context.Context, e Event) (Event, error)
	// Events returns up to limit events of a team with Seq > after, in
	// order, that viewerID may see: those for the whole team and those
	// addressed to them. The filter is in the query, so a full page means
	// there may be more.
	Events(ctx context.Context, teamID, viewerID string, after int64, limit int) ([]Event, error)
	// AllEvents is Events whatever the audience, for the live hub, which
	// fans every event out and filters per subscriber.
	AllEvents(ctx context.Context, teamID string, after int64, limit int) ([]Event, error)
	// LastEventSeq is the highest Seq of the team, 0 when none.
	LastEventSeq(ctx context.Context, teamID string) (int64, error)

	// SubjectEvents lists the events about one subject that viewerID may
	// see, oldest first, a page at a time. CodeInvalid for a bad cursor.
	SubjectEvents(ctx context.Context, teamID, subjectID, viewerID string, p Page) ([]Event, string, error)

	AppendAudit(ctx context.Context, a AuditEntry) error
	// Audit lists a team's audit entries, newest first.
	Audit(ctx context.Context, teamID string, p Page) ([]AuditEntry, string, error)
}

// ThrottleTx keeps the counters behind login throttling in the database,
// so every instance sharing it enforces one limit.
type ThrottleTx interface {
	// Throttle returns the counter for key (zero when absent).
	Throttle(ctx context.Context, key string) (Throttle, error)
	PutThrottle(ctx context.Context, t Throttle) error
	DeleteThrottle(ctx context.Context, key string) error
}

// Throttle is a counter of attempts for one key ("ip:…" or "acct:…").
type Throttle struct {
	Key          string
	Count        int
	WindowStart  time.Time
	BlockedUntil time.Time
}
