// mimamori — course sign-up's staff page (/course/staff.html, course_staff): the courses with
// their sessions and how full each is; a new course with its sessions; one course — its
// sessions (add, change, cancel: the people concerned are mailed and the waitlist moves up),
// the attendance list of a session (PDF for the facilitator, in the handover ledger), the
// roster with each person's choices, and the erasure of the sign-ups once the course is over.
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, download } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/course';
const STATE = { booked: '参加', waiting: 'キャンセル待ち', off: '—', cancelled: 'キャンセル' };
let shell;
let courses = [];
let current = null;

const post = (path, body = {}) => request(BASE + path, { method: 'POST', body, csrf: shell.session.csrf });
function fail(node, err) {
  if (!shell.handleAuth(err)) setAlert(node, err.message, 'error');
}

function courseState(c) {
  if (c.erased) return '申込を消去済み';
  if (c.ended) return '終了（消去できます）';
  return c.open ? '受付中' : '受付停止';
}

function renderList() {
  $('courses').replaceChildren(...courses.map((c) => {
    const open = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': `open-${c.id}`, text: '開く' });
    open.addEventListener('click', () => openCourse(c.id));
    return el('tr', {}, el('td', { class: 'cell-main', 'data-label': '講座名', text: c.title }),
      el('td', { 'data-label': '開催回', text: `${c.sessions.length}回` }),
      el('td', { 'data-label': '申込', text: `${c.signups}人` }),
      el('td', { 'data-label': '状態', text: courseState(c) }), el('td', { class: 'cell-main' }, open));
  }));
  if (!courses.length) $('courses').replaceChildren(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: 'まだ講座がありません。下の「講座を作る」から作ります。' })));
}

async function loadList() {
  courses = (await request(BASE + '/courses')).courses;
  renderList();
}

function editSession(s) {
  $('sf-id').value = String(s.id);
  $('sf-date').value = s.date;
  $('sf-start').value = s.start;
  $('sf-end').value = s.end;
  $('sf-place').value = s.place;
  $('sf-capacity').value = String(s.capacity);
  $('sf-submit').textContent = 'この回を変更';
  $('sf-cancel').hidden = false;
  $('sf-date').focus();
}
function resetSessionForm() {
  for (const id of ['sf-id', 'sf-date', 'sf-start', 'sf-end', 'sf-place', 'sf-capacity']) $(id).value = '';
  $('sf-submit').textContent = '回を追加';
  $('sf-cancel').hidden = true;
}

function renderDetail(c) {
  current = c;
  $('detail-title').textContent = c.title;
  $('detail-info').textContent = `問い合わせ先: ${c.contact}　申込 ${c.signups}人　${courseState(c)}`;
  const names = Object.fromEntries(c.sessions.map((s) => [s.id, s.label]));
  $('sessions').replaceChildren(...c.sessions.map((s) => {
    const acts = el('div', { class: 'session-actions' });
    const pdf = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': `pdf-${s.id}`, text: '出席簿PDF' });
    pdf.addEventListener('click', async () => {
      try {
        const d = await download(`${BASE}/sessions/${s.id}/attendance`);
        setAlert($('detail-message'), `出席簿を保存しました（${d.filename}、受け渡し台帳 ${d.ledgerId}）。`, 'ok');
      } catch (err) { fail($('detail-message'), err); }
    });
    acts.append(pdf);
    if (s.state === 'open' && !c.erased) {
      const edit = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': `edit-${s.id}`, text: '変更' });
      edit.addEventListener('click', () => editSession(s));
      const cancel = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': `cancel-${s.id}`, text: '中止' });
      cancel.addEventListener('click', async () => {
        if (!await confirmDialog(`${s.label} の回を中止します。申込んだ人にメールで知らせ、ほかに希望の回があればそちらに案内します。`, '中止する')) return;
        try {
          const r = await post(`/sessions/${s.id}/cancel`);
          renderDetail(await request(`${BASE}/courses/${c.id}`));
          setAlert($('detail-message'), `中止しました。${r.told}人にメールで知らせました。`, 'ok');
          loadList();
        } catch (err) { fail($('detail-message'), err); }
      });
      acts.append(edit, cancel);
    }
    return el('tr', {}, el('td', { class: 'cell-main', 'data-label': '日時', text: s.label }),
      el('td', { 'data-label': '会場', text: s.place }),
      el('td', { 'data-label': '定員', text: `${s.capacity}人` }),
      el('td', { 'data-label': '参加', text: `${s.booked}人` }),
      el('td', { 'data-label': '待ち', text: `${s.waiting}人` }),
      el('td', { 'data-label': '状態', text: s.state === 'open' ? (s.over ? '終了' : '開催予定') : '中止' }),
      el('td', { class: 'cell-main' }, acts));
  }));
  $('roster').replaceChildren(...c.roster.map((p) => el('tr', {},
    el('td', { class: 'cell-main', 'data-label': '氏名', text: p.cancelled ? `${p.name}（キャンセル）` : p.name }),
    el('td', { 'data-label': '連絡先' }, el('div', {}, el('div', { class: 'mono', text: p.email }), el('div', { text: p.phone }))),
    el('td', { 'data-label': '子の年齢', text: p.age_label }),
    el('td', { 'data-label': '希望と状況' }, el('div', {}, ...p.choices.map((x) => el('div', {},
      `第${x.pref}希望 ${names[x.session] || ''} `,
      el('span', { class: `roster-state ${x.state}`, text: x.state === 'waiting' ? `キャンセル待ち${x.position}番目` : STATE[x.state] }))))))));
  if (!c.roster.length) $('roster').replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'muted', text: c.erased ? '申込者の情報は消去しました。' : 'まだ申込がありません。' })));
  $('open-toggle').textContent = c.open ? '申込の受付を止める' : '申込の受付を再開する';
  $('open-toggle').hidden = c.erased;
  $('erase').disabled = !c.ended || c.erased;
  $('session-form').hidden = c.erased;
  resetSessionForm();
  $('detail').hidden = false;
}

