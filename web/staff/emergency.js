// mimamori — emergency mail page (緊急時の一斉メール配信): compose with a confirm step, the
// history of sends, one send's delivery (polled while mails are pending: counts, per domain,
// bounces, failures with the server's reply), the ward admin's retry of the failed mail, the
// second person's approval, and the withdrawal (取り消す) of a send not gone yet. Every text
// from the server is set with textContent (el()).
import { request, ApiError, formatTime, formatDay, el, staffSignIn } from '/js/api.js';

const POLL_PENDING_MS = 3000;     // while mails of a send are still queued
const POLL_AWAITING_MS = 10000;   // while a send waits for approval or its time (it may change)
const POLL_LIMIT_MS = 10 * 60 * 1000; // then stop and offer a button: polling is bounded
const SUBJECT_MAX = 100;
const BODY_MAX = 4000;
// Who may do what, as the API's routes (src/attendance/routes.c) and the sends' scope
// (src/attendance/emergency.c) decide: the ward's roles and the contractor act for every site;
// site staff see (and decide) only sends whose sites are all theirs — the server lists no other.
const COMPOSERS = ['ward_admin', 'contractor'];
// Approve or reject: never the author (the server refuses), nor ward staff (read only).
const DECIDERS = ['ward_admin', 'contractor', 'site_staff'];
// Withdraw (…/cancel) a send awaiting approval or scheduled: its author, or any ward admin.
const CANCEL_ANY = ['ward_admin'];
const RETRIERS = ['ward_admin'];
// The delivery report of the outbox (GET /mail/sends/…): not for site staff.
const REPORT_VIEWERS = ['ward_admin', 'ward_staff', 'contractor'];
const VIEWERS = ['ward_admin', 'ward_staff', 'contractor', 'site_staff'];
// Who approves a send to several sites, as the messages say it.
const APPROVERS_TEXT = '区の管理者・委託事業者、または送信先のすべての施設を担当する施設職員';
const ROLE_LABEL = {
  site_staff: '施設職員',
  ward_admin: '区管理者',
  ward_staff: '区職員',
  contractor: '委託事業者',
};
// Every state of a send (src/bulk/bulk.h); "sent" is labelled by its delivery below.
const STATE_LABEL = {
  awaiting_approval: '承認待ち',
  scheduled: '予約',
  rejected: '却下',
  cancelled: '取り消し',
  refused: '送信できず', // at its time the text held personal data: nothing was sent
};
// An approved send ("state": "sent", released to the outbox) is labelled by where its mail
// stands ("delivery"): never 送信済み while any of it is still queued.
const DELIVERY_LABEL = { queued: '送信待ち', sending: '送信中', done: '完了', partly_failed: '一部失敗' };

const $ = (id) => document.getElementById(id);
const ui = {
  loading: $('loading'),
  login: $('login'), loginForm: $('login-form'), loginId: $('login-id'), loginPw: $('login-password'),
  loginSubmit: $('login-submit'), loginError: $('login-error'),
  denied: $('denied'), app: $('app'), appMessage: $('app-message'),
  who: $('who'), signout: $('signout'),
  listView: $('list-view'), layout: $('layout'), awaiting: $('awaiting'),
  compose: $('compose'), composeForm: $('compose-form'), composeError: $('compose-error'),
  composeNext: $('compose-next'),
  sitesAll: $('sites-all'), siteList: $('site-list'),
  subject: $('subject'), subjectCount: $('subject-count'), body: $('body'), bodyCount: $('body-count'),
  confirm: $('confirm'), confirmTitle: $('confirm-title'), confirmApproval: $('confirm-approval'),
  confirmSites: $('confirm-sites'), confirmSubject: $('confirm-subject'), confirmBody: $('confirm-body'),
  confirmSend: $('confirm-send'), confirmBack: $('confirm-back'),
  history: $('history'), historyRefresh: $('history-refresh'), historyStatus: $('history-status'),
  readonlyNote: $('readonly-note'), sendList: $('send-list'),
  detail: $('detail'), detailBack: $('detail-back'), detailTitle: $('detail-title'),
  detailState: $('detail-state'), detailError: $('detail-error'), detailResult: $('detail-result'),
  decide: $('decide'), decideText: $('decide-text'), decideNote: $('decide-note'),
  decideActions: $('decide-actions'), approve: $('approve'), reject: $('reject'), cancel: $('cancel'),
  decideConfirm: $('decide-confirm'), decideConfirmText: $('decide-confirm-text'),
  decideYes: $('decide-yes'), decideNo: $('decide-no'),
  dRecipients: $('d-recipients'), dSent: $('d-sent'), dFailed: $('d-failed'), dPending: $('d-pending'),
  dFailedBox: $('d-failed-box'),
  dProgress: $('d-progress'), deliveryStatus: $('delivery-status'), deliveryRefresh: $('delivery-refresh'),
  failures: $('failures'), failureList: $('failure-list'), failuresMore: $('failures-more'),
  report: $('report'), dDeferred: $('d-deferred'), dBounced: $('d-bounced'),
  dBounceRate: $('d-bounce-rate'), dUnsubscribed: $('d-unsubscribed'),
  domainRows: $('domain-rows'), domainsMore: $('domains-more'),
  retry: $('retry'), retryStart: $('retry-start'), retryConfirm: $('retry-confirm'),
  retryConfirmText: $('retry-confirm-text'), retryYes: $('retry-yes'), retryNo: $('retry-no'),
  retryResult: $('retry-result'),
  detailSites: $('detail-sites'), detailCreated: $('detail-created'), detailApproved: $('detail-approved'),
  detailAtLabel: $('detail-at-label'), detailAt: $('detail-at'),
  detailSubject: $('detail-subject'), detailBody: $('detail-body'),
};

