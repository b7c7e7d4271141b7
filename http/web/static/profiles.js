// The power profiles page: every named profile with its watts per model
// and what uses it, and a form that creates, replaces or deletes one
// through /api/v1/profiles. Editing a row fills the form with it.
(function () {
  'use strict';
  const H = window.hearth;
  const table = document.getElementById('profiles');
  const tbody = document.getElementById('profiles-body');
  const errorBox = document.getElementById('profiles-error');
  const form = document.getElementById('profile-form');
  const status = document.getElementById('profile-form-status');
  const field = (name) => document.getElementById('profile-' + name);

  // modelWattsText shows per-model watts as "MODEL=WATTS" lines, by model.
  function modelWattsText(m, sep) {
    return Object.keys(m || {}).sort().map((k) => k + '=' + m[k]).join(sep);
  }

  // parseModelWatts reads the form's MODEL=WATTS lines; it throws on a
  // line that is not one.
  function parseModelWatts(text) {
    const out = {};
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const at = line.lastIndexOf('=');
      const watts = Number(line.slice(at + 1));
      if (at <= 0 || !line.slice(at + 1).trim() || !Number.isFinite(watts)) {
        throw new Error('Per-model watts: "' + line + '" is not MODEL=WATTS.');
      }
      out[line.slice(0, at).trim()] = watts;
    }
    return out;
  }

  function edit(p) {
    field('name').value = p.name;
    field('mode').value = p.mode;
    field('watts').value = p.watts ? String(p.watts) : '';
    field('model-watts').value = modelWattsText(p.model_watts, '\n');
    field('description').value = p.description || '';
    status.textContent = 'Editing ' + p.name + '; saving replaces the whole profile.';
    field('name').focus();
  }

  async function remove(p) {
    if (!window.confirm('Delete power profile ' + p.name + '?')) return;
    try {
      await H.sendJSON('DELETE', '/api/v1/profiles/' + encodeURIComponent(p.name));
      status.textContent = 'Deleted ' + p.name + '.';
      await load();
    } catch (err) {
      status.textContent = 'Cannot delete ' + p.name + ': ' + err.message;
    }
  }

  function row(p) {
    const used = p.used_by || [];
    const editButton = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'edit' } }, 'Edit');
    editButton.addEventListener('click', () => edit(p));
    const deleteButton = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'delete' },
      disabled: used.length > 0, title: used.length > 0 ? 'In use by ' + used.join(', ') : undefined }, 'Delete');
    deleteButton.addEventListener('click', () => remove(p));
    return H.el('tr', { dataset: { profile: p.name } },
      H.el('td', { dataset: { col: 'name' } }, p.name),
      H.el('td', { dataset: { col: 'mode' } }, p.mode),
      H.el('td', { class: 'num', dataset: { col: 'watts', value: String(p.watts || 0) } }, p.watts ? H.fmtPower(p.watts) : H.DASH),
      H.el('td', { dataset: { col: 'model_watts' } }, modelWattsText(p.model_watts, ', ') || H.DASH),
      H.el('td', { dataset: { col: 'description' } }, p.description || ''),
      H.el('td', { dataset: { col: 'used_by', count: String(used.length) } }, used.length ? used.join(', ') : H.DASH),
      H.el('td', { dataset: { col: 'actions' } }, editButton, ' ', deleteButton));
  }

  async function load() {
    try {
      const list = await H.getJSON('/api/v1/profiles');
      const profiles = list.profiles || [];
      if (profiles.length === 0) {
        tbody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 7 },
          'No power profiles yet. Add one below, or with hearth profiles set NAME --mode eco --watts W.')));
      } else {
        tbody.replaceChildren(...profiles.map(row));
      }
      errorBox.hidden = true;
      table.dataset.loaded = 'true';
    } catch (err) {
      if (err.status === 401) return; // the token banner says what to do
      errorBox.textContent = 'Cannot load the power profiles: ' + err.message;
      errorBox.hidden = false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = field('name').value.trim();
    let body;
    try {
      body = {
        mode: field('mode').value,
        watts: field('watts').value ? Number(field('watts').value) : 0,
        model_watts: parseModelWatts(field('model-watts').value),
        description: field('description').value,
      };
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    try {
      await H.sendJSON('PUT', '/api/v1/profiles/' + encodeURIComponent(name), body);
      status.textContent = 'Saved ' + name + '.';
      await load();
    } catch (err) {
      status.textContent = 'Cannot save ' + name + ': ' + err.message;
    }
  });

  document.getElementById('profile-reset').addEventListener('click', () => {
    form.reset();
    status.textContent = '';
  });

  document.addEventListener('hearth:token', load);
  load();
})();
