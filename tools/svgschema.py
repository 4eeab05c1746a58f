#!/usr/bin/env python3
"""Generates compiler/svgschema.c: the SVG 1.1 elements, attributes and
content models that EPUBCheck validates an EPUB's SVG images against, read
from the RELAX NG (compact syntax) schema inside the installed EPUBCheck jar
(com/adobe/epubcheck/schema/30/mod/svg11/svg11-inc.rnc and the modules it
includes), so that coursec refuses what EPUBCheck would refuse.

    python3 tools/svgschema.py [--jar /usr/share/java/epubcheck.jar] > compiler/svgschema.c

What it reads of RELAX NG: definitions (=, |=, &=), includes with
overrides, element and attribute patterns, groups, choices, interleaves, the
?, * and + operators, literals and datatypes. For every SVG element it
writes: the attributes allowed (no namespace, xlink:, xml:) with the kind of
value each takes (any string, one of a few tokens, an XML name, a language
tag, a preserveAspectRatio value), the attributes required, whether text
may stand in it, and its children as a small deterministic automaton over
SVG element names. Elements whose content this cannot express are listed
as refused. Where EPUBCheck's integration adds to the SVG schema
(mod/epub-svg11.rnc: ARIA and epub:type attributes, XHTML in foreignObject)
svgcheck.c has its own narrower rules.
"""
import re
import sys
import zipfile

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
BASE = "com/adobe/epubcheck/schema/30/mod/svg11/"

# ---------------------------------------------------------------- tokenizer

TOKEN = re.compile(r'''
    (?P<ws>\s+|\#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>\|=|&=|[=|&,?*+{}()\[\]~-])
  | (?P<name>\\?[A-Za-z_][\w.\-]*(?::(?:[A-Za-z_][\w.\-]*|\*))?|\*)
''', re.X)


def tokenize(text):
    out, i = [], 0
    while i < len(text):
        m = TOKEN.match(text, i)
        if not m:
            raise SyntaxError("cannot read %r" % text[i:i + 30])
        i = m.end()
        if m.lastgroup == "ws":
            continue
        v = m.group()
        if m.lastgroup == "str":
            v = ("str", re.sub(r"\\x\{([0-9a-fA-F]+)\}", lambda k: chr(int(k.group(1), 16)), v[1:-1]))
        elif m.lastgroup == "name":
            v = ("name", v)
        else:
            v = ("op", v)
        out.append(v)
    out.append(("eof", None))
    return out


# ---------------------------------------------------------------- patterns
# ("element", ns, local|None for any, pat) ("attribute", ns, local, pat)
# ("group", [..]) ("choice", [..]) ("interleave", [..]) ("opt", p) ("star", p)
# ("plus", p) ("ref", name) ("empty",) ("text",) ("notAllowed",)
# ("data", type, params) ("value", type, literal)


