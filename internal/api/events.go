package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tandemhq/tandem/internal/live"
	"github.com/tandemhq/tandem/internal/scrum"
)

// MaxReplay is how many missed events a reconnecting client may replay;
// further behind, it is told to reload instead.
const MaxReplay = 5000

// events streams a team's events as Server-Sent Events. A client resumes
// with the Last-Event-ID header (browsers send it on reconnect) or
// ?after=; without either it gets only new events, having just loaded a
// fresh snapshot.
func (a *API) events(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := actor(r)
	team := r.PathValue("team")
	after, err := resumePoint(r)
	if err != nil {
		return err
	}
	// Membership is checked before joining: outsiders get a 404. The hub
	// reads the one membership row; the service's check copies the roster.
	if err := a.hub.CheckMember(ctx, team, me.User.ID); errors.Is(err, live.ErrNoMemberCheck) {
		if _, err := a.svc.Members(ctx, me, team); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	presence := r.URL.Query().Get("presence")
	if presence != "" {
		if err := a.svc.CheckPresenceRoom(ctx, team, presence); err != nil {
			return err
		}
	}
	sub, err := a.hub.SubscribePresent(ctx, team, me.User.ID, presence)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	secret, ip := secretOf(r), me.IP
	allowed := func() bool {
		// A revoked session or a removed member stops receiving.
		actx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := a.svc.Authenticate(actx, secret, ip)
		return err == nil
	}

	// On HTTP/1.1 the stream leaves net/http: this goroutine, whose stack
	// grew in the authentication and the database reads above, ends, and
	// the stream runs without a goroutine of its own while idle (see
	// connStream). In a planning poker room of hundreds that is most of
	// the memory a connection would otherwise hold.
	if conn, brw, err := http.NewResponseController(w).Hijack(); err == nil {
		last, ok := a.startHijacked(r, h, conn, brw.Writer, sub, team, after)
		if !ok {
			sub.Close()
			_ = conn.Close()
			return nil
		}
		// The connection's buffers stay behind: frames go out with writev
		// straight from the bytes every subscriber shares.
		a.serveConn(conn, sub, last, allowed)
		return nil
	}

	defer sub.Close()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // streams outlive the server's WriteTimeout
	w.WriteHeader(http.StatusOK)
	last, ok := a.startStream(w, r, sub, team, after)
	if !ok || rc.Flush() != nil {
		return nil
	}
	write := func(b []byte) error { _, err := w.Write(b); return err }
	pump(sub, last, write, rc.Flush, ctx.Done(), a.cfg.Heartbeat, allowed)
	return nil
}

// startStream writes the retry hint and the replay of what the client
// missed, and returns the last Seq written.
func (a *API) startStream(w io.Writer, r *http.Request, sub *live.Subscription, team string, after int64) (int64, bool) {
	if _, err := w.Write([]byte("retry: 2000\n\n")); err != nil {
		return 0, false
	}
	last := sub.From
	if after >= 0 && after < sub.From {
		if sub.From-after > MaxReplay {
			_, _ = w.Write([]byte("event: reset\ndata: {\"reason\":\"too far behind; reload\"}\n\n"))
		} else {
			var err error
			if last, err = a.replay(w, r, team, after, sub.From); err != nil {
				a.log.WarnContext(r.Context(), "replay events", "team", team, "err", err)
				return 0, false
			}
		}
	}
	return last, true
}

// startHijacked writes the response head (the body ends when the
// connection closes: a stream has no length) and the stream's start.
func (a *API) startHijacked(r *http.Request, hdr http.Header, conn net.Conn, bw *bufio.Writer, sub *live.Subscription,
	team string, after int64) (int64, bool) {
	_ = conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	hdr.Set("Connection", "close")
	hdr.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	hdr.Del("Content-Length")
	hdr.Del("Transfer-Encoding")
	_, _ = bw.WriteString("HTTP/1.1 200 OK\r\n")
	if err := hdr.Write(bw); err != nil {
		return 0, false
	}
	_, _ = bw.WriteString("\r\n")
	last, ok := a.startStream(bw, r, sub, team, after)
	if !ok || bw.Flush() != nil {
		return 0, false
	}
	return last, true
}

// streamWriteTimeout bounds one write to a live client; a client that
// cannot take a frame for this long is gone.
const streamWriteTimeout = 15 * time.Second

// pump forwards frames to a stream net/http still serves (HTTP/2, or a
// writer that cannot be hijacked) until the subscription ends, the client
// leaves (done) or loses access; what is queued at once shares one flush.
func pump(sub *live.Subscription, last int64, write func([]byte) error, flush func() error, done <-chan struct{},
	heartbeat time.Duration, allowed func() bool) {
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	var batch [32]*live.Frame
	for {
		select {
		case <-sub.Ready():
			n, open := sub.Take(batch[:])
			for _, f := range batch[:n] {
				if f.Seq == 0 || f.Seq > last { // replayed frames are skipped; presence frames have no Seq
					if write(f.SSE) != nil {
						return
					}
					last = max(last, f.Seq)
				}
			}
			clear(batch[:n])
			if flush() != nil || !open {
				return // ended: dropped, the client reconnects and replays
			}
		case <-beat.C:
			if !allowed() || write([]byte(": ping\n\n")) != nil || flush() != nil {
				return
			}
		case <-done:
			return
		}
	}
}

// replay writes the member's view of events (after, upto] and returns the
// last Seq written.
func (a *API) replay(w io.Writer, r *http.Request, team string, after, upto int64) (int64, error) {
	last := after
	for last < upto {
		es, err := a.svc.Events(r.Context(), actor(r), team, last, 500)
		if err != nil {
			return last, err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if e.Seq > upto {
				return last, nil
			}
			if _, err := w.Write(live.Encode(e).SSE); err != nil {
				return last, err
			}
			last = e.Seq
		}
		if len(es) < 500 {
			break
		}
	}
	return upto, nil
}

// resumePoint returns the Seq to resume after, or -1 for "new events only".
func resumePoint(r *http.Request) (int64, error) {
	s := r.Header.Get("Last-Event-ID")
	field := "Last-Event-ID"
	if s == "" {
		s, field = r.URL.Query().Get("after"), "after"
	}
	if s == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, scrum.Invalid(field, "%s must be the id of an event", field)
	}
	return n, nil
}
