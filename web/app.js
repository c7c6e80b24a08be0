// app.js: the page. It only draws; the engine runs in a Web Worker behind
// window.lnwasm (lnwasm.js).
"use strict";

import { createClient } from "./lnwasm.js";
import { setupPayments, drawPayments } from "./payments.js";

const $ = (id) => document.getElementById(id);
const lnwasm = createClient();
window.lnwasm = lnwasm;
setupPayments(lnwasm);

function setBar(bar, text, have, want) {
  bar.max = Math.max(want, 1);
  bar.value = Math.min(have, bar.max);
  text.textContent = `${have} / ${want}`;
}

function draw(info) {
  setBar($("headers-bar"), $("headers-text"), info.headerHeight, info.targetHeight);
  setBar($("filters-bar"), $("filters-text"), info.filterHeight, info.targetHeight);
  $("network").textContent = info.network;
  $("tip-height").textContent = info.blockHeight;
  $("tip-hash").textContent = info.blockHash || "–";
  $("restored-height").textContent = info.restoredHeight;
  $("peers").textContent = info.numChainPeers;
  $("status").textContent = info.syncedToChain
    ? "Synced to the chain."
    : info.headerHeight < info.targetHeight ? "Downloading block headers…" : "Downloading filter headers…";
  document.body.dataset.synced = String(info.syncedToChain);
  drawWallet(info);
  document.body.dataset.height = String(info.blockHeight);
}

// logLine keeps the engine's last log lines in window.lnwasmLog for
// debugging and for tests that drive the page.
const engineLog = (window.lnwasmLog = []);
function logLine(ev) {
  engineLog.push(`${ev.level}: ${ev.text}`);
  if (engineLog.length > 500) engineLog.shift();
}

// drawWallet shows the form that fits the wallet's state.
let showingWords = false;
function drawWallet(info) {
  const state = info.walletState;
  $("create-form").hidden = state !== "none" || showingWords;
  $("unlock-form").hidden = state !== "locked";
  $("wallet-info").hidden = state !== "unlocked" || showingWords;
  $("identity").textContent = info.identityPubkey || "–";
  const was = document.body.dataset.wallet;
  document.body.dataset.wallet = state;
  if (state === "unlocked" && was !== "unlocked") drawPayments();
}

function walletError(e) {
  $("wallet-status").textContent = `${e.code || "ERROR"}: ${e.message}`;
  $("wallet-status").classList.add("error");
}

$("create-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("wallet-status").textContent = "Creating the wallet…";
  $("wallet-status").classList.remove("error");
  try {
    const words = $("restore-words").value.trim();
    const { mnemonic } = await lnwasm.createWallet({ password: $("create-password").value, mnemonic: words || undefined });
    $("create-password").value = "";
    $("restore-words").value = "";
    $("wallet-status").textContent = "";
    if (!words) {
      showingWords = true;
      $("words").replaceChildren(...mnemonic.split(" ").map((w) => Object.assign(document.createElement("li"), { textContent: w })));
      $("words-box").hidden = false;
      setQuiz(mnemonic.split(" "));
    }
    drawWallet(await lnwasm.getInfo());
  } catch (e) { walletError(e); }
});

// The quiz asks for three random words back, so nobody clicks past the
// only backup of their money. The words live only in this closure.
let quizOk = () => false;
function setQuiz(words) {
  const picks = [];
  while (picks.length < 3) {
    const n = 1 + (crypto.getRandomValues(new Uint32Array(1))[0] % words.length);
    if (!picks.includes(n)) picks.push(n);
  }
  picks.sort((a, b) => a - b);
  document.querySelectorAll(".quiz-n").forEach((el, i) => { el.textContent = picks[i]; });
  const inputs = [...document.querySelectorAll(".quiz-word")];
  inputs.forEach((el) => { el.value = ""; });
  quizOk = () => inputs.every((el, i) => el.value.trim().toLowerCase() === words[picks[i] - 1]);
}
function checkWordsDone() { $("words-done").disabled = !($("words-saved").checked && quizOk()); }
$("words-saved").addEventListener("change", () => { $("words-quiz").hidden = !$("words-saved").checked; checkWordsDone(); });
document.querySelectorAll(".quiz-word").forEach((el) => el.addEventListener("input", checkWordsDone));
$("words-done").addEventListener("click", async () => {
  showingWords = false;
  quizOk = () => false;
  $("words").replaceChildren();
  $("words-box").hidden = true;
  drawWallet(await lnwasm.getInfo());
});

