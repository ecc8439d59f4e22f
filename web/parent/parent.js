// mimamori — guardian portal: sign-in by a mailed link, each child's month calendar of plans,
// one day's change (出席 / 休み / 欠席連絡), the weekly pattern and the pickup list.
// Every text from the server goes through textContent (el()); never innerHTML.
import { request, ApiError, formatDay, el } from '/js/api.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WD_JA = { sun: '日', mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土' };
const WAY_JA = { alone: '一人で帰宅', pickup: 'お迎え' };
const WAY_SHORT = { alone: '一人', pickup: 'お迎え' };
const STATUS_JA = { attend: '出席予定', off: '休み', absent: '欠席' };
const STATUS_SHORT = { attend: '出席', off: '休み', absent: '欠席' };
const RELATIONS = ['母', '父', '祖母', '祖父', 'おば', 'おじ', 'きょうだい', 'ファミリーサポート', 'ベビーシッター'];
const REASON_MAX = 200;
const NAME_MAX = 60;
const LEAVE_STEP_MIN = 30;
const SENT_TEXT = '登録されたアドレスなら、15分有効のログイン用リンクを送りました。メールをご確認ください。';
const LINK_BAD_TEXT = 'このログイン用リンクは使えません（有効期限の15分が過ぎたか、すでに使われたか、正しくないリンクです）。' +
  '新しいリンクを送ってください。';

const $ = (id) => document.getElementById(id);
const ui = {
  loading: $('loading'), who: $('who'), signout: $('signout'),
  signin: $('signin'), signinForm: $('signin-form'), signinEmail: $('signin-email'),
  signinSubmit: $('signin-submit'), signinError: $('signin-error'), signinSent: $('signin-sent'),
  signinNotice: $('signin-notice'),
  link: $('link'), linkIntro: $('link-intro'), linkError: $('link-error'), linkButton: $('link-button'),
  linkNew: $('link-new'),
  app: $('app'), appMessage: $('app-message'), children: $('children'),
  dialog: $('day-dialog'), dayForm: $('day-form'), dayTitle: $('day-title'), dayChild: $('day-child'),
  dayNow: $('day-now'), dayLocked: $('day-locked'), dayFields: $('day-fields'),
  dayAttend: $('day-attend'), dayAbsent: $('day-absent'), dayLeave: $('day-leave'), dayWay: $('day-way'),
  dayPickupField: $('day-pickup-field'), dayPickup: $('day-pickup'), dayReason: $('day-reason'),
  dayError: $('day-error'), daySave: $('day-save'), dayReset: $('day-reset'), dayCancel: $('day-cancel'),
};

const state = {
  csrf: null,
  guardian: null,
  token: null,       // the sign-in token from #login=, until used
  children: [],      // one entry per child card (see makeChild)
  dialog: null,      // {child, day} while the day dialog is open
  busy: false,
};

// ---------- small helpers ----------
function show(node, on = true) { node.hidden = !on; }
function setAlert(node, msg, kind) {
  if (kind) node.className = `alert alert-${kind}`;
  node.replaceChildren();
  if (msg) node.append(msg);
  show(node, !!msg);
}
const pad2 = (n) => String(n).padStart(2, '0');
function toMin(hhmm) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
  return m ? (+m[1]) * 60 + (+m[2]) : null;
}
const fromMin = (n) => `${pad2(Math.floor(n / 60))}:${pad2(n % 60)}`;
function monthLabel(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  return m ? `${+m[1]}年${+m[2]}月` : ym || '';
}
function shiftMonth(ym, delta) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  if (!m) return null;
  const n = (+m[1]) * 12 + (+m[2] - 1) + delta;
  return `${Math.floor(n / 12)}-${pad2((n % 12) + 1)}`;
}
function weekdayOf(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const keys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  return keys[new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay()];
}
const telHref = (phone) => `tel:${String(phone).replace(/[^0-9+]/g, '')}`;
function telLink(phone, testid) {
  return el('a', { href: telHref(phone), class: 'tel', 'data-testid': testid, text: phone });
}
const textLength = (s) => [...s].length;
const oneLine = (s) => s.replace(/\s+/g, ' ').trim();
const path = (c, rest = '') => `/parent/children/${encodeURIComponent(c.info.child_no)}${rest}`;

/**
 * A server error as Japanese text for a guardian: a DocumentFragment, with a tel: link when the
 * club must be phoned (the same-day deadline). site gives the phone when the message has none.
 */