const state = {
  csrf: null,
  user: null,
  sites: [],          // [{code, name, ...}] the caller may see
  pending: null,      // the message being confirmed: {sites, subject, body, count, all}
  sending: false,
  detailId: null,
  detail: null,       // the last answer for detailId
  report: null,       // the last delivery report of detailId's mail (GET /mail/sends/…)
  retrying: false,
  decision: null,     // 'approve' | 'reject' | 'cancel' while its confirm step is shown
  flash: null,        // a message to show once on the next detail view
  gen: 0,             // bumps whenever the detail poll must stop
  timer: null,
  pollUntil: 0,
  lastOk: null,
  listGen: 0,
};

// ---------- helpers ----------
function show(node, on = true) { node.hidden = !on; }
function setAlert(node, msg) {
  if (msg instanceof Node) node.replaceChildren(msg);
  else node.textContent = msg || '';
  show(node, !!msg);
}
/** An answer to a button that has just gone (the decide box hides once decided): the message
 * is brought into view and takes the focus (tabindex="-1"), so it is seen and read out. */
function sayAt(node, msg) {
  setAlert(node, msg);
  if (!msg) return;
  node.scrollIntoView({ block: 'nearest' });
  node.focus({ preventScroll: true });
}
const canCompose = () => !!state.user && COMPOSERS.includes(state.user.role);
const canView = () => !!state.user && VIEWERS.includes(state.user.role);
const canDecide = () => !!state.user && DECIDERS.includes(state.user.role);
const canRetry = () => !!state.user && RETRIERS.includes(state.user.role);
const canSeeReport = () => !!state.user && REPORT_VIEWERS.includes(state.user.role);
const isMine = (d) => !!state.user && d.author === state.user.login;
/** The author, or a ward admin, may withdraw a send that has not gone yet. */
const canCancel = (d) => isMine(d) || (!!state.user && CANCEL_ANY.includes(state.user.role));
/** A send to exactly one site (no approval needed). */
const oneSite = (sites) => Array.isArray(sites) && sites.length === 1;
const num = (v) => (Number.isFinite(v) ? String(v) : '–');
/** The outbox's send of emergency send id, as a path segment. */
const sendPath = (id) => `/mail/sends/${encodeURIComponent(`emergency:${id}`)}`;
const chars = (s) => [...s].length;

/** {ja, raw}: the server's reason (its message is Japanese); raw stays '' (nothing to add). */
function reasonParts(err) {
  return { ja: (err && err.message) || '', raw: '' };
}
function reasonText(err) {
  const r = reasonParts(err);
  return r.raw ? `${r.ja}（${r.raw}）` : r.ja;
}

/** A refusal as a block: a headline, the reason, what to do about it, the server's words. */
function refusalNode(headline, err, hint) {
  const r = reasonParts(err);
  return el('div', {},
    el('p', { class: 'em-alert-head', text: headline }),
    r.ja ? el('p', { class: 'em-alert-reason', 'data-testid': 'refusal-reason', text: r.ja }) : null,
    hint ? el('p', { class: 'em-alert-hint', text: hint }) : null,
    r.raw ? el('p', { class: 'em-alert-raw small', 'data-testid': 'refusal-server', text: `サーバーの応答: ${r.raw}` }) : null);
}

/** "2026-11-23T15:02:03+09:00" → "11月23日(月) 15:02". */
function formatStamp(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || '');
  return m ? `${formatDay(m[1])} ${m[2]}` : (iso || '');
}

function siteName(code) {
  const s = state.sites.find((x) => x.code === code);
  return s ? `${s.name}（${code}）` : code;
}
function sitesText(sites) {
  if (sites === 'all') return '全施設';
  if (!Array.isArray(sites)) return '';
  return sites.map(siteName).join('、');
}
function sitesCount(sites) {
  if (sites === 'all') return state.sites.length;
  return Array.isArray(sites) ? sites.length : 0;
}

function handleAuthError(err) {
  if (err instanceof ApiError && err.status === 401) {
    toLogin('ログインの有効期限が切れました。もう一度ログインしてください。');
    return true;
  }
  return false;
}

