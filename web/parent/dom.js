// mimamori — guardian portal: the small DOM helpers every view uses (show, setAlert,
// revealAlert).

/** Shows or hides node. */
export function show(node, on = true) { node.hidden = !on; }

/** Puts msg (text or nodes) in an alert box of kind (error, ok, info), hidden when empty. */
export function setAlert(node, msg, kind) {
  if (kind) node.className = `alert alert-${kind}`;
  node.replaceChildren();
  if (msg) node.append(msg);
  show(node, !!msg);
}

/** Brings a shown alert into view and gives it the focus: the shell's, one copy for every page. */
export { revealAlert } from '/ward/shell.js';
