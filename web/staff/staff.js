// mimamori — staff page: sign-in, site selector, live attendance board (plans, absences,
// alerts with the time each is about, guardians' changes with who made them and when,
// pickups), manual entry/exit, check-out by the pickup person, and the coming days' plans
// (出欠予定) with their printable list (出欠予定表). A link /staff/#site=G01&alert=not_arrived
// (the alert mail's) opens that site's alerts once signed in; the board follows the address
// (#site=…: a link opened in the same tab, Back and Forward). Entry and exit are said in the
// ward's words (GET /api/v1/ward: 入室・退室 by default, 登所・降所 …); refusals are told apart
// by the API's code, never by their text.
import { request, ApiError, formatTime, formatDay, el, staffSignIn } from '/js/api.js';
// The ward's words for a child's coming in and going home (setWords).
import { WORDS, setWords as takeWords, applyWords } from '/js/words.js';

const POLL_MS = 3000;
// Live updates (Server-Sent Events): the board is read when the server says it changed, and
// besides once a minute (the minute shown). Without an event within LIVE_FIRST_MS of opening
// (a proxy that buffers) or when the stream is refused, the page polls every POLL_MS.
const LIVE_SAFETY_MS = 60000;
const LIVE_FIRST_MS = 5000;
const PLANS_REFRESH_MS = 60000;
const SITE_KEY = 'mimamori.staff.site';
// Board order: who is still missing first, then who is to come, who is here, who has gone.
const STATUSES = ['not_arrived', 'expected', 'present', 'left', 'absent', 'off'];
const STATUS_LABEL = {
  not_arrived: '未到着',
  expected: '来所予定',
  present: '在室',
  left: WORDS.exit,
  absent: '欠席',
  off: '予定なし',
};
const ALERT_LABEL = {
  not_arrived: '未到着',
  still_present: '閉所時刻を過ぎて在室',
};
const ALERT_SHORT = { not_arrived: '未到着', still_present: '閉所後在室' };
// What a guardian's change made of the day (plan_changes.status).
const CHANGE_LABEL = {
  absent: '欠席の連絡', off: 'お休みの連絡', attend: '予定の変更', weekly: '曜日ごとの予定に変更',
};
const PLAN_LABEL = { attend: '来所', absent: '欠席', off: 'お休み' };
const WEEKDAY_JA = ['日', '月', '火', '水', '木', '金', '土'];
// Who may print the plan list (the route's roles; contractors see the board only).
const PLAN_PDF_ROLES = ['ward_admin', 'ward_staff', 'site_staff'];
const ROLE_LABEL = {
  site_staff: '施設職員',
  ward_admin: '区管理者',
  ward_staff: '区職員',
  contractor: '委託事業者',
};
const EMPTY_TEXT = {
  not_arrived: '未到着の子どもはいません',
  expected: 'これから来る予定の子どもはいません',
  present: '在室している子どもはいません',
  left: `${WORDS.exit}した子どもはいません`,
  absent: '欠席の連絡はありません',
  off: '予定なしの子どもはいません',
};

const $ = (id) => document.getElementById(id);
const ui = {
  loading: $('loading'),
  login: $('login'), loginForm: $('login-form'), loginId: $('login-id'), loginPw: $('login-password'),
  loginSubmit: $('login-submit'), loginError: $('login-error'),
  app: $('app'), who: $('who'), signout: $('signout'), emergency: $('emergency-link'), site: $('site'), filter: $('filter'),
  appMessage: $('app-message'),
  board: $('board'), boardTitle: $('board-title'), boardDay: $('board-day'), boardStatus: $('board-status'),
  boardHours: $('board-hours'), boardNotice: $('board-notice'), arrivalNote: $('arrival-note'),
  alerts: $('alerts'), alertList: $('alert-list'), alertsCounts: $('alerts-counts'),
  alertsSummary: $('alerts-summary'), alertsLive: $('alerts-live'),
  plans: $('plans'), plansRange: $('plans-range'), plansPdf: $('plans-pdf'),
  plansStatus: $('plans-status'), plansDays: $('plans-days'),
  groups: $('groups'), counts: $('counts'),
  manualDialog: $('manual-dialog'), manualForm: $('manual-form'), manualTitle: $('manual-title'),
  manualDesc: $('manual-desc'), manualError: $('manual-error'), manualReason: $('manual-reason'),
  manualSubmit: $('manual-submit'), manualCancel: $('manual-cancel'),
  pickupDialog: $('pickup-dialog'), pickupForm: $('pickup-form'), pickupTitle: $('pickup-title'),
  pickupDesc: $('pickup-desc'), pickupError: $('pickup-error'), pickupChoices: $('pickup-choices'),
  pickupOptions: $('pickup-options'), pickupNone: $('pickup-none'), pickupSubmit: $('pickup-submit'),
  pickupManual: $('pickup-manual'), pickupCancel: $('pickup-cancel'),
};
const MANUAL_REASON_MAX = 200;

const state = {
  csrf: null,
  user: null,
  sites: [],
  siteCode: null,
  gen: 0,          // bumps whenever the polled site changes or polling stops
  timer: null,
  etag: '',        // the ETag of lastBoard (a poll sends it: 304 when nothing changed)
  live: null,      // the EventSource of the board's live updates, or null
  liveOk: false,   // an event came through it: polling slows to LIVE_SAFETY_MS
  liveTimer: null, // gives up on the stream when its first event does not come
  inFlight: false, // a poll is running
  again: false,    // poll again when it is done (an event came meanwhile)
  lastBoard: null,
  lastOk: null,
  manual: null,    // {siteCode, childNo, name, direction} while the manual dialog is open
  pickup: null,    // {siteCode, child} while the pickup dialog is open
  pickupThenManual: null, // the child whose manual exit follows the closing pickup dialog
  renderedKey: '', // the board answer + filter last drawn (an unchanged board is not redrawn)
  alertsKey: '',   // the alerts last drawn (an unchanged banner is not re-announced)
  alertLimit: '',  // arrival + grace: when a planned child who has not come is reported
  alertSeen: new Set(), // alerts already announced on this site (kind/child)
  pendingAlert: null,   // {site, kind} from a link (#site=…&alert=…), shown after the first board
  plansRange: 'next',
  plansGen: 0,
  plansDay: '',         // the board's day the plans were loaded for (reloaded on a new day)
  plansAt: 0,           // when they were last asked for
  noticeTimer: null,
};
const NOTICE_MS = 15000;

