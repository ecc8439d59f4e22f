// mimamori — guardian portal: sign-in by a mailed link, then one page per job, each at its own
// address so the back button works: #plan (this week; #plan/next-week, #plan/month), #absence
// (欠席連絡) and #pickup (お迎えの人). Holds the session, the children and their plans by month;
// the views draw from them (plan-view.js, absence.js, pickups.js, day-dialog.js).
// Every text from the server goes through textContent (el()); never innerHTML.
import { request, ApiError, el } from '/js/api.js';
import { addDays, mondayOf, monthOf, explain, telLink, setWords } from './days.js';
import { show, setAlert, revealAlert } from './dom.js';
import * as planView from './plan-view.js';
import * as absence from './absence.js';
import * as pickups from './pickups.js';
import * as dayDialog from './day-dialog.js';

const SENT_TEXT = '登録されたアドレスなら、15分有効のログイン用リンクを送りました。メールをご確認ください。';
const LINK_BAD_TEXT = 'このログイン用リンクは使えません（有効期限の15分が過ぎたか、すでに使われたか、正しくないリンクです）。' +
  '新しいリンクを送ってください。';
const TABS = ['plan', 'absence', 'pickup'];
const TITLES = { plan: '予定', absence: '欠席連絡', pickup: 'お迎え' };
const ABSENCE_DAYS = 14; // the 欠席連絡 page offers the planned days of the next two weeks

const $ = (id) => document.getElementById(id);
const ui = {
  loading: $('loading'), who: $('who'), signout: $('signout'), tabs: $('tabs'), main: $('main'),
  signin: $('signin'), signinForm: $('signin-form'), signinEmail: $('signin-email'),
  signinSubmit: $('signin-submit'), signinError: $('signin-error'), signinSent: $('signin-sent'),
  signinNotice: $('signin-notice'),
  link: $('link'), linkIntro: $('link-intro'), linkError: $('link-error'), linkButton: $('link-button'),
  linkNew: $('link-new'),
  app: $('app'), appMessage: $('app-message'), childSwitch: $('child-switch'), club: $('club'),
  noChildren: $('no-children'),
  panels: { plan: $('tab-plan'), absence: $('tab-absence'), pickup: $('tab-pickup') },
};

/**
 * What the views share: the session, the children (each with its plans by month), the route,
 * and the calls that load or change them.
 */
export const app = {
  csrf: null,
  guardian: null,
  token: null,          // the sign-in token from #login=, until used
  children: [],         // {info, months: Map(month → plan answer), latest, gen}
  current: null,        // the child shown
  route: { tab: 'plan', view: 'week' },
  month: null,          // the month the calendar shows
  busy: false,

  /** The plan answer of day's month for child, or null when not loaded. */
  planOf(child, day) { return child.months.get(monthOf(day)) || null; },
  /** One day of child's plan, or null when its month is not loaded. */
  dayOf(child, day) {
    const p = this.planOf(child, day);
    return p && Array.isArray(p.days) ? p.days.find((d) => d.day === day) || null : null;
  },
  /** The child's site, weekly pattern, pickup people and today, from the newest answer. */
  info(child) { return child.latest || { site: child.info.site || {}, weekly: {}, pickups: [], today: null }; },
  /** The first day of the week the plan page shows (this week or the next). */
  weekStart(child) {
    const today = this.info(child).today;
    if (!today) return null;
    const mon = mondayOf(today);
    return this.route.view === 'next-week' ? addDays(mon, 7) : mon;
  },
  /** The API path of a child's resource. */
  path(child, rest = '') { return `/parent/children/${encodeURIComponent(child.info.child_no)}${rest}`; },
  /** A request with the session's CSRF token; a 401 goes back to the sign-in (and rethrows). */
  async call(p, opts = {}) {
    try {
      return await request(p, { ...opts, csrf: opts.method && opts.method !== 'GET' ? this.csrf : undefined });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        toSignin('ログインの有効期限が切れました。もう一度ログイン用リンクを送ってください。', 'info');
        err.handled = true;
      }
      throw err;
    }
  },
  /** Loads what the pages need of child (fresh: every month again, after a change). */
  load(child, fresh = false) { return loadPlans(child, fresh); },
  render() { render(); },
  explain,
};