function stopPolling() {
  state.gen++;
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

// ---------- sign-in / sign-out ----------
function toLogin(message) {
  stopPolling();
  state.csrf = null; state.user = null; state.detail = null;
  for (const n of [ui.loading, ui.app, ui.denied, ui.who, ui.signout]) show(n, false);
  show(ui.login, true);
  ui.loginError.className = 'alert alert-error';
  setAlert(ui.loginError, message);
  ui.loginPw.value = '';
  ui.loginSubmit.disabled = false;
  (ui.loginId.value ? ui.loginPw : ui.loginId).focus();
}

async function onLoginSubmit(ev) {
  ev.preventDefault();
  await staffSignIn(ui, setAlert, onSignedIn);
}

async function onSignOut() {
  ui.signout.disabled = true;
  stopPolling();
  try {
    await request('/session', { method: 'DELETE', csrf: state.csrf });
  } catch {
    // 401: already signed out — fine. Other errors: still leave the screen.
  } finally {
    ui.signout.disabled = false;
  }
  toLogin('ログアウトしました。');
  ui.loginError.className = 'alert alert-info';
}

async function onSignedIn(data) {
  if (!data || !data.user || !data.csrf) {
    toLogin('サーバーの応答が正しくありません。');
    return;
  }
  state.csrf = data.csrf;
  state.user = data.user;
  setAlert(ui.loginError, '');
  show(ui.loading, false); show(ui.login, false);
  const role = ROLE_LABEL[data.user.role] || data.user.role || '';
  ui.who.textContent = `${data.user.login}${role ? `（${role}）` : ''}`;
  show(ui.who, true); show(ui.signout, true);
  if (!canView()) {
    show(ui.app, false);
    show(ui.denied, true);
    return;
  }
  show(ui.denied, false);
  show(ui.app, true);
  show(ui.compose, canCompose());
  ui.readonlyNote.textContent = readonlyText(data.user.role);
  show(ui.readonlyNote, !canCompose());
  ui.layout.classList.toggle('em-readonly', !canCompose());
  await loadSites();
  route();
}

/** What a person who may not compose can do here, by role. */
function readonlyText(role) {
  if (role === 'site_staff') {
    return '施設職員は、担当の施設あての送信だけを見られます。作成は区の管理者・委託事業者が行います。2施設以上への送信は、送信先のすべての施設を担当していれば承認・却下できます。';
  }
  return '区の職員は履歴と配信状況の閲覧のみできます（作成・承認は区の管理者・委託事業者が行います）。';
}

// ---------- sites ----------
async function loadSites() {
  let data;
  try {
    data = await request('/sites');
  } catch (err) {
    if (handleAuthError(err)) return;
    setAlert(ui.appMessage, `施設の一覧を読み込めません：${err.message}`);
    return;
  }
  state.sites = Array.isArray(data && data.sites) ? data.sites : [];
  const items = state.sites.map((s) => el('label', { class: 'em-check' },
    el('input', { type: 'checkbox', name: 'site', value: s.code, 'data-testid': 'compose-site' }),
    el('span', {}, s.name || s.code, el('span', { class: 'muted small', text: ` ${s.code}` }))));
  if (!items.length) items.push(el('p', { class: 'muted', text: '送信できる施設がありません。' }));
  ui.siteList.replaceChildren(...items);
  syncAll();
}

function siteBoxes() { return [...ui.siteList.querySelectorAll('input[name="site"]')]; }

/** 全施設 checks (and locks) every site box; unlocking restores the person's own choice. */
function syncAll() {
  const all = ui.sitesAll.checked;
  for (const b of siteBoxes()) {
    if (all) {
      if (!b.disabled) b.dataset.was = b.checked ? '1' : '';
      b.checked = true;
      b.disabled = true;
    } else if (b.disabled) {
      b.disabled = false;
      b.checked = b.dataset.was === '1';
    }
  }
}

// ---------- compose ----------
function updateCounts() {
  const ns = chars(ui.subject.value.trim());
  const nb = chars(ui.body.value.trim());
  ui.subjectCount.textContent = `${ns} / ${SUBJECT_MAX}文字`;
  ui.bodyCount.textContent = `${nb} / ${BODY_MAX}文字`;
  ui.subjectCount.classList.toggle('em-over', ns > SUBJECT_MAX);
  ui.bodyCount.classList.toggle('em-over', nb > BODY_MAX);
}

function composeFail(msg, field) {
  setAlert(ui.composeError, msg);
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus({ preventScroll: true });
  }
  ui.composeError.scrollIntoView({ block: 'nearest' });
}

function onComposeNext(ev) {
  ev.preventDefault();
  setAlert(ui.composeError, '');
  for (const f of [ui.subject, ui.body]) f.removeAttribute('aria-invalid');
  const all = ui.sitesAll.checked;
  const codes = siteBoxes().filter((b) => b.checked).map((b) => b.value);
  const subject = ui.subject.value.trim();
  const body = ui.body.value.trim();
  if (!all && !codes.length) { composeFail('送信先の施設を選んでください。', ui.sitesAll); return; }
  if (!subject) { composeFail('件名を入力してください。', ui.subject); return; }
  if (/[\r\n]/.test(subject)) { composeFail('件名は1行で入力してください。', ui.subject); return; }
  if (chars(subject) > SUBJECT_MAX) { composeFail(`件名は${SUBJECT_MAX}文字以内で入力してください。`, ui.subject); return; }
  if (!body) { composeFail('本文を入力してください。', ui.body); return; }
  if (chars(body) > BODY_MAX) { composeFail(`本文は${BODY_MAX}文字以内で入力してください。`, ui.body); return; }

  const sites = all ? 'all' : codes;
  const count = sitesCount(sites);
  state.pending = { sites, subject, body, count, all };
  ui.confirmTitle.textContent = all
    ? `全施設（${count}施設）の保護者に送信します`
    : `${count}施設の保護者に送信します`;
  ui.confirmApproval.textContent = all || count > 1
    ? `2施設以上への送信のため、別の担当者（${APPROVERS_TEXT}）が承認してから配信されます。`
    : '「送信する」を押すと、すぐに配信されます。取り消しはできません。';
  ui.confirmSites.textContent = sitesText(sites);
  ui.confirmSubject.textContent = subject;
  ui.confirmBody.textContent = body;
  ui.confirmSend.textContent = all || count > 1 ? '承認を依頼する' : '送信する';
  show(ui.composeForm, false);
  show(ui.confirm, true);
  ui.confirm.focus();
}

