// Stacked bars of the level distribution on the results page: one bar per competence
// group, one segment per level, shares in percent of the diagnosed teachers.
(function () {
  "use strict";
  var source = document.getElementById("distribution-data");
  var canvas = document.getElementById("distribution-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = ["#198754", "#ffc107", "#dc3545", "#6c757d"];
  // Long group names wrap on a phone instead of being cut at the canvas's edge (portal.js).
  var fitted = window.portalChartLabels ? window.portalChartLabels(data.labels, canvas) : { labels: data.labels, lines: 1 };
  if (window.portalChartHeight) window.portalChartHeight(canvas, data.labels.length, fitted.lines, 90);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: fitted.labels,
      datasets: data.levels.map(function (level, i) {
        return { label: level.name, data: level.shares, backgroundColor: colours[Math.min(i, colours.length - 1)] };
      })
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true, min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } }, y: { stacked: true } }
    }
  });
})();