$("unlock-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("wallet-status").textContent = "Unlocking…";
  $("wallet-status").classList.remove("error");
  try {
    await lnwasm.unlockWallet({ password: $("unlock-password").value });
    $("unlock-password").value = "";
    $("wallet-status").textContent = "";
    drawWallet(await lnwasm.getInfo());
  } catch (e) { walletError(e); }
});

// drawPeers renders listPeers as a table.
async function drawPeers() {
  let peers;
  try { ({ peers } = await lnwasm.listPeers()); } catch { return; }
  const rows = peers.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pubkey = p.pubkey;
    tr.dataset.connected = String(p.connected);
    const cells = [
      p.pubkey.slice(0, 16) + "…", p.address,
      p.connected ? "connected" : `reconnecting${p.lastError ? ": " + p.lastError : ""}`,
      p.connected && p.pingMs ? `${p.pingMs.toFixed(1)} ms` : "–",
      p.features.map((f) => f.name).join(", "),
    ];
    for (const c of cells) tr.append(Object.assign(document.createElement("td"), { textContent: c }));
    tr.children[0].title = p.pubkey;
    return tr;
  });
  if (!rows.length) rows.push(Object.assign(document.createElement("tr"), { innerHTML: '<td colspan="5">No peers yet.</td>' }));
  $("peer-rows").replaceChildren(...rows);
}

async function connectTo(uri) {
  const at = uri.trim().indexOf("@");
  $("peers-status").classList.remove("error");
  if (at < 0) {
    $("peers-status").textContent = "INVALID_ARGUMENT: write it as pubkey@host:port";
    $("peers-status").classList.add("error");
    return;
  }
  $("peers-status").textContent = "Connecting…";
  try {
    await lnwasm.connect({ pubkey: uri.trim().slice(0, at), host: uri.trim().slice(at + 1) });
    $("peers-status").textContent = "Connected.";
  } catch (e) {
    $("peers-status").textContent = `${e.code || "ERROR"}: ${e.message}`;
    $("peers-status").classList.add("error");
  }
  drawPeers();
}

$("connect-form").addEventListener("submit", (ev) => { ev.preventDefault(); connectTo($("connect-uri").value); });

// drawBalance shows walletBalance while the wallet is unlocked.
async function drawBalance() {
  if (document.body.dataset.wallet !== "unlocked") return;
  try {
    const b = await lnwasm.walletBalance();
    $("balance-confirmed").textContent = b.confirmedSat;
    $("balance-unconfirmed").textContent = b.unconfirmedSat;
    const { transactions } = await lnwasm.listTransactions();
    const rows = transactions.map((t) => {
      const tr = document.createElement("tr");
      for (const c of [t.txid.slice(0, 16) + "…", t.amountSat, t.feeSat || "–", t.numConfirmations || "pending"]) {
        tr.append(Object.assign(document.createElement("td"), { textContent: c }));
      }
      tr.children[0].title = t.txid;
      return tr;
    });
    if (rows.length) $("tx-rows").replaceChildren(...rows);
  } catch { /* locked again or not started */ }
}

$("lock").addEventListener("click", async () => {
  try { await lnwasm.lockWallet(); drawWallet(await lnwasm.getInfo()); } catch (e) { walletError(e); }
});
setInterval(drawBalance, 2000);

// showAddress displays an address and its QR code (built in the engine;
// the SVG is our own markup, parsed rather than injected as HTML).
async function showAddress(addr) {
  $("receive-address").textContent = addr;
  const { svg } = await lnwasm.qrSvg({ text: addr });
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  $("receive-qr").replaceChildren(document.importNode(doc.documentElement, true));
}

