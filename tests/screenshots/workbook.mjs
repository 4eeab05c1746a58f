// The fillable workbook for tests/screenshots/take.sh: headless Debian
// chromium (playwright-core from tests/.tools) opens the demo course's
// learner page practice.html over file:// and writes
//   OUT/workbook-390.png    the page on a 390 px phone, from "Self-check" on
//   OUT/workbook-typed.png  the same section at 1000 px, boxes ticked and
//                           blanks typed into as a learner would
//   PDF                     that page printed (print media, A4), with what
//                           was typed: take.sh renders its worksheet page
//
// usage: node workbook.mjs SITE_DIR OUT_DIR PDF   (TOOLS: tests/.tools)
import { createRequire } from "module";

const require = createRequire(process.env.TOOLS + "/");
const { chromium } = require("playwright-core");
const [site, out, pdf] = process.argv.slice(2);
const url = `file://${site}/practice.html`;

// the part of the page from heading `from` to heading `to` (full page)
async function section(page, from, to) {
  return page.evaluate(([a, b]) => {
    const y = (id) => document.getElementById(id).getBoundingClientRect().top + window.scrollY;
    const top = Math.max(0, y(a) - 16);
    return { x: 0, y: top, width: document.documentElement.clientWidth, height: y(b) - top };
  }, [from, to]);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
try {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  await phone.goto(url);
  await phone.screenshot({ path: `${out}/workbook-390.png`, fullPage: true,
    clip: await section(phone, "self-check", "wrap-up") });
  await phone.close();

  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  await page.goto(url);
  await page.getByLabel("Yes").check();
  await page.getByLabel("The organization's name").check();
  await page.getByLabel("Your name").check();
  const typed = ["Dana Whitfield", "Invoice twice", "Refund by Friday", "Good morning, Sam speaking",
    "How can I help?", "Thanks for calling"];
  const blanks = page.locator('main input.blank[aria-label^="Blank"]');
  for (let i = 0; i < typed.length; i++) await blanks.nth(i).fill(typed[i]);
  await page.getByLabel("Follow up date:").fill("12 Dec");
  await page.reload(); // what is shown next comes back from the browser's storage
  await page.screenshot({ path: `${out}/workbook-typed.png`, fullPage: true,
    clip: await section(page, "self-check", "wrap-up") });
  await page.emulateMedia({ media: "print" });
  await page.pdf({ path: pdf, format: "A4", printBackground: true });
  await page.close();
} finally {
  await browser.close();
}
