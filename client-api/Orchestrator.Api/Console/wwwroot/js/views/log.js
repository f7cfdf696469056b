// A host's log for one run of a target: read in pages from the log endpoint and followed (the next page from where
// the last ended, every second) until the run is final and every chunk is there; downloadable as text; searchable
// (the lines that contain a text, numbered, kept up to date while the log grows).
import { api } from '../api.js';
import { h, replace, statusBadge, when, hashQuery, hashWith, toast } from '../dom.js';

const FOLLOW_MS = 1000;
const FINAL = new Set(['succeeded', 'failed', 'timedOut', 'agentOffline', 'agentLost', 'stopped', 'cancelled', 'skipped']);

export async function renderLog(main, [id, stepText, host], { signal }) {
  const step = Number(stepText);
  const base = `/api/v1/task-instances/${encodeURIComponent(id)}/steps/${step}/targets/${encodeURIComponent(host)}`;
  const here = `#/runs/${encodeURIComponent(id)}/steps/${step}/hosts/${encodeURIComponent(host)}`;
  const chosenRun = Number(hashQuery().get('run')) || null;
  const facts = h('div', { id: 'target-facts' });
  const pre = h('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': `Log of ${host}` });
  const state = h('p', { class: 'muted', id: 'log-state', role: 'status' }, 'loading…');
  const followBox = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  const findBox = h('input', { type: 'search', id: 'log-find', placeholder: 'text in a line', autocomplete: 'off' });
  const findState = h('p', { class: 'muted', id: 'log-find-state', role: 'status', hidden: true });
  const matches = h('pre', { id: 'log-matches', class: 'log-matches', tabindex: '0', 'aria-label': `Lines of ${host}'s log that match`, hidden: true });
  let text = ''; // the whole log read so far, for the search
  main.replaceChildren(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, 'Runs'), ' / ',
      h('a', { href: `#/runs/${encodeURIComponent(id)}` }, id), ' / ',
      h('a', { href: `#/runs/${encodeURIComponent(id)}/steps/${step}` }, `step ${step}`), ` / ${host}`),
    h('h1', {}, `Log of ${host}`),
    facts,
    h('div', { class: 'toolbar' },
      h('span', { class: 'field' }, followBox, ' ', h('label', { for: 'log-follow' }, 'Scroll to new output')),
      h('span', { class: 'field' }, h('label', { for: 'log-find' }, 'Find in log'), ' ', findBox),
      h('button', { type: 'button', id: 'log-download', onclick: download }, 'Download')),
    state, findState, matches, pre);

  // The search: the lines containing the text (case-insensitive), with their numbers; the full log hidden meanwhile.
  let findTimer = null;
  function search() {
    const wanted = findBox.value.trim().toLowerCase();
    const on = wanted.length > 0;
    matches.hidden = !on;
    findState.hidden = !on;
    pre.hidden = on;
    if (!on) return;
    const lines = text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    const found = [];
    lines.forEach((line, i) => { if (line.toLowerCase().includes(wanted)) found.push(`${String(i + 1).padStart(6)}  ${line}`); });
    matches.textContent = found.join('\n');
    findState.textContent = `${found.length} of ${lines.length} line(s) contain "${findBox.value.trim()}".`;
  }
  findBox.addEventListener('input', () => { clearTimeout(findTimer); findTimer = setTimeout(search, 150); });

  let target = await api(base, { signal });
  while (!chosenRun && !target.run && !signal.aborted) {
    state.textContent = 'This host has not run yet; waiting…';
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
    target = await api(base, { signal });
  }
  const run = chosenRun || target.run;

  function drawFacts() {
    const attempt = target.attempts.find((a) => a.run === run);
    replace(facts,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Status'), h('dd', {}, statusBadge(attempt ? attempt.status : target.status)),
        h('dt', {}, 'Exit code'), h('dd', { id: 'exit-code' }, attempt && attempt.exitCode !== undefined && attempt.exitCode !== null ? String(attempt.exitCode) : '—'),
        h('dt', {}, 'Run'), h('dd', {}, target.attempts.length > 1
          ? h('span', {}, target.attempts.map((a, i) => [i ? ' · ' : '', a.run === run ? h('strong', {}, `run ${a.run}`) : h('a', { href: hashWith(here, { run: a.run }) }, `run ${a.run}`)]))
          : String(run || '—')),
        h('dt', {}, 'Started'), h('dd', {}, when(attempt && attempt.startedAt)),
        h('dt', {}, 'Finished'), h('dd', {}, when(attempt && attempt.finishedAt)),
        attempt && attempt.error ? [h('dt', {}, 'Error'), h('dd', {}, attempt.error)] : null));
  }

  async function download() {
    try {
      const text = await api(`${base}/log?run=${run}&format=text`, { text: true });
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      const a = h('a', { href: url, download: `${id}-step${step}-${host}-run${run}.log` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  drawFacts();
  let next = 0;
  while (run && !signal.aborted) {
    const page = await api(`${base}/log?run=${run}&from=${next}&limit=500`, { signal });
    if (page.chunks.length) {
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.append(page.chunks.map((c) => c.stream === 'stderr' || c.stream === 'system'
        ? h('span', { class: `log-${c.stream}` }, c.text) : document.createTextNode(c.text)).reduce((f, n) => { f.append(n); return f; }, document.createDocumentFragment()));
      if (followBox.checked && (atEnd || next === 0)) pre.scrollTop = pre.scrollHeight;
      text += page.chunks.map((c) => c.text).join('');
      if (findBox.value.trim()) search();
    }
    next = page.nextSeq;
    const attempt = target.attempts.find((a) => a.run === run);
    const final = attempt && FINAL.has(attempt.status);
    if (page.truncated) { state.textContent = 'The log was cut at the server\'s size cap.'; }
    if (final && page.complete) {
      state.textContent = `Complete: ${next} chunk(s).`;
      return;
    }
    if (page.chunks.length === 500) continue; // more is there already
    state.textContent = final ? 'Waiting for the last output…' : 'Following…';
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
    if (signal.aborted) return;
    target = await api(base, { signal });
    drawFacts();
  }
}
