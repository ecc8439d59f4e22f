// mimamori — erasure at a contract's end (/ward/erasure.html): a ward administrator asks to
// erase a service; another confirms (the key destroyed, the rows deleted, a certificate); the
// requests and erasures with their certificates (PDF).
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, download, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const STATE = { pending: '確認待ち', done: '消去済み', cancelled: '取り消し' };
const state = { services: [], erasures: [] };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function label(name) {
  const s = state.services.find((x) => x.name === name);
  return s ? s.label : name;
}

function showItems() {
  const s = state.services.find((x) => x.name === $('service').value);
  $('items').textContent = s ? `個人情報ファイル: ${s.file}。記録項目: ${s.items}` : '';
}

function actions(e) {
  if (e.state === 'pending') {
    return [
      e.mine ? null : el('button', { type: 'button', class: 'btn btn-small', 'data-act': 'confirm', 'data-testid': 'erasure-confirm', 'aria-label': `${label(e.service)} の消去を確認して実行する`, text: '確認して消去する' }),
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'cancel', 'data-testid': 'erasure-cancel', 'aria-label': `${label(e.service)} の消去の依頼を取り消す`, text: '取り消す' }),
      e.mine ? el('span', { class: 'small muted', text: ' 別の区の管理者の確認を待っています' }) : null,
    ];
  }
  if (e.state === 'done') {
    return [el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'certificate', 'data-testid': 'erasure-certificate', 'aria-label': `${label(e.service)} の消去証明書をダウンロード`, text: '消去証明書（PDF）' }),
      el('span', { class: 'small muted mono', text: ` 鍵 ${e.fingerprint}` })];
  }
  return [];
}

function render() {
  const rows = state.erasures.map((e) => el('tr', { 'data-testid': 'erasure-row', 'data-id': String(e.id), 'data-state': e.state },
    el('td', { class: 'cell-main', 'data-label': 'サービス' }, label(e.service), el('span', { class: 'sub', text: e.service })),
    el('td', { 'data-label': '状態' }, el('span', { class: `badge ${e.state === 'done' ? 'badge-alert' : e.state === 'pending' ? 'badge-warn' : 'badge-off'}`, text: STATE[e.state] || e.state })),
    el('td', { 'data-label': '依頼', text: `${e.requested_by || ''} ${stamp(e.requested_at)}` }),
    el('td', { 'data-label': '確認', text: e.confirmed_by ? `${e.confirmed_by} ${stamp(e.done_at)}` : '' }),
    el('td', { 'data-label': '操作' }, ...actions(e))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '5', text: '消去の依頼はありません。' })));
  $('rows').replaceChildren(...rows);
}

async function load() {
  const d = await request('/erasures');
  state.services = d.services;
  state.erasures = d.erasures;
  const keep = $('service').value;
  $('service').replaceChildren(el('option', { value: '', text: 'サービスを選んでください' }),
    ...d.services.map((s) => el('option', { value: s.name, text: `${s.label}（${s.name}）` })));
  $('service').value = keep;
  showItems();
  render();
}

async function onAsk(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  const service = $('service').value;
  if (!service) {
    setAlert($('message'), '消去するサービスを選んでください。', 'error');
    $('service').focus();
    return;
  }
  if (!(await confirmDialog(`${label(service)} の全記録の消去を依頼します。別の区の管理者が確認すると消去され、元に戻せません。`, '依頼する'))) return;
  try {
    await request('/erasures', { method: 'POST', body: { service }, csrf: shell.session.csrf });
    await load();
    setAlert($('message'), `${label(service)} の消去を依頼しました。別の区の管理者の確認を待っています。`, 'ok');
  } catch (err) {
    fail(err);
  }
}

async function act(e, what) {
  setAlert($('message'), '');
  try {
    if (what === 'certificate') {
      await download(`/erasures/${e.id}/certificate`);
      return;
    }
    if (what === 'confirm') {
      if (!(await confirmDialog(`${label(e.service)} のデータ鍵を破棄し、全記録を削除します。それまでのバックアップの記録も読めなくなります。元に戻せません。`, '消去する'))) return;
      const r = await request(`/erasures/${e.id}/confirm`, { method: 'POST', body: {}, csrf: shell.session.csrf });
      await load();
      setAlert($('message'), `${label(e.service)} を消去しました。消去証明書をダウンロードして保管してください。${r.warning ? ` ${r.warning}` : ''}`, r.warning ? 'error' : 'ok');
      return;
    }
    await request(`/erasures/${e.id}/cancel`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    await load();
    setAlert($('message'), `${label(e.service)} の消去の依頼を取り消しました。`, 'ok');
  } catch (err) {
    fail(err);
  }
}

$('rows').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const e = state.erasures.find((x) => String(x.id) === b.closest('tr').dataset.id);
  if (e) act(e, b.dataset.act);
});
$('ask-form').addEventListener('submit', onAsk);
$('service').addEventListener('change', showItems);

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'データの消去は区の管理者が行います。',
  onReady: () => load().catch(fail),
});
