// The refinement page stays current: any change to items, the Definition
// of Ready or the order re-renders the list from the server.
import { fragment } from "./api.js";
import { connect } from "./live.js";

const root = document.querySelector("[data-refinement]");
if (root) {
  const team = root.dataset.team;
  let timer = 0;
  const refresh = async () => {
    const cur = root.querySelector("[data-fragment=refine]");
    if (cur?.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) return;
    const { status, el } = await fragment(`/teams/${team}/refinement?top=${root.dataset.top}&fragment=main`, "[data-fragment=refine]");
    if (status !== 200 || !el || !cur) return;
    cur.replaceWith(el);
    const sub = root.querySelector("[data-refine-subtitle]");
    if (sub) sub.textContent = el.dataset.subtitle;
  };
  connect(team, root.dataset.lastEventId,
    ["item.created", "item.updated", "item.moved", "items.imported", "items.rebalanced", "definition_of_ready.updated", "suggestion.accepted"],
    () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150); // one refresh for a burst
    });
}
