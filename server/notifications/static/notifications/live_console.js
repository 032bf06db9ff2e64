// The live console: a count of new cases on the tab and beside "Cases" in the menu, and the
// pages that ask for it (<main data-live-refresh>: the inbox, the deadlines, the same-day
// reports, a case as fetched) refreshed in place when something changed; a page that answers a
// form, such as a walk-in's ticket, stays as it is. The server sends a "state" event on its
// stream (server/notifications/live.py) whenever the count or the newest event changes; forms
// keep what is being typed in them.
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

  // Make `current`'s children those of `fresh`: a part without form fields is swapped in; a
  // part with form fields stays where it is (what is typed in it, and the focus, stay) and,
  // unless it is a form itself, has its own parts merged the same way, so a timeline beside a
  // form updates.
  // Style blocks stay too: a fetched page's carry another nonce and were dropped.
  function merge(current, fresh) {
    var children = Array.prototype.slice.call(current.children);
    var styles = children.filter(function (part) { return part.tagName === "STYLE"; });
    var old = children.filter(function (part) { return part.tagName !== "STYLE"; });
    var parts = Array.prototype.slice.call(fresh.children).map(function (part) {
      if (holdsForm(part)) {
        for (var i = 0; i < old.length; i++) {
          if (sameKind(old[i], part) && holdsForm(old[i])) {
            var kept = old.splice(i, 1)[0];
            if (kept.tagName !== "FORM") merge(kept, part);
            return kept;
          }
        }
      }
      return document.importNode(part, true);
    });
    place(current, styles.concat(parts));
  }

  // Give `current` exactly the children `wanted`, in order, without moving a kept part that is
  // already in its place: a moved element loses the focus, and with it what the agent is typing.
  function place(current, wanted) {
    Array.prototype.slice.call(current.childNodes).forEach(function (node) {
      if (wanted.indexOf(node) < 0) current.removeChild(node);
    });
    wanted.forEach(function (node, index) {
      var here = current.childNodes[index] || null;
      if (here !== node) current.insertBefore(node, here);
    });
  }

  function refresh() {
    var main = document.querySelector("main");
    if (!main || !main.hasAttribute("data-live-refresh")) return;
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var bare = html.replace(/<style[\s\S]*?<\/style>/gi, "");
        var fresh = new DOMParser().parseFromString(bare, "text/html").querySelector("main");
        if (!fresh) return;
        merge(main, fresh);
        document.dispatchEvent(new CustomEvent("console:refreshed"));
      })
      .catch(function () { /* offline a moment: the next change tries again */ });
  }

  var source = new EventSource(streamUrl);
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    document.dispatchEvent(new CustomEvent("console:state", {detail: state}));  // other apps' parts
    showCount(state.new);
    // The first state may already count a change made between rendering this page and
    // opening the stream: refresh once then, and afterwards whenever the version moves.
    if (state.version !== version) refresh();
    version = state.version;
  });
})();
