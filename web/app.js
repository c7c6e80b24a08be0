// app.js: the page. It only draws; the engine runs in a Web Worker behind
// window.lnwasm (lnwasm.js). The views (Home, Send, Receive, Channels,
// History, Settings) are sections of this one page, switched by the nav.
"use strict";

import { createClient } from "./lnwasm.js";
import { $, app, showView, currentView, onView } from "./shared.js";
import { setupFirstRun, drawWelcome } from "./firstrun.js";
import { setupPayments, drawPayments, drawTransactions } from "./payments.js";
import { setupChannels, drawChannels, drawPeers } from "./channels.js";
import { setupSettings, drawSettings, askPersistence, bridgeURL } from "./settings.js";
import { setupGuide, drawGuide } from "./guide.js";
import { singleTab } from "./tabs.js";

let lastInfo = null;

function setBar(bar, text, have, want) {
  bar.max = Math.max(want, 1);
  bar.value = Math.min(have, bar.max);
  text.textContent = `${have} / ${want}`;
}

// drawSync shows the chain's progress on the home view and in the header.
function drawSync(info) {
  lastInfo = info;
  setBar($("headers-bar"), $("headers-text"), info.headerHeight, info.targetHeight);
  setBar($("filters-bar"), $("filters-text"), info.filterHeight, info.targetHeight);
  $("network").textContent = info.network;
  $("tip-height").textContent = info.blockHeight;
  $("tip-hash").textContent = info.blockHash || "–";
  $("restored-height").textContent = info.restoredHeight;
  $("peers").textContent = info.numChainPeers;
  $("status").textContent = info.syncedToChain
    ? `Synced to the chain at height ${info.blockHeight}.`
    : info.headerHeight < info.targetHeight ? "Downloading block headers…" : "Downloading filter headers…";
  document.body.dataset.synced = String(info.syncedToChain);
  drawSettings(info);
  drawWallet(info);
  document.body.dataset.height = String(info.blockHeight);
}

// drawWallet shows the first-run screen or the wallet's views.
function drawWallet(info) {
  const state = info.walletState;
  $("identity").textContent = info.identityPubkey || "–";
  const open = drawWelcome(state);
  $("nav").hidden = !open;
  $("guide").hidden = !open || !app.devnet;
  const was = document.body.dataset.wallet;
  // "backup" while the new words are on screen: the engine is unlocked
  // but the wallet's views wait for the person to confirm the words.
  document.body.dataset.wallet = open ? "unlocked" : state === "unlocked" ? "backup" : state;
  $("sync").hidden = open && currentView() !== "home";
  if (!open) {
    for (const el of document.querySelectorAll("[data-panel]")) el.hidden = true;
  } else if (was !== "unlocked") {
    showView(currentView());
    refresh();
  }
}

// refresh redraws what the wallet shows: balances, peers, channels,
// payments, and the guide's steps. Events come in bursts (a payment
// emits several), so calls during a redraw fold into one more redraw.
let drawing = null;
let again = false;
function refresh() {
  if (drawing) { again = true; return drawing; }
  drawing = redraw().finally(() => {
    drawing = null;
    if (again) { again = false; refresh(); }
  });
  return drawing;
}

async function redraw() {
  if (document.body.dataset.wallet !== "unlocked" || !app.lnwasm) return;
  const [balance, peers, channels] = await Promise.all([
    app.lnwasm.walletBalance().catch(() => null), drawPeers(), drawChannels(),
  ]);
  if (balance) {
    $("balance-confirmed").textContent = balance.confirmedSat;
    $("balance-unconfirmed").textContent = balance.unconfirmedSat;
  }
  const inChannels = channels.filter((c) => c.state === "active").reduce((s, c) => s + c.localBalanceSat, 0);
  const limbo = channels.reduce((s, c) => s + (c.limboBalanceSat || 0), 0);
  $("balance-channels").textContent = inChannels;
  $("balance-limbo").textContent = limbo;
  drawTransactions();
  await drawPayments();
  if (app.devnet && lastInfo) {
    const [ps, is] = await Promise.all([app.lnwasm.listPayments().catch(() => ({ payments: [] })),
      app.lnwasm.listInvoices().catch(() => ({ invoices: [] }))]);
    drawGuide({ info: lastInfo, balance, peers, channels, payments: ps.payments, invoices: is.invoices });
  }
}

async function changed() { drawWallet(await app.lnwasm.getInfo()); }

// logLine keeps the engine's last log lines in window.lnwasmLog for
// debugging and for tests that drive the page.
const engineLog = (window.lnwasmLog = []);
function logLine(ev) {
  engineLog.push(`${ev.level}: ${ev.text}`);
  if (engineLog.length > 500) engineLog.shift();
}

function fail(e) {
  $("status").textContent = `${e.code || "ERROR"}: ${e.message}`;
  $("status").classList.add("error");
}

// config learns the network and chain peers from the server, and, on the
// regtest playground, the chain's id so a fresh playground gets a fresh store.
async function config() {
  const cfg = await (await fetch("config.json")).json();
  cfg.dbName = "lnwasm-" + cfg.network;
  if (cfg.devnet) {
    const info = await (await fetch("devnet/info")).json();
    cfg.chainPeers = [info.chainPeer];
    cfg.dbName = `lnwasm-regtest-${(info.chainId || "genesis").slice(0, 16)}`;
    app.devnet = info;
    setupGuide(info);
  }
  return cfg;
}

// startEngine runs once this tab holds the wallet's lock.
async function startEngine() {
  const lnwasm = createClient();
  app.lnwasm = window.lnwasm = lnwasm;
  lnwasm.subscribe((ev) => {
    if (ev.type === "sync") drawSync(ev.info);
    if (ev.type === "log") logLine(ev);
    if (ev.type === "peer" || ev.type === "channel" || ev.type === "payment" || ev.type === "invoice") refresh();
  });
  try {
    await lnwasm.start({ network: app.cfg.network, bridge: bridgeURL(), chainPeers: app.cfg.chainPeers, dbName: app.cfg.dbName });
    drawSync(await lnwasm.getInfo());
  } catch (e) { fail(e); }
}

// stopEngine hands the wallet to another tab: the node closes its peers
// (lockWallet), then the worker ends, releasing its lock.
async function stopEngine() {
  const lnwasm = app.lnwasm;
  if (!lnwasm) return;
  await Promise.race([lnwasm.lockWallet().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
  lnwasm.terminate();
  app.lnwasm = null;
  document.body.dataset.wallet = "elsewhere";
}

async function main() {
  setupFirstRun(changed);
  setupPayments();
  setupChannels();
  setupSettings(changed);
  for (const b of document.querySelectorAll("nav [data-view]")) {
    b.addEventListener("click", () => { showView(b.dataset.view); $("content").focus(); });
  }
  onView((name) => {
    $("sync").hidden = name !== "home";
    refresh();
  });
  window.addEventListener("hashchange", () => { if (!$("nav").hidden) showView(currentView()); });
  app.cfg = await config();
  askPersistence();
  singleTab(app.cfg.dbName, { start: startEngine, stop: stopEngine });
  setInterval(refresh, 3000);
}

// The heartbeat proves the main thread stays free while the worker syncs.
let frames = 0;
(function beat() { $("heartbeat").textContent = ++frames; requestAnimationFrame(beat); })();

main().catch(fail);
