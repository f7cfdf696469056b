// Dead letters and parked hook deliveries, each with replay. Both span every namespace: the API lets a viewer of every
// namespace read them and an admin of every namespace replay them (the Replay buttons are shown to that admin only). Dead letters: GET /api/v1/dead-letters, oldest first, 50 a page —
// messages between grains that kept failing (never their arguments); Replay delivers one again
// (POST /api/v1/dead-letters/{id}/replay). Parked hook deliveries: GET /api/v1/hooks/parked — status hook events that
// ran out of retries; Replay posts the run's parked events again (POST /api/v1/task-instances/{id}/hook/replay with
// the event's revision). Each replay asks first, and the API's answer is shown in the page.
import { api } from '../api.js';
import { h, replace, when, hashQuery, pager, everywhere } from '../dom.js';
import { confirmAction } from '../confirm.js';

const PAGE = 50;
const INSTANCE_SUBJECT = 'instance:';

export async function renderParked(main, _params, { me, signal, refresh }) {
  const mayReplay = everywhere(me, 'admin');
  const query = hashQuery();
  const cursors = Object.fromEntries(['dlAfter', 'dlBack', 'hkAfter', 'hkBack'].map((k) => [k, query.get(k) || '']));
  const reply = h('p', { id: 'parked-reply', role: 'status', class: 'reply' });
  const letters = h('section', { 'aria-labelledby': 'letters-title' });
  const hooks = h('section', { 'aria-labelledby': 'hooks-title' });
  main.replaceChildren(h('h1', {}, 'Dead letters and parked hook deliveries'), reply, letters, hooks);

  async function replay({ title, message, path, body, done }) {
    const answer = await confirmAction({ title, message, confirm: 'Replay' });
    if (!answer) return;
    try {
      const result = await api(path, { method: 'POST', body });
      replace(reply, h('strong', {}, 'Replayed: '), done(result));
      reply.className = 'reply reply-ok';
    } catch (e) {
      replace(reply, h('strong', {}, `Refused (${e.status}): `), e.message);
      reply.className = 'reply reply-error';
    }
    const shown = reply.cloneNode(true);
    await refresh(); // the lists as they are now; the answer stays in view
    document.getElementById('parked-reply')?.replaceWith(shown);
  }

  const [dl, hk] = await Promise.all([
    api(`/api/v1/dead-letters?limit=${PAGE}${cursors.dlAfter ? `&after=${encodeURIComponent(cursors.dlAfter)}` : ''}`, { signal }),
    api(`/api/v1/hooks/parked?limit=${PAGE}${cursors.hkAfter ? `&after=${encodeURIComponent(cursors.hkAfter)}` : ''}`, { signal }),
  ]);

  replace(letters, h('h2', { id: 'letters-title' }, 'Dead letters'),
    h('p', { class: 'muted' }, 'Messages between grains that kept failing, oldest first. Replay delivers one again under its dedupe key (a receiver that applied it already skips it) and removes it; one that fails again stays.'),
    dl.items.length === 0 ? h('p', { class: 'muted', id: 'letters-none' }, 'No dead letters.') :
      h('table', { class: 'grid', 'aria-labelledby': 'letters-title' },
        h('thead', {}, h('tr', {}, ['Id', 'Grain', 'Method', 'Error', 'Attempts', 'Parked', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, dl.items.map((l) => h('tr', { 'data-letter': String(l.messageId) },
          h('td', {}, String(l.messageId)),
          h('td', {}, h('code', {}, `${l.grainType}/${l.grainKey}`)),
          h('td', {}, h('code', {}, l.method)),
          h('td', { class: 'reason' }, l.error),
          h('td', { class: 'num' }, String(l.attempts)),
          h('td', {}, when(l.parkedAt)),
          h('td', {}, mayReplay && h('button', { type: 'button', 'data-key': `replay-letter-${l.messageId}`, 'aria-label': `Replay dead letter ${l.messageId}`, onclick: () => replay({
            title: `Replay dead letter ${l.messageId}?`,
            message: `Delivers ${l.method} to ${l.grainType} ${l.grainKey} again.`,
            path: `/api/v1/dead-letters/${l.messageId}/replay`,
            done: (r) => `dead letter ${r.id} was delivered again and removed.`,
          }) }, 'Replay…')))))),
    pager('#/parked', cursors, { after: cursors.dlAfter, back: cursors.dlBack, next: dl.next }, 'Pages of dead letters', ['dlAfter', 'dlBack']));

  replace(hooks, h('h2', { id: 'hooks-title' }, 'Parked hook deliveries'),
    h('p', { class: 'muted' }, 'Status hook events that ran out of retries (secrets in the URL masked). Replay posts the event again, with a new retry window.'),
    hk.items.length === 0 ? h('p', { class: 'muted', id: 'hooks-none' }, 'No parked deliveries.') :
      h('table', { class: 'grid', 'aria-labelledby': 'hooks-title' },
        h('thead', {}, h('tr', {}, ['Subject', 'Event', 'URL', 'Last error', 'Attempts', 'Parked', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, hk.items.map((d) => {
          const run = d.subject.startsWith(INSTANCE_SUBJECT) ? d.subject.slice(INSTANCE_SUBJECT.length) : null;
          return h('tr', { 'data-hook': `${d.subject}/${d.revision}` },
            h('td', {}, run ? h('a', { href: `#/runs/${encodeURIComponent(run)}` }, d.subject) : d.subject),
            h('td', { class: 'num' }, `#${d.revision}`),
            h('td', {}, h('code', {}, d.url)),
            h('td', { class: 'reason' }, d.lastError || '—'),
            h('td', { class: 'num' }, String(d.attempts)),
            h('td', {}, when(d.parkedAt)),
            h('td', {}, run && mayReplay ? h('button', { type: 'button', 'data-key': `replay-hook-${d.subject}-${d.revision}`, 'aria-label': `Replay event ${d.revision} of ${d.subject}`, onclick: () => replay({
              title: `Replay event ${d.revision} of ${d.subject}?`,
              message: `Posts the event to ${d.url} again.`,
              path: `/api/v1/task-instances/${encodeURIComponent(run)}/hook/replay`,
              body: { revision: d.revision },
              done: (r) => (r && r.replayed !== undefined ? `${r.replayed} event${r.replayed === 1 ? '' : 's'} of ${r.subject} queued for delivery again.`
                : 'accepted; the hook is still applying it (see the run).'),
            }) }, 'Replay…') : null));
        }))),
    pager('#/parked', cursors, { after: cursors.hkAfter, back: cursors.hkBack, next: hk.next }, 'Pages of parked deliveries', ['hkAfter', 'hkBack']));
}
