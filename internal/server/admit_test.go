package server

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveAdmitted serves h on a loopback listener behind an admission of n
// slots.
func serveAdmitted(t *testing.T, n int, wait time.Duration, h http.Handler) (string, *admission) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adm := newAdmission(n, wait)
	srv := &http.Server{Handler: h, ConnState: adm.state, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(adm.listener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), adm
}

func get(t *testing.T, addr, path string) (status int, took time.Duration) {
	t.Helper()
	start := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, time.Since(start)
}

// TestAdmissionIsSoft: clients that connect and never finish a request
// hold every slot, yet another client is still served, after at most the
// admission's wait, not after the header timeout.
func TestAdmissionIsSoft(t *testing.T) {
	addr, _ := serveAdmitted(t, 2, 100*time.Millisecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n")) // never ends its header
	}
	time.Sleep(50 * time.Millisecond) // both taken in, holding the slots
	if status, took := get(t, addr, "/"); status != 200 || took > 2*time.Second {
		t.Fatalf("with every slot held: status %d after %v, want 200 within the admission's wait", status, took)
	}
	// One wait was enough: while the slots stay held, others are not made
	// to wait one after another.
	start := time.Now()
	for range 10 {
		if status, _ := get(t, addr, "/"); status != 200 {
			t.Fatalf("status %d", status)
		}
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("10 clients behind two stalled ones took %v; each waited for a slot", took)
	}
}

// TestAdmissionSlotsComeBack: a connection gives its slot back when its
// first request is done, when it closes and when it is hijacked, so a
// stream of clients never runs out of slots.
func TestAdmissionSlotsComeBack(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/hijack") {
			c, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
				c.Close()
			}
		}
	})
	addr, adm := serveAdmitted(t, 2, time.Hour, h) // a lost slot would block for an hour
	for i := range 10 {
		path := "/"
		if i%2 == 1 {
			path = "/hijack"
		}
		if status, _ := get(t, addr, path); status != 200 {
			t.Fatalf("request %d: status %d", i, status)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		adm.mu.Lock()
		held := len(adm.held)
		adm.mu.Unlock()
		if held == 0 && len(adm.slots) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after every client left: %d connections still hold %d slots", held, len(adm.slots))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
