// mimamori — site settings (/ward/sites.html): hours, expected arrival and grace, the same-day
// deadline, the facility's phone and alert mailbox, guardians' not-arrived mail
// (PATCH /api/v1/sites/{code}, audited as site.update).
import { request } from '/js/api.js';
import { startShell, show, setAlert, fillSites } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
const FIELDS = [['opens', 'opens'], ['closes', 'closes'], ['arrival', 'arrival'], ['deadline', 'deadline'],
  ['phone', 'phone'], ['alert-email', 'alert_email']];
const state = { sites: [], csrf: null };
let shell;

function current() {
  return state.sites.find((s) => s.code === $('site').value) || null;
}

function fill(site) {
  setAlert($('saved'), '');
  setAlert($('message'), '');
  if (!site) {
    show($('site-form'), false);
    return;
  }
  $('form-title').textContent = `${site.name}（${site.code}）`;
  for (const [id, key] of FIELDS) $(id).value = site[key] ?? '';
  $('grace').value = String(site.grace_min ?? 30);
  $('alert-guardians').checked = !!site.alert_guardians;
  show($('site-form'), true);
  history.replaceState(null, '', `#site=${encodeURIComponent(site.code)}`);
}

async function loadSites(code) {
  const data = await request('/sites');
  state.sites = Array.isArray(data && data.sites) ? data.sites : [];
  fillSites($('site'), state.sites, '施設を選んでください');
  if (code && state.sites.some((s) => s.code === code)) $('site').value = code;
  fill(current());
}

async function onSave(ev) {
  ev.preventDefault();
  const site = current();
  if (!site) return;
  setAlert($('saved'), '');
  setAlert($('message'), '');
  const grace = Number($('grace').value);
  if ($('grace').value === '' || !Number.isInteger(grace) || grace < 0 || grace > 240) {
    setAlert($('message'), '猶予は0〜240の整数（分）で入力してください。');
    $('grace').focus();
    return;
  }
  const body = { grace_min: grace, alert_guardians: $('alert-guardians').checked };
  for (const [id, key] of FIELDS) body[key] = $(id).value.trim();
  for (const key of ['opens', 'closes', 'arrival', 'deadline']) {
    if (!/^\d{2}:\d{2}$/.test(body[key])) {
      setAlert($('message'), '時刻は「時:分」で入力してください。');
      $(key).focus();
      return;
    }
  }
  $('save').disabled = true;
  try {
    const saved = await request(`/sites/${encodeURIComponent(site.code)}`, { method: 'PATCH', body, csrf: shell.session.csrf });
    Object.assign(site, saved);
    fill(site);
    setAlert($('saved'), `${site.name} の設定を保存しました。`);
  } catch (err) {
    if (!shell.handleAuth(err)) setAlert($('message'), err.message);
  } finally {
    $('save').disabled = false;
  }
}

$('site').addEventListener('change', () => fill(current()));
$('site-form').addEventListener('submit', onSave);

shell = startShell({
  roles: ['ward_admin'],
  deniedText: '施設の設定は区の管理者が行います。',
  onReady: async () => {
    try {
      await loadSites(new URLSearchParams(location.hash.slice(1)).get('site'));
    } catch (err) {
      if (!shell.handleAuth(err)) setAlert($('message'), err.message);
    }
  },
});
