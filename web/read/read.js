// mimamori — read confirmation of a bulk mail (「読みました」). Loading this page
// changes nothing (mail scanners follow links): only the button press tells the
// sender. No sign-in: the link's token names the message; a second press counts once.
import { request } from '/js/api.js';
import { revealAlert } from '/ward/shell.js';

const button = document.getElementById('read');
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
  button.textContent = '送っています…';
  message.hidden = true;
  try {
    const data = await request(`/reads/${encodeURIComponent(token)}`,
      { method: 'POST', body: { via: 'web' } });
    button.hidden = true;
    intro.hidden = true;
    say('ok', data.already
      ? 'すでに「読みました」と伝わっています。このページは閉じてかまいません。'
      : '「読みました」と伝えました。ありがとうございました。このページは閉じてかまいません。');
    history.replaceState(null, '', location.pathname);
  } catch (err) {
    say('error', err.status === 404
      ? 'このリンクは使えません。メールに書かれたリンクをそのまま開いてください。'
      : err.message);
    const retry = !err.status || err.status >= 500 || err.status === 429;
    button.disabled = !retry;
    button.hidden = !retry;
    button.textContent = '読みました';
  } finally {
    busy = false;
    // The button was disabled, and is gone when done: the answer takes the focus, in view.
    revealAlert(message);
  }
});