// ---------- the ward's words ----------
/** Takes the ward's words ({entry_word, exit_word} of GET /api/v1/ward) into every text the
 * page draws, and into the page's fixed labels (data-word="entry|exit"). */
function setWords(w) {
  takeWords(w);
  STATUS_LABEL.left = WORDS.exit;
  EMPTY_TEXT.left = `${WORDS.exit}した子どもはいません`;
  applyWords();
  ui.app.setAttribute('aria-label', `${WORDS.entry}・${WORDS.exit}の状況`);
  ui.pickupManual.textContent = `手入力で${WORDS.exit}を記録`;
}

/** Reads the ward's words once (a public route); the defaults stay when it cannot be read. */
async function loadWords() {
  try {
    setWords(await request('/ward', { timeoutMs: 10000 }));
  } catch {
    setWords(null);
  }
}
const wordsLoaded = loadWords();

// ---------- helpers ----------
function show(node, on = true) { node.hidden = !on; }
function setAlert(node, msg) { node.textContent = msg || ''; show(node, !!msg); }

/** Says what was just recorded, for a while (the status line is redrawn by every poll). */
function notice(msg) {
  if (state.noticeTimer) clearTimeout(state.noticeTimer);
  state.noticeTimer = null;
  setAlert(ui.boardNotice, msg);
  if (msg) state.noticeTimer = setTimeout(() => notice(''), NOTICE_MS);
}

function stopPolling() {
  state.gen++;
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  state.inFlight = false; // a poll of the old generation finishes unheeded
  state.again = false;
  stopLive();
}

/** Subscribes to code's board changes (Server-Sent Events): each `board` event reads the board
 * at once. Falls back to polling when the browser has no EventSource, the server refuses the
 * stream (too many subscribers), or no event comes (a proxy that buffers the stream). */
function startLive(gen, code) {
  stopLive();
  if (typeof EventSource !== 'function') return;
  const es = new EventSource(`/api/v1/sites/${encodeURIComponent(code)}/board/events`);
  state.live = es;
  state.liveOk = false;
  state.liveTimer = setTimeout(() => {
    if (gen === state.gen && !state.liveOk) stopLive(); // buffered: poll instead
  }, LIVE_FIRST_MS);
  es.addEventListener('board', () => {
    if (gen !== state.gen) return;
    state.liveOk = true;
    pollNow(gen);
  });
  es.addEventListener('error', () => {
    if (gen !== state.gen) return;
    // CLOSED: refused (429, 403) — no reconnecting; else the browser reconnects by itself,
    // and the page polls every POLL_MS until the next event.
    state.liveOk = false;
    if (es.readyState === EventSource.CLOSED) stopLive();
    showBoardStatus();
  });
}

function stopLive() {
  if (state.liveTimer) clearTimeout(state.liveTimer);
  state.liveTimer = null;
  if (state.live) state.live.close();
  state.live = null;
  state.liveOk = false;
}

/** Reads the board now (or right after the poll under way). */
function pollNow(gen) {
  if (state.inFlight) { state.again = true; return; }
  if (state.timer) clearTimeout(state.timer);
  poll(gen);
}

function showBoardStatus() {
  if (!state.lastOk) return;
  ui.boardStatus.textContent = state.liveOk
    ? `最終更新 ${formatTime(state.lastOk, true)}（変更があるとすぐに更新）`
    : `最終更新 ${formatTime(state.lastOk, true)}（3秒ごとに自動更新）`;
}

/** The server's own message if it sent one, else our plain fallback. */
function serverSays(err, fallback) {
  return err.data && typeof err.data.message === 'string' && err.data.message.trim() ? err.data.message.trim() : fallback;
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
  closePickup();
  notice('');
  state.csrf = null; state.user = null; state.lastBoard = null;
  state.plansGen++;
  show(ui.plans, false);
  show(ui.loading, false); show(ui.app, false); show(ui.who, false); show(ui.signout, false);
  show(ui.emergency, false);
  show($('reports-link'), false); show($('ward-link'), false);
  show(ui.login, true);
  setAlert(ui.loginError, message);
  ui.loginPw.value = '';
  ui.loginSubmit.disabled = false;
  (ui.loginId.value ? ui.loginPw : ui.loginId).focus();
}

async function onLoginSubmit(ev) {
  ev.preventDefault();
  await staffSignIn(ui, setAlert, onSignedIn);
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
  // Emergency mail: the ward's roles and the contractor; site staff see (and approve) the sends
  // to their own sites there.
  show(ui.emergency, ['ward_admin', 'ward_staff', 'contractor', 'site_staff'].includes(data.user.role));
  show($('reports-link'), data.user.role !== 'contractor'); // reports: ward roles and site staff
  show($('ward-link'), data.user.role === 'ward_admin');
  await wordsLoaded;
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
  if (state.sites.length > 1) ui.site.append(el('option', { value: '', text: '施設を選んでください' }));
  // The name first and nothing long after it, so a phone's narrow select never cuts the name
  // (the hours are on the board).
  for (const s of state.sites) ui.site.append(el('option', { value: s.code, text: `${s.name}（${s.code}）` }));
  route(true);
}

/** Shows the site the address names (#site=G01[&alert=not_arrived]): after sign-in (first:
 * else the site last chosen on this device), and whenever the address changes — a second alert
 * link opened in this tab, Back and Forward over the sites chosen. A site not in the list is
 * said; the list stays usable. */
function route(first = false) {
  if (!state.user || !state.sites.length) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const wanted = params.get('site');
  const known = (code) => !!code && state.sites.some((s) => s.code === code);
  // A link from an alert mail: open that alert once the board is there.
  const alertKind = params.get('alert');
  if (known(wanted) && ALERT_LABEL[alertKind]) state.pendingAlert = { site: wanted, kind: alertKind };
  if (wanted && !known(wanted)) {
    unknownSite(wanted);
    return;
  }
  let code = wanted;
  if (!code && state.sites.length === 1) code = state.sites[0].code;
  if (!code && first) {
    const last = localStorage.getItem(SITE_KEY);
    if (known(last)) code = last;
  }
  if (!first && code && code === state.siteCode && !ui.board.hidden) {
    // The board shown already: only the link's alert is new (the address loses it).
    history.replaceState(null, '', siteHash(code));
    if (state.pendingAlert) pollNow(state.gen);
    return;
  }
  ui.site.value = code || '';
  selectSite(code);
}