function backToForm() {
  state.pending = null;
  show(ui.confirm, false);
  show(ui.composeForm, true);
}

async function onComposeSend() {
  const p = state.pending;
  if (!p || state.sending) return;
  state.sending = true;
  ui.confirmSend.disabled = true; ui.confirmBack.disabled = true;
  const label = ui.confirmSend.textContent;
  ui.confirmSend.textContent = '送信中…';
  try {
    const data = await request('/emergency-sends', {
      method: 'POST', csrf: state.csrf, body: { sites: p.sites, subject: p.subject, body: p.body },
    });
    backToForm();
    ui.composeForm.reset();
    syncAll();
    updateCounts();
    const n = data && Number.isFinite(data.recipients) ? data.recipients : null;
    const who = n === null ? '' : `（対象の保護者 ${n}人）`;
    state.flash = data && data.state === 'sent'
      ? `送信を受け付けました${who}。配信の状況を下に表示します。`
      : `承認待ちとして登録しました${who}。別の担当者（${APPROVERS_TEXT}）が承認すると配信されます。`;
    if (data && data.id) location.hash = `send=${data.id}`;
    else loadList();
  } catch (err) {
    if (handleAuthError(err)) return;
    backToForm();
    const personal = err.code === 'personal_data';
    composeFail(refusalNode(
      personal ? '個人情報が含まれているため、送信できませんでした。' : '送信できませんでした。',
      err,
      personal ? '子ども・保護者の氏名、住所、メールアドレス、電話番号を消してから、もう一度確認してください。何も送信されていません。'
        : '内容を確認して、もう一度お試しください。何も送信されていません。'),
    personal || err.status === 400 ? ui.body : null);
  } finally {
    state.sending = false;
    ui.confirmSend.disabled = false; ui.confirmBack.disabled = false;
    ui.confirmSend.textContent = label;
  }
}

// ---------- history ----------
/** "（現在の対象 12人）" for a send not queued yet (the server counts whom it would reach now). */
function audienceText(s) {
  return Number.isFinite(s.audience) ? `（現在の対象 ${s.audience}人）` : '';
}

/** "12月1日(月) 07:30に配信" — a scheduled send's time ("at"), or '' without one. */
function atText(s) {
  return s.at ? `${formatStamp(s.at)}に配信` : '';
}

function countsText(s) {
  if (s.state === 'awaiting_approval') {
    return `${s.at ? `承認後、${atText(s)}` : '承認後に配信'}されます${audienceText(s)}`;
  }
  if (s.state === 'scheduled') return `予約：${atText(s)}します${audienceText(s)}`;
  if (s.state === 'rejected') return '却下されたため配信されません';
  if (s.state === 'cancelled') return '取り消されたため配信されません';
  if (s.state === 'refused') return '予約の時刻の確認で送信できなかったため配信されていません';
  if (s.state !== 'sent') return '配信されていません';
  const parts = [`送信 ${s.sent} / 対象 ${s.recipients}人`];
  if (s.failed) parts.push(`失敗 ${s.failed}`);
  if (s.pending) parts.push(`未送信 ${s.pending}`);
  return parts.join('・');
}

/** "送信中 120/5608" — the label of a send: its approval, or once approved its delivery. */
function stateText(s) {
  if (s.state !== 'sent') return STATE_LABEL[s.state] || '状態不明';
  const d = s.delivery || 'queued';
  if (d === 'sending') return `${DELIVERY_LABEL.sending} ${num(s.sent)}/${num(s.recipients)}`;
  return DELIVERY_LABEL[d] || DELIVERY_LABEL.queued;
}

function stateBadge(s, testid) {
  const d = s.state === 'sent' ? (s.delivery || 'queued') : null;
  return el('span', {
    class: `em-state em-state-${d || s.state}`, 'data-state': s.state, 'data-delivery': d,
    'data-testid': testid, text: stateText(s),
  });
}

function sendRow(s) {
  return el('li', { class: 'em-row', 'data-testid': 'send-row', 'data-id': s.id, 'data-state': s.state },
    el('a', { href: `#send=${s.id}`, class: 'em-row-link', 'data-testid': 'send-link' },
      el('span', { class: 'em-row-top' },
        stateBadge(s, 'send-state'),
        el('span', { class: 'muted small', text: `#${s.id}・${formatStamp(s.created)}` })),
      el('span', { class: 'em-row-subject', 'data-testid': 'send-subject', text: s.subject }),
      el('span', { class: 'em-row-meta small' },
        el('span', { text: sitesText(s.sites) }),
        el('span', { 'data-testid': 'send-counts', text: countsText(s) }))));
}

async function loadList() {
  const gen = ++state.listGen;
  ui.historyStatus.textContent = '読み込み中…';
  ui.historyStatus.classList.remove('stale');
  ui.historyRefresh.disabled = true;
  try {
    const data = await request('/emergency-sends');
    if (gen !== state.listGen) return;
    const sends = Array.isArray(data && data.sends) ? data.sends.slice() : [];
    sends.sort((a, b) => b.id - a.id); // newest first
    const items = sends.map(sendRow);
    if (!items.length) items.push(el('li', { class: 'empty', text: 'まだ送信はありません。' }));
    ui.sendList.replaceChildren(...items);
    const waiting = sends.filter((s) => s.state === 'awaiting_approval');
    ui.historyStatus.textContent = `${sends.length}件${waiting.length ? `（承認待ち ${waiting.length}件）` : ''}・${formatTime(new Date(), true)} 更新`;
    renderAwaiting(waiting);
  } catch (err) {
    if (gen !== state.listGen) return;
    if (handleAuthError(err)) return;
    ui.historyStatus.textContent = `履歴を読み込めません：${err.status === 403 ? reasonText(err) : err.message}`;
    ui.historyStatus.classList.add('stale');
  } finally {
    if (gen === state.listGen) ui.historyRefresh.disabled = false;
  }
}

