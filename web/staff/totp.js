// mimamori — the second factor's enrolment (/staff/totp.html): an administrator (ward_admin,
// grant_supervisor) registers an authenticator app by its QR code and a first code, and gets
// ten one-time recovery codes, shown once. Required before anything else where the server says
// so (second_factor_due); the sign-in form asks for the code from then on.
import { request } from '/js/api.js';
import { startShell, show, setAlert } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
let shell;

/** Where to go afterwards: ?next= when it is a path of this site, else the staff board. */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return /^\/(?!\/)[^\\]*$/.test(next) && !next.startsWith('/staff/totp.html') ? next : '/staff/';
}

function showState(st) {
  $('state').textContent = st.enrolled
    ? `登録済みです。回復コードの残り：${st.recovery_left}個。スマートフォンをなくしたときは、区のシステム管理者にリセットを依頼してください。`
    : 'まだ登録していません。';
  show($('start-step'), !st.enrolled);
}

async function start() {
  setAlert($('message'), '');
  $('start').disabled = true;
  try {
    const r = await request('/session/totp/enrolment', { method: 'POST', csrf: shell.session.csrf });
    $('secret').textContent = r.secret.replace(/(.{4})/g, '$1 ').trim();
    $('qr').src = `/api/v1/session/totp/enrolment/qr?t=${Date.now()}`;
    show($('start-step'), false);
    show($('confirm-form'), true);
    $('code').focus();
  } catch (err) {
    if (!shell.handleAuth(err)) setAlert($('message'), err.message);
  } finally {
    $('start').disabled = false;
  }
}

async function confirm(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  const code = $('code').value.trim();
  if (!/^\d{6}$/.test(code)) {
    setAlert($('message'), '認証アプリに表示されている6桁の数字を入力してください。');
    $('code').focus();
    return;
  }
  $('confirm').disabled = true;
  try {
    const r = await request('/session/totp/enrolment/confirm', { method: 'POST', body: { code }, csrf: shell.session.csrf });
    $('code').value = '';
    show($('confirm-form'), false);
    show($('required'), false);
    const list = $('codes');
    list.replaceChildren(...r.recovery_codes.map((c) => {
      const li = document.createElement('li');
      li.textContent = c;
      return li;
    }));
    $('continue').href = nextPage();
    show($('codes-step'), true);
    setAlert($('done'), '二段階認証を登録しました。次のログインから確認コードが必要です。');
    $('state').textContent = '';
  } catch (err) {
    if (!shell.handleAuth(err)) setAlert($('message'), err.message);
    $('code').select();
  } finally {
    $('confirm').disabled = false;
  }
}

$('start').addEventListener('click', start);
$('confirm-form').addEventListener('submit', confirm);

shell = startShell({
  roles: ['ward_admin', 'grant_supervisor'],
  totpPage: true,
  deniedText: '二段階認証は、区の管理者と助成事業者の責任者のアカウントで使います。',
  loginNote: 'ログインしてから、認証アプリを登録します。',
  onReady: async (session) => {
    show($('required'), !!session.user.second_factor_due);
    try {
      showState(await request('/session/totp'));
    } catch (err) {
      if (!shell.handleAuth(err)) setAlert($('message'), err.message);
    }
  },
});
