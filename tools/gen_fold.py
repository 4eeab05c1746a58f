#!/usr/bin/python3
"""Writes compiler/foldtab.h, the search's fold table (compiler/fold.c):
for each code point of the Latin, Greek and Cyrillic blocks whose folded
form is not itself, that form: canonical decomposition without its
combining marks, lower case, plus the letters that do not decompose
(ß → ss, æ → ae, ø → o, ł → l, ...). Combining marks, the soft hyphen and
zero-width characters fold to nothing. Run: python3 tools/gen_fold.py
"""
import os, unicodedata

EXTRA = {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
         "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "þ": "th", "Þ": "th",
         "ı": "i", "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ŀ": "l", "Ŀ": "l", "ς": "σ",
         "ƒ": "f", "ǥ": "g", "Ǥ": "g", "ɨ": "i", "ƚ": "l", "ƶ": "z", "Ƶ": "z"}
RANGES = [(0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x1E00, 0x1EFF)]
EMPTY = list(range(0x0300, 0x0370)) + [0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]


def fold(ch):
    if ch in EXTRA:
        return EXTRA[ch]
    d = unicodedata.normalize("NFD", ch)
    d = "".join(c for c in d if unicodedata.category(c) != "Mn")
    out = "".join(EXTRA.get(c, c) for c in d.lower())
    # only letter-for-letter folds: a compatibility form or a case mapping
    # to several characters (İ → i̇) keeps to its own first letter
    return out if out else ch


rows = {cp: "" for cp in EMPTY}
for lo, hi in RANGES:
    for cp in range(lo, hi + 1):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Mn"):
            continue
        f = fold(ch)
        if f != ch:
            rows[cp] = f


def c_str(s):
    return '"' + "".join("\\x%02x" % b for b in s.encode()) + '"'


here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "compiler", "foldtab.h"), "w") as f:
    f.write("/* foldtab.h — made by tools/gen_fold.py (Unicode %s); included by fold.c\n"
            " * only: code point, its folded UTF-8 (\"\" folds to nothing). */\n" % unicodedata.unidata_version)
    for cp in sorted(rows):
        f.write("{0x%04X, %s},\n" % (cp, c_str(rows[cp])))
print(len(rows), "rows")
