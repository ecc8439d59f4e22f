// mimamori — registrant counts per grade and class (/school/sender.html), against last year:
// a sender's home (counts only, never a name or an address), also for the school administrator
// and the ward (?school=CODE, or a choice of schools).
import { request, el } from '/js/api.js';
import { startShell, setAlert } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);
let shell;

function fail(err) {
  if (!shell.handleAuth(err)) setAlert($('message'), err.message, 'error');
}

async function show(code) {
  const r = await request(`/schools/${encodeURIComponent(code)}/counts`);
  $('school').textContent = `${r.school.name}（${r.school.kind_label}）`;
  $('total').textContent = `${r.registrants.toLocaleString('ja-JP')}人`;
  $('year').textContent = `${r.year}年度`;
  $('rows').replaceChildren(...r.grades.map((g) => {
    const drop = g.last_year !== null && g.registrants < g.last_year;
    return el('tr', { 'data-testid': 'counts-row', 'data-grade': String(g.grade) },
      el('td', { class: 'cell-main', 'data-label': '学年', text: g.label }),
      el('td', { class: 'num', 'data-label': '登録者', text: `${g.registrants}人` }),
      el('td', { class: `num${drop ? ' drop' : ''}`, 'data-label': '昨年度', text: g.last_year === null ? '—' : `${g.last_year}人` }),
      el('td', { 'data-label': '組ごと' }, el('span', { class: 'class-counts' },
        ...g.classes.map((k) => el('span', { text: `${k.class}組 ${k.registrants}人` })))));
  }));
}

shell = startShell({
  roles: ['sender', 'school_admin', 'ward_admin', 'ward_staff'],
  deniedText: 'この画面は、学校・園の職員と区の担当者が使います。',
  loginNote: '送信者（校長・副校長）は、区が承認した端末からだけログインできます。端末の登録は /school/enrol.html から申請します。',
  onReady: async () => {
    try {
      const r = await request('/schools');
      const wanted = new URLSearchParams(location.search).get('school');
      const pick = $('pick');
      if (r.schools.length > 1) {
        pick.replaceChildren(...r.schools.map((s) => el('option', { value: s.code, text: `${s.name}（${s.code}）` })));
        if (wanted && r.schools.some((s) => s.code === wanted)) pick.value = wanted;
        $('pick-wrap').hidden = false;
        pick.addEventListener('change', () => show(pick.value).catch(fail));
      }
      if (r.schools.length) await show(r.schools.length > 1 ? pick.value : r.schools[0].code);
    } catch (err) {
      fail(err);
    }
  },
});
