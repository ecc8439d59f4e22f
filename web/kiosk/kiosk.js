// mimamori — kiosk: a USB barcode reader types the card code + Enter into a
// always-focused input; we record the scan and show the result in large type.
// When the server cannot be reached, scans are kept in IndexedDB with the time they
// happened and sent later, oldest first, one at a time (POST /scans with scanned_at).
import { request, ApiError, formatTime, formatDate } from '/js/api.js';

const TOKEN_KEY = 'mimamori.kiosk.token';
const SITE_KEY = 'mimamori.kiosk.site';
const RESULT_MS = 5000;
const IDLE_TEXT = 'カードをかざしてください';
const DIRECTION = { in: '入室', out: '退室' }; // the ward's words replace these (useWords)
const WORDS_KEY = 'mimamori.kiosk.words';
const SKEW_KEY = 'mimamori.kiosk.skew';
const SCAN_TIMEOUT_MS = 8000;
const FLUSH_MS = 3000;
const OFFLINE_TEXT = 'オフライン：読み取りは保存され、接続が戻ったら送信されます';
const SENDING_TEXT = '保存していた読み取りを送信しています';

const $ = (id) => document.getElementById(id);
const ui = {
  setup: $('setup'), setupForm: $('setup-form'), setupToken: $('setup-token'),
  setupSubmit: $('setup-submit'), setupError: $('setup-error'),
  screen: $('screen'), siteName: $('site-name'), clockDate: $('clock-date'), clockTime: $('clock-time'),
  result: $('result'), input: $('scan'),
  name: $('r-name'), direction: $('r-direction'), time: $('r-time'), message: $('r-message'),
  net: $('net-status'), reset: $('reset'),
  offline: $('offline'), offlineText: $('offline-text'), pendingCount: $('pending-count'),
};

let token = null;
let resetTimer = null;
let queue = Promise.resolve();
let verifyTimer = null;
let wakeLock = null;
let dialogOpen = false;
let online = true;        // false after a request got no answer, until one gets an answer
let pendingCount = 0;     // scans kept offline, not sent yet
let flushing = null;      // the running send of kept scans (a promise), or null
let probing = false;
let swRegistered = false;
let dropped = 0;          // kept scans the server refused (4xx), shown in the footer
const sentResults = new Map(); // id → the server's answer, for a scan waiting on a flush
let skewMs = Number(load(SKEW_KEY)) || 0; // server clock − this device's clock, if far off

// ---------- storage ----------
function load(key) { try { return localStorage.getItem(key); } catch { return null; } }
function save(key, v) { try { localStorage.setItem(key, v); } catch { /* ignore */ } }
function drop(key) { try { localStorage.removeItem(key); } catch { /* ignore */ } }

// Scans kept while offline: IndexedDB store "pending", key "seq" (auto-increment, so key order
// is scan order). Records: {seq, id, code, scanned_at, scanned_ms}. Without IndexedDB (a
// browser that refuses it) they are kept in memory only, and a reload would lose them.
const pendingStore = (() => {
  const DB = 'mimamori-kiosk';
  const STORE = 'pending';
  let dbp = null;
  let memory = null; // fallback
  let memSeq = 0;
  function open() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        if (!window.indexedDB) { reject(new Error('IndexedDB is not available')); return; }
        const rq = indexedDB.open(DB, 1);
        rq.onupgradeneeded = () => { rq.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true }); };
        rq.onsuccess = () => resolve(rq.result);
        rq.onerror = () => reject(rq.error);
        rq.onblocked = () => reject(new Error('IndexedDB is blocked'));
      });
      dbp.catch((e) => {
        console.warn('kiosk: IndexedDB unavailable, offline scans are kept in memory only', e);
        memory = [];
      });
    }
    return dbp;
  }
  function run(mode, fn) {
    return open().then((db) => new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      let out;
      fn(t.objectStore(STORE), (v) => { out = v; });
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('transaction aborted'));
    }));
  }
  async function ready() { try { await open(); return true; } catch { return false; } }
  return {
    async add(rec) {
      if (!(await ready())) { memory.push({ ...rec, seq: ++memSeq }); return; }
      await run('readwrite', (st) => { st.add(rec); });
    },
    async oldest() {
      if (!(await ready())) return memory[0] || null;
      return run('readonly', (st, set) => {
        const rq = st.openCursor();
        rq.onsuccess = () => set(rq.result ? rq.result.value : null);
      });
    },
    async remove(seq) {
      if (!(await ready())) { memory = memory.filter((r) => r.seq !== seq); return; }
      await run('readwrite', (st) => { st.delete(seq); });
    },
    async count() {
      if (!(await ready())) return memory.length;
      return run('readonly', (st, set) => {
        const rq = st.count();
        rq.onsuccess = () => set(rq.result);
      });
    },
  };
})();

