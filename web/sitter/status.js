// mimamori — the babysitter subsidy's page for the applicant (/sitter/status.html#t=TOKEN, the
// link of the confirmation mail): the state, the 申請番号, the amounts, the hours left per child,
// the steps so far; when returned for correction, what to fix and the form filled in to correct
// (PUT …/mine), the receipts (add, remove) and 「もう一度申請する」; when a transfer came back, a
// form for the correct account (PUT …/mine/bank). The token stays in the fragment: it never
// reaches a server log or a Referer.
import { el } from '/js/api.js';
import {
  createForm, createBankFields, createReceipts, applicantCall, tokenFromHash, amounts, dl, yen,
  jaDate, stepsList,
} from '/sitter/form.js';

const $ = (id) => document.getElementById(id);
const KEY = 'mimamori.sitter.token';
const token = tokenFromHash() || (() => { try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; } })();
let app = null;
let form = null;
let receipts = null;
let bank = null;

// What each state means for the applicant.
const EXPLAIN = {
  draft: 'まだ申請していません。申請のページで領収書を添付して「申請する」を押してください。',
  submitted: '申請を受け付けました。受付の担当が内容と領収書を確かめています。',
  returned: '申請の内容を直していただく必要があります。下のお願いを読んで、直してからもう一度申請してください。',
  screened: '受付の担当の確認が終わり、区が交付を決める段階です。',
  approved: '区が交付を決定しました。決定通知書を郵送します。',
  rejected: '区が不交付を決定しました。決定通知書を郵送します。',
  notified: '決定通知書を送りました。交付決定の場合は、指定の口座に振り込みます。',
  paid: '助成金を振り込みました。',
  unpaid: '助成金を振り込めませんでした。下で正しい口座を入力してください。',
};

function showError(err) {
  const m = $('message');
  m.textContent = err.message || String(err);
  m.hidden = false;
  m.focus();
}
function clear() {
  $('message').hidden = true;
  $('done').hidden = true;
}
function said(text) {
  const d = $('done');
  d.textContent = text;
  d.hidden = false;
  d.focus();
}

function render() {
  $('loading').hidden = true;
  const st = app.state;
  $('state').textContent = app.state_label;
  $('state').dataset.state = app.decision === 'rejected' ? 'rejected' : st;
  $('state-text').textContent = st === 'notified' && app.decision === 'rejected'
    ? '不交付の決定通知書を送りました。理由は通知書に書いてあります。'
    : (EXPLAIN[st] || '');
  const facts = [
    ['申請番号', el('span', { class: 'mono', 'data-testid': 'status-number', text: app.number })],
    ['受付の方法', { paper: '郵送・窓口（紙の申請）', import: 'LoGoフォーム' }[app.channel] || 'オンライン'],
    app.decided_on ? ['決定日', jaDate(app.decided_on)] : null,
    app.decision === 'approved' ? ['交付決定額', el('strong', { class: 'amount', text: yen(app.grant_yen) })] : null,
    app.decision === 'rejected' && app.reason ? ['不交付の理由', app.reason] : null,
  ];
  $('facts').replaceChildren(dl(facts));
  $('summary').hidden = false;
  $('amounts-body').replaceChildren(amounts(app));
  $('amounts').hidden = false;
  $('steps').replaceChildren(stepsList(app));
  $('history').hidden = false;

  // returned for correction: the form, filled in, to correct and send again
  const fixing = st === 'returned';
  $('fix').hidden = !fixing;
  if (fixing) {
    $('fix-note').textContent = app.fix_note || '';
    if (!form) {
      form = createForm({ prefix: 'st', confirmEmail: true });
      $('fix-fields').append(form.node);
      receipts = createReceipts({ prefix: 'st', token: () => token, onChange: reloadReceipts, fail: showError });
      $('fix-receipts').append(receipts.node);
      form.fill(app.form);
    }
    receipts.render(app.receipts || []);
  }
  // a returned transfer: the account again
  const unpaid = st === 'unpaid';
  $('bank').hidden = !unpaid;
  if (unpaid && !bank) {
    bank = createBankFields({ prefix: 'sb', legend: '正しい振込先の口座' });
    $('bank-fields').append(bank.node);
  }
}

async function load() {
  const r = await applicantCall('/sitter/mine', token);
  app = r.application;
  render();
}

async function reloadReceipts() {
  const r = await applicantCall('/sitter/mine', token);
  app.receipts = r.application.receipts;
  receipts.render(app.receipts || []);
}

async function save() {
  const r = await applicantCall('/sitter/mine', token, { method: 'PUT', body: form.read() });
  app = r.application;
}

$('save').addEventListener('click', async () => {
  clear();
  const b = $('save');
  b.disabled = true;
  try {
    await save();
    render();
    said('内容を保存しました。直し終わったら「もう一度申請する」を押してください。');
  } catch (err) {
    showError(err);
  } finally {
    b.disabled = false;
  }
});

$('fix-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear();
  const b = $('resubmit');
  b.disabled = true;
  b.textContent = '申請しています…';
  try {
    await save();
    const r = await applicantCall('/sitter/mine/submit', token, { method: 'POST' });
    app = r.application;
    render();
    said(`直した申請を受け付けました（申請番号 ${app.number}）。確認のメールを送りました。`);
  } catch (err) {
    showError(err);
  } finally {
    b.disabled = false;
    b.textContent = 'もう一度申請する';
  }
});

$('bank-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear();
  const b = $('bank-submit');
  b.disabled = true;
  try {
    const r = await applicantCall('/sitter/mine/bank', token, { method: 'PUT', body: { bank: bank.read() } });
    app = r.application;
    render();
    said('口座を受け付けました。次の振込で振り込みます。');
  } catch (err) {
    showError(err);
  } finally {
    b.disabled = false;
  }
});

async function start() {
  if (!token) {
    $('loading').hidden = true;
    showError(new Error('リンクが正しくありません。届いたメールのリンクをそのまま開いてください。'));
    return;
  }
  try {
    await load();
  } catch (err) {
    $('loading').hidden = true;
    showError(err);
  }
}
start();
