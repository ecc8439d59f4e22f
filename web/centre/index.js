// mimamori — the development centre's staff page (/centre/, 児童発達支援センター) for the centre's
// staff (centre_staff: their assigned children) and its manager (every child): the day's
// children with attendance and the bus, opening a child's file with the reason of the day (or
// break-glass), the daily support records (each edit a new version, the history readable),
// development assessments, the support plan (its review six months on), the thread with the
// parents, and the handover file sealed with a passphrase. A parent is sent to their own page.
import { request, el, API } from '/js/api.js';
import { listNotes, resetNote, saveNote, showNotes } from '/js/case_notes.js';
import { startShell, setAlert, revealAlert, todayJst } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/centre';
const WEEK = ['日', '月', '火', '水', '木', '金', '土'];
const ACCESS = {
  assigned: '担当として開いています。',
  manager: '管理責任者として開いています。',
  break_glass: '緊急時の閲覧（ブレークグラス）として開いています。管理責任者が確認します。',
};
const state = { current: null };
let shell;

function fail(node, err) {
  if (!shell.handleAuth(err)) setAlert(node, err.message, 'error');
}
const ok = (node, msg) => setAlert(node, msg, 'ok');

/** Says msg (kind 'ok' or 'error') in the file's message, moved to just after near (the form
 * used): the file is thousands of pixels long, and at its top the message was out of sight. */
function tell(near, kind, msg) {
  const node = $('child-message');
  near.after(node);
  setAlert(node, msg, kind);
  revealAlert(node);
}
function childFail(near, err) {
  if (!shell.handleAuth(err)) tell(near, 'error', err.message);
}
const send = (method, path, body = {}) => request(BASE + path, { method, body, csrf: shell.session.csrf });
const attendanceText = (a) => (a === 'present' ? '出席' : a === 'absent' ? '欠席' : '未入力');

async function loadDay() {
  const date = $('day-date').value || todayJst();
  const d = await request(`${BASE}/day?date=${encodeURIComponent(date)}`);
  const rows = d.children.map((c) => {
    const bus = el('input', { type: 'checkbox', id: `bus-${c.id}`, 'data-testid': `bus-${c.number}` });
    bus.checked = !!c.bus;
    return el('tr', { 'data-testid': `day-${c.number}` },
      el('td', { 'data-label': '番号', text: c.number }),
      el('td', { 'data-label': '氏名', text: c.name }),
      el('td', { 'data-label': '送迎', text: c.route ? `${c.route_label}（迎え ${c.pickup}・送り ${c.dropoff}）${c.stop ? ` ${c.stop}` : ''}` : 'なし' }),
      el('td', { 'data-label': '出欠', 'data-testid': `att-${c.number}`, text: attendanceText(c.attendance) }),
      el('td', { 'data-label': '操作' },
        el('div', { class: 'button-row' },
          el('label', { class: 'check', for: `bus-${c.id}` }, bus, `${c.name}さんがバスに乗る`),
          el('button', { type: 'button', class: 'btn btn-primary', 'data-mark': 'present', 'data-id': c.id, 'data-testid': `present-${c.number}`, text: `${c.name}さん 出席` }),
          el('button', { type: 'button', class: 'btn btn-secondary', 'data-mark': 'absent', 'data-id': c.id, 'data-testid': `absent-${c.number}`, text: '欠席' }),
          el('button', { type: 'button', class: 'btn btn-secondary', 'data-choose': c.number, text: `${c.number}の記録` }))));
  });
  $('day-rows').replaceChildren(...rows);
  for (const b of $('day-rows').querySelectorAll('[data-mark]')) {
    b.addEventListener('click', async () => {
      try {
        await send('POST', `/children/${b.dataset.id}/attendance`,
          { date, state: b.dataset.mark, bus: $(`bus-${b.dataset.id}`).checked });
        await loadDay();
        ok($('message'), '出欠を記録しました。');
        // The rows are drawn again: the same button of the new row keeps the focus (the next
        // child is a Tab away), and its row shows what was recorded.
        const again = $('day-rows').querySelector(`[data-testid="${b.dataset.testid}"]`);
        if (again) again.focus(); else revealAlert($('message'));
      } catch (err) {
        fail($('message'), err);
        revealAlert($('message'));
      }
    });
  }
  for (const b of $('day-rows').querySelectorAll('[data-choose]')) {
    b.addEventListener('click', () => {
      $('open-child').value = b.dataset.choose;
      $('open-glass').checked = false;
      $('open-reason').focus();
    });
  }
  const n = d.counts;
  $('day-summary').textContent = n.due
    ? `${d.date}：通所予定 ${n.due}人（出席 ${n.present}人、欠席 ${n.absent}人）`
    : `${d.date}：担当の児童の通所予定はありません。`;
}

