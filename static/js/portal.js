// Behaviour shared by the portal's pages. Kept out of the HTML: the Content-Security-Policy
// (monitoring/settings.py) runs only scripts served from the portal, never inline code or
// onchange="…" attributes.

// A filter that applies on change: <select data-autosubmit> or <input type="checkbox" data-autosubmit>.
// A select the keyboard is browsing does not apply on each step: in Chromium an arrow key on a
// closed select changes its value at once (ArrowDown on the period reloaded the page with another
// year). Keys browse; Enter, or leaving the field changed, applies; a pointer's choice applies at once.
var browsing = new WeakMap(); // select -> its value when the keyboard started browsing it

document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (!(field instanceof HTMLSelectElement) || !field.hasAttribute("data-autosubmit") || !field.form) {
    return;
  }
  if (event.key === "Enter") {
    event.preventDefault();
    browsing.delete(field);
    field.form.submit();
  } else if (!browsing.has(field)) {
    browsing.set(field, field.value);
  }
});

document.addEventListener("focusout", function (event) {
  var field = event.target;
  if (browsing.has(field)) {
    var started = browsing.get(field);
    browsing.delete(field);
    if (field.value !== started && field.form) {
      field.form.submit();
    }
  }
});

document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form && !browsing.has(field)) {
    field.form.submit();
  }
});

// A read-only field to copy from (a personal link): <input readonly data-select-on-focus>.
document.addEventListener("focusin", function (event) {
  if (event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});

// Forms rendered field by field from Django's defaults get Bootstrap's look: <form data-bootstrap-fields>.
document.querySelectorAll("form[data-bootstrap-fields]").forEach(function (form) {
  form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea").forEach(
    function (field) {
      field.classList.add(field.tagName === "SELECT" ? "form-select" : "form-control");
    }
  );
});

// An irreversible step asks first and names its consequence: <button data-confirm="…"> (or a
// <form data-confirm="…">). Cancelling leaves the page and everything typed on it as it was.
document.addEventListener("submit", function (event) {
  var source = (event.submitter && event.submitter.closest("[data-confirm]")) || event.target.closest("form[data-confirm]");
  if (source && !window.confirm(source.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
