package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/server"
)

// TestSlowlorisIsCutOff (RELIABILITY 2.7 a): 500 connections send their
// request headers one byte every 2 s. The real server (its own listener,
// timeouts and admission) closes every one of them by ReadHeaderTimeout
// (5 s) + 1 s, a normal client opening a new connection per request is
// served all along, and afterwards the server's goroutines are back to
// where they were.
func TestSlowlorisIsCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("takes ReadHeaderTimeout and more")
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Open(ctx, server.Config{Database: filepath.Join(t.TempDir(), "tandem.db"), Password: password.Fast,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := app.Listen()
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx) }()
	defer func() {
		cancel()
		<-served
		app.Close()
	}()
	normal := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	health := func() (time.Duration, error) {
		start := time.Now()
		res, err := normal.Get("http://" + addr + "/healthz")
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return 0, &net.AddrError{Err: res.Status, Addr: "/healthz"}
		}
		return time.Since(start), nil
	}
	if _, err := health(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	baseline := runtime.NumGoroutine()

	const attackers = 500
	const header = "GET /healthz HTTP/1.1\r\nHost: tandem.test\r\nX-Slow: " // never finished
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lived []time.Duration // from connecting to being closed by the server
	for range attackers {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			defer c.Close()
			start := time.Now()
			// Closed by the server: a write fails, or the read sees EOF.
			done := make(chan struct{})
			go func() {
				_, _ = io.Copy(io.Discard, c)
				close(done)
			}()
		send:
			for i := 0; time.Since(start) < 20*time.Second; i++ {
				if _, err := c.Write([]byte{header[i%len(header)]}); err != nil {
					break
				}
				select {
				case <-done:
					break send
				case <-time.After(2 * time.Second):
				}
			}
			c.Close() // ends the reader if the server never did
			<-done
			mu.Lock()
			lived = append(lived, time.Since(start))
			mu.Unlock()
		})
	}

	// A normal client all along, a new connection each time.
	var took []time.Duration
	failed := 0
	for end := time.Now().Add(7 * time.Second); time.Now().Before(end); {
		d, err := health()
		if err != nil {
			failed++
		} else {
			took = append(took, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()

	slices.Sort(lived)
	if len(lived) != attackers {
		t.Fatalf("%d of %d slow connections were measured", len(lived), attackers)
	}
	if last := lived[len(lived)-1]; last > 6*time.Second {
		t.Errorf("the last slow connection was closed after %s, want ≤ ReadHeaderTimeout + 1 s", last)
	}
	if failed > 0 {
		t.Errorf("%d of the normal client's requests failed during the attack", failed)
	}
	slices.Sort(took)
	settled := time.Now()
	for runtime.NumGoroutine() > baseline+5 && time.Since(settled) < 5*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+5 {
		t.Errorf("%d goroutines after the attack, %d before", n, baseline)
	}
	t.Logf("FIGURE slowloris_closed_p50=%d ms, last=%d ms", lived[len(lived)/2].Milliseconds(), lived[len(lived)-1].Milliseconds())
	t.Logf("FIGURE slowloris_normal_client_p99=%d ms over %d requests", took[len(took)*99/100].Milliseconds(), len(took))
}
