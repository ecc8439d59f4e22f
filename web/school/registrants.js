// mimamori — a school administrator's registrants (/school/registrants.html): the school's
// registrations with search by name or address and filters by grade and class, deletion on
// transfer or graduation (with the reason), and the printable registration letter.
import { request, el } from '/js/api.js';
import { startShell, setAlert, tellAlert, download, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { school: null, rows: [], removing: null };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

/** The page's message with the focus, brought into view: after a deletion the row and its
 * button are gone (the dialog would give the focus back to that button, leaving it on <body>). */
function sayHere(text, kind) {
  tellAlert($('message'), text, kind);
}

function render() {
  const rows = state.rows.map((r) => el('tr', { 'data-testid': 'registrant-row', 'data-id': String(r.id) },
    el('td', { 'data-label': '学年・組', text: `${r.grade_label} ${r.class}組` }),
    el('td', { class: 'cell-main', 'data-label': '児童・生徒氏名', text: r.child_name }),
    el('td', { 'data-label': '保護者氏名', text: r.guardian_name }),
    el('td', { 'data-label': 'メールアドレス', class: 'mono', text: r.email }),
    el('td', { 'data-label': '登録日', text: stamp(r.registered_at).slice(0, 10) }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'registrant-remove', 'aria-label': `${r.child_name}（${r.grade_label} ${r.class}組）の登録を削除`, text: '削除' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '6', text: '該当する登録はありません。' })));
  $('rows').replaceChildren(...rows);
}

async function load() {
  const q = new URLSearchParams();
  if ($('q').value.trim()) q.set('q', $('q').value.trim());
  if ($('grade').value) q.set('grade', $('grade').value);
  if ($('klass').value) q.set('class', $('klass').value);
  const r = await request(`/schools/${encodeURIComponent(state.school.code)}/registrants${q.toString() ? `?${q}` : ''}`);
  state.rows = r.registrants;
  render();
  $('status').textContent = q.toString()
    ? `${r.count}件が見つかりました（全体 ${r.total}件）${r.more ? '。多すぎるため一部だけ表示しています' : ''}`
    : `${r.count}件${r.more ? '（一部だけ表示しています。検索で絞り込んでください）' : ''}`;
}

function openRemove(row) {
  state.removing = row;
  $('remove-text').textContent = `${row.grade_label} ${row.class}組 ${row.child_name}（保護者 ${row.guardian_name}）の登録を削除します。このメールアドレスには、この学校・園のお知らせが届かなくなります。`;
  for (const r of document.querySelectorAll('input[name="reason"]')) r.checked = false;
  setAlert($('remove-error'), '');
  $('remove-dialog').showModal();
  document.querySelector('input[name="reason"]').focus();
}

$('remove-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const reason = document.querySelector('input[name="reason"]:checked');
  if (!reason) {
    setAlert($('remove-error'), '削除の理由を選んでください。', 'error');
    document.querySelector('input[name="reason"]').focus();
    return;
  }
  const row = state.removing;
  try {
    await request(`/schools/${encodeURIComponent(state.school.code)}/registrants/${row.id}/remove`,
      { method: 'POST', body: { reason: reason.value }, csrf: shell.session.csrf });
  } catch (err) {
    if (err.status === 401) $('remove-dialog').close(); // the sign-in form comes next
    if (!shell.handleAuth(err)) setAlert($('remove-error'), err.message, 'error');
    return;
  }
  $('remove-dialog').close();
  try {
    await load();
    sayHere(`${row.child_name}の登録を削除しました。`, 'ok');
  } catch (err) {
    // deleted, but the list could not be read again: said on the page (the dialog is closed)
    if (!shell.handleAuth(err)) sayHere(`${row.child_name}の登録を削除しました。一覧を読み込めませんでした: ${err.message}`, 'error');
  }
});
$('remove-cancel').addEventListener('click', () => $('remove-dialog').close());
$('rows').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-testid="registrant-remove"]');
  if (!b) return;
  const row = state.rows.find((r) => String(r.id) === b.closest('tr').dataset.id);
  if (row) openRemove(row);
});
$('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setAlert($('message'), '');
  load().catch(fail);
});
$('letter').addEventListener('click', async () => {
  try {
    const f = await download(`/schools/${encodeURIComponent(state.school.code)}/letter`);
    setAlert($('message'), `登録案内（${f.filename}）を保存しました。印刷して保護者に配ってください。`, 'ok');
  } catch (err) {
    fail(err);
  }
});

shell = startShell({
  roles: ['school_admin'],
  deniedText: '登録者の一覧は、学校管理者が学校のパソコンで見ます。',
  loginNote: '学校管理者のログインIDとパスワードでログインします。',
  onReady: async () => {
    try {
      const r = await request('/schools');
      state.school = r.schools[0];
      $('school').textContent = `${state.school.name}（${r.year}年度）`;
      $('grade').replaceChildren(el('option', { value: '', text: 'すべて' }),
        ...state.school.grade_labels.map((g) => el('option', { value: String(g.grade), text: g.label })));
      $('klass').replaceChildren(el('option', { value: '', text: 'すべて' }),
        ...Array.from({ length: state.school.classes }, (_, i) => el('option', { value: String(i + 1), text: `${i + 1}組` })));
      await load();
    } catch (err) {
      fail(err);
    }
  },
});
