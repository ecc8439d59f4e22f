// mimamori — household support's page (/homehelp/office.html, 家事・育児支援事業) for the
// contractor (grant_operator, grant_supervisor) and the ward (grant_staff, grant_approver): the
// households by state and the registration form; one household — its form (the contractor keeps
// it current), the cap of 別表1・2 today and its use, the eligibility checks, the registration's
// moves by role and state, its visits (requested, dispatched to a supporter, recorded with a
// follow-up flag, paid, cancelled) and its statement; the supporters; the follow-ups for the
// public health nurse; the monthly report. Downloads go through fetch so errors show here.
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, download, todayJst, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const BASE = '/homehelp';

const STATES = [
  ['submitted', '受付（資格確認中）'],
  ['returned', '保留（世帯に確認中）'],
  ['screened', '資格確認済（区の決定待ち）'],
  ['approved', '利用決定（通知前）'],
  ['rejected', '却下（通知前）'],
  ['notified', '通知済（利用中・却下）'],
];
const KINDS = [
  ['meal', '食事提供'], ['cleaning', '清掃'], ['laundry', '洗濯'],
  ['childcare', '子どもの世話の介助'], ['hospital', '通院介助'], ['other', 'その他'],
];
const KIND = Object.fromEntries(KINDS);
const VISIT_STATE = { requested: '申込', dispatched: '派遣済み', done: '実施済み', cancelled: '取り消し' };
// 保育サービス (一時預かりは含めない)
const CHILDCARE = ['', '認可保育所', '認定こども園', '認証保育所', '保育ママ', '地域型保育', '企業主導型'];

const state = { role: '', households: [], current: null, supporters: [], record: null, follow: [] };
let shell;

const is = {
  contractor: () => state.role === 'grant_operator' || state.role === 'grant_supervisor',
  approver: () => state.role === 'grant_approver',
  ward: () => state.role === 'grant_staff' || state.role === 'grant_approver',
  notifier: () => state.role !== 'grant_operator',
  followReader: () => state.role !== 'grant_operator',
};

/** Shows err in the alert node (a 401 goes back to the sign-in form). */
function fail(node, err) {
  if (!shell.handleAuth(err)) setAlert(node, err.message, 'error');
}
const ok = (node, msg) => setAlert(node, msg, 'ok');
const post = (path, body = {}) => request(BASE + path, { method: 'POST', body, csrf: shell.session.csrf });

/** Minutes as 「3時間」「2時間05分」. */
function hm(min) {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m ? `${h}時間${String(m).padStart(2, '0')}分` : `${h}時間`;
}
const yen = (n) => `${Number(n).toLocaleString('ja-JP')}円`;
const kindsText = (csv) => (csv || '').split(',').filter(Boolean).map((k) => KIND[k] || k).join('・');
/** The length of start–end ("HH:MM"; an end at or before the start is on the next day). */
function span(start, end) {
  const m = (t) => { const [h, mm] = t.split(':').map(Number); return h * 60 + mm; };
  const d = m(end) - m(start);
  return d > 0 ? d : d + 1440;
}
/** The age in whole years on day of a child born on birth (both ISO), or ''. */
function ageOn(birth, day) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birth || '')) return '';
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  const a = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  return a >= 0 ? `${a}歳` : '';
}
/** A form field: label and control (and a hint the control is described by). */
function field(id, label, control, hint) {
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), control,
    hint ? el('span', { class: 'hint', id: `${id}-hint`, text: hint }) : null);
}
function kindChecks(box, prefix, selected = []) {
  box.replaceChildren(...KINDS.map(([k, label]) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', id: `${prefix}-${k}`, value: k, checked: selected.includes(k), 'data-testid': `${prefix}-${k}` }),
    label)));
}
const checkedKinds = (box) => [...box.querySelectorAll('input:checked')].map((i) => i.value);

// ---------- the household's form (registering, and the contractor's edits) ----------
/**
 * Builds the registration form's fields into holder with ids under prefix, filled from f (a
 * household's form, or nothing); returns read() giving the body the API takes.
 */
