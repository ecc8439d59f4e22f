// mimamori — guardian portal: the reason of an absence, asked the same way wherever a guardian
// tells one (a day's dialog, the 欠席連絡 page): one tap on a usual reason, a few words more
// when wanted (required for その他).
import { el } from '/js/api.js';
import { REASONS, REASON_MAX, joinReason, splitReason, textLength } from './days.js';

/**
 * Builds the reason fields into container; prefix makes the ids and test ids unique
 * (`${prefix}-reason-choice`, `${prefix}-reason-detail`). Returns {read(), set(reason), clear()}.
 */
export function reasonFields(container, prefix) {
  const name = `${prefix}-reason`;
  const radios = REASONS.map((r) => el('input', { type: 'radio', name, value: r, 'data-testid': `${prefix}-reason-choice` }));
  const detailId = `${prefix}-reason-detail`;
  const hintId = `${prefix}-reason-hint`;
  const detail = el('textarea', {
    id: detailId, rows: 2, maxlength: REASON_MAX, 'data-testid': detailId, 'aria-describedby': hintId,
    placeholder: '例：発熱のため、38度あります',
  });
  const set = el('fieldset', { class: 'choices reason-set' },
    el('legend', { text: '欠席の理由' }),
    el('div', { class: 'reason-choices' }, ...radios.map((r) => el('label', { class: 'reason-choice' }, r, el('span', { text: r.value })))));
  const hint = el('p', { id: hintId, class: 'small muted hint', text: '「その他」のときは必ず書いてください（200文字まで）。理由はクラブの職員だけが見ます。' });
  const label = el('label', { for: detailId, text: 'くわしく（任意）' });
  container.replaceChildren(set, el('div', { class: 'field' }, label, detail, hint));
  const chosen = () => (radios.find((r) => r.checked) || {}).value || '';
  const sync = () => {
    detail.required = chosen() === 'その他';
    label.textContent = detail.required ? 'くわしく（必須）' : 'くわしく（任意）';
  };
  container.addEventListener('change', sync);
  return {
    /** {reason} to send, or {problem, field} to show. */
    read() {
      detail.removeAttribute('aria-invalid');
      const preset = chosen();
      if (!preset) return { problem: '欠席の理由を選んでください。', field: radios[0] };
      const reason = joinReason(preset, detail.value);
      if (!reason) return { problem: '「その他」の理由を書いてください。', field: detail };
      if (textLength(reason) > REASON_MAX) return { problem: `理由は${REASON_MAX}文字以内で入力してください。`, field: detail };
      return { reason };
    },
    /** Shows a stored reason (a usual one, a usual one with words, or its own words). */
    set(reason) {
      const { preset, detail: words } = splitReason(reason);
      for (const r of radios) r.checked = r.value === preset;
      detail.value = words;
      sync();
    },
    clear() { this.set(''); },
    /** Marks the field a problem was found in. */
    invalid(field) { if (field === detail) detail.setAttribute('aria-invalid', 'true'); },
  };
}
