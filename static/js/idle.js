// Idle timeout: warn before the session ends for inactivity (data-warn-seconds: two
// minutes, or half the limit when shorter; accounts.idle_timers), offer to stay
// signed in (POST, CSRF token of the form), and say so once it has ended.
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box) { return; }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) * 1000;
  var warn = parseInt(box.getAttribute("data-warn-seconds"), 10) * 1000;
  var form = box.querySelector("form");
  var text = document.getElementById("idle-warning-text");
  var timers = [];

  function ended() {
    text.textContent = box.getAttribute("data-ended-text");
    form.hidden = true;
    var link = document.createElement("a");
    link.href = box.getAttribute("data-login-url");
    link.textContent = document.documentElement.lang === "en" ? "Sign in" : "Se connecter";
    box.appendChild(link);
    box.hidden = false;
    link.focus();
  }

  function show() {
    box.hidden = false;
    form.querySelector("button").focus();
  }

  function start() {
    timers.forEach(window.clearTimeout);
    timers = [window.setTimeout(show, Math.max(0, idle - warn)), window.setTimeout(ended, idle)];
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      box.hidden = true;
      start();
    }).catch(function () { form.submit(); });
  });
  start();
})();
