// mimamori — guardian portal: what a day of a plan means to a guardian, in words (dates, weeks,
// statuses, reasons), and the server's refusals as Japanese text with the club's phone linked.
// No state and no requests: words (and the few nodes a refusal needs) from data.
import { formatDay, el } from '/js/api.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
export const WD_JA = { sun: '日', mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土' };
export const WAY_JA = { alone: '一人で帰宅', pickup: 'お迎え' };
// One word per status, the same everywhere on the page: a day the child goes (出席), a planned
// day the guardian told the club the child will miss (欠席), a day without plan (予定なし).
export const STATUS_JA = { attend: '出席', absent: '欠席', off: '予定なし' };
export const REASONS = ['体調不良', '通院', '家の用事', '学校の行事', 'その他'];
export const REASON_MAX = 200;
export const NAME_MAX = 60;
const KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export const pad2 = (n) => String(n).padStart(2, '0');
export const textLength = (s) => [...s].length;
export const oneLine = (s) => s.replace(/\s+/g, ' ').trim();

function utc(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
}
/** "YYYY-MM-DD" n days after day (n may be negative). */
export function addDays(day, n) {
  const d = utc(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
/** "sun" … "sat" of a day. */
export function weekdayOf(day) { return KEYS[utc(day).getUTCDay()]; }
/** The Monday of day's week (weeks run Monday to Sunday; the clubs close on Sundays). */
export function mondayOf(day) { return addDays(day, -((utc(day).getUTCDay() + 6) % 7)); }
export const monthOf = (day) => day.slice(0, 7);
export function shiftMonth(ym, delta) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  if (!m) return null;
  const n = (+m[1]) * 12 + (+m[2] - 1) + delta;
  return `${Math.floor(n / 12)}-${pad2((n % 12) + 1)}`;
}
export function monthLabel(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  return m ? `${+m[1]}年${+m[2]}月` : ym || '';
}
/** "12月7日(月)". */
export const dayLabel = (day) => formatDay(day);
/** "12月7日" and "(月)" apart, for layouts that set them differently. */
export function dayParts(day) {
  const d = utc(day);
  return { md: `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`, wd: `(${WD_JA[weekdayOf(day)]})` };
}
/** 今日 / 明日 / あさって, or ''. */
export function relativeDay(day, today) {
  if (day === today) return '今日';
  if (day === addDays(today, 1)) return '明日';
  if (day === addDays(today, 2)) return 'あさって';
  return '';
}

export function toMin(hhmm) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
  return m ? (+m[1]) * 60 + (+m[2]) : null;
}
export const fromMin = (n) => `${pad2(Math.floor(n / 60))}:${pad2(n % 60)}`;

export function pickupText(p) {
  return p ? `${p.name}${p.relation ? `（${p.relation}）` : ''}` : '（登録を削除した人）';
}

/** How the child goes home that day, in words: "17:00 お迎え：小林 花子（母）". */
export function describeAttend(d, pickups) {
  const parts = [];
  if (d.leave) parts.push(`${d.leave}に帰る`);
  if (d.way_home === 'pickup') {
    parts.push(`お迎え：${pickupText((pickups || []).find((p) => p.id === d.pickup_id) || null)}`);
  } else if (d.way_home) {
    parts.push(WAY_JA[d.way_home] || d.way_home);
  }
  return parts.join('・');
}

/** The whole day in words: "出席・17:00に帰る・一人で帰宅", "欠席（理由：発熱）", "予定なし". */
export function describeDay(d, pickups) {
  if (d.status === 'attend') {
    const how = describeAttend(d, pickups);
    return how ? `出席・${how}` : '出席';
  }
  if (d.status === 'absent') return d.reason ? `欠席（理由：${d.reason}）` : '欠席';
  return STATUS_JA.off;
}

export function describeAttended(d) {
  if (!d.attended || !d.attended.in) return '';
  return `入室 ${d.attended.in}${d.attended.out ? `・退室 ${d.attended.out}` : ''}`;
}

/**
 * Whether the club expects the child that day: a day to go (出席) or one already told absent.
 * Missing such a day is an absence notice with a reason; any other day is just 予定なし.
 */
export const planned = (d) => d.status === 'attend' || d.status === 'absent';

/** A reason as the two fields the page asks: {preset, detail}. */
export function splitReason(reason) {
  const r = (reason || '').trim();
  if (!r) return { preset: '', detail: '' };
  for (const p of REASONS.slice(0, -1)) {
    if (r === p) return { preset: p, detail: '' };
    if (r.startsWith(`${p}（`) && r.endsWith('）')) return { preset: p, detail: r.slice(p.length + 1, -1) };
  }
  return { preset: 'その他', detail: r };
}
/** The reason sent to the club from a preset and a detail ('' when incomplete). */
export function joinReason(preset, detail) {
  const d = oneLine(detail || '');
  if (!preset) return '';
  if (preset === 'その他') return d;
  return d ? `${preset}（${d}）` : preset;
}

// ---------- the server's refusals ----------
const telHref = (phone) => `tel:${String(phone).replace(/[^0-9+]/g, '')}`;
export function telLink(phone, testid) {
  return el('a', { href: telHref(phone), class: 'tel', 'data-testid': testid, text: phone });
}
const PHONE_RE = /(\+?\d{2,5}-\d{1,4}-\d{3,4})/;
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]/;