// ---------- sound (WebAudio, no files) ----------
let actx = null;
function audio() {
  try {
    if (!actx) {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return null;
      actx = new AC();
    }
    if (actx.state === 'suspended') actx.resume().catch(() => {});
    return actx;
  } catch {
    return null;
  }
}
function tone(freq, at, dur, type = 'sine', vol = 0.25) {
  const ctx = audio();
  if (!ctx) return;
  const t0 = ctx.currentTime + at;
  const osc = ctx.createOscillator();
  const g = ctx.createGain();
  osc.type = type;
  osc.frequency.setValueAtTime(freq, t0);
  g.gain.setValueAtTime(0.0001, t0);
  g.gain.exponentialRampToValueAtTime(vol, t0 + 0.01);
  g.gain.setValueAtTime(vol, t0 + dur - 0.03);
  g.gain.exponentialRampToValueAtTime(0.0001, t0 + dur);
  osc.connect(g).connect(ctx.destination);
  osc.start(t0);
  osc.stop(t0 + dur + 0.02);
}
const sound = {
  in() { tone(1175, 0, 0.12); tone(1568, 0.13, 0.18); },        // rising, high
  out() { tone(784, 0, 0.12); tone(587, 0.13, 0.2); },          // falling, lower
  duplicate() { tone(880, 0, 0.1, 'sine', 0.1); },               // soft single blip
  error() { tone(160, 0, 0.22, 'square', 0.18); tone(160, 0.28, 0.3, 'square', 0.18); }, // buzz
};
sound.saved = () => { tone(988, 0, 0.1, 'sine', 0.18); tone(988, 0.16, 0.1, 'sine', 0.18); }; // neutral double beep
function play(kind) { try { sound[kind](); } catch { /* no audio device */ } }

// ---------- screens ----------
function showSetup(message) {
  stopVerifyRetry();
  ui.screen.hidden = true;
  ui.setup.hidden = false;
  ui.setupError.textContent = message || '';
  ui.setupError.hidden = !message;
  ui.setupSubmit.disabled = false;
  ui.setupToken.focus();
}

function showScreen(siteName) {
  ui.setup.hidden = true;
  ui.screen.hidden = false;
  ui.siteName.textContent = siteName || '';
  toIdle();
  focusInput();
  keepAwake();
}

function needsSetupAgain(detail) {
  token = null;
  drop(TOKEN_KEY);
  drop(SITE_KEY);
  play('error');
  showSetup(`この端末の設定が無効になりました。端末トークンをもう一度設定してください。${detail ? `（${detail}）` : ''}`);
}

// ---------- result display ----------
function setResult(state, { name = '', direction = '', time = '', message = '' }) {
  ui.result.dataset.state = state;
  ui.name.textContent = name;
  ui.name.hidden = !name;
  ui.direction.textContent = direction;
  ui.direction.hidden = !direction;
  ui.time.textContent = time;
  ui.time.hidden = !time;
  ui.message.textContent = message;
  ui.message.hidden = !message;
}

function toIdle() {
  if (resetTimer) clearTimeout(resetTimer);
  resetTimer = null;
  setResult('idle', { message: IDLE_TEXT });
}

function holdResult() {
  if (resetTimer) clearTimeout(resetTimer);
  resetTimer = setTimeout(toIdle, RESULT_MS);
}

function timeOf(data) {
  if (data.time) return data.time;
  if (data.at) {
    const d = new Date(data.at);
    if (!Number.isNaN(d.getTime())) return formatTime(d);
  }
  return '';
}

// ---------- offline state ----------
function updateBanner() {
  const show = Boolean(token) && (!online || pendingCount > 0);
  ui.offline.hidden = !show;
  ui.offline.dataset.mode = online ? 'sending' : 'offline';
  ui.offlineText.textContent = online ? SENDING_TEXT : OFFLINE_TEXT;
  ui.pendingCount.textContent = String(pendingCount);
}

function setOnline(v) {
  online = v;
  updateBanner();
  if (v) registerWorker();
}

async function refreshPending() {
  try { pendingCount = await pendingStore.count(); } catch { /* keep the last count */ }
  updateBanner();
}

