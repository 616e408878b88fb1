// Poll the live state every second: update the tally; reload when the shown proposition or
// the vote round changes (the page then renders the new text server-side), or, on an
// engagement session's projection (data-version), when what the session shows changes.
// Screen readers hear whole sentences from one role="status" region (aria-atomic), at most
// one every ANNOUNCE_MS, and when a vote opens or closes (the sentence survives the reload).
(function () {
  "use strict";
  var root = document.getElementById("projection");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-state-url");
  var region = document.getElementById("vote-announce");
  var ANNOUNCE_MS = 10000;
  var KEY = "motion-announce";
  var busy = false;
  var lastTally = null;
  var lastSaid = 0;
  var pending = null;

  function message(name, values) {
    var text = region ? region.getAttribute("data-" + name) || "" : "";
    return text.replace(/\{(\w+)\}/g, function (all, key) { return String(values[key] || 0); });
  }

  function say(text) {
    if (!region || !text) { return; }
    region.textContent = text;
    lastSaid = Date.now();
  }

  function sayTally(session) {
    var text = message("tally", session);
    if (text === lastTally) { return; }
    var first = lastTally === null;
    lastTally = text;
    if (first) { return; }  // the page shows it already: speak of changes only
    var wait = ANNOUNCE_MS - (Date.now() - lastSaid);
    if (pending) { window.clearTimeout(pending); pending = null; }
    if (wait <= 0) { say(text); } else { pending = window.setTimeout(function () { pending = null; say(lastTally); }, wait); }
  }

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
        var status = String(session.status || "");
        if (String(state.proposition_id || "") !== root.getAttribute("data-proposition") ||
            (root.hasAttribute("data-version") &&
             String(state.version || "") !== root.getAttribute("data-version")) ||
            String(session.id || "") !== root.getAttribute("data-session") ||
            status !== root.getAttribute("data-status")) {
          if (window.sessionStorage && (status === "open" || status === "closed")) {
            window.sessionStorage.setItem(KEY, message(status, session));
          }
          window.location.reload();
          return;
        }
        setCount("pour", session.pour || 0);
        setCount("contre", session.contre || 0);
        setCount("abstention", session.abstention || 0);
        setCount("total", session.total || 0);
        if (status === "open") { sayTally(session); }
      })
      .catch(function () { /* keep polling: the network may come back */ })
      .then(function () { busy = false; });
  }

  // Fit the page to the screen: scale the type down (the --fit custom property, 1 to
  // FIT_MIN) until nothing overflows; a text still too long is shown part by part, each
  // for PAGE_MS, with "part n of m" below it. Narrow windows scroll instead (CSS).
  var FIT_MIN = 0.6;
  var PAGE_MS = 12000;
  var text = document.getElementById("p-text");
  var more = document.getElementById("p-more");
  var pager = null;

  function overflows() {
    var doc = document.documentElement;
    return doc.scrollHeight > window.innerHeight + 1 || doc.scrollWidth > window.innerWidth + 1;
  }

  function fit() {
    if (pager) { window.clearInterval(pager); pager = null; }
    root.style.setProperty("--fit", "1");
    if (text) { text.classList.remove("p-paged"); text.scrollTop = 0; }
    if (more) { more.hidden = true; }
    if (window.getComputedStyle(root).overflow !== "hidden") { return; }
    var scale = 1;
    while (overflows() && scale > FIT_MIN) {
      scale = Math.max(FIT_MIN, Math.round((scale - 0.05) * 100) / 100);
      root.style.setProperty("--fit", String(scale));
    }
    if (!text || !overflows()) { return; }
    text.classList.add("p-paged");
    if (more) { more.hidden = false; }
    var line = parseFloat(window.getComputedStyle(text).lineHeight) ||
      1.35 * parseFloat(window.getComputedStyle(text).fontSize);
    var lines = Math.max(1, Math.floor(text.clientHeight / line));
    text.style.maxHeight = (lines * line) + "px";
    var step = lines * line;
    var pages = Math.max(1, Math.ceil(text.scrollHeight / step));
    var page = 0;
    var show = function () {
      text.scrollTop = page * step;
      if (more) {
        more.textContent = (more.getAttribute("data-label") || "")
          .replace("{page}", String(page + 1)).replace("{pages}", String(pages));
      }
    };
    show();
    pager = window.setInterval(function () { page = (page + 1) % pages; show(); }, PAGE_MS);
  }

  var resized = null;
  window.addEventListener("resize", function () {
    if (resized) { window.clearTimeout(resized); }
    resized = window.setTimeout(function () {
      if (text) { text.style.maxHeight = ""; }
      fit();
    }, 200);
  });
  fit();

  if (window.sessionStorage) {
    var carried = window.sessionStorage.getItem(KEY);
    window.sessionStorage.removeItem(KEY);
    // Give assistive technologies a moment to register the region before it changes.
    if (carried) { window.setTimeout(function () { say(carried); }, 500); }
  }
  window.setInterval(tick, 1000);
})();
