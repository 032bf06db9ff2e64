// The help alert: when a visitor presses "Ask for help" on a kiosk, every open console page of
// the desk shows a red banner with the kiosk's place and "I'm on my way", without a reload.
// The console's live stream (notifications/live_console.js) hands each state on as a
// "console:state" event; its `help` part lists the open requests. When that list changes the
// banner is fetched again (its words in the staff member's language, its forms with their token).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var alertUrl = script.dataset.alert;
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = script.src.replace(/\.js(\?.*)?$/, ".css");
  document.head.appendChild(style);
  var shown = null;

  function holder() {
    var box = document.getElementById("help-alert");
    if (!box) {
      box = document.createElement("div");
      box.id = "help-alert";
      document.body.insertBefore(box, document.body.firstChild);
    }
    return box;
  }

  function show(help) {
    var key = JSON.stringify(help);
    if (key === shown) return;
    shown = key;
    if (help.length === 0) {
      holder().replaceChildren();
      return;
    }
    var back = location.pathname + location.search;
    fetch(alertUrl + "?back=" + encodeURIComponent(back), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").body;
        holder().replaceChildren.apply(holder(), Array.prototype.slice.call(fresh.childNodes).map(function (node) {
          return document.importNode(node, true);
        }));
      })
      .catch(function () { shown = null; /* offline a moment: the next state tries again */ });
  }

  document.addEventListener("console:state", function (event) {
    if (event.detail && Array.isArray(event.detail.help)) show(event.detail.help);
  });
})();
