// mimamori — file exchange's page for the ward's administrator (/exchange/admin.html): the
// members of the ward's staff who receive files (their name, department and the mail address the
// link and the password go to), the files not yet expired (withdraw one), and the record of
// every upload, download, wrong password, lock and deletion.
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, stamp } from '/ward/shell.js';
import { API_BASE, size, renderEvents } from '/exchange/common.js';

const $ = (id) => document.getElementById(id);
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

async function loadRecipients() {
  const r = await request(`${API_BASE}/recipients`);
  const rows = r.recipients.map((x) => el('tr', { 'data-testid': 'recipient-row' },
    el('td', { 'data-label': 'ログインID', class: 'mono', text: x.login }),
    el('td', { 'data-label': '氏名', text: x.name }),
    el('td', { 'data-label': '所属', text: x.dept || '' }),
    el('td', { 'data-label': 'メールアドレス', text: x.mail }),
    el('td', { 'data-label': '状態', text: x.active ? '受け取る' : '停止中' })));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '5', text: 'まだ登録はありません。' })));
  $('recipients-rows').replaceChildren(...rows);
}

async function loadFiles() {
  const r = await request(`${API_BASE}/files`);
  const rows = r.files.map((f) => el('tr', { 'data-testid': 'file-row', 'data-id': String(f.id) },
    el('td', { 'data-label': '受付番号', class: 'mono', text: String(f.id) }),
    el('td', { 'data-label': 'ファイル名', text: f.name }),
    el('td', { 'data-label': '送り主', text: f.sender }),
    el('td', { 'data-label': '宛先', text: f.recipient }),
    el('td', { 'data-label': '大きさ', class: 'num nowrap', text: size(f.size) }),
    el('td', { 'data-label': '送った日時', class: 'nowrap', text: stamp(f.created) }),
    el('td', { 'data-label': '保存期限', class: 'nowrap', text: stamp(f.expires) }),
    el('td', { 'data-label': 'ダウンロード', class: 'num', text: `${f.downloads}回` }),
    el('td', { 'data-label': '状態', text: f.locked ? 'ロック' : `パスワードの誤り ${f.failures}回` }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'withdraw', 'data-id': String(f.id), 'aria-label': `消去（受付番号 ${f.id}）`, text: '消去' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '10', text: '保存期限内のファイルはありません。' })));
  $('files-rows').replaceChildren(...rows);
  $('files-summary').textContent = `${r.files.length}件`;
  renderEvents($('events-rows'), (await request(`${API_BASE}/events`)).events);
}

$('recipient-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  setAlert($('message'), '');
  $('recipient-result').hidden = true;
  const body = {
    login: $('r-login').value.trim(), name: $('r-name').value.trim(), dept: $('r-dept').value.trim(),
    mail: $('r-mail').value.trim(), active: $('r-active').checked,
  };
  try {
    await request(`${API_BASE}/recipients`, { method: 'POST', body, csrf: shell.session.csrf });
    $('recipient-result').textContent = `${body.login} を${body.active ? '宛先に登録しました' : '宛先から外しました'}。`;
    $('recipient-result').hidden = false;
    $('recipient-form').reset();
    await loadRecipients();
  } catch (err) {
    fail(err);
  }
});

$('files-rows').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="withdraw"]');
  if (!b) return;
  if (!(await confirmDialog(`受付番号 ${b.dataset.id} のファイルを消去します。元に戻せません。`, '消去する'))) return;
  try {
    await request(`${API_BASE}/files/${b.dataset.id}`, { method: 'DELETE', csrf: shell.session.csrf });
    await loadFiles();
  } catch (err) {
    fail(err);
  }
});

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'この画面は区の管理者だけが使えます。',
  onReady: async () => {
    try {
      await loadRecipients();
      await loadFiles();
    } catch (err) {
      fail(err);
    }
  },
});
