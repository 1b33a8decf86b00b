// The built-in revenue page: a small static front end over the ledger's GraphQL API (no build step, no framework).
// Every value from the API is written with textContent (never innerHTML); the key stays in sessionStorage.
(function () {
  'use strict';

  var KEY_STORAGE = 'x402-ledger-key';
  var RANGES = { '24h': [24 * 3600e3, 'HOUR'], '7d': [7 * 24 * 3600e3, 'DAY'], '30d': [30 * 24 * 3600e3, 'DAY'] };
  var PAGE_QUERY =
    'query RevenuePage($range: RequiredTimeRangeInput!, $interval: RevenueInterval!) {' +
    ' viewer { role tenant }' +
    ' revenue(range: $range, interval: $interval) { series { network asset decimals' +
    '   totals { gross refunds net count uniquePayers refundCount }' +
    '   buckets { start gross refunds net count } } }' +
    ' payments(first: 20) { nodes { id status amount formattedAmount decimals asset network payer payTo resource' +
    '   transaction createdAt settledAt links { transaction } } }' +
    ' refunds(first: 10) { nodes { id status amount formattedAmount reason requestedAt } }' +
    ' disputes(first: 10) { nodes { id status reason openedAt respondBy } } }';

  var state = {
    key: null,
    socket: null,
    refreshTimer: null,
    followUpTimer: null,
    pollTimer: null,
    seen: new Set(),
    firstLoad: true,
  };
  var $ = function (id) {
    return document.getElementById(id);
  };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  /** Exact decimal formatting of an atomic-unit integer string (no floats). */
  function formatUnits(atomic, decimals) {
    if (atomic === null || atomic === undefined) return '—';
    var negative = atomic.charAt(0) === '-';
    var digits = negative ? atomic.slice(1) : atomic;
    if (decimals === null || decimals === undefined || decimals === 0) return (negative ? '-' : '') + digits;
    digits = digits.padStart(decimals + 1, '0');
    var whole = digits.slice(0, digits.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    var fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
    if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
    return (negative ? '-' : '') + whole + '.' + fraction;
  }

  function short(address) {
    return address ? address.slice(0, 6) + '…' + address.slice(-4) : '—';
  }

  function when(iso) {
    if (!iso) return '—';
    var d = new Date(iso);
    return d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  }

  function gql(query, variables) {
    return fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + state.key },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    })
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var error = new Error(body.errors[0].message);
          error.code = body.errors[0].extensions && body.errors[0].extensions.code;
          throw error;
        }
        return body.data;
      });
  }

  function load() {
    var choice = RANGES[$('range').value] || RANGES['7d'];
    var to = new Date();
    var from = new Date(to.getTime() - choice[0]);
    return gql(PAGE_QUERY, { range: { from: from.toISOString(), to: to.toISOString() }, interval: choice[1] })
      .then(function (data) {
        $('error').textContent = '';
        renderCards(data.revenue.series);
        renderChart(data.revenue.series);
        renderPayments(data.payments.nodes);
        renderRefunds(data.refunds.nodes);
        renderDisputes(data.disputes.nodes);
        document.body.setAttribute('data-loaded', 'true');
        state.firstLoad = false;
      })
      .catch(function (error) {
        if (error.code === 'UNAUTHENTICATED') return signOut('That key was not accepted: ' + error.message);
        $('error').textContent = 'Could not load: ' + error.message;
      });
  }

  /**
   * Refreshes soon, coalescing bursts of live events into one query; once more a little later, because the live event
   * comes straight from the event log and the analytics projection follows it by up to a second or so.
   */
  function refreshSoon() {
    clearTimeout(state.refreshTimer);
    clearTimeout(state.followUpTimer);
    state.refreshTimer = setTimeout(load, 250);
    state.followUpTimer = setTimeout(load, 1500);
  }

  function card(label, value, sub) {
    var node = el('div', null, 'card');
    node.appendChild(el('div', label, 'label'));
    node.appendChild(el('div', value, 'value'));
    if (sub) node.appendChild(el('div', sub, 'sub'));
    return node;
  }

  function seriesLabel(s) {
    return s.network + ' · ' + short(s.asset);
  }

  function renderCards(series) {
    var cards = $('cards');
    cards.replaceChildren();
    if (series.length === 0) {
      cards.appendChild(card('Gross', '0', 'no settled payments in range'));
      return;
    }
    series.forEach(function (s) {
      var t = s.totals;
      var label = seriesLabel(s);
      cards.appendChild(card('Gross', formatUnits(t.gross, s.decimals), label));
      cards.appendChild(card('Refunds', formatUnits(t.refunds, s.decimals), t.refundCount + ' refunds'));
      cards.appendChild(card('Net', formatUnits(t.net, s.decimals), label));
      cards.appendChild(card('Payments', String(t.count), t.uniquePayers + ' unique payers'));
    });
  }

  function renderChart(series) {
    var chart = $('chart');
    chart.replaceChildren();
    var s = series[0];
    if (!s) {
      chart.appendChild(el('p', 'Nothing settled in this range yet.', 'muted'));
      $('chartlegend').textContent = '';
      return;
    }
    $('chartlegend').textContent =
      '(' + seriesLabel(s) + (series.length > 1 ? '; ' + (series.length - 1) + ' more assets' : '') + ')';
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    var width = 1000;
    var height = 200;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('preserveAspectRatio', 'none');
    var buckets = s.buckets;
    // Heights are relative, so BigInt → Number only for the ratio; the labels stay exact.
    var max = buckets.reduce(function (m, b) {
      var g = BigInt(b.gross);
      return g > m ? g : m;
    }, 1n);
    var step = width / Math.max(buckets.length, 1);
    buckets.forEach(function (b, i) {
      var gross = Number((BigInt(b.gross) * 1000n) / max) / 1000;
      var refunds = Number((BigInt(b.refunds) * 1000n) / max) / 1000;
      var bar = document.createElementNS(ns, 'rect');
      bar.setAttribute('class', 'gross');
      bar.setAttribute('x', String(i * step + step * 0.1));
      bar.setAttribute('width', String(step * 0.8));
      bar.setAttribute('y', String(height - 20 - gross * (height - 30)));
      bar.setAttribute('height', String(gross * (height - 30)));
      var title = document.createElementNS(ns, 'title');
      title.textContent =
        when(b.start) +
        ': gross ' +
        formatUnits(b.gross, s.decimals) +
        ', refunds ' +
        formatUnits(b.refunds, s.decimals) +
        ', ' +
        b.count +
        ' payments';
      bar.appendChild(title);
      svg.appendChild(bar);
      if (refunds > 0) {
        var r = document.createElementNS(ns, 'rect');
        r.setAttribute('class', 'refunds');
        r.setAttribute('x', String(i * step + step * 0.35));
        r.setAttribute('width', String(step * 0.3));
        r.setAttribute('y', String(height - 20 - refunds * (height - 30)));
        r.setAttribute('height', String(refunds * (height - 30)));
        svg.appendChild(r);
      }
      if (i % Math.ceil(buckets.length / 8) === 0) {
        var label = document.createElementNS(ns, 'text');
        label.setAttribute('class', 'axis');
        label.setAttribute('x', String(i * step + 2));
        label.setAttribute('y', String(height - 5));
        label.textContent = b.start.slice(5, 13).replace('T', ' ');
        svg.appendChild(label);
      }
    });
    chart.appendChild(svg);
  }

  function statusCell(status) {
    var td = el('td');
    td.appendChild(el('span', status.toLowerCase().replace(/_/g, ' '), 'status ' + status));
    return td;
  }

  function emptyRow(tbody, columns, text) {
    var tr = el('tr', null, 'empty');
    var td = el('td', text);
    td.colSpan = columns;
    tr.appendChild(td);
    tbody.appendChild(tr);
  }

  function renderPayments(payments) {
    var tbody = $('payments').querySelector('tbody');
    tbody.replaceChildren();
    if (payments.length === 0) return emptyRow(tbody, 7, 'No payments yet.');
    payments.forEach(function (p) {
      var tr = el('tr');
      tr.setAttribute('data-payment-id', p.id);
      if (!state.firstLoad && !state.seen.has(p.id)) tr.className = 'fresh';
      state.seen.add(p.id);
      tr.appendChild(el('td', when(p.settledAt || p.createdAt)));
      tr.appendChild(statusCell(p.status));
      tr.appendChild(el('td', formatUnits(p.amount, p.decimals), 'num'));
      tr.appendChild(el('td', short(p.payer), 'mono'));
      tr.appendChild(el('td', short(p.payTo), 'mono'));
      tr.appendChild(el('td', p.resource || '—'));
      var tx = el('td', null, 'mono');
      if (p.transaction && p.links && p.links.transaction && /^https?:\/\//.test(p.links.transaction)) {
        var a = el('a', short(p.transaction));
        a.href = p.links.transaction;
        a.rel = 'noopener noreferrer';
        a.target = '_blank';
        tx.appendChild(a);
      } else {
        tx.textContent = p.transaction ? short(p.transaction) : '—';
      }
      tx.title = p.transaction || '';
      tr.appendChild(tx);
      tbody.appendChild(tr);
    });
  }

  function renderRefunds(refunds) {
    var tbody = $('refunds').querySelector('tbody');
    tbody.replaceChildren();
    if (refunds.length === 0) return emptyRow(tbody, 4, 'No refunds.');
    refunds.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', when(r.requestedAt)));
      tr.appendChild(statusCell(r.status));
      tr.appendChild(el('td', r.formattedAmount || r.amount, 'num'));
      tr.appendChild(el('td', r.reason || '—'));
      tbody.appendChild(tr);
    });
  }

  function renderDisputes(disputes) {
    var tbody = $('disputes').querySelector('tbody');
    tbody.replaceChildren();
    if (disputes.length === 0) return emptyRow(tbody, 4, 'No disputes.');
    disputes.forEach(function (d) {
      var tr = el('tr');
      tr.appendChild(el('td', when(d.openedAt)));
      tr.appendChild(statusCell(d.status));
      tr.appendChild(el('td', d.reason ? d.reason.toLowerCase().replace(/_/g, ' ') : '—'));
      tr.appendChild(el('td', when(d.respondBy)));
      tbody.appendChild(tr);
    });
  }

  function setLive(on) {
    var live = $('live');
    live.className = 'live ' + (on ? 'on' : 'off');
    live.textContent = on ? '● live' : '● polling';
  }

  /** graphql-ws (the API's subscription protocol): refresh when a payment settles or a refund/dispute changes. */
  function subscribe() {
    if (state.socket) state.socket.close();
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
    var socket;
    try {
      socket = new WebSocket(url, 'graphql-transport-ws');
    } catch {
      return poll();
    }
    state.socket = socket;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer ' + state.key } }));
    };
    socket.onmessage = function (message) {
      var msg = JSON.parse(message.data);
      if (msg.type === 'connection_ack') {
        setLive(true);
        [
          'subscription { paymentSettled { paymentId } }',
          'subscription { refundUpdated { refundId } }',
          'subscription { disputeUpdated { disputeId } }',
        ].forEach(function (query, i) {
          socket.send(JSON.stringify({ id: String(i + 1), type: 'subscribe', payload: { query: query } }));
        });
      } else if (msg.type === 'next') {
        refreshSoon();
      } else if (msg.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    };
    socket.onclose = function () {
      if (state.socket !== socket) return;
      state.socket = null;
      if (state.key) poll();
    };
  }

  /** Without a socket: poll every 10 s, and try the socket again. */
  function poll() {
    setLive(false);
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(function () {
      if (!state.key) return;
      load();
      subscribe();
    }, 10000);
  }

  function start(key) {
    state.key = key;
    state.firstLoad = true;
    state.seen.clear();
    $('signin').hidden = true;
    $('main').hidden = false;
    $('signout').hidden = false;
    load().then(subscribe);
  }

  function signOut(message) {
    state.key = null;
    sessionStorage.removeItem(KEY_STORAGE);
    if (state.socket) state.socket.close();
    $('main').hidden = true;
    $('signout').hidden = true;
    $('signin').hidden = false;
    $('keyerror').textContent = message || '';
  }

  $('keyform').addEventListener('submit', function (event) {
    event.preventDefault();
    var key = $('key').value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    $('key').value = '';
    start(key);
  });
  $('signout').addEventListener('click', function () {
    signOut('');
  });
  $('range').addEventListener('change', load);

  // A key from this tab, else (dev mode on loopback only) the dev admin key the daemon shows at /dev, else ask.
  var saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) return start(saved);
  fetch('/dev')
    .then(function (res) {
      return res.ok ? res.json() : null;
    })
    .then(function (dev) {
      if (dev && dev.adminApiKey) start(dev.adminApiKey);
      else signOut('');
    })
    .catch(function () {
      signOut('');
    });
})();