function householdForm(holder, prefix, f = {}) {
  const id = (k) => `${prefix}-${k}`;
  const input = (k, type = 'text', extra = {}) => el('input', { type, id: id(k), value: f[k] || '', autocomplete: 'off', 'data-testid': id(k), ...extra });
  const area = (k) => {
    const t = el('textarea', { id: id(k), rows: '3', 'data-testid': id(k) });
    t.value = f[k] || '';
    return t;
  };
  const guardian = input('guardian', 'text', { required: true });
  const address = input('address', 'text', { required: true });
  const phone = input('phone', 'tel', { required: true });
  const email = input('email', 'email');
  const emergency = input('emergency', 'text', { required: true });
  const family = input('family', 'text', { required: true });
  const living = area('living');
  const health = area('health');
  const wanted = area('wanted');
  wanted.required = true;
  const taxes = ['課税', '非課税'].map((t, i) => el('input', { type: 'radio', name: id('tax'), id: `${id('tax')}-${i}`, value: t, checked: f.tax === t, 'data-testid': `${id('tax')}-${i}` }));
  const welfare = el('input', { type: 'checkbox', id: id('welfare'), checked: !!f.welfare, 'data-testid': id('welfare') });
  const pregnant = el('input', { type: 'checkbox', id: id('pregnant'), checked: !!f.pregnant_multiple, 'data-testid': id('pregnant') });
  const handbook = input('handbook');
  const kids = el('div', { class: 'children' });
  let rows = [];

  const blank = () => ({ name: '', birth: '', multiple: false, childcare: '', care_from: '' });
  function readKids() {
    return rows.map((r) => ({
      name: r.name.value.trim(), birth: r.birth.value, multiple: r.multiple.checked,
      childcare: r.care.value, care_from: r.care.value ? r.from.value : '',
    }));
  }
  function renderKids(values) {
    rows = values.map((c, i) => {
      const cid = (k) => `${prefix}-c${i}-${k}`;
      const name = el('input', { type: 'text', id: cid('name'), value: c.name || '', autocomplete: 'off', required: true, 'data-testid': 'child-name' });
      const birth = el('input', { type: 'date', id: cid('birth'), value: c.birth || '', required: true, 'data-testid': 'child-birth' });
      const multiple = el('input', { type: 'checkbox', id: cid('multiple'), checked: !!c.multiple, 'data-testid': 'child-multiple' });
      const options = CHILDCARE.includes(c.childcare || '') ? CHILDCARE : [...CHILDCARE, c.childcare];
      const care = el('select', { id: cid('care'), 'data-testid': 'child-care' },
        ...options.map((o) => el('option', { value: o, text: o || 'なし（利用していない）' })));
      care.value = c.childcare || '';
      const from = el('input', { type: 'date', id: cid('from'), value: c.care_from || '', 'data-testid': 'child-care-from' });
      const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small', text: `${i + 1}人目を削除`, 'data-testid': 'child-remove' });
      remove.addEventListener('click', () => {
        const v = readKids();
        v.splice(i, 1);
        renderKids(v);
        add.focus();
      });
      const fs = el('fieldset', { class: 'child-fieldset', 'data-testid': 'child' },
        el('legend', { text: `${i + 1}人目のお子さま` }),
        el('div', { class: 'form-grid' },
          field(cid('name'), '氏名', name),
          field(cid('birth'), '生年月日', birth),
          field(cid('care'), '保育サービス', care, '一時預かりは含めません'),
          field(cid('from'), '保育サービスの開始日', from, '利用しているときだけ')),
        el('label', { class: 'check' }, multiple, '多胎児（双子・三つ子など）'),
        remove);
      return { fs, name, birth, multiple, care, from };
    });
    kids.replaceChildren(...rows.map((r) => r.fs));
  }
  const add = el('button', { type: 'button', class: 'btn btn-secondary', text: 'お子さまを追加', 'data-testid': `${prefix}-add-child` });
  add.addEventListener('click', () => {
    const v = readKids();
    if (v.length >= 8) return;
    v.push(blank());
    renderKids(v);
    rows[rows.length - 1].name.focus();
  });
  const start = f.children && f.children.length ? f.children : (f.pregnant_multiple ? [] : [blank()]);
  renderKids(start.map((c) => ({ ...c })));

  holder.replaceChildren(
    el('div', { class: 'form-grid' },
      field(id('guardian'), '保護者の氏名', guardian),
      field(id('phone'), '連絡先（電話番号）', phone),
      field(id('email'), 'メールアドレス（任意）', email),
      field(id('emergency'), '緊急連絡先', emergency, '続柄と電話番号')),
    field(id('address'), '住所', address),
    field(id('family'), '世帯構成', family, '例: 父・母・子2人'),
    field(id('living'), '生活状況（任意）', living),
    field(id('health'), '健康状態（任意）', health),
    field(id('wanted'), '希望する家事支援の内容', wanted),
    el('fieldset', { class: 'choice-group' }, el('legend', { text: '住民税の課税状況' }),
      el('div', { class: 'inline-checks' }, ...taxes.map((t) => el('label', { class: 'check' }, t, t.value)))),
    el('label', { class: 'check' }, welfare, '生活保護を申請している'),
    el('fieldset', { class: 'choice-group' }, el('legend', { text: '多胎妊婦' }),
      el('label', { class: 'check' }, pregnant, '多胎妊娠中（双子・三つ子などを妊娠している）'),
      field(id('handbook'), '親子健康手帳の交付番号（多胎妊婦のみ）', handbook)),
    el('fieldset', { class: 'choice-group' }, el('legend', { text: 'お子さま（3歳未満のお子さまと、そのきょうだい）' }),
      kids, add));

  return {
    read: () => ({
      guardian: guardian.value.trim(), address: address.value.trim(), phone: phone.value.trim(),
      email: email.value.trim(), emergency: emergency.value.trim(), family: family.value.trim(),
      living: living.value.trim(), health: health.value.trim(), wanted: wanted.value.trim(),
      tax: (taxes.find((t) => t.checked) || {}).value || '', welfare: welfare.checked,
      pregnant_multiple: pregnant.checked, handbook: handbook.value.trim(), children: readKids(),
    }),
    focus: () => guardian.focus(),
  };
}

