// A step's hosts: counts by status and a table of one page of targets from the server (never all of them), filtered
// by status. The run's event stream says when the counts change; the visible page is then read again.
import { api, follow } from '../api.js';
import { h, replace, statusBadge, when, hashQuery, hashWith, select } from '../dom.js';
import { counts } from './run.js';

export const TARGET_STATUSES = ['pending', 'dispatched', 'running', 'retrying', 'stopping', 'succeeded', 'failed', 'timedOut',
  'agentOffline', 'agentLost', 'stopped', 'cancelled', 'skipped'];

const PAGE = 50;

export async function renderHosts(main, [id, stepText], { signal }) {
  const step = Number(stepText);
  const query = hashQuery();
  const status = query.get('status') || '';
  const after = query.get('after') || '';
  const back = query.get('back') || '';
  const here = `#/runs/${encodeURIComponent(id)}/steps/${step}`;
  const title = h('h1', { id: 'hosts-title' }, `Hosts of step ${step}`);
  const summary = h('div', { id: 'hosts-counts' });
  const body = h('div', { id: 'hosts-body' });
  main.replaceChildren(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, 'Runs'), ' / ',
      h('a', { href: `#/runs/${encodeURIComponent(id)}` }, id), ` / step ${step}`),
    title, summary,
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
      select('hosts-status', 'Status', [{ value: '', text: 'any' }, { value: 'failed,timedOut,agentOffline,agentLost,stopped', text: 'any failure' },
        ...TARGET_STATUSES.map((s) => ({ value: s, text: s }))], status,
      (value) => { location.hash = hashWith(here, { status: value }); })),
    body);

  async function load() {
    const page = await api(hashWith(`/api/v1/task-instances/${encodeURIComponent(id)}/steps/${step}/targets`, { status, after, limit: PAGE }), { signal });
    const stack = back ? back.split(',') : [];
    replace(body,
      page.items.length === 0 ? h('p', { class: 'muted' }, 'No hosts' + (status ? ` with status ${status}` : '') + ' on this page.') :
        h('table', { class: 'grid', 'aria-labelledby': 'hosts-title' },
          h('thead', {}, h('tr', {}, ['Host', 'Status', 'Exit code', 'Run', 'Step attempt', 'Started', 'Finished', 'Error'].map((t, i) => h('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'num' : null }, t)))),
          h('tbody', {}, page.items.map(({ host, target: t }) => h('tr', { 'data-host': host },
            h('td', {}, h('a', { href: `${here}/hosts/${encodeURIComponent(host)}`, 'data-key': `host-${host}` }, host)),
            h('td', {}, statusBadge(t.status)),
            h('td', { class: 'num' }, t.exitCode === undefined || t.exitCode === null ? '—' : String(t.exitCode)),
            h('td', { class: 'num' }, String(t.run)),
            h('td', { class: 'num' }, String(t.stepAttempt)),
            h('td', {}, when(t.startedAt)),
            h('td', {}, when(t.finishedAt)),
            h('td', {}, t.error || ''))))),
      h('nav', { class: 'pager', 'aria-label': 'Pages of hosts' },
        after ? h('a', { href: hashWith(here, { status, after: stack.length && stack[stack.length - 1] !== '-' ? stack[stack.length - 1] : '', back: stack.slice(0, -1).join(',') }) }, '← Previous page') : null,
        page.next ? h('a', { href: hashWith(here, { status, after: page.next, back: [...stack, after || '-'].join(',') }) }, 'Next page →') : null));
  }

  await load();
  let shown = '';
  follow(`/api/v1/task-instances/${encodeURIComponent(id)}/events`, async (event, run) => {
    if (event !== 'instance') return;
    const s = run.steps.find((x) => x.index === step);
    if (!s) return;
    replace(title, `Hosts of step ${step} '${s.name}' `, statusBadge(s.status));
    replace(summary, counts(s.targets));
    const key = JSON.stringify([s.status, s.attempt, s.targets]);
    if (shown && key !== shown) {
      try { await load(); } catch { /* read again on the next change */ }
    }
    shown = key;
  }, signal).catch(() => {});
}
