package api

import (
	"errors"
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
	if presence != "" && !scrum.ValidID(presence) {
		return scrum.Invalid("presence", "presence must be the id of an estimation session")
	}
	sub, err := a.hub.SubscribePresent(ctx, team, me.User.ID, presence)
	if err != nil {
		return err
	}
	defer sub.Close()

	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // streams outlive the server's WriteTimeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 2000\n\n")); err != nil {
		return nil
	}

	last := sub.From
	if after >= 0 && after < sub.From {
		if sub.From-after > MaxReplay {
			_, _ = w.Write([]byte("event: reset\ndata: {\"reason\":\"too far behind; reload\"}\n\n"))
		} else if last, err = a.replay(w, r, team, after, sub.From); err != nil {
			a.log.WarnContext(ctx, "replay events", "team", team, "err", err)
			return nil
		}
	}
	if err := rc.Flush(); err != nil {
		return nil
	}

	beat := time.NewTicker(a.cfg.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case f, ok := <-sub.C:
			if !ok {
				return nil // dropped: the client reconnects and replays
			}
			if f.Seq != 0 && f.Seq <= last {
				continue // replayed already; frames without a Seq (presence) are never replayed
			}
			if _, err := w.Write(f.SSE); err != nil {
				return nil
			}
			last = max(last, f.Seq)
			// Write whatever else is already queued before one flush.
			for drained := false; !drained; {
				select {
				case f, ok := <-sub.C:
					if !ok {
						_ = rc.Flush()
						return nil
					}
					if f.Seq == 0 || f.Seq > last {
						if _, err := w.Write(f.SSE); err != nil {
							return nil
						}
						last = max(last, f.Seq)
					}
				default:
					drained = true
				}
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		case <-beat.C:
			// A revoked session or a removed member stops receiving.
			if _, err := a.svc.Authenticate(ctx, secretOf(r), me.IP); err != nil {
				return nil
			}
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// replay writes the member's view of events (after, upto] and returns the
// last Seq written.
func (a *API) replay(w http.ResponseWriter, r *http.Request, team string, after, upto int64) (int64, error) {
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
