// A step's hosts at any scale: counts by status, the hosts grouped by identical output and exit code ("9,850 hosts:
// exit 0, 'ok'"), each group opening its hosts, and a virtualized host table paged from the server (js/hosttable.js)
// filtered by status, output group and host prefix, in host order or by status (each an order the server pages in). The run's event
// stream says when the counts change; the groups and the rows in view are then read again, at most every 2 s.
import { api, follow } from '../api.js';
import { h, replace, statusBadge, hashQuery, hashWith, select } from '../dom.js';
import { counts } from './run.js';
import { HostTable } from '../hosttable.js';

export const TARGET_STATUSES = ['pending', 'dispatched', 'running', 'retrying', 'stopping', 'succeeded', 'failed', 'timedOut',
  'agentOffline', 'agentLost', 'stopped', 'cancelled', 'skipped'];

const GROUPS_SHOWN = 20;
const REFRESH_MS = 2000;

const plural = (n, one, many) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** "9,850 hosts: exit 0, succeeded" */
function groupTitle(g) {
  const exit = g.exitCode === null || g.exitCode === undefined ? 'no exit code' : `exit ${g.exitCode}`;
  return `${plural(g.count, 'host', 'hosts')}: ${exit}, `;
}

export async function renderHosts(main, [id, stepText], { signal }) {
  const step = Number(stepText);
  const query = hashQuery();
  const filter = { status: query.get('status') || '', group: query.get('group') || '', prefix: query.get('prefix') || '', sort: query.get('sort') || '' };
  const here = `#/runs/${encodeURIComponent(id)}/steps/${step}`;
  const base = `/api/v1/task-instances/${encodeURIComponent(id)}/steps/${step}`;
  const go = (change) => { location.hash = hashWith(here, { ...filter, ...change }); };
  const title = h('h1', { id: 'hosts-title' }, `Hosts of step ${step}`);
  const summary = h('div', { id: 'hosts-counts' });
  const groupsBox = h('section', { id: 'groups', 'aria-labelledby': 'groups-title' });
  const chosen = h('p', { id: 'group-chosen' });
  const prefixInput = h('input', { id: 'hosts-prefix', type: 'search', value: filter.prefix, placeholder: 'web-0', size: '14', autocomplete: 'off' });
  const table = new HostTable(`${base}/targets`, filter, (host) => `${here}/hosts/${encodeURIComponent(host)}`, signal);
  main.replaceChildren(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, 'Runs'), ' / ',
      h('a', { href: `#/runs/${encodeURIComponent(id)}` }, id), ` / step ${step}`),
    title, summary, groupsBox,
    h('h2', { id: 'table-title' }, 'Hosts'),
    chosen,
    h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); go({ prefix: prefixInput.value.trim() }); } },
      select('hosts-status', 'Status', [{ value: '', text: 'any' }, { value: 'failed,timedOut,agentOffline,agentLost,stopped', text: 'any failure' },
        ...TARGET_STATUSES.map((s) => ({ value: s, text: s }))], filter.status, (value) => go({ status: value })),
      select('hosts-sort', 'Order', [{ value: '', text: 'host name' }, { value: '-name', text: 'host name, descending' },
        { value: '-status', text: 'status, failures first' }, { value: 'status', text: 'status, pending first' }],
        filter.sort, (value) => go({ sort: value })),
      h('span', { class: 'field' }, h('label', { for: 'hosts-prefix' }, 'Host starts with'), ' ', prefixInput, ' ', h('button', { type: 'submit' }, 'Filter'))),
    table.element);

  let groups = null;
  function drawChosen() {
    if (!filter.group) { chosen.replaceChildren(); return; }
    const g = groups && groups.groups.find((x) => x.key === filter.group);
    replace(chosen, 'Showing one output group: ', g ? [groupTitle(g), statusBadge(g.status), g.excerpt ? ` “${g.excerpt}”` : ' (no output)'] : filter.group,
      ' ', h('a', { href: hashWith(here, { ...filter, group: '' }), 'data-key': 'all-groups' }, 'all hosts'));
  }

  function drawGroups() {
    if (!groups || groups.groups.length === 0) {
      replace(groupsBox, h('h2', { id: 'groups-title' }, 'Output'), h('p', { class: 'muted' }, 'No host has finished yet.'));
      return;
    }
    const expanded = groupsBox.dataset.expanded === '1';
    const shown = expanded ? groups.groups : groups.groups.slice(0, GROUPS_SHOWN);
    replace(groupsBox,
      h('h2', { id: 'groups-title' }, `Output: ${plural(groups.groups.length + (groups.other ? 1 : 0), 'group', 'groups')} of ${plural(groups.grouped, 'finished host', 'finished hosts')}`),
      h('ul', { class: 'groups' }, shown.map((g) => h('li', { 'data-group': g.key, class: g.key === filter.group ? 'chosen' : null },
        h('a', { href: hashWith(here, { ...filter, group: g.key }), 'data-key': `group-${g.key}` }, groupTitle(g), statusBadge(g.status)),
        g.excerpt ? h('code', { class: 'excerpt' }, g.excerpt) : h('span', { class: 'muted' }, ' no output'),
        h('span', { class: 'muted sample' }, ` e.g. ${g.sampleHost}`))),
      groups.other ? h('li', { 'data-group': 'other', class: 'muted' }, `${plural(groups.other, 'host', 'hosts')} with other outputs (more than ${groups.maxGroups} different outputs)`) : null),
      groups.groups.length > GROUPS_SHOWN ? h('button', { type: 'button', 'data-key': 'more-groups', onclick: () => { groupsBox.dataset.expanded = expanded ? '' : '1'; drawGroups(); } },
        expanded ? 'Show fewer groups' : `Show all ${groups.groups.length} groups`) : null);
  }

  async function loadGroups() {
    try {
      groups = await api(`${base}/groups`, { signal });
    } catch (e) {
      if (e.status !== 404) throw e;
      groups = null; // the step has not started
    }
    drawGroups();
    drawChosen();
  }

  drawChosen();
  await Promise.all([loadGroups(), table.load(0)]);

  let shown = '';
  let last = 0;
  let timer = null;
  const refresh = async () => {
    timer = null;
    last = performance.now();
    try { await Promise.all([loadGroups(), table.refresh()]); } catch { /* read again on the next change */ }
  };
  follow(`/api/v1/task-instances/${encodeURIComponent(id)}/events`, (event, run) => {
    if (event !== 'instance') return;
    const s = run.steps.find((x) => x.index === step);
    if (!s) return;
    replace(title, `Hosts of step ${step} '${s.name}' `, statusBadge(s.status));
    replace(summary, counts(s.targets));
    const key = JSON.stringify([s.status, s.attempt, s.targets]);
    if (shown && key !== shown && !timer) {
      timer = setTimeout(refresh, Math.max(0, REFRESH_MS - (performance.now() - last)));
    }
    shown = key;
  }, signal).catch(() => {});
  signal.addEventListener('abort', () => { if (timer) clearTimeout(timer); });
}
