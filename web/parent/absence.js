// mimamori — guardian portal, the 欠席連絡 page: the days of the next two weeks the child is
// expected at the club, to tick and tell as absent with one reason; and the absences told
// already, each to take back. Days without plan are not offered: nobody expects the child.
import { el } from '/js/api.js';
import {
  addDays, dayLabel, dayParts, relativeDay, weekdayOf, describeAttend, deadlineText, explain,
} from './days.js';
import { show, setAlert, revealAlert } from './dom.js';
import { reasonFields } from './reason.js';
import * as dayDialog from './day-dialog.js';

const DAYS = 14;
const $ = (id) => document.getElementById(id);
let ui;
let app;
let reason;
const chosen = new Set(); // the days ticked ("YYYY-MM-DD"), kept across redraws
let chosenFor = null;     // the child they belong to

/** Wires the page; app is parent.js's shared state. */
export function init(a) {
  app = a;
  ui = {
    title: $('absence-title'), intro: $('absence-intro'), form: $('absence-form'), days: $('absence-days'),
    daysSet: $('absence-days-set'), error: $('absence-error'), submit: $('absence-submit'),
    message: $('absence-message'), list: $('absence-list'),
  };
  reason = reasonFields($('absence-reason'), 'absence');
  ui.form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(); });
  ui.days.addEventListener('change', (ev) => {
    if (ev.target.name !== 'absence-day') return;
    if (ev.target.checked) chosen.add(ev.target.value); else chosen.delete(ev.target.value);
    setAlert(ui.error, '');
  });
}

/** Says what was done (role=status). */
function report(text) { setAlert(ui.message, text, 'ok'); }

/** The days from today on (the next DAYS) whose plan is loaded, in order. */
function upcoming(child) {
  const today = app.info(child).today;
  if (!today) return [];
  const out = [];
  for (let i = 0; i < DAYS; i++) {
    const d = app.dayOf(child, addDays(today, i));
    if (d) out.push(d);
  }
  return out;
}

/** Draws the 欠席連絡 page of child. */
export function render(a, child) {
  if (chosenFor !== child) { chosen.clear(); chosenFor = child; setAlert(ui.message, ''); reason.clear(); }
  const info = app.info(child);
  const site = info.site || {};
  const today = info.today;
  ui.title.textContent = `${child.info.name || child.info.child_no}さんの欠席連絡`;
  ui.intro.textContent = '行く予定の日を休むときは、ここからクラブに連絡してください。予定のない日は、連絡しなくてかまいません。';

  const loaded = !!today;
  show(ui.form, loaded);
  show(ui.list, loaded);
  show($('absence-list-title'), loaded);
  const days = upcoming(child);
  const offer = days.filter((d) => d.status === 'attend' && d.editable);
  for (const day of [...chosen]) if (!offer.some((d) => d.day === day)) chosen.delete(day);
  const items = offer.map((d) => {
    const id = `absence-day-${d.day}`;
    const box = el('input', { type: 'checkbox', id, name: 'absence-day', value: d.day, 'data-testid': 'absence-day' });
    box.checked = chosen.has(d.day);
    const rel = relativeDay(d.day, today);
    const p = dayParts(d.day);
    return el('label', { class: 'day-choice', for: id }, box,
      el('span', { class: 'day-choice-text' },
        el('span', { class: 'day-choice-date' }, rel ? el('span', { class: 'badge-today', text: rel }) : null, `${p.md}${p.wd}`),
        el('span', { class: 'day-choice-plan', text: describeAttend(d, app.planOf(child, d.day).pickups) || '出席' })));
  });
  const todayPlan = days.find((d) => d.day === today);
  const notes = [];
  if (todayPlan && todayPlan.status === 'attend' && !todayPlan.editable && weekdayOf(today) !== 'sun') {
    notes.push(el('p', { class: 'alert alert-info', 'data-testid': 'absence-today-closed' }, deadlineText(site.deadline, site.phone, 'absence-phone')));
  }
  if (!offer.length) {
    notes.push(el('p', { class: 'empty-note', 'data-testid': 'absence-none' },
      days.length ? 'この2週間に、出席の予定の日はありません。' : '予定を読み込んでいます…',
      days.length ? el('br') : null,
      days.length ? el('a', { href: '#plan', class: 'btn btn-secondary btn-small', text: '予定を見る' }) : null));
  }
  ui.days.replaceChildren(...notes, ...items);
  show(ui.submit, offer.length > 0);
  for (const n of ui.form.querySelectorAll('.reason')) show(n, offer.length > 0);

  // The absences told already, from today on (every month loaded).
  const told = [...child.months.values()].flatMap((p) => p.days || [])
    .filter((d) => today && d.day >= today && d.status === 'absent')
    .sort((x, y) => (x.day < y.day ? -1 : 1));
  ui.list.replaceChildren(...(told.length ? told.map((d) => toldItem(child, d)) : [el('li', { class: 'empty', text: '今日から先の欠席連絡はありません。' })]));
}