/** A household's form as read-only text (the ward's view). */
function formView(f) {
  const today = todayJst();
  const kid = (c) => `${c.name}（${c.birth}生まれ・${ageOn(c.birth, today)}${c.multiple ? '・多胎児' : ''}）、保育サービス: ${c.childcare ? `${c.childcare}（${c.care_from}から）` : 'なし'}`;
  const items = [
    ['保護者の氏名', f.guardian], ['住所', f.address], ['連絡先', f.phone],
    ['メールアドレス', f.email || '—'], ['緊急連絡先', f.emergency], ['世帯構成', f.family],
    ['生活状況', f.living || '—'], ['健康状態', f.health || '—'], ['希望する家事支援の内容', f.wanted],
    ['住民税の課税状況', f.tax], ['生活保護の申請', f.welfare ? 'あり' : 'なし'],
    ['多胎妊婦', f.pregnant_multiple ? `はい（親子健康手帳の交付番号 ${f.handbook || '—'}）` : 'いいえ'],
  ];
  return el('dl', { class: 'facts', 'data-testid': 'form-view' },
    ...items.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    el('dt', { text: 'お子さま' }),
    el('dd', {}, f.children.length ? el('ul', { class: 'plain-list' }, ...f.children.map((c) => el('li', { text: kid(c) }))) : 'まだ生まれていません'));
}

// ---------- the households ----------
function fillStateFilter() {
  const sel = $('state-filter');
  const was = sel.value;
  const count = (s) => state.households.filter((h) => h.state === s).length;
  sel.replaceChildren(el('option', { value: '', text: `すべて（${state.households.length}世帯）` }),
    ...STATES.map(([s, label]) => el('option', { value: s, text: `${label}（${count(s)}）` })));
  sel.value = was;
}

function renderHouseholds() {
  const s = $('state-filter').value;
  const q = $('hh-q').value.trim().replace(/\s+/g, '');
  const shown = state.households.filter((h) => (!s || h.state === s) &&
    (!q || (h.guardian || '').replace(/\s+/g, '').includes(q) || h.number.includes(q)));
  const rows = shown.map((h) => el('tr', { 'data-testid': 'household-row', 'data-id': String(h.id), 'data-attention': state.current && state.current.id === h.id ? 'true' : null },
    el('td', { 'data-label': '利用者番号', class: 'mono nowrap', text: h.number }),
    el('td', { 'data-label': '保護者の氏名', text: h.guardian || '' }),
    el('td', { 'data-label': 'お子さま', class: 'num', text: `${h.children}人` }),
    el('td', { 'data-label': '申込日', class: 'nowrap', text: h.applied_on }),
    el('td', { 'data-label': '状態', text: h.state_label }),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'household-open', 'aria-label': `${h.guardian} さん（${h.number}）の世帯を開く`, text: '開く' }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '6', text: state.households.length ? '当てはまる世帯はありません。' : 'まだ世帯はありません。' })));
  $('households-rows').replaceChildren(...rows);
  $('households-summary').textContent = `${shown.length}世帯を表示しています（全${state.households.length}世帯）。`;
}

async function loadHouseholds() {
  const r = await request(`${BASE}/households`);
  state.households = r.households;
  fillStateFilter();
  renderHouseholds();
}

$('state-filter').addEventListener('change', renderHouseholds);
$('hh-q').addEventListener('input', renderHouseholds);
$('households-rows').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-testid="household-open"]');
  if (b) openHousehold(Number(b.closest('tr').dataset.id), true);
});

// ---------- registering ----------
let registerForm;
$('register-open').addEventListener('click', () => {
  registerForm = householdForm($('register-fields'), 'reg');
  setAlert($('register-message'), '');
  $('register').hidden = false;
  $('register').scrollIntoView({ block: 'start' });
  registerForm.focus();
});
$('register-cancel').addEventListener('click', () => {
  $('register').hidden = true;
  $('register-open').focus();
});
$('register-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const b = ev.submitter || $('register-form').querySelector('button[type="submit"]');
  b.disabled = true;
  try {
    const r = await request(`${BASE}/households`, { method: 'POST', body: registerForm.read(), csrf: shell.session.csrf });
    $('register').hidden = true;
    await loadHouseholds();
    showHousehold(r.household, true);
    ok($('detail-message'), `世帯を登録しました（利用者番号 ${r.household.number}）。資格確認の3項目を確かめてください。`);
  } catch (err) {
    fail($('register-message'), err);
  } finally {
    b.disabled = false;
  }
});

// ---------- one household ----------
async function openHousehold(id, focus) {
  setAlert($('message'), '');
  try {
    const r = await request(`${BASE}/households/${id}`);
    showHousehold(r.household, focus);
  } catch (err) {
    fail($('message'), err);
  }
}

