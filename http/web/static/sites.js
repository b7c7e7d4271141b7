// The sites page (/sites): every site with its miner count and electrical
// facts; a site's name links to its page, its miner count to the fleet
// filtered to it. The page of one site (/sites/{name}) shows the same facts
// and, through desired.js, the site's desired state. Both refresh every
// few seconds (and at once when a token is given).
(function () {
  'use strict';
  const H = window.hearth;
  const REFRESH_MS = 10000;
  let timer = null;

  function amps(a) { return a > 0 ? H.fmtInt(a) + ' A' : H.DASH; }

  function supply(s) {
    const parts = [];
    if (s.voltage_v > 0) parts.push(H.fmtInt(s.voltage_v) + ' V');
    if (s.phases > 0) parts.push(s.phases + '-phase');
    return parts.length ? parts.join(' ') : H.DASH;
  }

  function pduLimit(s) {
    const parts = [];
    if (s.pdu_limit_a > 0) parts.push(amps(s.pdu_limit_a));
    if (s.pdu_limit_w > 0) parts.push(H.fmtPower(s.pdu_limit_w));
    return parts.length ? parts.join(' / ') : H.DASH;
  }

  // localTime shows the time at the site now, which is what a technician
  // there means by "tonight".
  function localTime(tz) {
    try {
      return new Date().toLocaleTimeString([], { timeZone: tz || 'UTC', hour: '2-digit', minute: '2-digit' });
    } catch (err) {
      return H.DASH;
    }
  }

  // powerNow shows what the site's online miners draw, and the share of
  // the budget that is when the budget is known.
  function powerNow(f, budget) {
    if (!f || !(f.power_w > 0)) return H.DASH;
    let text = H.fmtPower(f.power_w);
    if (f.power_estimated) text += ' est.';
    if (budget > 0) text += ' (' + Math.round(100 * f.power_w / budget) + ' %)';
    return text;
  }

  function row(s, f) {
    const link = H.el('a', { href: '/sites/' + encodeURIComponent(s.name) }, s.name);
    const fleet = H.el('a', { href: '/?site=' + encodeURIComponent(s.name) }, H.fmtInt(s.miner_count));
    const over = f && s.power_budget_w > 0 && f.power_w > s.power_budget_w;
    return H.el('tr', { dataset: { site: s.name } },
      H.el('td', { dataset: { col: 'name' } }, link),
      H.el('td', { class: 'num', dataset: { col: 'miners', value: String(s.miner_count) } }, fleet),
      H.el('td', { class: 'num', dataset: { col: 'online', value: String(f ? f.online : '') } }, f ? H.fmtInt(f.online) : H.DASH),
      H.el('td', { class: 'num' + (over ? ' state-offline' : ''), dataset: { col: 'power_now', value: String(f ? f.power_w : ''), over: over ? 'true' : 'false' } },
        powerNow(f, s.power_budget_w)),
      H.el('td', { class: 'num', dataset: { col: 'power_budget', value: String(s.power_budget_w || 0) } }, H.fmtPower(s.power_budget_w)),
      H.el('td', { dataset: { col: 'supply' } }, supply(s)),
      H.el('td', { class: 'num', dataset: { col: 'main_breaker' } }, amps(s.main_breaker_a)),
      H.el('td', { class: 'num', dataset: { col: 'pdu_limit' } }, pduLimit(s)),
      H.el('td', { dataset: { col: 'time_zone' } }, s.time_zone || 'UTC'),
      H.el('td', { dataset: { col: 'local_time' } }, localTime(s.time_zone)),
      H.el('td', { dataset: { col: 'description' } }, s.description || ''));
  }

  async function loadList(table, tbody, errorBox) {
    clearTimeout(timer);
    try {
      const list = await H.getJSON('/api/v1/sites');
      const sites = list.sites || [];
      const totals = await Promise.all(sites.map((s) =>
        H.getJSON('/api/v1/fleet?site=' + encodeURIComponent(s.name)).catch(() => null)));
      if (sites.length === 0) {
        tbody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 11 },
          'No sites yet. Add one with hearth sites add NAME, or give miners a site.')));
      } else {
        tbody.replaceChildren(...sites.map((s, i) => row(s, totals[i])));
      }
      errorBox.hidden = true;
      table.dataset.loaded = 'true';
    } catch (err) {
      if (err.status === 401) return; // the token banner says what to do
      errorBox.textContent = 'Cannot load the sites: ' + err.message;
      errorBox.hidden = false;
    } finally {
      timer = setTimeout(() => loadList(table, tbody, errorBox), REFRESH_MS);
    }
  }

  // loadSite fills the page of one site: its facts and what it draws now.
  async function loadSite(root, errorBox) {
    clearTimeout(timer);
    const name = root.dataset.site;
    const dd = (field) => root.querySelector('#site-facts dd[data-field="' + field + '"]');
    const set = (field, text, value) => {
      const node = dd(field);
      node.textContent = text;
      if (value !== undefined) node.dataset.value = String(value);
    };
    try {
      const s = await H.getJSON('/api/v1/sites/' + encodeURIComponent(name));
      const f = await H.getJSON('/api/v1/fleet?site=' + encodeURIComponent(name)).catch(() => null);
      set('description', s.description || H.DASH);
      set('miners', H.fmtInt(s.miner_count), s.miner_count);
      set('online', f ? H.fmtInt(f.online) : H.DASH, f ? f.online : '');
      set('power_now', powerNow(f, s.power_budget_w), f ? f.power_w : '');
      set('power_budget', H.fmtPower(s.power_budget_w), s.power_budget_w || 0);
      set('supply', supply(s));
      set('main_breaker', amps(s.main_breaker_a));
      set('pdu_limit', pduLimit(s));
      set('time_zone', s.time_zone || 'UTC');
      set('local_time', localTime(s.time_zone));
      errorBox.hidden = true;
      root.dataset.loaded = 'true';
      root.dataset.timeZone = s.time_zone || 'UTC';
    } catch (err) {
      if (err.status === 401) return;
      errorBox.textContent = err.status === 404 ? 'There is no site ' + name + '.' : 'Cannot load the site: ' + err.message;
      errorBox.hidden = false;
    } finally {
      timer = setTimeout(() => loadSite(root, errorBox), REFRESH_MS);
    }
  }

  const list = document.getElementById('sites');
  const one = document.getElementById('site');
  const load = list
    ? () => loadList(list, document.getElementById('sites-body'), document.getElementById('sites-error'))
    : () => loadSite(one, document.getElementById('site-error'));
  document.addEventListener('hearth:token', load);
  load();
})();
