// mimamori — the babysitter subsidy's staff page (/sitter/office.html) for the contractor
// (grant_operator, grant_supervisor) and the ward (grant_staff, grant_approver): the
// applications by state or found by 申請番号・氏名・ふりがな・電話番号・メール; one opened — the form,
// the count under the cap (per use: day and night minutes, the subsidy; per child: 上限,
// これまで, 今回, 残り), the receipts, the five check items, and the moves the server offers the
// caller (補正を依頼, 事前審査を終える, 交付決定, 不交付決定, 事業者に差し戻す); a paper application
// keyed in; the day's decision notices (PDF); the transfers (全銀 file, 振込不能 read back); the
// call center's log. Downloads go through fetch, so that a refusal shows on the page.
import { request, el, API, ApiError } from '/js/api.js';
import { startShell, setAlert, tellAlert, confirmDialog, download, stamp, todayJst } from '/ward/shell.js';
import { createForm, amounts, formFacts, stepsList, dl, yen, jaDate, size } from '/sitter/form.js';

const $ = (id) => document.getElementById(id);
const CONTRACTOR = ['grant_operator', 'grant_supervisor'];
const WARD = ['grant_staff', 'grant_approver'];
const CHANNEL = { web: 'オンライン', paper: '紙（入力）', import: 'LoGoフォーム（取り込み）' };
const CALL_CHANNEL = { phone: '電話', mail: 'メール', counter: '窓口', web: 'ウェブ' };
const MEDIA = { 'image/jpeg': 'JPEG画像', 'image/png': 'PNG画像', 'application/pdf': 'PDF' };
const state = { role: '', list: [], current: null, query: '', paper: null, inquiries: [], view: null };
let shell;

const csrf = () => shell.session.csrf;
const is = (roles) => roles.includes(state.role);

function fail(err) {
  if (shell.handleAuth(err)) return;
  setAlert($('message'), err.message, 'error');
  $('message').focus();
}
function ok(text) {
  setAlert($('message'), text, 'ok');
}
/** ok(text), and the focus on the message: for a move whose button the page draws again (or
 * takes away), which would leave the focus on <body>. */
function done(text) {
  tellAlert($('message'), text, 'ok');
}
function clear() {
  setAlert($('message'), '');
}

// ---------- the list ----------

function renderList() {
  const rows = state.list.map((a) => el('tr', { 'data-testid': 'app-row', 'data-id': String(a.id), 'data-number': a.number },
    el('td', { 'data-label': '申請番号', class: 'mono', text: a.number }),
    el('td', { 'data-label': '申請者', text: a.name || '' }),
    el('td', { 'data-label': '受付日時', text: stamp(a.submitted_at) }),
    el('td', { 'data-label': '状態' }, a.state_label, a.channel === 'paper' ? el('span', { class: 'badge badge-off', text: '紙' }) : null,
      a.channel === 'import' ? el('span', { class: 'badge badge-off', text: 'LoGo' }) : null),
    el('td', { 'data-label': 'お子さま', class: 'num', text: `${a.children}人` }),
    el('td', { 'data-label': '申請額', class: 'num', text: yen(a.claim_yen) }),
    el('td', { 'data-label': '確認', text: `${a.checked}/${a.checks}` }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'app-open', 'aria-label': `申請 ${a.number} を開く`, text: '開く' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { class: 'cell-main', colspan: '8', text: '該当する申請はありません。' })));
  $('apps').replaceChildren(...rows);
}

async function loadList() {
  const q = new URLSearchParams();
  if (state.query) q.set('q', state.query);
  else if ($('state').value) q.set('state', $('state').value);
  const r = await request(`/sitter/applications?${q}`);
  state.list = r.applications;
  renderList();
  const what = state.query ? `「${state.query}」の検索結果` : $('state').selectedOptions[0].textContent;
  $('apps-count').textContent = `${what}: ${state.list.length}件`;
}

$('state').addEventListener('change', () => {
  state.query = '';
  $('q').value = '';
  clear();
  loadList().catch(fail);
});
$('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  clear();
  state.query = $('q').value.trim();
  if (state.query) $('state').value = '';
  loadList().catch(fail);
});
$('apps').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-testid="app-open"]');
  if (!b) return;
  clear();
  openApp(Number(b.closest('tr').dataset.id)).catch(fail);
});

// ---------- one application ----------