/** The address of site code's board. */
function siteHash(code) { return `#site=${encodeURIComponent(code)}`; }

/** A link to a site that is not in this person's list (mistyped, or not theirs). Someone with
 * one site gets theirs (their list has nothing to choose), with the message above it. */
function unknownSite(code) {
  state.pendingAlert = null;
  if (state.sites.length === 1) {
    ui.site.value = state.sites[0].code;
    selectSite(state.sites[0].code, 'keep');
  } else {
    ui.site.value = '';
    selectSite(null, 'keep');
  }
  setAlert(ui.appMessage, `その施設は見つかりません（施設コード ${code}）。表示できる施設を上の一覧から選んでください。`);
  ui.appMessage.scrollIntoView({ block: 'nearest' });
}

/** Shows site code's board (null: none). how: 'replace' the address with the site's (a site
 * chosen for the address, or the one last used), 'push' it (chosen on the page: Back returns
 * to the site before), or 'keep' it (it names a site that is not there). */
function selectSite(code, how = 'replace') {
  stopPolling();
  closeManual();
  closePickup();
  state.siteCode = code || null;
  state.lastBoard = null;
  state.renderedKey = '';
  state.alertsKey = '';
  notice('');
  setAlert(ui.appMessage, '');
  state.plansGen++;
  ui.plansDays.replaceChildren();
  ui.plansStatus.textContent = '';
  show(ui.plans, !!code);
  const address = code ? siteHash(code) : location.pathname + location.search;
  if (how !== 'keep' && location.hash !== (code ? address : '')) {
    if (how === 'push') history.pushState(null, '', address);
    else history.replaceState(null, '', address);
  }
  if (!code) { show(ui.board, false); return; }
  try { localStorage.setItem(SITE_KEY, code); } catch { /* private mode */ }
  const site = state.sites.find((s) => s.code === code);
  ui.boardTitle.textContent = site ? site.name : code;
  ui.boardDay.textContent = '';
  ui.boardHours.textContent = '';
  ui.arrivalNote.textContent = '';
  ui.alertList.replaceChildren();
  show(ui.alerts, false);
  // Open on wide screens; on phones a summary line the user opens.
  ui.alerts.open = wideScreen();
  state.alertSeen = new Set();
  ui.alertsLive.textContent = '';
  state.plansDay = '';
  ui.boardStatus.textContent = '読み込み中…';
  ui.boardStatus.classList.remove('stale');
  for (const s of STATUSES) ui.groups.querySelector(`[data-list="${s}"]`).replaceChildren();
  show(ui.board, true);
  state.etag = '';
  startLive(state.gen, code);
  poll(state.gen);
}

function wideScreen() { return window.matchMedia('(min-width: 760px)').matches; }

