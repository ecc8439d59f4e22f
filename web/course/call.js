// mimamori — course sign-up's public calls (/course/): JSON to and from /api/v1/course, with the
// person's link token in X-Signup-Token (never in a URL the server sees), errors as ApiError
// with the server's Japanese message.
import { API, ApiError } from '/js/api.js';

/** Calls path under /api/v1 (method, body, token); resolves to the JSON answer. */
export async function call(path, { method = 'GET', body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers['X-Signup-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'サーバーに接続できません。通信の状態を確かめて、もう一度お試しください。', null);
  }
  let data = null;
  try { data = JSON.parse(await res.text()); } catch { data = null; }
  if (!res.ok) {
    const msg = data && typeof data.message === 'string' && data.message.trim()
      ? data.message.trim() : `うまくいきませんでした（${res.status}）。時間をおいてもう一度お試しください。`;
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

/** The token of the page's fragment (#t=…), or ''. */
export function tokenFromHash() {
  const t = new URLSearchParams(location.hash.slice(1)).get('t') || '';
  return /^[0-9a-f]{64}$/.test(t) ? t : '';
}

/** Where a choice stands, in words. */
export function standing(c) {
  if (c.session_state === 'cancelled') return 'この回は中止になりました';
  switch (c.state) {
    case 'booked': return '参加が決まっています';
    case 'waiting': return `キャンセル待ち（${c.position}番目）`;
    case 'cancelled': return 'キャンセルしました';
    default: return 'ほかの希望の回で決まったため、この回はありません';
  }
}
