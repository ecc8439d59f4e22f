// mimamori — the frame the ward administrator's pages (/ward/), the reports page and the
// password page share: the session check, the sign-in form, the role gate, the menu, sign-out,
// a confirm dialog, and downloads through fetch (so that errors show on the page).
import { request, ApiError, el, staffSignIn, goChangePassword, goEnrolSecondFactor, API } from '/js/api.js';
import { loadWords } from '/js/words.js';

export const ROLE_LABEL = {
  ward_admin: '区の管理者',
  ward_staff: '区職員',
  contractor: '委託事業者',
  site_staff: '施設職員',
  school_admin: '学校管理者',
  sender: '送信者',
  bath_office: '入浴証 本庁担当',
  bath_branch: '入浴証 出張所窓口',
  grant_operator: '助成 事業者の担当者',
  grant_supervisor: '助成 事業者の責任者',
  grant_staff: '助成 区の担当職員',
  grant_approver: '助成 区の決定者',
  plaza_staff: '共育プラザ 窓口職員',
  youth_worker: 'ユースサポート 担当職員',
  youth_supervisor: 'ユースサポート 区の統括',
  centre_staff: '発達支援センター 職員',
  centre_manager: '発達支援センター 管理責任者',
  centre_parent: '発達支援センター 保護者',
  course_staff: '講座 担当者',
};

// The benefits' four roles (the contractor's two, the ward's two); an account of one works on
// one benefit (its session's user.benefit), and its menu shows that benefit's page only.
const GRANT = ['grant_operator', 'grant_supervisor', 'grant_staff', 'grant_approver'];

// The menu: each entry with the roles that may use it.
const MENU = [
  { href: '/ward/', text: 'ホーム', roles: ['ward_admin'] },
  { href: '/ward/sites.html', text: '施設の設定', roles: ['ward_admin'] },
  { href: '/ward/cards.html', text: 'カード', roles: ['ward_admin'] },
  { href: '/ward/kiosks.html', text: 'キオスク端末', roles: ['ward_admin'] },
  { href: '/ward/users.html', text: '利用者', roles: ['ward_admin'] },
  // backups and erasure at a contract's end (issue 19)
  { href: '/ward/backups.html', text: 'バックアップ', roles: ['ward_admin'] },
  { href: '/ward/erasure.html', text: 'データ消去', roles: ['ward_admin'] },
  { href: '/ward/retention.html', text: '保存期間と監査ログ', roles: ['ward_admin'] },
  { href: '/staff/reports.html', text: '帳票・台帳', roles: ['ward_admin', 'ward_staff', 'site_staff'] },
  { href: '/staff/', text: '職員ボード', roles: ['ward_admin', 'ward_staff', 'contractor', 'site_staff'] },
  { href: '/staff/emergency.html', text: '緊急一斉メール', roles: ['ward_admin', 'ward_staff', 'contractor'] },
  // the schools' mass mail (一斉メール配信): the ward, the school administrator, the sender
  { href: '/school/ward.html', text: '学校・園の一斉メール', roles: ['ward_admin', 'ward_staff'] },
  { href: '/school/devices.html', text: '送信者の端末', roles: ['ward_admin', 'ward_staff'] },
  { href: '/school/send.html', text: '一斉メールの送信', roles: ['ward_admin', 'ward_staff', 'school_admin', 'sender'] },
  { href: '/school/registrants.html', text: '登録者', roles: ['school_admin'] },
  { href: '/school/sender.html', text: '登録者数', roles: ['school_admin', 'sender'] },
  // the bath pass (ふれあい入浴証): head office and the branch offices' counters
  { href: '/bathpass/counter.html', text: '入浴証の窓口', roles: ['bath_office', 'bath_branch'] },
  { href: '/bathpass/office.html', text: '入浴証の本庁事務（取り込み・郵送）', roles: ['bath_office'] },
  // the benefits: the babysitter subsidy (ベビーシッター利用支援), household support (家事・育児支援)
  { href: '/sitter/office.html', text: 'ベビーシッター利用支援', roles: GRANT, benefit: 'sitter' },
  { href: '/homehelp/office.html', text: '家事・育児支援', roles: GRANT, benefit: 'homehelp' },
  // the plazas' registrations (共育プラザ): a plaza's desk; the counts and the ward's yearly work
  { href: '/plaza/desk.html', text: '共育プラザ 窓口', roles: ['plaza_staff'] },
  { href: '/plaza/admin.html', text: '共育プラザ 来館数・年次処理', roles: ['ward_admin', 'ward_staff', 'plaza_staff'] },
  // course sign-up (講座の申込): the course staff
  { href: '/course/staff.html', text: '講座の申込', roles: ['course_staff'] },
  // youth support casework (ユースサポート): the plazas' case workers and the ward's supervisor
  { href: '/youth/', text: 'ユースサポート（ケース）', roles: ['youth_worker', 'youth_supervisor'] },
  { href: '/youth/supervisor.html', text: 'ユースサポートの統括', roles: ['youth_supervisor'] },
  // the child development support centre (児童発達支援センター): staff, the manager, parents
  { href: '/centre/', text: '発達支援センター（本日・記録）', roles: ['centre_staff', 'centre_manager'] },
  { href: '/centre/manager.html', text: '発達支援センターの管理', roles: ['centre_manager'] },
  { href: '/centre/parent.html', text: 'センターからの連絡', roles: ['centre_parent'] },
  // file exchange (ファイル授受): the contractors send, the ward's staff receive, the admin sees all
  { href: '/exchange/send.html', text: 'ファイルを送る', roles: ['contractor', 'grant_operator', 'grant_supervisor'] },
  { href: '/exchange/inbox.html', text: '受け取ったファイル', roles: ['ward_admin', 'ward_staff', 'grant_staff', 'grant_approver'] },
  { href: '/exchange/admin.html', text: 'ファイル授受の記録', roles: ['ward_admin'] },
  // the privacy council's paperwork (個人情報保護審議会): item lists, designated handlers
  { href: '/ward/council.html', text: '審議会の資料', roles: ['ward_admin'] },
  { href: '/staff/totp.html', text: '二段階認証', roles: ['ward_admin', 'grant_supervisor'] },
  { href: '/staff/password.html', text: 'パスワードの変更', roles: ['school_admin', 'sender', 'bath_office', 'bath_branch', ...GRANT,
    'plaza_staff', 'youth_worker', 'youth_supervisor', 'centre_staff', 'centre_manager', 'centre_parent', 'course_staff'] },
];

