// The admin's export page (django-import-export): its «Select all» box, made to work under the
// Content-Security-Policy (the library's onchange attribute is refused) and to be read: an id its
// label points to, and a Russian label. The toggling itself is the library's onSelectToggleChange
// (export_selectable_fields.js).
(function () {
  "use strict";
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    var label = document.querySelector('label[for="select-all-toggle"]');
    if (!toggle.id) {
      toggle.id = "select-all-toggle";
    }
    toggle.removeAttribute("onchange");
    if (label) {
      label.textContent = "Выбрать все";
      label.setAttribute("for", toggle.id);
    }
    toggle.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") {
        window.onSelectToggleChange(event);
      } else {
        document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]').forEach(function (box) {
          box.checked = toggle.checked;
        });
      }
    });
  });
})();
