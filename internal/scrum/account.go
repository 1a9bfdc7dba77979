package scrum

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Secret prefixes tell a session token from a personal access token.
const (
	SessionPrefix = "tds_"
	TokenPrefix   = "tdp_"
	InvitePrefix  = "tdi_"
)

// SignUp is the input of Service.SignUp.
type SignUp struct {
	Email    string
	Name     string
	Password string
}

// SignUp creates an account and signs it in. The first account on a fresh
// site is the site admin; later ones follow the registration setting.
func (s *Service) SignUp(ctx context.Context, in SignUp, ip string) (User, string, error) {
	var v Validation
	in.Email = normalizeEmail("email", in.Email, &v)
	in.Name = normalizeName("name", in.Name, MaxNameLen, &v)
	checkPassword("password", in.Password, &v)
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	if err := s.throttleIP(ctx, ip); err != nil {
		return User{}, "", err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return User{}, "", err
	}
	var u User
	secret := NewSecret(SessionPrefix)
	err = s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 && s.cfg.ClosedSignup {
			return Errorf(CodeForbidden, "sign-up is closed on this site; ask an admin for an account")
		}
		u = User{ID: NewID(), Email: in.Email, Name: in.Name, SiteAdmin: n == 0, Version: 1, CreatedAt: tx.Now()}
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			if IsCode(err, CodeConflict) {
				return Invalid("email", "an account with this email already exists; sign in instead")
			}
			return err
		}
		if err := s.startSession(ctx, tx, u.ID, secret); err != nil {
			return err
		}
		return audit(ctx, tx, Actor{User: u, IP: ip}, "", AuditSignup, u.ID, "signed up")
	})
	if err != nil {
		return User{}, "", err
	}
	return u, secret, nil
}

// CreateUser makes an account from the command line (no throttle, no
// session).
func (s *Service) CreateUser(ctx context.Context, in SignUp, admin bool) (User, error) {
	var v Validation
	in.Email = normalizeEmail("email", in.Email, &v)
	in.Name = normalizeName("name", in.Name, MaxNameLen, &v)
	checkPassword("password", in.Password, &v)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.store.Update(ctx, func(tx Tx) error {
		u = User{ID: NewID(), Email: in.Email, Name: in.Name, SiteAdmin: admin, Version: 1, CreatedAt: tx.Now()}
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			if IsCode(err, CodeConflict) {
				return Invalid("email", "an account with this email already exists")
			}
			return err
		}
		return audit(ctx, tx, Actor{User: u}, "", AuditSignup, u.ID, "created from the command line")
	})
	return u, err
}

// Login checks a password and starts a session. Wrong email and wrong
// password get the same answer in about the same time.
func (s *Service) Login(ctx context.Context, email, password, ip string) (User, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var v Validation
	v.Check(email != "", "email", "email is required")
	// The address becomes a throttle key: bound it, and keep it text that
	// every engine stores.
	v.Check(len(email) <= MaxEmailLen, "email", "email is longer than %d characters", MaxEmailLen)
	v.Check(utf8.ValidString(email), "email", "email is not valid UTF-8")
	v.Check(password != "", "password", "password is required")
	v.Check(len(password) <= MaxPasswordLen, "password", "password is longer than %d bytes", MaxPasswordLen)
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	if err := s.throttleIP(ctx, ip); err != nil {
		return User{}, "", err
	}
	acctKey := "acct:" + email
	var u User
	var hash string
	err := s.store.View(ctx, func(tx Tx) error {
		t, err := tx.Throttle(ctx, acctKey)
		if err != nil {
			return err
		}
		if wait := t.BlockedUntil.Sub(tx.Now()); wait > 0 {
			return &Error{Code: CodeThrottled, RetryAfter: wait,
				Message: "too many failed sign-ins for this account; wait and try again"}
		}
		u, hash, err = tx.UserByEmail(ctx, email)
		if IsCode(err, CodeNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		if IsCode(err, CodeThrottled) {
			s.auditAuth(ctx, "", ip, AuditThrottled, email, "account back-off")
		}
		return User{}, "", err
	}
	ok := false
	if u.ID == "" {
		_, _ = s.hasher.Verify(s.dummyHash(), password)
	} else {
		ok, err = s.hasher.Verify(hash, password)
		if err != nil {
			return User{}, "", err
		}
	}
	if !ok || u.Deactivated {
		if err := s.recordFailure(ctx, acctKey, u.ID, ip, email); err != nil {
			return User{}, "", err
		}
		return User{}, "", Errorf(CodeUnauthenticated, "email or password is wrong")
	}
	secret := NewSecret(SessionPrefix)
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteThrottle(ctx, acctKey); err != nil {
			return err
		}
		if err := s.startSession(ctx, tx, u.ID, secret); err != nil {
			return err
		}
		return audit(ctx, tx, Actor{User: u, IP: ip}, "", AuditLogin, u.ID, "signed in")
	})
	if err != nil {
		return User{}, "", err
	}
	return u, secret, nil
}

func (s *Service) startSession(ctx context.Context, tx Tx, userID, secret string) error {
	now := tx.Now()
	return tx.CreateSession(ctx, Session{Hash: HashSecret(secret), UserID: userID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)})
}

// throttleIP counts one auth attempt from ip in a one-minute window.
func (s *Service) throttleIP(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	key := "ip:" + ip
	var wait time.Duration
	err := s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		t, err := tx.Throttle(ctx, key)
		if err != nil {
			return err
		}
		if now.Sub(t.WindowStart) >= time.Minute {
			t = Throttle{Key: key, WindowStart: now}
		}
		t.Count++
		if t.Count > s.cfg.AuthPerIPPerMinute {
			wait = t.WindowStart.Add(time.Minute).Sub(now)
			if err := audit(ctx, tx, Actor{IP: ip}, "", AuditThrottled, ip, "per-address limit"); err != nil {
				return err
			}
		}
		return tx.PutThrottle(ctx, t)
	})
	if err != nil {
		return err
	}
	if wait > 0 {
		return &Error{Code: CodeThrottled, RetryAfter: wait,
			Message: "too many sign-in attempts from your address; wait a minute and try again"}
	}
	return nil
}

