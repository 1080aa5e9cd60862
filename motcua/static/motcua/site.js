// motcua — small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Show the postal hand-over time only when the dossier came by post.
  function syncPostal(root) {
    var form = root.querySelector && root.querySelector(".intake-form");
    if (!form) { return; }
    var handover = form.querySelector("#id_postal_handover_at");
    var address = form.querySelector("#id_postal_address");
    var channel = form.querySelector("input[name=channel]:checked");
    var back = form.querySelector("input[name=return_channel]:checked");
    if (handover) { handover.closest(".field").hidden = !(channel && channel.value === "postal"); }
    if (address) { address.closest(".field").hidden = !(back && back.value === "postal"); }
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "channel" || event.target.name === "return_channel") { syncPostal(document); }
  });
  // After a refused form, put the cursor on the first field to correct (each one is marked
  // aria-invalid and described by its message; the summary above lists them all).
  function focusFirstError(root) {
    var field = root.querySelector("[aria-invalid=true]");
    var summary = root.querySelector(".error-summary");
    var target = field || summary;
    if (target) { target.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { syncPostal(document); focusFirstError(document); });
  document.addEventListener("htmx:afterSettle", function () { syncPostal(document); });
  // "Print" buttons (hidden without this file: the browser's own print works the same).
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
  // Alt+T jumps to the procedure search at the counter.
  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "t" || event.key === "T")) {
      var box = document.getElementById("procedure-q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });
})();
