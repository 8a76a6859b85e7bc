// Small enhancements only: every page reads fully without this file.
(function () {
  "use strict";

  // Following a link to a timeline event (from the axis or an article's date) opens its sources.
  function focusEvent() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el || !el.classList.contains("event")) return;
    document.querySelectorAll(".event.focus").forEach(function (e) { e.classList.remove("focus"); });
    el.classList.add("focus");
    var details = el.querySelector("details");
    if (details) details.open = true;
  }
  window.addEventListener("hashchange", focusEvent);
  document.addEventListener("DOMContentLoaded", focusEvent);

  // Outlet legend: pick outlets to see only the events they report.
  document.addEventListener("DOMContentLoaded", function () {
    var legend = document.getElementById("outlet-filter");
    if (!legend) return;
    var buttons = legend.querySelectorAll("button[data-outlet]");
    function apply() {
      var chosen = [];
      buttons.forEach(function (b) { if (b.getAttribute("aria-pressed") === "true") chosen.push(b.dataset.outlet); });
      document.querySelectorAll(".timeline .event").forEach(function (ev) {
        var sources = [];
        try { sources = JSON.parse(ev.dataset.sources || "[]"); } catch (e) { sources = []; }
        var show = chosen.length === 0 || chosen.some(function (o) { return sources.indexOf(o) >= 0; });
        ev.classList.toggle("dimmed", !show);
      });
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
        apply();
      });
    });
  });
})();
