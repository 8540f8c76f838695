// Himaya "find help" (public pages): quick exit, one history entry, map. CSP-safe: no inline code, no eval.
//
// Quick exit (the button, or the Esc key anywhere): the page is blanked, the current history entry is rewritten
// to a neutral address (history.replaceState), then location.replace() loads the exit page (the button's href)
// in place of this one. Inside the help pages every link and search is also followed with location.replace(),
// so the whole visit occupies a single history entry: after a quick exit, Back does not return to any help page.
// (The browser's history list may still name the site: private browsing avoids that, as the footer says.)
(function () {
  "use strict";

  var HELP_PATH = /^\/(fr|ar|en)\/help\//;

  function exitTarget() {
    var link = document.getElementById("quick-exit");
    return (link && link.getAttribute("href")) || "about:blank";
  }

  function quickExit(event) {
    if (event) { event.preventDefault(); }
    var target = exitTarget();
    try {
      document.title = "";
      if (document.body) { document.body.replaceChildren(); }
      window.history.replaceState(null, "", "/");
    } catch (ignored) { /* leaving matters more than tidying */ }
    window.location.replace(target);
  }

  function isHelpUrl(url) {
    return url.origin === window.location.origin && HELP_PATH.test(url.pathname);
  }

  function followInPlace(event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.hasAttribute("data-quick-exit") || link.target) { return; }
    var url = new URL(link.href, window.location.href);
    if (!isHelpUrl(url)) { return; }
    event.preventDefault();
    window.location.replace(url.href);
  }

  function searchInPlace(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-help-form]")) { return; }
    event.preventDefault();
    var url = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value !== "") { params.append(name, value); }
    });
    url.search = params.toString();
    window.location.replace(url.href);
  }

  function drawMap() {
    var box = document.querySelector("[data-map]");
    if (!box) { return; }
    var points = [];
    document.querySelectorAll("[data-map-point]").forEach(function (element) {
      var lat = parseFloat(element.getAttribute("data-lat"));
      var lon = parseFloat(element.getAttribute("data-lon"));
      if (isFinite(lat) && isFinite(lon)) {
        points.push({lat: lat, lon: lon, name: element.getAttribute("data-name") || "", href: element.getAttribute("data-href")});
      }
    });
    if (!points.length || typeof window.L === "undefined") {
      box.hidden = true;
      return;
    }
    var L = window.L;
    var tiles = box.getAttribute("data-tile-url");
    var map = L.map(box, {attributionControl: Boolean(tiles), scrollWheelZoom: false});
    if (tiles) {
      map.attributionControl.setPrefix(false);
      L.tileLayer(tiles, {maxZoom: 18, attribution: box.getAttribute("data-tile-attribution") || ""}).addTo(map);
    }
    var bounds = [];
    points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {radius: 8, weight: 2, color: "#6f1d46", fillOpacity: 0.7});
      var label = document.createElement(point.href ? "a" : "span");
      label.textContent = point.name;
      if (point.href) { label.href = point.href; }
      marker.bindPopup(label);
      marker.addTo(map);
      bounds.push([point.lat, point.lon]);
    });
    map.fitBounds(bounds, {padding: [24, 24], maxZoom: 12});
    box.setAttribute("data-map-ready", String(points.length));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { quickExit(event); }
  });
  document.addEventListener("click", function (event) {
    var exit = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (exit) { quickExit(event); return; }
    followInPlace(event);
  });
  document.addEventListener("submit", searchInPlace);
  document.addEventListener("DOMContentLoaded", drawMap);
}());
