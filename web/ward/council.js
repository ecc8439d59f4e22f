// mimamori — the privacy council's paperwork (/ward/council.html): the item lists of each
// service's personal-information file as PDF, xlsx or Markdown downloads (made from the live
// schema and its annotations), and the designated handlers (取扱責任者・取扱者) from the accounts.
import { request, el } from '/js/api.js';
import { startShell, setAlert, download } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

async function loadStaff() {
  const service = $('service').value;
  const r = await request(`/council/staff${service ? `?service=${encodeURIComponent(service)}` : ''}`);
  if ($('service').options.length === 1) {
    for (const u of r.units) $('service').append(el('option', { value: u.name, text: u.label }));
  }
  const rows = [];
  for (const u of r.units) {
    for (const p of u.staff) {
      rows.push(el('tr', { 'data-testid': 'council-staff-row', 'data-service': u.name, 'data-login': p.login },
        el('td', { text: u.label }), el('td', { text: p.kind }), el('td', { text: p.login }),
        el('td', { text: p.role_ja })));
    }
  }
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '4', text: '該当する職員はいません。' })));
  $('staff-rows').replaceChildren(...rows);
}

async function get(format) {
  setAlert($('message'), '');
  $('dl-done').textContent = '';
  const service = $('service').value;
  try {
    const f = await download(`/council/items?format=${format}${service ? `&service=${encodeURIComponent(service)}` : ''}`);
    $('dl-done').textContent = `${f.filename} をダウンロードしました。`;
  } catch (err) {
    fail(err);
  }
}

shell = startShell({
  roles: ['ward_admin'],
  deniedText: 'この画面は区の管理者だけが使えます。',
  onReady: async () => {
    $('dl-pdf').addEventListener('click', () => get('pdf'));
    $('dl-xlsx').addEventListener('click', () => get('xlsx'));
    $('dl-md').addEventListener('click', () => get('md'));
    $('service').addEventListener('change', () => loadStaff().catch(fail));
    try {
      await loadStaff();
    } catch (err) {
      fail(err);
    }
  },
});
