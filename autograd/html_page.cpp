// The page to_html writes: HTML, CSS and JavaScript in one raw string, with the
// title and the data (a JSON object from html.cpp) put in. Everything is inline and
// nothing is fetched, so the file works offline, mailed, or opened from a USB stick.
// The script draws the laid-out graph as SVG and runs the player; the JSON is parsed
// from a non-executed <script type="application/json">, whose text html::json_string
// keeps free of "<".
#include <string>

#include "html_internal.h"

namespace tg::autograd::html {

namespace {

constexpr const char* kPage = R"PAGE(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#222;background:#fafafa;display:flex;flex-direction:column;height:100vh}
header{padding:8px 14px;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:17px;margin:0 0 4px}
#controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
#controls button{font:inherit;padding:3px 12px;border:1px solid #999;border-radius:4px;background:#fff;cursor:pointer}
#controls button:disabled{opacity:.4;cursor:default}
#slider{width:260px}
main{flex:1;display:flex;min-height:0}
#graph{flex:1;overflow:auto;background:#fff;text-align:center}
#panel{width:430px;overflow:auto;padding:10px 14px;border-left:1px solid #ddd;background:#fcfcfc}
#panel h2{font-size:14px;margin:12px 0 4px}
pre,.mono{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all;margin:0}
pre{background:#f1f3f5;padding:6px;border-radius:4px}
.node rect{fill:#fff;stroke:#555;stroke-width:1.2}
.node.leaf rect{fill:#dbe9f6}
.node.more rect{fill:#f4f4f4;stroke-dasharray:4 3}
.node text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#222}
.node text.head{font-weight:bold}
.node text.saved{fill:#777;font-size:11px}
.node.done rect{fill:#e6f4ea;stroke:#4a8a5c}
.node.leaf.done rect{fill:#cfe8d6}
.node.current rect{fill:#fff3bf;stroke:#e67700;stroke-width:3}
.node.anomaly rect{fill:#ffe3e3;stroke:#c92a2a;stroke-width:3}
.node.selected rect{stroke:#1c7ed6;stroke-width:2.5}
.node{cursor:pointer}
.edge{fill:none;stroke:#888;stroke-width:1.3}
.edge.sparse{stroke:#c0392b;stroke-dasharray:6 4}
.edge.active{stroke:#e67700;stroke-width:3}
.elabel{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#c0392b}
.glabel{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#a35200;paint-order:stroke;stroke:#fff;stroke-width:3px}
.badge{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#2b8a3e}
table{border-collapse:collapse;margin:4px 0}
td,th{border:1px solid #ddd;padding:1px 6px;font:12px ui-monospace,Menlo,Consolas,monospace;text-align:left}
th{background:#f1f3f5}
.banner{padding:6px 10px;border-radius:4px;margin:6px 0}
.banner.bad{background:#ffe3e3;border:1px solid #c92a2a;color:#7d1a1a}
.banner.info{background:#fff9db;border:1px solid #e9b949}
.muted{color:#777}
</style></head>
<body>
<header>
<h1 id="title"></h1>
<div class="muted" id="summary"></div>
<div id="controls">
<button id="back" title="back one step (left arrow)">&#9664; back</button>
<button id="step" title="one step (right arrow)">step &#9654;</button>
<button id="run" title="play through (space)">run</button>
<input type="range" id="slider" min="0" value="0">
<span id="count"></span>
</div>
</header>
<main>
<div id="graph"></div>
<div id="panel">
<div id="banner"></div>
<h2>Step</h2>
<div id="step-head" class="mono"></div>
<h2>Trace (as TraceBackwardGuard prints it)</h2>
<pre id="step-trace"></pre>
<div id="detail"></div>
<h2>Node</h2>
<div id="node-info" class="muted">Click a node to see what it saved.</div>
<details><summary>The tape (print_tape)</summary><pre id="tape"></pre></details>
</div>
</main>
<script id="tape-data" type="application/json">@@DATA@@</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("tape-data").textContent);
const NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
const steps = D.steps;
let cur = D.anomaly ? D.anomaly.step + 1 : 0;
let selected = null, timer = null, follow = false;  // follow: keep the running node in view once playing

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function h(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function short(s) { s = String(s).split("\n")[0]; return s.length > 44 ? s.slice(0, 41) + "..." : s; }

// ---- the graph
// Room on the right for the leaves' .grad badges and the edges' gradient labels.
const svg = el("svg", {width: D.w + 240, height: D.h + 20, viewBox: `0 0 ${D.w + 240} ${D.h + 20}`});
$("graph").appendChild(svg);
const defs = el("defs", {}, svg);
const marker = el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto"}, defs);
el("path", {d: "M0,0 L10,5 L0,10 z", fill: "#888"}, marker);
const edgeLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg), labelLayer = el("g", {}, svg);
// Parallel edges (x * x reads #1 twice) are drawn side by side, 10 px apart.
const parallel = {}, seen = {};
for (const e of D.edges) parallel[e.f + ":" + e.t] = (parallel[e.f + ":" + e.t] || 0) + 1;
const edgeEls = D.edges.map((e) => {
  const key = e.f + ":" + e.t;
  const k = seen[key] = (seen[key] || 0) + 1;
  const a = D.nodes[e.f], b = D.nodes[e.t];
  const off = (k - 1 - (parallel[key] - 1) / 2) * 10;
  const x1 = a.x + a.w / 2 + off, y1 = a.y + a.h, x2 = b.x + b.w / 2 + off, y2 = b.y;
  const my = (y1 + y2) / 2;
  const p = el("path", {d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`, class: "edge" + (e.sp ? " sparse" : ""), "marker-end": "url(#arrow)"}, edgeLayer);
  if (e.sp) el("text", {x: (x1 + x2) / 2 + 4, y: my - 4, class: "elabel"}, edgeLayer, "sparse grad");
  return {e, p, mx: (x1 + x2) / 2, my};
});
const nodeEls = D.nodes.map((n) => {
  const g = el("g", {class: "node " + n.kind, "data-id": n.id, "data-label": n.label || ""}, nodeLayer);
  el("rect", {x: n.x, y: n.y, width: n.w, height: n.h, rx: n.kind === "leaf" ? 14 : 4}, g);
  const lines = n.kind === "op" ? [n.label + " " + n.fwd, n.name, n.type, n.savedLine].filter((s) => s)
              : n.kind === "leaf" ? [n.label, n.type] : [n.label, n.counts, n.leaves].filter((s) => s);
  lines.forEach((s, i) => el("text", {x: n.x + 10, y: n.y + 17 + 15 * i, class: i === 0 ? "head" : i === 3 ? "saved" : ""}, g, s));
  const tip = [lines.join("\n")];
  if (n.saved && n.saved.length) tip.push("saved " + n.saved.join(", "));
  el("title", {}, g, tip.join("\n"));
  g.addEventListener("click", () => { selected = n.id; render(); });
  const badge = n.kind === "leaf" ? el("text", {x: n.x + n.w + 6, y: n.y + n.h / 2 + 4, class: "badge"}, labelLayer, "") : null;
  return {g, badge};
});

// ---- the panel
function gradientBlock(title, g) {
  const box = h("div");
  box.appendChild(h("h2", title));
  if (!g) { box.appendChild(h("div", "(none)", "muted")); return box; }
  const v = h("pre", g.t);
  v.className = "gvalue";
  box.appendChild(v);
  box.appendChild(h("div", `${g.shape}, norm ${g.norm}`, "muted gnorm"));
  if (g.sp) {
    box.appendChild(h("div", `as it arrives: ${g.sp.nnz} entries, duplicates kept`, "muted"));
    box.appendChild(table(g.sp.rows, g.sp.vals, g.sp.nnz, "entries"));
    box.appendChild(h("div", `coalesced: ${g.sp.cnnz} rows, equal rows added`, "muted"));
    box.appendChild(table(g.sp.crows, g.sp.cvals, g.sp.cnnz, "coalesced"));
  }
  return box;
}
function table(rows, vals, total, cls) {
  const t = h("table");
  t.className = cls;
  const head = h("tr");
  head.appendChild(h("th", "row"));
  head.appendChild(h("th", "value"));
  t.appendChild(head);
  rows.forEach((r, k) => {
    const tr = h("tr");
    tr.appendChild(h("td", String(r)));
    tr.appendChild(h("td", vals[k]));
    t.appendChild(tr);
  });
  if (total > rows.length) {
    const tr = h("tr");
    tr.appendChild(h("td", `... ${total - rows.length} more`));
    t.appendChild(tr);
  }
  return t;
}
function nodeInfo(n) {
  const box = h("div");
  if (n.kind === "op") {
    box.appendChild(h("div", `${n.label} ${n.name}: forward op ${n.fwd}, output ${n.type}`, "mono"));
    box.appendChild(h("div", "reads " + n.inputs.join(", "), "mono"));
    box.appendChild(h("div", n.saved.length ? "saved " + n.saved.join(", ") : "saved nothing", "mono"));
    if (n.released) box.appendChild(h("div", "[released by backward]", "mono"));
  } else if (n.kind === "leaf") {
    box.appendChild(h("div", `leaf ${n.label}, ${n.type}; its gradient accumulates into .grad`, "mono"));
  } else {
    box.appendChild(h("div", `${n.label}: ${n.counts} ${n.leaves}`, "mono"));
  }
  return box;
}

function render() {
  const N = steps.length;
  cur = Math.max(0, Math.min(N, cur));
  const s = cur > 0 ? steps[cur - 1] : null;
  const doneUpTo = {};
  const leafGrad = {};
  for (let k = 0; k < cur; ++k) {
    doneUpTo[steps[k].n] = true;
    if (steps[k].acc) leafGrad[steps[k].n] = steps[k].grad;
  }
  const bad = D.anomaly && s && cur - 1 === D.anomaly.step;
  nodeEls.forEach((ne, id) => {
    ne.g.classList.toggle("done", !!doneUpTo[id] && !(s && s.n === id));
    ne.g.classList.toggle("current", !!s && s.n === id);
    ne.g.classList.toggle("anomaly", !!D.anomaly && cur - 1 >= D.anomaly.step && D.anomaly.n === id);
    ne.g.classList.toggle("selected", selected === id);
    if (ne.badge) ne.badge.textContent = leafGrad[id] ? ".grad: " + short(leafGrad[id].t) : "";
  });
  labelLayer.querySelectorAll(".glabel").forEach((x) => x.remove());
  edgeEls.forEach((ee) => ee.p.classList.remove("active"));
  if (s && s.sends) for (const send of s.sends) {
    const ee = edgeEls.find((x) => x.e.t === s.n && x.e.f === send.to && (x.e.i === send.i || D.nodes[send.to].kind === "more"));
    if (!ee) continue;
    ee.p.classList.add("active");
    el("text", {x: ee.mx + 6, y: ee.my + 12, class: "glabel"}, labelLayer, send.g ? "\u2191 " + short(send.g.t) : "\u2191 (none)");
  }
  $("slider").max = N;
  $("slider").value = cur;
  $("count").textContent = `step ${cur} of ${N}`;
  $("back").disabled = cur === 0;
  $("step").disabled = cur === N;
  $("run").disabled = N === 0;
  $("step-head").textContent = s ? s.head : N ? "Before backward: press step to run the first node." : "";
  $("step-trace").textContent = s ? (s.trace || s.head + "\n(inside the collapsed run: only its trace line is kept)") : "(nothing yet)";
  const detail = $("detail");
  detail.replaceChildren();
  if (s && s.gin !== undefined) {
    const gin = gradientBlock(s.acc ? "Gradient arriving at the leaf" : "Gradient arriving (grad_out)", s.gin);
    gin.id = "grad-in";
    detail.appendChild(gin);
    s.sends.forEach((send) => {
      const b = gradientBlock(`Sends to input ${send.i} (${D.nodes[send.to].label})`, send.g);
      b.className = "send";
      detail.appendChild(b);
    });
    if (s.acc) {
      const b = gradientBlock(`${D.nodes[s.n].label}.grad after accumulating`, s.grad);
      b.id = "leaf-grad";
      detail.appendChild(b);
    }
  }
  const banner = $("banner");
  banner.replaceChildren();
  if (D.error) banner.appendChild(h("div", D.error, "banner info"));
  if (bad) {
    const a = D.anomaly, n = D.nodes[a.n];
    const b = h("div", "", "banner bad");
    b.id = "anomaly";
    b.appendChild(h("div", "Anomaly: " + a.message));
    b.appendChild(h("div", `The forward op ${a.op} (${n.label}, output ${n.type || "?"}) read ${a.inputs.join(", ")}` +
                          (n.saved && n.saved.length ? "; it saved " + n.saved.join(", ") : "") + "."));
    banner.appendChild(b);
  }
  if (s && follow) nodeEls[s.n].g.scrollIntoView({block: "nearest", inline: "nearest"});
  const info = $("node-info");
  info.replaceChildren();
  const shownNode = selected !== null ? D.nodes[selected] : s ? D.nodes[s.n] : null;
  if (shownNode) info.appendChild(nodeInfo(shownNode));
  else info.textContent = "Click a node to see what it saved.";
}

function stop() { if (timer) { clearInterval(timer); timer = null; $("run").textContent = "run"; } }
$("title").textContent = D.title;
$("summary").textContent = D.summary + "; backward runs " + steps.length + " steps, in the engine's order";
$("tape").textContent = D.tape;
$("controls").addEventListener("click", () => { follow = true; }, true);
$("back").onclick = () => { stop(); cur -= 1; render(); };
$("step").onclick = () => { stop(); cur += 1; render(); };
$("slider").oninput = () => { stop(); follow = true; cur = Number($("slider").value); render(); };
$("run").onclick = () => {
  if (timer) return stop();
  if (cur >= steps.length) cur = 0;
  $("run").textContent = "pause";
  timer = setInterval(() => { cur += 1; render(); if (cur >= steps.length) stop(); }, 700);
};
document.addEventListener("keydown", (e) => {
  if (e.key === "ArrowRight") $("step").click();
  else if (e.key === "ArrowLeft") $("back").click();
  else if (e.key === " ") { e.preventDefault(); $("run").click(); }
});
render();
if (D.anomaly) nodeEls[D.anomaly.n].g.scrollIntoView({block: "center", inline: "center"});
</script>
</body></html>
)PAGE";

std::string html_escape(std::string_view text) {
  return escaped(text, [](char c) -> const char* {
    switch (c) {
      case '&': return "&amp;";
      case '<': return "&lt;";
      case '>': return "&gt;";
      case '"': return "&quot;";
      default: return nullptr;
    }
  });
}

void replace(std::string& text, std::string_view marker, std::string_view with) {
  const size_t at = text.find(marker);
  text.replace(at, marker.size(), with);
}

}  // namespace

std::string page(std::string_view title, std::string_view data_json) {
  std::string text = kPage;
  replace(text, "@@TITLE@@", html_escape(title));
  replace(text, "@@DATA@@", data_json);  // last: the data may hold anything, even "@@TITLE@@"
  return text;
}

}  // namespace tg::autograd::html