/** At the top of the list: the sends this person may approve (someone else's), as links. */
function renderAwaiting(waiting) {
  const mine = state.user ? state.user.login : '';
  // Site staff are listed only sends to their own sites: each one is theirs to decide.
  const others = canDecide() ? waiting.filter((s) => s.author !== mine) : [];
  if (!others.length) { ui.awaiting.replaceChildren(); show(ui.awaiting, false); return; }
  ui.awaiting.replaceChildren(
    el('p', { class: 'em-awaiting-head', text: `承認を待っている送信が${others.length}件あります。内容を確認して、承認または却下してください。` }),
    el('ul', {}, ...others.map((s) => el('li', {},
      el('a', { href: `#send=${s.id}`, 'data-testid': 'awaiting-link', 'data-id': s.id, text: s.subject }),
      el('span', { class: 'small', text: `（#${s.id}・${sitesText(s.sites)}・作成 ${s.author}）` })))));
  show(ui.awaiting, true);
}

// ---------- one send ----------
function renderDetail(d) {
  state.detail = d;
  ui.detailTitle.textContent = `送信 #${d.id}`;
  ui.detailState.replaceChildren(stateBadge(d, 'detail-state-badge'));
  ui.detailState.dataset.state = d.state;
  ui.detailSites.textContent = sitesText(d.sites);
  ui.detailCreated.textContent = `${formatStamp(d.created)}　${d.author || ''}`;
  ui.detailApproved.textContent = approverText(d);
  ui.detailAt.textContent = d.at ? formatStamp(d.at) : '';
  show(ui.detailAtLabel, !!d.at); show(ui.detailAt, !!d.at);
  ui.detailSubject.textContent = d.subject || '';
  ui.detailBody.textContent = d.body || '';

  const waiting = d.state === 'awaiting_approval' || d.state === 'scheduled';
  // Nothing is queued before approval or the time of a scheduled send (nor ever, once
  // rejected, cancelled or refused): no counts to show.
  const queued = d.state === 'sent';
  // Until then the server says whom it would reach now (chosen anew when it is queued).
  ui.dRecipients.textContent = queued ? num(d.recipients)
    : waiting && Number.isFinite(d.audience) ? `${d.audience}（予定）` : '–';
  ui.dSent.textContent = queued ? num(d.sent) : '–';
  ui.dFailed.textContent = queued ? num(d.failed) : '–';
  ui.dPending.textContent = queued ? num(d.pending) : '–';
  ui.dFailedBox.classList.toggle('em-stat-bad', d.failed > 0);
  ui.dProgress.max = Math.max(1, d.recipients || 0);
  ui.dProgress.value = (d.sent || 0) + (d.failed || 0);
  for (const [k, v] of [['recipients', d.recipients], ['sent', d.sent], ['failed', d.failed], ['pending', d.pending]]) {
    ui.detail.dataset[k] = String(v);
  }

  const failures = Array.isArray(d.failures) ? d.failures : [];
  ui.failureList.replaceChildren(...failures.map(failureItem));
  show(ui.failuresMore, false);
  show(ui.failures, failures.length > 0);
  renderDecide(d);
}

/** The 承認・却下 line of a send: who decided and when, or why nobody had to. An approved send
 * keeps its approver when it is scheduled and even when it is withdrawn afterwards; a send
 * withdrawn before anyone decided has none. */
function approverText(d) {
  if (d.approver) return `${d.state === 'rejected' ? '却下' : '承認'}　${formatStamp(d.approved || '')}　${d.approver}`;
  if (d.state === 'awaiting_approval') return '（まだ承認されていません）';
  if (d.parent) return '不要（「読みました」がまだの人への再送）';
  if (oneSite(d.sites)) return '不要（1施設への送信）';
  if (d.state === 'cancelled') return '（承認される前に取り消されました）';
  return '–';
}

/** One failed mail: the server's reply (addresses already blanked by the server), its domain
 * and the time of the last attempt when the report gives them. */
function failureItem(f) {
  const meta = [f.domain, f.at ? formatStamp(f.at) : null, `試行 ${f.attempts}回`].filter(Boolean);
  return el('li', { 'data-testid': 'failure', 'data-domain': f.domain || null },
    el('code', { text: f.reply || '（応答なし）' }),
    el('span', { class: 'muted small em-failure-meta', text: meta.join('・') }));
}

/** "0.1667" → "16.7%". */
function percent(rate) {
  return Number.isFinite(rate) ? `${(rate * 100).toFixed(1)}%` : '–';
}

/** The delivery report of the send's mail (null: none, e.g. nobody to send to): the figures,
 * the table per domain, the failures with domain and time, and the retry for ward admins. */
