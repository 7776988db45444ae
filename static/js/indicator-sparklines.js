// The overview's small trends: one line per indicator over the periods, from the page's
// json_script block «sparkline-data» ({code: {labels, values, axis}}). The text next to
// each line (previous value and change) says the same for screen readers; the canvas is
// decoration (aria-hidden).
(function () {
  "use strict";
  var source = document.getElementById("sparkline-data");
  if (!source || typeof Chart === "undefined") return;
  var series = JSON.parse(source.textContent);
  document.querySelectorAll("canvas.sparkline[data-code]").forEach(function (canvas) {
    var data = series[canvas.dataset.code];
    if (!data) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{ data: data.values, borderColor: "#0a58ca", backgroundColor: "#0a58ca", borderWidth: 2, pointRadius: 2, spanGaps: true }]
      },
      options: {
        responsive: false,
        animation: false,
        events: [],
        layout: { padding: 3 },  // a line at 0 or at 100 % stays whole
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: { display: false },
          y: { display: false, min: data.axis.min, max: data.axis.max }
        }
      }
    });
  });
})();
