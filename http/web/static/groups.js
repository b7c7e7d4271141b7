// The groups page: every group with its members and a summary of its
// desired state, a form to create one, and a button to delete one.
(function () {
  'use strict';
  const H = window.hearth;
  const table = document.getElementById('groups');
  const tbody = document.getElementById('groups-body');
  const errorBox = document.getElementById('groups-error');
  const form = document.getElementById('group-create');
  const message = document.getElementById('group-create-message');

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function row(g, rec) {
    const del = H.el('button', { type: 'button', class: 'secondary', dataset: { action: 'delete' } }, 'Delete');
    del.addEventListener('click', () => remove(g.name));
    const members = (g.miners || []).length;
    return H.el('tr', { dataset: { group: g.name } },
      H.el('td', { dataset: { col: 'name' } }, H.el('a', { href: '/groups/' + encodeURIComponent(g.name) }, g.name)),
      H.el('td', { dataset: { col: 'description' } }, g.description || ''),
      H.el('td', { class: 'num', dataset: { col: 'priority', value: String(rec ? rec.priority || 0 : '') } }, rec ? String(rec.priority || 0) : H.DASH),
      H.el('td', { class: 'num', dataset: { col: 'members', value: String(members) } }, H.fmtInt(members)),
      H.el('td', { dataset: { col: 'desired', set: rec ? 'true' : 'false' } }, rec ? H.summarizeDesired(rec.state) : 'inherited'),
      H.el('td', { dataset: { col: 'actions' } }, del));
  }

  async function load() {
    try {
      const [list, desired] = await Promise.all([
        H.getJSON('/api/v1/groups'),
        H.getJSON('/api/v1/desired?kind=group').catch(() => ({ desired: [] })),
      ]);
      const byName = new Map((desired.desired || []).map((d) => [d.scope.id, d]));
      const groups = list.groups || [];
      if (groups.length === 0) {
        tbody.replaceChildren(H.el('tr', { class: 'placeholder' }, H.el('td', { colspan: 6 }, 'No groups yet. Create one below.')));
      } else {
        tbody.replaceChildren(...groups.map((g) => row(g, byName.get(g.name))));
      }
      showError('');
      table.dataset.loaded = 'true';
      table.dataset.total = String(groups.length);
    } catch (err) {
      if (err.status === 401) return;
      showError('Cannot load the groups: ' + err.message);
    }
  }

  async function remove(name) {
    if (!window.confirm('Delete the group ' + name + '? Its miners stay.')) return;
    try {
      await H.sendJSON('DELETE', '/api/v1/groups/' + encodeURIComponent(name));
      message.textContent = 'Deleted ' + name + '.';
      await load();
    } catch (err) {
      showError('Cannot delete ' + name + ': ' + err.message);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = document.getElementById('group-create-name').value.trim();
    const body = {
      name,
      description: document.getElementById('group-create-description').value.trim(),
    };
    const miners = H.splitIDs(document.getElementById('group-create-miners').value);
    if (miners.length) body.miners = miners;
    message.textContent = 'Creating…';
    try {
      await H.sendJSON('POST', '/api/v1/groups', body);
      form.reset();
      message.textContent = 'Created ' + name + '.';
      showError('');
      await load();
    } catch (err) {
      message.textContent = '';
      showError('Not created: ' + err.message);
    }
  });

  document.addEventListener('hearth:token', load);
  load();
})();
