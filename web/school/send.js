// mimamori — composing and sending the schools' mass mail (/school/send.html), phones first: a
// school's administrator and its sender write to their own school, a grade or a class (chosen
// anew each time); the ward may choose several schools (a second person of the ward approves
// those). A template to start from, the recipient count before sending, a time to send at, the
// 「読みました」 confirmation, and the record of sends with counts only (delivery and reads per
// school, a re-send to those who have not read, approval for the ward); the ward keeps the
// templates here too.
import { request, el } from '/js/api.js';
import { startShell, setAlert, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { schools: [], templates: [], ward: false, role: '', pending: null };
let shell;

const STATE_LABEL = {
  awaiting_approval: '承認待ち', scheduled: '送信予約', sent: '送信済み', rejected: '却下', cancelled: '取り消し',
};
const DELIVERY_LABEL = { queued: '送信待ち', sending: '送信中', done: '配信済み', partly_failed: '一部届かず' };

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

const n = (v) => `${Number(v || 0).toLocaleString('ja-JP')}人`;

function chosenSchools() {
  if (!state.ward) return state.schools.slice(0, 1);
  return state.schools.filter((s) => $(`school-${s.code}`).checked);
}

// The grade and class choices follow the one school chosen (several schools: the whole of each).
function fillGrades() {
  const chosen = chosenSchools();
  const one = chosen.length === 1 ? chosen[0] : null;
  $('grade').replaceChildren(el('option', { value: '', text: '全学年' }),
    ...(one ? one.grade_labels.map((g) => el('option', { value: String(g.grade), text: g.label })) : []));
  $('grade').disabled = !one;
  fillClasses();
}

function fillClasses() {
  const chosen = chosenSchools();
  const one = chosen.length === 1 ? chosen[0] : null;
  const grade = $('grade').value;
  const opts = [el('option', { value: '', text: '全部の組' })];
  if (one && grade) for (let k = 1; k <= one.classes; k++) opts.push(el('option', { value: String(k), text: `${k}組` }));
  $('klass').replaceChildren(...opts);
  $('klass').disabled = !(one && grade);
}

function payload() {
  const chosen = chosenSchools();
  const grade = Number($('grade').value || 0);
  const klass = Number($('klass').value || 0);
  const targets = chosen.map((s) => {
    const t = { school: s.code };
    if (chosen.length === 1 && grade) t.grade = grade;
    if (chosen.length === 1 && grade && klass) t.class = klass;
    return t;
  });
  const p = {
    targets, subject: $('subject').value.trim(), body: $('body').value, read_confirm: $('read-confirm').checked,
  };
  if ($('at').value) p.at = $('at').value;
  return p;
}

function targetText() {
  const chosen = chosenSchools();
  if (chosen.length !== 1) return chosen.map((s) => s.name).join('、');
  const s = chosen[0];
  const g = s.grade_labels.find((x) => String(x.grade) === $('grade').value);
  return `${s.name}${g ? ` ${g.label}` : '（全体）'}${g && $('klass').value ? `${$('klass').value}組` : ''}`;
}

function resetConfirm() {
  state.pending = null;
  $('confirm').hidden = true;
}

async function preview(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  $('done').hidden = true;
  const p = payload();
  if (!p.targets.length) { setAlert($('message'), '送信先の学校・園を選んでください。', 'error'); return; }
  if (!p.subject || !p.body.trim()) { setAlert($('message'), '件名と本文を書いてください。', 'error'); return; }
  try {
    const r = await request('/school-sends/preview', { method: 'POST', body: p, csrf: shell.session.csrf });
    state.pending = p;
    const when = r.at ? `${stamp(r.at)}に` : '今すぐ';
    $('confirm-text').textContent = `${targetText()}の ${n(r.recipients)}に${when}送信します。`
      + (r.approval_required ? '複数の学校・園に送るため、区のもう1人が承認してから送られます。' : '');
    $('confirm').hidden = false;
    $('send').focus();
  } catch (err) {
    fail(err);
  }
}

async function send() {
  if (!state.pending) return;
  $('send').disabled = true;
  try {
    const r = await request('/school-sends', { method: 'POST', body: state.pending, csrf: shell.session.csrf });
    resetConfirm();
    const what = r.state === 'awaiting_approval' ? '区のもう1人の承認を待っています。'
      : r.state === 'scheduled' ? `${stamp(r.at)}に送信します。` : `${n(r.recipients)}に送信しました。`;
    $('done').textContent = `受け付けました。${what}`;
    $('done').hidden = false;
    $('subject').value = '';
    $('body').value = '';
    $('template').value = '';
    await loadSends();
  } catch (err) {
    fail(err);
  } finally {
    $('send').disabled = false;
  }
}

function chosenTemplate() {
  return state.templates.find((x) => String(x.id) === $('template').value);
}

function useTemplate() {
  const t = chosenTemplate();
  $('template-update').disabled = !t;
  $('template-delete').disabled = !t;
  if (!t) return;
  $('subject').value = t.subject;
  $('body').value = t.body;
  $('template-name').value = t.name;
  resetConfirm();
}

// The template list and its select; keeps the template of id chosen ('' for none).
async function loadTemplates(id = '') {
  state.templates = (await request('/school-templates')).templates;
  $('template').replaceChildren(el('option', { value: '', text: '使わない' }),
    ...state.templates.map((t) => el('option', { value: String(t.id), text: t.name })));
  $('template').value = state.templates.some((t) => String(t.id) === String(id)) ? String(id) : '';
  $('template-update').disabled = !$('template').value;
  $('template-delete').disabled = !$('template').value;
}

// The ward keeps the templates: the compose form's subject and body saved under a name (a new
// one, or over the chosen one), or the chosen one deleted; checked on the server like a message.
async function saveTemplate(update) {
  setAlert($('message'), '');
  $('template-done').hidden = true;
  const t = chosenTemplate();
  const body = { name: $('template-name').value.trim(), subject: $('subject').value, body: $('body').value };
  if (!body.name) {
    setAlert($('message'), 'テンプレートの名前を入力してください。', 'error');
    $('template-name').focus();
    return;
  }
  try {
    const r = update && t
      ? await request(`/school-templates/${t.id}`, { method: 'PUT', body, csrf: shell.session.csrf })
      : await request('/school-templates', { method: 'POST', body, csrf: shell.session.csrf });
    await loadTemplates(r.id);
    $('template-done').textContent = `テンプレート「${r.name}」を保存しました。`;
    $('template-done').hidden = false;
  } catch (err) {
    fail(err);
  }
}

async function deleteTemplate() {
  const t = chosenTemplate();
  if (!t) return;
  setAlert($('message'), '');
  $('template-done').hidden = true;
  try {
    await request(`/school-templates/${t.id}`, { method: 'DELETE', csrf: shell.session.csrf });
    await loadTemplates();
    $('template-name').value = '';
    $('template-done').textContent = `テンプレート「${t.name}」を削除しました。`;
    $('template-done').hidden = false;
  } catch (err) {
    fail(err);
  }
}

function counts(s) {
  const parts = [`送信先 ${n(s.state === 'sent' ? s.recipients : s.audience ?? s.recipients)}`];
  if (s.state === 'sent') {
    parts.push(`届いた ${n(s.sent)}`);
    if (s.failed) parts.push(`届かず ${n(s.failed)}`);
    if (s.read_confirm) parts.push(`読みました ${n(s.reads)}`, `未確認 ${n(s.unread)}`);
  }
  return parts.join('・');
}

async function act(id, verb, okText, pressed) {
  setAlert($('message'), '');
  // One press, one request: the list is drawn again afterwards.
  if (pressed) pressed.disabled = true;
  try {
    await request(`/school-sends/${id}/${verb}`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    $('done').textContent = okText;
    $('done').hidden = false;
    await loadSends();
  } catch (err) {
    if (pressed) pressed.disabled = false;
    fail(err);
  }
}

async function perSchool(details, id) {
  if (!details.open || details.dataset.loaded) return;
  try {
    const r = await request(`/school-sends/${id}`);
    details.dataset.loaded = '1';
    const rows = r.schools.map((x) => el('tr', {},
      el('td', { class: 'cell-main', 'data-label': '学校・園', text: x.name || x.school }),
      el('td', { class: 'num', 'data-label': '送信先', text: n(x.recipients) }),
      el('td', { class: 'num', 'data-label': '届いた', text: n(x.sent) }),
      el('td', { class: 'num', 'data-label': '届かず', text: n(x.failed) }),
      el('td', { class: 'num', 'data-label': '読みました', text: r.read_confirm ? n(x.reads) : '—' })));
    details.append(rows.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'data-table stack', 'data-testid': 'send-schools-table' },
      el('caption', { class: 'visually-hidden', text: '学校・園ごとの配信状況' }),
      el('thead', {}, el('tr', {}, ...['学校・園', '送信先', '届いた', '届かず', '読みました'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows)))
      : el('p', { class: 'muted', text: 'まだ送信していません。' }));
  } catch (err) {
    fail(err);
  }
}

// A button that runs fn when pressed (listeners, not attributes: the CSP allows no inline code).
function button(attrs, fn) {
  const b = el('button', { type: 'button', ...attrs });
  b.addEventListener('click', () => fn(b));
  return b;
}

function sendItem(s) {
  const actions = [];
  if (s.state === 'awaiting_approval' && state.ward && !s.mine) {
    actions.push(button({ class: 'btn btn-small', 'data-testid': 'send-approve', text: '承認して送信' }, (b) => act(s.id, 'approve', '承認して送信しました。', b)),
      button({ class: 'btn btn-secondary btn-small', 'data-testid': 'send-reject', text: '却下する' }, (b) => act(s.id, 'reject', '却下しました。', b)));
  }
  if ((s.state === 'awaiting_approval' || s.state === 'scheduled') && (s.mine || state.role === 'ward_admin')) {
    actions.push(button({ class: 'btn btn-secondary btn-small', 'data-testid': 'send-cancel', text: '取り消す' }, (b) => act(s.id, 'cancel', '取り消しました。', b)));
  }
  // A re-send once the mail has all gone (the server refuses one while any is still going out).
  if (s.state === 'sent' && s.read_confirm && s.unread > 0 && (s.delivery === 'done' || s.delivery === 'partly_failed')) {
    actions.push(button({ class: 'btn btn-secondary btn-small', 'data-testid': 'send-resend', text: `未確認の${n(s.unread)}に再送` }, (b) => act(s.id, 'resend', '未確認の方に再送しました。', b)));
  }
  const details = el('details', { class: 'per-school' }, el('summary', { text: '学校・園ごとの配信状況' }));
  details.addEventListener('toggle', () => perSchool(details, s.id));
  const label = s.state === 'sent' ? (DELIVERY_LABEL[s.delivery] || STATE_LABEL.sent) : (STATE_LABEL[s.state] || s.state);
  return el('li', { class: 'send-item', 'data-testid': 'send-item', 'data-state': s.state },
    el('p', { class: 'send-subject' }, el('strong', { text: s.subject }), ' ', el('span', { class: `badge${s.state === 'awaiting_approval' ? ' badge-alert' : ''}`, text: label })),
    el('p', { class: 'small', text: `${s.targets.map((t) => t.label).join('、')}（${stamp(s.at || s.created)}）` }),
    el('p', { class: 'small', 'data-testid': 'send-counts', text: counts(s) }),
    s.author ? el('p', { class: 'small muted', text: `作成 ${s.author}${s.approver ? `・承認 ${s.approver}` : ''}` }) : null,
    actions.length ? el('div', { class: 'actions' }, ...actions) : null,
    details);
}

async function loadSends() {
  const r = await request('/school-sends');
  $('sends').replaceChildren(...r.sends.map(sendItem));
  $('none').hidden = r.sends.length > 0;
}

shell = startShell({
  roles: ['sender', 'school_admin', 'ward_admin', 'ward_staff'],
  deniedText: 'この画面は、学校・園の職員と区の担当者が使います。',
  loginNote: '送信者（校長・副校長）は、区が承認した端末からだけログインできます。',
  onReady: async (me) => {
    try {
      state.role = me && me.user ? me.user.role : '';
      state.ward = state.role === 'ward_admin' || state.role === 'ward_staff';
      const [schools] = await Promise.all([request('/schools'), loadTemplates()]);
      state.schools = schools.schools;
      if (state.ward) {
        $('templates-card').hidden = false;
        $('template-new').addEventListener('click', () => saveTemplate(false));
        $('template-update').addEventListener('click', () => saveTemplate(true));
        $('template-delete').addEventListener('click', deleteTemplate);
        $('schools').replaceChildren(...state.schools.map((s) => el('div', { class: 'check' },
          el('input', { type: 'checkbox', id: `school-${s.code}`, value: s.code }),
          el('label', { for: `school-${s.code}`, text: `${s.name}（${n(s.registrants)}）` }))));
        $('schools-wrap').hidden = false;
        $('schools').addEventListener('change', () => { fillGrades(); resetConfirm(); });
        $('scope').textContent = '区の担当者（すべての学校・園）';
      } else if (state.schools.length) {
        $('scope').textContent = state.schools[0].name;
      }
      fillGrades();
      $('grade').addEventListener('change', () => { fillClasses(); resetConfirm(); });
      $('klass').addEventListener('change', resetConfirm);
      for (const id of ['subject', 'body', 'read-confirm', 'at']) $(id).addEventListener('input', resetConfirm);
      $('template').addEventListener('change', useTemplate);
      $('compose').addEventListener('submit', preview);
      $('send').addEventListener('click', send);
      $('back').addEventListener('click', () => { resetConfirm(); $('subject').focus(); });
      await loadSends();
    } catch (err) {
      fail(err);
    }
  },
});
