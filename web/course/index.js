// mimamori — the public sign-up page of the ward's courses (/course/, phones first, no account):
// the courses open for sign-up, their sessions to come with the places left (or the waitlist),
// chosen in order of preference (the order of ticking); the person's name, mail, phone and
// child's age; the answer — a place or the waitlist — and the link to their own page.
import { el } from '/js/api.js';
import { call, standing } from '/course/call.js';

const $ = (id) => document.getElementById(id);
let courses = [];
let order = []; // the chosen session ids, first preference first

function showError(msg) {
  const m = $('message');
  m.textContent = msg;
  m.hidden = false;
  m.focus();
}

function currentCourse() {
  const r = document.querySelector('input[name="course"]:checked');
  return r ? courses.find((c) => String(c.id) === r.value) : null;
}

function renderSessions() {
  const c = currentCourse();
  const box = $('sessions');
  if (!c) { box.replaceChildren(el('p', { class: 'muted', text: '先に講座を選んでください。' })); return; }
  box.replaceChildren(...c.sessions.map((s) => {
    const n = order.indexOf(s.id);
    const seats = s.left > 0 ? `残り${s.left}席` : `満席（キャンセル待ち${s.waiting}人）`;
    const input = el('input', { type: 'checkbox', id: `s-${s.id}`, value: String(s.id), checked: n >= 0, 'data-testid': `session-${s.id}` });
    input.addEventListener('change', () => {
      order = input.checked ? [...order, s.id] : order.filter((x) => x !== s.id);
      renderSessions();
      $(`s-${s.id}`).focus();
    });
    return el('label', { class: `session${n >= 0 ? ' chosen' : ''}`, for: `s-${s.id}` }, input,
      el('span', { class: 'session-text' },
        el('strong', { text: s.label }), el('span', { text: `会場: ${s.place}` }),
        el('span', { class: s.left > 0 ? 'seats' : 'seats full', text: seats })),
      el('span', { class: 'pref', 'data-testid': `pref-${s.id}`, text: n >= 0 ? `第${n + 1}希望` : '' }));
  }));
}

function renderCourses() {
  $('courses').replaceChildren(...courses.map((c, i) => {
    const input = el('input', { type: 'radio', name: 'course', id: `c-${c.id}`, value: String(c.id), checked: i === 0, 'data-testid': `course-${c.id}` });
    input.addEventListener('change', () => { order = []; renderSessions(); });
    return el('label', { class: 'course', for: `c-${c.id}` }, input,
      el('span', { class: 'course-text' }, el('strong', { text: c.title }),
        c.description ? el('span', { class: 'small', text: c.description }) : null,
        el('span', { class: 'small muted', text: `問い合わせ: ${c.contact}` })));
  }));
  renderSessions();
}

function ages() {
  $('age').replaceChildren(el('option', { value: '', text: '選んでください' }),
    el('option', { value: '-1', text: '出産前' }),
    ...Array.from({ length: 19 }, (_, a) => el('option', { value: String(a), text: `${a}歳` })));
}

async function submit(ev) {
  ev.preventDefault();
  $('message').hidden = true;
  const c = currentCourse();
  const age = $('age').value;
  const btn = $('submit');
  btn.disabled = true;
  try {
    const r = await call('/course/signups', {
      method: 'POST',
      body: {
        course: c ? c.id : 0, name: $('name').value.trim(), email: $('email').value.trim(),
        phone: $('phone').value.trim(), child_age: age === '' ? null : Number(age), sessions: order,
      },
    });
    const booked = r.choices.some((x) => x.state === 'booked');
    $('done-text').textContent = booked
      ? `「${r.title}」への参加が決まりました。`
      : `「${r.title}」はご希望の日がどれも満席のため、キャンセル待ちでお受けしました。キャンセルが出たら順にメールでご案内します。`;
    $('done-choices').replaceChildren(...r.choices.map((x) => el('li', {},
      el('strong', { text: `第${x.pref}希望 ${x.label}` }), el('span', { text: `会場: ${x.place}` }),
      el('span', { class: `standing ${x.state}`, text: standing(x) }))));
    $('mine-link').href = `/course/mine.html#t=${r.token}`;
    $('form').hidden = true;
    $('done').hidden = false;
    $('done-title').focus();
  } catch (err) {
    showError(err.message);
  } finally {
    btn.disabled = false;
  }
}

(async () => {
  ages();
  $('form').addEventListener('submit', submit);
  try {
    courses = (await call('/course/open')).courses;
  } catch (err) {
    $('loading').hidden = true;
    showError(err.message);
    return;
  }
  $('loading').hidden = true;
  if (!courses.length) { $('none').hidden = false; return; }
  renderCourses();
  $('form').hidden = false;
})();