function renderUsage(u) {
  const box = $('usage');
  if (!u.eligible) {
    box.replaceChildren(el('p', { class: 'verdict no', 'data-testid': 'usage-none', text: '今日は、別表1・2のどの区分にも当たりません（3歳未満のお子さま、保育要件、多胎）。' }));
    return;
  }
  const stage = u.stage_to === '9999-12-31' ? `${u.stage_from}から（お子さまが1歳になるまで）` : `${u.stage_from}〜${u.stage_to}`;
  const items = [
    ['区分', u.row, 'usage-row'],
    ['上限', `${u.cap_hours}時間${u.free_hours ? `（うち無償 ${u.free_hours}時間）` : ''}`, 'usage-cap'],
    ['期間', stage, 'usage-stage'],
    ['使った・予約した時間', hm(u.used_min), 'usage-used'],
  ];
  if (u.free_hours) items.push(['無償の時間のうち使った時間', `${hm(u.free_used_min)}（残り ${hm(Math.max(0, u.free_hours * 60 - u.free_used_min))}）`, 'usage-free']);
  items.push(['残り', hm(u.remaining_min), 'usage-remaining']);
  box.replaceChildren(el('dl', { class: 'facts' },
    ...items.flatMap(([k, v, t]) => [el('dt', { text: k }), el('dd', { text: v, 'data-testid': t, class: t === 'usage-remaining' ? 'remaining' : null })])));
}

function renderChecks(h) {
  const editable = is.contractor() && h.state === 'submitted';
  $('checks').replaceChildren(
    el('p', { class: 'small muted', text: editable ? '確かめた項目に印をつけます。3項目とも確認済みになると「資格確認を終える」ことができます。' : '資格確認は受付中に受託事業者が行います。' }),
    ...h.checks.map((c) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', 'data-item': c.item, checked: c.checked, disabled: !editable, 'data-testid': `check-${c.item}` }),
      `${c.label}を確認済み`)));
  const notes = [];
  if (h.fix_note && h.state === 'returned') notes.push(`世帯に確かめていること: ${h.fix_note}`);
  if (h.reason) notes.push(`却下の理由: ${h.reason}`);
  if (h.starts_on) notes.push(`利用開始日: ${h.starts_on}（決定 ${h.decided_on}）`);
  $('detail-notes').textContent = notes.join('　');
}

function renderActions(h) {
  const parts = [];
  const btn = (text, testid, cls = 'btn') => el('button', { type: 'button', class: cls, 'data-act': testid, 'data-testid': `act-${testid}`, text });
  if (is.contractor() && h.state === 'submitted') {
    parts.push(el('div', { class: 'button-row' }, btn('資格確認を終える', 'screen')));
    const note = el('textarea', { id: 'return-note', rows: '2', 'data-testid': 'return-note' });
    parts.push(el('details', { class: 'fold' }, el('summary', { text: '保留（世帯に確認）' }),
      field('return-note', '世帯に確かめること', note),
      btn('保留にする', 'return', 'btn btn-secondary')));
  }
  if (is.contractor() && h.state === 'returned') {
    parts.push(el('div', { class: 'button-row' }, btn('受付に戻す', 'resubmit'),
      el('span', { class: 'small muted', text: '確かめ終えたら受付に戻し、資格確認をはじめからやり直します。' })));
  }
  if (h.state === 'screened') {
    if (is.approver()) {
      const starts = el('input', { type: 'date', id: 'decide-starts', value: todayJst(), 'data-testid': 'decide-starts' });
      const reason = el('textarea', { id: 'reject-reason', rows: '2', 'data-testid': 'reject-reason' });
      const when = field('decide-starts', '利用開始日', starts);
      when.classList.add('short');
      parts.push(el('div', { class: 'toolbar' }, when, btn('利用決定', 'approve')));
      parts.push(el('details', { class: 'fold' }, el('summary', { text: '却下する' }),
        field('reject-reason', '却下の理由', reason), btn('却下', 'reject', 'btn btn-secondary')));
    } else {
      parts.push(el('p', { class: 'muted', text: '資格確認が済み、区の決定を待っています（区の決定者が利用を決定します）。' }));
    }
  }
  if (h.state === 'approved' || h.state === 'rejected') {
    if (is.notifier()) {
      parts.push(el('div', { class: 'button-row' }, btn('通知済みにする', 'notify'),
        el('span', { class: 'small muted', text: '決定を世帯に知らせたら押します。' })));
    } else {
      parts.push(el('p', { class: 'muted', text: '区または事業者の責任者が、決定を世帯に通知します。' }));
    }
  }
  $('actions').replaceChildren(...parts);
}

function renderSteps(h) {
  $('steps').replaceChildren(...h.steps.map((s) => el('li', { text: `${stamp(s.at)} ${s.label}${s.by ? `（${s.by}）` : ''}` })));
}

function supporterName(code) {
  const s = state.supporters.find((x) => x.code === code);
  return s ? `${s.code} ${s.name}` : code;
}

