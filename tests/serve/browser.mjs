// The author's loop in a real browser (issue 16): headless Debian chromium
// (playwright-core from tests/.tools) opens a page that `coursec serve` sends,
// the module file is edited on disk, and the new text must appear in the DOM
// without anyone touching the browser, at the same scroll position; a broken
// module shows the overlay with file:line:col and its source line, fixing it
// removes the overlay; the switcher opens the same page in another edition.
//
// usage: node browser.mjs PORT MODULE_FILE PAGE   (run by tests/serve/run.py)
// Prints one line per check, `PASS name` or `FAIL name: detail`.
import { createRequire } from "module";
import { readFileSync, writeFileSync, appendFileSync } from "fs";

const require = createRequire(process.env.TOOLS + "/");
const { chromium } = require("playwright-core");
const [port, moduleFile, pageName] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const GUARD = 60000; // ms: hang guard only

function report(name, ok, detail) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${detail ?? ""}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  page.setDefaultTimeout(GUARD);
  await page.goto(`${base}/facilitator/${pageName}`);
  report("page-loads", (await page.title()).length > 0, await page.title());
  await page.waitForSelector("#coursec-serve-bar a[aria-current]");
  report("switcher-shown", true);

  const original = readFileSync(moduleFile, "utf8");
  await page.evaluate(() => window.scrollTo(0, 300));
  const before = await page.evaluate(() => window.scrollY);
  appendFileSync(moduleFile, "\nThis paragraph arrived by live reload: BROWSER-MARK-1.\n");
  await page.waitForFunction(() => document.body.innerText.includes("BROWSER-MARK-1"), null, { timeout: GUARD });
  report("edit-appears-in-dom", true);
  await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 2, before, { timeout: GUARD })
    .then(() => report("scroll-kept", true))
    .catch(async () => report("scroll-kept", false, `${before} -> ${await page.evaluate(() => window.scrollY)}`));

  appendFileSync(moduleFile, "\n::: answer\nnever closed\n");
  await page.waitForSelector("#coursec-serve-overlay", { timeout: GUARD });
  const text = await page.textContent("#coursec-serve-overlay");
  const file = moduleFile.split("/").pop();
  report("overlay-shows-error", new RegExp(`${file.replace(".", "\\.")}:\\d+:\\d+`).test(text) &&
    text.includes("::: answer"), text.slice(0, 300));
  report("last-good-page-stays", await page.evaluate(() => document.body.innerText.includes("BROWSER-MARK-1")));

  writeFileSync(moduleFile, original + "\nFixed again: BROWSER-MARK-2.\n");
  await page.waitForFunction(() => document.body.innerText.includes("BROWSER-MARK-2"), null, { timeout: GUARD });
  report("fix-reloads", (await page.$("#coursec-serve-overlay")) === null, "overlay still shown");

  await page.click('#coursec-serve-bar a:not([aria-current])');
  await page.waitForLoadState("load");
  const url = new URL(page.url());
  report("switcher-same-page-other-edition",
    !url.pathname.startsWith("/facilitator/") && url.pathname.endsWith(`/${pageName}`), url.pathname);
  writeFileSync(moduleFile, original);
} catch (e) {
  report("browser", false, String(e).split("\n")[0]);
} finally {
  await browser.close();
}
