// mimamori — the password change (/staff/password.html): required after an administrator set
// the password (a new account, a reset; the server refuses everything else until then), and
// open to every staff member at any time (POST /api/v1/session/password).
import { request } from '/js/api.js';
import { startShell, show, setAlert } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const MIN = 10;
let shell;

/** Where to go afterwards: ?next= when it is a path of this site, else the staff board. */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return /^\/(?!\/)[^\\]*$/.test(next) && !next.startsWith('/staff/password.html') ? next : '/staff/';
}

async function onSubmit(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  const current = $('current').value;
  const next = $('new').value;
  const again = $('again').value;
  let problem = null;
  let focus = null;
  if (!current) [problem, focus] = ['今のパスワードを入力してください。', 'current'];
  else if ([...next].length < MIN) [problem, focus] = [`新しいパスワードは${MIN}文字以上にしてください。`, 'new'];
  else if (next !== again) [problem, focus] = ['確認のために入力した新しいパスワードが一致しません。', 'again'];
  if (problem) {
    setAlert($('message'), problem);
    $(focus).focus();
    return;
  }
  $('save').disabled = true;
  try {
    await request('/session/password', { method: 'POST', body: { current, new: next }, csrf: shell.session.csrf });
    for (const id of ['current', 'new', 'again']) $(id).value = '';
    show($('required'), false);
    setAlert($('done'), 'パスワードを変更しました。元の画面に戻ります…');
    setTimeout(() => location.assign(nextPage()), 1200);
  } catch (err) {
    if (!shell.handleAuth(err)) setAlert($('message'), err.message);
    $('save').disabled = false;
  }
}

$('password-form').addEventListener('submit', onSubmit);

shell = startShell({
  roles: null,
  passwordPage: true,
  loginNote: 'ログインしてから、パスワードを変更します。',
  onReady: async (session) => {
    show($('required'), !!session.user.must_change_password);
    $('current').focus();
  },
});