class Parser:
    def __init__(self, toks, nsmap, default_ns):
        self.t, self.i = toks, 0
        self.ns = dict(nsmap)
        self.default_ns = default_ns

    def peek(self, k=0):
        return self.t[self.i + k]

    def next(self):
        v = self.t[self.i]
        self.i += 1
        return v

    def expect(self, kind, val=None):
        v = self.next()
        if v[0] != kind or (val is not None and v[1] != val):
            raise SyntaxError("expected %s %s, got %r" % (kind, val, v))
        return v

    def is_op(self, o, k=0):
        v = self.peek(k)
        return v[0] == "op" and v[1] == o

    def is_name(self, n, k=0):
        v = self.peek(k)
        return v[0] == "name" and v[1] == n

    def skip_annotation(self):
        # [ ... ] with nesting
        while self.is_op("["):
            depth = 0
            while True:
                v = self.next()
                if v[0] == "op" and v[1] == "[":
                    depth += 1
                elif v[0] == "op" and v[1] == "]":
                    depth -= 1
                    if depth == 0:
                        break

    def literal(self):
        s = self.expect("str")[1]
        while self.is_op("~"):
            self.next()
            s += self.expect("str")[1]
        return s

    # preamble: namespace/default namespace/datatypes declarations
    def preamble(self):
        while True:
            if self.is_name("namespace"):
                self.next()
                p = self.next()[1]
                self.expect("op", "=")
                self.ns[p] = self.literal()
            elif self.is_name("default") and self.is_name("namespace", 1):
                self.next(), self.next()
                p = None
                if self.peek()[0] == "name":
                    p = self.next()[1]
                self.expect("op", "=")
                u = self.literal()
                self.default_ns = u
                if p:
                    self.ns[p] = u
            elif self.is_name("datatypes"):
                self.next(), self.next()
                self.expect("op", "=")
                self.literal()
            else:
                break

    def grammar_items(self, until):
        items = []
        while True:
            self.skip_annotation()
            v = self.peek()
            if v[0] == "eof" or (v[0] == "op" and v[1] == until):
                return items
            if v[0] == "name" and v[1] == "grammar" and self.is_op("{", 1):
                self.next(), self.next()
                items += self.grammar_items("}")
                self.expect("op", "}")
            elif v[0] == "name" and v[1] == "div" and self.is_op("{", 1):
                self.next(), self.next()
                items += self.grammar_items("}")
                self.expect("op", "}")
            elif v[0] == "name" and v[1] == "include":
                self.next()
                href = self.literal()
                if self.is_name("inherit"):
                    self.next(), self.next(), self.next()
                over = []
                if self.is_op("{"):
                    self.next()
                    over = self.grammar_items("}")
                    self.expect("op", "}")
                items.append(("include", href, over))
            elif v[0] == "name" and ":" in v[1] and self.is_op("[", 1):
                self.next()
                self.skip_annotation()  # a grammar annotation element
            elif v[0] == "name" and self.peek(1)[0] == "op" and self.peek(1)[1] in ("=", "|=", "&="):
                name = self.next()[1].lstrip("\\")
                comb = self.next()[1]
                items.append(("define", name, comb, self.pattern()))
            else:
                raise SyntaxError("unexpected %r" % (v,))

    def pattern(self):
        first = self.particle()
        for op, kind in ((",", "group"), ("|", "choice"), ("&", "interleave")):
            if self.is_op(op):
                parts = [first]
                while self.is_op(op):
                    self.next()
                    parts.append(self.particle())
                return (kind, parts)
        return first

    def particle(self):
        p = self.primary()
        if self.is_op("?"):
            self.next()
            return ("opt", p)
        if self.is_op("*"):
            self.next()
            return ("star", p)
        if self.is_op("+"):
            self.next()
            return ("plus", p)
        return p

    def qname(self, n, attr):
        if n == "*":
            return (None, None)
        if ":" in n:
            p, l = n.split(":", 1)
            if p == "xml":
                uri = XML_NS
            else:
                uri = self.ns[p]
            return (uri, None if l == "*" else l)
        return ("" if attr else self.default_ns, n.lstrip("\\"))

    def name_class(self, attr):
        v = self.next()
        if v[0] == "op" and v[1] == "(":
            names = [self.name_class(attr)]
            while self.is_op("|"):
                self.next()
                names.append(self.name_class(attr))
            self.expect("op", ")")
            return ("names", names)
        nc = self.qname(v[1], attr)
        if self.is_op("-"):
            # `* - svg:*`: any name outside a namespace (foreign markup)
            self.next()
            self.name_class(attr)
            return ("#foreign", None)
        return nc

    def primary(self):
        self.skip_annotation()
        v = self.next()
        if v[0] == "op" and v[1] == "(":
            p = self.pattern()
            self.expect("op", ")")
            return p
        if v[0] == "str":
            self.i -= 1
            return ("value", "token", self.literal())
        n = v[1]
        if n in ("element", "attribute"):
            nc = self.name_class(n == "attribute")
            self.expect("op", "{")
            p = self.pattern()
            self.expect("op", "}")
            if nc[0] == "names":
                return ("choice", [(n, uri, loc, p) for uri, loc in nc[1]])
            return (n, nc[0], nc[1], p)
        if n in ("empty", "text", "notAllowed"):
            return (n,)
        if n in ("list", "mixed"):
            self.expect("op", "{")
            p = self.pattern()
            self.expect("op", "}")
            return ("text",) if n == "list" else ("interleave", [("star", ("text",)), p])
        if n in ("string", "token") or (":" in n and not self.is_op("[")):
            if self.peek()[0] == "str":
                return ("value", n, self.literal())
            params = {}
            if self.is_op("{"):
                self.next()
                while not self.is_op("}"):
                    k = self.next()[1]
                    self.expect("op", "=")
                    params[k] = self.literal()
                self.next()
            return ("data", n, params)
        if n == "parent":
            return ("ref", self.next()[1])
        return ("ref", n.lstrip("\\"))