async function openApp(id, focus = true) {
  const r = await request(`/sitter/applications/${id}`);
  state.current = r.application;
  renderDetail();
  $('detail').hidden = false;
  if (focus) {
    $('detail-title').focus();
    $('detail-title').scrollIntoView({ block: 'start' });
  }
}

function receiptsBlock(a) {
  const view = el('div', { class: 'receipt-view', 'data-testid': 'receipt-view', 'aria-live': 'polite' });
  const list = el('ul', { class: 'receipt-list', 'data-testid': 'staff-receipts' },
    ...a.receipts.map((r, i) => el('li', {},
      el('span', { text: `領収書 ${i + 1}：${MEDIA[r.media] || r.media}・${size(r.bytes)}` }),
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-rid': String(r.id), 'data-n': String(i + 1), 'data-media': r.media, 'data-testid': 'receipt-open', 'aria-label': `領収書 ${i + 1} を開く`, text: '開く' }))));
  if (!a.receipts.length) list.append(el('li', { class: 'muted', text: a.channel === 'web' ? '領収書はありません。' : '領収書はまだ取り込んでいません（紙で届いたもの）。' }));
  // the image opened stays in view while the items are checked (the panel is drawn again)
  if (state.view && state.view.id === a.id) view.append(state.view.node);
  list.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-rid]');
    if (b) openReceipt(a, b, view).catch(fail);
  });
  return el('div', {}, list, paperReceipt(a), view);
}

/** The contractor adds a receipt that came on paper (scanned or photographed) to a paper or
 * imported application while it is received: the file goes up raw, its type as Content-Type. */
function paperReceipt(a) {
  if (!is(CONTRACTOR) || a.state !== 'submitted' || a.channel === 'web') return null;
  const input = el('input', { type: 'file', id: 'staff-receipt', accept: 'image/jpeg,image/png,application/pdf', 'aria-describedby': 'staff-receipt-hint', 'data-testid': 'staff-receipt-file' });
  const b = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'staff-receipt-add', text: '取り込む' });
  b.addEventListener('click', async () => {
    clear();
    const f = input.files[0];
    if (!f) {
      fail(new Error('取り込む領収書のファイルを選んでください。'));
      input.focus();
      return;
    }
    b.disabled = true;
    try {
      let res;
      try {
        res = await fetch(`${API}/sitter/applications/${a.id}/receipts`, {
          method: 'POST', body: f, credentials: 'same-origin', cache: 'no-store',
          headers: { Accept: 'application/json', 'Content-Type': f.type || 'application/octet-stream', 'X-CSRF-Token': csrf() },
        });
      } catch {
        throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください。', null);
      }
      let data = null;
      try { data = JSON.parse(await res.text()); } catch { /* keep null */ }
      if (!res.ok) throw new ApiError(res.status, data && data.message ? data.message : `取り込めませんでした（${res.status}）。`, data);
      await openApp(a.id, false);
      done(`申請 ${a.number} に領収書を取り込みました。`);
    } catch (err) {
      b.disabled = false;
      fail(err);
    }
  });
  return el('div', { class: 'toolbar' },
    el('div', { class: 'field' },
      el('label', { for: 'staff-receipt', text: '紙の領収書を取り込む' }),
      el('span', { id: 'staff-receipt-hint', class: 'hint', text: 'スキャンか写真（JPEG・PNG）か PDF。8MBまで。' }),
      input),
    b);
}

