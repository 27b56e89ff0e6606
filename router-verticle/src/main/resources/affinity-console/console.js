'use strict';
// The Affinity web console: polls the node's admin endpoints with the master key (header only, never the URL) and
// draws them. Every value goes into the page as text (textContent), never as markup.
(function () {
  const KEY = 'affinity-master-key';
  const POLL_MILLIS = 2000;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let timer = null;

  class Refused extends Error {}

  async function get(path) {
    const response = await fetch(path, {
      headers: { 'x-api-key': sessionStorage.getItem(KEY) || '' }, cache: 'no-store', credentials: 'omit'
    });
    if (response.status === 401 || response.status === 403) {
      const body = await response.json().catch(() => ({}));
      throw new Refused((body.error && body.error.message) || ('refused: ' + response.status));
    }
    if (!response.ok) {
      throw new Error(path + ' answered ' + response.status);
    }
    return response.json();
  }

  const integer = (n) => Number(n || 0).toLocaleString('en-US');
  const percent = (share) => (100 * (share || 0)).toFixed(1) + '%';
  const usd = (n) => {
    const value = Number(n || 0);
    return (value < 0 ? '-$' : '$') + Math.abs(value).toFixed(Math.abs(value) >= 1 ? 2 : 4);
  };

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function replaceRows(tbody, items, fill) {
    const rows = items.map((item) => {
      const row = document.createElement('tr');
      fill(row, item);
      return row;
    });
    tbody.replaceChildren(...rows);
  }

  function routeBadge(row, route) {
    const td = cell(row, '');
    const badge = document.createElement('span');
    badge.className = 'route ' + route;
    badge.textContent = route;
    td.appendChild(badge);
  }

  function drawStats(stats) {
    const lines = [];
    for (const [alias, deployments] of Object.entries(stats.models || {})) {
      for (const [id, line] of Object.entries(deployments)) {
        lines.push(Object.assign({ alias: alias, id: id }, line));
      }
    }
    let requests = 0, read = 0, prompt = 0, cost = 0, without = 0, missed = 0;
    for (const line of lines) {
      requests += line.requests;
      read += line.cache_read_tokens;
      prompt += line.cache_read_tokens + line.cache_write_tokens + line.uncached_input_tokens;
      cost += line.cost_usd;
      without += line.cost_without_cache_usd;
      missed += line.pinned_but_missed;
    }
    $('total-requests').textContent = integer(requests);
    $('hit-rate').textContent = percent(prompt === 0 ? 0 : read / prompt);
    $('cost').textContent = usd(cost);
    $('saved').textContent = usd(without - cost);
    $('missed').textContent = integer(missed);
    $('missed').className = 'value' + (missed > 0 ? ' bad' : '');
    replaceRows($('deployments'), lines, (row, line) => {
      cell(row, line.alias);
      cell(row, line.id);
      cell(row, line.healthy ? 'healthy' : 'cooling down', line.healthy ? 'good' : 'bad');
      cell(row, integer(line.in_flight), 'num');
      cell(row, integer(line.requests), 'num');
      cell(row, integer(line.errors), 'num' + (line.errors > 0 ? ' warn' : ''));
      cell(row, percent(line.cache_read_share), 'num');
      cell(row, integer(line.cache_read_tokens), 'num');
      cell(row, integer(line.cache_write_tokens), 'num');
      cell(row, integer(line.uncached_input_tokens), 'num');
      cell(row, integer(line.pinned_but_missed), 'num' + (line.pinned_but_missed > 0 ? ' bad' : ''));
      cell(row, usd(line.cost_usd), 'num');
      cell(row, usd(line.cost_without_cache_usd - line.cost_usd), 'num good');
    });
    const cooling = lines.filter((line) => !line.healthy);
    const items = cooling.length === 0 ? [{ text: 'none' }]
      : cooling.map((line) => ({ text: line.id + ' until ' + line.cooldown_ends_at }));
    $('cooldowns').replaceChildren(...items.map((item) => {
      const li = document.createElement('li');
      li.textContent = item.text;
      return li;
    }));
  }

  function drawPins(pins) {
    $('pin-total').textContent = integer(pins.total);
    replaceRows($('pins'), (pins.pins || []).slice(0, 15), (row, pin) => {
      cell(row, pin.key);
      cell(row, pin.deployment);
      cell(row, pin.ttl_seconds_left < 0 ? 'no TTL' : pin.ttl_seconds_left + ' s', 'num');
      // Hazelcast counts hits only where per-entry statistics are on
      cell(row, pin.hits < 0 ? '-' : integer(pin.hits), 'num');
    });
  }

  function drawActivity(activity) {
    const members = activity.cluster_members || [];
    $('member-count').textContent = integer(members.length);
    $('members').replaceChildren(...members.map((id) => {
      const li = document.createElement('li');
      li.textContent = id;
      return li;
    }));
    replaceRows($('log'), activity.recent || [], (row, call) => {
      cell(row, new Date(call.at).toLocaleTimeString('en-GB'));
      cell(row, call.request);
      cell(row, call.alias);
      cell(row, call.deployment);
      routeBadge(row, call.route);
      cell(row, String(call.status), 'num' + (call.status >= 400 ? ' bad' : ''));
      cell(row, integer(call.cache_read_tokens), 'num');
      cell(row, integer(call.cache_write_tokens), 'num');
      cell(row, integer(call.input_tokens), 'num');
      cell(row, integer(call.output_tokens), 'num');
      cell(row, integer(call.latency_ms) + ' ms', 'num');
      cell(row, usd(call.cost_usd), 'num');
      cell(row, usd(call.saved_usd), 'num' + (call.saved_usd >= 0 ? ' good' : ' warn'));
    });
    const history = activity.history || [];
    let cumulative = 0;
    const saved = history.map((point) => {
      cumulative += point.saved_usd;
      return { at: point.at, value: cumulative };
    });
    chart($('chart-hit'), history.map((point) => ({ at: point.at, value: point.hit_rate })), 'line-hit',
      () => 1, (v) => Math.round(v * 100) + '%');
    chart($('chart-saved'), saved, 'line-saved',
      (max) => max <= 0 ? 1 : max * 1.1, (v) => usd(v));
  }

  function svg(name, attributes, text) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) {
      element.setAttribute(key, value);
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  /** A line over time: x from the first point to now, y from 0 to top(max). */
  function chart(target, points, lineClass, top, label) {
    const width = 600, height = 180, left = 56, right = 8, above = 8, below = 20;
    const children = [];
    const max = top(Math.max(0, ...points.map((p) => p.value)));
    for (let i = 0; i <= 4; i++) {
      const y = above + (height - above - below) * (1 - i / 4);
      children.push(svg('line', { class: 'grid', x1: left, x2: width - right, y1: y, y2: y }));
      children.push(svg('text', { class: 'axis', x: left - 6, y: y + 3, 'text-anchor': 'end' }, label(max * i / 4)));
    }
    if (points.length === 0) {
      children.push(svg('text', { class: 'empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' },
        'no calls yet'));
    } else {
      const times = points.map((p) => Date.parse(p.at));
      const first = times[0];
      const last = Math.max(times[times.length - 1], first + 60000);
      const x = (t) => left + (width - left - right) * (t - first) / (last - first);
      const y = (v) => above + (height - above - below) * (1 - v / max);
      const coordinates = points.map((p, i) => x(times[i]).toFixed(1) + ',' + y(p.value).toFixed(1));
      if (points.length === 1) {
        children.push(svg('circle', { class: lineClass, cx: x(times[0]), cy: y(points[0].value), r: 3 }));
      }
      children.push(svg('polyline', { class: lineClass, points: coordinates.join(' ') }));
      children.push(svg('text', { class: 'axis', x: left, y: height - 4 }, new Date(first).toLocaleTimeString('en-GB')));
      children.push(svg('text', { class: 'axis', x: width - right, y: height - 4, 'text-anchor': 'end' },
        new Date(last).toLocaleTimeString('en-GB')));
    }
    target.replaceChildren(...children);
  }

  async function refresh() {
    try {
      const [stats, pins, activity] = await Promise.all([get('/affinity/stats'), get('/affinity/pins'),
        get('/affinity/activity')]);
      drawStats(stats);
      drawPins(pins);
      drawActivity(activity);
      showDashboard(true);
      $('status').textContent = 'connected · ' + stats.routing_strategy
        + (stats.prompt_cache_affinity ? ' with prompt-cache affinity' : '') + ' · updated '
        + new Date().toLocaleTimeString('en-GB');
    } catch (failure) {
      if (failure instanceof Refused) {
        sessionStorage.removeItem(KEY);
        stop();
        showDashboard(false);
        $('key-error').textContent = failure.message;
        $('key-error').hidden = false;
      } else {
        $('status').textContent = 'update failed: ' + failure.message;
      }
    }
  }

  function showDashboard(connected) {
    $('dashboard').hidden = !connected;
    $('key-form').hidden = connected;
    $('disconnect').hidden = !connected;
    if (!connected) {
      $('status').textContent = 'not connected';
    }
  }

  function start() {
    stop();
    refresh();
    timer = setInterval(refresh, POLL_MILLIS);
  }

  function stop() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    $('key-error').hidden = true;
    sessionStorage.setItem(KEY, $('key').value);
    $('key').value = '';
    start();
  });
  $('disconnect').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    stop();
    showDashboard(false);
  });
  if (sessionStorage.getItem(KEY)) {
    start();
  }
})();