// ---------- board ----------
async function poll(gen) {
  if (gen !== state.gen) return;
  if (document.hidden && state.lastBoard) { schedule(gen); return; }
  const code = state.siteCode;
  state.inFlight = true;
  state.again = false;
  try {
    // With the ETag of the board shown: 304 while nothing changed (no body, nothing redrawn).
    const ans = await request(`/sites/${encodeURIComponent(code)}/board`,
      { timeoutMs: 10000, etag: state.lastBoard ? state.etag : '' });
    if (gen !== state.gen) return;
    const data = ans.notModified ? state.lastBoard : ans.data;
    state.etag = ans.etag;
    state.lastBoard = data;
    state.lastOk = new Date();
    if (!ans.notModified) renderBoard(data);
    if (state.pendingAlert) openPendingAlert(data);
    // The plans below start from the board's day (the server's, not this device's), and are
    // read again every minute (guardians change them during the day).
    if (data.day && (data.day !== state.plansDay || Date.now() - state.plansAt > PLANS_REFRESH_MS)) {
      state.plansDay = data.day;
      loadPlans();
    }
    showBoardStatus();
    ui.boardStatus.classList.remove('stale');
  } catch (err) {
    if (gen !== state.gen) return;
    if (handleAuthError(err)) return;
    if (err.status === 403 || err.status === 404) {
      stopPolling();
      show(ui.board, false);
      show(ui.plans, false);
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
  } finally {
    if (gen === state.gen) state.inFlight = false;
  }
  if (gen === state.gen && state.again) { state.again = false; poll(gen); return; }
  schedule(gen);
}

function schedule(gen) {
  if (gen !== state.gen) return;
  if (state.timer) clearTimeout(state.timer);
  state.timer = setTimeout(() => poll(gen), state.liveOk ? LIVE_SAFETY_MS : POLL_MS);
}

function toKatakana(s) {
  return s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}
function normalizeForSearch(s) {
  return toKatakana(String(s || '').normalize('NFKC')).replace(/\s+/g, '').toLowerCase();
}

const collator = new Intl.Collator('ja');
const byKana = (a, b) => collator.compare(a.kana || a.name || '', b.kana || b.name || '') ||
  collator.compare(a.child_no || '', b.child_no || '');

/** "髙橋 花子（母）" — a pickup person or a collector. */
function personText(p) {
  if (!p || !p.name) return '';
  return p.relation ? `${p.name}（${p.relation}）` : p.name;
}

/** How the child goes home today: "一人で帰宅" / "お迎え：髙橋 花子（母）" / "". */
function wayHomeText(plan) {
  if (!plan || !plan.way_home) return '';
  if (plan.way_home === 'alone') return '一人で帰宅';
  if (plan.way_home === 'pickup') return plan.pickup ? `お迎え：${personText(plan.pickup)}` : 'お迎え';
  return '';
}

/** "帰り 17:00・一人で帰宅" — the plan for going home, or '' when there is none. */
function planText(plan) {
  if (!plan) return '';
  const parts = [];
  if (plan.leave) parts.push(`帰り ${plan.leave}`);
  const way = wayHomeText(plan);
  if (way) parts.push(way);
  return parts.join('・');
}

/** "17:31" from "17:31" or from a timestamp "2026-11-24T17:31:05+09:00"; '' otherwise. */
function clockOf(at) {
  const m = /(?:^|T)(\d{2}:\d{2})(?::\d{2})?(?:$|[-+Z.])/.exec(String(at || ''));
  return m ? m[1] : '';
}

function addMinutes(hhmm, minutes) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
  if (!m || !Number.isFinite(minutes)) return '';
  const t = (+m[1] * 60 + +m[2] + minutes) % (24 * 60);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/** Sort each group the way staff read it. */
function sortGroup(status, list, raisedAt) {
  const leave = (c) => (c.plan && c.plan.leave) || '99:99';
  const cmp = {
    // Longest missing first.
    not_arrived: (a, b) => (raisedAt(a) || '').localeCompare(raisedAt(b) || '') || byKana(a, b),
    // Still here after closing first, then whoever goes home next.
    present: (a, b) => (b.alert === 'still_present') - (a.alert === 'still_present') ||
      leave(a).localeCompare(leave(b)) || byKana(a, b),
    // Most recent first.
    left: (a, b) => (b.out_at || '').localeCompare(a.out_at || '') || byKana(a, b),
  }[status] || byKana;
  return list.sort(cmp);
}

/** Whether the お迎え button is offered: a child here, or one gone without a recorded collector. */
function canPickup(c) {
  const pickups = Array.isArray(c.pickups) ? c.pickups : [];
  if (c.status === 'present') return true;
  return c.status === 'left' && !c.collected_by && pickups.length > 0;
}

/** "14:30を過ぎても未到着（到着予定 14:00）" — the planned time, from the alert and the site. */
function notArrivedText(due) {
  const site = (state.lastBoard && state.lastBoard.site) || {};
  if (!due) return '未到着';
  return `${due}を過ぎても未到着${site.arrival ? `（到着予定 ${site.arrival}）` : ''}`;
}

/** "12/4" of "2026-12-04". */
function shortDay(day) {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(day || '');
  return m ? `${Number(m[1])}/${Number(m[2])}` : '';
}

/** "本日 10:05 髙橋 花子さん：欠席の連絡" — who changed a day's plan and when. */
function changeText(ch) {
  const when = ch.today ? `本日 ${ch.at}` : `${shortDay(ch.on)} ${ch.at}`;
  const who = ch.by ? ` ${ch.by}さん` : '';
  return `保護者から ${when}${who}：${CHANGE_LABEL[ch.status] || '予定の変更'}`;
}

function childRow(c) {
  const name = c.name || c.child_no;
  const grade = Number.isFinite(c.grade) && c.grade > 0 ? `${c.grade}年` : '';
  const info = [];
  const line = (...parts) => info.push(el('span', { class: 'child-info' }, ...parts));
  // An alert says the time it is about (the site's arrival + grace, or closing), not when
  // the server noticed.
  if (c.status === 'not_arrived') {
    line(el('span', { class: 'child-info-alert', 'data-testid': 'alert-text', text: notArrivedText(c.alert_due) }));
  }
  if (c.alert === 'still_present') {
    line(el('span', { class: 'child-info-alert', 'data-testid': 'alert-text',
      text: alertWhen('still_present', c.alert_due) || '閉所時刻を過ぎて在室' }));
  }
  // The family's absence notice for a child who is here (or has been): staff act on it.
  if ((c.status === 'present' || c.status === 'left') && c.plan_status === 'absent') {
    line(el('span', { class: 'child-info-alert', 'data-testid': 'absence-notice',
      text: `欠席の連絡があります${c.absence_reason ? `：${c.absence_reason}` : ''}` }));
  } else if (c.status === 'present' && c.plan_status === 'off' && c.change && c.change.status === 'off') {
    line(el('span', { class: 'child-info-alert', 'data-testid': 'absence-notice', text: 'お休みの連絡があります' }));
  }
  // One line from arrival to going home: "入室 14:02 → 帰り 17:00・一人で帰宅" (the ward's words).
  const times = [];
  if (c.in_at) times.push(el('span', { class: 'child-time', 'data-testid': 'time-in', text: `${WORDS.entry} ${c.in_at}` }));
  if (c.out_at) times.push(el('span', { class: 'child-time', 'data-testid': 'time-out', text: `${WORDS.exit} ${c.out_at}` }));
  let plan = null;
  if (['not_arrived', 'expected', 'present'].includes(c.status)) {
    const text = planText(c.plan);
    if (text) plan = el('span', { 'data-testid': 'plan', text });
    else if (c.status === 'present' && c.plan_status === 'off' && !(c.change && c.change.status === 'off')) plan = el('span', { class: 'muted', 'data-testid': 'plan', text: '今日の予定なしで来所' });
  }
  const timeline = [...times, plan].filter(Boolean);
  if (timeline.length) line(...timeline.flatMap((n, i) => (i ? [el('span', { class: 'arrow', 'aria-hidden': 'true', text: ' → ' }), n] : [n])));
  if (c.status === 'absent') {
    line(el('span', { 'data-testid': 'absence-reason',
      text: c.absence_reason ? `欠席：${c.absence_reason}` : '欠席（理由の連絡なし）' }));
  }
  if (c.collected_by) line(el('span', { 'data-testid': 'collected-by', text: `お迎え：${personText(c.collected_by)}` }));
  // Who changed today's plan, and when (a change made today stands out).
  if (c.change) {
    line(el('span', { class: c.change.today ? 'child-change child-change-today' : 'child-change muted',
      'data-testid': 'plan-change', 'data-today': c.change.today ? 'true' : 'false', text: changeText(c.change) }));
  }
  // The last scan was entered by staff (forgotten card).
  const mark = c.manual ? el('span', { class: 'child-manual', 'data-testid': 'manual-mark', text: '手入力' }) : null;

  const actions = [];
  if (canPickup(c)) {
    const planned = c.plan && c.plan.way_home === 'pickup';
    const pickupButton = el('button', {
      type: 'button', class: `btn btn-small${planned ? '' : ' btn-secondary'}`, 'data-testid': 'pickup-button',
      'aria-label': `お迎え：${name}`, 'aria-haspopup': 'dialog', text: 'お迎え',
    });
    pickupButton.addEventListener('click', () => openPickup(c));
    actions.push(pickupButton);
  }
  // Manual entry for a child who is not in, manual exit for one who is.
  const direction = c.status === 'present' ? 'out' : 'in';
  const verb = direction === 'in' ? WORDS.entry : WORDS.exit;
  const manualButton = el('button', {
    type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'manual-button',
    'data-direction': direction, 'aria-label': `手入力（${verb}）：${name}`,
    'aria-haspopup': 'dialog', text: `手入力（${verb}）`,
  });
  manualButton.addEventListener('click', () => openManual(c, direction));
  actions.push(manualButton);

  return el('li', {
    class: 'child', 'data-testid': 'child', 'data-child-no': c.child_no, 'data-status': c.status,
    'data-manual': c.manual ? 'true' : null, 'data-alert': c.alert || null,
  },
  el('div', { class: 'child-main' },
    el('span', { class: 'child-name' }, c.name || '', grade ? el('span', { class: 'child-grade', text: grade }) : null),
    el('span', { class: 'child-sub' },
      el('span', { class: 'child-kana', text: c.kana || '' }),
      el('span', { class: `child-status child-status-${c.status}`, 'data-testid': 'child-status',
        text: STATUS_LABEL[c.status] || c.status || '' }),
      mark),
    ...info),
  el('div', { class: 'child-actions' }, ...actions));
}

// ---------- check-out by the pickup person ----------
function openPickup(c) {
  if (!state.siteCode) return;
  const name = c.name || c.child_no;
  const pickups = Array.isArray(c.pickups) ? c.pickups : [];
  const attach = c.status === 'left';
  state.pickup = { siteCode: state.siteCode, child: c };
  ui.pickupTitle.textContent = attach ? 'お迎えの人を記録' : `お迎えで${WORDS.exit}を記録`;
  ui.pickupDesc.textContent = pickups.length === 0 ? `${name}さんの${WORDS.exit}を記録します。` : attach
    ? `${name}さんは${c.out_at ? `${c.out_at}に` : 'すでに'}${WORDS.exit}しています。迎えに来た人を選ぶと、記録に加えます。`
    : `${name}さんを迎えに来た人を選んでください。今の時刻で${WORDS.exit}を記録し、保護者には誰が迎えに来たかをメールで知らせます。`;
  setAlert(ui.pickupError, '');
  const plannedId = c.plan && c.plan.way_home === 'pickup' && c.plan.pickup ? c.plan.pickup.id : null;
  const options = pickups.map((p, i) => {
    const id = `pickup-opt-${i}`;
    const input = el('input', {
      type: 'radio', name: 'pickup', id, value: String(p.id), 'data-testid': 'pickup-option',
      'data-name': p.name || '',
    });
    if (plannedId !== null && p.id === plannedId) input.checked = true;
    const planned = plannedId !== null && p.id === plannedId;
    return el('label', { class: 'pickup-option', for: id },
      input,
      el('span', { class: 'pickup-name', text: p.name || '' }),
      p.relation ? el('span', { class: 'pickup-relation', text: `（${p.relation}）` }) : null,
      planned ? el('span', { class: 'pickup-planned', text: '今日の予定' }) : null);
  });
  ui.pickupOptions.replaceChildren(...options);
  const none = pickups.length === 0;
  show(ui.pickupChoices, !none);
  show(ui.pickupSubmit, !none);
  show(ui.pickupNone, none);
  show(ui.pickupManual, none && c.status === 'present');
  ui.pickupSubmit.disabled = false;
  ui.pickupSubmit.textContent = '記録する';
  ui.pickupDialog.showModal();
  const first = ui.pickupOptions.querySelector('input:checked') || ui.pickupOptions.querySelector('input');
  if (first) first.focus();
  else if (!ui.pickupManual.hidden) ui.pickupManual.focus();
  else ui.pickupCancel.focus();
}

/** Closes the pickup dialog; keepNext: the manual dialog opens next (no pickup people). */
function closePickup(keepNext = false) {
  if (!keepNext) state.pickupThenManual = null;
  if (ui.pickupDialog.open) ui.pickupDialog.close();
}

function onPickupClosed() {
  const p = state.pickup;
  state.pickup = null;
  const next = state.pickupThenManual;
  state.pickupThenManual = null;
  if (next) { openManual(next, 'out'); return; }
  const row = p && ui.groups.querySelector(`[data-testid="child"][data-child-no="${CSS.escape(p.child.child_no)}"]`);
  const target = row && (row.querySelector('[data-testid="pickup-button"]') || row.querySelector('[data-testid="manual-button"]'));
  if (target) target.focus();
}

function onPickupManual() {
  const p = state.pickup;
  if (!p) return;
  state.pickupThenManual = p.child;
  closePickup(true);
}

async function onPickupSubmit(ev) {
  ev.preventDefault();
  const p = state.pickup;
  if (!p) return;
  const chosen = ui.pickupOptions.querySelector('input[name="pickup"]:checked');
  if (!chosen) {
    setAlert(ui.pickupError, '迎えに来た人を選んでください。');
    const first = ui.pickupOptions.querySelector('input');
    if (first) first.focus();
    return;
  }
  setAlert(ui.pickupError, '');
  ui.pickupSubmit.disabled = true;
  ui.pickupSubmit.textContent = '記録中…';
  const name = p.child.name || p.child.child_no;
  try {
    const data = await request(`/sites/${encodeURIComponent(p.siteCode)}/checkouts`, {
      method: 'POST', csrf: state.csrf, body: { child_no: p.child.child_no, pickup_id: Number(chosen.value) },
    });
    closePickup();
    const who = personText(data && data.collected_by) || chosen.dataset.name;
    const at = data && clockOf(data.at) ? `・${clockOf(data.at)}` : '';
    notice(p.child.status === 'left'
      ? `${data && data.name ? data.name : name}さんのお迎えの人を記録しました（${who}）`
      : `${data && data.name ? data.name : name}さんの${WORDS.exit}を記録しました（お迎え：${who}${at}）`);
    if (state.siteCode === p.siteCode) {
      stopPolling();
      poll(state.gen);
    }
  } catch (err) {
    if (handleAuthError(err)) { closePickup(); return; }
    setAlert(ui.pickupError, `記録できませんでした：${serverSays(err, err.message)}`);
    // Someone else may have recorded it meanwhile (code conflict: the child not here, or the
    // collector already recorded): show the board as it is now.
    if (err.code === 'conflict' && state.siteCode === p.siteCode) {
      stopPolling();
      poll(state.gen);
    }
  } finally {
    ui.pickupSubmit.disabled = false;
    ui.pickupSubmit.textContent = '記録する';
  }
}

// ---------- manual entry/exit (a forgotten card) ----------
function openManual(c, direction) {
  if (!state.siteCode) return;
  const verb = direction === 'in' ? WORDS.entry : WORDS.exit;
  state.manual = { siteCode: state.siteCode, childNo: c.child_no, name: c.name || c.child_no, direction };
  ui.manualTitle.textContent = `手入力で${verb}を記録`;
  ui.manualDesc.textContent = `${c.name || c.child_no}さんの${verb}を、カードなしで記録します。` +
    '理由は記録に残り、保護者にはいつものメールが送られます。';
  ui.manualReason.value = '';
  ui.manualReason.removeAttribute('aria-invalid');
  setAlert(ui.manualError, '');
  ui.manualSubmit.hidden = false;
  ui.manualSubmit.disabled = false;
  ui.manualSubmit.textContent = '記録する';
  ui.manualCancel.textContent = 'やめる';
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
    const verb = data && data.direction === 'out' ? WORDS.exit : WORDS.entry;
    const at = data && clockOf(data.time);
    notice(`${data && data.child_name ? data.child_name : m.name}さんの${verb}を手入力で記録しました${at ? `（${at}）` : ''}`);
    // Show it now rather than at the next 3-second poll.
    // A new generation drops a poll already under way, so only one chain keeps polling.
    if (state.siteCode === m.siteCode) {
      stopPolling();
      poll(state.gen);
    }
  } catch (err) {
    if (handleAuthError(err)) { closeManual(); return; }
    if (err.code === 'already_present' || err.code === 'not_present') {
      // The child's state changed meanwhile (a card, another member of staff): this direction
      // no longer fits. Say so, offer nothing more to record here, and show the board as it
      // is now (the row's button offers the other direction).
      setAlert(ui.manualError, `${serverSays(err, err.message)} ボードは最新の状態に更新しました。`);
      ui.manualSubmit.hidden = true;
      ui.manualCancel.textContent = '閉じる';
      ui.manualCancel.focus();
      if (state.siteCode === m.siteCode) {
        stopPolling();
        poll(state.gen);
      }
      return;
    }
    manualError(serverSays(err, err.message));
  } finally {
    ui.manualSubmit.disabled = false;
    ui.manualSubmit.textContent = '記録する';
  }
}