function explain(err, site) {
  const raw = err instanceof ApiError || (err && typeof err.message === 'string') ? err.message : String(err);
  const frag = document.createDocumentFragment();
  const deadline = /same-day changes close at (\d{1,2}:\d{2})/i.exec(raw);
  if (deadline) {
    const phone = (/(\+?\d[\d-]{5,}\d)/.exec(raw.slice(deadline.index + deadline[0].length)) || [])[1]
      || (site && site.phone) || '';
    frag.append(`当日の変更は${deadline[1]}で締め切りました。変更や欠席の連絡は、クラブへお電話ください`);
    if (phone) frag.append('：', telLink(phone, 'error-phone'));
    frag.append('。');
    return frag;
  }
  if (/this day has passed/i.test(raw)) frag.append('過ぎた日の予定は変更できません。');
  else if (/closed on Sundays/i.test(raw)) frag.append('日曜日はクラブがお休みです。');
  else if (/no such child/i.test(raw)) frag.append('お子さんの情報が見つかりません。ページを読み込み直してください。');
  else if (/unknown, used or expired/i.test(raw)) frag.append(LINK_BAD_TEXT);
  else if (err && err.status === 400) frag.append(`入力内容を確認してください（${raw}）。`);
  else frag.append(raw);
  return frag;
}

/** A lock reason from the plan ("this day has passed", the same-day deadline …) in Japanese. */
function explainLock(reason, site) {
  return explain({ message: reason || '', status: 409 }, site);
}

function isAuthError(err) {
  if (err instanceof ApiError && err.status === 401) {
    toSignin('ログインの有効期限が切れました。もう一度ログイン用リンクを送ってください。', 'info');
    return true;
  }
  return false;
}

// ---------- screens ----------
function hideAll() {
  for (const n of [ui.loading, ui.signin, ui.link, ui.app, ui.who, ui.signout]) show(n, false);
}

function toSignin(notice = '', kind = 'info', focus = !!notice) {
  if (ui.dialog.open) ui.dialog.close();
  state.csrf = null; state.guardian = null; state.children = [];
  ui.children.replaceChildren();
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
  state.token = token;
  if (ui.dialog.open) ui.dialog.close();
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
  if (!h) return null;
  const t = new URLSearchParams(h).get('login');
  return t && t.trim() ? t.trim() : null;
}
function dropHash() {
  history.replaceState(null, '', location.pathname + location.search);
}

// ---------- sign-in ----------
async function onSigninSubmit(ev) {
  ev.preventDefault();
  if (state.busy) return;
  const email = ui.signinEmail.value.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    setAlert(ui.signinError, 'メールアドレスを正しく入力してください（例：name@example.jp）。');
    ui.signinEmail.setAttribute('aria-invalid', 'true');
    ui.signinEmail.focus();
    return;
  }
  ui.signinEmail.removeAttribute('aria-invalid');
  setAlert(ui.signinError, '');
  state.busy = true;
  ui.signinSubmit.disabled = true;
  ui.signinSubmit.textContent = '送信中…';
  try {
    await request('/parent/login-links', { method: 'POST', body: { email } });
    sent();
  } catch (err) {
    // The answer never tells whether the address is registered: only trouble reaching the
    // server (or a server fault) is worth saying.
    if (err.status === 0 || err.status >= 500) setAlert(ui.signinError, err.message);
    else if (err.status === 429) setAlert(ui.signinError, err.message);
    else sent();
  } finally {
    state.busy = false;
    ui.signinSubmit.disabled = false;
    ui.signinSubmit.textContent = 'ログイン用リンクを送る';
  }
}

function sent() {
  setAlert(ui.signinNotice, '');
  setAlert(ui.signinSent, SENT_TEXT);
  ui.signinSent.append(el('br'), el('span', { class: 'small', text: 'メールが届かないときは、迷惑メールのフォルダも確かめてください。' }));
}

