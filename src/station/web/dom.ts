/**
 * Small DOM helpers shared by the page's views. Text is always set with textContent
 * (never innerHTML), so nothing a device or a user typed can become markup.
 */

/** Creates an element with a class and, optionally, a `data-testid`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, testId?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (testId !== undefined) node.dataset.testid = testId;
  return node;
}

/** Sets text only when it changed (no needless layout or lost selection). */
export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets a data attribute only when it changed. */
export function setData(node: HTMLElement, key: string, value: string): void {
  if (node.dataset[key] !== value) node.dataset[key] = value;
}

/** A button with a label and a click handler. */
export function button(label: string, className: string, testId: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', className, testId);
  node.type = 'button';
  node.textContent = label;
  node.addEventListener('click', onClick);
  return node;
}

/** A labelled input; the label wraps it so clicking the label focuses the field. */
export function field(label: string, input: HTMLInputElement | HTMLTextAreaElement, className = 'field'): HTMLLabelElement {
  const wrap = el('label', className);
  const text = el('span', 'field-label');
  text.textContent = label;
  wrap.append(text, input);
  return wrap;
}

/** An input with a type, test id and autocomplete hint. */
export function input(type: string, testId: string, autocomplete = 'off'): HTMLInputElement {
  const node = el('input', 'input', testId);
  node.type = type;
  node.autocomplete = autocomplete as AutoFill;
  return node;
}
