// mimamori — the development centre's manager page (/centre/manager.html, centre_manager): the
// children and their contracts, a new application, the usage contract (period, 支給量,
// weekdays, bus route, fee per day, the household's monthly cap), assigning staff, a parent's
// account (the parent chooses the password through a mailed one-time link), the bus list of a day and the routes, the plans'
// reviews due, the monthly usage-fee statements as PDF, the end of a child's use (利用の終了,
// with the day the child's records go), and the break-glass opens to review.
import { request, el } from '/js/api.js';
import { startShell, tellAlert, todayJst, download } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/centre';
const WEEK = ['日', '月', '火', '水', '木', '金', '土'];
const STATE = { applied: '申請中', contracted: '契約中', ended: '終了' };
const yen = (n) => `${Number(n).toLocaleString('ja-JP')}円`;
let shell;

/** Says msg (kind 'ok' or 'error') in the page's message, brought into view and focused: the
 * message is at the top of a long page (a press further down seemed to do nothing), and a
 * drawn-again list (the break-glass opens) leaves the focus nowhere. */
function say(kind, msg) {
  tellAlert($('message'), msg, kind);
}
function fail(err) {
  if (!shell.handleAuth(err)) say('error', err.message);
}
const ok = (msg) => say('ok', msg);
const send = (method, path, body = {}) => request(BASE + path, { method, body, csrf: shell.session.csrf });

/** Returns the day `days` after the day `day` (YYYY-MM-DD). */
function dayAfter(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The listed children by id, and the contract form's defaults (this fiscal year, weekdays).
const children = new Map();
const CONTRACT_DEFAULT = { from: '', to: '', days: 23, weekdays: [1, 2, 3, 4, 5], route: '', unit_fee: 1200, cap: 4600 };

// The contract form starts from the chosen child's contract (a new application: the defaults),
// so that changing one term never resets the others.
function fillContract() {
  const c = children.get(Number($('ct-child').value));
  const t = c && c.from ? c : CONTRACT_DEFAULT;
  $('ct-from').value = t.from;
  $('ct-to').value = t.to;
  $('ct-days').value = String(t.days || CONTRACT_DEFAULT.days);
  for (const box of $('ct-weekdays').querySelectorAll('input')) box.checked = (t.weekdays || []).includes(Number(box.value));
  $('ct-route').value = t.route || '';
  $('ct-fee').value = String(t.unit_fee ?? CONTRACT_DEFAULT.unit_fee);
  $('ct-cap').value = String(t.cap ?? CONTRACT_DEFAULT.cap);
}

async function loadChildren() {
  const d = await request(`${BASE}/children`);
  children.clear();
  for (const c of d.children) children.set(c.id, c);
  $('children-rows').replaceChildren(...d.children.map((c) => el('tr', { 'data-testid': `child-${c.number}` },
    el('td', { 'data-label': '児童番号', text: c.number }),
    el('td', { 'data-label': '状態', text: c.state === 'ended' ? `終了（${c.ended_on}）。${dayAfter(c.ended_on, d.ended_keep_days + 1)}以降に消去` : STATE[c.state] || c.state }),
    el('td', { 'data-label': '契約期間', text: c.from ? `${c.from}〜${c.to}` : '—' }),
    el('td', { 'data-label': '支給量', class: 'num', text: c.days ? `${c.days}日` : '—' }),
    el('td', { 'data-label': '送迎', text: c.route || 'なし' }),
    el('td', { 'data-label': '上限月額', class: 'num', text: c.state === 'applied' ? '—' : yen(c.cap) }),
    el('td', { 'data-label': '担当', text: (c.staff || []).map((s) => s.login).join('、') || '—' }),
    el('td', { 'data-label': '計画の見直し', text: c.review_on || '—' }))));
  $('children-summary').textContent = `児童 ${d.counts.children}人（契約中 ${d.counts.contracted}人、申請中 ${d.counts.applied}人）`;
  $('end-note').textContent = `選んだ児童の利用（申請・契約）を、終了日で終わりにします。終了した児童には記録・計画・連絡を加えられません（新しい契約で再開します）。終了日から${d.ended_keep_days}日（保存期間）が過ぎると、児童とそのすべての記録を毎日の削除処理が消去します。`;
  const keep = $('ct-child').value;
  $('ct-child').replaceChildren(...d.children.map((c) => el('option', { value: c.id, text: `${c.number}（${STATE[c.state] || c.state}）` })));
  if (keep) $('ct-child').value = keep;
  if (!keep) fillContract();
}

async function loadSide() {
  const [me, staff, rev, glass] = await Promise.all([request(`${BASE}/me`), request(`${BASE}/staff`),
    request(`${BASE}/reviews`), request(`${BASE}/opens?pending=1`)]);
  $('ct-route').replaceChildren(el('option', { value: '', text: '送迎なし' }),
    ...me.routes.map((r) => el('option', { value: r.code, text: `${r.label}（${r.pickup}・${r.dropoff}）` })));
  $('as-staff').replaceChildren(...staff.staff.map((s) => el('option', { value: s.id, text: `${s.login}（担当 ${s.children}人）` })));
  $('reviews-list').replaceChildren(...(rev.reviews.length ? rev.reviews.map((r) => el('li', {
    text: r.review_on ? `${r.number}：見直し ${r.review_on}（第${r.version}版、${r.plan_on}作成）` : `${r.number}：個別支援計画がまだありません`,
  })) : [el('li', { text: '見直しの予定はありません。' })]));
  $('glass-list').replaceChildren(...(glass.opens.length ? glass.opens.map((o) => el('li', { 'data-testid': `glass-${o.id}` },
    el('p', { text: `${o.day} ${o.number || ''}：${o.login}「${o.reason}」` }),
    el('form', { class: 'form-row', 'data-review': o.id },
      el('div', { class: 'field' }, el('label', { for: `rv-${o.id}`, text: '確認の結果' }),
        el('input', { type: 'text', id: `rv-${o.id}`, maxlength: 200 })),
      el('div', { class: 'button-row' }, el('button', { type: 'submit', class: 'btn btn-secondary', text: '確認済みにする' })))))
    : [el('li', { text: '確認を待つ緊急閲覧はありません。' })]));
  for (const f of $('glass-list').querySelectorAll('[data-review]')) {
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await send('POST', `/opens/${f.dataset.review}/review`, { note: $(`rv-${f.dataset.review}`).value });
        ok('緊急閲覧を確認済みにしました。');
        await loadSide();
      } catch (err) { fail(err); }
    });
  }
}

