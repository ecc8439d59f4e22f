// mimamori — guardian portal, the お迎え page: the people who may collect the child (the
// club hands the child over to them only), added and removed here.
import { el } from '/js/api.js';
import { NAME_MAX, oneLine, textLength, pickupText, explain } from './days.js';
import { show, setAlert, revealAlert } from './dom.js';

const RELATIONS = ['母', '父', '祖母', '祖父', 'おば', 'おじ', 'きょうだい', 'ファミリーサポート', 'ベビーシッター'];
const $ = (id) => document.getElementById(id);
let ui;
let app;
let shownFor = null;

/** Wires the page; app is parent.js's shared state. */
export function init(a) {
  app = a;
  ui = {
    title: $('pickup-title'), list: $('pickup-list'), message: $('pickup-message'), form: $('pickup-form'),
    name: $('pickup-name'), relation: $('pickup-relation'), add: $('pickup-add'),
  };
  $('relations').replaceChildren(...RELATIONS.map((r) => el('option', { value: r })));
  ui.form.addEventListener('submit', (ev) => { ev.preventDefault(); add(); });
}

/** Draws the お迎え page of child. */
export function render(a, child) {
  if (shownFor !== child) { shownFor = child; setAlert(ui.message, ''); }
  ui.title.textContent = `${child.info.name || child.info.child_no}さんのお迎え`;
  const loaded = !!app.info(child).today;
  show(ui.list, loaded);
  show($('pickup-list-title'), loaded);
  show(ui.form, loaded);
  const pickups = app.info(child).pickups || [];
  if (!pickups.length) {
    ui.list.replaceChildren(el('li', { class: 'empty', text: 'まだ登録されていません。下の「お迎えの人を追加する」から登録してください。' }));
    return;
  }
  ui.list.replaceChildren(...pickups.map((p) => {
    const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'pickup-remove', text: '削除' });
    remove.setAttribute('aria-label', `${pickupText(p)}を削除`);
    remove.addEventListener('click', () => removePickup(child, p, remove));
    return el('li', { class: 'item', 'data-testid': 'pickup-item', 'data-pickup-id': String(p.id) },
      el('span', { class: 'item-text' }, el('strong', { text: p.name }),
        p.relation ? el('span', { class: 'item-sub', text: p.relation }) : null),
      remove);
  }));
}

async function add() {
  const child = app.current;
  if (!child) return;
  const name = oneLine(ui.name.value);
  const relation = oneLine(ui.relation.value);
  setAlert(ui.message, '');
  for (const [v, f, what] of [[name, ui.name, '名前'], [relation, ui.relation, '続柄']]) {
    f.removeAttribute('aria-invalid');
    if (!v || textLength(v) > NAME_MAX) {
      setAlert(ui.message, `${what}を${NAME_MAX}文字以内で入力してください。`, 'error');
      f.setAttribute('aria-invalid', 'true');
      f.focus();
      return;
    }
  }
  ui.add.disabled = true;
  try {
    await app.call(app.path(child, '/pickups'), { method: 'POST', body: { name, relation } });
    ui.name.value = '';
    ui.relation.value = '';
    await app.load(child, true);
    app.render();
    setAlert(ui.message, `${name}（${relation}）を追加しました。`, 'ok');
  } catch (err) {
    if (!err.handled) setAlert(ui.message, explain(err, app.info(child).site), 'error');
  } finally {
    ui.add.disabled = false;
  }
  // 追加する lost the focus while disabled: the answer (above the form) takes it.
  if (app.current === child) revealAlert(ui.message);
}

async function removePickup(child, p, button) {
  button.disabled = true;
  setAlert(ui.message, '');
  try {
    await app.call(app.path(child, `/pickups/${encodeURIComponent(p.id)}`), { method: 'DELETE' });
    await app.load(child, true);
    app.render();
    setAlert(ui.message, `${pickupText(p)}を削除しました。すでに決まっている日の予定には名前が残ります。`, 'ok');
    ui.title.focus();
  } catch (err) {
    if (err.handled) return;
    button.disabled = false;
    setAlert(ui.message, explain(err, app.info(child).site), 'error');
  }
}
