// mimamori — cards (/ward/cards.html): a site's children and their cards; a card for one child
// (nobody else's card changes), for every child without one, a reissue (the old card stops
// working), and the printable sheet of chosen children or of the whole site (a download
// recorded in the handover ledger).
import { request, el } from '/js/api.js';
import { startShell, show, setAlert, fillSites, confirmDialog, download, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { sites: [], site: null, children: [] };
let shell;

const sitePath = () => `/sites/${encodeURIComponent(state.site.code)}/cards`;

function say(msg) {
  setAlert($('message'), '');
  setAlert($('done'), msg);
}
function fail(err) {
  if (shell.handleAuth(err)) return;
  setAlert($('done'), '');
  setAlert($('message'), err.message);
}

function fold(s) {
  return (s || '').normalize('NFKC').replace(/[\s\u3000]/g, '').toLowerCase();
}

function render() {
  const q = fold($('filter').value);
  const kids = state.children.filter((c) => !q || fold(`${c.name}${c.kana}${c.child_no}`).includes(q));
  const rows = kids.map((c) => {
    const card = c.card
      ? el('span', {}, el('span', { class: 'badge badge-ok', text: '発行済み' }), stamp(c.card.issued_at))
      : el('span', { class: 'badge badge-warn', text: '未発行' });
    const revoked = c.revoked_cards ? el('span', { class: 'sub', text: `無効にしたカード ${c.revoked_cards}枚` }) : null;
    const actions = el('div', { class: 'actions' });
    if (c.card) {
      actions.append(
        el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'reissue', 'data-testid': 'card-reissue', 'aria-label': `${c.name} のカードを再発行`, text: '再発行' }),
        el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'print', 'data-testid': 'card-print', 'aria-label': `${c.name} のカードを印刷`, text: '印刷' }));
    } else {
      actions.append(el('button', { type: 'button', class: 'btn btn-small', 'data-act': 'issue', 'data-testid': 'card-issue', 'aria-label': `${c.name} にカードを発行`, text: '発行' }));
    }
    const pick = el('input', { type: 'checkbox', 'data-testid': 'card-pick', 'aria-label': `${c.name}（${c.child_no}）を選ぶ`, disabled: !c.card });
    return el('tr', { 'data-testid': 'card-row', 'data-child-no': c.child_no, 'data-has-card': String(!!c.card) },
      el('td', { 'data-label': '選ぶ' }, pick),
      el('td', { class: 'cell-main', 'data-label': '児童' }, c.name, el('span', { class: 'sub', text: c.kana })),
      el('td', { 'data-label': '児童番号', class: 'mono', text: c.child_no }),
      el('td', { 'data-label': '学年', text: `${c.grade}年` }),
      el('td', { 'data-label': 'カード' }, card, revoked),
      el('td', { 'data-label': '操作' }, actions));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '6', text: q ? '該当する児童はいません。' : '在籍している児童はいません。' })));
  $('rows').replaceChildren(...rows);
}

async function loadCards() {
  const data = await request(sitePath());
  state.children = Array.isArray(data.children) ? data.children : [];
  $('cards-title').textContent = `${data.site.name}（${data.site.code}）`;
  $('cards-summary').textContent = `在籍 ${state.children.length}人　カードあり ${data.with_card}人　カードなし ${data.without_card}人`;
  $('issue-missing').disabled = !data.without_card;
  render();
}

async function selectSite(code) {
  state.site = state.sites.find((s) => s.code === code) || null;
  setAlert($('message'), '');
  setAlert($('done'), '');
  show($('cards'), !!state.site);
  if (!state.site) return;
  history.replaceState(null, '', `#site=${encodeURIComponent(code)}`);
  try {
    await loadCards();
  } catch (err) {
    fail(err);
  }
}

async function issue(childNo, name) {
  try {
    await request(sitePath(), { method: 'POST', body: { children: [childNo] }, csrf: shell.session.csrf });
    await loadCards();
    say(`${name}（${childNo}）にカードを発行しました。「印刷」で印刷用のPDFを作れます。`);
  } catch (err) {
    fail(err);
  }
}

async function reissue(childNo, name) {
  const ok = await confirmDialog(`${name}（${childNo}）のカードを作り直します。今のカードは使えなくなります。`, '再発行する');
  if (!ok) return;
  try {
    await request(`${sitePath()}/${encodeURIComponent(childNo)}/reissue`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    await loadCards();
    say(`${name}（${childNo}）のカードを再発行しました。古いカードは使えません。新しいカードを印刷してください。`);
  } catch (err) {
    fail(err);
  }
}

async function print(childNos) {
  const q = childNos && childNos.length ? `?children=${childNos.map(encodeURIComponent).join(',')}` : '';
  try {
    const got = await download(`${sitePath()}/sheet${q}`);
    say(`${got.filename} をダウンロードしました（受け渡し台帳 No. ${got.ledgerId}）。A4に等倍で印刷し、切り取り線で切ってください。`);
  } catch (err) {
    fail(err);
  }
}

$('rows').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const row = b.closest('tr');
  const child = state.children.find((c) => c.child_no === row.dataset.childNo);
  if (!child) return;
  if (b.dataset.act === 'issue') issue(child.child_no, child.name);
  else if (b.dataset.act === 'reissue') reissue(child.child_no, child.name);
  else if (b.dataset.act === 'print') print([child.child_no]);
});
$('issue-missing').addEventListener('click', async () => {
  const missing = state.children.filter((c) => !c.card).length;
  if (!missing) return;
  if (!(await confirmDialog(`カードのない ${missing}人にカードを発行します（ほかの児童のカードはそのまま使えます）。`, '発行する'))) return;
  try {
    const r = await request(sitePath(), { method: 'POST', body: { missing: true }, csrf: shell.session.csrf });
    await loadCards();
    say(`${r.issued}人にカードを発行しました。`);
  } catch (err) {
    fail(err);
  }
});
$('print-chosen').addEventListener('click', () => {
  const picked = [...$('rows').querySelectorAll('input[data-testid="card-pick"]:checked')]
    .map((i) => i.closest('tr').dataset.childNo);
  if (!picked.length) {
    setAlert($('done'), '');
    setAlert($('message'), '印刷する児童を選んでください（カードのある児童だけ選べます）。');
    return;
  }
  print(picked);
});
$('print-all').addEventListener('click', () => print([]));
$('site').addEventListener('change', () => selectSite($('site').value));
$('filter').addEventListener('input', render);

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'カードの発行は区の管理者が行います。',
  onReady: async () => {
    try {
      const data = await request('/sites');
      state.sites = Array.isArray(data.sites) ? data.sites : [];
      fillSites($('site'), state.sites, '施設を選んでください');
      const code = new URLSearchParams(location.hash.slice(1)).get('site');
      if (code && state.sites.some((s) => s.code === code)) {
        $('site').value = code;
        await selectSite(code);
      }
    } catch (err) {
      fail(err);
    }
  },
});
