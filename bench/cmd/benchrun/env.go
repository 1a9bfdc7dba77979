package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tandemhq/tandem/bench/internal/result"
)

// Env is what every scenario gets: the built binaries, a scratch
// directory, the run settings, and helpers to start servers and load.
type Env struct {
	Bin      string        // directory holding tandem, load and bare
	Work     string        // scratch directory, removed at the end
	Runs     int           // repetitions of every measurement (figures are medians)
	Duration time.Duration // measured length of each load run
	Warmup   time.Duration // unmeasured load before each measured run
	Workers  int           // closed-loop concurrency
	Log      *log.Logger   // progress, on stderr
	// Profiles, when set, is where CPU profiles go: Tandem then runs as
	// the bench build tandemprof, which serves net/http/pprof.
	Profiles string
	// EstClients are the client counts of the estimation scenario.
	EstClients []int
	// Soak is how long the soak scenario runs.
	Soak time.Duration

	dirs int
}

// Tandem, Load and Bare are the binaries' paths.
func (e *Env) Tandem() string { return filepath.Join(e.Bin, "tandem") }
func (e *Env) Load() string   { return filepath.Join(e.Bin, "load") }
func (e *Env) Bare() string   { return filepath.Join(e.Bin, "bare") }
func (e *Env) Seed() string   { return filepath.Join(e.Bin, "estseed") }

// Dir makes a new empty directory under the scratch directory.
func (e *Env) Dir(name string) (string, error) {
	e.dirs++
	d := filepath.Join(e.Work, fmt.Sprintf("%02d-%s", e.dirs, name))
	return d, os.MkdirAll(d, 0o750)
}

// Proc is a server running as a child process on a loopback port.
type Proc struct {
	Name    string
	Addr    string // 127.0.0.1:port
	URL     string // http://127.0.0.1:port
	Started time.Time
	LogPath string
	// PprofURL is set for servers that serve net/http/pprof.
	PprofURL string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// ServerSpec says how to start a server; Args gets the address to listen on.
type ServerSpec struct {
	Name string
	Bin  string
	Args func(addr string) []string
	// PprofArgs, if set, adds a pprof listener on its own address.
	PprofArgs func(addr string) []string
	Env       []string // added to the orchestrator's environment
	Dir       string   // where the log file goes
}

// Start starts a server and waits until GET /healthz answers 200.
func (e *Env) Start(ctx context.Context, spec ServerSpec) (*Proc, error) {
	p, err := e.Spawn(spec)
	if err != nil {
		return nil, err
	}
	if _, err := p.WaitHealthy(ctx, 30*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// Spawn starts a server without waiting for it.
func (e *Env) Spawn(spec ServerSpec) (*Proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(spec.Dir, spec.Name+".log")
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	args := spec.Args(addr)
	pprofAddr := ""
	if spec.PprofArgs != nil {
		if pprofAddr, err = freeAddr(); err != nil {
			lf.Close()
			return nil, err
		}
		args = append(args, spec.PprofArgs(pprofAddr)...)
	}
	cmd := exec.Command(spec.Bin, args...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = childAttr()
	p := &Proc{Name: spec.Name, Addr: addr, URL: "http://" + addr, LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	if pprofAddr != "" {
		p.PprofURL = "http://" + pprofAddr
	}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	go func() {
		p.err = cmd.Wait()
		lf.Close()
		close(p.exited)
	}()
	return p, nil
}

// WaitHealthy polls GET /healthz every 2 ms and returns the time from
// process start to the first 200.
func (p *Proc) WaitHealthy(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/healthz", nil)
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.Started), nil
			}
		}
		select {
		case <-p.exited:
			return 0, fmt.Errorf("%s exited before it was healthy (%v):\n%s", p.Name, p.err, tail(p.LogPath, 20))
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s not healthy after %s:\n%s", p.Name, timeout, tail(p.LogPath, 20))
		}
	}
}

// PID returns the process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// RSS returns the resident set size in bytes (VmRSS of /proc/PID/status).
func (p *Proc) RSS() (int64, error) {
	m, err := p.Mem()
	return m.RSS, err
}

// Mem is a process's resident memory in bytes, from /proc/PID/status.
type Mem struct {
	RSS  int64 // VmRSS
	Anon int64 // RssAnon: heap, stacks, C-side allocations
	File int64 // RssFile: mapped files, mostly the executable
}

// Mem reads the process's resident memory.
func (p *Proc) Mem() (Mem, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.PID()))
	if err != nil {
		return Mem{}, err
	}
	var m Mem
	fields := map[string]*int64{"VmRSS:": &m.RSS, "RssAnon:": &m.Anon, "RssFile:": &m.File}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "kB" && fields[f[0]] != nil {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return m, err
			}
			*fields[f[0]] = kb << 10
		}
	}
	if m.RSS == 0 {
		return m, errors.New("no VmRSS in /proc/PID/status")
	}
	return m, nil
}

