// The route builder's summary follows the ticks: chosen programs, their hours, other activities.
(function () {
  var form = document.getElementById("route-builder");
  var summary = document.getElementById("route-summary");
  if (!form || !summary) {
    return;
  }
  function update() {
    var programs = 0, hours = 0, others = 0;
    form.querySelectorAll("input[type=checkbox][name^=pick_]:checked").forEach(function (box) {
      if (box.hasAttribute("data-hours")) {
        programs += 1;
        hours += parseInt(box.getAttribute("data-hours"), 10) || 0;
      } else {
        others += 1;
      }
    });
    summary.querySelector("[data-summary=programs]").textContent = programs;
    summary.querySelector("[data-summary=hours]").textContent = hours;
    summary.querySelector("[data-summary=others]").textContent = others;
  }
  form.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox]")) {
      update();
    }
  });
})();
