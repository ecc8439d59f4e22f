// mimamori — the ward's supervisor of youth support (/youth/supervisor.html): the break-glass
// openings to review, the referrals to the ward, who is assigned to which case (only workers
// of the case's plaza), the end of a case (相談の終了, and opening it again), the workers'
// plazas, and the report of openings with their reasons.
// Case numbers and accounts only: a case's contents open on /youth/ with a reason.
import { request, el } from '/js/api.js';
import { startShell, tellAlert } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/youth';
const state = { plazas: [], workers: [] };
let shell;

/** Says msg (kind 'ok' or 'error') in the page's message, brought into view and focused: the
 * message is at the top of a long page, and the row whose button was pressed is drawn again
 * (or goes), which left the focus nowhere. */
function say(kind, msg) {
  tellAlert($('message'), msg, kind);
}
function fail(err) {
  if (!shell.handleAuth(err)) say('error', err.message);
}
const ok = (msg) => say('ok', msg);
const send = (method, path, body = {}) => request(BASE + path, { method, body, csrf: shell.session.csrf });
const when = (ms) => new Date(ms).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' });
const label = (code) => (state.plazas.find((p) => p.code === code) || {}).label || code || '未登録';

async function loadGlass() {
  const { opens } = await request(`${BASE}/opens?pending=1`);
  $('glass-summary').textContent = opens.length ? `未確認 ${opens.length}件` : '未確認の緊急時の閲覧はありません。';
  $('glass-rows').replaceChildren(...opens.map((o) => {
    const input = el('input', { type: 'text', id: `review-${o.id}`, maxlength: 200, 'data-testid': `review-${o.id}` });
    const btn = el('button', { type: 'button', class: 'btn', 'data-testid': `review-submit-${o.id}`, text: '確認済みにする' });
    btn.addEventListener('click', async () => {
      try {
        await send('POST', `/opens/${o.id}/review`, { note: input.value.trim() });
        ok(`${o.number}の緊急時の閲覧を確認済みにしました。`);
        await Promise.all([loadGlass(), loadOpens()]);
      } catch (err) { fail(err); }
    });
    return el('tr', { 'data-testid': `glass-${o.id}` },
      el('td', { 'data-label': '日時', text: when(o.at_ms) }),
      el('td', { 'data-label': 'ケース番号', text: o.number || '' }),
      el('td', { 'data-label': '担当者', text: o.login }),
      el('td', { 'data-label': '理由', text: o.reason }),
      el('td', { 'data-label': '確認' },
        el('div', { class: 'field' }, el('label', { for: `review-${o.id}`, text: '確認の結果' }), input), btn));
  }));
}

async function loadReferrals() {
  const { referrals } = await request(`${BASE}/referrals`);
  $('referral-rows').replaceChildren(...referrals.map((r) => {
    const cell = el('td', { 'data-label': '対応' });
    if (r.seen_by) cell.textContent = `対応済み（${r.seen_by}）`;
    else {
      const b = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': `seen-${r.number}`, text: `${r.number}を対応済みにする` });
      b.addEventListener('click', async () => {
        try {
          await send('POST', `/cases/${r.id}/referral-seen`);
          ok(`${r.number}の区への連絡を対応済みにしました。`);
          await loadReferrals();
        } catch (err) { fail(err); }
      });
      cell.append(b);
    }
    return el('tr', {}, el('td', { 'data-label': 'ケース番号', text: r.number }),
      el('td', { 'data-label': '共育プラザ', text: r.plaza_label }),
      el('td', { 'data-label': '連絡日', text: when(r.since_ms) }), cell);
  }));
  if (!referrals.length) $('referral-rows').append(el('tr', {}, el('td', { colspan: 4, text: '区への連絡はありません。' })));
}

async function loadAssign() {
  const { cases } = await request(`${BASE}/cases`);
  $('assign-rows').replaceChildren(...cases.map((c) => {
    const who = el('td', { 'data-label': '担当者' }, ...c.assigned.map((w) => {
      const b = el('button', { type: 'button', class: 'btn btn-secondary', text: `${w.login}を外す` });
      b.addEventListener('click', async () => {
        try {
          await send('POST', `/cases/${c.id}/unassign`, { user_id: w.id });
          ok(`${c.number}の担当から${w.login}を外しました。`);
          await Promise.all([loadAssign(), loadWorkers()]);
        } catch (err) { fail(err); }
      });
      return b;
    }));
    if (!c.assigned.length) who.textContent = 'なし';
    const mine = state.workers.filter((w) => w.plaza === c.plaza && !c.assigned.some((a) => a.id === w.id));
    const sel = el('select', { id: `assign-${c.id}`, 'data-testid': `assign-${c.number}` },
      ...mine.map((w) => el('option', { value: w.id, text: w.login })));
    const add = el('button', { type: 'button', class: 'btn', 'data-testid': `assign-submit-${c.number}`, text: '担当にする', disabled: !mine.length });
    add.addEventListener('click', async () => {
      try {
        await send('POST', `/cases/${c.id}/assign`, { user_id: Number(sel.value) });
        ok(`${c.number}の担当を追加しました。`);
        await Promise.all([loadAssign(), loadWorkers()]);
      } catch (err) { fail(err); }
    });
    return el('tr', {}, el('td', { 'data-label': 'ケース番号', text: c.number }),
      el('td', { 'data-label': '共育プラザ', text: c.plaza_label }), who,
      el('td', { 'data-label': '担当を追加' },
        el('div', { class: 'field' }, el('label', { for: `assign-${c.id}`, text: `${c.number}の担当者` }), sel), add));
  }));
}

