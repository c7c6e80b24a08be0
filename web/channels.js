// channels.js: the Channels view: peers (connect, list) and channels
// (open, list with balance bars and states, close, force close).
"use strict";

import { $, app, say, errText } from "./shared.js";

function cell(text, title) {
  const td = Object.assign(document.createElement("td"), { textContent: text });
  if (title) td.title = title;
  return td;
}

function emptyRow(text, cols) {
  const tr = document.createElement("tr");
  tr.append(Object.assign(cell(text), { colSpan: cols }));
  return tr;
}

// drawPeers renders listPeers as a table and returns the peers.
export async function drawPeers() {
  let peers;
  try { ({ peers } = await app.lnwasm.listPeers()); } catch { return []; }
  const rows = peers.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pubkey = p.pubkey;
    tr.dataset.connected = String(p.connected);
    tr.append(cell(p.pubkey.slice(0, 16) + "…", p.pubkey), cell(p.address),
      cell(p.connected ? "connected" : `reconnecting${p.lastError ? ": " + p.lastError : ""}`),
      cell(p.connected && p.pingMs ? `${p.pingMs.toFixed(1)} ms` : "–"),
      cell(p.features.map((f) => f.name).join(", ")));
    return tr;
  });
  $("peer-rows").replaceChildren(...(rows.length ? rows : [emptyRow("No peers yet.", 5)]));
  const up = peers.filter((p) => p.connected).length;
  $("ln-peers").textContent = peers.length ? `${up} connected of ${peers.length}` : "none";
  return peers;
}

// connectTo connects to pubkey@host:port and reports in the Channels view.
export async function connectTo(uri) {
  const at = uri.trim().indexOf("@");
  if (at < 0) {
    say("peers-status", "INVALID_ARGUMENT: write it as pubkey@host:port", true);
    return false;
  }
  say("peers-status", "Connecting…");
  let ok = false;
  try {
    await app.lnwasm.connect({ pubkey: uri.trim().slice(0, at), host: uri.trim().slice(at + 1) });
    say("peers-status", "Connected.");
    ok = true;
  } catch (e) { say("peers-status", errText(e), true); }
  drawPeers();
  return ok;
}

// allChannels is every channel the engine knows: active, pending, closed.
export async function allChannels() {
  const [a, p, c] = await Promise.all([app.lnwasm.listChannels(), app.lnwasm.pendingChannels(), app.lnwasm.closedChannels()]);
  return [...a.channels, ...p.channels, ...c.channels];
}

function balanceCell(c) {
  const bal = document.createElement("td");
  const total = Math.max(1, c.localBalanceSat + c.remoteBalanceSat);
  bal.innerHTML = '<span class="local"></span> ▮ <span class="remote"></span><div class="chanbar" aria-hidden="true"><div class="ours"></div><div class="theirs"></div></div>';
  bal.querySelector(".local").textContent = c.localBalanceSat;
  bal.querySelector(".remote").textContent = c.remoteBalanceSat;
  bal.querySelector(".ours").style.width = `${(100 * c.localBalanceSat) / total}%`;
  bal.querySelector(".theirs").style.width = `${(100 * c.remoteBalanceSat) / total}%`;
  return bal;
}

function actionsCell(c) {
  const act = document.createElement("td");
  const button = (text, cls, fn) => {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: text, className: cls });
    b.setAttribute("aria-label", `${text} the channel with ${c.remotePubkey.slice(0, 16)}`);
    b.addEventListener("click", fn);
    act.append(b);
  };
  if (c.state === "active") button("Close", "close-channel", () => closeChannel(c.channelPoint));
  if (["active", "shutting_down", "negotiating", "closing", "failed", "pending_open"].includes(c.state) && !c.dataLoss) {
    button("Force close", "force-close", () => forceClose(c.channelPoint));
  }
  return act;
}

