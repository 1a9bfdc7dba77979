package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/tandemhq/tandem/internal/storetest"
)

// buildTandem builds this command once into dir.
func buildTandem(t *testing.T, dir string) string {
	t.Helper()
	// go test puts its own toolchain first on PATH, so "go" is the one
	// that built this test.
	goBin := "go"
	bin := filepath.Join(dir, "tandem")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// child is one run of `tandem serve` as a child process.
type child struct {
	cmd  *exec.Cmd
	base string
	logs bytes.Buffer
}

func startServer(t *testing.T, bin, db, addr string) (*child, time.Duration) {
	t.Helper()
	s := &child{base: "http://" + addr}
	s.cmd = exec.Command(bin, "serve", "--addr", addr, "--database", db)
	s.cmd.Env = append(os.Environ(), "TANDEM_DEMO=false")
	s.cmd.Stdout, s.cmd.Stderr = &s.logs, &s.logs
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	for time.Since(start) < 20*time.Second {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	t.Fatalf("server not ready after 20s:\n%s", s.logs.String())
	return nil, 0
}

func (s *child) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatalf("kill: %v", err)
	}
	_ = s.cmd.Wait()
}

func post(c *http.Client, url, token, body string, out any) (int, error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return res.StatusCode, err
		}
	}
	return res.StatusCode, nil
}

// integrity opens the database file of a stopped server and runs SQLite's
// own checks.
func integrity(t *testing.T, db string) {
	t.Helper()
	h, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var res string
	if err := h.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: got %q, %v; want ok", res, err)
	}
	rows, err := h.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("foreign_key_check found violations")
	}
}

// TestKillLosesNothingAcknowledged runs the real binary on a SQLite file,
// has 8 writers create teams through the API, SIGKILLs the server at a
// random moment, restarts it on the same file and checks that every team
// the API acknowledged is there and the file is sound.
func TestKillLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "tandem.db")
	killCycles(t, buildTandem(t, dir), db, func() { integrity(t, db) })
}

// TestKillLosesNothingAcknowledgedPostgres is the same on PostgreSQL
// (RELIABILITY 2.2 a): what the API acknowledged survives SIGKILLs of
// the server.
func TestKillLosesNothingAcknowledgedPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	dsn := storetest.PostgresDSN(t)
	killCycles(t, buildTandem(t, t.TempDir()), dsn, func() {})
}

// killCycles has 8 writers create teams through the API of the binary
// serving database, SIGKILLs it at a random moment five times (check runs
// after each), restarts it and looks for every acknowledged team.
func killCycles(t *testing.T, bin, db string, check func()) {
	const writers, cycles = 8, 5
	// 200 teams per user at most: 5 cycles of up to 38 each.
	const perCycle = 38
	emails := make([]string, writers)
	for i := range writers {
		emails[i] = fmt.Sprintf("writer%d@example.com", i)
		cmd := exec.Command(bin, "user", "create", "--database", db, "--email", emails[i], "--name", fmt.Sprintf("Writer %d", i))
		cmd.Env = append(os.Environ(), "TANDEM_PASSWORD=correct horse battery")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("user create: %v\n%s", err, out)
		}
	}
	addr := freeAddr(t)
	srv, _ := startServer(t, bin, db, addr)
	client := &http.Client{Timeout: 10 * time.Second}
	tokens := make([]string, writers)
	for i, email := range emails {
		var s struct{ Token string }
		if code, err := post(client, srv.base+"/api/v1/login", "", `{"email":"`+email+`","password":"correct horse battery"}`, &s); code != 200 || err != nil {
			t.Fatalf("login %s: %d %v", email, code, err)
		}
		tokens[i] = s.Token
	}

	acked := make([][]string, writers) // team ids answered 201, per writer
	var restarts []time.Duration
	for cycle := range cycles {
		if cycle > 0 {
			var took time.Duration
			srv, took = startServer(t, bin, db, addr)
			restarts = append(restarts, took)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		var mu sync.Mutex
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &http.Client{Timeout: 5 * time.Second}
				for n := range perCycle {
					select {
					case <-stop:
						return
					default:
					}
					var team struct{ ID string }
					code, err := post(c, srv.base+"/api/v1/teams", tokens[w], fmt.Sprintf(`{"name":"w%d c%d n%d"}`, w, cycle, n), &team)
					if err != nil {
						return // the server is gone
					}
					if code != 201 {
						t.Errorf("writer %d: got %d, want 201", w, code)
						return
					}
					mu.Lock()
					acked[w] = append(acked[w], team.ID)
					mu.Unlock()
					time.Sleep(10 * time.Millisecond)
				}
			}()
		}
		time.Sleep(time.Duration(200+rand.IntN(800)) * time.Millisecond)
		srv.kill(t)
		close(stop)
		wg.Wait()
		check()
	}

	// Restart once more and look for every acknowledged team.
	srv, took := startServer(t, bin, db, addr)
	restarts = append(restarts, took)
	defer srv.kill(t)
	total, lost, present := 0, 0, 0
	for w := range writers {
		req, _ := http.NewRequest("GET", srv.base+"/api/v1/teams?limit=1000", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[w])
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []struct{ ID string } `json:"items"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("list teams of writer %d: %d %v", w, res.StatusCode, err)
		}
		var have []string
		for _, it := range page.Items {
			have = append(have, it.ID)
		}
		present += len(have)
		for _, id := range acked[w] {
			total++
			if !slices.Contains(have, id) {
				lost++
				t.Errorf("writer %d: acknowledged team %s is missing after SIGKILL", w, id)
			}
		}
	}
	slices.Sort(restarts)
	t.Logf("FIGURE %s_cycles=%d count", t.Name(), cycles)
	t.Logf("FIGURE %s_acked=%d writes", t.Name(), total)
	t.Logf("FIGURE %s_lost=%d writes", t.Name(), lost)
	t.Logf("FIGURE %s_in_doubt=%d writes", t.Name(), present-total)
	t.Logf("FIGURE %s_restart_to_ready_p50=%d ms", t.Name(), restarts[len(restarts)/2].Milliseconds())
	if total < cycles {
		t.Errorf("only %d writes were acknowledged in %d cycles; the test did not exercise the server", total, cycles)
	}
}
