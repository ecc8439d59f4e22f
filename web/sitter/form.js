// mimamori — the babysitter subsidy's shared parts (ベビーシッター利用支援事業): the application
// form — the guardian, the children (1–6), the uses (1–31; an end before the start is the next
// day), the bank account with the bank's and branch's names looked up live — used by the public
// form (/sitter/apply.html), the applicant's correction (/sitter/status.html) and the
// contractor's paper application (/sitter/office.html); the applicant's receipts box; the
// amounts as the server counted them; and the applicant's requests (no account: the link's
// token in X-Applicant-Token).
import { API, ApiError, el } from '/js/api.js';

export const MAX_CHILDREN = 6;
export const MAX_USES = 31;
export const MAX_RECEIPTS = 10;
export const RECEIPT_BYTES = 8 * 1024 * 1024;
export const RECEIPT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'];
const MEDIA_LABEL = { 'image/jpeg': 'JPEG画像', 'image/png': 'PNG画像', 'application/pdf': 'PDF' };

// ---------- small helpers ----------

/** Full-width digits, letters and hyphens typed on a phone → ASCII ("０９０ー１" → "090-1"). */
export function toHalf(s) {
  return String(s || '')
    .replace(/[０-９Ａ-Ｚａ-ｚ＠．＿＋]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[ー－‐−―]/g, '-');
}

/** 15250 → "15,250円". */
export function yen(n) {
  return `${Number(n || 0).toLocaleString('ja-JP')}円`;
}

/** Minutes → "5時間30分" ("0時間" for none). */
export function hm(min) {
  const m = Math.max(0, Math.round(Number(min) || 0));
  const h = Math.floor(m / 60);
  const r = m % 60;
  return r ? `${h}時間${r}分` : `${h}時間`;
}

/** Bytes → "12 KB" / "1.2 MB". */
export function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** A use's time as "18:00〜23:30", or "22:00〜翌2:00" when it ends the next day. */
export function timeRange(u) {
  const next = u.end <= u.start;
  return `${u.start}〜${next ? '翌' : ''}${u.end}`;
}

/** "2026-11-20" → "2026年11月20日". */
export function jaDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : (iso || '');
}

/** "2026-11-23T15:02:03+09:00" → "2026-11-23 15:02". */
export function stampText(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || '');
  return m ? `${m[1]} ${m[2]}` : (iso || '');
}

