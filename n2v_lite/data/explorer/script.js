"use strict";
(function () {
const D = JSON.parse(document.getElementById("n2v-data").textContent);
const N = D.ids.length, K = D.topk;
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// ---- the matching rules of NodeEmbedding.resolve / Node2Vec.resolve ----
// Python's str.casefold, for the characters titles use: full upper-casing
// first ("ß" -> "SS"), then lower; final sigma folds to sigma.
function fold(s) { return s.toUpperCase().toLowerCase().replace(/\u03c2/g, "\u03c3"); }
const YEAR = /\s*\(\d{4}(?:[-\u2013]\d{0,4})?\)\s*$/;
const ARTICLES = ["the", "a", "an"];
function normalise(title) {  // n2v_lite.titles.normalise_title
  let text = fold(title.replace(YEAR, "").trim());
  for (const a of ARTICLES) {
    if (text.endsWith(", " + a)) { text = text.slice(0, -a.length - 2); break; }
    if (text.startsWith(a + " ")) { text = text.slice(a.length + 1); break; }
  }
  return text.trim();
}
function idType(i) {
  if (D.id_kind === "int") return "i";
  if (D.id_kind === "str") return "s";
  return D.id_types[i];
}
function canonInt(text) {  // int(text) written back, for text matching [-+]?\d+
  const m = /^([-+]?)(\d+)$/.exec(text);
  if (!m) return null;
  const digits = m[2].replace(/^0+(?=\d)/, "");
  return (m[1] === "-" && digits !== "0" ? "-" : "") + digits;
}
const add = (map, key, i) => { const l = map.get(key); if (l) l.push(i); else map.set(key, [i]); };
const strIds = new Map(), intIds = new Map(), textIds = new Map();
const exact = new Map(), byFolded = new Map(), byName = new Map();
const folded = [];
for (let i = 0; i < N; i++) {
  const t = idType(i);
  if (t === "s") strIds.set(D.ids[i], i);
  else { add(textIds, D.ids[i], i); if (t === "i") intIds.set(D.ids[i], i); }
  const title = D.titles ? D.titles[i] : "";
  folded.push(fold(title));
  if (title) { add(exact, title, i); add(byFolded, folded[i], i); add(byName, normalise(title), i); }
}
function search(query) {
  // -> {rows: [row, ...], rule}; one row: found; several: choose; none: not found
  const one = (rows, rule) => ({rows: rows, rule: rule});
  if (strIds.has(query)) return one([strIds.get(query)], "id");
  if (exact.has(query)) return one(exact.get(query), "title");
  const text = query.trim();
  const c = canonInt(text);
  if (c !== null && intIds.has(c)) return one([intIds.get(c)], "id as text");
  const rows = textIds.get(text);
  if (rows && rows.length === 1) return one(rows, "id as text");
  if (!D.titles) return one([], "none");
  const needle = fold(text);
  if (!needle) return one([], "none");
  const found = byFolded.get(needle) || byName.get(normalise(text));
  if (found) return one(found, "title (case, year and article ignored)");
  const parts = [];
  for (let i = 0; i < N; i++) if (folded[i].includes(needle)) parts.push(i);
  return one(parts, parts.length ? "part of a title" : "none");
}
// "closest" hints for a query nothing matches: titles.TitleIndex.closest on a page
// with titles, NodeEmbedding._closest_ids without (difflib's ratio and cutoffs).
function ratio(a, b) {  // difflib.SequenceMatcher(None, a, b).ratio(), strings under 200
  a = Array.from(a); b = Array.from(b);
  if (!a.length && !b.length) return 1;
  const b2j = new Map();
  b.forEach((ch, j) => add(b2j, ch, j));
  let matched = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    let bi = alo, bj = blo, bk = 0, prev = new Map();
    for (let i = alo; i < ahi; i++) {
      const cur = new Map();
      for (const j of b2j.get(a[i]) || []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (prev.get(j - 1) || 0) + 1;
        cur.set(j, k);
        if (k > bk) { bi = i - k + 1; bj = j - k + 1; bk = k; }
      }
      prev = cur;
    }
    if (!bk) continue;
    matched += bk;
    if (alo < bi && blo < bj) queue.push([alo, bi, blo, bj]);
    if (bi + bk < ahi && bj + bk < bhi) queue.push([bi + bk, ahi, bj + bk, bhi]);
  }
  return 2 * matched / (a.length + b.length);
}
function closeMatches(word, pool, n, cutoff) {  // difflib.get_close_matches
  const lw = Array.from(word).length, scored = [];
  for (const key of pool) {
    const lk = Array.from(key).length;
    if (2 * Math.min(lk, lw) / (lk + lw || 1) < cutoff) continue;  // real_quick_ratio
    const r = ratio(key, word);
    if (r >= cutoff) scored.push([r, key]);
  }
  scored.sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? 1 : x[1] > y[1] ? -1 : 0));
  return scored.slice(0, n).map((x) => x[1]);
}
let foldedIds = null, byText = null;  // built on the first miss, kept
function closest(query, n = 3) {  // -> rows resembling the query, best first
  const text = query.trim(), picks = [];
  const take = (rows) => { for (const i of rows) if (!picks.includes(i)) picks.push(i); };
  const spell = N <= D.closest_spellings;
  if (D.titles) {
    if (!spell) return picks;
    for (const [pool, probe, cutoff] of [[byName, normalise(text), 0.6],
                                         [byFolded, fold(text), 0.5]])
      for (const key of closeMatches(probe, pool.keys(), n, cutoff)) take(pool.get(key));
    return picks.slice(0, n);
  }
  if (!foldedIds) {
    foldedIds = new Map();
    for (let i = 0; i < N; i++) add(foldedIds, fold(D.ids[i]), i);
  }
  take(foldedIds.get(fold(text)) || []);
  if (spell) {
    if (!byText) {
      byText = new Map();
      for (let i = 0; i < N; i++) byText.set(D.ids[i], i);
    }
    take(closeMatches(text, byText.keys(), n, 0.6).map((key) => byText.get(key)));
  }
  return picks.slice(0, n);
}
const label = (i) => (D.titles && D.titles[i]) ? D.titles[i] : D.ids[i];

