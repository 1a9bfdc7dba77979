// Package problem maps errors to HTTP statuses and RFC 9457 problem bodies,
// in one place for the API and the web pages.
package problem

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Field is one entry of the "errors" member.
type Field struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Row     int    `json:"row,omitempty"` // a row of an uploaded file
}

// Holder names who holds a needed responsibility.
type Holder struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

// Details is an RFC 9457 problem body with Tandem's extensions.
type Details struct {
	Type           string   `json:"type"`
	Title          string   `json:"title"`
	Status         int      `json:"status"`
	Detail         string   `json:"detail"`
	Instance       string   `json:"instance,omitempty"`
	Errors         []Field  `json:"errors,omitempty"`
	Responsibility string   `json:"responsibility,omitempty"`
	Owner          *Owner   `json:"owner,omitempty"`
	Holders        []Holder `json:"holders,omitzero"` // [] when nobody holds it
	Version        int      `json:"current_version,omitempty"`
	RequestID      string   `json:"request_id,omitempty"`
}

// Owner is the owner of a needed responsibility.
type Owner struct {
	Accountability string `json:"accountability,omitempty"`
	UserID         string `json:"user_id,omitempty"`
}

// StatusOf returns the HTTP status for a domain error code.
func StatusOf(code scrum.Code) int {
	switch code {
	case scrum.CodeMalformed:
		return http.StatusBadRequest
	case scrum.CodeInvalid:
		return http.StatusUnprocessableEntity
	case scrum.CodeUnauthenticated:
		return http.StatusUnauthorized
	case scrum.CodeForbidden:
		return http.StatusForbidden
	case scrum.CodeNotFound:
		return http.StatusNotFound
	case scrum.CodeConflict:
		return http.StatusConflict
	case scrum.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case scrum.CodeThrottled:
		return http.StatusTooManyRequests
	case scrum.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// HTTPError is an error about the HTTP exchange itself (an unsupported
// media type, a bad header) rather than the domain.
type HTTPError struct {
	Status int
	Detail string
}

func (e *HTTPError) Error() string { return e.Detail }

// From builds the problem for err. Errors that are not domain errors become
// a 500 with a generic detail; the caller logs the real error.
func From(err error) Details {
	var he *HTTPError
	if errors.As(err, &he) {
		return Details{Type: "about:blank", Title: http.StatusText(he.Status), Status: he.Status, Detail: he.Detail}
	}
	var de *scrum.Error
	if !errors.As(err, &de) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			de = scrum.Errorf(scrum.CodeTooLarge, "the request body is larger than %d bytes", mbe.Limit)
		} else if errors.Is(err, context.DeadlineExceeded) {
			// Out of time is not a fault of the code: try again later.
			de = scrum.Errorf(scrum.CodeUnavailable, "the server took too long to answer; try again shortly")
		} else {
			return Details{Type: "about:blank", Title: http.StatusText(500), Status: 500,
				Detail: "something went wrong on our side; it has been logged"}
		}
	}
	status := StatusOf(de.Code)
	d := Details{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: de.Message}
	if de.Code != "" {
		d.Type = "https://tandem.dev/problems/" + string(de.Code)
	}
	for _, f := range de.Fields {
		d.Errors = append(d.Errors, Field{Field: f.Field, Message: f.Message, Row: f.Row})
	}
	if n := de.Need; n != nil {
		d.Responsibility = n.Responsibility
		if !n.Owner.IsZero() {
			d.Owner = &Owner{Accountability: string(n.Owner.Accountability), UserID: n.Owner.UserID}
		}
		d.Holders = []Holder{}
		for _, h := range n.Holders {
			d.Holders = append(d.Holders, Holder{UserID: h.UserID, Name: h.Name})
		}
	}
	d.Version = de.Version
	return d
}

// ClientGone reports whether err only says that the client hung up: its
// request's context was canceled. Such an error gets no response.
func ClientGone(r *http.Request, err error) bool {
	return errors.Is(r.Context().Err(), context.Canceled) &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// Write sends err as a problem response. 5xx causes are logged with the
// request id; a client that went away is logged, not reported as a fault;
// a request whose deadline passed is a 503 with Retry-After.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if ClientGone(r, err) {
		log.InfoContext(r.Context(), "client went away", "path", r.URL.Path)
		return
	}
	if errors.Is(r.Context().Err(), context.DeadlineExceeded) && errors.Is(err, context.Canceled) {
		// Some drivers report an expired context as canceled.
		err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
	}
	d := From(err)
	d.RequestID = w.Header().Get("X-Request-Id")
	if errors.Is(err, context.DeadlineExceeded) {
		log.WarnContext(r.Context(), "request ran out of time", "err", err, "path", r.URL.Path, "request_id", d.RequestID)
	} else if d.Status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "err", err, "status", d.Status, "path", r.URL.Path, "request_id", d.RequestID)
	}
	var de *scrum.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
	}
	if d.Status == http.StatusUnauthorized {
		// RFC 9110 §15.5.2: a 401 names the scheme that would work.
		w.Header().Set("WWW-Authenticate", `Bearer realm="tandem"`)
	}
	if d.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "2")
	}
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d)
}
