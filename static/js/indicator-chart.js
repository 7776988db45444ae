// One chart per indicator page: a bar chart of units (direction page) or a line of
// years (indicator page), from the page's json_script block «chart-data»:
// {type, labels, label, values, axis: {min, max, suffix}, lines: [{label, value, color, dash}]}.
// The value axis starts at 0 (a percentage runs to 100), and the target and the alert
// threshold are drawn across it as lines (the page names them in a key under the chart).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  var canvas = document.getElementById("indicator-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var horizontal = data.type === "bar";
  var valueAxis = horizontal ? "x" : "y";
  var axis = data.axis || { min: 0, suffix: "" };
  var lines = data.lines || [];

  // Draws each reference line (target, threshold) across the plot at its value.
  var referenceLines = {
    id: "referenceLines",
    afterDatasetsDraw: function (chart) {
      var scale = chart.scales[valueAxis];
      var area = chart.chartArea;
      var ctx = chart.ctx;
      lines.forEach(function (line) {
        var at = scale.getPixelForValue(line.value);
        ctx.save();
        ctx.strokeStyle = line.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(line.dash || []);
        ctx.beginPath();
        if (horizontal) { ctx.moveTo(at, area.top); ctx.lineTo(at, area.bottom); }
        else { ctx.moveTo(area.left, at); ctx.lineTo(area.right, at); }
        ctx.stroke();
        ctx.restore();
      });
    }
  };

  var scales = {};
  scales[valueAxis] = {
    min: axis.min,
    max: axis.max,
    beginAtZero: true,
    ticks: { callback: function (value) { return value.toLocaleString("ru-RU") + (axis.suffix || ""); } }
  };
  // Long names of municipalities and schools keep their words: wrapped, not cut.
  scales[horizontal ? "y" : "x"] = {
    ticks: {
      autoSkip: false,
      callback: function (value) {
        var label = this.getLabelForValue(value);
        var room = this.chart.width < 500 ? 14 : 28;  // characters per line: a phone gets narrower lines
        if (!horizontal || label.length <= room) return label;
        var words = label.split(" "), out = [], row = "";
        words.forEach(function (w) { if ((row + " " + w).trim().length > room && row) { out.push(row); row = w; } else { row = (row + " " + w).trim(); } });
        if (row) out.push(row);
        return out;
      }
    }
  };

  new Chart(canvas, {
    type: data.type,
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "#0a58ca", borderColor: "#0a58ca", spanGaps: true }] },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      scales: scales,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (item) { return item.formattedValue + (axis.suffix || ""); } } }
      }
    },
    plugins: [referenceLines]
  });
})();
