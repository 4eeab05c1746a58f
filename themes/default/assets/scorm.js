/* coursec default theme — the SCORM 1.2 runtime (docs/lms.md). Only the
 * module pages of a site built as a SCORM package (`-f scorm`) load this
 * script. It finds the LMS's API object by the SCORM 1.2 discovery rules
 * (the `API` of this window's parents, at most 7 levels up, then of the
 * opener and its parents), and reports:
 *   LMSInitialize("") when the page opens;
 *   cmi.core.lesson_location  "<module id>.html" and the anchor the learner
 *                             is at ("#section"), as it changes;
 *   cmi.core.lesson_status    "incomplete" at the start (a module already
 *                             completed or passed stays so), "completed"
 *                             once the end of the module has been on screen;
 *   cmi.core.exit, cmi.core.session_time, LMSCommit and LMSFinish when the
 *                             page goes away (pagehide; unload where there is none).
 * No score: the page holds no answer to score against. With no LMS (plain
 * browsing, file://) it does nothing. */
(function () {
  "use strict";
  var main = document.querySelector("main[data-module]");
  if (!main) return;

  /* The API in win or one of its parents; a frame of another origin
   * throws on access, and the search goes on above it. */
  function findAPI(win) {
    for (var tries = 0; win && tries <= 7; tries++) {
      try {
        if (win.API && typeof win.API.LMSInitialize === "function") return win.API;
      } catch (e) { /* another origin */ }
      var up = null;
      try {
        up = win.parent;
      } catch (e) { up = null; }
      if (!up || up === win) return null;
      win = up;
    }
    return null;
  }

  var api = findAPI(window);
  if (!api) {
    try {
      if (window.opener) api = findAPI(window.opener);
    } catch (e) { api = null; }
  }
  if (!api) return;

  function call(name, a, b) {
    try {
      var r = b === undefined ? api[name](a) : api[name](a, b);
      return r === undefined || r === null ? "" : String(r);
    } catch (e) {
      return "";
    }
  }

  if (call("LMSInitialize", "") !== "true") return;
  var finished = false;
  var completed = false;
  var started = Date.now();
  var page = main.getAttribute("data-module") + ".html";

  function setLocation() {
    var hash = window.location.hash || "";
    call("LMSSetValue", "cmi.core.lesson_location", (page + hash).slice(0, 255));
  }

  var status = call("LMSGetValue", "cmi.core.lesson_status");
  if (status === "completed" || status === "passed") {
    completed = true;
  } else {
    call("LMSSetValue", "cmi.core.lesson_status", "incomplete");
  }
  /* back where the learner left this module, when the LMS resumes it */
  var kept = call("LMSGetValue", "cmi.core.lesson_location");
  if (!window.location.hash && call("LMSGetValue", "cmi.core.entry") === "resume" &&
      kept.indexOf(page + "#") === 0) {
    var target = null;
    try {
      target = document.getElementById(decodeURIComponent(kept.slice(page.length + 1)));
    } catch (e) { target = null; }
    if (target) target.scrollIntoView();
  }
  setLocation();
  call("LMSCommit", "");
  window.addEventListener("hashchange", setLocation);

  function complete() {
    if (completed || finished) return;
    completed = true;
    call("LMSSetValue", "cmi.core.lesson_status", "completed");
    call("LMSCommit", "");
  }

  /* The end of the module: a line after everything the page shows of it. */
  var end = document.createElement("div");
  end.className = "scorm-end";
  end.setAttribute("aria-hidden", "true");
  end.style.height = "1px";
  main.appendChild(end);
  if (!completed) {
    if (typeof window.IntersectionObserver === "function") {
      var seen = new window.IntersectionObserver(function (entries) {
        for (var i = 0; i < entries.length; i++) {
          if (entries[i].isIntersecting) {
            seen.disconnect();
            complete();
          }
        }
      });
      seen.observe(end);
    } else {
      var check = function () {
        if (end.getBoundingClientRect().top <= (window.innerHeight || document.documentElement.clientHeight)) {
          window.removeEventListener("scroll", check);
          window.removeEventListener("resize", check);
          complete();
        }
      };
      window.addEventListener("scroll", check);
      window.addEventListener("resize", check);
      check();
    }
  }

  function two(n) { return n < 10 ? "0" + n : String(n); }

  function finish() {
    if (finished) return;
    finished = true;
    var s = Math.floor((Date.now() - started) / 1000);
    var h = Math.min(Math.floor(s / 3600), 9999);
    call("LMSSetValue", "cmi.core.session_time", two(h) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60));
    /* an unfinished module resumes where it was left */
    call("LMSSetValue", "cmi.core.exit", completed ? "" : "suspend");
    call("LMSCommit", "");
    call("LMSFinish", "");
  }
  /* unload only where pagehide is missing: browsers are retiring it */
  window.addEventListener("onpagehide" in window ? "pagehide" : "unload", finish);
})();
