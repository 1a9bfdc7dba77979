package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds every wait and every browser action of a tab.
// Pages are server-rendered on loopback and take well under a second; the
// margin is for a machine busy with other builds, where a page and its
// modules under -race have been seen to take over 20 s. It costs nothing
// while tests pass. TANDEM_E2E_TIMEOUT (a Go duration) overrides it, and
// a test can set a tab's Timeout.
var DefaultTimeout = timeoutFromEnv(30 * time.Second)

func timeoutFromEnv(def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("TANDEM_E2E_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return def
}

// pollEvery is how often the Wait helpers look at the page again.
const pollEvery = 50 * time.Millisecond

// Tab is one browser tab. Its methods fail the test on error, so a test
// reads as a list of steps; each step is bounded by Timeout.
type Tab struct {
	Timeout time.Duration

	t       testing.TB
	s       *Server
	label   string // whose tab, for failure messages
	ctx     context.Context
	console *consoleLog
	vp      viewport // as set by Viewport; zero until then

	dialogMu sync.Mutex
	dialogs  []string // messages of the alerts, confirms and prompts shown
	accept   bool     // how to answer them
}

// viewport is an emulated screen.
type viewport struct {
	width, height int
	mobile        bool
}

func (v viewport) emulate(height int) chromedp.Action[chromedp.Void] {
	if v.mobile {
		return chromedp.EmulateViewport(int64(v.width), int64(height), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
	}
	return chromedp.EmulateViewport(int64(v.width), int64(height))
}

// Visitor opens a tab in a new browser context: a person with their own,
// empty cookie jar who is not signed in.
func (s *Server) Visitor(t testing.TB) *Tab {
	t.Helper()
	return s.openTab(t, "visitor", browser(t), chromedp.WithNewBrowserContext())
}

// openTab creates the tab, installs the console recorder and the CSP
// watcher, and registers its checks and closing with t.Cleanup.
func (s *Server) openTab(t testing.TB, label string, parent context.Context, opts ...chromedp.ContextOption) *Tab {
	t.Helper()
	tb := &Tab{Timeout: DefaultTimeout, t: t, s: s, label: label, console: &consoleLog{}}
	opts = append(opts, chromedp.WithListener(tb.console.record))
	ctx, cancel := chromedp.NewContext(parent, opts...)
	tb.ctx = ctx
	// The first Do creates the tab and ties it to ctx, which has no
	// deadline; later steps get their own timeouts.
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatcher})
		return err
	}))
	if err != nil {
		cancel()
		t.Fatalf("open a tab for %s: %v", label, err)
	}
	go tb.answerDialogs()
	t.Cleanup(func() {
		tb.finish()
		cancel()
	})
	return tb
}

// answerDialogs answers every alert, confirm and prompt the tab's pages
// open, so none can stall a test, and records its message.
func (tb *Tab) answerDialogs() {
	for ev, err := range chromedp.Events(tb.ctx, page.JavascriptDialogOpening) {
		if err != nil {
			return
		}
		tb.dialogMu.Lock()
		tb.dialogs = append(tb.dialogs, ev.Message)
		accept := tb.accept
		tb.dialogMu.Unlock()
		ctx, cancel := context.WithTimeout(tb.ctx, DefaultTimeout) // not tb.Timeout: the test may be setting it
		_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		cancel()
	}
}

// AnswerDialogs sets how the tab answers confirm and prompt dialogs from
// now on: accept (OK) or dismiss (Cancel, the default).
func (tb *Tab) AnswerDialogs(accept bool) {
	tb.dialogMu.Lock()
	defer tb.dialogMu.Unlock()
	tb.accept = accept
}

// Dialogs returns the messages of the dialogs the tab's pages have opened.
func (tb *Tab) Dialogs() []string {
	tb.dialogMu.Lock()
	defer tb.dialogMu.Unlock()
	return append([]string(nil), tb.dialogs...)
}

