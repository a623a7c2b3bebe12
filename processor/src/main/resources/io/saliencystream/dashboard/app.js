// saliency-stream dashboard. Everything that comes from records (labels, event ids, reasons) is
// producer data: it enters the page only as text nodes and attribute values built here, never as
// markup: nothing here parses HTML from strings.
'use strict';

const POLL_MS = 2000;
const REASON_COLOURS = ['#2f6fde', '#e07b39', '#4fc08d', '#b05cc6', '#d93b3b', '#8a8f9c', '#c9a227'];
const SVG_NS = 'http://www.w3.org/2000/svg';

// ---- DOM helpers ----

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// ---- formatting ----

function time(ms) {
  return ms == null ? '' : new Date(ms).toISOString().slice(11, 19);
}

function dateTime(ms) {
  return ms == null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function num(v, digits = 3) {
  return v == null ? '–' : Number(v).toFixed(digits);
}

function valueText(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function seriesName(s) {
  const cls = s.label != null ? '"' + s.label + '"' : 'class ' + s.predictedClass;
  return s.model + ':' + s.modelVersion + ' ' + cls;
}

function eventHref(id) { return '#/event/' + encodeURIComponent(id); }
function seriesHref(key) { return '#/drift/' + encodeURIComponent(key); }
function auditHref(id) { return '#/audit/' + encodeURIComponent(id); }
function overlaySrc(id) { return '/overlay?id=' + encodeURIComponent(id); }

async function getJson(url) {
  const r = await fetch(url, {headers: {'Accept': 'application/json'}});
  const body = await r.json();
  return {status: r.status, body};
}

// ---- routing and live updates ----

const main = () => document.getElementById('main');
let current = null;       // {name, arg, params, live}
let shownVersion = -1;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const slash = path.indexOf('/');
  const name = (slash < 0 ? path : path.slice(0, slash)) || 'overview';
  const arg = slash < 0 ? null : decodeURIComponent(path.slice(slash + 1));
  return {name, arg, params: new URLSearchParams(query || '')};
}

const VIEWS = {
  overview: {render: renderOverview, live: true},
  gallery: {render: renderGallery, live: true},
  event: {render: renderEvent, live: false},
  drift: {render: renderDrift, live: true},
  audit: {render: renderAudit, live: false},
};

async function route() {
  const r = parseHash();
  const view = VIEWS[r.name] || VIEWS.overview;
  current = {...r, live: view.live && !(r.name === 'audit')};
  for (const a of document.querySelectorAll('header nav a')) {
    a.classList.toggle('active', a.dataset.view === (r.name === 'event' ? 'gallery' : r.name));
  }
  await draw(true);
}

async function draw(fresh) {
  const r = current;
  const view = VIEWS[r.name] || VIEWS.overview;
  try {
    const el = await view.render(r, fresh);
    if (current !== r) return;  // navigated away meanwhile
    if (el) {
      const m = main();
      clear(m);
      m.append(el);
    }
  } catch (e) {
    const m = main();
    clear(m);
    m.append(h('p', {class: 'error'}, 'Could not load: ' + e.message));
  }
}

async function poll() {
  const live = document.getElementById('live');
  try {
    const {body} = await getJson('/api/version');
    live.classList.remove('stale');
    live.textContent = 'live';
    if (body.version !== shownVersion) {
      shownVersion = body.version;
      if (current && current.live) await draw(false);
    }
  } catch (e) {
    live.classList.add('stale');
    live.textContent = 'reconnecting…';
  }
}

// ---- overview ----

async function renderOverview() {
  const {body: o} = await getJson('/api/overview');
  const root = h('div', {id: 'overview'}, h('h1', {}, 'Overview'));
  if (o.openAlerts.length) {
    root.append(h('div', {class: 'card', id: 'open-alerts'}, h('h2', {}, 'Open attention-drift alerts'),
      alertTable(o.openAlerts)));
  }
  const cards = h('div', {class: 'cards'});
  if (!o.models.length) cards.append(h('p', {class: 'muted'}, 'No explanations read yet.'));
  for (const m of o.models) cards.append(modelCard(m, o));
  root.append(h('h2', {}, 'Explanations by model'), cards);

  const dl = h('div', {class: 'card', id: 'dead-letters'}, h('h2', {}, 'Dead letters by code'));
  const codes = Object.entries(o.deadLetterCounts);
  if (!codes.length) dl.append(h('p', {class: 'muted'}, 'None.'));
  else {
    dl.append(h('table', {}, h('tr', {}, h('th', {}, 'stage / code'), h('th', {class: 'num'}, 'count')),
      codes.map(([code, n]) => h('tr', {}, h('td', {}, code), h('td', {class: 'num'}, n)))));
    dl.append(h('h2', {}, 'Latest'), h('table', {},
      h('tr', {}, h('th', {}, 'failed at'), h('th', {}, 'code'), h('th', {}, 'event id'), h('th', {}, 'reason')),
      o.deadLetters.map(d => h('tr', {}, h('td', {}, time(d.failedAt)), h('td', {}, d.stage + '/' + d.errorCode),
        h('td', {}, d.eventId ?? '–'), h('td', {}, d.reason)))));
  }
  root.append(h('div', {class: 'cards'}, dl));
  const bad = Object.entries(o.undecodable);
  if (bad.length) {
    root.append(h('p', {class: 'error'}, 'Records that could not be decoded: ',
      bad.map(([t, n]) => t + ' ' + n).join(', ')));
  }
  return root;
}

function modelCard(m, o) {
  const reasons = Object.keys(m.lastMinutes).sort();
  const card = h('div', {class: 'card model'}, h('h2', {}, m.model + ':' + m.version),
    h('div', {class: 'muted'}, m.explained + ' explanations read; per minute over the last ' + o.rateMinutes + ' minutes:'));
  card.append(rateChart(m, reasons));
  card.append(h('table', {},
    h('tr', {}, h('th', {}, 'selection reason'), h('th', {class: 'num'}, 'this minute'),
      h('th', {class: 'num'}, 'per minute, ' + o.rateMinutes + ' min')),
    reasons.map((r, i) => h('tr', {},
      h('td', {}, h('span', {class: 'swatch'}, '■ '), r),
      h('td', {class: 'num'}, m.lastMinute[r] || 0),
      h('td', {class: 'num'}, num(m.lastMinutes[r] / o.rateMinutes, 1))))));
  // swatches in the chart's colours (set through the CSSOM: the policy forbids inline style attributes)
  card.querySelectorAll('table .swatch').forEach((b, i) => { b.style.color = REASON_COLOURS[i % REASON_COLOURS.length]; });
  const verdicts = Object.entries(m.verdicts || {});
  if (verdicts.length) {
    card.append(h('div', {}, 'Signal verdicts: ', verdicts.map(([v, n]) => h('span', {class: 'badge'}, v + ' ' + n))));
  }
  const buckets = BUCKETS.filter(([id]) => m.buckets && m.buckets[id]);
  if (buckets.length) {
    card.append(h('div', {}, 'Interpretation buckets: ',
      buckets.map(([id]) => h('span', {}, bucketBadge(id), ' ' + m.buckets[id] + ' '))));
  }
  return card;
}

// ---- interpretation buckets ----

// OpenVINO XAI's four cases, in the order the drift view sets them side by side: right next to wrong
const BUCKETS = [
  ['true-positive-high-confidence', 'confidently right'],
  ['false-positive-high-confidence', 'confidently wrong'],
  ['true-positive-low-confidence', 'right, low confidence'],
  ['false-positive-low-confidence', 'wrong, low confidence']];

function bucketName(id) {
  const b = BUCKETS.find(([k]) => k === id);
  return b ? b[1] : id;
}

function bucketBadge(id) {
  return h('span', {class: 'badge bucket ' + id, title: id}, bucketName(id));
}

function rateChart(m, reasons) {
  const W = 320, H = 90, pad = 18;
  const totals = m.minutes.map(b => Object.values(b.counts).reduce((a, c) => a + c, 0));
  const max = Math.max(1, ...totals);
  const bw = (W - pad) / m.minutes.length;
  const svg = s('svg', {class: 'chart', width: W, height: H + 16, viewBox: `0 0 ${W} ${H + 16}`});
  svg.append(s('text', {x: 2, y: 10}, String(max)));
  m.minutes.forEach((b, i) => {
    let y = H;
    reasons.forEach((r, j) => {
      const n = b.counts[r] || 0;
      if (!n) return;
      const bh = (H - 14) * n / max;
      y -= bh;
      svg.append(s('rect', {x: pad + i * bw + 1, y, width: Math.max(1, bw - 2), height: bh,
        fill: REASON_COLOURS[j % REASON_COLOURS.length]}, s('title', {}, time(b.minute) + ' ' + r + ': ' + n)));
    });
  });
  svg.append(s('text', {x: pad, y: H + 13}, time(m.minutes[0].minute).slice(0, 5)));
  svg.append(s('text', {x: W - 36, y: H + 13}, time(m.minutes[m.minutes.length - 1].minute).slice(0, 5)));
  return svg;
}

function alertTable(alerts) {
  return h('table', {class: 'alerts'},
    h('tr', {}, h('th', {}, 'state'), h('th', {}, 'series'), h('th', {}, 'window'), h('th', {}, 'metric'),
      h('th', {class: 'num'}, 'distance'), h('th', {class: 'num'}, 'threshold'), h('th', {}, 'message')),
    alerts.map(a => h('tr', {class: 'alert-row'},
      h('td', {}, h('span', {class: 'badge ' + (a.state === 'OPEN' ? 'alert' : 'ok')}, a.state)),
      h('td', {}, h('a', {href: seriesHref(a.key)}, seriesName({...a, modelVersion: a.modelVersion, model: a.modelName}))),
      h('td', {}, time(a.windowStart) + '–' + time(a.windowEnd)),
      h('td', {}, a.metric), h('td', {class: 'num'}, num(a.distance)), h('td', {class: 'num'}, num(a.threshold)),
      h('td', {}, a.message))));
}

// ---- gallery ----

const FILTERS = [['model', 'model'], ['version', 'version'], ['class', 'predictedClass'], ['reason', 'reason'],
  ['method', 'method'], ['bucket', 'bucket']];

async function renderGallery(r) {
  const q = new URLSearchParams();
  for (const [param] of FILTERS) if (r.params.get(param)) q.set(param, r.params.get(param));
  q.set('limit', '60');
  const {body: g} = await getJson('/api/gallery?' + q);
  const root = h('div', {id: 'gallery'}, h('h1', {}, 'Gallery'));
  const filters = h('div', {class: 'filters'});
  for (const [param, option] of FILTERS) {
    const values = g.options[option];
    if (param === 'bucket' && !values.length) continue;  // summaries carry no interpretation bucket
    const select = h('select', {name: param, id: 'filter-' + param, onchange: () => applyFilters(filters)},
      h('option', {value: ''}, 'all'),
      values.map(v => param === 'bucket' ? h('option', {value: v, title: v}, bucketName(v)) : h('option', {value: v}, v)));
    select.value = r.params.get(param) || '';
    filters.append(h('label', {}, param === 'class' ? 'predicted class' : param, select));
  }
  filters.append(h('span', {class: 'muted', id: 'gallery-count'},
    g.matching + ' of ' + g.held + ' held' + (g.matching > g.tiles.length ? ', newest ' + g.tiles.length + ' shown' : '')));
  root.append(filters);
  const grid = h('div', {class: 'gallery'});
  for (const t of g.tiles) grid.append(tile(t));
  if (!g.tiles.length) grid.append(h('p', {class: 'muted'}, 'No explanation matches.'));
  root.append(grid);
  return root;
}

function applyFilters(filters) {
  const q = new URLSearchParams();
  for (const sel of filters.querySelectorAll('select')) if (sel.value) q.set(sel.name, sel.value);
  location.hash = '#/gallery' + (q.toString() ? '?' + q : '');
}

function tile(t) {
  return h('a', {class: 'tile', href: eventHref(t.id), 'data-event-id': t.id},
    t.hasOverlay ? h('img', {src: overlaySrc(t.id), alt: 'overlay of ' + t.id})
      : h('div', {class: 'muted'}, 'overlay not read yet'),
    h('div', {class: 'label'}, t.label != null ? t.label : 'class ' + t.predictedClass),
    h('div', {class: 'meta'}, 'score ' + num(t.score) + ' · ' + t.method + ' · ' + time(t.eventTime)),
    h('div', {class: 'meta'}, t.model + ':' + t.version + ' · ', t.reasons.map(x => h('span', {class: 'badge'}, x)),
      t.bucket ? bucketBadge(t.bucket) : null, t.verdict ? h('span', {class: 'badge'}, t.verdict) : null,
      t.target !== 'predicted' ? h('span', {class: 'badge'}, 'target ' + t.target) : null),
    h('div', {class: 'meta event-id'}, t.id));
}

// ---- event ----

async function renderEvent(r) {
  const {status, body: e} = await getJson('/api/event?id=' + encodeURIComponent(r.arg || ''));
  const root = h('div', {id: 'event'}, h('h1', {}, 'Event ', h('span', {class: 'event-id'}, r.arg)));
  if (status !== 200) {
    root.append(h('p', {class: 'muted'}, 'This event is not among the records the dashboard holds. ',
      h('a', {href: auditHref(r.arg)}, 'Look up its audit record')));
    return root;
  }
  const row = h('div', {class: 'event'});
  if (e.overlay) {
    const scale = Math.max(1, Math.min(4, Math.floor(760 / e.overlay.width)));
    row.append(h('figure', {}, h('img', {class: 'full', src: overlaySrc(e.eventId), alt: 'overlay',
      width: e.overlay.width * scale, height: e.overlay.height * scale}),
      h('figcaption', {class: 'muted'}, e.overlay.width + '×' + e.overlay.height + ' px, colour map ' + e.overlay.colorMap
        + (scale > 1 ? ', shown ×' + scale : ''))));
  }
  if (e.tile) {
    row.append(h('div', {}, h('div', {class: 'label', id: 'event-label'}, e.tile.label != null ? e.tile.label : 'class ' + e.tile.predictedClass),
      h('div', {}, 'target ' + e.tile.target + ' · score ' + num(e.tile.score, 4) + ' · ' + e.tile.method + ' · '
        + dateTime(e.tile.eventTime)),
      h('div', {}, e.tile.reasons.map(x => h('span', {class: 'badge'}, x))),
      e.tile.bucket ? h('div', {id: 'event-bucket'}, 'Interpretation bucket: ', bucketBadge(e.tile.bucket),
        h('span', {class: 'muted'}, ' (' + e.tile.bucket + ')')) : null,
      h('p', {}, h('a', {href: auditHref(e.eventId)}, 'Verify this explanation'))));
  }
  root.append(row);
  if (e.summary) root.append(h('h2', {}, 'Saliency summary'), fieldTable(e.summary, 'summary'));
  root.append(h('h2', {}, 'Audit record'));
  root.append(e.audit ? fieldTable(e.audit, 'audit') : h('p', {class: 'muted'}, 'Not read yet.'));
  return root;
}

function fieldTable(record, id) {
  return h('table', {class: 'fields', id: 'fields-' + id},
    Object.entries(record).map(([k, v]) => h('tr', {}, h('th', {}, k),
      h('td', {class: 'value'}, /[tT]ime$|At$/.test(k) && typeof v === 'number' ? dateTime(v) + ' (' + v + ')' : valueText(v)))));
}

// ---- drift ----

async function renderDrift(r) {
  if (r.arg) return renderSeries(r);
  const {body: d} = await getJson('/api/drift');
  const root = h('div', {id: 'drift'}, h('h1', {}, 'Attention drift'));
  const metric = Object.keys(d.thresholds)[0] || 'jensen-shannon';
  const t = d.thresholds[metric];
  root.append(h('p', {class: 'muted'}, 'One row per series (model, version, class); the latest closed window\'s '
    + metric + (t ? ' against the threshold ' + num(t.open) : '') + '.'));
  root.append(h('table', {id: 'series-table'},
    h('tr', {}, h('th', {}, 'series'), h('th', {}, 'latest window'), h('th', {class: 'num'}, metric),
      h('th', {}, 'state'), h('th', {class: 'num'}, 'windows held')),
    d.series.map(x => h('tr', {class: 'series-row', 'data-key': x.key},
      h('td', {}, h('a', {href: seriesHref(x.key)}, seriesName(x))),
      h('td', {}, time(x.latestStart) + '–' + time(x.latestEnd)),
      h('td', {class: 'num'}, num(x.distances[metric])),
      h('td', {}, x.alertOpen ? h('span', {class: 'badge alert'}, 'ALERT OPEN')
        : x.referenceKind === 'NONE' ? h('span', {class: 'badge learn'}, 'learning') : h('span', {class: 'badge ok'}, 'ok')),
      h('td', {class: 'num'}, x.windows)))));
  root.append(h('h2', {}, 'Alerts'));
  root.append(d.alerts.length ? alertTable(d.alerts) : h('p', {class: 'muted'}, 'None.'));
  return root;
}

async function renderSeries(r) {
  const {status, body: d} = await getJson('/api/drift/series?key=' + encodeURIComponent(r.arg));
  const root = h('div', {id: 'series'}, h('p', {}, h('a', {href: '#/drift'}, '← all series')));
  if (status !== 200) {
    root.append(h('p', {class: 'muted'}, 'No windows held for this series yet.'));
    return root;
  }
  root.append(h('h1', {}, 'Drift of ', h('span', {id: 'series-name'}, seriesName(d))));
  const metrics = [...new Set(d.windows.flatMap(w => Object.keys(w.distances)))];
  const metric = r.params.get('metric') || (d.alerts.length ? d.alerts[d.alerts.length - 1].metric : null)
    || Object.keys(d.thresholds)[0] || metrics[0] || 'jensen-shannon';
  if (metrics.length > 1) {
    const sel = h('select', {id: 'metric', onchange: ev => {
      location.hash = seriesHref(r.arg) + '?metric=' + encodeURIComponent(ev.target.value);
    }}, metrics.map(m => h('option', {value: m}, m)));
    sel.value = metric;
    root.append(h('div', {class: 'filters'}, h('label', {}, 'distance', sel)));
  }
  let threshold = d.thresholds[metric];
  const alertOfMetric = d.alerts.find(a => a.metric === metric);
  if (!threshold && alertOfMetric) threshold = {open: alertOfMetric.threshold, resolve: alertOfMetric.threshold};
  root.append(driftChart(d.windows, metric, threshold));
  root.append(h('p', {class: 'muted legend'},
    'Grey: windows that teach the reference (learning). Red band: an alert is open. Solid line: the threshold that opens an alert'
    + (threshold && threshold.resolve !== threshold.open ? ', dashed: the one that resolves it' : '') + '.'));
  root.append(h('h2', {}, 'Where the model looks'), gridsView(d));
  if (d.latest && d.latest.buckets.length) {
    root.append(h('h2', {}, 'Where it looks when it is right and when it is wrong'), bucketGridsView(d.latest));
  }
  root.append(h('h2', {}, 'Alerts of this series'));
  root.append(d.alerts.length ? alertTable(d.alerts) : h('p', {class: 'muted'}, 'None.'));
  return root;
}

function driftChart(windows, metric, threshold) {
  const W = 900, H = 280, L = 48, R = 12, T = 14, B = 34;
  const values = windows.map(w => w.distances[metric]);
  const max = Math.max(threshold ? threshold.open * 1.5 : 0, ...values.filter(v => v != null), 1e-6) * 1.1;
  const n = windows.length;
  const x = i => L + (W - L - R) * (i + 0.5) / n;
  const y = v => T + (H - T - B) * (1 - v / max);
  const bw = (W - L - R) / n;
  const svg = s('svg', {class: 'chart', id: 'drift-chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`});
  windows.forEach((w, i) => {
    if (w.referenceKind === 'NONE') {
      svg.append(s('rect', {class: 'learning', x: L + i * bw, y: T, width: bw, height: H - T - B, fill: '#e4e4ea'},
        s('title', {}, 'learning window')));
    }
    if (w.alertOpen) {
      svg.append(s('rect', {class: 'alert-band', x: L + i * bw, y: T, width: bw, height: H - T - B, fill: '#fbd5d5'},
        s('title', {}, 'alert open')));
    }
  });
  for (let k = 0; k <= 4; k++) {
    const v = max * k / 4;
    svg.append(s('line', {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eef0f4'}));
    svg.append(s('text', {x: 4, y: y(v) + 4}, num(v, 3)));
  }
  if (threshold) {
    svg.append(s('line', {class: 'threshold', x1: L, x2: W - R, y1: y(threshold.open), y2: y(threshold.open),
      stroke: '#d93b3b', 'stroke-width': 1.5}));
    svg.append(s('text', {x: W - R - 110, y: y(threshold.open) - 4, fill: '#d93b3b'}, 'threshold ' + num(threshold.open)));
    if (threshold.resolve !== threshold.open) {
      svg.append(s('line', {x1: L, x2: W - R, y1: y(threshold.resolve), y2: y(threshold.resolve),
        stroke: '#d93b3b', 'stroke-dasharray': '4 3'}));
    }
  }
  let path = '';
  values.forEach((v, i) => { if (v != null) path += (path ? ' L' : 'M') + x(i) + ' ' + y(v); });
  if (path) svg.append(s('path', {d: path, fill: 'none', stroke: '#2f6fde', 'stroke-width': 2}));
  values.forEach((v, i) => {
    if (v == null) return;
    svg.append(s('circle', {class: 'point', cx: x(i), cy: y(v), r: 3.5,
      fill: threshold && v > threshold.open ? '#d93b3b' : '#2f6fde'},
      s('title', {}, time(windows[i].start) + '–' + time(windows[i].end) + ': ' + metric + ' ' + num(v)
        + ' (' + windows[i].count + ' maps)')));
  });
  const step = Math.max(1, Math.ceil(n / 8));
  windows.forEach((w, i) => {
    if (i % step === 0) svg.append(s('text', {x: x(i) - 22, y: H - B + 16}, time(w.start)));
  });
  svg.append(s('text', {x: L, y: H - 4}, 'window start (UTC), ' + metric));
  return svg;
}

function gridsView(d) {
  const wrap = h('div', {class: 'grids', id: 'grids'});
  const ref = d.reference;
  const latest = d.latest;
  const max = Math.max(1e-9, ...(ref && ref.known ? ref.grid : []), ...(latest ? latest.grid : []));
  if (ref && ref.known) {
    const caption = ref.kind === 'PINNED' ? 'reference, pinned' + (ref.note ? ': ' + ref.note : '')
      : 'reference, learned from ' + ref.windows + ' windows ' + time(ref.from) + '–' + time(ref.to);
    wrap.append(h('figure', {id: 'reference-grid'}, heatGrid(ref.rows, ref.cols, ref.grid, max), h('figcaption', {}, caption)));
  } else {
    wrap.append(h('figure', {}, h('figcaption', {}, ref && ref.kind === 'NONE'
      ? 'reference: still learning (' + ref.learned + ' windows so far)'
      : 'reference: learned from windows older than those the dashboard holds')));
  }
  if (latest) {
    wrap.append(h('figure', {id: 'latest-grid'}, heatGrid(latest.rows, latest.cols, latest.grid, max),
      h('figcaption', {}, 'latest window ' + time(latest.start) + '–' + time(latest.end) + ', mean of ' + latest.count + ' maps')));
  }
  if (ref && ref.known && latest && ref.grid.length === latest.grid.length) {
    const diff = latest.grid.map((v, i) => v - ref.grid[i]);
    wrap.append(h('figure', {id: 'difference-grid'}, heatGrid(latest.rows, latest.cols, diff,
      Math.max(1e-9, ...diff.map(Math.abs)), true), h('figcaption', {}, 'latest − reference (red: more attention now)')));
  }
  return wrap;
}

// the latest window's mean grid per interpretation bucket, on one colour scale so that they compare
function bucketGridsView(latest) {
  const wrap = h('div', {class: 'grids', id: 'bucket-grids'});
  const max = Math.max(1e-9, ...latest.buckets.flatMap(b => b.grid));
  for (const [id, name] of BUCKETS) {
    const b = latest.buckets.find(x => x.bucket === id);
    const count = b ? b.count + ' map' + (b.count === 1 ? '' : 's') + (b.zeroMaps ? ', ' + b.zeroMaps + ' all-zero' : '') : 'no events';
    wrap.append(h('figure', {id: 'bucket-' + id},
      b && b.grid.length ? heatGrid(latest.rows, latest.cols, b.grid, max) : h('div', {class: 'heat empty'}),
      h('figcaption', {}, bucketBadge(id), ' ' + count)));
  }
  wrap.append(h('p', {class: 'muted legend'}, 'Window ' + time(latest.start) + '–' + time(latest.end)
    + ', events with a ground-truth label; high confidence: top-1 probability at or above the model\'s '
    + 'buckets.confidence-threshold.'));
  return wrap;
}

function heatGrid(rows, cols, grid, max, diverging) {
  const cell = Math.floor(224 / Math.max(rows, cols));
  const svg = s('svg', {class: 'heat', width: cols * cell, height: rows * cell});
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = grid[r * cols + c];
      svg.append(s('rect', {x: c * cell, y: r * cell, width: cell - 1, height: cell - 1,
        fill: diverging ? divergingColour(v / max) : heatColour(v / max)}, s('title', {}, num(v, 4))));
    }
  }
  return svg;
}

function heatColour(t) {
  // white → orange → dark red
  const u = Math.max(0, Math.min(1, t));
  const r = Math.round(255 - 80 * u), g = Math.round(255 - 215 * u), b = Math.round(255 - 235 * u);
  return `rgb(${r},${g},${b})`;
}

function divergingColour(t) {
  const u = Math.max(-1, Math.min(1, t));
  return u >= 0 ? `rgb(255,${Math.round(255 - 200 * u)},${Math.round(255 - 200 * u)})`
    : `rgb(${Math.round(255 + 200 * u)},${Math.round(255 + 120 * u)},255)`;
}

// ---- audit ----

async function renderAudit(r) {
  const root = h('div', {id: 'audit'}, h('h1', {}, 'Audit lookup'));
  const input = h('input', {type: 'text', id: 'audit-id', size: 48, placeholder: 'event id', value: r.arg || ''});
  const form = h('form', {class: 'filters', onsubmit: ev => {
    ev.preventDefault();
    location.hash = auditHref(input.value.trim());
  }}, h('label', {}, 'event id', input), h('button', {type: 'submit', id: 'audit-lookup'}, 'Look up'));
  root.append(form);
  if (!r.arg) return root;
  const out = h('div', {id: 'audit-result'}, h('p', {class: 'muted'}, 'Looking up…'));
  root.append(out);
  getJson('/api/audit?id=' + encodeURIComponent(r.arg)).then(({status, body}) => {
    clear(out);
    if (status !== 200) {
      out.append(h('p', {class: 'error', id: 'audit-missing'}, body.error || 'No audit record for this event id.'));
      return;
    }
    const verdict = h('div', {id: 'verdict'});
    const button = h('button', {id: 'verify', disabled: !body.canVerify, onclick: () => verify(r.arg, button, verdict)},
      'Verify (re-run the explanation)');
    out.append(h('p', {}, button, ' ', h('a', {href: eventHref(r.arg)}, 'event page')), verdict,
      fieldTable(body.audit, 'audit'));
    if (!body.canVerify) verdict.append(h('p', {class: 'muted'}, 'Started without a model catalog: no verification here.'));
  }).catch(e => { clear(out); out.append(h('p', {class: 'error'}, e.message)); });
  return root;
}

async function verify(id, button, target) {
  button.disabled = true;
  clear(target);
  target.append(h('p', {class: 'muted'}, 'Re-running the audited explanation…'));
  try {
    const r = await fetch('/api/verify?id=' + encodeURIComponent(id), {method: 'POST', headers: {'X-Saliency-Stream': 'verify'}});
    const v = await r.json();
    clear(target);
    if (r.status !== 200) {
      target.append(h('p', {class: 'error'}, v.error || ('HTTP ' + r.status)));
    } else {
      target.append(h('p', {}, h('span', {class: 'verdict ' + v.verdict, id: 'verdict-word'}, v.verdict), ' ',
        h('span', {id: 'verdict-reason'}, v.reason), h('span', {class: 'muted'}, ' (' + num(v.seconds, 1) + ' s)')));
    }
  } catch (e) {
    clear(target);
    target.append(h('p', {class: 'error'}, e.message));
  } finally {
    button.disabled = false;
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', () => {
  route();
  setInterval(poll, POLL_MS);
});
