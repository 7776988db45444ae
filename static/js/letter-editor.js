// The letter editor: leaving the page with unsaved text asks first (issue 16, item 1).
// <form data-warn-unsaved> is watched: what it would send is taken when the page opens and compared
// when the page is about to be left; a change not saved makes the browser ask before leaving.
// Sending the form itself (Сохранить, ↑/↓, which save the whole form) never asks. A page shown again
// after a refused save (data-unsaved) holds text that is not stored yet, so it asks from the start.
(function () {
  var form = document.querySelector("form[data-warn-unsaved]");
  if (!form) {
    return;
  }
  function state() {
    return new URLSearchParams(new FormData(form)).toString();
  }
  var saved = form.hasAttribute("data-unsaved") ? null : state();
  var submitting = false;

  form.addEventListener("submit", function () {
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || state() === saved) {
      return;
    }
    event.preventDefault();
    event.returnValue = ""; // older Chromium asks only when returnValue is set
  });
})();