function emptyText(status) {
  if (status === 'not_arrived' && state.alertLimit) {
    return `${EMPTY_TEXT.not_arrived}（予定の子が${state.alertLimit}までに${WORDS.entry}しないとここに出ます）`;
  }
  return EMPTY_TEXT[status];
}

/** "15:00を過ぎても入室なし（到着予定 14:30）" / "閉所 19:00 を過ぎて在室" — the time an alert
 * is about (the site's arrival + grace, or its closing), not when the server noticed. */
function alertWhen(kind, due) {
  const site = (state.lastBoard && state.lastBoard.site) || {};
  if (!due) return '';
  if (kind === 'not_arrived') return `${due}を過ぎても${WORDS.entry}なし${site.arrival ? `（到着予定 ${site.arrival}）` : ''}`;
  return `閉所 ${due} を過ぎて在室`;
}

function renderAlerts(alerts, children) {
  const names = new Map(children.map((c) => [c.child_no, c.name || c.child_no]));
  const key = JSON.stringify([alerts, [...names]]);
  if (key === state.alertsKey) return;
  state.alertsKey = key;
  const order = { not_arrived: 0, still_present: 1 };
  const sorted = [...alerts].sort((a, b) => (order[a.kind] ?? 9) - (order[b.kind] ?? 9) ||
    (a.due_at || '').localeCompare(b.due_at || '') || (a.child_no || '').localeCompare(b.child_no || ''));
  // One line per kind and time (they share it), the children's names on it.
  const groups = [];
  for (const a of sorted) {
    const last = groups[groups.length - 1];
    if (last && last.kind === a.kind && last.due === (a.due_at || '')) last.items.push(a);
    else groups.push({ kind: a.kind, due: a.due_at || '', items: [a] });
  }
  const lines = groups.map((g) => {
    const when = alertWhen(g.kind, g.due);
    return el('li', { class: `alert-item alert-${g.kind}`, 'data-kind': g.kind, 'data-due': g.due || null },
      el('span', { class: 'alert-kind', text: ALERT_SHORT[g.kind] || g.kind }),
      when ? el('span', { class: 'alert-since', 'data-testid': 'alert-when', text: when }) : null,
      el('ul', { class: 'alert-names' }, ...g.items.map((a) => {
        const name = names.get(a.child_no) || a.child_no || '';
        const jump = el('button', {
          type: 'button', class: 'linklike alert-child', 'aria-label': `${name}さんの行を表示`, text: name,
        });
        jump.addEventListener('click', () => showChild(a.child_no));
        return el('li', { 'data-testid': 'alert', 'data-kind': a.kind, 'data-child-no': a.child_no,
          'data-due': a.due_at || null }, jump);
      })));
  });
  ui.alertList.replaceChildren(...lines);
  // The summary line: what there is to check, by kind.
  const count = (k) => alerts.filter((a) => a.kind === k).length;
  ui.alertsCounts.textContent = Object.keys(ALERT_SHORT).filter(count)
    .map((k) => `${ALERT_SHORT[k]} ${count(k)}人`).join('・');
  show(ui.alerts, alerts.length > 0);
  // Say new alerts once (the list itself is not a live region: it would repeat every poll).
  const fresh = alerts.filter((a) => !state.alertSeen.has(`${a.kind}/${a.child_no}`));
  state.alertSeen = new Set(alerts.map((a) => `${a.kind}/${a.child_no}`));
  if (fresh.length) {
    ui.alertsLive.textContent = `確認してください：${fresh.map((a) => `${ALERT_SHORT[a.kind] || a.kind} ${names.get(a.child_no) || a.child_no}さん`).join('、')}`;
  }
}

