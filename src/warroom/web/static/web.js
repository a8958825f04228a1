// Clocks count on between polls. The server's "now" (body[data-now]) anchors them, so a page served on a test
// clock or from a skewed server still shows the server's figures; without JS the server-rendered text stands.
(function () {
  "use strict";
  var served = Date.parse(document.body.dataset.now || "") || Date.now();
  var offset = served - Date.now();
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
      m = Math.floor((s % 3600) / 60);
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + String(m).padStart(2, "0") + "m";
    if (m) return m + " min";
    return (s % 60) + " s";
  }
  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("time.tick").forEach(function (el) {
      if (el.dataset.since) { el.textContent = span(now - Date.parse(el.dataset.since)); return; }
      var left = Date.parse(el.dataset.until) - now;
      el.textContent = left >= 0 ? "in " + span(left) : "overdue " + span(left);
    });
  }
  document.addEventListener("htmx:afterSwap", function () {
    var fresh = document.querySelector("#live") && document.body.dataset.now;
    if (fresh) { offset = Date.parse(fresh) - Date.now(); }
  });
  setInterval(tick, 1000);
})();
