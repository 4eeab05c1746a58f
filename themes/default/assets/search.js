/* coursec default theme — search in the site, offline (docs/search.md).
 * The edition's index, site/_search.js (written by coursec from the same
 * guarded trees as the pages: compiler/search.h has its format), is loaded
 * with a <script> element the first time the search box gets focus, so it
 * works from file:// and needs no server. A query is split and folded as
 * the index's terms were (the fold table comes with the index); every word
 * of it must match the start of a term of a section (prefix matching);
 * sections rank by where the words are (module title > heading > text) and
 * then by their order in the course.
 *
 * Our own client rather than a library such as MiniSearch: the index is
 * made at build time in C, so the client has no indexing code and builds
 * no per-term objects: the index is a few sorted strings, split once, and
 * a query is a binary search plus a decode of the matching postings.
 *
 * Keyboard: `/` focuses the box unless focus is in a text field; Down/Up
 * move through the results, Enter opens one, Escape closes them (again:
 * empties the box). The box is an ARIA combobox with a listbox popup. */
(function () {
  "use strict";
  var input = document.getElementById("coursec-search-input");
  var list = document.getElementById("coursec-search-results");
  var status = document.getElementById("coursec-search-status");
  if (!input || !list || !status) return;
  var MAX = 10, SNIP = 90, TERM_CPS = 32;
  var W_FIELD = [1, 4, 8]; /* text, heading, module title */
  var idx = null, state = "", active = -1, results = [];

  /* ---- the index ------------------------------------------------------------ */

  function prepare(raw) {
    var fold = {};
    raw.fold.split(" ").forEach(function (row) {
      var c = String.fromCodePoint(row.codePointAt(0));
      fold[c] = row.slice(c.length);
    });
    var code = new Int8Array(128).fill(-1);
    var more = "ABCDEFGHIJKLMNOPQRSTUVWXYZ()*+,-", last = "0123456789abcdefghijklmnopqrstuv";
    for (var i = 0; i < 32; i++) code[more.charCodeAt(i)] = i + 32, code[last.charCodeAt(i)] = i;
    return {
      fold: fold, code: code, pages: raw.pages, sections: raw.sections, text: raw.text,
      terms: raw.terms ? raw.terms.split(" ") : [], postings: raw.postings ? raw.postings.split(" ") : []
    };
  }

  function load() {
    if (state) return;
    state = "loading";
    input.setAttribute("aria-busy", "true");
    var s = document.createElement("script");
    s.src = input.getAttribute("data-index");
    s.onload = function () {
      idx = window.coursecSearch ? prepare(window.coursecSearch) : null;
      state = idx ? "ready" : "failed";
      input.removeAttribute("aria-busy");
      input.setAttribute("data-state", state);
      if (input.value) run();
    };
    s.onerror = function () {
      state = "failed";
      input.removeAttribute("aria-busy");
      input.setAttribute("data-state", state);
    };
    document.head.appendChild(s);
  }

  /* ---- words, as compiler/fold.c splits them -------------------------------- */

  function isWord(c) {
    if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (c <= 0xBF) return c === 0xAA || c === 0xB5 || c === 0xBA;
    if (c === 0xD7 || c === 0xF7) return false;
    if (c >= 0x2000 && c <= 0x2BFF) return false;
    if (c >= 0x2E00 && c <= 0x2E7F) return false;
    if (c >= 0x3000 && c <= 0x303F) return false;
    if (c >= 0xE000 && c <= 0xF8FF) return false;
    if (c >= 0xFE00 && c <= 0xFE0F) return false;
    if (c === 0xFEFF) return false;
    if ((c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
        (c >= 0xFF5B && c <= 0xFF65)) return false;
    if (c >= 0x1F000 && c <= 0x1FAFF) return false;
    return true;
  }

  function foldChar(ch) {
    var f = idx.fold[ch];
    if (f !== undefined) return f;
    var c = ch.codePointAt(0);
    return c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch;
  }

  /* The words of s, folded, each as {t: term, from, to: its span in s}. */
  function words(s) {
    var out = [], cur = "", n = 0, from = -1, i = 0;
    function end(at) {
      if (cur) out.push({t: cur, from: from, to: at});
      cur = "", n = 0, from = -1;
    }
    while (i <= s.length) {
      var ch = i < s.length ? String.fromCodePoint(s.codePointAt(i)) : " ";
      var f = i < s.length ? foldChar(ch) : " ";
      for (var k = 0; k < f.length;) {
        var c = f.codePointAt(k);
        if (isWord(c)) {
          if (from < 0) from = i;
          if (n < TERM_CPS) cur += String.fromCodePoint(c), n++;
        } else {
          end(i);
        }
        k += c > 0xFFFF ? 2 : 1;
      }
      i += ch.length;
    }
    return out;
  }

  /* ---- finding -------------------------------------------------------------- */

  function lowerBound(terms, q) {
    var lo = 0, hi = terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (terms[mid] < q) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* Into best[]: for each section a term starting with q is in, the best
   * weight there; the sections met, once each, in touched. */
  function match(q, best, touched) {
    for (var t = lowerBound(idx.terms, q); t < idx.terms.length && idx.terms[t].startsWith(q); t++) {
      var p = idx.postings[t], sec = -1, acc = 0, exact = idx.terms[t] === q ? 2 : 1;
      for (var i = 0; i < p.length; i++) {
        var d = idx.code[p.charCodeAt(i)];
        if (d >= 32) {
          acc = acc * 32 + d - 32;
          continue;
        }
        var v = acc * 32 + d;
        acc = 0;
        sec += v >> 2;
        var w = W_FIELD[v & 3] * exact;
        if (best[sec] === 0) touched.push(sec);
        if (best[sec] < w) best[sec] = w;
      }
    }
  }

  /* The best MAX sections that hold every word of the query (each as the
   * start of a term): the highest score first, then course order. */
  function search(query) {
    /* at most 32 words: a Uint8Array counts them */
    var qs = words(query).slice(0, 32).map(function (w) { return w.t; });
    if (!qs.length) return [];
    var n = idx.text.length, score = new Float64Array(n), hits = new Uint8Array(n), top = [];
    for (var k = 0; k < qs.length; k++) {
      var best = new Float64Array(n), touched = [];
      match(qs[k], best, touched);
      for (var i = 0; i < touched.length; i++) {
        var sec = touched[i];
        if (hits[sec] !== k) continue;
        hits[sec] = k + 1;
        score[sec] += best[sec];
        if (k + 1 < qs.length) continue;
        /* a section that holds every word: into the top list if it ranks */
        var at = top.length;
        for (; at > 0; at--) {
          var prev = top[at - 1], ps = score[prev];
          if (ps > score[sec] || (ps === score[sec] && prev < sec)) break;
        }
        if (at < MAX) {
          top.splice(at, 0, sec);
          if (top.length > MAX) top.pop();
        }
      }
    }
    return top.map(function (sec) { return {sec: sec, terms: qs}; });
  }

  /* ---- showing -------------------------------------------------------------- */

  /* text with the words that start with a query word marked, around the
   * first of them */
  function snippet(el, text, qs) {
    var ws = words(text).filter(function (w) {
      return qs.some(function (q) { return w.t.startsWith(q); });
    });
    var at = ws.length ? ws[0].from : 0;
    var from = Math.max(0, at - SNIP / 3), to = Math.min(text.length, from + SNIP);
    while (from > 0 && text.charAt(from - 1) !== " ") from--;
    while (to < text.length && text.charAt(to) !== " ") to++;
    if (from > 0) el.appendChild(document.createTextNode("\u2026"));
    var pos = from;
    ws.forEach(function (w) {
      if (w.from < pos || w.to > to) return;
      el.appendChild(document.createTextNode(text.slice(pos, w.from)));
      var m = document.createElement("mark");
      m.textContent = text.slice(w.from, w.to);
      el.appendChild(m);
      pos = w.to;
    });
    el.appendChild(document.createTextNode(text.slice(pos, to)));
    if (to < text.length) el.appendChild(document.createTextNode("\u2026"));
  }

  /* the index's flat lists: pages (id, title) and sections (page,
   * anchor, heading) */
  function section(sec) {
    var at = 3 * sec, page = idx.sections[at];
    return {id: idx.pages[2 * page], title: idx.pages[2 * page + 1], anchor: idx.sections[at + 1],
      heading: idx.sections[at + 2]};
  }

  function href(s) {
    return encodeURIComponent(s.id) + ".html" + (s.anchor ? "#" + encodeURIComponent(s.anchor) : "");
  }

  function open(on) {
    list.hidden = !on;
    input.setAttribute("aria-expanded", on ? "true" : "false");
    if (!on) select(-1);
  }

  function select(i) {
    var items = list.children;
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = i;
    if (i >= 0 && items[i]) {
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      items[i].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function run() {
    var q = input.value;
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!idx || !q.trim()) {
      results = [];
      open(false);
      status.textContent = "";
      return;
    }
    results = search(q);
    results.forEach(function (r, i) {
      var s = section(r.sec), li = document.createElement("li");
      li.id = "coursec-search-result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-href", href(s));
      var mod = document.createElement("span");
      mod.className = "search-module";
      mod.textContent = s.title;
      li.appendChild(mod);
      if (s.heading && s.heading !== s.title) {
        var h = document.createElement("span");
        h.className = "search-heading";
        h.textContent = s.heading;
        li.appendChild(h);
      }
      if (idx.text[r.sec]) {
        var sn = document.createElement("span");
        sn.className = "search-snippet";
        snippet(sn, idx.text[r.sec], r.terms);
        li.appendChild(sn);
      }
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { go(i); });
      list.appendChild(li);
    });
    var n = results.length;
    status.textContent = n ? input.getAttribute("data-count").replace("{n}", n) : input.getAttribute("data-none");
    open(n > 0);
  }

  function go(i) {
    if (i < 0 || !list.children[i]) return;
    window.location.href = list.children[i].getAttribute("data-href");
  }

  /* ---- keys ----------------------------------------------------------------- */

  function inTextField(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !/^(checkbox|radio|button|submit|reset|image|file|range|color)$/i.test(el.type);
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (inTextField(document.activeElement)) return;
    e.preventDefault();
    input.focus();
  });

  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    load();
    run();
  });
  input.addEventListener("keydown", function (e) {
    var n = list.children.length;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden && n) open(true);
      if (n) select(active < n - 1 ? active + 1 : 0);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (n) select(active > 0 ? active - 1 : n - 1);
    } else if (e.key === "Enter") {
      if (!list.hidden && n) {
        e.preventDefault();
        go(active >= 0 ? active : 0);
      }
    } else if (e.key === "Escape") {
      if (!list.hidden) {
        e.preventDefault();
        open(false);
      } else if (input.value) {
        e.preventDefault();
        input.value = "";
        run();
      }
    }
  });
  input.addEventListener("blur", function () { open(false); });
  input.addEventListener("click", function () {
    if (list.hidden && list.children.length) open(true);
  });
})();
