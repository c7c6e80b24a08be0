// worker.js: the dedicated Web Worker that runs the Go engine. Go's wasm
// runtime has no preemption and its collector pauses, so on the page's main
// thread sync and signing would freeze the UI; here they cannot.
//
// Messages from the page: {id, method, params}. Replies: {id, result} or
// {id, error: {code, message}}; events: {event}.
"use strict";

import { openStore, IdbFS, kvHost } from "./idbfs.js";

let engine = null; // resolves to globalThis.lnwasmEngine once Go runs

function post(msg) { self.postMessage(msg); }

// The worker's console is invisible to most tools that drive a page, so
// every line is also sent to the page as a log event.
for (const level of ["log", "warn", "error"]) {
  const orig = console[level].bind(console);
  console[level] = (...args) => {
    orig(...args);
    post({ event: { type: "log", level, text: args.map(String).join(" ") } });
  };
}

function errOf(e, code) {
  return { code: (e && e.code) || code || "INTERNAL", message: String((e && e.message) || e) };
}

// holdLock takes the engine's Web Lock for this wallet's database. The page
// already holds the tab's lock (tabs.js) before it starts a worker; this
// second lock is what makes two engines on one state impossible even if a
// script bypasses the page. It waits a little: a worker just terminated by
// a takeover releases its lock a moment after the page's lock moved.
async function holdLock(name) {
  if (!navigator.locks) return;
  await new Promise((resolve, reject) => {
    navigator.locks.request("lnwasm-engine:" + name, { signal: AbortSignal.timeout(10000) }, () => {
      resolve();
      return new Promise(() => {}); // held until this worker ends
    }).catch(() => {
      const e = new Error("this wallet's engine is running in another tab; close it there first");
      e.code = "WALLET_IN_USE";
      reject(e);
    });
  });
}

// boot opens IndexedDB, installs the file system and host functions, and
// starts Go. It runs once, on the first start call.
async function boot(dbName) {
  await holdLock(dbName);
  const idb = await openStore(dbName);
  const fs = new IdbFS(idb);
  await fs.load();
  globalThis.fs = fs;
  let ready, mem = null;
  const isReady = new Promise((r) => { ready = r; });
  globalThis.lnwasmHost = {
    ...kvHost(idb),
    ready(version) { ready(version); },
    emit(json) { post({ event: JSON.parse(json) }); },
    // memory is the instance's linear memory in bytes, for memStats.
    memory() { return mem ? mem.buffer.byteLength : 0; },
  };
  await import("./wasm_exec.js");
  const go = new globalThis.Go();
  const resp = fetch("lnwasm.wasm");
  const { instance } = await WebAssembly.instantiateStreaming(resp, go.importObject);
  mem = instance.exports.mem;
  go.run(instance).then(() => post({ event: { type: "stopped" } }));
  await isReady;
  return globalThis.lnwasmEngine;
}

self.onmessage = async (ev) => {
  const { id, method, params } = ev.data || {};
  try {
    if (!engine) {
      if (method !== "start") throw Object.assign(new Error("call start first"), { code: "NOT_STARTED" });
      engine = boot(params.dbName || "lnwasm-" + params.network);
    }
    const api = await engine;
    const json = await api.call(method, JSON.stringify(params || {}));
    post({ id, result: JSON.parse(json) });
  } catch (e) {
    if (method === "start" && !(e && e.code)) engine = null; // allow a retry after a failed boot
    post({ id, error: errOf(e) });
  }
};
