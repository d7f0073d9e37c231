/* Statistics charts with Chart.js (vendored, static/vendor/chart.js). The numbers come from
   <script type="application/json" id="stats-data">; every chart also has its table and CSV.
   window.dashboardCharts maps canvas id → Chart, for tests and for people who script the page. */
(function () {
  "use strict";
  var raw = document.getElementById("stats-data");
  if (!raw || typeof Chart === "undefined") { return; }
  var d = JSON.parse(raw.textContent);
  var BLUE = "#0b4f8a", GREEN = "#0a6b2a", RED = "#a4001a";
  Chart.defaults.font.family = "system-ui, sans-serif";
  Chart.defaults.animation = false;
  var charts = {};

  function dayLabel(iso) {  // 2026-12-04 → 04/12 (the axis title says the year range)
    var p = iso.split("-");
    return p[2] + "/" + p[1];
  }
  function make(id, config) {
    var el = document.getElementById(id);
    if (el) { charts[id] = new Chart(el, config); }
  }
  function bars(id, labels, values, opts) {
    opts = opts || {};
    make(id, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: opts.label || "Số phản ánh", data: values,
                                           backgroundColor: opts.color || BLUE }] },
      options: { indexAxis: opts.horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false,
                 plugins: { legend: { display: false } },
                 scales: opts.scales || {} }
    });
  }

  make("chart-trend", {
    type: "bar",
    data: { labels: d.trend.map(function (r) { return dayLabel(r[0]); }),
            datasets: [{ label: "Phản ánh mới", data: d.trend.map(function (r) { return r[1]; }), backgroundColor: BLUE }] },
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false },
                 tooltip: { callbacks: { title: function (items) { return d.trend[items[0].dataIndex][0]; } } } },
               scales: { x: { title: { display: true, text: "Ngày (" + d.first + " → " + d.last + ")" } },
                         y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Số phản ánh" } } } }
  });
  ["category", "unit", "ward"].forEach(function (name) {
    var rows = d.by[name].slice(0, 15);
    bars("chart-" + name, rows.map(function (r) { return r[1]; }), rows.map(function (r) { return r[2]; }),
         { horizontal: true, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  });
  ["unit", "ward"].forEach(function (name) {
    var rows = d.ontime[name].slice(0, 15);
    bars("chart-ontime_" + name, rows.map(function (r) { return r[1] + " (" + r[2] + ")"; }),
         rows.map(function (r) { return r[4]; }),
         { horizontal: true, color: GREEN, label: "% đúng hạn",
           scales: { x: { min: 0, max: 100, title: { display: true, text: "% đóng đúng hạn" } } } });
  });
  make("chart-times", {
    type: "bar",
    data: { labels: ["Tiếp nhận", "Xử lý xong"],
            datasets: [{ label: "Trung vị", data: [d.ack.median, d.resolve.median], backgroundColor: BLUE },
                       { label: "p90", data: [d.ack.p90, d.resolve.p90], backgroundColor: RED }] },
    options: { responsive: true, maintainAspectRatio: false,
               scales: { y: { beginAtZero: true, title: { display: true, text: "Giờ" } } } }
  });
  if (d.ratings.length) {
    bars("chart-ratings", d.ratings.map(function (r) { return r[1]; }), d.ratings.map(function (r) { return r[3]; }),
         { horizontal: true, label: "Điểm trung bình", scales: { x: { min: 0, max: 5 } } });
  }
  window.dashboardCharts = charts;
})();
