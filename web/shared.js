// shared.js: what every part of the page uses: the engine client of this
// tab, the playground's config, the view switcher and status lines.
"use strict";

export const $ = (id) => document.getElementById(id);

// app holds the current engine client (replaced when this tab takes the
// wallet back from another tab) and the server's config.
export const app = { lnwasm: null, cfg: null, devnet: null };

// errText is how an engine error reads on the page: its stable code first.
export const errText = (e) => `${e.code || "ERROR"}: ${e.message}`;

// say writes a status line; errors are styled and announced the same way.
export function say(id, text, isError) {
  $(id).textContent = text;
  $(id).classList.toggle("error", !!isError);
}

const views = ["home", "send", "receive", "channels", "history", "settings"];
const listeners = [];

// onView registers a callback run when a view is shown, to draw it fresh.
export function onView(cb) { listeners.push(cb); }

// showView shows one of the wallet's views and marks its nav button.
export function showView(name) {
  if (!views.includes(name)) name = "home";
  for (const el of document.querySelectorAll("[data-panel]")) el.hidden = el.dataset.panel !== name;
  for (const b of document.querySelectorAll("nav [data-view]")) {
    if (b.dataset.view === name) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  for (const cb of listeners) cb(name);
}

export function currentView() {
  const v = location.hash.slice(1);
  return views.includes(v) ? v : "home";
}

// post sends JSON to one of the playground's endpoints.
export async function post(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// sat turns millisatoshis into whole satoshis, as the page shows them.
export const sat = (msat) => Math.floor(msat / 1000);

// qrInto draws text as a QR code (the SVG is the engine's own markup,
// parsed rather than injected as HTML).
export async function qrInto(el, text) {
  const { svg } = await app.lnwasm.qrSvg({ text });
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  el.replaceChildren(document.importNode(doc.documentElement, true));
}
