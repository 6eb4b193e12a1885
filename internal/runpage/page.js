// Draws the run held in #weft-data as lanes of SVG. Every string of the run
// enters the document through textContent or setAttribute, never as markup.
(function () {
  "use strict";
  var started = performance.now();
  var D = JSON.parse(document.getElementById("weft-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var AXIS = 58, LANE = 30, THIN = 8, PAD = 40;

  var st = { zoom: 16, hidden: {}, collapsed: {}, query: "", matches: [], at: -1, selected: -1 };
  var laneIdx = {};
  D.lanes.forEach(function (l, i) { laneIdx[l.p] = i; });
  // Each lane's events, in order, and its first and last column.
  var span = {};
  D.events.forEach(function (e, i) {
    var s = span[e.p] || (span[e.p] = { first: e.c, last: e.c, cols: [] });
    s.last = e.c;
    s.cols.push(e.c);
  });

  var svg = document.getElementById("svg");
  var labels = document.getElementById("labels");
  var scroll = document.getElementById("scroll");
  var detail = document.getElementById("detail");

  function el(name, attrs, parent) {
    var n = document.createElementNS(NS, name);
    for (var k in attrs) n.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(n);
    return n;
  }
  function h(name, cls, text, parent) {
    var n = document.createElement(name);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    if (parent) parent.appendChild(n);
    return n;
  }
  function x(col) { return PAD + col * st.zoom + st.zoom / 2; }
  function laneName(p) { var i = laneIdx[p]; return i == null ? "p" + p : D.lanes[i].name; }
  function eventText(e) {
    return "step " + e.s + " · " + e.t + " · " + laneName(e.p) + "\n" + e.k + (e.d ? " " + e.d : "");
  }

  // nodes[i] is the drawn glyph of event i, if drawn.
  var nodes = [];

  // Layout: the y of each shown lane's middle.
  var ys = {}, height = AXIS;
  function layout() {
    LANE = st.zoom >= 48 ? 46 : 30; // room for the events' labels
    ys = {};
    height = AXIS;
    D.lanes.forEach(function (l) {
      if (st.hidden[l.p]) return;
      var hgt = st.collapsed[l.p] ? THIN : LANE;
      ys[l.p] = height + hgt / 2;
      height += hgt;
    });
    height += 10;
  }

  function render() {
    layout();
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = PAD * 2 + D.cols * st.zoom + 360; // room for the failure's label
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    var defs = el("defs", {}, svg);
    ["msg", "close", "wake", "spawn", "dec"].forEach(function (k) {
      var m = el("marker", { id: "head-" + k, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", "class": "head-" + k }, m);
    });
    var g = document.createDocumentFragment();
    var bg = el("g", { "class": "lanes" }), marks = el("g", { "class": "marks" }),
        barsG = el("g", { "class": "bars" }), arrowsG = el("g", { "class": "arrows" }),
        eventsG = el("g", { "class": "events" }), axis = el("g", { "class": "axis" });
    [bg, marks, barsG, arrowsG, eventsG, axis].forEach(function (n) { g.appendChild(n); });

    // Lanes: a band each, a line for the process's life.
    var odd = false;
    D.lanes.forEach(function (l) {
      var y = ys[l.p];
      if (y == null) return;
      var hgt = st.collapsed[l.p] ? THIN : LANE;
      el("rect", { x: 0, y: y - hgt / 2, width: width, height: hgt, "class": "lane" + (odd ? " odd" : "") + (st.collapsed[l.p] ? " thin" : ""), "data-p": l.p }, bg);
      odd = !odd;
      var s = span[l.p];
      if (s) el("line", { x1: x(s.first), x2: l.end === "alive" ? x(D.cols) : x(s.last), y1: y, y2: y, "class": "life" + (l.end === "alive" ? " alive" : "") }, bg);
    });

    // The axis: steps, and virtual time where it moves.
    var every = Math.max(1, Math.ceil(70 / st.zoom));
    var lastStep = null;
    for (var i = 0; i < D.events.length; i++) {
      var e = D.events[i];
      if (e.c % every === 0 && e.s !== lastStep && (i === 0 || D.events[i - 1].c !== e.c)) {
        lastStep = e.s;
        var t = el("text", { x: x(e.c), y: 28, "class": "step" }, axis);
        t.textContent = "" + e.s;
      }
    }
    var lastX = -1e9;
    D.times.forEach(function (tk) {
      var tx = x(tk.c) - st.zoom / 2;
      el("line", { x1: tx, x2: tx, y1: 0, y2: height, "class": "timejump" }, marks);
      if (tx - lastX > 60) {
        var t = el("text", { x: tx + 2, y: 13, "class": "time" }, axis);
        t.textContent = tk.t;
        lastX = tx;
      }
    });
    var s0 = el("text", { x: 2, y: 28, "class": "axislabel" }, axis); s0.textContent = "step";
    var t0 = el("text", { x: 2, y: 13, "class": "axislabel" }, axis); t0.textContent = "time";

    // The failure and the decisions, as bands across the lanes.
    if (D.fail >= 0) {
      var fc = D.events[D.fail].c;
      el("rect", { x: x(fc) - Math.max(st.zoom, 10) / 2, y: AXIS - 16, width: Math.max(st.zoom, 10), height: height - AXIS, "class": "failband" }, marks);
      var ft = el("text", { x: x(fc) + Math.max(st.zoom, 10) / 2 + 3, y: AXIS - 6, "class": "faillabel" }, axis);
      ft.textContent = "◂ failed here";
    }
    var lastLabel = -1e9, row = 0;
    D.decisions.forEach(function (d, di) {
      var y = ys[d.p];
      if (d.e) {
        el("rect", { x: x(d.c) - Math.max(st.zoom, 6) / 2, y: AXIS - 4, width: Math.max(st.zoom, 6), height: height - AXIS, "class": "decband", "data-index": d.i }, marks);
        // "decision N" where there is room, "#N" on two rows where not.
        var gap = x(d.c) - lastLabel, short = gap < 100;
        row = short ? 1 - row : 0;
        lastLabel = x(d.c);
        var lt = el("text", { x: x(d.c), y: AXIS - 6 - row * 11, "class": "declabel", "text-anchor": short ? "start" : "middle" }, axis);
        lt.textContent = (short ? "#" : "decision ") + d.i;
      }
      if (y == null) return;
      var fy = ys[d.from];
      if (d.from >= 0 && fy != null) {
        el("path", { d: "M" + (x(d.c) - st.zoom / 2) + "," + fy + " C" + (x(d.c)) + "," + fy + " " + (x(d.c) - st.zoom) + "," + y + " " + x(d.c) + "," + y, "class": "arrow dec" + (d.e ? " essential" : ""), "marker-end": "url(#head-dec)" }, marks);
      }
      el("path", { d: "M" + x(d.c) + "," + (y - 6) + " l-5,-8 h10 z", "class": "decmark" + (d.e ? " essential" : ""), "data-d": di }, marks);
    });

    // Bars: blocked and asleep.
    D.bars.forEach(function (b, bi) {
      var y = ys[b.p];
      if (y == null) return;
      var hb = st.collapsed[b.p] ? 4 : 10;
      el("rect", { x: x(b.f), y: y - hb / 2, width: Math.max(2, x(b.t) - x(b.f)), height: hb, rx: 2, "class": "bar " + b.k + (b.open ? " open" : ""), "data-b": bi }, barsG);
    });

    // Arrows between lanes.
    D.arrows.forEach(function (a, i) {
      var f = D.events[a.f], t = D.events[a.t];
      var y1 = ys[f.p], y2 = ys[t.p];
      if (y1 == null || y2 == null) return;
      var x1 = x(f.c), x2 = x(t.c);
      var p;
      if (y1 === y2) {
        p = "M" + x1 + "," + y1 + " Q" + (x1 + x2) / 2 + "," + (y1 - 16) + " " + x2 + "," + y2;
      } else {
        var mx = (x1 + x2) / 2;
        p = "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + (y2 + (y2 > y1 ? -5 : 5));
      }
      el("path", { d: p, "class": "arrow " + a.k, "marker-end": "url(#head-" + a.k + ")", "data-a": i }, arrowsG);
    });

    // Events.
    var labelled = st.zoom >= 48;
    var lastBad = -1e9, lastUp = false;
    nodes = [];
    D.events.forEach(function (e, i) {
      var y = ys[e.p];
      if (y == null) return;
      var cx = x(e.c), n;
      var thin = st.collapsed[e.p];
      var cls = "ev k-" + e.k + (st.matchSet && st.matchSet[i] ? " match" : "") + (i === st.selected ? " selected" : "") + (i === D.fail ? " fail" : "");
      if (e.k === "fault" || e.k === "crash" || (e.k === "exit" && e.d && e.d !== "normal")) {
        n = el("path", { d: "M" + (cx - 6) + "," + (y - 6) + " L" + (cx + 6) + "," + (y + 6) + " M" + (cx + 6) + "," + (y - 6) + " L" + (cx - 6) + "," + (y + 6), "class": cls + " bad" }, eventsG);
      } else if (e.k === "exit") {
        n = el("rect", { x: cx - 1.5, y: y - 8, width: 3, height: 16, "class": cls }, eventsG);
      } else if (e.k === "timer") {
        n = el("path", { d: "M" + cx + "," + (y - 6) + " l6,6 l-6,6 l-6,-6 z", "class": cls }, eventsG);
      } else if (e.k === "lock" || e.k === "unlock") {
        n = el("rect", { x: cx - 3.5, y: y - 3.5, width: 7, height: 7, "class": cls }, eventsG);
      } else {
        n = el("circle", { cx: cx, cy: y, r: thin ? 2.5 : (e.k === "send" || e.k === "recv" || e.k === "note" ? 4.5 : 3.5), "class": cls }, eventsG);
      }
      n.setAttribute("data-i", i);
      nodes[i] = n;
      var bad = e.k === "fault" || e.k === "crash" || (i === D.fail && e.k === "note");
      if (bad || (labelled && !thin)) {
        var below = !bad && e.c % 2 === 0;
        // Faults close together take turns on two heights.
        var up = bad && x(e.c) - lastBad < 120 && !lastUp;
        if (bad) { lastBad = x(e.c); lastUp = up; }
        var lt = el("text", { x: cx + 6, y: y + (below ? 13 : up ? -18 : -7), "class": "evlabel" + (bad ? " badlabel" : "") }, eventsG);
        var text = e.k + (e.d ? " " + e.d : "");
        var room = labelled && !bad ? Math.max(4, Math.floor(st.zoom * 2 / 6.8) - 1) : 60;
        lt.textContent = text.length > room ? text.slice(0, room - 1) + "…" : text;
      }
    });
    svg.appendChild(g);
    renderLabels();
  }

  function renderLabels() {
    while (labels.firstChild) labels.removeChild(labels.firstChild);
    var head = h("div", "lanehead", D.lanes.length + " lanes" + (hiddenCount() ? ", " + hiddenCount() + " hidden" : ""), labels);
    head.style.height = AXIS + "px";
    var odd = false;
    D.lanes.forEach(function (l) {
      if (ys[l.p] == null) return;
      odd = !odd;
      var row = h("div", "lanelabel" + (odd ? "" : " odd") + (st.collapsed[l.p] ? " thin" : "") + (D.fail >= 0 && D.events[D.fail].p === l.p ? " failing" : ""), null, labels);
      row.style.height = (st.collapsed[l.p] ? THIN : LANE) + "px";
      row.setAttribute("data-p", l.p);
      var tog = h("button", "toggle", st.collapsed[l.p] ? "▸" : "▾", row);
      tog.type = "button";
      tog.title = st.collapsed[l.p] ? "expand" : "collapse";
      tog.onclick = function () { st.collapsed[l.p] = !st.collapsed[l.p]; render(); };
      var name = h("span", "name", l.name, row);
      name.title = l.name + (l.end ? " (" + l.end + ")" : "");
      if (l.end && l.end !== "normal") h("span", "end end-" + l.end.split(" ")[0], l.end, row);
      var hide = h("button", "hide", "×", row);
      hide.type = "button";
      hide.title = "hide this lane";
      hide.onclick = function () { st.hidden[l.p] = true; render(); };
    });
  }
  function hiddenCount() { var n = 0; for (var k in st.hidden) if (st.hidden[k]) n++; return n; }

  // Selecting an event shows it, and what arrows join it, in #detail.
  function select(i, scrollTo) {
    st.selected = i;
    while (detail.firstChild) detail.removeChild(detail.firstChild);
    var e = D.events[i];
    h("h2", null, "step " + e.s + " · " + e.t + " · " + laneName(e.p), detail);
    h("pre", null, e.k + (e.d ? " " + e.d : ""), detail);
    var rel = h("ul", null, null, detail);
    D.arrows.forEach(function (a) {
      if (a.f === i) h("li", null, a.k + " to " + laneName(D.events[a.t].p) + " at step " + D.events[a.t].s + ": " + D.events[a.t].k + " " + (D.events[a.t].d || ""), rel);
      if (a.t === i) h("li", null, a.k + " from " + laneName(D.events[a.f].p) + " at step " + D.events[a.f].s + ": " + D.events[a.f].k + " " + (D.events[a.f].d || ""), rel);
    });
    var ss = svg.querySelectorAll(".selected");
    for (var k = 0; k < ss.length; k++) ss[k].classList.remove("selected");
    if (nodes[i]) nodes[i].classList.add("selected");
    if (scrollTo) show(e.c, e.p);
  }
  function show(col, p) {
    scroll.scrollLeft = Math.max(0, x(col) - scroll.clientWidth / 2);
    var tl = document.getElementById("timeline");
    if (p != null && ys[p] != null) tl.scrollTop = Math.max(0, ys[p] - tl.clientHeight / 2);
  }

  // One tooltip for everything drawn, its text made when the pointer is
  // over a thing: a title element each would double what is drawn.
  var tip = h("div", "tip", null, document.body);
  function tipText(n) {
    var v;
    if ((v = n.getAttribute("data-i")) != null) return eventText(D.events[+v]);
    if ((v = n.getAttribute("data-b")) != null) { var b = D.bars[+v]; return laneName(b.p) + ": " + b.d + (b.open ? " (to the end of the run)" : ""); }
    if ((v = n.getAttribute("data-a")) != null) {
      var a = D.arrows[+v], f = D.events[a.f], t = D.events[a.t];
      return a.k + ": " + laneName(f.p) + " → " + laneName(t.p) + "\n" + f.k + (f.d ? " " + f.d : "") + "\n" + t.k + (t.d ? " " + t.d : "");
    }
    if ((v = n.getAttribute("data-d")) != null) { var d = D.decisions[+v]; return "decision " + d.i + (d.e ? " (essential)" : "") + ": " + d.text; }
    return null;
  }
  svg.addEventListener("mousemove", function (ev) {
    var text = ev.target.getAttribute ? tipText(ev.target) : null;
    if (!text) { tip.style.display = "none"; return; }
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8) + "px";
    tip.style.top = (ev.clientY + 14) + "px";
  });
  svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });

  svg.addEventListener("click", function (ev) {
    var n = ev.target.closest ? ev.target.closest("[data-i]") : null;
    if (n) select(+n.getAttribute("data-i"), false);
  });

  // Search: every event whose lane, kind or detail holds the text.
  function search(q) {
    st.query = q;
    st.matches = [];
    st.matchSet = {};
    var ql = q.toLowerCase();
    if (ql) D.events.forEach(function (e, i) {
      if ((laneName(e.p) + " " + e.k + " " + (e.d || "")).toLowerCase().indexOf(ql) >= 0) { st.matches.push(i); st.matchSet[i] = true; }
    });
    st.at = -1;
    document.getElementById("matches").textContent = ql ? st.matches.length + " events match" : "";
    // Mark the matches on what is drawn; no need to draw it again.
    var old = svg.querySelectorAll(".ev.match");
    for (var k = 0; k < old.length; k++) old[k].classList.remove("match");
    st.matches.forEach(function (i) { if (nodes[i]) nodes[i].classList.add("match"); });
  }
  function step(by) {
    if (!st.matches.length) return;
    st.at = (st.at + by + st.matches.length) % st.matches.length;
    var i = st.matches[st.at];
    if (st.hidden[D.events[i].p]) { st.hidden[D.events[i].p] = false; render(); }
    select(i, true);
    document.getElementById("matches").textContent = (st.at + 1) + " of " + st.matches.length + " events match";
  }

  // Lane filter: only lanes whose name holds the text.
  function filterLanes(q) {
    var ql = q.toLowerCase();
    D.lanes.forEach(function (l) { st.hidden[l.p] = !!ql && l.name.toLowerCase().indexOf(ql) < 0; });
    render();
  }

  // Focus: collapse the lanes with no event near the failure or an
  // essential decision.
  function focus() {
    var near = {};
    var cols = D.decisions.filter(function (d) { return d.e; }).map(function (d) { return d.c; });
    if (D.fail >= 0) cols.push(D.events[D.fail].c);
    if (!cols.length && D.cols) cols.push(D.cols - 1);
    var reach = 30;
    D.events.forEach(function (e) {
      for (var k = 0; k < cols.length; k++) if (Math.abs(e.c - cols[k]) <= reach) { near[e.p] = true; break; }
    });
    D.decisions.forEach(function (d) { if (d.e) { near[d.p] = true; if (d.from >= 0) near[d.from] = true; } });
    if (D.fail >= 0) near[D.events[D.fail].p] = true;
    D.lanes.forEach(function (l) { st.collapsed[l.p] = !near[l.p] && l.end !== "alive"; });
    render();
  }

  function setZoom(z, keepCol) {
    var center = keepCol != null ? keepCol : (scroll.scrollLeft + scroll.clientWidth / 2 - PAD) / st.zoom;
    st.zoom = Math.max(0.5, Math.min(200, z));
    render();
    scroll.scrollLeft = Math.max(0, PAD + center * st.zoom - scroll.clientWidth / 2);
  }
  function fitZoom() { return Math.max(0.5, (scroll.clientWidth - 2 * PAD) / Math.max(1, D.cols)); }

  document.getElementById("zoomin").onclick = function () { setZoom(st.zoom * 1.5); };
  document.getElementById("zoomout").onclick = function () { setZoom(st.zoom / 1.5); };
  document.getElementById("fit").onclick = function () { setZoom(fitZoom()); scroll.scrollLeft = 0; };
  scroll.addEventListener("wheel", function (ev) {
    if (!ev.ctrlKey) return;
    ev.preventDefault();
    var col = (scroll.scrollLeft + ev.offsetX - PAD) / st.zoom;
    setZoom(st.zoom * (ev.deltaY < 0 ? 1.25 : 0.8), col);
  }, { passive: false });
  // Typing waits for a pause: a run of 10,000 events takes a while to search.
  function debounce(f) {
    var timer = null;
    return function (ev) { var v = ev.target.value; clearTimeout(timer); timer = setTimeout(function () { f(v); }, 200); };
  }
  document.getElementById("search").addEventListener("input", debounce(search));
  document.getElementById("search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") step(ev.shiftKey ? -1 : 1); });
  document.getElementById("next").onclick = function () { step(1); };
  document.getElementById("prev").onclick = function () { step(-1); };
  document.getElementById("lanefilter").addEventListener("input", debounce(filterLanes));
  document.getElementById("showall").onclick = function () { st.hidden = {}; st.collapsed = {}; document.getElementById("lanefilter").value = ""; render(); };
  document.getElementById("quiet").onclick = focus;
  // Keys, outside the text boxes: / searches, + and - zoom, n and p step
  // through the matches.
  document.addEventListener("keydown", function (ev) {
    if (ev.target.tagName === "INPUT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "/") { ev.preventDefault(); document.getElementById("search").focus(); }
    else if (ev.key === "+" || ev.key === "=") setZoom(st.zoom * 1.5);
    else if (ev.key === "-") setZoom(st.zoom / 1.5);
    else if (ev.key === "n") step(1);
    else if (ev.key === "p") step(-1);
  });
  var links = document.querySelectorAll("a.decision");
  for (var k = 0; k < links.length; k++) links[k].addEventListener("click", function (ev) {
    ev.preventDefault();
    var c = +this.getAttribute("data-col");
    document.getElementById("toolbar").scrollIntoView();
    if (st.zoom < 12) setZoom(16, c); else show(c);
  });

  // The first screen: the end of the run, where it failed; a crowded run
  // collapses the lanes that take no part there. The URL's fragment can
  // say otherwise: #q=text&lanes=text&zoom=n&all=1, and
  // #view=1 opens the embedded views.
  var params = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    if (i > 0) params[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
  });
  // Zoom so that the essential decisions and the failure fit the screen,
  // down to 5 pixels a column.
  var from = D.cols - 1, to = D.cols - 1;
  D.decisions.forEach(function (d) { if (d.e) from = Math.min(from, d.c); });
  if (D.fail >= 0) to = D.events[D.fail].c;
  var room = scroll.clientWidth - 2 * PAD - 200;
  st.zoom = Math.max(3, Math.min(room / (to - from + 8), 16));
  if (D.cols * st.zoom < room) st.zoom = Math.min(120, room / Math.max(1, D.cols));
  if (params.zoom) st.zoom = Math.max(0.5, Math.min(200, +params.zoom || st.zoom));
  if (D.lanes.length > 12 && !params.all) focus(); else render();
  if (params.view) {
    var vs = document.querySelectorAll(".view details");
    for (var k = 0; k < vs.length; k++) vs[k].open = true;
  }
  if (params.lanes) { document.getElementById("lanefilter").value = params.lanes; filterLanes(params.lanes); }
  if (params.q) { document.getElementById("search").value = params.q; search(params.q); step(1); }
  else if (D.fail >= 0) scroll.scrollLeft = Math.max(0, x(D.events[D.fail].c) - scroll.clientWidth + 220);
  else show(D.cols, null);
  document.body.setAttribute("data-drawn", D.events.length);
  document.body.setAttribute("data-draw-ms", Math.round(performance.now() - started));
})();
