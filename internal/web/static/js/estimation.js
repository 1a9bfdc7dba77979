// Planning poker. The sessions page follows sessions opening and closing;
// the room re-renders from the server after every event of its session,
// so a reload, a reconnect or a missed event (reset) all end in exactly
// the current state. Votes are optimistic: the card lights up at once and
// the request goes in the background. Presence comes from the event
// stream's id-less presence frames and is painted on after each render.
import { announce, api, ask, fragment, notify, parseHTML } from "./api.js";
import { connect } from "./live.js";

const sessionEvents = [
  "estimation.opened",
  "estimation.updated",
  "estimation.closed",
  "vote.cast",
  "votes.revealed",
  "round.started",
  "estimate.accepted",
  "estimation.skipped",
];
// Team changes that alter who votes or facilitates, and edits of items.
const teamEvents = ["member.joined", "member.updated", "member.removed", "responsibility.changed", "item.updated"];

const list = document.querySelector("[data-estimations]");
if (list) {
  let timer = 0;
  const refresh = async () => {
    let res;
    try {
      res = await fetch(`${location.pathname}?fragment=sessions`, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    } catch {
      return;
    }
    if (res.status !== 200) return;
    const html = await res.text();
    for (const name of ["sessions", "past"]) {
      const el = parseHTML(html, `[data-fragment=${name}]`);
      const cur = list.querySelector(`[data-fragment=${name}]`);
      if (el && cur) cur.replaceWith(el);
    }
  };
  // Back from saving the settings (…/estimation#settings): show them.
  if (location.hash === "#settings") list.querySelector("details#settings")?.setAttribute("open", "");
  // Ticking an item or typing a number picks the matching way to choose.
  list.addEventListener("change", (e) => {
    const pick = (v) => {
      const r = list.querySelector(`input[name=source][value=${v}]`);
      if (r) r.checked = true;
    };
    if (e.target.matches("input[name=item]")) pick("items");
    if (e.target.matches("input[name=top_n]")) pick("top");
  });
  list.addEventListener("focusin", (e) => {
    if (e.target.matches("input[name=top_n]")) list.querySelector("input[name=source][value=top]")?.click();
  });
  connect(list.dataset.team, list.dataset.lastEventId, ["estimation.opened", "estimation.updated", "estimation.closed"], () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 100);
  });
}

const root = document.querySelector("[data-room]");
if (root) room(root);

/**
 * Bring a rendered room up to date with a fresh render, replacing only
 * the parts that changed: a card being clicked, a focused control or an
 * open select survive a vote elsewhere in the room.
 */
function patchRoot(cur, fresh) {
  for (const a of [...cur.attributes]) if (!fresh.hasAttribute(a.name)) cur.removeAttribute(a.name);
  for (const a of [...fresh.attributes]) if (cur.getAttribute(a.name) !== a.value) cur.setAttribute(a.name, a.value);
  patchChildren(cur, fresh, 4);
}

function patchChildren(cur, fresh, depth) {
  const a = [...cur.childNodes];
  const b = [...fresh.childNodes];
  const sameShape = a.length === b.length && a.every((n, i) => n.nodeType === b[i].nodeType && (n.nodeType !== Node.ELEMENT_NODE ? n.textContent === b[i].textContent : n.tagName === b[i].tagName));
  if (!sameShape) {
    cur.replaceChildren(...b);
    return;
  }
  a.forEach((n, i) => {
    if (n.nodeType !== Node.ELEMENT_NODE || n.isEqualNode(b[i])) return;
    const sameAttrs = n.attributes.length === b[i].attributes.length && [...n.attributes].every((x) => b[i].getAttribute(x.name) === x.value);
    if (depth > 0 && sameAttrs) patchChildren(n, b[i], depth - 1);
    else n.replaceWith(b[i]);
  });
}