$("new-address").addEventListener("click", async () => {
  try {
    await showAddress((await lnwasm.newAddress({ type: $("address-type").value })).address);
  } catch (e) { walletError(e); }
});

$("faucet").addEventListener("click", async () => {
  let addr = $("receive-address").textContent;
  try {
    if (addr === "–") addr = (await lnwasm.newAddress({ type: $("address-type").value })).address;
    await showAddress(addr);
    const r = await fetch("devnet/faucet", { method: "POST", body: JSON.stringify({ address: addr, amountSat: 1000000 }) });
    const body = await r.json();
    $("wallet-status").textContent = r.ok ? `Faucet sent 1,000,000 sat (tx ${body.txid.slice(0, 12)}…); it shows once mined.` : body.error;
  } catch (e) { walletError(e); }
});

$("send-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("wallet-status").classList.remove("error");
  $("wallet-status").textContent = "Sending…";
  try {
    const r = await lnwasm.sendCoins({
      addr: $("send-address").value.trim(), amountSat: Number($("send-amount").value),
      satPerVbyte: Number($("send-rate").value),
    });
    $("wallet-status").textContent = `Sent: tx ${r.txid} (fee ${r.feeSat} sat)`;
    drawBalance();
  } catch (e) { walletError(e); }
});

function fail(e) {
  $("status").textContent = `${e.code || "ERROR"}: ${e.message}`;
  $("status").classList.add("error");
}

// config learns the network and chain peers from the server, and, on the
// regtest playground, the chain's id so a fresh playground gets a fresh store.
async function config() {
  const cfg = await (await fetch("config.json")).json();
  if (cfg.devnet) {
    const info = await (await fetch("devnet/info")).json();
    cfg.chainPeers = [info.chainPeer];
    cfg.dbName = `lnwasm-regtest-${(info.chainId || "genesis").slice(0, 16)}`;
    $("devnet").hidden = false;
    $("faucet").hidden = false;
    if (info.hub) {
      $("connect-hub").hidden = false;
      $("connect-hub").addEventListener("click", () => connectTo(`${info.hub.pubkey}@${info.hub.host}`));
      $("open-pubkey").value = info.hub.pubkey;
    }
    if (info.shop) {
      $("shop-buy").hidden = false;
      $("shop-pay").hidden = false;
    }
  }
  return cfg;
}

async function main() {
  const cfg = await config();
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const bridge = `${proto}//${location.host}${location.pathname.replace(/[^/]*$/, "")}bridge`;
  lnwasm.subscribe((ev) => {
    if (ev.type === "sync") draw(ev.info);
    if (ev.type === "log") logLine(ev);
    if (ev.type === "peer") drawPeers();
    if (ev.type === "channel") { drawChannels(); drawBalance(); }
    if (ev.type === "payment" || ev.type === "invoice") drawPayments(ev);
  });
  await lnwasm.start({ network: cfg.network, bridge, chainPeers: cfg.chainPeers, dbName: cfg.dbName });
  draw(await lnwasm.getInfo());
}

