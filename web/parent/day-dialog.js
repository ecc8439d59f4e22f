// mimamori — guardian portal: one day's dialog. A day the club expects the child (出席, or
// already 欠席) offers 出席する / 欠席する — 欠席 is an absence notice to the club, with its
// reason; any other day offers 出席する / 予定なし. So a guardian never chooses between two
// kinds of "not going": whether the club is told follows from whether the child was expected.
import { el } from '/js/api.js';
import {
  weekdayOf, dayLabel, describeDay, describeAttended, planned, lockText, explain, WORDS,
} from './days.js';
import { show, setAlert } from './dom.js';
import { reasonFields } from './reason.js';
import { leaveOptions, pickupOptions, done } from './plan-view.js';

const $ = (id) => document.getElementById(id);
let ui;
let app;
let reason;
let open_ = null; // {child, d, opener, report} while open

/** Wires the dialog; app is parent.js's shared state. */
export function init(a) {
  app = a;
  ui = {
    dialog: $('day-dialog'), form: $('day-form'), title: $('day-title'), child: $('day-child'), now: $('day-now'),
    locked: $('day-locked'), fields: $('day-fields'), attend: $('day-attend'), absent: $('day-absent'),
    absentChoice: $('day-form').querySelector('input[value="absent"]').closest('label'),
    offChoice: $('day-form').querySelector('input[value="off"]').closest('label'),
    leave: $('day-leave'), way: $('day-way'), pickupField: $('day-pickup-field'), pickup: $('day-pickup'),
    error: $('day-error'), save: $('day-save'), reset: $('day-reset'), cancel: $('day-cancel'),
  };
  reason = reasonFields($('day-reason'), 'day');
  ui.form.addEventListener('submit', onSubmit);
  ui.form.addEventListener('change', sync);
  ui.reset.addEventListener('click', () => { if (open_ && open_.d.editable) send('DELETE', undefined); });
  ui.cancel.addEventListener('click', () => ui.dialog.close());
  ui.dialog.addEventListener('close', () => {
    const o = open_;
    open_ = null;
    // Back to the day pressed (drawn anew after a change: found by its date).
    if (!o) return;
    const again = [...document.querySelectorAll(`button[data-day="${o.d.day}"]`)].find((b) => !b.closest('[hidden]'));
    const back = again || (o.opener && o.opener.isConnected && !o.opener.closest('[hidden]') ? o.opener : null);
    if (back) back.focus();
  });
}

/** Closes the dialog when open. */
export function close() { if (ui && ui.dialog.open) ui.dialog.close(); }

function status() {
  const r = ui.form.querySelector('input[name="status"]:checked');
  return r ? r.value : null;
}
function sync() {
  const s = status();
  show(ui.attend, s === 'attend');
  show(ui.absent, s === 'absent');
  show(ui.pickupField, ui.way.value === 'pickup');
}

/** Opens day d of child; opener gets the focus back, report(text) says what was changed
 * (the plan page's status line unless given). */
