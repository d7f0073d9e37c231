// Public map (status page, reports map): Leaflet from static/vendor, points from data-points.
// Points are already approximate (rounded server-side); popups are built from text nodes only.
(function () {
  "use strict";
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  let points = [];
  try { points = JSON.parse(el.dataset.points || "[]"); } catch (e) { points = []; }
  points = points.filter((p) => typeof p.latitude === "number" && typeof p.longitude === "number");
  const map = L.map(el, { scrollWheelZoom: false });
  L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution }).addTo(map);
  const markers = points.map((p) => {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = "/status/" + encodeURIComponent(p.code);
    link.textContent = p.code;
    box.appendChild(link);
    box.appendChild(document.createTextNode(" · " + (p.category_vi || "")));
    if (p.place) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(p.place)); }
    const marker = L.marker([p.latitude, p.longitude], { title: p.code, alt: p.code }).bindPopup(box);
    marker.addTo(map);
    return marker;
  });
  if (markers.length === 1) map.setView(markers[0].getLatLng(), 16);
  else if (markers.length) map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2));
  else map.setView([21.0285, 105.8542], 12);  // Hoan Kiem Lake
  el.dataset.markers = String(markers.length);  // for tests and assistive summaries
})();
