// Tandem theme toggle. Load in <head> as:
//   <script type="module" src="/static/js/theme.js"></script>
//
// Any button with [data-theme-toggle] cycles: system → light → dark → system.
// The choice is applied as data-theme="light|dark" on <html> (no attribute =
// follow the OS; app.css uses light-dark() so that case never flashes).
//
// Module scripts run after parsing, so to avoid a flash for users who forced a
// theme the choice is also mirrored in a cookie (`tandem_theme=light|dark`).
// The server should read it and render <html data-theme="…"> itself; this
// script then only has to keep things in sync.

const STORAGE_KEY = "tandem-theme";
const COOKIE = "tandem_theme";
const ORDER = ["system", "light", "dark"];
const LABEL = { system: "system", light: "light", dark: "dark" };
const root = document.documentElement;

function isTheme(value) {
  return value === "light" || value === "dark";
}

function readStored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    if (isTheme(value)) return value;
    if (value === "system") return "system";
  } catch {
    /* storage blocked: fall through */
  }
  return null;
}

/** The current setting: "system", "light" or "dark". */
export function getTheme() {
  const attr = root.getAttribute("data-theme");
  return isTheme(attr) ? attr : "system";
}

function writeCookie(theme) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = isTheme(theme)
    ? `${COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`
    : `${COOKIE}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}

function syncToggles(theme) {
  const next = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length];
  const label = `Theme: ${LABEL[theme]}. Switch to ${LABEL[next]}`;
  for (const button of document.querySelectorAll("[data-theme-toggle]")) {
    button.setAttribute("aria-label", label);
    button.setAttribute("title", label);
    button.dataset.themeCurrent = theme;
  }
}

function apply(theme) {
  if (isTheme(theme)) root.setAttribute("data-theme", theme);
  else root.removeAttribute("data-theme");
  syncToggles(theme);
}

/** Set and remember the theme: "system", "light" or "dark". */
export function setTheme(theme) {
  const value = isTheme(theme) ? theme : "system";
  try {
    if (value === "system") localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, value);
  } catch {
    /* private mode: the cookie still carries it */
  }
  writeCookie(value);
  apply(value);
}

function init() {
  // localStorage wins; otherwise keep what the server rendered from the cookie.
  const stored = readStored();
  const theme = stored ?? getTheme();
  apply(theme);
  if (stored) writeCookie(theme);

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-theme-toggle]");
    if (!button) return;
    event.preventDefault();
    const current = getTheme();
    setTheme(ORDER[(ORDER.indexOf(current) + 1) % ORDER.length]);
  });

  // Keep other tabs in step.
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) apply(isTheme(event.newValue) ? event.newValue : "system");
  });
}

init();