// The kiosk page itself is kept by a service worker, so that a reload while the server
// cannot be reached still opens the kiosk. Registered once the server has answered.
function registerWorker() {
  if (swRegistered || !('serviceWorker' in navigator)) return;
  swRegistered = true;
  navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk/' })
    .catch((e) => { swRegistered = false; console.warn('kiosk: service worker not registered', e); });
}

// The server's clock from the Date header. Only a device clock more than 30 s off is corrected
// (Date has whole seconds); the offset is kept for scans taken before the next answer.
function learnSkew(res, t0, t1) {
  const server = Date.parse(res.headers.get('Date') || '');
  if (Number.isNaN(server)) return;
  const est = server + 500 - (t0 + t1) / 2;
  skewMs = Math.abs(est) > 30000 ? Math.round(est) : 0;
  save(SKEW_KEY, String(skewMs));
}

/** "2026-11-23T15:02:11.123+09:00": the scan time as Japan time with its offset. */
function isoJst(ms) {
  return new Date(ms + 9 * 3600 * 1000).toISOString().replace('Z', '+09:00');
}

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** POST /scans; resolves to the answer, rejects with ApiError (status 0: no answer). */
async function postScan(body) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), SCAN_TIMEOUT_MS);
  const t0 = Date.now();
  let res;
  try {
    res = await fetch('/api/v1/scans', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctrl.signal,
    });
  } catch {
    throw new ApiError(0, 'サーバーに接続できません。', null);
  } finally {
    clearTimeout(timer);
  }
  learnSkew(res, t0, Date.now());
  const text = await res.text().catch(() => '');
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const msg = data && typeof data.message === 'string' && data.message.trim()
      ? data.message.trim() : `エラーが発生しました（${res.status}）。`;
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

function noteDropped(rec, err) {
  dropped += 1;
  console.warn(`kiosk: a kept scan of ${rec.scanned_at} was refused (${err.status}): ${err.message}`);
  ui.net.textContent = `送信できなかった読み取りが ${dropped} 件あります（${rec.scanned_at.slice(11, 16)} の読み取り：${err.message}）。職員に知らせてください。`;
  ui.net.className = 'kiosk-offline';
}

// Sends kept scans oldest first, one at a time, until none is left or the server cannot be
// reached. 2xx: sent. 4xx (other than 401/408/429): refused for good, dropped and shown.
// No answer, 5xx, 408, 429: stop and try again later. 401: the device token is no longer
// valid; the scans stay kept until the kiosk is set up again.
async function flushLoop() {
  while (token) {
    let rec;
    try { rec = await pendingStore.oldest(); } catch { break; }
    if (!rec) break;
    let data;
    try {
      data = await postScan({ code: rec.code, scanned_at: rec.scanned_at });
    } catch (err) {
      if (err.status === 0) { setOnline(false); break; }
      setOnline(true);
      if (err.status === 401) { needsSetupAgain(err.message); break; }
      if (err.status >= 500 || err.status === 408 || err.status === 429) break;
      noteDropped(rec, err);
      sentResults.set(rec.id, { refused: err });
      await pendingStore.remove(rec.seq);
      await refreshPending();
      continue;
    }
    setOnline(true);
    sentResults.set(rec.id, data || {});
    await pendingStore.remove(rec.seq);
    await refreshPending();
  }
  await refreshPending();
}

function kickFlush() {
  if (!flushing) {
    // One tab at a time sends (a second kiosk tab on the same device shares the store).
    const run = navigator.locks ? navigator.locks.request('mimamori-kiosk-flush', flushLoop) : flushLoop();
    flushing = Promise.resolve(run).catch((e) => console.warn('kiosk: sending kept scans failed', e))
      .finally(() => { flushing = null; });
  }
  return flushing;
}

// Every 3 s: send kept scans, or, while offline with nothing kept, see whether the server
// answers again.
async function backgroundTick() {
  if (!token || ui.screen.hidden) return;
  if (pendingCount > 0) { kickFlush(); return; }
  if (!online && !probing) {
    probing = true;
    try { await checkStoredToken(); } finally { probing = false; }
  }
}

// ---------- scanning ----------
function normalizeCode(raw) {
  // A reader behind a Japanese IME may type full-width characters.
  // Codes are upper-case: Caps Lock on the reader's keyboard must not make them unknown.
  return String(raw || '').normalize('NFKC').replace(/[\s\u0000-\u001f]+/g, '').toUpperCase().slice(0, 256);
}

