// mimamori — what the three pages of file exchange (/exchange/) share: the sizes, the events'
// words, the events table, the page's frame.
import { el } from '/js/api.js';
import { stamp } from '/ward/shell.js';

export const API_BASE = '/exchange';

/** 1234567 → "1.2 MB"; 2048 → "2.0 KB"; 12 → "12 バイト". */
export function size(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} バイト`;
}

export const ACTION = {
  upload: '送信', refused: '受付拒否（ウイルス検査）', download: 'ダウンロード',
  wrong_password: 'パスワード誤り', locked: 'ロック（誤りが続いた）', expired: '期限切れで消去',
  withdrawn: '取り消して消去',
};

/** Fills tbody with the events ({file_id, action, by, sender, recipient, size, at}). */
export function renderEvents(tbody, events) {
  const rows = events.map((e) => el('tr', { 'data-testid': 'event-row', 'data-action': e.action },
    el('td', { 'data-label': '日時', class: 'nowrap', text: stamp(e.at) }),
    el('td', { 'data-label': '受付番号', class: 'mono', text: e.file_id ? String(e.file_id) : '—' }),
    el('td', { 'data-label': 'できごと', text: ACTION[e.action] || e.action }),
    el('td', { 'data-label': '送り主', text: e.sender || '' }),
    el('td', { 'data-label': '宛先', text: e.recipient || '' }),
    el('td', { 'data-label': '操作した人', text: e.by || 'システム' }),
    el('td', { 'data-label': '大きさ', class: 'num nowrap', text: size(e.size) })));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '7', text: 'まだ記録はありません。' })));
  tbody.replaceChildren(...rows);
}