function renderVisits(h) {
  const usable = h.state === 'notified' && !!h.starts_on;
  $('visit-form').hidden = !(is.contractor() && usable);
  const active = state.supporters.filter((s) => s.active);
  const rows = h.visits.map((v) => {
    const done = v.state === 'done';
    const minutes = done ? v.minutes : span(v.start, v.end);
    const actions = [];
    if (is.contractor() && (v.state === 'requested' || v.state === 'dispatched')) {
      const sel = el('select', { 'aria-label': `${v.date} ${v.start}〜の支援に派遣するサポーター`, 'data-testid': 'visit-supporter' },
        el('option', { value: '', text: 'サポーターを選ぶ' }),
        ...active.map((s) => el('option', { value: String(s.id), text: `${s.code} ${s.name}` })));
      const cur = active.find((s) => s.code === v.supporter);
      if (cur) sel.value = String(cur.id);
      actions.push(sel, el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'dispatch', 'data-testid': 'visit-dispatch', text: v.state === 'dispatched' ? '派遣先を変える' : 'サポーターを派遣' }));
      if (v.state === 'dispatched') actions.push(el('button', { type: 'button', class: 'btn btn-small', 'data-act': 'record', 'data-testid': 'visit-record', text: '支援の記録' }));
      actions.push(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'cancel', 'data-testid': 'visit-cancel', text: '取り消し' }));
    }
    if (is.contractor() && done && !v.paid && v.fee_yen > 0) {
      actions.push(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'paid', 'data-testid': 'visit-paid', text: '利用料金を受け取った' }));
    }
    const status = el('td', { 'data-label': '状態' }, VISIT_STATE[v.state] || v.state);
    if (v.follow_up) status.append(' ', el('span', { class: 'badge badge-warn', 'data-testid': 'visit-follow', text: '保健師へ情報提供' }));
    if (v.record) {
      status.append(el('details', { class: 'record' }, el('summary', { text: '記録' }),
        el('p', { text: `様子: ${v.record.observations}` }),
        v.record.concerns ? el('p', { text: `気になったこと: ${v.record.concerns}` }) : null));
    }
    return el('tr', { 'data-testid': 'visit-row', 'data-id': String(v.id), 'data-state': v.state },
      el('td', { 'data-label': '利用日', class: 'nowrap', text: v.date }),
      el('td', { 'data-label': '時間帯', class: 'nowrap', text: `${v.start}〜${v.end}` }),
      el('td', { 'data-label': '支援の内容', text: kindsText(v.kinds) }),
      el('td', { 'data-label': '時間', class: 'num nowrap', text: hm(minutes) }),
      el('td', { 'data-label': '無償', class: 'num nowrap', text: done ? hm(v.free_min) : '—' }),
      el('td', { 'data-label': '利用料金', class: 'num nowrap', 'data-testid': 'visit-fee', text: done ? yen(v.fee_yen) : '—' }),
      el('td', { 'data-label': '支払', text: done ? (v.paid ? '済' : (v.fee_yen ? '未' : '—')) : '—' }),
      el('td', { 'data-label': 'サポーター', text: v.supporter ? supporterName(v.supporter) : '—' }),
      status,
      el('td', { 'data-label': '操作' }, el('div', { class: 'actions' }, ...actions)));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '10', text: usable ? 'まだ支援はありません。' : 'まだ支援はありません（利用が決定し、通知した世帯が利用できます）。' })));
  $('visits-rows').replaceChildren(...rows);
}

let editForm;
function showHousehold(h, focus) {
  state.current = h;
  const guardian = h.form.guardian;
  $('detail-title').textContent = `${guardian} さんの世帯（利用者番号 ${h.number}）`;
  $('detail-state').textContent = `状態: ${h.state_label}　申込日: ${h.applied_on}`;
  renderUsage(h.usage);
  renderChecks(h);
  renderActions(h);
  renderSteps(h);
  const editable = is.contractor() && !(h.state === 'rejected' || (h.state === 'notified' && !h.starts_on));
  $('form-summary').textContent = editable ? '世帯の内容（お子さまの誕生や保育サービスの開始などで変わったら直す）' : '世帯の内容';
  $('edit-form').hidden = !editable;
  $('form-view').hidden = editable;
  if (editable) {
    editForm = householdForm($('edit-fields'), 'edit', h.form);
    setAlert($('edit-message'), '');
  } else {
    $('form-view').replaceChildren(formView(h.form));
  }
  renderVisits(h);
  $('record-form').hidden = true;
  state.record = null;
  $('detail').hidden = false;
  renderHouseholds();
  if (focus) {
    setAlert($('detail-message'), '');
    setAlert($('visit-message'), '');
    setAlert($('statement-message'), '');
    $('detail').scrollIntoView({ block: 'start' });
    $('detail-title').focus({ preventScroll: true });
  }
}