// ---------- screens ----------
function hideAll() {
  for (const n of [ui.loading, ui.signin, ui.link, ui.app, ui.who, ui.signout, ui.tabs]) show(n, false);
}

function toSignin(notice = '', kind = 'info', focus = !!notice) {
  dayDialog.close();
  app.csrf = null; app.guardian = null; app.children = []; app.current = null;
  hideAll();
  setAlert(ui.signinNotice, notice, kind);
  setAlert(ui.signinError, '');
  show(ui.signinSent, false);
  show(ui.signinForm, true);
  ui.signinSubmit.disabled = false;
  show(ui.signin, true);
  if (focus) ui.signinEmail.focus();
}

function toLink(token) {
  app.token = token;
  dayDialog.close();
  hideAll();
  setAlert(ui.linkError, '');
  show(ui.linkIntro, true);
  show(ui.linkButton, true);
  show(ui.linkNew, false);
  ui.linkButton.disabled = false;
  ui.linkButton.textContent = 'ログインする';
  show(ui.link, true);
  ui.linkButton.focus();
}

/** The token of a mailed link (#login=TOKEN), or null. */
function tokenFromHash() {
  const h = location.hash.replace(/^#/, '');
  if (!h.startsWith('login=')) return null;
  const t = new URLSearchParams(h).get('login');
  return t && t.trim() ? t.trim() : null;
}

/** The page and view an address names: #plan, #plan/next-week, #plan/month, #absence, #pickup. */
function routeFromHash() {
  const [tab, view] = location.hash.replace(/^#/, '').split('/');
  if (!TABS.includes(tab)) return { tab: 'plan', view: 'week' };
  if (tab !== 'plan') return { tab, view: null };
  return { tab, view: view === 'next-week' || view === 'month' ? view : 'week' };
}

// ---------- sign-in ----------
async function onSigninSubmit(ev) {
  ev.preventDefault();
  if (app.busy) return;
  const email = ui.signinEmail.value.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    setAlert(ui.signinError, 'メールアドレスを正しく入力してください（例：name@example.jp）。');
    ui.signinEmail.setAttribute('aria-invalid', 'true');
    ui.signinEmail.focus();
    return;
  }
  ui.signinEmail.removeAttribute('aria-invalid');
  setAlert(ui.signinError, '');
  app.busy = true;
  ui.signinSubmit.disabled = true;
  ui.signinSubmit.textContent = '送信中…';
  let failed = false;
  try {
    await request('/parent/login-links', { method: 'POST', body: { email } });
    sent();
  } catch (err) {
    // The answer never tells whether the address is registered: only trouble reaching the
    // server (or a server fault, or too many links) is worth saying.
    failed = err.status === 0 || err.status >= 500 || err.status === 429;
    if (failed) setAlert(ui.signinError, err.message);
    else sent();
  } finally {
    app.busy = false;
    ui.signinSubmit.disabled = false;
    ui.signinSubmit.textContent = 'ログイン用リンクを送る';
  }
  // The button lost the focus while disabled: a refusal goes back to the address (its error
  // describes it), as a mistyped address does; else the answer takes the focus, in view.
  if (failed) ui.signinEmail.focus();
  else revealAlert(ui.signinSent);
}

function sent() {
  setAlert(ui.signinNotice, '');
  setAlert(ui.signinSent, SENT_TEXT);
  ui.signinSent.append(el('br'), el('span', { class: 'small', text: 'メールが届かないときは、迷惑メールのフォルダも確かめてください。' }));
}

async function onLinkButton() {
  if (app.busy || !app.token) return;
  app.busy = true;
  ui.linkButton.disabled = true;
  ui.linkButton.textContent = 'ログインしています…';
  setAlert(ui.linkError, '');
  try {
    const data = await request('/parent/session', { method: 'POST', body: { token: app.token } });
    app.token = null;
    history.replaceState(null, '', `${location.pathname}${location.search}#plan`);
    await onSignedIn(data);
  } catch (err) {
    // A network error or a server fault may go away; a refused link will not work again.
    const retry = err.status === 0 || err.status >= 500 || err.status === 429;
    if (!retry) {
      app.token = null;
      history.replaceState(null, '', location.pathname + location.search);
      setAlert(ui.linkError, LINK_BAD_TEXT);
      show(ui.linkIntro, false);
    } else {
      setAlert(ui.linkError, err.message);
    }
    show(ui.linkButton, retry);
    show(ui.linkNew, true);
    ui.linkButton.textContent = 'ログインする';
    ui.linkButton.disabled = false;
    (retry ? ui.linkButton : ui.linkNew).focus();
  } finally {
    app.busy = false;
  }
}

async function onSignOut() {
  ui.signout.disabled = true;
  try {
    await request('/parent/session', { method: 'DELETE', csrf: app.csrf });
  } catch {
    // 401: already signed out. Anything else: still leave the screen.
  } finally {
    ui.signout.disabled = false;
  }
  history.replaceState(null, '', location.pathname + location.search);
  toSignin('ログアウトしました。', 'info');
}

async function onSignedIn(data) {
  if (!data || !data.csrf) {
    toSignin('サーバーの応答が正しくありません。しばらくしてからもう一度お試しください。', 'error');
    return;
  }
  app.csrf = data.csrf;
  app.guardian = data.guardian || {};
  hideAll();
  ui.who.textContent = app.guardian.name ? `${app.guardian.name} さん` : '';
  show(ui.who, !!app.guardian.name);
  show(ui.signout, true);
  show(ui.app, true);
  app.route = routeFromHash();
  wordsLoaded = wordsLoaded || loadWords();
  await wordsLoaded;
  await loadChildren();
}

// ---------- the ward's words (入室・退室, or 登所・降所 …) ----------
/** Reads the ward's words (a public route), once signed in: opening a sign-in link sends
 * nothing (mail scanners open links too). The defaults stay when it cannot be read. */
let wordsLoaded = null;
async function loadWords() {
  try {
    setWords(await request('/ward', { timeoutMs: 10000 }));
  } catch {
    // The defaults (入室・退室) are right for most wards; nothing to tell the guardian.
  }
}

// ---------- children and their plans ----------
async function loadChildren() {
  setAlert(ui.appMessage, '');
  show(ui.loading, true);
  let data;
  try {
    data = await app.call('/parent/children');
  } catch (err) {
    show(ui.loading, false);
    if (!err.handled) setAlert(ui.appMessage, explain(err));
    return;
  }
  const list = Array.isArray(data && data.children) ? data.children : [];
  app.children = list.map((info, index) => ({ info, index, months: new Map(), latest: null, gen: 0 }));
  app.current = app.children[0] || null;
  show(ui.noChildren, !list.length);
  renderChildSwitch();
  if (!app.current) { show(ui.loading, false); return; }
  show(ui.tabs, true);
  await loadPlans(app.current, false);
  show(ui.loading, false);
  render();
}

/** The months the pages need of child now: this week's or next week's, the calendar's, and the
 * next two weeks (欠席連絡). */
function neededMonths(child) {
  const today = app.info(child).today;
  if (!today) return [];
  const set = new Set([monthOf(today), monthOf(addDays(today, ABSENCE_DAYS - 1))]);
  const start = app.weekStart(child);
  set.add(monthOf(start)); set.add(monthOf(addDays(start, 6)));
  if (app.route.tab === 'plan' && app.route.view === 'month' && app.month) set.add(app.month);
  return [...set];
}

async function fetchPlan(child, month) {
  const q = month ? `?month=${encodeURIComponent(month)}` : '';
  return app.call(app.path(child, `/plan${q}`));
}

/** Loads child's plans (this month first, which says what today is), then the other months the
 * pages need; fresh loads every month again. Errors are shown on the plan page. */
async function loadPlans(child, fresh) {
  const gen = ++child.gen;
  planView.loading(true);
  try {
    if (fresh || !child.latest) {
      const first = await fetchPlan(child, null);
      if (gen !== child.gen) return;
      if (fresh) child.months.clear();
      child.months.set(first.month, first);
      child.latest = first;
      if (!app.month) app.month = first.month;
    }
    const missing = neededMonths(child).filter((m) => !child.months.has(m));
    const answers = await Promise.all(missing.map((m) => fetchPlan(child, m)));
    if (gen !== child.gen) return;
    answers.forEach((a) => child.months.set(a.month, a));
    planView.error('');
  } catch (err) {
    if (gen !== child.gen || err.handled) return;
    planView.error(explain(err, app.info(child).site));
  } finally {
    if (gen === child.gen) planView.loading(false);
  }
}

function renderChildSwitch() {
  const many = app.children.length > 1;
  show(ui.childSwitch, many);
  if (!many) { ui.childSwitch.replaceChildren(); return; }
  ui.childSwitch.replaceChildren(el('span', { class: 'child-switch-label', text: 'お子さん' }),
    ...app.children.map((c) => {
      const b = el('button', {
        type: 'button', class: 'child-pick', 'data-testid': 'child-pick', 'data-child-no': c.info.child_no,
        'aria-pressed': c === app.current ? 'true' : 'false', text: c.info.name || c.info.child_no,
      });
      b.addEventListener('click', () => selectChild(c));
      return b;
    }));
}

async function selectChild(c) {
  if (c === app.current) return;
  app.current = c;
  app.month = null;
  renderChildSwitch();
  render();
  await loadPlans(c, false);
  if (!app.month && c.latest) app.month = c.latest.month;
  render();
}

function renderClub(child) {
  const site = app.info(child).site || {};
  const grade = child.info.grade !== undefined && child.info.grade !== null && String(child.info.grade) !== ''
    ? `（${child.info.grade}年生）` : '';
  const parts = [el('p', { class: 'club-name' },
    el('span', { class: 'club-child' }, el('strong', { 'data-testid': 'child-name', text: child.info.name || child.info.child_no }), grade),
    el('span', { class: 'club-site', 'data-testid': 'site-name', text: site.name || '' }))];
  const line = el('p', { class: 'club-line' });
  if (site.phone) line.append(el('span', { class: 'club-phone' }, '電話 ', telLink(site.phone, 'site-phone')));
  if (site.deadline) {
    line.append(el('span', { 'data-testid': 'site-deadline' }, '当日の変更・欠席連絡は', el('strong', { text: site.deadline }), 'まで'));
  }
  if (line.childNodes.length) parts.push(line);
  ui.club.replaceChildren(...parts);
  show(ui.club, true);
}

// ---------- the pages ----------
function render() {
  const child = app.current;
  if (!child) return;
  renderClub(child);
  const { tab } = app.route;
  for (const t of TABS) {
    show(ui.panels[t], t === tab);
    const a = ui.tabs.querySelector(`[data-tab="${t}"]`);
    if (t === tab) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const name = child.info.name || child.info.child_no;
  document.title = `${TITLES[tab]}（${name}さん） — 見守り 保護者ページ`;
  if (tab === 'plan') planView.render(app, child);
  else if (tab === 'absence') absence.render(app, child);
  else pickups.render(app, child);
}

/** After the address changed (a tab, the back button): the page it names, its heading focused
 * so a screen reader says where it is. */
async function onRoute() {
  const token = tokenFromHash();
  if (token) { toLink(token); return; }
  if (!app.csrf || !app.current) return;
  const before = app.route;
  app.route = routeFromHash();
  dayDialog.close();
  render();
  const tabChanged = before.tab !== app.route.tab;
  const heading = tabChanged ? ui.panels[app.route.tab].querySelector('.panel-title') : planView.heading();
  if (heading) heading.focus({ preventScroll: true });
  const top = ui.tabs.offsetTop;
  if (tabChanged && window.scrollY > top) window.scrollTo(0, top);
  await loadPlans(app.current, false);
  render();
}

// ---------- start ----------
ui.signinForm.addEventListener('submit', onSigninSubmit);
ui.linkButton.addEventListener('click', onLinkButton);
ui.linkNew.addEventListener('click', () => toSignin('', 'info', true));
ui.signout.addEventListener('click', onSignOut);
window.addEventListener('hashchange', onRoute);
planView.init(app);
absence.init(app);
pickups.init(app);
dayDialog.init(app);

(async function init() {
  const token = tokenFromHash();
  if (token) {
    // Opening the link sends nothing: mail scanners open links too. Only the button signs in.
    toLink(token);
    return;
  }
  try {
    const data = await request('/parent/session');
    await onSignedIn(data);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) toSignin('');
    else toSignin(err.message, 'error');
  }
})();
