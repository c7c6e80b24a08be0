// settings.js: the Settings view (bridge URL, network, backup export,
// lock, wipe) and the storage-persistence request.
"use strict";

import { $, app, say, errText } from "./shared.js";

const bridgeKey = "lnwasm.bridge";
const status = (text, isError) => say("settings-status", text, isError);

// defaultBridge is the bridge of the server that served this page.
export function defaultBridge() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${location.pathname.replace(/[^/]*$/, "")}bridge`;
}

// bridgeURL is the bridge the engine uses: the person's choice, else ours.
export function bridgeURL() { return localStorage.getItem(bridgeKey) || defaultBridge(); }

function saveBridge(ev) {
  ev.preventDefault();
  const v = $("bridge-url").value.trim();
  let u;
  try { u = new URL(v); } catch { u = null; }
  if (!u || (u.protocol !== "ws:" && u.protocol !== "wss:")) {
    status("INVALID_ARGUMENT: the bridge URL must start with ws:// or wss://", true);
    return;
  }
  localStorage.setItem(bridgeKey, v);
  status("Saved. The engine uses it from the next load of this page.");
}

// askPersistence asks the browser not to evict this origin's storage: a
// wallet whose channel state is evicted cannot prove its latest state.
export async function askPersistence() {
  if (!navigator.storage || !navigator.storage.persist) {
    $("settings-storage").textContent = "this browser cannot keep storage persistent";
    return;
  }
  const granted = await navigator.storage.persisted() || await navigator.storage.persist();
  document.body.dataset.persisted = String(granted);
  $("settings-storage").textContent = granted ? "persistent (the browser will not evict it)" : "best effort (the browser may evict it)";
  if (!granted) {
    $("storage-warning").textContent = "This browser did not grant persistent storage: under storage pressure it may delete this wallet's data, " +
      "channel state included. Export a backup (Settings) and keep your 24 words.";
    $("storage-warning").hidden = false;
  }
}

// exportBackup downloads the encrypted backup as a file.
async function exportBackup(ev) {
  ev.preventDefault();
  status("Encrypting the backup…");
  try {
    const { backup, channels } = await app.lnwasm.exportBackup({ password: $("backup-password").value });
    $("backup-password").value = "";
    const bytes = Uint8Array.from(atob(backup), (c) => c.charCodeAt(0));
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    a.download = `lnwasm-${app.cfg.network}-${new Date().toISOString().slice(0, 10)}.lnwasm`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    status(`Backup exported: seed and ${channels} channels, encrypted with your password.`);
  } catch (e) { status(errText(e), true); }
}

// wipe deletes this wallet from the browser after the person typed "wipe".
async function wipe(ev) {
  ev.preventDefault();
  if ($("wipe-confirm").value.trim() !== "wipe") {
    status("Type wipe to confirm.", true);
    return;
  }
  app.lnwasm.terminate();
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(app.cfg.dbName);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  location.hash = "";
  location.reload();
}

export function drawSettings(info) {
  $("settings-network").textContent = info.network;
  $("settings-version").textContent = info.version || "–";
}

export function setupSettings(locked) {
  $("bridge-url").value = bridgeURL();
  $("bridge-form").addEventListener("submit", saveBridge);
  $("bridge-reset").addEventListener("click", () => {
    localStorage.removeItem(bridgeKey);
    $("bridge-url").value = defaultBridge();
    status("The engine uses this server's bridge from the next load.");
  });
  $("backup-form").addEventListener("submit", exportBackup);
  $("lock").addEventListener("click", async () => {
    try { await app.lnwasm.lockWallet(); locked(); } catch (e) { status(errText(e), true); }
  });
  $("wipe-form").addEventListener("submit", wipe);
}