async function loadMine() {
  const d = await request(`${BASE}/children`);
  $('mine-rows').replaceChildren(...d.children.map((c) => el('tr', { 'data-testid': `mine-${c.number}` },
    el('td', { 'data-label': '児童番号', text: c.number }),
    el('td', { 'data-label': '契約期間', text: c.from ? `${c.from}〜${c.to}` : '申請中' }),
    el('td', { 'data-label': '計画の見直し', text: c.review_on || '計画なし' }),
    el('td', { 'data-label': '本日', text: c.opened_today ? '開いた' : '—' }),
    el('td', { 'data-label': '操作' }, el('button', { type: 'button', class: 'btn btn-secondary', 'data-choose': c.number, text: `${c.number}を開く` })))));
  for (const b of $('mine-rows').querySelectorAll('[data-choose]')) {
    b.addEventListener('click', () => {
      $('open-child').value = b.dataset.choose;
      $('open-glass').checked = false;
      $('open-reason').focus();
    });
  }
  $('mine-summary').textContent = d.counts.children
    ? `${d.counts.children}人（契約中 ${d.counts.contracted}人）`
    : '担当の児童はいません。';
}


// How each part's form is filled from the file (a part just saved, or a file just opened).
const FILL = {
  note: (c) => showNotes(BASE, c.notes, (err) => childFail($('notes-list'), err)),
  plan: (c) => {
    const p = c.plans[0];
    $('plan-policy').value = p ? p.policy : '';
    $('plan-goals').value = p ? p.goals.join('\n') : '';
    $('plan-date').value = todayJst();
  },
};

/** Shows the opened file c, every form filled from it (a file just opened). */
function showChild(c) {
  $('child-contract').after($('child-message'));
  setAlert($('child-message'), '');
  for (const id of ['assess-summary', 'assess-language', 'assess-social', 'thread-body', 'handover-pass']) $(id).value = '';
  refresh(c, Object.keys(FILL));
}

/** Shows c again: the heading, the lists and the forms of parts (keys of FILL) from c. The
 * other forms keep what the person has typed and not saved yet (a message sent to the parent
 * used to empty a record being written). */
function refresh(c, parts) {
  state.current = c;
  $('child').hidden = false;
  $('child-title').textContent = `${c.number}　${c.person.name}（${c.person.kana}）`;
  $('child-access').textContent = ACCESS[c.access] || '';
  const k = c.contract;
  $('child-contract').textContent = c.state === 'applied'
    ? '利用申請中（契約はまだです）。'
    : `契約 ${k.from}〜${k.to}、支給量 月${k.days}日、利用曜日 ${k.weekdays.map((d) => WEEK[d]).join('・')}、送迎 ${k.route || 'なし'}、保護者 ${c.contact.parent}（${c.contact.phone}）`;
  if (!parts.includes('note')) listNotes(BASE, c.notes, (err) => childFail($('notes-list'), err));
  for (const part of parts) FILL[part](c);
  $('assess-list').replaceChildren(...c.assessments.map((a) => el('li', {},
    el('p', { class: 'small', text: a.on_date }),
    el('p', { class: 'note-body', text: `総合所見：${a.summary}${a.language ? `\n言語：${a.language}` : ''}${a.social ? `\n社会性：${a.social}` : ''}` }))));
  const p = c.plans[0];
  $('plan-current').textContent = p
    ? `現在の計画：第${p.version}版（${p.on_date}作成、見直し ${p.review_on}）。目標：${p.goals.join('、')}`
    : 'まだ計画はありません。';
  $('thread-list').replaceChildren(...c.messages.map((m) => el('li', {},
    el('p', { class: 'small', text: `${m.from_parent ? '保護者' : 'センター'}（${m.login || ''}）` }),
    el('p', { class: 'note-body', text: m.body }))));
}

