// A plan: #/plans/<id>[?version=N][&compare=M]. The version shown (default the latest) as YAML with line numbers
// (GET /api/v1/plans/{id}?version=N&format=yaml: the stored definition written as YAML, secret defaults as ***), its
// versions (1..latestVersion: the API lists no versions, each is read by number), two versions side by side with a
// line diff of the two YAML documents that same endpoint returns (linediff.js), the run form for an operator, and
// the plan's schedules (GET /api/v1/plans/{id}/schedules).
import { api, allows } from '../api.js';
import { h, replace, when, hashQuery, hashWith } from '../dom.js';
import { diffLines, splitLines, MAX_CELLS } from '../linediff.js';
import { runForm } from '../runform.js';
import { scheduleTable } from './schedules.js';

const yamlOf = (id, version, signal) =>
  api(hashWith(`/api/v1/plans/${encodeURIComponent(id)}`, { version, format: 'yaml' }), { signal, text: true });

/** Source lines with their numbers: a table, so that the numbers are not copied with the text. */
function codeTable(text, label) {
  return h('div', { class: 'code-wrap' }, h('table', { class: 'code', 'aria-label': label },
    h('tbody', {}, splitLines(text).map((line, i) => h('tr', {},
      h('td', { class: 'ln' }, String(i + 1)), h('td', { class: 'src' }, h('code', {}, line)))))));
}

const KIND_TEXT = { same: '', change: 'changed', del: 'removed', add: 'added' };

function diffTable(a, b, va, vb) {
  const { rows, tooLarge } = diffLines(a, b);
  if (tooLarge) {
    return h('div', {},
      h('p', { class: 'muted', id: 'diff-too-large' }, `Too large to compare line by line (over ${MAX_CELLS.toLocaleString()} line pairs after the common start and end): both versions in full.`),
      h('div', { class: 'side' }, codeTable(a, `Version ${va}`), codeTable(b, `Version ${vb}`)));
  }
  const changed = rows.filter((r) => r.kind !== 'same').length;
  const cell = (side) => side
    ? [h('td', { class: 'ln' }, String(side.n)), h('td', { class: 'src' }, h('code', {}, side.text))]
    : [h('td', { class: 'ln' }), h('td', { class: 'src' })];
  return h('div', {},
    h('p', { id: 'diff-summary' }, changed === 0 ? 'The two versions are the same.' : changed === 1 ? '1 line differs.' : `${changed} lines differ.`),
    h('div', { class: 'code-wrap' }, h('table', { class: 'code diff', id: 'plan-diff', 'aria-label': `Version ${va} and version ${vb} side by side` },
      h('thead', {}, h('tr', {}, h('th', { colspan: '2', scope: 'col' }, `Version ${va}`), h('th', { scope: 'col' }, h('span', { class: 'sr' }, 'Change')), h('th', { colspan: '2', scope: 'col' }, `Version ${vb}`))),
      h('tbody', {}, rows.map((r) => h('tr', { class: `d-${r.kind}` },
        cell(r.left), h('td', { class: 'mark' }, KIND_TEXT[r.kind]), cell(r.right)))))));
}

export async function renderPlan(main, [id], { me, signal }) {
  const query = hashQuery();
  const asked = Number(query.get('version')) || undefined;
  const plan = await api(hashWith(`/api/v1/plans/${encodeURIComponent(id)}`, { version: asked }), { signal });
  const version = plan.version;
  const latest = plan.latestVersion;
  const compareAsked = Number(query.get('compare'));
  const compare = compareAsked >= 1 && compareAsked <= latest && compareAsked !== version ? compareAsked : null;
  const [yaml, other, schedules] = await Promise.all([
    yamlOf(id, version, signal),
    compare ? yamlOf(id, compare, signal) : null,
    api(`/api/v1/plans/${encodeURIComponent(id)}/schedules`, { signal }),
  ]);
  const definition = plan.definition || {};
  const here = (params) => hashWith(`#/plans/${encodeURIComponent(id)}`, params);

  const versions = [];
  for (let v = latest; v >= 1; v--) versions.push(v);
  const compareSelect = h('select', { id: 'compare-with' },
    h('option', { value: '' }, '—'),
    versions.filter((v) => v !== version).map((v) => h('option', { value: String(v), selected: v === compare }, `version ${v}`)));
  compareSelect.addEventListener('change', () => { location.hash = here({ version, compare: compareSelect.value }); });

  replace(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/plans' }, 'Plans'), ' / ', id),
    h('h1', {}, definition.name || id, ' ', h('span', { class: 'muted' }, `version ${version} of ${latest}`)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, id)),
      h('dt', {}, 'Namespace'), h('dd', {}, plan.namespace),
      h('dt', {}, 'Created'), h('dd', {}, when(plan.createdAt)),
      h('dt', {}, 'Updated'), h('dd', {}, when(plan.updatedAt)),
      definition.description ? [h('dt', {}, 'Description'), h('dd', { class: 'wide' }, definition.description)] : null),
    h('nav', { class: 'versions', 'aria-label': 'Versions' }, 'Versions: ',
      versions.map((v) => v === version
        ? h('strong', { 'aria-current': 'page' }, String(v))
        : h('a', { href: here({ version: v, compare }), 'data-version': String(v) }, String(v)))),
    runForm(id, version, definition, allows(me, plan.namespace, 'operator')),
    h('h2', { id: 'compare-title' }, 'Compare'),
    h('p', { class: 'field' }, h('label', { for: 'compare-with' }, `Version ${version} beside`), ' ', compareSelect),
    compare ? (compare < version ? diffTable(other, yaml, compare, version) : diffTable(yaml, other, version, compare)) : null,
    h('h2', {}, compare ? `Version ${version} in full` : 'Definition'),
    codeTable(yaml, `Plan ${id} version ${version} (YAML)`),
    h('h2', {}, 'Schedules'),
    schedules.items.length ? scheduleTable(schedules.items, `Schedules of ${id}`) : h('p', { class: 'muted' }, 'No schedules.'),
    plan.recentInstances && plan.recentInstances.length
      ? [h('h2', {}, 'Recent runs'), h('ul', {}, plan.recentInstances.map((r) => h('li', {}, h('a', { href: `#/runs/${encodeURIComponent(r)}` }, r))))]
      : null);
}
