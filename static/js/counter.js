// Character counter under the textareas marked data-counter-max (CSP: no inline script).
// The limits are shown from the start; the counter turns to a warning near the maximum and
// says how many characters are missing below the minimum. Texts come from the page
// (data-counter-format, data-counter-short, data-counter-long), already translated.
(function () {
  "use strict";
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return String(values[key]); });
  }
  document.querySelectorAll("textarea[data-counter-max]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-counter-max"), 10);
    var min = parseInt(area.getAttribute("data-counter-min") || "0", 10);
    var counter = document.createElement("p");
    counter.className = "counter";
    counter.id = area.id + "-counter";
    area.insertAdjacentElement("afterend", counter);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    // Announced to screen readers only when a limit is near or passed, not at every key.
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    counter.insertAdjacentElement("afterend", live);
    var lastState = "";
    function update() {
      var n = area.value.trim().length;
      var values = { n: n, max: max, min: min, left: max - n, missing: min - n, over: n - max };
      var text = fill(area.getAttribute("data-counter-format"), values);
      var state = "ok";
      if (n > max) {
        state = "over";
        text += " — " + fill(area.getAttribute("data-counter-long"), values);
      } else if (n > 0 && n < min) {
        state = "short";
        text += " — " + fill(area.getAttribute("data-counter-short"), values);
      } else if (n >= max * 0.9) {
        state = "near";
      }
      counter.textContent = text;
      counter.setAttribute("data-state", state);
      if (state !== lastState && (state === "over" || state === "near")) {
        live.textContent = text;
      }
      lastState = state;
    }
    area.addEventListener("input", update);
    update();
  });
})();
