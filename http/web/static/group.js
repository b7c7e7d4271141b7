// The page of one group: its members (add by miner IDs, remove) and, through
// desired.js, the group's desired state.
(function () {
  'use strict';
  const H = window.hearth;
  const root = document.getElementById('group');
  const name = root.dataset.group;
  const tbody = document.getElementById('members-body');
  const errorBox = document.getElementById('group-error');
  const form = document.getElementById('members-add');
  const input = document.getElementById('members-add-ids');
  const message = document.getElementById('members-message');
  const base = '/api/v1/groups/' + encodeURIComponent(name);

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function row(id, m) {
    const remove = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'remove' } }, 'Remove');
    remove.addEventListener('click', () => removeMember(id));
    return H.el('tr', { dataset: { minerId: id } },
      H.el('td', { dataset: { col: 'id' } }, H.el('a', { href: '/miners/' + encodeURIComponent(id) }, id)),
      H.el('td', { dataset: { col: 'model' } }, (m && m.model) || H.DASH),
      H.el('td', { dataset: { col: 'site' } }, (m && m.site) || H.DASH),
      H.el('td', { dataset: { col: 'state' } }, H.badge(m && m.status ? m.status.state : 'unknown', m && m.status && m.status.paused)),
      H.el('td', { dataset: { col: 'actions' } }, remove));
  }

  // show draws the group as the API answered it; miner details are best
  // effort, so that a member the fleet cannot show still lists.
  async function show(g) {
    H.setText('group-description', g.description || '');
    const ids = g.miners || [];
    H.setText('group-member-count', ids.length === 1 ? '1 miner' : ids.length + ' miners');
    const miners = await Promise.all(ids.map((id) =>
      H.getJSON('/api/v1/miners/' + encodeURIComponent(id)).catch(() => null)));
    if (ids.length === 0) {
      tbody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 5 }, 'No members yet. Add miners by ID below.')));
    } else {
      tbody.replaceChildren(...ids.map((id, i) => row(id, miners[i])));
    }
    root.dataset.loaded = 'true';
    root.dataset.members = String(ids.length);
  }

  async function load() {
    try {
      await show(await H.getJSON(base));
      showError('');
    } catch (err) {
      if (err.status === 401) return;
      showError(err.status === 404 ? 'There is no group ' + name + '.' : 'Cannot load the group: ' + err.message);
    }
  }

  async function removeMember(id) {
    try {
      await show(await H.sendJSON('DELETE', base + '/members?miner=' + encodeURIComponent(id)));
      message.textContent = 'Removed ' + id + '.';
      showError('');
    } catch (err) {
      showError('Cannot remove ' + id + ': ' + err.message);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const ids = H.splitIDs(input.value);
    if (!ids.length) return;
    message.textContent = 'Adding…';
    try {
      await show(await H.sendJSON('POST', base + '/members', { miners: ids }));
      input.value = '';
      message.textContent = 'Added ' + ids.join(', ') + '.';
      showError('');
    } catch (err) {
      message.textContent = '';
      showError('Not added: ' + err.message);
    }
  });

  document.addEventListener('hearth:token', load);
  load();
})();
