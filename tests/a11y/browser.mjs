// The browser half of tests/a11y (issue 18): one headless Debian chromium
// (playwright-core from tests/.tools), many pages, each loaded from file://.
//
//   axe       axe-core injected into every page, WCAG 2.0/2.1 A and AA rules;
//   overflow  at each narrow viewport width, whether the document is wider
//             than the window (documentElement.scrollWidth > clientWidth),
//             naming the outermost elements that stick out;
//   keyboard  on the pages asked for: where the first Tab lands (a skip link
//             to the main content, or the content itself) and which of the
//             page's focusable elements Tab reaches before focus comes round.
//
// usage: node browser.mjs JOBS.json   (written and run by tests/a11y/run.py)
//   JOBS.json: {"axe": path of axe.min.js, "widths": [390, 320],
//               "pages": [{"id": ..., "file": absolute path, "keyboard": bool}]}
// Prints one JSON object per line: {"id", "kind": "axe"|"overflow"|"keyboard"|
// "error", ...}; run.py turns them into checks.
import { createRequire } from "module";
import { readFileSync } from "fs";
import { pathToFileURL } from "url";

const require = createRequire(process.env.TOOLS + "/");
const { chromium } = require("playwright-core");
const jobs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const axeSource = readFileSync(jobs.axe, "utf8");
const GUARD = 60000; // ms: hang guard per page step only
const PARALLEL = Number(process.env.A11Y_PAGES || 2);
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// Runs in the page: the outermost elements wider than the window that are
// not clipped by a scrolling or hidden-overflow ancestor inside the window.
function overflowProbe() {
  const de = document.documentElement;
  const cw = de.clientWidth;
  const out = { scrollWidth: de.scrollWidth, clientWidth: cw, culprits: [] };
  if (de.scrollWidth <= cw) return out;
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let s = e.localName;
      if (e.id) { parts.unshift(s + "#" + e.id); break; }
      const cls = [...e.classList].slice(0, 2).join(".");
      if (cls) s += "." + cls;
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== de && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== "visible" && a.getBoundingClientRect().right <= cw + 0.5) return true;
    }
    return false;
  };
  const sticks = (el) => el.getBoundingClientRect().right > cw + 0.5;
  for (const el of document.body.querySelectorAll("*")) {
    if (!sticks(el) || clipped(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && sticks(el.parentElement) &&
        !clipped(el.parentElement)) continue;
    const r = el.getBoundingClientRect();
    out.culprits.push({ element: path(el), right: Math.round(r.right), width: Math.round(r.width),
      text: (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60) });
    if (out.culprits.length >= 5) break;
  }
  return out;
}