// finish reports what the tab's pages did wrong and, when the test failed,
// where the tab was.
func (tb *Tab) finish() {
	// A round trip: every console event sent before it has been recorded.
	if _, err := tb.eval(`document.readyState`); err != nil && !errors.Is(err, context.Canceled) {
		tb.t.Logf("%s: tab did not answer at the end of the test: %v", tb.label, err)
	}
	tb.reportProblems()
	if tb.t.Failed() {
		loc, _ := tb.eval(`location.href`)
		tb.t.Logf("%s's tab was at %s", tb.label, loc)
		for _, m := range tb.console.all() {
			tb.t.Logf("%s's console: %s", tb.label, m)
		}
		if dir := os.Getenv("TANDEM_E2E_ARTIFACTS"); dir != "" {
			name := safeName(tb.t.Name() + "-" + tb.label)
			if err := tb.screenshot(filepath.Join(dir, name+".png")); err == nil {
				tb.t.Logf("screenshot: %s", filepath.Join(dir, name+".png"))
			}
		}
	}
	// Leave the page first: an open live stream keeps a tab from closing
	// promptly.
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	_ = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
}

func (tb *Tab) reportProblems() {
	tb.t.Helper()
	for _, m := range problems(tb.console.unseen()) {
		tb.t.Errorf("%s's page: %s", tb.label, m)
	}
}

// CheckConsole fails the test now if a page of this tab logged a CSP
// violation or an uncaught error since the last check. Every tab is also
// checked when the test ends.
func (tb *Tab) CheckConsole() {
	tb.t.Helper()
	_, _ = tb.eval(`0`) // flush
	tb.reportProblems()
}

// TakeProblems returns the CSP violations and uncaught errors logged since
// the last check and marks them as seen, for a test that provokes them on
// purpose and checks them itself.
func (tb *Tab) TakeProblems() []Message {
	_, _ = tb.eval(`0`)
	return problems(tb.console.unseen())
}

// Console returns everything the tab's pages wrote to the console so far.
func (tb *Tab) Console() []Message {
	_, _ = tb.eval(`0`)
	return tb.console.all()
}

// Context is the tab's chromedp context, for actions the helpers lack. Give
// each call its own timeout; cancelling this context closes the tab.
func (tb *Tab) Context() context.Context { return tb.ctx }

// Do runs chromedp actions in the tab within Timeout.
func (tb *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := tb.do(actions...); err != nil {
		tb.t.Fatalf("%s: %v", tb.label, err)
	}
}

func (tb *Tab) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tb.ctx, tb.Timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Run runs one chromedp action that returns a value, within tb.Timeout.
func Run[T any](tb *Tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	return run(tb, "", a)
}

// run is Run with a description of the step for its failure message.
func run[T any](tb *Tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, tb.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		if what != "" {
			err = fmt.Errorf("%s: %w", what, err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (after %s)", err, tb.Timeout)
		}
		tb.t.Fatalf("%s: %v", tb.label, err)
	}
	return v
}

