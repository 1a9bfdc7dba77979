// Package e2e drives a real Tandem through a real browser. Start boots the
// server in-process on 127.0.0.1:0; each person in a test gets their own
// browser context (their own cookie jar) in one headless Chromium shared
// by the whole test binary. Every tab records what its pages write to the
// console, and the test fails if a page broke the Content Security Policy
// or threw an uncaught error.
//
// A test package wires it up once:
//
//	func TestMain(m *testing.M) { e2e.Main(m) }
//
// and a test reads like the story it checks:
//
//	s := e2e.Start(t)
//	po := s.NewUser(t, "Priya Shah")
//	po.SignUp()
//	team := po.CreateTeam("Orion")
//	po.Open("/teams/" + team)
//	po.WaitText(`[data-live]`, "Live")
//
// Without a browser the tests skip, except in CI (CI=true), where a
// missing browser is a failure. TANDEM_TEST_CHROMIUM names the binary;
// otherwise chromium is looked up on PATH.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The shared browser: started by the first test that needs it, stopped by
// Main after the last test.
var shared struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab; new contexts derive from it
	cancel context.CancelFunc
	path   string
	err    error
}

// Main runs the package's tests and then stops the shared browser. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := stopBrowser(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stop browser:", err)
	}
	os.Exit(code)
}

// BrowserPath returns the Chromium binary the tests use: TANDEM_TEST_CHROMIUM
// when set, otherwise the first of chromium, chromium-browser and
// google-chrome on PATH.
func BrowserPath() (string, error) {
	if p := os.Getenv("TANDEM_TEST_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TANDEM_TEST_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on PATH and TANDEM_TEST_CHROMIUM is not set")
}

// RequireBrowser skips the test when no browser is installed, or fails it
// when CI=true, so CI can never pass by skipping the browser tests.
func RequireBrowser(t testing.TB) {
	t.Helper()
	if _, err := BrowserPath(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need Chromium in CI: %v", err)
		}
		t.Skipf("skipping browser test: %v", err)
	}
}

// browser returns the shared browser's context, starting it on first use.
func browser(t testing.TB) context.Context {
	t.Helper()
	RequireBrowser(t)
	shared.once.Do(startBrowser)
	if shared.err != nil {
		t.Fatalf("start %s: %v", shared.path, shared.err)
	}
	return shared.ctx
}

func startBrowser() {
	shared.path, shared.err = BrowserPath()
	if shared.err != nil {
		return
	}
	// The allocator gives the browser a fresh temporary user-data-dir and
	// removes it when the browser stops.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(shared.path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	shared.cancel = func() { cancelCtx(); cancelAlloc() }
	// The first Do starts the browser and binds its life to ctx, which has
	// no deadline: only stopBrowser ends it.
	start, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case shared.err = <-done:
	case <-start.Done():
		shared.err = errors.New("the browser did not start within 30s")
	}
	if shared.err != nil {
		shared.cancel()
		return
	}
	shared.ctx = ctx
}

func stopBrowser() error {
	if shared.ctx == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(shared.ctx, 10*time.Second)
	defer cancel()
	err := chromedp.Cancel(ctx)
	shared.cancel()
	return err
}