/** Fetches a receipt (audited) and shows it: an image in the page, a PDF in a new tab. */
async function openReceipt(a, b, view) {
  b.disabled = true;
  try {
    let res;
    try {
      res = await fetch(`${API}/sitter/applications/${a.id}/receipts/${b.dataset.rid}`, { credentials: 'same-origin', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください。', null);
    }
    if (!res.ok) {
      let data = null;
      try { data = JSON.parse(await res.text()); } catch { /* keep null */ }
      throw new ApiError(res.status, data && data.message ? data.message : `領収書を開けませんでした（${res.status}）。`, data);
    }
    const blob = await res.blob();
    const label = `申請 ${a.number} の領収書 ${b.dataset.n}`;
    if (blob.type.startsWith('image/')) {
      // img-src allows data: (not blob:) under the page's CSP
      const url = await new Promise((resolve, reject) => {
        const fr = new FileReader();
        fr.onload = () => resolve(fr.result);
        fr.onerror = () => reject(new Error('領収書を表示できませんでした。'));
        fr.readAsDataURL(blob);
      });
      const fig = el('figure', {}, el('img', { src: url, alt: label, 'data-testid': 'receipt-image' }), el('figcaption', { class: 'small muted', text: label }));
      state.view = { id: a.id, node: fig };
      view.replaceChildren(fig);
    } else {
      const url = URL.createObjectURL(blob);
      const link = el('a', { href: url, target: '_blank', rel: 'noopener', 'data-testid': 'receipt-link', text: `${label}（PDF）を新しいタブで開く` });
      state.view = null;
      view.replaceChildren(el('p', {}, link));
      // a new tab at once; the link stays for a blocked pop-up (or to open it again)
      window.open(url, '_blank', 'noopener');
      setTimeout(() => URL.revokeObjectURL(url), 10 * 60000);
    }
  } finally {
    b.disabled = false;
  }
}

function checksBlock(a) {
  const can = a.actions.includes('check');
  const done = a.checks.filter((c) => c.checked).length;
  const boxes = a.checks.map((c) => {
    const id = `check-${c.item}`;
    return el('label', { class: 'check', for: id },
      el('input', { type: 'checkbox', id, 'data-item': c.item, checked: c.checked, disabled: !can, 'data-testid': `check-${c.item}` }),
      el('span', { text: c.label }));
  });
  const group = el('fieldset', { class: 'choice-group', 'data-testid': 'checks' },
    el('legend', { text: `事前審査の確認（${done}/${a.checks.length} 確認済み）` }),
    el('div', { class: 'check-items' }, ...boxes),
    can ? null : el('p', { class: 'hint', text: '確認の記録は、受付（事前審査中）の申請に事業者がつけます。' }));
  group.addEventListener('change', async (ev) => {
    const box = ev.target.closest('input[data-item]');
    if (!box) return;
    clear();
    box.disabled = true;
    try {
      const r = await request(`/sitter/applications/${a.id}/checks`, { method: 'POST', body: { item: box.dataset.item, checked: box.checked }, csrf: csrf() });
      state.current = r.application;
      renderDetail();
      $(`check-${box.dataset.item}`)?.focus();
      loadList().catch(fail);
    } catch (err) {
      box.checked = !box.checked;
      box.disabled = false;
      fail(err);
    }
  });
  return group;
}

/** A move with a note: a textarea and its button (補正を依頼, 不交付決定, 事業者に差し戻す). */
function noteAction({ key, label, button, hint, testid }) {
  const id = `act-${key}`;
  const text = el('textarea', { id, maxlength: '2000', 'aria-describedby': `${id}-hint`, 'data-testid': `${testid}-note` });
  const b = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': testid, text: button });
  return {
    node: el('div', { class: 'action-box' },
      el('div', { class: 'field' }, el('label', { for: id, text: label }), el('span', { id: `${id}-hint`, class: 'hint', text: hint }), text),
      b),
    text, button: b,
  };
}

function actionsBlock(a) {
  const box = el('div', { class: 'actions-block', 'data-testid': 'actions' });
  const acts = a.actions || [];
  if (acts.includes('screen')) {
    const b = el('button', { type: 'button', class: 'btn', 'data-testid': 'act-screen', text: '事前審査を終える' });
    b.addEventListener('click', () => act(a, 'screen', {}, `申請 ${a.number} の事前審査を終えました。区の決定待ちになりました。`));
    box.append(el('div', { class: 'action-box' }, el('p', { class: 'small', text: '5つの項目がすべて確認済みなら、事前審査を終えて区の決定に回します。' }), b));
  }
  if (acts.includes('return')) {
    const n = noteAction({ key: 'return', label: '補正の内容', button: '補正を依頼', hint: '申請者にメールで届きます。何をどう直すかを具体的に書きます（個人の情報は書きすぎないでください）。', testid: 'act-return' });
    n.button.addEventListener('click', async () => {
      const note = n.text.value.trim();
      if (!note) { fail(new Error('申請者に直してほしいことを書いてください。')); n.text.focus(); return; }
      if (!(await confirmDialog(`申請 ${a.number} を補正依頼にし、申請者にメールで知らせます。`, '補正を依頼する'))) return;
      act(a, 'return', { note }, `申請 ${a.number} の補正を依頼しました。申請者にメールで知らせました。`);
    });
    box.append(n.node);
  }
  if (acts.includes('approve')) {
    const b = el('button', { type: 'button', class: 'btn', 'data-testid': 'act-approve', text: '交付決定' });
    b.addEventListener('click', async () => {
      if (!(await confirmDialog(`申請 ${a.number} を交付決定します。交付額は上限の中で ${yen(a.calc.grant_yen)}（今の計算）です。`, '交付決定する'))) return;
      act(a, 'decide', { decision: 'approve' }, `申請 ${a.number} を交付決定しました。`);
    });
    box.append(el('div', { class: 'action-box' }, el('p', { class: 'small', text: `交付額（上限の中で、今の計算）: ${yen(a.calc.grant_yen)}` }), b));
  }
  if (acts.includes('reject')) {
    const n = noteAction({ key: 'reject', label: '不交付の理由', button: '不交付決定（理由）', hint: '不交付決定通知書に載ります。', testid: 'act-reject' });
    n.button.addEventListener('click', async () => {
      const reason = n.text.value.trim();
      if (!reason) { fail(new Error('不交付の理由を書いてください（通知書に載ります）。')); n.text.focus(); return; }
      if (!(await confirmDialog(`申請 ${a.number} を不交付決定します。`, '不交付決定する'))) return;
      act(a, 'decide', { decision: 'reject', reason }, `申請 ${a.number} を不交付決定しました。`);
    });
    box.append(n.node);
  }
  if (acts.includes('send_back')) {
    const n = noteAction({ key: 'send-back', label: '事業者に確かめてほしいこと', button: '事業者に差し戻す', hint: '申請は受付（事前審査中）に戻ります。', testid: 'act-send-back' });
    n.button.addEventListener('click', async () => {
      const note = n.text.value.trim();
      if (!note) { fail(new Error('事業者に確かめてほしいことを書いてください。')); n.text.focus(); return; }
      act(a, 'send-back', { note }, `申請 ${a.number} を事業者に差し戻しました。`);
    });
    box.append(n.node);
  }
  if (!box.children.length) box.append(el('p', { class: 'small muted', text: 'この申請について、いまできる操作はありません。' }));
  return box;
}

async function act(a, what, body, text) {
  clear();
  try {
    const r = await request(`/sitter/applications/${a.id}/${what}`, { method: 'POST', body, csrf: csrf() });
    state.current = r.application;
    renderDetail();
    // the button pressed is gone with the panel drawn again: the focus goes to what happened
    done(text);
    await loadList();
    await loadNotices();
  } catch (err) {
    fail(err);
  }
}

function renderDetail() {
  const a = state.current;
  $('detail-title').textContent = `申請 ${a.number}（${a.state_label}）`;
  const facts = dl([
    ['状態', a.state_label],
    ['受付の方法', CHANNEL[a.channel] || a.channel],
    ['支払った金額', yen(a.paid_yen)],
    ['申請額（上限確認前）', yen(a.claim_yen)],
    a.decision === 'approved' ? ['交付決定額', yen(a.grant_yen)] : null,
    a.decided_on ? ['決定日', jaDate(a.decided_on)] : null,
    a.fix_note ? ['補正の内容', el('span', { class: 'note-text', text: a.fix_note })] : null,
    a.reason ? ['理由', el('span', { class: 'note-text', text: a.reason })] : null,
  ]);
  const left = el('div', {},
    el('h4', { text: '申請の内容' }),
    formFacts(a.form));
  const right = el('div', {},
    el('h4', { text: '領収書' }),
    receiptsBlock(a),
    el('h4', { text: '事前審査' }),
    checksBlock(a),
    el('h4', { text: '操作' }),
    actionsBlock(a),
    el('h4', { text: '経過' }),
    stepsList(a));
  $('detail-body').replaceChildren(facts,
    el('h4', { text: '上限の中の計算' }),
    amounts(a, { staff: true }),
    el('div', { class: 'detail-grid' }, left, right));
}

// ---------- a paper application ----------

function newPaperForm() {
  state.paper = createForm({ prefix: 'pp', confirmEmail: false });
  $('paper-fields').replaceChildren(state.paper.node);
}
$('paper-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear();
  try {
    const r = await request('/sitter/paper', { method: 'POST', body: state.paper.read(), csrf: csrf() });
    ok(`紙の申請を受け付けました（申請番号 ${r.application.number}）。`);
    newPaperForm();
    $('paper-section').querySelector('details').open = false;
    await loadList();
    await openApp(r.application.id);
  } catch (err) {
    fail(err);
  }
});

// ---------- the decision notices ----------

async function loadNotices() {
  const r = await request('/sitter/notices');
  const canMake = !is(['grant_operator']);
  const pending = r.pending.map((p) => el('tr', { 'data-testid': 'pending-row', 'data-date': p.date },
    el('td', { 'data-label': '決定日', text: jaDate(p.date) }),
    el('td', { 'data-label': '交付決定', class: 'num', text: `${p.approved}件` }),
    el('td', { 'data-label': '不交付決定', class: 'num', text: `${p.rejected}件` }),
    el('td', { 'data-label': '操作' }, canMake
      ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'notice-make', 'aria-label': `${jaDate(p.date)}の決定の通知書を作る`, text: '通知書を作る' })
      : el('span', { class: 'muted small', text: '事業者の責任者か区が作ります' }))));
  if (!pending.length) pending.push(el('tr', {}, el('td', { class: 'cell-main', colspan: '4', text: '通知を待っている決定はありません。' })));
  $('pending').replaceChildren(...pending);
  const made = r.notices.map((n) => el('tr', { 'data-testid': 'notice-row', 'data-id': String(n.id) },
    el('td', { 'data-label': '番号', text: String(n.id) }),
    el('td', { 'data-label': '決定日', text: jaDate(n.on_date) }),
    el('td', { 'data-label': '通数', class: 'num', text: `${n.letters}通` }),
    el('td', { 'data-label': '作成日時', text: stamp(n.created_at) }),
    el('td', { 'data-label': '作成者', text: n.by || '' }),
    el('td', { 'data-label': '操作' }, canMake
      ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'notice-pdf', 'aria-label': `通知書 ${n.id}（${jaDate(n.on_date)}）のPDF`, text: 'PDF' })
      : null)));
  if (!made.length) made.push(el('tr', {}, el('td', { class: 'cell-main', colspan: '6', text: 'まだ通知書は作っていません。' })));
  $('notices').replaceChildren(...made);
}

