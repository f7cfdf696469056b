// A run: its steps as a timeline (status as text and colour, target counts by status, rolling batch, approvals), who
// did what, and the actions the caller's roles allow, each confirmed first. Live over the run's event stream.
import { api, follow, allows } from '../api.js';
import { h, replace, statusBadge, when, toast } from '../dom.js';
import { confirmAction } from '../confirm.js';

const FINAL = new Set(['succeeded', 'failed', 'stopped', 'cancelled', 'skipped']);
const FAILED_TARGETS = ['failed', 'timedOut', 'agentOffline', 'agentLost', 'stopped'];

export function counts(targets) {
  const entries = Object.entries(targets || {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return h('span', { class: 'muted' }, 'no hosts yet');
  return h('ul', { class: 'counts', 'aria-label': 'Hosts by status' },
    entries.map(([status, n]) => h('li', { class: `status-${status}`, 'data-status': status }, `${status.replace(/([A-Z])/g, ' $1').toLowerCase()}: `, h('strong', {}, String(n)))));
}

export async function renderRun(main, [id], { me, signal }) {
  const base = `/api/v1/task-instances/${encodeURIComponent(id)}`;
  const head = h('section', { 'aria-labelledby': 'run-title' });
  const timeline = h('section', { 'aria-label': 'Steps' });
  const history = h('section', { 'aria-labelledby': 'history-title' });
  const live = h('p', { class: 'muted live', id: 'live' }, 'connecting…');
  main.replaceChildren(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, 'Runs'), ' / ', id),
    head, live, timeline, history);
  let run = null;
  let streaming = false;

  const ns = () => (run && run.namespace) || 'default';
  const may = (role) => allows(me, ns(), role);

  async function act({ title, message, confirm, reason = 'optional', path, body }) {
    const answer = await confirmAction({ title, message, confirm, reason });
    if (!answer) return;
    try {
      await api(path, { method: 'POST', body: body(answer.reason || undefined) });
      toast(`${confirm}: done.`);
      stream();
    } catch (e) {
      toast(`${confirm} refused: ${e.message}`, 'error');
    }
  }

  function stepActions(step) {
    const runFinal = FINAL.has(run.status);
    const stepFinal = FINAL.has(step.status);
    const stepPath = `${base}/steps/${step.index}`;
    const buttons = [];
    const label = `step ${step.index} '${step.name}'`;
    if (may('approver') && step.status === 'waitingForApproval') {
      buttons.push(h('button', { type: 'button', class: 'primary', 'data-key': `approve-${step.index}`, onclick: () => act({
        title: `Approve ${label}?`, message: 'The run goes on with the next step. Your name and reason are recorded.', confirm: 'Approve',
        reason: 'required', path: `${stepPath}/approve`, body: (reason) => ({ reason }) }) }, 'Approve…'));
      buttons.push(h('button', { type: 'button', class: 'danger', 'data-key': `reject-${step.index}`, onclick: () => act({
        title: `Reject ${label}?`, message: 'The step fails, and with it the run. Your name and reason are recorded.', confirm: 'Reject',
        reason: 'required', path: `${stepPath}/reject`, body: (reason) => ({ reason }) }) }, 'Reject…'));
    }
    if (may('operator') && step.status === 'paused') {
      buttons.push(h('button', { type: 'button', 'data-key': `continue-${step.index}`, onclick: () => act({
        title: `Continue ${label}?`, message: 'The rollout goes on with its next batch.', confirm: 'Continue',
        path: `${stepPath}/continue`, body: (reason) => ({ reason }) }) }, 'Continue…'));
    }
    if (may('operator') && ((!runFinal && !stepFinal) || (step.status === 'failed' && run.status === 'failed'))) {
      buttons.push(h('button', { type: 'button', 'data-key': `skip-${step.index}`, onclick: () => act({
        title: `Skip ${label}?`, message: stepFinal ? 'The failed step counts as skipped and the run goes on.' : 'Its running targets are killed; the run goes on with the next step.',
        confirm: 'Skip', path: `${stepPath}/skip`, body: (reason) => ({ reason }) }) }, 'Skip…'));
    }
    const failedHosts = FAILED_TARGETS.reduce((n, s) => n + ((step.targets || {})[s] || 0), 0);
    if (may('operator') && stepFinal && step.kind !== 'approval' && (failedHosts > 0 || step.status === 'failed')) {
      buttons.push(h('button', { type: 'button', 'data-key': `retry-${step.index}`, onclick: () => act({
        title: `Retry the failed targets of ${label}?`, message: `${failedHosts} host(s) run the step again, with the original parameters; the run then goes on.`,
        confirm: 'Retry', reason: 'none', path: `${stepPath}/retry`, body: () => ({ set: 'failed' }) }) }, 'Retry failed targets…'));
    }
    return buttons.length ? h('div', { class: 'actions', role: 'group', 'aria-label': `Actions on ${label}` }, buttons) : null;
  }

  function approvals(step) {
    if (!step.approvals) return null;
    return h('ul', { class: 'approvals', 'aria-label': 'Decisions' }, step.approvals.map((a) =>
      h('li', { 'data-approver': a.by }, h('strong', {}, a.approve ? 'Approved' : 'Rejected'), ' by ', h('span', { class: 'principal' }, a.by),
        ` at ${when(a.at)}`, a.reason ? `: “${a.reason}”` : '')));
  }

  function draw() {
    const runFinal = FINAL.has(run.status);
    replace(head,
      h('h1', { id: 'run-title' }, `Run of ${run.planName || run.planId} `, statusBadge(run.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Run'), h('dd', {}, run.id),
        h('dt', {}, 'Plan'), h('dd', {}, `${run.planId} version ${run.planVersion}`),
        h('dt', {}, 'Started by'), h('dd', {}, run.by || '—'),
        h('dt', {}, 'Created'), h('dd', {}, when(run.createdAt)),
        h('dt', {}, 'Started'), h('dd', {}, when(run.startedAt)),
        h('dt', {}, 'Finished'), h('dd', {}, when(run.finishedAt)),
        run.reason ? [h('dt', {}, 'Reason'), h('dd', { class: 'reason wide' }, run.reason)] : null),
      !may('operator') && !may('approver') ? h('p', { class: 'muted', id: 'read-only' }, `Read only: your grants on namespace ${ns()} allow no actions.`) : null,
      !runFinal && may('operator') ? h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions on the run' },
        h('button', { type: 'button', class: 'danger', 'data-key': 'cancel', onclick: () => act({
          title: 'Cancel this run?', message: 'Targets not started never start; running scripts are killed.', confirm: 'Cancel run',
          path: `${base}/cancel`, body: (reason) => ({ reason }) }) }, 'Cancel run…')) : null);
    replace(timeline,
      h('h2', {}, 'Steps'),
      h('ol', { class: 'timeline' }, run.steps.map((step) => h('li', {
        class: `step status-${step.status}${step.index === run.currentStep && !runFinal ? ' current' : ''}`, 'data-step': step.index },
      h('h3', {}, `${step.index}. ${step.name} `, statusBadge(step.status)),
      h('p', { class: 'muted meta' }, `${step.kind}, attempt ${step.attempt}`,
        step.kind !== 'approval' && step.batchCount ? `, rolling batch ${step.batch} of ${step.batchCount}` : '',
        step.kind !== 'approval' && step.totalTargets !== undefined && step.totalTargets !== null ? `, ${step.totalTargets} host(s)` : ''),
      step.kind === 'approval' ? null : counts(step.targets),
      step.reason ? h('p', { class: 'reason' }, step.reason) : null,
      approvals(step),
      step.kind === 'approval' || !step.targets || Object.keys(step.targets).length === 0 ? null :
        h('p', {}, h('a', { href: `#/runs/${encodeURIComponent(run.id)}/steps/${step.index}`, 'data-key': `hosts-${step.index}` }, `Hosts of step ${step.index}`)),
      stepActions(step)))));
    replace(history,
      h('h2', { id: 'history-title' }, 'Who did what'),
      !run.actions || run.actions.length === 0 ? h('p', { class: 'muted' }, 'No control actions.') :
        h('table', { class: 'grid', 'aria-labelledby': 'history-title' },
          h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Step', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, run.actions.map((a) => h('tr', {},
            h('td', {}, when(a.at)), h('td', {}, a.by), h('td', {}, a.action),
            h('td', {}, a.stepIndex === undefined || a.stepIndex === null ? '—' : String(a.stepIndex)), h('td', {}, a.reason || '—'))))));
  }

  function stream() {
    if (streaming || signal.aborted) return;
    streaming = true;
    live.textContent = 'live';
    follow(`${base}/events`, (event, data) => {
      if (event === 'instance') { run = data; draw(); }
    }, signal).then(() => {
      live.textContent = run && FINAL.has(run.status) ? `finished (${run.status})` : 'not live';
    }, (e) => {
      live.textContent = 'not live';
      toast(e.message, 'error');
    }).finally(() => { streaming = false; });
  }

  stream();
}