// Eval evaluates a JavaScript expression in the tab's page and decodes its
// value; a promise is awaited.
func Eval[T any](tb *Tab, expr string) T {
	tb.t.Helper()
	return Run(tb, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// eval returns an expression's value as raw JSON, without failing.
func (tb *Tab) eval(expr string) (string, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, tb.Timeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	return string(raw), err
}

// URL returns the address of the page the tab shows.
func (tb *Tab) URL() string {
	tb.t.Helper()
	return Run(tb, chromedp.Location())
}

// Path returns the path and query of the page the tab shows.
func (tb *Tab) Path() string {
	tb.t.Helper()
	return strings.TrimPrefix(tb.URL(), tb.s.URL)
}

// Open loads a page — a path on the server or a full URL — and returns its
// HTTP status after redirects.
func (tb *Tab) Open(pathOrURL string) int {
	tb.t.Helper()
	u := pathOrURL
	if strings.HasPrefix(u, "/") {
		u = tb.s.URL + u
	}
	resp := run(tb, "open "+pathOrURL, chromedp.NavigateResponse(u))
	if resp == nil {
		tb.t.Fatalf("%s: open %s: no response", tb.label, pathOrURL)
	}
	return int(resp.Status)
}

// Reload reloads the page.
func (tb *Tab) Reload() {
	tb.t.Helper()
	run(tb, "reload", chromedp.Reload())
}

// Click clicks the first element matching a CSS selector, for clicks that
// stay on the page. Use ClickNav for links and submit buttons.
func (tb *Tab) Click(sel string) {
	tb.t.Helper()
	run(tb, "click "+sel, chromedp.Steps(chromedp.Click(chromedp.CSS(sel))))
}

// ClickNav clicks an element that loads a new page — a link, or a form's
// submit button — waits for that page, and returns its HTTP status after
// redirects.
func (tb *Tab) ClickNav(sel string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, tb.Timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("%s: click %s and wait for the next page on %s: %v", tb.label, sel, tb.pathOrUnknown(), err)
	}
	return int(resp.Status)
}

// Fill sets a form field's value and fires input and change events, as
// typing would.
func (tb *Tab) Fill(sel, value string) {
	tb.t.Helper()
	tb.withElement(sel, `el.focus(); el.value = arg;
	  el.dispatchEvent(new Event("input", {bubbles: true}));
	  el.dispatchEvent(new Event("change", {bubbles: true}));`, value)
}

// Check ticks or clears a checkbox.
func (tb *Tab) Check(sel string, on bool) {
	tb.t.Helper()
	tb.withElement(sel, `if (el.checked !== arg) el.click();`, on)
}

// withElement runs body with el bound to the element sel matches and arg
// to arg, failing if nothing matches.
func (tb *Tab) withElement(sel, body string, arg any) {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%s); if (!el) return false; const arg = %s; %s; return true; })()`,
		jsString(sel), jsValue(arg), body)
	if !Eval[bool](tb, js) {
		tb.t.Fatalf("%s: no element matches %s on %s", tb.label, sel, tb.Path())
	}
}

// Text returns the text of the first element matching sel, with runs of
// white space collapsed.
func (tb *Tab) Text(sel string) string {
	tb.t.Helper()
	v := Eval[*string](tb, fmt.Sprintf(`document.querySelector(%s)?.textContent ?? null`, jsString(sel)))
	if v == nil {
		tb.t.Fatalf("%s: no element matches %s on %s", tb.label, sel, tb.Path())
	}
	return squash(*v)
}

// Texts returns the text of every element matching sel.
func (tb *Tab) Texts(sel string) []string {
	tb.t.Helper()
	vs := Eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll(%s)].map((e) => e.textContent)`, jsString(sel)))
	for i := range vs {
		vs[i] = squash(vs[i])
	}
	return vs
}

