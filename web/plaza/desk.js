// mimamori — the plaza's desk (/plaza/desk.html, 共育プラザ 窓口) for plaza_staff: a card scanned
// (the QR reader types the card number and Enter) records the day's visit; the search (the
// first 50 in kana order and how many in all); registration and corrections by keyboard alone
// (Enter registers); registration cards as a PDF, downloaded through fetch so errors show here.
import { request, el } from '/js/api.js';
import { startShell, setAlert, download } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const GRADES = ['未就学', '小1', '小2', '小3', '小4', '小5', '小6', '中1', '中2', '中3', '高1', '高2', '高3', '卒業', '一般'];
const FIELDS = ['name', 'kana', 'address', 'birth', 'phone', 'school', 'grade'];
const BAND = { '0-5': '0〜5歳', '6-12': '6〜12歳', '13-15': '13〜15歳', '16-18': '16〜18歳', '19+': '19歳以上' };

let shell;
const state = { editing: null, selected: new Set(), editSeq: 0 };

function fail(node, err) {
  if (!shell.handleAuth(err)) setAlert(node, err.message, 'error');
}

async function scan(ev) {
  ev.preventDefault();
  const input = $('scan-code');
  const code = input.value.trim();
  const out = $('scan-result');
  input.value = '';
  input.focus();
  if (!code) return;
  try {
    const r = await request('/plaza/visits', { method: 'POST', body: { code }, csrf: shell.session.csrf });
    const u = r.user;
    setAlert(out, r.again
      ? `${u.name}さん（${u.grade}・${u.age}歳）は本日すでに記録済みです。`
      : `${u.name}さん（${u.grade}・${u.age}歳、${BAND[r.band] || r.band}）の来館を記録しました。`, r.again ? 'info' : 'ok');
  } catch (err) {
    fail(out, err);
  }
}

function row(u) {
  const check = el('input', { type: 'checkbox', id: `pick-${u.id}`, 'aria-label': `${u.name}の登録カードを選ぶ`, 'data-testid': 'pick' });
  check.checked = state.selected.has(u.id);
  check.addEventListener('change', () => {
    if (check.checked) state.selected.add(u.id); else state.selected.delete(u.id);
    $('cards-selected').disabled = state.selected.size === 0;
  });
  const edit = el('button', { type: 'button', class: 'btn btn-secondary btn-small', text: '修正', 'data-testid': 'edit' });
  edit.addEventListener('click', () => startEdit(u.id));
  const card = el('button', { type: 'button', class: 'btn btn-secondary btn-small', text: 'カード', 'data-testid': 'card' });
  card.addEventListener('click', () => cards([u.id]));
  return el('tr', { 'data-testid': 'result', 'data-id': u.id },
    el('td', {}, check),
    el('td', { text: u.card_no }),
    el('td', {}, el('span', { text: u.name }), el('span', { class: 'sub', text: u.kana })),
    el('td', { text: `${u.birth}（${u.age}歳）` }),
    el('td', {}, el('span', { text: u.school || '—' }), el('span', { class: 'sub', text: u.grade })),
    el('td', { text: u.active_on }),
    el('td', {}, el('div', { class: 'actions' }, edit, card)));
}

/** Empties the results: a refused search must not leave the last one's people on screen. */
function clearResults() {
  $('results-body').replaceChildren();
  $('results').hidden = true;
  $('search-summary').textContent = '';
}

/** Puts u (the server's answer to a correction) in place of its row, when it is listed. */
function replaceRow(u) {
  const old = $('results-body').querySelector(`tr[data-id="${u.id}"]`);
  if (old) old.replaceWith(row(u));
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const q = $('search-q').value.trim();
  const summary = $('search-summary');
  setAlert($('message'), '');
  if (!q) return;
  try {
    const r = await request(`/plaza/users?q=${encodeURIComponent(q)}`);
    $('results-body').replaceChildren(...r.users.map(row));
    $('results').hidden = r.users.length === 0;
    summary.textContent = r.total === 0 ? '見つかりませんでした。'
      : r.total > r.users.length ? `${r.total}件見つかりました。ふりがな順の最初の${r.users.length}件を表示しています。絞り込むには、ふりがなを長くするか生年月日で検索してください。`
        : `${r.total}件見つかりました。`;
  } catch (err) {
    clearResults();
    fail($('message'), err);
  }
}