# ---------------------------------------------------------------- loading


def load(jar, path, nsmap=None, seen=None):
    text = jar.read(path).decode("utf-8")
    p = Parser(tokenize(text), nsmap or {"xsd": "xsd"}, "")
    p.preamble()
    items = p.grammar_items(None)
    defs = []
    for it in items:
        if it[0] == "include":
            inc_path = BASE + it[1] if not it[1].startswith("/") else it[1]
            inner = load(jar, inc_path, p.ns)
            overridden = {d[1] for d in it[2] if d[0] == "define"}
            defs += [d for d in inner if d[1] not in overridden]
            defs += [d for d in it[2] if d[0] == "define"]
        else:
            defs.append(it)
    return defs


def combine(defs):
    table = {}
    for _, name, comb, pat in defs:
        table.setdefault(name, []).append((comb, pat))
    out = {}
    for name, lst in table.items():
        base = [p for c, p in lst if c == "="]
        chs = [p for c, p in lst if c == "|="]
        ils = [p for c, p in lst if c == "&="]
        parts = base[-1:]  # an override replaced earlier ones already
        if chs:
            out[name] = ("choice", parts + chs)
        elif ils:
            out[name] = ("interleave", parts + ils)
        else:
            out[name] = parts[0]
    return out


# ---------------------------------------------------------------- analysis