// ---- the map ----
const canvas = $("map"), ctx = canvas.getContext("2d"), card = $("card");
const shown = new Uint8Array(N);
if (D.sample) { for (const i of D.sample) shown[i] = 1; } else shown.fill(1);
let sampleCount = D.sample ? D.sample.length : N;
const byGroup = D.groups.map(() => []);
for (let i = 0; i < N; i++) if (shown[i]) byGroup[D.group[i]].push(i);
// draw big groups first, so that small ones stay visible; "other" underneath all
const isOther = (g) => D.has_other && g === D.groups.length - 1;
const drawOrder = D.groups.map((_, g) => g).sort((a, b) =>
  isOther(a) !== isOther(b) ? (isOther(a) ? -1 : 1) : D.counts[b] - D.counts[a]);
let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
for (let i = 0; i < N; i++) {
  if (!shown[i]) continue;
  minX = Math.min(minX, D.x[i]); maxX = Math.max(maxX, D.x[i]);
  minY = Math.min(minY, D.y[i]); maxY = Math.max(maxY, D.y[i]);
}
let view = null, W = 0, H = 0, dpr = 1;
const radius = N > 10000 ? 1.6 : N > 2000 ? 2.3 : 3;
function resetView() {
  const w = (maxX - minX) || 1, h = (maxY - minY) || 1;
  const key = $("key"), kw = key.offsetWidth ? key.offsetWidth + 16 : 0;
  const s = Math.min((W - kw - 40) / w, (H - 40) / h);
  view = {s: s, cx: (minX + maxX) / 2 + kw / 2 / s, cy: (minY + maxY) / 2};
}
const sx = (x) => W / 2 + (x - view.cx) * view.s;
const sy = (y) => H / 2 - (y - view.cy) * view.s;
let selected = -1, hovered = -1, pending = false;
const stats = {draws: 0, lastMs: 0};
function draw() {
  pending = false;
  const t0 = performance.now();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.globalAlpha = selected >= 0 ? 0.35 : 0.85;
  const r = radius, d = 2 * r;
  for (const g of drawOrder) {
    ctx.fillStyle = D.colours[g];
    ctx.beginPath();
    for (const i of byGroup[g]) {
      const x = sx(D.x[i]), y = sy(D.y[i]);
      if (x < -d || y < -d || x > W + d || y > H + d) continue;
      ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 6.2832);
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  if (selected >= 0) {
    const x0 = sx(D.x[selected]), y0 = sy(D.y[selected]);
    ctx.strokeStyle = "rgba(0,0,0,0.45)"; ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 0; k < K; k++) {
      const j = D.nbr[selected * K + k];
      ctx.moveTo(x0, y0); ctx.lineTo(sx(D.x[j]), sy(D.y[j]));
    }
    ctx.stroke();
    ctx.font = "bold 11px system-ui,sans-serif"; ctx.textBaseline = "middle";
    for (let k = K - 1; k >= 0; k--) {
      const j = D.nbr[selected * K + k], x = sx(D.x[j]), y = sy(D.y[j]);
      ring(x, y, 5, D.colours[D.group[j]], "#000", 1.5);
      ctx.fillStyle = "#000"; ctx.fillText(String(k + 1), x + 7, y - 7);
    }
    ring(x0, y0, 8, D.colours[D.group[selected]], "#000", 3);
  }
  if (hovered >= 0) ring(sx(D.x[hovered]), sy(D.y[hovered]), 6, "rgba(0,0,0,0)", "#000", 1.5);
  stats.draws++; stats.lastMs = performance.now() - t0;
}
function ring(x, y, r, fill, stroke, width) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 6.2832);
  ctx.fillStyle = fill; ctx.fill();
  ctx.lineWidth = width; ctx.strokeStyle = stroke; ctx.stroke();
}
function redraw() { if (!pending) { pending = true; requestAnimationFrame(draw); } }
function resize() {
  const box = canvas.getBoundingClientRect();
  dpr = window.devicePixelRatio || 1;
  const first = !view;
  W = box.width; H = box.height;
  canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
  if (first) resetView();
  draw();
}
function reveal(i) {  // draw a node that is not in the sample
  if (shown[i]) return;
  shown[i] = 1; byGroup[D.group[i]].push(i);
}
// hover: nearest drawn point within 8 px, through a grid over the data
const CELL = 0.02, grid = new Map();
const key = (x, y) => Math.floor(x / CELL) + "," + Math.floor(y / CELL);
for (let i = 0; i < N; i++) add(grid, key(D.x[i], D.y[i]), i);
function nearest(px, py) {
  const x = view.cx + (px - W / 2) / view.s, y = view.cy - (py - H / 2) / view.s;
  const reach = 8 / view.s, span = Math.ceil(reach / CELL);
  const gx = Math.floor(x / CELL), gy = Math.floor(y / CELL);
  let best = -1, bestD = reach * reach;
  if (span > 50) return -1;
  for (let a = gx - span; a <= gx + span; a++) for (let b = gy - span; b <= gy + span; b++) {
    const cell = grid.get(a + "," + b);
    if (!cell) continue;
    for (const i of cell) {
      if (!shown[i]) continue;
      const dx = D.x[i] - x, dy = D.y[i] - y, dd = dx * dx + dy * dy;
      if (dd < bestD) { bestD = dd; best = i; }
    }
  }
  return best;
}
function showCard(i, px, py) {
  if (i < 0) { card.hidden = true; return; }
  card.replaceChildren();
  card.appendChild(el("b", "", label(i)));
  if (D.titles && D.titles[i]) card.appendChild(el("div", "id", "id " + D.ids[i]));
  if (D.color_by && !(D.color_by in D.columns))
    card.appendChild(el("div", "", D.color_by + ": " + D.groups[D.group[i]]));
  for (const name of Object.keys(D.columns)) {
    if (D.columns[name][i] !== "") card.appendChild(el("div", "", name + ": " + D.columns[name][i]));
  }
  card.hidden = false;
  const bw = card.offsetWidth, bh = card.offsetHeight;
  card.style.left = Math.min(px + 14, W - bw - 4) + "px";
  card.style.top = Math.min(py + 14, H - bh - 4) + "px";
}
let drag = null;
canvas.addEventListener("mousedown", (e) => { drag = {x: e.offsetX, y: e.offsetY, cx: view.cx, cy: view.cy, moved: false}; });
window.addEventListener("mouseup", (e) => {
  if (drag && !drag.moved && e.target === canvas) {
    const i = nearest(e.offsetX, e.offsetY);
    if (i >= 0) select(i, true);
  }
  drag = null;
});
canvas.addEventListener("mousemove", (e) => {
  if (drag) {
    const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) { view.cx = drag.cx - dx / view.s; view.cy = drag.cy + dy / view.s; card.hidden = true; redraw(); }
    return;
  }
  const i = nearest(e.offsetX, e.offsetY);
  if (i !== hovered) { hovered = i; redraw(); }
  showCard(i, e.offsetX, e.offsetY);
});
canvas.addEventListener("mouseleave", () => { hovered = -1; card.hidden = true; redraw(); });
canvas.addEventListener("wheel", (e) => {
  e.preventDefault();
  const f = Math.exp(-e.deltaY * 0.0015);
  const x = view.cx + (e.offsetX - W / 2) / view.s, y = view.cy - (e.offsetY - H / 2) / view.s;
  view.s *= f; view.cx = x - (e.offsetX - W / 2) / view.s; view.cy = y + (e.offsetY - H / 2) / view.s;
  redraw();
}, {passive: false});
canvas.addEventListener("dblclick", () => { resetView(); redraw(); });
window.addEventListener("resize", resize);

