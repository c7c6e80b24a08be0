// payments.js: the Send, Receive and History views. It only draws and
// asks the engine; amounts are shown in satoshis.
"use strict";

import { $, app, say, errText, post, sat, qrInto, showView } from "./shared.js";

let reviewed = null; // the invoice on screen, decoded
let shown = null; // the hash of the invoice we show to be paid

const status = (text, isError) => say("pay-status", text, isError);

// parseDestination reads what was pasted: an invoice (bare or lightning:),
// an address, or a BIP 21 URI (its lightning= invoice wins, as wallets do).
export function parseDestination(text) {
  let s = text.trim();
  if (/^lightning:/i.test(s)) return { invoice: s.slice(10) };
  if (/^bitcoin:/i.test(s)) {
    const [addr, query] = s.slice(8).split("?");
    const q = new URLSearchParams(query || "");
    if (q.get("lightning")) return { invoice: q.get("lightning") };
    const btc = Number(q.get("amount"));
    return { address: addr, amountSat: btc > 0 ? Math.round(btc * 1e8) : undefined };
  }
  if (/^ln/i.test(s)) return { invoice: s };
  return { address: s };
}

function hideReviews() {
  $("pay-review").hidden = true;
  $("send-form").hidden = true;
  reviewed = null;
}

// review decodes what was pasted and shows what paying it means.
async function review(ev) {
  ev.preventDefault();
  hideReviews();
  const dest = parseDestination($("pay-request").value);
  if (dest.address !== undefined) return reviewAddress(dest);
  try {
    const inv = await app.lnwasm.decodePayReq({ payReq: dest.invoice });
    reviewed = { payReq: dest.invoice, inv };
    $("pay-amount").textContent = inv.numMsat ? sat(inv.numMsat) : "any (the invoice has no amount)";
    $("pay-memo").textContent = inv.description || "(none)";
    $("pay-payee").textContent = inv.destination;
    $("pay-expiry").textContent = inv.expired ? "expired" : new Date(inv.expiresAt * 1000).toLocaleString();
    $("pay-review").hidden = false;
    $("pay-confirm").disabled = inv.expired || !inv.numMsat;
    status(inv.expired ? "This invoice has expired." : "Check the amount, then pay.", inv.expired);
  } catch (e) { status(errText(e), true); }
}

// reviewAddress shows the on-chain form; the engine checks the address
// (network and checksum) when it builds the transaction.
function reviewAddress(dest) {
  if (!/^[a-z0-9]{14,90}$/i.test(dest.address)) {
    status("INVALID_ARGUMENT: that is neither a Lightning invoice nor a bitcoin address", true);
    return;
  }
  $("send-to").textContent = dest.address;
  $("send-address").value = dest.address;
  if (dest.amountSat) $("send-amount").value = dest.amountSat;
  $("send-form").hidden = false;
  status("Enter the amount and fee rate, then send.");
}

// pay sends the reviewed invoice and reports the outcome.
async function pay() {
  if (!reviewed) return;
  $("pay-confirm").disabled = true;
  status("Paying… finding a route and waiting for the payee.");
  try {
    const res = await app.lnwasm.sendPayment({ paymentRequest: reviewed.payReq });
    if (res.status === "SUCCEEDED") {
      status(`Paid ${sat(res.valueMsat)} sat (fee ${res.feeMsat} msat). Proof of payment: ${res.paymentPreimage}`);
    } else {
      // The engine stopped waiting while an HTLC is out: it is not paid,
      // and not failed either, until the payee or the chain decides.
      status("Not finished yet: the payment is on its way and the payee has not answered. It completes or fails on its own; History shows how it ends.");
    }
    $("pay-status").dataset.result = res.status;
    hideReviews();
    $("pay-request").value = "";
  } catch (e) {
    status(payError(e), true);
    $("pay-status").dataset.result = e.code || "ERROR";
    $("pay-confirm").disabled = false;
  }
  drawPayments();
}

