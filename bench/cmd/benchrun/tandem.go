package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// benchPassword is every bench account's password.
const benchPassword = "bench-password-0123"

// StartTandem starts `tandem serve` on a free port with its data in dir and
// waits until it is healthy. Its request log goes to dir/tandem.log, as a
// real deployment's would go to a file or journal.
func (e *Env) StartTandem(ctx context.Context, dir string, env ...string) (*Proc, error) {
	return e.Start(ctx, e.TandemSpec(dir, env...))
}

// TandemSpec is the ServerSpec of `tandem serve` on data in dir. With
// Env.Profiles set it is the bench build tandemprof instead, which serves
// the same App plus net/http/pprof.
func (e *Env) TandemSpec(dir string, env ...string) ServerSpec {
	if e.Profiles != "" {
		return ServerSpec{Name: "tandemprof", Bin: filepath.Join(e.Bin, "tandemprof"), Dir: dir, Env: env,
			Args: func(addr string) []string {
				return []string{"--addr", addr, "--data-dir", filepath.Join(dir, "data")}
			},
			PprofArgs: func(addr string) []string { return []string{"--pprof-addr", addr} }}
	}
	return ServerSpec{Name: "tandem", Bin: e.Tandem(), Dir: dir, Env: env, Args: func(addr string) []string {
		return []string{"serve", "--addr", addr, "--data-dir", filepath.Join(dir, "data")}
	}}
}

// Account is a bench user.
type Account struct {
	ID    string
	Email string
	Name  string
	Token string // a session token, once signed in
}

// CreateUsers makes n accounts in dir's database with `tandem user create`,
// which is not throttled. Run it before the server starts: the command
// opens the database itself.
func (e *Env) CreateUsers(ctx context.Context, dir, prefix string, n int) ([]Account, error) {
	accts := make([]Account, n)
	for i := range accts {
		a := Account{Email: fmt.Sprintf("%s%d@bench.tandem", prefix, i), Name: fmt.Sprintf("Bench %s %d", prefix, i)}
		cmd := exec.CommandContext(ctx, e.Tandem(), "user", "create", "--data-dir", filepath.Join(dir, "data"),
			"--email", a.Email, "--name", a.Name)
		cmd.Env = append(os.Environ(), "TANDEM_PASSWORD="+benchPassword)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("tandem user create: %w: %s", err, out)
		}
		accts[i] = a
	}
	return accts, nil
}

// SignIn logs every account in. Sign-in is throttled per client address
// (10 a minute by default), so each batch of 8 sign-ins comes from its own
// loopback address (127.0.0.2, 127.0.0.3, …): the whole 127/8 range is
// this machine.
func SignIn(ctx context.Context, base string, accts []Account) error {
	for i := range accts {
		c := Client{Base: base, HC: clientFrom(fmt.Sprintf("127.0.0.%d", 2+i/8))}
		var out struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
			Token string `json:"token"`
		}
		if err := c.Do(ctx, "POST", "/api/v1/login", map[string]string{"email": accts[i].Email, "password": benchPassword}, &out); err != nil {
			return err
		}
		accts[i].ID, accts[i].Token = out.User.ID, out.Token
	}
	return nil
}

func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// Team is a seeded team: its id and its members, Owner (the Product Owner)
// first.
type Team struct {
	ID      string
	Members []Account
}

// Owner is the team's creator and Product Owner.
func (t Team) Owner() Account { return t.Members[0] }

// SeedTeam signs accts in and builds a team of them through the API: the
// first creates it, the second joins as Scrum Master, the rest as
// Developers.
func SeedTeam(ctx context.Context, base, name string, accts []Account) (Team, error) {
	if err := SignIn(ctx, base, accts); err != nil {
		return Team{}, err
	}
	owner := Client{Base: base, Token: accts[0].Token}
	var team struct {
		ID string `json:"id"`
	}
	if err := owner.Do(ctx, "POST", "/api/v1/teams", map[string]string{"name": name}, &team); err != nil {
		return Team{}, err
	}
	for i, a := range accts[1:] {
		acc := "developer"
		if i == 0 {
			acc = "scrum_master"
		}
		var inv struct {
			Code string `json:"code"`
		}
		if err := owner.Do(ctx, "POST", "/api/v1/teams/"+team.ID+"/invites",
			map[string]any{"accountabilities": []string{acc}}, &inv); err != nil {
			return Team{}, err
		}
		member := Client{Base: base, Token: a.Token}
		if err := member.Do(ctx, "POST", "/api/v1/invites/"+inv.Code+"/accept", nil, nil); err != nil {
			return Team{}, err
		}
	}
	return Team{ID: team.ID, Members: accts}, nil
}

// Client calls Tandem's JSON API.
type Client struct {
	Base  string
	Token string
	HC    *http.Client // nil: a default client
}

// Do sends in (if not nil) as JSON and decodes a 2xx answer into out (if
// not nil); any other status is an error carrying the body.
func (c Client) Do(ctx context.Context, method, path string, in, out any) error {
	_, body, err := c.Raw(ctx, method, path, in)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// Raw is Do returning the response headers and body unparsed.
func (c Client) Raw(ctx context.Context, method, path string, in any) (http.Header, []byte, error) {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, nil, err
		}
		body = b
	}
	return c.RawBody(ctx, method, path, body)
}

// RawBody sends body (if not nil) as JSON and returns the answer unparsed.
// A path starting with http:// is used as the whole URL.
func (c Client) RawBody(ctx context.Context, method, path string, body []byte) (http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	url := c.Base + path
	if strings.HasPrefix(path, "http://") {
		url = path
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HC
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.Header, out, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(out))
	}
	return resp.Header, out, nil
}
