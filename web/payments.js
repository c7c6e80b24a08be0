// payments.js: the page's send, receive and history. It only draws and
// asks the engine (window.lnwasm); amounts are shown in satoshis.
"use strict";

const $ = (id) => document.getElementById(id);
let lnwasm;
let reviewed = null; // the invoice on screen, decoded
let shown = null; // the hash of the invoice we show to be paid

function status(text, isError) {
  $("pay-status").textContent = text;
  $("pay-status").classList.toggle("error", !!isError);
}

const sat = (msat) => Math.floor(msat / 1000);

// review decodes the pasted invoice and shows what paying it means.
async function review(ev) {
  ev.preventDefault();
  const payReq = $("pay-request").value.trim();
  try {
    const inv = await lnwasm.decodePayReq({ payReq });
    reviewed = { payReq, inv };
    $("pay-amount").textContent = inv.numMsat ? sat(inv.numMsat) : "any (the invoice has no amount)";
    $("pay-memo").textContent = inv.description || "(none)";
    $("pay-payee").textContent = inv.destination;
    $("pay-expiry").textContent = inv.expired ? "expired" : new Date(inv.expiresAt * 1000).toLocaleString();
    $("pay-review").hidden = false;
    $("pay-confirm").disabled = inv.expired || !inv.numMsat;
    status(inv.expired ? "This invoice has expired." : "Check the amount, then pay.", inv.expired);
  } catch (e) {
    reviewed = null;
    $("pay-review").hidden = true;
    status(`${e.code || "ERROR"}: ${e.message}`, true);
  }
}

// pay sends the reviewed invoice and reports the outcome.
async function pay() {
  if (!reviewed) return;
  $("pay-confirm").disabled = true;
  status("Paying… finding a route and waiting for the payee.");
  try {
    const res = await lnwasm.sendPayment({ paymentRequest: reviewed.payReq });
    status(`Paid ${sat(res.valueMsat)} sat (fee ${res.feeMsat} msat). Proof of payment: ${res.paymentPreimage}`);
    $("pay-status").dataset.result = "SUCCEEDED";
    $("pay-review").hidden = true;
    $("pay-request").value = "";
    reviewed = null;
  } catch (e) {
    status(`${e.code || "ERROR"}: ${e.message}`, true);
    $("pay-status").dataset.result = e.code || "ERROR";
    $("pay-confirm").disabled = false;
  }
  drawPayments();
}

// createInvoice makes an invoice and shows it as text and QR code.
async function createInvoice(ev) {
  ev.preventDefault();
  try {
    const res = await lnwasm.addInvoice({ valueSat: Number($("invoice-amount").value), memo: $("invoice-memo").value });
    shown = res.paymentHash;
    $("invoice-request").value = res.paymentRequest;
    $("invoice-state").textContent = "Waiting for payment…";
    $("invoice-state").dataset.state = "OPEN";
    $("invoice-show").hidden = false;
    const { svg } = await lnwasm.qrSvg({ text: res.paymentRequest.toUpperCase() });
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    $("invoice-qr").replaceChildren(document.importNode(doc.documentElement, true));
  } catch (e) {
    $("invoice-state").textContent = `${e.code || "ERROR"}: ${e.message}`;
    $("invoice-show").hidden = false;
  }
  drawPayments();
}

async function post(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// shopBuy asks the playground's shop for an invoice to pay.
async function shopBuy() {
  try {
    const { paymentRequest } = await post("devnet/shop/invoice", { amountSat: 1000, memo: "a coffee from the playground shop" });
    $("pay-request").value = paymentRequest;
    $("pay-decode").click();
  } catch (e) { status(`shop: ${e.message}`, true); }
}

// shopPay has the playground's shop pay the invoice on screen.
async function shopPay() {
  $("invoice-state").textContent = "The shop is paying…";
  try {
    const res = await post("devnet/shop/pay", { paymentRequest: $("invoice-request").value });
    if (res.status !== "SUCCEEDED") $("invoice-state").textContent = `The shop's payment failed: ${res.failureReason}`;
  } catch (e) { $("invoice-state").textContent = `shop: ${e.message}`; }
  drawPayments();
}

function row(cells, data) {
  const tr = document.createElement("tr");
  Object.assign(tr.dataset, data);
  for (const c of cells) tr.append(Object.assign(document.createElement("td"), { textContent: c }));
  return tr;
}

// drawPayments redraws the history; an invoice event for the invoice on
// screen updates its state.
export async function drawPayments(ev) {
  if (document.body.dataset.wallet !== "unlocked") return;
  let ps, is;
  try {
    [ps, is] = await Promise.all([lnwasm.listPayments(), lnwasm.listInvoices()]);
  } catch { return; }
  const items = [
    ...ps.payments.map((p) => ({ t: p.creationTime, tr: row(["sent", sat(p.valueMsat), (p.feeMsat / 1000).toFixed(3), p.status, p.paymentHash.slice(0, 16) + "…"], { kind: "payment", status: p.status, hash: p.paymentHash }) })),
    ...is.invoices.map((i) => ({ t: i.creationDate, tr: row(["received", sat(i.amtPaidMsat || i.valueMsat), "", i.state, i.memo || i.paymentHash.slice(0, 16) + "…"], { kind: "invoice", status: i.state, hash: i.paymentHash }) })),
  ].sort((a, b) => b.t - a.t);
  const rows = items.map((x) => x.tr);
  if (!rows.length) rows.push(row(["No payments yet."], {}));
  $("payment-rows").replaceChildren(...rows);
  const mine = is.invoices.find((i) => i.paymentHash === shown);
  if (mine && mine.state !== "OPEN") {
    $("invoice-state").textContent = mine.state === "SETTLED" ? `Paid: ${sat(mine.amtPaidMsat)} sat received.` : mine.state;
    $("invoice-state").dataset.state = mine.state;
  }
}

export function setupPayments(client) {
  lnwasm = client;
  $("pay-form").addEventListener("submit", review);
  $("pay-confirm").addEventListener("click", pay);
  $("pay-cancel").addEventListener("click", () => { reviewed = null; $("pay-review").hidden = true; status(""); });
  $("invoice-form").addEventListener("submit", createInvoice);
  $("shop-buy").addEventListener("click", shopBuy);
  $("shop-pay").addEventListener("click", shopPay);
}