function showResult(data) {
  data = data || {};
  const dir = data.direction === 'out' ? 'out' : 'in';
  if (data.recorded) {
    setResult(dir, {
      name: data.child_name || '',
      direction: DIRECTION[dir],
      time: timeOf(data),
      message: `${DIRECTION[dir]}を記録しました`,
    });
    play(dir);
  } else {
    const msg = data.message
      || (data.reason === 'duplicate' ? '同じカードが続けて読み取られました（記録済み）' : '記録済みです');
    setResult('duplicate', {
      name: data.child_name || '',
      direction: data.direction ? DIRECTION[dir] : '',
      time: timeOf(data),
      message: msg,
    });
    play('duplicate');
  }
  holdResult();
}

function showError(msg) {
  setResult('error', { message: msg });
  play('error');
  holdResult();
}

/** Keeps a scan for later and tells the child it was read (no name: the server decides who). */
async function keepScan(rec) {
  try {
    await pendingStore.add(rec);
  } catch (e) {
    console.warn('kiosk: could not keep the scan', e);
    showError('読み取りを保存できませんでした。職員に知らせてください。');
    return false;
  }
  await refreshPending();
  return true;
}

function showKept(rec) {
  setResult('offline', {
    time: formatTime(new Date(rec.scanned_ms)),
    message: online ? '読み取りました（送信待ち）' : '読み取りました（オフライン）',
  });
  play('saved');
  holdResult();
}

async function submitScan(code) {
  if (!token) return;
  const at = Date.now() + skewMs;
  const rec = { id: newId(), code, scanned_at: isoJst(at), scanned_ms: at };
  if (!online) { // known offline: keep it at once, the background loop sends it
    if (await keepScan(rec)) showKept(rec);
    return;
  }
  if (pendingCount > 0 || flushing) {
    // Kept scans go first (order matters for entry/exit): queue behind them and wait.
    if (!(await keepScan(rec))) return;
    setResult('busy', { message: '確認しています…' });
    await kickFlush();
    if (!sentResults.has(rec.id) && online) await kickFlush(); // kept just as a send ended
    const r = sentResults.get(rec.id);
    sentResults.delete(rec.id);
    if (r && r.refused) showError(r.refused.message);
    else if (r) showResult(r);
    else showKept(rec);
    return;
  }
  if (ui.result.dataset.state === 'idle') setResult('busy', { message: '確認しています…' });
  let data;
  try {
    data = await postScan({ code });
  } catch (err) {
    if (err.status === 0) { // no answer: keep it with its time and send it later
      setOnline(false);
      if (await keepScan(rec)) showKept(rec);
      return;
    }
    setOnline(true);
    if (err.status === 401) { needsSetupAgain(err.message); return; }
    showError(err.message);
    return;
  }
  setOnline(true);
  if (!dropped) ui.net.textContent = '';
  showResult(data);
}

function onScanKey(ev) {
  if (ev.key === 'Enter' || ev.key === 'Tab') {
    ev.preventDefault();
    if (ev.isComposing) return;
    const code = normalizeCode(ui.input.value);
    ui.input.value = '';
    if (!code) return;
    audio(); // a key press allows the audio context to start
    queue = queue.then(() => submitScan(code)).catch(() => {});
  }
}

// ---------- focus keeping (no mouse needed) ----------
function focusInput() {
  if (ui.screen.hidden || dialogOpen) return;
  if (document.activeElement !== ui.input) ui.input.focus({ preventScroll: true });
}

// ---------- clock ----------
function tick() {
  const now = new Date();
  ui.clockDate.textContent = formatDate(now);
  ui.clockTime.textContent = formatTime(now);
}

// ---------- keep the screen on (where supported) ----------
async function keepAwake() {
  try {
    if ('wakeLock' in navigator && !document.hidden && !wakeLock) {
      wakeLock = await navigator.wakeLock.request('screen');
      wakeLock.addEventListener('release', () => { wakeLock = null; });
    }
  } catch { /* not allowed: fine */ }
}

// ---------- device token ----------
function stopVerifyRetry() { if (verifyTimer) clearTimeout(verifyTimer); verifyTimer = null; }

async function verify(t) {
  const data = await request('/kiosk', { bearer: t, timeoutMs: 8000 });
  useWords(data && data.ward, true);
  return data;
}

/** The ward's words for entry and exit ({entry_word, exit_word} of GET /api/v1/kiosk),
 * kept for a reload while the server cannot be reached. */
