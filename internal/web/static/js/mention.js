// @mention suggestions in a comment box. Typing "@" and a few letters lists
// the team's members whose name or handle starts with them; arrow keys
// move, Enter or Tab inserts the handle, Escape closes. The textarea is a
// combobox for screen readers. The people come from the server with the
// page (data-mentions), so nothing is fetched while typing.

let nextId = 0;

/** The "@query" just before the caret, or null. */
function queryAt(ta) {
  const before = ta.value.slice(0, ta.selectionStart);
  const m = /(^|[\s(])@([\p{L}\p{N}._-]{0,40})$/u.exec(before);
  return m ? { query: m[2].toLowerCase(), start: before.length - m[2].length - 1 } : null;
}

function matches(p, q) {
  if (q === "") return true;
  return p.handle.startsWith(q) || p.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q));
}

/** attachMentions makes ta suggest people after "@". Safe to call twice. */
export function attachMentions(ta) {
  if (!ta || ta.dataset.mentionsReady) return;
  let people = [];
  try {
    people = JSON.parse(ta.dataset.mentions || "[]");
  } catch {
    return;
  }
  if (!people.length) return;
  ta.dataset.mentionsReady = "1";
  const list = document.createElement("ul");
  list.className = "mention-list";
  list.id = `mention-list-${++nextId}`;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "People to mention");
  list.hidden = true;
  ta.after(list);
  ta.setAttribute("role", "combobox");
  ta.setAttribute("aria-autocomplete", "list");
  ta.setAttribute("aria-controls", list.id);
  ta.setAttribute("aria-expanded", "false");

  let shown = [];
  let active = 0;
  let at = null;

  const close = () => {
    list.hidden = true;
    shown = [];
    at = null;
    ta.setAttribute("aria-expanded", "false");
    ta.removeAttribute("aria-activedescendant");
  };
  const highlight = (i) => {
    active = (i + shown.length) % shown.length;
    for (const [j, li] of [...list.children].entries()) li.setAttribute("aria-selected", String(j === active));
    ta.setAttribute("aria-activedescendant", `${list.id}-${active}`);
  };
  const insert = (p) => {
    const end = ta.selectionStart;
    const text = `@${p.handle} `;
    ta.setRangeText(text, at.start, end, "end");
    close();
    ta.focus();
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const update = () => {
    at = queryAt(ta);
    if (!at) return close();
    shown = people.filter((p) => matches(p, at.query)).slice(0, 8);
    if (!shown.length) return close();
    list.replaceChildren(
      ...shown.map((p, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.className = "mention-list__option";
        li.setAttribute("role", "option");
        const name = document.createElement("span");
        name.textContent = p.name;
        const handle = document.createElement("span");
        handle.className = "mention-list__handle";
        handle.textContent = `@${p.handle}`;
        li.append(name, handle);
        // mousedown, not click: the textarea must keep its caret.
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          insert(p);
        });
        return li;
      }),
    );
    list.hidden = false;
    ta.setAttribute("aria-expanded", "true");
    highlight(0);
  };

  ta.addEventListener("input", update);
  ta.addEventListener("blur", () => setTimeout(close, 100));
  ta.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      insert(shown[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // the panel closes on Escape: not this time
      close();
    }
  });
}
