// The call screen: live calls by server-sent events (short streams the browser reconnects
// with Last-Event-ID), falling back to polling the JSON state; a chime and a Vietnamese
// announcement (the browser's Vietnamese voice, else clips made by `motcua hall_voice`).
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) { return; }
  var texts = document.getElementById("display-texts").dataset;
  var banner = document.getElementById("display-banner");
  var lastId = parseInt(root.dataset.last || "0", 10);
  var soundOn = false;
  var queue = [];
  var speaking = false;
  var failures = 0;
  var polling = null;

  document.getElementById("display-sound").addEventListener("click", function (event) {
    soundOn = true;
    event.target.hidden = true;
  });

  function render(state) {
    var body = document.getElementById("display-counters");
    body.textContent = "";
    state.counters.forEach(function (row) {
      var tr = document.createElement("tr");
      var counter = document.createElement("td");
      counter.textContent = row.counter;
      var number = document.createElement("td");
      number.className = "display-number";
      number.textContent = row.status === "paused" ? texts.paused : (row.number || "—");
      tr.appendChild(counter);
      tr.appendChild(number);
      body.appendChild(tr);
    });
    if (!state.counters.length) {
      var empty = document.createElement("tr");
      var cell = document.createElement("td");
      cell.colSpan = 2;
      cell.textContent = texts.none;
      empty.appendChild(cell);
      body.appendChild(empty);
    }
    var list = document.getElementById("display-calls");
    list.textContent = "";
    state.calls.forEach(function (call) {
      var li = document.createElement("li");
      var number = document.createElement("span");
      number.className = "display-number";
      number.textContent = call.number;
      var time = document.createElement("span");
      time.className = "display-time";
      time.textContent = call.at;
      li.appendChild(number);
      li.appendChild(document.createTextNode(" → " + texts.counter + " " + call.counter + " "));
      li.appendChild(time);
      list.appendChild(li);
    });
  }

  function refresh() {
    return fetch(root.dataset.state, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        var fresh = state.calls.filter(function (call) { return call.id > lastId; }).reverse();
        fresh.forEach(announce);
        if (state.last_id > lastId) { lastId = state.last_id; }
        render(state);
        document.getElementById("display-link").textContent = "";
      });
  }

  function announce(call) {
    var text = root.dataset.announce.replace("{number}", spoken(call.number))
      .replace("{counter}", call.counter);
    banner.textContent = root.dataset.announce.replace("{number}", call.number)
      .replace("{counter}", call.counter);
    if (call.id > lastId) { lastId = call.id; }
    if (soundOn) { queue.push({ text: text, call: call }); play(); }
  }

  function spoken(number) {
    // "B057" is read "B 57"
    var match = /^([A-Z]*)0*(\d+)$/.exec(number);
    return match ? (match[1] ? match[1] + " " : "") + match[2] : number;
  }

  function vietnameseVoice() {
    if (!window.speechSynthesis) { return null; }
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf("vi") === 0) { return voices[i]; }
    }
    return null;
  }

  function chime() {
    return new Promise(function (resolve) {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { resolve(); return; }
      var context = new Context();
      [880, 660].forEach(function (frequency, index) {
        var tone = context.createOscillator();
        var gain = context.createGain();
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.25, context.currentTime + index * 0.45);
        gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + index * 0.45 + 0.6);
        tone.connect(gain);
        gain.connect(context.destination);
        tone.start(context.currentTime + index * 0.45);
        tone.stop(context.currentTime + index * 0.45 + 0.6);
      });
      setTimeout(function () { context.close(); resolve(); }, 1200);
    });
  }

  function speak(item) {
    var voice = vietnameseVoice();
    if (voice) {
      return new Promise(function (resolve) {
        var utterance = new SpeechSynthesisUtterance(item.text);
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.onend = resolve;
        utterance.onerror = resolve;
        window.speechSynthesis.speak(utterance);
      });
    }
    if (root.dataset.clips) { return playClips(clipsFor(item.call)); }
    return Promise.resolve();
  }

  function clipsFor(call) {
    // Clips named by `motcua hall_voice`: moi-so, letters, digits one by one, den-quay-so.
    var names = ["moi-so"];
    spoken(call.number).replace(/\s/g, "").split("").forEach(function (ch) { names.push(ch.toLowerCase()); });
    names.push("den-quay-so");
    String(call.counter).split("").forEach(function (ch) { names.push(ch.toLowerCase()); });
    return names;
  }

  function playClips(names) {
    return names.reduce(function (chain, name) {
      return chain.then(function () {
        return new Promise(function (resolve) {
          var audio = new Audio(root.dataset.clips + name + ".wav");
          audio.onended = resolve;
          audio.onerror = resolve;
          audio.play().catch(resolve);
        });
      });
    }, Promise.resolve());
  }

  function play() {
    if (speaking || !queue.length) { return; }
    speaking = true;
    var item = queue.shift();
    chime().then(function () { return speak(item); }).then(function () {
      speaking = false;
      play();
    });
  }

  function poll() {
    if (polling) { return; }
    polling = setInterval(function () {
      refresh().catch(function () {
        document.getElementById("display-link").textContent = texts.offline;
      });
    }, 3000);
  }

  function listen() {
    if (!window.EventSource) { poll(); return; }
    var source = new EventSource(root.dataset.events + "?last=" + lastId);
    source.addEventListener("call", function (event) {
      failures = 0;
      var call = JSON.parse(event.data);
      if (call.id <= lastId) { return; }
      announce(call);
      refresh().catch(function () {});
    });
    source.onopen = function () { failures = 0; document.getElementById("display-link").textContent = ""; };
    source.onerror = function () {
      // A stream that ends is reopened by the browser (Last-Event-ID); one that keeps failing
      // (a proxy that will not pass it) gives way to polling.
      failures += 1;
      if (failures >= 3) { source.close(); poll(); }
    };
  }

  listen();
}());
