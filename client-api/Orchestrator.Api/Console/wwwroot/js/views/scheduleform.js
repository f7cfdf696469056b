// The schedule form: #/schedules/new[?plan=<id>] creates a schedule, #/schedules/<plan>/<name>/edit replaces one, with
// PUT /api/v1/plans/{planId}/schedules/{name} and If-Match (0 to create, so that an existing schedule is not
// overwritten; its revision to edit, so that a change made meanwhile is a 409, not lost). The page checks what it can
// first (name, the cron's shape, a zone the browser knows, durations, limits, required parameters); the API checks
// again, and its field errors are shown next to their fields. As the cron, zone or day rule change, the next three fire
// times come from POST /api/v1/schedules/preview. The API lets only an admin of the plan's namespace save: others are
// told so instead of getting a form. A schedule with a status hook or labels is not edited here (the form cannot keep
// the hook's secret nor show labels, and a save replaces the whole schedule).
import { api, allows } from '../api.js';
import { h, toast, hashQuery } from '../dom.js';
import { DURATION, parameterFields, parameterValues, clearSecrets, showFieldErrors, parameterFieldOf } from '../runform.js';
import { inViewerZone } from './schedules.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const ALIASES = { schedule: 'cron', startingDeadlineSeconds: 'startingDeadline', concurrencyPolicy: 'overlap',
  successfulJobsHistoryLimit: 'successfulHistoryLimit', failedJobsHistoryLimit: 'failedHistoryLimit' };
const FIELDS = ['name', 'plan', 'planVersion', 'cron', 'timeZone', 'dayMatching', 'overlap', 'catchUp', 'catchUpWindow',
  'startingDeadline', 'successfulHistoryLimit', 'failedHistoryLimit', 'description'];

const fieldOf = (path) => {
  const name = ALIASES[path] || path;
  return FIELDS.includes(name) ? `sched-${name}` : parameterFieldOf(path);
};

/** Whether the browser knows IANA zone `zone`. */
function knownZone(zone) {
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch { return false; }
}

/** The page's own checks of `v` (the form's values): [{path, message}]. */
export function checkSchedule(v, creating) {
  const errors = [];
  if (creating && !NAME.test(v.name)) errors.push({ path: 'name', message: '1 to 63 ASCII letters, digits, \'-\', \'_\' or \'.\', starting with a letter or digit.' });
  if (creating && !v.plan) errors.push({ path: 'plan', message: 'Required: the id of the plan to run.' });
  const cron = v.cron.trim();
  if (!cron) errors.push({ path: 'cron', message: 'Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...).' });
  else if (cron.startsWith('@') ? !MACROS.includes(cron.toLowerCase()) : ![5, 6].includes(cron.split(/\s+/).length)) {
    errors.push({ path: 'cron', message: cron.startsWith('@') ? `Not one of ${MACROS.join(', ')}.` : `${cron.split(/\s+/).length} fields: give 5 (minute hour day month weekday) or 6 (with seconds first).` });
  }
  if (v.timeZone && !knownZone(v.timeZone)) errors.push({ path: 'timeZone', message: `'${v.timeZone}' is not a time zone (an IANA name such as Europe/Berlin, or UTC).` });
  if (v.planVersion && !(Number.isInteger(Number(v.planVersion)) && Number(v.planVersion) >= 1)) errors.push({ path: 'planVersion', message: 'A version number from 1, or empty for the latest.' });
  for (const k of ['catchUpWindow', 'startingDeadline']) {
    if (v[k] && !DURATION.test(v[k]) && !/^[0-9]+$/.test(v[k])) errors.push({ path: k, message: 'A duration such as 90s, 30m or 24h.' });
  }
  for (const k of ['successfulHistoryLimit', 'failedHistoryLimit']) {
    if (v[k] !== '' && !(Number.isInteger(Number(v[k])) && Number(v[k]) >= 0 && Number(v[k]) <= 1000)) errors.push({ path: k, message: 'A whole number from 0 to 1000.' });
  }
  return errors;
}

function row(name, label, input, hint) {
  input.id = `sched-${name}`;
  input.name = name;
  return h('p', { class: 'param' }, h('label', { for: input.id }, label), input,
    hint ? h('span', { class: 'muted hint' }, hint) : null,
    h('span', { class: 'hint field-error', id: `${input.id}-error`, role: 'alert' }));
}

const text = (value, attrs = {}) => { const i = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs }); i.value = value ?? ''; return i; };

function choose(value, options) {
  return h('select', {}, options.map(([v, t]) => h('option', { value: v, selected: v === (value ?? '') }, t)));
}

