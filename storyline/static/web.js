// Small enhancements only: every page reads fully without this file.
(function () {
  "use strict";

  // Following a link to a timeline event (from the axis or an article's date) opens its sources.
  function focusEvent() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (el && el.matches("details.section")) { el.open = true; return; }  // "36 background": unfold it
    if (!el || !el.classList.contains("event")) return;
    document.querySelectorAll(".event.focus").forEach(function (e) { e.classList.remove("focus"); });
    el.classList.add("focus");
    var details = el.querySelector("details");
    if (details) details.open = true;
    var section = el.closest("details.section");  // a background or expected event: unfold its section
    if (section && !section.open) { section.open = true; el.scrollIntoView(); }
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

  // Corrections: the controls are hidden until this script runs (they need it: the API takes JSON).
  function send(method, url, body) {
    var headers = { "Accept": "application/json" };
    var token = sessionStorage.getItem("storyline-token");
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body) headers["Content-Type"] = "application/json";
    return fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
                        credentials: "same-origin" }).then(function (r) {
      if ((r.status === 401 || r.status === 403) && !sessionStorage.getItem("storyline-token-asked")) {
        sessionStorage.setItem("storyline-token-asked", "1");
        var t = window.prompt("This server needs its write token to make corrections:");
        if (t) { sessionStorage.setItem("storyline-token", t); return send(method, url, body); }
      }
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
        return data;
      });
    });
  }
  function done() { location.reload(); }
  function fail(err) { window.alert("The correction was not made: " + err.message); }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.correct, button.undo, .correct-forms, input.correct-input").forEach(function (el) {
      el.hidden = false;
    });
    document.querySelectorAll("button.correct").forEach(function (b) {
      b.addEventListener("click", function () {
        var body = JSON.parse(b.dataset.body);
        if (b.dataset.ask) {
          var value = window.prompt(b.dataset.prompt || b.dataset.ask, "");
          if (value === null) return;
          value = value.trim();
          if (!value && !b.dataset.optional) return;
          body[b.dataset.ask] = value || null;
        } else if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
          return;
        }
        send("POST", "/api/corrections", body).then(done, fail);
      });
    });
    document.querySelectorAll("button.undo").forEach(function (b) {
      b.addEventListener("click", function () {
        send("DELETE", "/api/corrections/" + encodeURIComponent(b.dataset.undo)).then(done, fail);
      });
    });
    document.querySelectorAll("form.correct-form").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var body = JSON.parse(form.dataset.fixed || "{}");
        body.kind = form.dataset.kind;
        new FormData(form).forEach(function (value, key) {
          value = String(value).trim();
          if (key.slice(-2) === "[]") {
            key = key.slice(0, -2);
            (body[key] = body[key] || []).push(value);
          } else if (value) {
            body[key] = value;
          }
        });
        if (body.kind === "split-story" && !(body.documents || []).length) {
          window.alert("Tick the articles to split off under Sources first.");
          return;
        }
        send("POST", "/api/corrections", body).then(done, fail);
      });
    });
    var list = document.getElementById("story-list");
    if (list) {  // story ids to merge with or move to, fetched once when first needed
      var filled = false;
      document.querySelectorAll("input[list=story-list]").forEach(function (input) {
        input.addEventListener("focus", function () {
          if (filled) return;
          filled = true;
          send("GET", "/api/stories?limit=200").then(function (data) {
            data.items.forEach(function (s) {
              var o = document.createElement("option");
              o.value = s.id;
              o.label = s.title + " (" + s.documents + " articles)";
              list.appendChild(o);
            });
          });
        });
      });
    }
  });

  // Copy an event with its sources as Markdown (links to this server made absolute).
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function copyEvent(button) {
    var md = button.dataset.md.split("](/").join("](" + location.origin + "/");
    copyText(md).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    }, function () { window.prompt("Copy this:", md); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.copy-md").forEach(function (b) {
      b.addEventListener("click", function () { copyEvent(b); });
    });
    var keyOnly = document.querySelector("button.key-only");
    if (keyOnly) {
      keyOnly.addEventListener("click", function () {
        var on = keyOnly.getAttribute("aria-pressed") !== "true";
        keyOnly.setAttribute("aria-pressed", on ? "true" : "false");
        document.querySelectorAll(".timeline .event").forEach(function (ev) {
          ev.classList.toggle("not-key", on && !ev.classList.contains("pinned"));
        });
      });
    }
  });

  // Keyboard: j/k or the arrow keys move between the timeline's events, Enter opens their sources,
  // c copies the focused event; typing in a field is never taken over.
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|SUMMARY)$/.test(t.tagName))) return;
    var events = Array.prototype.filter.call(document.querySelectorAll(".timeline .event"), function (ev) {
      return ev.offsetParent !== null;  // skip the ones an outlet filter hides
    });
    if (!events.length) return;
    var current = t && t.classList && t.classList.contains("event") ? t : null;
    var i = current ? events.indexOf(current) : -1;
    var next = null;
    if (e.key === "j" || (e.key === "ArrowDown" && current)) next = events[Math.min(i + 1, events.length - 1)];
    else if (e.key === "k" || (e.key === "ArrowUp" && current)) next = events[Math.max(i - 1, 0)];
    else if (e.key === "Home" && current) next = events[0];
    else if (e.key === "End" && current) next = events[events.length - 1];
    else if (e.key === "Enter" && current) {
      var d = current.querySelector("details");
      if (d) d.open = !d.open;
      e.preventDefault();
      return;
    } else if (e.key === "c" && current) {
      var b = current.querySelector("button.copy-md");
      if (b) copyEvent(b);
      return;
    }
    if (next) {
      e.preventDefault();
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    }
  });
})();