export function open(child, d, opener, report = done) {
  const plan = app.planOf(child, d.day) || app.info(child);
  const pickups = plan.pickups || [];
  open_ = { child, d, opener, report };
  ui.title.textContent = `${dayLabel(d.day)}の予定`;
  ui.child.textContent = child.info.name || child.info.child_no;
  const rows = [el('dt', { text: '今の予定' }), el('dd', { 'data-testid': 'day-current', text: describeDay(d, pickups) })];
  if (d.editable) {
    rows.push(el('dt', { text: '決め方' }), el('dd', { text: d.source === 'day' ? 'この日だけ変更しています' : '毎週の予定のとおり' }));
  }
  const att = describeAttended(d);
  if (att) {
    rows.push(el('dt', { 'data-testid': 'day-attended-label', text: `${WORDS.entry}・${WORDS.exit}` }),
      el('dd', { 'data-testid': 'day-attended', text: att }));
  }
  ui.now.replaceChildren(...rows);
  setAlert(ui.error, '');

  if (!d.editable) {
    // The server's reason (a past day, Sunday, today after the deadline with the phone).
    setAlert(ui.locked, lockText(d, plan));
    show(ui.fields, false); show(ui.save, false); show(ui.reset, false);
    ui.cancel.textContent = '閉じる';
    ui.dialog.showModal();
    ui.cancel.focus();
    return;
  }
  setAlert(ui.locked, '');
  show(ui.fields, true); show(ui.save, true);
  show(ui.reset, d.source === 'day');
  ui.cancel.textContent = 'やめる';
  // 欠席 for a day the club expects the child; 予定なし for any other day.
  const expected = planned(d);
  show(ui.absentChoice, expected);
  show(ui.offChoice, !expected);

  // Defaults for 出席 come from the day, else from that weekday's pattern.
  const pattern = ((app.info(child).weekly || {})[weekdayOf(d.day)]) || {};
  for (const r of ui.form.querySelectorAll('input[name="status"]')) r.checked = r.value === d.status;
  leaveOptions(ui.leave, plan.site, d.leave || pattern.leave || null);
  ui.way.value = (d.way_home || pattern.way_home) === 'pickup' ? 'pickup' : 'alone';
  pickupOptions(ui.pickup, pickups, d.pickup_id ?? pattern.pickup_id ?? null);
  reason.set(d.status === 'absent' ? d.reason : '');
  sync();
  ui.save.disabled = false; ui.reset.disabled = false;
  ui.dialog.showModal();
  (ui.form.querySelector('input[name="status"]:checked') || ui.form.querySelector('input[name="status"]')).focus();
}

function fail(msg, field) {
  setAlert(ui.error, msg);
  if (field) { if (field.tagName !== 'INPUT' || field.type !== 'radio') field.setAttribute('aria-invalid', 'true'); field.focus(); }
}

async function onSubmit(ev) {
  ev.preventDefault();
  const o = open_;
  if (!o || !o.d.editable) return;
  const s = status();
  ui.pickup.removeAttribute('aria-invalid');
  let body;
  if (s === 'attend') {
    body = { status: s, leave: ui.leave.value, way_home: ui.way.value };
    if (body.way_home === 'pickup') {
      if (!ui.pickup.value) { fail('お迎えの人を選んでください。', ui.pickup); return; }
      body.pickup_id = Number(ui.pickup.value);
    }
  } else if (s === 'absent') {
    const r = reason.read();
    if (r.problem) { reason.invalid(r.field); fail(r.problem, r.field); return; }
    body = { status: s, reason: r.reason };
  } else if (s === 'off') {
    if (o.d.status === 'off') { ui.dialog.close(); return; } // nothing changes
    body = { status: s };
  } else {
    fail('出席するかどうかを選んでください。');
    return;
  }
  await send('PUT', body);
}

async function send(method, body) {
  const o = open_;
  setAlert(ui.error, '');
  ui.save.disabled = true; ui.reset.disabled = true;
  const label = method === 'DELETE' ? ui.reset : ui.save;
  const was = label.textContent;
  label.textContent = '送信中…';
  try {
    const day = await app.call(app.path(o.child, `/days/${encodeURIComponent(o.d.day)}`), { method, body });
    const shown = day && day.status ? day : { ...o.d, ...body };
    await app.load(o.child, true);
    if (ui.dialog.open) ui.dialog.close();
    app.render();
    const what = method === 'DELETE' ? '毎週の予定に戻しました'
      : shown.status === 'absent' ? '欠席にして、クラブに連絡しました'
        : shown.status === 'attend' ? '出席にしました' : '予定なしにしました';
    o.report(`${dayLabel(o.d.day)}を${what}。`);
  } catch (err) {
    if (err.handled) return;
    fail(explain(err, (app.planOf(o.child, o.d.day) || app.info(o.child)).site));
  } finally {
    ui.save.disabled = false; ui.reset.disabled = false;
    label.textContent = was;
  }
}
