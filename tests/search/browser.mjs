// The site's search in a real browser (issue 19): headless Debian chromium
// (playwright-core from tests/.tools) opens the pages tests/search/run.py
// built, over file://, and types into the search box.
//
// usage: node browser.mjs OUT_DIR/sx   (run by tests/search/run.py)
// Prints one line per check, `PASS name` or `FAIL name: detail`.
import { createRequire } from "module";

const require = createRequire(process.env.TOOLS + "/");
const { chromium } = require("playwright-core");
const [out] = process.argv.slice(2);
const GUARD = 60000; // ms: hang guard only
const learner = `file://${out}/learner/site/m1.html`;
const facilitator = `file://${out}/facilitator/site/m1.html`;
const BOX = "#coursec-search-input";

function report(name, ok, detail) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${detail ?? ""}`);
}

// the shown results: module, heading, snippet (its HTML), href
const results = (page) => page.evaluate(() =>
  [...document.querySelectorAll("#coursec-search-results [role=option]")].map((li) => ({
    module: li.querySelector(".search-module")?.textContent ?? "",
    heading: li.querySelector(".search-heading")?.textContent ?? "",
    snippet: li.querySelector(".search-snippet")?.innerHTML ?? "",
    href: li.getAttribute("data-href"),
  })));

// type a query into a fresh box and wait for the index to have answered
async function query(page, q) {
  await page.fill(BOX, "");
  await page.focus(BOX);
  await page.waitForSelector(`${BOX}[data-state=ready]`);
  await page.fill(BOX, q);
  return results(page);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(GUARD);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(learner);

  // `/` from the page focuses the box; from inside a workbook field it is typed
  await page.keyboard.press("/");
  report("slash-focuses", await page.evaluate(() => document.activeElement.id === "coursec-search-input"));
  await page.evaluate(() => document.activeElement.blur());
  const blank = page.locator("main input.blank").first();
  await blank.focus();
  await page.keyboard.press("/");
  report("slash-in-field-is-typed", await page.evaluate(() =>
    document.activeElement.classList.contains("blank") && document.activeElement.value === "/"),
    await page.evaluate(() => document.activeElement.outerHTML.slice(0, 100)));
  await blank.fill("");

  // a word: the expected list, ranked title > heading > text, then course order
  let r = await query(page, "xylo");
  const want = [
    ["Xylophone basics", "", "m3.html#xylophone-basics"],
    ["Closing module", "Xylophone corner", "m2.html#xylophone-corner"],
    ["École de service", "Greeting drill", "m1.html#greeting-drill"],
    ["Closing module", "Feedback", "m2.html#feedback"],
  ];
  report("result-list", JSON.stringify(r.map((x) => [x.module, x.heading, x.href])) === JSON.stringify(want),
    JSON.stringify(r));
  const drill = r.find((x) => x.heading === "Greeting drill");
  report("snippet-marked", drill && drill.snippet.includes("<mark>Xylophonic</mark>"), drill && drill.snippet);
  report("listbox-open", await page.evaluate(() =>
    !document.getElementById("coursec-search-results").hidden
    && document.getElementById("coursec-search-input").getAttribute("aria-expanded") === "true"));
  report("status-counts", (await page.textContent("#coursec-search-status")) === "Results: 4",
    await page.textContent("#coursec-search-status"));

  // the open list fits a phone
  await page.setViewportSize({ width: 320, height: 640 });
  report("fits-320px", await page.evaluate(() => document.documentElement.scrollWidth <= 320),
    await page.evaluate(() => document.documentElement.scrollWidth));
  await page.setViewportSize({ width: 1000, height: 800 });

  // arrows move the active option; Escape closes; Enter opens the active one
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const act = await page.evaluate(() => {
    const i = document.getElementById("coursec-search-input");
    const o = document.getElementById(i.getAttribute("aria-activedescendant") || "x");
    return o && o.getAttribute("aria-selected") === "true" ? o.getAttribute("data-href") : null;
  });
  report("arrows-move", act === "m2.html#xylophone-corner", act);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Escape");
  report("escape-closes", await page.evaluate(() =>
    document.getElementById("coursec-search-results").hidden
    && document.getElementById("coursec-search-input").getAttribute("aria-expanded") === "false"
    && !document.getElementById("coursec-search-input").hasAttribute("aria-activedescendant")));
  await query(page, "xylo");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(/m1\.html#greeting-drill$/), page.keyboard.press("Enter")]);
  report("enter-opens", page.url().endsWith("/learner/site/m1.html#greeting-drill"), page.url());

  // folding: accents and case, both ways; prefix (the heading id is the
  // page's own: ast_slug keeps ASCII letters only)
  r = await query(page, "ecole");
  report("accent-folding", r.length && r[0].module === "École de service" && r[0].href === "m1.html#cole-de-service",
    JSON.stringify(r));
  r = await query(page, "ÉCOLE");
  report("case-folding", r.length && r[0].module === "École de service", JSON.stringify(r));
  r = await query(page, "«\u00c9COLE\u2014de»");
  report("punctuation-splits-words", r.length && r[0].module === "École de service", JSON.stringify(r));
  r = await query(page, "résu");
  report("prefix-accented-query", r.length === 1 && r[0].href === "m1.html#wrap" && r[0].snippet.includes("<mark>Résumé</mark>"),
    JSON.stringify(r));
  r = await query(page, "strasse");
  report("sharp-s", r.length === 1 && /<mark>STRASSE<\/mark>.*<mark>Straße<\/mark>/.test(r[0].snippet), JSON.stringify(r));
  r = await query(page, "greet dri");
  report("all-words-prefix", r.length === 1 && r[0].heading === "Greeting drill", JSON.stringify(r));
  r = await query(page, "codeonlyword");
  report("code-not-found", r.length === 0, JSON.stringify(r));

  // the learner edition finds nothing of the facilitator's; the facilitator's does
  for (const w of ["quokkafacil", "wombat", "platypusbox", "narwhalonly", "dingomodel"]) {
    r = await query(page, w);
    report(`learner-finds-no-${w}`, r.length === 0 && (await page.textContent("#coursec-search-status")) === "No results",
      JSON.stringify(r));
  }
  await page.goto(facilitator);
  for (const w of ["quokkafacil", "wombat", "platypusbox", "narwhalonly", "dingomodel"]) {
    r = await query(page, w);
    report(`facilitator-finds-${w}`, r.length === 1 && r[0].href === "m1.html#greeting-drill", JSON.stringify(r));
  }
  // on the index page too
  await page.goto(`file://${out}/learner/site/index.html`);
  r = await query(page, "mallets");
  report("index-page-search", r.length === 1 && r[0].href === "m3.html#xylophone-basics", JSON.stringify(r));
  report("no-page-errors", errors.length === 0, errors.join("; "));
} finally {
  await browser.close();
}