class Analyzer:
    def __init__(self, defs):
        self.defs = defs
        self.elements = {}  # local name -> list of content patterns

    def deref(self, p, depth=0):
        while p[0] == "ref":
            if p[1] not in self.defs:
                return ("notAllowed",)
            p = self.defs[p[1]]
        return p

    def collect_elements(self, p, seen):
        p = self.deref(p)
        k = p[0]
        if k == "element":
            if p[1] == SVG_NS and p[2]:
                key = (p[2], id(p[3]))
                if key in seen:
                    return
                seen.add(key)
                self.elements.setdefault(p[2], []).append(p[3])
                self.collect_elements(p[3], seen)
            return
        if k in ("group", "choice", "interleave"):
            for c in p[1]:
                self.collect_elements(c, seen)
        elif k in ("opt", "star", "plus"):
            self.collect_elements(p[1], seen)
        elif k == "attribute":
            pass

    # --- attributes
    def attrs(self, p, out, stack=()):
        p0 = p
        if p[0] == "ref":
            if p[1] in stack:
                return
            stack = stack + (p[1],)
        p = self.deref(p)
        k = p[0]
        if k == "attribute":
            out.setdefault((p[1], p[2]), []).append(self.value_kind(p[3]))
        elif k in ("group", "choice", "interleave"):
            for c in p[1]:
                self.attrs(c, out, stack)
        elif k in ("opt", "star", "plus"):
            self.attrs(p[1], out, stack)

    def required(self, p):
        p = self.deref(p)
        k = p[0]
        if k == "attribute":
            return {(p[1], p[2])}
        if k in ("group", "interleave"):
            s = set()
            for c in p[1]:
                s |= self.required(c)
            return s
        if k == "choice":
            sets = [self.required(c) for c in p[1] if self.deref(c)[0] != "notAllowed"]
            return set.intersection(*sets) if sets else set()
        if k == "plus":
            return self.required(p[1])
        return set()

    def value_kind(self, p):
        p = self.deref(p)
        k = p[0]
        if k == "text":
            return ("any",)
        if k == "value":
            return ("enum", p[1], [p[2]])
        if k == "data":
            t = p[1]
            if t == "xsd:ID":
                return ("id",)
            if t == "xsd:language":
                return ("lang",)
            if t == "xsd:NMTOKEN":
                return ("nmtoken",)
            if "pattern" in p[2]:
                if "xMidYMid" in p[2]["pattern"]:
                    return ("aspect",)
                raise ValueError("unknown pattern " + p[2]["pattern"])
            return ("any",)
        if k == "choice":
            kinds = [self.value_kind(c) for c in p[1] if self.deref(c)[0] != "notAllowed"]
            if any(x[0] == "any" for x in kinds):
                return ("any",)
            if all(x[0] == "enum" for x in kinds):
                vals = []
                for x in kinds:
                    vals += x[2]
                return ("enum", "token" if any(x[1] != "string" for x in kinds) else "string", vals)
            if len(kinds) == 2 and {x[0] for x in kinds} == {"lang", "enum"}:
                return ("lang",)
            raise ValueError("mixed value kinds %r" % kinds)
        raise ValueError("unknown value pattern %r" % (p,))

    # --- content as a regular expression over SVG element names
    # ("sym", name) ("eps",) ("none",) ("seq", a, b) ("alt", a, b) ("star", a)
    def content(self, p, stack=()):
        if p[0] == "ref":
            if p[1] in stack:
                raise ValueError("recursive content " + p[1])
            stack = stack + (p[1],)
        p = self.deref(p)
        k = p[0]
        if k == "element":
            if p[1] == SVG_NS and p[2]:
                return ("sym", p[2])
            return ("eps",)  # foreign elements are skipped (NVDL allows them)
        if k in ("attribute", "empty", "text", "value", "data"):
            return ("eps",)
        if k == "notAllowed":
            return ("none",)
        if k == "group":
            r = ("eps",)
            for c in p[1]:
                r = ("seq", r, self.content(c, stack))
            return r
        if k == "choice":
            r = ("none",)
            for c in p[1]:
                r = ("alt", r, self.content(c, stack))
            return r
        if k == "interleave":
            parts = [self.content(c, stack) for c in p[1]]
            r = parts[0]
            for x in parts[1:]:
                r = ("inter", r, x)
            return r
        if k == "opt":
            return ("alt", ("eps",), self.content(p[1], stack))
        if k == "star":
            return ("star", self.content(p[1], stack))
        if k == "plus":
            c = self.content(p[1], stack)
            return ("seq", c, ("star", c))
        raise ValueError("unknown content %r" % (k,))

    def has_text(self, p, stack=()):
        if p[0] == "ref":
            if p[1] in stack:
                return False
            stack = stack + (p[1],)
        p = self.deref(p)
        k = p[0]
        if k == "text":
            return True
        if k in ("group", "choice", "interleave"):
            return any(self.has_text(c, stack) for c in p[1])
        if k in ("opt", "star", "plus"):
            return self.has_text(p[1], stack)
        return False


def is_eps(r):
    if r[0] == "eps":
        return True
    if r[0] == "seq":
        return is_eps(r[1]) and is_eps(r[2])
    if r[0] == "alt":
        return (is_eps(r[1]) or r[1][0] == "none") and (is_eps(r[2]) or r[2][0] == "none") and not (
            r[1][0] == "none" and r[2][0] == "none")
    if r[0] == "star":
        return is_eps(r[1]) or r[1][0] == "none"
    return False


