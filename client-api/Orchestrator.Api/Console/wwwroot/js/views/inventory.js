// Hosts: the inventory from GET /api/v1/hosts, a page (100) at a time with the API's cursor, filtered by a label
// selector (the server's): each host's agent status (online/offline), what an admin lets it do (active, paused,
// draining, drained), namespace, labels, capacity and last heartbeat. The visible page is read again every 10 s
// while the tab is visible, as the runs list is.
import { api } from '../api.js';
import { h, replace, statusBadge, when, hashQuery, hashWith } from '../dom.js';

const PAGE = 100;
const REFRESH_MS = 10000;

export async function renderInventory(main, _params, { signal }) {
  const query = hashQuery();
  const selector = query.get('selector') || '';
  const after = query.get('after') || '';
  const back = query.get('back') || '';
  const body = h('div', { id: 'inventory-body' });
  const input = h('input', { id: 'hosts-selector', type: 'search', value: selector, placeholder: 'role=web,zone!=b', size: '28', autocomplete: 'off' });
  main.replaceChildren(
    h('h1', { id: 'inventory-title' }, 'Hosts'),
    h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); location.hash = hashWith('#/hosts', { selector: input.value.trim() }); } },
      h('span', { class: 'field' }, h('label', { for: 'hosts-selector' }, 'Label selector'), ' ', input, ' ', h('button', { type: 'submit' }, 'Filter'))),
    body);

  async function load() {
    const page = await api(hashWith('/api/v1/hosts', { selector, after, limit: PAGE }), { signal });
    const stack = back ? back.split(',') : [];
    replace(body,
      page.items.length === 0 ? h('p', { class: 'muted' }, 'No hosts' + (selector ? ` match ${selector}` : '') + '.') :
        h('table', { class: 'grid', 'aria-labelledby': 'inventory-title' },
          h('thead', {}, h('tr', {}, ['Host', 'Agent', 'Operation', 'Namespace', 'Labels', 'Capacity', 'Last heartbeat']
            .map((t) => h('th', { scope: 'col', class: t === 'Capacity' ? 'num' : null }, t)))),
          h('tbody', {}, page.items.map((x) => h('tr', { 'data-inventory-host': x.host },
            h('td', {}, x.host),
            h('td', {}, statusBadge(x.status)),
            h('td', {}, statusBadge(x.operation || 'active')),
            h('td', {}, x.namespace),
            h('td', {}, h('ul', { class: 'labels', 'aria-label': 'Labels' }, Object.entries(x.labels || {}).map(([k, v]) => h('li', {}, `${k}=${v}`)))),
            h('td', { class: 'num' }, String(x.capacity)),
            h('td', {}, when(x.lastSeen)))))),
      h('nav', { class: 'pager', 'aria-label': 'Pages of hosts' },
        after ? h('a', { href: hashWith('#/hosts', { selector, after: stack.length && stack[stack.length - 1] !== '-' ? stack[stack.length - 1] : '', back: stack.slice(0, -1).join(',') }), 'data-key': 'prev' }, '← Previous page') : null,
        page.next ? h('a', { href: hashWith('#/hosts', { selector, after: page.next, back: [...stack, after || '-'].join(',') }), 'data-key': 'next' }, 'Next page →') : null));
  }

  await load();
  (async () => {
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
      if (signal.aborted) return;
      if (document.visibilityState === 'visible') {
        try { await load(); } catch { /* the next refresh tries again */ }
      }
    }
  })();
}
