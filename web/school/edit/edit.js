// mimamori — a guardian sees and changes their registrations (/school/edit/#t=TOKEN, a link
// mailed to the registered address, 24 h): grade, class and names of each child, or the
// registration cancelled.
import { request, el } from '/js/api.js';

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get('t') || '';

function say(kind, text) {
  const m = $('message');
  m.className = `alert alert-${kind}`;
  m.textContent = text;
  m.hidden = false;
}

function select(id, items, value) {
  const s = el('select', { id, required: true });
  for (const [v, label] of items) {
    const o = el('option', { value: String(v), text: label });
    if (v === value) o.selected = true;
    s.append(o);
  }
  return s;
}

function card(r) {
  const id = (n) => `${n}-${r.id}`;
  const form = el('form', { class: 'registration', novalidate: true, 'data-testid': 'edit-registration', 'data-id': String(r.id), 'aria-labelledby': id('title') },
    el('h3', { id: id('title'), text: `${r.school.name}　${r.child_name}` }),
    el('div', { class: 'field' }, el('label', { for: id('grade'), text: '学年' }),
      select(id('grade'), r.school.grade_labels.map((g) => [g.grade, g.label]), r.grade)),
    el('div', { class: 'field' }, el('label', { for: id('class'), text: '組' }),
      select(id('class'), Array.from({ length: r.school.classes }, (_, i) => [i + 1, `${i + 1}組`]), r.class)),
    el('div', { class: 'field' }, el('label', { for: id('child'), text: '児童・生徒氏名' }),
      el('input', { type: 'text', id: id('child'), value: r.child_name, maxlength: '40', autocomplete: 'off' })),
    el('div', { class: 'field' }, el('label', { for: id('guardian'), text: '保護者氏名' }),
      el('input', { type: 'text', id: id('guardian'), value: r.guardian_name, maxlength: '40', autocomplete: 'name' })),
    el('div', { class: 'button-row' },
      el('button', { type: 'submit', class: 'btn', 'data-testid': 'edit-save', text: '変更を保存する' }),
      el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'edit-cancel', text: 'この登録を解除する' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const child = $(id('child')).value.trim();
    const guardian = $(id('guardian')).value.trim();
    if (!child || !guardian) {
      say('error', '児童・生徒氏名と保護者氏名を入力してください。');
      (child ? $(id('guardian')) : $(id('child'))).focus();
      return;
    }
    try {
      await request('/school/edit/update', { method: 'POST', body: {
        token, id: r.id, grade: Number($(id('grade')).value), class: Number($(id('class')).value),
        child_name: child, guardian_name: guardian } });
      form.querySelector('h3').textContent = `${r.school.name}　${child}`;
      say('ok', `${r.school.name}の${child}さんの登録を変更しました。`);
    } catch (err) {
      say('error', err.message);
    }
  });
  form.querySelector('[data-testid="edit-cancel"]').addEventListener('click', async () => {
    try {
      await request('/school/edit/cancel', { method: 'POST', body: { token, id: r.id } });
      form.remove();
      say('ok', `${r.school.name}の${r.child_name}さんの登録を解除しました。`);
      if (!$('list').children.length) $('list').append(el('p', { text: '登録はもうありません。' }));
    } catch (err) {
      say('error', err.message);
    }
  });
  return form;
}

(async () => {
  try {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) {
      say('error', 'リンクが正しくありません。届いたメールのリンクをそのまま開いてください。');
      return;
    }
    const r = await request('/school/edit/lookup', { method: 'POST', body: { token } });
    $('list').replaceChildren(...(r.registrations.length ? r.registrations.map(card)
      : [el('p', { text: 'このメールアドレスの登録はありません。' })]));
  } catch (err) {
    say('error', err.message);
  } finally {
    $('loading').hidden = true;
  }
})();
