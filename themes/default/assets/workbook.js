/* coursec default theme — the fillable workbook (docs/markup.md).
 * Only pages of editions without answers load this script. What a learner
 * types into blanks and response areas and ticks in choices is kept in this
 * browser's localStorage, under one key per module page:
 *   coursec-workbook|<course id>|<edition>|<version>|<module id>
 * holding {"<field number in the page>": text, or true/false for a box
 * the learner changed from how the page shows it}. Nothing is
 * sent anywhere, and nothing is checked: the page holds no answer to check
 * against. The "Clear my answers" button removes every key of this course,
 * edition and version after a confirmation. */
(function () {
  "use strict";
  var bar = document.querySelector(".workbook-bar");
  var body = document.querySelector("main .module-body");
  var main = document.querySelector("main[data-module]");
  if (!bar || !body || !main) return;
  var store;
  try {
    store = window.localStorage;
    var probe = "coursec-workbook|probe";
    store.setItem(probe, "1");
    store.removeItem(probe);
  } catch (e) {
    return; /* no storage (a private window, a policy): fields still work, nothing is kept */
  }
  var prefix = ["coursec-workbook", bar.getAttribute("data-course"), bar.getAttribute("data-edition"),
    bar.getAttribute("data-version")].join("|") + "|";
  var key = prefix + main.getAttribute("data-module");

  function fields() {
    return body.querySelectorAll("input, textarea, select");
  }

  function isBox(f) {
    return f.type === "checkbox" || f.type === "radio";
  }

  /* a field grows with what is written, so that all of it shows and
   * prints: a response area in height, a blank in width (never below the
   * width the author gave it; the stylesheet caps it at the line's) */
  function fit(f) {
    if (f.tagName === "TEXTAREA") {
      f.style.height = "";
      if (f.scrollHeight > f.clientHeight) f.style.height = f.scrollHeight + 2 + "px";
      return;
    }
    if (isBox(f)) return;
    if (!f.hasAttribute("data-ch")) f.setAttribute("data-ch", parseInt(f.style.width, 10) || 0);
    var base = +f.getAttribute("data-ch");
    if (base > 0) f.style.width = Math.max(base, f.value.length + 2) + "ch";
  }

  function save() {
    var all = fields(), data = {}, any = false;
    for (var i = 0; i < all.length; i++) {
      var f = all[i];
      if (isBox(f)) {
        if (f.checked !== f.defaultChecked) data[i] = f.checked, any = true;
      } else if (f.value !== "") {
        data[i] = f.value;
        any = true;
      }
    }
    try {
      if (any) store.setItem(key, JSON.stringify(data));
      else store.removeItem(key);
    } catch (e) { /* storage full: what is on the page stays on the page */ }
  }

  function restore() {
    var data = null;
    try {
      data = JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      data = null;
    }
    if (!data || typeof data !== "object") return;
    var all = fields();
    for (var i = 0; i < all.length; i++) {
      var f = all[i], v = data[i];
      if (v === undefined) continue;
      if (isBox(f)) {
        if (typeof v === "boolean") f.checked = v;
      }
      else if (typeof v === "string") f.value = v, fit(f);
    }
  }

  function clearAll() {
    var doomed = [];
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && k.indexOf(prefix) === 0) doomed.push(k);
    }
    for (var j = 0; j < doomed.length; j++) store.removeItem(doomed[j]);
    var all = fields();
    for (var n = 0; n < all.length; n++) {
      if (isBox(all[n])) all[n].checked = all[n].defaultChecked;
      else all[n].value = "", fit(all[n]);
    }
  }

  restore();
  body.addEventListener("input", function (e) {
    fit(e.target);
    save();
  });
  body.addEventListener("change", save);
  var button = bar.querySelector(".workbook-clear");
  if (button) {
    button.addEventListener("click", function () {
      if (window.confirm(button.getAttribute("data-confirm") || "")) clearAll();
    });
  }
  bar.hidden = false;
})();
