// Reordering the backlog: drag and drop with pointer events (mouse, pen and
// touch), and the keyboard. Moves show at once and are saved through the
// API; a refused or failed move snaps back and says why. Every move is
// announced to screen readers.
//
// The keyboard: arrows (or J/K) move the focus between rows. Space picks
// the focused row up; arrows, Home and End then move it; Space or Enter
// drops it and Escape puts it back. Alt with an arrow, Home or End moves
// the focused row at once.
import { announce, api, notify, refusal } from "./api.js";

/**
 * m is the page's list model (see backlog.js): team, rows(), list(),
 * position(row), total(), hasMore(), renumber(), preserve(fn, keep),
 * setBusy(bool), pending (Map), focusRow(row), onSuggest(row, target).
 */
export function initReorder(m) {
  let lifted = null; // {row, origin} while a row is picked up by keyboard
  let queue = Promise.resolve();

  const title = (row) => row.dataset.title || `#${row.dataset.number}`;
  // Suggestions sit between rows; walking the list skips them.
  const prevRow = (row) => {
    let el = row.previousElementSibling;
    while (el && !el.classList.contains("brow")) el = el.previousElementSibling;
    return el;
  };
  const nextRow = (row) => {
    let el = row.nextElementSibling;
    while (el && !el.classList.contains("brow")) el = el.nextElementSibling;
    return el;
  };
  const originOf = (row) => ({ prev: prevRow(row), next: nextRow(row), pos: m.position(row) });

  function putBack(row, origin) {
    m.preserve(() => {
      if (origin.next?.isConnected && origin.next.parentElement === m.list()) m.list().insertBefore(row, origin.next);
      else if (origin.prev?.isConnected && origin.prev.parentElement === m.list()) origin.prev.after(row);
      else m.place(row);
      m.placeSuggestions();
    }, row);
    m.renumber();
  }

  /** Where the row now sits, as the API's move target. */
  function targetOf(row) {
    const next = nextRow(row);
    const prev = prevRow(row);
    if (next) return { before: next.dataset.item };
    if (prev) return { after: prev.dataset.item };
    return null;
  }

  /**
   * Save a move the DOM already shows. On refusal or failure the row goes
   * back to origin. Moves are sent one at a time, in order.
   */
  function commit(row, origin, target, { keyboard = false } = {}) {
    const id = row.dataset.item;
    m.pending.set(id, (m.pending.get(id) || 0) + 1);
    m.setBusy(true);
    const run = async () => {
      const res = await api("POST", `/teams/${m.team}/items/${id}/move`, target);
      if (res.ok) {
        row.dataset.rank = res.data.rank;
        row.dataset.version = res.data.version;
        // A move past the loaded rows leaves this page.
        if (row.isConnected && !m.inRange(res.data.rank)) m.preserve(() => row.remove());
        m.renumber();
        return true;
      }
      putBack(row, origin);
      if (keyboard) m.focusRow(row);
      if (res.status === 403) {
        const text = `${refusal(res.data, "reorder the backlog")} Suggest a position instead?`;
        announce(text);
        notify({
          title: "Not moved",
          text,
          kind: "error",
          actions: m.onSuggest ? [{ label: "Suggest this position", primary: true, onClick: () => m.onSuggest(row, target) }] : [],
        });
      } else {
        const text = res.data?.detail || "The move could not be saved.";
        announce(`Not moved. ${text}`);
        notify({ title: "Not moved", text, kind: "error" });
      }
      return false;
    };
    const p = queue.then(run, run);
    queue = p.catch(() => {});
    return p.finally(() => {
      const n = (m.pending.get(id) || 1) - 1;
      if (n) m.pending.set(id, n);
      else m.pending.delete(id);
      if (m.pending.size === 0 && !lifted && !drag) m.setBusy(false);
    });
  }

  /** Move a row one step, or to an edge, in the DOM only. */
  function step(row, dir) {
    const rows = m.rows();
    let moved = false;
    m.preserve(() => {
      if (dir === "up" && prevRow(row)) {
        m.list().insertBefore(row, prevRow(row));
        moved = true;
      } else if (dir === "down" && nextRow(row)) {
        nextRow(row).after(row);
        moved = true;
      } else if (dir === "top" && rows[0] !== row) {
        m.list().insertBefore(row, rows[0]);
        moved = true;
      } else if (dir === "bottom" && rows[rows.length - 1] !== row) {
        rows[rows.length - 1].after(row);
        moved = true;
      }
    }, row);
    if (moved) {
      m.renumber();
      m.placeSuggestions();
      row.scrollIntoView({ block: "nearest" });
    }
    return moved;
  }

  /** A one-shot move: Alt+arrows, and the row menu's buttons. */
  async function moveNow(row, dir) {
    const origin = originOf(row);
    if (!step(row, dir)) {
      announce(`${title(row)} is already at position ${m.position(row)} of ${m.total()}.`);
      return;
    }
    let target = targetOf(row);
    if (dir === "top") target = { to: "top" };
    if (dir === "bottom") target = { to: "bottom" };
    const pos = dir === "bottom" && m.hasMore() ? m.total() : m.position(row);
    m.focusRow(row);
    if (await commit(row, origin, target, { keyboard: true })) {
      announce(`Moved ‘${title(row)}’ to position ${pos} of ${m.total()}.`);
      if (!row.isConnected) m.focusRow(origin.next || origin.prev);
    }
  }

  // ---- Keyboard ----------------------------------------------------------
  function hint(row, on) {
    row.querySelector(".brow__hint")?.remove();
    const handle = row.querySelector("[data-drag-handle]");
    if (!on) {
      handle?.removeAttribute("aria-pressed");
      return;
    }
    handle?.setAttribute("aria-pressed", "true");
    const p = document.createElement("p");
    p.className = "brow__hint";
    p.setAttribute("aria-hidden", "true");
    const strong = document.createElement("strong");
    strong.textContent = `Moving #${row.dataset.number}`;
    const where = document.createElement("span");
    where.dataset.hintPos = "";
    where.textContent = `position ${m.position(row)} of ${m.total()}`;
    const keys = document.createElement("span");
    keys.className = "kbd-hint";
    for (const [k, what] of [
      [["↑", "↓"], "move"],
      [["Home", "End"], "top / bottom"],
      [["Space"], "drop"],
      [["Esc"], "cancel"],
    ]) {
      const s = document.createElement("span");
      for (const key of k) {
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        s.append(kbd);
      }
      s.append(` ${what}`);
      keys.append(s);
    }
    p.append(strong, " · ", where, " ", keys);
    row.append(p);
  }

  function lift(row) {
    lifted = { row, origin: originOf(row) };
    m.setBusy(true);
    row.classList.add("is-selected", "is-grabbed");
    hint(row, true);
    announce(`Picked up ‘${title(row)}’, position ${m.position(row)} of ${m.total()}. Use the arrow keys to move it, Space to drop it, Escape to cancel.`);
  }

  function endLift() {
    const { row } = lifted;
    lifted = null;
    row.classList.remove("is-grabbed");
    hint(row, false);
    if (m.pending.size === 0) m.setBusy(false);
  }

  async function drop() {
    const { row, origin } = lifted;
    endLift();
    if (nextRow(row) === origin.next && prevRow(row) === origin.prev) {
      announce(`Dropped ‘${title(row)}’ where it was, position ${m.position(row)} of ${m.total()}.`);
      return;
    }
    const pos = m.position(row);
    if (await commit(row, origin, targetOf(row), { keyboard: true })) {
      announce(`Moved ‘${title(row)}’ to position ${pos} of ${m.total()}.`);
    }
  }

  function cancel() {
    const { row, origin } = lifted;
    endLift();
    putBack(row, origin);
    m.focusRow(row);
    announce(`Move cancelled. ‘${title(row)}’ is back at position ${m.position(row)} of ${m.total()}.`);
  }

  function liftedMove(dir) {
    const { row } = lifted;
    if (step(row, dir)) {
      m.focusRow(row);
      const where = row.querySelector("[data-hint-pos]");
      if (where) where.textContent = `position ${m.position(row)} of ${m.total()}`;
      announce(`Position ${m.position(row)} of ${m.total()}.`);
    } else {
      announce(dir === "up" || dir === "top" ? "Already at the top." : "Already at the bottom of the loaded rows.");
    }
  }

  const dirOf = { ArrowUp: "up", ArrowDown: "down", Home: "top", End: "bottom" };

  const root = m.root;
  root.addEventListener("keydown", (event) => {
    const row = event.target.closest?.(".brow");
    if (!row || !m.list().contains(row)) return;
    const onRow = event.target === row || event.target.matches("[data-drag-handle]");
    if (lifted) {
      if (lifted.row !== row) return;
      if (dirOf[event.key]) {
        event.preventDefault();
        liftedMove(dirOf[event.key]);
      } else if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        drop();
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        cancel();
      } else if (event.key === "Tab") {
        cancel();
      }
      return;
    }
    if (event.altKey && dirOf[event.key] && onRow) {
      event.preventDefault();
      moveNow(row, dirOf[event.key]);
      return;
    }
    if (!onRow) return;
    if (event.key === " " || (event.key === "Enter" && event.target.matches("[data-drag-handle]"))) {
      event.preventDefault();
      lift(row);
    }
  });

  // Focus leaving a picked-up row cancels the move.
  root.addEventListener("focusout", (event) => {
    if (lifted && event.target === lifted.row && !lifted.row.contains(event.relatedTarget) && event.relatedTarget) cancel();
  });

  // ---- Drag and drop -----------------------------------------------------
  let drag = null;

  function autoScroll() {
    if (!drag?.active) return;
    const top = document.querySelector(".topbar")?.getBoundingClientRect().bottom ?? 0;
    const bottomBar = document.querySelector(".nav")?.getBoundingClientRect();
    const bottom = bottomBar && bottomBar.top > window.innerHeight / 2 ? bottomBar.top : window.innerHeight;
    const zone = 56;
    let dy = 0;
    if (drag.y < top + zone) dy = -Math.ceil((top + zone - drag.y) / 4);
    else if (drag.y > bottom - zone) dy = Math.ceil((drag.y - (bottom - zone)) / 4);
    if (dy) {
      window.scrollBy(0, dy);
      track();
    }
    drag.raf = requestAnimationFrame(autoScroll);
  }

  /** Follow the pointer: swap with neighbours it passes, then offset. */
  function track() {
    const { row } = drag;
    row.style.transform = "";
    let r = row.getBoundingClientRect();
    const centre = drag.y - drag.grab + r.height / 2;
    let prev = prevRow(row);
    while (prev) {
      const pr = prev.getBoundingClientRect();
      if (centre >= pr.top + pr.height / 2) break;
      m.list().insertBefore(row, prev);
      prev = prevRow(row);
    }
    let next = nextRow(row);
    while (next) {
      const nr = next.getBoundingClientRect();
      if (centre <= nr.top + nr.height / 2) break;
      next.after(row);
      next = nextRow(row);
    }
    r = row.getBoundingClientRect();
    row.style.transform = `translateY(${drag.y - drag.grab - r.top}px)`;
  }

  root.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest?.("[data-drag-handle]");
    if (!handle || !m.list().contains(handle) || event.button !== 0 || lifted || drag) return;
    const row = handle.closest(".brow");
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    const r = row.getBoundingClientRect();
    drag = { row, handle, id: event.pointerId, startY: event.clientY, y: event.clientY, grab: event.clientY - r.top, active: false, origin: originOf(row) };
  });

  root.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    drag.y = event.clientY;
    if (!drag.active) {
      if (Math.abs(drag.y - drag.startY) < 4) return;
      drag.active = true;
      m.setBusy(true);
      drag.row.classList.add("is-grabbed");
      document.documentElement.classList.add("is-dragging");
      drag.raf = requestAnimationFrame(autoScroll);
    }
    track();
  });

  function endDrag(event, cancelled) {
    if (!drag || event.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    cancelAnimationFrame(d.raf);
    d.row.style.transform = "";
    d.row.classList.remove("is-grabbed");
    document.documentElement.classList.remove("is-dragging");
    if (d.handle.hasPointerCapture?.(d.id)) d.handle.releasePointerCapture(d.id);
    if (!d.active) return;
    m.renumber();
    m.placeSuggestions();
    if (cancelled || (nextRow(d.row) === d.origin.next && prevRow(d.row) === d.origin.prev)) {
      if (cancelled) putBack(d.row, d.origin);
      if (m.pending.size === 0) m.setBusy(false);
      return;
    }
    const pos = m.position(d.row);
    commit(d.row, d.origin, targetOf(d.row)).then((ok) => {
      if (ok) announce(`Moved ‘${title(d.row)}’ to position ${pos} of ${m.total()}.`);
    });
  }
  root.addEventListener("pointerup", (e) => endDrag(e, false));
  root.addEventListener("pointercancel", (e) => endDrag(e, true));
  document.addEventListener("keydown", (e) => {
    if (drag?.active && e.key === "Escape") endDrag({ pointerId: drag.id }, true);
  });

  return { moveNow, isLifted: () => !!lifted };
}
