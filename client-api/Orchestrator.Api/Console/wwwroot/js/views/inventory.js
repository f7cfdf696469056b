// Hosts: the inventory from GET /api/v1/hosts, a page (100) at a time with the API's cursor, filtered by a label
// selector (the server's): each host's agent status (online/offline), what an admin lets it do (active, paused,
// draining, drained), namespace, labels, capacity, last heartbeat, and what it runs now (each open assignment, linked
// to its host's log in the run's step). Live: the page comes over the hosts list's event stream
// (GET /api/v1/events/hosts with the same query), sent again by the server whenever it changes.
import { followPages } from '../api.js';
import { h, replace, statusBadge, when, hashQuery, hashWith, pager } from '../dom.js';

const PAGE = 100;

/** "run 3f2a…, step 1 (started)" linking the target's log. */
function running(list) {
  if (!list || list.length === 0) return h('span', { class: 'muted' }, 'nothing');
  return h('ul', { class: 'running', 'aria-label': 'Running' }, list.map((r) => h('li', { 'data-running': `${r.instance}:${r.step}:${r.target}` },
    h('a', { href: `#/runs/${encodeURIComponent(r.instance)}/steps/${r.step}/hosts/${encodeURIComponent(r.target)}?run=${r.run}`, title: r.instance },
      `run ${r.instance.slice(0, 8)}…, step ${r.step}${r.target.startsWith('@') ? ` (${r.target})` : ''}`),
    ' ', h('span', { class: 'muted' }, `(${r.state.replace(/([A-Z])/g, ' $1').toLowerCase()}${r.run > 1 ? `, run ${r.run}` : ''})`))));
}

export async function renderInventory(main, _params, { signal }) {
  const query = hashQuery();
  const selector = query.get('selector') || '';
  const after = query.get('after') || '';
  const back = query.get('back') || '';
  const body = h('div', { id: 'inventory-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const live = h('p', { class: 'muted live', id: 'inventory-live' }, 'connecting…');
  const input = h('input', { id: 'hosts-selector', type: 'search', value: selector, placeholder: 'role=web,zone!=b', size: '28', autocomplete: 'off' });
  main.replaceChildren(
    h('h1', { id: 'inventory-title' }, 'Hosts'),
    h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); location.hash = hashWith('#/hosts', { selector: input.value.trim() }); } },
      h('span', { class: 'field' }, h('label', { for: 'hosts-selector' }, 'Label selector'), ' ', input, ' ', h('button', { type: 'submit' }, 'Filter'))),
    live, body);

  function draw(page) {
    live.textContent = 'live';
    replace(body,
      page.items.length === 0 ? h('p', { class: 'muted' }, 'No hosts' + (selector ? ` match ${selector}` : '') + '.') :
        h('table', { class: 'grid', 'aria-labelledby': 'inventory-title' },
          h('thead', {}, h('tr', {}, ['Host', 'Agent', 'Operation', 'Namespace', 'Labels', 'Capacity', 'Last heartbeat', 'Running']
            .map((t) => h('th', { scope: 'col', class: t === 'Capacity' ? 'num' : null }, t)))),
          h('tbody', {}, page.items.map((x) => h('tr', { 'data-inventory-host': x.host },
            h('td', {}, x.host),
            h('td', {}, statusBadge(x.status)),
            h('td', {}, statusBadge(x.operation || 'active')),
            h('td', {}, x.namespace),
            h('td', {}, h('ul', { class: 'labels', 'aria-label': 'Labels' }, Object.entries(x.labels || {}).map(([k, v]) => h('li', {}, `${k}=${v}`)))),
            h('td', { class: 'num' }, String(x.capacity)),
            h('td', {}, when(x.lastSeen)),
            h('td', {}, running(x.running)))))),
      pager('#/hosts', { selector }, { after, back, next: page.next }, 'Pages of hosts'));
  }

  await followPages(hashWith('/api/v1/events/hosts', { selector, after, limit: PAGE }), draw, signal);
}