# ---------------------------------------------------------------- automata (Brzozowski derivatives)


def simp(r):
    k = r[0]
    if k == "inter":
        a, b = simp(r[1]), simp(r[2])
        if a[0] == "none" or b[0] == "none":
            return ("none",)
        if a[0] == "eps":
            return b
        if b[0] == "eps":
            return a
        return ("inter",) + tuple(sorted((a, b), key=repr))
    if k == "seq":
        a, b = simp(r[1]), simp(r[2])
        if a[0] == "none" or b[0] == "none":
            return ("none",)
        if a[0] == "eps":
            return b
        if b[0] == "eps":
            return a
        return ("seq", a, b)
    if k == "alt":
        items = set()

        def flat(x):
            if x[0] == "alt":
                flat(x[1]), flat(x[2])
            elif x[0] != "none":
                items.add(x)
        flat(simp(r[1])), flat(simp(r[2]))
        if not items:
            return ("none",)
        items = sorted(items, key=repr)
        out = items[0]
        for x in items[1:]:
            out = ("alt", out, x)
        return out
    if k == "star":
        a = simp(r[1])
        if a[0] in ("eps", "none"):
            return ("eps",)
        if a[0] == "star":
            return a
        return ("star", a)
    return r


def nullable(r):
    k = r[0]
    if k in ("eps", "star"):
        return True
    if k in ("sym", "none"):
        return False
    if k in ("seq", "inter"):
        return nullable(r[1]) and nullable(r[2])
    return nullable(r[1]) or nullable(r[2])


def deriv(r, a):
    k = r[0]
    if k == "sym":
        return ("eps",) if r[1] == a else ("none",)
    if k in ("eps", "none"):
        return ("none",)
    if k == "seq":
        d = ("seq", deriv(r[1], a), r[2])
        return simp(("alt", d, deriv(r[2], a)) if nullable(r[1]) else d)
    if k == "alt":
        return simp(("alt", deriv(r[1], a), deriv(r[2], a)))
    if k == "inter":
        return simp(("alt", ("inter", deriv(r[1], a), r[2]), ("inter", r[1], deriv(r[2], a))))
    if k == "star":
        return simp(("seq", deriv(r[1], a), r))


def symbols(r, out):
    if r[0] == "sym":
        out.add(r[1])
    elif r[0] in ("seq", "alt", "inter"):
        symbols(r[1], out), symbols(r[2], out)
    elif r[0] == "star":
        symbols(r[1], out)


def dfa(r):
    r = simp(r)
    syms = set()
    symbols(r, syms)
    states, index, trans = [r], {r: 0}, []
    i = 0
    while i < len(states):
        s = states[i]
        row = {}
        for a in sorted(syms):
            d = deriv(s, a)
            if d[0] == "none":
                continue
            if d not in index:
                if len(states) > 64:
                    raise ValueError("automaton too large")
                index[d] = len(states)
                states.append(d)
            row[a] = index[d]
        trans.append(row)
        i += 1
    return [nullable(s) for s in states], trans


