// Shared helpers for talking to the mimamori JSON API (/api/v1).
// Every error is turned into an ApiError whose .message is a plain Japanese
// sentence suitable to show to a person (the server's {"code", "message"}; .code is the
// server's stable machine code, or '' when the server gave none).

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.name = 'ApiError';
    this.status = status; // 0 = network error (no answer)
    this.data = data;
    this.code = data && typeof data.code === 'string' ? data.code : '';
  }
}

function fallbackMessage(status) {
  if (status === 0) return 'サーバーに接続できません。ネットワークを確認してください。';
  if (status === 400) return '入力内容に誤りがあります。';
  if (status === 401) return 'ログインが必要です。';
  if (status === 403) return 'この操作を行う権限がありません。';
  if (status === 404) return '見つかりませんでした。';
  if (status === 409) return 'すでに処理されています。';
  if (status === 410) return 'このリンクは有効期限が切れているか、すでに使われています。';
  if (status === 429) return '操作が多すぎます。しばらく待ってからもう一度お試しください。';
  if (status >= 500) return 'サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。';
  return `エラーが発生しました（${status}）。`;
}

/**
 * request(path, {method, body, csrf, bearer, signal, timeoutMs, etag})
 * Resolves to the parsed JSON body (or null for 204), rejects with ApiError.
 * With `etag` (a string, '' for none yet) it is a conditional GET (If-None-Match) and resolves
 * to {notModified, etag, data}: notModified true (data null) when the server answered 304.
 */
export async function request(path, opts = {}) {
  const { method = 'GET', body, csrf, bearer, signal, timeoutMs = 15000 } = opts;
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const conditional = typeof opts.etag === 'string';
  if (conditional && opts.etag) headers['If-None-Match'] = opts.etag;

  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  if (signal) signal.addEventListener('abort', () => ctrl.abort(), { once: true });

  let res;
  try {
    res = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctrl.signal,
    });
  } catch (e) {
    throw new ApiError(0, fallbackMessage(0), null);
  } finally {
    clearTimeout(timer);
  }

  if (conditional && res.status === 304) {
    return { notModified: true, etag: res.headers.get('ETag') || opts.etag, data: null };
  }
  let data = null;
  if (res.status !== 204) {
    const text = await res.text().catch(() => '');
    if (text) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
  }
  if (!res.ok) {
    const msg = data && typeof data.message === 'string' && data.message.trim()
      ? data.message.trim()
      : fallbackMessage(res.status);
    const err = new ApiError(res.status, msg, data);
    // A password an administrator set must be changed before anything else (the server
    // refuses every other request): take the person to the change screen.
    if (err.code === 'password_change_required') goChangePassword();
    // An administrator without a second factor enrols one before anything else.
    if (err.code === 'second_factor_enrolment_required') goEnrolSecondFactor();
    throw err;
  }
  if (conditional) return { notModified: false, etag: res.headers.get('ETag') || '', data };
  return data;
}

const TOTP_PAGE = '/staff/totp.html';
/** Opens the second factor's enrolment (/staff/totp.html), coming back here afterwards;
 * returns false on that page itself. */
export function goEnrolSecondFactor() {
  if (location.pathname === TOTP_PAGE) return false;
  location.assign(`${TOTP_PAGE}?next=${encodeURIComponent(location.pathname + location.hash)}`);
  return true;
}

const PASSWORD_PAGE = '/staff/password.html';
/** Opens the password change screen, coming back here afterwards; returns false on that
 * page itself (nothing to do). */
export function goChangePassword() {
  if (location.pathname === PASSWORD_PAGE) return false;
  location.assign(`${PASSWORD_PAGE}?next=${encodeURIComponent(location.pathname + location.hash)}`);
  return true;
}