$('pending').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="notice-make"]');
  if (!b) return;
  const date = b.closest('tr').dataset.date;
  clear();
  if (!(await confirmDialog(`${jaDate(date)}の決定の通知書を作ります。その日の決定は「通知済」になり、取り消せません。`, '通知書を作る'))) return;
  b.disabled = true;
  try {
    const r = await request('/sitter/notices', { method: 'POST', body: { date }, csrf: csrf() });
    await loadNotices();
    // the row of the day (and its button) is gone
    done(`${jaDate(date)}の決定通知書 ${r.notice.letters}通を作りました（通知 ${r.notice.id}）。「PDF」で保存して印刷し、窓あき封筒で郵送してください。`);
    await loadList();
    // the day's approvals are payable now
    await refreshPayable();
  } catch (err) {
    b.disabled = false;
    fail(err);
  }
});
$('notices').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="notice-pdf"]');
  if (!b) return;
  const id = b.closest('tr').dataset.id;
  clear();
  b.disabled = true;
  try {
    const f = await download(`/sitter/notices/${id}/pdf`);
    ok(`通知書（${f.filename}）を保存しました。受け渡し台帳 ${f.ledgerId}。`);
  } catch (err) {
    fail(err);
  } finally {
    b.disabled = false;
  }
});

// ---------- the transfers ----------

