// Poll the live state every second: update the tally; reload when the shown proposition or
// the vote round changes (the page then renders the new text server-side).
(function () {
  "use strict";
  var root = document.getElementById("projection");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-state-url");
  var busy = false;

  function setCount(name, value) {
    var nodes = document.querySelectorAll('[data-count="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].textContent !== String(value)) { nodes[i].textContent = String(value); }
    }
  }

  function tick() {
    if (busy) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        var session = state.session || {};
        if (String(state.proposition_id || "") !== root.getAttribute("data-proposition") ||
            String(session.id || "") !== root.getAttribute("data-session") ||
            String(session.status || "") !== root.getAttribute("data-status")) {
          window.location.reload();
          return;
        }
        setCount("pour", session.pour || 0);
        setCount("contre", session.contre || 0);
        setCount("abstention", session.abstention || 0);
        setCount("total", session.total || 0);
      })
      .catch(function () { /* keep polling: the network may come back */ })
      .then(function () { busy = false; });
  }

  window.setInterval(tick, 1000);
})();
