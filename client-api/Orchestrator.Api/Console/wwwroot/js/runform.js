// The run form of a plan's page: one field per declared parameter (a password input for a secret, a textarea of hosts
// for a host list), confirmation, POST /api/v1/plans/{id}/run with the version shown, then the new run's page.
// A secret is never echoed: its field starts empty (the plan's default shows as *** in the API and is not copied),
// is cleared as soon as the request is sent, and the confirmation names it without its value.
import { api } from './api.js';
import { h, toast } from './dom.js';
import { confirmAction } from './confirm.js';

const kindOf = (p) => String(p.type || 'string').toLowerCase(); // 'string' | 'secret' | 'hostlist'

function field(p) {
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
    input.value = hasDefault ? String(p.default).split(/[\s,]+/).filter(Boolean).join('\n') : '';
  } else {
    input = h('input', { id, name: p.name, type: 'text', size: '40', autocomplete: 'off', required: p.required && !hasDefault });
    input.value = hasDefault ? String(p.default) : '';
  }
  const note = [kind === 'secret' ? 'secret' : kind === 'hostlist' ? 'host list' : null, p.required ? 'required' : null].filter(Boolean).join(', ');
  return h('p', { class: 'param', dataset: { param: p.name, kind } },
    h('label', { for: id }, p.name, note ? h('span', { class: 'muted' }, ` (${note})`) : null),
    input,
    p.description ? h('span', { class: 'muted hint' }, p.description) : null);
}

/** The form for plan `planId` at `version` (its definition's parameters); null when the caller may not run it. */
export function runForm(planId, version, definition, mayRun) {
  if (!mayRun) return null;
  const params = definition.parameters || [];
  const fields = params.map(field);
  const form = h('form', { class: 'runform', id: 'run-form', 'aria-labelledby': 'run-title' },
    h('h2', { id: 'run-title' }, `Run version ${version}`),
    params.length ? fields : h('p', { class: 'muted' }, 'This plan declares no parameters.'),
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'run-button' }, 'Run')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const values = {};
    for (const p of params) {
      const el = form.elements.namedItem(p.name);
      const v = kindOf(p) === 'secret' ? el.value : el.value.trim();
      if (v !== '') values[p.name] = kindOf(p) === 'hostlist' ? v.split(/[\s,]+/).filter(Boolean).join(',') : v;
    }
    const shown = params.map((p) => {
      if (!(p.name in values)) return `${p.name}: (default)`;
      return kindOf(p) === 'secret' ? `${p.name}: (secret, given)` : `${p.name}: ${values[p.name]}`;
    });
    const answer = await confirmAction({
      title: `Run ${planId}?`,
      message: `Version ${version}` + (shown.length ? ` with ${shown.join('; ')}.` : ', no parameters.'),
      confirm: 'Run',
    });
    if (!answer) return;
    for (const p of params) if (kindOf(p) === 'secret') form.elements.namedItem(p.name).value = '';
    const button = form.querySelector('#run-button');
    button.disabled = true;
    try {
      const run = await api(`/api/v1/plans/${encodeURIComponent(planId)}/run`, { method: 'POST', body: { parameters: values, version } });
      toast(`Started ${run.id}.`);
      location.hash = `#/runs/${encodeURIComponent(run.id)}`;
    } catch (err) {
      toast(`Run refused: ${err.message}`, 'error');
      button.disabled = false;
    }
  });
  return form;
}