// Attr returns an attribute of the first element matching sel, and
// whether the element has it.
func (tb *Tab) Attr(sel, name string) (string, bool) {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%s); return el ? [el.hasAttribute(%s), el.getAttribute(%s) ?? ""] : null })()`,
		jsString(sel), jsString(name), jsString(name))
	v := Eval[*[2]any](tb, js)
	if v == nil {
		tb.t.Fatalf("%s: no element matches %s on %s", tb.label, sel, tb.Path())
	}
	has, _ := v[0].(bool)
	s, _ := v[1].(string)
	return s, has
}

// Count returns how many elements match sel.
func (tb *Tab) Count(sel string) int {
	tb.t.Helper()
	return Eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// Exists reports whether any element matches sel.
func (tb *Tab) Exists(sel string) bool {
	tb.t.Helper()
	return tb.Count(sel) > 0
}

// WaitFor waits until an element matches sel.
func (tb *Tab) WaitFor(sel string) {
	tb.t.Helper()
	tb.waitJS("an element matching "+sel,
		fmt.Sprintf(`(() => { const n = document.querySelectorAll(%s).length; return [n > 0, n + " matches"] })()`, jsString(sel)))
}

// WaitVisible waits until an element matching sel is rendered with a size.
func (tb *Tab) WaitVisible(sel string) {
	tb.t.Helper()
	tb.waitJS(sel+" to be visible", fmt.Sprintf(`(() => {
	  const el = document.querySelector(%s);
	  if (!el) return [false, "no element"];
	  const r = el.getBoundingClientRect();
	  return [r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden", "hidden, " + r.width + "x" + r.height];
	})()`, jsString(sel)))
}

// WaitGone waits until nothing matches sel.
func (tb *Tab) WaitGone(sel string) {
	tb.t.Helper()
	tb.waitJS("no element matching "+sel,
		fmt.Sprintf(`(() => { const n = document.querySelectorAll(%s).length; return [n === 0, n + " matches"] })()`, jsString(sel)))
}

// WaitText waits until the first element matching sel contains want in
// its text (white space collapsed), and returns that text.
func (tb *Tab) WaitText(sel, want string) string {
	tb.t.Helper()
	got := tb.waitJS(fmt.Sprintf("%s to contain %q", sel, want), fmt.Sprintf(`(() => {
	  const el = document.querySelector(%s);
	  if (!el) return [false, "no element"];
	  const text = el.textContent.replace(/\s+/g, " ").trim();
	  return [text.includes(%s), text];
	})()`, jsString(sel), jsString(squash(want))))
	return got
}

// WaitAttr waits until the first element matching sel has attribute name
// equal to want.
func (tb *Tab) WaitAttr(sel, name, want string) {
	tb.t.Helper()
	tb.waitJS(fmt.Sprintf("%s to have %s=%q", sel, name, want), fmt.Sprintf(`(() => {
	  const el = document.querySelector(%s);
	  if (!el) return [false, "no element"];
	  const v = el.getAttribute(%s);
	  return [v === %s, v === null ? "no attribute" : JSON.stringify(v)];
	})()`, jsString(sel), jsString(name), jsString(want)))
}

// RecordAppearing starts recording the text of every element matching sel
// that is added to the page from now on, until the page unloads, so a
// test can check for something short-lived, such as a toast, after the
// fact. See WaitAppeared.
func (tb *Tab) RecordAppearing(sel string) {
	tb.t.Helper()
	Eval[bool](tb, fmt.Sprintf(`(() => {
	  const sel = %s;
	  const seen = (window.__e2eAppeared ??= {});
	  if (seen[sel]) return true;
	  seen[sel] = [];
	  const note = (el) => seen[sel].push(el.textContent.replace(/\s+/g, " ").trim());
	  new MutationObserver((records) => {
	    for (const r of records) for (const n of r.addedNodes) {
	      if (!(n instanceof Element)) continue;
	      if (n.matches(sel)) note(n);
	      n.querySelectorAll(sel).forEach(note);
	    }
	  }).observe(document.documentElement, {childList: true, subtree: true});
	  return true;
	})()`, jsString(sel)))
}

// WaitAppeared waits until an element matching sel and containing want has
// been added to the page since RecordAppearing(sel), whether or not it is
// still there, and returns its text.
func (tb *Tab) WaitAppeared(sel, want string) string {
	tb.t.Helper()
	return tb.waitJS(fmt.Sprintf("a %s containing %q to appear", sel, want), fmt.Sprintf(`(() => {
	  const seen = window.__e2eAppeared?.[%s];
	  if (!seen) return [false, "not recording: call RecordAppearing first (or the page was reloaded)"];
	  const hit = seen.find((t) => t.includes(%s));
	  return [hit !== undefined, hit ?? JSON.stringify(seen)];
	})()`, jsString(sel), jsString(squash(want))))
}

// WaitPath waits until the tab's path (with query) matches the regular
// expression re, and returns it.
func (tb *Tab) WaitPath(re string) string {
	tb.t.Helper()
	rx := regexp.MustCompile(re)
	// The location changes before the new document is parsed: wait for
	// both, so the caller can use the page's elements at once.
	js := fmt.Sprintf(`(() => { const p = location.pathname + location.search; return [new RegExp(%s).test(p) && document.readyState !== "loading", p] })()`, jsString(rx.String()))
	return tb.waitJS("the path to match "+re, js)
}

// WaitUntil waits until a JavaScript expression is truthy.
func (tb *Tab) WaitUntil(expr string) {
	tb.t.Helper()
	tb.waitJS(expr, fmt.Sprintf(`(() => { const v = (%s); return [!!v, JSON.stringify(v) ?? String(v)] })()`, expr))
}

// waitJS polls expr, which yields [done, what it saw], until done or the
// tab's Timeout, and returns the last thing seen. A page that is loading
// or navigating is simply polled again.
func (tb *Tab) waitJS(what, expr string) string {
	tb.t.Helper()
	deadline := time.Now().Add(tb.Timeout)
	last := "nothing yet"
	for {
		raw, err := tb.eval(expr)
		if err == nil {
			var v [2]any
			if json.Unmarshal([]byte(raw), &v) == nil {
				got := fmt.Sprint(v[1])
				if done, _ := v[0].(bool); done {
					return got
				}
				last = got
			}
		} else {
			last = "error: " + err.Error()
			if tb.ctx.Err() != nil {
				tb.t.Fatalf("%s: waiting for %s: tab closed", tb.label, what)
			}
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: waited %s for %s on %s; last saw %s", tb.label, tb.Timeout, what, tb.pathOrUnknown(), last)
		}
		time.Sleep(pollEvery)
	}
}

func (tb *Tab) pathOrUnknown() string {
	raw, err := tb.eval(`location.pathname + location.search`)
	if err != nil {
		return "an unknown page"
	}
	var p string
	_ = json.Unmarshal([]byte(raw), &p)
	return p
}

// BlockRequests makes the tab's requests to paths matching any of the
// patterns fail as a dropped network would (URLPattern syntax, such as
// "/teams/*/fragments/*"). Called with no patterns, it lets everything
// through again.
func (tb *Tab) BlockRequests(pathPatterns ...string) {
	tb.t.Helper()
	params := network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{}}
	for _, p := range pathPatterns {
		params.URLPatterns = append(params.URLPatterns, &network.BlockPattern{URLPattern: "*://*:*" + p, Block: true})
	}
	tb.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetBlockedURLs, params)
		return err
	}))
}

// Viewport sets the page's size in CSS pixels. Mobile emulates a phone:
// the mobile viewport meta tag applies, with twice the pixel density and
// touch input.
func (tb *Tab) Viewport(width, height int, mobile bool) {
	tb.t.Helper()
	tb.vp = viewport{width: width, height: height, mobile: mobile}
	tb.Do(tb.vp.emulate(height))
}

// ColorScheme emulates the system's light or dark preference
// (prefers-color-scheme); "" follows the browser again.
func (tb *Tab) ColorScheme(scheme string) {
	tb.t.Helper()
	params := emulation.SetEmulatedMediaParams{}
	if scheme != "" {
		params.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	tb.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, params)
		return err
	}))
}

// Screenshot saves a PNG of the whole page, beyond the viewport, to path,
// creating its directory.
func (tb *Tab) Screenshot(path string) {
	tb.t.Helper()
	if err := tb.screenshot(path); err != nil {
		tb.t.Fatalf("%s: screenshot %s: %v", tb.label, path, err)
	}
}

func (tb *Tab) screenshot(path string) error {
	// Resizing, painting and encoding a tall page at twice the density is
	// the heaviest thing a tab does; give it more than a step.
	ctx, cancel := context.WithTimeout(tb.ctx, 3*tb.Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, fullPage(tb.vp))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// fullPage captures the whole page as a PNG. Capturing beyond the viewport
// would leave fixed elements (the phone's bottom tab bar) and viewport-high
// backgrounds where the first screen ends, so, as Puppeteer's fullPage
// does, the viewport is made as tall as the page for the capture and put
// back afterwards.
func fullPage(vp viewport) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		base := vp
		if base.width == 0 {
			base = viewport{width: 1280, height: 900} // the browser's window
		}
		height := base.height
		for range 3 { // a taller viewport can make vh-sized content taller
			h, err := chromedp.Evaluate[int](`Math.ceil(Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0))`)(ctx, t)
			if err != nil {
				return nil, err
			}
			if h <= height {
				break
			}
			height = h
			if _, err := base.emulate(height)(ctx, t); err != nil {
				return nil, err
			}
		}
		shot, err := chromedp.FullScreenshot(100)(ctx, t) // quality 100 = PNG
		if vp.width != 0 {
			_, rerr := vp.emulate(vp.height)(ctx, t)
			err = errors.Join(err, rerr)
		} else {
			_, rerr := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
			err = errors.Join(err, rerr)
		}
		return shot, err
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string { return jsValue(s) }

func jsValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var spaces = regexp.MustCompile(`\s+`)

func squash(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeName.ReplaceAllString(s, "_") }
