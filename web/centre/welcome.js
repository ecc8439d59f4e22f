// mimamori — a parent's one-time link from the development centre (/centre/welcome.html#t=…):
// the parent chooses the password of their account once; then signs in on /centre/parent.html.
// The token stays in the fragment (never sent to the server in a URL, nor in a Referer).
import { request, el } from '/js/api.js';

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(window.location.hash.slice(1)).get('t') || '';

function say(msg) {
  $('message').textContent = msg;
  $('message').hidden = !msg;
  if (msg) $('message').focus();
}

if (!token) say('リンクが正しくありません。メールのリンクをそのまま開いてください。');
// The mail's link pasted into this tab changes only the fragment: read the page again for it.
window.addEventListener('hashchange', () => window.location.reload());
$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!$('pw1').value) { say('新しいパスワードを入力してください。'); return; }
  if ($('pw1').value !== $('pw2').value) { say('2つのパスワードが違います。同じものを入力してください。'); return; }
  try {
    const r = await request('/centre/welcome', { method: 'POST', body: { token, password: $('pw1').value } });
    say('');
    $('form').hidden = true;
    $('done').replaceChildren(`パスワードを決めました。ログインID ${r.login} と決めたパスワードで、`,
      el('a', { href: '/centre/parent.html', text: '保護者のページ' }), 'にログインしてください。');
    $('done').hidden = false;
    history.replaceState(null, '', window.location.pathname);
  } catch (err) {
    say(err.message);
  }
});
