// mimamori — kiosk: a USB barcode reader types the card code + Enter into a
// always-focused input; we record the scan and show the result in large type.
import { request, ApiError, formatTime, formatDate } from '/js/api.js';

const TOKEN_KEY = 'mimamori.kiosk.token';
const SITE_KEY = 'mimamori.kiosk.site';
const RESULT_MS = 5000;
const IDLE_TEXT = 'カードをかざしてください';
const DIRECTION = { in: '入室', out: '退室' };

const $ = (id) => document.getElementById(id);
const ui = {
  setup: $('setup'), setupForm: $('setup-form'), setupToken: $('setup-token'),
  setupSubmit: $('setup-submit'), setupError: $('setup-error'),
  screen: $('screen'), siteName: $('site-name'), clockDate: $('clock-date'), clockTime: $('clock-time'),
  result: $('result'), input: $('scan'),
  name: $('r-name'), direction: $('r-direction'), time: $('r-time'), message: $('r-message'),
  net: $('net-status'), reset: $('reset'),
};

let token = null;
let resetTimer = null;
let queue = Promise.resolve();
let verifyTimer = null;
let wakeLock = null;
let dialogOpen = false;

// ---------- storage ----------
function load(key) { try { return localStorage.getItem(key); } catch { return null; } }
function save(key, v) { try { localStorage.setItem(key, v); } catch { /* ignore */ } }
function drop(key) { try { localStorage.removeItem(key); } catch { /* ignore */ } }

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

// ---------- scanning ----------
function normalizeCode(raw) {
  // A reader behind a Japanese IME may type full-width characters.
  return String(raw || '').normalize('NFKC').replace(/[\s\u0000-\u001f]+/g, '').slice(0, 256);
}

async function submitScan(code) {
  if (!token) return;
  if (ui.result.dataset.state === 'idle') setResult('busy', { message: '確認しています…' });
  let data;
  try {
    data = await request('/scans', { method: 'POST', bearer: token, body: { code }, timeoutMs: 8000 });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { needsSetupAgain(err.message); return; }
    const msg = err.status === 0
      ? 'サーバーに接続できません。もう一度カードをかざしてください。続くときは職員に知らせてください。'
      : err.message;
    setResult('error', { message: msg });
    play('error');
    holdResult();
    return;
  }
  ui.net.textContent = '';
  data = data || {};
  const dir = data.direction === 'out' ? 'out' : 'in';
  if (data.recorded) {
    setResult(dir, {
      name: data.child_name || '',
      direction: DIRECTION[dir],
      time: timeOf(data),
      message: dir === 'in' ? '入室を記録しました' : '退室を記録しました',
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
  return request('/kiosk', { bearer: t, timeoutMs: 8000 });
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
  } catch (err) {
    ui.setupError.textContent = err.status === 401
      ? `端末トークンが正しくありません。貼り付けた内容を確かめてください。（${err.message}）`
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
    ui.net.textContent = '';
  } catch (err) {
    if (err.status === 401) { needsSetupAgain(err.message); return; }
    ui.net.textContent = `サーバーに接続できません（再接続中）：${err.message}`;
    ui.net.className = 'kiosk-offline';
    verifyTimer = setTimeout(checkStoredToken, 30000);
  }
}

function onReset() {
  dialogOpen = true;
  const ok = window.confirm('この端末の設定（端末トークン）を消去しますか？\n消去すると、もう一度トークンを貼り付けるまでカードを読み取れません。');
  dialogOpen = false;
  if (!ok) { focusInput(); return; }
  token = null;
  drop(TOKEN_KEY);
  drop(SITE_KEY);
  toIdle();
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

tick();
setInterval(tick, 1000);

token = load(TOKEN_KEY);
if (token) {
  showScreen(load(SITE_KEY) || '');
  checkStoredToken();
} else {
  showSetup('');
}
