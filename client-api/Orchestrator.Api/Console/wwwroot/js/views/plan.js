// A plan: #/plans/<id>[?version=N][&compare=M]. The version shown (default the latest) as YAML with line numbers
// (GET /api/v1/plans/{id}?version=N&format=yaml: the stored definition written as YAML, secret defaults as ***), its
// versions with when and by whom each was saved (live: GET /api/v1/plans/{id}/events sends the version list again
// whenever a version is saved, here or elsewhere), two versions side by side with a line diff of the two YAML
// documents that same endpoint returns (linediff.js), the run form for an operator, and the plan's schedules
// (GET /api/v1/plans/{id}/schedules) with a link to add one for an admin.
import { api, allows, followOne } from '../api.js';
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

  const compareSelect = h('select', { id: 'compare-with' });
  compareSelect.addEventListener('change', () => { location.hash = here({ version, compare: compareSelect.value }); });
  const of = h('span', { class: 'muted', id: 'plan-of' }, `version ${version} of ${latest}`);
  const updated = h('dd', {}, when(plan.updatedAt));
  const versionsBody = h('div', { id: 'plan-versions' });

  /** The versions as the plan's event stream sends them (newest first): nav, table, compare choices, heading. */
  function drawVersions(reply) {
    const all = reply.versions;
    of.textContent = `version ${version} of ${reply.latestVersion}`;
    updated.textContent = when(all[0] && all[0].savedAt);
    compareSelect.replaceChildren(h('option', { value: '' }, '—'),
      ...all.filter((x) => x.version !== version).map((x) => h('option', { value: String(x.version), selected: x.version === compare }, `version ${x.version}`)));
    replace(versionsBody,
      h('nav', { class: 'versions', 'aria-label': 'Versions' }, 'Versions: ',
        all.map((x) => x.version === version
          ? h('strong', { 'aria-current': 'page' }, String(x.version))
          : h('a', { href: here({ version: x.version, compare }), 'data-version': String(x.version), 'data-key': `version-${x.version}` }, String(x.version)))),
      h('details', { id: 'versions-details', open: all.length <= 5 },
        h('summary', {}, `${all.length} version${all.length === 1 ? '' : 's'}, when saved`),
        h('table', { class: 'grid', id: 'versions-table', 'aria-label': 'Versions with when each was saved' },
          h('thead', {}, h('tr', {}, ['Version', 'Name', 'Saved', 'By'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, all.map((x) => h('tr', { 'data-version': String(x.version) },
            h('td', { class: 'num' }, x.version === version ? h('strong', {}, String(x.version)) : h('a', { href: here({ version: x.version, compare }) }, String(x.version))),
            h('td', {}, x.name),
            h('td', {}, x.savedAt ? when(x.savedAt) : x.savedAt === null ? '— (not recorded)' : '…'),
            h('td', {}, x.by || '—')))))));
  }
  // Until the stream's first event: the numbers the plan gives (when each was saved is not known yet).
  drawVersions({ latestVersion: latest, versions: Array.from({ length: latest }, (_, i) => ({ version: latest - i, name: '', savedAt: undefined, by: undefined })) });

  replace(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/plans' }, 'Plans'), ' / ', id),
    h('h1', {}, definition.name || id, ' ', of),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, id)),
      h('dt', {}, 'Namespace'), h('dd', {}, plan.namespace),
      h('dt', {}, 'Created'), h('dd', {}, when(plan.createdAt)),
      h('dt', {}, 'Updated'), updated,
      definition.description ? [h('dt', {}, 'Description'), h('dd', { class: 'wide' }, definition.description)] : null),
    versionsBody,
    runForm(id, version, definition, allows(me, plan.namespace, 'operator')),
    h('h2', { id: 'compare-title' }, 'Compare'),
    h('p', { class: 'field' }, h('label', { for: 'compare-with' }, `Version ${version} beside`), ' ', compareSelect),
    compare ? (compare < version ? diffTable(other, yaml, compare, version) : diffTable(yaml, other, version, compare)) : null,
    h('h2', {}, compare ? `Version ${version} in full` : 'Definition'),
    codeTable(yaml, `Plan ${id} version ${version} (YAML)`),
    h('h2', {}, 'Schedules'),
    allows(me, plan.namespace, 'admin') ? h('p', { class: 'actions' }, h('a', { href: `#/schedules/new?plan=${encodeURIComponent(id)}`, class: 'button', id: 'plan-new-schedule' }, 'New schedule')) : null,
    schedules.items.length ? scheduleTable(schedules.items, `Schedules of ${id}`) : h('p', { class: 'muted' }, 'No schedules.'),
    plan.recentInstances && plan.recentInstances.length
      ? [h('h2', {}, 'Recent runs'), h('ul', {}, plan.recentInstances.map((r) => h('li', {}, h('a', { href: `#/runs/${encodeURIComponent(r)}` }, r))))]
      : null);
  await followOne(`/api/v1/plans/${encodeURIComponent(id)}/events`, 'versions', drawVersions, () => {}, signal);
}
