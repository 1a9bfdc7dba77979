// What the backlog pages share: JSON API calls with the session cookie,
// refusals worded for people, toasts with buttons, screen-reader
// announcements and a confirm dialog. No inline script anywhere: CSP.

/**
 * Call the JSON API. Never throws for an HTTP error: the caller reads
 * {ok, status, data}; data is the JSON body (a problem on errors), or null.
 */
export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    return { ok: false, status: 0, data: { detail: "The server could not be reached. Check your connection and try again." } };
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* 204 or not JSON */
  }
  return { ok: res.ok, status: res.status, data };
}

/** "Priya Shah", "Priya Shah or Marco Rossi", or "nobody yet". */
export function holderNames(problem) {
  const names = (problem?.holders || []).map((h) => h.name).filter(Boolean);
  if (names.length === 0) return "nobody yet";
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** A refusal in words: who may do it, under which responsibility. */
export function refusal(problem, action) {
  if (!problem?.responsibility) return problem?.detail || "You are not allowed to do that.";
  return `Only ${holderNames(problem)} (${problem.responsibility}) can ${action}.`;
}

let spriteURL = "";
/** The icon sprite's checksummed URL, read from the page. */
export function sprite() {
  if (!spriteURL) {
    const use = document.querySelector('use[href*="icons.svg"]');
    spriteURL = use ? use.getAttribute("href").split("#")[0] : "/static/icons.svg";
  }
  return spriteURL;
}

/** An icon element like the server's {{icon}}. */
export function icon(id) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(ns, "use");
  use.setAttribute("href", `${sprite()}#${id}`);
  svg.append(use);
  return svg;
}

/**
 * Show a toast. actions: [{label, primary, onClick}]; a toast with actions
 * stays until used or dismissed, others go after a while.
 */
export function notify({ title = "", text = "", kind = "info", actions = [], timeout } = {}) {
  const region = document.querySelector("[data-toasts]");
  if (!region) return null;
  const el = document.createElement("div");
  el.className = `toast toast--${kind}`;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  el.append(icon(kind === "error" ? "i-alert" : kind === "success" ? "i-check-circle" : "i-info"));
  const body = document.createElement("div");
  if (title) {
    const p = document.createElement("p");
    p.className = "toast__title";
    p.textContent = title;
    body.append(p);
  }
  if (text) {
    const p = document.createElement("p");
    p.className = "toast__text";
    p.textContent = text;
    body.append(p);
  }
  if (actions.length) {
    const row = document.createElement("div");
    row.className = "toast__actions";
    for (const a of actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `btn btn--sm${a.primary ? " btn--primary" : ""}`;
      b.textContent = a.label;
      b.addEventListener("click", () => {
        el.remove();
        a.onClick?.();
      });
      row.append(b);
    }
    body.append(row);
  }
  el.append(body);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn btn--ghost btn--icon btn--sm";
  close.setAttribute("aria-label", "Dismiss");
  close.append(icon("i-x"));
  close.addEventListener("click", () => el.remove());
  el.append(close);
  region.append(el);
  const ms = timeout ?? (actions.length ? 15000 : kind === "error" ? 10000 : 5000);
  if (ms > 0) setTimeout(() => el.remove(), ms);
  return el;
}

/** Say something to screen-reader users through the page's live region. */
export function announce(text) {
  const region = document.querySelector("[data-announce]");
  if (!region) return;
  // Clearing first makes the same sentence twice in a row heard twice.
  region.textContent = "";
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}

/**
 * Ask a question in a modal dialog; resolves to the chosen button's value,
 * or "" when dismissed. buttons: [{label, value, primary}]
 */
export function ask({ title, text, buttons }) {
  return new Promise((resolve) => {
    const dlg = document.createElement("dialog");
    dlg.className = "dialog";
    dlg.setAttribute("aria-labelledby", "ask-title");
    const head = document.createElement("div");
    head.className = "dialog__header";
    const h = document.createElement("h2");
    h.className = "dialog__title";
    h.id = "ask-title";
    h.textContent = title;
    head.append(h);
    const body = document.createElement("div");
    body.className = "dialog__body";
    for (const para of [].concat(text)) {
      const p = document.createElement("p");
      p.textContent = para;
      body.append(p);
    }
    const foot = document.createElement("div");
    foot.className = "dialog__footer";
    let chosen = "";
    for (const b of buttons) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = `btn${b.primary ? " btn--primary" : ""}`;
      btn.textContent = b.label;
      btn.dataset.value = b.value;
      btn.addEventListener("click", () => {
        chosen = b.value;
        dlg.close();
      });
      foot.append(btn);
    }
    dlg.append(head, body, foot);
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(chosen);
    });
    document.body.append(dlg);
    dlg.showModal();
    foot.querySelector(".btn--primary")?.focus();
  });
}

/** Parse an HTML fragment and return its first element matching sel. */
export function parseHTML(html, sel) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html.trim();
  return sel ? tpl.content.querySelector(sel) : tpl.content.firstElementChild;
}

/** Fetch a server-rendered fragment: {status, el}. */
export async function fragment(url, sel) {
  let res;
  try {
    res = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch {
    return { status: 0, el: null };
  }
  if (res.status !== 200) return { status: res.status, el: null };
  return { status: 200, el: parseHTML(await res.text(), sel) };
}

/**
 * Ask for a short text in a modal dialog. Resolves to the text, or null
 * when cancelled.
 */
export function promptText({ title, text, label, placeholder = "", submit = "OK", maxLength = 500 }) {
  return new Promise((resolve) => {
    const dlg = document.createElement("dialog");
    dlg.className = "dialog";
    dlg.setAttribute("aria-labelledby", "prompt-title");
    const form = document.createElement("form");
    form.method = "dialog";
    const head = document.createElement("div");
    head.className = "dialog__header";
    const h = document.createElement("h2");
    h.className = "dialog__title";
    h.id = "prompt-title";
    h.textContent = title;
    head.append(h);
    const body = document.createElement("div");
    body.className = "dialog__body";
    if (text) {
      const p = document.createElement("p");
      p.textContent = text;
      body.append(p);
    }
    const field = document.createElement("div");
    field.className = "field";
    const lab = document.createElement("label");
    lab.className = "label";
    lab.htmlFor = "prompt-input";
    lab.textContent = label;
    const ta = document.createElement("textarea");
    ta.className = "textarea";
    ta.id = "prompt-input";
    ta.rows = 3;
    ta.maxLength = maxLength;
    ta.placeholder = placeholder;
    field.append(lab, ta);
    body.append(field);
    const foot = document.createElement("div");
    foot.className = "dialog__footer";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn";
    cancel.textContent = "Cancel";
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.className = "btn btn--primary";
    ok.textContent = submit;
    foot.append(cancel, ok);
    form.append(head, body, foot);
    dlg.append(form);
    let result = null;
    cancel.addEventListener("click", () => dlg.close());
    form.addEventListener("submit", () => {
      result = ta.value.trim();
    });
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    ta.focus();
  });
}