async function openCourse(id) {
  try {
    setAlert($('detail-message'), '');
    renderDetail(await request(`${BASE}/courses/${id}`));
    $('detail-title').focus();
  } catch (err) { fail($('message'), err); }
}

function sessionRow(n) {
  const f = (name, label, attrs) => el('div', { class: 'field' }, el('label', { for: `ns-${n}-${name}`, text: label }),
    el('input', { id: `ns-${n}-${name}`, 'data-testid': `ns-${n}-${name}`, ...attrs }));
  return el('fieldset', { class: 'new-session', 'data-row': String(n) }, el('legend', { text: `${n}回目` }),
    f('date', '開催日', { type: 'date' }), f('start', '開始', { type: 'time', value: '10:00' }),
    f('end', '終了', { type: 'time', value: '12:00' }), f('place', '会場', { type: 'text', maxlength: '80' }),
    f('capacity', '定員', { type: 'number', min: '1', max: '500', value: '10' }));
}

shell = startShell({
  roles: ['course_staff'],
  deniedText: '講座の申込の画面は、講座の担当者が使います。',
  loginNote: '講座の担当者のログインIDとパスワードでログインします。',
  onReady: async () => {
    let rows = 1;
    $('nc-sessions').append(sessionRow(rows));
    $('nc-add').addEventListener('click', () => { rows += 1; $('nc-sessions').append(sessionRow(rows)); $(`ns-${rows}-date`).focus(); });
    $('course-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const sessions = [...$('nc-sessions').querySelectorAll('[data-row]')].map((r) => {
        const v = (k) => $(`ns-${r.dataset.row}-${k}`).value;
        return { date: v('date'), start: v('start'), end: v('end'), place: v('place').trim(), capacity: Number(v('capacity')) };
      });
      try {
        const c = await post('/courses', { title: $('nc-title').value.trim(), description: $('nc-description').value.trim(), contact: $('nc-contact').value.trim(), sessions });
        $('course-form').reset();
        $('nc-sessions').replaceChildren(sessionRow(1));
        rows = 1;
        await loadList();
        await openCourse(c.id);
        setAlert($('detail-message'), '講座を作りました。申込のページに表示されます。', 'ok');
      } catch (err) { fail($('message'), err); }
    });
    $('sf-cancel').addEventListener('click', resetSessionForm);
    $('session-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { date: $('sf-date').value, start: $('sf-start').value, end: $('sf-end').value, place: $('sf-place').value.trim(), capacity: Number($('sf-capacity').value) };
      const id = $('sf-id').value;
      try {
        const r = id
          ? await request(`${BASE}/sessions/${id}`, { method: 'PUT', body, csrf: shell.session.csrf })
          : await post(`/courses/${current.id}/sessions`, body);
        renderDetail(await request(`${BASE}/courses/${current.id}`));
        setAlert($('detail-message'), id ? `変更しました（${r.mails}通のお知らせ）。` : '回を追加しました。', 'ok');
        loadList();
      } catch (err) { fail($('detail-message'), err); }
    });
    $('open-toggle').addEventListener('click', async () => {
      const c = current;
      try {
        await request(`${BASE}/courses/${c.id}`, { method: 'PUT', csrf: shell.session.csrf, body: { title: c.title, description: c.description, contact: c.contact, open: !c.open } });
        renderDetail(await request(`${BASE}/courses/${c.id}`));
        setAlert($('detail-message'), c.open ? '申込の受付を止めました（申込のページに出なくなります）。' : '申込の受付を再開しました。', 'ok');
        loadList();
      } catch (err) { fail($('detail-message'), err); }
    });
    $('erase').addEventListener('click', async () => {
      if (!await confirmDialog(`「${current.title}」の申込者の氏名・連絡先をすべて消去します。元に戻せません。`, '消去する')) return;
      try {
        const r = await post(`/courses/${current.id}/erase`);
        renderDetail(await request(`${BASE}/courses/${current.id}`));
        setAlert($('detail-message'), `申込 ${r.erased_signups}件を消去しました。`, 'ok');
        loadList();
      } catch (err) { fail($('detail-message'), err); }
    });
    try { await loadList(); } catch (err) { fail($('message'), err); }
  },
});