// drawChannels lists every channel, each with its balance as a bar, and
// returns them for the home view's totals.
export async function drawChannels() {
  if (document.body.dataset.wallet !== "unlocked") return [];
  let all;
  try { all = await allChannels(); } catch { return []; }
  const rows = all.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.channelPoint = c.channelPoint;
    tr.dataset.state = c.state;
    tr.append(cell(c.remotePubkey.slice(0, 16) + "…", c.remotePubkey), cell(`${c.capacitySat} sat`),
      balanceCell(c), cell(channelState(c)), actionsCell(c));
    return tr;
  });
  $("channel-rows").replaceChildren(...(rows.length ? rows : [emptyRow("No channels yet.", 5)]));
  return all;
}

function channelState(c) {
  if (c.state === "pending_open") return `opening: ${c.confirmations}/${c.confirmationsRequired} confirmations`;
  if (c.state === "closed" && c.closeType && c.closeType !== "COOPERATIVE_CLOSE") return `closed (${c.closeType.toLowerCase().replaceAll("_", " ")}), ${c.settledBalanceSat} sat back to the wallet`;
  if (c.state === "closed") return `closed (${c.closeInitiator}), ${c.settledBalanceSat} sat back to the wallet`;
  if (c.state === "closing") return `closing: ${c.closingTxid.slice(0, 12)}… awaiting confirmation`;
  if (c.state === "failed") return `failed: ${c.failReason}${c.dataLoss ? " (our state is stale: waiting for the peer to close)" : ""}`;
  if (c.state === "force_closing") return forceClosingText(c);
  return `${c.state} · ${c.commitmentType}`;
}

// forceClosingText says what a force-closed channel still owes us and
// when it comes back.
function forceClosingText(c) {
  const outs = c.pendingOutputs || [];
  if (!outs.length) return `force closing: ${c.closingTxid ? c.closingTxid.slice(0, 12) + "…" : "commitment"} awaiting confirmation`;
  if (c.closeType === "BREACH_CLOSE") return `peer broadcast a revoked state: taking all ${c.limboBalanceSat} sat (justice transaction)`;
  if (c.limboBalanceSat === 0) return "force closed: waiting for the last outputs to settle";
  return c.blocksTilMaturity > 0
    ? `force closed: ${c.limboBalanceSat} sat return in ~${c.blocksTilMaturity} blocks`
    : `force closed: sweeping ${c.limboBalanceSat} sat back to the wallet`;
}

async function openChannel(ev) {
  ev.preventDefault();
  say("channels-status", "Opening: negotiating with the peer and funding…");
  try {
    const r = await app.lnwasm.openChannel({ nodePubkey: $("open-pubkey").value.trim(),
      localFundingAmountSat: Number($("open-amount").value), commitmentType: $("open-type").value });
    say("channels-status", `Funding transaction published: ${r.channelPoint}. It is usable after the confirmations. ` +
      "Export a new backup (Settings) so that it covers this channel.");
  } catch (e) { say("channels-status", errText(e), true); }
  drawChannels();
}

// forceClose broadcasts our commitment after the person confirms what it
// costs: funds locked for the peer's delay, and fees.
async function forceClose(point) {
  const ok = window.confirm("Force close broadcasts your latest channel state without the peer's help.\n\n" +
    "Your funds stay locked for the delay the peer set (up to two weeks) and you pay on-chain fees; " +
    "payments in flight are settled on-chain. Prefer Close while the peer is online.\n\nForce close this channel?");
  if (!ok) return;
  say("channels-status", "Force closing: broadcasting our commitment…");
  try {
    const r = await app.lnwasm.closeChannel({ channelPoint: point, force: true });
    say("channels-status", `Commitment ${r.closingTxid} broadcast. Funds return after the peer's delay.`);
  } catch (e) { say("channels-status", errText(e), true); }
  drawChannels();
}

async function closeChannel(point) {
  say("channels-status", "Closing cooperatively…");
  try {
    const r = await app.lnwasm.closeChannel({ channelPoint: point });
    say("channels-status", `Closing transaction ${r.closingTxid} published.`);
  } catch (e) { say("channels-status", errText(e), true); }
  drawChannels();
}

export function setupChannels() {
  $("connect-form").addEventListener("submit", (ev) => { ev.preventDefault(); connectTo($("connect-uri").value); });
  $("open-form").addEventListener("submit", openChannel);
}
