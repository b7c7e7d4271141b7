// The power page: where each site stands against its power target (GET
// /api/v1/power), a chart of its target, measured and planned power from
// the Prometheus query API, the requests in force now or later with a
// Withdraw button for overrides, and a form for an operator's override.
(function () {
  'use strict';
  const H = window.hearth;
  const REFRESH_MS = 5000;
  const HIDDEN_REFRESH_MS = 30000;
  const CHART_REFRESH_MS = 15000;
  const CHART_HEIGHT = 260;

  const sitesTable = document.getElementById('power-sites');
  const sitesBody = document.getElementById('power-sites-body');
  const errorBox = document.getElementById('power-error');
  const requestsBody = document.getElementById('power-requests-body');
  const requestsError = document.getElementById('power-requests-error');
  const chartSite = document.getElementById('power-chart-site');
  const chartBox = document.getElementById('chart-site-power');
  const form = document.getElementById('power-override');
  const message = document.getElementById('power-override-message');
  const field = (name) => document.getElementById('power-override-' + name);

  // The chart's series, in drawing order: the metric behind each comes
  // from the page (the server names them), the site from the selection.
  const SERIES = [
    { key: 'target', label: 'target', metric: chartBox.dataset.targetMetric, stroke: '#c0392b', dash: [6, 4] },
    { key: 'measured', label: 'measured', metric: chartBox.dataset.measuredMetric, stroke: '#1f6fb2' },
    { key: 'planned', label: 'planned', metric: chartBox.dataset.plannedMetric, stroke: '#3a8f4b' },
  ];

  let timer = null;
  let refreshRound = 0;
  // range is the chart's time range, chosen with the range buttons.
  const range = H.chartRange(() => refreshChart());
  let chartTimer = null;
  // chartGeneration tells the latest chart query from older ones still in
  // flight, whose answers (for another site or range) are dropped.
  let chartGeneration = 0;
  let plot = null;
  let plotKey = '';
  let plotWindow = [0, 0];
  let siteNames = [];

  // --- Formatting -----------------------------------------------------------

  // fmtKW formats watts as kW without the unit (the header says it). Zero
  // is a real target (a site held dark), so it shows as 0.0.
  function fmtKW(w) {
    if (!H.isNumber(w)) return H.DASH;
    const kw = w / 1000;
    return kw.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: kw >= 100 ? 1 : 2 });
  }

  // asks says what a request asks for: "limit 3.0 kW", "shed 50 %",
  // "resume".
  function asks(r) {
    if (r.kind === 'limit') return 'limit ' + fmtKW(r.limit_w || 0) + ' kW';
    if (r.kind === 'shed') return 'shed ' + Math.round((r.shed_fraction || 0) * 1000) / 10 + ' %';
    return r.kind || H.DASH;
  }

  // heldBy says which request holds a site, with its reason and end.
  function heldBy(req) {
    if (!req) return H.el('td', { dataset: { col: 'held_by' } }, H.DASH);
    const parts = [req.source + ' ' + req.id];
    if (req.reason) parts.push(req.reason);
    parts.push(req.end ? 'until ' + H.fmtTime(req.end) : 'until withdrawn');
    return H.el('td', { dataset: { col: 'held_by', source: req.source, requestId: req.id, until: req.end || '' } }, parts.join(' · '));
  }

  function num(col, watts, text) {
    return H.el('td', { class: 'num', dataset: { col, value: H.isNumber(watts) ? String(watts) : '' } }, text);
  }

  function count(col, n) {
    return H.el('td', { class: 'num', dataset: { col, value: String(n || 0) } }, H.fmtInt(n || 0));
  }

  // --- Sites ------------------------------------------------------------------

  // siteRow shows a site's status. A site the controller has not looked at
  // (no budget and never a request) is free, with no figures of its own.
  function siteRow(s) {
    const state = s.state || 'free';
    const target = H.isNumber(s.target_w) ? s.target_w : null;
    const link = H.el('a', { href: '/sites/' + encodeURIComponent(s.site) }, s.site);
    if (s.controlled === false) {
      return H.el('tr', { dataset: { site: s.site, state, controlled: 'false' } },
        H.el('td', { dataset: { col: 'site' } }, link),
        H.el('td', { dataset: { col: 'state' } },
          H.el('span', { class: 'badge badge-power-free', dataset: { state }, title: 'No budget and no request: the controller leaves the site alone.' }, state)),
        num('target', null, H.DASH), num('measured', null, H.DASH), num('planned', null, H.DASH),
        num('budget', 0, H.DASH),
        H.el('td', { class: 'num', dataset: { col: 'miners' } }, H.DASH),
        H.el('td', { class: 'num', dataset: { col: 'sleeping' } }, H.DASH),
        H.el('td', { class: 'num', dataset: { col: 'trimmed' } }, H.DASH),
        H.el('td', { class: 'num', dataset: { col: 'excluded' } }, H.DASH),
        heldBy(null));
    }
    return H.el('tr', { dataset: { site: s.site, state, controlled: 'true' } },
      H.el('td', { dataset: { col: 'site' } }, link),
      H.el('td', { dataset: { col: 'state' } },
        H.el('span', { class: 'badge badge-power-' + state, dataset: { state }, title: stateTitle(s) }, state)),
      num('target', target, target === null ? H.DASH : fmtKW(target)),
      num('measured', s.measured_w, fmtKW(s.measured_w)),
      num('planned', s.planned_w, fmtKW(s.planned_w)),
      num('budget', s.budget_w || 0, s.budget_w ? fmtKW(s.budget_w) : H.DASH),
      count('miners', s.miners),
      count('sleeping', s.sleeping),
      count('trimmed', s.trimmed),
      count('excluded', s.excluded),
      heldBy(s.request));
  }

  // stateTitle explains a state in the badge's tooltip.
  function stateTitle(s) {
    switch (s.state) {
      case 'free': return 'No request limits the site.';
      case 'settling': return 'Setpoints changed ' + H.fmtAgo(s.changed_at) + '; the miners are settling.';
      case 'reached': return 'At or under the target' + (s.reached_at ? ' since ' + H.fmtTime(s.reached_at) : '') + '.';
      case 'over': return 'Above the target although the plan meets it; the controller sheds more' +
        (s.correction_w ? ' (' + fmtKW(s.correction_w) + ' kW correction)' : '') + '.';
      case 'short': return 'Even the plan cannot meet the target' + (s.short_w ? ', short by ' + fmtKW(s.short_w) + ' kW' : '') +
        ' (fixed load, miners without telemetry or that cannot sleep).';
    }
    return '';
  }

  function renderSites(sites) {
    if (sites.length === 0) {
      sitesBody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 11 },
        'No site yet. Add one with hearth sites add NAME and place miners in it.')));
    } else {
      sitesBody.replaceChildren(...sites.map(siteRow));
    }
  }

  // --- Requests ---------------------------------------------------------------

  function requestRow(r) {
    const active = Date.parse(r.start) <= H.serverNow();
    const actions = H.el('td', { dataset: { col: 'actions' } });
    if (r.source === 'override') {
      const b = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'withdraw' } }, 'Withdraw');
      b.addEventListener('click', () => withdraw(r));
      actions.append(b);
    }
    return H.el('tr', { dataset: { requestId: r.id, source: r.source, site: r.site, active: String(active) } },
      H.el('td', { dataset: { col: 'site' } }, r.site),
      H.el('td', { dataset: { col: 'source' } }, r.source),
      H.el('td', { dataset: { col: 'id' } }, r.id),
      H.el('td', { dataset: { col: 'asks', kind: r.kind, value: r.kind === 'limit' ? String(r.limit_w || 0) : '' } }, asks(r)),
      H.el('td', { dataset: { col: 'start', value: r.start || '' } }, H.fmtTime(r.start)),
      H.el('td', { dataset: { col: 'end', value: r.end || '' } }, r.end ? H.fmtTime(r.end) : 'until withdrawn'),
      H.el('td', { dataset: { col: 'reason' } }, r.reason || ''),
      H.el('td', { dataset: { col: 'by' } }, r.created_by || H.DASH),
      actions);
  }

  function renderRequests(reqs) {
    if (reqs.length === 0) {
      requestsBody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 9 }, 'No power request now or later.')));
      return;
    }
    const sorted = reqs.slice().sort((a, b) => a.site.localeCompare(b.site) || Date.parse(a.start) - Date.parse(b.start) ||
      a.source.localeCompare(b.source) || a.id.localeCompare(b.id));
    requestsBody.replaceChildren(...sorted.map(requestRow));
  }

  async function withdraw(r) {
    if (!window.confirm('Withdraw override ' + r.id + ' of site ' + r.site + '?')) return;
    const p = new URLSearchParams({ source: r.source, site: r.site, id: r.id });
    try {
      await H.sendJSON('DELETE', '/api/v1/power/requests?' + p.toString());
      requestsError.hidden = true;
      message.textContent = 'Withdrew ' + r.id + ' of ' + r.site + '.';
    } catch (err) {
      requestsError.textContent = 'Cannot withdraw ' + r.id + ': ' + err.message;
      requestsError.hidden = false;
    }
    await refresh();
    refreshChart();
  }

  // --- Site choices -------------------------------------------------------------

  // setOptions fills a select with names, keeping its choice when it is
  // still offered.
  function setOptions(select, names, wanted) {
    const keep = wanted || select.value;
    const current = Array.from(select.options).map((o) => o.value);
    if (current.join('\u0000') !== names.join('\u0000')) {
      select.replaceChildren(...names.map((n) => H.el('option', { value: n }, n)));
    }
    if (names.includes(keep)) select.value = keep;
  }

  // updateSites offers every site, known to the inventory or to the
  // controller, in the chart's and the form's selects.
  function updateSites(known, statuses) {
    const names = Array.from(new Set([...known, ...statuses.map((s) => s.site)])).sort();
    const first = siteNames.length === 0 && names.length > 0;
    siteNames = names;
    const fromURL = new URLSearchParams(window.location.search).get('site');
    setOptions(chartSite, names, first ? fromURL : '');
    setOptions(field('site'), names, first ? fromURL : '');
    if (first || chartBox.dataset.site !== chartSite.value) refreshChart();
  }

  // --- Child hearths -------------------------------------------------------------

  // childRows gives one row per site of each child hearth, with the target
  // it was last answered for that site.
  function childRows(c) {
    const status = c.lost ? 'lost' : 'live';
    return (c.sites || []).map((s) => {
      const t = (c.targets || []).find((x) => x.site === s.site && x.kind === 'limit');
      return H.el('tr', { dataset: { child: c.child, site: s.site, status } },
        H.el('td', { dataset: { col: 'child' } }, c.child),
        H.el('td', { dataset: { col: 'aggregate' } }, c.aggregate),
        H.el('td', { dataset: { col: 'site' } }, s.site),
        H.el('td', { class: 'num', dataset: { col: 'flexible', value: String(s.flexible_w) } }, fmtKW(s.flexible_w)),
        H.el('td', { class: 'num', dataset: { col: 'measured', value: String(s.measured_w) } }, fmtKW(s.measured_w)),
        H.el('td', { class: 'num', dataset: { col: 'target', value: t ? String(t.limit_w || 0) : '' } }, t ? fmtKW(t.limit_w || 0) : H.DASH),
        H.el('td', { dataset: { col: 'seen', value: c.last_seen } }, H.fmtAgo(c.last_seen)),
        H.el('td', { dataset: { col: 'status' } },
          H.el('span', { class: 'badge badge-' + (c.lost ? 'offline' : 'online') }, status)));
    });
  }

  // notAggregator is set once the server says it aggregates nothing, so
  // that later refreshes do not ask again.
  let notAggregator = false;

  // refreshChildren shows the child hearths when this hearth aggregates;
  // a hearth that does not answers 404 and the panel stays hidden.
  async function refreshChildren() {
    if (notAggregator) return;
    const panel = document.getElementById('power-children-panel');
    let body;
    try {
      body = await H.getJSON('/api/v1/aggregate/children');
    } catch (err) {
      notAggregator = err.status === 404;
      panel.hidden = true;
      return;
    }
    const children = (body.children || []).slice().sort((a, b) => a.child.localeCompare(b.child));
    const rows = children.flatMap(childRows);
    document.getElementById('power-children-body').replaceChildren(...(rows.length ? rows
      : [H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 8 }, 'No child hearth has reported yet.'))]));
    panel.hidden = false;
    document.getElementById('power-children').dataset.loaded = 'true';
  }

  // --- Refresh ------------------------------------------------------------------

  // refresh shows the latest power report. A form's write refreshes at
  // once; an older answer still in flight is then dropped, and only the
  // latest round schedules the next.
  async function refresh() {
    clearTimeout(timer);
    const round = ++refreshRound;
    try {
      const [rep, sites] = await Promise.all([
        H.getJSON('/api/v1/power'),
        H.getJSON('/api/v1/sites').catch(() => ({ sites: [] })),
      ]);
      if (round !== refreshRound) return;
      const statuses = rep.sites || [];
      const known = (sites.sites || []).map((s) => s.name);
      const controlled = new Set(statuses.map((s) => s.site));
      const rows = statuses.concat(known.filter((n) => !controlled.has(n)).map((n) => ({ site: n, state: 'free', controlled: false })));
      rows.sort((a, b) => a.site.localeCompare(b.site));
      renderSites(rows);
      renderRequests(rep.requests || []);
      updateSites(known, statuses);
      refreshChildren();
      errorBox.hidden = true;
      H.setText('power-updated', 'Updated ' + new Date().toLocaleTimeString());
      sitesTable.dataset.loaded = 'true';
    } catch (err) {
      if (round === refreshRound && err.status !== 401) { // the token banner says what to do
        errorBox.textContent = 'Cannot load the power status: ' + err.message;
        errorBox.hidden = false;
      }
    } finally {
      if (round === refreshRound) {
        clearTimeout(timer);
        timer = setTimeout(refresh, document.hidden ? HIDDEN_REFRESH_MS : REFRESH_MS);
      }
    }
  }

  // --- Chart --------------------------------------------------------------------

  // siteQuery selects the three series of one site. JSON's string quoting
  // is valid PromQL, so any site name stays one label value.
  function siteQuery(site) {
    const names = SERIES.map((s) => s.metric).join('|');
    return '{__name__=~' + JSON.stringify(names) + ',site=' + JSON.stringify(site) + '}';
  }

  // toColumns turns a Prometheus matrix into uPlot's columns: the union of
  // timestamps, then one column per series of SERIES (in kW, null where a
  // series has no sample). It returns which series had any sample.
  function toColumns(result) {
    const byMetric = new Map(result.map((r) => [r.metric && r.metric.__name__, r.values || []]));
    const times = new Set();
    for (const values of byMetric.values()) for (const [t] of values) times.add(t);
    const xs = Array.from(times).sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const present = [];
    const cols = SERIES.map((s) => {
      const col = new Array(xs.length).fill(null);
      const values = byMetric.get(s.metric) || [];
      if (values.length) present.push(s.key);
      for (const [t, v] of values) {
        const n = parseFloat(v);
        col[index.get(t)] = Number.isFinite(n) ? n / 1000 : null;
      }
      return col;
    });
    return { data: [xs, ...cols], present };
  }

  function showChartMessage(text) {
    if (plot) { plot.destroy(); plot = null; plotKey = ''; }
    chartBox.dataset.state = 'empty';
    chartBox.replaceChildren(H.el('div', { class: 'chart-empty' }, text));
  }

  // draw draws cols over [start, end] (unix seconds), pinned to that
  // window so that a site added a minute ago shows at the right edge.
  function draw(cols, start, end) {
    plotWindow = [start, end];
    const fewPoints = cols.data[0].length < 30;
    const key = chartBox.dataset.site + '\u0000' + fewPoints;
    chartBox.dataset.series = cols.present.join(',');
    if (plot && plotKey === key) {
      plot.setData(cols.data);
      chartBox.dataset.state = 'drawn';
      return;
    }
    if (plot) plot.destroy();
    chartBox.replaceChildren();
    const axis = { stroke: '#555e68', grid: { stroke: '#e6e9ed', width: 1 }, ticks: { stroke: '#d3d8de', width: 1 } };
    plot = new window.uPlot({
      width: Math.max(280, chartBox.clientWidth),
      height: CHART_HEIGHT,
      scales: { x: { time: true, range: () => plotWindow }, y: { range: (u, min, max) => [0, Math.max(max || 0, 0.001) * 1.1] } },
      series: [{}, ...SERIES.map((s) => ({
        label: s.label, stroke: s.stroke, dash: s.dash, width: 1.5,
        points: { show: fewPoints, size: 5 },
        value: (u, v) => (v === null || v === undefined ? H.DASH : H.chartValue(v) + ' kW'),
      }))],
      axes: [axis, Object.assign({}, axis, { size: 60, values: (u, vals) => H.tickLabels(vals) })],
      legend: { show: true },
    }, cols.data, chartBox);
    plotKey = key;
    chartBox.dataset.state = 'drawn';
  }

  async function refreshChart() {
    clearTimeout(chartTimer);
    const generation = ++chartGeneration;
    const site = chartSite.value;
    chartBox.dataset.site = site;
    if (typeof window.uPlot !== 'function') {
      showChartMessage('The chart library did not load.');
      return;
    }
    if (!site) {
      showChartMessage('Choose a site.');
      return;
    }
    const query = siteQuery(site);
    chartBox.dataset.query = query;
    const { start, end, step } = range.window(5);
    const p = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
    try {
      const res = await H.getJSON('/prometheus/api/v1/query_range?' + p.toString());
      if (generation !== chartGeneration) return;
      const cols = toColumns((res && res.data && res.data.result) || []);
      if (cols.data[0].length === 0) showChartMessage('No power recorded for ' + site + ' in the last ' + range.name + ' yet.');
      else draw(cols, start, end);
    } catch (err) {
      if (generation !== chartGeneration) return;
      showChartMessage(err.status === 401 ? 'The history will show once an API token is given.'
        : 'Cannot load the history: ' + err.message);
    }
    if (generation !== chartGeneration) return;
    chartTimer = setTimeout(refreshChart, document.hidden ? 5 * CHART_REFRESH_MS : CHART_REFRESH_MS);
  }

  // saveURL keeps the charted site in the address (chartRange keeps the
  // range), so that a reload or a shared link shows the same chart.
  function saveURL() {
    const url = new URL(window.location.href);
    if (chartSite.value) url.searchParams.set('site', chartSite.value);
    window.history.replaceState(null, '', url.pathname + url.search);
  }

  chartSite.addEventListener('change', () => { saveURL(); refreshChart(); });

  if (typeof ResizeObserver === 'function') {
    new ResizeObserver((entries) => {
      for (const e of entries) {
        const width = Math.max(280, Math.floor(e.contentRect.width));
        if (plot && plot.width !== width) plot.setSize({ width, height: CHART_HEIGHT });
      }
    }).observe(chartBox);
  }

  // --- Override form --------------------------------------------------------------

  // syncKind enables the input the chosen kind uses.
  function syncKind() {
    const kind = field('kind').value;
    field('limit-kw').disabled = kind !== 'limit';
    field('limit-kw').required = kind === 'limit';
    field('shed').disabled = kind !== 'shed';
    field('shed').required = kind === 'shed';
  }
  field('kind').addEventListener('change', syncKind);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const site = field('site').value;
    const body = { site, kind: field('kind').value, for: field('for').value.trim(), reason: field('reason').value.trim() };
    if (body.kind === 'limit') body.limit_w = Number(field('limit-kw').value) * 1000;
    if (body.kind === 'shed') body.shed_fraction = Number(field('shed').value) / 100;
    field('submit').disabled = true;
    try {
      const req = await H.sendJSON('POST', '/api/v1/power/requests', body);
      message.dataset.outcome = 'ok';
      message.textContent = 'Override ' + req.id + ' holds ' + req.site + ' (' + asks(req) + ') until ' + H.fmtTime(req.end) + '.';
      await refresh();
      if (chartSite.value !== site) { chartSite.value = site; saveURL(); }
      refreshChart();
    } catch (err) {
      message.dataset.outcome = 'error';
      message.textContent = 'Refused: ' + err.message;
    } finally {
      field('submit').disabled = false;
    }
  });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) { refresh(); refreshChart(); }
  });
  document.addEventListener('hearth:token', () => { refresh(); refreshChart(); });

  syncKind();
  refresh();
})();
