// Survey results: one horizontal bar chart per item, from the page's json_script block
// «survey-charts»: {item name: {labels, values (shares of respondents, %), label}}. Each
// canvas names its item in data-chart; the same numbers are in the table under it.
(function () {
  "use strict";
  var source = document.getElementById("survey-charts");
  if (!source || typeof Chart === "undefined") return;
  var charts = JSON.parse(source.textContent);
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = charts[canvas.getAttribute("data-chart")];
    if (!data) return;
    // Room for every bar: a row per answer, so long lists stay readable on a phone.
    canvas.parentNode.style.height = Math.max(120, 34 * data.labels.length + 40) + "px";
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "#0a58ca" }] },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { min: 0, max: 100, ticks: { callback: function (v) { return v.toLocaleString("ru-RU") + " %"; } } },
          y: {
            ticks: {
              autoSkip: false,
              callback: function (value) {
                var label = this.getLabelForValue(value);
                var room = this.chart.width < 500 ? 16 : 40;  // characters per line: narrower on a phone
                if (label.length <= room) return label;
                var words = label.split(" "), out = [], row = "";
                words.forEach(function (w) { if ((row + " " + w).trim().length > room && row) { out.push(row); row = w; } else { row = (row + " " + w).trim(); } });
                if (row) out.push(row);
                return out;
              }
            }
          }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return item.formattedValue + " %"; } } }
        }
      }
    });
  });
})();
