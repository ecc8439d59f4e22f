// mimamori — staff page: sign-in, site selector, live attendance board.
import { request, ApiError, formatTime, formatDay, el } from '/js/api.js';

const POLL_MS = 3000;
const SITE_KEY = 'mimamori.staff.site';
const STATUSES = ['present', 'left', 'not_arrived'];
const ROLE_LABEL = {
  site_staff: '施設職員',
  ward_admin: '区管理者',
  ward_staff: '区職員',
  contractor: '委託事業者',
};
const EMPTY_TEXT = {
  present: '在室している子どもはいません',
  left: '退室した子どもはいません',
  not_arrived: '未入室の子どもはいません',
};

const $ = (id) => document.getElementById(id);
const ui = {
  loading: $('loading'),
  login: $('login'), loginForm: $('login-form'), loginId: $('login-id'), loginPw: $('login-password'),
  loginSubmit: $('login-submit'), loginError: $('login-error'),
  app: $('app'), who: $('who'), signout: $('signout'), site: $('site'), filter: $('filter'),
  appMessage: $('app-message'),
  board: $('board'), boardTitle: $('board-title'), boardDay: $('board-day'), boardStatus: $('board-status'),
  groups: $('groups'), counts: $('counts'),
  manualDialog: $('manual-dialog'), manualForm: $('manual-form'), manualTitle: $('manual-title'),
  manualDesc: $('manual-desc'), manualError: $('manual-error'), manualReason: $('manual-reason'),
  manualSubmit: $('manual-submit'), manualCancel: $('manual-cancel'),
};
const MANUAL_REASON_MAX = 200;

const state = {
  csrf: null,
  user: null,
  sites: [],
  siteCode: null,
  gen: 0,          // bumps whenever the polled site changes or polling stops
  timer: null,
  lastBoard: null,
  lastOk: null,
  manual: null,    // {siteCode, childNo, name, direction} while the manual dialog is open
};

// ---------- helpers ----------
function show(node, on = true) { node.hidden = !on; }
function setAlert(node, msg) { node.textContent = msg || ''; show(node, !!msg); }

