// mimamori — guardian portal, the 予定 page: one week (this or next) as a list of seven days,
// or a month as a calendar, each day a button that opens the day (day-dialog.js); and the
// weekly pattern (毎週の予定) with its editor.
import { el } from '/js/api.js';
import {
  WEEKDAYS, WD_JA, WAY_JA, STATUS_JA, addDays, dayParts, monthLabel, shiftMonth, weekdayOf, toMin, fromMin,
  pickupText, describeAttend, describeAttended, explain,
} from './days.js';
import { show, setAlert } from './dom.js';
import * as dayDialog from './day-dialog.js';

const LEAVE_STEP_MIN = 30;
const $ = (id) => document.getElementById(id);
let ui;
let app;
let weeklyFor = null;   // the child whose pattern the editor holds
let weeklyDirty = false;

/** Wires the page's controls; app is parent.js's shared state. */
export function init(a) {
  app = a;
  ui = {
    title: $('plan-title'), views: $('tab-plan').querySelector('.seg'), error: $('plan-error'), status: $('plan-status'),
    week: $('week-view'), weekTitle: $('week-title'), weekList: $('week-list'),
    month: $('month-view'), monthTitle: $('cal-title'), prev: $('cal-prev'), next: $('cal-next'), table: $('calendar'),
    weeklySummary: $('weekly-summary'), weeklyForm: $('weekly-form'), weeklyRows: $('weekly-rows'),
    weeklyMsg: $('weekly-message'), weeklySave: $('weekly-save'), hours: $('hours'),
    body: $('plan-body'), retry: $('plan-retry'),
  };
  ui.retry.addEventListener('click', async () => {
    const child = app.current;
    if (!child) return;
    ui.retry.disabled = true;
    await app.load(child);
    ui.retry.disabled = false;
    app.render();
  });
  ui.prev.addEventListener('click', () => stepMonth(-1));
  ui.next.addEventListener('click', () => stepMonth(1));
  ui.weeklyForm.addEventListener('submit', (ev) => { ev.preventDefault(); saveWeekly(); });
  ui.weeklyForm.addEventListener('input', () => { weeklyDirty = true; });
  ui.weeklyForm.addEventListener('change', (ev) => { weeklyDirty = true; syncWeeklyRow(ev.target.closest('.wk-day')); });
}

/** Says (or stops saying) that plans are loading. */
export function loading(on) {
  if (!ui) return;
  ui.status.textContent = on ? '読み込み中…' : '';
  ui.prev.disabled = on; ui.next.disabled = on;
}
/** Shows msg (text or nodes) as the page's error; '' clears it. */
export function error(msg) {
  if (!ui) return;
  setAlert(ui.error, msg);
  show(ui.retry, !!msg);
}
/** Tells the page what was just done (role=status). */
export function done(text) { if (ui) ui.status.textContent = text; }
/** The heading of the view shown (focused after the view changed). */
export function heading() { return app.route.view === 'month' ? ui.monthTitle : ui.weekTitle; }