// Runs in the page: marks every element Tab should reach with data-a11y-k
// and returns their descriptions. Focusable: links with href, buttons,
// inputs (not hidden), selects, textareas, summary of a details, elements
// with tabindex >= 0, contenteditable; not disabled, not tabindex < 0, not
// hidden (no box, visibility, inert, closed details). Radio buttons of one
// name form one stop (Tab enters a group once).
function focusables() {
  const sel = "a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable='true'], [contenteditable='']";
  const list = [];
  const radios = new Map();
  const describe = (el) => {
    let s = el.localName;
    if (el.id) s += "#" + el.id;
    if (el.getAttribute("type")) s += `[type=${el.getAttribute("type")}]`;
    if (el.getAttribute("href")) s += `[href=${el.getAttribute("href").slice(0, 40)}]`;
    const cls = [...el.classList].slice(0, 2).join(".");
    if (cls) s += "." + cls;
    const t = (el.textContent || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return t ? `${s} "${t}"` : s;
  };
  for (const el of document.querySelectorAll(sel)) {
    if (el.matches("input[type=hidden]") || el.disabled) continue;
    const ti = el.getAttribute("tabindex");
    if (ti !== null && ti.trim() !== "" && Number(ti) < 0) continue;
    if (el.localName === "summary" && el.parentElement?.localName !== "details") {
      if (ti === null) continue;
    }
    if (el.closest("[inert]") || el.getClientRects().length === 0) continue;
    if (getComputedStyle(el).visibility !== "visible") continue;
    const closed = el.parentElement?.closest("details:not([open])");
    if (closed && !(el.localName === "summary" && el.parentElement === closed)) continue;
    if (el.matches("input[type=radio]") && el.name) {
      const key = (el.form ? "f" : "d") + ":" + el.name;
      if (radios.has(key)) { el.dataset.a11yK = radios.get(key); continue; }
      radios.set(key, String(list.length));
    }
    el.dataset.a11yK = String(list.length);
    list.push(describe(el));
  }
  return list;
}

function focusState() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return { none: true };
  const main = document.querySelector("main, [role=main]");
  let skipTo = null;
  const href = el.localName === "a" ? el.getAttribute("href") : null;
  if (href && href.startsWith("#") && href.length > 1) {
    const t = document.getElementById(decodeURIComponent(href.slice(1)));
    skipTo = t ? { found: true, isMain: !!main && (t === main || t.contains(main) || main.contains(t)) } : { found: false };
  }
  return {
    k: el.dataset.a11yK ?? null,
    tag: el.localName,
    href,
    text: (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60),
    inMain: !!main && main.contains(el),
    hasMain: !!main,
    skipTo,
  };
}

async function keyboard(page, id) {
  const expected = await page.evaluate(focusables);
  await page.evaluate(() => {
    window.__a11yFocus = [];
    document.addEventListener("focusin", (e) => {
      window.__a11yFocus.push(e.target.dataset.a11yK ?? null);
    }, true);
  });
  await page.keyboard.press("Tab");
  const first = await page.evaluate(focusState);
  // Enough presses to go round once more than there are stops; the walk is
  // read from the focusin log afterwards (one round trip, not one per key).
  for (let i = 0; i < expected.length + 5; i++) await page.keyboard.press("Tab");
  const log = await page.evaluate(() => window.__a11yFocus);
  const reached = new Set(log.filter((k) => k !== null));
  const missed = expected.filter((_, i) => !reached.has(String(i)));
  emit({ id, kind: "keyboard", first, expected: expected.length, reached: reached.size, missed: missed.slice(0, 15),
         missedCount: missed.length });
}

async function one(page, job) {
  page.setDefaultTimeout(GUARD);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(pathToFileURL(job.file).href, { waitUntil: "load", timeout: GUARD });
    const res = await page.evaluate(async (tags) => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200) })) }));
    }, TAGS);
    emit({ id: job.id, kind: "axe", violations: res });
    for (const w of jobs.widths) {
      await page.setViewportSize({ width: w, height: 800 });
      const o = await page.evaluate(overflowProbe);
      emit({ id: job.id, kind: "overflow", width: w, ...o });
    }
    if (job.keyboard) {
      // A fresh load so that the first Tab starts at the top of the document.
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(pathToFileURL(job.file).href, { waitUntil: "load", timeout: GUARD });
      await keyboard(page, job.id);
    }
  } catch (e) {
    emit({ id: job.id, kind: "error", error: String(e && e.message ? e.message : e).slice(0, 500) });
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new", "--allow-file-access-from-files"],
});
try {
  const context = await browser.newContext({ javaScriptEnabled: true });
  // axe-core goes into every page as it is created: handing its half a
  // megabyte to each page after the load (addScriptTag) cost more than
  // axe's own run. It only defines window.axe until run.
  await context.addInitScript({ content: axeSource });
  const queue = jobs.pages.slice();
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    // one tab per worker, navigated from page to page: opening a tab costs
    // more than checking a page
    const page = await context.newPage();
    for (let job = queue.shift(); job; job = queue.shift()) await one(page, job);
    await page.close();
  }));
} finally {
  await browser.close();
}
