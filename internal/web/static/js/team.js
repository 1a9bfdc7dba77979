// The team page stays live: membership and responsibility-map changes
// re-render the affected sections from the server without a reload.
import { connect, refreshFragment } from "./live.js";
import { toast } from "./app.js";

const page = document.querySelector("[data-team-page]");
if (page) {
  const team = page.dataset.team;
  const me = page.dataset.me;
  const sections = {
    "member.joined": ["members", "map", "health", "history"],
    "member.updated": ["members", "map", "health", "history"],
    "member.removed": ["members", "map", "health", "history"],
    "responsibility.changed": ["map", "health", "history"],
    "team.updated": ["history"],
  };
  let pending = new Set();
  let timer = 0;
  const flush = async () => {
    const names = [...pending];
    pending = new Set();
    for (const name of names) {
      await refreshFragment(`/teams/${team}/fragments/${name}`, name);
    }
  };
  connect(team, page.dataset.lastEventId, Object.keys(sections), (type, ev) => {
    for (const name of sections[type]) pending.add(name);
    clearTimeout(timer);
    timer = setTimeout(flush, 50); // one refresh for a burst of events
    if (ev.actor_id !== me) toast(describe(type, ev.data), "info", "Team updated");
    if (type === "member.removed" && ev.subject_id === me) location.href = "/teams";
    if (type === "team.updated") {
      const title = document.querySelector(".page-title");
      if (title && ev.data.name) title.textContent = ev.data.name;
    }
  });
}

function owner(o) {
  if (!o) return "nobody";
  if (o.user_id) return o.name || "a former member";
  return { product_owner: "Product Owner", scrum_master: "Scrum Master", developer: "Developers", stakeholder: "Stakeholders" }[o.accountability] || o.accountability;
}

function describe(type, d) {
  switch (type) {
    case "responsibility.changed":
      return `${d.key} now belongs to ${owner(d.to)} (was ${owner(d.from)}).`;
    case "member.joined":
      return `${d.name} joined the team.`;
    case "member.removed":
      return `${d.name} left the team.`;
    case "member.updated":
      return `${d.name}’s accountabilities changed.`;
    default:
      return "The team was updated.";
  }
}