async function onLinkButton() {
  if (state.busy || !state.token) return;
  state.busy = true;
  ui.linkButton.disabled = true;
  ui.linkButton.textContent = 'ログインしています…';
  setAlert(ui.linkError, '');
  try {
    const data = await request('/parent/session', { method: 'POST', body: { token: state.token } });
    state.token = null;
    dropHash();
    await onSignedIn(data);
  } catch (err) {
    // A network error or a server fault may go away; a refused link will not work again.
    const retry = err.status === 0 || err.status >= 500 || err.status === 429;
    if (!retry) {
      state.token = null;
      dropHash();
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
    state.busy = false;
  }
}

async function onSignOut() {
  ui.signout.disabled = true;
  try {
    await request('/parent/session', { method: 'DELETE', csrf: state.csrf });
  } catch {
    // 401: already signed out. Anything else: still leave the screen.
  } finally {
    ui.signout.disabled = false;
  }
  toSignin('ログアウトしました。', 'info');
}

async function onSignedIn(data) {
  if (!data || !data.csrf) {
    toSignin('サーバーの応答が正しくありません。しばらくしてからもう一度お試しください。', 'error');
    return;
  }
  state.csrf = data.csrf;
  state.guardian = data.guardian || {};
  hideAll();
  ui.who.textContent = state.guardian.name ? `${state.guardian.name} さん` : '';
  show(ui.who, !!state.guardian.name);
  show(ui.signout, true);
  show(ui.app, true);
  await loadChildren();
}

// ---------- children ----------
async function loadChildren() {
  setAlert(ui.appMessage, '');
  ui.children.replaceChildren(el('p', { class: 'muted', role: 'status', text: '読み込み中…' }));
  let data;
  try {
    data = await request('/parent/children');
  } catch (err) {
    if (isAuthError(err)) return;
    ui.children.replaceChildren();
    setAlert(ui.appMessage, explain(err));
    return;
  }
  const list = Array.isArray(data && data.children) ? data.children : [];
  state.children = list.map(makeChild);
  ui.children.replaceChildren(...state.children.map((c) => c.root));
  if (!list.length) {
    ui.children.append(el('p', { class: 'card', 'data-testid': 'no-children',
      text: '登録されているお子さんがいません。クラブにお問い合わせください。' }));
  }
  await Promise.all(state.children.map((c) => loadPlan(c, null)));
}

/** Builds one child's card; returns {info, root, ...the parts that change}. */
function makeChild(info, index) {
  const id = (s) => `c${index}-${s}`;
  const c = { info, index, id, month: null, plan: null, gen: 0, weeklyDirty: false };
  const grade = info.grade !== undefined && info.grade !== null && String(info.grade) !== ''
    ? el('span', { class: 'child-grade', text: `${info.grade}年生` }) : null;

  // the club: name, phone, same-day deadline — always visible
  c.site = el('div', { class: 'site-box', 'data-testid': 'site' });

  // calendar
  c.prev = el('button', { type: 'button', class: 'btn btn-secondary cal-step', 'data-testid': 'cal-prev',
    'aria-label': '前の月', text: '‹ 前の月' });
  c.next = el('button', { type: 'button', class: 'btn btn-secondary cal-step', 'data-testid': 'cal-next',
    'aria-label': '次の月', text: '次の月 ›' });
  c.monthTitle = el('h3', { class: 'cal-title', id: id('cal-title'), 'data-testid': 'cal-month', 'aria-live': 'polite' });
  c.calStatus = el('div', { class: 'cal-status', role: 'status', 'data-testid': 'cal-status' });
  c.calError = el('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'cal-error', hidden: true });
  c.table = el('table', { class: 'cal', 'data-testid': 'calendar', 'aria-labelledby': id('cal-title') });
  c.prev.addEventListener('click', () => c.month && loadPlan(c, shiftMonth(c.month, -1)));
  c.next.addEventListener('click', () => c.month && loadPlan(c, shiftMonth(c.month, 1)));

  // weekly pattern
  c.weeklyForm = el('form', { class: 'weekly-form', 'data-testid': 'weekly-form', novalidate: true });
  c.weeklyMsg = el('div', { class: 'alert', role: 'status', 'data-testid': 'weekly-message', hidden: true });
  c.weeklySave = el('button', { type: 'submit', class: 'btn btn-block', 'data-testid': 'weekly-save', text: '週のパターンを保存する' });
  c.weeklyRows = el('div', { class: 'weekly-rows' });
  c.weeklyForm.append(
    el('p', { class: 'small muted', text: '通う曜日と、帰る時刻・帰り方を決めておくと、毎週その予定になります。日ごとの変更はカレンダーからできます。' }),
    c.weeklyRows, c.weeklyMsg, c.weeklySave);
  c.weeklyForm.addEventListener('submit', (ev) => { ev.preventDefault(); saveWeekly(c); });
  c.weeklyForm.addEventListener('input', () => { c.weeklyDirty = true; });
  c.weeklyForm.addEventListener('change', (ev) => { c.weeklyDirty = true; syncWeeklyRow(ev.target.closest('.wk-day')); });

  // pickup list
  c.pickupList = el('ul', { class: 'pickup-list', 'data-testid': 'pickup-list' });
  c.pickupMsg = el('div', { class: 'alert', role: 'status', 'data-testid': 'pickup-message', hidden: true });
  c.pickupName = el('input', { type: 'text', id: id('pickup-name'), maxlength: NAME_MAX, autocomplete: 'off',
    'data-testid': 'pickup-name', placeholder: '例：小林 花子' });
  c.pickupRelation = el('input', { type: 'text', id: id('pickup-relation'), maxlength: NAME_MAX, autocomplete: 'off',
    list: id('relations'), 'data-testid': 'pickup-relation', placeholder: '例：母、祖母、ファミリーサポート' });
  const relations = el('datalist', { id: id('relations') }, ...RELATIONS.map((r) => el('option', { value: r })));
  c.pickupAdd = el('button', { type: 'submit', class: 'btn btn-block', 'data-testid': 'pickup-add', text: 'お迎えの人を追加する' });
  c.pickupForm = el('form', { class: 'pickup-form', novalidate: true, 'data-testid': 'pickup-form' },
    el('h4', { text: '追加する' }),
    el('div', { class: 'field' }, el('label', { for: id('pickup-name'), text: '名前' }), c.pickupName),
    el('div', { class: 'field' }, el('label', { for: id('pickup-relation'), text: '続柄' }),
      c.pickupRelation, relations),
    c.pickupAdd);
  c.pickupForm.addEventListener('submit', (ev) => { ev.preventDefault(); addPickup(c); });

  c.root = el('article', { class: 'card child-card', 'data-testid': 'child', 'data-child-no': info.child_no,
    'aria-labelledby': id('name') },
  el('h2', { class: 'child-title', id: id('name') },
    el('span', { 'data-testid': 'child-name', text: info.name || info.child_no }), grade),
  c.site,
  el('section', { class: 'calendar', 'aria-label': `${info.name || ''}さんの予定カレンダー` },
    el('div', { class: 'cal-nav' }, c.prev, c.monthTitle, c.next),
    c.calError, c.calStatus, c.table,
    el('p', { class: 'cal-legend small muted' },
      el('span', { class: 'lg lg-attend', text: '出席' }), ' ',
      el('span', { class: 'lg lg-off', text: '休み' }), ' ',
      el('span', { class: 'lg lg-absent', text: '欠席' }), ' ',
      '日付を押すと、その日の予定を変えられます。灰色の日は変更できません。')),
  el('details', { class: 'editor', 'data-testid': 'weekly' },
    el('summary', { 'data-testid': 'weekly-open', text: '毎週の予定（週のパターン）' }), c.weeklyForm),
  el('details', { class: 'editor', 'data-testid': 'pickups' },
    el('summary', { 'data-testid': 'pickups-open', text: 'お迎えの人' }),
    el('p', { class: 'small muted', text: 'お迎えに来る人を登録しておくと、帰り方「お迎え」で選べます。' }),
    c.pickupList, c.pickupMsg, c.pickupForm));
  renderSite(c, info.site || {});
  return c;
}

function renderSite(c, site) {
  const parts = [el('p', { class: 'site-name' }, el('strong', { 'data-testid': 'site-name', text: site.name || '' }))];
  if (site.phone) {
    parts.push(el('p', {}, '電話 ', telLink(site.phone, 'site-phone')));
  }
  if (site.deadline) {
    parts.push(el('p', { 'data-testid': 'site-deadline' }, '当日の変更・欠席連絡は ',
      el('strong', { text: `${site.deadline}まで` }), '（それより後はお電話で）'));
  }
  if (site.opens && site.closes) {
    parts.push(el('p', { class: 'small muted', text: `開所時間 ${site.opens}〜${site.closes}（日曜休み）` }));
  }
  c.site.replaceChildren(...parts);
}

// ---------- plan (calendar) ----------
async function loadPlan(c, month) {
  const gen = ++c.gen;
  c.prev.disabled = true; c.next.disabled = true;
  c.calStatus.textContent = '読み込み中…';
  setAlert(c.calError, '');
  const q = month ? `?month=${encodeURIComponent(month)}` : '';
  try {
    const data = await request(path(c, `/plan${q}`));
    if (gen !== c.gen) return;
    c.plan = data;
    c.month = data.month || month;
    if (data.site) renderSite(c, { ...c.info.site, ...data.site });
    renderCalendar(c);
    renderPickups(c);
    if (!c.weeklyDirty) renderWeekly(c); else refreshPickupSelects(c);
    c.calStatus.textContent = '';
  } catch (err) {
    if (gen !== c.gen) return;
    if (isAuthError(err)) return;
    c.calStatus.textContent = '';
    setAlert(c.calError, explain(err, c.plan && c.plan.site));
  } finally {
    if (gen === c.gen) {
      c.prev.disabled = false; c.next.disabled = false;
    }
  }
}

function pickupById(c, id) {
  const list = (c.plan && c.plan.pickups) || [];
  return list.find((p) => p.id === id) || null;
}
function pickupText(p) { return p ? `${p.name}${p.relation ? `（${p.relation}）` : ''}` : '（登録を削除した人）'; }

/** "出席予定 17:00 お迎え（小林 花子・母）" and so on: the whole day in words. */
function describeDay(c, d) {
  const parts = [STATUS_JA[d.status] || d.status];
  if (d.status === 'attend') {
    if (d.leave) parts.push(`${d.leave}に帰る`);
    if (d.way_home === 'pickup') parts.push(`お迎え：${pickupText(pickupById(c, d.pickup_id))}`);
    else if (d.way_home) parts.push(WAY_JA[d.way_home] || d.way_home);
  }
  if (d.status === 'absent' && d.reason) parts.push(`理由：${d.reason}`);
  return parts.join('・');
}
function describeAttended(d) {
  if (!d.attended || !d.attended.in) return '';
  return `入室 ${d.attended.in}${d.attended.out ? `・退室 ${d.attended.out}` : ''}`;
}

function renderCalendar(c) {
  const p = c.plan;
  c.monthTitle.textContent = monthLabel(c.month);
  const head = el('thead', {}, el('tr', {}, ...WEEKDAYS.map((w) => el('th', { scope: 'col', class: `wd-${w}`, text: WD_JA[w] }))));
  const body = el('tbody');
  let row = null;
  let col = 0;
  const flush = () => {
    if (!row) return;
    while (col < WEEKDAYS.length) { row.append(el('td', { class: 'empty' })); col++; }
    body.append(row);
    row = null; col = 0;
  };
  for (const d of Array.isArray(p.days) ? p.days : []) {
    const wd = d.weekday || weekdayOf(d.day);
    if (wd === 'sun') continue; // the clubs are closed on Sundays
    const at = WEEKDAYS.indexOf(wd);
    if (at < 0) continue;
    if (!row || at < col) { flush(); row = el('tr'); }
    while (col < at) { row.append(el('td', { class: 'empty' })); col++; }
    row.append(el('td', {}, dayButton(c, d)));
    col++;
  }
  flush();
  c.table.replaceChildren(el('caption', { class: 'visually-hidden', text: `${monthLabel(c.month)}の予定（月曜〜土曜）` }), head, body);
}

function dayButton(c, d) {
  const p = c.plan;
  const past = p.today && d.day < p.today;
  const today = d.day === p.today;
  const num = +d.day.slice(8);
  const attended = d.attended && d.attended.in ? d.attended : null;
  const cls = ['day', `st-${d.status}`];
  if (past) cls.push('past');
  if (today) cls.push('today');
  if (!d.editable) cls.push('locked');
  if (d.source === 'day') cls.push('changed');

  const lines = [el('span', { class: 'd-num', text: String(num) })];
  if (today) lines.push(el('span', { class: 'd-today', text: '今日' }));
  lines.push(el('span', { class: 'd-status', text: STATUS_SHORT[d.status] || d.status }));
  // Past days: what happened matters, not the hour planned.
  if (d.status === 'attend' && !attended && !past) {
    if (d.leave) lines.push(el('span', { class: 'd-line', text: d.leave }));
    if (d.way_home) lines.push(el('span', { class: 'd-line', text: WAY_SHORT[d.way_home] || d.way_home }));
  }
  if (d.status === 'absent' && d.reason && !attended) lines.push(el('span', { class: 'd-line d-reason', text: d.reason }));
  if (attended) {
    lines.push(el('span', { class: 'd-line d-in', text: `入${attended.in}` }));
    if (attended.out) lines.push(el('span', { class: 'd-line d-out', text: `退${attended.out}` }));
  }
  if (!d.editable && !past) lines.push(el('span', { class: 'd-lock', text: '変更不可' }));

  const said = [`${formatDay(d.day)}${today ? '（今日）' : ''}`, describeDay(c, d)];
  if (d.source === 'day') said.push('この日だけ変更');
  const att = describeAttended(d);
  if (att) said.push(att);
  if (!d.editable) said.push(`変更できません：${explainLock(d.locked || '', p.site).textContent}`);
  const b = el('button', {
    type: 'button', class: cls.join(' '), 'data-testid': 'day', 'data-day': d.day, 'data-status': d.status,
    'data-source': d.source, 'data-editable': d.editable ? 'true' : 'false', 'data-today': today ? 'true' : null,
    'data-attended': attended ? 'true' : null, 'aria-current': today ? 'date' : null,
    'aria-haspopup': 'dialog', 'aria-label': said.join('、'),
  }, ...lines);
  b.addEventListener('click', () => openDay(c, d));
  return b;
}

// ---------- one day ----------
function leaveOptions(select, site, value) {
  const opens = toMin(site && site.opens) ?? 8 * 60;
  const closes = toMin(site && site.closes) ?? 19 * 60;
  const times = [];
  for (let t = Math.ceil(opens / LEAVE_STEP_MIN) * LEAVE_STEP_MIN; t <= closes; t += LEAVE_STEP_MIN) times.push(fromMin(t));
  if (value && !times.includes(value)) { times.push(value); times.sort(); }
  select.replaceChildren(...times.map((t) => el('option', { value: t, text: t })));
  const fallback = times.includes('17:00') ? '17:00' : times[times.length - 1];
  select.value = value && times.includes(value) ? value : fallback;
}

function pickupOptions(select, pickups, value) {
  const opts = [el('option', { value: '', text: pickups.length ? '選んでください' : '（先に「お迎えの人」を登録してください）' })];
  for (const p of pickups) opts.push(el('option', { value: String(p.id), text: pickupText(p) }));
  select.replaceChildren(...opts);
  select.value = value !== null && value !== undefined && pickups.some((p) => p.id === value) ? String(value) : '';
}

function dayStatus() {
  const r = ui.dayForm.querySelector('input[name="status"]:checked');
  return r ? r.value : null;
}
function syncDayFields() {
  const s = dayStatus();
  show(ui.dayAttend, s === 'attend');
  show(ui.dayAbsent, s === 'absent');
  show(ui.dayPickupField, ui.dayWay.value === 'pickup');
}

function openDay(c, d) {
  const p = c.plan;
  state.dialog = { c, d };
  ui.dayTitle.textContent = `${formatDay(d.day)}の予定`;
  ui.dayChild.textContent = c.info.name || c.info.child_no;
  const rows = [el('dt', { text: '今の予定' }), el('dd', { 'data-testid': 'day-current', text: describeDay(c, d) })];
  if (d.editable) {
    rows.push(el('dt', { text: '決め方' }), el('dd', { text: d.source === 'day' ? 'この日だけ変更しています' : '週のパターンのとおり' }));
  }
  const att = describeAttended(d);
  if (att) rows.push(el('dt', { text: '入退室' }), el('dd', { 'data-testid': 'day-attended', text: att }));
  ui.dayNow.replaceChildren(...rows);
  setAlert(ui.dayError, '');
  ui.dayReason.removeAttribute('aria-invalid');

  if (!d.editable) {
    const why = explainLock(d.locked || '', p.site);
    const phone = p.site && p.site.phone;
    const hasLink = !!why.querySelector('a');
    const msg = document.createDocumentFragment();
    msg.append('この日は変更できません。', why);
    if (phone && !hasLink && !/passed/i.test(d.locked || '')) {
      msg.append(' クラブの電話：', telLink(phone, 'locked-phone'));
    }
    setAlert(ui.dayLocked, msg);
    show(ui.dayFields, false); show(ui.daySave, false); show(ui.dayReset, false);
    ui.dayCancel.textContent = '閉じる';
    ui.dialog.showModal();
    ui.dayCancel.focus();
    return;
  }
  setAlert(ui.dayLocked, '');
  show(ui.dayFields, true); show(ui.daySave, true);
  show(ui.dayReset, d.source === 'day');
  ui.dayCancel.textContent = 'やめる';

  // Defaults for 出席 come from the day, else from that weekday's pattern.
  const wd = d.weekday || weekdayOf(d.day);
  const pattern = (p.weekly && p.weekly[wd]) || {};
  const leave = d.leave || pattern.leave || null;
  const way = d.way_home || pattern.way_home || 'alone';
  const pickupId = d.pickup_id ?? pattern.pickup_id ?? null;
  for (const r of ui.dayForm.querySelectorAll('input[name="status"]')) r.checked = r.value === d.status;
  leaveOptions(ui.dayLeave, p.site, leave);
  ui.dayWay.value = way === 'pickup' ? 'pickup' : 'alone';
  pickupOptions(ui.dayPickup, p.pickups || [], pickupId);
  ui.dayReason.value = d.status === 'absent' && d.reason ? d.reason : '';
  syncDayFields();
  ui.daySave.disabled = false; ui.dayReset.disabled = false;
  ui.dialog.showModal();
  const checked = ui.dayForm.querySelector('input[name="status"]:checked') || ui.dayForm.querySelector('input[name="status"]');
  checked.focus();
}

function dayFail(msgNode, field) {
  setAlert(ui.dayError, msgNode);
  if (field) { field.setAttribute('aria-invalid', 'true'); field.focus(); }
}

async function onDaySubmit(ev) {
  ev.preventDefault();
  const o = state.dialog;
  if (!o || !o.d.editable) return;
  const status = dayStatus();
  let body;
  ui.dayReason.removeAttribute('aria-invalid');
  ui.dayPickup.removeAttribute('aria-invalid');
  if (status === 'attend') {
    body = { status, leave: ui.dayLeave.value, way_home: ui.dayWay.value };
    if (body.way_home === 'pickup') {
      if (!ui.dayPickup.value) { dayFail('お迎えの人を選んでください。', ui.dayPickup); return; }
      body.pickup_id = Number(ui.dayPickup.value);
    }
  } else if (status === 'absent') {
    const reason = oneLine(ui.dayReason.value);
    if (!reason) { dayFail('欠席の理由を入力してください。', ui.dayReason); return; }
    if (textLength(reason) > REASON_MAX) { dayFail(`理由は${REASON_MAX}文字以内で入力してください。`, ui.dayReason); return; }
    body = { status, reason };
  } else if (status === 'off') {
    body = { status };
  } else {
    dayFail('出席・休み・欠席連絡のどれかを選んでください。');
    return;
  }
  await sendDay(o, 'PUT', body);
}

async function sendDay(o, method, body) {
  setAlert(ui.dayError, '');
  ui.daySave.disabled = true; ui.dayReset.disabled = true;
  const label = method === 'DELETE' ? ui.dayReset : ui.daySave;
  const was = label.textContent;
  label.textContent = '送信中…';
  try {
    const day = await request(path(o.c, `/days/${encodeURIComponent(o.d.day)}`), { method, body, csrf: state.csrf });
    if (ui.dialog.open) ui.dialog.close();
    const shown = day && day.status ? day : { ...o.d, ...body };
    const done = method === 'DELETE' ? '週のパターンに戻しました' : `「${STATUS_JA[shown.status] || shown.status}」にしました`;
    await loadPlan(o.c, o.c.month);
    o.c.calStatus.textContent = `${formatDay(o.d.day)}を${done}。`;
  } catch (err) {
    if (isAuthError(err)) return;
    dayFail(explain(err, o.c.plan && o.c.plan.site));
  } finally {
    ui.daySave.disabled = false; ui.dayReset.disabled = false;
    label.textContent = was;
  }
}

// ---------- weekly pattern ----------
function renderWeekly(c) {
  const p = c.plan;
  const weekly = (p && p.weekly) || {};
  const pickups = (p && p.pickups) || [];
  const rows = WEEKDAYS.map((w) => {
    const cur = weekly[w] || null;
    const attend = el('input', { type: 'checkbox', id: c.id(`wk-${w}`), name: `attend-${w}`, 'data-testid': `weekly-attend-${w}` });
    attend.checked = !!cur;
    const leave = el('select', { id: c.id(`wk-leave-${w}`), name: `leave-${w}`, 'data-testid': `weekly-leave-${w}` });
    leaveOptions(leave, p && p.site, cur && cur.leave);
    const way = el('select', { id: c.id(`wk-way-${w}`), name: `way-${w}`, 'data-testid': `weekly-way-${w}` },
      el('option', { value: 'alone', text: WAY_JA.alone }), el('option', { value: 'pickup', text: WAY_JA.pickup }));
    way.value = cur && cur.way_home === 'pickup' ? 'pickup' : 'alone';
    const pick = el('select', { id: c.id(`wk-pickup-${w}`), name: `pickup-${w}`, 'data-testid': `weekly-pickup-${w}`, class: 'wk-pickup' });
    pickupOptions(pick, pickups, cur ? cur.pickup_id : null);
    const row = el('fieldset', { class: 'wk-day', 'data-testid': 'weekly-day', 'data-weekday': w },
      el('legend', { class: 'visually-hidden', text: `${WD_JA[w]}曜日` }),
      el('label', { class: 'wk-check', for: c.id(`wk-${w}`) }, attend, el('span', { class: 'wk-name', text: `${WD_JA[w]}曜日` }), el('span', { class: 'wk-yes', text: '通う' })),
      el('div', { class: 'wk-fields' },
        el('div', { class: 'field' }, el('label', { for: c.id(`wk-leave-${w}`), text: '帰る時刻' }), leave),
        el('div', { class: 'field' }, el('label', { for: c.id(`wk-way-${w}`), text: '帰り方' }), way),
        el('div', { class: 'field wk-pickup-field' }, el('label', { for: c.id(`wk-pickup-${w}`), text: 'お迎えの人' }), pick)));
    syncWeeklyRow(row);
    return row;
  });
  c.weeklyRows.replaceChildren(...rows);
  c.weeklyDirty = false;
}

function syncWeeklyRow(row) {
  if (!row) return;
  const on = row.querySelector('input[type="checkbox"]').checked;
  const fields = row.querySelector('.wk-fields');
  show(fields, on);
  for (const s of fields.querySelectorAll('select')) s.disabled = !on;
  const way = fields.querySelector('select[name^="way-"]');
  show(row.querySelector('.wk-pickup-field'), on && way.value === 'pickup');
  row.classList.toggle('on', on);
}

function refreshPickupSelects(c) {
  const pickups = (c.plan && c.plan.pickups) || [];
  for (const s of c.weeklyRows.querySelectorAll('select.wk-pickup')) {
    const v = s.value ? Number(s.value) : null;
    pickupOptions(s, pickups, v);
  }
}

async function saveWeekly(c) {
  const body = {};
  setAlert(c.weeklyMsg, '');
  for (const row of c.weeklyRows.querySelectorAll('.wk-day')) {
    const w = row.dataset.weekday;
    if (!row.querySelector('input[type="checkbox"]').checked) continue;
    const leave = row.querySelector(`select[name="leave-${w}"]`).value;
    const way = row.querySelector(`select[name="way-${w}"]`).value;
    const entry = { leave, way_home: way };
    if (way === 'pickup') {
      const pick = row.querySelector(`select[name="pickup-${w}"]`);
      if (!pick.value) {
        setAlert(c.weeklyMsg, `${WD_JA[w]}曜日のお迎えの人を選んでください。`, 'error');
        pick.setAttribute('aria-invalid', 'true');
        pick.focus();
        return;
      }
      pick.removeAttribute('aria-invalid');
      entry.pickup_id = Number(pick.value);
    }
    body[w] = entry;
  }
  c.weeklySave.disabled = true;
  c.weeklySave.textContent = '保存中…';
  try {
    await request(path(c, '/weekly'), { method: 'PUT', body, csrf: state.csrf });
    c.weeklyDirty = false;
    await loadPlan(c, c.month);
    setAlert(c.weeklyMsg, '週のパターンを保存しました。カレンダーに反映しています（締切を過ぎた今日の予定は変わりません）。', 'ok');
  } catch (err) {
    if (isAuthError(err)) return;
    setAlert(c.weeklyMsg, explain(err, c.plan && c.plan.site), 'error');
  } finally {
    c.weeklySave.disabled = false;
    c.weeklySave.textContent = '週のパターンを保存する';
  }
}

// ---------- pickup list ----------
function renderPickups(c) {
  const pickups = (c.plan && c.plan.pickups) || [];
  if (!pickups.length) {
    c.pickupList.replaceChildren(el('li', { class: 'empty', text: 'まだ登録されていません。' }));
    return;
  }
  c.pickupList.replaceChildren(...pickups.map((p) => {
    const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'pickup-remove',
      'aria-label': `${pickupText(p)}を削除`, text: '削除' });
    remove.addEventListener('click', () => removePickup(c, p, remove));
    return el('li', { class: 'pickup', 'data-testid': 'pickup-item', 'data-pickup-id': String(p.id) },
      el('span', { class: 'pickup-name' }, el('strong', { text: p.name }),
        p.relation ? el('span', { class: 'muted', text: `（${p.relation}）` }) : null),
      remove);
  }));
}

