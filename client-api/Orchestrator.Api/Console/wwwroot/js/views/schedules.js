// Schedules: #/schedules lists GET /api/v1/schedules (a page of 50 with the API's cursor): each schedule's cron,
// zone, whether it is suspended and its next due time in the schedule's zone and in the viewer's. A schedule,
// #/schedules/<planId>/<name>, is GET /api/v1/plans/{planId}/schedules/{name}?preview=10: its next fire times
// (the API's nextFires: UTC and the zone's wall-clock time with daylight saving), the runs it started and the fires it
// skipped with their reasons, and suspend/resume, edit and delete (admin) and run now (operator) buttons, each
// confirming first but edit (a form: scheduleform.js). Both are live: the list follows GET /api/v1/events/schedules and
// a schedule GET …/schedules/{name}/events (its reply again whenever it changed: a fire, a skip, a run finishing, an edit
// made elsewhere).
import { api, allows, followOne, followPages } from '../api.js';
import { h, replace, statusBadge, when, toast, hashQuery, hashWith, pager, anywhere } from '../dom.js';
import { confirmAction } from '../confirm.js';

const PAGE = 50;
const PREVIEW = 10;

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

/** An instant in the viewer's zone, with the zone's abbreviation. */
export function inViewerZone(value) {
  if (!value) return '—';
  const d = new Date(value);
  return isNaN(d) ? String(value) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' });
}

/** An instant in an IANA zone the browser knows (the API's own local text is used where it gives one). */
export function inZone(value, zone) {
  if (!value) return '—';
  const d = new Date(value);
  if (isNaN(d)) return String(value);
  try {
    return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long', timeZone: zone });
  } catch {
    return `${d.toISOString()} (UTC; the browser does not know ${zone})`;
  }
}

const scheduleHref = (planId, name) => `#/schedules/${encodeURIComponent(planId)}/${encodeURIComponent(name)}`;