export async function renderScheduleForm(main, [planIdGiven, nameGiven], { me, signal }) {
  const editing = Boolean(nameGiven);
  const path = (planId, name) => `/api/v1/plans/${encodeURIComponent(planId)}/schedules/${encodeURIComponent(name)}`;
  const saved = editing ? await api(path(planIdGiven, nameGiven), { signal }) : null;
  const spec = (saved && saved.spec) || {};
  const title = editing ? `Edit ${nameGiven}` : 'New schedule';
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: '#/schedules' }, 'Schedules'), ' / ',
    editing ? [h('a', { href: `#/schedules/${encodeURIComponent(planIdGiven)}/${encodeURIComponent(nameGiven)}` }, nameGiven), ' / edit'] : 'new');
  if (editing && !allows(me, saved.namespace, 'admin')) {
    main.replaceChildren(crumbs, h('h1', {}, title), h('p', { class: 'error' }, `Saving a schedule needs the admin role on namespace ${saved.namespace}.`));
    return;
  }
  if (editing && (spec.statusHook || spec.labels)) {
    main.replaceChildren(crumbs, h('h1', {}, title), h('p', { class: 'muted', id: 'schedule-not-editable' },
      'This schedule has a status hook or labels, which this form cannot keep (a hook\'s secret is not shown back): edit it with the API or orch.'));
    return;
  }

  const planInput = text(editing ? planIdGiven : hashQuery().get('plan') || '', { size: '30', readonly: editing, placeholder: 'plan id' });
  const params = h('div', { id: 'sched-params' });
  const preview = h('output', { id: 'sched-preview', for: 'sched-cron sched-timeZone', 'aria-live': 'polite' });
  const general = h('p', { class: 'error', id: 'sched-error', role: 'alert' });
  let definition = { parameters: [] };
  let namespace = null;
  let loaded = null; // the plan and version whose parameters the form shows

  const form = h('form', { class: 'runform', id: 'schedule-form', 'aria-labelledby': 'sched-title', novalidate: true },
    h('h1', { id: 'sched-title' }, title),
    row('name', 'Name', text(nameGiven, { size: '30', readonly: editing }), editing ? 'A schedule is renamed by creating another.' : 'Letters, digits, \'-\', \'_\', \'.\'.'),
    row('plan', 'Plan', planInput),
    row('planVersion', 'Plan version', text(spec.planVersion, { size: '6', inputmode: 'numeric', placeholder: 'latest' }), 'Empty: each run uses the latest version.'),
    row('cron', 'Cron', text(spec.cron, { size: '30', placeholder: '30 2 * * *' }), 'minute hour day month weekday (a 6th field first: seconds), or @daily, @hourly, …'),
    row('timeZone', 'Time zone', text(spec.timeZone || (editing ? '' : 'UTC'), { size: '24', list: 'sched-zones' }), 'An IANA zone: the cron is read in its wall-clock time.'),
    h('datalist', { id: 'sched-zones' }, (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : []).map((z) => h('option', { value: z }))),
    row('dayMatching', 'Day rule', choose(spec.dayMatching, [['', 'default: either day field matches'], ['either', 'either day field matches'], ['both', 'both day fields must match']])),
    h('p', { class: 'param' }, h('span', {}, 'Next fire times'), preview),
    row('overlap', 'Overlap policy', choose(spec.overlap, [['', 'default: forbid'], ['forbid', 'forbid: skip a fire while a run goes on'], ['allow', 'allow: runs overlap'], ['replace', 'replace: cancel the running ones']])),
    row('catchUp', 'Catch-up', choose(spec.catchUp, [['', 'default: latest'], ['latest', 'latest missed fire only'], ['all', 'every missed fire in the window'], ['none', 'none: skip missed fires']])),
    row('catchUpWindow', 'Catch-up window', text(spec.catchUpWindow, { size: '8', placeholder: '24h' })),
    row('startingDeadline', 'Starting deadline', text(spec.startingDeadline, { size: '8', placeholder: 'none' }), 'A fire that cannot start within this is skipped.'),
    row('successfulHistoryLimit', 'Succeeded runs kept', text(spec.successfulHistoryLimit, { size: '5', inputmode: 'numeric', placeholder: '3' })),
    row('failedHistoryLimit', 'Failed runs kept', text(spec.failedHistoryLimit, { size: '5', inputmode: 'numeric', placeholder: '1' })),
    row('description', 'Description', (() => { const t = h('textarea', { rows: '2', cols: '40' }); t.value = spec.description || ''; return t; })()),
    h('p', { class: 'param' }, h('label', { for: 'sched-suspend' }, 'Suspended'), h('input', { type: 'checkbox', id: 'sched-suspend', name: 'suspend', checked: Boolean(spec.suspend) })),
    h('h2', {}, 'Parameters'),
    params,
    general,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'sched-save' }, editing ? 'Save' : 'Create'),
      h('a', { href: editing ? `#/schedules/${encodeURIComponent(planIdGiven)}/${encodeURIComponent(nameGiven)}` : '#/schedules' }, 'Cancel')));
  main.replaceChildren(crumbs, form);
  const value = (name) => String(form.elements.namedItem(name).value || '').trim();

  async function loadPlan() {
    const planId = value('plan');
    loaded = `${planId}@${value('planVersion')}`;
    const slot = form.querySelector('#sched-plan-error');
    slot.textContent = '';
    params.replaceChildren();
    definition = { parameters: [] };
    if (!planId) return;
    try {
      const version = value('planVersion');
      const plan = await api(`/api/v1/plans/${encodeURIComponent(planId)}${/^[0-9]+$/.test(version) ? `?version=${version}` : ''}`, { signal });
      definition = plan.definition || { parameters: [] };
      namespace = plan.namespace;
      if (!allows(me, namespace, 'admin')) slot.textContent = `Saving a schedule of this plan needs the admin role on namespace ${namespace}.`;
      const declared = definition.parameters || [];
      params.replaceChildren(...(declared.length ? parameterFields(declared, spec.parameters || {}) : [h('p', { class: 'muted' }, 'The plan declares no parameters.')]),
        declared.some((p) => String(p.type).toLowerCase() === 'secret') ? h('p', { class: 'muted hint' }, 'A secret is not shown back: give it again, or leave it empty for the plan\'s default.') : null);
    } catch (e) {
      if (!signal.aborted) slot.textContent = e.message;
    }
  }

  async function showPreview() {
    const cron = value('cron');
    const errors = checkSchedule({ ...Object.fromEntries(FIELDS.map((f) => [f, ''])), cron, timeZone: value('timeZone') }, false)
      .filter((e) => e.path === 'cron' || e.path === 'timeZone');
    for (const id of ['sched-cron-error', 'sched-timeZone-error']) form.querySelector(`#${id}`).textContent = '';
    preview.textContent = '';
    if (!cron) return;
    if (errors.length) { for (const e of errors) form.querySelector(`#${fieldOf(e.path)}-error`).textContent = e.message; return; }
    try {
      const body = { cron, timeZone: value('timeZone') || 'UTC', count: 3 };
      if (value('dayMatching')) body.dayMatching = value('dayMatching');
      const reply = await api('/api/v1/schedules/preview', { method: 'POST', body, signal });
      preview.textContent = reply.fires.map((f) => `${f.local} (${inViewerZone(f.utc)})`).join('; ') || 'never';
    } catch (e) {
      for (const err of (e.problem && e.problem.errors) || []) {
        const slot = form.querySelector(`#${fieldOf(err.path)}-error`);
        if (slot) slot.textContent = err.message;
      }
    }
  }

  form.elements.namedItem('plan').addEventListener('change', loadPlan);
  form.elements.namedItem('planVersion').addEventListener('change', loadPlan);
  for (const name of ['cron', 'timeZone', 'dayMatching']) form.elements.namedItem(name).addEventListener('change', showPreview);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (loaded !== `${value('plan')}@${value('planVersion')}`) await loadPlan(); // typed and submitted without leaving the field
    const v = Object.fromEntries(FIELDS.map((f) => [f, value(f)]));
    const declared = definition.parameters || [];
    const missing = declared.filter((p) => form.elements.namedItem(p.name).required && !form.elements.namedItem(p.name).value.trim())
      .map((p) => ({ path: `parameters.${p.name}`, message: 'Required (the plan has no default).' }));
    if (!showFieldErrors(form, [...checkSchedule(v, !editing), ...missing], fieldOf, general)) return;
    const body = { cron: v.cron, timeZone: v.timeZone || 'UTC', suspend: form.elements.namedItem('suspend').checked, parameters: parameterValues(form, declared) };
    for (const k of ['dayMatching', 'overlap', 'catchUp', 'catchUpWindow', 'startingDeadline', 'description']) if (v[k]) body[k] = v[k];
    for (const k of ['planVersion', 'successfulHistoryLimit', 'failedHistoryLimit']) if (v[k] !== '') body[k] = Number(v[k]);
    const button = form.querySelector('#sched-save');
    button.disabled = true;
    try {
      await api(path(v.plan, v.name), { method: 'PUT', body, headers: { 'If-Match': `"${editing ? saved.revision : 0}"` } });
      clearSecrets(form, declared);
      toast(editing ? `Saved ${v.name}.` : `Created ${v.name}.`);
      location.hash = `#/schedules/${encodeURIComponent(v.plan)}/${encodeURIComponent(v.name)}`;
    } catch (err) {
      const errors = (err.problem && err.problem.errors) || [];
      showFieldErrors(form, errors, fieldOf, general);
      if (errors.length === 0) general.textContent = err.status === 409 ? `${err.message} Reload to see the schedule as it is now.` : err.message;
      button.disabled = false;
    }
  });

  await loadPlan();
  await showPreview();
}
