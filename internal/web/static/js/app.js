// Tandem's page behaviours that every page shares: copy buttons, confirm
// prompts, toasts, menus that close like menus, and the back button.
// Loaded as a module on every page; no inline script is ever needed.

/** Show a toast in the page's live region. kind: success | error | info. */
export function toast(text, kind = "info", title = "") {
  const region = document.querySelector("[data-toasts]");
  if (!region) return;
  const el = document.createElement("div");
  el.className = `toast toast--${kind}`;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  const body = document.createElement("div");
  if (title) {
    const t = document.createElement("p");
    t.className = "toast__title";
    t.textContent = title;
    body.append(t);
  }
  const p = document.createElement("p");
  p.className = "toast__text";
  p.textContent = text;
  body.append(p);
  el.append(body);
  region.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 10000 : 6000);
}

function copy(button) {
  const target = document.querySelector(button.dataset.copy);
  if (!target) return;
  const text = target.textContent.trim();
  const done = () => {
    button.dataset.copied = "true";
    setTimeout(() => delete button.dataset.copied, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => selectText(target));
  } else {
    selectText(target);
    done();
  }
}

function selectText(el) {
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

document.addEventListener("click", (event) => {
  const el = event.target instanceof Element ? event.target : null;
  if (!el) return;
  const copyButton = el.closest("[data-copy]");
  if (copyButton) {
    event.preventDefault();
    copy(copyButton);
    return;
  }
  if (el.closest("[data-back]")) {
    event.preventDefault();
    if (history.length > 1) history.back();
    else location.href = "/teams";
    return;
  }
  // Close open menus when clicking elsewhere.
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(el)) menu.removeAttribute("open");
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary")?.focus();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Toasts rendered by the server dismiss themselves.
for (const el of document.querySelectorAll("[data-dismiss-after]")) {
  setTimeout(() => el.remove(), Number(el.dataset.dismissAfter) || 6000);
}

// Move focus to a form's error summary so screen readers announce it.
document.querySelector("[data-autofocus]")?.focus();
