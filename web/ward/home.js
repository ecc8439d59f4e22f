// mimamori — the ward administrator's home (/ward/): every site today at a glance, those that
// need attention first, from one API call (GET /api/v1/overview), refreshed every 30 s.
import { request, el, formatDay, formatTime } from '/js/api.js';
import { startShell, show, setAlert } from '/ward/shell.js';
import { WORDS } from '/js/words.js';

const POLL_MS = 30000;
const $ = (id) => document.getElementById(id);
// The columns of a site's row; the exit column is named in the ward's words (colLabel).
const COLS = [
  ['present', '在室'], ['not_arrived', '未到着'], ['expected', '来所予定'], ['left', '退室'],
  ['absent', '欠席'], ['off', '予定なし'], ['enrolled', '在籍'],
];
const colLabel = ([k, label]) => (k === 'left' ? WORDS.exit : label);
const state = { sort: 'attention', data: null, timer: null, busy: false };
let shell;

function statusCell(c) {
  const badges = [];
  if (c.alerts) badges.push(el('span', { class: 'badge badge-alert', text: `警告 ${c.alerts}人` }));
  if (c.still_present) badges.push(el('span', { class: 'badge badge-alert', text: `閉所後も在室 ${c.still_present}人` }));
  if (c.not_arrived && !c.alerts) badges.push(el('span', { class: 'badge badge-alert', text: `未到着 ${c.not_arrived}人` }));
  if (!badges.length) badges.push(el('span', { class: 'badge badge-ok', text: c.expected ? '来所待ち' : '問題なし' }));
  return badges;
}

function render() {
  const data = state.data;
  if (!data) return;
  $('day').textContent = formatDay(data.day);
  const t = data.totals || {};
  for (const node of $('totals').querySelectorAll('[data-key]')) {
    const k = node.dataset.key;
    node.querySelector('.total-num').textContent = String(t[k] ?? 0);
    node.dataset.attention = String((k === 'alerts' || k === 'not_arrived') && t[k] > 0);
  }
  const sites = [...(data.sites || [])];
  if (state.sort === 'code') sites.sort((a, b) => a.code.localeCompare(b.code));
  const rows = sites.map((s) => {
    const c = s.counts || {};
    const attention = c.alerts > 0 || c.not_arrived > 0 || c.still_present > 0;
    const link = el('a', { href: `/staff/#site=${encodeURIComponent(s.code)}`, text: s.name });
    return el('tr', { 'data-testid': 'overview-row', 'data-site': s.code, 'data-attention': String(attention) },
      el('td', { class: 'cell-main', 'data-label': '施設' }, link,
        el('span', { class: 'sub', text: `${s.code}　${s.opens}〜${s.closes}（到着予定 ${s.arrival}）` })),
      el('td', { class: 'cell-state', 'data-label': '状態' }, ...statusCell(c)),
      ...COLS.map(([k, label]) => [k, colLabel([k, label])]).map(([k, label]) => el('td', {
        class: `num${c[k] ? '' : ' count-zero'}`, 'data-label': label, 'data-count': k, text: String(c[k] ?? 0),
      })));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '9', text: '施設が登録されていません。' })));
  $('rows').replaceChildren(...rows);
}

async function load() {
  if (state.busy) return;
  state.busy = true;
  try {
    state.data = await request('/overview');
    setAlert($('message'), '');
    $('status').textContent = `${formatTime()} 更新`;
    render();
  } catch (err) {
    if (shell.handleAuth(err)) return;
    setAlert($('message'), err.message);
    $('status').textContent = '更新できませんでした';
  } finally {
    state.busy = false;
  }
}

function schedule() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    if (!document.hidden && !$('app').hidden) await load();
    schedule();
  }, POLL_MS);
}

for (const b of document.querySelectorAll('[data-sort]')) {
  b.addEventListener('click', () => {
    state.sort = b.dataset.sort;
    for (const x of document.querySelectorAll('[data-sort]')) x.setAttribute('aria-pressed', String(x === b));
    render();
  });
}
$('refresh').addEventListener('click', load);

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'この画面は区の管理者が使う画面です。施設の状況は職員ボードで確認できます。',
  onReady: async () => {
    show($('app'), true);
    await load();
    schedule();
  },
});