/** Closes the file's view (a file asked for and refused: the one below must not pass for it). */
function closeChild() {
  state.current = null;
  $('child').hidden = true;
}

/** Reads the file again after a save of part (a key of FILL, or null for none). */
async function reload(part) {
  refresh(await request(`${BASE}/children/${state.current.id}`), part ? [part] : []);
}


/** Wires form id to run fn (an async), read the file again refilling the form of part (a key
 * of FILL, or null) and say done next to the form on success. */
function onSubmit(id, part, fn, done) {
  $(id).addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await fn();
      await reload(part);
      tell($(id), 'ok', done);
    } catch (err) { childFail($(id), err); }
  });
}

function wire() {
  $('day-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await loadDay(); } catch (err) { fail($('message'), err); }
  });
  $('open-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const which = $('open-child').value.trim();
    if (!which) { setAlert($('open-message'), '児童番号を入力してください。', 'error'); return; }
    try {
      const c = await send('POST', `/children/${encodeURIComponent(which)}/open`,
        { reason: $('open-reason').value.trim(), break_glass: $('open-glass').checked });
      setAlert($('open-message'), '');
      $('open-reason').value = '';
      $('open-glass').checked = false;
      showChild(c);
      $('child-title').focus();
      await loadMine();
    } catch (err) {
      if (state.current && state.current.number !== which) closeChild();
      if (err.status === 404) setAlert($('open-message'), 'その児童は見つかりません（担当の児童だけ開けます）。', 'error');
      else fail($('open-message'), err);
    }
  });
  $('note-cancel').addEventListener('click', resetNote);
  onSubmit('note-form', 'note', () => saveNote(send, `/children/${state.current.id}`), '支援記録を保存しました。');
  onSubmit('assess-form', null, async () => {
    await send('POST', `/children/${state.current.id}/assessments`, {
      on_date: $('assess-date').value, summary: $('assess-summary').value,
      language: $('assess-language').value, social: $('assess-social').value,
    });
    for (const id of ['assess-summary', 'assess-language', 'assess-social']) $(id).value = '';
  }, '発達評価を記録しました。');
  onSubmit('plan-form', 'plan', () => send('POST', `/children/${state.current.id}/plans`, {
    on_date: $('plan-date').value, policy: $('plan-policy').value,
    goals: $('plan-goals').value.split('\n').map((g) => g.trim()).filter(Boolean),
  }), '個別支援計画を保存しました。');
  onSubmit('thread-form', null, async () => {
    await send('POST', `/children/${state.current.id}/messages`, { body: $('thread-body').value });
    $('thread-body').value = '';
  }, '連絡を送りました。保護者にはお知らせのメール（内容なし）が届きます。');
  $('handover-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let res;
    try {
      res = await fetch(`${API}${BASE}/children/${state.current.id}/handover`, {
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
    tell($('handover-form'), 'ok', `引き継ぎファイルを保存しました。受け渡し台帳 ${res.headers.get('X-Mimamori-Ledger-Id')} 番に記録しました。`);
  });
}

shell = startShell({
  roles: ['centre_staff', 'centre_manager', 'centre_parent'],
  deniedText: '児童発達支援センターの画面は、センターの職員と管理責任者、保護者だけが使います。',
  loginNote: '児童発達支援センターのログインIDとパスワードでログインします。',
  onReady: async (session) => {
    if (session.user.role === 'centre_parent') {
      window.location.replace('/centre/parent.html');
      return;
    }
    wire();
    try {
      const me = await request(`${BASE}/me`);
      $('note-kind').replaceChildren(...me.note_kinds.map((k) => el('option', { value: k, text: k })));
      $('day-date').value = me.today;
      $('assess-date').value = me.today;
      await Promise.all([loadDay(), loadMine()]);
    } catch (err) { fail($('message'), err); }
  },
});
