// The plan page: one form per planner calculation. Each form sends its
// fields to /api/v1/plan/<kind> (a GET with query parameters for hashprice
// and heat, a POST of JSON for the others), shows the answer as a table of
// tr[data-key] rows, and embeds the chart the CLI draws as an <img> of
// /api/v1/plan/<kind>/svg?q=<the same JSON>.
(function () {
  'use strict';
  const H = window.hearth;
  const CHARTS = { roi: true, montecarlo: true, backtest: true, home: true };
  const GETS = { hashprice: true, heat: true };

  // payloadOf reads a form into the request object: number fields become
  // numbers (left out when empty), line fields lists of non-empty lines.
  function payloadOf(form) {
    const out = {};
    for (const input of form.querySelectorAll('input[name], textarea[name], select[name]')) {
      const raw = input.value.trim();
      switch (input.dataset.kind) {
        case 'number': {
          if (raw === '') break;
          const n = Number(raw);
          if (!Number.isFinite(n)) throw new Error(input.labels[0].textContent + ': "' + raw + '" is not a number.');
          out[input.name] = n;
          break;
        }
        case 'lines':
          out[input.name] = raw.split('\n').map((l) => l.trim()).filter(Boolean);
          break;
        default:
          out[input.name] = raw;
      }
    }
    return out;
  }

  function num(v, digits) { return H.isNumber(v) ? v.toFixed(digits) : H.DASH; }
  function usd(v) { return H.isNumber(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) + ' USD' : H.DASH; }
  function pct(v) { return H.isNumber(v) ? (v * 100).toFixed(1) + ' %' : H.DASH; }
  function payback(days) { return H.isNumber(days) && days >= 0 ? 'day ' + Math.round(days) : 'never within the horizon'; }

  // Each renderer turns an answer into rows: [key, label, text, raw value].
  const RENDER = {
    hashprice: (r) => [
      ['usd_per_ph_day', 'Hashprice', num(r.usd_per_ph_day, 2) + ' USD/PH/day', r.usd_per_ph_day],
      ['btc_per_th_day', 'Hashprice', (r.btc_per_th_day * 1e8).toFixed(2) + ' sat/TH/day', r.btc_per_th_day],
      ['reward_btc', 'Block reward', num(r.reward_btc, 8) + ' BTC', r.reward_btc],
      ['network_hashrate', 'Network hash rate', num(r.network_hashrate / 1e18, 1) + ' EH/s', r.network_hashrate],
    ],
    heat: (r) => [
      ['miner_heat_cost_per_kwh', 'Miner heat', num(r.miner_heat_cost_per_kwh, 4) + ' USD/kWh', r.miner_heat_cost_per_kwh],
      ['miner_revenue_per_kwh', 'Miner earns', num(r.miner_revenue_per_kwh, 4) + ' USD per kWh consumed', r.miner_revenue_per_kwh],
      ['heatpump_heat_cost_per_kwh', 'Heat pump heat', num(r.heatpump_heat_cost_per_kwh, 4) + ' USD/kWh', r.heatpump_heat_cost_per_kwh],
      ['resistive_heat_cost_per_kwh', 'Resistive heat', num(r.resistive_heat_cost_per_kwh, 4) + ' USD/kWh', r.resistive_heat_cost_per_kwh],
      ['breakeven_electricity_price', 'Miner cheaper below', num(r.breakeven_electricity_price, 4) + ' USD/kWh', r.breakeven_electricity_price],
      ['cheapest', 'Cheapest now', r.cheapest, r.cheapest],
    ],
    roi: (r) => [
      ['payback_days', 'Payback', payback(r.returns.payback_days), r.returns.payback_days],
      ['roi', 'ROI', pct(r.returns.roi), r.returns.roi],
      ['npv_usd', 'NPV', usd(r.returns.npv_usd), r.returns.npv_usd],
      ['irr', 'IRR', r.returns.irr === null ? 'none' : pct(r.returns.irr) + '/year', r.returns.irr],
      ['total_profit_usd', 'Profit', usd(r.returns.total_profit_usd), r.returns.total_profit_usd],
      ['btc', 'Mined', num(r.btc, 6) + ' BTC', r.btc],
      ['capex_usd', 'Capex', usd(r.rig.capex_usd), r.rig.capex_usd],
    ],
    montecarlo: (r) => {
      const p = (q) => [q.p5, q.p25, q.p50, q.p75, q.p95].map((v) => Math.round(v).toLocaleString('en-US')).join(' / ');
      return [
        ['npv_usd', 'NPV P5 / P25 / P50 / P75 / P95 (USD)', p(r.npv_usd), r.npv_usd.p50],
        ['total_profit_usd', 'Profit P5 / P25 / P50 / P75 / P95 (USD)', p(r.total_profit_usd), r.total_profit_usd.p50],
        ['payback_probability', 'Paths that pay back within ' + r.days + ' days', pct(r.payback_probability), r.payback_probability],
        ['paths', 'Paths', String(r.paths), r.paths],
      ];
    },
    backtest: (r) => [
      ['span', 'Days', r.days.length ? r.days[0].date + ' … ' + r.days[r.days.length - 1].date : H.DASH, r.days.length],
      ['revenue_usd', 'Revenue', usd(r.revenue_usd), r.revenue_usd],
      ['cost_usd', 'Electricity', usd(r.cost_usd), r.cost_usd],
      ['heat_credit_usd', 'Heat credit', usd(r.heat_credit_usd), r.heat_credit_usd],
      ['payback_days', 'Payback', payback(r.returns.payback_days), r.returns.payback_days],
      ['roi', 'ROI', pct(r.returns.roi), r.returns.roi],
    ],
    home: (r) => r.result.options.map((o) => ['option:' + o.name, o.name,
      'net ' + usd(o.net_usd) + ' (electricity ' + usd(o.cost_usd) + ', mining ' + usd(o.revenue_usd) + ')', o.net_usd])
      .concat([['cheapest', 'Cheapest', r.result.cheapest, r.result.cheapest]]),
    site: (r) => r.plan.lines.map((l) => ['line:' + l.model, l.model,
      l.count + ' miners, ' + l.circuits + ' circuits of ' + l.breaker_a + ' A (' + l.miners_per_circuit + ' each), ' + l.racks + ' racks, PDU ' + l.pdu_a + ' A, ' + num(l.power_kw, 1) + ' kW', l.count])
      .concat([
        ['miners', 'Miners', String(r.plan.miners), r.plan.miners],
        ['power_kw', 'Power', num(r.plan.power_kw, 1) + ' kW', r.plan.power_kw],
        ['heat_btu_per_hour', 'Heat', Math.round(r.plan.heat_btu_per_hour).toLocaleString('en-US') + ' BTU/h', r.plan.heat_btu_per_hour],
        ['airflow_cfm', 'Airflow', Math.round(r.plan.airflow_cfm).toLocaleString('en-US') + ' CFM', r.plan.airflow_cfm],
        ['profit_per_day_usd', 'Profit a day', num(r.plan.profit_per_day_usd, 2) + ' USD', r.plan.profit_per_day_usd],
      ], (r.plan.warnings || []).map((w, i) => ['warning:' + i, 'Warning', w, w])),
  };

  function show(kind, rows) {
    const table = document.getElementById('plan-' + kind + '-result');
    const body = table.tBodies[0];
    body.replaceChildren(...rows.map(([key, label, text, raw]) => H.el('tr', { dataset: { key } },
      H.el('th', { scope: 'row' }, label),
      H.el('td', { dataset: { value: raw === null || raw === undefined ? '' : String(raw) } }, text))));
    table.hidden = false;
    table.dataset.loaded = 'true';
  }

  // showChart fetches the chart through the API client, so that a server
  // that wants a token for reads from this machine gets it (a plain <img>
  // URL could not send it), and shows it from the fetched bytes.
  async function showChart(kind, payload) {
    const img = document.getElementById('plan-' + kind + '-chart');
    if (!img) return;
    img.dataset.loaded = 'false';
    img.onload = () => { img.hidden = false; img.dataset.loaded = 'true'; };
    img.onerror = () => { img.hidden = true; img.dataset.loaded = 'error'; };
    let got;
    try {
      got = await H.getJSON('/api/v1/plan/' + kind + '/svg?q=' + encodeURIComponent(JSON.stringify(payload)), { blob: true });
    } catch (_) {
      img.hidden = true;
      img.dataset.loaded = 'error';
      return;
    }
    if (img.dataset.objectUrl) URL.revokeObjectURL(img.dataset.objectUrl);
    img.dataset.objectUrl = URL.createObjectURL(got.blob);
    img.src = img.dataset.objectUrl;
  }

  async function submit(form) {
    const kind = form.dataset.plan;
    const message = document.getElementById('plan-' + kind + '-message');
    const button = document.getElementById('plan-' + kind + '-submit');
    message.textContent = 'Calculating…';
    button.disabled = true;
    try {
      const payload = payloadOf(form);
      let answer;
      if (GETS[kind]) {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(payload)) q.set(k, String(v));
        answer = await H.getJSON('/api/v1/plan/' + kind + '?' + q.toString());
      } else {
        answer = await H.sendJSON('POST', '/api/v1/plan/' + kind, payload);
      }
      show(kind, RENDER[kind](answer));
      if (CHARTS[kind]) showChart(kind, payload);
      message.textContent = '';
    } catch (err) {
      message.textContent = 'Cannot calculate: ' + err.message;
    } finally {
      button.disabled = false;
    }
  }

  for (const form of document.querySelectorAll('form.plan-form')) {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit(form);
    });
  }
})();
