// mimamori — staff accounts (/ward/users.html): the list, a new account with a random first
// password shown once, role and sites, lock and unlock, a password reset (random, shown
// once), and the retirement of an account for good (廃止: its login and password gone; listed
// last, without actions). The person changes an administrator's password at the next sign-in. A grant role
// (助成 …) is given with the one benefit it works on.
import { request, el } from '/js/api.js';
import { startShell, show, setAlert, confirmDialog, ROLE_LABEL } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { sites: [], users: [], editing: null };
let shell;

function say(msg) {
  setAlert($('message'), '');
  setAlert($('done'), msg);
}
function fail(err, node = $('message')) {
  if (shell.handleAuth(err)) return;
  setAlert($('done'), '');
  setAlert(node, err.message);
}

/** Shows a password once, in the box that says so. */
function showSecret(title, password) {
  $('secret-title').textContent = title;
  $('secret').textContent = password;
  show($('secret-box'), true);
  $('secret-box').focus();
}

function siteChecks(container, name, checked = []) {
  container.replaceChildren(...state.sites.map((s) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name, value: s.code, checked: checked.includes(s.code), 'data-testid': `${name}-${s.code}` }),
    el('span', { text: `${s.name}（${s.code}）` }))));
}
const picked = (container) => [...container.querySelectorAll('input:checked')].map((i) => i.value);

function stateBadges(u) {
  const out = [];
  if (u.retired) return [el('span', { class: 'badge badge-off', 'data-testid': 'user-retired', text: `廃止（${(u.retired_at || '').slice(0, 10)}）` })];
  if (u.locked) out.push(el('span', { class: 'badge badge-alert', text: 'ロック中' }));
  if (u.locked_out_until) out.push(el('span', { class: 'badge badge-alert', text: `ログイン失敗で一時停止（${u.locked_out_until.slice(11, 16)}まで）` }));
  if (u.must_change_password) out.push(el('span', { class: 'badge badge-warn', text: 'パスワード変更待ち' }));
  if (!out.length) out.push(el('span', { class: 'badge badge-ok', text: '有効' }));
  if (u.second_factor) out.push(el('span', { class: 'badge badge-ok', 'data-testid': 'user-2fa', text: '二段階認証' }));
  return out;
}

function render() {
  const me = shell.session.user.login;
  // accounts in use first, the retired ones last (they keep their number for the records)
  const users = [...state.users.filter((u) => !u.retired), ...state.users.filter((u) => u.retired)];
  const rows = users.map((u) => {
    const self = u.login === me;
    const actions = el('div', { class: 'actions' });
    if (u.retired) {
      return el('tr', { 'data-testid': 'user-row', 'data-login': u.login, 'data-user-id': String(u.id) },
        el('td', { class: 'cell-main', 'data-label': 'ログインID' }, '（廃止したアカウント）', el('span', { class: 'sub mono', text: `番号 ${u.id}` })),
        el('td', { 'data-label': '役割', 'data-testid': 'user-role', text: u.role_label || ROLE_LABEL[u.role] || u.role }),
        el('td', { 'data-label': '担当施設', 'data-testid': 'user-sites', text: '—' }),
        el('td', { 'data-label': '状態', 'data-testid': 'user-state' }, ...stateBadges(u)),
        el('td', { 'data-label': '操作' }, actions));
    }
    if (!self) {
      actions.append(
        el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'edit', 'data-testid': 'user-edit', 'aria-label': `役割・施設（${u.login}）`, text: '役割・施設' }),
        el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': u.locked ? 'unlock' : 'lock', 'data-testid': u.locked ? 'user-unlock' : 'user-lock', 'aria-label': `${u.login} を${u.locked ? 'ロック解除' : 'ロック'}`, text: u.locked ? 'ロック解除' : 'ロック' }));
      if (!u.locked && u.locked_out_until) {
        actions.append(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'unlock', 'data-testid': 'user-unlock', 'aria-label': `${u.login} のログイン停止を解除`, text: '停止を解除' }));
      }
    }
    actions.append(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'reset', 'data-testid': 'user-reset', 'aria-label': `パスワード再発行（${u.login}）`, text: 'パスワード再発行' }));
    // a lost phone: the authenticator removed, enrolled again at the next sign-in
    if (u.second_factor && !self) {
      actions.append(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'totp-reset', 'data-testid': 'user-totp-reset', 'aria-label': `二段階認証のリセット（${u.login}）`, text: '二段階認証のリセット' }));
    }
    // someone who no longer works with the system: for good
    if (!self) {
      actions.append(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'retire', 'data-testid': 'user-retire', 'aria-label': `${u.login} を廃止`, text: '廃止' }));
    }
    return el('tr', { 'data-testid': 'user-row', 'data-login': u.login, 'data-user-id': String(u.id) },
      el('td', { class: 'cell-main mono', 'data-label': 'ログインID' }, u.login, self ? el('span', { class: 'sub', text: '（自分）' }) : null),
      el('td', { 'data-label': '役割', 'data-testid': 'user-role', text: u.role_label || ROLE_LABEL[u.role] || u.role }),
      el('td', { 'data-label': '担当施設', 'data-testid': 'user-sites', text: placeText(u) }),
      el('td', { 'data-label': '状態', 'data-testid': 'user-state' }, ...stateBadges(u)),
      el('td', { 'data-label': '操作' }, actions));
  });
  $('rows').replaceChildren(...rows);
}

