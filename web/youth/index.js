// mimamori — youth support's case page (/youth/, ユースサポート) for the plazas' case workers
// (youth_worker) and the ward's supervisor (youth_supervisor): the caller's cases (numbers and
// counts only), opening a case with the reason of the day (or break-glass in an emergency), a
// new case; once opened, the person and the seven items of the profile, the case notes (each
// edit a new version, the history readable), assessments, the individual support plan with
// goals and review dates, the referral to the ward, and the handover file sealed with a
// passphrase (recorded in the handover ledger). A case the caller may not open is "not found".
import { request, el, API } from '/js/api.js';
import { listNotes, resetNote, saveNote, showNotes } from '/js/case_notes.js';
import { startShell, setAlert, revealAlert, todayJst } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/youth';
const PERSON = [
  ['name', '氏名', 'text'], ['kana', 'ふりがな', 'text'], ['birth', '生年月日', 'date'],
  ['school', '学校名', 'text'], ['grade', '学年', 'text'], ['plaza_number', '共育プラザの登録番号', 'text'],
];
const PROFILE = [
  ['family', '家庭状況'], ['health', '心身の状況'], ['history', '成育歴'],
  ['schooling', '通学・学業状況'], ['living', '生活状況'], ['support', '支援内容'], ['facility', '施設利用'],
];
const ACCESS = {
  assigned: '担当として開いています。',
  supervisor: 'スーパーバイザーとして開いています。',
  break_glass: '緊急時の閲覧（ブレークグラス）として開いています。スーパーバイザーが確認します。',
  updated: '保存しました。',
};

const state = { session: null, plazas: [], kinds: [], myPlaza: null, current: null };
let shell;

function fail(node, err) {
  if (!shell.handleAuth(err)) setAlert(node, err.message, 'error');
}
const ok = (node, msg) => setAlert(node, msg, 'ok');

/** Says msg (kind 'ok' or 'error') in the case's message, moved to just after near (the form
 * used): the case is thousands of pixels long, and at its top the message was out of sight. */
function tell(near, kind, msg) {
  const node = $('case-message');
  near.after(node);
  setAlert(node, msg, kind);
  revealAlert(node);
}
const caseOk = (near, msg) => tell(near, 'ok', msg);
function caseFail(near, err) {
  if (!shell.handleAuth(err)) tell(near, 'error', err.message);
}
const send = (method, path, body = {}) => request(BASE + path, { method, body, csrf: shell.session.csrf });
const isSupervisor = () => state.session.user.role === 'youth_supervisor';

function field(id, label, control, hint) {
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), control,
    hint ? el('span', { class: 'hint', id: `${id}-hint`, text: hint }) : null);
}

/** The person's and the profile's fields into box (ids prefix-key), filled from c. */
function caseFields(box, prefix, c = {}) {
  const p = c.person || {};
  const f = c.profile || {};
  const nodes = [];
  if (prefix === 'new' && isSupervisor()) {
    const sel = el('select', { id: 'new-plaza', 'data-testid': 'new-plaza' },
      ...state.plazas.map((x) => el('option', { value: x.code, text: x.label })));
    nodes.push(field('new-plaza', '共育プラザ', sel));
  }
  for (const [k, label, type] of PERSON) {
    nodes.push(field(`${prefix}-${k}`, label, el('input', {
      type, id: `${prefix}-${k}`, value: p[k] || '', autocomplete: 'off', 'data-testid': `${prefix}-${k}`,
    })));
  }
  for (const [k, label] of PROFILE) {
    const t = el('textarea', { id: `${prefix}-${k}`, rows: 2, 'data-testid': `${prefix}-${k}` });
    t.value = f[k] || '';
    nodes.push(field(`${prefix}-${k}`, label, t));
  }
  box.replaceChildren(el('div', { class: 'profile-grid' }, ...nodes));
}
function readCase(prefix) {
  const person = Object.fromEntries(PERSON.map(([k]) => [k, $(`${prefix}-${k}`).value.trim()]));
  const profile = Object.fromEntries(PROFILE.map(([k]) => [k, $(`${prefix}-${k}`).value]));
  return { person, profile };
}

async function loadCases() {
  const data = await request(`${BASE}/cases`);
  const rows = data.cases.map((c) => el('tr', { 'data-testid': `case-${c.number}` },
    el('td', { 'data-label': 'ケース番号', text: c.number }),
    el('td', { 'data-label': '共育プラザ', text: c.plaza_label }),
    el('td', { 'data-label': '記録', class: 'num', text: String(c.notes) }),
    el('td', { 'data-label': '計画の見直し日', text: c.review_on || '—' }),
    el('td', { 'data-label': '区への連絡', text: c.referral ? 'あり' : '—' }),
    el('td', { 'data-label': '状態', text: c.state === 'closed' ? `終了（${c.closed_on}）` : '進行中' }),
    el('td', { 'data-label': '本日', text: c.opened_today ? '開いた' : '—' }),
    el('td', { 'data-label': '操作' }, el('button', {
      type: 'button', class: 'btn btn-secondary', 'data-testid': `choose-${c.number}`,
      text: `${c.number}を開く`,
    }))));
  $('cases-rows').replaceChildren(...rows);
  for (const b of $('cases-rows').querySelectorAll('button')) {
    b.addEventListener('click', () => {
      $('open-case').value = b.dataset.testid.replace('choose-', '');
      $('open-glass').checked = false;
      $('open-reason').focus();
    });
  }
  const n = data.counts;
  $('cases-summary').textContent = n.cases
    ? `${n.cases}件（進行中 ${n.open}件、区への連絡 ${n.referred}件）`
    : '担当のケースはありません。';
}