async function loadPayments() {
  const r = await request('/sitter/payments');
  state.payable = r.payable;
  $('payable').textContent = `振込できる交付決定（通知済）: ${r.payable.count}件・合計 ${yen(r.payable.total_yen)}`;
  const rows = r.payments.map((p) => el('tr', { 'data-testid': 'payment-row', 'data-id': String(p.id) },
    el('td', { 'data-label': '番号', text: String(p.id) }),
    el('td', { 'data-label': '振込日', text: jaDate(p.pay_date) }),
    el('td', { 'data-label': '件数', class: 'num', text: `${p.items}件` }),
    el('td', { 'data-label': '合計', class: 'num', text: yen(p.total_yen) }),
    el('td', { 'data-label': '振込不能', class: 'num', text: `${p.returned}件` }),
    el('td', { 'data-label': '作成日時', text: stamp(p.created_at) }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'payment-file', 'aria-label': `振込 ${p.id}（${jaDate(p.pay_date)}）の振込データ（全銀）`, text: '振込データ（全銀）' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { class: 'cell-main', colspan: '7', text: 'まだ振込データは作っていません。' })));
  $('payments').replaceChildren(...rows);
}

/** Reloads the transfers and what is payable, on the ward's pages (the contractor has none). */
async function refreshPayable() {
  if (is(WARD)) await loadPayments();
}

