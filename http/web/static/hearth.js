// hearth web UI: helpers shared by the pages. Plain JavaScript, no build step.
//
// Everything the pages show comes from the JSON API; this file fetches it
// (with the API token when the user gave one), formats base units for
// people, and builds DOM nodes without ever parsing data as HTML.
(function () {
  'use strict';

  const TOKEN_KEY = 'hearth.apiToken';

  // The difference between the server's clock and the browser's, learnt
  // from the "now" field of API responses, so that "last seen 10 s ago" is
  // right even when the browser's clock is off.
  let clockOffsetMs = 0;

  // memoryToken keeps the token when the browser refuses local storage.
  let memoryToken = '';

  function getToken() {
    try { return window.localStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
  }

  function setToken(token) {
    try {
      if (token) window.localStorage.setItem(TOKEN_KEY, token);
      else window.localStorage.removeItem(TOKEN_KEY);
    } catch (_) { /* storage disabled: the token lasts until reload */ }
    memoryToken = token;
  }

  function currentToken() { return getToken() || memoryToken; }

  // APIError carries the HTTP status and the hearth error code of a failed
  // request, so that pages can tell "not found" from "server down".
  class APIError extends Error {
    constructor(message, status, code) {
      super(message);
      this.name = 'APIError';
      this.status = status;
      this.code = code || '';
    }
  }

  // request sends one API request and returns its JSON body (null for an
  // answer without one, such as 204). It throws APIError on any failure,
  // with the server's own message when it sent one.
  async function request(method, url, payload, options) {
    const headers = { Accept: 'application/json' };
    const token = currentToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    const init = { method, headers, cache: 'no-store', signal: options && options.signal };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw new APIError('Cannot reach the hearth server.', 0, 'network');
    }
    let body = null;
    if ((res.headers.get('Content-Type') || '').includes('json')) {
      try { body = await res.json(); } catch (_) { body = null; }
    }
    if (res.status === 401) {
      showAuth(body && body.error, Boolean(token));
    } else if (res.ok) {
      hideAuth();
    }
    if (!res.ok) {
      const message = (body && body.error) || (res.status + ' ' + res.statusText);
      throw new APIError(message, res.status, body && (body.code || body.errorType));
    }
    if (options && options.blob) {
      return { blob: await res.blob(), filename: attachmentName(res.headers.get('Content-Disposition')) };
    }
    if (body && typeof body.now === 'string') {
      const serverNow = Date.parse(body.now);
      if (!Number.isNaN(serverNow)) clockOffsetMs = serverNow - Date.now();
    }
    return body;
  }

  // attachmentName returns the file name of a Content-Disposition header,
  // or '' when it has none.
  function attachmentName(header) {
    const m = /filename="?([^";]+)"?/i.exec(header || '');
    return m ? m[1].replace(/[\\/]/g, '_') : '';
  }

  // download fetches a file from the API with the token (which a plain
  // link could not send) and has the browser save it under the name the
  // server gave, else fallbackName. It returns the name saved under.
  async function download(url, fallbackName) {
    const got = await request('GET', url, undefined, { blob: true });
    const href = URL.createObjectURL(got.blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = got.filename || fallbackName;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    // The browser has read the blob by the time the save dialog is done.
    setTimeout(() => URL.revokeObjectURL(href), 60000);
    return a.download;
  }

  // getJSON fetches a JSON document from the API.
  function getJSON(url, options) { return request('GET', url, undefined, options); }

  // sendJSON writes through the API: POST, PUT or DELETE with an optional
  // JSON body. Writes need the API token, so a 401 shows the token banner.
  function sendJSON(method, url, payload) { return request(method, url, payload); }

  // splitIDs turns "a, b  c" (commas, spaces or new lines) into ["a","b","c"].
  function splitIDs(text) {
    return String(text || '').split(/[\s,]+/).filter(Boolean);
  }

  // serverNow returns the server's current time in milliseconds.
  function serverNow() { return Date.now() + clockOffsetMs; }

  // --- API token banner -------------------------------------------------

  function authElements() {
    return {
      form: document.getElementById('auth-form'),
      input: document.getElementById('auth-token'),
      message: document.getElementById('auth-message'),
      forget: document.getElementById('auth-forget'),
    };
  }

  function showAuth(serverMessage, hadToken) {
    const a = authElements();
    if (!a.form) return;
    a.message.textContent = hadToken
      ? 'The API token in use was refused. Paste a valid token to continue.'
      : (serverMessage || 'This hearth server needs an API token for reads from this machine.') +
        ' Paste a token to continue; it is kept in this browser only.';
    a.forget.hidden = !hadToken;
    if (a.form.hidden) {
      a.form.hidden = false;
      a.input.focus();
    }
  }

  function hideAuth() {
    const a = authElements();
    if (a.form) a.form.hidden = true;
  }

  function setupAuth() {
    const a = authElements();
    if (!a.form) return;
    a.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = a.input.value.trim();
      if (!token) return;
      setToken(token);
      a.input.value = '';
      hideAuth();
      document.dispatchEvent(new CustomEvent('hearth:token'));
    });
    a.forget.addEventListener('click', () => {
      setToken('');
      document.dispatchEvent(new CustomEvent('hearth:token'));
    });
  }

  // --- Formatting ---------------------------------------------------------

  const DASH = '–';

  function isNumber(v) { return typeof v === 'number' && Number.isFinite(v); }

  function fixed(v, digits) {
    return v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // chartValue formats one chart value (a legend, a tooltip): more
  // decimals for small values, none for large ones.
  function chartValue(v) {
    if (!isNumber(v)) return DASH;
    const a = Math.abs(v);
    return a >= 1000 ? Math.round(v).toLocaleString() : fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
  }

  // tickLabels formats a chart axis's ticks with just the decimals that
  // tell neighbours apart: a hash rate between 1.21 and 1.24 TH/s reads
  // 1.21, 1.22, 1.23, not 1.2 three times.
  function tickLabels(vals) {
    let step = Infinity;
    for (let i = 1; i < vals.length; i++) {
      if (isNumber(vals[i]) && isNumber(vals[i - 1])) step = Math.min(step, Math.abs(vals[i] - vals[i - 1]));
    }
    const digits = isNumber(step) && step > 0 ? Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
    return vals.map((v) => (isNumber(v) ? fixed(v, digits) : ''));
  }

  // fmtTHs formats a hash rate in H/s as TH/s without the unit (the column
  // header says it). Small rates keep more decimals: a Bitaxe does about 1.2.
  function fmtTHs(hs) {
    if (!isNumber(hs) || hs <= 0) return DASH;
    const th = hs / 1e12;
    return fixed(th, th >= 100 ? 1 : 2);
  }

  // fmtHashrate formats a hash rate with a unit that suits its size.
  function fmtHashrate(hs) {
    if (!isNumber(hs) || hs <= 0) return DASH;
    const units = [[1e18, 'EH/s'], [1e15, 'PH/s'], [1e12, 'TH/s'], [1e9, 'GH/s'], [1e6, 'MH/s'], [1, 'H/s']];
    for (const [scale, unit] of units) {
      if (hs >= scale) return fixed(hs / scale, hs / scale >= 100 ? 1 : 2) + ' ' + unit;
    }
    return fixed(hs, 0) + ' H/s';
  }

  // fmtWatts formats power in W without the unit.
  function fmtWatts(w) {
    if (!isNumber(w) || w <= 0) return DASH;
    return fixed(w, w >= 100 ? 0 : 1);
  }

  // fmtPower formats power with a unit that suits its size.
  function fmtPower(w) {
    if (!isNumber(w) || w <= 0) return DASH;
    if (w >= 1e6) return fixed(w / 1e6, 2) + ' MW';
    if (w >= 1e4) return fixed(w / 1e3, 1) + ' kW';
    return fixed(w, 0) + ' W';
  }

  function fmtEfficiency(jth) {
    if (!isNumber(jth) || jth <= 0) return DASH;
    return fixed(jth, 1);
  }

  function fmtTemp(c) {
    if (!isNumber(c) || c <= 0) return DASH;
    return fixed(c, 1);
  }

  function fmtInt(n) {
    if (!isNumber(n)) return DASH;
    return Math.round(n).toLocaleString();
  }

  // fmtAgo says how long ago an ISO time was, against the server's clock.
  function fmtAgo(iso) {
    if (!iso) return 'never';
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return DASH;
    const s = Math.max(0, Math.round((serverNow() - t) / 1000));
    if (s < 5) return 'just now';
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ago';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h ago';
  }

  // fmtBytes formats a size in bytes with binary units, as the CLI does.
  function fmtBytes(n) {
    if (!isNumber(n) || n < 0) return DASH;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + units[i];
  }

  // fmtDuration formats a duration given in nanoseconds, as the API sends.
  function fmtDuration(ns) {
    if (!isNumber(ns) || ns <= 0) return DASH;
    const s = Math.floor(ns / 1e9);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  function fmtTime(iso) {
    if (!iso) return DASH;
    const t = new Date(iso);
    return Number.isNaN(t.getTime()) ? DASH : t.toLocaleString();
  }

  // --- DOM ----------------------------------------------------------------

  // el builds an element: el('td', {class: 'num', dataset: {col: 'x'}}, 'text', node).
  // Children are text or nodes; text is never parsed as HTML.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key === 'class') node.className = value;
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // badge returns the colored status badge of a miner. A miner that
  // answers but reports mining paused shows "paused".
  function badge(state, paused, title) {
    const shown = state === 'online' && paused ? 'paused' : (state || 'unknown');
    return el('span', { class: 'badge badge-' + shown, dataset: { state: state || 'unknown' }, title: title || undefined }, shown);
  }

  // setBadge updates an existing badge element in place.
  function setBadge(node, state, paused, title) {
    const shown = state === 'online' && paused ? 'paused' : (state || 'unknown');
    node.className = 'badge badge-' + shown;
    node.dataset.state = state || 'unknown';
    node.textContent = shown;
    if (title) node.title = title; else node.removeAttribute('title');
  }

  function setText(id, text) {
    const node = document.getElementById(id);
    if (node && node.textContent !== text) node.textContent = text;
    return node;
  }

  // debounce delays fn until calls have stopped for ms.
  function debounce(fn, ms) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  // summarizeDesired says in one line what a desired state sets, for
  // tables: "2 pools · power eco 2500 W · fans auto · light on".
  function summarizeDesired(state) {
    if (!state) return DASH;
    const parts = [];
    const pools = state.pools || [];
    if (pools.length) parts.push(pools.length === 1 ? '1 pool' : pools.length + ' pools');
    if (state.power) {
      let p = 'power ' + (state.power.mode || '');
      if (state.power.watts > 0) p += ' ' + fmtInt(state.power.watts) + ' W';
      if (state.power.profile) p += ' "' + state.power.profile + '"';
      parts.push(p.trim());
    }
    if (state.fan) parts.push('fans ' + (state.fan.auto ? 'auto' : (state.fan.percent || 0) + ' %'));
    if (state.locate !== undefined && state.locate !== null) parts.push('light ' + (state.locate ? 'on' : 'off'));
    return parts.length ? parts.join(' · ') : DASH;
  }

  // chartRange drives the page's range buttons (#chart-range, 1h, 6h,
  // 24h) for charts of the Prometheus API: it keeps the chosen range in
  // the buttons' aria-pressed, on #chart-range and in the address (so a
  // reload or a shared link shows the same range), and calls onChange
  // when the user picks another. window(minStep) returns the start, end
  // (Unix seconds, by the server's clock) and step of a query_range over
  // the range with about 360 points.
  const CHART_RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 24 * 3600 };
  function chartRange(onChange) {
    const box = document.getElementById('chart-range');
    let range = '1h';
    function set(next) {
      if (!CHART_RANGES[next]) return;
      range = next;
      for (const b of box.querySelectorAll('button')) {
        b.setAttribute('aria-pressed', b.dataset.range === range ? 'true' : 'false');
      }
      box.dataset.range = range;
      const url = new URL(window.location.href);
      if (range === '1h') url.searchParams.delete('range'); else url.searchParams.set('range', range);
      window.history.replaceState(null, '', url.pathname + url.search);
    }
    box.addEventListener('click', (event) => {
      const b = event.target.closest('button[data-range]');
      if (!b || b.dataset.range === range) return;
      set(b.dataset.range);
      onChange();
    });
    set(new URLSearchParams(window.location.search).get('range') || '1h');
    return {
      get name() { return range; },
      window(minStep) {
        const seconds = CHART_RANGES[range];
        const end = Math.floor(serverNow() / 1000);
        return { start: end - seconds, end, step: Math.max(minStep, Math.ceil(seconds / 360)) };
      },
    };
  }

  setupAuth();

  window.hearth = {
    APIError, getJSON, sendJSON, download, splitIDs, serverNow, chartRange, chartValue, tickLabels,
    fmtTHs, fmtHashrate, fmtWatts, fmtPower, fmtEfficiency, fmtTemp, fmtInt, fmtAgo, fmtDuration, fmtTime, fmtBytes,
    el, badge, setBadge, setText, debounce, isNumber, DASH, summarizeDesired,
  };
})();
