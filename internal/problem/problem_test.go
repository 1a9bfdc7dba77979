package problem_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/problem"
	"github.com/tandemhq/tandem/internal/scrum"
)

// TestWriteContextErrors: a client that hung up gets nothing and is no
// fault; a request that ran out of time is a 503 to retry, never a 500.
func TestWriteContextErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	live := context.Background()
	tests := []struct {
		name       string
		ctx        context.Context
		err        error
		wantStatus int // 0: nothing written
		wantLog    string
	}{
		{"the client hung up", canceled, fmt.Errorf("load team: %w", context.Canceled), 0, "INFO"},
		{"the client hung up during a query with its own deadline", canceled, fmt.Errorf("query: %w", context.DeadlineExceeded), 0, "INFO"},
		{"the request's deadline passed", expired, fmt.Errorf("load team: %w", context.DeadlineExceeded), 503, "WARN"},
		{"the request's deadline passed, reported as canceled", expired, fmt.Errorf("query: %w", context.Canceled), 503, "WARN"},
		{"an inner deadline passed", live, fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "WARN"},
		{"canceled while the client is still there", live, fmt.Errorf("query: %w", context.Canceled), 500, "ERROR"},
		{"a domain error after the client hung up", canceled, scrum.NotFound("team"), 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			r := httptest.NewRequestWithContext(tc.ctx, "GET", "/api/v1/teams/x", nil)
			w := httptest.NewRecorder()
			problem.Write(w, r, log, tc.err)
			if tc.wantStatus == 0 {
				if w.Body.Len() != 0 || w.Code != 200 || w.Header().Get("Content-Type") != "" {
					t.Errorf("got %d %q, want nothing written to a client that is gone", w.Code, w.Body.String())
				}
			} else {
				if w.Code != tc.wantStatus {
					t.Fatalf("got status %d, want %d", w.Code, tc.wantStatus)
				}
				var d problem.Details
				if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || d.Status != tc.wantStatus {
					t.Errorf("got body %q, want a %d problem", w.Body.String(), tc.wantStatus)
				}
				if tc.wantStatus == 503 && (w.Header().Get("Retry-After") == "" || !strings.Contains(d.Detail, "try again")) {
					t.Errorf("got Retry-After %q and detail %q, want a retry", w.Header().Get("Retry-After"), d.Detail)
				}
			}
			if tc.wantLog == "" {
				if logs.Len() != 0 {
					t.Errorf("got log %q, want none", logs.String())
				}
			} else if !strings.Contains(logs.String(), "level="+tc.wantLog) {
				t.Errorf("got log %q, want a %s line", logs.String(), tc.wantLog)
			}
		})
	}
}

// TestFromDeadline: the web pages map through From; a timeout is a 503
// there too.
func TestFromDeadline(t *testing.T) {
	if d := problem.From(fmt.Errorf("render: %w", context.DeadlineExceeded)); d.Status != 503 {
		t.Errorf("got %d, want 503", d.Status)
	}
}
