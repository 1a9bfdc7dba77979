package scrum

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Hasher hashes and verifies passwords (argon2id in production).
type Hasher interface {
	Hash(password string) (string, error)
	Verify(hash, password string) (bool, error)
}

// Config holds the Service's dependencies and policies. Zero policy values
// take the defaults documented on each field.
type Config struct {
	Store  Store
	Hasher Hasher
	// Log receives background failures (default slog.Default()).
	Log *slog.Logger

	// ClosedSignup refuses signups after the first (admin) account.
	ClosedSignup bool
	// SessionTTL is a session's absolute lifetime (default 30 days);
	// SessionIdle ends a session unused for that long (default 7 days).
	SessionTTL  time.Duration
	SessionIdle time.Duration
	// AuthPerIPPerMinute caps signup and login attempts per client address
	// (default 10, as GitLab's protected paths).
	AuthPerIPPerMinute int
	// FreeFailures is how many wrong passwords an account takes before
	// each further attempt waits, doubling up to MaxBackoff (defaults 5
	// and 15 minutes). There is no hard lockout, so an attacker cannot
	// lock a victim out for long.
	FreeFailures int
	MaxBackoff   time.Duration
	// AuthCacheTTL is how long a verified credential is trusted without a
	// database lookup (default 1 s; negative disables). Sign-out and
	// revocation take effect at once on the instance that handles them.
	AuthCacheTTL time.Duration
	// RosterCacheTTL is how long a read trusts a cached team roster
	// without checking its version (default 1 s; negative disables).
	// Changes made on this instance show at once; see rosterCache.
	RosterCacheTTL time.Duration
}

// Service holds every rule of Tandem: who may do what, what is valid, and
// which events a change emits. Adapters (HTTP, CLI) call it; stores serve it.
type Service struct {
	store   Store
	hasher  Hasher
	cfg     Config
	auth    *authCache
	rosters *rosterCache

	dummyOnce sync.Once
	dummy     string // a hash verified for unknown emails, so timing does not tell

	bg          sync.WaitGroup // background work, such as rebalancing
	rebalancing sync.Map       // team id → true while its ranks are being respread
}

// dummyHash is made on first use, keeping start-up fast.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.hasher.Hash(NewSecret("")) })
	return s.dummy
}

// NewService returns a Service for cfg.
func NewService(cfg Config) (*Service, error) {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 7 * 24 * time.Hour
	}
	if cfg.AuthPerIPPerMinute == 0 {
		cfg.AuthPerIPPerMinute = 10
	}
	if cfg.FreeFailures == 0 {
		cfg.FreeFailures = 5
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 15 * time.Minute
	}
	if cfg.AuthCacheTTL == 0 {
		cfg.AuthCacheTTL = time.Second
	}
	if cfg.RosterCacheTTL == 0 {
		cfg.RosterCacheTTL = time.Second
	}
	return &Service{store: cfg.Store, hasher: cfg.Hasher, cfg: cfg, auth: newAuthCache(cfg.AuthCacheTTL), rosters: newRosterCache()}, nil
}

// Actor is who is making a request.
type Actor struct {
	User        User
	SessionHash string // set when authenticated by a session
	TokenID     string // set when authenticated by an access token
	IP          string
}

// teamWrite runs fn in a write transaction on one team, after locking the
// team, loading its roster and checking that the actor holds need ("" for
// any member). Refusals are audited. fn must not modify the roster's
// slices: they may be the roster cache's own (see rosterCache.get).
func (s *Service) teamWrite(ctx context.Context, actor Actor, teamID, need string, fn func(Tx, Roster) error) error {
	s.warmRoster(ctx, teamID)
	var denied error
	err := s.store.Update(ctx, func(tx Tx) error {
		if ValidID(teamID) {
			if err := tx.LockTeam(ctx, teamID); err != nil {
				return err
			}
		}
		r, err := s.roster(ctx, tx, actor, teamID)
		if err != nil {
			return err
		}
		if need != "" {
			if err := r.Authorize(actor.User.ID, need); err != nil {
				denied = err
				return err
			}
		}
		return fn(tx, r)
	})
	if denied != nil && err == denied {
		s.auditDenied(ctx, actor, teamID, need)
	}
	if need == RespTeamAdministration {
		s.rosters.drop(teamID) // the roster may have changed; readers here must see it at once
	}
	return err
}

// warmRoster reads the team's roster into the cache, outside the write,
// unless it was checked within the cache's TTL. Writes only check the
// roster's version and take the cached copy when it matches; without
// this, a team nobody was reading loaded the whole roster inside every
// write, on the one connection all writes share.
func (s *Service) warmRoster(ctx context.Context, teamID string) {
	if s.cfg.RosterCacheTTL <= 0 || !ValidID(teamID) {
		return
	}
	if s.rosters.checkedWithin(teamID, s.cfg.RosterCacheTTL, time.Now()) {
		return
	}
	// A failed read changes nothing: the write loads what it needs.
	_ = s.store.View(ctx, func(tx Tx) error {
		_, err := s.loadRoster(ctx, tx, teamID)
		return err
	})
}

func (s *Service) auditDenied(ctx context.Context, actor Actor, teamID, need string) {
	// Best effort: a failure to audit a refusal must not turn it into a 500.
	_ = s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, AuditEntry{At: tx.Now(), ActorID: actor.User.ID, TeamID: teamID,
			Action: AuditDenied, Target: need, Detail: "was refused: it needs " + need, IP: actor.IP})
	})
}

// emit appends an event built from payload.
func emit(ctx context.Context, tx Tx, teamID, typ, subject, actorID string, payload any) error {
	e, err := NewEvent(teamID, typ, subject, actorID, payload)
	if err != nil {
		return err
	}
	e.At = tx.Now()
	_, err = tx.AppendEvent(ctx, e)
	return err
}

// AuditMaintenance records what an operator did at the console (a backup,
// a restore): there is no signed-in actor, detail says who and where.
func (s *Service) AuditMaintenance(ctx context.Context, action, target, detail string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		return audit(ctx, tx, Actor{}, "", action, target, detail)
	})
}

func audit(ctx context.Context, tx Tx, actor Actor, teamID, action, target, detail string) error {
	return tx.AppendAudit(ctx, AuditEntry{At: tx.Now(), ActorID: actor.User.ID, TeamID: teamID,
		Action: action, Target: target, Detail: detail, IP: actor.IP})
}

// checkVersion compares an expected version (0 = not given) with the
// stored one.
func checkVersion(what string, want, have int) error {
	if want == Unsaved && have != 0 || want > 0 && want != have {
		return Stale(what, have)
	}
	return nil
}

// Unsaved is the version a client expects of something never saved, such
// as a product goal or Definition of Ready still at its defaults (they
// read as version 0, ETag "v0"). A version of 0 itself means "not given".
const Unsaved = -1
