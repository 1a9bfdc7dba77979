package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/internal/problem"
)

// Mux records the route pattern of each request for logs and metrics, by
// wrapping every handler at registration.
type Mux struct {
	*http.ServeMux
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ri := infoFrom(r.Context()); ri != nil {
			ri.route = pattern
		}
		h.ServeHTTP(w, r)
	}))
}

// HandleFunc registers f for pattern.
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

type reqInfoKey struct{}

// reqInfo is filled in as a request travels inward and read on its way out.
type reqInfo struct {
	id    string
	route string
}

func infoFrom(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return ri
}

// RequestID returns the id the server gave the request.
func RequestID(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// statusWriter remembers the status and size of a response. It forwards
// Flush and Unwrap so streaming and http.ResponseController still work.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// secretInPath matches session, token and invite secrets, which must never
// reach a log.
var secretInPath = regexp.MustCompile(`td[spi]_[a-z2-7]+`)

// redactPath hides the secrets in a request path.
func redactPath(p string) string {
	if !strings.Contains(p, "_") {
		return p // every secret has one; most paths have none
	}
	return secretInPath.ReplaceAllString(p, "td*_REDACTED")
}

// observe gives each request an id, logs one line when it ends and records
// its metrics.
func observe(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: newRequestID()}
		w.Header().Set("X-Request-Id", ri.id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		if sw.Header().Get("Content-Length") != "" {
			// The response is whole: send it now, so that the client does
			// not wait for the log line and the metrics.
			sw.Flush()
		}
		route := ri.route
		if route == "" {
			route = "unmatched"
		}
		m.observe(route, r.Method, sw.status, elapsed)
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", ri.id),
			slog.String("method", r.Method),
			slog.String("path", redactPath(r.URL.Path)),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", elapsed),
			slog.String("remote", r.RemoteAddr))
	})
}

// newRequestID returns 16 random hex digits. A request id only needs to
// be unique, not secret, so it comes from the runtime's fast generator.
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection, and counts it.
func recoverPanics(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil || p == http.ErrAbortHandler {
				if p != nil {
					panic(p)
				}
				return
			}
			m.panics.Inc()
			log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()), "request_id", RequestID(r.Context()))
			problem.Write(w, r, log, fmt.Errorf("panic: %v", p))
		}()
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy allows only the site's own scripts, styles and
// images: no inline script, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders sets the same headers on every response. Their values
// are built once and shared: net/http only reads them, and a handler that
// sets one replaces the slice rather than writing into it.
func securityHeaders(tls bool, next http.Handler) http.Handler {
	headers := http.Header{}
	headers.Set("Content-Security-Policy", ContentSecurityPolicy)
	headers.Set("X-Content-Type-Options", "nosniff")
	headers.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	headers.Set("X-Frame-Options", "DENY")
	headers.Set("Cross-Origin-Opener-Policy", "same-origin")
	headers.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if tls {
		headers.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	for k, v := range headers {
		headers[k] = slices.Clip(v)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range headers {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests from other origins (CSRF),
// answering with a problem body.
func crossOrigin(log *slog.Logger, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, log, &problem.HTTPError{Status: http.StatusForbidden,
			Detail: "cross-origin request refused: state changes must come from this site"})
	}))
	return cop.Handler(next)
}

func itoa(n int) string { return strconv.Itoa(n) }
