// The import page: the custom date layout field shows only when chosen;
// the live indicator follows the team's stream like every team page.
import { connect } from "./live.js";

const root = document.querySelector("[data-import]");
if (root) {
  connect(root.dataset.team, root.dataset.lastEventId, [], () => {});
  const select = root.querySelector("[data-date-format]");
  const custom = root.querySelector("[data-date-custom]");
  const sync = () => custom?.toggleAttribute("hidden", select?.value !== "custom");
  select?.addEventListener("change", sync);
  sync();
  for (const form of root.querySelectorAll("[data-import-confirm]")) {
    form.addEventListener("submit", () => {
      const btn = form.querySelector("button[type=submit]");
      if (btn) {
        btn.disabled = true;
        btn.textContent = "Importing…";
      }
    });
  }
}
