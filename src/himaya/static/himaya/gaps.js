// Gap analysis map: one circle per province centroid, coloured by the class of the chosen family of services.
// No tile server by default (the platform works on a closed network); an optional tile URL comes from settings.
// CSP-safe: no inline script or style attribute in the HTML; tooltips are DOM nodes filled with textContent.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("gaps-map");
  var data = document.getElementById("gaps-points");
  if (!element || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  var colours = { desert: "#b02a37", low: "#e0a800", adequate: "#198754" };
  var select = document.getElementById("gaps-family");
  var rtl = document.documentElement.dir === "rtl";
  element.style.height = "440px";
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  var tileUrl = element.getAttribute("data-tile-url");
  if (tileUrl) { L.tileLayer(tileUrl, { maxZoom: 14 }).addTo(map); }
  var markers = [];

  function tooltip(point, family) {
    var cell = point.cells[family];
    var box = document.createElement("div");
    box.dir = rtl ? "rtl" : "ltr";
    var title = document.createElement("strong");
    title.textContent = point.name;
    var line = document.createElement("div");
    var km = cell.nearest_km === null ? "?" : cell.nearest_km + " km";
    line.textContent = cell.label + " · " + cell.services + " · " + Math.round(cell.hours) + " h · " + km;
    box.appendChild(title);
    box.appendChild(line);
    return box;
  }

  function paint() {
    var family = select ? select.value : "all";
    markers.forEach(function (item) {
      var status = item.point.cells[family].status;
      item.marker.setStyle({ color: "#333", weight: 1, fillColor: colours[status], fillOpacity: 0.85 });
      item.marker.unbindTooltip();
      item.marker.bindTooltip(tooltip(item.point, family));
      item.marker.getElement && item.marker.getElement() && item.marker.getElement().setAttribute("data-status", status);
    });
  }

  points.forEach(function (point) {
    var marker = L.circleMarker([point.lat, point.lon], { radius: 9 }).addTo(map);
    markers.push({ point: point, marker: marker });
  });
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers.map(function (item) { return item.marker; })).getBounds().pad(0.15));
  } else {
    map.setView([31.8, -7.1], 5);
  }
  paint();
  if (select) { select.addEventListener("change", paint); }
});
