// The kiosk: issues a ticket without reloading, retrying a lost request with the same request
// key (the server answers a repeated key with the ticket it already made, never a second one),
// shows the number and its QR, prints the 80 mm slip, and returns to the start.
(function () {
  "use strict";
  var form = document.getElementById("kiosk-form");
  if (!form || !window.fetch) { return; }
  var checkin = document.getElementById("checkin-form");
  var start = document.getElementById("kiosk-start");
  var result = document.getElementById("kiosk-result");
  var status = document.getElementById("kiosk-status");
  var texts = document.getElementById("kiosk-texts").dataset;
  var printer = document.getElementById("kiosk-printer");
  var prints = form.dataset.prints === "1";
  var busy = false;
  var resetTimer = null;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("kiosk-error", !!isError);
  }

  function send(target, submitter, attempt) {
    var data = new FormData(target);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    return fetch(target.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status >= 500) { throw new Error("server " + response.status); }
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).catch(function (error) {
      if (attempt >= 5) { throw error; }
      say(texts.retrying, true);
      var wait = Math.min(8000, 500 * Math.pow(2, attempt));
      return new Promise(function (resolve) { setTimeout(resolve, wait); })
        .then(function () { return send(target, submitter, attempt + 1); });
    });
  }

  function show(ticket) {
    document.getElementById("result-number").textContent = ticket.number;
    document.getElementById("result-group").textContent = ticket.group;
    document.getElementById("result-ahead").textContent = ticket.ahead === null ? "" :
      texts.ahead.replace("{ahead}", ticket.ahead).replace("{minutes}", ticket.minutes);
    document.getElementById("result-qr").innerHTML = ticket.qr_svg;
    start.hidden = true;
    result.hidden = false;
    say("");
    if (prints) { print(ticket.pdf_url); }
    resetTimer = setTimeout(reset, 30000);
  }

  function print(url) {
    var line = document.getElementById("result-print");
    line.textContent = texts.printing;
    printer.onload = function () {
      try {
        printer.contentWindow.focus();
        printer.contentWindow.print();
        line.textContent = "";
      } catch (error) {
        line.textContent = texts.printFailed;
      }
    };
    printer.onerror = function () { line.textContent = texts.printFailed; };
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("pdf " + response.status); }
      printer.src = url;
    }).catch(function () { line.textContent = texts.printFailed; });
  }

  function reset() {
    clearTimeout(resetTimer);
    result.hidden = true;
    start.hidden = false;
    document.getElementById("result-print").textContent = "";
    var key = newKey();
    form.elements.request_key.value = key;
    checkin.elements.request_key.value = key + "c";
    checkin.elements.lich_hen.value = "";
    var none = form.querySelector('input[name="priority"][value=""]');
    if (none) { none.checked = true; }
  }

  function submit(event) {
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    say(texts.working);
    send(event.target, event.submitter, 0).then(function (answer) {
      if (answer.ok) { show(answer.body); } else { say(answer.body.message, true); }
    }).catch(function () {
      // The same key stays: the next touch retries this request, never makes a second ticket.
      say(texts.failed, true);
    }).then(function () { busy = false; });
  }

  form.addEventListener("submit", submit);
  checkin.addEventListener("submit", submit);
  document.getElementById("result-done").addEventListener("click", reset);
}());
