package scrum

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is one change to a team, written in the same transaction as the
// change itself. Seq increases by one per team, so a client that knows the
// last Seq it saw can resume exactly.
type Event struct {
	TeamID    string
	Seq       int64
	Type      string
	SubjectID string // the changed resource (item, member, responsibility…)
	ActorID   string
	Audience  string // a user id when only that user may see it; "" for the team
	Data      []byte // JSON; its shape per Type is the live-event contract
	At        time.Time
}

// Event types of the foundation. Later areas add their own.
const (
	EventTeamUpdated           = "team.updated"
	EventMemberJoined          = "member.joined"
	EventMemberUpdated         = "member.updated"
	EventMemberRemoved         = "member.removed"
	EventResponsibilityChanged = "responsibility.changed"
)

// NewEvent builds an event whose Data is the JSON of payload. Payload types
// are plain structs with json tags: they are the wire contract of the live
// stream and are stored as they are sent.
func NewEvent(teamID, typ, subjectID, actorID string, payload any) (Event, error) {
	var b []byte
	if a, ok := payload.(jsonAppender); ok {
		b = a.AppendJSON(make([]byte, 0, 512))
	} else {
		var err error
		if b, err = json.Marshal(payload); err != nil {
			return Event{}, fmt.Errorf("encode %s event: %w", typ, err)
		}
	}
	return Event{TeamID: teamID, Type: typ, SubjectID: subjectID, ActorID: actorID, Data: b}, nil
}

// jsonAppender is a payload that encodes itself exactly as json.Marshal
// would, only faster.
type jsonAppender interface{ AppendJSON([]byte) []byte }

// OwnerPayload is the JSON form of an Owner.
type OwnerPayload struct {
	Accountability Accountability `json:"accountability,omitempty"`
	UserID         string         `json:"user_id,omitempty"`
	Name           string         `json:"name,omitempty"`
}

// MemberPayload is the JSON form of a member in events.
type MemberPayload struct {
	UserID           string           `json:"user_id"`
	Name             string           `json:"name"`
	Accountabilities []Accountability `json:"accountabilities"`
	Version          int              `json:"version"`
}

// ResponsibilityPayload is the data of responsibility.changed.
type ResponsibilityPayload struct {
	Key     string       `json:"key"`
	From    OwnerPayload `json:"from"`
	To      OwnerPayload `json:"to"`
	Version int          `json:"version"`
}

// AuditEntry is one line of the append-only audit log: who did what, when.
type AuditEntry struct {
	ID      int64
	At      time.Time
	ActorID string
	Actor   string // display name at read time
	TeamID  string // "" for site-level entries such as logins
	Action  string
	Target  string
	Detail  string // human-readable: "facilitation.retrospective: Scrum Master → Lena Vogel"
	IP      string
}

// Audit actions.
const (
	AuditSignup           = "account.signup"
	AuditLogin            = "auth.login"
	AuditLoginFailed      = "auth.login_failed"
	AuditLogout           = "auth.logout"
	AuditThrottled        = "auth.throttled"
	AuditTokenCreated     = "token.created"
	AuditTokenRevoked     = "token.revoked"
	AuditTeamCreated      = "team.created"
	AuditTeamRenamed      = "team.renamed"
	AuditInviteCreated    = "invite.created"
	AuditInviteAccepted   = "invite.accepted"
	AuditMemberChanged    = "member.accountabilities"
	AuditMemberRemoved    = "member.removed"
	AuditResponsibility   = "responsibility.reassigned"
	AuditProductOwnerMove = "product_owner.transferred"
	AuditDenied           = "authz.denied"
	AuditBackup           = "data.backup"  // by an operator at the console: no actor
	AuditRestore          = "data.restore" // the same
)
