// Ace by DAISY over several EPUBs in one process (tests/a11y, issue 18): the
// checker of @daisy/ace-cli (@daisy/ace-core with the puppeteer runner, on
// Debian's chromium through PUPPETEER_EXECUTABLE_PATH), one book after
// another, with one browser launched once instead of once per book.
//
// usage: node ace.js OUTDIR EPUB...   (run by tests/a11y/run.py)
// Writes OUTDIR/<n>/report.json for the n-th EPUB (counted from 0) and prints
// one JSON line per book: {"n": n, "ok": true} or {"n": n, "error": "..."}.
"use strict";
const { createRequire } = require("module");
const path = require("path");

const req = createRequire(path.join(process.env.TOOLS, "node_modules", "@daisy", "ace-cli", "package.json"));
const ace = req("@daisy/ace-core");
const runner = req("@daisy/ace-axe-runner-puppeteer");
const logger = req("@daisy/ace-logger");
const GUARD = 300000; // ms per book: hang guard only

// Ace launches and closes its runner for every book; this one keeps the
// first browser until all books are done.
let launched = null;
const shared = {
  concurrency: runner.concurrency,
  launch: () => (launched = launched || runner.launch()),
  close: async () => {},
  run: (...args) => runner.run(...args),
};

async function main() {
  const [outdir, ...epubs] = process.argv.slice(2);
  logger.initLogger({ verbose: false, silent: true, fileName: "ace-tests.log" });
  for (let n = 0; n < epubs.length; n++) {
    const dir = path.join(outdir, String(n));
    let timer;
    try {
      await Promise.race([
        ace(path.resolve(epubs[n]), { cwd: process.cwd(), outdir: dir, tmpdir: dir + "-tmp", verbose: false,
          silent: true, jobId: "", lang: "en" }, shared),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("no report within the hang guard")), GUARD); }),
      ]);
      console.log(JSON.stringify({ n, ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ n, error: String(e && e.message ? e.message : e).slice(0, 1000) }));
    } finally {
      clearTimeout(timer);
    }
  }
  if (launched) {
    await launched;
    await runner.close();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