/** The transfer form's own message, beside the form (the page's message is far above it). */
function payNote(text, kind = 'error', focus = true) {
  setAlert($('pay-message'), text, kind);
  if (text && focus) $('pay-message').focus();
}

// A transfer takes every notified approval there is when it is made, not what the page showed:
// the confirmation reads the count and total from the server just before it asks, and the
// answer is compared with what was confirmed (the API takes no expected count to refuse on).
let paying = false;
$('pay-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  // a flag, not a disabled button: the focus stays on it (a disabled one loses it to <body>)
  if (paying) return;
  clear();
  payNote('');
  const date = $('pay-date').value;
  if (!date) {
    payNote('振込日を入力してください。', 'error', false);
    $('pay-date').focus();
    return;
  }
  paying = true;
  try {
    await loadPayments();
    const p = state.payable;
    if (!p.count) {
      payNote('振込できる交付決定（通知済）はありません。決定通知書を作った交付決定が、振込の対象になります。');
      return;
    }
    if (!(await confirmDialog(`振込日 ${jaDate(date)} で、通知済みの交付決定 ${p.count}件・合計 ${yen(p.total_yen)} の振込データを作ります。作った申請は「振込済」になります。`, '振込データを作る'))) return;
    // What was confirmed goes with the request: the server makes the file only if it is still
    // exactly that (409 payable_changed otherwise, and nothing is paid).
    const r = await request('/sitter/payments', {
      method: 'POST', body: { pay_date: date, expect: { count: p.count, total_yen: p.total_yen } }, csrf: csrf(),
    });
    payNote(`振込 ${r.payment.id} を作りました：${jaDate(r.payment.pay_date)}、${r.payment.items}件・合計 ${yen(r.payment.total_yen)}。「振込データ（全銀）」で保存して銀行に渡してください。`, 'ok', false);
    await loadPayments();
    await loadList();
  } catch (err) {
    if (err.code === 'payable_changed') await loadPayments();
    if (!shell.handleAuth(err)) payNote(err.message);
  } finally {
    paying = false;
  }
});
$('payments').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="payment-file"]');
  if (!b) return;
  const id = b.closest('tr').dataset.id;
  clear();
  b.disabled = true;
  try {
    const f = await download(`/sitter/payments/${id}/file`);
    ok(`振込データ（${f.filename}）を保存しました。受け渡し台帳 ${f.ledgerId}。`);
  } catch (err) {
    fail(err);
  } finally {
    b.disabled = false;
  }
});
$('returns-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear();
  const file = $('returns-file').files[0];
  if (!file) {
    fail(new Error('振込不能のファイルを選んでください。'));
    $('returns-file').focus();
    return;
  }
  $('returns-result').textContent = '読み込んでいます…';
  try {
    let res;
    try {
      res = await fetch(`${API}/sitter/payments/returns`, {
        method: 'POST', body: file, credentials: 'same-origin', cache: 'no-store',
        headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrf() },
      });
    } catch {
      throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください。', null);
    }
    let data = null;
    try { data = JSON.parse(await res.text()); } catch { /* keep null */ }
    if (!res.ok) throw new ApiError(res.status, data && data.message ? data.message : `読み込めませんでした（${res.status}）。`, data);
    $('returns-result').textContent = `振込不能にした申請: ${data.matched.length}件${data.matched.length ? `（${data.matched.join('、')}）` : ''}。一致しなかった行: ${data.unmatched}件。`;
    $('returns-file').value = '';
    await loadPayments();
    await loadList();
  } catch (err) {
    $('returns-result').textContent = '';
    fail(err);
  }
});

// ---------- the call center ----------

