// firstrun.js: the first run (create or restore, password, back up the
// words) and unlocking. The words are shown once and live only in this
// module's closures until the person proves they wrote them down.
"use strict";

import { $, app, say, errText, showView } from "./shared.js";

let showingWords = false;
let afterChange = () => {};

// drawWelcome shows the form that fits the wallet's state and reports
// whether the wallet's views may be shown.
export function drawWelcome(state) {
  $("create-form").hidden = state !== "none" || showingWords;
  $("unlock-form").hidden = state !== "locked";
  $("words-box").hidden = !showingWords;
  const open = state === "unlocked" && !showingWords;
  $("welcome").hidden = open;
  return open;
}

function kind() { return document.querySelector('input[name="create-kind"]:checked').value; }

function drawKind() {
  $("restore-words-box").hidden = kind() !== "words";
  $("restore-file-box").hidden = kind() !== "backup";
  $("create-form").querySelector("button[type=submit]").textContent = kind() === "new" ? "Create wallet" : "Restore wallet";
}

// readBackup returns the chosen backup file as base64.
async function readBackup() {
  const f = $("restore-file").files[0];
  if (!f) throw Object.assign(new Error("choose the backup file"), { code: "INVALID_ARGUMENT" });
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

async function create(ev) {
  ev.preventDefault();
  say("wallet-status", kind() === "new" ? "Creating the wallet…" : "Restoring the wallet…");
  try {
    const req = { password: $("create-password").value };
    if (kind() === "words") req.mnemonic = $("restore-words").value.trim();
    if (kind() === "backup") {
      req.backup = await readBackup();
      req.backupPassword = $("restore-file-password").value;
    }
    const { mnemonic, restoredChannels } = await app.lnwasm.createWallet(req);
    for (const id of ["create-password", "restore-words", "restore-file-password"]) $(id).value = "";
    $("restore-file").value = "";
    say("wallet-status", "");
    if (kind() === "backup") {
      // The wallet opens on its Channels view, where the restored channels
      // wait for their peers to close them.
      say("channels-status", `Restored from the backup: asking the peers of ${restoredChannels} channels to close them; ` +
        "the funds come back on-chain once they do.");
    }
    if (kind() === "new") showWords(mnemonic.split(" "));
    await afterChange();
    // After the wallet's views are drawn: a sync event may already have
    // opened them on another view while createWallet returned.
    if (kind() === "backup") showView("channels");
  } catch (e) { say("wallet-status", errText(e), true); }
}

function showWords(words) {
  showingWords = true;
  $("words").replaceChildren(...words.map((w) => Object.assign(document.createElement("li"), { textContent: w })));
  $("words-saved").checked = false;
  $("words-quiz").hidden = true;
  setQuiz(words);
}

// The quiz asks for three random words back, so nobody clicks past the
// only backup of their money.
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

function wordsDone() {
  showingWords = false;
  quizOk = () => false;
  $("words").replaceChildren();
  afterChange();
}

async function unlock(ev) {
  ev.preventDefault();
  say("wallet-status", "Unlocking…");
  try {
    await app.lnwasm.unlockWallet({ password: $("unlock-password").value });
    $("unlock-password").value = "";
    say("wallet-status", "");
    afterChange();
  } catch (e) { say("wallet-status", errText(e), true); }
}

// setupFirstRun wires the forms; changed runs after the wallet's state moved.
export function setupFirstRun(changed) {
  afterChange = changed;
  $("create-form").addEventListener("submit", create);
  for (const r of document.querySelectorAll('input[name="create-kind"]')) r.addEventListener("change", drawKind);
  $("words-saved").addEventListener("change", () => { $("words-quiz").hidden = !$("words-saved").checked; checkWordsDone(); });
  for (const el of document.querySelectorAll(".quiz-word")) el.addEventListener("input", checkWordsDone);
  $("words-done").addEventListener("click", wordsDone);
  $("unlock-form").addEventListener("submit", unlock);
  drawKind();
}
