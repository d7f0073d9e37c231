/* Staff maps. Data comes from <script type="application/json" id="map-data"> (no inline code,
   so the page's Content-Security-Policy can forbid inline scripts):
   {config: {tiles, attribution, center}, points: [{code, lat, lon, state, status, category, unit, text}], self?}
   #map: every open ticket, clustered (leaflet.markercluster), coloured by state;
   #ticket-map: this ticket's pin (black) and the open tickets nearby.
   window.dashboardMap = {map, markers: n} lets tests count markers without waiting for tiles. */
(function () {
  "use strict";
  var holder = document.getElementById("map") || document.getElementById("ticket-map");
  var raw = document.getElementById("map-data");
  if (!holder || !raw || typeof L === "undefined") { return; }
  var data = JSON.parse(raw.textContent);
  var cfg = data.config;
  var map = L.map(holder, { scrollWheelZoom: holder.id === "map" });
  L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map);

  function marker(p, extra) {
    var icon = L.divIcon({ className: "pin pin-" + p.state + (extra || ""), iconSize: [18, 18],
                           html: "", });
    var m = L.marker([p.lat, p.lon], { icon: icon, title: p.code + " — " + p.category, keyboard: true,
                                       alt: p.code });
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = "/dashboard/t/" + encodeURIComponent(p.code);
    a.textContent = p.code;
    box.appendChild(a);
    [p.category, p.status, p.unit, p.text].forEach(function (line) {
      if (!line) { return; }
      var div = document.createElement("div");
      div.textContent = line;  // text, never HTML: descriptions come from citizens
      box.appendChild(div);
    });
    m.bindPopup(box);
    return m;
  }

  var points = data.points || [];
  var group = (holder.id === "map" && L.markerClusterGroup) ? L.markerClusterGroup({ maxClusterRadius: 40 })
                                                            : L.featureGroup();
  points.forEach(function (p) { group.addLayer(marker(p)); });
  if (data.self) { group.addLayer(marker(data.self, " pin-self")); }
  map.addLayer(group);
  var all = points.slice();
  if (data.self) { all.push(data.self); }
  if (all.length) {
    map.fitBounds(L.latLngBounds(all.map(function (p) { return [p.lat, p.lon]; })).pad(0.2), { maxZoom: 17 });
  } else {
    map.setView(cfg.center, 12);
  }
  window.dashboardMap = { map: map, markers: points.length + (data.self ? 1 : 0), group: group };
})();