function stopPolling() {
  state.gen++;
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

/** The server's own message if it sent one, else our plain fallback. */
function serverSays(err, fallback) {
  return err.data && typeof err.data.error === 'string' && err.data.error.trim() ? err.data.error.trim() : fallback;
}

function handleAuthError(err) {
  if (err instanceof ApiError && err.status === 401) {
    toLogin('ログインの有効期限が切れました。もう一度ログインしてください。');
    return true;
  }
  return false;
}

// ---------- sign-in / sign-out ----------
function toLogin(message) {
  stopPolling();
  closeManual();
  state.csrf = null; state.user = null; state.lastBoard = null;
  show(ui.loading, false); show(ui.app, false); show(ui.who, false); show(ui.signout, false);
  show(ui.login, true);
  setAlert(ui.loginError, message);
  ui.loginPw.value = '';
  ui.loginSubmit.disabled = false;
  (ui.loginId.value ? ui.loginPw : ui.loginId).focus();
}

async function onLoginSubmit(ev) {
  ev.preventDefault();
  const login = ui.loginId.value.trim();
  const password = ui.loginPw.value;
  if (!login || !password) {
    setAlert(ui.loginError, 'ログインIDとパスワードを入力してください。');
    (login ? ui.loginPw : ui.loginId).focus();
    return;
  }
  setAlert(ui.loginError, '');
  ui.loginSubmit.disabled = true;
  ui.loginSubmit.textContent = 'ログイン中…';
  try {
    const data = await request('/session', { method: 'POST', body: { login, password } });
    ui.loginPw.value = '';
    await onSignedIn(data);
  } catch (err) {
    setAlert(ui.loginError, err.message);
    ui.loginPw.select();
    ui.loginPw.focus();
  } finally {
    ui.loginSubmit.disabled = false;
    ui.loginSubmit.textContent = 'ログイン';
  }
}

async function onSignOut() {
  ui.signout.disabled = true;
  stopPolling();
  try {
    await request('/session', { method: 'DELETE', csrf: state.csrf });
  } catch (err) {
    // 401: already signed out — fine. Other errors: still leave the screen.
  } finally {
    ui.signout.disabled = false;
  }
  toLogin('ログアウトしました。');
  ui.loginError.className = 'alert alert-info';
}

async function onSignedIn(data) {
  if (!data || !data.user || !data.csrf) {
    toLogin('サーバーの応答が正しくありません。');
    return;
  }
  state.csrf = data.csrf;
  state.user = data.user;
  ui.loginError.className = 'alert alert-error';
  setAlert(ui.loginError, '');
  show(ui.loading, false); show(ui.login, false);
  const role = ROLE_LABEL[data.user.role] || data.user.role || '';
  ui.who.textContent = `${data.user.login}${role ? `（${role}）` : ''}`;
  show(ui.who, true); show(ui.signout, true); show(ui.app, true);
  await loadSites();
}

// ---------- sites ----------
async function loadSites() {
  setAlert(ui.appMessage, '');
  let data;
  try {
    data = await request('/sites');
  } catch (err) {
    if (handleAuthError(err)) return;
    setAlert(ui.appMessage, err.status === 403 ? serverSays(err, '施設の一覧を見る権限がありません。') : err.message);
    return;
  }
  state.sites = Array.isArray(data && data.sites) ? data.sites : [];
  ui.site.replaceChildren();
  if (state.sites.length === 0) {
    ui.site.disabled = true;
    ui.site.append(el('option', { value: '', text: '表示できる施設がありません' }));
    setAlert(ui.appMessage, '表示できる施設がありません。管理者に連絡してください。');
    show(ui.board, false);
    return;
  }
  ui.site.disabled = false;
  const typeLabel = (t) => (t === 'hiroba_plus' ? 'ひろばプラス' : t === 'gakudo' ? '学童クラブ' : '');
  if (state.sites.length > 1) ui.site.append(el('option', { value: '', text: '施設を選んでください' }));
  for (const s of state.sites) {
    const hours = s.opens && s.closes ? ` ${s.opens}〜${s.closes}` : '';
    const type = typeLabel(s.type);
    ui.site.append(el('option', { value: s.code, text: `${s.name}（${s.code}${type ? '・' + type : ''}${hours}）` }));
  }
  const wanted = new URLSearchParams(location.hash.slice(1)).get('site') || localStorage.getItem(SITE_KEY);
  let code = null;
  if (state.sites.length === 1) code = state.sites[0].code;
  else if (wanted && state.sites.some((s) => s.code === wanted)) code = wanted;
  if (code) {
    ui.site.value = code;
    selectSite(code);
  } else {
    show(ui.board, false);
  }
}

function selectSite(code) {
  stopPolling();
  closeManual();
  state.siteCode = code || null;
  state.lastBoard = null;
  setAlert(ui.appMessage, '');
  if (!code) { show(ui.board, false); return; }
  try { localStorage.setItem(SITE_KEY, code); } catch { /* private mode */ }
  history.replaceState(null, '', `#site=${encodeURIComponent(code)}`);
  const site = state.sites.find((s) => s.code === code);
  ui.boardTitle.textContent = site ? site.name : code;
  ui.boardDay.textContent = '';
  ui.boardStatus.textContent = '読み込み中…';
  ui.boardStatus.classList.remove('stale');
  for (const s of STATUSES) ui.groups.querySelector(`[data-list="${s}"]`).replaceChildren();
  show(ui.board, true);
  poll(state.gen);
}

// ---------- board ----------
async function poll(gen) {
  if (gen !== state.gen) return;
  if (document.hidden && state.lastBoard) { schedule(gen); return; }
  const code = state.siteCode;
  try {
    const data = await request(`/sites/${encodeURIComponent(code)}/board`, { timeoutMs: 10000 });
    if (gen !== state.gen) return;
    state.lastBoard = data;
    state.lastOk = new Date();
    renderBoard(data);
    ui.boardStatus.textContent = `最終更新 ${formatTime(state.lastOk, true)}（3秒ごとに自動更新）`;
    ui.boardStatus.classList.remove('stale');
  } catch (err) {
    if (gen !== state.gen) return;
    if (handleAuthError(err)) return;
    if (err.status === 403 || err.status === 404) {
      stopPolling();
      show(ui.board, false);
      setAlert(ui.appMessage, err.status === 403
        ? serverSays(err, 'この施設の情報を見る権限がありません。')
        : serverSays(err, '施設が見つかりません。'));
      return;
    }
    // Network trouble or a server error: keep the last board, say so, keep trying.
    ui.boardStatus.textContent = state.lastOk
      ? `更新できません（${formatTime(state.lastOk, true)} の情報を表示中・再試行中）：${err.message}`
      : `読み込めません（再試行中）：${err.message}`;
    ui.boardStatus.classList.add('stale');
  }
  schedule(gen);
}

function schedule(gen) {
  if (gen !== state.gen) return;
  if (state.timer) clearTimeout(state.timer);
  state.timer = setTimeout(() => poll(gen), POLL_MS);
}

function toKatakana(s) {
  return s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}
function normalizeForSearch(s) {
  return toKatakana(String(s || '').normalize('NFKC')).replace(/\s+/g, '').toLowerCase();
}

function childRow(c) {
  const grade = Number.isFinite(c.grade) && c.grade > 0 ? `${c.grade}年` : '';
  const times = [];
  if (c.in_at) times.push(el('span', { class: 'child-times', text: `入室 ${c.in_at}` }));
  if (c.out_at) times.push(el('span', { class: 'child-times', text: `退室 ${c.out_at}` }));
  if (!times.length) times.push(el('span', { class: 'child-times muted', text: '—' }));
  // The last scan was entered by staff (forgotten card).
  const mark = c.manual ? el('span', { class: 'child-manual', 'data-testid': 'manual-mark', text: '手入力' }) : null;
  // Manual entry for a child who is not in, manual exit for one who is.
  const direction = c.status === 'present' ? 'out' : 'in';
  const verb = direction === 'in' ? '入室' : '退室';
  const button = el('button', {
    type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'manual-button',
    'data-direction': direction, 'aria-label': `手入力（${verb}）：${c.name || c.child_no}`,
    'aria-haspopup': 'dialog', text: `手入力（${verb}）`,
  });
  button.addEventListener('click', () => openManual(c, direction));
  return el('li', {
    class: 'child', 'data-testid': 'child', 'data-child-no': c.child_no, 'data-status': c.status,
    'data-manual': c.manual ? 'true' : null,
  },
  el('span', { class: 'child-name' }, c.name || '', grade ? el('span', { class: 'child-grade', text: grade }) : null),
  el('span', { class: 'child-kana', text: c.kana || '' }),
  el('span', { class: 'child-meta' }, ...times, mark, el('span', { class: 'child-times' }, button)));
}

// ---------- manual entry/exit (a forgotten card) ----------
function openManual(c, direction) {
  if (!state.siteCode) return;
  const verb = direction === 'in' ? '入室' : '退室';
  state.manual = { siteCode: state.siteCode, childNo: c.child_no, name: c.name || c.child_no, direction };
  ui.manualTitle.textContent = `手入力で${verb}を記録`;
  ui.manualDesc.textContent = `${c.name || c.child_no}さんの${verb}を、カードなしで記録します。` +
    '理由は記録に残り、保護者にはいつものメールが送られます。';
  ui.manualReason.value = '';
  ui.manualReason.removeAttribute('aria-invalid');
  setAlert(ui.manualError, '');
  ui.manualSubmit.disabled = false;
  ui.manualSubmit.textContent = '記録する';
  ui.manualDialog.showModal();
  ui.manualReason.focus();
}

function closeManual() {
  if (ui.manualDialog.open) ui.manualDialog.close();
}

function onManualClosed() {
  const m = state.manual;
  state.manual = null;
  // The row was probably redrawn meanwhile: give focus back to its (new) button.
  const row = m && ui.groups.querySelector(`[data-testid="child"][data-child-no="${CSS.escape(m.childNo)}"]`);
  const target = row && row.querySelector('[data-testid="manual-button"]');
  if (target) target.focus();
}

function manualError(msg) {
  setAlert(ui.manualError, msg);
  ui.manualReason.setAttribute('aria-invalid', 'true');
  ui.manualReason.focus();
}

async function onManualSubmit(ev) {
  ev.preventDefault();
  const m = state.manual;
  if (!m) return;
  // One line of text: line breaks become spaces (the server refuses control characters).
  const reason = ui.manualReason.value.replace(/\s+/g, ' ').trim();
  if (!reason) { manualError('理由を入力してください。'); return; }
  if ([...reason].length > MANUAL_REASON_MAX) { manualError(`理由は${MANUAL_REASON_MAX}文字以内で入力してください。`); return; }
  setAlert(ui.manualError, '');
  ui.manualReason.removeAttribute('aria-invalid');
  ui.manualSubmit.disabled = true;
  ui.manualSubmit.textContent = '記録中…';
  try {
    const data = await request(`/sites/${encodeURIComponent(m.siteCode)}/manual-scans`, {
      method: 'POST', csrf: state.csrf, body: { child_no: m.childNo, direction: m.direction, reason },
    });
    closeManual();
    const verb = data && data.direction === 'out' ? '退室' : '入室';
    ui.boardStatus.textContent = `${data && data.child_name ? data.child_name : m.name}さんの${verb}を手入力で記録しました（${data && data.time ? data.time : ''}）`;
    // Show it now rather than at the next 3-second poll.
    // A new generation drops a poll already under way, so only one chain keeps polling.
    if (state.siteCode === m.siteCode) {
      stopPolling();
      poll(state.gen);
    }
  } catch (err) {
    if (handleAuthError(err)) { closeManual(); return; }
    manualError(serverSays(err, err.message));
  } finally {
    ui.manualSubmit.disabled = false;
    ui.manualSubmit.textContent = '記録する';
  }
}

function renderBoard(data) {
  if (data.site && data.site.name) ui.boardTitle.textContent = data.site.name;
  ui.boardDay.textContent = data.day ? formatDay(data.day) : '';
  const children = Array.isArray(data.children) ? data.children : [];
  const q = normalizeForSearch(ui.filter.value);
  const byStatus = { present: [], left: [], not_arrived: [] };
  for (const c of children) {
    if (!byStatus[c.status]) continue;
    if (q && !normalizeForSearch(`${c.name}${c.kana}`).includes(q)) continue;
    byStatus[c.status].push(c);
  }
  const counts = data.counts || {};
  for (const s of STATUSES) {
    const total = Number.isFinite(counts[s]) ? counts[s] : children.filter((c) => c.status === s).length;
    ui.counts.querySelector(`[data-count="${s}"]`).textContent = String(total);
    ui.groups.querySelector(`[data-group-count="${s}"]`).textContent = q ? `${byStatus[s].length} / ${total}人` : `${total}人`;
    const list = ui.groups.querySelector(`[data-list="${s}"]`);
    const items = byStatus[s].map(childRow);
    if (!items.length) items.push(el('li', { class: 'empty', text: q ? '該当する子どもはいません' : EMPTY_TEXT[s] }));
    list.replaceChildren(...items);
  }
}

function selectTab(tab) {
  ui.groups.dataset.tab = tab;
  for (const b of ui.counts.querySelectorAll('[data-tab]')) b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
  // On wide screens all groups are visible: bring the chosen one into view.
  if (window.matchMedia('(min-width: 760px)').matches) {
    document.getElementById(`group-${tab}`).scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }
}

// ---------- start ----------
ui.loginForm.addEventListener('submit', onLoginSubmit);
ui.manualForm.addEventListener('submit', onManualSubmit);
ui.manualCancel.addEventListener('click', closeManual);
ui.manualDialog.addEventListener('close', onManualClosed);
ui.signout.addEventListener('click', onSignOut);
ui.site.addEventListener('change', () => selectSite(ui.site.value));
ui.filter.addEventListener('input', () => { if (state.lastBoard) renderBoard(state.lastBoard); });
ui.counts.addEventListener('click', (ev) => {
  const b = ev.target.closest('[data-tab]');
  if (b) selectTab(b.dataset.tab);
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.siteCode && state.csrf) {
    const gen = state.gen;
    if (state.timer) clearTimeout(state.timer);
    poll(gen);
  }
});

(async function init() {
  try {
    const data = await request('/session');
    await onSignedIn(data);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) toLogin('');
    else toLogin(err.message);
  }
})();