/** Draws the 予定 page of child from the plans loaded. */
export function render(a, child) {
  const { view } = app.route;
  ui.title.textContent = `${child.info.name || child.info.child_no}さんの予定`;
  for (const link of ui.views.querySelectorAll('.seg-item')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  // Nothing to show (and nothing to change) until the child's plan has come.
  show(ui.body, !!app.info(child).today);
  show(ui.week, view !== 'month');
  show(ui.month, view === 'month');
  if (view === 'month') renderMonth(child); else renderWeek(child, view === 'next-week');
  renderWeekly(child);
  const site = app.info(child).site || {};
  ui.hours.textContent = site.opens && site.closes ? `開所時間 ${site.opens}〜${site.closes}（日曜休み）` : '';
}

// ---------- a week ----------
function renderWeek(child, next) {
  const start = app.weekStart(child);
  if (!start) { ui.weekTitle.textContent = next ? '来週' : '今週'; ui.weekList.replaceChildren(); return; }
  const end = addDays(start, 6);
  const a = dayParts(start);
  const b = dayParts(end);
  ui.weekTitle.replaceChildren(el('span', { class: 'view-name', text: next ? '来週' : '今週' }),
    el('span', { class: 'view-range', text: `${a.md}${a.wd}〜${b.md}${b.wd}` }));
  const rows = [];
  for (let i = 0; i < 7; i++) {
    const day = addDays(start, i);
    const d = app.dayOf(child, day);
    rows.push(el('li', {}, d ? weekRow(child, d) : pendingRow(day)));
  }
  ui.weekList.replaceChildren(...rows);
}

function pendingRow(day) {
  const p = dayParts(day);
  return el('div', { class: 'wday wday-closed', 'data-testid': 'week-day', 'data-day': day },
    el('span', { class: 'wd-date' }, el('span', { class: 'wd-md', text: p.md }), el('span', { class: 'wd-wd', text: p.wd })),
    el('span', { class: 'wd-body' }, el('span', { class: 'wd-text muted', text: '読み込み中…' })));
}

function weekRow(child, d) {
  const plan = app.planOf(child, d.day);
  const info = app.info(child);
  const today = plan.today || info.today;
  const p = dayParts(d.day);
  const isToday = d.day === today;
  const date = el('span', { class: 'wd-date' },
    el('span', { class: 'wd-md', text: p.md }), el('span', { class: 'wd-wd', text: p.wd }),
    isToday ? el('span', { class: 'badge-today', text: '今日' }) : null);
  if (weekdayOf(d.day) === 'sun') {
    return el('div', { class: 'wday wday-closed', 'data-testid': 'week-day', 'data-day': d.day, 'data-status': 'closed' },
      date, el('span', { class: 'wd-body' }, el('span', { class: 'wd-text', text: 'クラブはお休み（日曜日）' })));
  }
  const past = today && d.day < today;
  const attended = describeAttended(d);
  const body = el('span', { class: 'wd-body' }, el('span', { class: `chip chip-${d.status}`, text: STATUS_JA[d.status] || d.status }));
  if (d.status === 'attend' && !past) {
    const how = describeAttend(d, plan.pickups);
    if (how) body.append(el('span', { class: 'wd-text', text: how }));
  } else if (d.status === 'absent' && d.reason) {
    body.append(el('span', { class: 'wd-text', text: `理由：${d.reason}` }));
  }
  const notes = [];
  if (attended) notes.push(attended);
  if (d.source === 'day' && !past) notes.push('この日だけ変更');
  if (!d.editable && !past) notes.push('変更はお電話で');
  if (notes.length) body.append(el('span', { class: 'wd-note', text: notes.join('・') }));
  const cls = ['wday', `st-${d.status}`];
  if (isToday) cls.push('today');
  if (past) cls.push('past');
  if (!d.editable) cls.push('locked');
  const b = el('button', {
    type: 'button', class: cls.join(' '), 'data-testid': 'week-day', 'data-day': d.day, 'data-status': d.status,
    'data-source': d.source, 'data-editable': d.editable ? 'true' : 'false', 'aria-haspopup': 'dialog',
    'aria-current': isToday ? 'date' : null,
  }, date, body, el('span', { class: 'wd-go', 'aria-hidden': 'true', text: '›' }));
  b.addEventListener('click', () => dayDialog.open(child, d, b));
  return b;
}

// ---------- a month ----------
async function stepMonth(delta) {
  const child = app.current;
  if (!child || !app.month) return;
  app.month = shiftMonth(app.month, delta);
  render(app, child);
  await app.load(child);
  render(app, child);
}

function renderMonth(child) {
  const month = app.month;
  ui.monthTitle.textContent = monthLabel(month);
  const plan = child.months.get(month);
  const head = el('thead', {}, el('tr', {}, ...WEEKDAYS.map((w) => el('th', { scope: 'col', class: `wd-${w}`, text: WD_JA[w] }))));
  if (!plan) { ui.table.replaceChildren(head); return; }
  const body = el('tbody');
  let row = null;
  let col = 0;
  const flush = () => {
    if (!row) return;
    while (col < WEEKDAYS.length) { row.append(el('td', { class: 'empty' })); col++; }
    body.append(row);
    row = null; col = 0;
  };
  for (const d of Array.isArray(plan.days) ? plan.days : []) {
    const at = WEEKDAYS.indexOf(weekdayOf(d.day));
    if (at < 0) continue; // Sundays: the clubs are closed
    if (!row || at < col) { flush(); row = el('tr'); }
    while (col < at) { row.append(el('td', { class: 'empty' })); col++; }
    row.append(el('td', {}, dayCell(child, plan, d)));
    col++;
  }
  flush();
  ui.table.replaceChildren(el('caption', { class: 'visually-hidden', text: `${monthLabel(month)}の予定（月曜〜土曜）` }), head, body);
}

/** One day of the calendar: its accessible name is its own text (with what the eye gets from
 * colour said in words for a screen reader), so the visible text is always part of it. */
function dayCell(child, plan, d) {
  const past = plan.today && d.day < plan.today;
  const today = d.day === plan.today;
  const attended = d.attended && d.attended.in ? d.attended : null;
  const cls = ['day', `st-${d.status}`];
  if (past) cls.push('past');
  if (today) cls.push('today');
  if (!d.editable) cls.push('locked');
  if (d.source === 'day') cls.push('changed');
  const hidden = (text) => el('span', { class: 'visually-hidden', text });

  const lines = [el('span', { class: 'd-num', text: String(+d.day.slice(8)) }), hidden(`日${dayParts(d.day).wd}`)];
  if (today) lines.push(el('span', { class: 'd-today', text: '今日' }));
  lines.push(el('span', { class: 'd-status', text: STATUS_JA[d.status] || d.status }));
  if (d.status === 'attend' && !attended && !past) {
    if (d.leave) lines.push(el('span', { class: 'd-line', text: d.leave }));
    if (d.way_home === 'pickup') lines.push(el('span', { class: 'd-line', text: 'お迎え' }));
  }
  if (d.status === 'absent' && d.reason && !attended) lines.push(el('span', { class: 'd-line d-reason', text: d.reason }));
  if (attended) {
    lines.push(el('span', { class: 'd-line d-in', text: `入${attended.in}` }));
    if (attended.out) lines.push(el('span', { class: 'd-line d-out', text: `退${attended.out}` }));
  }
  if (!d.editable && !past) lines.push(el('span', { class: 'd-lock', text: '変更不可' }));
  if (d.source === 'day' && !past) lines.push(hidden('（この日だけ変更）'));

  const b = el('button', {
    type: 'button', class: cls.join(' '), 'data-testid': 'day', 'data-day': d.day, 'data-status': d.status,
    'data-source': d.source, 'data-editable': d.editable ? 'true' : 'false', 'data-today': today ? 'true' : null,
    'data-attended': attended ? 'true' : null, 'aria-current': today ? 'date' : null, 'aria-haspopup': 'dialog',
  }, ...lines);
  b.addEventListener('click', () => dayDialog.open(child, d, b));
  return b;
}

// ---------- the weekly pattern ----------
/** Fills select with leave times every 30 minutes within the site's hours; value chosen. */
export function leaveOptions(select, site, value) {
  const opens = toMin(site && site.opens) ?? 8 * 60;
  const closes = toMin(site && site.closes) ?? 19 * 60;
  const times = [];
  for (let t = Math.ceil((opens + 1) / LEAVE_STEP_MIN) * LEAVE_STEP_MIN; t <= closes; t += LEAVE_STEP_MIN) times.push(fromMin(t));
  if (value && !times.includes(value)) { times.push(value); times.sort(); }
  select.replaceChildren(...times.map((t) => el('option', { value: t, text: t })));
  const fallback = times.includes('17:00') ? '17:00' : times[times.length - 1];
  select.value = value && times.includes(value) ? value : fallback;
}

/** Fills select with the child's pickup people; value chosen when still listed. */
export function pickupOptions(select, pickups, value) {
  const opts = [el('option', { value: '', text: pickups.length ? '選んでください' : '（先に「お迎え」のページで登録してください）' })];
  for (const p of pickups) opts.push(el('option', { value: String(p.id), text: pickupText(p) }));
  select.replaceChildren(...opts);
  select.value = value !== null && value !== undefined && pickups.some((p) => p.id === value) ? String(value) : '';
}

/** "月・水・金：17:00に帰る・お迎え：小林 花子（母）" lines, one per kind of day. */
function weeklySummary(weekly, pickups) {
  const groups = new Map();
  for (const w of WEEKDAYS) {
    if (!weekly[w]) continue;
    const how = describeAttend(weekly[w], pickups) || '出席';
    groups.set(how, [...(groups.get(how) || []), WD_JA[w]]);
  }
  if (!groups.size) return [el('li', { text: '毎週の予定はまだありません。下の「毎週の予定を変える」から、通う曜日を決めてください。' })];
  return [...groups].map(([how, days]) => el('li', {}, el('strong', { text: `${days.join('・')}曜日` }), `　${how}`));
}

function renderWeekly(child) {
  const info = app.info(child);
  const weekly = info.weekly || {};
  const pickups = info.pickups || [];
  ui.weeklySummary.replaceChildren(...weeklySummary(weekly, pickups));
  if (weeklyFor === child && weeklyDirty) { refreshPickupSelects(pickups); return; }
  weeklyFor = child;
  weeklyDirty = false;
  const id = (s) => `wk-${s}`;
  ui.weeklyRows.replaceChildren(...WEEKDAYS.map((w) => {
    const cur = weekly[w] || null;
    const attend = el('input', { type: 'checkbox', id: id(w), name: `attend-${w}`, 'data-testid': `weekly-attend-${w}` });
    attend.checked = !!cur;
    const leave = el('select', { id: id(`leave-${w}`), name: `leave-${w}`, 'data-testid': `weekly-leave-${w}` });
    leaveOptions(leave, info.site, cur && cur.leave);
    const way = el('select', { id: id(`way-${w}`), name: `way-${w}`, 'data-testid': `weekly-way-${w}` },
      el('option', { value: 'alone', text: WAY_JA.alone }), el('option', { value: 'pickup', text: WAY_JA.pickup }));
    way.value = cur && cur.way_home === 'pickup' ? 'pickup' : 'alone';
    const pick = el('select', { id: id(`pickup-${w}`), name: `pickup-${w}`, 'data-testid': `weekly-pickup-${w}`, class: 'wk-pickup' });
    pickupOptions(pick, pickups, cur ? cur.pickup_id : null);
    const row = el('fieldset', { class: 'wk-day', 'data-testid': 'weekly-day', 'data-weekday': w },
      el('legend', { class: 'visually-hidden', text: `${WD_JA[w]}曜日` }),
      el('label', { class: 'wk-check', for: id(w) }, attend, el('span', { class: 'wk-name', text: `${WD_JA[w]}曜日` }),
        el('span', { class: 'wk-yes', text: '通う' })),
      el('div', { class: 'wk-fields' },
        el('div', { class: 'field' }, el('label', { for: id(`leave-${w}`), text: '帰る時刻' }), leave),
        el('div', { class: 'field' }, el('label', { for: id(`way-${w}`), text: '帰り方' }), way),
        el('div', { class: 'field wk-pickup-field' }, el('label', { for: id(`pickup-${w}`), text: 'お迎えの人' }), pick)));
    syncWeeklyRow(row);
    return row;
  }));
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

function refreshPickupSelects(pickups) {
  for (const s of ui.weeklyRows.querySelectorAll('select.wk-pickup')) pickupOptions(s, pickups, s.value ? Number(s.value) : null);
}

async function saveWeekly() {
  const child = app.current;
  if (!child) return;
  const body = {};
  setAlert(ui.weeklyMsg, '');
  for (const row of ui.weeklyRows.querySelectorAll('.wk-day')) {
    const w = row.dataset.weekday;
    if (!row.querySelector('input[type="checkbox"]').checked) continue;
    const entry = { leave: row.querySelector(`select[name="leave-${w}"]`).value, way_home: row.querySelector(`select[name="way-${w}"]`).value };
    const pick = row.querySelector(`select[name="pickup-${w}"]`);
    pick.removeAttribute('aria-invalid');
    if (entry.way_home === 'pickup') {
      if (!pick.value) {
        setAlert(ui.weeklyMsg, `${WD_JA[w]}曜日のお迎えの人を選んでください。`, 'error');
        pick.setAttribute('aria-invalid', 'true');
        pick.focus();
        return;
      }
      entry.pickup_id = Number(pick.value);
    }
    body[w] = entry;
  }
  ui.weeklySave.disabled = true;
  ui.weeklySave.textContent = '保存中…';
  try {
    await app.call(app.path(child, '/weekly'), { method: 'PUT', body });
    weeklyDirty = false;
    await app.load(child, true);
    app.render();
    setAlert(ui.weeklyMsg, '毎週の予定を保存しました。これからの日に反映しています（締切を過ぎた今日の予定は変わりません）。', 'ok');
  } catch (err) {
    if (!err.handled) setAlert(ui.weeklyMsg, explain(err, app.info(child).site), 'error');
  } finally {
    ui.weeklySave.disabled = false;
    ui.weeklySave.textContent = '毎週の予定を保存する';
  }
}