async function loadCalls() {
  const q = new URLSearchParams();
  if ($('calls-open').checked) q.set('open', '1');
  if ($('calls-q').value.trim()) q.set('q', $('calls-q').value.trim());
  const r = await request(`/sitter/inquiries?${q}`);
  state.inquiries = r.inquiries;
  const canAnswer = is(CONTRACTOR);
  const rows = r.inquiries.map((c) => el('tr', { 'data-testid': 'call-row', 'data-id': String(c.id) },
    el('td', { 'data-label': '日時', text: stamp(c.at) }),
    el('td', { 'data-label': '受付方法・分類', text: `${CALL_CHANNEL[c.channel] || c.channel}・${c.topic_label}` }),
    el('td', { 'data-label': '申請番号', class: 'mono', text: c.number || '—' }),
    el('td', { 'data-label': '相談内容' }, el('span', { class: 'note-text', text: c.content })),
    el('td', { 'data-label': '回答' }, el('span', { class: 'note-text', text: c.answer || '—' })),
    el('td', { 'data-label': '状態' }, el('span', { class: `badge ${c.resolved ? 'badge-ok' : 'badge-warn'}`, text: c.resolved ? '解決済み' : '未解決' }), c.by ? el('span', { class: 'sub', text: c.by }) : null),
    el('td', { 'data-label': '操作' }, canAnswer && !c.resolved
      ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'call-resolve', 'aria-label': `問い合わせ ${c.id} を解決済みにする`, text: '解決済みにする' })
      : null)));
  if (!rows.length) rows.push(el('tr', {}, el('td', { class: 'cell-main', colspan: '7', text: $('calls-open').checked ? '未解決の問い合わせはありません。' : '問い合わせはありません。' })));
  $('calls').replaceChildren(...rows);
}

$('call-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear();
  const body = {
    channel: $('call-channel').value,
    topic: $('call-topic').value,
    content: $('call-content').value.trim(),
    answer: $('call-answer').value.trim(),
    resolved: $('call-resolved').checked,
  };
  const number = $('call-number').value.trim();
  if (number) body.number = number;
  if (!body.content) {
    fail(new Error('相談内容を書いてください。'));
    $('call-content').focus();
    return;
  }
  try {
    await request('/sitter/inquiries', { method: 'POST', body, csrf: csrf() });
    ok('問い合わせを記録しました。');
    for (const id of ['call-number', 'call-content', 'call-answer']) $(id).value = '';
    $('call-resolved').checked = false;
    await loadCalls();
  } catch (err) {
    fail(err);
  }
});
$('calls-open').addEventListener('change', () => loadCalls().catch(fail));
$('calls-search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  clear();
  loadCalls().catch(fail);
});
$('calls').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-testid="call-resolve"]');
  if (!b) return;
  const id = Number(b.closest('tr').dataset.id);
  const c = state.inquiries.find((x) => x.id === id);
  clear();
  b.disabled = true;
  try {
    await request(`/sitter/inquiries/${id}`, { method: 'POST', body: { answer: c ? c.answer || '' : '', resolved: true }, csrf: csrf() });
    await loadCalls();
    done(`問い合わせ ${id} を解決済みにしました。`); // its row (and button) is drawn again
  } catch (err) {
    b.disabled = false;
    fail(err);
  }
});

// ---------- start ----------

const ROLE_TEXT = {
  grant_operator: '事業者の担当者: 受付・事前審査・補正の依頼・紙の申請・コールセンター',
  grant_supervisor: '事業者の責任者: 担当者の仕事と決定通知書',
  grant_staff: '区の担当職員: 確認・差し戻し・決定通知書・振込',
  grant_approver: '区の決定者: 交付決定・不交付決定・決定通知書・振込',
};

shell = startShell({
  roles: [...CONTRACTOR, ...WARD],
  deniedText: 'ベビーシッター利用支援の事務は、この事業の委託事業者と区の担当者が使います。',
  loginNote: 'ベビーシッター利用支援の担当者のログインIDとパスワードでログインします。',
  onReady: async (session) => {
    state.role = session.user.role;
    $('role-line').textContent = ROLE_TEXT[state.role] || '';
    $('state').value = is(CONTRACTOR) ? 'submitted' : 'screened';
    const contractor = is(CONTRACTOR);
    $('paper-section').hidden = !contractor;
    $('nav-paper').hidden = !contractor;
    $('call-form').hidden = !contractor;
    $('payments-section').hidden = !is(WARD);
    $('nav-payments').hidden = !is(WARD);
    $('pay-date').value = todayJst();
    if (contractor) newPaperForm();
    try {
      await loadList();
      await loadNotices();
      if (is(WARD)) await loadPayments();
      await loadCalls();
    } catch (err) {
      fail(err);
    }
  },
});
