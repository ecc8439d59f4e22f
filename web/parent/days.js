// mimamori — guardian portal: what a day of a plan means to a guardian, in words (dates, weeks,
// statuses, reasons, entry and exit in the ward's words), and the server's refusals as it
// words them (Japanese, with a stable code), the club's phone linked when a change is locked.
// No requests: words (and the few nodes a refusal needs) from data; the ward's words are set
// once by parent.js (setWords).
import { formatDay, el } from '/js/api.js';
import { WORDS } from '/js/words.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
export const WD_JA = { sun: '日', mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土' };
export const WAY_JA = { alone: '一人で帰宅', pickup: 'お迎え' };
// One word per status, the same everywhere on the page: a day the child goes (出席), a planned
// day the guardian told the club the child will miss (欠席), a day without plan (予定なし).
export const STATUS_JA = { attend: '出席', absent: '欠席', off: '予定なし' };
export const REASONS = ['体調不良', '通院', '家の用事', '学校の行事', 'その他'];
// The ward's words for a child's coming in and going home (GET /api/v1/ward; 登所・降所 …).
export { WORDS, setWords } from '/js/words.js';
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

/** "入室 14:02・退室 17:31" in the ward's words, or ''. */
export function describeAttended(d) {
  if (!d.attended || !d.attended.in) return '';
  return `${WORDS.entry} ${d.attended.in}${d.attended.out ? `・${WORDS.exit} ${d.attended.out}` : ''}`;
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
const PHONE_RE = /\+?\d{2,5}-\d{1,4}-\d{3,4}/;

/** text with the club's phone in it made a tel: link (the site's number where it appears,
 * else the first number written like one). */
function withPhone(text, phone, testid) {
  const frag = document.createDocumentFragment();
  let at = phone ? text.indexOf(phone) : -1;
  let found = at >= 0 ? phone : '';
  if (at < 0) {
    const m = PHONE_RE.exec(text);
    if (m) { at = m.index; found = m[0]; }
  }
  if (at < 0) { frag.append(text); return frag; }
  frag.append(text.slice(0, at), telLink(found, testid), text.slice(at + found.length));
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

/**
 * A server error for a guardian (a DocumentFragment): the server's own message as it is (it
 * answers Japanese, with a stable code beside it). A change refused as locked (plan_locked:
 * a past day, or today after the deadline) has the club's phone in it, made a tel: link.
 */
export function explain(err, site) {
  const msg = err && typeof err.message === 'string' && err.message.trim()
    ? err.message.trim() : 'エラーが発生しました。しばらくしてからもう一度お試しください。';
  if (err && err.code === 'plan_locked') return withPhone(msg, site && site.phone, 'error-phone');
  const frag = document.createDocumentFragment();
  frag.append(msg);
  return frag;
}

/** Why a day cannot be changed now (a DocumentFragment): the server's reason for the day
 * (d.locked), the club's phone in it a tel: link. */
export function lockText(d, plan) {
  const site = (plan && plan.site) || {};
  return withPhone(d.locked || 'この日は変更できません。クラブへお電話ください。', site.phone, 'locked-phone');
}
