// Opens the pages tour_08_html writes in headless chromium and checks them against
// the same program's TraceBackwardGuard output and print_tape text:
//   - the page loads with no console error, no page error and no network request;
//   - every op and leaf of the tape is drawn (as many op and leaf boxes as the tape's
//     first line counts, and a box for every node the trace names);
//   - after N clicks on "step", the step shown, the highlighted node, the gradient
//     arriving and the gradient sent on each edge are those of the N-th entry of the
//     trace (an entry: a line that starts a node, with its indented lines);
//   - a page whose backward produced NaN opens at the first entry that sends one,
//     with that node in red.
// A screenshot of each page (after its last step, or at its anomaly) goes to <out dir>.
//
//   node check_pages.mjs <pages dir> <out dir> <name>...   (reads <pages dir>/tour_<name>.*)
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [pagesDir, outDir, ...names] = process.argv.slice(2);
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

// Trace entries: { head, block, label, gin, sends: [text...] }.
function traceEntries(text) {
  const entries = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (!line.startsWith(" ")) entries.push({ head: line, lines: [line] });
    else entries[entries.length - 1].lines.push(line);
  }
  return entries.map((e) => {
    const block = e.lines.join("\n");
    const parts = block.split("\n    -> input ");
    const acc = e.head.match(/^accumulate into (.*)\.grad: /);
    const op = e.head.match(/^(#\d+) \S+ \([^)]*\): grad_out = /);
    const label = acc ? acc[1] : op[1];
    const gin = acc ? block.slice(acc[0].length) : parts[0].slice(op[0].length);
    const sends = parts.slice(1).map((p) => p.match(/^\d+ \((.*?)\): ([\s\S]*)$/)[2]);
    return { head: e.head, block, label, gin, sends };
  });
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  for (const name of names) {
    const base = path.join(pagesDir, `tour_${name}`);
    const entries = traceEntries(fs.readFileSync(`${base}.trace.txt`, "utf8"));
    const tapeHead = fs.readFileSync(`${base}.tape.txt`, "utf8").match(/^tape: (\d+) ops?, (\d+) lea(?:f|ves)/);
    const page = await browser.newPage();
    await page.setViewport({ width: 1300, height: 800 });
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) errors.push(`network: ${r.url()}`); });
    await page.goto("file://" + path.resolve(`${base}.html`), { waitUntil: "load" });
    const where = `tour_${name}`;

    // Every node drawn.
    const labels = await page.$$eval("g.node", (gs) => gs.map((g) => [g.classList[1], g.dataset.label]));
    check(labels.filter((l) => l[0] === "op").length === Number(tapeHead[1]),
          `${where}: ${labels.filter((l) => l[0] === "op").length} op boxes; the tape has ${tapeHead[1]} ops`);
    check(labels.filter((l) => l[0] === "leaf").length === Number(tapeHead[2]),
          `${where}: ${labels.filter((l) => l[0] === "leaf").length} leaf boxes; the tape has ${tapeHead[2]} leaves`);
    for (const e of entries)
      check(labels.some((l) => l[1] === e.label), `${where}: the trace names ${e.label}, which has no box`);

    const state = () => page.evaluate(() => ({
      head: document.getElementById("step-head").textContent,
      trace: document.getElementById("step-trace").textContent,
      current: [...document.querySelectorAll("g.node.current")].map((g) => g.dataset.label),
      anomaly: [...document.querySelectorAll("g.node.anomaly")].map((g) => g.dataset.label),
      banner: document.getElementById("anomaly") ? document.getElementById("anomaly").textContent : "",
      gin: document.querySelector("#grad-in .gvalue") ? document.querySelector("#grad-in .gvalue").textContent : null,
      sends: [...document.querySelectorAll(".send .gvalue")].map((e) => e.textContent),
      count: document.getElementById("count").textContent,
    }));

    // A NaN: the page opens at the first entry that sends a non-finite gradient.
    const firstBad = entries.findIndex((e) => e.sends.some((s) => /nan|inf/.test(s)));
    let s = await state();
    if (firstBad >= 0) {
      check(s.head === entries[firstBad].head, `${where}: opens at "${s.head}"; expected the first NaN, "${entries[firstBad].head}"`);
      check(s.anomaly.length === 1 && s.anomaly[0] === entries[firstBad].label,
            `${where}: red node ${s.anomaly}; expected ${entries[firstBad].label}`);
      check(s.banner.includes("returned NaN or Inf") && s.banner.includes("forward op"),
            `${where}: the anomaly banner says "${s.banner}"`);
      await page.screenshot({ path: path.join(outDir, `browser_${where}.png`) });
      while (!(await page.$eval("#back", (b) => b.disabled))) await page.click("#back");
    } else {
      check(s.count === `step 0 of ${entries.length}`, `${where}: opens at "${s.count}"; expected step 0 of ${entries.length}`);
    }

    // Step through: the N-th click shows the N-th entry of the trace.
    for (let n = 1; n <= entries.length; ++n) {
      await page.click("#step");
      s = await state();
      const e = entries[n - 1];
      const at = `${where} after ${n} steps`;
      check(s.head === e.head, `${at}: shows "${s.head}"; the trace says "${e.head}"`);
      check(s.trace === e.block + "\n", `${at}: trace block differs:\n${s.trace}\n--- expected:\n${e.block}`);
      check(s.current.length === 1 && s.current[0] === e.label, `${at}: highlights ${s.current}; expected ${e.label}`);
      check(s.gin === e.gin, `${at}: gradient arriving "${s.gin}"; the trace says "${e.gin}"`);
      check(JSON.stringify(s.sends) === JSON.stringify(e.sends), `${at}: sends ${JSON.stringify(s.sends)}; the trace says ${JSON.stringify(e.sends)}`);
    }
    check(await page.$eval("#step", (b) => b.disabled), `${where}: "step" still enabled after the last entry`);
    if (firstBad < 0) await page.screenshot({ path: path.join(outDir, `browser_${where}.png`) });
    check(errors.length === 0, `${where}: ${errors.join("; ")}`);
    console.log(`${where}: ${entries.length} steps checked against the trace, ${labels.length} boxes`);
    await page.close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`check_pages: all ${names.length} pages match their traces`);