/** Returns the day `days` after the day `day` (YYYY-MM-DD). */
function dayAfter(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function loadClosing() {
  const { cases, closed_keep_days: keep } = await request(`${BASE}/cases`);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
  $('close-rows').replaceChildren(...cases.map((c) => {
    const cell = el('td', { 'data-label': '操作' });
    let status;
    if (c.state === 'closed') {
      status = `終了（${c.closed_on}）。${dayAfter(c.closed_on, keep + 1)}以降に消去`;
      const b = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': `reopen-${c.number}`, text: `${c.number}を再開する` });
      b.addEventListener('click', async () => {
        try {
          await send('POST', `/cases/${c.id}/reopen`);
          await Promise.all([loadClosing(), loadAssign()]);
          ok(`${c.number}を再開しました。`);
        } catch (err) { fail(err); }
      });
      cell.append(b);
    } else {
      status = '進行中';
      const input = el('input', { type: 'date', id: `close-on-${c.id}`, value: today, max: today, 'data-testid': `close-on-${c.number}` });
      const b = el('button', { type: 'button', class: 'btn', 'data-testid': `close-${c.number}`, text: `${c.number}の相談を終了する` });
      b.addEventListener('click', async () => {
        try {
          const r = await send('POST', `/cases/${c.id}/close`, { on: input.value });
          await Promise.all([loadClosing(), loadAssign()]);
          ok(`${c.number}の相談を${r.closed_on}で終了しました。`);
        } catch (err) { fail(err); }
      });
      cell.append(el('div', { class: 'field' }, el('label', { for: `close-on-${c.id}`, text: `${c.number}の終了日` }), input), b);
    }
    return el('tr', { 'data-testid': `closing-${c.number}` }, el('td', { 'data-label': 'ケース番号', text: c.number }),
      el('td', { 'data-label': '共育プラザ', text: c.plaza_label }),
      el('td', { 'data-label': '状態', text: status }), cell);
  }));
  if (!cases.length) $('close-rows').append(el('tr', {}, el('td', { colspan: 4, text: 'ケースはありません。' })));
  $('close-note').textContent = `相談が終わったケースを、終了日を選んで終了にします。終了したケースには記録を加えられません（再開できます）。終了日から${keep}日（保存期間）が過ぎると、ケースとそのすべての記録を毎日の削除処理が消去します。`;
}

async function loadWorkers() {
  const { workers } = await request(`${BASE}/workers`);
  state.workers = workers;
  $('worker-rows').replaceChildren(...workers.map((w) => {
    const sel = el('select', { id: `plaza-${w.id}`, 'data-testid': `plaza-${w.login}` },
      el('option', { value: '', text: '未登録' }),
      ...state.plazas.map((p) => el('option', { value: p.code, text: p.label })));
    sel.value = w.plaza || '';
    const b = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': `plaza-submit-${w.login}`, text: '所属を保存' });
    b.addEventListener('click', async () => {
      try {
        await send('PUT', `/workers/${w.id}`, { plaza: sel.value });
        ok(`${w.login}の所属を${label(sel.value)}にしました。`);
        await loadWorkers();
        await loadAssign();
      } catch (err) { fail(err); }
    });
    return el('tr', {}, el('td', { 'data-label': 'ログインID', text: w.login }),
      el('td', { 'data-label': '担当ケース', class: 'num', text: String(w.cases) }),
      el('td', { 'data-label': '所属の共育プラザ' },
        el('div', { class: 'field' }, el('label', { for: `plaza-${w.id}`, text: `${w.login}の所属` }), sel), b));
  }));
}

async function loadOpens() {
  const { opens } = await request(`${BASE}/opens`);
  $('open-rows').replaceChildren(...opens.slice(0, 200).map((o) => el('tr', {},
    el('td', { 'data-label': '日時', text: when(o.at_ms) }),
    el('td', { 'data-label': 'ケース番号', text: o.number || '' }),
    el('td', { 'data-label': '担当者', text: o.login }),
    el('td', { 'data-label': '理由', text: o.reason }),
    el('td', { 'data-label': '緊急', text: o.break_glass ? '緊急' : '—' }),
    el('td', { 'data-label': '確認者', text: o.reviewed_by || (o.break_glass ? '未確認' : '—') }))));
}

shell = startShell({
  roles: ['youth_supervisor'],
  deniedText: 'この画面は、区のユースサポートのスーパーバイザーだけが使います。ケースワーカーは「ケース」の画面を使います。',
  loginNote: 'ユースサポートのスーパーバイザーのログインIDとパスワードでログインします。',
  onReady: async () => {
    $('message').tabIndex = -1; // it takes the focus when it says something (say)
    try {
      state.plazas = (await request(`${BASE}/plazas`)).plazas;
      await loadWorkers();
      await Promise.all([loadGlass(), loadReferrals(), loadAssign(), loadClosing(), loadOpens()]);
    } catch (err) { fail(err); }
  },
});
