// The run form of a plan's page: one field per declared parameter (a password input for a secret, a textarea of hosts
// for a host list), when to start (now, at a time, or after a delay), confirmation, POST /api/v1/plans/{id}/run with
// the version shown, then the new run's page. The parameter fields serve the schedule form too.
// A secret is never echoed: its field starts empty (the plan's default shows as *** in the API and is not copied),
// is cleared as soon as the request is sent, and the confirmation names it without its value.
import { api } from './api.js';
import { h, toast } from './dom.js';
import { confirmAction } from './confirm.js';

const kindOf = (p) => String(p.type || 'string').toLowerCase(); // 'string' | 'secret' | 'hostlist'

/** A duration as the API reads it: 90s, 5m, 1h30m (or an ISO 8601 one, P1D). */
export const DURATION = /^(?:(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+|P[0-9A-Z.]+)$/;

/** The field of parameter `p`; `given` (a saved value, not a secret's) fills it instead of the default. */
function field(p, given) {
  const id = `param-${p.name}`;
  const kind = kindOf(p);
  const hasDefault = p.default !== undefined && p.default !== null;
  let input;
  if (kind === 'secret') {
    input = h('input', { id, name: p.name, type: 'password', autocomplete: 'new-password', required: p.required && !hasDefault,
      placeholder: hasDefault ? 'empty: the plan\'s default' : null });
  } else if (kind === 'hostlist') {
    input = h('textarea', { id, name: p.name, rows: '4', cols: '40', spellcheck: 'false', required: p.required && !hasDefault,
      placeholder: 'one host a line (or comma-separated)' });
    const value = given !== undefined ? given : hasDefault ? p.default : '';
    input.value = String(value).split(/[\s,]+/).filter(Boolean).join('\n');
  } else {
    input = h('input', { id, name: p.name, type: 'text', size: '40', autocomplete: 'off', required: p.required && !hasDefault });
    input.value = given !== undefined ? given : hasDefault ? String(p.default) : '';
  }
  const note = [kind === 'secret' ? 'secret' : kind === 'hostlist' ? 'host list' : null, p.required ? 'required' : null].filter(Boolean).join(', ');
  return h('p', { class: 'param', dataset: { param: p.name, kind } },
    h('label', { for: id }, p.name, note ? h('span', { class: 'muted' }, ` (${note})`) : null),
    input,
    p.description ? h('span', { class: 'muted hint' }, p.description) : null,
    h('span', { class: 'hint field-error', id: `${id}-error`, role: 'alert' }));
}

/** One field per parameter of `params`; `given` holds saved values by name (secrets are never filled). */
export const parameterFields = (params, given = {}) =>
  params.map((p) => field(p, kindOf(p) === 'secret' || !(p.name in given) ? undefined : given[p.name]));

/** The values of `form`'s parameter fields as the API takes them: empty ones left out, a host list comma-joined. */
export function parameterValues(form, params) {
  const values = {};
  for (const p of params) {
    const el = form.elements.namedItem(p.name);
    const v = kindOf(p) === 'secret' ? el.value : el.value.trim();
    if (v !== '') values[p.name] = kindOf(p) === 'hostlist' ? v.split(/[\s,]+/).filter(Boolean).join(',') : v;
  }
  return values;
}

/** What a confirmation lists of `values`: each parameter's value, a secret as "(secret, given)", a missing one "(default)". */
export const describeValues = (params, values) => params.map((p) => {
  if (!(p.name in values)) return `${p.name}: (default)`;
  return kindOf(p) === 'secret' ? `${p.name}: (secret, given)` : `${p.name}: ${values[p.name]}`;
});

/** Empties the secret fields of `form` (done as soon as a request with them is sent). */
export function clearSecrets(form, params) {
  for (const p of params) if (kindOf(p) === 'secret') form.elements.namedItem(p.name).value = '';
}

/**
 * Shows `errors` ([{path, message}], the API's or the page's) next to their fields in `form`: `fieldOf(path)` names
 * the field's id (its error goes in `${id}-error`); the rest go in `general`. Focuses the first field in error.
 */
export function showFieldErrors(form, errors, fieldOf, general) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  general.textContent = '';
  let first = null;
  for (const e of errors) {
    const id = fieldOf(e.path);
    const slot = id && form.querySelector(`#${CSS.escape(id)}-error`);
    if (!slot) { general.textContent += `${general.textContent ? ' ' : ''}${e.path ? `${e.path}: ` : ''}${e.message}`; continue; }
    slot.textContent += `${slot.textContent ? ' ' : ''}${e.message}`;
    const input = form.querySelector(`#${CSS.escape(id)}`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', `${id}-error`);
      first = first || input;
    }
  }
  if (first) first.focus();
  return errors.length === 0;
}

