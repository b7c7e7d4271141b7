// The maintenance page: the racks of each site with boards to replace or
// miners with repeated faults, ready racks first, each with its level of
// brokenness against the thresholds, from /api/v1/maintenance.
(function () {
  'use strict';
  const H = window.hearth;
  const byId = (id) => document.getElementById(id);
  const errorBox = byId('maint-error');
  const siteSelect = byId('maint-site');

  function positionText(p) {
    const parts = [];
    for (const k of ['row', 'rack', 'shelf', 'slot']) {
      if (p && p[k]) parts.push(k + ' ' + p[k]);
    }
    return parts.join(' ');
  }

  // what says what is wrong with an item, as a technician reads it.
  function what(it) {
    if (it.kind === 'board') {
      if (it.dead) return 'board ' + it.board + ' dead (no chips)';
      return 'board ' + it.board + ': ' + it.failed_chips + ' failed chips';
    }
    return it.faults + ' alerts: ' + (it.alerts || []).join(', ');
  }

  function itemRow(it) {
    return H.el('tr', { dataset: { miner: it.miner_id, kind: it.kind, board: it.board === undefined ? '' : String(it.board) } },
      H.el('td', { dataset: { col: 'miner' } }, H.el('a', { href: '/miners/' + encodeURIComponent(it.miner_id) }, it.miner_id)),
      H.el('td', { dataset: { col: 'position' } }, positionText(it.position)),
      H.el('td', { dataset: { col: 'model' } }, it.model || ''),
      H.el('td', { dataset: { col: 'what' } }, what(it)),
      H.el('td', { dataset: { col: 'since', value: it.since || '' } }, it.since ? H.fmtTime(it.since) + ' (' + H.fmtAgo(it.since) + ')' : ''));
  }

  function rackPanel(rack) {
    const name = (rack.row ? 'row ' + rack.row + ' ' : '') + (rack.rack === '(no rack)' ? '(no rack)' : 'rack ' + rack.rack);
    const percent = Math.round(rack.level * 1000) / 10;
    const head = H.el('div', { class: 'panel-head' },
      H.el('h3', {}, rack.site ? rack.site + ', ' + name : name),
      rack.ready ? H.el('span', { class: 'badge badge-offline', dataset: { ready: 'true' } }, 'READY') : H.el('span', { class: 'badge', dataset: { ready: 'false' } }, 'not yet'));
    const level = H.el('p', { class: 'maint-level' },
      H.el('meter', { min: '0', max: '1', value: String(rack.level), dataset: { col: 'level' }, title: percent + ' %' }),
      ' ' + rack.replace + ' of ' + rack.boards + ' boards to replace (' + percent + ' %)');
    const table = H.el('table', { class: 'data-table' },
      H.el('thead', {}, H.el('tr', {},
        H.el('th', { scope: 'col' }, 'Miner'), H.el('th', { scope: 'col' }, 'Position'), H.el('th', { scope: 'col' }, 'Model'),
        H.el('th', { scope: 'col' }, 'Service'), H.el('th', { scope: 'col' }, 'Since'))),
      H.el('tbody', {}, ...(rack.items || []).map(itemRow)));
    return H.el('section', { class: 'panel', dataset: { site: rack.site, rack: rack.rack, ready: String(rack.ready) } },
      head, level, H.el('div', { class: 'table-wrap' }, table));
  }

  async function loadSites() {
    try {
      const sites = await H.getJSON('/api/v1/sites');
      for (const s of sites.sites || []) {
        siteSelect.append(H.el('option', { value: s.name }, s.name));
      }
    } catch (err) {
      // The queue still shows every site.
    }
  }

  async function load() {
    const site = siteSelect.value;
    try {
      const q = await H.getJSON('/api/v1/maintenance' + (site ? '?site=' + encodeURIComponent(site) : ''));
      const th = q.thresholds;
      byId('maint-thresholds').textContent = 'Boards with more than ' + th.failed_chips + ' failed chips or dead; miners with ' + th.faults +
        ' alerts in ' + th.fault_days + ' days; a rack is ready at ' + th.rack_boards + ' boards or ' + th.rack_percent + ' % of its boards.';
      const panels = [];
      for (const s of q.sites || []) {
        for (const r of s.racks || []) panels.push(rackPanel(r));
      }
      const box = byId('maint-queue');
      if (panels.length === 0) {
        box.replaceChildren(H.el('p', { class: 'placeholder' }, 'Nothing to service.'));
      } else {
        box.replaceChildren(...panels);
      }
      box.dataset.loaded = 'true';
      errorBox.hidden = true;
      byId('maint-updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (err) {
      if (err.status === 401) return; // the token banner says what to do
      errorBox.textContent = 'Cannot load the maintenance queue: ' + err.message;
      errorBox.hidden = false;
    }
  }

  siteSelect.addEventListener('change', load);
  document.addEventListener('hearth:token', load);
  loadSites().then(load);
  window.setInterval(load, 60000);
})();
