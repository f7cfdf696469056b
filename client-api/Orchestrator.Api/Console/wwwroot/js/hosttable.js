// A virtualized table of a step's hosts, paged from the server (never all of them): the API's pages (host order,
// PAGE rows each) are read as the table scrolls to them; at most CACHED_PAGES pages are kept (older ones are dropped
// and read again from their cursor if scrolled back to), and only the rows in view (plus OVERSCAN either side) are in
// the DOM. The cursors of the pages seen are kept (one short string a page). The list grows as it is scrolled: the
// API's cursors go forward only, so a far host is reached with the host prefix filter rather than the scrollbar.
import { api } from './api.js';
import { h, statusBadge, when } from './dom.js';

export const PAGE = 100;
const CACHED_PAGES = 6;
const ROW = 32; // px, fixed: the window is computed from the scroll position
const OVERSCAN = 10;

/** Time (ms) each page took to be read and drawn; the bench reads it (window.orchHostPages). */
window.orchHostPages = window.orchHostPages || [];

/** An empty row of a height: set through the CSSOM (the console's CSP refuses style attributes). */
function spacer(px) {
  const td = h('td', { colspan: '7' });
  td.style.height = `${px}px`;
  return h('tr', { 'aria-hidden': 'true', class: 'spacer' }, td);
}

export class HostTable {
  /**
   * @param {string} base  the targets endpoint
   * @param {object} filter  { status, group, prefix, sort } (sort: '' host name, 'status' or '-status', served by the API)
   * @param {(host: string) => string} link  the address of a host's log
   */
  constructor(base, filter, link, signal) {
    const byStatus = filter.sort === 'status' || filter.sort === '-status';
    const nameDown = filter.sort === '-name';
    this.order = byStatus ? (filter.sort === '-status' ? 'by status, failures first, then host name' : 'by status, then host name')
      : nameDown ? 'in host order, descending' : 'in host order';
    this.base = base;
    this.filter = filter;
    this.link = link;
    this.signal = signal;
    this.cursors = ['']; // cursors[p]: the `after` of page p ('' for the first)
    this.pages = new Map(); // p → items, in least recently used order
    this.loading = new Map(); // p → promise
    this.end = null; // rows in all, once the last page was read
    this.scheduled = false;
    this.body = h('tbody', {});
    this.status = h('p', { class: 'muted', id: 'hosts-window', 'aria-live': 'polite' });
    this.scroller = h('div', {
      class: 'vscroll', id: 'hosts-scroll', tabindex: '0', role: 'region', 'aria-label': 'Hosts (scroll to read more)',
      onscroll: () => this.schedule(),
    },
    h('table', { class: 'grid vgrid', 'aria-labelledby': 'hosts-title', 'aria-describedby': 'hosts-window' },
      h('thead', {}, h('tr', {}, [[byStatus ? 'Host' : nameDown ? 'Host ▼' : 'Host ▲', 'host'], [byStatus ? `Status ${filter.sort === '-status' ? '▼' : '▲'}` : 'Status', 'status'], ['Exit code', 'num'], ['Run', 'num'], ['Attempt', 'num'], ['Finished'], ['Error']]
        .map(([t, cls]) => h('th', { scope: 'col', class: cls === 'num' ? 'num' : null,
          'aria-sort': (cls === 'host' && !byStatus) ? (nameDown ? 'descending' : 'ascending') : (cls === 'status' && byStatus) ? (filter.sort === '-status' ? 'descending' : 'ascending') : null }, t)))),
      this.body));
    this.element = h('div', {}, this.scroller, this.status);
  }