async function cards(ids) {
  try {
    const r = await download(`/plaza/cards?ids=${ids.join(',')}`);
    setAlert($('message'), `登録カード（${ids.length}枚）を出力しました（受け渡し台帳 ${r.ledgerId} 番）。`, 'ok');
  } catch (err) {
    fail($('message'), err);
  }
}

function resetForm() {
  state.editing = null;
  state.editSeq += 1; // a 修正 still loading no longer fills the form
  $('user-form').reset();
  $('form-title').textContent = '利用者の登録';
  $('form-submit').textContent = '登録';
  setAlert($('form-message'), '');
  $('f-name').focus();
}

/** Opens user id for correction with the record as the server has it now: the row may be
 * older than a correction saved since (from this desk or another), and a form filled from it
 * would put the old items back. When the record cannot be read, nothing is filled. */
async function startEdit(id) {
  const seq = ++state.editSeq; // a later 修正 wins over an answer still on its way
  setAlert($('form-message'), '');
  let u;
  try {
    u = await request(`/plaza/users/${id}`);
  } catch (err) {
    if (seq === state.editSeq) fail($('form-message'), err);
    return;
  }
  if (seq !== state.editSeq) return;
  state.editing = u.id;
  for (const f of FIELDS) $(`f-${f}`).value = u[f] || '';
  $('form-title').textContent = `利用者の修正（カード番号 ${u.card_no}）`;
  $('form-submit').textContent = '修正を保存';
  $('registered').hidden = true;
  replaceRow(u);
  $('f-name').focus();
}

async function save(ev) {
  ev.preventDefault();
  const body = Object.fromEntries(FIELDS.map((f) => [f, $(`f-${f}`).value.trim()]));
  const msg = $('form-message');
  try {
    const u = state.editing
      ? await request(`/plaza/users/${state.editing}`, { method: 'PUT', body, csrf: shell.session.csrf })
      : await request('/plaza/users', { method: 'POST', body, csrf: shell.session.csrf });
    const done = $('registered');
    const print = el('button', { type: 'button', class: 'btn btn-small', text: '登録カードを印刷（PDF）', 'data-testid': 'registered-card' });
    print.addEventListener('click', () => cards([u.id]));
    setAlert(done, el('span', {},
      `${u.name}さんを${state.editing ? '修正しました' : '登録しました'}（カード番号 ${u.card_no}、${u.age}歳）。 `, print), 'ok');
    if (state.editing) replaceRow(u);
    resetForm();
  } catch (err) {
    fail(msg, err);
  }
}

shell = startShell({
  roles: ['plaza_staff'],
  deniedText: 'この画面は共育プラザの窓口職員が使います。',
  async onReady() {
    const grade = $('f-grade');
    grade.replaceChildren(el('option', { value: '', text: '選んでください' }), ...GRADES.map((g) => el('option', { value: g, text: g })));
    $('scan-form').addEventListener('submit', scan);
    $('search-form').addEventListener('submit', search);
    $('user-form').addEventListener('submit', save);
    // Enter registers from every field: a <select> does not submit its form by itself.
    for (const s of $('user-form').querySelectorAll('select')) {
      s.addEventListener('keydown', (ev) => {
        if (ev.key !== 'Enter' || ev.isComposing) return;
        ev.preventDefault();
        $('user-form').requestSubmit();
      });
    }
    $('form-reset').addEventListener('click', resetForm);
    $('cards-selected').addEventListener('click', () => cards([...state.selected]));
    try {
      const me = await request('/plaza/me');
      $('page-title').textContent = `共育プラザ${me.plaza.name} 窓口`;
    } catch (err) {
      fail($('message'), err);
    }
    $('scan-code').focus();
  },
});
