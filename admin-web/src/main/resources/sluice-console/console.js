/* Sluice console: progressive enhancement only; every page works without it except the charts. */
(function () {
  'use strict';

  var palette = ['#1f6feb', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#64748b', '#f97316'];

  function compact(n) {
    if (n === null || n === undefined || isNaN(n)) { return '—'; }
    var a = Math.abs(n), units = ['', ' k', ' M', ' G', ' T'], i = 0;
    while (a >= 1000 && i < units.length - 1) { a /= 1000; n /= 1000; i++; }
    if (i === 0) { return String(Math.round(n * 10) / 10); }
    return (a >= 100 ? n.toFixed(0) : n.toFixed(1)) + units[i];
  }

  function localTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return null; }
    return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  /* <time datetime="ISO">UTC text</time> → local time, UTC on hover */
  function localiseTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var iso = t.getAttribute('datetime');
      var text = iso && localTime(iso);
      if (!text) { return; }
      if (!t.title) { t.title = new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace('Z', ' UTC'); }
      t.textContent = text;
    });
  }

  /* forms that destroy something ask first */
  function confirmations() {
    document.querySelectorAll('form[data-confirm]').forEach(function (f) {
      f.addEventListener('submit', function (e) {
        if (!window.confirm(f.getAttribute('data-confirm'))) { e.preventDefault(); }
      });
    });
  }

  /* <button data-copy="#id"> copies the target's text */
  function copyButtons() {
    document.querySelectorAll('[data-copy]').forEach(function (b) {
      b.addEventListener('click', function () {
        var target = document.querySelector(b.getAttribute('data-copy'));
        if (!target) { return; }
        var text = target.textContent.trim();
        var done = function () { b.textContent = 'Copied'; setTimeout(function () { b.textContent = 'Copy'; }, 2000); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
        } else {
          selectText(target);
          try { document.execCommand('copy'); done(); } catch (ignored) { /* the text stays selected */ }
        }
      });
    });
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function fetchJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body && body.error && body.error.message) || ('HTTP ' + r.status)); }
        return body;
      });
    });
  }

  function showChartError(canvas, message) {
    var box = canvas.parentElement;
    var p = document.createElement('p');
    p.className = 'banner banner-error';
    p.setAttribute('role', 'alert');
    p.textContent = 'Could not load the chart: ' + message;
    box.replaceChildren(p);
  }

  /* bucket labels in the browser's time zone */
  function bucketLabel(iso, bucket) {
    var d = new Date(iso);
    if (bucket === 'day') { return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }); }
    return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  /* canvas[data-chart=usage]: stacked bars of data-metric per bucket, one dataset per data-group value */
  function usageChart(canvas, body) {
    var group = canvas.getAttribute('data-group');
    var metric = canvas.getAttribute('data-metric') || 'requests';
    var buckets = [], index = {}, groups = {}, order = [];
    (body.series || []).forEach(function (p) {
      if (!(p.bucket in index)) { index[p.bucket] = buckets.length; buckets.push(p.bucket); }
      var key = (group && p[group]) || (group ? '(none)' : (canvas.getAttribute('data-label') || 'all'));
      if (!(key in groups)) { groups[key] = {}; order.push(key); }
      groups[key][p.bucket] = (groups[key][p.bucket] || 0) + (p[metric] || 0);
    });
    if (buckets.length === 0) {
      var box = canvas.parentElement, p = document.createElement('p');
      p.className = 'muted chart-empty';
      p.textContent = 'No requests in this range yet — send some through the gateway and they show here.';
      box.replaceChildren(p);
      return;
    }
    var datasets = order.map(function (key, i) {
      return { label: key, data: buckets.map(function (b) { return groups[key][b] || 0; }), backgroundColor: palette[i % palette.length], stack: 's' };
    });
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels: buckets.map(function (b) { return bucketLabel(b, body.bucket); }), datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { callback: compact } } },
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + compact(c.parsed.y); } } } }
      }
    });
  }

  /* canvas[data-chart=latency]: p50/p95 latency and time to first token per bucket, in ms */
  function latencyChart(canvas, body) {
    var series = body.series || [];
    if (series.length === 0) {
      var box = canvas.parentElement, p = document.createElement('p');
      p.className = 'muted chart-empty';
      p.textContent = 'No latency figures in this range yet.';
      box.replaceChildren(p);
      return;
    }
    var line = function (label, key, i) {
      return { label: label, data: series.map(function (s) { return s[key]; }), borderColor: palette[i], backgroundColor: palette[i], spanGaps: true, tension: 0.2 };
    };
    new window.Chart(canvas, {
      type: 'line',
      data: {
        labels: series.map(function (s) { return bucketLabel(s.bucket, body.bucket); }),
        datasets: [line('latency p50', 'latencyP50Ms', 0), line('latency p95', 'latencyP95Ms', 3), line('TTFT p50', 'ttftP50Ms', 1), line('TTFT p95', 'ttftP95Ms', 2)]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
        plugins: { legend: { position: 'bottom' } }
      }
    });
  }

  var charts = { usage: usageChart, latency: latencyChart };

  function drawCharts() {
    var canvases = document.querySelectorAll('canvas[data-chart]');
    if (canvases.length === 0) { return; }
    if (!window.Chart) {
      canvases.forEach(function (c) { showChartError(c, 'Chart.js did not load.'); });
      return;
    }
    canvases.forEach(function (canvas) {
      var draw = charts[canvas.getAttribute('data-chart')];
      fetchJson(canvas.getAttribute('data-src')).then(function (body) {
        draw(canvas, body);
        canvas.setAttribute('data-loaded', 'true');
      }, function (err) { showChartError(canvas, err.message); });
    });
  }

  /* [data-poll=URL][data-render=name]: refresh a part of the page every data-interval ms */
  var renderers = {};
  function polling() {
    document.querySelectorAll('[data-poll]').forEach(function (el) {
      var render = renderers[el.getAttribute('data-render')];
      if (!render) { return; }
      var interval = parseInt(el.getAttribute('data-interval') || '2000', 10);
      var status = el.querySelector('[data-poll-status]');
      var tick = function () {
        fetchJson(el.getAttribute('data-poll')).then(function (body) {
          render(el, body);
          el.setAttribute('data-refreshed', new Date().toISOString());
          if (status) { status.textContent = 'Updated ' + new Date().toLocaleTimeString(); status.classList.remove('field-error'); }
        }, function (err) {
          if (status) { status.textContent = 'Could not refresh: ' + err.message; status.classList.add('field-error'); }
        }).finally(function () { setTimeout(tick, interval); });
      };
      setTimeout(tick, interval);
    });
  }

  /* the dashboard's queue tile */
  renderers.queueDepth = function (el, body) {
    var v = el.querySelector('[data-field=waiting]');
    if (v) { v.textContent = compact(body.waiting); }
  };

  /* the queue page: tiles and the per-model table, redrawn from /console/data/queue */
  function millis(ms) {
    if (ms == null) { return '—'; }
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s';
  }
  renderers.queue = function (el, body) {
    var set = function (field, text) { var f = el.querySelector('[data-field=' + field + ']'); if (f) { f.textContent = text; } };
    set('waiting', compact(body.waiting));
    set('maxSize', 'room for ' + compact(body.maxSize));
    var models = body.models || [];
    el.querySelector('[data-empty]').classList.toggle('hidden', models.length > 0);
    el.querySelector('[data-table]').classList.toggle('hidden', models.length === 0);
    var rows = models.map(function (m) {
      var tr = document.createElement('tr');
      var cell = function (text, num, code) {
        var td = document.createElement('td');
        if (num) { td.className = 'num'; }
        if (code) { var c = document.createElement('code'); c.textContent = text; td.appendChild(c); } else { td.textContent = text; }
        tr.appendChild(td);
      };
      cell(m.model, false, true);
      cell(String(m.waiting), true);
      cell(millis(m.oldestWaitMs), true);
      cell(String(m.admitted), true);
      cell(String(m.timedOut), true);
      cell(String(m.rejectedFull), true);
      return tr;
    });
    el.querySelector('#queue-table tbody').replaceChildren.apply(el.querySelector('#queue-table tbody'), rows);
  };

  window.SluiceConsole = { compact: compact, localiseTimes: localiseTimes, renderers: renderers, charts: charts };

  document.addEventListener('DOMContentLoaded', function () {
    localiseTimes(document);
    confirmations();
    copyButtons();
    drawCharts();
    polling();
  });
})();
