// Runs: task instances newest first, a page (25) at a time with the API's cursor, filtered on the server by status,
// plan, namespace, who started them and a creation time range. Live: the page comes over the runs list's event stream
// (GET /api/v1/events/task-instances with the same query), sent again by the server whenever it changes.
import { followPages } from '../api.js';
import { h, replace, statusBadge, when, hashQuery, hashWith, select, pager, field, instant, filterForm } from '../dom.js';

export const RUN_STATUSES = ['pending', 'scheduled', 'running', 'waitingForApproval', 'paused', 'stopping',
  'succeeded', 'failed', 'stopped', 'cancelled', 'skipped'];

const PAGE = 25;
const FILTERS = ['status', 'plan', 'namespace', 'by', 'from', 'to'];

export async function renderRuns(main, _params, { signal }) {
  const query = hashQuery();
  const filter = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || '']));
  const after = query.get('after') || '';
  const back = query.get('back') || ''; // the cursors of earlier pages ('-': the first), for "Previous page"
  const body = h('div', { id: 'runs-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const live = h('p', { class: 'muted live', id: 'runs-live' }, 'connecting…');
  const go = (change) => { location.hash = hashWith('#/runs', { ...filter, ...change }); };
  const form = filterForm('runs-filters', '#/runs', 'runs', ['plan', 'namespace', 'by', 'from', 'to'], filter,
    select('runs-status', 'Status', [{ value: '', text: 'any' }, ...RUN_STATUSES.map((s) => ({ value: s, text: s }))], filter.status, (value) => go({ status: value })),
    field('runs-plan', 'Plan', { type: 'search', value: filter.plan, placeholder: 'plan id', size: '14' }),
    field('runs-namespace', 'Namespace', { type: 'search', value: filter.namespace, placeholder: 'any', size: '10' }),
    field('runs-by', 'Started by', { type: 'search', value: filter.by, placeholder: 'principal', size: '12' }),
    field('runs-from', 'From', { type: 'datetime-local', value: filter.from }),
    field('runs-to', 'To', { type: 'datetime-local', value: filter.to }),
    h('button', { type: 'submit' }, 'Filter'));
  main.replaceChildren(h('h1', {}, 'Runs'), form, live, body);

  const anyFilter = FILTERS.some((k) => filter[k]);
  function draw(page) {
    live.textContent = 'live';
    replace(body,
      page.items.length === 0 ? h('p', { class: 'muted' }, anyFilter ? 'No runs match.' : 'No runs.') :
        h('table', { class: 'grid', 'aria-label': 'Runs' },
          h('thead', {}, h('tr', {}, ['Run', 'Plan', 'Namespace', 'Status', 'Started by', 'Created', 'Finished'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, page.items.map((r) => h('tr', { 'data-run': r.id, 'data-created': new Date(r.instance.createdAt).toISOString() },
            h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(r.id)}`, 'data-key': `run-${r.id}` }, r.id)),
            h('td', {}, `${r.instance.planName || r.instance.planId} v${r.instance.planVersion}`),
            h('td', {}, r.namespace),
            h('td', {}, statusBadge(r.instance.status)),
            h('td', {}, r.instance.by || '—'),
            h('td', {}, when(r.instance.createdAt)),
            h('td', {}, when(r.instance.finishedAt)))))),
      pager('#/runs', filter, { after, back, next: page.next }, 'Pages of runs'));
  }

  const path = hashWith('/api/v1/events/task-instances', {
    status: filter.status, plan: filter.plan, namespace: filter.namespace, by: filter.by, from: instant(filter.from), to: instant(filter.to), after, limit: PAGE,
  });
  await followPages(path, draw, signal);
}