const $ = (id) => document.getElementById(id);

export function show(node, on = true) { node.hidden = !on; }
export function setAlert(node, msg, kind) {
  if (kind) node.className = `alert alert-${kind}`;
  if (msg instanceof Node) node.replaceChildren(msg);
  else node.textContent = msg || '';
  show(node, !!msg);
}

/** Brings a shown alert node into view and gives it the focus (focusable from script only):
 * an answer to a press far from the node — at the top of a long page, or after the pressed
 * button was drawn again or taken away — is seen and read out, not left off screen with the
 * focus on <body>. */
export function revealAlert(node) {
  if (node.hidden) return;
  if (!node.hasAttribute('tabindex')) node.tabIndex = -1;
  node.scrollIntoView({ block: 'nearest' });
  node.focus({ preventScroll: true });
}

/** setAlert, then revealAlert when there is a message. */
export function tellAlert(node, msg, kind) {
  setAlert(node, msg, kind);
  if (msg) revealAlert(node);
}

/** The sign-in form, built into #login (one copy for every page), under title (the staff's
 * 職員ログイン unless the page is for someone else, e.g. the centre's parents). */
function buildLogin(note, title = '職員ログイン') {
  const login = $('login');
  const error = el('div', { id: 'login-error', class: 'alert alert-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const id = el('input', { type: 'text', id: 'login-id', name: 'login', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true, 'data-testid': 'login-id' });
  const pw = el('input', { type: 'password', id: 'login-password', name: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const submit = el('button', { type: 'submit', class: 'btn btn-block btn-large', id: 'login-submit', 'data-testid': 'login-submit', text: 'ログイン' });
  const form = el('form', { id: 'login-form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'login-id', text: 'ログインID' }), id),
    el('div', { class: 'field' }, el('label', { for: 'login-password', text: 'パスワード' }), pw),
    submit);
  login.replaceChildren(el('div', { class: 'card' },
    el('h2', { id: 'login-title', text: title }),
    note ? el('p', { class: 'muted small', text: note }) : null,
    error, form));
  login.setAttribute('aria-labelledby', 'login-title');
  return { form, loginId: id, loginPw: pw, loginSubmit: submit, loginError: error };
}

/** The menu for role (and a grant account's benefit), the current page marked. */
function buildNav(role, benefit) {
  const nav = $('ward-nav');
  const here = location.pathname.replace(/index\.html$/, '');
  const items = MENU.filter((m) => m.roles.includes(role) && (!m.benefit || m.benefit === benefit)).map((m) => {
    const a = el('a', { href: m.href, text: m.text });
    if (m.href === here) a.setAttribute('aria-current', 'page');
    return el('li', {}, a);
  });
  nav.replaceChildren(el('ul', {}, ...items));
  show(nav, true);
}

/**
 * Starts the page: checks the session (or shows the sign-in form), gates by roles, builds the
 * menu, and calls onReady(session) once signed in with an allowed role. session: {user, csrf}.
 * Options: roles (who may use the page), deniedText, loginNote, loginTitle (the sign-in
 * form's heading; 職員ログイン by default), passwordPage (stay on this page while a password
 * change is due), totpPage (the second factor's enrolment: stay on it).
 */
export function startShell({ roles, deniedText, loginNote, loginTitle, passwordPage = false, totpPage = false, onReady }) {
  const ui = buildLogin(loginNote, loginTitle);
  const words = loadWords(); // the ward's words for entry and exit, in the page's labels
  const who = $('who');
  const signout = $('signout');
  const session = { user: null, csrf: null };

  function toLogin(message, kind = 'error') {
    session.user = null;
    session.csrf = null;
    for (const id of ['loading', 'app', 'denied']) show($(id), false);
    show(who, false); show(signout, false); show($('ward-nav'), false);
    show($('login'), true);
    setAlert(ui.loginError, message, kind);
    ui.loginPw.value = '';
    (ui.loginId.value ? ui.loginPw : ui.loginId).focus();
  }

  async function signedIn(data) {
    if (!data || !data.user || !data.csrf) {
      toLogin('サーバーの応答が正しくありません。');
      return;
    }
    if (data.user.must_change_password && !passwordPage && goChangePassword()) return;
    // an administrator without a second factor enrols one first (totpPage: the enrolment)
    if (data.user.second_factor_due && !passwordPage && !totpPage && goEnrolSecondFactor()) return;
    session.user = data.user;
    session.csrf = data.csrf;
    setAlert(ui.loginError, '');
    show($('loading'), false); show($('login'), false);
    const role = ROLE_LABEL[data.user.role] || data.user.role || '';
    who.textContent = `${data.user.login}${role ? `（${role}）` : ''}`;
    show(who, true); show(signout, true);
    buildNav(data.user.role, data.user.benefit);
    if (roles && !roles.includes(data.user.role)) {
      $('denied-text').textContent = deniedText || 'この画面を使う権限がありません。';
      show($('denied'), true);
      return;
    }
    show($('app'), true);
    await words;
    await onReady(session);
    // The sign-in form went away with the focus in it: unless the page put it somewhere, the
    // page's heading takes it, so the keyboard and a screen reader go on from here.
    const title = $('page-title');
    if (title && (!document.activeElement || document.activeElement === document.body)) {
      if (!title.hasAttribute('tabindex')) title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }
  }

  ui.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await staffSignIn(ui, (node, msg) => setAlert(node, msg, 'error'), signedIn);
  });
  signout.addEventListener('click', async () => {
    signout.disabled = true;
    try {
      await request('/session', { method: 'DELETE', csrf: session.csrf });
    } catch (err) {
      // Already signed out (401) or the server is away: leave the screen either way.
    } finally {
      signout.disabled = false;
    }
    toLogin('ログアウトしました。', 'info');
  });

  (async () => {
    try {
      await signedIn(await request('/session'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) toLogin('');
      else toLogin(err.message);
    }
  })();

  return {
    session,
    /** Call on an ApiError: a 401 goes back to the sign-in form; returns true when handled. */
    handleAuth(err) {
      if (err instanceof ApiError && err.status === 401) {
        toLogin('ログインの有効期限が切れました。もう一度ログインしてください。');
        return true;
      }
      return false;
    },
  };
}

/**
 * Asks with the page's <dialog id="confirm-dialog"> (text, the OK button's label); resolves
 * true when confirmed. The dialog keeps the keyboard inside and Esc cancels.
 */
export function confirmDialog(text, okLabel) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = text;
  const ok = $('confirm-ok');
  const cancel = $('confirm-cancel');
  ok.textContent = okLabel;
  return new Promise((resolve) => {
    const done = (v) => {
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      resolve(v);
    };
    const onOk = () => done(true);
    const onCancel = () => done(false);
    const onClose = () => done(false);
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * Downloads GET path (under /api/v1) as a file: the server's error message on failure (an
 * ApiError), else {filename, ledgerId, lossyRows, lossy, bytes}. The file is saved through a
 * temporary link, as a click on a download link would.
 */
export async function download(path) {
  let res;
  try {
    res = await fetch(API + path, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: '*/*' } });
  } catch (e) {
    throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください。', null);
  }
  if (!res.ok) {
    let data = null;
    try { data = JSON.parse(await res.text()); } catch { /* keep null */ }
    const msg = data && typeof data.message === 'string' && data.message.trim()
      ? data.message.trim() : `ダウンロードできませんでした（${res.status}）。`;
    const err = new ApiError(res.status, msg, data);
    if (err.code === 'password_change_required') goChangePassword();
    if (err.code === 'second_factor_enrolment_required') goEnrolSecondFactor();
    throw err;
  }
  const blob = await res.blob();
  const disp = res.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(disp);
  const filename = m ? m[1] : 'download';
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return {
    filename,
    bytes: blob.size,
    ledgerId: res.headers.get('X-Mimamori-Ledger-Id'),
    lossyRows: Number(res.headers.get('X-Mimamori-Lossy-Rows') || 0),
    lossy: res.headers.get('X-Mimamori-Lossy') || '',
  };
}

/** "2026-11-23T15:02:03+09:00" → "2026-11-23 15:02". */
export function stamp(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || '');
  return m ? `${m[1]} ${m[2]}` : (iso || '');
}

/** Today in Japan as "YYYY-MM-DD". */
export function todayJst() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return parts;
}

/** Fills a <select> with the sites ({code, name}), optionally after a first option. */
export function fillSites(select, sites, first) {
  select.replaceChildren();
  if (first) select.append(el('option', { value: '', text: first }));
  for (const s of sites) select.append(el('option', { value: s.code, text: `${s.name}（${s.code}）` }));
}