/** Runs a household move and shows its answer; msg: what to say when it went through. */
async function move(path, body, msg) {
  const h = state.current;
  setAlert($('detail-message'), '');
  try {
    const r = await post(`/households/${h.id}/${path}`, body);
    showHousehold(r.household);
    ok($('detail-message'), msg);
    await loadHouseholds();
  } catch (err) {
    fail($('detail-message'), err);
  }
}

$('checks').addEventListener('change', async (ev) => {
  const box = ev.target.closest('input[data-item]');
  if (!box) return;
  const h = state.current;
  setAlert($('detail-message'), '');
  try {
    const r = await post(`/households/${h.id}/checks`, { item: box.dataset.item, checked: box.checked });
    state.current = r.household;
  } catch (err) {
    box.checked = !box.checked;
    fail($('detail-message'), err);
  }
});

$('actions').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const h = state.current;
  const act = b.dataset.act;
  if (act === 'screen') await move('screen', {}, '資格確認を終えました。区の決定を待ちます。');
  else if (act === 'return') {
    const note = $('return-note').value.trim();
    if (!note) {
      setAlert($('detail-message'), '世帯に確かめることを書いてください。', 'error');
      $('return-note').focus();
      return;
    }
    await move('return', { note }, '保留にしました。確かめ終えたら「受付に戻す」を押してください。');
  } else if (act === 'resubmit') await move('resubmit', {}, '受付に戻しました。資格確認をはじめからやり直してください。');
  else if (act === 'approve') {
    const starts = $('decide-starts').value;
    if (!(await confirmDialog(`${h.form.guardian} さんの世帯の利用を、${starts || todayJst()}から決定します。`, '利用を決定する'))) return;
    await move('decide', { decision: 'approve', starts_on: starts }, '利用を決定しました。世帯に通知したら「通知済みにする」を押します。');
  } else if (act === 'reject') {
    const reason = $('reject-reason').value.trim();
    if (!reason) {
      setAlert($('detail-message'), '却下の理由を書いてください。', 'error');
      $('reject-reason').focus();
      return;
    }
    if (!(await confirmDialog(`${h.form.guardian} さんの世帯の利用を却下します（理由: ${reason}）。`, '却下する'))) return;
    await move('decide', { decision: 'reject', reason }, '却下しました。世帯に通知したら「通知済みにする」を押します。');
  } else if (act === 'notify') {
    if (!(await confirmDialog(`${h.form.guardian} さんの世帯に「${h.state_label.replace(/（通知前）$/, '')}」を通知したと記録します。`, '通知済みにする'))) return;
    await move('notify', {}, '通知済みにしました。');
  }
});

$('edit-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const h = state.current;
  setAlert($('edit-message'), '');
  try {
    const r = await request(`${BASE}/households/${h.id}`, { method: 'PUT', body: editForm.read(), csrf: shell.session.csrf });
    showHousehold(r.household);
    $('form-fold').open = true;
    ok($('edit-message'), '世帯の内容を保存しました。利用できる時間を計算し直しました。');
    await loadHouseholds();
  } catch (err) {
    fail($('edit-message'), err);
  }
});

// ---------- visits ----------
kindChecks($('visit-kinds'), 'visit-kind');
kindChecks($('record-kinds'), 'record-kind');

$('visit-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const h = state.current;
  setAlert($('visit-message'), '');
  const body = { date: $('visit-date').value, start: $('visit-start').value, end: $('visit-end').value, kinds: checkedKinds($('visit-kinds')) };
  try {
    const r = await post(`/households/${h.id}/visits`, body);
    showHousehold(r.household);
    ok($('visit-message'), `${body.date} ${body.start}〜${body.end} の支援の申込を受け付けました。サポーターを派遣してください。`);
  } catch (err) {
    fail($('visit-message'), err);
  }
});

function openRecord(v) {
  state.record = v;
  $('record-title').textContent = `支援の記録（${v.date} ${v.start}〜${v.end}）`;
  $('record-start').value = v.start;
  $('record-end').value = v.end;
  const kinds = v.kinds.split(',');
  for (const box of $('record-kinds').querySelectorAll('input')) box.checked = kinds.includes(box.value);
  $('record-observations').value = '';
  $('record-concerns').value = '';
  $('record-follow').checked = false;
  $('record-form').hidden = false;
  $('record-form').scrollIntoView({ block: 'nearest' });
  $('record-start').focus();
}

$('visits-rows').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const tr = b.closest('tr');
  const v = state.current.visits.find((x) => x.id === Number(tr.dataset.id));
  if (!v) return;
  setAlert($('visit-message'), '');
  const act = b.dataset.act;
  if (act === 'record') {
    openRecord(v);
    return;
  }
  let path;
  let body = {};
  let msg;
  if (act === 'dispatch') {
    const sel = tr.querySelector('select');
    if (!sel.value) {
      setAlert($('visit-message'), '派遣するサポーターを選んでください。', 'error');
      sel.focus();
      return;
    }
    path = 'dispatch';
    body = { supporter_id: Number(sel.value) };
    msg = `${v.date} の支援に ${sel.selectedOptions[0].textContent} さんを派遣しました。`;
  } else if (act === 'cancel') {
    if (!(await confirmDialog(`${v.date} ${v.start}〜${v.end} の支援を取り消します。`, '取り消す'))) return;
    path = 'cancel';
    msg = `${v.date} の支援を取り消しました。`;
  } else if (act === 'paid') {
    path = 'paid';
    msg = `${v.date} の支援の利用料金 ${yen(v.fee_yen)} を受け取ったと記録しました。`;
  } else {
    return;
  }
  try {
    const r = await post(`/visits/${v.id}/${path}`, body);
    showHousehold(r.household);
    ok($('visit-message'), msg);
  } catch (err) {
    fail($('visit-message'), err);
  }
});