// CPU returns the user and system CPU time the process has used, from
// /proc/PID/stat (in clock ticks, which Linux fixes at 100 a second for
// user space).
func (p *Proc) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID()))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields resume after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc/PID/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// Stop ends the server with SIGTERM, then SIGKILL after 5 s.
func (p *Proc) Stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// freeAddr asks the kernel for a free loopback port. Another process
// could take it before the server binds; on loopback in a benchmark run
// that is rare enough to accept.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// AttackSpec is one run of the load generator's attack mode.
type AttackSpec struct {
	Server   *Proc  // if set, its CPU time is measured over the run
	Profile  string // if set and Server serves pprof: save a CPU profile of the measured run under this name
	URL      string
	Method   string   // default GET
	Body     string   // request body
	Headers  []string // "Name: value"
	Workers  int      // default Env.Workers
	Rate     int      // 0: closed loop (max rate); >0: requests per second
	Duration time.Duration
	Warmup   time.Duration
}

// AttackRun is the load generator's figures plus the CPU time each side
// spent per request (warm-up included, as the CPU is read around the whole
// load process). CPU per request is steadier than throughput on a machine
// shared with other work.
type AttackRun struct {
	result.Attack
	ServerCPU float64 // µs per request; 0 without AttackSpec.Server
	LoadCPU   float64 // µs per request of the load generator
}