// How each part's form is filled from the case (a part just saved, or a case just opened).
const FILL = {
  profile: (c) => caseFields($('profile-fields'), 'pf', c),
  note: (c) => showNotes(BASE, c.notes, (err) => caseFail($('notes-list'), err)),
  plan: (c) => fillPlan(c.plan),
  referral: (c) => {
    $('referral-on').checked = !!c.referral;
    $('referral-note').value = c.referral_note || '';
  },
};

/** Shows the opened case c, every form filled from it (a case just opened). */
function showCase(c, how) {
  $('case-closed').after($('case-message'));
  setAlert($('case-message'), '');
  for (const id of ['assess-summary', 'assess-needs', 'assess-strengths', 'handover-pass']) $(id).value = '';
  $('assess-date').value = todayJst();
  refresh(c, how, Object.keys(FILL));
}

/** Shows c again: the title, the lists and the forms of parts (keys of FILL) from c. The other
 * forms keep what the person has typed and not saved yet (a save of an assessment used to
 * empty a note being written and put the saved 支援方針 back over a new one). */
function refresh(c, how, parts) {
  state.current = c;
  $('case').hidden = false;
  $('case-title').textContent = `${c.number}　${c.person.name}（${c.plaza_label}）`;
  $('case-access').textContent = ACCESS[how || c.access] || '';
  if (!parts.includes('note')) listNotes(BASE, c.notes, (err) => caseFail($('notes-list'), err));
  for (const part of parts) FILL[part](c);
  $('assess-list').replaceChildren(...c.assessments.map((a) => el('li', {},
    el('p', { class: 'small', text: `${a.on_date}（${a.by}）` }),
    el('p', { class: 'note-body', text: `見立て：${a.summary}\n課題・ニーズ：${a.needs}\n強み・資源：${a.strengths}` }))));
  const p = c.plan;
  $('plan-current').textContent = p
    ? `現在の計画：第${p.version}版（${p.by}）、見直し日 ${p.review_on}。目標：${p.goals.map((g) => `${g.goal}（${g.review_on}）`).join('、')}`
    : 'まだ計画はありません。';
  // A closed case reads, and takes nothing new until the supervisor opens it again.
  const closed = c.state === 'closed';
  $('case-closed').hidden = !closed;
  $('case-closed').textContent = closed
    ? `このケースは ${c.closed_on} に終了しました。記録を加えるには、スーパーバイザーにケースの再開を依頼してください。`
    : '';
  for (const id of ['profile-form', 'note-form', 'assess-form', 'plan-form', 'referral-form']) {
    for (const b of $(id).querySelectorAll('button')) b.disabled = closed;
  }
}

/** The plan's form filled from the plan p (null: none yet, one empty goal). */
function fillPlan(p) {
  $('plan-policy').value = p ? p.policy : '';
  $('plan-review').value = p ? p.review_on : '';
  $('goals').replaceChildren();
  for (const g of (p ? p.goals : [{ goal: '', review_on: '' }])) addGoal(g);
}

/** Closes the case's view (a case asked for and refused: the one below must not pass for it). */
function closeCase() {
  state.current = null;
  $('case').hidden = true;
}

let goalSeq = 0;
function addGoal(g = { goal: '', review_on: '' }) {
  goalSeq += 1;
  const i = goalSeq;
  $('goals').append(el('div', { class: 'goal-row', 'data-goal': i },
    field(`goal-${i}`, '目標', el('input', { type: 'text', id: `goal-${i}`, value: g.goal, maxlength: 200, 'data-testid': `goal-${i}` })),
    field(`goal-review-${i}`, '目標の見直し日', el('input', { type: 'date', id: `goal-review-${i}`, value: g.review_on, 'data-testid': `goal-review-${i}` }))));
}

/** Reads the case again after a save of part (a key of FILL, or null for none). */
async function reload(part) {
  const c = await request(`${BASE}/cases/${state.current.id}`);
  refresh(c, undefined, part ? [part] : []);
}


