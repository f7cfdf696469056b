// Audit: GET /api/v1/audit, newest first, a page (50) at a time with the API's cursor, filtered by principal, action,
// object (kind or kind:id) and a time range as the API allows. Only an admin of every namespace may read it (the nav
// hides the link from everyone else, and the API refuses them). Each entry: when, who, what, on which object, how it
// ended (the HTTP status and, when refused, why), from where, and its trace id.
import { api } from '../api.js';
import { h, when, hashQuery, hashWith, pager, field, instant, filterForm } from '../dom.js';

const PAGE = 50;

function objectCell(o) {
  if (!o) return h('span', { class: 'muted' }, '—');
  const text = o.id ? `${o.kind}:${o.id}` : o.kind;
  if (o.kind === 'instance' && o.id) {
    const run = o.id.split('/')[0];
    return h('a', { href: `#/runs/${encodeURIComponent(run)}` }, text);
  }
  if (o.kind === 'plan' && o.id) return h('a', { href: `#/plans/${encodeURIComponent(o.id)}` }, text);
  return text;
}

function outcome(e) {
  const ok = e.status < 400;
  return h('span', {}, h('span', { class: `status status-${ok ? 'succeeded' : 'failed'}` }, `${ok ? 'done' : 'refused'} ${e.status}`),
    e.problem ? h('span', { class: 'reason' }, ` ${e.problem}`) : null);
}

export async function renderAudit(main, _params, { signal }) {
  const query = hashQuery();
  const filter = { who: query.get('who') || '', action: query.get('action') || '', object: query.get('object') || '', from: query.get('from') || '', to: query.get('to') || '' };
  const after = query.get('after') || '';
  const back = query.get('back') || '';
  const form = filterForm('audit-filters', '#/audit', 'audit', ['who', 'action', 'object', 'from', 'to'], {},
    field('audit-who', 'Who', { type: 'search', value: filter.who, placeholder: 'principal', size: '14' }),
    field('audit-action', 'Action', { type: 'search', value: filter.action, placeholder: 'instance.cancel', size: '16' }),
    field('audit-object', 'Object', { type: 'search', value: filter.object, placeholder: 'instance:<id>', size: '18' }),
    field('audit-from', 'From', { type: 'datetime-local', value: filter.from }),
    field('audit-to', 'To', { type: 'datetime-local', value: filter.to }),
    h('button', { type: 'submit' }, 'Filter'));
  const body = h('div', { id: 'audit-body' });
  main.replaceChildren(h('h1', { id: 'audit-title' }, 'Audit'),
    h('p', { class: 'muted' }, 'Every state-changing request, accepted or refused; newest first. Bodies are never recorded: a control action\'s reason is on its run.'),
    form, body);

  const page = await api(hashWith('/api/v1/audit', {
    who: filter.who, action: filter.action, object: filter.object, from: instant(filter.from), to: instant(filter.to), after, limit: PAGE,
  }), { signal });
  const anyFilter = Object.values(filter).some(Boolean);
  body.replaceChildren(
    page.items.length === 0 ? h('p', { class: 'muted' }, anyFilter ? 'No entries match.' : 'No entries.') :
      h('table', { class: 'grid', 'aria-labelledby': 'audit-title' },
        h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Object', 'Outcome', 'Address', 'Trace id'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, page.items.map((e) => h('tr', { 'data-audit': String(e.id) },
          h('td', {}, when(e.at)),
          h('td', {}, e.who),
          h('td', {}, h('code', {}, e.action)),
          h('td', {}, objectCell(e.object)),
          h('td', {}, outcome(e)),
          h('td', {}, e.address || '—'),
          h('td', {}, h('code', { class: 'trace' }, e.traceId)))))),
    pager('#/audit', filter, { after, back, next: page.next }, 'Pages of the audit log'));
}