// drawChannels lists active, pending and closed channels, each with its
// balance as a bar.
async function drawChannels() {
  if (document.body.dataset.wallet !== "unlocked") return;
  let all;
  try {
    const [a, p, c] = await Promise.all([lnwasm.listChannels(), lnwasm.pendingChannels(), lnwasm.closedChannels()]);
    all = [...a.channels, ...p.channels, ...c.channels];
  } catch { return; }
  const rows = all.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.channelPoint = c.channelPoint;
    tr.dataset.state = c.state;
    const peer = Object.assign(document.createElement("td"), { textContent: c.remotePubkey.slice(0, 16) + "…", title: c.remotePubkey });
    const cap = Object.assign(document.createElement("td"), { textContent: `${c.capacitySat} sat` });
    const bal = document.createElement("td");
    const total = Math.max(1, c.localBalanceSat + c.remoteBalanceSat);
    bal.innerHTML = '<span class="local"></span> ▮ <span class="remote"></span><div class="chanbar"><div class="ours"></div><div class="theirs"></div></div>';
    bal.querySelector(".local").textContent = c.localBalanceSat;
    bal.querySelector(".remote").textContent = c.remoteBalanceSat;
    bal.querySelector(".ours").style.width = `${(100 * c.localBalanceSat) / total}%`;
    bal.querySelector(".theirs").style.width = `${(100 * c.remoteBalanceSat) / total}%`;
    const state = Object.assign(document.createElement("td"), { textContent: channelState(c) });
    const act = document.createElement("td");
    if (c.state === "active") {
      const b = Object.assign(document.createElement("button"), { type: "button", textContent: "Close", className: "close-channel" });
      b.addEventListener("click", () => closeChannel(c.channelPoint));
      act.append(b);
    }
    if (["active", "shutting_down", "negotiating", "closing", "failed", "pending_open"].includes(c.state) && !c.dataLoss) {
      const f = Object.assign(document.createElement("button"), { type: "button", textContent: "Force close", className: "force-close" });
      f.addEventListener("click", () => forceClose(c.channelPoint));
      act.append(f);
    }
    tr.append(peer, cap, bal, state, act);
    return tr;
  });
  if (!rows.length) rows.push(Object.assign(document.createElement("tr"), { innerHTML: '<td colspan="5">No channels yet.</td>' }));
  $("channel-rows").replaceChildren(...rows);
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

function channelsStatus(text, isError) {
  $("channels-status").textContent = text;
  $("channels-status").classList.toggle("error", !!isError);
}

$("open-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  channelsStatus("Opening: negotiating with the peer and funding…");
  try {
    const r = await lnwasm.openChannel({ nodePubkey: $("open-pubkey").value.trim(),
      localFundingAmountSat: Number($("open-amount").value), commitmentType: $("open-type").value });
    channelsStatus(`Funding transaction published: ${r.channelPoint}. It is usable after the confirmations.`);
  } catch (e) { channelsStatus(`${e.code || "ERROR"}: ${e.message}`, true); }
  drawChannels();
  drawBalance();
});

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

// forceClose broadcasts our commitment after the person confirms what it
// costs: funds locked for the peer's delay, and fees.
async function forceClose(point) {
  const ok = window.confirm("Force close broadcasts your latest channel state without the peer's help.\n\n" +
    "Your funds stay locked for the delay the peer set (up to two weeks) and you pay on-chain fees; " +
    "payments in flight are settled on-chain. Prefer Close while the peer is online.\n\nForce close this channel?");
  if (!ok) return;
  channelsStatus("Force closing: broadcasting our commitment…");
  try {
    const r = await lnwasm.closeChannel({ channelPoint: point, force: true });
    channelsStatus(`Commitment ${r.closingTxid} broadcast. Funds return after the peer's delay.`);
  } catch (e) { channelsStatus(`${e.code || "ERROR"}: ${e.message}`, true); }
  drawChannels();
}

async function closeChannel(point) {
  channelsStatus("Closing cooperatively…");
  try {
    const r = await lnwasm.closeChannel({ channelPoint: point });
    channelsStatus(`Closing transaction ${r.closingTxid} published.`);
  } catch (e) { channelsStatus(`${e.code || "ERROR"}: ${e.message}`, true); }
  drawChannels();
}
setInterval(drawChannels, 5000);

$("drop").addEventListener("click", async () => {
  const r = await fetch("devnet/bridge/drop", { method: "POST", body: "{}" });
  $("mine-result").textContent = r.ok ? `Dropped ${(await r.json()).dropped} streams` : "drop failed";
});
setInterval(drawPeers, 5000);

$("mine").addEventListener("click", async () => {
  try {
    const r = await fetch("devnet/mine", { method: "POST", body: JSON.stringify({ blocks: 10 }) });
    const body = await r.json();
    $("mine-result").textContent = r.ok ? `Mined to height ${body.height}` : body.error;
  } catch (e) { $("mine-result").textContent = String(e); }
});

// The heartbeat proves the main thread stays free while the worker syncs.
let frames = 0;
(function beat() { $("heartbeat").textContent = ++frames; requestAnimationFrame(beat); })();

main().catch(fail);
