// Runs: task instances, a page at a time with the API's cursor, filtered by status. The visible page is read again
// every few seconds while the tab is visible (one small list read; the run view has the event stream).
import { api } from '../api.js';
import { h, replace, statusBadge, when, hashQuery, hashWith, select } from '../dom.js';

export const RUN_STATUSES = ['pending', 'scheduled', 'running', 'waitingForApproval', 'paused', 'stopping',
  'succeeded', 'failed', 'stopped', 'cancelled', 'skipped'];

const PAGE = 25;
const REFRESH_MS = 3000;

export async function renderRuns(main, _params, { signal }) {
  const query = hashQuery();
  const status = query.get('status') || '';
  const after = query.get('after') || '';
  const back = query.get('back') || ''; // the cursors of earlier pages ('-': the first), for "Previous page"
  const body = h('div', { id: 'runs-body' });
  main.replaceChildren(
    h('h1', {}, 'Runs'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
      select('runs-status', 'Status', [{ value: '', text: 'any' }, ...RUN_STATUSES.map((s) => ({ value: s, text: s }))], status,
        (value) => { location.hash = hashWith('#/runs', { status: value }); })),
    body);

  async function load() {
    const page = await api(hashWith('/api/v1/task-instances', { status, after, limit: PAGE }), { signal });
    // The list is in id order (ids are random); within the page the newest come first.
    const items = [...page.items].sort((a, b) => (b.instance.createdAt || '').localeCompare(a.instance.createdAt || ''));
    const stack = back ? back.split(',') : [];
    replace(body,
      items.length === 0 ? h('p', { class: 'muted' }, 'No runs' + (status ? ` with status ${status}` : '') + '.') :
        h('table', { class: 'grid', 'aria-label': 'Runs' },
          h('thead', {}, h('tr', {}, ['Run', 'Plan', 'Status', 'Created', 'Finished'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, items.map((r) => h('tr', { 'data-run': r.id },
            h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(r.id)}`, 'data-key': `run-${r.id}` }, r.id)),
            h('td', {}, `${r.instance.planName || r.instance.planId} v${r.instance.planVersion}`),
            h('td', {}, statusBadge(r.instance.status)),
            h('td', {}, when(r.instance.createdAt)),
            h('td', {}, when(r.instance.finishedAt)))))),
      h('nav', { class: 'pager', 'aria-label': 'Pages of runs' },
        after ? h('a', { href: hashWith('#/runs', { status, after: stack.length && stack[stack.length - 1] !== '-' ? stack[stack.length - 1] : '', back: stack.slice(0, -1).join(',') }), 'data-key': 'prev' }, '← Previous page') : null,
        after ? h('a', { href: hashWith('#/runs', { status }), 'data-key': 'first' }, 'First page') : null,
        page.next ? h('a', { href: hashWith('#/runs', { status, after: page.next, back: [...stack, after || '-'].join(',') }), 'data-key': 'next' }, 'Next page →') : null));
  }

  await load();
  (async () => {
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
      if (signal.aborted) return;
      if (document.visibilityState === 'visible') {
        try { await load(); } catch { /* the next refresh tries again; a 401 has signed out already */ }
      }
    }
  })();
}
