// mimamori — file exchange's sending page (/exchange/send.html) for the contractors (the clubs'
// contractor, the benefits' operators and supervisors): choose a member of the ward's staff, a
// file and how long it is kept; the file goes up as the request's body (scanned and sealed on
// the server), and the recipient gets the link and the password in two mails. Below: the files
// sent and not yet expired (withdraw one), and the record of what happened to them.
import { request, el, API, ApiError } from '/js/api.js';
import { startShell, setAlert, confirmDialog, stamp } from '/ward/shell.js';
import { API_BASE, size, renderEvents } from '/exchange/common.js';

const $ = (id) => document.getElementById(id);
const SENDERS = ['contractor', 'grant_operator', 'grant_supervisor'];
const DAYS = [1, 3, 7, 14, 30, 90];
const state = { maxBytes: 0, maxDays: 14 };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

/** Uploads file to recipient `to` for days; resolves to the answer ({id}) or throws ApiError. */
async function upload(file, to, days) {
  const q = new URLSearchParams({ to, days: String(days), name: file.name });
  let res;
  try {
    res = await fetch(`${API}${API_BASE}/files?${q}`, {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': shell.session.csrf, Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください。', null);
  }
  let data = null;
  try { data = JSON.parse(await res.text()); } catch { /* keep null */ }
  if (!res.ok) {
    const msg = data && data.message ? data.message : `送れませんでした（${res.status}）。`;
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

async function loadRecipients() {
  const r = await request(`${API_BASE}/recipients`);
  const sel = $('to');
  sel.replaceChildren(el('option', { value: '', text: '選んでください' }),
    ...r.recipients.map((x) => el('option', { value: String(x.id), text: `${x.name}${x.dept ? `（${x.dept}）` : ''}` })));
}

async function loadFiles() {
  const r = await request(`${API_BASE}/files`);
  state.maxBytes = r.max_bytes;
  state.maxDays = r.max_days;
  $('file-hint').textContent = `${size(r.max_bytes)}まで。送る前にウイルス検査をします。`;
  const days = $('days');
  if (!days.options.length) {
    days.replaceChildren(...DAYS.filter((d) => d <= r.max_days).map((d) => el('option', { value: String(d), text: `${d}日`, selected: d === Math.min(7, r.max_days) })));
  }
  const rows = r.files.map((f) => el('tr', { 'data-testid': 'file-row', 'data-id': String(f.id) },
    el('td', { 'data-label': '受付番号', class: 'mono', text: String(f.id) }),
    el('td', { 'data-label': 'ファイル名', text: f.name }),
    el('td', { 'data-label': '宛先', text: f.recipient }),
    el('td', { 'data-label': '大きさ', class: 'num nowrap', text: size(f.size) }),
    el('td', { 'data-label': '送った日時', class: 'nowrap', text: stamp(f.created) }),
    el('td', { 'data-label': '保存期限', class: 'nowrap', text: stamp(f.expires) }),
    el('td', { 'data-label': 'ダウンロード', class: 'num', text: `${f.downloads}回` }),
    el('td', { 'data-label': '状態', text: f.locked ? 'ロック（パスワードの誤りが続いた）' : (f.downloads ? '受け取り済み' : '未受け取り') }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'withdraw', 'data-id': String(f.id), 'aria-label': `取り消す（受付番号 ${f.id}、${f.name}）`, text: '取り消す' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '9', text: '保存期限内の送ったファイルはありません。' })));
  $('files-rows').replaceChildren(...rows);
  $('files-summary').textContent = `${r.files.length}件`;
  renderEvents($('events-rows'), (await request(`${API_BASE}/events`)).events);
}

$('send-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  setAlert($('message'), '');
  $('send-result').hidden = true;
  const file = $('file').files[0];
  const to = $('to').value;
  if (!to) { setAlert($('message'), '宛先を選んでください。', 'error'); $('to').focus(); return; }
  if (!file) { setAlert($('message'), 'ファイルを選んでください。', 'error'); $('file').focus(); return; }
  if (file.size > state.maxBytes) {
    setAlert($('message'), `ファイルが大きすぎます（${size(state.maxBytes)}まで）。`, 'error');
    return;
  }
  $('send-button').disabled = true;
  try {
    const r = await upload(file, to, $('days').value);
    const res = $('send-result');
    res.textContent = `受付番号 ${r.id} で送りました。宛先のかたには、受け取りの案内とパスワードが別々のメールで届きます。`;
    res.hidden = false;
    $('send-form').reset();
    await loadFiles();
  } catch (err) {
    fail(err);
  } finally {
    $('send-button').disabled = false;
  }
});

$('files-rows').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="withdraw"]');
  if (!b) return;
  if (!(await confirmDialog(`受付番号 ${b.dataset.id} のファイルを取り消して消去します。元に戻せません。`, '取り消して消去'))) return;
  try {
    await request(`${API_BASE}/files/${b.dataset.id}`, { method: 'DELETE', csrf: shell.session.csrf });
    await loadFiles();
  } catch (err) {
    fail(err);
  }
});

shell = startShell({
  roles: SENDERS,
  deniedText: 'この画面は受託事業者がファイルを送る画面です。区の職員は「受け取ったファイル」を使ってください。',
  onReady: async () => {
    try {
      await loadRecipients();
      await loadFiles();
    } catch (err) {
      fail(err);
    }
  },
});
