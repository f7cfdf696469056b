// Plans: GET /api/v1/plans, a page (25) at a time with the API's cursor: each plan's name, id, namespace, latest
// version and when it was last saved; live (GET /api/v1/events/plans sends the page again whenever it changed). A
// plan's page is #/plans/<id>.
import { followPages } from '../api.js';
import { h, replace, when, hashQuery, hashWith, pager } from '../dom.js';

const PAGE = 25;

export async function renderPlans(main, _params, { signal }) {
  const query = hashQuery();
  const after = query.get('after') || '';
  const back = query.get('back') || '';
  const body = h('div', { id: 'plans-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const live = h('p', { class: 'muted live', id: 'plans-live' }, 'connecting…');
  main.replaceChildren(h('h1', { id: 'plans-title' }, 'Plans'), live, body);

  await followPages(hashWith('/api/v1/events/plans', { after, limit: PAGE }), (page) => {
    live.textContent = 'live';
    replace(body,
      page.items.length === 0 ? h('p', { class: 'muted' }, 'No plans.') :
        h('table', { class: 'grid', 'aria-labelledby': 'plans-title' },
          h('thead', {}, h('tr', {}, ['Plan', 'Id', 'Namespace', 'Version', 'Updated']
            .map((t) => h('th', { scope: 'col', class: t === 'Version' ? 'num' : null }, t)))),
          h('tbody', {}, page.items.map((p) => h('tr', { 'data-plan': p.id },
            h('td', {}, h('a', { href: `#/plans/${encodeURIComponent(p.id)}` }, (p.plan && p.plan.name) || p.id)),
            h('td', {}, h('code', {}, p.id)),
            h('td', {}, p.namespace),
            h('td', { class: 'num' }, p.plan ? String(p.plan.version) : '—'),
            h('td', {}, when(p.plan && p.plan.updatedAt)))))),
      pager('#/plans', {}, { after, back, next: page.next }, 'Pages of plans'));
  }, signal);
}