$('record-cancel').addEventListener('click', () => {
  const v = state.record;
  $('record-form').hidden = true;
  state.record = null;
  const row = v && document.querySelector(`#visits-rows tr[data-id="${v.id}"] button[data-act="record"]`);
  if (row) row.focus();
});

$('record-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const v = state.record;
  if (!v) return;
  setAlert($('visit-message'), '');
  const follow = $('record-follow').checked;
  const body = {
    start: $('record-start').value, end: $('record-end').value, kinds: checkedKinds($('record-kinds')),
    observations: $('record-observations').value.trim(), concerns: $('record-concerns').value.trim(), follow_up: follow,
  };
  try {
    const r = await post(`/visits/${v.id}/done`, body);
    showHousehold(r.household);
    const done = r.household.visits.find((x) => x.id === v.id);
    ok($('visit-message'), `${v.date} の支援を記録しました（${hm(done.minutes)}、うち無償 ${hm(done.free_min)}、利用料金 ${yen(done.fee_yen)}）。${follow ? '保健師への情報提供として区に知らせました。' : ''}`);
    if (is.followReader()) await loadFollow();
  } catch (err) {
    fail($('visit-message'), err);
  }
});

$('statement-pdf').addEventListener('click', async () => {
  const h = state.current;
  const month = $('statement-month').value;
  const b = $('statement-pdf');
  b.disabled = true;
  setAlert($('statement-message'), '');
  try {
    const f = await download(`${BASE}/households/${h.id}/statement?${new URLSearchParams({ month })}`);
    ok($('statement-message'), `利用明細（${f.filename}）を保存しました。受け渡し台帳 ${f.ledgerId}。`);
  } catch (err) {
    fail($('statement-message'), err);
  } finally {
    b.disabled = false;
  }
});

$('detail-close').addEventListener('click', () => {
  const id = state.current && state.current.id;
  $('detail').hidden = true;
  state.current = null;
  renderHouseholds();
  const b = id && document.querySelector(`#households-rows tr[data-id="${id}"] button`);
  (b || $('households-title')).focus?.();
});

// ---------- supporters ----------
function renderSupporters() {
  const rows = state.supporters.map((s) => el('tr', { 'data-testid': 'supporter-row', 'data-id': String(s.id) },
    el('td', { 'data-label': '番号', class: 'mono nowrap', text: s.code }),
    el('td', { 'data-label': '氏名', text: s.name }),
    el('td', { 'data-label': '年齢', class: 'num', text: s.age >= 0 ? `${s.age}歳` : '' }),
    el('td', { 'data-label': 'ヘルパー資格', text: s.helper ? 'あり' : 'なし' }),
    el('td', { 'data-label': '職業経歴', text: s.career || '—' }),
    el('td', { 'data-label': '連絡先', text: s.phone }),
    el('td', { 'data-label': '状態' }, el('span', { class: s.active ? 'badge badge-ok' : 'badge badge-off', text: s.active ? '活動中' : '活動停止' })),
    el('td', { 'data-label': '操作' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-active': s.active ? '0' : '1', 'data-testid': 'supporter-toggle', text: s.active ? `${s.code} の活動を止める` : `${s.code} を活動中に戻す` }))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '8', text: 'まだサポーターはいません。' })));
  $('supporters-rows').replaceChildren(...rows);
}

async function loadSupporters() {
  const r = await request(`${BASE}/supporters`);
  state.supporters = r.supporters;
  renderSupporters();
}

$('supporters-rows').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-active]');
  if (!b) return;
  const id = Number(b.closest('tr').dataset.id);
  const s = state.supporters.find((x) => x.id === id);
  setAlert($('supporter-message'), '');
  try {
    await request(`${BASE}/supporters/${id}`, { method: 'PUT', body: { active: b.dataset.active === '1' }, csrf: shell.session.csrf });
    await loadSupporters();
    ok($('supporter-message'), `${s.code} ${s.name} さんを${b.dataset.active === '1' ? '活動中に戻しました' : '活動停止にしました（派遣先に選べなくなります）'}。`);
    if (state.current) renderVisits(state.current);
    document.querySelector(`#supporters-rows tr[data-id="${id}"] button`)?.focus();
  } catch (err) {
    fail($('supporter-message'), err);
  }
});

$('supporter-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const v = (id) => $(id).value.trim();
  const body = {
    code: v('sp-code'), name: v('sp-name'), address: v('sp-address'), phone: v('sp-phone'),
    email: v('sp-email'), birth: $('sp-birth').value, helper: $('sp-helper').checked, career: v('sp-career'),
    bank: { bank_code: v('sp-bank'), branch_code: v('sp-branch'), type: Number($('sp-type').value), number: v('sp-number'), holder: v('sp-holder') },
  };
  setAlert($('supporter-message'), '');
  try {
    await post('/supporters', body);
    $('supporter-form').reset();
    await loadSupporters();
    ok($('supporter-message'), `サポーター ${body.code} ${body.name} さんを登録しました。`);
    if (state.current) renderVisits(state.current);
  } catch (err) {
    fail($('supporter-message'), err);
  }
});