  /** Rows the scroll area spans: all once the last page is known, else those seen and one more page. */
  rowCount() {
    if (this.end !== null) return this.end;
    return this.cursors.length * PAGE;
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.draw(); });
  }

  /** Reads page p (deduplicated); its cursor must be known. */
  load(p) {
    if (this.pages.has(p)) return Promise.resolve(this.pages.get(p));
    if (this.loading.has(p)) return this.loading.get(p);
    const started = performance.now();
    const { status, group, prefix, sort } = this.filter;
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (sort) q.set('sort', sort);
    if (status) q.set('status', status);
    if (group) q.set('group', group);
    if (prefix) q.set('prefix', prefix);
    if (this.cursors[p]) q.set('after', this.cursors[p]);
    const promise = api(`${this.base}?${q}`, { signal: this.signal }).then((page) => {
      this.loading.delete(p);
      this.keep(p, page.items);
      if (page.next) {
        this.cursors[p + 1] = page.next;
      } else {
        this.end = p * PAGE + page.items.length;
        this.cursors.length = p + 1;
      }
      this.draw();
      window.orchHostPages.push(performance.now() - started);
      return page.items;
    }, (e) => { this.loading.delete(p); throw e; });
    this.loading.set(p, promise);
    return promise;
  }

  keep(p, items) {
    this.pages.delete(p);
    this.pages.set(p, items);
    while (this.pages.size > CACHED_PAGES) {
      const [oldest] = this.pages.keys();
      if (this.visible && oldest >= this.visible[0] && oldest <= this.visible[1]) break;
      this.pages.delete(oldest);
    }
  }

  /** Draws the rows in view from the pages kept, and reads the pages in view that are not. */
  draw() {
    const total = this.rowCount();
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 480;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + height) / ROW) + OVERSCAN);
    const pageFirst = Math.floor(first / PAGE);
    const pageLast = Math.floor(Math.max(first, last - 1) / PAGE);
    this.visible = [pageFirst, pageLast];
    for (let p = pageFirst; p <= pageLast && p < this.cursors.length; p++) {
      if (!this.pages.has(p)) this.load(p).catch(() => {});
    }
    const rows = [spacer(first * ROW)];
    for (let i = first; i < last; i++) {
      const items = this.pages.get(Math.floor(i / PAGE));
      const item = items && items[i % PAGE];
      if (items && !item) break; // past the end of a short last page
      rows.push(item ? this.row(item) : h('tr', { class: 'loading' }, h('td', { colspan: '7' }, '…')));
    }
    const drawn = rows.length - 1;
    rows.push(spacer(Math.max(0, total - first - drawn) * ROW));
    this.body.replaceChildren(...rows);
    const known = this.end !== null ? `${this.end}` : `${this.cursors.length * PAGE - PAGE}+`;
    this.status.textContent = total === 0 && this.end === 0 ? 'No hosts match.'
      : `Hosts ${Math.min(first + 1, total)}–${Math.min(last, total)} of ${known}, ${this.order}; ${this.pages.size} of at most ${CACHED_PAGES} pages of ${PAGE} kept.`;
  }

  row({ host, target: t }) {
    return h('tr', { 'data-host': host },
      h('td', {}, h('a', { href: this.link(host), 'data-key': `host-${host}` }, host)),
      h('td', {}, statusBadge(t.status)),
      h('td', { class: 'num' }, t.exitCode === undefined || t.exitCode === null ? '—' : String(t.exitCode)),
      h('td', { class: 'num' }, String(t.run)),
      h('td', { class: 'num' }, String(t.stepAttempt)),
      h('td', {}, when(t.finishedAt)),
      h('td', { class: 'err' }, t.error || ''));
  }

  /** Reads the pages in view again (the run moved on); the rest are dropped and read when scrolled to. */
  async refresh() {
    const [a, b] = this.visible || [0, 0];
    const again = [];
    for (const p of [...this.pages.keys()]) {
      this.pages.delete(p);
      if (p >= a && p <= b) again.push(p);
    }
    this.end = null;
    if (again.length === 0) again.push(0);
    await Promise.all(again.filter((p) => p < this.cursors.length).map((p) => this.load(p)));
  }

  /** Scrolls to row i (0-based); the bench uses it. */
  scrollToRow(i) {
    this.scroller.scrollTop = i * ROW;
    this.draw();
  }
}