/** Current date/time parts in Japan, whatever the device's own time zone. */
const TZ = 'Asia/Tokyo';
const clockFmt = new Intl.DateTimeFormat('ja-JP', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const clockSecFmt = new Intl.DateTimeFormat('ja-JP', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dateFmt = new Intl.DateTimeFormat('ja-JP', { timeZone: TZ, month: 'long', day: 'numeric', weekday: 'short' });

export function formatTime(d = new Date(), withSeconds = false) {
  return (withSeconds ? clockSecFmt : clockFmt).format(d);
}
export function formatDate(d = new Date()) {
  return dateFmt.format(d);
}
/** "2026-11-23" → "11月23日(月)" (the day is a Japanese calendar day). */
export function formatDay(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return day || '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 3)); // 12:00 JST
  return dateFmt.format(d);
}

/** Create an element: el('p', {class: 'x', text: '...'}, children...) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// The sign-in forms waiting for their second step (an administrator's code): ui → {challenge,
// input, field}.
const secondSteps = new WeakMap();

/** Adds the code field to the sign-in form of ui (the password is right; the server asks for
 * the authenticator's code or a recovery code). */
function startSecondStep(ui, challenge) {
  endSecondStep(ui);
  const input = el('input', {
    type: 'text', id: 'login-code', inputmode: 'numeric', autocomplete: 'one-time-code',
    maxlength: '16', spellcheck: 'false', 'aria-describedby': 'login-code-hint', 'data-testid': 'login-code',
  });
  const field = el('div', { class: 'field' },
    el('label', { for: 'login-code', text: '確認コード' }), input,
    el('span', { class: 'hint', id: 'login-code-hint', text: '認証アプリに表示されている6桁の数字。スマートフォンがないときは回復コード（1回限り）。' }));
  ui.loginSubmit.before(field);
  const pwField = ui.loginPw.closest('.field');
  if (pwField) pwField.hidden = true;
  ui.loginId.readOnly = true;
  secondSteps.set(ui, { challenge, input, field });
  input.focus();
}

/** Back to the password step. */
function endSecondStep(ui) {
  const p = secondSteps.get(ui);
  if (!p) return;
  p.field.remove();
  const pwField = ui.loginPw.closest('.field');
  if (pwField) pwField.hidden = false;
  ui.loginId.readOnly = false;
  secondSteps.delete(ui);
}

/**
 * The staff sign-in form (shared by /staff/ and /staff/emergency.html): reads ui.loginId and
 * ui.loginPw, shows problems with setAlert(ui.loginError, message), and on success calls
 * onSignedIn(answer of POST /api/v1/session). An account with an authenticator gets a second
 * step in the same form: the code (POST /api/v1/session/totp).
 */
export async function staffSignIn(ui, setAlert, onSignedIn) {
  const pending = secondSteps.get(ui);
  const login = ui.loginId.value.trim();
  const password = ui.loginPw.value;
  const code = pending ? pending.input.value.trim() : '';
  if (pending && !code) {
    setAlert(ui.loginError, '確認コードを入力してください。');
    pending.input.focus();
    return;
  }
  if (!pending && (!login || !password)) {
    setAlert(ui.loginError, 'ログインIDとパスワードを入力してください。');
    (login ? ui.loginPw : ui.loginId).focus();
    return;
  }
  setAlert(ui.loginError, '');
  ui.loginSubmit.disabled = true;
  ui.loginSubmit.textContent = 'ログイン中…';
  try {
    const data = pending
      ? await request('/session/totp', { method: 'POST', body: { challenge: pending.challenge, code } })
      : await request('/session', { method: 'POST', body: { login, password } });
    ui.loginPw.value = '';
    endSecondStep(ui);
    if (data && data.user && data.user.must_change_password && goChangePassword()) return;
    if (data && data.user && data.user.second_factor_due && goEnrolSecondFactor()) return;
    await onSignedIn(data);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'second_factor_required' && err.data && err.data.challenge) {
      ui.loginPw.value = '';
      startSecondStep(ui, err.data.challenge);
      setAlert(ui.loginError, err.message);
      return;
    }
    if (pending && err instanceof ApiError && err.code === 'challenge_expired') {
      endSecondStep(ui);
      setAlert(ui.loginError, err.message);
      ui.loginPw.focus();
      return;
    }
    setAlert(ui.loginError, err.message);
    const field = pending ? pending.input : ui.loginPw;
    field.select();
    field.focus();
  } finally {
    ui.loginSubmit.disabled = false;
    ui.loginSubmit.textContent = 'ログイン';
  }
}