// ---------- follow-ups for the public health nurse ----------
function renderFollow() {
  const ward = is.ward();
  const rows = state.follow.map((f) => el('tr', { 'data-testid': 'follow-row', 'data-visit': String(f.visit), 'data-household': String(f.household) },
    el('td', { 'data-label': '利用日', class: 'nowrap', text: f.date }),
    el('td', { 'data-label': '利用者番号', class: 'mono nowrap', text: f.number }),
    el('td', { 'data-label': '保護者の氏名', text: f.guardian || '' }),
    el('td', { 'data-label': '支援時の様子', text: f.observations || '' }),
    el('td', { 'data-label': '気になったこと', text: f.concerns || '—' }),
    el('td', { 'data-label': '操作' }, el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'open', 'data-testid': 'follow-open', 'aria-label': `${f.guardian} さんの世帯を開く`, text: '世帯を開く' }),
      ward ? el('button', { type: 'button', class: 'btn btn-small', 'data-act': 'seen', 'data-testid': 'follow-seen', 'aria-label': `${f.date} ${f.guardian} さんの情報提供に対応した`, text: '対応した' }) : null))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '6', text: 'まだ対応していない情報提供はありません。' })));
  $('follow-rows').replaceChildren(...rows);
  $('follow-summary').textContent = `まだ対応していない情報提供: ${state.follow.length}件`;
}

async function loadFollow() {
  const r = await request(`${BASE}/follow-ups`);
  state.follow = r.follow_ups;
  renderFollow();
}

$('follow-rows').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const tr = b.closest('tr');
  if (b.dataset.act === 'open') {
    await openHousehold(Number(tr.dataset.household), true);
    return;
  }
  const f = state.follow.find((x) => x.visit === Number(tr.dataset.visit));
  setAlert($('follow-message'), '');
  try {
    await post(`/visits/${f.visit}/follow-seen`);
    await loadFollow();
    ok($('follow-message'), `${f.date} ${f.guardian} さんの世帯の情報提供に対応したと記録しました。`);
    $('follow-title').focus?.();
  } catch (err) {
    fail($('follow-message'), err);
  }
});

// ---------- the monthly report ----------
document.querySelector('[data-testid="monthly"]').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-format]');
  if (!b) return;
  const q = new URLSearchParams({ month: $('monthly-month').value, format: b.dataset.format });
  b.disabled = true;
  setAlert($('monthly-message'), '');
  try {
    const f = await download(`${BASE}/reports/monthly?${q}`);
    ok($('monthly-message'), `月次の実績報告（${f.filename}）を保存しました。受け渡し台帳 ${f.ledgerId}。`);
  } catch (err) {
    fail($('monthly-message'), err);
  } finally {
    b.disabled = false;
  }
});

shell = startShell({
  roles: ['grant_operator', 'grant_supervisor', 'grant_staff', 'grant_approver'],
  deniedText: '家事・育児支援事業の画面は、受託事業者（担当者・責任者）と区（担当職員・決定者）が使います。',
  loginNote: '家事・育児支援事業の担当のログインIDとパスワードでログインします。',
  onReady: async (session) => {
    state.role = session.user.role;
    const contractor = is.contractor();
    for (const n of document.querySelectorAll('[data-for="contractor"]')) n.hidden = !contractor;
    for (const n of document.querySelectorAll('[data-for="follow"]')) n.hidden = !is.followReader();
    $('intro').textContent = contractor
      ? '受託事業者として、利用申請を受けた世帯を登録して資格を確かめ、利用が決まった世帯にサポーターを派遣し、支援を記録して利用料金を管理します。気になったことは保健師への情報提供として区に知らせます。'
      : '区として、資格確認が済んだ世帯の利用を決定し（決定者）、決定を通知し、保健師への情報提供に対応し、月次の実績報告を受け取ります。';
    const month = todayJst().slice(0, 7);
    $('monthly-month').value = month;
    $('statement-month').value = month;
    $('visit-date').value = todayJst();
    $('visit-start').value = '10:00';
    $('visit-end').value = '12:00';
    try {
      if (contractor) await loadSupporters();
      await loadHouseholds();
      if (is.followReader()) await loadFollow();
    } catch (err) {
      fail($('message'), err);
    }
  },
});
