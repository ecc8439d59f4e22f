// mimamori — file exchange's receiving page (/exchange/inbox.html) for the ward's staff: the
// files sent to them and not yet expired, each opened with the password that came in its own
// mail (tries are limited; the server says how many remain), and the record of what happened to
// them. The file is saved through a temporary link, as a click on a download link would.
import { request, el, API, ApiError } from '/js/api.js';
import { startShell, setAlert, stamp } from '/ward/shell.js';
import { API_BASE, size, renderEvents } from '/exchange/common.js';

const $ = (id) => document.getElementById(id);
const RECEIVERS = ['ward_admin', 'ward_staff', 'grant_staff', 'grant_approver'];
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

/** The file's name from Content-Disposition (filename*=UTF-8''…), or fallback. */
function fileName(disp, fallback) {
  const m = /filename\*=UTF-8''([^;]+)/i.exec(disp || '');
  try { return m ? decodeURIComponent(m[1]) : fallback; } catch { return fallback; }
}

/** Opens file id with password and saves it; resolves to its name or throws ApiError. */
async function open(id, password, fallback) {
  let res;
  try {
    res = await fetch(`${API}${API_BASE}/files/${id}/download`, {
      method: 'POST',
      body: JSON.stringify({ password }),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': shell.session.csrf, Accept: '*/*' },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください。', null);
  }
  if (!res.ok) {
    let data = null;
    try { data = JSON.parse(await res.text()); } catch { /* keep null */ }
    throw new ApiError(res.status, data && data.message ? data.message : `開けませんでした（${res.status}）。`, data);
  }
  const blob = await res.blob();
  const name = fileName(res.headers.get('Content-Disposition'), fallback);
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}

async function load() {
  const r = await request(`${API_BASE}/files`);
  const rows = r.files.map((f) => {
    const pid = `pw-${f.id}`;
    return el('tr', { 'data-testid': 'file-row', 'data-id': String(f.id) },
      el('td', { 'data-label': '受付番号', class: 'mono', text: String(f.id) }),
      el('td', { 'data-label': 'ファイル名', text: f.name }),
      el('td', { 'data-label': '送り主', text: f.sender }),
      el('td', { 'data-label': '大きさ', class: 'num nowrap', text: size(f.size) }),
      el('td', { 'data-label': '届いた日時', class: 'nowrap', text: stamp(f.created) }),
      el('td', { 'data-label': '保存期限', class: 'nowrap', text: stamp(f.expires) }),
      el('td', { 'data-label': 'パスワードとダウンロード' },
        f.locked ? el('span', { text: 'パスワードの誤りが続いたため開けません。送り主に送り直しを頼んでください。' })
          : el('form', { class: 'ex-password', 'data-id': String(f.id), 'data-name': f.name },
            el('label', { for: pid, class: 'visually-hidden', text: `受付番号 ${f.id} のパスワード` }),
            el('input', { type: 'text', id: pid, autocomplete: 'off', spellcheck: 'false', placeholder: 'xxxx-xxxx-xxxx', 'data-testid': 'password' }),
            el('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'download', text: 'ダウンロード' }))));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '7', text: '届いているファイルはありません。' })));
  $('files-rows').replaceChildren(...rows);
  $('files-summary').textContent = `${r.files.length}件`;
  renderEvents($('events-rows'), (await request(`${API_BASE}/events`)).events);
}

$('files-rows').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target.closest('form');
  const input = form.querySelector('input');
  const button = form.querySelector('button');
  setAlert($('message'), '');
  if (!input.value.trim()) {
    setAlert($('message'), 'パスワードを入れてください。', 'error');
    input.focus();
    return;
  }
  button.disabled = true;
  try {
    const name = await open(form.dataset.id, input.value.trim(), form.dataset.name);
    setAlert($('message'), `「${name}」を保存しました。`, 'ok');
    input.value = '';
    await load();
  } catch (err) {
    fail(err);
    if (err.status === 429) await load();
  } finally {
    button.disabled = false;
  }
});

shell = startShell({
  roles: RECEIVERS,
  deniedText: 'この画面は区の職員がファイルを受け取る画面です。受託事業者は「ファイルを送る」を使ってください。',
  onReady: async () => {
    try {
      await load();
    } catch (err) {
      fail(err);
    }
  },
});
