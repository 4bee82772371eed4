/** A tiny element builder: text goes in as text nodes (never HTML), so nothing a server says can run. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** A labelled input: the label names it for screen readers and a tap on it focuses it. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  input.id ||= `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const wrap = h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  if (hint) {
    const hintId = `${input.id}-hint`;
    input.setAttribute('aria-describedby', hintId);
    append(wrap, h('span', { id: hintId, class: 'muted' }, hint));
  }
  return wrap;
}

/** Replaces the page's content and moves focus to its heading, so keyboard and screen-reader users land on it. */
export function render(title: string, ...children: Child[]): HTMLElement {
  const main = document.getElementById('main') as HTMLElement;
  const heading = h('h1', { tabindex: -1 }, title);
  main.replaceChildren(heading);
  append(main, ...children);
  document.title = `${title} · Stampede console`;
  heading.focus();
  return main;
}

/** A polite announcement (the status region is aria-live). */
export function announce(message: string): void {
  const status = document.getElementById('status');
  if (status) status.textContent = message;
}

/** Form values by input name. */
export function values(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = String(v);
  return out;
}
