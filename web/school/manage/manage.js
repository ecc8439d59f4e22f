// mimamori — a school mail's footer link (/school/manage/#t=TOKEN): the link may be forwarded,
// so it shows nothing personal. It cancels this school's registration of the address, or has a
// link mailed to the address itself to see and change the registration.
import { request } from '/js/api.js';
import { revealAlert } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get('t') || '';

function say(kind, text) {
  const m = $('message');
  m.className = `alert alert-${kind}`;
  m.textContent = text;
  m.hidden = false;
}

async function post(path) {
  return request(path, { method: 'POST', body: { token } });
}

// Disabled only while it asks: a mail that did not come (a spam folder, a full mailbox) may be
// asked for again; the server sends at most 3 an hour and answers every time the same.
$('edit-link').addEventListener('click', async () => {
  $('edit-link').disabled = true;
  try {
    const r = await post('/school/manage/edit-link');
    say('ok', `${r.message}メールのリンクから、登録内容を確認・変更できます（24時間有効）。`);
  } catch (err) {
    say('error', err.message);
  } finally {
    $('edit-link').disabled = false;
    revealAlert($('message'));
  }
});

$('cancel').addEventListener('click', () => {
  $('confirm').hidden = false;
  $('cancel-yes').focus();
});
$('cancel-no').addEventListener('click', () => {
  $('confirm').hidden = true;
  $('cancel').focus();
});
$('cancel-yes').addEventListener('click', async () => {
  $('cancel-yes').disabled = true;
  try {
    const r = await post('/school/manage/cancel');
    $('choices').hidden = true;
    say('ok', `${r.school}の一斉メールの登録を解除しました。このページは閉じてかまいません。`);
    history.replaceState(null, '', location.pathname);
  } catch (err) {
    say('error', err.message);
  } finally {
    $('cancel-yes').disabled = false;
    revealAlert($('message'));
  }
});

(async () => {
  try {
    if (!/^[0-9]+-[0-9]+-[0-9a-f]{32}$/.test(token)) {
      say('error', 'リンクが正しくありません。メールに書かれたリンクをそのまま開いてください。');
      return;
    }
    const r = await post('/school/manage/lookup');
    $('school').textContent = `${r.school.name}からの一斉メール`;
    $('choices').hidden = false;
  } catch (err) {
    say('error', err.message);
  } finally {
    $('loading').hidden = true;
  }
})();
