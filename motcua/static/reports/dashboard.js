// Reports dashboard: shows only the period fields of the chosen kind, and draws the charts
// with plotly.js from the page's JSON data island. The page works without it (tables).
(function () {
  "use strict";

  function syncPeriod(form) {
    var kind = form.querySelector("[data-period-kind]");
    if (!kind) { return; }
    form.querySelectorAll("[data-period]").forEach(function (box) {
      var shown = box.getAttribute("data-period").split(" ").indexOf(kind.value) !== -1;
      box.hidden = !shown;
      box.querySelectorAll("input, select").forEach(function (field) { field.disabled = !shown; });
    });
  }

  // "03/2025" → "3/25" where the chart is narrow (the tables keep the full month).
  function shortMonth(label) {
    var parts = label.split("/");
    return parts.length === 2 ? String(Number(parts[0])) + "/" + parts[1].slice(-2) : label;
  }

  function traces(chart) {
    return chart.series.map(function (series) {
      if (chart.kind === "lines") {
        return { type: "scatter", mode: "lines+markers", name: series.name, x: chart.x,
          y: series.values, line: { color: series.color, width: 2 }, marker: { size: 6 } };
      }
      return { type: "bar", name: series.name, x: chart.x, y: series.values,
        marker: { color: series.color } };
    });
  }

  function draw() {
    var island = document.getElementById("dashboard-data");
    if (!island || !window.Plotly) { return; }
    var data = JSON.parse(island.textContent);
    data.charts.forEach(function (chart) {
      var area = document.getElementById(chart.id);
      if (!area) { return; }
      var highest = 0;
      chart.x.forEach(function (_, i) {
        var values = chart.series.map(function (series) { return series.values[i]; });
        var top = chart.kind === "stacked"
          ? values.reduce(function (t, v) { return t + v; }, 0)
          : Math.max.apply(null, values);
        highest = Math.max(highest, top);
      });
      var layout = {
        barmode: chart.kind === "stacked" ? "stack" : undefined,
        separators: data.separators,
        height: 320,
        margin: { l: 44, r: 12, t: 12, b: 24 },
        font: { family: "Liberation Sans, Arial, Noto Sans, sans-serif", size: 12, color: "#1a1f24" },
        legend: { orientation: "h", x: 0, y: -0.25, traceorder: "normal" },
        hovermode: "x unified",
        xaxis: { type: "category", automargin: true, tickvals: chart.x,
          ticktext: area.clientWidth < 700 ? chart.x.map(shortMonth) : chart.x },
        yaxis: { title: { text: data.yTitle }, rangemode: "tozero", tickformat: ",d",
          dtick: highest <= 10 ? 1 : undefined, automargin: true },
        paper_bgcolor: "#ffffff",
        plot_bgcolor: "#ffffff"
      };
      window.Plotly.newPlot(area, traces(chart), layout,
        { displayModeBar: false, responsive: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-period-form]").forEach(function (form) {
      syncPeriod(form);
      form.addEventListener("change", function (event) {
        if (event.target.hasAttribute("data-period-kind")) { syncPeriod(form); }
      });
    });
    draw();
  });
})();
