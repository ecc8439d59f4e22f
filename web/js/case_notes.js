// mimamori — the versioned notes of a casework page (youth support /youth/, the development
// centre /centre/; the platform's casework routes): the list with 直す（新しい版） and 履歴, the
// form set to edit a note as its next version or back to a new one, a note's history, and the
// save (PUT of a new version, or POST of a new note). The pages share the element ids
// notes-list, note-id, note-version, note-body, note-kind, note-date, note-submit, note-cancel,
// history, history-list, history-title.
import { request, el } from '/js/api.js';
import { todayJst } from '/ward/shell.js';

const $ = (id) => document.getElementById(id);

/** Puts the note form back to a new note of today. */
export function resetNote() {
  $('note-id').value = '';
  $('note-version').value = '';
  $('note-body').value = '';
  $('note-kind').disabled = false;
  $('note-date').disabled = false;
  $('note-date').value = todayJst();
  $('note-submit').textContent = '記録を追加';
  $('note-cancel').hidden = true;
}

/** Shows the versions of note id (base: the service's API prefix, '/youth'); onError(err). */
export async function showHistory(base, id, onError) {
  try {
    const h = await request(`${base}/notes/${id}/versions`);
    $('history-list').replaceChildren(...h.versions.map((v) => el('li', {},
      el('p', { class: 'small', text: `第${v.version}版（${v.by}）` }),
      el('p', { class: 'note-body', text: v.body }))));
    $('history').hidden = false;
    $('history-title').focus();
  } catch (err) { onError(err); }
}

/** Lists notes (the opened case's), each with its edit and history buttons. The form and the
 * history are left as they are: a save of another part of the case must not wipe a note being
 * written. */
export function listNotes(base, notes, onError) {
  $('notes-list').replaceChildren(...notes.map((n) => el('li', { 'data-testid': `note-${n.id}` },
    el('p', { class: 'small', text: `${n.on_date}　${n.kind}　第${n.version}版（${n.by}）` }),
    el('p', { class: 'note-body', text: n.body }),
    el('div', { class: 'button-row' },
      el('button', { type: 'button', class: 'btn btn-secondary', 'data-edit': n.id, text: '直す（新しい版）' }),
      el('button', { type: 'button', class: 'btn btn-secondary', 'data-history': n.id, 'data-testid': `history-${n.id}`, text: '履歴' })))));
  for (const b of $('notes-list').querySelectorAll('[data-edit]')) {
    b.addEventListener('click', () => {
      const n = notes.find((x) => String(x.id) === b.dataset.edit);
      $('note-id').value = n.id;
      $('note-version').value = n.version;
      $('note-body').value = n.body;
      $('note-kind').value = n.kind;
      $('note-kind').disabled = true;
      $('note-date').value = n.on_date;
      $('note-date').disabled = true;
      $('note-submit').textContent = `第${n.version + 1}版として保存`;
      $('note-cancel').hidden = false;
      $('note-body').focus();
    });
  }
  for (const b of $('notes-list').querySelectorAll('[data-history]')) {
    b.addEventListener('click', () => showHistory(base, b.dataset.history, onError));
  }
}

/** Lists notes and puts the form back to a new note, the history closed (a case just opened,
 * or a note just saved). */
export function showNotes(base, notes, onError) {
  listNotes(base, notes, onError);
  resetNote();
  $('history').hidden = true;
}

/** Saves the form through send(method, path, body): the edited note's next version, or a new
 * note of the case at casePath ('/cases/3'). Returns send's promise. */
export function saveNote(send, casePath) {
  return $('note-id').value
    ? send('PUT', `/notes/${$('note-id').value}`, { version: Number($('note-version').value), body: $('note-body').value })
    : send('POST', `${casePath}/notes`,
      { kind: $('note-kind').value, on_date: $('note-date').value, body: $('note-body').value });
}