async function loadUsers() {
  const data = await request('/users');
  state.users = Array.isArray(data.users) ? data.users : [];
  render();
}

// The grant roles (助成 …) are each scoped to one benefit, chosen with the role.
const isGrant = (role) => role.startsWith('grant_');

function syncSitesGroup(roleSelect, group, benefitGroup) {
  show(group, roleSelect.value === 'site_staff');
  if (benefitGroup) show(benefitGroup, isGrant(roleSelect.value));
}

function placeText(u) {
  if (u.role === 'site_staff') return u.sites.join('、');
  if (isGrant(u.role)) return `担当の事業: ${u.benefit_label || '未設定'}`;
  return 'すべての施設';
}

async function onAdd(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  show($('secret-box'), false);
  const login = $('add-login').value.trim();
  const role = $('add-role').value;
  const sites = role === 'site_staff' ? picked($('add-sites')) : [];
  if (!/^[A-Za-z0-9._-]{2,60}$/.test(login)) {
    setAlert($('message'), 'ログインIDは2〜60文字の英数字と - _ . で入力してください。');
    $('add-login').focus();
    return;
  }
  if (role === 'site_staff' && !sites.length) {
    setAlert($('message'), '施設職員には担当する施設を1つ以上選んでください。');
    return;
  }
  try {
    const body = { login, role, sites };
    if (isGrant(role)) body.benefit = $('add-benefit').value;
    const r = await request('/users', { method: 'POST', body, csrf: shell.session.csrf });
    $('add-login').value = '';
    for (const i of $('add-sites').querySelectorAll('input:checked')) i.checked = false;
    await loadUsers();
    setAlert($('done'), '');
    showSecret(`${r.user.login}（${r.user.role_label}）を追加しました。最初のパスワード:`, r.password);
  } catch (err) {
    fail(err);
  }
}

function openEdit(u) {
  state.editing = u;
  $('edit-title').textContent = `${u.login} の役割と担当施設`;
  $('edit-role').value = u.role;
  if (u.benefit) $('edit-benefit').value = u.benefit;
  siteChecks($('edit-sites'), 'edit-site', u.sites);
  syncSitesGroup($('edit-role'), $('edit-sites-group'), $('edit-benefit-group'));
  setAlert($('edit-error'), '');
  $('edit-dialog').showModal();
  $('edit-role').focus();
}