/** The field id of an API error path that names a parameter ("parameters.release" → "param-release"). */
export const parameterFieldOf = (path) => (path && path.startsWith('parameters.') ? `param-${path.slice('parameters.'.length)}` : null);

/** The "when" of a run: now, at a local time, or after a delay; its value is { at } or { delay } or {}. */
function whenFields() {
  const choice = (value, text, checked) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'run-when', value, checked }), ` ${text}`);
  return h('fieldset', { class: 'when', id: 'run-when' },
    h('legend', {}, 'Start'),
    choice('now', 'now', true), ' ', choice('at', 'at', false), ' ', choice('delay', 'after', false),
    h('p', { class: 'param' },
      h('label', { for: 'run-at' }, 'At (your time)'), h('input', { id: 'run-at', name: 'run-at', type: 'datetime-local' }),
      h('span', { class: 'hint field-error', id: 'run-at-error', role: 'alert' })),
    h('p', { class: 'param' },
      h('label', { for: 'run-delay' }, 'Delay'), h('input', { id: 'run-delay', name: 'run-delay', type: 'text', size: '10', placeholder: '5m, 1h30m', autocomplete: 'off' }),
      h('span', { class: 'hint field-error', id: 'run-delay-error', role: 'alert' })));
}

/** The start the form asks for: { body: {at}|{delay}|{}, text, errors }. */
function whenOf(form) {
  const mode = form.elements.namedItem('run-when').value;
  const at = form.elements.namedItem('run-at').value;
  const delay = form.elements.namedItem('run-delay').value.trim();
  if (mode === 'at') {
    const time = new Date(at);
    if (!at || isNaN(time)) return { errors: [{ path: 'at', message: 'Give the date and time to start at.' }] };
    if (time <= new Date()) return { errors: [{ path: 'at', message: 'That time has passed: give one ahead.' }] };
    return { body: { at: time.toISOString() }, text: `at ${time.toLocaleString()}`, errors: [] };
  }
  if (mode === 'delay') {
    if (!DURATION.test(delay)) return { errors: [{ path: 'delay', message: 'Give a duration such as 90s, 5m or 1h30m.' }] };
    return { body: { delay }, text: `after ${delay}`, errors: [] };
  }
  return { body: {}, text: 'now', errors: [] };
}

const runFieldOf = (path) => (path === 'at' ? 'run-at' : path === 'delay' ? 'run-delay' : parameterFieldOf(path));

/** The form for plan `planId` at `version` (its definition's parameters); null when the caller may not run it. */
export function runForm(planId, version, definition, mayRun) {
  if (!mayRun) return null;
  const params = definition.parameters || [];
  const general = h('p', { class: 'error', id: 'run-error', role: 'alert' });
  const form = h('form', { class: 'runform', id: 'run-form', 'aria-labelledby': 'run-title', novalidate: true },
    h('h2', { id: 'run-title' }, `Run version ${version}`),
    params.length ? parameterFields(params) : h('p', { class: 'muted' }, 'This plan declares no parameters.'),
    whenFields(),
    general,
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'run-button' }, 'Run')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const start = whenOf(form);
    const missing = params.filter((p) => form.elements.namedItem(p.name).required && !form.elements.namedItem(p.name).value.trim())
      .map((p) => ({ path: `parameters.${p.name}`, message: 'Required.' }));
    if (!showFieldErrors(form, [...missing, ...start.errors], runFieldOf, general)) return;
    const values = parameterValues(form, params);
    const shown = describeValues(params, values);
    const answer = await confirmAction({
      title: `Run ${planId}?`,
      message: `Version ${version}, starting ${start.text}` + (shown.length ? `, with ${shown.join('; ')}.` : ', no parameters.'),
      confirm: 'Run',
    });
    if (!answer) return;
    clearSecrets(form, params);
    const button = form.querySelector('#run-button');
    button.disabled = true;
    try {
      const run = await api(`/api/v1/plans/${encodeURIComponent(planId)}/run`, { method: 'POST', body: { parameters: values, version, ...start.body } });
      toast(`Started ${run.id}.`);
      location.hash = `#/runs/${encodeURIComponent(run.id)}`;
    } catch (err) {
      const errors = (err.problem && err.problem.errors) || [];
      showFieldErrors(form, errors, runFieldOf, general);
      if (errors.length === 0) general.textContent = err.message;
      toast(`Run refused: ${err.message}`, 'error');
      button.disabled = false;
    }
  });
  return form;
}