/** A table of schedules from a list reply's items ({key, namespace, schedule: {planId, name, cron, timeZone, ...}}). */
export function scheduleTable(items, label) {
  return h('table', { class: 'grid', 'aria-label': label },
    h('thead', {}, h('tr', {}, ['Schedule', 'Plan', 'Namespace', 'Cron', 'Zone', 'State', 'Next (schedule\'s zone)', `Next (${viewerZone()})`]
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, items.map((x) => {
      const s = x.schedule || {};
      const [planId, name] = s.planId ? [s.planId, s.name] : x.key.split('/');
      return h('tr', { 'data-schedule': x.key },
        h('td', {}, h('a', { href: scheduleHref(planId, name) }, name)),
        h('td', {}, h('a', { href: `#/plans/${encodeURIComponent(planId)}` }, planId)),
        h('td', {}, x.namespace),
        h('td', {}, h('code', {}, s.cron || '—')),
        h('td', {}, s.timeZone || '—'),
        h('td', {}, statusBadge(s.suspend ? 'suspended' : 'active')),
        h('td', {}, s.suspend ? '— (suspended)' : inZone(s.nextDue, s.timeZone || 'UTC')),
        h('td', {}, s.suspend ? '—' : inViewerZone(s.nextDue)));
    })));
}

export async function renderSchedules(main, _params, { me, signal }) {
  const query = hashQuery();
  const after = query.get('after') || '';
  const back = query.get('back') || '';
  const body = h('div', { id: 'schedules-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const live = h('p', { class: 'muted live', id: 'schedules-live' }, 'connecting…');
  // Saving needs admin on the plan's namespace: offered to an admin of any namespace (the form says which it needs).
  const create = anywhere(me, 'admin') ? h('p', { class: 'actions' }, h('a', { href: '#/schedules/new', class: 'button', id: 'schedule-new' }, 'New schedule')) : null;
  main.replaceChildren(h('h1', { id: 'schedules-title' }, 'Schedules'), create, live, body);
  await followPages(hashWith('/api/v1/events/schedules', { after, limit: PAGE }), (page) => {
    live.textContent = 'live';
    replace(body,
      page.items.length === 0 ? h('p', { class: 'muted' }, 'No schedules.') : scheduleTable(page.items, 'Schedules'),
      pager('#/schedules', {}, { after, back, next: page.next }, 'Pages of schedules'));
  }, signal);
}

export async function renderSchedule(main, [planId, name], { me, signal }) {
  const path = `/api/v1/plans/${encodeURIComponent(planId)}/schedules/${encodeURIComponent(name)}`;
  const gone = () => replace(main, h('p', { class: 'crumbs' }, h('a', { href: '#/schedules' }, 'Schedules')),
    h('p', { class: 'muted', id: 'schedule-gone' }, `Schedule ${name} of ${planId} was deleted.`));
  await followOne(`${path}/events?preview=${PREVIEW}`, 'schedule', (s) => drawSchedule(main, planId, name, path, s, me), gone, signal);
}

function drawSchedule(main, planId, name, path, s, me) {
  const spec = s.spec || {};
  const zone = spec.timeZone || 'UTC';

  // The page follows the schedule: what an action changed arrives as its next event.
  async function act(title, message, confirm, action, after = () => {}, method = 'POST') {
    const answer = await confirmAction({ title, message, confirm });
    if (!answer) return;
    try {
      const reply = await api(action ? `${path}/${action}` : path, { method });
      toast(`${confirm}: done.`);
      after(reply);
    } catch (e) {
      toast(`${confirm} refused: ${e.message}`, 'error');
    }
  }

  const buttons = [];
  if (allows(me, s.namespace, 'admin')) {
    buttons.push(spec.suspend
      ? h('button', { type: 'button', id: 'schedule-resume', 'data-key': 'schedule-resume', onclick: () => act(`Resume ${name}?`, 'Firing carries on from the next due time; due times that passed while suspended are recorded as skipped.', 'Resume', 'resume') }, 'Resume')
      : h('button', { type: 'button', id: 'schedule-suspend', 'data-key': 'schedule-suspend', onclick: () => act(`Suspend ${name}?`, 'No runs start while it is suspended; runs already going carry on.', 'Suspend', 'suspend') }, 'Suspend'));
    buttons.push(h('a', { href: `#/schedules/${encodeURIComponent(planId)}/${encodeURIComponent(name)}/edit`, class: 'button', id: 'schedule-edit', 'data-key': 'schedule-edit' }, 'Edit'));
    buttons.push(h('button', { type: 'button', id: 'schedule-delete', class: 'danger', 'data-key': 'schedule-delete', onclick: () => act(`Delete ${name}?`,
      'It fires no more; the runs it started are kept. This cannot be undone.', 'Delete', '', () => { location.hash = '#/schedules'; }, 'DELETE') }, 'Delete'));
  }
  if (allows(me, s.namespace, 'operator')) {
    buttons.push(h('button', { type: 'button', id: 'schedule-run', class: 'primary', 'data-key': 'schedule-run', onclick: () => act(`Run ${name} now?`, `Starts a run of ${planId} with the schedule's parameters now.`, 'Run now', 'run',
      (r) => { location.hash = `#/runs/${encodeURIComponent(r.id)}`; }) }, 'Run now'));
  }

  const fires = s.nextFires || [];
  replace(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/schedules' }, 'Schedules'), ' / ', h('a', { href: `#/plans/${encodeURIComponent(planId)}` }, planId), ' / ', name),
    h('h1', {}, name, ' ', statusBadge(spec.suspend ? 'suspended' : 'active')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Cron'), h('dd', {}, h('code', { id: 'schedule-cron' }, spec.cron)),
      h('dt', {}, 'Zone'), h('dd', { id: 'schedule-zone' }, zone),
      h('dt', {}, 'Plan'), h('dd', {}, h('a', { href: `#/plans/${encodeURIComponent(planId)}` }, planId), spec.planVersion ? ` (version ${spec.planVersion})` : ' (latest version)'),
      h('dt', {}, 'Namespace'), h('dd', {}, s.namespace),
      h('dt', {}, 'Overlap'), h('dd', { id: 'schedule-overlap' }, spec.overlap || '—'),
      h('dt', {}, 'Parameters'), h('dd', { id: 'schedule-parameters' }, Object.entries(spec.parameters || {}).map(([k, v]) => `${k}=${v}`).join(', ') || '—'),
      h('dt', {}, 'Catch-up'), h('dd', {}, `${spec.catchUp || '—'}${spec.catchUpWindow ? ` (window ${spec.catchUpWindow})` : ''}`),
      h('dt', {}, 'Fired'), h('dd', {}, String(s.fired)),
      h('dt', {}, 'Skipped'), h('dd', {}, String(s.skipped)),
      h('dt', {}, 'Last due'), h('dd', {}, inViewerZone(s.lastDue)),
      h('dt', {}, 'Revision'), h('dd', {}, String(s.revision)),
      spec.description ? [h('dt', {}, 'Description'), h('dd', { class: 'wide' }, spec.description)] : null),
    buttons.length ? h('div', { class: 'actions' }, buttons) : null,
    h('h2', { id: 'next-title' }, 'Next fire times'),
    spec.suspend ? h('p', { class: 'muted' }, 'Suspended: these are the times it would fire at once resumed.') : null,
    fires.length === 0 ? h('p', { class: 'muted' }, 'No fire time ahead.') :
      h('table', { class: 'grid', id: 'next-fires', 'aria-labelledby': 'next-title' },
        h('thead', {}, h('tr', {}, [`In ${zone} (the schedule's zone)`, `In ${viewerZone()} (yours)`, 'UTC'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, fires.map((f) => h('tr', {},
          h('td', {}, f.local, f.daylightSaving ? h('span', { class: 'muted' }, ' (daylight saving)') : null),
          h('td', {}, inViewerZone(f.utc)),
          h('td', {}, h('code', {}, new Date(f.utc).toISOString().replace('.000Z', 'Z'))))))),
    h('h2', { id: 'runs-title' }, 'Runs it started'),
    (s.runs || []).length === 0 ? h('p', { class: 'muted' }, 'None yet.') :
      h('table', { class: 'grid', 'aria-labelledby': 'runs-title' },
        h('thead', {}, h('tr', {}, ['Run', 'Due', 'Trigger', 'Status', 'Started', 'Finished'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, s.runs.map((r) => h('tr', {},
          h('td', {}, r.deleted ? h('span', {}, r.instanceId, h('span', { class: 'muted' }, ' (deleted)')) : h('a', { href: `#/runs/${encodeURIComponent(r.instanceId)}` }, r.instanceId)),
          h('td', {}, r.dueTime ? inViewerZone(r.dueTime) : '— (run now)'),
          h('td', {}, r.trigger),
          h('td', {}, r.status ? statusBadge(r.status) : statusBadge('running')),
          h('td', {}, when(r.startedAt)),
          h('td', {}, when(r.finishedAt)))))),
    h('h2', { id: 'skipped-title' }, 'Skipped fires'),
    (s.skippedFires || []).length === 0 ? h('p', { class: 'muted' }, 'None.') :
      h('table', { class: 'grid', id: 'skipped-fires', 'aria-labelledby': 'skipped-title' },
        h('thead', {}, h('tr', {}, ['Due', 'Reason', 'Detail', 'Recorded'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, s.skippedFires.map((f) => h('tr', {},
          h('td', {}, inViewerZone(f.dueTime)),
          h('td', {}, h('strong', {}, f.reason)),
          h('td', { class: 'reason' }, f.detail || ''),
          h('td', {}, when(f.at)))))));
}
