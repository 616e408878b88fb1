// "A similar idea exists": while the élu types, ask the server for close contributions
// (debounced) and offer to support one instead of posting. Without JavaScript the form
// simply posts. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var form = document.getElementById("post-form");
  var box = document.getElementById("similar");
  if (!form || !box || !window.fetch) { return; }
  var textarea = form.querySelector("textarea[name=text]");
  var csrf = form.querySelector("input[name=csrf_token]");
  var minLength = parseInt(form.getAttribute("data-min-length") || "20", 10);
  var url = form.getAttribute("data-similar-url");
  var timer = null;
  var lastQuery = "";
  var controller = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function render(suggestions) {
    box.textContent = "";
    if (!suggestions.length) { box.hidden = true; return; }
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
  }

  function lookup() {
    var text = textarea.value.trim();
    if (text.length < minLength) { render([]); lastQuery = ""; return; }
    if (text === lastQuery) { return; }
    lastQuery = text;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?texte=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : { suggestions: [] };
    }).then(function (data) {
      if (text === lastQuery) { render(data.suggestions || []); }
    }).catch(function () { /* offline or aborted: posting still works */ });
  }

  textarea.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookup, 400);
  });
}());
