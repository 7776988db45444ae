// The profile chart of a diagnostic: one horizontal bar per competence group, drawn
// over the level bands (threshold / acceptable / optimal) so a teacher sees where each
// score falls. Data comes from the page's json_script block, never from inline code.
(function () {
  "use strict";
  var source = document.getElementById("profile-data");
  var canvas = document.getElementById("profile-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var bandColours = ["rgba(220,53,69,0.12)", "rgba(255,193,7,0.18)", "rgba(25,135,84,0.14)"];
  var bands = data.bands.slice().sort(function (a, b) { return a.min - b.min; });
  var lowest = bands.length ? bands[0].min : 0;
  var highest = bands.length ? bands[bands.length - 1].max : 40;

  var bandPlugin = {
    id: "levelBands",
    beforeDraw: function (chart) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      bands.forEach(function (band, i) {
        // A band covers its whole-number scores, so it reaches to the next band's start.
        var left = x.getPixelForValue(Math.max(band.min, lowest));
        var right = x.getPixelForValue(i + 1 < bands.length ? bands[i + 1].min : highest);
        ctx.fillStyle = bandColours[Math.min(i, bandColours.length - 1)];
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = "rgba(0,0,0,0.7)";
        // The band's name over it, smaller on a narrow band; left out where even that overlaps
        // the next one (a phone), as the table below names each group's level anyway.
        var room = right - left - 4;
        ctx.font = "12px sans-serif";
        if (ctx.measureText(band.name).width > room) ctx.font = "10px sans-serif";
        if (ctx.measureText(band.name).width <= room) ctx.fillText(band.name, left + 2, area.top - 6);
      });
      ctx.restore();
    }
  };

  // Long group names wrap on a phone instead of being cut at the canvas's edge (portal.js).
  var fitted = window.portalChartLabels ? window.portalChartLabels(data.labels, canvas) : { labels: data.labels, lines: 1 };
  if (window.portalChartHeight) window.portalChartHeight(canvas, data.labels.length, fitted.lines, 70);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: fitted.labels,
      datasets: [{
        label: "Балл",
        data: data.scores,
        // A bar takes its band's colour: red for the lowest band, amber for the other
        // deficit bands, green for the bands without a deficit.
        backgroundColor: data.scores.map(function (score) {
          var i = bands.findIndex(function (b) { return b.min <= score && score <= b.max; });
          if (i < 0) return "#6c757d";
          if (!bands[i].deficit) return "#198754";
          return i === 0 ? "#dc3545" : "#e0a800";
        }),
        borderRadius: 3
      }]
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      // Room above the plot for the band names.
      layout: { padding: { top: 18 } },
      scales: { x: { min: lowest, max: highest, ticks: { stepSize: 5 } } },
      plugins: { legend: { display: false } }
    },
    plugins: [bandPlugin]
  });
})();
