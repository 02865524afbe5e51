// The programme's filters: with JavaScript, choosing a value shows the screenings at once (the form is sent);
// without it, the "Show screenings" button does the same. No state of its own.
"use strict";
(function () {
  for (const form of document.querySelectorAll("form.filters")) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox]")) {
        form.requestSubmit();
      }
    });
  }
})();
