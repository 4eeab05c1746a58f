// gift_parse.cjs TOOLS FILE — parses FILE with gift-pegjs (TOOLS/node_modules)
// and prints, one JSON object per line, each question's type, title, id,
// and its answers as the parser read them (text, correct, weight).
// Exit 1 with the parser's message when FILE is not GIFT.
"use strict";
const path = require("path");
const fs = require("fs");
const gift = require(path.resolve(process.argv[2], "node_modules", "gift-pegjs"));
const text = fs.readFileSync(process.argv[3], "utf8");
let qs;
try {
  qs = gift.parse(text);
} catch (e) {
  const where = e.location ? ` at line ${e.location.start.line}, column ${e.location.start.column}` : "";
  console.error(`gift-pegjs: ${e.message}${where}`);
  process.exit(1);
}
for (const q of qs) {
  const out = { type: q.type, title: q.title, id: q.id || null };
  if (q.stem) out.stem = q.stem.text;
  if (q.choices) {
    out.choices = q.choices.map((c) => ({ text: c.text.text, correct: c.isCorrect, weight: c.weight }));
  }
  if (q.globalFeedback) out.feedback = q.globalFeedback.text;
  console.log(JSON.stringify(out));
}
