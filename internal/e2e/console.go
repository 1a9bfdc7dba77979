package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
)

// Message is one thing a page wrote to the browser console: a console.*
// call, an uncaught exception or unhandled rejection, or an entry of the
// browser's own log (a refused script, a failed request).
type Message struct {
	Kind   string // "console", "exception" or "log"
	Level  string // log, info, warning, error…
	Source string // for browser log entries: "network", "security", "javascript"…
	Text   string
	URL    string
	Line   int64 // 1-based; 0 when unknown
}

func (m Message) String() string {
	where := ""
	if m.URL != "" {
		where = " (" + m.URL
		if m.Line > 0 {
			where += fmt.Sprintf(":%d", m.Line)
		}
		where += ")"
	}
	return fmt.Sprintf("%s %s: %s%s", m.Kind, m.Level, m.Text, where)
}

// IsCSPViolation reports whether the message is the browser refusing
// something under the Content Security Policy.
func (m Message) IsCSPViolation() bool {
	return strings.Contains(m.Text, cspMarker) || strings.Contains(m.Text, "Content Security Policy")
}

// IsException reports whether the message is an uncaught exception or an
// unhandled promise rejection.
func (m Message) IsException() bool { return m.Kind == "exception" }

// IsProblem reports whether the message fails a test: a CSP violation or an
// uncaught error. Failed requests and warnings are only shown.
func (m Message) IsProblem() bool { return m.IsCSPViolation() || m.IsException() }

// problems picks the messages that fail a test. The browser reports each
// CSP violation in its log and the watcher script reports it again; the
// watcher's line counts only when the browser's is missing.
func problems(ms []Message) []Message {
	native := false
	for _, m := range ms {
		if m.IsCSPViolation() && !strings.Contains(m.Text, cspMarker) {
			native = true
		}
	}
	var out []Message
	for _, m := range ms {
		if m.IsProblem() && !(native && strings.Contains(m.Text, cspMarker)) {
			out = append(out, m)
		}
	}
	return out
}

// cspMarker prefixes the console line the watcher script writes for each
// securitypolicyviolation event, so violations are caught even if the
// browser's own log wording changes.
const cspMarker = "[e2e] CSP violation"

// cspWatcher runs in every document before the page's scripts. Scripts the
// DevTools protocol injects are exempt from the page's CSP.
const cspWatcher = `document.addEventListener("securitypolicyviolation", (e) => {
  console.error("` + cspMarker + `: " + e.violatedDirective + " refused " + (e.blockedURI || "inline code") +
    " in " + (e.sourceFile || document.location.href) + (e.lineNumber ? ":" + e.lineNumber : ""));
}, true);`

// consoleLog records a tab's messages. record runs on the tab's event loop
// (chromedp.WithListener), so it sees every event before the reply to any
// later command: after a round trip, nothing is still in flight.
type consoleLog struct {
	mu   sync.Mutex
	msgs []Message
	seen int // how many of msgs have been reported already
}

func (c *consoleLog) record(ev any) {
	var m Message
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		m = Message{Kind: "console", Level: string(ev.Type), Text: argsText(ev.Args)}
		if ev.StackTrace != nil && len(ev.StackTrace.CallFrames) > 0 {
			f := ev.StackTrace.CallFrames[0]
			m.URL, m.Line = f.URL, f.LineNumber+1
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d == nil {
			return
		}
		m = Message{Kind: "exception", Level: "error", Text: d.Text, URL: d.URL, Line: d.LineNumber + 1}
		if d.Exception != nil && d.Exception.Description != "" {
			m.Text += " " + d.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e == nil {
			return
		}
		m = Message{Kind: "log", Level: string(e.Level), Source: string(e.Source), Text: e.Text, URL: e.URL}
		if e.LineNumber > 0 {
			m.Line = e.LineNumber + 1
		}
	default:
		return
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *consoleLog) all() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...)
}

// unseen returns the messages not returned by an earlier call.
func (c *consoleLog) unseen() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]Message(nil), c.msgs[c.seen:]...)
	c.seen = len(c.msgs)
	return out
}

// argsText renders console.* arguments roughly as DevTools does.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if a == nil {
			continue
		}
		switch {
		case a.Type == runtime.RemoteObjectTypeString && len(a.Value) > 0:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		case a.UnserializableValue != "":
			parts = append(parts, string(a.UnserializableValue))
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}
