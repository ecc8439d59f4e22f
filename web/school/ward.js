// mimamori — the ward's view of the schools' mass mail (/school/ward.html): every school with
// its registrant count (the ward sees counts, never names), the roll-over's alerts, and for the
// ward administrator the security codes, the registration letters and the school's accounts.
import { request, el } from '/js/api.js';
import { startShell, show, setAlert, download, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { schools: [], admin: false, usersOf: null };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
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
  $('user-login').focus();
}

$('rows').addEventListener('click', async (ev) => {
  const letter = ev.target.closest('button[data-letter]');
  const users = ev.target.closest('button[data-users]');
  try {
    if (letter) {
      const f = await download(`/schools/${encodeURIComponent(letter.dataset.letter)}/letter`);
      setAlert($('message'), `登録案内（${f.filename}）を保存しました。`, 'ok');
    } else if (users) {
      await showUsers(users.dataset.users);
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
  } catch (err) {
    fail(err);
  }
});

$('user-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const login = $('user-login').value.trim();
  if (!login) {
    setAlert($('message'), 'ログインIDを入力してください。', 'error');
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
    $('user-secret').focus();
    $('user-login').value = '';
  } catch (err) {
    fail(err);
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