// recordFailure counts a wrong password; after FreeFailures each further
// failure doubles the wait before the account can be tried again.
func (s *Service) recordFailure(ctx context.Context, key, userID, ip, email string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		t, err := tx.Throttle(ctx, key)
		if err != nil {
			return err
		}
		t.Key = key
		t.Count++
		t.WindowStart = now
		if over := t.Count - s.cfg.FreeFailures; over > 0 {
			wait := time.Second << min(over-1, 20)
			t.BlockedUntil = now.Add(min(wait, s.cfg.MaxBackoff))
		}
		if err := tx.PutThrottle(ctx, t); err != nil {
			return err
		}
		return audit(ctx, tx, Actor{User: User{ID: userID}, IP: ip}, "", AuditLoginFailed, email, "wrong email or password")
	})
}

func (s *Service) auditAuth(ctx context.Context, userID, ip, action, target, detail string) {
	_ = s.store.Update(ctx, func(tx Tx) error {
		return audit(ctx, tx, Actor{User: User{ID: userID}, IP: ip}, "", action, target, detail)
	})
}

// Logout ends the actor's session.
func (s *Service) Logout(ctx context.Context, actor Actor) error {
	if actor.SessionHash == "" {
		return Errorf(CodeInvalid, "only a session can be signed out; revoke access tokens instead")
	}
	gone := func(hash string, _ Actor) bool { return hash == actor.SessionHash }
	s.auth.drop(gone)
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteSession(ctx, actor.SessionHash); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "", AuditLogout, actor.User.ID, "signed out")
	})
	// Again after the commit: a request racing the sign-out may have
	// cached the session in between.
	s.auth.drop(gone)
	return err
}

// touchEvery limits last-seen writes to one per session per minute, so
// authenticated reads stay reads.
const touchEvery = time.Minute

// Authenticate resolves a session token or access token to an actor.
func (s *Service) Authenticate(ctx context.Context, secret, ip string) (Actor, error) {
	bad := Errorf(CodeUnauthenticated, "sign in first: the credentials are missing, wrong or expired")
	hash := HashSecret(secret)
	if a, ok := s.auth.get(hash); ok {
		a.IP = ip
		return a, nil
	}
	var a Actor
	var touch func(Tx) error
	err := s.store.View(ctx, func(tx Tx) error {
		now := tx.Now()
		var userID string
		switch {
		case strings.HasPrefix(secret, SessionPrefix):
			ss, err := tx.Session(ctx, hash)
			if err != nil {
				return err
			}
			if now.After(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) > s.cfg.SessionIdle {
				return bad
			}
			userID, a.SessionHash = ss.UserID, hash
			if now.Sub(ss.LastSeenAt) > touchEvery {
				touch = func(tx Tx) error { return tx.TouchSession(ctx, hash, tx.Now()) }
			}
		case strings.HasPrefix(secret, TokenPrefix):
			t, err := tx.TokenByHash(ctx, hash)
			if err != nil {
				return err
			}
			userID, a.TokenID = t.UserID, t.ID
			if now.Sub(t.LastUsedAt) > touchEvery {
				touch = func(tx Tx) error { return tx.TouchToken(ctx, t.ID, tx.Now()) }
			}
		default:
			return bad
		}
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		if u.Deactivated {
			return bad
		}
		a.User, a.IP = u, ip
		return nil
	})
	if IsCode(err, CodeNotFound) {
		return Actor{}, bad
	}
	if err != nil {
		return Actor{}, err
	}
	if touch != nil {
		if err := s.store.Update(ctx, touch); err != nil && !IsCode(err, CodeNotFound) {
			return Actor{}, err
		}
	}
	s.auth.put(hash, a)
	return a, nil
}

// MaxTokenNameLen caps access token names.
const MaxTokenNameLen = 80

// CreateToken makes a personal access token; the secret is returned once.
func (s *Service) CreateToken(ctx context.Context, actor Actor, name string) (Token, string, error) {
	var v Validation
	name = normalizeName("name", name, MaxTokenNameLen, &v)
	if err := v.Err(); err != nil {
		return Token{}, "", err
	}
	secret := NewSecret(TokenPrefix)
	var t Token
	err := s.store.Update(ctx, func(tx Tx) error {
		ts, err := tx.Tokens(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		if len(ts) >= MaxTokensPerUser {
			return Invalid("name", "you already have %d tokens; revoke one first", len(ts))
		}
		t = Token{ID: NewID(), UserID: actor.User.ID, Name: name, Hash: HashSecret(secret), CreatedAt: tx.Now()}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "", AuditTokenCreated, t.ID, "created token "+name)
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// Tokens lists the actor's access tokens.
func (s *Service) Tokens(ctx context.Context, actor Actor) ([]Token, error) {
	var ts []Token
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		ts, err = tx.Tokens(ctx, actor.User.ID)
		return err
	})
	return ts, err
}

// RevokeToken deletes one of the actor's tokens.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, id string) error {
	if !ValidID(id) {
		return NotFound("token")
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteToken(ctx, actor.User.ID, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "", AuditTokenRevoked, id, "revoked token")
	})
	if err == nil {
		s.auth.drop(func(_ string, a Actor) bool { return a.TokenID == id })
	}
	return err
}