/** A link from the alert mail (#site=…&alert=…): once that site's board is drawn, open its
 * alerts and the matching group, or say that the alert has been resolved since. */
function openPendingAlert(data) {
  const p = state.pendingAlert;
  if (!p || !data.site || data.site.code !== p.site) { state.pendingAlert = null; return; }
  state.pendingAlert = null;
  const alerts = Array.isArray(data.alerts) ? data.alerts.filter((a) => a.kind === p.kind) : [];
  if (!alerts.length) {
    notice(p.kind === 'not_arrived'
      ? `メールでお知らせした未到着は、いまはありません（${WORDS.entry}・欠席の連絡などで解消しました）。`
      : `メールでお知らせした閉所後の在室は、いまはありません（${WORDS.exit}が記録されました）。`);
    return;
  }
  ui.alerts.open = true;
  selectTab(p.kind === 'not_arrived' ? 'not_arrived' : 'present', false);
  ui.alerts.scrollIntoView({ block: 'start' });
  ui.alertsSummary.focus({ preventScroll: true });
}

// ---------- the coming days' plans (出欠予定) ----------
/** "YYYY-MM-DD" + n days (calendar arithmetic on the date itself, no time zone involved). */
function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}
function weekdayOf(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
/** "12月7日(月)" */
function dayLabel(day) {
  const [, m, d] = day.split('-').map(Number);
  return `${m}月${d}日(${WEEKDAY_JA[weekdayOf(day)]})`;
}

/** The days a range covers from today: next = the next open day (Sunday skipped), week = today
 * to Saturday, following = next Monday to Saturday. */
function rangeOf(range, today) {
  const wd = weekdayOf(today);
  if (range === 'week') return wd === 0 ? { from: addDays(today, 1), days: 6 } : { from: today, days: 7 - wd };
  if (range === 'following') return { from: addDays(today, 8 - (wd === 0 ? 7 : wd)), days: 6 };
  const next = addDays(today, wd === 6 ? 2 : 1);
  return { from: next, days: 1 };
}

function selectRange(range) {
  state.plansRange = range;
  for (const b of ui.plansRange.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b.dataset.range === range));
  loadPlans();
}