function wire() {
  $('open-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const which = $('open-case').value.trim();
    if (!which) { setAlert($('open-message'), 'ケース番号を入力してください。', 'error'); return; }
    try {
      const c = await send('POST', `/cases/${encodeURIComponent(which)}/open`,
        { reason: $('open-reason').value.trim(), break_glass: $('open-glass').checked });
      setAlert($('open-message'), '');
      $('open-reason').value = '';
      $('open-glass').checked = false;
      showCase(c);
      $('case-title').focus();
      await loadCases();
    } catch (err) {
      if (state.current && state.current.number !== which) closeCase();
      if (err.status === 404) setAlert($('open-message'), 'そのケースは見つかりません（担当のケースだけ開けます）。', 'error');
      else fail($('open-message'), err);
    }
  });
  $('new-open').addEventListener('click', () => {
    caseFields($('new-fields'), 'new');
    $('new').hidden = false;
    $('new-title').focus();
  });
  $('new-cancel').addEventListener('click', () => { $('new').hidden = true; });
  $('new-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = readCase('new');
    if (isSupervisor()) body.plaza = $('new-plaza').value;
    try {
      const r = await send('POST', '/cases', body);
      $('new').hidden = true;
      await loadCases();
      $('open-case').value = r.number;
      ok($('open-message'), `${r.number}を登録しました。開くときは理由を入力してください。`);
      $('open-reason').focus();
    } catch (err) {
      fail($('new-message'), err);
      revealAlert($('new-message')); // at the top of a long form
    }
  });
  $('profile-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const c = await send('PUT', `/cases/${state.current.id}/profile`, readCase('pf'));
      refresh(c, 'updated', ['profile']);
      caseOk($('profile-form'), '本人と状況を保存しました。');
    } catch (err) { caseFail($('profile-form'), err); }
  });
  $('note-cancel').addEventListener('click', resetNote);
  $('note-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await saveNote(send, `/cases/${state.current.id}`);
      await reload('note');
      caseOk($('note-form'), 'ケース記録を保存しました。');
    } catch (err) { caseFail($('note-form'), err); }
  });
  $('assess-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await send('POST', `/cases/${state.current.id}/assessments`, {
        on_date: $('assess-date').value, summary: $('assess-summary').value,
        needs: $('assess-needs').value, strengths: $('assess-strengths').value,
      });
      for (const id of ['assess-summary', 'assess-needs', 'assess-strengths']) $(id).value = '';
      await reload(null);
      caseOk($('assess-form'), 'アセスメントを記録しました。');
    } catch (err) { caseFail($('assess-form'), err); }
  });
  $('goal-add').addEventListener('click', () => addGoal());
  $('plan-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const goals = [...$('goals').querySelectorAll('[data-goal]')].map((row) => {
      const i = row.dataset.goal;
      return { goal: $(`goal-${i}`).value.trim(), review_on: $(`goal-review-${i}`).value };
    }).filter((g) => g.goal || g.review_on);
    try {
      const r = await send('POST', `/cases/${state.current.id}/plan`,
        { policy: $('plan-policy').value, review_on: $('plan-review').value, goals });
      await reload('plan');
      caseOk($('plan-form'), `個別支援計画を第${r.version}版として保存しました。`);
    } catch (err) { caseFail($('plan-form'), err); }
  });
  $('referral-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await send('POST', `/cases/${state.current.id}/referral`,
        { referral: $('referral-on').checked, note: $('referral-note').value });
      await reload('referral');
      caseOk($('referral-form'), $('referral-on').checked ? '区への連絡を記録しました。' : '区への連絡を取り消しました。');
    } catch (err) { caseFail($('referral-form'), err); }
  });
  $('handover-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let res;
    try {
      res = await fetch(`${API}${BASE}/cases/${state.current.id}/handover`, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: '*/*', 'X-CSRF-Token': shell.session.csrf },
        body: JSON.stringify({ passphrase: $('handover-pass').value }),
      });
    } catch (e) {
      tell($('handover-form'), 'error', 'サーバーに接続できません。ネットワークを確認してください。');
      return;
    }
    if (!res.ok) {
      let data = null;
      try { data = await res.json(); } catch { /* none */ }
      tell($('handover-form'), 'error', (data && data.message) || `引き継ぎファイルを作れませんでした（${res.status}）。`);
      return;
    }
    const blob = await res.blob();
    const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
    const a = el('a', { href: URL.createObjectURL(blob), download: m ? m[1] : 'handover.mmbox', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    $('handover-pass').value = '';
    caseOk($('handover-form'), `引き継ぎファイル（${blob.size.toLocaleString('ja-JP')}バイト）を保存しました。受け渡し台帳 ${res.headers.get('X-Mimamori-Ledger-Id')} 番に記録しました。`);
  });
}

shell = startShell({
  roles: ['youth_worker', 'youth_supervisor'],
  deniedText: 'ユースサポートの画面は、共育プラザのケースワーカー（担当職員）と区のスーパーバイザーだけが使います。',
  loginNote: 'ユースサポートの担当のログインIDとパスワードでログインします。',
  onReady: async (session) => {
    state.session = session;
    wire();
    try {
      const p = await request(`${BASE}/plazas`);
      state.plazas = p.plazas;
      state.kinds = p.note_kinds;
      state.myPlaza = p.my_plaza || null;
      $('note-kind').replaceChildren(...state.kinds.map((k) => el('option', { value: k, text: k })));
      $('assess-date').value = todayJst();
      if (!isSupervisor() && !state.myPlaza) {
        setAlert($('message'), '所属の共育プラザが登録されていません。区のスーパーバイザーに登録を依頼してください。', 'info');
      }
      await loadCases();
    } catch (err) { fail($('message'), err); }
  },
});
