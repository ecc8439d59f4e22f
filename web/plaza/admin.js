// mimamori — the plazas' counts and yearly work (/plaza/admin.html): visits per plaza, day and
// age band (a desk sees its plaza's, the ward every plaza's; CSV through fetch); for the ward's
// administrator the April update of 学年, the users not seen for years (listed, then deleted
// after a confirmation) and which plaza each desk account works at.
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, download, todayJst } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BAND = { '0-5': '0〜5歳', '6-12': '6〜12歳', '13-15': '13〜15歳', '16-18': '16〜18歳', '19+': '19歳以上' };
let shell;
let me;
let inactiveCount = null;

function fail(node, err) {
  if (!shell.handleAuth(err)) setAlert(node, err.message, 'error');
}
const period = () => `from=${$('counts-from').value}&to=${$('counts-to').value}`;

/** Empties the figures: a refused period must not leave another period's counts on screen. */
function clearCounts() {
  $('counts-body').replaceChildren();
  $('counts-table').hidden = true;
  $('counts-summary').textContent = '';
  $('registered').textContent = '';
}

async function counts(ev) {
  if (ev) ev.preventDefault();
  setAlert($('message'), '');
  try {
    const r = await request(`/plaza/counts?${period()}`);
    $('counts-body').replaceChildren(...r.rows.map((x) => el('tr', { 'data-testid': 'count-row' },
      el('td', { text: x.plaza }), el('td', { text: x.day }), el('td', { text: BAND[x.band] || x.band }),
      el('td', { class: 'num', text: String(x.visits) }))));
    $('counts-table').hidden = r.rows.length === 0;
    const total = r.rows.reduce((s, x) => s + x.visits, 0);
    $('counts-summary').textContent = `${r.from} から ${r.to} まで：来館 ${total} 件${r.plaza ? `（${r.plaza}）` : '（全プラザ）'}`;
    const reg = Object.entries(r.registered).map(([p, n]) => `${p} ${n.toLocaleString('ja-JP')}人`).join('、');
    $('registered').textContent = `登録者数：${reg || '0人'}`;
  } catch (err) {
    clearCounts();
    fail($('message'), err);
  }
}

async function runs() {
  const r = await request('/plaza/grade-updates');
  $('grade-runs').replaceChildren(...(r.runs.length ? r.runs.map((x) => el('li', { text: `${x.fiscal_year}年度：${x.users}人を更新（${x.at.slice(0, 16).replace('T', ' ')}）` }))
    : [el('li', { text: 'まだ実行していません。' })]));
}

async function gradeRun() {
  const fy = me.fiscal_year;
  if (!await confirmDialog(`${fy}年度の学年更新を実行します。よろしいですか。`, '実行する')) return;
  try {
    const r = await request('/plaza/grade-updates', { method: 'POST', body: { fiscal_year: fy }, csrf: shell.session.csrf });
    setAlert($('grade-message'), r.done_before ? `${fy}年度の学年更新は済んでいます（何も変えていません）。`
      : `${fy}年度の学年に ${r.users} 人を更新しました。`, r.done_before ? 'info' : 'ok');
    await runs();
  } catch (err) {
    fail($('grade-message'), err);
  }
}

async function inactive(ev) {
  if (ev) ev.preventDefault();
  try {
    const r = await request(`/plaza/inactive?years=${encodeURIComponent($('inactive-years').value)}`);
    inactiveCount = r.count;
    const per = Object.entries(r.per_plaza).map(([p, n]) => `${p} ${n}人`).join('、');
    $('inactive-summary').textContent = `${r.years}年以上（${r.before} より前から）来館のない利用者：${r.count}人${per ? `（${per}）` : ''}`;
    $('inactive-body').replaceChildren(...r.users.map((u) => el('tr', { 'data-testid': 'inactive-row' },
      el('td', { text: u.plaza }), el('td', { text: u.card_no }), el('td', { text: u.active_on }))));
    $('inactive-table').hidden = r.users.length === 0;
    $('inactive-delete').disabled = r.count === 0;
  } catch (err) {
    // A refused list leaves nothing to delete: the last list was of other years.
    inactiveCount = null;
    $('inactive-body').replaceChildren();
    $('inactive-table').hidden = true;
    $('inactive-summary').textContent = '';
    $('inactive-delete').disabled = true;
    fail($('message'), err);
  }
}

async function inactiveDelete() {
  const years = Number($('inactive-years').value);
  if (!await confirmDialog(`一覧の ${inactiveCount} 人を削除します。元に戻せません。よろしいですか。`, '削除する')) return;
  try {
    const r = await request('/plaza/inactive/delete', { method: 'POST', body: { years, count: inactiveCount }, csrf: shell.session.csrf });
    await inactive();
    $('inactive-summary').textContent = `${r.deleted}人を削除しました（監査ログに記録しました）。`;
  } catch (err) {
    fail($('message'), err);
  }
}

async function staff() {
  const r = await request('/plaza/staff');
  $('staff-body').replaceChildren(...r.staff.map((s) => {
    const sel = el('select', { id: `staff-${s.id}`, 'aria-label': `${s.login}の所属プラザ`, 'data-testid': 'staff-plaza' },
      el('option', { value: '', text: '（未設定）' }), ...me.plazas.map((p) => el('option', { value: p.code, text: p.name })));
    sel.value = (me.plazas.find((p) => p.name === s.plaza) || { code: '' }).code;
    sel.addEventListener('change', async () => {
      try {
        await request(`/plaza/staff/${s.id}`, { method: 'PUT', body: { plaza: sel.value }, csrf: shell.session.csrf });
        setAlert($('staff-message'), `${s.login} の所属を${sel.value ? sel.selectedOptions[0].textContent : '未設定'}にしました。`, 'ok');
      } catch (err) {
        fail($('staff-message'), err);
      }
    });
    return el('tr', {}, el('td', { text: s.login }), el('td', {}, sel));
  }));
}

shell = startShell({
  roles: ['ward_admin', 'ward_staff', 'plaza_staff'],
  deniedText: 'この画面は区の職員と共育プラザの窓口職員が使います。',
  async onReady(session) {
    const today = todayJst();
    $('counts-from').value = `${today.slice(0, 8)}01`;
    $('counts-to').value = today;
    $('counts-form').addEventListener('submit', counts);
    $('counts-csv').addEventListener('click', async () => {
      try { await download(`/plaza/counts?${period()}&format=csv`); } catch (err) { fail($('message'), err); }
    });
    try {
      me = await request('/plaza/me');
      if (me.plaza) $('page-title').textContent = `共育プラザ${me.plaza.name} 来館数`;
      await counts();
      if (session.user.role === 'ward_admin') {
        for (const s of document.querySelectorAll('[data-for="admin"]')) s.hidden = false;
        $('inactive-years').value = me.inactive_years;
        $('grade-run').textContent = `${me.fiscal_year}年度の学年更新を実行`;
        $('grade-run').addEventListener('click', gradeRun);
        $('inactive-form').addEventListener('submit', inactive);
        $('inactive-delete').addEventListener('click', inactiveDelete);
        await Promise.all([runs(), staff()]);
      }
    } catch (err) {
      fail($('message'), err);
    }
  },
});
