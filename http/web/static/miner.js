// The miner page: identity, live status, boards, fans, pools, and charts of
// the last hours drawn with uPlot from the Prometheus query API.
(function () {
  'use strict';
  const H = window.hearth;

  const REFRESH_MS = 5000;
  const CHART_REFRESH_MS = 30000;
  const CHART_HEIGHT = 240;
  // Labels every series of a miner carries; the rest tell series apart.
  const IDENTITY_LABELS = new Set(['__name__', 'job', 'miner', 'site', 'model', 'firmware']);
  // Line colours, distinguishable on white and for common colour blindness.
  const PALETTE = ['#0b57b7', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

  const root = document.getElementById('miner');
  const minerID = root.dataset.minerId;
  const errorBox = document.getElementById('miner-error');

  let timer = null;
  // range is the charts' time range, chosen with the range buttons.
  const range = H.chartRange(() => refreshCharts());
  let chartTimer = null;
  // chartGeneration tells the latest round of chart queries from older
  // ones still in flight, whose answers (for another range) are dropped.
  let chartGeneration = 0;
  const charts = new Map(); // chart box id → { plot, key }

  // --- Live status ----------------------------------------------------------

  let detailGeneration = 0;

  async function refresh() {
    clearTimeout(timer);
    const generation = ++detailGeneration;
    let delay = REFRESH_MS;
    try {
      const m = await H.getJSON('/api/v1/miners/' + encodeURIComponent(minerID));
      if (generation !== detailGeneration) return;
      render(m);
      errorBox.hidden = true;
      root.dataset.loaded = 'true';
      refreshDrift(generation);
      refreshActions(generation);
    } catch (err) {
      if (generation !== detailGeneration) return;
      if (err.status === 401) {
        // The token banner says what to do.
        errorBox.hidden = true;
        return;
      }
      errorBox.textContent = err.status === 404
        ? 'There is no miner “' + minerID + '” in the inventory.'
        : 'Cannot load this miner: ' + err.message;
      errorBox.hidden = false;
      if (err.status === 404) delay = 30000;
    } finally {
      if (generation === detailGeneration) {
        timer = setTimeout(refresh, document.hidden ? 30000 : delay);
      }
    }
  }

  // --- Drift from the desired state ---------------------------------------

  // refreshDrift shows how far the miner is from its desired state, from
  // GET /api/v1/drift?all=true&miner=ID. No desired state at all, or no
  // reconciler on the server, shows a dash; the rest of the page does not
  // depend on it, so its errors are only noted in the panel.
  async function refreshDrift(generation) {
    const panel = document.getElementById('miner-drift');
    let desired, drift;
    try {
      [desired, drift] = await Promise.all([
        H.getJSON('/api/v1/desired'),
        H.getJSON('/api/v1/drift?all=true&miner=' + encodeURIComponent(minerID)),
      ]);
    } catch (err) {
      if (generation !== detailGeneration) return;
      renderDrift(panel, null, err.status === 404 ? 'The reconciler is not running on this server.' : 'Cannot load the drift: ' + err.message);
      return;
    }
    if (generation !== detailGeneration) return;
    if ((desired.desired || []).length === 0) {
      renderDrift(panel, null, 'No desired state is set.');
      return;
    }
    const d = (drift.miners || []).find((x) => x.miner_id === minerID) || { miner_id: minerID };
    renderDrift(panel, d, '');
  }

  // renderDrift fills the drift panel; with d null it shows why there is
  // no drift to show.
  function renderDrift(panel, d, why) {
    const badge = document.getElementById('miner-drift-state');
    const list = document.getElementById('miner-drift-differences');
    const none = document.getElementById('miner-drift-none');
    let state = 'none';
    let text = H.DASH;
    if (d && !d.checked_at) {
      state = 'unchecked';
      text = 'not checked';
    } else if (d && d.in_sync && !d.last_error) {
      state = 'in_sync';
      text = 'in sync';
    } else if (d) {
      state = d.last_error ? 'error' : 'drifting';
      text = state;
    }
    panel.dataset.drift = state;
    badge.className = 'badge badge-drift-' + state;
    badge.textContent = text;
    badge.title = why;
    const diffs = (d && d.differences) || [];
    list.replaceChildren(...diffs.map((x) => H.el('li', {}, x)));
    list.hidden = diffs.length === 0;
    none.hidden = diffs.length > 0;
    none.textContent = d ? (d.checked_at ? 'None: the miner matches its desired state.' : 'Not compared yet.') : (why || H.DASH);
    const err = document.getElementById('miner-drift-error');
    err.textContent = d && d.last_error
      ? d.last_error + (d.last_error_code ? ' (' + d.last_error_code + ')' : '') + (d.last_error_at ? ' · ' + H.fmtTime(d.last_error_at) : '')
      : H.DASH;
    H.setText('miner-drift-commands', d ? H.fmtInt(d.commands || 0) : H.DASH);
    document.getElementById('miner-drift-commands').dataset.value = d ? String(d.commands || 0) : '';
    H.setText('miner-drift-checked', d && d.checked_at ? H.fmtTime(d.checked_at) + ' (' + H.fmtAgo(d.checked_at) + ')' : H.DASH);
    document.getElementById('miner-drift-checked').dataset.value = (d && d.checked_at) || '';
    H.setText('miner-drift-reading', d && d.reading_at ? H.fmtTime(d.reading_at) : H.DASH);
    H.setText('miner-drift-retry', d && d.retry_at ? H.fmtTime(d.retry_at) : H.DASH);
  }

  // --- Recent actions -------------------------------------------------------

  // ACTIONS_SHOWN is how many of the miner's newest audit entries the page
  // lists; older ones are a 'hearth audit --miner ID --before N' away.
  const ACTIONS_SHOWN = 10;

  // refreshActions lists the control actions that targeted this miner, from
  // GET /api/v1/audit?miner=ID, with this miner's own result of each (an
  // entry may cover a whole fleet). Its panel carries data-loaded once
  // filled, for tests; its errors stay in the panel.
  async function refreshActions(generation) {
    const panel = document.getElementById('miner-actions');
    let list;
    try {
      list = await H.getJSON('/api/v1/audit?' + new URLSearchParams({ miner: minerID, limit: String(ACTIONS_SHOWN) }).toString());
    } catch (err) {
      if (generation !== detailGeneration) return;
      fillBody('actions-body', null, 5, err.status === 404 ? 'The audit log is not enabled on this server.' : 'Cannot load the actions: ' + err.message);
      return;
    }
    if (generation !== detailGeneration) return;
    const rows = (list.entries || []).map((e) => {
      const r = (e.results || []).find((x) => x.miner_id === minerID);
      let result = H.DASH;
      let state = 'none';
      if (r && r.ok) {
        result = 'ok';
        state = 'ok';
      } else if (r) {
        result = 'error' + (r.code ? ' (' + r.code + ')' : '') + (r.error ? ': ' + r.error : '');
        state = 'error';
      }
      const verb = (e.action && e.action.verb) || '';
      return H.el('tr', { dataset: { auditId: String(e.id), verb: verb, result: state } },
        H.el('td', { dataset: { value: e.time || '' }, title: H.fmtAgo(e.time) }, H.fmtTime(e.time)),
        H.el('td', {}, e.actor || H.DASH),
        H.el('td', {}, verb || H.DASH),
        H.el('td', {}, e.selector || H.DASH),
        H.el('td', { class: 'result-' + state }, result));
    });
    fillBody('actions-body', rows, 5, 'No control action has targeted this miner.');
    panel.dataset.loaded = 'true';
  }

  function render(m) {
    const s = m.status || {};
    const r = m.latest || null;
    const online = s.state === 'online';

    H.setBadge(document.getElementById('miner-state'), s.state, s.paused, s.last_error);
    H.setText('miner-model', [m.model, m.firmware].filter(Boolean).join(' · '));

    H.setText('miner-hashrate', online ? H.fmtHashrate(s.hashrate_hs) : H.DASH);
    const power = document.getElementById('miner-power');
    power.replaceChildren(online ? H.fmtPower(s.power_w) : H.DASH);
    if (online && s.power_estimated && s.power_w > 0) {
      power.append(H.el('span', { class: 'est', title: 'Estimated from the model’s nameplate efficiency' }, 'est.'));
    }
    H.setText('miner-efficiency', online && s.efficiency_j_per_th > 0 ? H.fmtEfficiency(s.efficiency_j_per_th) + ' J/TH' : H.DASH);
    H.setText('miner-hottest-chip', online && s.hottest_chip_c > 0 ? H.fmtTemp(s.hottest_chip_c) + ' °C' : H.DASH);
    const lastSeen = H.setText('miner-last-seen', H.fmtAgo(s.last_seen));
    lastSeen.title = s.last_seen ? H.fmtTime(s.last_seen) : 'Never answered';
    H.setText('miner-uptime', online && r ? H.fmtDuration(r.uptime_ns) : H.DASH);

    const errBox = document.getElementById('miner-last-error-box');
    errBox.hidden = !s.last_error;
    H.setText('miner-last-error', s.last_error || '');
    H.setText('miner-last-error-code', s.error_code ? '(' + s.error_code + ')' : '');

    const note = document.getElementById('miner-reading-note');
    if (r && !online) {
      note.textContent = 'The miner is not answering. The boards, fans and pools below are from its last reading, ' + H.fmtAgo(r.time) + '.';
      note.hidden = false;
    } else {
      note.hidden = true;
    }

    fillFacts('miner-identity', {
      model: m.model, family: m.family, firmware: m.firmware,
      address: m.address + (m.port ? ':' + m.port : '') + (m.web_port ? ' (web ' + m.web_port + ')' : ''),
      hostname: m.hostname, serial: m.serial, mac: m.mac, site: m.site || 'default',
      position: [['row', (m.position || {}).row], ['rack', (m.position || {}).rack], ['shelf', (m.position || {}).shelf],
        ['slot', (m.position || {}).slot]].filter((p) => p[1]).map((p) => p[0] + ' ' + p[1]).join(' '),
      tags: (m.tags || []).join(', '), created_at: H.fmtTime(m.created_at),
    });
    fillFacts('miner-shares', {
      accepted: r ? H.fmtInt(r.accepted) : '', rejected: r ? H.fmtInt(r.rejected) : '',
      hardware_errors: r ? H.fmtInt(r.hardware_errors || 0) : '',
      latency: r && r.latency_ns > 0 ? (r.latency_ns / 1e6).toFixed(1) + ' ms' : '',
      power_limit: r && r.power_limit_w > 0 ? H.fmtPower(r.power_limit_w) : '',
      failures: H.fmtInt(s.failures || 0),
    });

    renderBoards(r ? r.boards || [] : null, !online);
    renderFans(r ? r.fans || [] : null, !online);
    renderPools(r ? r.pools || [] : null, !online);
    renderFaults(r);
  }

  function fillFacts(listID, values) {
    for (const dd of document.querySelectorAll('#' + listID + ' dd[data-field]')) {
      const v = values[dd.dataset.field];
      const text = v === undefined || v === null || v === '' ? H.DASH : String(v);
      if (dd.textContent !== text) dd.textContent = text;
    }
  }

  function fillBody(bodyID, rows, columns, emptyText) {
    const body = document.getElementById(bodyID);
    if (!rows || rows.length === 0) {
      body.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: columns }, emptyText)));
      return;
    }
    body.replaceChildren(...rows);
  }

  function num(text, value) {
    return H.el('td', { class: 'num', dataset: { value: value === undefined ? '' : String(value) } }, text);
  }

  function renderBoards(boards, stale) {
    const rows = boards && boards.map((b) => H.el('tr', { dataset: { boardIndex: b.index }, class: stale ? 'stale' : undefined },
      H.el('td', null, 'Board ' + b.index),
      num(H.fmtTHs(b.hashrate_hs), b.hashrate_hs),
      num(H.fmtTemp(b.chip_temp_c), b.chip_temp_c),
      // The board's own temperature, or its voltage regulator's where
      // that is all the firmware reports (a Bitaxe).
      num(b.board_temp_c ? H.fmtTemp(b.board_temp_c) : b.vr_temp_c ? H.fmtTemp(b.vr_temp_c) + ' (VR)' : H.DASH, b.board_temp_c || b.vr_temp_c || 0),
      num(b.inlet_temp_c || b.outlet_temp_c ? H.fmtTemp(b.inlet_temp_c) + ' / ' + H.fmtTemp(b.outlet_temp_c) : H.DASH),
      num(H.fmtInt(b.chips), b.chips),
      num(b.expected_chips ? H.fmtInt(b.expected_chips) : H.DASH, b.expected_chips || 0),
      num(H.fmtInt(b.failed_chips || 0), b.failed_chips || 0),
      num(b.frequency_mhz ? H.fmtInt(b.frequency_mhz) : H.DASH, b.frequency_mhz || 0),
    ));
    fillBody('boards-body', rows, 9, boards ? 'The miner reports no hashboards.' : 'No reading yet.');
  }

  function renderFans(fans, stale) {
    // A fan is shown by its name by position ("intake", "fan2"), the same
    // as the fan label of its metrics; a reading stored before fans had
    // names falls back to the 1-based name hearth would give it.
    const rows = fans && fans.map((f) => {
      const name = f.name || 'fan' + (f.index + 1);
      return H.el('tr', { dataset: { fanIndex: f.index, fan: name }, class: stale ? 'stale' : undefined },
        H.el('td', null, name),
        num(H.fmtInt(f.rpm), f.rpm),
        num(f.percent ? H.fmtInt(f.percent) : H.DASH, f.percent || 0),
      );
    });
    fillBody('fans-body', rows, 3, fans ? 'The miner reports no fans.' : 'No reading yet.');
  }

  function renderPools(pools, stale) {
    const rows = pools && pools.map((p) => H.el('tr', { dataset: { poolIndex: p.index, active: p.active ? 'true' : 'false' }, class: stale ? 'stale' : undefined },
      H.el('td', null, String(p.index)),
      H.el('td', { class: 'url' }, p.url || H.DASH),
      H.el('td', { class: 'mono' }, p.user || H.DASH),
      H.el('td', null, p.status || 'unknown', p.active ? ' ' : null, p.active ? H.el('span', { class: 'badge badge-online' }, 'active') : null),
      num(H.fmtInt(p.accepted), p.accepted),
      num(H.fmtInt(p.rejected), p.rejected),
    ));
    fillBody('pools-body', rows, 6, pools ? 'The miner reports no pools.' : 'No reading yet.');
  }

  function renderFaults(r) {
    const fw = (r && r.errors) || [];
    const poll = (r && r.poll_errors) || [];
    document.getElementById('miner-faults').hidden = fw.length === 0 && poll.length === 0;
    document.getElementById('miner-firmware-errors').replaceChildren(...fw.map((e) => H.el('li', null, e)));
    document.getElementById('miner-poll-errors').replaceChildren(...poll.map((e) => H.el('li', null, 'Poll: ' + e)));
  }

  // --- Charts -------------------------------------------------------------

  // seriesName names a series by the labels that set it apart from the
  // miner's others ("board 0"), or by the chart's own label.
  function seriesName(metric, fallback) {
    const parts = [];
    for (const [k, v] of Object.entries(metric || {})) {
      if (!IDENTITY_LABELS.has(k)) parts.push(k + ' ' + v);
    }
    return parts.length ? parts.join(', ') : fallback;
  }

  // toColumns turns a Prometheus matrix into uPlot's column data: one x
  // array of the union of timestamps, one y array per series with null
  // where a series has no sample.
  function toColumns(result, scale, fallback) {
    const series = result.map((r) => ({ name: seriesName(r.metric, fallback), values: r.values || [] }));
    series.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    const times = new Set();
    for (const s of series) for (const [t] of s.values) times.add(t);
    const xs = Array.from(times).sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const ys = series.map((s) => {
      const col = new Array(xs.length).fill(null);
      for (const [t, v] of s.values) {
        const n = parseFloat(v);
        col[index.get(t)] = Number.isFinite(n) ? n * scale : null;
      }
      return col;
    });
    return { names: series.map((s) => s.name), data: [xs, ...ys] };
  }

  function showChartMessage(box, text) {
    const entry = charts.get(box.id);
    if (entry) { entry.plot.destroy(); charts.delete(box.id); }
    box.dataset.state = 'empty';
    box.replaceChildren(H.el('div', { class: 'chart-empty' }, text));
  }

  // drawChart draws cols over the window [start, end] (unix seconds). The
  // x scale is pinned to the window, so that a miner added a minute ago
  // shows its first points at the right edge of the last hour rather than
  // one point stretched over years; points are marked while there are few
  // enough to see.
  function drawChart(box, cols, start, end) {
    const unit = box.dataset.unit || '';
    const key = cols.names.join('\u0000');
    const entry = charts.get(box.id);
    const fewPoints = cols.data[0].length < 30;
    if (entry && entry.key === key && entry.fewPoints === fewPoints) {
      entry.window = [start, end];
      entry.plot.setData(cols.data);
      box.dataset.state = 'drawn';
      return;
    }
    if (entry) entry.plot.destroy();
    box.replaceChildren();
    const axis = { stroke: '#555e68', grid: { stroke: '#e6e9ed', width: 1 }, ticks: { stroke: '#d3d8de', width: 1 } };
    const opts = {
      width: Math.max(280, box.clientWidth),
      height: CHART_HEIGHT,
      scales: { x: { time: true, range: () => (charts.get(box.id) || { window: [start, end] }).window } },
      series: [
        {},
        ...cols.names.map((name, i) => ({
          label: name,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          points: { show: fewPoints, size: 5 },
          value: (u, v) => (v === null || v === undefined ? H.DASH : H.chartValue(v) + ' ' + unit),
        })),
      ],
      axes: [axis, Object.assign({}, axis, { size: 60, values: (u, vals) => H.tickLabels(vals) })],
      legend: { show: true },
    };
    const state = { key, fewPoints, window: [start, end] };
    charts.set(box.id, state);
    state.plot = new window.uPlot(opts, cols.data, box);
    box.dataset.state = 'drawn';
  }

  async function refreshChart(box, start, end, step, generation) {
    const p = new URLSearchParams({ query: box.dataset.query, start: String(start), end: String(end), step: String(step) });
    try {
      const res = await H.getJSON('/prometheus/api/v1/query_range?' + p.toString());
      if (generation !== chartGeneration) return;
      const result = (res && res.data && res.data.result) || [];
      const cols = toColumns(result, parseFloat(box.dataset.scale) || 1, box.dataset.label || 'value');
      if (cols.data[0].length === 0) {
        showChartMessage(box, 'No data in the last ' + range.name + ' yet.');
        return;
      }
      drawChart(box, cols, start, end);
    } catch (err) {
      if (generation !== chartGeneration) return;
      if (err.status === 401) {
        showChartMessage(box, 'The history will show once an API token is given.');
        return;
      }
      showChartMessage(box, err.status === 404
        ? 'History is not available: ' + err.message
        : 'Cannot load history: ' + err.message);
    }
  }

  async function refreshCharts() {
    clearTimeout(chartTimer);
    const generation = ++chartGeneration;
    if (typeof window.uPlot !== 'function') {
      for (const box of document.querySelectorAll('.chart-box')) showChartMessage(box, 'The chart library did not load.');
      return;
    }
    const { start, end, step } = range.window(15);
    const boxes = Array.from(document.querySelectorAll('.chart-box'));
    await Promise.all(boxes.map((box) => refreshChart(box, start, end, step, generation)));
    if (generation !== chartGeneration) return;
    chartTimer = setTimeout(refreshCharts, document.hidden ? 5 * CHART_REFRESH_MS : CHART_REFRESH_MS);
  }

  // Charts follow their box's width when the window or layout changes.
  if (typeof ResizeObserver === 'function') {
    const observer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const entry = charts.get(e.target.id);
        const width = Math.max(280, Math.floor(e.contentRect.width));
        if (entry && entry.plot.width !== width) entry.plot.setSize({ width, height: CHART_HEIGHT });
      }
    });
    for (const box of document.querySelectorAll('.chart-box')) observer.observe(box);
  }

  // --- Diagnostics bundle ---------------------------------------------------

  const diagButton = document.getElementById('miner-diagnostics');
  const diagStatus = document.getElementById('miner-diagnostics-status');
  diagButton.addEventListener('click', async () => {
    diagButton.disabled = true;
    diagStatus.textContent = 'Collecting diagnostics…';
    delete root.dataset.diagnostics;
    try {
      const name = await H.download('/api/v1/miners/' + encodeURIComponent(minerID) + '/diagnostics',
        'hearth-diag-' + minerID + '.zip');
      diagStatus.textContent = 'Saved ' + name + '.';
      root.dataset.diagnostics = name;
    } catch (err) {
      // A 401 shows the token banner, which says what to do.
      diagStatus.textContent = err.status === 401 ? '' : 'Diagnostics failed: ' + err.message;
      root.dataset.diagnostics = 'failed';
    } finally {
      diagButton.disabled = false;
    }
  });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) { refresh(); refreshCharts(); }
  });
  document.addEventListener('hearth:token', () => { refresh(); refreshCharts(); });
  // A save in the desired-state editor shows in the drift panel at once.
  document.addEventListener('hearth:desired', refresh);

  refresh();
  refreshCharts();
})();