function renderReport(r, d) {
  state.report = r;
  const ok = !!r && d.state === 'sent' && canSeeReport();
  show(ui.report, ok);
  if (!ok) { show(ui.retry, false); return; }
  ui.dDeferred.textContent = num(r.deferred);
  ui.dBounced.textContent = num(r.bounced);
  ui.dBounceRate.textContent = r.sent > 0 ? percent(r.bounce_rate) : '–';
  ui.dUnsubscribed.textContent = num(r.unsubscribed);
  for (const k of ['deferred', 'bounced', 'unsubscribed']) ui.detail.dataset[k] = String(r[k]);
  ui.detail.dataset.bounceRate = String(r.bounce_rate);

  const cols = [['total', '対象'], ['sent', '送信済み'], ['failed', '失敗'], ['deferred', '再試行待ち'],
    ['pending', '未送信'], ['bounced', '不達']];
  const domains = Array.isArray(r.domains) ? r.domains : [];
  const rows = domains.map((x) => el('tr', { 'data-testid': 'domain-row', 'data-domain': x.domain },
    el('td', { 'data-label': 'ドメイン', text: x.domain }),
    ...cols.map(([k, label]) => el('td', {
      'data-label': label, 'data-col': k, text: num(x[k]),
      class: (k === 'failed' || k === 'bounced') && x[k] > 0 ? 'em-bad' : null,
    }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'メールはありません。' })));
  ui.domainRows.replaceChildren(...rows);
  ui.domainsMore.textContent = r.domains_more > 0 ? `ほか${r.domains_more}ドメイン（件数の多い${domains.length}ドメインを表示）` : '';
  show(ui.domainsMore, r.domains_more > 0);

  const failures = Array.isArray(r.failures) ? r.failures : [];
  ui.failureList.replaceChildren(...failures.map(failureItem));
  show(ui.failures, failures.length > 0);
  const more = (r.failed || 0) - failures.length;
  ui.failuresMore.textContent = more > 0 ? `ほか${more}通（新しい${failures.length}通を表示）` : '';
  show(ui.failuresMore, more > 0);

  const retryable = canRetry() && r.failed > 0;
  show(ui.retry, retryable);
  if (!retryable) hideRetryConfirm();
  else if (!ui.retryConfirm.hidden) ui.retryConfirmText.textContent = retryQuestion(r);
}

function retryQuestion(r) {
  return `送信に失敗した${r.failed}通を、もう一度送信します。よろしいですか？`;
}

function askRetry() {
  const r = state.report;
  if (!r || !r.failed) return;
  setAlert(ui.retryResult, '');
  ui.retryConfirmText.textContent = retryQuestion(r);
  show(ui.retryStart, false);
  show(ui.retryConfirm, true);
  ui.retryYes.focus();
}

function hideRetryConfirm() {
  show(ui.retryConfirm, false);
  show(ui.retryStart, true);
}

async function onRetry() {
  const id = state.detailId;
  if (!id || state.retrying) return;
  state.retrying = true;
  ui.retryYes.disabled = true; ui.retryNo.disabled = true;
  try {
    const res = await request(`${sendPath(id)}/retry`, { method: 'POST', csrf: state.csrf });
    const left = [];
    if (res.skipped_bouncing) left.push(`不達が続いているアドレスあて ${res.skipped_bouncing}通`);
    if (res.skipped_unsubscribed) left.push(`配信停止したアドレスあて ${res.skipped_unsubscribed}通`);
    ui.retryResult.className = 'alert alert-ok';
    setAlert(ui.retryResult, `${res.retried}通を再送しました。${left.length ? `送らなかったもの：${left.join('・')}。` : ''}配信の状況は自動で更新されます。`);
  } catch (err) {
    if (handleAuthError(err)) return;
    ui.retryResult.className = 'alert alert-error';
    setAlert(ui.retryResult, refusalNode('再送できませんでした。', err, null));
  } finally {
    state.retrying = false;
    ui.retryYes.disabled = false; ui.retryNo.disabled = false;
    hideRetryConfirm();
  }
  startPolling(id);
}

/** The buttons a send not gone yet offers this person: approve and reject to those who may
 * decide it (not its author: the approve button stays, disabled, with the reason), 取り消す to
 * its author and ward admins. */
function decideButtons(d) {
  const awaiting = d.state === 'awaiting_approval';
  return {
    approve: awaiting && canDecide(),
    reject: awaiting && canDecide() && !isMine(d),
    cancel: canCancel(d),
  };
}

function renderDecide(d) {
  const open = d.state === 'awaiting_approval' || d.state === 'scheduled';
  show(ui.decide, open);
  if (!open) { closeDecideConfirm(); return; }
  const mine = isMine(d);
  const where = d.sites === 'all' ? '全施設' : `${sitesCount(d.sites)}施設`;
  ui.decideText.textContent = d.state === 'scheduled'
    ? `この送信は予約されています。${formatStamp(d.at)}に${where}の保護者に配信されます。`
    : `この送信は承認待ちです。承認すると${d.at ? `${formatStamp(d.at)}に` : ''}${where}の保護者に配信されます。`;
  const b = decideButtons(d);
  ui.approve.hidden = !b.approve;
  ui.approve.disabled = mine;
  ui.reject.hidden = !b.reject;
  ui.cancel.hidden = !b.cancel;
  // While a confirm step is open the buttons stay hidden (this redraws at every poll).
  show(ui.decideActions, (b.approve || b.reject || b.cancel) && !state.decision);
  let note = '';
  if (d.state === 'awaiting_approval' && mine) {
    note = `あなたが作成した送信のため、承認できません。別の担当者（${APPROVERS_TEXT}）が承認すると配信されます。取りやめる場合は「取り消す」を押してください。`;
  } else if (d.state === 'awaiting_approval' && !canDecide()) {
    note = `承認・却下は${APPROVERS_TEXT}が行います。`;
  } else if (d.state === 'scheduled' && !b.cancel) {
    note = '予約を取り消せるのは、作成した人か区の管理者です。';
  }
  ui.decideNote.textContent = note;
  show(ui.decideNote, !!note);
  ui.decideNote.className = mine ? 'small alert alert-info' : 'small';
}

