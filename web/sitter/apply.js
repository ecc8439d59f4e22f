// mimamori — the babysitter subsidy's public application (/sitter/apply.html), phones first, no
// account: 1. the form (POST /api/v1/sitter/applications starts a draft and gives its number and
// the link's token, kept in sessionStorage and the page's fragment #t=TOKEN so that a reload
// goes on where it was; PUT …/mine when the draft is corrected); 2. the receipts, each file
// sent raw; 3. the amounts as the server counted them, and 「申請する」 (POST …/mine/submit);
// then the 申請番号 and the note that a confirmation mail was sent.
import { el } from '/js/api.js';
import {
  createForm, createReceipts, applicantCall, tokenFromHash, amounts, formFacts, dl, yen, jaDate,
} from '/sitter/form.js';

const $ = (id) => document.getElementById(id);
const KEY = 'mimamori.sitter.token';
const STEPS = ['form', 'receipts', 'review', 'done'];
let token = tokenFromHash() || sessionStorage.getItem(KEY) || '';
let app = null; // the application as the server last answered it

const form = createForm({ prefix: 'ap', confirmEmail: true });
$('form-fields').append(form.node);
const receipts = createReceipts({
  prefix: 'ap',
  token: () => token,
  onChange: receiptsChanged,
  fail: showError,
});
$('receipts').append(receipts.node);

// What the message at the top is about, so that it goes once that is put right rather than
// staying until the next button: {control} a field of the form the server refused (marked
// aria-invalid), {receipts: true} no receipt yet; null for anything else.
let about = null;

function showError(err, what = null) {
  const m = $('message');
  clearError();
  m.className = 'alert alert-error';
  m.textContent = err.message || String(err);
  m.hidden = false;
  about = what;
  if (what && what.control && /^(INPUT|SELECT|TEXTAREA)$/.test(what.control.tagName)) what.control.setAttribute('aria-invalid', 'true');
  m.focus();
}
function clearError() {
  $('message').hidden = true;
  $('message').textContent = '';
  if (about && about.control) about.control.removeAttribute('aria-invalid');
  about = null;
}

/** A refusal of the form: the message, and the field it names watched for a change. */
function formError(err) {
  const control = err.status === 400 ? form.controlFor(err.message) : null;
  showError(err, control ? { control } : null);
}
// the field the message is about changed: the person is putting it right, the message goes
for (const type of ['input', 'change']) {
  $('form').addEventListener(type, (ev) => {
    if (about && about.control && (ev.target === about.control || about.control.contains(ev.target))) clearError();
  });
}

async function receiptsChanged() {
  await reload();
  if (about && about.receipts && app.receipts.length) clearError();
}

function keepToken(t) {
  token = t;
  try { sessionStorage.setItem(KEY, t); } catch { /* private mode: the fragment still keeps it */ }
  history.replaceState(null, '', `${location.pathname}#t=${t}`);
}

function forget() {
  token = '';
  app = null;
  try { sessionStorage.removeItem(KEY); } catch { /* nothing kept */ }
  history.replaceState(null, '', location.pathname);
}

/** Shows one step (its section), marks it in the stepper, moves the focus to its heading. */
function show(step, focus = true) {
  $('loading').hidden = true;
  for (const s of STEPS) $(`step-${s}`).hidden = s !== step;
  const at = STEPS.indexOf(step);
  for (const li of document.querySelectorAll('.stepper li')) {
    const i = STEPS.indexOf(li.dataset.step);
    li.classList.toggle('done', i < at);
    if (i === at) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  if (focus) {
    const h = $(`step-${step}`).querySelector('h2');
    h.focus();
    h.scrollIntoView({ block: 'start' });
  }
}

async function reload() {
  const r = await applicantCall('/sitter/mine', token);
  app = r.application;
  receipts.render(app.receipts || []);
  $('draft-number').textContent = app.number;
  return app;
}

// ---------- 1. the form ----------
$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError();
  const b = $('form-next');
  b.disabled = true;
  b.textContent = '保存しています…';
  try {
    const body = form.read();
    if (token && app && app.state === 'draft') {
      const r = await applicantCall('/sitter/mine', token, { method: 'PUT', body });
      app = r.application;
    } else {
      const r = await applicantCall('/sitter/applications', '', { method: 'POST', body });
      keepToken(r.token);
      app = r.application;
    }
    await reload();
    show('receipts');
  } catch (err) {
    formError(err);
  } finally {
    b.disabled = false;
    b.textContent = '次へ（領収書の添付）';
  }
});

// ---------- 2. the receipts ----------
$('receipts-back').addEventListener('click', () => {
  clearError();
  show('form');
});
$('receipts-next').addEventListener('click', async () => {
  clearError();
  try {
    await reload();
    if (!app.receipts.length) {
      showError(new Error('領収書を1つ以上添付してください。'), { receipts: true });
      return;
    }
    renderReview();
    show('review');
  } catch (err) {
    showError(err);
  }
});

// ---------- 3. the review ----------
function renderReview() {
  const f = app.form;
  $('review').replaceChildren(
    el('div', { class: 'summary-head' },
      dl([['申請番号', app.number], ['領収書', `${app.receipts.length}ファイル`]])),
    el('h3', { text: '利用した日と助成額' }),
    amounts(app),
    el('h3', { text: '入力した内容' }),
    formFacts(f),
    el('h4', { text: '利用した日' }),
    el('ol', { class: 'plain-list' }, ...f.uses.map((u) => el('li', { text: `${jaDate(u.date)} ${u.start}〜${u.end <= u.start ? '翌' : ''}${u.end}・${u.company}・${yen(u.paid_yen)}` }))));
}
$('review-receipts').addEventListener('click', () => { clearError(); show('receipts'); });
$('review-form').addEventListener('click', () => { clearError(); form.fill(app.form); show('form'); });

$('submit').addEventListener('click', async () => {
  clearError();
  const b = $('submit');
  b.disabled = true;
  b.textContent = '申請しています…';
  try {
    const r = await applicantCall('/sitter/mine/submit', token, { method: 'POST' });
    app = r.application;
    done();
  } catch (err) {
    showError(err);
  } finally {
    b.disabled = false;
    b.textContent = '申請する';
  }
});

function done() {
  $('done-number').textContent = app.number;
  $('done-mail').textContent = `受付の確認のメールを ${app.form.guardian.email} に送りました。申請番号と、申請の状況を見るページのリンクが書いてあります。届かないときは、迷惑メールのフォルダも確かめてください。`;
  $('done-status').href = `/sitter/status.html#t=${token}`;
  // A new application in this tab starts afresh; a reload of this page shows the status.
  try { sessionStorage.removeItem(KEY); } catch { /* nothing kept */ }
  show('done');
}

// ---------- start ----------
async function start() {
  if (!token) {
    show('form', false);
    return;
  }
  try {
    await reload();
    if (app.state !== 'draft') {
      // already sent: its page is the status page
      location.replace(`/sitter/status.html#t=${token}`);
      return;
    }
    if (!tokenFromHash()) history.replaceState(null, '', `${location.pathname}#t=${token}`);
    form.fill(app.form);
    show('receipts', false);
  } catch (err) {
    // an unknown or old link: start a new application
    forget();
    show('form', false);
    if (err.status !== 404) showError(err);
  }
}
start();
