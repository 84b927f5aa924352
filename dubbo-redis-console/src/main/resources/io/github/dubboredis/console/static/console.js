// The registry console's page. Everything that comes from Redis (key names, fields, URLs, parameters, findings)
// is written with textContent or setAttribute, never parsed as markup, and control characters are shown escaped.
'use strict';
(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const SAMPLE_MILLIS = 5000;
  const SAMPLES_KEPT = 60;          // five minutes of samples
  const EVENTS_SHOWN = 200;
  const ROWS_SHOWN = 500;
  const FEWEST_SLOTS = 12;          // a chart's x axis spans at least a minute, at most SAMPLES_KEPT samples

  const state = {
    overview: null,
    services: [],
    selected: null,                 // {kind: 'service' | 'application', name}
    clockOffset: 0,                 // Redis's clock minus this browser's
    history: new Map(),             // service -> provider counts, one per sample
    sampleTimes: [],
    eventBuckets: [],               // {start, register, unregister, expired}
    linkSamples: [],                // {time, lost, notifications, lagTotal}
    countdowns: [],
    openEntries: new Set(),
    mappings: [],
    timers: {},
    startedAt: Date.now(),
  };

  const $ = (id) => document.getElementById(id);

  // ---- showing Redis data -------------------------------------------------------------------------------

  /** Text as it may be shown: control, bidi and line-separator characters escaped, cut to a readable length. */
  function shown(value, limit = 400) {
    const s = String(value);
    let out = '';
    for (const ch of s) {
      if (out.length >= limit) {
        return out + '\u2026(' + s.length + ' chars)';
      }
      const c = ch.codePointAt(0);
      if (ch === '\\') {
        out += '\\\\';
      } else if (ch === '\n') {
        out += '\\n';
      } else if (ch === '\r') {
        out += '\\r';
      } else if (ch === '\t') {
        out += '\\t';
      } else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
        out += '\\x' + c.toString(16).padStart(2, '0');
      } else if (c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
        out += '\\u' + c.toString(16).padStart(4, '0');
      } else {
        out += ch;
      }
    }
    return out;
  }

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text !== undefined && text !== null) {
      e.textContent = shown(text);
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function svg(tag, attributes) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes || {})) {
      e.setAttribute(k, String(v));
    }
    return e;
  }

  /** How many samples a chart's x axis spans: what this page has seen, within bounds. */
  function slots(seen) {
    return Math.min(SAMPLES_KEPT, Math.max(FEWEST_SLOTS, seen));
  }

  function redisNow() {
    return Date.now() + state.clockOffset;
  }

  function seconds(millis) {
    return (millis / 1000).toFixed(1) + ' s';
  }

  // ---- talking to the console -------------------------------------------------------------------------

  async function get(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || ('HTTP ' + response.status));
    }
    return body;
  }

  async function post(path) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', 'X-Console-Token': $('token').value.trim() },
      cache: 'no-store',
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || ('HTTP ' + response.status));
    }
    return body;
  }

  function problem(error) {
    const banner = $('error');
    if (error) {
      banner.textContent = shown(error.message || error, 600);
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  /** Runs fn at most once per `gap` ms, the last call winning (events come in bursts). */
  function soon(name, fn, gap = 600) {
    if (state.timers[name]) {
      return;
    }
    state.timers[name] = setTimeout(() => {
      state.timers[name] = null;
      fn();
    }, gap);
  }

  // ---- overview ---------------------------------------------------------------------------------------

  async function loadOverview() {
    const o = await get('/api/overview');
    state.overview = o;
    state.clockOffset = o.redisNow - Date.now();
    $('redis').textContent = shown(o.redis + '  root ' + o.root);
    const mode = $('mode');
    mode.textContent = o.allowWrites ? 'actions allowed (token needed)' : 'read-only';
    mode.className = 'badge ' + (o.allowWrites ? 'warn' : 'ok');
    $('actions-card').hidden = !o.allowWrites;
    $('grace').value = String(o.reapGraceMillis);
    $('mapping-key').textContent = shown('hash ' + o.mappingKey);
  }

  // ---- services ---------------------------------------------------------------------------------------

  async function loadServices(sample) {
    const s = await get('/api/services');
    state.clockOffset = s.redisNow - Date.now();
    state.services = s.services;
    if (sample) {
      recordSample(s.services);
    }
    renderServices(s);
    problem(null);
  }

  function recordSample(services) {
    state.sampleTimes.push(Date.now());
    const present = new Set();
    for (const svc of services) {
      present.add(svc.service);
      let h = state.history.get(svc.service);
      if (!h) {
        h = new Array(state.sampleTimes.length - 1).fill(null);
        state.history.set(svc.service, h);
      }
      h.push(svc.providers);
    }
    for (const [name, h] of state.history) {
      if (!present.has(name)) {
        h.push(0);
      }
      while (h.length > SAMPLES_KEPT) {
        h.shift();
      }
      if (h.every((v) => !v)) {
        state.history.delete(name);
      }
    }
    while (state.sampleTimes.length > SAMPLES_KEPT) {
      state.sampleTimes.shift();
    }
    renderProvidersChart();
  }

  function renderServices(report) {
    const s = report || state.servicesReport;
    state.servicesReport = s;
    const filter = $('filter').value.trim().toLowerCase();
    const tbody = $('services').tBodies[0];
    clear(tbody);
    const matching = state.services.filter((x) => !filter || x.service.toLowerCase().includes(filter));
    for (const svc of matching.slice(0, ROWS_SHOWN)) {
      const tr = el('tr', 'pick');
      if (state.selected && state.selected.kind === 'service' && state.selected.name === svc.service) {
        tr.classList.add('selected');
      }
      tr.appendChild(el('td', 'name', svc.service));
      for (const n of [svc.providers, svc.consumers, svc.dead]) {
        tr.appendChild(el('td', 'num' + (n === 0 ? ' zero' : ''), String(n)));
      }
      const spark = el('td');
      spark.appendChild(sparkline(state.history.get(svc.service) || []));
      tr.appendChild(spark);
      tr.addEventListener('click', () => select('service', svc.service));
      tbody.appendChild(tr);
    }
    $('services-count').textContent = matching.length === state.services.length
      ? String(state.services.length) : matching.length + ' of ' + state.services.length;
    const notes = $('services-notes');
    if (s) {
      clear(notes);
      if (matching.length > ROWS_SHOWN) {
        notes.appendChild(el('div', 'more', (matching.length - ROWS_SHOWN) + ' more match: narrow the filter'));
      }
      if (s.more > 0) {
        notes.appendChild(el('div', 'more', s.more + ' more services not listed'));
      }
      if (s.malformedKeys.length > 0) {
        notes.appendChild(el('div', null, (s.malformedKeys.length + s.malformedMore)
          + ' key(s) under the root are not registry hashes (see the doctor):'));
        for (const k of s.malformedKeys) {
          notes.appendChild(el('span', 'key', k));
        }
      }
      for (const big of s.keysTooLarge) {
        notes.appendChild(el('span', 'key', big.key + ': ' + big.size + ' entries, more than registries read'));
      }
    }
  }

  function sparkline(values) {
    const w = 88;
    const h = 20;
    const box = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, class: 'spark-box', role: 'img' });
    const points = values.map((v, i) => [i, v]).filter((p) => p[1] !== null);
    if (points.length < 2) {
      return box;
    }
    const max = Math.max(1, ...points.map((p) => p[1]));
    const step = w / (slots(state.sampleTimes.length) - 1);
    const offset = w - (values.length - 1) * step;
    const d = points.map((p, j) => (j ? 'L' : 'M') + (offset + p[0] * step).toFixed(1) + ' '
      + (h - 2 - (p[1] / max) * (h - 4)).toFixed(1)).join(' ');
    box.appendChild(svg('path', { d, class: 'spark' }));
    return box;
  }

  // ---- one service's or application's entries ----------------------------------------------------------

  function select(kind, name) {
    state.selected = { kind, name };
    state.openEntries.clear();
    renderServices(null);
    renderApps();
    loadDetail().catch(problem);
  }

  async function loadDetail() {
    const sel = state.selected;
    if (!sel) {
      return;
    }
    const path = sel.kind === 'service' ? '/api/service?name=' : '/api/application?name=';
    const d = await get(path + encodeURIComponent(sel.name));
    if (state.selected !== sel) {
      return; // another was picked meanwhile
    }
    state.clockOffset = d.redisNow - Date.now();
    $('detail-kind').textContent = sel.kind === 'service' ? 'Service' : 'Application';
    $('detail-name').textContent = shown(sel.name);
    const root = $('detail');
    clear(root);
    state.countdowns = [];
    const categories = sel.kind === 'service' ? d.categories : [d.key];
    if (categories.length === 0 || (sel.kind === 'application' && d.key.size === 0)) {
      root.appendChild(el('p', 'muted', 'Nothing registered.'));
      return;
    }
    for (const c of categories) {
      root.appendChild(category(c, sel.kind));
    }
    tick();
  }

  function category(c, kind) {
    const box = el('div', 'category');
    const title = el('h3', null, (c.category || 'entries') + ': ' + c.live + ' live, ' + c.dead + ' dead'
      + (c.unreadable ? ', ' + c.unreadable + ' unreadable' : ''));
    box.appendChild(title);
    box.appendChild(el('div', 'key', c.key));
    if (c.problem) {
      box.appendChild(el('div', 'more', c.problem));
    }
    if (c.entries.length > 0) {
      const table = el('table', 'list entries');
      const cols = el('colgroup');
      cols.appendChild(el('col', 'c-addr'));
      cols.appendChild(el('col', 'c-exp'));
      cols.appendChild(el('col'));
      table.appendChild(cols);
      const head = el('tr');
      for (const t of ['Address', 'Expires', kind === 'service' ? 'Parameters' : 'Metadata']) {
        head.appendChild(el('th', null, t));
      }
      table.appendChild(el('thead')).appendChild(head);
      const body = el('tbody');
      for (const e of c.entries) {
        body.appendChild(entryRow(e, kind));
      }
      table.appendChild(body);
      box.appendChild(table);
    }
    if (c.more > 0) {
      box.appendChild(el('div', 'more', c.more + ' more not shown'));
    }
    return box;
  }

  function entryRow(e, kind) {
    const tr = el('tr', 'entry ' + (e.state === 'dead' ? 'dead' : e.state === 'unreadable' ? 'bad' : 'live'));
    tr.appendChild(el('td', 'mono addr', e.address || '?'));
    const expiry = el('td', 'expiry');
    if (e.state === 'unreadable') {
      expiry.textContent = shown('UNREADABLE: ' + e.problem);
    } else if (!e.dynamic) {
      expiry.textContent = 'never (dynamic=false)';
    } else {
      state.countdowns.push({ node: expiry, row: tr, expiry: e.expiryMillis, past: e.state === 'dead' });
    }
    tr.appendChild(expiry);
    const info = el('td');
    const details = el('details');
    // Views are read again on every change and every 5 s: an entry the operator opened stays open.
    const id = kind === 'service' ? e.url : e.instance;
    details.open = state.openEntries.has(id);
    details.addEventListener('toggle', () => {
      if (details.open) {
        state.openEntries.add(id);
      } else {
        state.openEntries.delete(id);
      }
    });
    const values = kind === 'service' ? e.parameters : (e.metadata || {});
    const names = Object.keys(values);
    const brief = names.filter((n) => ['version', 'group', 'side', 'application', 'dubbo.metadata.revision'].includes(n))
      .map((n) => n + '=' + values[n]).join('  ');
    details.appendChild(el('summary', null, names.length + (kind === 'service' ? ' parameters' : ' metadata')
      + (brief ? '  ' + brief : '')));
    const dl = el('dl', 'params');
    for (const n of names) {
      dl.appendChild(el('dt', 'mono', n));
      dl.appendChild(el('dd', 'mono', values[n]));
    }
    details.appendChild(dl);
    details.appendChild(el('div', 'url', kind === 'service' ? e.url : e.instance));
    info.appendChild(details);
    tr.appendChild(info);
    return tr;
  }

  /**
   * The countdowns, on Redis's clock as this page last learnt it. Renewals are not announced, so an entry whose
   * countdown runs out is read again before it is believed dead: a renewed one comes back with a later expiry.
   */
  function tick() {
    const now = redisNow();
    for (const c of state.countdowns) {
      const left = c.expiry - now;
      if (left > 0) {
        c.node.textContent = 'in ' + seconds(left);
        c.row.classList.remove('dead');
      } else if (c.past) {
        c.node.textContent = 'DEAD, expired ' + seconds(-left) + ' ago';
        c.row.classList.add('dead');
      } else {
        c.node.textContent = 'due now, checking\u2026';
        soon('detail', () => loadDetail().catch(problem), 300);
      }
    }
  }

  // ---- applications and the mapping ---------------------------------------------------------------------

  async function loadApps() {
    const a = await get('/api/applications');
    state.apps = a.applications;
    state.appsMore = a.more;
    renderApps();
  }

  function renderApps() {
    const tbody = $('apps').tBodies[0];
    clear(tbody);
    for (const app of (state.apps || []).slice(0, ROWS_SHOWN)) {
      const tr = el('tr', 'pick');
      if (state.selected && state.selected.kind === 'application' && state.selected.name === app.application) {
        tr.classList.add('selected');
      }
      tr.appendChild(el('td', 'name', app.application));
      tr.appendChild(el('td', 'num' + (app.instances === 0 ? ' zero' : ''), String(app.instances)));
      tr.appendChild(el('td', 'num' + (app.dead === 0 ? ' zero' : ''), String(app.dead)));
      tr.addEventListener('click', () => select('application', app.application));
      tbody.appendChild(tr);
    }
    $('apps-count').textContent = String((state.apps || []).length);
    const notes = $('apps-notes');
    clear(notes);
    if (state.appsMore > 0) {
      notes.appendChild(el('div', 'more', state.appsMore + ' more applications not listed'));
    }
  }

  async function loadMappings() {
    const m = await get('/api/mappings');
    state.mappings = m.mappings;
    state.mappingReport = m;
    renderMappings();
  }

  function renderMappings() {
    const filter = $('mapping-filter').value.trim().toLowerCase();
    const tbody = $('mappings').tBodies[0];
    clear(tbody);
    const matching = state.mappings.filter((x) => !filter || x.interface.toLowerCase().includes(filter));
    for (const m of matching.slice(0, ROWS_SHOWN)) {
      const tr = el('tr');
      tr.appendChild(el('td', 'name mono', m.interface));
      tr.appendChild(el('td', null, m.applications.join(', ')));
      tbody.appendChild(tr);
    }
    const notes = $('mapping-notes');
    clear(notes);
    const r = state.mappingReport;
    if (r && r.problem) {
      notes.appendChild(el('div', 'more', r.key + ': ' + r.problem));
    } else if (r && r.size === 0) {
      notes.appendChild(el('div', 'more', 'no mapping yet (written by applications that register at application level)'));
    }
    if (r && r.more > 0) {
      notes.appendChild(el('div', 'more', r.more + ' more interfaces not listed'));
    }
    if (matching.length > ROWS_SHOWN) {
      notes.appendChild(el('div', 'more', (matching.length - ROWS_SHOWN) + ' more match: narrow the filter'));
    }
  }

  // ---- live events --------------------------------------------------------------------------------------

  function connectEvents() {
    const live = $('live');
    const source = new EventSource('/api/events');
    source.addEventListener('open', () => {
      live.textContent = 'live';
      live.className = 'badge live';
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        live.textContent = 'live events unavailable, retrying';
        live.className = 'badge off';
        setTimeout(connectEvents, 10000);
      } else {
        live.textContent = 'reconnecting\u2026';
        live.className = 'badge off';
      }
    });
    source.addEventListener('registry', (message) => onEvent(JSON.parse(message.data)));
    source.addEventListener('dropped', (message) => {
      const n = JSON.parse(message.data).dropped;
      $('events-note').textContent = n + ' event(s) dropped because this page read too slowly; the views were read again';
      refreshAll();
    });
  }

  function onEvent(e) {
    countEvent(e);
    const list = $('events');
    const li = el('li');
    li.appendChild(el('span', 'muted mono', new Date(e.time).toLocaleTimeString()));
    li.appendChild(el('span', 'badge ' + e.type, e.type));
    const what = el('span', 'what');
    const owner = e.application !== null ? 'application ' + e.application
      : e.service !== null ? e.service + ' ' + e.category : e.key;
    what.appendChild(el('span', 'name', owner));
    if (e.address) {
      what.appendChild(el('span', 'addr', '  ' + e.address));
    }
    li.setAttribute('title', shown(e.field, 1000));
    li.appendChild(what);
    list.insertBefore(li, list.firstChild);
    while (list.childNodes.length > EVENTS_SHOWN) {
      list.removeChild(list.lastChild);
    }
    // Keep the views current without a reload: re-read what the event touched, once per burst.
    if (e.application !== null) {
      soon('apps', () => loadApps().catch(problem));
      if (state.selected && state.selected.kind === 'application' && state.selected.name === e.application) {
        soon('detail', () => loadDetail().catch(problem));
      }
    } else {
      soon('services', () => loadServices(false).catch(problem));
      if (state.selected && state.selected.kind === 'service' && state.selected.name === e.service) {
        soon('detail', () => loadDetail().catch(problem));
      }
    }
  }

  function countEvent(e) {
    const start = Math.floor(Date.now() / SAMPLE_MILLIS) * SAMPLE_MILLIS;
    let bucket = state.eventBuckets[state.eventBuckets.length - 1];
    if (!bucket || bucket.start !== start) {
      bucket = { start, register: 0, unregister: 0, expired: 0 };
      state.eventBuckets.push(bucket);
      while (state.eventBuckets.length > SAMPLES_KEPT) {
        state.eventBuckets.shift();
      }
    }
    if (e.type in bucket) {
      bucket[e.type]++;
    }
    $('events-meta').textContent = 'newest first';
  }

  // ---- charts -------------------------------------------------------------------------------------------

  function renderProvidersChart() {
    const box = $('chart-providers');
    clear(box);
    const w = 600;
    const h = 140;
    const top = [...state.history.entries()]
      .sort((a, b) => (b[1][b[1].length - 1] || 0) - (a[1][a[1].length - 1] || 0)).slice(0, 5);
    const chart = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img' });
    const max = Math.max(1, ...top.flatMap(([, v]) => v.filter((x) => x !== null)));
    const span = slots(state.sampleTimes.length);
    axes(chart, w, h, max, span);
    const step = (w - 40) / (span - 1);
    top.forEach(([name, values], i) => {
      const offset = 36 + (span - values.length) * step;
      const d = values.map((v, j) => [j, v]).filter((p) => p[1] !== null)
        .map((p, j) => (j ? 'L' : 'M') + (offset + p[0] * step).toFixed(1) + ' ' + y(p[1], max, h).toFixed(1)).join(' ');
      if (d) {
        const path = svg('path', { d, class: 'line s' + i });
        const title = svg('title');
        title.textContent = shown(name);
        path.appendChild(title);
        chart.appendChild(path);
      }
    });
    box.appendChild(chart);
    const legend = el('div', 'legend');
    top.forEach(([name, values], i) => {
      const item = el('span');
      item.appendChild(el('span', 'swatch s' + i));
      item.appendChild(document.createTextNode(shown(name, 80) + ' (' + (values[values.length - 1] || 0) + ')'));
      legend.appendChild(item);
    });
    if (top.length === 0) {
      legend.appendChild(el('span', null, 'no providers yet'));
    }
    box.appendChild(legend);
  }

  function y(value, max, h) {
    return h - 16 - (value / max) * (h - 28);
  }

  function axes(chart, w, h, max, samples) {
    chart.appendChild(svg('line', { x1: 36, y1: h - 16, x2: w - 4, y2: h - 16, class: 'axis' }));
    chart.appendChild(svg('line', { x1: 36, y1: 8, x2: 36, y2: h - 16, class: 'axis' }));
    const top = svg('text', { x: 30, y: 14, 'text-anchor': 'end', class: 'label' });
    top.textContent = String(max);
    chart.appendChild(top);
    const zero = svg('text', { x: 30, y: h - 16, 'text-anchor': 'end', class: 'label' });
    zero.textContent = '0';
    chart.appendChild(zero);
    const span = svg('text', { x: w - 4, y: h - 3, 'text-anchor': 'end', class: 'label' });
    span.textContent = samples > 1 ? 'last ' + Math.round((samples - 1) * SAMPLE_MILLIS / 1000) + ' s' : 'sampling\u2026';
    chart.appendChild(span);
  }

  function renderEventsChart() {
    const box = $('chart-events');
    clear(box);
    const w = 600;
    const h = 110;
    const chart = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img' });
    const now = Math.floor(Date.now() / SAMPLE_MILLIS) * SAMPLE_MILLIS;
    const byStart = new Map(state.eventBuckets.map((b) => [b.start, b]));
    const span = slots(Math.floor((Date.now() - state.startedAt) / SAMPLE_MILLIS) + 1);
    const buckets = [];
    for (let i = span - 1; i >= 0; i--) {
      buckets.push(byStart.get(now - i * SAMPLE_MILLIS) || { register: 0, unregister: 0, expired: 0 });
    }
    const max = Math.max(1, ...buckets.map((b) => b.register + b.unregister + b.expired));
    axes(chart, w, h, max, span);
    const step = (w - 40) / span;
    buckets.forEach((b, i) => {
      let base = h - 16;
      for (const type of ['register', 'unregister', 'expired']) {
        if (b[type] > 0) {
          const height = (b[type] / max) * (h - 28);
          base -= height;
          const bar = svg('rect', { x: (37 + i * step).toFixed(1), y: base.toFixed(1), width: Math.max(1, step - 2).toFixed(1),
            height: height.toFixed(1), class: 'b-' + type });
          const title = svg('title');
          title.textContent = b[type] + ' ' + type;
          bar.appendChild(title);
          chart.appendChild(bar);
        }
      }
    });
    box.appendChild(chart);
    const legend = el('div', 'legend');
    for (const [type, i] of [['register', 1], ['unregister', 3], ['expired', 2]]) {
      const item = el('span');
      item.appendChild(el('span', 'swatch s' + i));
      item.appendChild(document.createTextNode(type));
      legend.appendChild(item);
    }
    box.appendChild(legend);
  }

  async function loadStats() {
    const s = await get('/api/stats');
    state.linkSamples.push(s);
    while (state.linkSamples.length > SAMPLES_KEPT + 1) {
      state.linkSamples.shift();
    }
    renderLinkChart(s);
  }

  function renderLinkChart(latest) {
    const box = $('chart-link');
    clear(box);
    const w = 600;
    const h = 90;
    const chart = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img' });
    const deltas = [];
    for (let i = 1; i < state.linkSamples.length; i++) {
      const a = state.linkSamples[i - 1];
      const b = state.linkSamples[i];
      const n = b.notifications - a.notifications;
      deltas.push({ lost: b.connectionsLost - a.connectionsLost,
        lag: n > 0 ? (b.notificationLagMillisTotal - a.notificationLagMillisTotal) / n : null });
    }
    const maxLag = Math.max(1, ...deltas.map((d) => d.lag || 0));
    const span = slots(deltas.length + 1);
    axes(chart, w, h, Math.ceil(maxLag) + ' ms', span);
    const step = (w - 40) / (span - 1);
    const offset = 36 + (span - 1 - deltas.length) * step;
    deltas.forEach((d, i) => {
      if (d.lost > 0) {
        chart.appendChild(svg('rect', { x: (offset + i * step).toFixed(1), y: 8, width: 3, height: h - 24, class: 'b-lost' }));
      }
    });
    const d = deltas.map((p, i) => [i, p.lag]).filter((p) => p[1] !== null)
      .map((p, j) => (j ? 'L' : 'M') + (offset + p[0] * step).toFixed(1) + ' ' + y(p[1], maxLag, h).toFixed(1)).join(' ');
    if (d) {
      chart.appendChild(svg('path', { d, class: 'line s0' }));
    }
    box.appendChild(chart);
    const legend = el('div', 'legend');
    const lag = el('span');
    lag.appendChild(el('span', 'swatch s0'));
    lag.appendChild(document.createTextNode('notification lag, mean per 5 s (max since start '
      + latest.notificationLagMillisMax + ' ms, ' + latest.notifications + ' notifications)'));
    legend.appendChild(lag);
    const lost = el('span');
    lost.appendChild(el('span', 'swatch s2'));
    lost.appendChild(document.createTextNode('connection lost (' + latest.connectionsLost + ' since start, '
      + latest.resyncs + ' resyncs)'));
    legend.appendChild(lost);
    legend.appendChild(el('span', null, 'event streams ' + latest.eventStreams + '/' + latest.maxEventStreams
      + ', events dropped ' + latest.eventsDropped));
    box.appendChild(legend);
  }

  // ---- doctor, configuration centre, actions ------------------------------------------------------------

  async function loadDoctor() {
    $('doctor-meta').textContent = 'examining\u2026';
    const d = await get('/api/doctor');
    const list = $('doctor');
    clear(list);
    for (const f of d.findings) {
      const li = el('li');
      li.appendChild(el('span', 'badge ' + f.level, f.level));
      li.appendChild(el('span', 'mono', f.check));
      li.appendChild(el('span', null, f.message));
      if (f.fix) {
        li.appendChild(el('span', 'fix', 'fix: ' + f.fix));
      }
      list.appendChild(li);
    }
    $('doctor-meta').textContent = (d.healthy ? 'no problems' : 'problems found') + ', examined '
      + new Date(d.examinedAt).toLocaleTimeString();
  }

  async function loadConfigRules() {
    const c = await get('/api/config-rules');
    $('config-note').textContent = shown('namespace ' + c.namespace + ', group ' + c.group
      + (c.more ? ' (more rules than shown)' : '') + (c.note ? ': ' + c.note : ''));
    const tbody = $('config-rules').tBodies[0];
    clear(tbody);
    for (const r of c.rules) {
      const tr = el('tr', 'pick');
      tr.appendChild(el('td', 'mono', r.key));
      tr.appendChild(el('td', null, r.kind));
      tr.appendChild(el('td', 'num', r.bytes));
      tr.addEventListener('click', () => showConfigRule(r.key));
      tbody.appendChild(tr);
    }
    if (c.rules.length === 0) {
      const tr = el('tr');
      const td = el('td', 'muted', 'no rules to show');
      td.colSpan = 3;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
  }

  /** A rule's text as it may be shown: its lines kept, every other control character escaped. */
  function shownLines(value, limit) {
    return String(value).split('\n').map((line) => shown(line, limit)).join('\n');
  }

  async function showConfigRule(key) {
    const pre = $('config-rule');
    try {
      const r = await get('/api/config-rule?key=' + encodeURIComponent(key));
      pre.textContent = shownLines(r.content, 4000) + (r.cut ? '\n\u2026(cut)' : '');
    } catch (e) {
      pre.textContent = shown(e.message);
    }
    pre.hidden = false;
  }

  async function act(path, describe) {
    const out = $('action-result');
    out.textContent = 'working\u2026';
    try {
      out.textContent = shown(describe(await post(path)), 4000);
      refreshAll();
    } catch (e) {
      out.textContent = shown('refused: ' + e.message, 4000);
    }
  }

  function refreshAll() {
    loadServices(false).catch(problem);
    loadApps().catch(problem);
    loadMappings().catch(problem);
    loadConfigRules().catch(problem);
    loadDetail().catch(problem);
  }

  // ---- start --------------------------------------------------------------------------------------------

  async function start() {
    $('filter').addEventListener('input', () => renderServices(null));
    $('mapping-filter').addEventListener('input', renderMappings);
    $('doctor-run').addEventListener('click', () => loadDoctor().catch(problem));
    $('reap').addEventListener('click', () => act('/api/actions/reap?graceMillis=' + encodeURIComponent($('grace').value || '0'),
      (r) => r.removed + ' dead entr' + (r.removed === 1 ? 'y' : 'ies') + ' removed (grace ' + r.graceMillis + ' ms)'));
    $('failback').addEventListener('click', () => act('/api/actions/failback',
      (r) => r.nodes.map((n) => n.node + ': ' + (n.failure ? 'NOT ASKED: ' + n.failure
        : 'heard by ' + n.heardBy + ' connection(s)')).join('\n')));
    try {
      await loadOverview();
    } catch (e) {
      problem(e);
    }
    connectEvents();
    await Promise.allSettled([loadServices(true), loadApps(), loadMappings(), loadStats(), loadConfigRules()])
      .then((results) => results.filter((r) => r.status === 'rejected').slice(0, 1).forEach((r) => problem(r.reason)));
    loadDoctor().catch(problem);
    renderEventsChart();
    setInterval(tick, 250);
    setInterval(() => {
      loadServices(true).catch(problem);
      loadStats().catch(problem);
      renderEventsChart();
      soon('detail', () => loadDetail().catch(problem), 0);
    }, SAMPLE_MILLIS);
    setInterval(() => {
      loadApps().catch(problem);
      loadMappings().catch(problem);
      loadConfigRules().catch(problem);
    }, 3 * SAMPLE_MILLIS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    start();
  });
})();
