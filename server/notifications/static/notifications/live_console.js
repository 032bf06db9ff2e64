// The live console: a count of new cases on the tab and beside "Cases" in the menu, and the
// cases' pages (the inbox, a case) refreshed in place when something changed. The server sends
// a "state" event on its stream (server/notifications/live.py) whenever the count or the newest
// event changes; forms keep what is being typed in them.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var streamUrl = script.dataset.stream;
  var casesUrl = script.dataset.cases;
  var baseTitle = document.title;
  var version = null;

  function showCount(count) {
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    var link = document.querySelector('nav.sections a[href="' + casesUrl + '"]');
    if (!link) return;
    var badge = link.querySelector(".live-count");
    if (count > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge new live-count";
        link.appendChild(document.createTextNode(" "));
        link.appendChild(badge);
      }
      badge.textContent = String(count);
      badge.setAttribute("aria-label", count + " new");
    } else if (badge) {
      badge.remove();
    }
  }

  function holdsForm(element) {
    return element.tagName === "FORM" || element.querySelector("form, input, textarea, select") !== null;
  }

  function sameKind(a, b) {
    return a.tagName === b.tagName && a.className === b.className && a.id === b.id;
  }

  // Swap in the fresh page's parts of <main>, keeping the parts with forms as they are (what
  // is typed in them, and the focus, stay).
  function refresh() {
    var main = document.querySelector("main");
    if (!main || location.pathname.indexOf(casesUrl) !== 0) return;
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        // Style blocks carry each response's own nonce: the page keeps the ones it has.
        var bare = html.replace(/<style[\s\S]*?<\/style>/gi, "");
        var fresh = new DOMParser().parseFromString(bare, "text/html").querySelector("main");
        if (!fresh) return;
        var old = Array.prototype.slice.call(main.children);
        var styles = old.filter(function (part) { return part.tagName === "STYLE"; });
        var parts = styles.concat(Array.prototype.slice.call(fresh.children).map(function (part) {
          if (holdsForm(part)) {
            for (var i = 0; i < old.length; i++) {
              if (sameKind(old[i], part) && holdsForm(old[i])) return old.splice(i, 1)[0];
            }
          }
          return document.importNode(part, true);
        }));
        main.replaceChildren.apply(main, parts);
        document.dispatchEvent(new CustomEvent("console:refreshed"));
      })
      .catch(function () { /* offline a moment: the next change tries again */ });
  }

  var source = new EventSource(streamUrl);
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    showCount(state.new);
    if (version !== null && state.version !== version) refresh();
    version = state.version;
  });
})();
