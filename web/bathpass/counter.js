// mimamori — the bath pass's counter (/bathpass/counter.html), for branch offices and head
// office: type ふりがな (or a name, a birth date in 和暦, a 宛名番号), Enter, see at once whether
// the person is eligible and whether this year's pass was issued (where, when, how), and issue
// with one more Enter: the answer is the 整理番号.
import { request, el } from '/js/api.js';
import { startShell, setAlert, download } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { people: [], counter: null };
let shell;

const METHOD = { counter: '窓口', mail: '郵送' };

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function yearText(y) {
  if (!y.issued) return `${y.fiscal_year}年度はまだ交付していません。`;
  const where = y.method === 'mail' ? '郵送' : `${y.place_name}の窓口`;
  let t = `${y.fiscal_year}年度は ${y.date} に${where}で交付済み（整理番号 ${y.number}）`;
  if (y.reissues) t += `、再交付 ${y.reissues}回`;
  if (y.returned) t += `。${y.returned} に返戻`;
  return `${t}。`;
}

function card(p) {
  const y = p.this_year;
  const canIssue = p.eligible && !y.issued;
  const canReissue = p.eligible && y.issued;
  const verdict = p.eligible
    ? el('p', { class: 'verdict yes', 'data-testid': 'person-eligible', text: '対象です' })
    : el('p', { class: 'verdict no', 'data-testid': 'person-eligible', text: `対象ではありません：${p.why_not}` });
  const actions = el('div', { class: 'button-row' });
  if (canIssue) {
    actions.append(el('button', { type: 'button', class: 'btn btn-large', 'data-action': 'issue', 'data-id': String(p.id), 'data-testid': 'person-issue', 'aria-label': `${p.name}さんに入浴証を交付する`, text: '交付する' }));
  }
  if (canReissue) {
    actions.append(el('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'reissue', 'data-id': String(p.id), 'data-testid': 'person-reissue', 'aria-label': `${p.name}さんに入浴証を再交付する（紛失）`, text: '再交付する（紛失）' }));
  }
  // Head office: the cover letter of this year's pass by post (one at a time).
  if (state.counter && state.counter.office && y.issued && y.method === 'mail') {
    actions.append(el('button', { type: 'button', class: 'btn btn-secondary', 'data-letter': String(p.id), 'data-testid': 'person-letter', 'aria-label': `${p.name}さんの送付状（PDF）`, text: '送付状（PDF）' }));
  }
  const items = [
    ['生年月日', `${p.birth_wareki}（${p.age}歳）`],
    ['性別', p.sex],
    ['対象区分', p.category],
    ['住所', p.address],
  ];
  if (p.resident_no) items.unshift(['宛名番号', p.resident_no]);
  if (p.excluded_on) items.push(['除外', `${p.excluded_on} ${p.excluded_why || ''}`]);
  if (p.note) items.push(['個別事由', p.note]);
  return el('article', { class: 'person', 'data-testid': 'person', 'data-id': String(p.id), 'aria-labelledby': `person-${p.id}` },
    el('h3', { id: `person-${p.id}`, text: p.name }),
    el('p', { class: 'kana', text: p.kana }),
    verdict,
    el('p', { 'data-testid': 'person-year', text: yearText(y) }),
    el('dl', {}, ...items.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
    actions,
    state.counter && state.counter.office ? recordForm(p) : null);
}

// Head office only: record an application by mail, a pass by mail, returned mail, an
// exclusion or a send-to change (送付先変更などの個別事由).
const EVENT_KINDS = [['apply', '申請（郵送）'], ['mail_issue', '郵送で交付'], ['mail_reissue', '郵送で再交付（紛失）'], ['returned', '返戻'],
  ['exclude', '除外（理由を書く）'], ['sendto', '送付先変更などの個別事由（内容を書く）']];
function recordForm(p) {
  const id = (n) => `${n}-${p.id}`;
  const kind = el('select', { id: id('ev-kind'), 'data-testid': 'event-kind' },
    ...EVENT_KINDS.map(([v, t]) => el('option', { value: v, text: t })));
  return el('details', { class: 'record', 'data-testid': 'person-record' },
    el('summary', { text: '本庁の記録' }),
    el('form', { 'data-id': String(p.id), 'data-testid': 'event-form', novalidate: true },
      el('div', { class: 'field' }, el('label', { for: id('ev-kind'), text: '記録の種類' }), kind),
      el('div', { class: 'field' }, el('label', { for: id('ev-date'), text: '日付（空欄は今日）' }),
        el('input', { type: 'date', id: id('ev-date'), 'data-testid': 'event-date' })),
      el('div', { class: 'field' }, el('label', { for: id('ev-text'), text: '除外事由・個別事由' }),
        el('input', { type: 'text', id: id('ev-text'), maxlength: '200', 'data-testid': 'event-text' })),
      el('button', { type: 'submit', class: 'btn btn-secondary', 'data-testid': 'event-submit', text: '記録する' })));
}

async function record(form) {
  const pid = Number(form.dataset.id);
  const kind = form.querySelector('select').value;
  const date = form.querySelector('input[type="date"]').value;
  const text = form.querySelector('input[type="text"]').value.trim();
  const body = { kind };
  if (date) body.date = date;
  if (kind === 'exclude') body.reason = text;
  if (kind === 'sendto') body.note = text;
  const r = await request(`/bath/people/${pid}/events`, { method: 'POST', body, csrf: shell.session.csrf });
  const label = EVENT_KINDS.find(([v]) => v === kind)[1].replace(/（.*）$/, '');
  // An empty 個別事由 takes the held one away (the server refuses it when there is none).
  const said = kind === 'sendto' && !text
    ? `個別事由を消しました（${r.date}）。`
    : `${label}を記録しました（${r.date}${r.number ? `、整理番号 ${r.number}` : ''}）。`;
  await search();
  // A pass by post: its cover letter is the next thing to print.
  setAlert($('issued'), kind === 'mail_issue' || kind === 'mail_reissue'
    ? el('span', {}, `${said}送付状は`, el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-letter': String(pid), 'data-testid': 'issued-letter', text: '送付状（PDF）' }), 'で保存して印刷します。')
    : said, 'ok');
}

async function letter(b) {
  b.disabled = true;
  try {
    const f = await download(`/bath/people/${b.dataset.letter}/letter`);
    setAlert($('issued'), `送付状（${f.filename}）を保存しました。受け渡し台帳 ${f.ledgerId}。`, 'ok');
  } finally {
    b.disabled = false;
  }
}

function render() {
  const list = state.people.map(card);
  $('results').replaceChildren(...list);
}

async function search() {
  const q = $('q').value.trim();
  setAlert($('message'), '');
  if (!q) {
    setAlert($('message'), 'ふりがな・氏名・生年月日・宛名番号のどれかを入れてください。', 'error');
    $('q').focus();
    return;
  }
  const r = await request(`/bath/people?q=${encodeURIComponent(q)}`);
  state.people = r.people;
  render();
  $('status').textContent = r.people.length
    ? `${r.people.length}人が見つかりました${r.more ? '（多すぎるため一部だけ表示しています。もう少し入れてください）' : ''}`
    : '見つかりません。ふりがなの先頭・生年月日・宛名番号で探してみてください。';
  // One person ready to issue: Enter issues.
  const first = $('results').querySelector('button[data-action="issue"]');
  if (r.people.length === 1 && first) first.focus();
}

async function issue(id, reissue) {
  const p = state.people.find((x) => x.id === id);
  setAlert($('message'), '');
  const r = await request(`/bath/people/${id}/issue`, { method: 'POST', body: { reissue }, csrf: shell.session.csrf });
  const box = el('span', {},
    `${p ? p.name : ''}さんに${reissue ? '再交付' : '交付'}しました（${r.place_name}、${r.date}）。整理番号：`,
    el('strong', { class: 'issued-number', 'data-testid': 'issued-number', text: r.number }));
  setAlert($('issued'), box, 'ok');
  await search();
  $('q').focus();
  $('q').select();
}

$('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setAlert($('issued'), '');
  search().catch(fail);
});
$('results').addEventListener('submit', (ev) => {
  const form = ev.target.closest('form[data-testid="event-form"]');
  if (!form) return;
  ev.preventDefault();
  setAlert($('issued'), '');
  record(form).catch(fail);
});
$('issued').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-letter]');
  if (b) letter(b).catch(fail);
});
$('results').addEventListener('click', (ev) => {
  const l = ev.target.closest('button[data-letter]');
  if (l) {
    letter(l).catch(fail);
    return;
  }
  const b = ev.target.closest('button[data-action]');
  if (!b) return;
  b.disabled = true;
  issue(Number(b.dataset.id), b.dataset.action === 'reissue').catch((err) => {
    b.disabled = false;
    fail(err);
  });
});

shell = startShell({
  roles: ['bath_office', 'bath_branch'],
  deniedText: '入浴証の窓口は、本庁（地域包括ケア推進課）と特別出張所の担当者が使います。',
  loginNote: '入浴証の担当者のログインIDとパスワードでログインします。',
  onReady: async () => {
    try {
      state.counter = await request('/bath/counter');
      $('place').textContent = state.counter.place_name
        ? `${state.counter.place_name}（${state.counter.fiscal_year}年度）`
        : `窓口が決まっていません。本庁に設定を頼んでください（${state.counter.fiscal_year}年度）`;
      $('q').focus();
    } catch (err) {
      fail(err);
    }
  },
});
