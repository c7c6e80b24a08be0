// guide.js: the playground's guide panel. It walks a person through the
// classic steps against the playground's hub and shop, marks each step
// done from what the engine reports, and has the faucet and mining buttons.
"use strict";

import { $, app, post, showView, say } from "./shared.js";
import { connectTo } from "./channels.js";
import { shopBuy, showAddress } from "./payments.js";

const result = (text) => say("mine-result", text);

async function faucet() {
  try {
    const { address } = await app.lnwasm.newAddress({ type: "p2wkh" });
    await showAddress(address);
    const body = await post("devnet/faucet", { address, amountSat: 1000000 });
    result(`Faucet sent 1,000,000 sat (tx ${body.txid.slice(0, 12)}…) and mined a block to confirm it.`);
  } catch (e) { result(`faucet: ${e.message}`); }
}

async function mine(blocks) {
  try {
    const body = await post("devnet/mine", { blocks });
    result(`Mined to height ${body.height}`);
  } catch (e) { result(`mine: ${e.message}`); }
}

function hub() { return app.devnet && app.devnet.hub; }

async function connectHub() {
  showView("channels");
  if (hub()) await connectTo(`${hub().pubkey}@${hub().host}`);
}

function openStep() {
  showView("channels");
  if (hub()) $("open-pubkey").value = hub().pubkey;
  $("open-amount").focus();
}

function receiveStep() {
  showView("receive");
  $("invoice-amount").value = 2000;
  $("invoice-memo").value = "paid by the playground shop";
  $("invoice-submit").focus();
}

// drawGuide marks the steps done from the engine's state: a step is done
// once what it asks for is true, so the guide also follows a person who
// used the views directly.
export function drawGuide({ info, balance, peers, channels, payments, invoices }) {
  if ($("guide").hidden) return;
  const hubKey = hub() && hub().pubkey;
  const withHub = channels.filter((c) => c.remotePubkey === hubKey);
  const done = {
    wallet: info.walletState === "unlocked",
    coins: (balance && balance.confirmedSat > 0) || channels.length > 0,
    peer: peers.some((p) => p.pubkey === hubKey && p.connected) || withHub.length > 0,
    channel: withHub.some((c) => c.state !== "pending_open"),
    pay: payments.some((p) => p.status === "SUCCEEDED"),
    receive: invoices.some((i) => i.state === "SETTLED"),
    close: withHub.some((c) => c.state === "closed"),
  };
  let next = true;
  for (const li of document.querySelectorAll("#guide-steps li")) {
    const ok = !!done[li.dataset.step];
    li.dataset.done = String(ok);
    li.dataset.next = String(!ok && next);
    if (!ok) next = false;
  }
}

export function setupGuide(devnet) {
  $("guide").hidden = false;
  if (!devnet.shop) for (const id of ["shop-buy", "shop-pay", "guide-receive"]) $(id).hidden = true;
  if (devnet.hub) $("open-pubkey").value = devnet.hub.pubkey;
  $("faucet").addEventListener("click", faucet);
  $("mine").addEventListener("click", () => mine(1));
  $("mine-6").addEventListener("click", () => mine(6));
  $("connect-hub").addEventListener("click", connectHub);
  $("guide-open").addEventListener("click", openStep);
  $("shop-buy").addEventListener("click", shopBuy);
  $("guide-receive").addEventListener("click", receiveStep);
  $("guide-close").addEventListener("click", () => showView("channels"));
  $("shop-pay").hidden = !devnet.shop;
  $("drop").addEventListener("click", async () => {
    try { result(`Dropped ${(await post("devnet/bridge/drop", {})).dropped} streams`); } catch (e) { result(`drop: ${e.message}`); }
  });
}