async function onEditSave(ev) {
  ev.preventDefault();
  const u = state.editing;
  if (!u) return;
  const role = $('edit-role').value;
  const sites = role === 'site_staff' ? picked($('edit-sites')) : [];
  if (role === 'site_staff' && !sites.length) {
    setAlert($('edit-error'), '施設職員には担当する施設を1つ以上選んでください。');
    return;
  }
  try {
    const body = { role, sites };
    if (isGrant(role)) body.benefit = $('edit-benefit').value;
    await request(`/users/${u.id}`, { method: 'PATCH', body, csrf: shell.session.csrf });
    $('edit-dialog').close();
    await loadUsers();
    say(`${u.login} を「${ROLE_LABEL[role]}」にしました。`);
  } catch (err) {
    fail(err, $('edit-error'));
  }
}

async function act(u, what) {
  show($('secret-box'), false);
  try {
    if (what === 'edit') {
      openEdit(u);
    } else if (what === 'lock') {
      if (!(await confirmDialog(`${u.login} をロックします。すぐにログアウトされ、ロックを解除するまでログインできません。`, 'ロックする'))) return;
      await request(`/users/${u.id}`, { method: 'PATCH', body: { locked: true }, csrf: shell.session.csrf });
      await loadUsers();
      say(`${u.login} をロックしました。`);
    } else if (what === 'unlock') {
      await request(`/users/${u.id}`, { method: 'PATCH', body: { locked: false }, csrf: shell.session.csrf });
      await loadUsers();
      say(`${u.login} はまたログインできます。`);
    } else if (what === 'reset') {
      if (!(await confirmDialog(`${u.login} のパスワードを新しく作ります。今のパスワードは使えなくなり、ログイン中ならログアウトされます。`, '再発行する'))) return;
      const r = await request(`/users/${u.id}/password`, { method: 'POST', body: {}, csrf: shell.session.csrf });
      await loadUsers();
      setAlert($('done'), '');
      showSecret(`${u.login} の新しいパスワード:`, r.password);
    } else if (what === 'totp-reset') {
      if (!(await confirmDialog(`${u.login} の二段階認証（認証アプリと回復コード）を無効にします。本人の確認が済んでから行ってください。次のログインで登録し直します。`, 'リセットする'))) return;
      await request(`/users/${u.id}/totp-reset`, { method: 'POST', body: {}, csrf: shell.session.csrf });
      await loadUsers();
      say(`${u.login} の二段階認証をリセットしました。次のログインで登録し直します。`);
    } else if (what === 'retire') {
      if (!(await confirmDialog(`${u.login} を廃止します。ログイン名とパスワードは消え、二度とログインできません（元に戻せません）。記録の上では番号 ${u.id} として残ります。この人がもう使わないことを確かめてから行ってください。`, '廃止する'))) return;
      await request(`/users/${u.id}/retire`, { method: 'POST', body: {}, csrf: shell.session.csrf });
      await loadUsers();
      say(`${u.login} を廃止しました。`);
    }
  } catch (err) {
    fail(err);
  }
}

$('rows').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const u = state.users.find((x) => String(x.id) === b.closest('tr').dataset.userId);
  if (u) act(u, b.dataset.act);
});
$('add-form').addEventListener('submit', onAdd);
$('add-role').addEventListener('change', () => syncSitesGroup($('add-role'), $('add-sites-group'), $('add-benefit-group')));
$('edit-role').addEventListener('change', () => syncSitesGroup($('edit-role'), $('edit-sites-group'), $('edit-benefit-group')));
$('edit-form').addEventListener('submit', onEditSave);
$('edit-cancel').addEventListener('click', () => $('edit-dialog').close());

shell = startShell({
  roles: ['ward_admin'],
  deniedText: '利用者の管理は区の管理者が行います。',
  onReady: async () => {
    try {
      const data = await request('/sites');
      state.sites = Array.isArray(data.sites) ? data.sites : [];
      siteChecks($('add-sites'), 'add-site');
      syncSitesGroup($('add-role'), $('add-sites-group'), $('add-benefit-group'));
      await loadUsers();
    } catch (err) {
      fail(err);
    }
  },
});
