// mimamori — a guardian sees and changes their registrations (/school/edit/#t=TOKEN, a link
// mailed to the registered address, 24 h): grade, class and names of each child, or the
// registration cancelled (asked first, as the footer page /school/manage/ asks). Each answer
// shows by its card, in view, since the page is long on a phone.
import { request, el } from '/js/api.js';
import { revealAlert } from '/ward/shell.js';

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

/** Puts text in a card's answer box (kind ok or error) and brings it into view; with focus,
 * the box takes the focus too (from a button that was disabled or taken away). */
function tell(box, kind, text, focus) {
  box.className = `alert alert-${kind} card-message`;
  box.textContent = text;
  box.hidden = false;
  if (focus) revealAlert(box);
  else box.scrollIntoView({ block: 'nearest' });
}

function card(r) {
  const id = (n) => `${n}-${r.id}`;
  const question = () => `本当に解除しますか。解除すると、${r.school.name}からの${r.child_name}さんについてのお知らせは届かなくなります。`;
  const save = el('button', { type: 'submit', class: 'btn', 'data-testid': 'edit-save', text: '変更を保存する' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'edit-cancel', text: 'この登録を解除する' });
  const yes = el('button', { type: 'button', class: 'btn', 'data-testid': 'edit-cancel-yes', text: '解除する' });
  const no = el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'edit-cancel-no', text: 'やめる' });
  const confirm = el('div', { class: 'alert alert-info confirm-box', role: 'group', 'aria-labelledby': id('confirm-text'), 'data-testid': 'edit-confirm', hidden: true },
    el('p', { id: id('confirm-text'), text: question() }),
    el('div', { class: 'button-row' }, yes, no));
  const answer = el('div', { class: 'alert card-message', role: 'status', 'data-testid': 'edit-card-message', hidden: true });
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
    el('div', { class: 'button-row' }, save, cancel),
    confirm, answer);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const child = $(id('child')).value.trim();
    const guardian = $(id('guardian')).value.trim();
    if (!child || !guardian) {
      tell(answer, 'error', '児童・生徒氏名と保護者氏名を入力してください。');
      (child ? $(id('guardian')) : $(id('child'))).focus();
      return;
    }
    answer.hidden = true;
    try {
      await request('/school/edit/update', { method: 'POST', body: {
        token, id: r.id, grade: Number($(id('grade')).value), class: Number($(id('class')).value),
        child_name: child, guardian_name: guardian } });
      r.child_name = child;
      form.querySelector('h3').textContent = `${r.school.name}　${child}`;
      $(id('confirm-text')).textContent = question();
      tell(answer, 'ok', `${r.school.name}の${child}さんの登録を変更しました。`);
    } catch (err) {
      tell(answer, 'error', err.message);
    }
  });
  // この登録を解除する only asks; 解除する cancels, やめる leaves everything as it was.
  cancel.addEventListener('click', () => {
    answer.hidden = true;
    confirm.hidden = false;
    confirm.scrollIntoView({ block: 'nearest' });
    no.focus({ preventScroll: true });
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    cancel.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await request('/school/edit/cancel', { method: 'POST', body: { token, id: r.id } });
      // The card gives way to its answer, where the person is, with the focus.
      const done = el('div', { class: 'alert alert-ok cancelled-note', role: 'status', 'data-testid': 'edit-cancelled',
        text: `${r.school.name}の${r.child_name}さんの登録を解除しました。` });
      form.replaceWith(done);
      revealAlert(done);
      if (!$('list').querySelector('form')) $('list').append(el('p', { text: '登録はもうありません。' }));
    } catch (err) {
      yes.disabled = false;
      confirm.hidden = true;
      tell(answer, 'error', err.message, true);
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