/** Text with the first phone number in it made a tel: link. */
function withPhone(text, testid) {
  const frag = document.createDocumentFragment();
  const m = PHONE_RE.exec(text);
  if (!m) { frag.append(text); return frag; }
  frag.append(text.slice(0, m.index), telLink(m[1], testid), text.slice(m.index + m[1].length));
  return frag;
}

/** The same-day deadline in words, with the club's phone as a tel: link. */
export function deadlineText(deadline, phone, testid = 'error-phone') {
  const frag = document.createDocumentFragment();
  frag.append(`当日の変更・欠席連絡は${deadline || '締切時刻'}で締め切りました。クラブへお電話ください`);
  if (phone) frag.append('：', telLink(phone, testid));
  frag.append('。');
  return frag;
}

// What the server says in English today, for a guardian (the server's own Japanese is shown
// as it is).
const ENGLISH = [
  [/this day has passed/i, '過ぎた日の予定は変更できません。'],
  [/closed on Sundays/i, '日曜日はクラブがお休みです。'],
  [/no such child/i, 'お子さんの情報が見つかりません。ページを読み込み直してください。'],
  [/no such pickup/i, 'そのお迎えの人は見つかりません。ページを読み込み直してください。'],
  [/absence needs a reason/i, '欠席の理由を200文字以内で入力してください。'],
  [/leave must be/i, '帰る時刻は、クラブの開所時間の中から選んでください。'],
  [/pickup way home needs/i, 'お迎えの人を、登録している人から選んでください。'],
  [/name and relation|characters/i, '名前と続柄を60文字以内で入力してください。'],
  [/unknown, used or expired/i, 'このログイン用リンクは使えません。新しいリンクを送ってください。'],
];

/**
 * A server error as Japanese text for a guardian (a DocumentFragment). The same-day deadline
 * gets the club's phone as a tel: link (site gives it when the message has none).
 */
export function explain(err, site) {
  const raw = err && typeof err.message === 'string' ? err.message : String(err || '');
  const deadline = /same-day changes close at (\d{1,2}:\d{2})/i.exec(raw);
  if (deadline) {
    const phone = (PHONE_RE.exec(raw) || [])[1] || (site && site.phone) || '';
    return deadlineText(deadline[1], phone);
  }
  if (JAPANESE.test(raw)) return withPhone(raw, 'error-phone');
  const frag = document.createDocumentFragment();
  const known = ENGLISH.find(([re]) => re.test(raw));
  if (known) frag.append(known[1]);
  else if (err && err.status === 409) frag.append('この日は変更できません。クラブへお電話ください。');
  else if (err && err.status === 400) frag.append('入力内容を確認してください。');
  else frag.append('エラーが発生しました。しばらくしてからもう一度お試しください。');
  return frag;
}

/** Why a day cannot be changed now, in words (a DocumentFragment). */
export function lockText(d, plan) {
  const site = (plan && plan.site) || {};
  if (plan && plan.today && d.day < plan.today) return document.createTextNode('過ぎた日の予定は変更できません。');
  if (weekdayOf(d.day) === 'sun') return document.createTextNode('日曜日はクラブがお休みです。');
  if (plan && d.day === plan.today) return deadlineText(site.deadline, site.phone, 'locked-phone');
  return explain({ message: d.locked || '', status: 409 }, site);
}
