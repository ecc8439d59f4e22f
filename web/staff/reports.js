// mimamori — reports (/staff/reports.html): the daily list of a site (PDF, XLSX, CSV in UTF-8 or
// CP932) for staff of that site and the ward, the ward's monthly usage (XLSX, CSV, PDF) for the
// ward's roles, and the handover ledger for the ward admin. Every download is recorded in the
// ledger by the server before it is sent.
import { request, el } from '/js/api.js';
import { startShell, show, setAlert, fillSites, download, stamp, todayJst } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const WARD = ['ward_admin', 'ward_staff'];
const FORMAT = { pdf: 'PDF', xlsx: 'Excel（XLSX）', csv: 'CSV', cp932: 'CSV（Shift_JIS）' };
let shell;
let busy = false;

function fail(err) {
  if (shell.handleAuth(err)) return;
  setAlert($('result'), '');
  setAlert($('message'), err.message);
}

/** A ledger's content ("daily G01 2026-11-23 csv cp932") said in Japanese. */
function describe(content) {
  let m = /^daily (\S+) (\S+) (\S+)( cp932)?$/.exec(content);
  if (m) return `日次出欠一覧 ${m[1]} ${m[2]} ${FORMAT[m[4] ? 'cp932' : m[3]] || m[3]}`;
  m = /^monthly (\S+) (\S+)$/.exec(content);
  if (m) return `月次利用実績 ${m[1]} ${FORMAT[m[2]] || m[2]}`;
  m = /^cards (\S+) pdf( \(chosen children\))?$/.exec(content);
  if (m) return `カード印刷 ${m[1]}${m[2] ? '（選んだ児童）' : ''}`;
  return content;
}

function size(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`;
}

async function loadLedger() {
  const data = await request('/ledger');
  const all = Array.isArray(data.ledger) ? data.ledger : [];
  const newest = all.slice(-200).reverse();
  $('ledger-count').textContent = all.length > newest.length
    ? `全${all.length}件のうち新しい${newest.length}件` : `全${all.length}件`;
  const rows = newest.map((e) => el('tr', { 'data-testid': 'ledger-row', 'data-ledger-id': String(e.id) },
    el('td', { 'data-label': 'No.', text: String(e.id) }),
    el('td', { 'data-label': '日時', text: stamp(e.at) }),
    el('td', { 'data-label': '出力者', text: e.login ? e.login : e.actor === 'cli' ? 'コマンド（cli）' : e.actor }),
    el('td', { class: 'cell-main', 'data-label': '内容', 'data-testid': 'ledger-content' }, describe(e.content),
      e.lossy ? el('span', { class: 'sub', text: `置き換えのあった行 ${e.lossy}` }) : null),
    el('td', { class: 'num', 'data-label': '件数', text: String(e.records) }),
    el('td', { class: 'num', 'data-label': '大きさ', text: size(e.bytes) }),
    el('td', { class: 'mono small', 'data-label': 'BLAKE2b-256', text: e.blake2b_256 })));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '7', text: 'まだ出力はありません。' })));
  $('ledger-rows').replaceChildren(...rows);
}

async function get(path, what) {
  if (busy) return;
  busy = true;
  setAlert($('message'), '');
  setAlert($('result'), `${what}を作成しています…`);
  try {
    const got = await download(path);
    const parts = [`${what}をダウンロードしました: ${got.filename}（${size(got.bytes)}、受け渡し台帳 No. ${got.ledgerId}）。`];
    if (got.lossyRows) {
      parts.push(`Shift_JIS にない文字を含む行が ${got.lossyRows} 行あり、その文字を「〓」にしました: ${got.lossy}`);
    }
    setAlert($('result'), parts.join(' '));
    if (!$('ledger').hidden) await loadLedger();
  } catch (err) {
    fail(err);
  } finally {
    busy = false;
  }
}

function onDaily(fmt) {
  const site = $('daily-site').value;
  const date = $('daily-date').value;
  if (!site) {
    setAlert($('message'), '施設を選んでください。');
    $('daily-site').focus();
    return;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    setAlert($('message'), '日付を選んでください。');
    $('daily-date').focus();
    return;
  }
  const enc = fmt === 'csv' ? document.querySelector('input[name="daily-encoding"]:checked').value : null;
  const q = `date=${date}&format=${fmt}${enc === 'cp932' ? '&encoding=cp932' : ''}`;
  get(`/sites/${encodeURIComponent(site)}/reports/daily?${q}`, `日次出欠一覧（${FORMAT[enc === 'cp932' ? 'cp932' : fmt]}）`);
}

function onMonthly(fmt) {
  const month = $('monthly-month').value;
  if (!/^\d{4}-\d{2}$/.test(month)) {
    setAlert($('message'), '月を選んでください。');
    $('monthly-month').focus();
    return;
  }
  get(`/reports/monthly?month=${month}&format=${fmt}`, `月次利用実績（${FORMAT[fmt]}）`);
}

for (const b of document.querySelectorAll('[data-daily]')) b.addEventListener('click', () => onDaily(b.dataset.daily));
for (const b of document.querySelectorAll('[data-monthly]')) b.addEventListener('click', () => onMonthly(b.dataset.monthly));
for (const f of ['daily-form', 'monthly-form']) $(f).addEventListener('submit', (ev) => ev.preventDefault());
$('ledger-refresh').addEventListener('click', () => loadLedger().catch(fail));

shell = startShell({
  roles: ['ward_admin', 'ward_staff', 'site_staff'],
  deniedText: '帳票は区の管理者・区職員と施設職員が出力します。',
  onReady: async (session) => {
    const role = session.user.role;
    const today = todayJst();
    $('daily-date').value = today;
    $('daily-date').max = today;
    $('monthly-month').value = today.slice(0, 7);
    show($('monthly-form'), WARD.includes(role));
    show($('ledger'), role === 'ward_admin');
    try {
      const data = await request('/sites');
      const sites = Array.isArray(data.sites) ? data.sites : [];
      fillSites($('daily-site'), sites, sites.length > 1 ? '施設を選んでください' : null);
      const wanted = new URLSearchParams(location.hash.slice(1)).get('site');
      if (wanted && sites.some((s) => s.code === wanted)) $('daily-site').value = wanted;
      if (role === 'ward_admin') await loadLedger();
    } catch (err) {
      fail(err);
    }
  },
});