async function loadPlans() {
  const code = state.siteCode;
  const today = state.plansDay;
  if (!code || !today) return;
  const gen = ++state.plansGen;
  state.plansAt = Date.now();
  const { from, days } = rangeOf(state.plansRange, today);
  const next = ui.plansRange.querySelector('[data-range="next"]');
  next.textContent = from === addDays(today, 1) || state.plansRange !== 'next' ? '明日' : '次の開所日';
  if (weekdayOf(today) === 6) next.textContent = '次の開所日';
  const q = `from=${encodeURIComponent(from)}&days=${days}`;
  const canPrint = !!state.user && PLAN_PDF_ROLES.includes(state.user.role);
  ui.plansPdf.href = `/api/v1/sites/${encodeURIComponent(code)}/reports/plans?${q}&format=pdf`;
  show(ui.plansPdf, canPrint);
  ui.plansStatus.textContent = '読み込み中…';
  ui.plansStatus.classList.remove('stale');
  try {
    const data = await request(`/sites/${encodeURIComponent(code)}/plans?${q}`, { timeoutMs: 15000 });
    if (gen !== state.plansGen) return;
    renderPlans(data);
  } catch (err) {
    if (gen !== state.plansGen) return;
    if (handleAuthError(err)) return;
    ui.plansStatus.textContent = `予定を読み込めません：${err.message}`;
    ui.plansStatus.classList.add('stale');
  }
}

function planRow(c) {
  const name = c.name || c.child_no;
  const grade = Number.isFinite(c.grade) && c.grade > 0 ? `${c.grade}年` : '';
  const parts = [];
  if (c.status === 'attend') {
    if (c.leave) parts.push(`帰り ${c.leave}`);
    if (c.way_home_text) parts.push(c.way_home_text);
  }
  const changed = c.change ? `保護者から ${shortDay(c.change.on)} ${c.change.at}${c.change.by ? ` ${c.change.by}さん` : ''}` : '';
  return el('li', { class: 'plan-row', 'data-testid': 'plan-row', 'data-child-no': c.child_no, 'data-status': c.status,
    'data-changed': c.change ? 'true' : 'false' },
  el('span', { class: 'child-name' }, name, grade ? el('span', { class: 'child-grade', text: grade }) : null),
  el('span', { class: `child-status plan-status-${c.status}`, text: PLAN_LABEL[c.status] || c.status }),
  parts.length ? el('span', { class: 'plan-detail', text: parts.join('・') }) : null,
  c.status === 'absent' ? el('span', { class: 'plan-detail', 'data-testid': 'plan-reason', text: `理由：${c.reason || '（連絡なし）'}` }) : null,
  changed ? el('span', { class: 'plan-detail child-change', 'data-testid': 'plan-row-change', text: `${changed}：${CHANGE_LABEL[c.change.status] || '予定の変更'}` }) : null);
}