function closeDecideConfirm() {
  state.decision = null;
  show(ui.decideConfirm, false);
}

/** Back from a confirm step to the buttons of the send shown. */
function hideDecideConfirm() {
  closeDecideConfirm();
  if (state.detail) renderDecide(state.detail);
}

const DECIDE = {
  approve: { button: 'approve', yes: '承認して送信する', danger: false, done: '承認しました。', failed: '承認できませんでした。' },
  reject: { button: 'reject', yes: '却下する', danger: true, done: '却下しました。メールは配信されません。', failed: '却下できませんでした。' },
  cancel: { button: 'cancel', yes: '取り消す', danger: true, done: '取り消しました。メールは配信されません。', failed: '取り消せませんでした。' },
};

function askDecision(kind) {
  const d = state.detail;
  if (!d) return;
  setAlert(ui.detailError, '');
  setAlert(ui.detailResult, '');
  state.decision = kind;
  const where = d.sites === 'all' ? `全施設（${sitesCount(d.sites)}施設）` : `${sitesCount(d.sites)}施設`;
  const question = {
    approve: `${where}の保護者に「${d.subject}」を${d.at ? `${formatStamp(d.at)}に` : ''}送信します。よろしいですか？`,
    reject: 'この送信を却下します。メールは配信されません。よろしいですか？',
    cancel: `この送信（「${d.subject}」）を取り消します。メールは配信されず、元に戻せません。よろしいですか？`,
  };
  ui.decideConfirmText.textContent = question[kind];
  ui.decideYes.textContent = DECIDE[kind].yes;
  ui.decideYes.className = DECIDE[kind].danger ? 'btn btn-danger' : 'btn';
  show(ui.decideActions, false);
  show(ui.decideConfirm, true);
  ui.decideYes.focus();
}

async function onDecide() {
  const d = state.detail;
  const kind = state.decision;
  if (!d || !kind) return;
  ui.decideYes.disabled = true; ui.decideNo.disabled = true;
  try {
    const data = await request(`/emergency-sends/${encodeURIComponent(d.id)}/${kind}`, {
      method: 'POST', csrf: state.csrf,
    });
    closeDecideConfirm();
    sayAt(ui.detailResult, kind === 'approve' ? approvedText(data) : DECIDE[kind].done);
  } catch (err) {
    if (handleAuthError(err)) return;
    hideDecideConfirm();
    sayAt(ui.detailError, refusalNode(DECIDE[kind].failed, err, null));
  } finally {
    ui.decideYes.disabled = false; ui.decideNo.disabled = false;
  }
  startPolling(d.id);
}

/** The answer to an approval: queued now, or scheduled for its time. */
function approvedText(data) {
  const who = data && Number.isFinite(data.recipients) ? `対象の保護者 ${data.recipients}人に` : '';
  if (data && data.state === 'scheduled') return `承認しました。${formatStamp(data.at)}に${who}配信します。`;
  return `承認しました。${who}配信しています。`;
}

/** Polls one send: every 3 s while mails are pending, every 10 s while it awaits approval or
 * its time, at most POLL_LIMIT_MS from the last start (then a button starts it again). */
function startPolling(id) {
  stopPolling();
  state.pollUntil = Date.now() + POLL_LIMIT_MS;
  show(ui.deliveryRefresh, false);
  pollDetail(id, state.gen);
}

async function pollDetail(id, gen) {
  if (gen !== state.gen) return;
  if (document.hidden && state.detail && state.detail.id === id) { scheduleDetail(id, gen, POLL_PENDING_MS); return; }
  let d;
  let report = null;
  try {
    d = await request(`/emergency-sends/${encodeURIComponent(id)}`, { timeoutMs: 10000 });
    if (d && d.state === 'sent' && canSeeReport()) report = await loadReport(id);
  } catch (err) {
    if (gen !== state.gen) return;
    if (handleAuthError(err)) return;
    if (err.status === 403 || err.status === 404 || err.status === 400) {
      stopPolling();
      setAlert(ui.detailError, refusalNode('この送信を表示できません。', err, null));
      return;
    }
    ui.deliveryStatus.textContent = state.lastOk
      ? `更新できません（${formatTime(state.lastOk, true)} の情報を表示中・再試行中）：${err.message}`
      : `読み込めません（再試行中）：${err.message}`;
    ui.deliveryStatus.classList.add('stale');
    scheduleDetail(id, gen, POLL_PENDING_MS);
    return;
  }
  if (gen !== state.gen) return;
  state.lastOk = new Date();
  renderDetail(d);
  renderReport(report, d);
  ui.deliveryStatus.classList.remove('stale');
  const stamp = `最終更新 ${formatTime(state.lastOk, true)}`;
  if (d.state === 'sent' && d.pending > 0) {
    ui.deliveryStatus.textContent = `配信中：あと${d.pending}通（${stamp}・3秒ごとに自動更新）`;
    scheduleDetail(id, gen, POLL_PENDING_MS);
  } else if (d.state === 'awaiting_approval') {
    ui.deliveryStatus.textContent = d.at
      ? `承認を待っています。承認されると${formatStamp(d.at)}に配信します（${stamp}・自動更新）`
      : `承認を待っています。承認されると配信が始まります（${stamp}・自動更新）`;
    scheduleDetail(id, gen, POLL_AWAITING_MS);
  } else if (d.state === 'scheduled') {
    // Polled like a send awaiting approval: at its time it is queued (or withdrawn meanwhile).
    ui.deliveryStatus.textContent = `予約：${formatStamp(d.at)}に配信します（${stamp}・自動更新）`;
    scheduleDetail(id, gen, POLL_AWAITING_MS);
  } else if (d.state === 'sent') {
    ui.deliveryStatus.textContent = d.failed
      ? `配信が終わりました。${d.failed}通は送信できませんでした（${stamp}）`
      : `配信が終わりました。全${d.sent}通を送信しました（${stamp}）`;
    show(ui.deliveryRefresh, true);
  } else {
    const why = d.state === 'refused' && d.refusal ? `理由：${d.refusal}` : '';
    ui.deliveryStatus.textContent = `${NOT_SENT_WHY[d.state] || ''}配信されていません（${stamp}）${why}`;
  }
}