async function loadBus() {
  const b = await request(`${BASE}/bus?date=${encodeURIComponent($('bus-date').value || todayJst())}`);
  $('bus-summary').textContent = `${b.date}：送迎 ${b.riders}人`;
  $('bus-routes').replaceChildren(...b.routes.map((r) => el('section', { class: 'bus-route', 'data-testid': `route-${r.code}` },
    el('h4', { text: `${r.label}（迎え ${r.pickup}・送り ${r.dropoff}）${r.children.length}人` }),
    el('ul', {}, ...(r.children.length ? r.children.map((c) => el('li', {
      text: `${c.number} ${c.name}　${c.stop || '乗降場所未登録'}${c.attendance === 'present' ? '（出席）' : ''}`,
    })) : [el('li', { text: '乗る児童はいません。' })])))));
}

async function loadFees() {
  const month = $('fees-month').value;
  if (!month) return;
  const d = await request(`${BASE}/statements?month=${encodeURIComponent(month)}`);
  showFees(d.statements, d.total);
}

function showFees(list, total) {
  $('fees-rows').replaceChildren(...list.map((s) => el('tr', { 'data-testid': `fee-${s.number}` },
    el('td', { 'data-label': '児童番号', text: s.number }),
    el('td', { 'data-label': '利用日数', class: 'num', text: `${s.days}日` }),
    el('td', { 'data-label': '1日の負担額', class: 'num', text: yen(s.unit_fee) }),
    el('td', { 'data-label': '上限月額', class: 'num', text: yen(s.cap) }),
    el('td', { 'data-label': '請求額', class: 'num', text: yen(s.amount) }),
    el('td', { 'data-label': '請求書' }, el('button', { type: 'button', class: 'btn btn-secondary', 'data-pdf': s.id, text: `${s.number}の請求書（PDF）` })))));
  for (const b of $('fees-rows').querySelectorAll('[data-pdf]')) {
    b.addEventListener('click', async () => {
      try {
        const r = await download(`${BASE}/statements/${b.dataset.pdf}/pdf`);
        ok(`${r.filename} を保存しました（受け渡し台帳 ${r.ledgerId} 番）。`);
      } catch (err) { fail(err); }
    });
  }
  $('fees-summary').textContent = `${list.length}件、請求額の合計 ${yen(total ?? list.reduce((a, s) => a + s.amount, 0))}`;
}

