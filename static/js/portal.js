// Behaviour shared by the portal's pages. Kept out of the HTML: the Content-Security-Policy
// (monitoring/settings.py) runs only scripts served from the portal, never inline code or
// onchange="…" attributes.

// A filter that applies on change: <select data-autosubmit> or <input type="checkbox" data-autosubmit>.
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
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
