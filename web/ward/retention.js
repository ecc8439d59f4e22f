// mimamori — retention (/ward/retention.html): the periods in effect with the last run's counts,
// the audit log's pruning, and the monthly analysis of the audit log per staff user.
import { request, el } from '/js/api.js';
import { startShell, setAlert } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
let shell;

const fmt = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit',
});
const dayFmt = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' });

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function renderPeriods(data) {
  const rows = (data.periods || []).map((p) => el('tr', { 'data-testid': 'retention-row', 'data-key': p.key },
    el('td', { class: 'cell-main', 'data-label': '記録の種類', text: p.label }),
    el('td', { 'data-label': '保存期間', text: `${p.days} 日` }),
    el('td', { 'data-label': '前回削除した件数', text: p.last_count === undefined || p.last_count === null ? '—' : `${p.last_count} 件` })));
  $('periods').replaceChildren(...rows);
  $('last-run').textContent = data.last
    ? `前回の処理: ${fmt.format(new Date(data.last.at_ms))}`
    : 'まだ一度も処理していません（サーバーが毎日行います）。';
  let audit = `監査ログは ${data.audit_months} か月分を残し、それより前の月をまとめて削除します。`;
  if (data.last) audit += `前回削除した監査ログ: ${data.last.audit} 件。`;
  if (data.checkpoint) {
    audit += `削除した範囲はチェックポイント（${data.checkpoint.last_id} 件目まで、${dayFmt.format(new Date(data.checkpoint.before_ms))}より前）で署名してあり、それ以降の改ざんは mimamori audit verify で確かめられます。`;
  }
  $('audit-note').textContent = audit;
}

function renderReport(r) {
  const rows = (r.users || []).map((u) => {
    const notes = [];
    if (u.flag_off_hours) notes.push(el('span', { class: 'badge badge-warn', 'data-testid': 'flag-off-hours', text: '時間外の利用' }));
    if (u.flag_volume) notes.push(el('span', { class: 'badge badge-warn', 'data-testid': 'flag-volume', text: '件数がいつもより多い' }));
    return el('tr', { 'data-testid': 'report-row', 'data-login': u.login },
      el('td', { class: 'cell-main', 'data-label': '利用者', text: u.login }),
      el('td', { 'data-label': '閲覧', text: String(u.reads) }),
      el('td', { 'data-label': '出力', text: String(u.exports) }),
      el('td', { 'data-label': '拒否', text: String(u.denials) }),
      el('td', { 'data-label': '時間外', text: String(u.off_hours) }),
      el('td', { 'data-label': 'これまでの月の中央値', text: String(u.median) }),
      el('td', { 'data-label': '注意' }, ...(notes.length ? notes : [el('span', { class: 'muted', text: 'なし' })])));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '7', text: 'この月の職員の記録はありません。' })));
  $('report-rows').replaceChildren(...rows);
  $('report-summary').textContent = `${r.month}: 勤務時間 ${r.hours}${r.weekends_off ? '（土日は時間外）' : ''}、件数の注意は過去 ${r.history_months} か月の中央値の ${r.volume_factor} 倍を超え、かつ ${r.volume_min} 件以上のとき。`;
}

async function onReport(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  const month = $('report-month').value;
  if (!/^\d{4}-\d{2}$/.test(month)) {
    // No figures of another month under the question.
    $('report-rows').replaceChildren();
    $('report-summary').textContent = '';
    setAlert($('message'), '分析する月を選んでください。', 'error');
    $('report-month').focus();
    return;
  }
  $('report-go').disabled = true;
  try {
    renderReport(await request(`/audit/report?month=${encodeURIComponent(month)}`));
  } catch (err) {
    $('report-rows').replaceChildren();
    $('report-summary').textContent = '';
    fail(err);
  } finally {
    $('report-go').disabled = false;
  }
}

$('report-form').addEventListener('submit', onReport);

shell = startShell({
  roles: ['ward_admin'],
  deniedText: '保存期間と監査ログは区の管理者が確かめます。',
  onReady: async () => {
    try {
      renderPeriods(await request('/retention'));
      const now = new Date(Date.now() + 9 * 3600 * 1000);
      $('report-month').value = now.toISOString().slice(0, 7);
    } catch (err) {
      fail(err);
    }
  },
});
