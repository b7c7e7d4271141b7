// The alerts page: the alerts firing now (the open ones of the alert
// history) with who acknowledged them or an "Acknowledge" button, the
// alerts pending (their condition holds, not yet for their rule's "for")
// with when they fire, from /api/v1/alerts?state=pending, the
// silences with a form that adds one (prefilled from an alert's "Silence"
// button), and the history of state changes, where a resolved alert that
// still holds its miner's fault light on can be acknowledged too, from
// /api/v1/alerts/history, /api/v1/alerts/ack and /api/v1/silences.
(function () {
  'use strict';
  const H = window.hearth;
  const byId = (id) => document.getElementById(id);
  const errorBox = byId('alerts-error');
  const status = byId('silence-form-status');

  // labelText writes labels as k="v" pairs, by key.
  function labelText(labels) {
    return Object.keys(labels || {}).sort().map((k) => k + '="' + labels[k] + '"').join(', ');
  }

  // parseMatchers reads the form's lines as the API's matchers; it
  // throws on a line that is not one.
  function parseMatchers(text) {
    const out = [];
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const m = /^([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*)$/.exec(line);
      if (!m) throw new Error('"' + line + '" is not label=value.');
      let value = m[3].trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
        value = JSON.parse(value);
      }
      out.push({ name: m[1], type: m[2], value: value });
    }
    if (out.length === 0) throw new Error('A silence needs at least one matcher.');
    return out;
  }

  function silenceAlert(e) {
    const lines = ['alertname="' + e.name + '"'];
    for (const k of Object.keys(e.labels || {}).sort()) {
      if (k === 'miner' || k === 'board' || k === 'fan') lines.push(k + '=' + JSON.stringify(e.labels[k]));
    }
    byId('silence-matchers').value = lines.join('\n');
    status.textContent = 'Silencing ' + e.name + '; choose how long and add the silence.';
    byId('silence-matchers').focus();
  }

  // ackOf returns the acknowledgement record of e's alert when it covers
  // e's firing (acknowledged after it began), else null.
  function ackOf(e, acks) {
    const a = acks && acks[e.fingerprint];
    if (!a || !a.acked_at) return null;
    if (e.active_at && new Date(a.acked_at) < new Date(e.active_at)) return null;
    return a;
  }

  // holdsLight reports whether e's alert keeps its miner's fault light on.
  function holdsLight(e, acks) {
    const a = acks && acks[e.fingerprint];
    return !!(a && a.located && !a.acked_at);
  }

  async function acknowledge(e) {
    try {
      await H.sendJSON('POST', '/api/v1/alerts/ack', { fingerprint: e.fingerprint });
      status.textContent = 'Acknowledged ' + e.name + '.';
      await load();
    } catch (err) {
      status.textContent = 'Cannot acknowledge ' + e.name + ': ' + err.message;
    }
  }

  // ackCell shows who acknowledged e, or an Acknowledge button, and
  // whether the alert holds its miner's fault light on.
  function ackCell(e, acks) {
    const cell = H.el('td', { dataset: { col: 'ack' } });
    if (holdsLight(e, acks)) cell.append(H.el('span', { class: 'badge badge-offline', dataset: { light: 'on' } }, 'fault light on'), ' ');
    const a = ackOf(e, acks);
    if (a) {
      cell.append(H.el('span', { class: 'muted', dataset: { ackedBy: a.acked_by } }, 'acknowledged by ' + a.acked_by + ', ' + H.fmtTime(a.acked_at)));
    } else if (e.state === 'firing' || holdsLight(e, acks)) {
      const button = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'ack' } }, 'Acknowledge');
      button.addEventListener('click', () => acknowledge(e));
      cell.append(button);
    }
    return cell;
  }

  function currentRow(e, acks) {
    const button = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'silence' } }, 'Silence');
    button.addEventListener('click', () => silenceAlert(e));
    return H.el('tr', { dataset: { fingerprint: e.fingerprint, alert: e.name } },
      H.el('td', { dataset: { col: 'name' } }, e.name),
      H.el('td', { dataset: { col: 'labels' } }, labelText(e.labels)),
      H.el('td', { dataset: { col: 'summary' } }, (e.annotations && e.annotations.summary) || ''),
      H.el('td', { dataset: { col: 'since', value: e.at } }, H.fmtTime(e.at) + ' (' + H.fmtAgo(e.at) + ')'),
      ackCell(e, acks),
      H.el('td', { dataset: { col: 'actions' } }, button));
  }

  // firesText says when a pending alert fires: its time, and how long
  // from now against the server's clock.
  function firesText(firesAt) {
    const left = Date.parse(firesAt) - H.serverNow();
    const when = left > 0 ? 'in ' + H.fmtDuration(Math.max(left, 1000) * 1e6) : 'at the next evaluation';
    return H.fmtTime(firesAt) + ' (' + when + ')';
  }

  // tickPending moves the pending alerts' countdowns on between two
  // refreshes of the page's data.
  function tickPending() {
    for (const td of document.querySelectorAll('#alerts-pending td[data-col="fires"]')) {
      td.textContent = firesText(td.dataset.value);
    }
  }

  function pendingRow(a) {
    const labels = a.labels || {};
    return H.el('tr', { dataset: { fingerprint: a.fingerprint, alert: a.name, state: a.state, miner: labels.miner || '' } },
      H.el('td', { dataset: { col: 'name' } }, a.name),
      H.el('td', { dataset: { col: 'miner' } }, labels.miner || H.DASH),
      H.el('td', { dataset: { col: 'severity' } }, labels.severity || H.DASH),
      H.el('td', { dataset: { col: 'since', value: a.active_at } }, H.fmtTime(a.active_at) + ' (' + H.fmtAgo(a.active_at) + ')'),
      H.el('td', { dataset: { col: 'fires', value: a.fires_at, forSeconds: String(a.for_seconds) } }, firesText(a.fires_at)),
      H.el('td', { dataset: { col: 'labels' } }, labelText(otherLabels(labels))));
  }

  // SHOWN_ELSEWHERE are the labels a pending row leaves out of its other
  // labels: those it has columns for, and the miner's model, firmware and
  // job, which every series of the miner carries and the miner names.
  const SHOWN_ELSEWHERE = new Set(['alertname', 'miner', 'severity', 'job', 'model', 'firmware']);

  // otherLabels leaves out the labels shown elsewhere, keeping what tells
  // one pending alert of a miner from another (a board, a fan, a pool).
  function otherLabels(labels) {
    const out = {};
    for (const k of Object.keys(labels)) {
      if (!SHOWN_ELSEWHERE.has(k)) out[k] = labels[k];
    }
    return out;
  }

  // loadPending fills the pending alerts; a server without alerting
  // (404) has none, and says so rather than failing the page.
  async function loadPending() {
    try {
      const list = await H.getJSON('/api/v1/alerts?state=pending');
      fill('alerts-pending', (list.alerts || []).map(pendingRow), 6, 'No alert is pending.');
    } catch (err) {
      if (err.status !== 404) throw err;
      fill('alerts-pending', [], 6, 'Alerting is not enabled on this server.');
    }
  }

  function historyRow(e, acks, latest) {
    return H.el('tr', { dataset: { event: String(e.id), state: e.state, fingerprint: e.fingerprint } },
      H.el('td', { dataset: { col: 'at', value: e.at } }, H.fmtTime(e.at)),
      H.el('td', { dataset: { col: 'state' } }, H.el('span', { class: 'badge badge-' + (e.state === 'firing' ? 'offline' : 'online') }, e.state)),
      H.el('td', { dataset: { col: 'name' } }, e.name),
      H.el('td', { dataset: { col: 'labels' } }, labelText(e.labels)),
      latest ? ackCell(e, acks) : H.el('td', { dataset: { col: 'ack' } }));
  }

  // historyRows shows the acknowledgement on the newest event of each
  // alert only: the older ones belong to earlier firings.
  function historyRows(events, acks) {
    const seen = new Set();
    return events.map((e) => {
      const latest = !seen.has(e.fingerprint);
      seen.add(e.fingerprint);
      return historyRow(e, acks, latest);
    });
  }

  async function removeSilence(s) {
    if (!window.confirm('End silence ' + s.id + ' now?')) return;
    try {
      await H.sendJSON('DELETE', '/api/v1/silences/' + s.id);
      status.textContent = 'Ended silence ' + s.id + '.';
      await load();
    } catch (err) {
      status.textContent = 'Cannot end silence ' + s.id + ': ' + err.message;
    }
  }

  function silenceRow(s) {
    const button = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'delete' } }, 'End');
    button.addEventListener('click', () => removeSilence(s));
    return H.el('tr', { dataset: { silence: String(s.id) } },
      H.el('td', { dataset: { col: 'matchers' } }, (s.matchers || []).map((m) => m.name + m.type + JSON.stringify(m.value)).join(', ')),
      H.el('td', { dataset: { col: 'starts_at', value: s.starts_at } }, H.fmtTime(s.starts_at)),
      H.el('td', { dataset: { col: 'ends_at', value: s.ends_at } }, H.fmtTime(s.ends_at)),
      H.el('td', { dataset: { col: 'created_by' } }, s.created_by || ''),
      H.el('td', { dataset: { col: 'comment' } }, s.comment || ''),
      H.el('td', { dataset: { col: 'actions' } }, button));
  }

  // fill shows rows in a table, or a placeholder line when there are none.
  function fill(tableId, rows, cols, empty) {
    const body = byId(tableId + '-body');
    if (rows.length === 0) {
      body.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: cols }, empty)));
    } else {
      body.replaceChildren(...rows);
    }
    byId(tableId).dataset.loaded = 'true';
  }

  async function load() {
    try {
      const [open, history, silences] = await Promise.all([
        H.getJSON('/api/v1/alerts/history?open=true'),
        H.getJSON('/api/v1/alerts/history?limit=200'),
        H.getJSON('/api/v1/silences'),
        loadPending(),
      ]);
      fill('alerts-current', (open.events || []).map((e) => currentRow(e, open.acks)), 6, 'No alert is firing.');
      fill('alerts-history', historyRows(history.events || [], history.acks), 5, 'No alert has fired yet.');
      fill('silences', (silences.silences || []).map(silenceRow), 6, 'No silence is active.');
      errorBox.hidden = true;
      byId('alerts-updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (err) {
      if (err.status === 401) return; // the token banner says what to do
      errorBox.textContent = 'Cannot load the alerts: ' + err.message;
      errorBox.hidden = false;
    }
  }

  byId('silence-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    let matchers;
    try {
      matchers = parseMatchers(byId('silence-matchers').value);
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    try {
      const s = await H.sendJSON('POST', '/api/v1/silences', { matchers: matchers, for: byId('silence-for').value, comment: byId('silence-comment').value });
      status.textContent = 'Added silence ' + s.id + '.';
      byId('silence-form').reset();
      await load();
    } catch (err) {
      status.textContent = 'Cannot add the silence: ' + err.message;
    }
  });

  document.addEventListener('hearth:token', load);
  load();
  window.setInterval(load, 30000);
  window.setInterval(tickPending, 1000);
})();
