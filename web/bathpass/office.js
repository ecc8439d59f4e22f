// mimamori — head office's page (/bathpass/office.html): the host imports (their counts and
// status, one snapshot's differences — new, changed fields, gone with the reason, rejected
// lines — and its approval by a second person, which applies it to the ledger); the March
// mailing of next year's passes by post (who it goes to, who is held back, making it, its
// cover letters as one PDF); the daily list and the year's counts.
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, stamp, download, todayJst } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const STATUS = { pending: '承認待ち', approved: '反映済み', refused: '受け付けず', superseded: '後の取り込みに置き換え' };
const KIND = { new: '新規', changed: '変更', gone: '除外', rejected: '取り込めない行' };
const GONE = { moved: '転出', died: '死亡', lost: '資格喪失', absent: '抽出データに含まれない' };
const state = { imports: [], current: null, mailings: [], plan: null };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function counts(s) {
  return `${s.new}・${s.changed}・${s.gone}・${s.unchanged}・${s.rejected}`;
}

function renderImports() {
  const rows = state.imports.map((s) => el('tr', { 'data-testid': 'import-row', 'data-id': String(s.id) },
    el('td', { 'data-label': '番号', text: String(s.id) }),
    el('td', { 'data-label': '取り込み日時', text: stamp(s.created_at) }),
    el('td', { 'data-label': '取り込んだ人', text: s.created_by }),
    el('td', { 'data-label': '新規・変更・除外・変更なし・取り込めない行', text: counts(s) }),
    el('td', { 'data-label': '状態', text: STATUS[s.status] || s.status }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'import-open', 'aria-label': `取り込み ${s.id} の差分を見る`, text: '差分を見る' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '6', text: 'まだ取り込みはありません。' })));
  $('imports').replaceChildren(...rows);
}

async function loadImports() {
  const r = await request('/bath/imports');
  state.imports = r.imports;
  renderImports();
}

function reasonText(d) {
  if (d.kind === 'changed') return d.fields;
  if (d.kind === 'gone') return GONE[d.reason] || d.reason;
  return d.reason;
}

async function openImport(id) {
  const r = await request(`/bath/imports/${id}`);
  state.current = r;
  $('detail-title').textContent = `取り込み ${id} の差分（${STATUS[r.status] || r.status}）`;
  $('detail-summary').textContent = `${r.rows}行（${r.encoding}）：新規 ${r.new}・変更 ${r.changed}・除外 ${r.gone}・変更なし ${r.unchanged}・取り込めない行 ${r.rejected}${r.refusal ? `。${r.refusal}` : ''}${r.more ? '（一部だけ表示しています）' : ''}`;
  const approvable = r.status === 'pending' && !r.mine;
  $('approve').hidden = !approvable;
  const rows = r.differences.map((d) => el('tr', { 'data-testid': 'diff-row' },
    el('td', { class: 'diff-kind', 'data-label': '種類', text: KIND[d.kind] || d.kind }),
    el('td', { 'data-label': '行', text: d.line ? String(d.line) : '—' }),
    el('td', { 'data-label': '宛名番号', text: d.resident_no || '' }),
    el('td', { 'data-label': '氏名', text: d.name || '' }),
    el('td', { 'data-label': '変わった項目・理由', text: reasonText(d) })));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '5', text: '差分はありません。' })));
  $('diff').replaceChildren(...rows);
  $('detail').hidden = false;
  if (r.status === 'pending' && r.mine) setAlert($('message'), 'この取り込みはあなたが取り込んだので、別の本庁担当者が承認します。', 'info');
  $('detail-title').focus?.();
}

$('imports').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-testid="import-open"]');
  if (!b) return;
  setAlert($('message'), '');
  openImport(Number(b.closest('tr').dataset.id)).catch(fail);
});
$('approve').addEventListener('click', async () => {
  const r = state.current;
  if (!r) return;
  const ok = await confirmDialog(`取り込み ${r.id} を承認し、新規 ${r.new}人・変更 ${r.changed}人・除外 ${r.gone}人を台帳に反映します。`, '承認して反映する');
  if (!ok) return;
  try {
    await request(`/bath/imports/${r.id}/approve`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    setAlert($('message'), `取り込み ${r.id} を承認し、台帳に反映しました。`, 'ok');
    await loadImports();
    await openImport(r.id);
  } catch (err) {
    fail(err);
  }
});

// ---------- passes by post: the March mailing ----------
const HELD = { returned: '昨年度に郵便が戻ってきた（返戻）', note: '送付先変更などの個別事由がある' };

function renderMailings() {
  const rows = state.mailings.map((m) => el('tr', { 'data-testid': 'mailing-row', 'data-id': String(m.id) },
    el('td', { 'data-label': '番号', text: String(m.id) }),
    el('td', { 'data-label': '年度', text: `${m.fiscal_year}年度` }),
    el('td', { 'data-label': '発送日', text: m.date }),
    el('td', { 'data-label': '送付状', text: `${m.letters}通${m.held ? `（手で扱う人 ${m.held}人）` : ''}` }),
    el('td', { 'data-label': '整理番号', text: `${m.first_number} 〜 ${m.last_number}` }),
    el('td', { 'data-label': '記録した人', text: m.created_by }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'mailing-pdf', 'aria-label': `発送 ${m.id} の送付状（PDF）`, text: '送付状（PDF）' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '7', text: 'まだ発送はありません。' })));
  $('mailings').replaceChildren(...rows);
}

async function loadMailings() {
  const r = await request('/bath/mailings');
  state.mailings = r.mailings;
  renderMailings();
}

