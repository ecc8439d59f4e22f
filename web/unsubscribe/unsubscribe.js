// mimamori — unsubscribing from a bulk mail list (the List-Unsubscribe link).
// Loading this page changes nothing (mail scanners follow links): only the
// button press unsubscribes. No sign-in: the link's token names the message.
import { request } from '/js/api.js';

const LISTS = { emergency: '学童クラブ等の緊急メール', school: '学校・園の一斉メール' };

const button = document.getElementById('unsubscribe');
const message = document.getElementById('message');
const intro = document.getElementById('intro');

function say(kind, text) {
  message.className = `alert alert-${kind}`;
  message.textContent = text;
  message.hidden = false;
}

const token = (new URLSearchParams(location.search).get('t') || '').trim();
if (!/^[0-9]+-[0-9a-f]+$/.test(token)) {
  button.disabled = true;
  button.hidden = true;
  say('error', 'リンクが正しくありません。メールに書かれたリンクをそのまま開いてください。');
}

let busy = false;
button.addEventListener('click', async () => {
  if (busy || button.disabled) return;
  busy = true;
  button.disabled = true;
  button.textContent = '停止しています…';
  message.hidden = true;
  try {
    const data = await request(`/unsubscribe/${encodeURIComponent(token)}`,
      { method: 'POST', body: { via: 'web' } });
    const name = LISTS[data.list] || `「${data.list}」`;
    button.hidden = true;
    intro.hidden = true;
    say('ok', data.already
      ? `${name}はすでに停止されています。このページは閉じてかまいません。`
      : `${name}の配信を停止しました。このページは閉じてかまいません。`);
    history.replaceState(null, '', location.pathname);
  } catch (err) {
    say('error', err.status === 404
      ? 'このリンクは使えません。メールに書かれたリンクをそのまま開いてください。'
      : err.message);
    const retry = !err.status || err.status >= 500 || err.status === 429;
    button.disabled = !retry;
    button.hidden = !retry;
    button.textContent = '配信を停止する';
  } finally {
    busy = false;
  }
});
