// mimamori — guardian e-mail confirmation.
// Loading this page sends nothing (mail scanners follow links): only the
// button press confirms.
import { request } from '/js/api.js';
import { WORDS, loadWords } from '/js/words.js';

loadWords();

const button = document.getElementById('confirm');
const message = document.getElementById('message');
const intro = document.getElementById('intro');

function say(kind, text) {
  message.className = `alert alert-${kind}`;
  message.textContent = text;
  message.hidden = false;
}

const token = (new URLSearchParams(location.search).get('t') || '').trim();
if (!token) {
  button.disabled = true;
  button.hidden = true;
  say('error', 'リンクが正しくありません。メールに書かれたリンクをそのまま開いてください。');
}

let busy = false;
button.addEventListener('click', async () => {
  if (busy || !token) return;
  busy = true;
  button.disabled = true;
  button.textContent = '確認しています…';
  message.hidden = true;
  try {
    const data = await request('/confirmations', { method: 'POST', body: { token } });
    if (data && data.confirmed) {
      button.hidden = true;
      intro.hidden = true;
      say('ok', `メールアドレスを確認しました。これから${WORDS.entry}・${WORDS.exit}のお知らせがこのアドレスに届きます。このページは閉じてかまいません。`);
      // Drop the token from the address bar / history.
      history.replaceState(null, '', location.pathname);
      return;
    }
    throw Object.assign(new Error('確認できませんでした。もう一度お試しください。'), { status: 200 });
  } catch (err) {
    say('error', err.message);
    // A used or expired link will not work again; a network error may.
    const retry = !err.status || err.status >= 500 || err.status === 429 || err.status === 200;
    button.disabled = !retry;
    button.hidden = !retry;
    button.textContent = 'メールアドレスを確認する';
  } finally {
    busy = false;
  }
});
