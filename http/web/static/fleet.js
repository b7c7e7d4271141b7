// The fleet page: totals, and a table of miners that refreshes itself.
//
// Filtering, sorting and paging happen on the server (GET /api/v1/miners
// with q, status, sort, limit and offset), so the browser only ever holds
// one page of rows: a fleet of 20,000 miners costs the same as one of 200.
// Rows are kept by miner id and updated in place on each refresh, so that
// keyboard focus and text selection survive it.
(function () {
  'use strict';
  const H = window.hearth;

  const REFRESH_MS = 5000;
  const HIDDEN_REFRESH_MS = 30000;
  const COLUMNS = 11;
  // Direction a column sorts in when first clicked: figures where bigger is
  // the interesting end start descending; efficiency (lower is better),
  // text and state (problems first) start ascending.
  const FIRST_DESC = { hashrate: true, power: true, hottest_chip: true, last_seen: true };
  const SORT_KEYS = ['id', 'model', 'site', 'state', 'hashrate', 'power', 'efficiency', 'hottest_chip', 'last_seen'];
  const PAGE_SIZES = [50, 100, 200, 500];

  const view = { q: '', status: '', site: '', sort: 'id', desc: false, offset: 0, limit: 200 };

  const table = document.getElementById('fleet');
  const tbody = document.getElementById('fleet-body');
  const filterInput = document.getElementById('fleet-filter');
  const statusSelect = document.getElementById('fleet-status-filter');
  const siteSelect = document.getElementById('fleet-site-filter');
  const pageSizeSelect = document.getElementById('fleet-page-size');
  const prevButton = document.getElementById('fleet-prev');
  const nextButton = document.getElementById('fleet-next');
  const errorBox = document.getElementById('fleet-error');

  const rows = new Map(); // miner id → <tr>
  let timer = null;
  let inflight = null;
  let lastTotal = 0;

  // --- View state in the URL, so a filtered, sorted page can be shared ---

  function readURL() {
    const p = new URLSearchParams(window.location.search);
    view.q = p.get('q') || '';
    view.status = p.get('status') || '';
    view.site = p.get('site') || '';
    const sort = p.get('sort') || 'id';
    const key = sort.replace(/^-/, '');
    if (SORT_KEYS.includes(key)) { view.sort = key; view.desc = sort.startsWith('-'); }
    const limit = parseInt(p.get('limit'), 10);
    if (PAGE_SIZES.includes(limit)) view.limit = limit;
    const offset = parseInt(p.get('offset'), 10);
    if (offset > 0) view.offset = offset - (offset % view.limit);
  }

  function writeURL() {
    const p = new URLSearchParams();
    if (view.q) p.set('q', view.q);
    if (view.status) p.set('status', view.status);
    if (view.site) p.set('site', view.site);
    if (view.sort !== 'id' || view.desc) p.set('sort', (view.desc ? '-' : '') + view.sort);
    if (view.limit !== 200) p.set('limit', String(view.limit));
    if (view.offset > 0) p.set('offset', String(view.offset));
    const query = p.toString();
    window.history.replaceState(null, '', query ? '?' + query : window.location.pathname);
  }

  function apiQuery() {
    const p = new URLSearchParams();
    p.set('limit', String(view.limit));
    p.set('offset', String(view.offset));
    p.set('sort', (view.desc ? '-' : '') + view.sort);
    if (view.q) p.set('q', view.q);
    if (view.status) p.set('status', view.status);
    if (view.site) p.set('site', view.site);
    return p.toString();
  }

  // --- Refresh loop -----------------------------------------------------

  async function refresh() {
    clearTimeout(timer);
    if (inflight) inflight.abort();
    const ctrl = new AbortController();
    inflight = ctrl;
    try {
      const [list, fleet, drifts] = await Promise.all([
        H.getJSON('/api/v1/miners?' + apiQuery(), { signal: ctrl.signal }),
        // The totals follow the site filter; the other filters narrow
        // only the table.
        H.getJSON('/api/v1/fleet' + (view.site ? '?site=' + encodeURIComponent(view.site) : ''), { signal: ctrl.signal }),
        loadDrift(ctrl.signal),
      ]);
      if (list.total > 0 && view.offset >= list.total) {
        // Miners were removed under our page: go to the last page there is.
        view.offset = Math.floor((list.total - 1) / view.limit) * view.limit;
        writeURL();
        inflight = null;
        return refresh();
      }
      renderTotals(fleet);
      renderConverged(drifts);
      renderRows(list.miners || [], drifts);
      renderPager(list.total);
      errorBox.hidden = true;
      H.setText('fleet-updated', 'Updated ' + new Date().toLocaleTimeString());
      table.dataset.loaded = 'true';
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      if (err.status === 401) {
        // The token banner says what to do; no need to say it twice.
        errorBox.hidden = true;
        if (rows.size === 0) showPlaceholder('The miners will show once an API token is given.');
      } else {
        errorBox.textContent = 'Cannot load the fleet: ' + err.message;
        errorBox.hidden = false;
      }
    } finally {
      if (inflight === ctrl) {
        inflight = null;
        timer = setTimeout(refresh, document.hidden ? HIDDEN_REFRESH_MS : REFRESH_MS);
      }
    }
  }

  // loadDrift fetches the reconciler's view of every miner (GET
  // /api/v1/drift?all=true) as a map by miner id. It returns null when no
  // desired state is set, or the server runs no reconciler: then there is
  // nothing to converge to and the page shows a dash rather than a
  // misleading "all in sync".
  async function loadDrift(signal) {
    try {
      const [desired, drift] = await Promise.all([
        H.getJSON('/api/v1/desired', { signal }),
        H.getJSON('/api/v1/drift?all=true', { signal }),
      ]);
      if ((desired.desired || []).length === 0) return null;
      return new Map((drift.miners || []).map((d) => [d.miner_id, d]));
    } catch (err) {
      if (err && (err.name === 'AbortError' || err.status === 401)) throw err;
      return null;
    }
  }

  // --- Rendering ----------------------------------------------------------

  // converged tells whether a miner's last comparison found nothing to
  // change and its last command did not fail.
  function converged(d) {
    return Boolean(d && d.checked_at && d.in_sync && !d.last_error);
  }

  // renderConverged fills the Converged card: the miners in sync of those
  // the reconciler knows, over the whole fleet.
  function renderConverged(drifts) {
    const node = document.getElementById('fleet-converged');
    if (!drifts) {
      node.textContent = H.DASH;
      node.className = 'stat-value';
      node.dataset.inSync = '';
      node.dataset.total = '';
      return;
    }
    let inSync = 0;
    for (const d of drifts.values()) if (converged(d)) inSync++;
    node.textContent = H.fmtInt(inSync) + ' of ' + H.fmtInt(drifts.size);
    node.className = 'stat-value ' + (inSync === drifts.size ? 'state-online' : 'state-paused');
    node.dataset.inSync = String(inSync);
    node.dataset.total = String(drifts.size);
  }

  // updateDrift shows one miner's drift: a badge, and the differences and
  // last command error in its tooltip and as short text beside it.
  function updateDrift(cell, d, drifts) {
    const badge = cell.firstChild;
    const note = cell.lastChild;
    let state = 'none';
    let text = H.DASH;
    let title = 'No desired state is set.';
    let short = '';
    if (drifts && (!d || !d.checked_at)) {
      state = 'unchecked';
      text = 'not checked';
      title = 'Not compared with its desired state yet.';
    } else if (drifts) {
      const lines = (d.differences || []).slice();
      if (d.last_error) lines.push('Last error: ' + d.last_error + (d.last_error_code ? ' (' + d.last_error_code + ')' : ''));
      lines.push('Checked ' + H.fmtTime(d.checked_at) + ', ' + H.fmtInt(d.commands) + ' command(s) sent.');
      title = lines.join('\n');
      if (converged(d)) {
        state = 'in_sync';
        text = 'in sync';
      } else {
        state = d.last_error ? 'error' : 'drifting';
        text = d.last_error ? 'error' : 'drifting';
        short = d.last_error || (d.differences || [])[0] || '';
      }
    }
    cell.dataset.drift = state;
    badge.className = 'badge badge-drift-' + state;
    badge.textContent = text;
    badge.title = title;
    note.textContent = short;
    note.title = title;
  }

  function renderTotals(f) {
    H.setText('fleet-total-miners', H.fmtInt(f.total));
    H.setText('fleet-online', H.fmtInt(f.online));
    H.setText('fleet-offline', H.fmtInt(f.offline));
    H.setText('fleet-unknown', H.fmtInt(f.unknown));
    H.setText('fleet-total-hashrate', H.fmtHashrate(f.hashrate_hs));
    const power = document.getElementById('fleet-total-power');
    power.replaceChildren(H.fmtPower(f.power_w));
    if (f.power_estimated && f.power_w > 0) power.append(H.el('span', { class: 'est', title: 'Includes power estimated from the models’ nameplate efficiency' }, 'est.'));
    power.dataset.value = String(f.power_w);
    document.getElementById('fleet-total-hashrate').dataset.value = String(f.hashrate_hs);
    H.setText('fleet-efficiency', f.efficiency_j_per_th > 0 ? H.fmtEfficiency(f.efficiency_j_per_th) + ' J/TH' : H.DASH);
  }

  // newRow builds the row of one miner; updateRow fills it.
  function newRow(id) {
    const link = H.el('a', { href: '/miners/' + encodeURIComponent(id) }, id);
    const cells = [
      H.el('td', { dataset: { col: 'id' } }, link),
      H.el('td', { dataset: { col: 'model' } }),
      H.el('td', { dataset: { col: 'site' } }),
      H.el('td', { dataset: { col: 'position' } }),
      H.el('td', { dataset: { col: 'state' } }, H.badge('unknown')),
      H.el('td', { class: 'drift', dataset: { col: 'drift', drift: 'none' } }, H.el('span', { class: 'badge' }, H.DASH), H.el('span', { class: 'drift-note muted' })),
      H.el('td', { class: 'num', dataset: { col: 'hashrate' } }),
      H.el('td', { class: 'num', dataset: { col: 'power' } }),
      H.el('td', { class: 'num', dataset: { col: 'efficiency' } }),
      H.el('td', { class: 'num', dataset: { col: 'hottest_chip' } }),
      H.el('td', { dataset: { col: 'last_seen' } }),
    ];
    return H.el('tr', { dataset: { minerId: id } }, ...cells);
  }

  function setCell(cell, text, value) {
    if (cell.textContent !== text) cell.textContent = text;
    cell.dataset.value = value === undefined ? '' : String(value);
  }

  function updateRow(tr, m, drifts) {
    const s = m.status || {};
    const online = s.state === 'online';
    const c = tr.cells;
    tr.dataset.state = s.state || 'unknown';
    tr.classList.toggle('stale', !online);
    c[0].firstChild.title = m.address + (m.port ? ':' + m.port : '');
    setCell(c[1], m.model || H.DASH);
    setCell(c[2], m.site || H.DASH, m.site || '');
    const pos = m.position || {};
    setCell(c[3], fmtPosition(pos));
    c[3].title = [['Row', pos.row], ['Rack', pos.rack], ['Shelf', pos.shelf], ['Slot', pos.slot]]
      .filter((p) => p[1]).map((p) => p[0] + ' ' + p[1]).join(', ');
    H.setBadge(c[4].firstChild, s.state, s.paused, s.last_error);
    updateDrift(c[5], drifts && drifts.get(m.id), drifts);
    setCell(c[6], online ? H.fmtTHs(s.hashrate_hs) : H.DASH, s.hashrate_hs);
    const power = online ? H.fmtWatts(s.power_w) : H.DASH;
    c[7].replaceChildren(power);
    if (online && s.power_estimated && s.power_w > 0) {
      c[7].append(H.el('span', { class: 'est', title: 'Estimated from the model’s nameplate efficiency' }, 'est.'));
    }
    c[7].dataset.value = String(s.power_w || 0);
    c[7].dataset.estimated = s.power_estimated ? 'true' : 'false';
    setCell(c[8], online ? H.fmtEfficiency(s.efficiency_j_per_th) : H.DASH, s.efficiency_j_per_th);
    setCell(c[9], online ? H.fmtTemp(s.hottest_chip_c) : H.DASH, s.hottest_chip_c);
    setCell(c[10], H.fmtAgo(s.last_seen), s.last_seen || '');
    c[10].title = s.last_seen ? H.fmtTime(s.last_seen) : 'Never answered';
  }

  // fmtPosition gives row/rack/shelf/slot compactly, a dash for a part
  // not recorded and for no position at all.
  function fmtPosition(p) {
    if (!p.row && !p.rack && !p.shelf && !p.slot) return H.DASH;
    return [p.row, p.rack, p.shelf, p.slot].map((v) => v || H.DASH).join('/');
  }

  function renderRows(miners, drifts) {
    const seen = new Set();
    const ordered = [];
    for (const m of miners) {
      let tr = rows.get(m.id);
      if (!tr) {
        tr = newRow(m.id);
        rows.set(m.id, tr);
      }
      updateRow(tr, m, drifts);
      seen.add(m.id);
      ordered.push(tr);
    }
    for (const [id, tr] of rows) {
      if (!seen.has(id)) { tr.remove(); rows.delete(id); }
    }
    if (ordered.length === 0) {
      showPlaceholder(emptyMessage());
      return;
    }
    // Move rows only when the order changed: moving a row loses focus.
    const current = Array.from(tbody.rows);
    const same = current.length === ordered.length && current.every((tr, i) => tr === ordered[i]);
    if (!same) tbody.replaceChildren(...ordered);
  }

  function showPlaceholder(text) {
    tbody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: COLUMNS }, text)));
  }

  function emptyMessage() {
    if (view.q || view.status || view.site) return 'No miners match this filter.';
    return 'No miners yet. Add miners with the hearth command line or POST /api/v1/miners.';
  }

  function renderPager(total) {
    lastTotal = total;
    const first = total === 0 ? 0 : view.offset + 1;
    const last = Math.min(view.offset + view.limit, total);
    const page = Math.floor(view.offset / view.limit) + 1;
    const pages = Math.max(1, Math.ceil(total / view.limit));
    H.setText('fleet-page-info', total === 0
      ? 'No miners'
      : `Miners ${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()} · page ${page} of ${pages}`);
    prevButton.disabled = view.offset === 0;
    nextButton.disabled = view.offset + view.limit >= total;
    table.dataset.total = String(total);
  }

  function renderSortHeaders() {
    for (const th of table.tHead.rows[0].cells) {
      if (th.dataset.sort === view.sort) th.setAttribute('aria-sort', view.desc ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
  }

  // --- Controls -----------------------------------------------------------

  function changeView(update) {
    update();
    writeURL();
    renderSortHeaders();
    refresh();
  }

  table.tHead.addEventListener('click', (event) => {
    const th = event.target.closest('th[data-sort]');
    if (!th) return;
    const key = th.dataset.sort;
    changeView(() => {
      if (view.sort === key) view.desc = !view.desc;
      else { view.sort = key; view.desc = Boolean(FIRST_DESC[key]); }
      view.offset = 0;
    });
  });

  filterInput.addEventListener('input', H.debounce(() => {
    changeView(() => { view.q = filterInput.value.trim(); view.offset = 0; });
  }, 250));

  statusSelect.addEventListener('change', () => {
    changeView(() => { view.status = statusSelect.value; view.offset = 0; });
  });

  siteSelect.addEventListener('change', () => {
    changeView(() => { view.site = siteSelect.value; view.offset = 0; });
  });

  // loadSites fills the site filter from the API; the filter works (by the
  // URL) even before, or without, the list.
  async function loadSites() {
    try {
      const list = await H.getJSON('/api/v1/sites');
      const names = (list.sites || []).map((s) => s.name);
      if (view.site && !names.includes(view.site)) names.push(view.site);
      siteSelect.replaceChildren(H.el('option', { value: '' }, 'All sites'),
        ...names.map((n) => H.el('option', { value: n }, n)));
      siteSelect.value = view.site;
    } catch (err) {
      // The fleet table reports errors; the filter stays with what it has.
    }
  }

  // tierText describes one tier of the metrics store: its size, how far
  // back it reaches and how long it keeps samples.
  function tierText(name, t) {
    const days = Math.round((t.retention_seconds || 0) / 86400);
    return name + ' ' + H.fmtBytes(t.bytes) + (t.oldest ? ' since ' + H.fmtTime(t.oldest) : '') + ', kept ' + days + ' days';
  }

  // loadStorage shows how much disk the metrics take, so that an operator
  // sees the history grow without a shell on the server.
  async function loadStorage() {
    const line = document.getElementById('fleet-storage');
    try {
      const st = await H.getJSON('/api/v1/status');
      if (!st.storage) return;
      H.setText('fleet-storage-raw', tierText('raw', st.storage.raw));
      H.setText('fleet-storage-rollup', tierText('5-minute rollups', st.storage.rollup));
      line.dataset.raw = String(st.storage.raw.bytes);
      line.hidden = false;
    } catch (err) {
      // The fleet table reports errors; the line stays hidden.
    }
  }

  pageSizeSelect.addEventListener('change', () => {
    changeView(() => { view.limit = parseInt(pageSizeSelect.value, 10) || 200; view.offset = 0; });
  });

  prevButton.addEventListener('click', () => {
    changeView(() => { view.offset = Math.max(0, view.offset - view.limit); });
  });

  nextButton.addEventListener('click', () => {
    changeView(() => { if (view.offset + view.limit < lastTotal) view.offset += view.limit; });
  });

  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  document.addEventListener('hearth:token', refresh);
  document.addEventListener('hearth:token', loadSites);
  document.addEventListener('hearth:token', loadStorage);

  readURL();
  filterInput.value = view.q;
  statusSelect.value = view.status;
  if (statusSelect.value !== view.status) { view.status = ''; statusSelect.value = ''; }
  pageSizeSelect.value = String(view.limit);
  if (view.site) siteSelect.append(H.el('option', { value: view.site }, view.site));
  siteSelect.value = view.site;
  renderSortHeaders();
  loadSites();
  loadStorage();
  refresh();
})();