function renderPlans(data) {
  const days = Array.isArray(data.days) ? data.days : [];
  const shown = [...ui.plansDays.querySelectorAll('[data-testid="plan-day"]')];
  const sameRange = shown.length && days.length && shown[0].dataset.day === days[0].day;
  const opened = sameRange ? new Set(shown.filter((x) => x.open).map((x) => x.dataset.day)) : null;
  const rank = { absent: 0, off: 1, attend: 2 };
  const items = days.map((d, i) => {
    const kids = Array.isArray(d.children) ? [...d.children] : [];
    // Notices first (absences, days off, changes), then who comes, by leave time.
    kids.sort((a, b) => (rank[a.status] ?? 9) - (rank[b.status] ?? 9) || (b.change ? 1 : 0) - (a.change ? 1 : 0) ||
      (a.leave || '99:99').localeCompare(b.leave || '99:99') || byKana(a, b));
    const n = d.counts || {};
    const summary = `${dayLabel(d.day)}　来所予定 ${n.attend || 0}人・欠席 ${n.absent || 0}人・お休み ${n.off || 0}人${n.changed ? `・変更 ${n.changed}件` : ''}`;
    const list = kids.length ? el('ul', { class: 'plan-list' }, ...kids.map(planRow))
      : el('p', { class: 'empty', text: '予定のある子どもはいません' });
    const box = el('details', { class: 'plan-day', 'data-testid': 'plan-day', 'data-day': d.day },
      el('summary', { class: 'plan-day-summary', text: summary }), list);
    // A refresh keeps the days the user opened; the first day is open to begin with.
    box.open = opened ? opened.has(d.day) : i === 0;
    return box;
  });
  if (!items.length) items.push(el('p', { class: 'empty', text: 'この期間に開所日はありません（日曜日は閉所）。' }));
  ui.plansDays.replaceChildren(...items);
  ui.plansStatus.textContent = `${formatTime(new Date(), true)} 現在の予定`;
}

/** Brings a child's row into view (switching the phone tab) and gives it focus. */
function showChild(childNo) {
  const row = ui.groups.querySelector(`[data-testid="child"][data-child-no="${CSS.escape(childNo)}"]`);
  if (!row) {
    if (ui.filter.value) { ui.filter.value = ''; renderBoard(state.lastBoard); return showChild(childNo); }
    return;
  }
  selectTab(row.dataset.status, false);
  row.tabIndex = -1;
  row.scrollIntoView({ block: 'center' });
  row.focus({ preventScroll: true });
}

function renderBoard(data) {
  if (!data) return;
  const q = normalizeForSearch(ui.filter.value);
  const key = `${JSON.stringify(data)}\n${q}`;
  if (key === state.renderedKey) return;
  state.renderedKey = key;

  const site = data.site || {};
  if (site.name) ui.boardTitle.textContent = site.name;
  ui.boardDay.textContent = data.day ? `${formatDay(data.day)}${data.now ? ` ${data.now} 現在` : ''}` : '';
  ui.boardHours.textContent = site.opens && site.closes ? `開所 ${site.opens}〜${site.closes}` : '';
  const limit = addMinutes(site.arrival, Number(site.grace_min));
  ui.arrivalNote.textContent = site.arrival ? `${site.arrival}到着` : '';
  state.alertLimit = limit;

  const children = Array.isArray(data.children) ? data.children : [];
  const alerts = Array.isArray(data.alerts) ? data.alerts : [];
  renderAlerts(alerts, children);
  // Longest missing first: by the time each alert is about.
  const raised = new Map(alerts.map((a) => [`${a.kind}/${a.child_no}`, a.due_at || a.raised_at]));
  const raisedAt = (c) => raised.get(`${c.alert || c.status}/${c.child_no}`) || '';

  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, []]));
  for (const c of children) {
    if (!byStatus[c.status]) continue;
    if (q && !normalizeForSearch(`${c.name}${c.kana}`).includes(q)) continue;
    byStatus[c.status].push(c);
  }

  // Keep the keyboard focus on the same button across the redraw.
  const active = document.activeElement;
  const activeRow = active && ui.groups.contains(active) ? active.closest('[data-testid="child"]') : null;
  const refocus = activeRow && { childNo: activeRow.dataset.childNo, testid: active.dataset.testid || null };

  const counts = data.counts || {};
  for (const s of STATUSES) {
    const total = Number.isFinite(counts[s]) ? counts[s] : children.filter((c) => c.status === s).length;
    const countNode = ui.counts.querySelector(`[data-count="${s}"]`);
    countNode.textContent = String(total);
    countNode.closest('.count').dataset.urgent = s === 'not_arrived' && total > 0 ? 'true' : 'false';
    ui.groups.querySelector(`[data-group-count="${s}"]`).textContent = q ? `${byStatus[s].length} / ${total}人` : `${total}人`;
    const list = ui.groups.querySelector(`[data-list="${s}"]`);
    const items = sortGroup(s, byStatus[s], raisedAt).map((c) => childRow(c));
    if (!items.length) items.push(el('li', { class: 'empty', text: q ? '該当する子どもはいません' : emptyText(s) }));
    list.replaceChildren(...items);
    ui.groups.querySelector(`[data-group="${s}"]`).dataset.empty = byStatus[s].length ? 'false' : 'true';
  }

  if (refocus) {
    const row = ui.groups.querySelector(`[data-testid="child"][data-child-no="${CSS.escape(refocus.childNo)}"]`);
    const target = row && ((refocus.testid && row.querySelector(`[data-testid="${CSS.escape(refocus.testid)}"]`)) ||
      row.querySelector('button'));
    if (target) target.focus({ preventScroll: true });
  }
}

function selectTab(tab, scroll = true) {
  ui.groups.dataset.tab = tab;
  for (const b of ui.counts.querySelectorAll('[data-tab]')) b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
  // On wide screens all groups are visible: bring the chosen one into view.
  if (scroll && window.matchMedia('(min-width: 760px)').matches) {
    document.getElementById(`group-${tab}`).scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }
}

// ---------- start ----------
ui.loginForm.addEventListener('submit', onLoginSubmit);
ui.manualForm.addEventListener('submit', onManualSubmit);
ui.manualCancel.addEventListener('click', closeManual);
ui.manualDialog.addEventListener('close', onManualClosed);
ui.pickupForm.addEventListener('submit', onPickupSubmit);
ui.pickupCancel.addEventListener('click', () => closePickup());
ui.pickupManual.addEventListener('click', onPickupManual);
ui.pickupDialog.addEventListener('close', onPickupClosed);
ui.signout.addEventListener('click', onSignOut);
ui.site.addEventListener('change', () => selectSite(ui.site.value, 'push'));
window.addEventListener('hashchange', () => route());
ui.filter.addEventListener('input', () => { if (state.lastBoard) renderBoard(state.lastBoard); });
ui.plansRange.addEventListener('click', (ev) => {
  const b = ev.target.closest('[data-range]');
  if (b) selectRange(b.dataset.range);
});
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
