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
  let retry = 1000;
  const schedule = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
  };
  // A section that cannot be fetched (the network dropped, the server is
  // restarting) is fetched again with backoff, so the page catches up
  // instead of staying stale.
  const flush = async () => {
    timer = 0;
    const names = [...pending];
    pending = new Set();
    let failed = false;
    for (const name of names) {
      try {
        await refreshFragment(`/teams/${team}/fragments/${name}`, name);
      } catch {
        pending.add(name);
        failed = true;
      }
    }
    if (!failed) {
      retry = 1000;
    } else if (!timer) { // unless an event meanwhile scheduled a flush already
      schedule(retry);
      retry = Math.min(retry * 2, 30000);
    }
  };
  connect(team, page.dataset.lastEventId, Object.keys(sections), (type, ev) => {
    for (const name of sections[type]) pending.add(name);
    schedule(50); // one refresh for a burst of events
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
