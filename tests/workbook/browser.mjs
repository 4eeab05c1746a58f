// The fillable workbook in a real browser (issue 18): headless Debian
// chromium (playwright-core from tests/.tools) opens the learner pages that
// tests/workbook/run.py built, over file://.
//
// usage: node browser.mjs OUT_DIR/wb PAGE_LIST   (run by tests/workbook/run.py)
//   OUT_DIR/wb: the test course's output; PAGE_LIST: a file naming one page
//   per line, each of which must fit 320 px without sideways scrolling.
// Prints one line per check, `PASS name` or `FAIL name: detail`.
import { createRequire } from "module";
import { readFileSync } from "fs";

const require = createRequire(process.env.TOOLS + "/");
const { chromium } = require("playwright-core");
const [out, pageList] = process.argv.slice(2);
const GUARD = 60000; // ms: hang guard only
const learner = `file://${out}/learner/site/m1.html`;
const facilitator = `file://${out}/facilitator/site/m1.html`;

function report(name, ok, detail) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${detail ?? ""}`);
}

// what the learner's fields hold, in page order
const values = (page) => page.evaluate(() =>
  [...document.querySelectorAll("main .module-body input, main .module-body textarea")]
    .map((f) => (f.type === "checkbox" || f.type === "radio" ? f.checked : f.value)));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new", "--allow-file-access-from-files"],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(GUARD);
  await page.goto(learner);
  report("bar-shown", await page.isVisible(".workbook-bar .workbook-clear"), "the clear button is hidden");

  // the keyboard: the skip link first, and it leads to main
  await page.keyboard.press("Tab");
  report("tab-skip-link-first", await page.evaluate(() => document.activeElement.classList.contains("skip-link")),
    await page.evaluate(() => document.activeElement.outerHTML.slice(0, 120)));
  await page.keyboard.press("Enter");
  report("skip-link-to-main", await page.evaluate(() => location.hash === "#top"));

  const blank = page.locator('main input.blank[aria-label="Blank 1"]');
  await blank.fill("typed into a blank");
  await page.locator('main input.blank').nth(1).fill("Sam Trainer");
  const area = page.locator('main textarea[aria-label="Describe the call"]');
  await area.fill("first line\nsecond line");
  await page.getByLabel("gamma").check(); // by its <label>: the name works
  await page.getByLabel("wrong one").check();
  const typed = await values(page);
  await page.reload();
  const restored = await values(page);
  report("restored-after-reload", JSON.stringify(typed) === JSON.stringify(restored),
    `${JSON.stringify(typed)} vs ${JSON.stringify(restored)}`);
  report("restored-values", restored.includes("typed into a blank") && restored.includes("first line\nsecond line")
    && (await page.getByLabel("gamma").isChecked()) && (await page.getByLabel("wrong one").isChecked())
    && !(await page.getByLabel("right one").isChecked()), JSON.stringify(restored));
  const keys = await page.evaluate(() => Object.keys(localStorage));
  report("storage-key", keys.length === 1 && keys[0] === "coursec-workbook|wb|learner|1.2|m1", JSON.stringify(keys));

  // another page of the course keeps its own fields
  await page.goto(`file://${out}/learner/site/m2.html`);
  await page.locator("main input.blank").fill("on page two");
  await page.goto(learner);

  // printed: the typed text is on the printed page
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => {
    const f = document.querySelector('main input.blank[aria-label="Blank 1"]');
    const t = document.querySelector("main textarea");
    const s = getComputedStyle(f);
    return { shown: s.display !== "none" && s.visibility !== "hidden" && f.value,
      area: getComputedStyle(t).display !== "none" && t.value,
      bar: getComputedStyle(document.querySelector(".workbook-bar")).display };
  });
  report("print-shows-typed", printed.shown === "typed into a blank" && printed.area === "first line\nsecond line"
    && printed.bar === "none", JSON.stringify(printed));
  const pdf = await page.pdf({ format: "A4" });
  report("print-pdf", pdf.length > 1000, String(pdf.length));
  await page.emulateMedia({ media: "screen" });

  // the edition that has answers shares no storage with the learner's
  const fpage = await ctx.newPage();
  await fpage.goto(facilitator);
  report("facilitator-no-script", await fpage.evaluate(() =>
    !document.querySelector('script[src*="workbook"]') && !document.querySelector(".workbook-bar")));
  await fpage.close();

  // clear: a dismissed confirmation keeps everything; accepted, all goes
  page.once("dialog", (d) => d.dismiss());
  await page.click(".workbook-clear");
  report("clear-dismissed-keeps", (await values(page)).includes("typed into a blank"));
  page.once("dialog", (d) => d.accept());
  await page.click(".workbook-clear");
  const cleared = await values(page);
  report("clear-empties-fields", cleared.every((v) => v === "" || v === false), JSON.stringify(cleared));
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("coursec-workbook|wb|")));
  report("clear-empties-storage", left.length === 0, JSON.stringify(left));
  await page.reload();
  report("clear-survives-reload", (await values(page)).every((v) => v === "" || v === false));
  await page.goto(`file://${out}/learner/site/m2.html`);
  report("clear-covers-course", (await values(page)).every((v) => v === ""));
  await ctx.close();

  // phones: no page scrolls sideways at 320 px
  const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const np = await narrow.newPage();
  const wide = [];
  for (const p of readFileSync(pageList, "utf8").split("\n").filter(Boolean)) {
    await np.goto("file://" + p);
    const w = await np.evaluate(() => document.documentElement.scrollWidth);
    if (w > 320) wide.push(`${p.split("/").slice(-3).join("/")} (${w}px)`);
  }
  report("fits-320px", wide.length === 0, wide.join(", "));
  await narrow.close();
} catch (e) {
  report("browser", false, String(e).split("\n")[0]);
} finally {
  await browser.close();
}
