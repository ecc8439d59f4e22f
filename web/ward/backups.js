// mimamori — backups (/ward/backups.html): the settings, the last success, the files in the
// backup directory and the runs; a backup made now. (Restoring is the operator's command.)
import { request, el } from '/js/api.js';
import { startShell, setAlert, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const HOW = { cli: 'コマンド', nightly: '夜間', screen: 'この画面' };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} バイト`;
}

function render(d) {
  $('dir').textContent = d.dir;
  $('time').textContent = d.time ? `毎日 ${d.time}` : '設定なし（mimamori.conf の [backup] time）';
  $('keep').textContent = String(d.keep);
  const last = d.last_success;
  $('last').textContent = last ? `${stamp(last.finished)}（${HOW[last.how] || last.how}、${size(last.bytes)}）` : 'まだありません';
  const files = d.files.map((f) => el('tr', { 'data-testid': 'backup-file' },
    el('td', { class: 'cell-main mono', 'data-label': 'ファイル', text: f.name }),
    el('td', { 'data-label': '大きさ', text: size(f.bytes) }),
    el('td', { 'data-label': '日時', text: stamp(f.modified) })));
  if (!files.length) files.push(el('tr', {}, el('td', { colspan: '3', text: '置き場所にバックアップはありません。' })));
  $('files').replaceChildren(...files);
  const runs = d.runs.map((r) => el('tr', { 'data-testid': 'backup-run', 'data-ok': String(r.ok) },
    el('td', { 'data-label': '開始', text: stamp(r.started) }),
    el('td', { 'data-label': '方法', text: HOW[r.how] || r.how }),
    el('td', { 'data-label': '結果' }, r.ok
      ? el('span', { class: 'badge badge-ok', text: '成功' })
      : el('span', {}, el('span', { class: 'badge badge-alert', text: '失敗' }), ` ${r.problem || ''}`)),
    el('td', { class: 'mono', 'data-label': 'ファイル', text: r.file.split('/').pop() })));
  if (!runs.length) runs.push(el('tr', {}, el('td', { colspan: '4', text: 'まだ記録はありません。' })));
  $('runs').replaceChildren(...runs);
}

async function load() {
  render(await request('/backups'));
}

async function onNow() {
  setAlert($('message'), '');
  $('now').disabled = true;
  $('now').textContent = 'バックアップしています…';
  try {
    const r = await request('/backups', { method: 'POST', body: {}, csrf: shell.session.csrf });
    await load();
    const note = r.key_made ? ' バックアップ鍵を新しく作りました。サーバーとは別の安全な場所に写しを保管してください。' : '';
    setAlert($('message'), `バックアップしました: ${r.file}（${size(r.bytes)}）。${note}`, 'ok');
  } catch (err) {
    fail(err);
  } finally {
    $('now').disabled = false;
    $('now').textContent = '今すぐバックアップする';
  }
}

$('now').addEventListener('click', onNow);

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'バックアップは区の管理者が扱います。',
  onReady: () => load().catch(fail),
});
