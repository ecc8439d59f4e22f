// The ward's own words for a child's coming in and going home (GET /api/v1/ward: 入室・退室 by
// default, 登所・降所 …), shared by every page that names them.
import { request } from '/js/api.js';

// The words in use; the defaults stay for anything the ward did not set or could not be read.
export const WORDS = { entry: '入室', exit: '退室' };

/** Takes the ward's words ({entry_word, exit_word}); the defaults stay for anything missing. */
export function setWords(w) {
  if (w && typeof w.entry_word === 'string' && w.entry_word.trim()) WORDS.entry = w.entry_word.trim();
  if (w && typeof w.exit_word === 'string' && w.exit_word.trim()) WORDS.exit = w.exit_word.trim();
}

/** Writes the words into the page's fixed labels (elements with data-word="entry|exit"). */
export function applyWords(root = document) {
  for (const n of root.querySelectorAll('[data-word]')) n.textContent = WORDS[n.dataset.word] || n.textContent;
}

/** Reads the ward's words once (a public route), writes them into the page and resolves to
 * WORDS; when they cannot be read, the defaults stay. */
export async function loadWords() {
  try {
    setWords(await request('/ward', { timeoutMs: 10000 }));
  } catch {
    setWords(null);
  }
  applyWords();
  return WORDS;
}
