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

  // Outlet legend: pick outlets to see only the events they report (bound again after a live update).
  function bindOutletFilter() {
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
  }
  document.addEventListener("DOMContentLoaded", bindOutletFilter);

  // A story page marks the events that are new since the reader's last visit (event ids remembered in
  // localStorage), and follows the story live: on each change announced by the server (Server-Sent
  // Events) it fetches the page again and swaps its sections in, marking the events that arrived.
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("timeline");
    if (!section || !section.dataset.story) return;
    // per page of the timeline: events on a page never opened are unknown, not new
    var key = "storyline:seen:" + section.dataset.story + ":" + (new URLSearchParams(location.search).get("events") || "0");
    function eventIds() {
      return Array.prototype.map.call(document.querySelectorAll("ol.timeline li.event"), function (li) { return li.id; });
    }
    function remembered() {
      try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    }
    function remember() {
      try { localStorage.setItem(key, JSON.stringify(eventIds())); } catch (e) { /* storage full or off */ }
    }
    function mark(ids, label) {
      var n = 0;
      document.querySelectorAll("ol.timeline li.event").forEach(function (li) {
        if (ids.has(li.id) || li.classList.contains("new")) return;
        li.classList.add("new");
        var badge = document.createElement("span");
        badge.className = "new-badge";
        badge.textContent = label;
        (li.querySelector(".when") || li).appendChild(badge);
        n++;
      });
      return n;
    }
    function announce(text) {
      var live = document.getElementById("live");
      if (live) { live.textContent = text; live.hidden = false; }
    }
    var seen = remembered();
    if (seen) {
      var fresh = mark(new Set(seen), "new since your last visit");
      if (fresh) announce(fresh + (fresh === 1 ? " event is" : " events are") + " new since your last visit.");
    }
    remember();

    if (!window.EventSource || !section.dataset.events) return;
    var version = null, busy = false, again = false, arrived = 0;
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      var before = new Set(eventIds());
      fetch(location.pathname + location.search, { headers: { Accept: "text/html" }, cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("main > section[id]").forEach(function (old) {
            var fresh = next.getElementById(old.id);
            if (fresh) old.replaceWith(document.adoptNode(fresh));
          });
          var meta = next.querySelector("header .meta"), oldMeta = document.querySelector("header .meta");
          if (meta && oldMeta) oldMeta.replaceWith(document.adoptNode(meta));
          bindOutletFilter();
          arrived += mark(before, "new");
          if (arrived) announce(arrived + (arrived === 1 ? " new event has" : " new events have") + " arrived since you opened this page.");
          remember();
        })
        .catch(function () { /* the next change tries again */ })
        .then(function () { busy = false; if (again) { again = false; refresh(); } });
    }
    var source = new EventSource(section.dataset.events);
    source.addEventListener("hello", function (e) {  // also after a reconnection: catch up on what was missed
      var v = JSON.parse(e.data).version;
      if (version !== null && v !== version) refresh();
      version = v;
    });
    source.addEventListener("story", function (e) {
      var v = JSON.parse(e.data).version;
      if (v !== version) { version = v; refresh(); }
    });
    window.addEventListener("pagehide", function () { source.close(); });
  });
})();
