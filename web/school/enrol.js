// mimamori — a sender's device asks to be approved (/school/enrol.html): the owner's login and
// password, a name for the device; the server keeps the device's credential in a cookie and
// shows a six-digit code to tell the ward, which approves the device on /school/devices.html.
import { request, el } from '/js/api.js';

const $ = (id) => document.getElementById(id);

function showState(d) {
  const box = $('state');
  if (!d) {
    box.hidden = true;
    $('form').hidden = false;
    return;
  }
  if (d.state === 'approved') {
    box.className = 'alert alert-ok';
    box.replaceChildren(el('p', { text: `この端末（${d.label}）は区に承認されています。` }),
      el('p', {}, el('a', { href: '/school/sender.html', text: 'ログインして登録者数を見る' })));
    $('form').hidden = true;
  } else if (d.state === 'pending') {
    box.className = 'alert alert-info';
    box.replaceChildren(el('p', { text: `この端末（${d.label}）は承認を待っています。区の担当者に次の確認コードを伝えてください。` }),
      el('span', { class: 'big-code', 'data-testid': 'enrol-code', text: d.code }),
      el('p', { class: 'small', text: '承認されると、この端末からログインできます。このページを開き直すと、今の状態がわかります。' }));
    $('form').hidden = true;
  } else {
    box.className = 'alert alert-error';
    box.replaceChildren(el('p', { text: 'この端末の登録は無効にされています。もう一度申請する場合は、下から申請してください。' }));
    $('form').hidden = false;
  }
  box.hidden = false;
}

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('message').hidden = true;
  const login = $('login').value.trim();
  const password = $('password').value;
  const label = $('label').value.trim();
  const missing = !login ? 'login' : !password ? 'password' : !label ? 'label' : null;
  if (missing) {
    $('message').textContent = 'ログインID、パスワード、端末の名前を入力してください。';
    $('message').hidden = false;
    $(missing).focus();
    return;
  }
  $('submit').disabled = true;
  try {
    const r = await request('/devices/enrolment', { method: 'POST', body: { login, password, label } });
    $('password').value = '';
    showState(r.device);
    $('state').focus();
  } catch (err) {
    $('message').textContent = err.message;
    $('message').hidden = false;
    $('password').select();
  } finally {
    $('submit').disabled = false;
  }
});

(async () => {
  try {
    const r = await request('/devices/enrolment');
    showState(r.device);
  } catch (err) {
    $('message').textContent = err.message;
    $('message').hidden = false;
    $('form').hidden = false;
  } finally {
    $('loading').hidden = true;
  }
})();
