// The console's shell: who is signed in, the hash router (#/runs, #/runs/<id>, #/runs/<id>/steps/<n>,
// #/runs/<id>/steps/<n>/hosts/<host>, #/hosts, #/plans, #/plans/<id>, #/schedules, #/schedules/new, #/schedules/<plan>/<name>[/edit], #/audit, #/parked), and signing out. Each view gets an AbortSignal that ends its live updates.
import { api, onUnauthorized, signOut } from './api.js';
import { toast, everywhere } from './dom.js';
import { renderSignIn } from './views/signin.js';
import { renderRuns } from './views/runs.js';
import { renderRun } from './views/run.js';
import { renderHosts } from './views/hosts.js';
import { renderLog } from './views/log.js';
import { renderInventory } from './views/inventory.js';
import { renderPlans } from './views/plans.js';
import { renderPlan } from './views/plan.js';
import { renderSchedules, renderSchedule } from './views/schedules.js';
import { renderScheduleForm } from './views/scheduleform.js';
import { renderAudit } from './views/audit.js';
import { renderParked } from './views/parked.js';

const routes = [
  [/^#\/runs\/([^/?]+)\/steps\/(\d+)\/hosts\/([^/?]+)/, renderLog],
  [/^#\/runs\/([^/?]+)\/steps\/(\d+)/, renderHosts],
  [/^#\/runs\/([^/?]+)/, renderRun],
  [/^#\/runs/, renderRuns],
  [/^#\/hosts/, renderInventory],
  [/^#\/plans\/([^/?]+)/, renderPlan],
  [/^#\/plans/, renderPlans],
  [/^#\/schedules\/new(?:\?|$)/, renderScheduleForm],
  [/^#\/schedules\/([^/?]+)\/([^/?]+)\/edit/, renderScheduleForm],
  [/^#\/schedules\/([^/?]+)\/([^/?]+)/, renderSchedule],
  [/^#\/schedules/, renderSchedules],
  [/^#\/audit/, renderAudit],
  [/^#\/parked/, renderParked],
];

const state = { me: null, view: null };

function showHeader(me) {
  document.getElementById('top').hidden = !me;
  if (!me) return;
  document.getElementById('principal').textContent = me.principal;
  const grants = Object.entries(me.grants || {}).map(([ns, roles]) => `${ns}: ${roles.join(', ')}`).join('; ');
  document.getElementById('grants').textContent = grants ? `(${grants})` : '';
  // The Orleans dashboard, the audit log, dead letters and parked hook deliveries span every namespace: linked only for
  // a caller the API lets read them there (an admin; dead letters and parked deliveries a viewer too, without replay).
  document.getElementById('dashboard-link').hidden = !everywhere(me, 'admin');
  document.getElementById('audit-link').hidden = !everywhere(me, 'admin');
  document.getElementById('parked-link').hidden = !everywhere(me, 'viewer');
}

async function route() {
  if (state.view) state.view.abort();
  const view = new AbortController();
  state.view = view;
  const main = document.getElementById('main');
  if (!state.me) {
    try {
      state.me = await api('/api/v1/me', { signal: view.signal });
    } catch {
      state.me = null;
    }
  }
  if (view.signal.aborted) return;
  showHeader(state.me);
  if (!state.me) {
    renderSignIn(main, {
      signedIn(me) {
        state.me = me;
        if (!location.hash || location.hash.startsWith('#/signin')) location.hash = '#/runs';
        else route();
      },
    });
    return;
  }
  const hash = location.hash && location.hash !== '#/signin' ? location.hash : '#/runs';
  if (hash !== location.hash) { location.replace(hash); return; }
  for (const [pattern, render] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      main.replaceChildren();
      main.focus({ preventScroll: true });
      try {
        await render(main, match.slice(1).map(decodeURIComponent), { me: state.me, signal: view.signal, refresh: route });
      } catch (e) {
        if (!view.signal.aborted) toast(e.message, 'error');
      }
      return;
    }
  }
  location.replace('#/runs');
}

onUnauthorized(() => {
  if (!state.me) return;
  state.me = null;
  toast('Your session ended (the token was revoked or expired): sign in again.', 'error');
  route();
});

document.getElementById('signout').addEventListener('click', async () => {
  try { await signOut(); } catch { /* the cookie is gone either way once the server answers */ }
  state.me = null;
  location.hash = '#/signin';
  route();
});

window.addEventListener('hashchange', route);
route();
