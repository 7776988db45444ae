// One chart per indicator page: a bar chart of units (direction page) or a line of
// years (indicator page), from the page's json_script block.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  var canvas = document.getElementById("indicator-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: data.type,
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "#0d6efd", borderColor: "#0d6efd" }] },
    options: {
      indexAxis: data.type === "bar" ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } }
    }
  });
})();
