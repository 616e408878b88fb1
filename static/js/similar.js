// "A similar idea exists": while the élu types, ask the server for close contributions
// and offer to support one instead of posting. Without JavaScript the form simply posts.
// No inline script: the CSP forbids it.
//
// One request ~300 ms after the last keystroke (POST: a long paste does not fit in a
// URL); a newer request aborts the one in flight; as soon as the text changes the box is
// emptied, and an answer is shown only if the text is still the one it was asked for:
// nothing rather than suggestions for a text that is no longer there.
(function () {
  "use strict";
  var DEBOUNCE_MS = 300;
  var form = document.getElementById("post-form");
  var box = document.getElementById("similar");
  if (!form || !box || !window.fetch) { return; }
  var textarea = form.querySelector("textarea[name=text]");
  var csrf = form.querySelector("input[name=csrf_token]");
  var minLength = parseInt(form.getAttribute("data-min-length") || "20", 10);
  var url = form.getAttribute("data-similar-url");
  if (!textarea || !url) { return; }
  var timer = null;
  var shownFor = null;   // the text whose suggestions are on screen
  var askedFor = null;   // the text of the request in flight
  var controller = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function clear() {
    box.textContent = "";
    box.hidden = true;
    shownFor = null;
  }

  function render(text, suggestions) {
    clear();
    if (!suggestions.length) { return; }
    var list = el("ul", "similar-list");
    suggestions.forEach(function (s) {
      var item = el("li", "similar-item");
      item.setAttribute("data-contribution-id", String(s.id));
      item.appendChild(el("p", "similar-message", s.message));
      var quote = el("blockquote", "similar-text");
      var link = el("a", null, s.title || s.excerpt);
      link.href = s.url;
      quote.appendChild(link);
      if (s.title) { quote.appendChild(el("p", null, s.excerpt)); }
      item.appendChild(quote);
      if (s.supported) {
        item.appendChild(el("p", "badge", box.getAttribute("data-supported-label")));
      } else {
        var support = el("form", "inline");
        support.method = "post";
        support.action = s.support_url;
        var token = el("input"); token.type = "hidden"; token.name = "csrf_token";
        token.value = csrf ? csrf.value : "";
        var next = el("input"); next.type = "hidden"; next.name = "next";
        next.value = box.getAttribute("data-next");
        var button = el("button", "secondary", box.getAttribute("data-support-label"));
        button.type = "submit";
        support.appendChild(token); support.appendChild(next); support.appendChild(button);
        item.appendChild(support);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    box.hidden = false;
    shownFor = text;
  }

  function cancel() {
    if (controller) { controller.abort(); controller = null; }
    askedFor = null;
  }

  function lookup() {
    timer = null;
    var text = textarea.value.trim();
    if (text.length < minLength || text === askedFor || text === shownFor) { return; }
    cancel();
    askedFor = text;
    controller = window.AbortController ? new AbortController() : null;
    var body = new URLSearchParams();
    body.set("texte", text);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: body,
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : { suggestions: [] };
    }).then(function (data) {
      if (askedFor !== text) { return; }          // superseded meanwhile
      askedFor = null;
      controller = null;
      if (textarea.value.trim() === text) { render(text, data.suggestions || []); }
    }).catch(function () {
      if (askedFor === text) { askedFor = null; controller = null; }
      // offline or aborted: posting still works
    });
  }

  textarea.addEventListener("input", function () {
    if (textarea.value.trim() !== shownFor) { clear(); }
    if (textarea.value.trim() !== askedFor) { cancel(); }
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookup, DEBOUNCE_MS);
  });
}());