// Attack runs the load generator as a separate process and returns its
// figures.
func (e *Env) Attack(ctx context.Context, s AttackSpec) (AttackRun, error) {
	args := []string{"attack", "-url", s.URL,
		"-workers", strconv.Itoa(cmpOr(s.Workers, e.Workers)),
		"-rate", strconv.Itoa(s.Rate),
		"-duration", cmpOr(s.Duration, e.Duration).String(),
		"-warmup", cmpOr(s.Warmup, e.Warmup).String()}
	if s.Method != "" {
		args = append(args, "-method", s.Method)
	}
	if s.Body != "" {
		args = append(args, "-body", s.Body)
	}
	for _, h := range s.Headers {
		args = append(args, "-header", h)
	}
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, e.Load(), args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = childAttr()
	var cpu0 time.Duration
	if s.Server != nil {
		var err error
		if cpu0, err = s.Server.CPU(); err != nil {
			return AttackRun{}, err
		}
	}
	if s.Profile != "" && s.Server != nil && s.Server.PprofURL != "" {
		stop := e.profile(ctx, s.Server, cmpOr(s.Warmup, e.Warmup), cmpOr(s.Duration, e.Duration), s.Profile)
		defer stop()
	}
	if err := cmd.Run(); err != nil {
		return AttackRun{}, fmt.Errorf("load attack %s: %w: %s", s.URL, err, errb.String())
	}
	var r AttackRun
	if err := json.Unmarshal(out.Bytes(), &r.Attack); err != nil {
		return r, fmt.Errorf("load attack output: %w", err)
	}
	n := float64(r.Requests + r.WarmupRequests)
	r.LoadCPU = float64(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()) / float64(time.Microsecond) / n
	if s.Server != nil {
		cpu1, err := s.Server.CPU()
		if err != nil {
			return r, err
		}
		r.ServerCPU = float64(cpu1-cpu0) / float64(time.Microsecond) / n
	}
	return r, nil
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// SwarmSpec is one run of the load generator's SSE swarm mode.
type SwarmSpec struct {
	URL        string
	Clients    int
	Events     int      // events every client waits for
	Type       string   // count only this SSE event type
	Headers    []string // "Name: value", sent by every client
	TokensFile string   // bearer tokens handed to clients in turn
	Timeout    time.Duration
	// Settle, if set, makes the ready line wait until the streams have
	// been quiet this long and report the bytes read until then.
	Settle time.Duration
	// BytesAt asks for every client's byte count at every counted event.
	BytesAt bool
}

// Swarm is a running swarm: every client is connected once StartSwarm
// returns, and stays connected until Close.
type Swarm struct {
	Ready result.SwarmReady

	cmd   *exec.Cmd
	stdin io.WriteCloser
	dec   *json.Decoder
	errb  *bytes.Buffer
}

// StartSwarm starts the swarm and waits until its clients are connected.
func (e *Env) StartSwarm(ctx context.Context, s SwarmSpec) (*Swarm, error) {
	args := []string{"swarm", "-hold", "-url", s.URL, "-clients", strconv.Itoa(s.Clients),
		"-events", strconv.Itoa(s.Events), "-timeout", cmpOr(s.Timeout, 30*time.Second).String()}
	if s.Type != "" {
		args = append(args, "-type", s.Type)
	}
	if s.TokensFile != "" {
		args = append(args, "-tokens", s.TokensFile)
	}
	for _, h := range s.Headers {
		args = append(args, "-header", h)
	}
	if s.Settle > 0 {
		args = append(args, "-settle", s.Settle.String())
	}
	if s.BytesAt {
		args = append(args, "-bytes-at")
	}
	sw := &Swarm{errb: &bytes.Buffer{}}
	sw.cmd = exec.CommandContext(ctx, e.Load(), args...)
	sw.cmd.Stderr = sw.errb
	sw.cmd.SysProcAttr = childAttr()
	var err error
	if sw.stdin, err = sw.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := sw.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := sw.cmd.Start(); err != nil {
		return nil, err
	}
	sw.dec = json.NewDecoder(stdout)
	if err := sw.dec.Decode(&sw.Ready); err != nil {
		sw.Close()
		return nil, fmt.Errorf("swarm: no ready line: %w: %s", err, sw.errb.String())
	}
	return sw, nil
}

// Result waits until every client got its events (or the swarm's timeout)
// and returns what they saw. The clients stay connected.
func (sw *Swarm) Result() (result.Swarm, error) {
	var r result.Swarm
	if err := sw.dec.Decode(&r); err != nil {
		return r, fmt.Errorf("swarm: no result: %w: %s", err, sw.errb.String())
	}
	return r, nil
}

// Close disconnects the clients and waits for the swarm to exit.
func (sw *Swarm) Close() error {
	sw.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- sw.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = sw.cmd.Process.Kill()
		return <-done
	}
}

// profile takes a CPU profile of p during the measured part of a load run
// (after warm), saving it as Env.Profiles/name.cpu.prof. The returned func
// waits for it.
func (e *Env) profile(ctx context.Context, p *Proc, warm, d time.Duration, name string) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-time.After(warm):
		case <-ctx.Done():
			return
		}
		secs := max(1, int(d.Seconds())-1)
		_, body, err := Client{HC: &http.Client{Timeout: d + 30*time.Second}}.RawBody(ctx, http.MethodGet,
			fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", p.PprofURL, secs), nil)
		if err == nil {
			err = os.MkdirAll(e.Profiles, 0o750)
		}
		path := filepath.Join(e.Profiles, name+".cpu.prof")
		if err == nil {
			err = os.WriteFile(path, body, 0o640)
		}
		if err != nil {
			e.Log.Printf("profile %s: %v", name, err)
			return
		}
		e.Log.Printf("CPU profile: go tool pprof -top %s %s", filepath.Join(e.Bin, "tandemprof"), path)
	}()
	return func() { <-done }
}
