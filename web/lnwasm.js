// lnwasm.js: window.lnwasm, a thin Promise proxy to the engine in its Web
// Worker. Method names follow lnd's RPCs (DESIGN.md); errors reject with an
// Error whose code is a stable string.
"use strict";

export function createClient(workerURL = "worker.js") {
  const worker = new Worker(workerURL, { type: "module" });
  const pending = new Map();
  const listeners = new Set();
  let nextId = 1;

  worker.onmessage = (ev) => {
    const msg = ev.data;
    if (msg.event) {
      for (const cb of listeners) { try { cb(msg.event); } catch (e) { console.error(e); } }
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
    else p.resolve(msg.result);
  };
  worker.onerror = (ev) => {
    const err = Object.assign(new Error("engine worker failed: " + (ev.message || "unknown error")), { code: "INTERNAL" });
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const call = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, params: params || {} });
  });

  return {
    start: (opts) => call("start", opts),
    getInfo: () => call("getInfo"),
    memStats: () => call("memStats"),
    createWallet: (opts) => call("createWallet", opts),
    unlockWallet: (opts) => call("unlockWallet", opts),
    connect: (opts) => call("connect", opts),
    listPeers: () => call("listPeers"),
    newAddress: (opts) => call("newAddress", opts),
    walletBalance: () => call("walletBalance"),
    sendCoins: (opts) => call("sendCoins", opts),
    listTransactions: () => call("listTransactions"),
    lockWallet: () => call("lockWallet"),
    bumpFee: (opts) => call("bumpFee", opts),
    qrSvg: (opts) => call("qrSvg", opts),
    listUnspent: () => call("listUnspent"),
    openChannel: (opts) => call("openChannel", opts),
    listChannels: () => call("listChannels"),
    pendingChannels: () => call("pendingChannels"),
    closedChannels: () => call("closedChannels"),
    closeChannel: (opts) => call("closeChannel", opts),
    checkStore: () => call("checkStore"),
    decodePayReq: (opts) => call("decodePayReq", opts),
    sendPayment: (opts) => call("sendPayment", opts),
    listPayments: () => call("listPayments"),
    addInvoice: (opts) => call("addInvoice", opts),
    listInvoices: () => call("listInvoices"),
    exportBackup: (opts) => call("exportBackup", opts),
    // terminate stops the engine at once, like closing the tab: what it
    // committed to IndexedDB stays, calls still waiting reject.
    terminate() {
      worker.terminate();
      const err = Object.assign(new Error("engine stopped"), { code: "STOPPED" });
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    },
    subscribe(cb) { listeners.add(cb); return () => listeners.delete(cb); },
  };
}