function mailingQuery() {
  const q = new URLSearchParams();
  if ($('mailing-date').value) q.set('date', $('mailing-date').value);
  if ($('mailing-year').value) q.set('fiscal_year', $('mailing-year').value);
  return q;
}

function showPlan(p) {
  const c = p.by_category;
  $('mailing-summary').textContent = `${p.fiscal_year}年度の入浴証を ${p.date} に郵送：送付状 ${p.letters}通（高齢 ${c['高齢']}・障害 ${c['障害']}・児童 ${c['児童']}）。手で扱う人 ${p.held_returned + p.held_note}人（返戻 ${p.held_returned}・個別事由 ${p.held_note}）、対象外 ${p.not_eligible}人、その年度の入浴証をすでに持っている人 ${p.already}人。`;
  const rows = p.held.map((h) => el('tr', { 'data-testid': 'held-row' },
    el('td', { 'data-label': '宛名番号', text: h.resident_no }),
    el('td', { 'data-label': '氏名', text: h.name }),
    el('td', { 'data-label': 'ふりがな', text: h.kana }),
    el('td', { 'data-label': '理由', text: h.reason === 'note' && h.note ? `${HELD.note}：${h.note}` : HELD[h.reason] })));
  $('held').replaceChildren(...rows);
  $('held-wrap').hidden = !rows.length;
  $('mailing-make').hidden = !p.letters;
  state.plan = p;
}

// The counted plan is what 発送を記録 records: a changed date or year, or a count that failed,
// takes it away until it is counted again.
function clearPlan() {
  state.plan = null;
  $('mailing-make').hidden = true;
  $('mailing-summary').textContent = '';
  $('held').replaceChildren();
  $('held-wrap').hidden = true;
}
for (const id of ['mailing-date', 'mailing-year']) {
  $(id).addEventListener('input', () => { if (state.plan) clearPlan(); });
}

$('mailing-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  setAlert($('message'), '');
  try {
    showPlan(await request(`/bath/mailings/plan?${mailingQuery()}`));
  } catch (err) {
    clearPlan();
    fail(err);
  }
});

$('mailing-make').addEventListener('click', async () => {
  const p = state.plan;
  if (!p) return;
  const ok = await confirmDialog(`${p.fiscal_year}年度の入浴証 ${p.letters}人分を ${p.date} に郵送で交付したと記録し、整理番号を付けます。取り消しはできません。`, '発送を記録する');
  if (!ok) return;
  // Exactly what the dialog said (the plan's date and year), whatever the fields hold now.
  const body = { date: p.date, fiscal_year: p.fiscal_year, letters: p.letters };
  const b = $('mailing-make');
  b.disabled = true;
  $('mailing-summary').textContent = '発送を記録しています…';
  try {
    const m = await request('/bath/mailings', { method: 'POST', body, csrf: shell.session.csrf });
    setAlert($('message'), `発送 ${m.id} を記録しました：送付状 ${m.letters}通、整理番号 ${m.first_number} 〜 ${m.last_number}。「送付状（PDF）」で印刷用のPDFを保存してください。`, 'ok');
    showPlan(m.plan);
    b.hidden = true;
    await loadMailings();
  } catch (err) {
    fail(err);
  } finally {
    b.disabled = false;
  }
});

$('mailings').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="mailing-pdf"]');
  if (!b) return;
  const id = b.closest('tr').dataset.id;
  setAlert($('message'), '');
  b.disabled = true;
  $('mailing-summary').textContent = `発送 ${id} の送付状を作っています…`;
  try {
    const f = await download(`/bath/mailings/${id}/letters`);
    $('mailing-summary').textContent = '';
    setAlert($('message'), `発送 ${id} の送付状（${f.filename}）を保存しました。受け渡し台帳 ${f.ledgerId}。`, 'ok');
  } catch (err) {
    $('mailing-summary').textContent = '';
    fail(err);
  } finally {
    b.disabled = false;
  }
});

document.querySelector('[data-testid="daily"]').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-format]');
  if (!b) return;
  const q = new URLSearchParams({ format: b.dataset.format });
  if ($('daily-date').value) q.set('date', $('daily-date').value);
  if (b.dataset.encoding) q.set('encoding', b.dataset.encoding);
  try {
    const f = await download(`/bath/reports/daily?${q}`);
    setAlert($('message'), `日別処理状況リスト（${f.filename}）を保存しました。`, 'ok');
  } catch (err) {
    fail(err);
  }
});

$('counts-xlsx').addEventListener('click', async () => {
  const q = new URLSearchParams();
  if ($('counts-year').value) q.set('fiscal_year', $('counts-year').value);
  try {
    const f = await download(`/bath/reports/counts?${q}`);
    setAlert($('message'), `件数（${f.filename}）を保存しました。`, 'ok');
  } catch (err) {
    fail(err);
  }
});

shell = startShell({
  roles: ['bath_office'],
  deniedText: '入浴証の本庁事務（取り込み・郵送）は、本庁（地域包括ケア推進課）の担当者が使います。',
  loginNote: '入浴証の本庁担当者のログインIDとパスワードでログインします。',
  onReady: async () => {
    $('daily-date').value = todayJst();
    const [y, m] = todayJst().split('-').map(Number);
    $('counts-year').value = String(m >= 4 ? y : y - 1);
    $('mailing-date').value = todayJst();
    $('mailing-year').value = String((m >= 4 ? y : y - 1) + 1);
    try {
      await loadImports();
      await loadMailings();
    } catch (err) {
      fail(err);
    }
  },
});
