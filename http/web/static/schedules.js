// The schedules page: every schedule with when its windows next open and
// close (computed by the server in the schedule's time zone), a form to
// add a recurring schedule, and a button to delete one.
(function () {
  'use strict';
  const H = window.hearth;
  const table = document.getElementById('schedules');
  const tbody = document.getElementById('schedules-body');
  const errorBox = document.getElementById('schedules-error');
  const form = document.getElementById('schedule-create');
  const message = document.getElementById('schedule-create-message');
  const REFRESH_MS = 30000;
  let timer = null;

  function value(id) { return document.getElementById(id).value.trim(); }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // scopeLink links a schedule's target to its page.
  function scopeLink(t) {
    const pages = { site: '/sites/', group: '/groups/', miner: '/miners/' };
    const text = t.kind + ' ' + t.id;
    return pages[t.kind] ? H.el('a', { href: pages[t.kind] + encodeURIComponent(t.id) }, text) : text;
  }

  function describeChange(c) {
    const p = c.payload || {};
    switch (c.kind) {
      case 'pause': return 'pause';
      case 'power-profile': {
        let text = 'power ' + (p.mode || '');
        if (p.watts > 0) text += ' ' + H.fmtInt(p.watts) + ' W';
        if (p.profile) text += ' "' + p.profile + '"';
        return text;
      }
      case 'pools': return 'pools ' + (p.pools || []).map((x) => x.url).join(', ');
      default: return c.kind;
    }
  }

  function describeWindow(s) {
    if (s.recurrence) return s.recurrence;
    return H.fmtTime(s.start) + ' – ' + H.fmtTime(s.end);
  }

  // atZone shows an instant in the schedule's zone, which is what its
  // recurrence means, with the day so that "22:00" is not ambiguous.
  function atZone(iso, zone) {
    if (!iso) return H.DASH;
    try {
      return new Date(iso).toLocaleString([], { timeZone: zone || 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    } catch (_) {
      return H.fmtTime(iso);
    }
  }

  function row(s) {
    const del = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'delete' } }, 'Delete');
    del.addEventListener('click', () => remove(s));
    const state = !s.enabled ? 'disabled' : s.in_force ? 'open' : 'closed';
    return H.el('tr', { dataset: { scheduleId: s.id, schedule: s.name, state } },
      H.el('td', { dataset: { col: 'name' } }, s.name, s.enabled ? null : H.el('span', { class: 'muted' }, ' (disabled)'),
        s.in_force ? ' ' : null, s.in_force ? H.el('span', { class: 'badge badge-online', title: 'A window is open now' }, 'open') : null),
      H.el('td', { dataset: { col: 'scope', kind: s.target.kind, id: s.target.id } }, scopeLink(s.target)),
      H.el('td', { dataset: { col: 'window' } }, H.el('code', null, describeWindow(s))),
      H.el('td', { dataset: { col: 'change', kind: s.change.kind } }, describeChange(s.change)),
      H.el('td', { dataset: { col: 'time_zone' } }, s.time_zone || 'UTC'),
      H.el('td', { dataset: { col: 'next_opening', value: s.next_opening || '' }, title: s.next_opening || '' }, atZone(s.next_opening, s.time_zone)),
      H.el('td', { dataset: { col: 'next_closing', value: s.next_closing || '' }, title: s.next_closing || '' }, atZone(s.next_closing, s.time_zone)),
      H.el('td', { dataset: { col: 'actions' } }, del));
  }

  async function load() {
    clearTimeout(timer);
    try {
      const list = await H.getJSON('/api/v1/schedules');
      const schedules = list.schedules || [];
      if (schedules.length === 0) {
        tbody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 8 }, 'No schedules yet. Add one below.')));
      } else {
        tbody.replaceChildren(...schedules.map(row));
      }
      showError('');
      table.dataset.loaded = 'true';
      table.dataset.total = String(schedules.length);
    } catch (err) {
      if (err.status === 401) return;
      showError('Cannot load the schedules: ' + err.message);
    } finally {
      timer = setTimeout(load, REFRESH_MS);
    }
  }

  async function remove(s) {
    if (!window.confirm('Delete the schedule ' + s.name + '? A window open now closes.')) return;
    try {
      await H.sendJSON('DELETE', '/api/v1/schedules/' + encodeURIComponent(s.id));
      message.textContent = 'Deleted ' + s.name + '.';
      await load();
    } catch (err) {
      showError('Cannot delete ' + s.name + ': ' + err.message);
    }
  }

  // change builds the change the form describes, as the API takes it.
  function change() {
    const kind = value('schedule-change');
    if (kind === 'power-profile') {
      const payload = { mode: value('schedule-power-mode') };
      const watts = Number(value('schedule-power-watts'));
      if (watts > 0) payload.watts = watts;
      return { kind, payload };
    }
    if (kind === 'pools') {
      const pool = { url: value('schedule-pool-url'), user_pattern: value('schedule-pool-user') };
      const password = document.getElementById('schedule-pool-password').value;
      if (password) pool.password = password;
      return { kind, payload: { pools: [pool] } };
    }
    return { kind };
  }

  // timeZone is the zone typed, or else the site's when the target is a
  // site, or else UTC.
  async function timeZone(kind, id) {
    const typed = value('schedule-time-zone');
    if (typed) return typed;
    if (kind === 'site') {
      try {
        const site = await H.getJSON('/api/v1/sites/' + encodeURIComponent(id));
        if (site.time_zone) return site.time_zone;
      } catch (_) { /* the API names an unknown site when the schedule is added */ }
    }
    return 'UTC';
  }

  // showChangeFields shows only the inputs of the chosen change.
  function showChangeFields() {
    const kind = value('schedule-change');
    for (const id of ['schedule-power-mode', 'schedule-power-watts']) {
      document.getElementById(id).disabled = kind !== 'power-profile';
    }
    for (const id of ['schedule-pool-url', 'schedule-pool-user', 'schedule-pool-password']) {
      document.getElementById(id).disabled = kind !== 'pools';
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const kind = value('schedule-scope-kind');
    const id = value('schedule-scope-id');
    message.textContent = 'Adding…';
    try {
      const body = {
        name: value('schedule-name'),
        target: { kind, id },
        change: change(),
        recurrence: value('schedule-spec'),
        time_zone: await timeZone(kind, id),
      };
      const created = await H.sendJSON('POST', '/api/v1/schedules', body);
      form.reset();
      showChangeFields();
      message.textContent = 'Added ' + created.name + '.';
      showError('');
      await load();
    } catch (err) {
      message.textContent = '';
      showError('Not added: ' + err.message);
    }
  });

  document.getElementById('schedule-change').addEventListener('change', showChangeFields);
  showChangeFields();
  document.addEventListener('hearth:token', load);
  load();
})();
