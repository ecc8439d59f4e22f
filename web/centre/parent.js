// mimamori — a parent's page of the development centre (/centre/parent.html, centre_parent),
// phone first: for each of their own children, the contact thread with the centre (read and
// answer) and the monthly usage-fee statements as PDF. Nothing of another child is reachable.
import { request, el } from '/js/api.js';
import { startShell, setAlert, download } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/centre';
const yen = (n) => `${Number(n).toLocaleString('ja-JP')}円`;
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function when(ms) {
  return new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(new Date(ms));
}

async function thread(c, box) {
  const t = await request(`${BASE}/family/${c.id}/messages`);
  box.replaceChildren(...(t.messages.length ? t.messages.map((m) => el('li', { class: m.from_parent ? 'mine' : 'theirs' },
    el('p', { class: 'small muted', text: `${m.from_parent ? 'あなた' : 'センター'}　${when(m.at_ms)}` }),
    el('p', { class: 'note-body', text: m.body }))) : [el('li', { text: 'まだ連絡はありません。' })]));
}

function childCard(c) {
  const list = el('ul', { class: 'note-list thread', 'data-testid': `thread-${c.id}` });
  const ta = el('textarea', { id: `reply-${c.id}`, rows: 3, 'data-testid': `reply-${c.id}` });
  const form = el('form', { novalidate: true },
    el('div', { class: 'field' }, el('label', { for: `reply-${c.id}`, text: 'センターへの連絡' }), ta),
    el('div', { class: 'button-row' }, el('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `send-${c.id}`, text: '送る' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await request(`${BASE}/family/${c.id}/messages`, { method: 'POST', body: { body: ta.value }, csrf: shell.session.csrf });
      ta.value = '';
      await thread(c, list);
      setAlert($('message'), 'センターに送りました。', 'ok');
    } catch (err) { fail(err); }
  });
  const st = c.statements.length ? el('ul', { class: 'statements' }, ...c.statements.map((s) => el('li', {},
    el('span', { text: `${s.month}　${s.days}日　${yen(s.amount)}　` }),
    el('button', { type: 'button', class: 'btn btn-secondary', 'data-pdf': s.id, 'data-testid': `pdf-${s.id}`, text: `${s.month}の請求書（PDF）` }))))
    : el('p', { class: 'muted', text: 'まだご請求はありません。' });
  for (const b of st.querySelectorAll ? st.querySelectorAll('[data-pdf]') : []) {
    b.addEventListener('click', async () => {
      try {
        const r = await download(`${BASE}/statements/${b.dataset.pdf}/pdf`);
        setAlert($('message'), `${r.filename} を保存しました。`, 'ok');
      } catch (err) { fail(err); }
    });
  }
  const card = el('section', { class: 'card', 'aria-labelledby': `child-${c.id}`, 'data-testid': `child-${c.id}` },
    el('h3', { id: `child-${c.id}`, text: `${c.name}さん` }),
    el('h4', { text: '連絡帳' }), list, form,
    el('h4', { text: '利用料のご請求' }), st);
  return { card, list };
}

shell = startShell({
  roles: ['centre_parent'],
  deniedText: 'この画面は、児童発達支援センターを利用するお子さんの保護者が使います。',
  loginNote: 'センターからお渡ししたログインIDとパスワードでログインします。',
  loginTitle: '保護者ログイン',
  onReady: async () => {
    try {
      const f = await request(`${BASE}/family`);
      if (!f.children.length) {
        setAlert($('message'), 'お子さんがまだ登録されていません。センターにお問い合わせください。', 'info');
        return;
      }
      for (const c of f.children) {
        const { card, list } = childCard(c);
        $('children').append(card);
        await thread(c, list);
      }
    } catch (err) { fail(err); }
  },
});
