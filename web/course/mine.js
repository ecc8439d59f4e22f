// mimamori — a person's own course sign-up (/course/mine.html#t=TOKEN, the link of their mails):
// each chosen session and where it stands (a place, the waitlist and its position, cancelled),
// and the cancellation (the freed place goes to the first waiting). The token stays in the
// fragment: it never reaches a server log or a Referer.
import { el } from '/js/api.js';
import { call, tokenFromHash, standing } from '/course/call.js';

const $ = (id) => document.getElementById(id);
const KEY = 'mimamori.course.token';
// The link's token; the one kept in this tab only for a reload of the page without it (a link
// with a bad token is that link's error, never the previous person's sign-up).
const linked = new URLSearchParams(location.hash.slice(1)).has('t');
const token = linked ? tokenFromHash()
  : (() => { try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; } })();

function showError(msg) {
  const m = $('message');
  m.textContent = msg;
  m.hidden = false;
  m.focus();
}

function render(m) {
  $('loading').hidden = true;
  $('mine-title').textContent = m.title;
  $('mine-name').textContent = m.name;
  $('mine-age').textContent = m.age_label;
  $('contact').textContent = `問い合わせ先: ${m.contact}`;
  $('choices').replaceChildren(...m.choices.map((x) => el('li', {},
    el('strong', { text: `第${x.pref}希望 ${x.label}` }), el('span', { text: `会場: ${x.place}` }),
    el('span', { class: `standing ${x.session_state === 'cancelled' ? 'cancelled' : x.state}`, 'data-testid': `mine-standing-${x.pref}`, text: standing(x) }))));
  $('cancel-box').hidden = m.cancelled;
  $('mine').hidden = false;
}

// Another link pasted into this tab changes only the fragment: read the page again for it.
window.addEventListener('hashchange', () => location.reload());

(async () => {
  if (!token) {
    try { sessionStorage.removeItem(KEY); } catch { /* private mode */ }
    $('loading').hidden = true;
    showError('リンクが正しくありません。申込のときに届いたメールのリンクをもう一度開いてください。');
    return;
  }
  try { sessionStorage.setItem(KEY, token); } catch { /* private mode: keep the hash only */ }
  if (location.hash) history.replaceState(null, '', location.pathname);
  try {
    render(await call('/course/mine', { token }));
  } catch (err) {
    $('loading').hidden = true;
    showError(err.message);
    return;
  }
  $('cancel').addEventListener('click', () => { $('confirm').hidden = false; $('cancel-yes').focus(); });
  $('cancel-no').addEventListener('click', () => { $('confirm').hidden = true; $('cancel').focus(); });
  $('cancel-yes').addEventListener('click', async () => {
    $('cancel-yes').disabled = true;
    try {
      render(await call('/course/mine/cancel', { method: 'POST', body: {}, token }));
      const s = $('said');
      s.textContent = 'キャンセルしました。確認のメールをお送りします。';
      s.hidden = false;
      s.focus();
    } catch (err) {
      showError(err.message);
    } finally {
      $('cancel-yes').disabled = false;
      $('confirm').hidden = true;
    }
  });
})();
