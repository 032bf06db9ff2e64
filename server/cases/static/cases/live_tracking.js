// The visitor's tracking page follows the case without a reload: the server's stream
// (data-stream: /t/<token>/live) says when the status or the public updates changed; the page
// then fetches itself and swaps in the status and the updates, and the whole case when the
// status moved and nothing is being typed (a rating form may have appeared). The first state
// says ("stale") whether progress came between making this page and opening the stream.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var version = null;
  var status = null;

  function typing() {
    var fields = document.querySelectorAll("main textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value.trim() !== "" || fields[i] === document.activeElement) return true;
    }
    return false;
  }

  function swap(fresh, selector) {
    var now = document.querySelector(selector);
    var next = fresh.querySelector(selector);
    if (now && next) now.replaceWith(document.importNode(next, true));
  }

  function refresh(whole) {
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        // The fresh page's style block carries another nonce: parsing it would break the CSP.
        var fresh = new DOMParser().parseFromString(html.replace(/<style[\s\S]*?<\/style>/gi, ""), "text/html");
        if (whole && !typing()) {
          swap(fresh, "main");
        } else {
          swap(fresh, "[data-live=status]");
          swap(fresh, "[data-live=updates]");
        }
      })
      .catch(function () { /* the phone lost its network a moment: the next change tries again */ });
  }

  var source = new EventSource(script.dataset.stream);
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state === null) { source.close(); return; }
    if (version === null ? state.stale : state.version !== version) refresh(version === null || state.status !== status);
    version = state.version;
    status = state.status;
  });
})();
