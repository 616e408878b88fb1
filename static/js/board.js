// Synthesis board: drag and drop for pointer users, "Saisir" / "Déposer ici" buttons for
// keyboard users. Both submit the same plain POST forms the board offers without JS.
// After the page comes back, the focus returns to the moved item (or where it went).
(function () {
  "use strict";
  var board = document.getElementById("synthesis-board");
  if (!board) { return; }
  var live = document.getElementById("board-live");
  var grabbed = null;
  var FOCUS_KEY = "motion-board-focus";

  function message(name, item, target) {
    var text = board.getAttribute("data-msg-" + name) || "";
    return text.replace("{item}", item || "").replace("{target}", target || "");
  }
  function announce(text) { if (live) { live.textContent = text; } }

  function post(url, fields, focus) {
    if (window.sessionStorage && focus) {
      window.sessionStorage.setItem(FOCUS_KEY, JSON.stringify(focus));
    }
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    fields.csrf_token = board.getAttribute("data-csrf");
    fields.next = window.location.pathname;
    Object.keys(fields).forEach(function (name) {
      [].concat(fields[name]).forEach(function (value) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.appendChild(input);
      });
    });
    document.body.appendChild(form);
    form.submit();
  }

  function cardGrab(card) { return "#" + card.id + " .card-tools .grab"; }
  function itemGrab(item) {
    return '.board-item[data-contribution-id="' + item.dataset.contributionId + '"] .grab';
  }
  function isCard(el) { return el.classList.contains("cluster-card"); }
  function isItem(el) { return el.classList.contains("board-item"); }
  function cardOf(el) { return el.closest(".cluster-card"); }
  function ownGrab(source) {
    return source.querySelector(isCard(source) ? ".card-tools .grab" : ".grab");
  }

  // What dropping ``source`` on ``target`` (a card, a zone or the unsorted section) does.
  function action(source, target) {
    if (!source || !target || source === target) { return null; }
    if (isCard(source)) {
      if (isCard(target)) {
        return { label: message("merge", source.dataset.name, target.dataset.name),
          run: function () {
            post(board.getAttribute("data-merge-url"), { clusters: [
              target.dataset.clusterId + ":" + target.dataset.version,
              source.dataset.clusterId + ":" + source.dataset.version] },
              [cardGrab(target)]);
          } };
      }
      if (target.dataset.dropTarget) {
        return { label: message("move-card", source.dataset.name, target.dataset.name),
          run: function () {
            post(source.dataset.moveUrl, { target: target.dataset.dropTarget,
              version: source.dataset.version }, [cardGrab(source)]);
          } };
      }
      return null;
    }
    if (isItem(source)) {
      if (isCard(target) && target.dataset.clusterId !== source.dataset.from) {
        return { label: message("move-item", source.dataset.name, target.dataset.name),
          run: function () {
            post(source.dataset.moveUrl, { target: target.dataset.clusterId,
              from: source.dataset.from }, [itemGrab(source), cardGrab(target)]);
          } };
      }
      if (target.classList.contains("unsorted-zone") && source.dataset.from) {
        return { label: message("unsort", source.dataset.name),
          run: function () {
            post(source.dataset.moveUrl, { target: "", from: source.dataset.from },
                 [itemGrab(source), "#a-classer"]);
          } };
      }
    }
    return null;
  }

  function targets() {
    return board.querySelectorAll(".cluster-card, .drop-zone, .unsorted-zone");
  }
  function dropButton(target) {
    // The target's own button (not one of a nested card's).
    var buttons = target.querySelectorAll(".drop-here");
    for (var i = 0; i < buttons.length; i++) {
      var owner = buttons[i].closest(".cluster-card, .drop-zone, .unsorted-zone");
      if (owner === target) { return buttons[i]; }
    }
    return null;
  }

  // ------------------------------------------------------------ keyboard (and click)
  function cancel(silent) {
    if (!grabbed) { return; }
    var button = ownGrab(grabbed);
    if (button) { button.setAttribute("aria-pressed", "false"); }
    grabbed.classList.remove("is-grabbed");
    board.classList.remove("grabbing");
    targets().forEach(function (t) {
      var b = dropButton(t);
      if (b) { b.hidden = true; b.textContent = b.dataset.defaultLabel || b.textContent; }
    });
    var previous = grabbed;
    grabbed = null;
    if (!silent) {
      announce(message("cancelled"));
      var again = ownGrab(previous);
      if (again) { again.focus(); }
    }
  }

  function grab(source) {
    cancel(true);
    grabbed = source;
    source.classList.add("is-grabbed");
    board.classList.add("grabbing");
    ownGrab(source).setAttribute("aria-pressed", "true");
    targets().forEach(function (target) {
      var todo = action(source, target);
      var b = dropButton(target);
      if (!b) { return; }
      if (!b.dataset.defaultLabel) { b.dataset.defaultLabel = b.textContent; }
      if (todo) { b.hidden = false; b.textContent = todo.label; } else { b.hidden = true; }
    });
    announce(message("grabbed", source.dataset.name));
  }

  board.querySelectorAll(".grab").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var source = button.closest(".board-item") || cardOf(button);
      if (grabbed === source) { cancel(); } else { grab(source); }
    });
  });
  targets().forEach(function (target) {
    var b = dropButton(target);
    if (!b) { return; }
    b.addEventListener("click", function (event) {
      event.preventDefault();
      var todo = action(grabbed, target);
      if (todo) { todo.run(); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && grabbed) { cancel(); }
  });

  // Back from a move: focus the moved item, else where it went.
  var wanted = window.sessionStorage && window.sessionStorage.getItem(FOCUS_KEY);
  if (wanted) {
    window.sessionStorage.removeItem(FOCUS_KEY);
    var selectors = JSON.parse(wanted);
    for (var i = 0; i < selectors.length; i++) {
      var found = document.querySelector(selectors[i]);
      if (found) {
        if (found.tabIndex < 0 && !found.hasAttribute("tabindex")) { found.setAttribute("tabindex", "-1"); }
        found.focus();
        break;
      }
    }
  }

  // ------------------------------------------------------------ pointer drag and drop
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var source = event.target.closest && event.target.closest(".board-item, .cluster-card");
    if (!source) { return; }
    dragged = source;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", source.dataset.name || "");
    event.stopPropagation();
  });
  board.addEventListener("dragend", function () {
    dragged = null;
    board.querySelectorAll(".drag-over").forEach(function (el) { el.classList.remove("drag-over"); });
  });
  function targetAt(el) {
    // The innermost card or zone under the pointer that accepts the dragged element.
    var node = el;
    while (node && node !== board) {
      if (node.matches && node.matches(".cluster-card, .drop-zone, .unsorted-zone") &&
          action(dragged, node)) { return node; }
      node = node.parentElement;
    }
    return null;
  }
  board.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var target = targetAt(event.target);
    board.querySelectorAll(".drag-over").forEach(function (el) {
      if (el !== target) { el.classList.remove("drag-over"); }
    });
    if (target) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      target.classList.add("drag-over");
    }
  });
  board.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    var target = targetAt(event.target);
    if (!target) { return; }
    event.preventDefault();
    var todo = action(dragged, target);
    dragged = null;
    if (todo) { todo.run(); }
  });
})();
