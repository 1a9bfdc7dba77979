// Package auth resolves who is calling: a bearer token (session or personal
// access token) or the browser's session cookie. The actor travels in the
// request context to the api and web packages.
package auth

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// CookieName is the browser session cookie.
const CookieName = "tandem_session"

type ctxKey struct{}

// Info is what the middleware learned about a request.
type Info struct {
	Actor      scrum.Actor
	Err        error // why credentials were refused, when some were given
	FromCookie bool  // authenticated by the session cookie (CSRF rules apply)
	Secret     string
}

// From returns the request's auth info.
func From(ctx context.Context) Info {
	i, _ := ctx.Value(ctxKey{}).(Info)
	return i
}

// Actor returns the authenticated actor, or ok=false.
func Actor(ctx context.Context) (scrum.Actor, bool) {
	i := From(ctx)
	return i.Actor, i.Actor.User.ID != ""
}

// WithInfo returns ctx carrying i (for tests and the middleware).
func WithInfo(ctx context.Context, i Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, i)
}

// Authenticator is the part of scrum.Service the middleware needs.
type Authenticator interface {
	Authenticate(ctx context.Context, secret, ip string) (scrum.Actor, error)
}

// Middleware resolves credentials, if any, and stores the result. It
// refuses nothing itself: handlers decide whether they need an actor.
type Middleware struct {
	Auth Authenticator
	// TrustedProxies are the addresses allowed to set X-Forwarded-For.
	TrustedProxies []netip.Prefix
}

// Wrap returns next with auth info in every request's context.
func (m Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := m.ClientIP(r)
		info := Info{Actor: scrum.Actor{IP: ip}}
		secret, fromCookie := credentials(r)
		if secret != "" {
			a, err := m.Auth.Authenticate(r.Context(), secret, ip)
			if err != nil {
				info.Err = err
			} else {
				info.Actor, info.FromCookie, info.Secret = a, fromCookie, secret
			}
		}
		next.ServeHTTP(w, r.WithContext(WithInfo(r.Context(), info)))
	})
}

func credentials(r *http.Request) (secret string, fromCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return strings.TrimSpace(h[7:]), false
		}
		return "invalid", false // a malformed header is bad credentials, not none
	}
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

// ClientIP is the peer address, or the right-most untrusted address of
// X-Forwarded-For when the peer is a trusted proxy. Spoofed headers from
// anyone else are ignored, so throttles cannot be dodged by rotating them.
func (m Middleware) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !m.trusted(peer) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !m.trusted(a) {
			return a.String()
		}
	}
	return peer.String()
}

func (m Middleware) trusted(a netip.Addr) bool {
	for _, p := range m.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// SetCookie stores a session secret in the browser. Secure is set when the
// site is served over TLS (directly or behind a TLS proxy).
func SetCookie(w http.ResponseWriter, secret string, secure bool, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds())})
}

// ClearCookie removes the session cookie.
func ClearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