/** Today in Japan as "YYYY-MM-DD" (whatever the device's time zone). */
export function todayJst() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(iso, days) {
  const [y, m, d] = iso.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** A dl of [term, description] pairs (descriptions may be nodes). */
export function dl(pairs, cls = 'facts') {
  return el('dl', { class: cls }, ...pairs.filter(Boolean).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

/** A table with a caption, header cells and rows of [label, value | node, cls?] cells; stacked
 * on phones (each cell labelled). */
export function table(caption, heads, rows, testid) {
  // the wrap scrolls sideways when the table is wider than the screen: reachable by keyboard
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    el('table', { class: 'data-table stack', 'data-testid': testid },
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col', class: h.num ? 'num' : null, text: h.text || h })))),
      el('tbody', {}, ...rows.map((r) => el('tr', r.attrs || {}, ...r.cells.map((c, i) => el('td', { 'data-label': heads[i].text || heads[i], class: heads[i].num ? 'num' : (heads[i].nowrap ? 'nowrap' : null) }, c)))))));
}

// ---------- the applicant's requests ----------

function fallbackMessage(status) {
  if (status === 0) return 'サーバーに接続できません。ネットワークを確認してください。';
  if (status === 404) return 'このリンクの申請が見つかりません。メールのリンクをもう一度開いてください。';
  if (status === 413) return 'ファイルが大きすぎます（8MBまで）。';
  if (status === 429) return '操作が多すぎます。しばらく待ってからもう一度お試しください。';
  if (status >= 500) return 'サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。';
  return `エラーが発生しました（${status}）。`;
}

/**
 * A request of the applicant (under /api/v1): token in X-Applicant-Token (none for the public
 * routes), body as JSON or file sent raw with its own type. Resolves to the parsed answer,
 * rejects with an ApiError whose message is the server's Japanese sentence.
 */
export async function applicantCall(path, token, { method = 'GET', body, file, timeoutMs = 30000 } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers['X-Applicant-Token'] = token;
  let payload;
  if (file) {
    headers['Content-Type'] = file.type;
    payload = file;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store', signal: ctrl.signal });
  } catch {
    throw new ApiError(0, fallbackMessage(0), null);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const msg = data && typeof data.message === 'string' && data.message.trim() ? data.message.trim() : fallbackMessage(res.status);
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

/** The link's token from the page's fragment (#t=TOKEN), or ''. */
export function tokenFromHash() {
  const t = new URLSearchParams(location.hash.slice(1)).get('t') || '';
  return /^[A-Za-z0-9_-]{20,128}$/.test(t) ? t : '';
}

// ---------- the form ----------

let formSerial = 0;

function input(type, id, attrs = {}) {
  return el('input', { type, id, name: id, ...attrs });
}

/** A field: label, an optional hint (described-by), the control. */
function field(label, control, hint, cls = 'field') {
  const parts = [el('label', { for: control.id, text: label })];
  if (hint) {
    const hid = `${control.id}-hint`;
    control.setAttribute('aria-describedby', hid);
    parts.push(el('span', { id: hid, class: 'hint', text: hint }));
  }
  parts.push(control);
  return el('div', { class: cls }, ...parts);
}

function checkbox(id, label, attrs = {}) {
  const box = input('checkbox', id, attrs);
  return { box, node: el('label', { class: 'check', for: id }, box, el('span', { text: label })) };
}

/**
 * The bank account's fields (振込先の口座): codes with the names looked up live (GET
 * /api/v1/sitter/bank), 普通/当座, number and holder (カタカナ). Returns {node, read(), fill(bank)}.
 * read() gives the API's bank object.
 */
export function createBankFields({ prefix, legend = '振込先の口座' }) {
  const id = (n) => `${prefix}-bank-${n}`;
  const bank = input('text', id('code'), { inputmode: 'numeric', autocomplete: 'off', maxlength: '4', required: true, 'data-testid': 'bank-code' });
  const branch = input('text', id('branch'), { inputmode: 'numeric', autocomplete: 'off', maxlength: '3', required: true, 'data-testid': 'bank-branch' });
  const names = el('p', { id: id('names'), class: 'bank-names', role: 'status', 'aria-live': 'polite', 'data-testid': 'bank-names', text: '金融機関コードと支店コードを入れると、銀行名と支店名が出ます。' });
  const ordinary = input('radio', id('type-1'), { name: id('type'), value: '1', checked: true, 'data-testid': 'bank-type-1' });
  const current = input('radio', id('type-2'), { name: id('type'), value: '2', 'data-testid': 'bank-type-2' });
  const number = input('text', id('number'), { inputmode: 'numeric', autocomplete: 'off', maxlength: '8', required: true, 'data-testid': 'bank-number' });
  const holder = input('text', id('holder'), { autocomplete: 'off', maxlength: '60', required: true, 'data-testid': 'bank-holder' });
  let seq = 0;
  let timer = null;

  async function lookup() {
    const b = toHalf(bank.value).replace(/\D/g, '');
    const r = toHalf(branch.value).replace(/\D/g, '');
    const mine = ++seq;
    names.classList.remove('bank-unknown', 'bank-found');
    if (b.length !== 4 || r.length !== 3) {
      names.textContent = '金融機関コード（4桁）と支店コード（3桁）を入れると、銀行名と支店名が出ます。';
      return;
    }
    names.textContent = '調べています…';
    try {
      const a = await applicantCall(`/sitter/bank?bank=${b}&branch=${r}`, '');
      if (mine !== seq) return;
      names.textContent = `${a.bank_name}　${a.branch_name}`;
      names.classList.add('bank-found');
    } catch (err) {
      if (mine !== seq) return;
      names.textContent = err.status === 404
        ? `金融機関コード ${b}・支店コード ${r} の支店は見つかりません。通帳やキャッシュカードで確かめてください。`
        : err.message;
      names.classList.add('bank-unknown');
    }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(lookup, 250); };
  bank.addEventListener('input', later);
  branch.addEventListener('input', later);

  const node = el('fieldset', { class: 'form-section', 'data-testid': 'bank-fields' },
    el('legend', { text: legend }),
    el('p', { class: 'hint', text: '助成金を振り込む、申請者（保護者）の口座です。通帳やキャッシュカードを見て入力してください。' }),
    el('div', { class: 'row-2' },
      field('金融機関コード（4桁）', bank),
      field('支店コード（3桁）', branch)),
    names,
    el('fieldset', { class: 'choice-group inline-choices' },
      el('legend', { text: '預金の種類' }),
      el('label', { class: 'check', for: ordinary.id }, ordinary, el('span', { text: '普通' })),
      el('label', { class: 'check', for: current.id }, current, el('span', { text: '当座' }))),
    field('口座番号（7桁まで）', number),
    field('口座名義（カタカナ）', holder, '通帳のとおりに、カタカナで入力します（例: サクラダイ ハナコ）。'));

  return {
    node,
    read() {
      return {
        bank_code: toHalf(bank.value).replace(/\D/g, ''),
        branch_code: toHalf(branch.value).replace(/\D/g, ''),
        type: current.checked ? 2 : 1,
        number: toHalf(number.value).replace(/[\s-]/g, ''),
        holder: holder.value.trim(),
      };
    },
    fill(b) {
      if (!b) return;
      bank.value = b.bank_code || '';
      branch.value = b.branch_code || '';
      (Number(b.type) === 2 ? current : ordinary).checked = true;
      number.value = b.number || '';
      holder.value = b.holder || '';
      lookup();
    },
    focus() { bank.focus(); },
    /** The control the server's sentence about the account names, or null. */
    controlFor(message) {
      const m = String(message || '');
      if (/^(振込先の口座|金融機関コード)/.test(m)) return bank;
      if (/^預金の種類/.test(m)) return ordinary;
      if (/^口座番号/.test(m)) return number;
      if (/^口座名義/.test(m)) return holder;
      return null;
    },
  };
}

/**
 * The application form: the guardian (with the mail address twice when confirmEmail), the
 * children, the uses and, when withBank, the bank account. Returns {node, read(), fill(form)}:
 * read() is the API's FORM (email_confirm when confirmEmail), fill() puts one back.
 */
export function createForm({ prefix, confirmEmail = true, withBank = true }) {
  formSerial += 1;
  const p = `${prefix}${formSerial > 1 ? formSerial : ''}`;
  const id = (n) => `${p}-${n}`;
  let serial = 0;
  const today = todayJst();
  const oldest = addDays(today, -366);

  // --- the guardian
  const g = {
    name: input('text', id('g-name'), { autocomplete: 'name', maxlength: '40', required: true, 'data-testid': 'g-name' }),
    kana: input('text', id('g-kana'), { autocomplete: 'off', maxlength: '40', required: true, 'data-testid': 'g-kana' }),
    birth: input('date', id('g-birth'), { autocomplete: 'bday', max: today, required: true, 'data-testid': 'g-birth' }),
    postcode: input('text', id('g-postcode'), { inputmode: 'numeric', autocomplete: 'postal-code', maxlength: '8', required: true, 'data-testid': 'g-postcode' }),
    address: input('text', id('g-address'), { autocomplete: 'street-address', maxlength: '120', required: true, 'data-testid': 'g-address' }),
    phone: input('tel', id('g-phone'), { autocomplete: 'tel', maxlength: '16', required: true, 'data-testid': 'g-phone' }),
    email: input('email', id('g-email'), { autocomplete: 'email', autocapitalize: 'none', spellcheck: 'false', maxlength: '254', required: true, 'data-testid': 'g-email' }),
    email2: confirmEmail ? input('email', id('g-email2'), { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: '254', required: true, 'data-testid': 'g-email2' }) : null,
  };
  const guardian = el('fieldset', { class: 'form-section', 'data-testid': 'guardian-fields' },
    el('legend', { text: '申請者（保護者）' }),
    field('氏名', g.name, '例: 桜台 花子'),
    field('ふりがな', g.kana, '例: さくらだい はなこ'),
    field('生年月日', g.birth),
    field('郵便番号（7桁）', g.postcode, '例: 160-0022'),
    field('住所', g.address, '決定通知書をこの住所に郵送します。建物名・部屋番号まで入力してください。'),
    field('電話番号', g.phone, '日中につながる番号。例: 090-1234-5678'),
    field('メールアドレス', g.email, '受付の確認と、申請の状況を見るページのリンクを送ります。'),
    g.email2 ? field('メールアドレス（確認のため、もう一度）', g.email2) : null);

  // --- the children
  const kids = el('div', { class: 'sets', 'data-testid': 'children' });
  const addKid = el('button', { type: 'button', class: 'btn btn-secondary btn-block', 'data-testid': 'add-child', text: 'お子さまを追加する' });
  const children = el('fieldset', { class: 'form-section' },
    el('legend', { text: 'お子さま（1〜6人）' }),
    el('p', { class: 'hint', text: 'ベビーシッターに預けたお子さま。0歳から、6歳になる年度の3月31日までのお子さまが対象です。' }),
    kids, addKid);

  function kidSets() { return [...kids.children]; }

  function kidLabel(set, i) {
    const name = set.querySelector('input[data-role="name"]').value.trim();
    return `${i + 1}人目${name ? `（${name}）` : ''}`;
  }

  function childSet() {
    serial += 1;
    const s = serial;
    const name = input('text', id(`c${s}-name`), { autocomplete: 'off', maxlength: '40', required: true, 'data-role': 'name', 'data-testid': 'c-name' });
    const birth = input('date', id(`c${s}-birth`), { max: today, required: true, 'data-role': 'birth', 'data-testid': 'c-birth' });
    const multi = checkbox(id(`c${s}-multiple`), '多胎児（双子・三つ子など）', { 'data-role': 'multiple', 'data-testid': 'c-multiple' });
    const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small remove', 'data-testid': 'remove-child' });
    const set = el('fieldset', { class: 'set', 'data-serial': String(s), 'data-testid': 'child-set' },
      el('legend', {}),
      field('氏名', name),
      field('生年月日', birth),
      multi.node,
      el('p', { class: 'hint', text: '多胎児は、1年度の上限の時間が2倍になります。' }),
      remove);
    name.addEventListener('input', syncUseKids);
    remove.addEventListener('click', () => {
      set.remove();
      renumber();
      syncUseKids();
      addKid.focus();
    });
    return set;
  }

  function addChild() {
    const set = childSet();
    kids.append(set);
    renumber();
    syncUseKids();
    return set;
  }

  // --- the uses
  const uses = el('div', { class: 'sets', 'data-testid': 'uses' });
  const addUseBtn = el('button', { type: 'button', class: 'btn btn-secondary btn-block', 'data-testid': 'add-use', text: '利用した日を追加する' });
  const usesBox = el('fieldset', { class: 'form-section' },
    el('legend', { text: 'ベビーシッターを利用した日（1〜31件）' }),
    el('p', { class: 'hint', text: '利用した日ごとに入力します（今日までの1年以内）。夜から翌朝までの利用は、開始の日に入力し、終了に翌朝の時刻を入れます。' }),
    uses, addUseBtn);

  function useSets() { return [...uses.children]; }

  function useSet() {
    serial += 1;
    const s = serial;
    const date = input('date', id(`u${s}-date`), { min: oldest, max: today, required: true, 'data-role': 'date', 'data-testid': 'u-date' });
    const start = input('time', id(`u${s}-start`), { required: true, 'data-role': 'start', 'data-testid': 'u-start' });
    const end = input('time', id(`u${s}-end`), { required: true, 'data-role': 'end', 'data-testid': 'u-end' });
    const next = el('p', { id: id(`u${s}-next`), class: 'hint next-day', 'aria-live': 'polite', 'data-testid': 'u-next-day', text: '終了が開始より前の時刻なら、翌日の時刻として数えます。' });
    end.setAttribute('aria-describedby', next.id);
    const who = el('div', { class: 'kid-checks', 'data-role': 'kids' });
    const company = input('text', id(`u${s}-company`), { autocomplete: 'off', maxlength: '60', required: true, 'data-role': 'company', 'data-testid': 'u-company' });
    const paid = input('text', id(`u${s}-paid`), { inputmode: 'numeric', autocomplete: 'off', maxlength: '9', required: true, 'data-role': 'paid', 'data-testid': 'u-paid' });
    const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small remove', 'data-testid': 'remove-use' });
    const set = el('fieldset', { class: 'set', 'data-serial': String(s), 'data-testid': 'use-set' },
      el('legend', {}),
      field('利用日', date),
      el('div', { class: 'row-2' }, field('開始', start), field('終了', end)),
      next,
      el('fieldset', { class: 'choice-group' }, el('legend', { text: '預けたお子さま' }), who),
      field('ベビーシッター事業者名', company),
      field('支払った金額（円）', paid, '領収書の金額（税込）。例: 15000'));
    const showNext = () => {
      if (start.value && end.value && end.value <= start.value) {
        next.textContent = `終了が開始より前なので、翌日の ${end.value} までとして数えます（${start.value}〜翌${end.value}）。`;
        next.classList.add('is-next');
      } else {
        next.textContent = '終了が開始より前の時刻なら、翌日の時刻として数えます。';
        next.classList.remove('is-next');
      }
    };
    start.addEventListener('input', showNext);
    end.addEventListener('input', showNext);
    set.showNext = showNext;
    set.append(remove);
    remove.addEventListener('click', () => {
      set.remove();
      renumber();
      addUseBtn.focus();
    });
    return set;
  }

  /** Rebuilds each use's children check boxes from the children now in the form, keeping the
   * ones ticked (by the child's set, so a child removed or added keeps the others). */
  function syncUseKids() {
    const ks = kidSets();
    for (const u of useSets()) {
      const box = u.querySelector('[data-role="kids"]');
      const ticked = new Set([...box.querySelectorAll('input:checked')].map((b) => b.dataset.kid));
      const fresh = !box.children.length;
      box.replaceChildren(...ks.map((k, i) => {
        const c = checkbox(`${u.querySelector('input').id}-k${k.dataset.serial}`, kidLabel(k, i), { 'data-kid': k.dataset.serial, 'data-testid': 'u-child' });
        c.box.checked = ticked.has(k.dataset.serial) || (fresh && ks.length === 1);
        return c.node;
      }));
    }
  }

  function addUse() {
    const set = useSet();
    uses.append(set);
    renumber();
    syncUseKids();
    return set;
  }

  function renumber() {
    const ks = kidSets();
    ks.forEach((set, i) => {
      set.querySelector('legend').textContent = `お子さま（${i + 1}人目）`;
      const b = set.querySelector('.remove');
      b.textContent = `${i + 1}人目を取り消す`;
      b.hidden = ks.length <= 1;
    });
    addKid.hidden = ks.length >= MAX_CHILDREN;
    const us = useSets();
    us.forEach((set, i) => {
      set.querySelector('legend').textContent = `利用 ${i + 1}件目`;
      const b = set.querySelector('.remove');
      b.textContent = `${i + 1}件目を取り消す`;
      b.hidden = us.length <= 1;
    });
    addUseBtn.hidden = us.length >= MAX_USES;
  }

  addKid.addEventListener('click', () => addChild().querySelector('input').focus());
  addUseBtn.addEventListener('click', () => addUse().querySelector('input').focus());

  const bank = withBank ? createBankFields({ prefix: p }) : null;
  const node = el('div', { class: 'sitter-form' }, guardian, children, usesBox, bank ? bank.node : null);
  addChild();
  addUse();

  return {
    node,
    bank,
    /** The form as the API takes it (nothing checked here: the server names every problem). */
    read() {
      const ks = kidSets();
      const index = new Map(ks.map((k, i) => [k.dataset.serial, i]));
      const val = (set, role) => set.querySelector(`[data-role="${role}"]`);
      const out = {
        guardian: {
          name: g.name.value.trim(),
          kana: g.kana.value.trim(),
          birth: g.birth.value,
          postcode: toHalf(g.postcode.value).replace(/[^\d]/g, ''),
          address: g.address.value.trim(),
          phone: toHalf(g.phone.value).trim(),
          email: toHalf(g.email.value).trim(),
        },
        children: ks.map((k) => ({ name: val(k, 'name').value.trim(), birth: val(k, 'birth').value, multiple: val(k, 'multiple').checked })),
        uses: useSets().map((u) => {
          const digits = toHalf(val(u, 'paid').value).replace(/[,，円\s]/g, '');
          return {
            date: val(u, 'date').value,
            start: val(u, 'start').value,
            end: val(u, 'end').value,
            children: [...u.querySelectorAll('[data-role="kids"] input:checked')].map((b) => index.get(b.dataset.kid)).filter((i) => i !== undefined),
            company: val(u, 'company').value.trim(),
            paid_yen: /^\d+$/.test(digits) ? Number(digits) : 0,
          };
        }),
      };
      if (g.email2) out.guardian.email_confirm = toHalf(g.email2.value).trim();
      if (bank) out.bank = bank.read();
      return out;
    },
    /** Puts a form (the API's, as GET …/mine answers it) back into the fields. */
    fill(f) {
      if (!f) return;
      const gd = f.guardian || {};
      for (const k of ['name', 'kana', 'birth', 'postcode', 'address', 'phone', 'email']) g[k].value = gd[k] || '';
      if (g.email2) g.email2.value = gd.email || '';
      kids.replaceChildren();
      uses.replaceChildren();
      for (const c of f.children || []) {
        const set = childSet();
        kids.append(set);
        set.querySelector('[data-role="name"]').value = c.name || '';
        set.querySelector('[data-role="birth"]').value = c.birth || '';
        set.querySelector('[data-role="multiple"]').checked = !!c.multiple;
      }
      if (!kids.children.length) kids.append(childSet());
      const serials = kidSets().map((k) => k.dataset.serial);
      for (const u of f.uses || []) {
        const set = useSet();
        uses.append(set);
        set.querySelector('[data-role="date"]').value = u.date || '';
        set.querySelector('[data-role="start"]').value = u.start || '';
        set.querySelector('[data-role="end"]').value = u.end || '';
        set.querySelector('[data-role="company"]').value = u.company || '';
        set.querySelector('[data-role="paid"]').value = u.paid_yen ? String(u.paid_yen) : '';
        // ticked before the boxes exist: syncUseKids keeps what is ticked
        const box = set.querySelector('[data-role="kids"]');
        for (const i of u.children || []) {
          if (serials[i]) box.append(el('input', { type: 'checkbox', checked: true, 'data-kid': serials[i], hidden: true }));
        }
        set.showNext();
      }
      if (!uses.children.length) uses.append(useSet());
      renumber();
      syncUseKids();
      if (bank && f.bank) bank.fill(f.bank);
    },
    focus() { g.name.focus(); },
    /**
     * The control a refusal of the server's (bad_form) is about, or null. The server checks the
     * form in order and names the first field it refuses in its sentence (「申請者の氏名を…」,
     * 「2件目の利用日…」), so that the page can mark that field and take the message away once
     * the person changes it. A use's children give their box (a group of check boxes).
     */
    controlFor(message) {
      const m = String(message || '');
      const GUARDIAN = [[/^申請者（保護者）の欄|^申請者の氏名/, g.name], [/^申請者のふりがな/, g.kana],
        [/^申請者の生年月日/, g.birth], [/^郵便番号/, g.postcode], [/^住所/, g.address],
        [/^電話番号/, g.phone], [/^確認用のメールアドレス/, g.email2], [/^メールアドレス/, g.email]];
      for (const [re, control] of GUARDIAN) if (re.test(m)) return control;
      const nth = (re, sets) => {
        const x = re.exec(m);
        return x ? sets[Number(x[1]) - 1] || null : undefined;
      };
      const role = (set, r) => (set ? set.querySelector(`[data-role="${r}"]`) : null);
      if (/^お子さまを/.test(m)) return role(kidSets()[0], 'name');
      let set = nth(/^(\d+)人目のお子さまの氏名/, kidSets());
      if (set !== undefined) return role(set, 'name');
      set = nth(/^(\d+)人目のお子さまの生年月日/, kidSets());
      if (set !== undefined) return role(set, 'birth');
      if (/^利用した日を/.test(m)) return role(useSets()[0], 'date');
      const USE = [[/^\d+件目と(\d+)件目の時間/, 'start'], [/^(\d+)件目の利用日/, 'date'],
        [/^(\d+)件目の開始・終了/, 'start'], [/^(\d+)件目で預けたお子さま/, 'kids'],
        [/^(\d+)件目のベビーシッター事業者名/, 'company'], [/^(\d+)件目の支払った金額/, 'paid']];
      for (const [re, r] of USE) {
        set = nth(re, useSets());
        if (set !== undefined) return role(set, r);
      }
      return bank ? bank.controlFor(m) : null;
    },
  };
}

// ---------- the amounts as the server counted them ----------

/**
 * The amounts of application app (the API's APP): per use the subsidy (and, for staff, the
 * minutes by day and night and over the cap), the totals, and per child the year's cap, the
 * hours already decided, this application's and what is left. Returns a node.
 */
export function amounts(app, { staff = false } = {}) {
  const f = app.form || {};
  const calc = app.calc || { uses: [], children: [] };
  const kidsOf = (u) => (u.children || []).map((i) => (f.children && f.children[i] ? f.children[i].name : `${i + 1}人目`)).join('、');
  const day = { text: '利用日', nowrap: true };
  const time = { text: '時間', nowrap: true };
  const heads = staff
    ? [day, time, 'お子さま', '事業者', { text: '支払った金額', num: true }, { text: '昼', num: true }, { text: '夜（22時〜翌7時）', num: true }, { text: '上限を超えた時間', num: true }, { text: '助成額', num: true }]
    : [day, time, 'お子さま', { text: '支払った金額', num: true }, { text: '助成額', num: true }];
  const rows = (f.uses || []).map((u, i) => {
    const c = calc.uses[i] || {};
    const cells = staff
      ? [jaDate(u.date), timeRange(u), kidsOf(u), u.company, yen(u.paid_yen), hm(c.day_min), hm(c.night_min), hm(c.over_min), yen(c.subsidy_yen)]
      : [jaDate(u.date), timeRange(u), kidsOf(u), yen(u.paid_yen), yen(c.subsidy_yen)];
    return { attrs: { 'data-testid': 'use-row' }, cells };
  });
  const decided = app.decision === 'approved';
  const totals = dl([
    ['支払った金額の合計', yen(app.paid_yen)],
    decided ? ['交付決定額', el('strong', { class: 'amount', 'data-testid': 'grant-yen', text: yen(app.grant_yen) })]
      : ['助成額（見込み）', el('strong', { class: 'amount', 'data-testid': 'grant-yen', text: yen(calc.grant_yen) })],
    calc.over_min ? ['上限を超えて助成の対象にならない時間', hm(calc.over_min)] : null,
  ], 'facts totals');
  const kidRows = (calc.children || []).map((k) => {
    const name = f.children && f.children[k.child] ? f.children[k.child].name : `${k.child + 1}人目`;
    const now = k.counted_min < k.claim_min ? `${hm(k.counted_min)}（申請 ${hm(k.claim_min)} のうち）` : hm(k.counted_min);
    return { attrs: { 'data-testid': 'child-hours' }, cells: [name, `${k.fiscal_year}年度${k.multiple ? '（多胎児）' : ''}`, hm(k.cap_min), hm(k.before_min), now, el('strong', { text: hm(k.remaining_min) })] };
  });
  return el('div', { class: 'amounts', 'data-testid': 'amounts' },
    table('利用ごとの助成額', heads, rows, 'uses-table'),
    totals,
    !decided && !staff ? el('p', { class: 'hint', text: '助成額は、ほかの決定済みの申請の時間を数えた今の見込みです。区の交付決定で決まります。' }) : null,
    table('お子さまごとの時間（年度の上限）', ['お子さま', '年度', '上限', 'これまで', '今回', '残り'], kidRows, 'hours-table'));
}

/** The application's form as read-only facts (the review screen and the staff page). */
export function formFacts(f, { staffBank = true } = {}) {
  const gd = f.guardian || {};
  const b = f.bank || {};
  return el('div', { class: 'form-facts' },
    el('h4', { text: '申請者（保護者）' }),
    dl([
      ['氏名', gd.name], ['ふりがな', gd.kana], ['生年月日', jaDate(gd.birth)], ['郵便番号', gd.postcode],
      ['住所', gd.address], ['電話番号', gd.phone], ['メールアドレス', gd.email],
    ]),
    el('h4', { text: 'お子さま' }),
    el('ol', { class: 'plain-list' }, ...(f.children || []).map((c) => el('li', { text: `${c.name}（${jaDate(c.birth)}生まれ${c.multiple ? '・多胎児' : ''}）` }))),
    staffBank && f.bank ? el('h4', { text: '振込先の口座' }) : null,
    staffBank && f.bank ? dl([
      ['金融機関', `${b.bank_name || ''}（${b.bank_code}）`],
      ['支店', `${b.branch_name || ''}（${b.branch_code}）`],
      ['預金の種類', Number(b.type) === 2 ? '当座' : '普通'],
      ['口座番号', b.number], ['口座名義', b.holder],
    ]) : null);
}

/** The application's steps as a list (state, when, by whom). */
export function stepsList(app) {
  return el('ol', { class: 'steps-list', 'data-testid': 'steps' },
    ...(app.steps || []).map((s) => el('li', {}, el('span', { class: 'step-label', text: s.label }), ' ', el('span', { class: 'muted small', text: `${stampText(s.at)}（${s.by}）` }))));
}

// ---------- the applicant's receipts ----------

/**
 * The receipts box of the applicant: a camera button (phones), a file button, the list with
 * 削除. Each file goes up raw (POST /sitter/mine/receipts, its type as Content-Type).
 * token() gives the link's token; onChange() is called after an upload or a removal (the page
 * reloads the application and calls render(receipts)); fail(err) shows a problem.
 */
export function createReceipts({ prefix, token, onChange, fail, status }) {
  const id = (n) => `${prefix}-rc-${n}`;
  const names = new Map(); // receipt id → the file's name (this session only)
  const coarse = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
  const camera = input('file', id('camera'), { accept: 'image/jpeg,image/png', capture: 'environment', hidden: true, 'data-testid': 'receipt-camera' });
  const files = input('file', id('files'), { accept: RECEIPT_TYPES.join(','), multiple: true, hidden: true, 'data-testid': 'receipt-file' });
  const camBtn = el('button', { type: 'button', class: 'btn btn-block', 'data-testid': 'receipt-camera-button', text: '領収書を撮影する（カメラ）', hidden: !coarse });
  const fileBtn = el('button', { type: 'button', class: `btn btn-block${coarse ? ' btn-secondary' : ''}`, 'data-testid': 'receipt-file-button', text: '写真・PDFのファイルを選ぶ' });
  const list = el('ul', { class: 'receipt-list', 'data-testid': 'receipt-list' });
  const line = el('p', { class: 'status-line', role: 'status', 'data-testid': 'receipt-status' });
  camBtn.addEventListener('click', () => camera.click());
  fileBtn.addEventListener('click', () => files.click());
  let count = 0;

  async function upload(picked) {
    const todo = [...picked];
    let done = 0;
    for (const f of todo) {
      if (!RECEIPT_TYPES.includes(f.type)) {
        fail(new Error(`「${f.name}」は送れません。領収書は JPEG・PNG の画像か PDF で送ってください。`));
        continue;
      }
      if (f.size > RECEIPT_BYTES) {
        fail(new Error(`「${f.name}」は大きすぎます（1ファイル8MBまで）。`));
        continue;
      }
      if (count + done >= MAX_RECEIPTS) {
        fail(new Error('領収書は1つの申請に10ファイルまでです。'));
        break;
      }
      line.textContent = `「${f.name}」を送っています…`;
      try {
        const r = await applicantCall('/sitter/mine/receipts', token(), { method: 'POST', file: f, timeoutMs: 180000 });
        names.set(r.receipt.id, f.name);
        done += 1;
      } catch (err) {
        fail(err);
        break;
      }
    }
    line.textContent = done ? `領収書を${done}ファイル添付しました。` : '';
    if (done) await onChange();
  }
  for (const inp of [camera, files]) {
    inp.addEventListener('change', () => {
      const picked = inp.files;
      if (picked && picked.length) upload(picked).finally(() => { inp.value = ''; });
    });
  }
  list.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-rid]');
    if (!b) return;
    b.disabled = true;
    try {
      await applicantCall(`/sitter/mine/receipts/${b.dataset.rid}`, token(), { method: 'DELETE' });
      line.textContent = '領収書を1つ削除しました。';
      await onChange();
      fileBtn.focus();
    } catch (err) {
      b.disabled = false;
      fail(err);
    }
  });

  const node = el('div', { class: 'receipts', 'data-testid': 'receipts' },
    el('p', { class: 'hint', text: '支払った金額がわかる領収書を、写真（JPEG・PNG）か PDF で添付します。1ファイル8MBまで、10ファイルまで。文字が読めるように、明るいところで撮ってください。' }),
    el('div', { class: 'button-stack' }, camBtn, fileBtn, camera, files),
    line,
    list);
  return {
    node,
    render(receipts) {
      count = receipts.length;
      list.replaceChildren(...receipts.map((r, i) => el('li', { 'data-testid': 'receipt-item' },
        el('span', { class: 'receipt-name', text: `領収書 ${i + 1}：${MEDIA_LABEL[r.media] || r.media}・${size(r.bytes)}${names.has(r.id) ? `（${names.get(r.id)}）` : ''}` }),
        el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-rid': String(r.id), 'data-testid': 'receipt-remove', 'aria-label': `領収書 ${i + 1} を削除`, text: '削除' }))));
      if (!receipts.length) list.append(el('li', { class: 'muted', text: 'まだ添付していません。' }));
      fileBtn.hidden = receipts.length >= MAX_RECEIPTS;
      camBtn.hidden = !coarse || receipts.length >= MAX_RECEIPTS;
      if (status) status(receipts.length);
    },
    focus() { (coarse ? camBtn : fileBtn).focus(); },
  };
}
