// Stacked bars of the level distribution on the results page: one bar per competence
// group, one segment per level, shares in percent of the diagnosed teachers.
(function () {
  "use strict";
  var source = document.getElementById("distribution-data");
  var canvas = document.getElementById("distribution-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = ["#198754", "#ffc107", "#dc3545", "#6c757d"];
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
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
