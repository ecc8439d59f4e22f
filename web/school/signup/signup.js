// mimamori — the registration page of the schools' mass mail (/school/signup/#t=TOKEN): the
// link of the reply to an empty mail. Asks each child's grade (学年), class (組) and name
// (児童・生徒氏名) and the guardian's name (保護者氏名); siblings at the same school in one go.
// The token is in the fragment, so it never reaches a server log or a Referer.
import { request, el } from '/js/api.js';

const $ = (id) => document.getElementById(id);
const MAX_CHILDREN = 6;
const token = new URLSearchParams(location.hash.slice(1)).get('t') || '';
let school = null;
let serial = 0;

function fail(text) {
  const m = $('message');
  m.textContent = text;
  m.hidden = false;
}

function options(select, items, first) {
  select.replaceChildren(el('option', { value: '', text: first }),
    ...items.map(([value, label]) => el('option', { value: String(value), text: label })));
}

/** One child's fields: 学年, 組, 児童・生徒氏名 (labels as written on the letter). */
function childSet() {
  serial += 1;
  const n = $('children').children.length + 1;
  const id = (name) => `${name}-${serial}`;
  const grade = el('select', { id: id('grade'), name: 'grade', required: true, 'data-testid': 'signup-grade' });
  options(grade, school.grade_labels.map((g) => [g.grade, g.label]), '選択');
  const klass = el('select', { id: id('class'), name: 'class', required: true, 'data-testid': 'signup-class' });
  options(klass, Array.from({ length: school.classes }, (_, i) => [i + 1, `${i + 1}組`]), '選択');
  const name = el('input', { type: 'text', id: id('child'), name: 'child', autocomplete: 'off', maxlength: '40', required: true, 'data-testid': 'signup-child' });
  const set = el('fieldset', { class: 'child-set', 'data-testid': 'signup-child-set' },
    el('legend', { text: `お子さま（${n}人目）` }),
    el('div', { class: 'row' },
      el('div', { class: 'field' }, el('label', { for: id('grade'), text: '学年' }), grade),
      el('div', { class: 'field' }, el('label', { for: id('class'), text: '組' }), klass)),
    el('div', { class: 'field' }, el('label', { for: id('child'), text: '児童・生徒氏名' }), name));
  if (n > 1) {
    const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small remove', text: `${n}人目を取り消す` });
    remove.addEventListener('click', () => {
      set.remove();
      renumber();
      $('add-child').focus();
    });
    set.append(remove);
  }
  return set;
}

function renumber() {
  [...$('children').children].forEach((set, i) => {
    set.querySelector('legend').textContent = `お子さま（${i + 1}人目）`;
    const b = set.querySelector('.remove');
    if (b) b.textContent = `${i + 1}人目を取り消す`;
  });
  $('add-child').hidden = $('children').children.length >= MAX_CHILDREN;
}

function addChild() {
  const set = childSet();
  $('children').append(set);
  renumber();
  return set;
}

/** The form's children, or a problem to show with the field to focus. */
function read() {
  const kids = [];
  for (const set of $('children').children) {
    const grade = set.querySelector('select[name="grade"]');
    const klass = set.querySelector('select[name="class"]');
    const name = set.querySelector('input[name="child"]');
    const which = set.querySelector('legend').textContent;
    if (!grade.value) return { problem: `${which}の学年を選んでください。`, focus: grade };
    if (!klass.value) return { problem: `${which}の組を選んでください。`, focus: klass };
    if (!name.value.trim()) return { problem: `${which}の児童・生徒氏名を入力してください。`, focus: name };
    kids.push({ grade: Number(grade.value), class: Number(klass.value), name: name.value.trim() });
  }
  if (!$('guardian').value.trim()) return { problem: '保護者氏名を入力してください。', focus: $('guardian') };
  return { kids };
}

async function submit(ev) {
  ev.preventDefault();
  $('message').hidden = true;
  const { kids, problem, focus } = read();
  if (problem) {
    fail(problem);
    focus.focus();
    return;
  }
  $('submit').disabled = true;
  $('submit').textContent = '登録しています…';
  try {
    const r = await request('/school/signup', {
      method: 'POST', body: { token, guardian_name: $('guardian').value.trim(), children: kids },
    });
    history.replaceState(null, '', location.pathname);
    $('form').hidden = true;
    const done = $('done');
    done.className = 'alert alert-ok';
    done.replaceChildren(
      el('p', { text: `${r.school}の一斉メールに、お子さま${r.registered}人を登録しました。` }),
      el('p', { text: '確認のメールをお送りしました。これから学校・園のお知らせがこのメールアドレスに届きます。このページは閉じてかまいません。' }));
    done.hidden = false;
    done.focus();
  } catch (err) {
    fail(err.message);
    if (err.code === 'link_invalid') $('form').hidden = true;
  } finally {
    $('submit').disabled = false;
    $('submit').textContent = '登録する';
  }
}

async function start() {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) {
    $('loading').hidden = true;
    fail('リンクが正しくありません。届いたメールのリンクをそのまま開いてください。');
    return;
  }
  try {
    const r = await request('/school/signup/lookup', { method: 'POST', body: { token } });
    school = r.school;
    $('school').textContent = `${school.name}（${school.kind_label}）`;
    $('form').hidden = false;
    addChild();
  } catch (err) {
    fail(err.message);
  } finally {
    $('loading').hidden = true;
  }
}

$('add-child').addEventListener('click', () => {
  const set = addChild();
  set.querySelector('select').focus();
});
$('form').addEventListener('submit', submit);
start();
