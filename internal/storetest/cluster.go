package storetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Cluster is a throwaway PostgreSQL server of the test's own, which the
// test may crash and start again (RELIABILITY 2.2): initdb in a temporary
// directory, listening on a free loopback port.
type Cluster struct {
	DSN  string
	t    testing.TB
	dir  string
	port int
	ctl  string // pg_ctl
	as   []string
}

// NewCluster starts a cluster, stopped and removed when the test ends.
// Without PostgreSQL's server binaries the test is skipped locally and
// fails in CI.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin); CI must run the crash tests")
		}
		t.Skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin); skipping the crash tests")
	}
	slices.Sort(bins)
	bin := filepath.Dir(bins[len(bins)-1])
	c := &Cluster{t: t, ctl: filepath.Join(bin, "pg_ctl")}
	dir, err := os.MkdirTemp("", "tandem-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	// PostgreSQL refuses to run as root: as root, it runs as postgres.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	c.port = freePort(t)
	c.run(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync")
	c.Start()
	t.Cleanup(func() { c.Crash() })
	c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	return c
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	c.run(c.ctl, "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log"), "-w",
		"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=on", c.port, c.dir), "start")
}

// Crash stops the server the way a crash would: no checkpoint, no
// goodbye to its clients (pg_ctl stop -m immediate).
func (c *Cluster) Crash() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append(slices.Clone(c.as), c.ctl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	_ = exec.CommandContext(ctx, args[0], args[1:]...).Run() // already stopped is fine
}

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append(append(slices.Clone(c.as), name), args...)
	if out, err := exec.CommandContext(ctx, all[0], all[1:]...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.t.Fatalf("%s: %v\n%s\n%s", filepath.Base(name), err, out, log)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