function useWords(w, keep) {
  if (!w || typeof w.entry_word !== 'string' || typeof w.exit_word !== 'string') return;
  if (!w.entry_word || !w.exit_word) return;
  DIRECTION.in = w.entry_word;
  DIRECTION.out = w.exit_word;
  if (keep) save(WORDS_KEY, JSON.stringify({ entry_word: w.entry_word, exit_word: w.exit_word }));
}

async function onSetupSubmit(ev) {
  ev.preventDefault();
  audio();
  const t = ui.setupToken.value.replace(/\s+/g, '');
  if (!t) {
    ui.setupError.textContent = '端末トークンを貼り付けてください。';
    ui.setupError.hidden = false;
    ui.setupToken.focus();
    return;
  }
  ui.setupSubmit.disabled = true;
  ui.setupSubmit.textContent = '確認しています…';
  try {
    const data = await verify(t);
    token = t;
    save(TOKEN_KEY, t);
    const name = (data && data.site && (data.site.name || data.site.code)) || '';
    save(SITE_KEY, name);
    ui.setupToken.value = '';
    showScreen(name);
    setOnline(true);
    refreshPending().then(() => { if (pendingCount > 0) kickFlush(); });
  } catch (err) {
    ui.setupError.textContent = err.status === 401
      ? '端末トークンが正しくありません。区から受け取った端末トークンを、そのまま貼り付けてください。'
      : err.message;
    ui.setupError.hidden = false;
    ui.setupToken.focus();
  } finally {
    ui.setupSubmit.disabled = false;
    ui.setupSubmit.textContent = '確認して設定する';
  }
}

async function checkStoredToken() {
  stopVerifyRetry();
  try {
    const data = await verify(token);
    const name = (data && data.site && (data.site.name || data.site.code)) || '';
    save(SITE_KEY, name);
    ui.siteName.textContent = name;
    if (!dropped) ui.net.textContent = '';
    setOnline(true);
    if (pendingCount > 0) kickFlush();
  } catch (err) {
    if (err.status === 401) { setOnline(true); needsSetupAgain(err.message); return; }
    // No answer: the background loop tries again every 3 s. Any other answer: the server is
    // there (a 5xx here does not stop scans, which report their own errors).
    setOnline(err.status !== 0);
  }
}

function onReset() {
  dialogOpen = true;
  const unsent = pendingCount > 0
    ? `\n\n未送信の読み取りが ${pendingCount} 件あります。同じ施設の端末トークンを設定し直せば送信されます。` : '';
  const ok = window.confirm(`この端末の設定（端末トークン）を消去しますか？\n消去すると、もう一度トークンを貼り付けるまでカードを読み取れません。${unsent}`);
  dialogOpen = false;
  if (!ok) { focusInput(); return; }
  token = null;
  drop(TOKEN_KEY);
  drop(SITE_KEY);
  toIdle();
  updateBanner();
  showSetup('');
}

// ---------- start ----------
ui.setupForm.addEventListener('submit', onSetupSubmit);
// Enter in the token box sets the kiosk up (Shift+Enter still breaks a line), as a person
// pasting the token expects; whitespace is dropped from the token anyway.
ui.setupToken.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    ui.setupForm.requestSubmit();
  }
});
ui.input.addEventListener('keydown', onScanKey);
ui.input.addEventListener('blur', () => setTimeout(focusInput, 0));
ui.reset.addEventListener('click', onReset);
// Any key pressed while focus is elsewhere: move focus to the input first, so
// the character goes into it.
document.addEventListener('keydown', (ev) => {
  if (ui.screen.hidden) return;
  if (ev.target === ui.reset && (ev.key === 'Enter' || ev.key === ' ')) return;
  audio();
  focusInput();
}, true);
document.addEventListener('pointerdown', (ev) => {
  audio();
  if (!ui.screen.hidden && !ev.target.closest('#reset')) setTimeout(focusInput, 0);
});
window.addEventListener('focus', focusInput);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) { focusInput(); keepAwake(); }
});

window.addEventListener('online', () => { if (token) { if (pendingCount > 0) kickFlush(); else backgroundTick(); } });
window.addEventListener('offline', () => setOnline(false));

tick();
setInterval(tick, 1000);
setInterval(backgroundTick, FLUSH_MS);

try { useWords(JSON.parse(load(WORDS_KEY) || 'null'), false); } catch { /* keep the defaults */ }
token = load(TOKEN_KEY);
if (token) {
  showScreen(load(SITE_KEY) || '');
  // Scans kept before a reload are still in IndexedDB: show them, then send them.
  refreshPending().then(checkStoredToken);
} else {
  showSetup('');
}