# ---------------------------------------------------------------- output


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    jarpath = "/usr/share/java/epubcheck.jar"
    if len(sys.argv) > 2 and sys.argv[1] == "--jar":
        jarpath = sys.argv[2]
    jar = zipfile.ZipFile(jarpath)
    defs = combine(load(jar, BASE + "svg11-inc.rnc"))
    an = Analyzer(defs)
    seen = set()
    for name in sorted(defs):
        an.collect_elements(("ref", name), seen)

    rows, refused = [], []
    names = sorted(an.elements)
    for el in names:
        pats = an.elements[el]
        pat = pats[0] if len(pats) == 1 else ("choice", pats)
        attrs = {}
        an.attrs(pat, attrs)
        req = an.required(pat) if len(pats) == 1 else set.intersection(*[an.required(p) for p in pats])
        try:
            acc, trans = dfa(an.content(pat))
        except ValueError as e:
            refused.append((el, str(e)))
            continue
        rows.append((el, attrs, req, an.has_text(pat), acc, trans))

    # value kinds: one table of distinct enumerations
    enums, enum_ix = [], {}
    out = []
    w = out.append
    w("/* svgschema.c — GENERATED by tools/svgschema.py from the SVG 1.1 schema")
    w(" * that EPUBCheck validates EPUB SVG images against (%s" % BASE)
    w(" * svg11-inc.rnc in %s). Do not edit: run the script again. */" % jarpath.split("/")[-1])
    w('#include "svgschema.h"')
    w("#include <stddef.h>")
    w("")
    attr_rows, child_rows, state_rows, elem_rows = [], [], [], []
    for el, attrs, req, text, acc, trans in rows:
        a0 = len(attr_rows)
        for (ns, loc), kinds in sorted(attrs.items(), key=lambda x: (x[0][0] or "", x[0][1] or "")):
            if loc is None:
                continue
            kind = kinds[0]
            for k in kinds[1:]:
                if k != kind:
                    kind = ("any",)
            nsc = {"": "SVGS_NS_NONE", XLINK_NS: "SVGS_NS_XLINK", XML_NS: "SVGS_NS_XML"}.get(ns)
            if nsc is None:
                continue
            ev = -1
            if kind[0] == "enum":
                key = (kind[1], tuple(sorted(set(kind[2]))))
                if key not in enum_ix:
                    enum_ix[key] = len(enums)
                    enums.append(key)
                ev = enum_ix[key]
            kc = {"any": "SVGS_ANY", "enum": "SVGS_ENUM", "id": "SVGS_ID", "lang": "SVGS_LANG",
                  "nmtoken": "SVGS_NMTOKEN", "aspect": "SVGS_ASPECT"}[kind[0]]
            attr_rows.append("    {%s, %s, %s, %d, %d}," % (nsc, cstr(loc), kc, ev, 1 if (ns, loc) in req else 0))
        s0 = len(state_rows)
        for si, row in enumerate(trans):
            c0 = len(child_rows)
            for a, t in sorted(row.items()):
                child_rows.append("    {%s, %d}," % (cstr(a), t))
            state_rows.append("    {%d, %d, %d}," % (c0, len(child_rows) - c0, 1 if acc[si] else 0))
        elem_rows.append("    {%s, %d, %d, %d, %d, %d}," % (cstr(el), a0, len(attr_rows) - a0, s0,
                                                            len(state_rows) - s0, 1 if text else 0))
    w("static const char *const enum_values[] = {")
    enum_rows = []
    vi = 0
    for mode, vals in enums:
        w("    " + ", ".join(cstr(v) for v in vals) + ", NULL,")
        enum_rows.append("    {%d, %d}," % (vi, 1 if mode != "string" else 0))
        vi += len(vals) + 1
    w("};")
    w("const svgs_enum svgs_enums[] = {")
    out += enum_rows
    w("};")
    w("const char *const *const svgs_enum_values = enum_values;")
    w("")
    w("const svgs_attr svgs_attrs[] = {")
    out += attr_rows
    w("};")
    w("")
    w("const svgs_child svgs_children[] = {")
    out += child_rows or ["    {NULL, 0},"]
    w("};")
    w("")
    w("const svgs_state svgs_states[] = {")
    out += state_rows
    w("};")
    w("")
    w("/* sorted by name (svgschema_element searches it) */")
    w("const svgs_element svgs_elements[] = {")
    out += elem_rows
    w("};")
    w("const int svgs_nelements = %d;" % len(elem_rows))
    w("")
    w("/* elements of the schema whose content the generator cannot express: refused */")
    w("const char *const svgs_refused[] = {")
    for el, why in refused:
        w("    %s, /* %s */" % (cstr(el), why))
    w("    NULL,")
    w("};")
    print("\n".join(out))


if __name__ == "__main__":
    main()