/** Opens the chosen child's file with the reason (when given) before a change. */
async function openChosen() {
  const id = $('ct-child').value;
  if (!id) throw new Error('児童を選んでください。');
  await send('POST', `/children/${id}/open`, { reason: $('ct-reason').value.trim() });
  return id;
}

function wire() {
  $('apply-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (id) => $(id).value.trim();
    try {
      const r = await send('POST', '/children', {
        person: { name: v('ap-name'), kana: v('ap-kana'), birth: v('ap-birth') },
        contact: { parent: v('ap-parent'), phone: v('ap-phone'), email: v('ap-email'), stop: v('ap-stop') },
      });
      for (const id of ['ap-name', 'ap-kana', 'ap-birth', 'ap-parent', 'ap-phone', 'ap-email', 'ap-stop']) $(id).value = '';
      await loadChildren();
      $('ct-child').value = String(r.id);
      fillContract();
      ok(`利用申請を ${r.number} として登録しました。契約を入力してください。`);
    } catch (err) { fail(err); }
  });
  $('contract-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const id = await openChosen();
      const weekdays = [...$('ct-weekdays').querySelectorAll('input:checked')].map((x) => Number(x.value));
      await send('PUT', `/children/${id}/contract`, {
        from: $('ct-from').value, to: $('ct-to').value, days: Number($('ct-days').value), weekdays,
        route: $('ct-route').value, unit_fee: Number($('ct-fee').value), cap: Number($('ct-cap').value),
      });
      await loadChildren();
      ok('契約を保存しました。');
    } catch (err) { fail(err); }
  });
  $('assign-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const id = $('ct-child').value;
      await send('POST', `/children/${id}/assign`, { user_id: Number($('as-staff').value) });
      await loadChildren();
      await loadSide();
      ok('担当を登録しました。');
    } catch (err) { fail(err); }
  });
  $('parent-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const id = await openChosen();
      const r = await send('POST', `/children/${id}/parents`, { login: $('pa-login').value.trim(), email: $('pa-email').value.trim() });
      const box = $('parent-result');
      box.textContent = `保護者のアカウント ${r.login} を作りました。保護者のメールに、パスワードを決めるためのリンク（7日間、1回だけ）を送りました。`;
      box.hidden = false;
      $('pa-login').value = '';
      $('pa-email').value = '';
      await loadChildren();
    } catch (err) { fail(err); }
  });
  $('end-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const id = $('ct-child').value;
      if (!id) throw new Error('児童を選んでください。');
      const r = await send('POST', `/children/${id}/end`, { on: $('end-on').value });
      await loadChildren();
      ok(`利用を ${r.ended_on} で終了しました。`);
    } catch (err) { fail(err); }
  });
  $('bus-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await loadBus(); } catch (err) { fail(err); }
  });
  $('route-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await send('PUT', `/routes/${encodeURIComponent($('rt-code').value.trim())}`,
        { label: $('rt-label').value.trim(), pickup: $('rt-pickup').value, dropoff: $('rt-dropoff').value });
      await loadSide();
      await loadBus();
      ok('送迎ルートを保存しました。');
    } catch (err) { fail(err); }
  });
  $('fees-show').addEventListener('click', async () => {
    try { await loadFees(); } catch (err) { fail(err); }
  });
  $('fees-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await send('POST', '/statements', { month: $('fees-month').value });
      showFees(r.statements);
      ok(`${r.month}の請求を${r.made}件作りました。`);
    } catch (err) { fail(err); }
  });
}

shell = startShell({
  roles: ['centre_manager'],
  deniedText: 'この画面は、児童発達支援センターの管理責任者だけが使います。',
  loginNote: '管理責任者のログインIDとパスワードでログインします。',
  onReady: async () => {
    $('ct-weekdays').replaceChildren(...WEEK.map((w, i) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', value: String(i), 'data-testid': `ct-wd-${i}`, checked: i >= 1 && i <= 5 }), `${w}曜日`)));
    const today = todayJst();
    $('bus-date').value = today;
    $('end-on').value = today;
    $('end-on').max = today;
    $('fees-month').value = today.slice(0, 7);
    const y = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) < 4 ? 1 : 0);
    CONTRACT_DEFAULT.from = `${y}-04-01`;
    CONTRACT_DEFAULT.to = `${y + 1}-03-31`;
    $('ct-child').addEventListener('change', fillContract);
    wire();
    try {
      // the routes first: a child's route must be among the options when the form is filled
      await loadSide();
      await Promise.all([loadChildren(), loadBus(), loadFees()]);
    } catch (err) { fail(err); }
  },
});
