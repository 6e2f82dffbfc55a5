// seqrnn report page script: draws the Plotly charts and runs the flagged-sessions table.
// Data comes from <script type="application/json"> blocks; nothing is fetched.
"use strict";

function readJson(el) { return JSON.parse(el.textContent); }

function drawCharts() {
  document.querySelectorAll("script[data-chart]").forEach(function (el) {
    var spec = readJson(el);
    Plotly.newPlot(el.dataset.chart, spec.data, spec.layout,
                   { responsive: true, displaylogo: false });
  });
}

var PAGE_ROWS = 200;

function flaggedTable(target, data) {
  var state = { sort: 4, desc: true, filter: "", selected: null };
  target.innerHTML =
    '<div class="controls"><input type="search" placeholder="filter: file, key, label, line..." ' +
    'aria-label="filter flagged sessions"><span class="count"></span></div>' +
    '<div class="table-wrap"><table><thead><tr></tr></thead><tbody></tbody></table></div>' +
    '<div class="detail">Click a session to see its per-position probabilities.</div>';
  var input = target.querySelector("input");
  var head = target.querySelector("thead tr");
  var body = target.querySelector("tbody");
  var count = target.querySelector(".count");
  var detail = target.querySelector(".detail");
  data.columns.forEach(function (name, i) {
    var th = document.createElement("th");
    th.textContent = name;
    th.addEventListener("click", function () {
      state.desc = state.sort === i ? !state.desc : false;
      state.sort = i;
      draw();
    });
    head.appendChild(th);
  });
  var text = data.rows.map(function (r) { return r.slice(0, -1).join(" ").toLowerCase(); });
  function value(v) { return v === "inf" ? Infinity : (v === null ? -Infinity : v); }
  function draw() {
    var words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    var idx = [];
    for (var i = 0; i < data.rows.length; i++) {
      if (words.every(function (w) { return text[i].indexOf(w) >= 0; })) idx.push(i);
    }
    var k = state.sort, sign = state.desc ? -1 : 1;
    idx.sort(function (a, b) {
      var x = value(data.rows[a][k]), y = value(data.rows[b][k]);
      return x < y ? -sign : (x > y ? sign : a - b);
    });
    Array.prototype.forEach.call(head.children, function (th, i) {
      th.className = i === k ? (state.desc ? "sorted-desc" : "sorted-asc") : "";
    });
    var rows = idx.slice(0, PAGE_ROWS).map(function (i) {
      var r = data.rows[i];
      var cells = r.slice(0, -1).map(function (c) {
        return "<td>" + escapeHtml(c === null ? "" : String(c)) + "</td>";
      });
      return '<tr data-row="' + i + '"' + (state.selected === i ? ' class="selected"' : "") +
             ">" + cells.join("") + "</tr>";
    });
    body.innerHTML = rows.join("");
    count.textContent = idx.length + " of " + data.rows.length + " flagged sessions" +
      (idx.length > PAGE_ROWS ? " (first " + PAGE_ROWS + " shown)" : "");
  }
  input.addEventListener("input", function () { state.filter = input.value; draw(); });
  body.addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr");
    if (!tr) return;
    state.selected = +tr.dataset.row;
    draw();
    showDetail(detail, data, data.rows[state.selected]);
  });
  draw();
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function keyText(key, templates) {
  var t = templates[key];
  return "<b>" + escapeHtml(String(key)) + "</b>" + (t ? " " + escapeHtml(t) : "");
}

function showDetail(detail, data, row) {
  var info = row[row.length - 1] === null ? null : data.details[row[row.length - 1]];
  var html = "<h4>session " + row[0] + " (" + escapeHtml(String(row[1])) + " line " + row[2] +
             ")</h4>";
  if (!info) { detail.innerHTML = html + "<p>No explanation recorded.</p>"; return; }
  html += '<p class="reasons">' + (info.reasons || []).map(escapeHtml).join("; ") + "</p>";
  html += '<div class="strip"></div>';
  html += "<table><thead><tr><th>position</th><th>key seen</th><th>p</th><th>rank</th>" +
          "<th>expected keys (p)</th></tr></thead><tbody>";
  (info.positions || []).forEach(function (p) {
    var expected = (p.expected || []).map(function (e) {
      return "<span>" + keyText(e.key, data.templates) + " (" + e.prob.toPrecision(3) +
             ")</span>";
    });
    html += "<tr><td>" + p.position + "</td><td>" + keyText(p.key, data.templates) +
            (p.unknown_key ? " <i>(never seen in training)</i>" : "") + "</td><td>" +
            p.prob.toPrecision(3) + "</td><td>" + p.rank + '</td><td class="expected">' +
            expected.join("") + "</td></tr>";
  });
  detail.innerHTML = html + "</tbody></table>";
  var strip = info.strip;
  if (strip && strip.position.length) {
    var flagged = new Set(strip.flagged);
    Plotly.newPlot(detail.querySelector(".strip"), [{
      type: "bar", x: strip.position, y: strip.prob, name: "p(key seen)",
      marker: { color: strip.position.map(function (p) {
        return flagged.has(p) ? "crimson" : "steelblue"; }) }
    }], {
      title: { text: "Probability of each key seen (red: flagged)", font: { size: 13 } },
      height: 220, margin: { l: 50, r: 10, t: 30, b: 35 },
      xaxis: { title: { text: "position" } },
      yaxis: { type: "log", title: { text: "p" } }
    }, { responsive: true, displaylogo: false });
  }
}

var WIDGETS = { flagged: flaggedTable };

function drawWidgets() {
  document.querySelectorAll("script[data-widget]").forEach(function (el) {
    WIDGETS[el.dataset.widget](document.getElementById(el.dataset.target), readJson(el));
  });
}

drawCharts();
drawWidgets();