function toldItem(child, d) {
  const weekly = (app.info(child).weekly || {})[weekdayOf(d.day)];
  const item = el('li', { class: 'item', 'data-testid': 'absence-item', 'data-day': d.day },
    el('span', { class: 'item-text' },
      el('strong', { text: dayLabel(d.day) }),
      el('span', { class: 'item-sub', text: d.reason ? `理由：${d.reason}` : '欠席' })));
  if (!d.editable) {
    item.append(el('span', { class: 'item-note', text: '変更はお電話で' }));
    return item;
  }
  // Back to the pattern when that weekday is a day to go; otherwise the day's dialog decides.
  const b = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'absence-cancel',
    text: weekly ? '取り消す' : '変更する' });
  b.setAttribute('aria-label', `${dayLabel(d.day)}の欠席を${weekly ? '取り消す' : '変更する'}`);
  b.addEventListener('click', () => (weekly ? cancel(child, d, b) : dayDialog.open(child, d, b, report)));
  item.append(b);
  return item;
}

async function cancel(child, d, button) {
  button.disabled = true;
  setAlert(ui.message, '');
  setAlert(ui.error, '');
  try {
    await app.call(app.path(child, `/days/${encodeURIComponent(d.day)}`), { method: 'DELETE' });
    await app.load(child, true);
    app.render();
    const now = app.dayOf(child, d.day);
    report(`${dayLabel(d.day)}の欠席を取り消しました。${now && now.status === 'attend' ? `毎週の予定のとおり出席です（${describeAttend(now, app.planOf(child, d.day).pickups) || '出席'}）。` : ''}`);
    ui.title.focus();
  } catch (err) {
    if (err.handled) return;
    button.disabled = false;
    setAlert(ui.error, explain(err, app.info(child).site));
  }
}

async function submit() {
  const child = app.current;
  if (!child) return;
  setAlert(ui.error, '');
  setAlert(ui.message, '');
  const days = [...chosen].sort();
  if (!days.length) {
    setAlert(ui.error, '休む日を選んでください。');
    const first = ui.days.querySelector('input');
    if (first) first.focus();
    return;
  }
  const r = reason.read();
  if (r.problem) { reason.invalid(r.field); setAlert(ui.error, r.problem); r.field.focus(); return; }
  ui.submit.disabled = true;
  ui.submit.textContent = '連絡しています…';
  const done = [];
  const failed = [];
  try {
    // Every chosen day is told on its own: one refused (today, after the child came and went)
    // stops none of the others (it did, and the club still expected the child on them).
    for (const day of days) {
      try {
        await app.call(app.path(child, `/days/${encodeURIComponent(day)}`), { method: 'PUT', body: { status: 'absent', reason: r.reason } });
        done.push(day);
        chosen.delete(day);
      } catch (err) {
        if (err.handled) return;
        failed.push({ day, err });
      }
    }
    await app.load(child, true).catch(() => {});
    app.render();
    if (done.length) {
      report(`${done.map(dayLabel).join('・')}の欠席をクラブに連絡しました。`);
      if (!failed.length) reason.clear();
    }
    if (failed.length) {
      const msg = document.createDocumentFragment();
      failed.forEach((f, i) => {
        if (i) msg.append(el('br'));
        msg.append(`${dayLabel(f.day)}は連絡できませんでした：`, explain(f.err, app.info(child).site));
      });
      setAlert(ui.error, msg);
    }
  } finally {
    ui.submit.disabled = false;
    ui.submit.textContent = '欠席を連絡する';
  }
  // 欠席を連絡する lost the focus while disabled: what went wrong, else what was told, takes it
  // (both by the button).
  if (app.current === child) revealAlert(failed.length ? ui.error : ui.message);
}
