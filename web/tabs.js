// tabs.js: one engine per browser profile. Two tabs running the same
// wallet would each sign commitments for the same channels from their own
// copy of the state, and the older copy is a revoked one: broadcasting it
// loses the channel. The Web Locks API grants a lock to exactly one tab; the
// tab holding "lnwasm:<db>" is the only one that starts an engine. Another
// tab shows "open in another tab" and can take over: it asks the holder over
// a BroadcastChannel, the holder stops its engine, then releases the lock.
"use strict";

const $ = (id) => document.getElementById(id);

// singleTab runs start() once this tab holds the wallet's lock, and stop()
// when another tab takes it over. It returns at once; the UI of the tab
// that waits is the #in-use panel.
export function singleTab(dbName, { start, stop }) {
  const name = "lnwasm:" + dbName;
  if (!navigator.locks) {
    // Without Web Locks (very old browsers) nothing can enforce one engine.
    start();
    return;
  }
  const channel = new BroadcastChannel(name);
  let release = null;

  const hold = () => new Promise((resolve) => { release = resolve; });
  const grantedHere = async () => {
    document.body.dataset.engine = "running";
    $("in-use").hidden = true;
    await start();
  };
  const waitHere = (text) => {
    document.body.dataset.engine = "elsewhere";
    $("in-use-text").textContent = text;
    $("in-use").hidden = false;
    $("nav").hidden = true;
    for (const el of document.querySelectorAll("#welcome, #sync, [data-panel], #guide")) el.hidden = true;
    $("status").textContent = "This wallet runs in another tab.";
  };

  channel.onmessage = async (ev) => {
    if (ev.data !== "takeover" || !release) return;
    await stop();
    waitHere("This wallet moved to another tab. Only one tab at a time may run it.");
    const r = release;
    release = null;
    r();
  };

  $("take-over").addEventListener("click", () => {
    $("take-over").disabled = true;
    $("in-use-text").textContent = "Asking the other tab to stop its engine…";
    channel.postMessage("takeover");
    navigator.locks.request(name, async () => {
      $("take-over").disabled = false;
      grantedHere();
      return hold();
    });
  });

  navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) {
      waitHere("This wallet is running in another tab of this browser. Only one tab at a time may run it: two engines would fight over the same channels.");
      return undefined;
    }
    grantedHere();
    return hold();
  });
}