function room(root) {
  const sid = root.dataset.session;
  const me = root.dataset.me;
  let target = ""; // the queued item picked for voting ahead
  let present = null; // Set of user ids, once the stream told us
  let inflight = null;
  let again = false;
  let debounce = 0;
  let tick = 0;

  const view = () => root.querySelector("[data-fragment=room]");
  const version = () => view()?.dataset.version || "0";

  /** A selector that finds the same control after a re-render. */
  const keyOf = (el) => {
    if (!el || el === document.body || !view()?.contains(el)) return "";
    if (el.id) return `#${CSS.escape(el.id)}`;
    const parts = [];
    for (const a of ["vote", "act", "move", "item", "target"]) {
      if (el.dataset[a] !== undefined) parts.push(`[data-${a}="${CSS.escape(el.dataset[a])}"]`);
    }
    return parts.join("");
  };

  const render = async () => {
    const wasFocused = document.activeElement;
    const key = keyOf(wasFocused);
    const inControls = Boolean(wasFocused?.closest?.(".facilitator"));
    const keep = {};
    for (const sel of ["#timer-len", "#accept-card"]) {
      const s = root.querySelector(sel);
      if (s?.dataset.changed) keep[sel] = s.value;
    }
    const before = view();
    const url = `${root.dataset.self}?fragment=room${target ? `&target=${encodeURIComponent(target)}` : ""}`;
    const { status, el } = await fragment(url, "[data-fragment=room]");
    if (status !== 200 || !el) {
      if (status === 0 || status >= 500) setTimeout(schedule, 2000); // try again
      return;
    }
    const cur = view();
    if (!cur) return;
    const prev = { state: cur.dataset.state, current: cur.dataset.current, revealed: cur.dataset.revealed, round: cur.dataset.round };
    patchRoot(cur, el);
    for (const [sel, v] of Object.entries(keep)) {
      const s = cur.querySelector(sel);
      if (s && [...s.options].some((o) => o.value === v)) {
        s.value = v;
        s.dataset.changed = "1";
      }
    }
    decorate();
    if (key && !cur.contains(wasFocused)) {
      const again = cur.querySelector(key);
      if (again && !again.disabled) again.focus();
      else if (inControls) cur.querySelector(".facilitator [data-act]:not(:disabled)")?.focus();
    }
    if (before) tell(prev, cur.dataset);
  };

  /** Say what changed for screen readers. */
  const tell = (prev, now) => {
    if (prev.state !== now.state) {
      if (now.state === "live") announce("The session started.");
      if (now.state === "closed") announce("The session is closed. The summary is shown.");
    } else if (prev.current !== now.current && now.current) {
      announce(`Next item: ${view()?.querySelector("#item-title")?.textContent || ""}`);
    } else if (prev.revealed !== now.revealed && now.revealed === "true") {
      announce("Votes revealed.");
    } else if (prev.round !== now.round && now.round) {
      announce(`Round ${now.round}: vote again.`);
    }
  };

  /** One render at a time; events during a render cause one more. */
  const schedule = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      if (inflight) {
        again = true;
        return;
      }
      inflight = render().finally(() => {
        inflight = null;
        if (again) {
          again = false;
          schedule();
        }
      });
    }, 40);
  };

  const paintPresence = () => {
    if (!present) return;
    for (const el of root.querySelectorAll("[data-presence]")) {
      el.classList.toggle("presence--online", present.has(el.dataset.presence));
    }
    for (const seat of root.querySelectorAll(".seat[data-user]")) {
      const on = present.has(seat.dataset.user);
      seat.classList.toggle("seat--offline", !on);
      const t = seat.querySelector("[data-presence-text]");
      if (t) t.textContent = on ? " · here" : " · not here";
    }
    for (const o of root.querySelectorAll(".observers [data-user]")) {
      o.classList.toggle("is-away", !present.has(o.dataset.user));
    }
  };

  /** Pending items move among pending items only. */
  const fixMoves = () => {
    const items = [...root.querySelectorAll("[data-queue-item]")];
    items.forEach((li, i) => {
      const pending = (x) => x?.dataset.state === "pending";
      const up = li.querySelector('[data-move="up"]');
      const down = li.querySelector('[data-move="down"]');
      if (up) up.disabled = !pending(items[i - 1]);
      if (down) down.disabled = !pending(items[i + 1]);
    });
  };

  const runTimer = () => {
    clearInterval(tick);
    const t = root.querySelector("[data-timer]");
    if (!t) return;
    const ends = Date.parse(t.dataset.ends);
    const left = t.querySelector("[data-timer-left]");
    const step = () => {
      const s = Math.max(0, Math.round((ends - Date.now()) / 1000));
      left.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
      t.classList.toggle("timer--low", s <= 15);
      t.classList.toggle("timer--up", s === 0);
      if (s === 0) {
        clearInterval(tick);
        left.textContent = "Time’s up";
        announce("Time is up for this round.");
      }
    };
    step();
    tick = setInterval(step, 500);
  };

  const decorate = () => {
    paintPresence();
    fixMoves();
    runTimer();
  };

  const problemText = (res) => res.data?.detail || res.data?.title || `The server answered ${res.status}.`;

  /** Facilitator actions carry the version they saw (If-Match). */
  const act = async (path, body, what) => {
    const res = await api("POST", `/estimations/${sid}/${path}`, body, { "If-Match": `v${version()}` });
    if (res.ok) {
      schedule();
      return true;
    }
    if (res.status === 409) {
      notify({ kind: "info", title: "The session changed meanwhile", text: "You now see its current state; try again if it still applies." });
    } else {
      notify({ kind: "error", title: `Could not ${what}`, text: problemText(res) });
    }
    schedule();
    return false;
  };

  const vote = async (btn) => {
    const deck = btn.closest("[data-deck]");
    if (!deck || btn.disabled) return;
    const before = deck.querySelector('[aria-pressed="true"]');
    for (const c of deck.querySelectorAll("[data-vote]")) c.setAttribute("aria-pressed", String(c === btn));
    const note = root.querySelector("[data-my-vote]");
    const value = btn.dataset.vote;
    if (note) note.textContent = `You voted ${value === "☕" ? "☕ (a break)" : value} · only you see it until the reveal`;
    const res = await api("POST", `/estimations/${sid}/votes`, { item_id: deck.dataset.item, value });
    if (!res.ok) {
      for (const c of deck.querySelectorAll("[data-vote]")) c.setAttribute("aria-pressed", String(c === before));
      notify({ kind: "error", title: "Your vote did not count", text: problemText(res) });
      schedule();
      return;
    }
    announce(`You voted ${value}.`);
  };

  const move = async (btn) => {
    const open = [...root.querySelectorAll("[data-queue-item]")]
      .filter((li) => li.dataset.state === "pending" || li.dataset.state === "current")
      .map((li) => li.dataset.queueItem);
    const i = open.indexOf(btn.dataset.item);
    const j = btn.dataset.move === "up" ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= open.length) return;
    [open[i], open[j]] = [open[j], open[i]];
    const res = await api("PUT", `/estimations/${sid}/queue`, { item_ids: open }, { "If-Match": `v${version()}` });
    if (!res.ok) {
      notify({ kind: res.status === 409 ? "info" : "error", title: "Could not reorder the queue", text: problemText(res) });
    } else {
      announce(`Moved to position ${open.indexOf(btn.dataset.item) + 1 + root.querySelectorAll('[data-queue-item][data-state="estimated"], [data-queue-item][data-state="skipped"]').length}.`);
    }
    schedule();
  };

  /** The facilitator adds a backlog item at the end of the queue. */
  const addToQueue = async (form) => {
    const select = form.elements.namedItem("item");
    const id = select?.value;
    if (!id) return;
    const label = select.selectedOptions[0]?.textContent || "the item";
    const open = [...root.querySelectorAll("[data-queue-item]")]
      .filter((li) => li.dataset.state === "pending" || li.dataset.state === "current")
      .map((li) => li.dataset.queueItem);
    const res = await api("PUT", `/estimations/${sid}/queue`, { item_ids: [...open, id] }, { "If-Match": `v${version()}` });
    if (res.ok) {
      announce(`Added ${label} to the queue.`);
    } else {
      notify({ kind: res.status === 409 ? "info" : "error", title: "Could not add to the queue", text: problemText(res) });
    }
    schedule();
  };

  root.addEventListener("submit", (e) => {
    if (!e.target.matches("[data-queue-add]")) return;
    e.preventDefault();
    addToQueue(e.target);
  });

  root.addEventListener("change", (e) => {
    if (e.target.matches("#timer-len, #accept-card")) e.target.dataset.changed = "1";
  });

  root.addEventListener("click", async (e) => {
    const btn = e.target.closest("button");
    if (!btn || !root.contains(btn) || btn.disabled) return;
    if (btn.dataset.vote !== undefined) return vote(btn);
    if (btn.dataset.move) return move(btn);
    if (btn.dataset.target) {
      target = btn.dataset.target;
      schedule();
      return;
    }
    const a = btn.dataset.act;
    if (!a) return;
    const v = view()?.dataset;
    switch (a) {
      case "next":
        return act("next", undefined, v?.state === "waiting" ? "start the session" : "go to the next item");
      case "reveal":
        return act("reveal", undefined, "reveal the votes");
      case "revote":
        return act("revote", undefined, "start a new round");
      case "accept": {
        const card = root.querySelector("#accept-card")?.value;
        return act("accept", { item_id: v?.current, value: card }, "accept the estimate");
      }
      case "skip":
        return act("skip", { item_id: btn.dataset.item }, "skip the item");
      case "timer": {
        const seconds = btn.dataset.seconds !== undefined ? Number(btn.dataset.seconds) : Number(root.querySelector("#timer-len")?.value || 120);
        return act("timer", { seconds }, seconds ? "start the timer" : "stop the timer");
      }
      case "close": {
        const pending = root.querySelectorAll('[data-queue-item][data-state="pending"], [data-queue-item][data-state="current"]').length;
        const sure = await ask({
          title: "Close the session?",
          text: pending ? `${pending} item${pending === 1 ? " is" : "s are"} not estimated yet; they keep no estimate.` : "Everyone sees the summary.",
          buttons: [
            { label: "Keep it open", value: "" },
            { label: "Close session", value: "close", primary: true },
          ],
        });
        if (sure === "close") return act("close", undefined, "close the session");
      }
    }
  });

  // Digit keys pick a card ("1" then "3" picks 13); "?" picks unsure.
  let typed = "";
  let typedAt = 0;
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (e.target.closest?.("input, textarea, select, [contenteditable], dialog")) return;
    const deck = root.querySelector("[data-deck]");
    if (!deck || !/^[0-9?½]$/.test(e.key)) return;
    typed = Date.now() - typedAt < 700 ? typed + e.key : e.key;
    typedAt = Date.now();
    const pick = deck.querySelector(`[data-vote="${CSS.escape(typed)}"]`) || deck.querySelector(`[data-vote="${CSS.escape(e.key)}"]`);
    if (pick && !pick.disabled) {
      e.preventDefault();
      if (pick.dataset.vote === e.key) typed = e.key;
      pick.focus();
      vote(pick);
    }
  });

  decorate();
  connect(
    root.dataset.team,
    root.dataset.lastEventId,
    [...sessionEvents, ...teamEvents],
    (type, ev) => {
      // The envelope's subject is the session, or the item for votes.
      const d = ev.data || {};
      if (type === "item.updated") {
        if (root.querySelector(`[data-queue-item="${CSS.escape(ev.subject_id || "")}"]`)) schedule();
        return;
      }
      if (teamEvents.includes(type) || ev.subject_id === sid || d.session_id === sid || d.id === sid) schedule();
    },
    {
      presence: sid,
      onPresence(f) {
        if (f.key !== sid) return;
        if (Array.isArray(f.present)) present = new Set(f.present);
        present ??= new Set([me]);
        if (f.joined) present.add(f.joined);
        if (f.left) present.delete(f.left);
        paintPresence();
      },
      onReset: schedule,
      onOpen(reconnected) {
        if (reconnected) schedule();
      },
    },
  );
}
