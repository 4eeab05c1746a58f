// The SCORM runtime (themes/default/assets/scorm.js) in a real browser
// (issue 20): headless Debian chromium (playwright-core from tests/.tools)
// opens module pages of the package tests/scorm/run.py unzipped, served over
// HTTP on 127.0.0.1 with tests/scorm/lms.html (scorm-again's Scorm12API as
// window.API) beside them: frames across file:// pages are blocked.
//
// usage: node browser.mjs CONFIG   (run by tests/scorm/run.py)
//   CONFIG: JSON {base, file, long, short, demo}: the server's URL, the same
//   folder as a file:// URL, the long and short module pages of the test
//   package under pkg/, the first page of the demo course's package under
//   demo/ ("" when it was not built).
// Prints one line per check, `PASS name` or `FAIL name: detail`.
import { createRequire } from "module";

const require = createRequire(process.env.TOOLS + "/");
const { chromium } = require("playwright-core");
const cfg = JSON.parse(process.argv[2]);
const GUARD = 60000; // ms: hang guard only

function report(name, ok, detail) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${detail ?? ""}`);
}

// every page error and console error of a page (its frames included)
function watch(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  return errors;
}

const calls = (page) => page.evaluate(() => window.calls);
const sets = (cs, el) => cs.filter((c) => c[0] === "LMSSetValue" && c[1] === el).map((c) => c[2]);
const idx = (cs, pred) => cs.findIndex(pred);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new", "--allow-file-access-from-files"],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });

  // 1. the long module in the LMS's frame
  const page = await ctx.newPage();
  page.setDefaultTimeout(GUARD);
  const errs = watch(page);
  await page.goto(`${cfg.base}/lms.html?sco=pkg/${cfg.long}`);
  await page.waitForFunction(() => window.calls.some((c) => c[0] === "LMSCommit"));
  const frame = page.frame({ url: `${cfg.base}/pkg/${cfg.long}` });
  // two frames drawn: an observer that would fire for a visible end has fired
  await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  let cs = await calls(page);
  report("initialize-first", cs.length && cs[0][0] === "LMSInitialize" && cs[0][1] === "" && cs[0][3] === "true",
    JSON.stringify(cs[0]));
  report("location-set", JSON.stringify(sets(cs, "cmi.core.lesson_location")) === JSON.stringify([cfg.long]),
    JSON.stringify(sets(cs, "cmi.core.lesson_location")));
  report("status-incomplete-at-start", JSON.stringify(await page.evaluate(() => window.statuses)) === '["incomplete"]',
    JSON.stringify(await page.evaluate(() => window.statuses)));
  report("sets-accepted", cs.filter((c) => c[0] === "LMSSetValue" || c[0] === "LMSCommit").every((c) => c[3] === "true"),
    JSON.stringify(cs));
  report("not-finished-yet", !cs.some((c) => c[0] === "LMSFinish"));

  // an anchor: the location follows
  const anchor = await frame.evaluate(() => document.querySelector("main h2[id]")?.id);
  await frame.evaluate((a) => { location.hash = "#" + a; }, anchor);
  await page.waitForFunction((l) => window.calls.some((c) => c[1] === "cmi.core.lesson_location" && c[2] === l),
    `${cfg.long}#${anchor}`).then(() => report("location-follows-anchor", !!anchor),
    (e) => report("location-follows-anchor", false, e.message));
  cs = await calls(page);
  report("not-completed-before-end", !(await page.evaluate(() => window.statuses)).includes("completed"),
    JSON.stringify(await page.evaluate(() => window.statuses)));

  // scrolled to the end: completed, committed
  await frame.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction(() => window.statuses.includes("completed"))
    .then(() => report("completed-at-end", true), (e) => report("completed-at-end", false, e.message));
  cs = await calls(page);
  const done = idx(cs, (c) => c[1] === "cmi.core.lesson_status" && c[2] === "completed");
  report("commit-after-completed", done >= 0 && cs.slice(done + 1).some((c) => c[0] === "LMSCommit"), JSON.stringify(cs));

  // away from the page: exit, time, commit, finish, nothing after
  await page.evaluate(() => { document.getElementById("sco").src = "about:blank"; });
  await page.waitForFunction(() => window.calls.some((c) => c[0] === "LMSFinish"))
    .then(() => report("finish-on-leave", true), (e) => report("finish-on-leave", false, e.message));
  cs = await calls(page);
  const fin = idx(cs, (c) => c[0] === "LMSFinish");
  report("finish-last", fin === cs.length - 1 && cs[fin][3] === "true", JSON.stringify(cs.slice(-4)));
  report("exit-and-time-before-finish", JSON.stringify(sets(cs, "cmi.core.exit")) === '[""]'
    && /^\d\d:\d\d:\d\d$/.test(sets(cs, "cmi.core.session_time")[0] ?? "")
    && cs[fin - 1][0] === "LMSCommit", JSON.stringify(cs.slice(-5)));
  report("final-status-completed", await page.evaluate(() => window.API.cmi.core.lesson_status === "completed"),
    await page.evaluate(() => window.API.cmi.core.lesson_status));
  report("lms-page-no-errors", errs.length === 0, errs.join(" | "));

  // 2. a short module: its end is on screen at once
  const p2 = await ctx.newPage();
  const errs2 = watch(p2);
  await p2.goto(`${cfg.base}/lms.html?sco=pkg/${cfg.short}`);
  await p2.waitForFunction(() => window.statuses.includes("completed"))
    .then(() => report("short-completed-at-once", true), (e) => report("short-completed-at-once", false, e.message));
  report("short-status-sequence", JSON.stringify(await p2.evaluate(() => window.statuses)) === '["incomplete","completed"]',
    JSON.stringify(await p2.evaluate(() => window.statuses)));
  await p2.evaluate(() => { document.getElementById("sco").src = "about:blank"; });
  await p2.waitForFunction(() => window.calls.some((c) => c[0] === "LMSFinish"));
  report("short-no-errors", errs2.length === 0, errs2.join(" | "));
  await p2.close();

  // 2b. a learner back in an unfinished module: where they left it
  const p2b = await ctx.newPage();
  const errs2b = watch(p2b);
  await p2b.goto(`${cfg.base}/lms.html?sco=pkg/${cfg.long}&status=incomplete&entry=resume&location=` +
    encodeURIComponent(`${cfg.long}#part-20`));
  await p2b.waitForFunction(() => window.calls.some((c) => c[0] === "LMSCommit"));
  const f2b = p2b.frame({ url: `${cfg.base}/pkg/${cfg.long}` });
  const top = await f2b.evaluate(() => document.getElementById("part-20").getBoundingClientRect().top);
  report("resume-scrolls-back", Math.abs(top) < 50 && (await f2b.evaluate(() => window.scrollY)) > 1000, top);
  report("resume-no-errors", errs2b.length === 0, errs2b.join(" | "));
  await p2b.close();

  // 2c. a module completed before stays completed
  const p2c = await ctx.newPage();
  await p2c.goto(`${cfg.base}/lms.html?sco=pkg/${cfg.long}&status=completed`);
  await p2c.waitForFunction(() => window.calls.some((c) => c[0] === "LMSCommit"));
  await p2c.evaluate(() => { document.getElementById("sco").src = "about:blank"; });
  await p2c.waitForFunction(() => window.calls.some((c) => c[0] === "LMSFinish"));
  const cs2c = await calls(p2c);
  report("completed-stays-completed", sets(cs2c, "cmi.core.lesson_status").length === 0
    && (await p2c.evaluate(() => window.API.cmi.core.lesson_status)) === "completed"
    && JSON.stringify(sets(cs2c, "cmi.core.exit")) === '[""]', JSON.stringify(cs2c));
  await p2c.close();

  // 3. an LMS that opens the module in a window of its own: found via opener
  const p3 = await ctx.newPage();
  const errs3 = watch(p3);
  const popup = p3.waitForEvent("popup");
  await p3.goto(`${cfg.base}/lms.html?open=pkg/${cfg.long}`);
  const win = await popup;
  const errs3b = watch(win);
  await p3.waitForFunction(() => window.calls.some((c) => c[1] === "cmi.core.lesson_location"))
    .then(() => report("opener-api-found", true), (e) => report("opener-api-found", false, e.message));
  await win.close({ runBeforeUnload: true });
  await p3.waitForFunction(() => window.calls.some((c) => c[0] === "LMSFinish"))
    .then(() => report("opener-finish-on-close", true), (e) => report("opener-finish-on-close", false, e.message));
  report("opener-no-errors", errs3.length + errs3b.length === 0, errs3.concat(errs3b).join(" | "));
  await p3.close();

  // 4. an example course's first module in the LMS
  if (cfg.demo) {
    const p4 = await ctx.newPage();
    const errs4 = watch(p4);
    await p4.goto(`${cfg.base}/lms.html?sco=demo/${cfg.demo}`);
    await p4.waitForFunction(() => window.calls.some((c) => c[0] === "LMSCommit"));
    const f4 = p4.frame({ url: `${cfg.base}/demo/${cfg.demo}` });
    await f4.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await p4.waitForFunction(() => window.statuses.includes("completed"));
    await p4.evaluate(() => { document.getElementById("sco").src = "about:blank"; });
    await p4.waitForFunction(() => window.calls.some((c) => c[0] === "LMSFinish"))
      .then(() => report("demo-reported", true), (e) => report("demo-reported", false, e.message));
    report("demo-no-errors", errs4.length === 0, errs4.join(" | "));
    await p4.close();
  } else {
    report("demo-reported", false, "the demo package was not built");
  }

  // 5. no LMS: plain browsing over http and file://, nothing goes wrong
  for (const [name, url] of [["http", `${cfg.base}/pkg/${cfg.long}`], ["file", `${cfg.file}/pkg/${cfg.long}`]]) {
    const p5 = await ctx.newPage();
    const errs5 = watch(p5);
    await p5.goto(url);
    await p5.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await p5.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await p5.goto("about:blank");
    report(`no-lms-${name}-no-errors`, errs5.length === 0, errs5.join(" | "));
    await p5.close();
  }
} finally {
  await browser.close();
}
