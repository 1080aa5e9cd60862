// The ticket on a phone: its place in the line, read again every 20 seconds.
(function () {
  "use strict";
  var state = document.getElementById("follow-state");
  if (!state || !window.fetch || !window.DOMParser) { return; }
  setInterval(function () {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("follow-state");
        if (fresh && fresh.textContent !== state.textContent) { state.textContent = fresh.textContent; }
      })
      .catch(function () {});
  }, 20000);
}());
