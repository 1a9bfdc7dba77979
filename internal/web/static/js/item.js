// The item panel, on the backlog page and on the item's own page: saves
// edits through the API with the item's version, offers to reload and
// re-apply an edit that lost a race (409), ticks acceptance criteria in
// place, and never overwrites a form the user is editing when someone else
// changes the item.
import { announce, api, ask, fragment, notify, refusal } from "./api.js";
import { connect } from "./live.js";
import { attachMentions } from "./mention.js";

/** The fields the edit form holds, read as an API patch. */
function readForm(form) {
  const out = {};
  const errors = {};
  const el = (name) => form.elements.namedItem(name);
  const changed = (e) =>
    e &&
    (e instanceof HTMLSelectElement ? [...e.options].some((o) => o.selected !== o.defaultSelected) : e.value !== e.defaultValue);
  for (const name of ["title", "type", "status", "description"]) {
    if (changed(el(name))) out[name] = el(name).value;
  }
  const value = el("value");
  if (changed(value)) {
    const s = value.value.trim();
    if (s === "") out.value = null;
    else if (/^\d+$/.test(s)) out.value = Number(s);
    else errors.value = "value must be a whole number";
  }
  const est = el("estimate");
  if (changed(est)) {
    const s = est.value.trim().replace("½", "0.5");
    if (s === "") out.estimate = null;
    else if (!Number.isNaN(Number(s))) out.estimate = Number(s);
    else errors.estimate = "estimate must be a number, such as 3 or 0.5";
  }
  const labels = el("labels");
  if (changed(labels)) {
    out.labels = labels.value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const parent = el("parent_id");
  if (changed(parent)) out.parent_id = parent.value || null;
  const goal = el("goal_linked");
  if (goal && goal.checked !== goal.defaultChecked) out.goal_linked = goal.checked;
  const rows = [...form.querySelectorAll("[data-criteria] li")];
  const rowChanged = rows.some((li) => {
    const [box, text] = li.querySelectorAll("input");
    return box.checked !== box.defaultChecked || text.value !== text.defaultValue;
  });
  if (rowChanged) {
    out.acceptance_criteria = rows
      .map((li) => {
        const [box, text] = li.querySelectorAll("input");
        return { text: text.value.trim(), done: box.checked };
      })
      .filter((c) => c.text !== "");
  }
  return { patch: out, errors };
}

/**
 * Whether the user has unsaved changes in the panel's forms (the edit
 * form, a comment, a suggestion), or is typing in one.
 */
export function isEditing(panel) {
  if (!panel) return false;
  const active = document.activeElement;
  if (panel.contains(active) && active.matches("input:not([type=checkbox]):not([type=radio]), textarea, select")) return true;
  for (const t of panel.querySelectorAll("textarea, input[type=text], input:not([type])")) {
    if (t.value !== t.defaultValue) return true;
  }
  const form = panel.querySelector("[data-item-form]");
  if (!form) return false;
  const { patch, errors } = readForm(form);
  return Object.keys(patch).length > 0 || Object.keys(errors).length > 0;
}

function clearErrors(form) {
  form.querySelector(".form-errors")?.remove();
  for (const f of form.querySelectorAll(".field--error")) f.classList.remove("field--error");
  for (const p of form.querySelectorAll(".field__error[data-client]")) p.remove();
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

function showErrors(form, errors) {
  clearErrors(form);
  let first = null;
  for (const [field, message] of Object.entries(errors)) {
    const input = form.querySelector(`#it-${CSS.escape(field)}`);
    const box = input?.closest(".field");
    if (!box) continue;
    box.classList.add("field--error");
    input.setAttribute("aria-invalid", "true");
    const p = document.createElement("p");
    p.className = "field__error";
    p.dataset.client = "";
    p.textContent = message;
    box.append(p);
    first ??= input;
  }
  first?.focus();
}

function names(ctx, id) {
  return ctx.members?.[id] || "Someone";
}

/**
 * Wire up a panel. ctx: {team, me, members, onReplaced(panel)}. Returns the
 * panel's controller.
 */
export function initPanel(panel, ctx) {
  if (!panel || panel.dataset.ready) return;
  panel.dataset.ready = "1";
  const team = ctx.team;
  const id = panel.dataset.item;
  const path = `/teams/${team}/items/${id}`;
  const form = panel.querySelector("[data-item-form]");

  // Criteria tick in place once script runs; without it, the form edits them.
  for (const box of panel.querySelectorAll("[data-ac-toggle]")) {
    box.disabled = false;
    box.addEventListener("change", () => toggleCriterion(panel, ctx, box));
  }

  for (const f of panel.querySelectorAll("[data-readiness-form]")) {
    f.addEventListener("submit", (event) => {
      event.preventDefault();
      tickReadiness(panel, ctx, f, event.submitter);
    });
  }
  attachMentions(panel.querySelector("[data-composer] textarea"));
  panel.querySelector("[data-composer]")?.addEventListener("submit", (event) => {
    event.preventDefault();
    postComment(panel, ctx, event.target);
  });
  panel.querySelector("[data-suggest-form]")?.addEventListener("submit", (event) => suggestFromPanel(event, panel, ctx));

  form?.addEventListener("submit", async (event) => {
    const submitter = event.submitter;
    event.preventDefault();
    if (submitter?.hasAttribute("data-remove-item")) {
      await removeItem(panel, ctx);
      return;
    }
    const { patch, errors } = readForm(form);
    if (Object.keys(errors).length) {
      showErrors(form, errors);
      return;
    }
    if (Object.keys(patch).length === 0) {
      notify({ text: "Nothing changed.", kind: "info" });
      return;
    }
    submitter && (submitter.disabled = true);
    try {
      await save(panel, ctx, path, patch, Number(form.elements.namedItem("version").value));
    } finally {
      if (submitter?.isConnected) submitter.disabled = false;
    }
  });
}

/** PATCH with the version; on 409 offer to reload and re-apply. */
async function save(panel, ctx, path, patch, version) {
  const form = panel.querySelector("[data-item-form]");
  for (;;) {
    const res = await api("PATCH", path, { ...patch, version });
    if (res.ok) {
      notify({ text: `Saved #${res.data.number}.`, kind: "success" });
      await refreshPanel(panel, ctx, { keepEdit: false });
      return true;
    }
    if (res.status === 409) {
      const choice = await ask({
        title: "Someone changed this item",
        text: [
          "Another change was saved while you were editing, so yours was not.",
          "Reload it and re-apply your change? Your edits to " + fieldList(patch) + " go on top of the current version.",
        ],
        buttons: [
          { label: "Keep editing", value: "" },
          { label: "Reload and re-apply", value: "reapply", primary: true },
        ],
      });
      if (choice !== "reapply") return false;
      const cur = await api("GET", path);
      if (!cur.ok) {
        notify({ text: cur.data?.detail || "The item could not be reloaded.", kind: "error" });
        return false;
      }
      version = cur.data.version;
      continue;
    }
    if (res.status === 422 && res.data?.errors) {
      const errs = {};
      for (const e of res.data.errors) errs[e.field] ??= e.message;
      if (form) showErrors(form, errs);
      return false;
    }
    if (res.status === 403) {
      notify({ title: "Not saved", text: refusal(res.data, "change that"), kind: "error" });
      return false;
    }
    notify({ title: "Not saved", text: res.data?.detail || "The item could not be saved.", kind: "error" });
    return false;
  }
}

const fieldLabels = {
  title: "the title",
  type: "the type",
  status: "the status",
  description: "the description",
  value: "the value",
  estimate: "the estimate",
  labels: "the labels",
  parent_id: "the epic",
  goal_linked: "the goal link",
  acceptance_criteria: "the acceptance criteria",
};

function fieldList(patch) {
  const ls = Object.keys(patch).map((k) => fieldLabels[k] || k);
  return ls.length > 1 ? `${ls.slice(0, -1).join(", ")} and ${ls[ls.length - 1]}` : ls[0];
}

async function toggleCriterion(panel, ctx, box) {
  const path = `/teams/${ctx.team}/items/${panel.dataset.item}`;
  const list = [...panel.querySelectorAll("[data-ac-list] li")].map((li) => ({
    text: li.querySelector("label").textContent,
    done: li.querySelector("input").checked,
  }));
  const idx = Number(box.dataset.acToggle);
  const want = { text: list[idx].text, done: box.checked };
  box.closest("li").classList.toggle("is-done", box.checked);
  let res = await api("PATCH", path, { acceptance_criteria: list, version: Number(panel.dataset.version) });
  if (res.status === 409) {
    // The intent is clear: apply this one tick to the current list.
    const cur = await api("GET", path);
    if (cur.ok) {
      const fresh = cur.data.acceptance_criteria.map((c) => (c.text === want.text ? { ...c, done: want.done } : c));
      res = await api("PATCH", path, { acceptance_criteria: fresh, version: cur.data.version });
      if (res.ok) notify({ text: "The item had changed meanwhile; your tick was applied to the current version.", kind: "info" });
    }
  }
  if (!res.ok) {
    box.checked = !box.checked;
    box.closest("li").classList.toggle("is-done", box.checked);
    notify({ title: "Not saved", text: res.status === 403 ? refusal(res.data, "change that") : res.data?.detail || "The criterion could not be saved.", kind: "error" });
    return;
  }
  panel.dataset.version = res.data.version;
  if (!isEditing(panel)) await refreshPanel(panel, ctx, { keepEdit: true });
}

async function tickReadiness(panel, ctx, form, btn) {
  const path = `/teams/${ctx.team}/items/${panel.dataset.item}`;
  const criterion = form.action.split("/").pop();
  const met = btn?.value === "true";
  btn && (btn.disabled = true);
  let res = await api("PUT", `${path}/readiness/${criterion}`, { met, version: Number(panel.dataset.version) });
  if (res.status === 409) {
    const cur = await api("GET", path);
    if (cur.ok) res = await api("PUT", `${path}/readiness/${criterion}`, { met, version: cur.data.version });
  }
  if (!res.ok) {
    if (btn?.isConnected) btn.disabled = false;
    notify({ title: "Not saved", text: res.status === 403 ? refusal(res.data, "change that") : res.data?.errors?.[0]?.message || res.data?.detail || "", kind: "error" });
    return;
  }
  announce(`${met ? "Ticked" : "Unticked"}. ${res.data.ready ? "The item is ready." : ""}`);
  panel.dataset.version = res.data.version;
  if (!isEditing(panel)) await refreshPanel(panel, ctx);
}

async function postComment(panel, ctx, form) {
  const ta = form.querySelector("textarea");
  const body = ta.value.trim();
  form.querySelector(".field__error")?.remove();
  if (!body) {
    ta.focus();
    return;
  }
  const btn = form.querySelector("button[type=submit]");
  btn.disabled = true;
  const res = await api("POST", `/teams/${ctx.team}/items/${panel.dataset.item}/comments`, { body });
  btn.disabled = false;
  if (!res.ok) {
    const p = document.createElement("p");
    p.className = "field__error";
    p.setAttribute("role", "alert");
    p.textContent = res.data?.errors?.[0]?.message || res.data?.detail || "The comment could not be posted.";
    form.prepend(p);
    return;
  }
  ta.value = "";
  ta.defaultValue = "";
  announce("Comment posted.");
  await commentsChangedLive(panel, ctx);
}

async function suggestFromPanel(event, panel, ctx) {
  const form = event.target;
  const where = form.querySelector("[name=where]:checked")?.value;
  const note = form.querySelector("[name=note]").value.trim();
  let target = { to: where };
  if (where === "before") {
    const n = form.querySelector("[name=before_number]").value.replace(/\D/g, "");
    const row = document.getElementById(`item-${n}`);
    if (!row?.dataset.item) return; // not on this page: let the form go to the server
    target = { before: row.dataset.item };
  }
  event.preventDefault();
  const res = await api("POST", `/teams/${ctx.team}/items/${panel.dataset.item}/suggestions`, { ...target, note });
  if (!res.ok) {
    notify({ title: "Not suggested", text: res.data?.errors?.[0]?.message || res.data?.detail || "", kind: "error" });
    return;
  }
  form.reset();
  form.closest("details")?.removeAttribute("open");
  notify({ text: "Suggestion sent. The Product Owner sees it in the backlog.", kind: "success" });
}

/** New comments: refresh the list only, never the composer. */
export async function commentsChangedLive(panel, ctx) {
  if (!panel?.isConnected) return;
  const { status, el } = await fragment(`/teams/${ctx.team}/items/${panel.dataset.item}/panel`, "[data-panel]");
  if (status !== 200 || !el) return;
  const fresh = el.querySelector("[data-comments]");
  const cur = panel.querySelector("[data-comments]");
  if (fresh && cur) cur.replaceChildren(...fresh.childNodes);
  const count = el.querySelector("#comments-title");
  if (count) panel.querySelector("#comments-title")?.replaceChildren(...count.childNodes);
}

async function removeItem(panel, ctx) {
  const choice = await ask({
    title: `Remove #${panel.dataset.number} from the backlog?`,
    text: "It leaves the list but keeps its history; set another status to bring it back.",
    buttons: [
      { label: "Cancel", value: "" },
      { label: "Remove", value: "remove", primary: true },
    ],
  });
  if (choice !== "remove") return;
  const res = await api("DELETE", `/teams/${ctx.team}/items/${panel.dataset.item}`, undefined, { "If-Match": panel.dataset.version });
  if (!res.ok) {
    notify({ title: "Not removed", text: res.status === 403 ? refusal(res.data, "remove items") : res.data?.detail || "", kind: "error" });
    return;
  }
  notify({ text: `Removed #${panel.dataset.number} from the backlog.`, kind: "success" });
  await refreshPanel(panel, ctx, { keepEdit: false });
}

/** Re-render the panel from the server; returns the new panel. */
export async function refreshPanel(panel, ctx, { keepEdit = true } = {}) {
  const wasOpen = panel.querySelector("[data-edit]")?.open;
  const scroll = panel.scrollTop;
  const { status, el } = await fragment(`/teams/${ctx.team}/items/${panel.dataset.item}/panel${ctx.page ? "?page=1" : ""}`, "[data-panel]");
  if (status !== 200 || !el || !panel.isConnected) return panel;
  if (ctx.page) el.classList.add("panel--page");
  const edit = el.querySelector("[data-edit]");
  if (edit) edit.open = keepEdit && !!wasOpen;
  panel.replaceWith(el);
  el.scrollTop = scroll;
  initPanel(el, ctx);
  ctx.onReplaced?.(el);
  return el;
}

/**
 * A live event touched the panel's item: refresh it, unless the user is
 * editing; then say so and let them choose when.
 */
export async function itemChangedLive(panel, ctx, ev) {
  if (!panel?.isConnected) return;
  if (ev.actor_id === ctx.me && !isEditing(panel)) return refreshPanel(panel, ctx);
  if (!isEditing(panel)) return refreshPanel(panel, ctx);
  const notice = panel.querySelector("[data-panel-notice]");
  if (!notice) return;
  const what = (ev.data?.changes || []).map((c) => fieldLabels[c.field] || c.field);
  notice.replaceChildren();
  const p = document.createElement("p");
  p.textContent =
    ev.type === "item.moved"
      ? `${names(ctx, ev.actor_id)} moved this item in the backlog.`
      : `${names(ctx, ev.actor_id)} changed ${what.length ? what.join(", ") : "this item"} while you were editing. Your edits are kept; saving will ask to re-apply them.`;
  const btn = document.createElement("button");
  btn.type = "button";
  btn.className = "btn btn--sm";
  btn.textContent = "Discard mine and reload";
  btn.addEventListener("click", () => refreshPanel(panel, ctx, { keepEdit: false }));
  notice.append(p, btn);
  notice.hidden = false;
}

// The item's own page.
const page = document.querySelector("[data-item-page]");
if (page) {
  const ctx = {
    team: page.dataset.team,
    me: page.dataset.me,
    members: JSON.parse(page.dataset.members || "{}"),
    page: true,
  };
  const itemID = page.dataset.item;
  initPanel(page.querySelector("[data-panel]"), ctx);
  connect(ctx.team, page.dataset.lastEventId, ["item.updated", "item.moved", "comment.added", "definition_of_ready.updated"], (type, ev) => {
    const panel = page.querySelector("[data-panel]");
    if (type === "comment.added") {
      if (ev.data.item_id === itemID) commentsChangedLive(panel, ctx);
      return;
    }
    if (type === "definition_of_ready.updated") {
      if (!isEditing(panel)) refreshPanel(panel, ctx);
      return;
    }
    if (ev.subject_id === itemID) itemChangedLive(panel, ctx, ev);
  });
}
