// The live connection: one EventSource per page on the team's event
// stream. The browser resumes with Last-Event-ID after a drop; the server
// replays what was missed. The top bar's indicator shows the state.

const labels = {
  connecting: "Connecting",
  connected: "Live",
  reconnecting: "Reconnecting",
  offline: "Offline",
};

function indicate(state) {
  const el = document.querySelector("[data-live]");
  if (!el) return;
  el.dataset.state = state;
  el.title = `Live updates: ${labels[state].toLowerCase()}`;
  const label = el.querySelector(".live__label");
  if (label) label.textContent = labels[state];
}

/**
 * Whether the session is gone: GET /api/v1/me answers 401. A network
 * failure or a server error is not proof of that, so it resolves false.
 * @returns {Promise<boolean>}
 */
async function signedOut() {
  try {
    const res = await fetch("/api/v1/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
    return res.status === 401;
  } catch {
    return false;
  }
}

/**
 * Subscribe to a team's events.
 * @param {string} team team id
 * @param {string|number} after the event id the page was rendered at
 * @param {string[]} types event types to receive
 * @param {(type: string, event: object) => void} onEvent
 * @param {{presence?: string, onPresence?: (frame: object) => void, onReset?: () => void, onOpen?: (reconnected: boolean) => void}} [opts]
 *   presence shows the user present on a page (an estimation session) and
 *   delivers the id-less presence frames to onPresence; onReset replaces
 *   the reload on a reset (the server cannot replay the gap); onOpen runs
 *   on every (re)connection, so a page can refetch what it may have missed.
 * @returns {{close: () => void, lastId: () => number}}
 */
export function connect(team, after, types, onEvent, opts = {}) {
  let last = Number(after) || 0;
  let source = null;
  let retry = 1000;
  let timer = 0;
  let closed = false;
  let opened = false;

  const open = () => {
    if (closed) return;
    indicate(last === Number(after) && !source ? "connecting" : "reconnecting");
    const presence = opts.presence ? `&presence=${encodeURIComponent(opts.presence)}` : "";
    source = new EventSource(`/api/v1/teams/${encodeURIComponent(team)}/events?after=${last}${presence}`);
    source.onopen = () => {
      retry = 1000;
      indicate("connected");
      opts.onOpen?.(opened);
      opened = true;
    };
    source.onerror = () => {
      // Closed by the server (dropped, signed out) or the network. A
      // session that ended (signed out elsewhere, expired) will never
      // reconnect: go and sign in again. Otherwise reopen ourselves with
      // our own last id, backing off up to 30 s.
      source.close();
      indicate(navigator.onLine ? "reconnecting" : "offline");
      clearTimeout(timer);
      signedOut().then((out) => {
        if (closed) return;
        if (out) {
          closed = true;
          location.assign(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(open, retry);
        retry = Math.min(retry * 2, 30000);
      });
    };
    source.addEventListener("reset", () => (opts.onReset ? opts.onReset() : location.reload()));
    if (opts.onPresence) {
      source.addEventListener("presence", (msg) => {
        try {
          opts.onPresence(JSON.parse(msg.data));
        } catch {
          /* not JSON: ignore */
        }
      });
    }
    for (const type of types) {
      source.addEventListener(type, (msg) => {
        const id = Number(msg.lastEventId);
        if (id && id <= last) return;
        if (id) last = id;
        let data = {};
        try {
          data = JSON.parse(msg.data);
        } catch {
          return;
        }
        onEvent(type, data);
      });
    }
  };

  window.addEventListener("online", () => {
    if (source && source.readyState === EventSource.CLOSED) open();
  });
  window.addEventListener("offline", () => indicate("offline"));
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
    lastId: () => last,
  };
}

/**
 * Replace an element marked data-fragment=name with fresh server HTML.
 * Resolves false when there is nothing to show (the section is gone, or
 * the server refused); rejects when trying again may work (the network
 * failed, or the server had a 5xx).
 */
export async function refreshFragment(url, name) {
  const res = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (res.status >= 500) throw new Error(`${url}: ${res.status}`);
  if (!res.ok) return false;
  const html = await res.text();
  const current = document.querySelector(`[data-fragment="${name}"]`);
  if (!current) return false;
  const tpl = document.createElement("template");
  tpl.innerHTML = html.trim();
  const fresh = tpl.content.querySelector(`[data-fragment="${name}"]`);
  if (!fresh) return false;
  // Keep an open menu open if the same one still exists.
  const open = current.querySelector("details[open] summary")?.getAttribute("aria-label");
  current.replaceWith(fresh);
  if (open) {
    for (const s of fresh.querySelectorAll("details summary")) {
      if (s.getAttribute("aria-label") === open) s.parentElement.setAttribute("open", "");
    }
  }
  return true;
}
