// The desired-state editor shared by the miner, site and group pages. It
// edits the record of one scope (section#desired's data-scope-kind and
// data-scope-id): pools, power, fans and the fault light. Saving replaces
// the scope's whole record (PUT /api/v1/desired); Clear deletes it, so the
// scope inherits again.
//
// Pool passwords are write-only: the API returns "***" for a set one. An
// empty password field keeps the stored password (the editor sends "***"
// back, which the API resolves), a typed one replaces it, and "clear"
// removes it.
(function () {
  'use strict';
  const H = window.hearth;
  const box = document.getElementById('desired');
  if (!box) return;
  const kind = box.dataset.scopeKind;
  const id = box.dataset.scopeId;
  const form = document.getElementById('desired-form');
  const status = document.getElementById('desired-status');
  const message = document.getElementById('desired-message');
  const errorBox = document.getElementById('desired-error');
  const priority = document.getElementById('desired-priority');
  const mode = document.getElementById('desired-power-mode');
  const watts = document.getElementById('desired-power-watts');
  const profile = document.getElementById('desired-power-profile');
  const fanMode = document.getElementById('desired-fan-mode');
  const fanPercent = document.getElementById('desired-fan-percent');
  const locate = document.getElementById('desired-locate');
  const rows = Array.from(document.querySelectorAll('#desired-pools-body tr[data-pool-index]'));

  // loaded is the record as last read (passwords redacted), or null.
  let loaded = null;

  function field(row, name) { return row.querySelector('[data-field="' + name + '"]'); }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // fill shows a record in the form; null empties it.
  function fill(rec) {
    loaded = rec;
    const st = (rec && rec.state) || {};
    const pools = st.pools || [];
    rows.forEach((row, i) => {
      const p = pools[i] || {};
      field(row, 'url').value = p.url || '';
      field(row, 'user_pattern').value = p.user_pattern || '';
      field(row, 'password').value = '';
      field(row, 'clear_password').checked = false;
      const set = Boolean(p.password);
      field(row, 'password_state').textContent = set ? 'set' : 'unset';
      row.dataset.passwordSet = set ? 'true' : 'false';
    });
    if (priority) priority.value = String((rec && rec.priority) || 0);
    const power = st.power || {};
    mode.value = power.mode || '';
    watts.value = power.watts > 0 ? String(power.watts) : '';
    // A named profile is shown when the server sends one, even one this
    // page does not know the meaning of.
    profile.value = power.profile || '';
    const fan = st.fan;
    fanMode.value = fan ? (fan.auto ? 'auto' : 'fixed') : '';
    fanPercent.value = fan && !fan.auto ? String(fan.percent || 0) : '';
    locate.value = st.locate === true ? 'on' : st.locate === false ? 'off' : '';
    box.dataset.set = rec ? 'true' : 'false';
    box.dataset.updatedAt = (rec && rec.updated_at) || '';
    status.textContent = rec ? 'Set, updated ' + H.fmtTime(rec.updated_at) : 'Not set: inherited';
  }

  // collect reads the form into a desired-state record.
  function collect() {
    const state = {};
    const oldPools = (loaded && loaded.state && loaded.state.pools) || [];
    const pools = [];
    rows.forEach((row, i) => {
      const url = field(row, 'url').value.trim();
      const user = field(row, 'user_pattern').value.trim();
      if (!url && !user) return;
      const pool = { url, user_pattern: user };
      const typed = field(row, 'password').value;
      if (typed) pool.password = typed;
      else if (!field(row, 'clear_password').checked && oldPools[i] && oldPools[i].password) pool.password = oldPools[i].password;
      pools.push(pool);
    });
    if (pools.length) state.pools = pools;
    const w = Number(watts.value);
    const named = profile.value.trim();
    if (mode.value || named) {
      const power = {};
      if (mode.value) power.mode = mode.value;
      if (watts.value !== '' && w > 0) power.watts = w;
      if (named) power.profile = named; // sent only when filled
      state.power = power;
    }
    if (fanMode.value === 'auto') state.fan = { auto: true };
    else if (fanMode.value === 'fixed') {
      // An empty speed must not become 0 %: fans stopped on a hashing
      // miner overheat it.
      if (fanPercent.value.trim() === '') throw new Error('Give a fan speed in % for a fixed fan mode.');
      state.fan = { auto: false, percent: Math.round(Number(fanPercent.value)) };
    }
    if (locate.value) state.locate = locate.value === 'on';
    const rec = { scope: { kind, id }, state };
    if (priority) rec.priority = Math.round(Number(priority.value) || 0);
    return rec;
  }

  async function load() {
    try {
      const list = await H.getJSON('/api/v1/desired?kind=' + encodeURIComponent(kind) + '&id=' + encodeURIComponent(id));
      const rec = (list.desired || []).find((d) => d.scope.kind === kind && d.scope.id === id) || null;
      fill(rec);
      showError('');
      box.dataset.loaded = 'true';
    } catch (err) {
      if (err.status === 401) return;
      status.textContent = '';
      showError('Cannot load the desired state: ' + err.message);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = 'Saving…';
    try {
      const rec = await H.sendJSON('PUT', '/api/v1/desired', collect());
      fill(rec);
      showError('');
      message.textContent = 'Saved.';
      box.dataset.saved = String(Date.now());
      document.dispatchEvent(new CustomEvent('hearth:desired', { detail: rec }));
    } catch (err) {
      message.textContent = '';
      showError('Not saved: ' + err.message);
    }
  });

  document.getElementById('desired-clear').addEventListener('click', async () => {
    if (!loaded) { fill(null); return; }
    message.textContent = 'Clearing…';
    try {
      await H.sendJSON('DELETE', '/api/v1/desired?kind=' + encodeURIComponent(kind) + '&id=' + encodeURIComponent(id));
      fill(null);
      showError('');
      message.textContent = 'Cleared.';
      document.dispatchEvent(new CustomEvent('hearth:desired', { detail: null }));
    } catch (err) {
      message.textContent = '';
      showError('Not cleared: ' + err.message);
    }
  });

  document.addEventListener('hearth:token', load);
  load();
})();
