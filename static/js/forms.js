// After a failed submit the page comes back with the fields in error marked
// aria-invalid="true": put the focus on the first one (RGAA 11.10), so that a screen
// reader reads its label and its error message (tied with aria-describedby).
(function () {
  "use strict";
  var first = document.querySelector('main [aria-invalid="true"]');
  if (first) {
    first.focus();
    return;
  }
  // An error that belongs to no field (a wrong password): focus the message itself.
  var alert = document.querySelector("main .form-error, main .flash-error");
  if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
})();
