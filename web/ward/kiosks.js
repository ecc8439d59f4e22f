// mimamori — kiosks (/ward/kiosks.html): the list with today's scans, a new kiosk (its token
// shown once), and a revocation (the token stops working at once).
import { request, el } from '/js/api.js';
import { startShell, show, setAlert, fillSites, confirmDialog, stamp } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const state = { sites: [], kiosks: [] };
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

function render() {
  const rows = state.kiosks.map((k) => {
    const active = !k.revoked_at;
    const today = k.scans_today ? `${k.scans_today}件（最後 ${k.last_scan_today}）` : 'なし';
    return el('tr', { 'data-testid': 'kiosk-row', 'data-kiosk-id': String(k.id), 'data-active': String(active) },
      el('td', { class: 'cell-main', 'data-label': '施設' }, k.site_name, el('span', { class: 'sub', text: k.site })),
      el('td', { 'data-label': '名前', text: k.label || `端末 ${k.id}` }),
      el('td', { 'data-label': '登録', text: stamp(k.created_at) }),
      el('td', { 'data-label': '今日の読み取り', text: today }),
      el('td', { 'data-label': '状態' }, active
        ? el('span', { class: 'badge badge-ok', text: '使用中' })
        : el('span', {}, el('span', { class: 'badge badge-off', text: '無効' }), stamp(k.revoked_at))),
      el('td', { 'data-label': '操作' }, active
        ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'kiosk-revoke', 'aria-label': `${k.site_name} の ${k.label || `端末 ${k.id}`} を無効にする`, text: '無効にする' })
        : null));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '6', text: '登録された端末はありません。' })));
  $('rows').replaceChildren(...rows);
}

async function loadKiosks() {
  const site = $('filter-site').value;
  const data = await request(`/kiosks${site ? `?site=${encodeURIComponent(site)}` : ''}`);
  state.kiosks = Array.isArray(data.kiosks) ? data.kiosks : [];
  render();
}

async function onAdd(ev) {
  ev.preventDefault();
  setAlert($('message'), '');
  show($('token-box'), false);
  const site = $('add-site').value;
  if (!site) {
    setAlert($('message'), '端末を置く施設を選んでください。', 'error');
    $('add-site').focus();
    return;
  }
  $('add').disabled = true;
  try {
    const r = await request(`/sites/${encodeURIComponent(site)}/kiosks`, {
      method: 'POST', body: { label: $('add-label').value.trim() }, csrf: shell.session.csrf,
    });
    $('token-title').textContent = `${r.kiosk.site_name}の「${r.kiosk.label || `端末 ${r.kiosk.id}`}」を登録しました。`;
    $('token').textContent = r.token;
    show($('token-box'), true);
    $('token-box').focus();
    $('add-label').value = '';
    await loadKiosks();
  } catch (err) {
    fail(err);
  } finally {
    $('add').disabled = false;
  }
}

async function revoke(k) {
  const name = k.label || `端末 ${k.id}`;
  if (!(await confirmDialog(`${k.site_name}の「${name}」を無効にします。この端末ではカードを読み取れなくなります（もう一度使うには新しく登録してください）。`, '無効にする'))) return;
  try {
    await request(`/kiosks/${k.id}/revoke`, { method: 'POST', body: {}, csrf: shell.session.csrf });
    await loadKiosks();
    setAlert($('message'), `${k.site_name}の「${name}」を無効にしました。`, 'ok');
  } catch (err) {
    fail(err);
  }
}

$('rows').addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-testid="kiosk-revoke"]');
  if (!b) return;
  const k = state.kiosks.find((x) => String(x.id) === b.closest('tr').dataset.kioskId);
  if (k) revoke(k);
});
$('add-form').addEventListener('submit', onAdd);
$('filter-site').addEventListener('change', () => loadKiosks().catch(fail));

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'キオスク端末の登録は区の管理者が行います。',
  onReady: async () => {
    try {
      const data = await request('/sites');
      state.sites = Array.isArray(data.sites) ? data.sites : [];
      fillSites($('add-site'), state.sites, '施設を選んでください');
      fillSites($('filter-site'), state.sites, 'すべての施設');
      await loadKiosks();
    } catch (err) {
      fail(err);
    }
  },
});