// Why a send that ended without mail was not sent (the start of its status line).
const NOT_SENT_WHY = {
  rejected: '却下されたため、',
  cancelled: '取り消されたため、',
  refused: '予約の時刻の確認で送信できなかったため、',
};

/** The delivery report of send id's mail, or null when there is none (404: nobody to send
 * to) or it cannot be read now (the counts above still show). */
async function loadReport(id) {
  try {
    return await request(sendPath(id), { timeoutMs: 10000 });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    return null;
  }
}

function scheduleDetail(id, gen, ms) {
  if (gen !== state.gen) return;
  if (Date.now() + ms > state.pollUntil) {
    ui.deliveryStatus.textContent += '　自動更新を止めました。「配信状況を更新」で最新にできます。';
    show(ui.deliveryRefresh, true);
    return;
  }
  if (state.timer) clearTimeout(state.timer);
  state.timer = setTimeout(() => pollDetail(id, gen), ms);
}

// ---------- views (#send=ID: one send; otherwise the list) ----------
function route() {
  if (!state.user || !canView()) return;
  const m = /^#send=(\d{1,15})$/.exec(location.hash);
  stopPolling();
  closeDecideConfirm();
  setAlert(ui.appMessage, '');
  if (m) {
    const id = Number(m[1]);
    show(ui.listView, false);
    show(ui.detail, true);
    setAlert(ui.detailError, '');
    setAlert(ui.detailResult, state.flash || '');
    state.flash = null;
    if (state.detailId !== id) {
      state.detailId = id;
      state.detail = null;
      state.lastOk = null;
      ui.detailTitle.textContent = `送信 #${id}`;
      ui.detailState.replaceChildren();
      show(ui.decide, false);
      show(ui.failures, false);
      show(ui.report, false);
      show(ui.retry, false);
      hideRetryConfirm();
      setAlert(ui.retryResult, '');
      state.report = null;
      ui.deliveryStatus.textContent = '読み込み中…';
    }
    ui.detail.focus();
    startPolling(id);
  } else {
    show(ui.detail, false);
    show(ui.listView, true);
    state.detailId = null;
    loadList();
  }
}

// ---------- start ----------
ui.loginForm.addEventListener('submit', onLoginSubmit);
ui.signout.addEventListener('click', onSignOut);
ui.sitesAll.addEventListener('change', syncAll);
ui.composeForm.addEventListener('submit', onComposeNext);
ui.composeForm.addEventListener('input', (ev) => {
  if (ev.target === ui.subject || ev.target === ui.body) {
    ev.target.removeAttribute('aria-invalid');
    updateCounts();
  }
});
ui.confirmBack.addEventListener('click', () => { backToForm(); ui.subject.focus(); });
ui.confirmSend.addEventListener('click', onComposeSend);
ui.historyRefresh.addEventListener('click', loadList);
ui.detailBack.addEventListener('click', (ev) => {
  ev.preventDefault();
  history.pushState(null, '', location.pathname);
  route();
});
ui.approve.addEventListener('click', () => { if (!ui.approve.disabled) askDecision('approve'); });
ui.reject.addEventListener('click', () => askDecision('reject'));
ui.cancel.addEventListener('click', () => askDecision('cancel'));
ui.decideNo.addEventListener('click', () => {
  const button = state.decision && ui[DECIDE[state.decision].button];
  hideDecideConfirm();
  if (button) button.focus();
});
ui.decideYes.addEventListener('click', onDecide);
ui.retryStart.addEventListener('click', askRetry);
ui.retryNo.addEventListener('click', () => { hideRetryConfirm(); ui.retryStart.focus(); });
ui.retryYes.addEventListener('click', onRetry);
ui.deliveryRefresh.addEventListener('click', () => { if (state.detailId) startPolling(state.detailId); });
window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.detailId && state.csrf && state.timer) {
    const gen = state.gen;
    clearTimeout(state.timer);
    pollDetail(state.detailId, gen);
  }
});
updateCounts();

(async function init() {
  try {
    const data = await request('/session');
    await onSignedIn(data);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) toLogin('');
    else toLogin(err.message);
  }
})();
