// mimamori — the ward approves senders' devices (/school/devices.html): requests first, with the
// confirmation code the person sees on their device; approve, or revoke a lost one.
import { request, el } from '/js/api.js';
import { startShell, setAlert, confirmDialog, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const STATE = {
  pending: ['承認待ち', 'badge-warn'],
  approved: ['承認済み', 'badge-ok'],
  revoked: ['無効', 'badge-off'],
};
const state = { devices: [], admin: false };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function render() {
  const rows = state.devices.map((d) => {
    const [label, badge] = STATE[d.state] || [d.state, 'badge-off'];
    const acts = [];
    const revokeText = d.state === 'pending' ? '断る' : '無効にする';
    if (state.admin && d.state === 'pending') acts.push(el('button', { type: 'button', class: 'btn btn-small', 'data-act': 'approve', 'data-testid': 'device-approve', 'aria-label': `承認する（${d.login}の「${d.label}」）`, text: '承認する' }));
    if (state.admin && d.state !== 'revoked') acts.push(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-act': 'revoke', 'data-testid': 'device-revoke', 'aria-label': `${revokeText}（${d.login}の「${d.label}」）`, text: revokeText }));
    return el('tr', { 'data-testid': 'device-row', 'data-id': String(d.id), 'data-state': d.state },
      el('td', { 'data-label': '状態' }, el('span', { class: `badge ${badge}`, text: label })),
      el('td', { class: 'cell-main', 'data-label': '利用者' }, d.login, el('span', { class: 'sub', text: d.role_label })),
      el('td', { 'data-label': '端末の名前' }, d.label, el('span', { class: 'agent', text: d.agent })),
      el('td', { class: 'mono', 'data-label': '確認コード', 'data-testid': 'device-code', text: d.code }),
      el('td', { 'data-label': '申請', text: stamp(d.requested_at) }),
      el('td', { 'data-label': '最後の利用', text: d.last_used_at ? stamp(d.last_used_at) : '—' }),
      el('td', { 'data-label': '操作' }, el('span', { class: 'actions' }, ...acts)));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '7', text: '申請された端末はありません。' })));
  $('rows').replaceChildren(...rows);
}

async function load() {
  const r = await request('/devices');
  state.devices = r.devices;
  $('status').textContent = r.pending ? `承認待ち ${r.pending}件` : '承認待ちはありません';
  render();
}

$('rows').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-act]');
  if (!b) return;
  const d = state.devices.find((x) => String(x.id) === b.closest('tr').dataset.id);
  if (!d) return;
  const approve = b.dataset.act === 'approve';
  const text = approve
    ? `${d.login}の「${d.label}」を承認します。申請した方の画面の確認コードが ${d.code} であることを、電話などで確かめましたか。`
    : `${d.login}の「${d.label}」を${d.state === 'pending' ? '断ります' : '無効にします。この端末からはすぐに使えなくなります'}。`;
  if (!(await confirmDialog(text, approve ? '承認する' : (d.state === 'pending' ? '断る' : '無効にする')))) return;
  try {
    await request(`/devices/${d.id}/${approve ? 'approve' : 'revoke'}`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    await load();
    setAlert($('message'), `${d.login}の「${d.label}」を${approve ? '承認しました' : '無効にしました'}。`, 'ok');
  } catch (err) {
    fail(err);
  }
});

shell = startShell({
  roles: ['ward_admin', 'ward_staff'],
  deniedText: '端末の承認は区の担当者が行います。',
  onReady: async (session) => {
    state.admin = session.user.role === 'ward_admin';
    try {
      await load();
    } catch (err) {
      fail(err);
    }
  },
});
