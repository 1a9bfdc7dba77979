// The backlog page: the ordered list stays live (creates, edits and moves
// from everyone appear without a reload, the scroll position holds still),
// filters and search swap the list in place, more rows load as the reader
// scrolls, items open in a side panel, and the list reorders by drag and
// drop or the keyboard (reorder.js).
import { announce, api, ask, fragment, notify, promptText, refusal } from "./api.js";
import { connect } from "./live.js";
import { commentsChangedLive, initPanel, itemChangedLive, refreshPanel } from "./item.js";
import { initReorder } from "./reorder.js";

const root = document.querySelector("[data-backlog]");
if (root) main(root);

function main(root) {
  const team = root.dataset.team;
  const me = root.dataset.me;
  const members = JSON.parse(root.dataset.members || "{}");
  const backlog = () => root.querySelector("[data-fragment=list]");
  const list = () => backlog().querySelector("[data-list]");
  const rows = () => [...list().children].filter((el) => el.classList.contains("brow"));
  const rowById = (id) => list().querySelector(`.brow[data-item="${CSS.escape(id)}"]`);
  const filters = root.querySelector("[data-filters]");
  const side = root.querySelector("[data-side]");
  const layout = root.querySelector("[data-layout]");
  const panelCtx = { team, me, members, onReplaced: () => {} };

  // ---- The list model ----------------------------------------------------
  const m = {
    root,
    team,
    list,
    rows,
    pending: new Map(),
    busy: false,
    first: () => Number(backlog().dataset.first || 1),
    total: () => Number(backlog().dataset.total || 0),
    hasMore: () => !!backlog().dataset.next,
    /** Whether rank falls within the rows this page has loaded. */
    inRange(rank) {
      const end = backlog().dataset.end;
      return !m.hasMore() || !end || rank <= end;
    },
    position(row) {
      const i = rows().indexOf(row);
      return i < 0 ? 0 : m.first() + i;
    },
    renumber() {
      const first = m.first();
      const total = m.total();
      rows().forEach((row, i) => {
        const pos = first + i;
        const key = `${pos}/${total}`;
        if (row.dataset.p === key) return;
        row.dataset.p = key;
        const p = row.querySelector("[data-pos]");
        if (p) p.textContent = pos;
        row.querySelector("[data-drag-handle]")?.setAttribute("aria-label", `Reorder #${row.dataset.number}, position ${pos} of ${total}`);
      });
    },
    /** Insert row where its rank belongs, or drop it past the loaded rows. */
    place(row) {
      const rank = row.dataset.rank;
      if (!m.inRange(rank)) {
        row.remove();
        return false;
      }
      const rs = rows().filter((r) => r !== row);
      let lo = 0;
      let hi = rs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rs[mid].dataset.rank < rank) lo = mid + 1;
        else hi = mid;
      }
      const ref = rs[lo] || null;
      if (ref) {
        if (row.nextElementSibling !== ref) list().insertBefore(row, ref);
      } else if (list().lastElementChild !== row) {
        list().append(row);
      }
      return true;
    },
    /**
     * Run fn, which changes the list, without moving what the reader is
     * looking at: the element at the top of the viewport stays put.
     */
    preserve(fn, moving) {
      const a = anchor(moving);
      fn();
      if (a && a.el.isConnected) {
        const d = a.el.getBoundingClientRect().top - a.top;
        if (Math.abs(d) >= 1) window.scrollBy(0, d);
      }
    },
    focusRow(row) {
      if (!row || !row.isConnected) return;
      setCurrent(row);
      row.focus({ preventScroll: false });
    },
    setBusy(b) {
      m.busy = b;
      if (!b) drain();
    },
    /** Put each suggestion next to the row it is about, or at the top. */
    placeSuggestions() {
      const l = list();
      const items = [...l.querySelectorAll(":scope > .suggestion")];
      if (!items.length) return;
      const rs = rows();
      const filtered = backlog().dataset.filtered === "true";
      for (const s of items.reverse()) {
        const d = s.dataset;
        let anchor = null;
        let after = false;
        if (d.to === "top") anchor = !filtered && m.first() === 1 ? rs[0] : null;
        else if (d.to === "bottom") [anchor, after] = [!filtered && !m.hasMore() ? rs[rs.length - 1] : null, true];
        else if (d.before) anchor = rowById(d.before);
        else if (d.after) [anchor, after] = [rowById(d.after), true];
        s.querySelector('[data-where="here"]')?.toggleAttribute("hidden", !anchor);
        s.querySelector('[data-where="elsewhere"]')?.toggleAttribute("hidden", !!anchor);
        if (!anchor) l.prepend(s);
        else if (after) anchor.after(s);
        else anchor.before(s);
      }
    },
    onSuggest: (row, target) => suggest(row.dataset.item, `#${row.dataset.number} ${row.dataset.title}`, target),
  };

  function anchor(moving) {
    const top = (document.querySelector(".topbar")?.getBoundingClientRect().bottom ?? 0) + 4;
    const x = Math.min(window.innerWidth - 1, Math.max(0, (backlog()?.getBoundingClientRect().left ?? 0) + 24));
    for (const y of [top, top + 48, top + 120]) {
      let el = document.elementFromPoint(x, y);
      if (!el || el.closest("[data-toasts], .topbar, .toasts")) continue;
      const row = el.closest(".brow");
      if (row && moving && row === moving) {
        el = row.nextElementSibling || row.previousElementSibling;
      } else if (row) {
        el = row;
      }
      if (el) return { el, top: el.getBoundingClientRect().top };
    }
    return null;
  }

  // ---- Roving focus ------------------------------------------------------
  // One row is in the tab order; its controls are reachable with Tab, the
  // other rows' are not until the arrow keys make them current.
  function prepare(row) {
    const current = row.tabIndex === 0;
    for (const el of row.querySelectorAll("a, button, input, summary, [tabindex]")) el.tabIndex = current ? 0 : -1;
  }
  function setCurrent(row) {
    for (const r of list().querySelectorAll('.brow[tabindex="0"]')) {
      if (r === row) continue;
      r.tabIndex = -1;
      prepare(r);
    }
    row.tabIndex = 0;
    prepare(row);
  }
  function prepareAll() {
    const rs = rows();
    for (const r of rs) prepare(r);
    if (rs.length && !list().querySelector('.brow[tabindex="0"]')) setCurrent(rs[0]);
    m.renumber();
  }
  root.addEventListener("focusin", (event) => {
    const row = event.target.closest?.(".brow");
    if (!row) return;
    if (row.tabIndex !== 0) setCurrent(row);
    row.classList.add("is-selected");
  });
  root.addEventListener("focusout", (event) => {
    const row = event.target.closest?.(".brow");
    if (row && !row.contains(event.relatedTarget) && !row.classList.contains("is-grabbed")) row.classList.remove("is-selected");
  });
  root.addEventListener("keydown", (event) => {
    const row = event.target.closest?.(".brow");
    if (!row || event.target !== row || event.altKey || reorder.isLifted()) return;
    const rs = rows();
    const i = rs.indexOf(row);
    let to = null;
    if (event.key === "ArrowDown" || event.key === "j") to = rs[i + 1];
    else if (event.key === "ArrowUp" || event.key === "k") to = rs[i - 1];
    else if (event.key === "Home") to = rs[0];
    else if (event.key === "End") to = rs[rs.length - 1];
    else if (event.key === "Enter") {
      event.preventDefault();
      row.querySelector("[data-open-item]")?.click();
      return;
    } else if (event.key === "x") {
      const box = row.querySelector("[data-select]");
      if (box) box.checked = !box.checked;
      return;
    }
    if (to) {
      event.preventDefault();
      m.focusRow(to);
    }
  });

  // ---- Live updates ------------------------------------------------------
  // Events wait while a row is being dragged or carried, then apply in order.
  const waiting = [];
  let chain = Promise.resolve();
  function drain() {
    while (!m.busy && waiting.length) {
      const [type, ev] = waiting.shift();
      chain = chain.then(() => apply(type, ev)).catch(() => {});
    }
  }
  function adjustTotal(d) {
    const b = backlog();
    b.dataset.total = Math.max(0, m.total() + d);
    if (b.dataset.filtered !== "true") b.dataset.all = b.dataset.total;
    summary();
  }
  function summary() {
    const b = backlog();
    const n = m.total();
    const items = (k) => `${k} ${k === 1 ? "item" : "items"}`;
    const text = b.dataset.filtered === "true" ? `${n} of ${items(Number(b.dataset.all))} match` : items(n);
    const s = root.querySelector("[data-summary]");
    // The ready count comes from the server; keep it until the next reload.
    const ready = s?.textContent.match(/ · \d+ ready$/)?.[0] || "";
    if (s && s.textContent !== text + ready) s.textContent = text + ready;
    const foot = b.querySelector("[data-foot]");
    if (foot && !m.hasMore() && m.first() === 1) foot.textContent = items(n);
  }
  function flash(row) {
    row.classList.remove("is-flash");
    void row.offsetWidth;
    row.classList.add("is-flash");
    setTimeout(() => row.classList.remove("is-flash"), 1600);
  }
  function filterQuery() {
    const p = new URLSearchParams(new FormData(filters));
    for (const [k, v] of [...p]) if (!v) p.delete(k);
    return p;
  }

  /** Fetch one row as the filter shows it and put it in its place. */
  async function upsert(id) {
    const q = filterQuery();
    q.set("id", id);
    const { status, el } = await fragment(`/teams/${team}/backlog/fragments/row?${q}`, "li.brow");
    const existing = rowById(id);
    if (status === 204 || status === 404) {
      if (existing) {
        const next = existing.nextElementSibling || existing.previousElementSibling;
        const focused = existing.contains(document.activeElement);
        m.preserve(() => existing.remove(), existing);
        adjustTotal(-1);
        m.renumber();
        if (focused) m.focusRow(next);
      }
      return;
    }
    if (status !== 200 || !el) return;
    if (existing) {
      const focused = existing.contains(document.activeElement) ? document.activeElement : null;
      el.querySelector("[data-select]").checked = existing.querySelector("[data-select]").checked;
      for (const c of ["is-open", "is-selected"]) el.classList.toggle(c, existing.classList.contains(c));
      el.tabIndex = existing.tabIndex;
      const moved = existing.dataset.rank !== el.dataset.rank;
      m.preserve(() => {
        existing.replaceWith(el);
        if (moved) m.place(el);
      }, el);
      prepare(el);
      if (focused && el.isConnected) {
        const same = focused.matches("[data-drag-handle]") ? el.querySelector("[data-drag-handle]") : el;
        same.focus({ preventScroll: true });
      }
      if (el.isConnected && moved) flash(el);
    } else {
      if (!m.inRange(el.dataset.rank)) {
        adjustTotal(1);
        return;
      }
      el.tabIndex = -1;
      m.preserve(() => m.place(el));
      prepare(el);
      list().hidden = false;
      backlog().querySelector(".backlog__empty")?.remove();
      adjustTotal(1);
      flash(el);
    }
    m.renumber();
  }

  function moved(d) {
    const row = rowById(d.id);
    if (!row) {
      if (m.inRange(d.rank)) return upsert(d.id);
      return;
    }
    if (row.dataset.rank === d.rank) return;
    row.dataset.rank = d.rank;
    row.dataset.version = d.version;
    const focused = row.contains(document.activeElement);
    let stays = true;
    m.preserve(() => {
      stays = m.place(row);
    }, row);
    if (!stays) {
      adjustTotal(0);
      if (focused) m.focusRow(rows()[0]);
    } else {
      flash(row);
      if (focused) row.focus({ preventScroll: true });
    }
    m.renumber();
  }

  async function apply(type, ev) {
    const open = side.querySelector("[data-panel]");
    switch (type) {
      case "item.created":
        await upsert(ev.data.id);
        break;
      case "item.updated":
        await upsert(ev.data.item.id);
        if (open?.dataset.item === ev.data.item.id) await itemChangedLive(open, panelCtx, ev);
        break;
      case "item.moved":
        if (ev.actor_id === me && m.pending.get(ev.data.id)) break;
        await moved(ev.data);
        if (open?.dataset.item === ev.data.id && ev.actor_id !== me) await itemChangedLive(open, panelCtx, ev);
        break;
      case "items.imported":
      case "items.rebalanced":
      case "definition_of_ready.updated":
        await reloadList(true);
        if (open && type === "definition_of_ready.updated" && !isEditingPanel()) await refreshPanel(open, panelCtx);
        break;
      case "suggestion.added":
      case "suggestion.accepted":
      case "suggestion.dismissed":
        await reloadSuggestions();
        break;
      case "product_goal.updated":
        await reloadGoal();
        break;
      case "comment.added":
        if (open?.dataset.item === ev.data.item_id) await commentsChangedLive(open, panelCtx);
        break;
    }
    if ((type === "item.moved" || type === "item.created") && list().querySelector(":scope > .suggestion")) scheduleSuggestions();
  }
  function isEditingPanel() {
    const open = side.querySelector("[data-panel]");
    return open && open.contains(document.activeElement) && document.activeElement.matches("input, textarea, select");
  }

  connect(team, root.dataset.lastEventId, ["item.created", "item.updated", "item.moved", "items.imported", "items.rebalanced",
    "definition_of_ready.updated", "suggestion.added", "suggestion.accepted", "suggestion.dismissed", "product_goal.updated", "comment.added"], (type, ev) => {
    waiting.push([type, ev]);
    drain();
  });

  // ---- Suggested positions ----------------------------------------------
  async function reloadSuggestions() {
    const { status, el } = await fragment(`/teams/${team}/backlog/fragments/suggestions?${filterQuery()}`, "ol[data-suggestions]");
    if (status !== 200 || !el) return;
    m.preserve(() => {
      for (const s of list().querySelectorAll(":scope > .suggestion")) s.remove();
      list().prepend(...el.children);
      m.placeSuggestions();
    });
  }
  let suggestionTimer = 0;
  function scheduleSuggestions() {
    clearTimeout(suggestionTimer);
    suggestionTimer = setTimeout(reloadSuggestions, 300);
  }
  /** Ask for a note and suggest a position (for whoever may not reorder). */
  async function suggest(itemID, label, target) {
    const note = await promptText({
      title: "Suggest this position",
      text: `${root.dataset.orderers || "The Product Owner"} decides the order and sees your suggestion in the backlog. Moving ${label}.`,
      label: "Why should it move? (optional)",
      placeholder: "e.g. three customers reported it this week",
      submit: "Suggest",
    });
    if (note === null) return;
    const res = await api("POST", `/teams/${team}/items/${itemID}/suggestions`, { ...target, note });
    if (res.ok) {
      notify({ text: "Suggestion sent. It shows in the backlog until it is accepted or dismissed.", kind: "success" });
      announce("Suggestion sent.");
      await reloadSuggestions();
    } else {
      notify({ title: "Not suggested", text: res.data?.detail || "The suggestion could not be saved.", kind: "error" });
    }
  }
  root.addEventListener("click", async (event) => {
    const btn = event.target.closest?.("[data-suggestion-action]");
    if (!btn) return;
    event.preventDefault();
    const li = btn.closest(".suggestion");
    btn.disabled = true;
    const res = await api("POST", `/teams/${team}/suggestions/${li.dataset.suggestion}/${btn.dataset.suggestionAction}`, {});
    if (res.ok) {
      m.preserve(() => li.remove());
      if (btn.dataset.suggestionAction === "accept") {
        const row = rowById(li.dataset.item);
        announce(`Moved ${row ? `‘${row.dataset.title}’` : "the item"} as suggested.`);
        notify({ text: "Moved as suggested.", kind: "success" });
      }
    } else {
      btn.disabled = false;
      notify({ title: "Not done", text: res.status === 403 ? refusal(res.data, "accept suggestions") : res.data?.detail || "", kind: "error" });
      if (res.status === 409 || res.status === 404) await reloadSuggestions();
    }
  });
  root.addEventListener("click", (event) => {
    const btn = event.target.closest?.("[data-suggest]");
    if (!btn || !list().contains(btn)) return;
    event.preventDefault();
    btn.closest("details")?.removeAttribute("open");
    const row = btn.closest(".brow");
    const rs = rows();
    const i = rs.indexOf(row);
    const target = btn.dataset.suggest === "up" && i > 0 ? { before: rs[i - 1].dataset.item } : { to: "top" };
    suggest(row.dataset.item, `#${row.dataset.number} ${row.dataset.title}`, target);
  });

  // ---- Product goal ------------------------------------------------------
  async function reloadGoal() {
    const cur = root.querySelector("[data-fragment=goal]");
    const ta = cur?.querySelector("textarea");
    if (ta && ta.value !== ta.defaultValue) return; // someone is writing: their save will ask
    const { status, el } = await fragment(`/teams/${team}/backlog/fragments/goal`, "[data-fragment=goal]");
    if (status === 200 && el && cur) m.preserve(() => cur.replaceWith(el));
  }
  root.addEventListener("submit", async (event) => {
    const form = event.target.closest?.("[data-goal-form]");
    if (!form) return;
    event.preventDefault();
    const text = form.elements.namedItem("text").value;
    let version = Number(form.elements.namedItem("version").value);
    for (;;) {
      const res = await api("PUT", `/teams/${team}/product-goal`, { text, version });
      if (res.ok) {
        notify({ text: "Product goal saved.", kind: "success" });
        form.elements.namedItem("text").defaultValue = text;
        await reloadGoal();
        return;
      }
      if (res.status === 409) {
        const choice = await ask({
          title: "Someone changed the goal",
          text: ["The product goal was changed while you were editing it.", "Reload it and save your text on top?"],
          buttons: [{ label: "Keep editing", value: "" }, { label: "Save mine on top", value: "again", primary: true }],
        });
        if (choice !== "again") return;
        const cur = await api("GET", `/teams/${team}/product-goal`);
        if (!cur.ok) return;
        version = cur.data.version;
        continue;
      }
      notify({ title: "Not saved", text: res.status === 403 ? refusal(res.data, "set the product goal") : res.data?.errors?.[0]?.message || res.data?.detail || "", kind: "error" });
      return;
    }
  });
  root.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-goal-filter]")) return;
    event.preventDefault();
    setChip("goal", "true", true);
  });

  // ---- Bulk edit ---------------------------------------------------------
  const bulk = root.querySelector("[data-bulk]");
  const checked = () => [...list().querySelectorAll("[data-select]:checked")];
  function updateBulk() {
    if (!bulk) return;
    const n = checked().length;
    bulk.hidden = n === 0;
    const count = bulk.querySelector("[data-bulk-count]");
    if (count) count.textContent = `${n} selected`;
    bulk.querySelector("[data-bulk-clear]")?.removeAttribute("hidden");
  }
  root.addEventListener("change", (event) => {
    if (event.target.matches?.("[data-select]")) updateBulk();
  });
  bulk?.querySelector("[data-bulk-clear]")?.addEventListener("click", () => {
    for (const box of checked()) box.checked = false;
    updateBulk();
  });
  bulk?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const b = event.submitter;
    for (const d of bulk.querySelectorAll("details[open]")) d.removeAttribute("open");
    const ids = checked().map((box) => box.value);
    if (!ids.length || !b) return;
    const body = { item_ids: ids };
    const label = bulk.querySelector("[data-bulk-label]")?.value.trim();
    if (b.name === "status") body.status = b.value;
    else if (b.name === "epic") body.parent_id = b.value === "none" ? null : b.value;
    else if (b.dataset.bulkLabelAction) {
      if (!label) {
        bulk.querySelector("[data-bulk-label]")?.focus();
        return;
      }
      body[b.dataset.bulkLabelAction === "add" ? "add_labels" : "remove_labels"] = [label];
    }
    if (b.hasAttribute("data-bulk-remove")) {
      const ok = await ask({
        title: `Remove ${ids.length} ${ids.length === 1 ? "item" : "items"} from the backlog?`,
        text: "They leave the list but keep their history; set another status to bring them back.",
        buttons: [{ label: "Cancel", value: "" }, { label: "Remove", value: "yes", primary: true }],
      });
      if (ok !== "yes") return;
    }
    const res = await api("POST", `/teams/${team}/items/bulk`, body);
    if (res.ok) {
      const n = res.data.items.length;
      notify({ text: `Updated ${n} ${n === 1 ? "item" : "items"}.`, kind: "success" });
      announce(`Updated ${n} ${n === 1 ? "item" : "items"}.`);
      for (const box of checked()) box.checked = false;
      updateBulk();
      return;
    }
    let text = res.data?.errors?.[0]?.message || res.data?.detail || "Nothing was changed.";
    text = text.replace(/item (\d+) \(([a-z0-9]+)\)/, (all, i, id) => {
      const row = rowById(id);
      return row ? `#${row.dataset.number}` : all;
    });
    notify({ title: "Nothing was changed", text: res.status === 403 ? refusal(res.data, "do that") : text, kind: "error" });
  });

  // ---- Filters and search ------------------------------------------------
  let listSeq = 0;
  async function reloadList(keepScroll) {
    const seq = ++listSeq;
    const q = filterQuery();
    const { status, el } = await fragment(`/teams/${team}/backlog/fragments/list?${q}`, "[data-fragment=list]");
    if (seq !== listSeq || status !== 200 || !el) return;
    const hadFocus = backlog().contains(document.activeElement);
    const doSwap = () => backlog().replaceWith(el);
    if (keepScroll) m.preserve(doSwap);
    else doSwap();
    prepareAll();
    m.placeSuggestions();
    updateBulk();
    const s = root.querySelector("[data-summary]");
    if (s) s.textContent = el.dataset.summaryText;
    observeFoot();
    if (hadFocus && rows()[0]) m.focusRow(rows()[0]);
    const url = new URL(location.href);
    url.search = q.toString();
    const open = side.querySelector("[data-panel]");
    if (open) url.searchParams.set("item", open.dataset.item);
    history.replaceState(null, "", url);
    root.querySelector("[data-clear-filters]")?.toggleAttribute("hidden", el.dataset.filtered !== "true");
  }
  let searchTimer = 0;
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    reloadList(false);
  });
  filters.addEventListener("change", (event) => {
    if (event.target.name !== "q") reloadList(false);
  });
  filters.addEventListener("input", (event) => {
    if (event.target.name !== "q") return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => reloadList(false), 250);
  });
  root.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-clear-filters]")) return;
    event.preventDefault();
    filters.reset();
    for (const el of filters.elements) {
      if (el.name === "q" || el.type === "hidden") el.value = "";
      else if (el instanceof HTMLSelectElement) el.value = "";
    }
    syncChips();
    reloadList(false);
  });
  function syncChips() {
    for (const chip of filters.querySelectorAll("[data-chip]")) {
      const input = filters.querySelector(`[data-chip-input="${chip.dataset.chip}"]`);
      chip.setAttribute("aria-pressed", String(input?.value === chip.dataset.chipValue));
    }
  }
  function setChip(name, value, on) {
    const input = filters.querySelector(`[data-chip-input="${name}"]`);
    if (!input) return;
    input.value = on ? value : "";
    syncChips();
    reloadList(false);
  }
  filters.addEventListener("click", (event) => {
    const chip = event.target.closest?.("[data-chip]");
    if (!chip) return;
    event.preventDefault();
    setChip(chip.dataset.chip, chip.dataset.chipValue, chip.getAttribute("aria-pressed") !== "true");
  });
  // Touch: a tap pins a readiness tooltip; the next tap elsewhere unpins it.
  document.addEventListener("click", (event) => {
    const tip = event.target.closest?.(".tip");
    for (const t of root.querySelectorAll(".tip.is-open")) if (t !== tip) t.classList.remove("is-open");
    if (tip && event.pointerType === "touch") tip.classList.toggle("is-open");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.altKey || event.ctrlKey || event.metaKey) return;
    const t = event.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable) return;
    event.preventDefault();
    filters.querySelector("[name=q]")?.focus();
  });

  // ---- More rows as the reader scrolls ----------------------------------
  let loading = false;
  async function loadMore() {
    const b = backlog();
    if (loading || !b.dataset.more) return;
    loading = true;
    try {
      const { status, el } = await fragment(b.dataset.more, "ol[data-rows]");
      if (status !== 200 || !el || b !== backlog()) return;
      const fresh = [...el.children].filter((r) => !rowById(r.dataset.item));
      for (const r of fresh) r.tabIndex = -1;
      list().append(...fresh);
      for (const r of fresh) prepare(r);
      m.placeSuggestions();
      b.dataset.next = el.dataset.next;
      b.dataset.end = el.dataset.end || "";
      if (el.dataset.more) b.dataset.more = el.dataset.more;
      else delete b.dataset.more;
      m.renumber();
      const foot = b.querySelector("[data-foot]");
      if (foot) foot.textContent = m.hasMore() ? `Showing ${m.first()}–${m.first() + rows().length - 1} of ${m.total()}` : `${m.total()} ${m.total() === 1 ? "item" : "items"}`;
    } finally {
      loading = false;
    }
  }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "800px 0px" });
  function observeFoot() {
    io.disconnect();
    const foot = backlog().querySelector(".backlog__foot");
    if (foot) io.observe(foot);
  }
  root.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-more-link]")) return;
    event.preventDefault();
    loadMore();
  });

  // ---- The side panel ----------------------------------------------------
  const narrow = window.matchMedia("(max-width: 1180px)");
  function markOpen(id) {
    for (const r of list().querySelectorAll(".brow.is-open")) r.classList.remove("is-open");
    if (id) rowById(id)?.classList.add("is-open");
  }
  async function openPanel(id) {
    const { status, el } = await fragment(`/teams/${team}/items/${id}/panel`, "[data-panel]");
    if (status !== 200 || !el) {
      notify({ text: "That item could not be opened.", kind: "error" });
      return;
    }
    side.replaceChildren(el);
    layout.classList.add("split");
    initPanel(el, panelCtx);
    markOpen(el.dataset.item);
    const url = new URL(location.href);
    url.searchParams.set("item", el.dataset.item);
    history.replaceState(null, "", url);
    el.querySelector(".panel__title")?.setAttribute("tabindex", "-1");
    el.querySelector(".panel__title")?.focus({ preventScroll: true });
  }
  function closePanel() {
    const open = side.querySelector("[data-panel]");
    if (!open) return;
    const row = rowById(open.dataset.item);
    side.replaceChildren();
    layout.classList.remove("split");
    markOpen("");
    const url = new URL(location.href);
    url.searchParams.delete("item");
    history.replaceState(null, "", url);
    if (row) m.focusRow(row);
  }
  root.addEventListener("click", (event) => {
    const open = event.target.closest?.("[data-open-item]");
    if (open && !narrow.matches && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey) {
      const row = open.closest(".brow");
      if (row) {
        event.preventDefault();
        open.closest("details")?.removeAttribute("open");
        openPanel(row.dataset.item);
        return;
      }
    }
    if (event.target.closest?.("[data-panel-close]")) {
      event.preventDefault();
      closePanel();
    }
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && side.contains(event.target) && !event.target.closest("details[open], dialog")) closePanel();
  });
  const initial = side.querySelector("[data-panel]");
  if (initial) {
    initPanel(initial, panelCtx);
    markOpen(initial.dataset.item);
  }

  // ---- Row menus ----------------------------------------------------------
  root.addEventListener("click", async (event) => {
    const btn = event.target.closest?.("[data-move], [data-remove]");
    if (!btn || !list().contains(btn)) return;
    event.preventDefault();
    btn.closest("details")?.removeAttribute("open");
    const row = btn.closest(".brow");
    if (btn.dataset.move) {
      reorder.moveNow(row, btn.dataset.move);
      return;
    }
    const res = await api("DELETE", `/teams/${team}/items/${row.dataset.item}`, undefined, { "If-Match": row.dataset.version });
    if (res.ok) {
      notify({ text: `Removed #${row.dataset.number} from the backlog.`, kind: "success" });
      await upsert(row.dataset.item);
    } else {
      notify({ title: "Not removed", text: res.data?.detail || "", kind: "error" });
    }
  });

  // ---- Quick add ----------------------------------------------------------
  const quick = root.querySelector("[data-quickadd]");
  quick?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = quick.querySelector("[name=title]");
    const type = quick.querySelector("[name=type]").value;
    const title = input.value;
    quick.querySelector(".quickadd__error")?.remove();
    quick.classList.remove("field--error");
    input.removeAttribute("aria-invalid");
    const res = await api("POST", `/teams/${team}/items`, { type, title });
    if (!res.ok) {
      const msg = res.data?.errors?.find((e) => e.field === "title")?.message || res.data?.detail || "The item could not be added.";
      const p = document.createElement("p");
      p.className = "field__error quickadd__error";
      p.id = "e-qa-title";
      p.textContent = msg;
      quick.append(p);
      quick.classList.add("field--error");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "e-qa-title");
      input.focus();
      return;
    }
    input.value = "";
    input.focus();
    announce(`Added #${res.data.number} ‘${res.data.title}’ at the bottom of the backlog.`);
    notify({ text: `Added #${res.data.number} at the bottom of the backlog.`, kind: "success" });
    await upsert(res.data.id);
    rowById(res.data.id)?.scrollIntoView({ block: "nearest" });
  });
  root.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-focus-quickadd]")) return;
    event.preventDefault();
    const input = root.querySelector("#f-title");
    input?.scrollIntoView({ block: "center" });
    input?.focus({ preventScroll: true });
  });

  const reorder = initReorder(m);
  prepareAll();
  m.placeSuggestions();
  updateBulk();
  observeFoot();
  // A server-rendered page may open on #item-N: make that row current.
  const hash = location.hash.match(/^#item-(\d+)$/);
  if (hash) {
    const row = document.getElementById(`item-${hash[1]}`);
    if (row) {
      setCurrent(row);
      flash(row);
    }
  }
  root.dataset.ready = "true";
}