async function addPickup(c) {
  const name = oneLine(c.pickupName.value);
  const relation = oneLine(c.pickupRelation.value);
  setAlert(c.pickupMsg, '');
  for (const [v, f, what] of [[name, c.pickupName, '名前'], [relation, c.pickupRelation, '続柄']]) {
    f.removeAttribute('aria-invalid');
    if (!v || textLength(v) > NAME_MAX) {
      setAlert(c.pickupMsg, `${what}を${NAME_MAX}文字以内で入力してください。`, 'error');
      f.setAttribute('aria-invalid', 'true');
      f.focus();
      return;
    }
  }
  c.pickupAdd.disabled = true;
  try {
    await request(path(c, '/pickups'), { method: 'POST', body: { name, relation }, csrf: state.csrf });
    c.pickupName.value = '';
    c.pickupRelation.value = '';
    await loadPlan(c, c.month);
    setAlert(c.pickupMsg, `${name}（${relation}）を追加しました。`, 'ok');
  } catch (err) {
    if (isAuthError(err)) return;
    setAlert(c.pickupMsg, explain(err, c.plan && c.plan.site), 'error');
  } finally {
    c.pickupAdd.disabled = false;
  }
}

async function removePickup(c, p, button) {
  button.disabled = true;
  setAlert(c.pickupMsg, '');
  try {
    await request(path(c, `/pickups/${encodeURIComponent(p.id)}`), { method: 'DELETE', csrf: state.csrf });
    await loadPlan(c, c.month);
    setAlert(c.pickupMsg, `${pickupText(p)}を削除しました。すでに決まっている日の予定には名前が残ります。`, 'ok');
  } catch (err) {
    if (isAuthError(err)) return;
    button.disabled = false;
    setAlert(c.pickupMsg, explain(err, c.plan && c.plan.site), 'error');
  }
}

// ---------- start ----------
ui.signinForm.addEventListener('submit', onSigninSubmit);
ui.linkButton.addEventListener('click', onLinkButton);
ui.linkNew.addEventListener('click', () => toSignin('', 'info', true));
ui.signout.addEventListener('click', onSignOut);
ui.dayForm.addEventListener('submit', onDaySubmit);
ui.dayForm.addEventListener('change', syncDayFields);
ui.dayReason.addEventListener('input', () => {
  if (ui.dayReason.getAttribute('aria-invalid')) { ui.dayReason.removeAttribute('aria-invalid'); setAlert(ui.dayError, ''); }
});
ui.dayReset.addEventListener('click', () => { const o = state.dialog; if (o && o.d.editable) sendDay(o, 'DELETE', undefined); });
ui.dayCancel.addEventListener('click', () => ui.dialog.close());
ui.dialog.addEventListener('close', () => {
  const o = state.dialog;
  state.dialog = null;
  const b = o && o.c.table.querySelector(`[data-day="${o.d.day}"]`);
  if (b) b.focus();
});
// A mailed link opened while the page is already open changes only the hash.
window.addEventListener('hashchange', () => {
  const t = tokenFromHash();
  if (t) toLink(t);
});

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
