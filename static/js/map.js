/* The optional results map: loaded only when asked for, the list stays the main interface.
   A fixed tile mosaic (no panning) with a numbered pin per result; tiles come from the server
   named in settings (MAP_TILE_URL). */
(function () {
  var box = document.getElementById("map");
  var items = document.querySelectorAll(".result[data-lat]");
  var list = document.querySelector("ol.results");
  var first = list ? +(list.getAttribute("start") || 1) : 1;
  if (!box || !items.length) return;
  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary";
  toggle.setAttribute("aria-expanded", "false");
  toggle.textContent = box.getAttribute("data-label");
  box.parentNode.insertBefore(toggle, box);

  function project(lat, lon, zoom) {
    var scale = 256 * Math.pow(2, zoom);
    var s = Math.sin(lat * Math.PI / 180);
    return { x: (lon + 180) / 360 * scale, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale };
  }
  function draw() {
    var pts = [], i;
    for (i = 0; i < items.length; i++) {
      pts.push({ lat: +items[i].getAttribute("data-lat"), lon: +items[i].getAttribute("data-lon"), el: items[i] });
    }
    var width = box.clientWidth || 320, height = 320, zoom = 16;
    for (; zoom > 6; zoom--) {
      var xs = pts.map(function (p) { return project(p.lat, p.lon, zoom).x; });
      var ys = pts.map(function (p) { return project(p.lat, p.lon, zoom).y; });
      if (Math.max.apply(null, xs) - Math.min.apply(null, xs) < width - 48 &&
          Math.max.apply(null, ys) - Math.min.apply(null, ys) < height - 48) break;
    }
    var all = pts.map(function (p) { return project(p.lat, p.lon, zoom); });
    var cx = (Math.max.apply(null, all.map(function (p) { return p.x; })) + Math.min.apply(null, all.map(function (p) { return p.x; }))) / 2;
    var cy = (Math.max.apply(null, all.map(function (p) { return p.y; })) + Math.min.apply(null, all.map(function (p) { return p.y; }))) / 2;
    var left = cx - width / 2, top = cy - height / 2;
    var frame = document.createElement("div");
    frame.className = "map-frame";
    var template = box.getAttribute("data-tiles");
    for (var tx = Math.floor(left / 256); tx <= Math.floor((left + width) / 256); tx++) {
      for (var ty = Math.floor(top / 256); ty <= Math.floor((top + height) / 256); ty++) {
        var img = document.createElement("img");
        img.alt = "";
        img.src = template.replace("{z}", zoom).replace("{x}", tx).replace("{y}", ty);
        img.style.left = (tx * 256 - left) + "px";
        img.style.top = (ty * 256 - top) + "px";
        frame.appendChild(img);
      }
    }
    all.forEach(function (p, n) {
      var link = pts[n].el.querySelector("h2 a");
      var pin = document.createElement("a");
      pin.className = "map-pin";
      pin.href = link.href;
      pin.textContent = String(first + n);
      pin.setAttribute("aria-label", link.textContent);
      pin.style.left = (p.x - left) + "px";
      pin.style.top = (p.y - top) + "px";
      frame.appendChild(pin);
    });
    var credit = document.createElement("p");
    credit.className = "map-credit";
    credit.textContent = box.getAttribute("data-attribution");
    box.appendChild(frame);
    box.appendChild(credit);
  }
  toggle.addEventListener("click", function () {
    var show = box.hidden;
    if (show && !box.firstChild) { box.hidden = false; draw(); }
    box.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
    toggle.textContent = box.getAttribute(show ? "data-hide" : "data-label");
  });
})();