// ---- side panel ----
const nf = new Intl.NumberFormat("en-US");
function entry(i, parts) {
  const li = el("li");
  for (const [cls, text] of parts) li.appendChild(el("span", cls, text));
  li.dataset.row = i;
  li.addEventListener("click", () => select(i, true));
  return li;
}
function idSuffix(i) { return (D.titles && D.titles[i]) ? "[" + D.ids[i] + "]" : ""; }
function select(i, keepMatches) {
  selected = i;
  reveal(i);
  for (let k = 0; k < K; k++) reveal(D.nbr[i * K + k]);
  if (!keepMatches) $("matches").replaceChildren();
  $("chosen").hidden = false;
  $("chosen-name").textContent = label(i);
  const meta = [];
  if (D.titles && D.titles[i]) meta.push("id " + D.ids[i]);
  if (D.color_by && !(D.color_by in D.columns)) meta.push(D.color_by + ": " + D.groups[D.group[i]]);
  for (const name of Object.keys(D.columns)) if (D.columns[name][i] !== "") meta.push(name + ": " + D.columns[name][i]);
  $("chosen-meta").textContent = meta.join(" \u00b7 ");
  $("nbr-title").textContent = K ? "Nearest " + K + " by cosine similarity (" + D.dims + "-d)" : "No neighbours";
  const list = $("neighbours");
  list.replaceChildren();
  for (let k = 0; k < K; k++) {
    const j = D.nbr[i * K + k];
    list.appendChild(entry(j, [["rank", (k + 1) + "."], ["sim", (D.sim[i * K + k] / D.sim_scale).toFixed(4)],
                               ["name", label(j)], ["id", idSuffix(j)]]));
  }
  const x = sx(D.x[i]), y = sy(D.y[i]);
  if (x < 20 || y < 20 || x > W - 20 || y > H - 20) { view.cx = D.x[i]; view.cy = D.y[i]; }
  redraw();
}
function find(query) {
  const status = $("status"), list = $("matches");
  list.replaceChildren();
  if (!query.trim()) { status.textContent = ""; return {rows: [], rule: "empty"}; }
  const result = search(query), rows = result.rows;
  if (rows.length === 1) {
    status.textContent = "Found by " + result.rule + ".";
    select(rows[0], false);
  } else if (rows.length > 1) {
    status.textContent = nf.format(rows.length) + " nodes match \u201c" + query + "\u201d; choose one:";
    for (const i of rows.slice(0, 50)) list.appendChild(entry(i, [["name", label(i)], ["id", idSuffix(i)]]));
    if (rows.length > 50) list.appendChild(el("li", "note", "\u2026 and " + nf.format(rows.length - 50) + " more: type more of the title"));
  } else {
    const hints = closest(query);
    status.textContent = "No node id or title matches \u201c" + query + "\u201d" +
      (hints.length ? "; closest:" : ".");
    for (const i of hints) list.appendChild(entry(i, [["name", label(i)], ["id", idSuffix(i)]]));
  }
  return result;
}
let typing = null;
$("find").addEventListener("submit", (e) => {
  e.preventDefault(); clearTimeout(typing); find($("search").value);
});
$("search").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => find($("search").value), 250);
});
$("about").textContent = nf.format(N) + " nodes, " + D.dims + " dimensions; map: " +
  D.method.toUpperCase() + (D.seed !== null ? " (seed " + D.seed + ")" : "") + ".";
$("legend-title").textContent = D.legend || "";
if (!D.color_by) $("key").className = "none";
const legend = $("legend");
D.groups.forEach((name, g) => {
  if (!D.color_by) return;
  const li = el("li"), sw = el("span", "sw");
  sw.style.background = D.colours[g];
  li.append(sw, el("span", "", name), el("span", "count", nf.format(D.counts[g])));
  legend.appendChild(li);
});
if (D.sample) $("sample-note").textContent = "The map draws a fixed random sample of " +
  nf.format(D.sample.length) + " of the " + nf.format(N) + " nodes (more than " +
  nf.format(D.max_points) + "); every node can be searched, and is drawn once found.";
resize();
window.n2vExplorer = {data: D, search: search, closest: closest, find: find, select: select, draw: draw,
  stats: stats, shownCount: () => shown.reduce((a, b) => a + b, 0),
  selected: () => selected, screenOf: (i) => [sx(D.x[i]), sy(D.y[i])]};
document.body.dataset.ready = "1";
})();
