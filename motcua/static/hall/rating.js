// The counter's rating tablet: while no visit waits for a rating (or after a thank-you), the
// page reloads every few seconds to offer the next served visit.
(function () {
  "use strict";
  var marker = document.querySelector("[data-refresh]");
  if (!marker) {
    return;
  }
  var seconds = parseInt(marker.getAttribute("data-refresh"), 10) || 5;
  window.setTimeout(function () {
    window.location.replace(window.location.pathname);
  }, seconds * 1000);
})();
