// Small DOM helpers: every text goes in as a text node (never parsed as HTML), so server data cannot inject markup.

/** h('a', {href: '#/runs', class: 'x', onclick: f}, 'text', child...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content, keeping keyboard focus on the element with the same data-key if there was one. */
export function replace(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.key : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) {
    const again = el.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

/** A status as text and colour (the class names the colour; the text is what is read out). */
export function statusBadge(status) {
  const text = status ? status.replace(/([A-Z])/g, ' $1').toLowerCase() : 'unknown';
  return h('span', { class: `status status-${status || 'unknown'}` }, text);
}

export function when(value) {
  if (!value) return '—';
  const d = new Date(value);
  return isNaN(d) ? String(value) : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function toast(text, kind = 'info') {
  const el = document.getElementById('toast');
  el.className = `toast-${kind}`;
  el.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.textContent = ''; el.className = ''; }, 4000);
}

/** The hash route's query: #/runs?status=failed → URLSearchParams. */
export function hashQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

export function hashWith(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A labelled select: [{value, text}], value, onchange(value). */
export function select(id, label, options, value, onchange) {
  const sel = h('select', { id, onchange: (e) => onchange(e.target.value) },
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.text)));
  return h('span', { class: 'field' }, h('label', { for: id }, label), ' ', sel);
}

/**
 * "← Previous page / First page / Next page →" over the API's forward-only cursors: `after` is this page's cursor,
 * `back` the cursors of the pages before it ('-' for the first), `next` the API's cursor of the next page; `keys` name
 * the two in the hash (a view with two lists pages each with its own).
 */
export function pager(path, params, { after, back, next }, label, keys = ['after', 'back']) {
  const [a, b] = keys;
  const stack = back ? back.split(',') : [];
  const prev = stack.length && stack[stack.length - 1] !== '-' ? stack[stack.length - 1] : '';
  const others = { ...params, [a]: '', [b]: '' };
  return h('nav', { class: 'pager', 'aria-label': label },
    after ? h('a', { href: hashWith(path, { ...others, [a]: prev, [b]: stack.slice(0, -1).join(',') }), 'data-key': `${a}-prev` }, '← Previous page') : null,
    after ? h('a', { href: hashWith(path, others), 'data-key': `${a}-first` }, 'First page') : null,
    next ? h('a', { href: hashWith(path, { ...others, [a]: next, [b]: [...stack, after || '-'].join(',') }), 'data-key': `${a}-next` }, 'Next page →') : null);
}

/** A labelled input: h-attributes for the input plus its label text. */
export function field(id, label, attrs) {
  return h('span', { class: 'field' }, h('label', { for: id }, label), ' ', h('input', { id, name: id, autocomplete: 'off', ...attrs }));
}

/** Whether the caller holds `role` (or one implying it) on every namespace ('*'): what spans namespaces needs it. */
export const everywhere = (me, role) => (((me && me.grants) || {})['*'] || []).some((held) => held === role || held === 'admin' || role === 'viewer');

/** Whether the caller holds `role` (or one implying it) on some namespace: what it may do somewhere. */
export const anywhere = (me, role) => Object.values((me && me.grants) || {}).some((roles) => roles.some((held) => held === role || held === 'admin' || role === 'viewer'));

/** A datetime-local value ("2026-12-05T21:30") as the instant the API takes, in the viewer's zone; '' when empty. */
export const instant = (local) => (local ? new Date(local).toISOString() : '');

/**
 * A filter form of `controls`: submitting it goes to `path` with `keep` and each of `names` as its field
 * (`${prefix}-${name}`) holds it, trimmed (an empty one drops out).
 */
export function filterForm(id, path, prefix, names, keep, ...controls) {
  const form = h('form', { class: 'filters wrap', id, onsubmit: (e) => {
    e.preventDefault();
    const data = new FormData(form);
    location.hash = hashWith(path, { ...keep, ...Object.fromEntries(names.map((k) => [k, String(data.get(`${prefix}-${k}`) || '').trim()])) });
  } }, ...controls);
  return form;
}