// payError explains a failed payment; a storage failure needs words a
// person can act on more than the engine's chain of causes.
function payError(e) {
  if (e.code === "STORAGE_FAILED") {
    return "STORAGE_FAILED: this browser refused to save the wallet's data (is the disk full?). " +
      "Nothing the wallet could not save was sent. Free some space and open the page again: History then shows " +
      `whether this payment went out. (${e.message})`;
  }
  return errText(e);
}

async function sendOnchain(ev) {
  ev.preventDefault();
  status("Sending…");
  try {
    const r = await app.lnwasm.sendCoins({
      addr: $("send-address").value, amountSat: Number($("send-amount").value),
      satPerVbyte: Number($("send-rate").value),
    });
    status(`Sent: tx ${r.txid} (fee ${r.feeSat} sat)`);
    hideReviews();
    $("pay-request").value = "";
  } catch (e) { status(errText(e), true); }
  drawTransactions();
}

// createInvoice makes an invoice and shows it as text and QR code.
async function createInvoice(ev) {
  ev.preventDefault();
  try {
    const res = await app.lnwasm.addInvoice({ valueSat: Number($("invoice-amount").value), memo: $("invoice-memo").value });
    shown = res.paymentHash;
    $("invoice-request").value = res.paymentRequest;
    $("invoice-state").textContent = "Waiting for payment…";
    $("invoice-state").dataset.state = "OPEN";
    $("invoice-show").hidden = false;
    await qrInto($("invoice-qr"), res.paymentRequest.toUpperCase());
  } catch (e) {
    $("invoice-state").textContent = errText(e);
    $("invoice-show").hidden = false;
  }
  drawPayments();
}

// showAddress displays a fresh address and its QR code.
export async function showAddress(addr) {
  $("receive-address").textContent = addr;
  await qrInto($("receive-qr"), addr);
}

async function newAddress() {
  try {
    await showAddress((await app.lnwasm.newAddress({ type: $("address-type").value })).address);
  } catch (e) { $("receive-address").textContent = errText(e); }
}

// shopPrice is what the playground's shop charges: enough that the hub
// then holds more than its channel reserve on our channel, so the shop
// can pay us back through it in the next step.
const shopPrice = 20000;

// shopBuy asks the playground's shop for an invoice and reviews it.
export async function shopBuy() {
  showView("send");
  try {
    const { paymentRequest } = await post("devnet/shop/invoice", { amountSat: shopPrice, memo: "a book from the playground shop" });
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

// drawPayments redraws the Lightning history; an invoice event for the
// invoice on screen updates its state.
export async function drawPayments() {
  if (document.body.dataset.wallet !== "unlocked") return;
  let ps, is;
  try {
    [ps, is] = await Promise.all([app.lnwasm.listPayments(), app.lnwasm.listInvoices()]);
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

// drawTransactions redraws the on-chain history.
export async function drawTransactions() {
  if (document.body.dataset.wallet !== "unlocked") return;
  let transactions;
  try { ({ transactions } = await app.lnwasm.listTransactions()); } catch { return; }
  const rows = transactions.map((t) => {
    const tr = row([t.txid.slice(0, 16) + "…", t.amountSat, t.feeSat || "–", t.numConfirmations || "pending"], { txid: t.txid });
    tr.children[0].title = t.txid;
    return tr;
  });
  if (rows.length) $("tx-rows").replaceChildren(...rows);
}

export function setupPayments() {
  $("pay-form").addEventListener("submit", review);
  $("pay-confirm").addEventListener("click", pay);
  $("pay-cancel").addEventListener("click", () => { hideReviews(); status(""); });
  $("send-cancel").addEventListener("click", () => { hideReviews(); status(""); });
  $("send-form").addEventListener("submit", sendOnchain);
  $("invoice-form").addEventListener("submit", createInvoice);
  $("new-address").addEventListener("click", newAddress);
  $("shop-pay").addEventListener("click", shopPay);
}
