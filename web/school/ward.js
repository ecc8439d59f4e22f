// mimamori — the ward's view of the schools' mass mail (/school/ward.html): every school with
// its registrant count (the ward sees counts, never names), the roll-over's alerts, and for the
// ward administrator the security codes, the registration letters and the school's accounts.
import { request, el } from '/js/api.js';
import { startShell, show, setAlert, tellAlert, download, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { schools: [], admin: false, usersOf: null };
let shell;

/** Shows text in the alert node where the person is: brought into view, with the focus (its
 * tabindex is -1) — the page's message sits above a table of every school, far from a button
 * in the table's last rows or the accounts' form below it. */
function say(node, text, kind) {
  tellAlert(node, text, kind);
}

function fail(err, node = $('message')) {
  if (!shell.handleAuth(err)) say(node, err.message, 'error');
}

const BASIS = { cohort: '年度更新の直前（1学年下）', last_year: '昨年度の同じ学年' };

function renderAlerts(alerts) {
  const open = alerts.filter((a) => !a.acknowledged_at);
  show($('alerts-section'), alerts.length > 0);
  $('alerts').replaceChildren(...alerts.slice(0, 50).map((a) => el('li', { 'data-testid': 'ward-alert', 'data-open': String(!a.acknowledged_at) },
    el('strong', { text: `${a.school_name} ${a.grade_label}: ` }),
    `${BASIS[a.basis] || a.basis} ${a.expected}人 → 今 ${a.actual}人（${a.year}年度、${stamp(a.raised_at)}）`,
    a.acknowledged_at ? el('span', { class: 'badge badge-off', text: '確認済み' })
      : state.admin ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-alert': String(a.id), 'data-testid': 'ward-alert-ack', text: '確認済みにする' })
        : el('span', { class: 'badge badge-alert', text: '未確認' }))));
  $('t-alerts').textContent = String(open.length);
  $('t-alerts-box').dataset.attention = String(open.length > 0);
}

function renderSchools() {
  $('code-head').hidden = !state.admin;
  $('rows').replaceChildren(...state.schools.map((s) => el('tr', { 'data-testid': 'ward-school', 'data-code': s.code },
    el('td', { class: 'cell-main', 'data-label': '学校・園' }, s.name, el('span', { class: 'sub', text: s.code })),
    el('td', { 'data-label': '種別', text: `${s.kind_label}（${s.grades}学年・${s.classes}学級）` }),
    el('td', { class: 'num', 'data-label': '登録者', 'data-testid': 'ward-school-count', text: `${s.registrants}人` }),
    state.admin ? el('td', { class: 'mono', 'data-label': 'セキュリティコード', text: s.security_code }) : null,
    el('td', { 'data-label': '操作' }, el('span', { class: 'actions' },
      el('a', { href: `/school/sender.html?school=${encodeURIComponent(s.code)}`, text: '学年・組ごと' }),
      state.admin ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-letter': s.code, 'aria-label': `${s.name}の登録案内（PDF）`, text: '登録案内' }) : null,
      state.admin ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-users': s.code, 'aria-label': `${s.name}の利用者`, text: '利用者' }) : null)))));
}

async function load() {
  const [schools, alerts] = await Promise.all([request('/schools'), request('/school-alerts')]);
  state.schools = schools.schools;
  $('t-schools').textContent = String(schools.schools.length);
  $('t-registrants').textContent = `${schools.registrants.toLocaleString('ja-JP')}人`;
  $('status').textContent = `${schools.year}年度`;
  renderSchools();
  renderAlerts(alerts.alerts);
}

async function showUsers(code) {
  const s = state.schools.find((x) => x.code === code);
  state.usersOf = s;
  const r = await request(`/schools/${encodeURIComponent(code)}/users`);
  $('users-title').textContent = `${s.name}の利用者`;
  $('users').replaceChildren(...(r.users.length ? r.users.map((u) => el('li', { 'data-testid': 'ward-user' },
    `${u.login}（${u.role_label}）`,
    u.role === 'sender' ? ` 承認済みの端末 ${u.approved_devices}台` : '',
    u.locked ? el('span', { class: 'badge badge-off', text: 'ロック中' }) : null))
    : [el('li', { text: 'まだいません。' })]));
  show($('user-secret'), false);
  show($('users-section'), true);
  return r;
}

/** Opens the accounts of the school of code (below the table), the focus on its form. */
async function openUsers(code) {
  if (state.usersOf && state.usersOf.code !== code) {
    setAlert($('user-error'), '');
    $('user-login').value = '';
    $('user-login').removeAttribute('aria-invalid');
  }
  await showUsers(code);
  $('user-login').focus();
}

$('rows').addEventListener('click', async (ev) => {
  const letter = ev.target.closest('button[data-letter]');
  const users = ev.target.closest('button[data-users]');
  try {
    if (letter) {
      const f = await download(`/schools/${encodeURIComponent(letter.dataset.letter)}/letter`);
      say($('message'), `登録案内（${f.filename}）を保存しました。`, 'ok');
    } else if (users) {
      setAlert($('message'), '');
      await openUsers(users.dataset.users);
    }
  } catch (err) {
    fail(err);
  }
});

$('alerts').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-alert]');
  if (!b) return;
  try {
    await request(`/school-alerts/${b.dataset.alert}/acknowledge`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    await load();
    // the button is gone with the list drawn again: the next one to acknowledge, or the heading
    ($('alerts').querySelector('button[data-alert]') || $('alerts-title')).focus();
  } catch (err) {
    fail(err);
  }
});

// The form's problems show beside it (#user-error), not in the page's message above the table.
$('user-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  setAlert($('message'), '');
  setAlert($('user-error'), '');
  $('user-login').removeAttribute('aria-invalid');
  const login = $('user-login').value.trim();
  if (!login) {
    say($('user-error'), 'ログインIDを入力してください。', 'error');
    $('user-login').setAttribute('aria-invalid', 'true');
    $('user-login').focus();
    return;
  }
  try {
    const s = state.usersOf;
    const r = await request(`/schools/${encodeURIComponent(s.code)}/users`, {
      method: 'POST', body: { login, role: $('user-role').value }, csrf: shell.session.csrf });
    await showUsers(s.code);
    $('user-secret-title').textContent = `${s.name}の ${r.user.login} を追加しました。`;
    $('user-password').textContent = r.password;
    show($('user-secret'), true);
    $('user-secret').scrollIntoView({ block: 'nearest' });
    $('user-secret').focus({ preventScroll: true });
    $('user-login').value = '';
  } catch (err) {
    // a login already taken (or another refusal of the form's): the field is marked
    if (err.status === 400 || err.status === 409) $('user-login').setAttribute('aria-invalid', 'true');
    fail(err, $('user-error'));
  }
});

shell = startShell({
  roles: ['ward_admin', 'ward_staff'],
  deniedText: 'この画面は区の担当者が使います。学校・園の方は「登録者」「登録者数」の画面をお使いください。',
  onReady: async (session) => {
    state.admin = session.user.role === 'ward_admin';
    try {
      await load();
    } catch (err) {
      fail(err);
    }
  },
});
