// mimamori — unsubscribing from a bulk mail list (the List-Unsubscribe link), and
// joining it again. Loading this page changes nothing (mail scanners follow links):
// only a button press does. No sign-in: the link's token names the message. Joining
// again is asked here (?t=) and confirmed by a link mailed to the address (?r=).
import { request } from '/js/api.js';
import { loadWords } from '/js/words.js';
import { revealAlert } from '/ward/shell.js';

loadWords();

const $ = (id) => document.getElementById(id);
const button = $('unsubscribe');
const message = $('message');
const intro = $('intro');
const again = $('again');
const resubscribe = $('resubscribe');
const rejoin = $('rejoin');

function say(kind, text) {
  message.className = `alert alert-${kind}`;
  message.textContent = text;
  message.hidden = false;
}

const params = new URLSearchParams(location.search);
const token = (params.get('t') || '').trim();
const rejoinToken = (params.get('r') || '').trim();
const TOKEN = /^[0-9]+-[0-9a-f]+$/;

if (rejoinToken) {
  // The confirmation link of joining again.
  button.hidden = true;
  intro.hidden = true;
  $('title').textContent = 'メール配信の再開';
  document.title = 'メール配信の再開 — 見守り';
  $('rejoin-intro').hidden = false;
  rejoin.hidden = false;
} else if (!TOKEN.test(token)) {
  button.disabled = true;
  button.hidden = true;
  say('error', 'リンクが正しくありません。メールに書かれたリンクをそのまま開いてください。');
}

// Runs fn once at a time on btn, showing busy while it runs; btn may be pressed again after a
// failure worth retrying. The answer then takes the focus, in view: btn was disabled while it
// ran and is hidden when done, and the focus must not fall to <body>.
function once(btn, busyText, fn) {
  let busy = false;
  const label = btn.textContent;
  btn.addEventListener('click', async () => {
    if (busy || btn.disabled) return;
    busy = true;
    btn.disabled = true;
    btn.textContent = busyText;
    message.hidden = true;
    let retry = false;
    try {
      await fn();
    } catch (err) {
      say('error', err.status === 404
        ? 'このリンクは使えません。メールに書かれたリンクをそのまま開いてください。'
        : err.message);
      retry = !err.status || err.status >= 500 || err.status === 429;
      btn.hidden = !retry;
    } finally {
      busy = false;
      btn.disabled = !retry;
      btn.textContent = label;
      revealAlert(message);
    }
  });
}

once(button, '停止しています…', async () => {
  const data = await request(`/unsubscribe/${encodeURIComponent(token)}`,
    { method: 'POST', body: { via: 'web' } });
  const name = `「${data.label || data.list}」`;
  button.hidden = true;
  intro.hidden = true;
  say('ok', data.already
    ? `${name}はすでに停止されています。このページは閉じてかまいません。`
    : `${name}の配信を停止しました。このページは閉じてかまいません。`);
  again.hidden = false;
  history.replaceState(null, '', location.pathname);
});

once(resubscribe, '申し込んでいます…', async () => {
  const data = await request(`/unsubscribe/${encodeURIComponent(token)}/resubscribe`,
    { method: 'POST', body: {} });
  again.hidden = true;
  say('ok', `「${data.label || data.list}」の配信再開の確認メールを送りました。24時間以内に、メールのリンクを開いてください。`);
  history.replaceState(null, '', location.pathname);
});

once(rejoin, '再開しています…', async () => {
  const data = await request('/resubscriptions', { method: 'POST', body: { token: rejoinToken } });
  rejoin.hidden = true;
  $('rejoin-intro').hidden = true;
  say('ok', `「${data.label || data.list}」の配信を再開しました。このページは閉じてかまいません。`);
  history.replaceState(null, '', location.pathname);
});
