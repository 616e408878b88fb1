// Vote without reloading the page (the form still works without JavaScript), and follow
// the room: reload when the projector shows another proposition or the round changes.
(function () {
  "use strict";
  var root = document.getElementById("phone-vote");
  if (!root || !window.fetch) { return; }
  var form = root.querySelector("form.vote-form");

  if (form) {
    var status = form.querySelector(".vote-mine");
    // The sentences come translated from the page (data-* attributes of the status line).
    var say = function (name) { return status.getAttribute("data-" + name) || ""; };
    var token = form.querySelector('input[name="csrf_token"]').value;
    var clicked = null;
    form.addEventListener("click", function (event) {
      if (event.target.name === "choice") { clicked = event.target; }
    });
    // One idempotency key per tap; a busy server (503) gets the same tap again after
    // its Retry-After (bounded), unless a newer tap replaced it.
    var newKey = function () {
      var bytes = new Uint8Array(18);
      window.crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    };
    var latest = null;
    var MAX_TRIES = 6;
    var send = function (button, choice, key, attempt) {
      return fetch(form.getAttribute("data-api"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token,
                   "Accept": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({ choice: choice })
      }).then(function (r) {
        if (r.status === 503 && attempt < MAX_TRIES && key === latest) {
          var wait = Math.min(parseInt(r.headers.get("Retry-After"), 10) || 2, 10);
          status.textContent = say("busy");
          return new Promise(function (resolve) {
            window.setTimeout(resolve, wait * 1000 + Math.random() * 500);
          }).then(function () {
            return key === latest ? send(button, choice, key, attempt + 1) : null;
          });
        }
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      });
    };
    form.addEventListener("submit", function (event) {
      var button = event.submitter || clicked;
      if (!button) { return; }
      event.preventDefault();
      var choice = button.value;
      var key = newKey();
      latest = key;
      send(button, choice, key, 1).then(function (res) {
        if (!res || key !== latest) { return; }
        if (res.ok) {
          var buttons = form.querySelectorAll("button.vote");
          for (var i = 0; i < buttons.length; i++) {
            buttons[i].setAttribute("aria-pressed", buttons[i] === button ? "true" : "false");
          }
          status.textContent = say("saved").replace("{choice}", say("choice-" + choice));
          // On a phone the confirmation must be seen without scrolling to it.
          if (status.scrollIntoView) { status.scrollIntoView({ block: "nearest" }); }
        } else {
          status.textContent = (res.body && res.body.error && res.body.error.message) ||
            say("failed");
        }
      }).catch(function () {
        status.textContent = say("offline");
      });
    });
  }

  var url = root.getAttribute("data-state-url");
  window.setInterval(function () {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        var session = state.session || {};
        if (String(state.proposition_id || "") !== root.getAttribute("data-proposition") ||
            String(session.id || "") !== root.getAttribute("data-session") ||
            String(session.status || "") !== root.getAttribute("data-status")) {
          window.location.reload();
        }
      })
      .catch(function () {});
  }, 3000);
})();
