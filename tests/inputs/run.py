#!/usr/bin/python3
"""Inputs that are not regular files (issue 13 "Files"; SPEC §1.3, §9): a FIFO,
a socket, a folder (and a device, when run as root) where coursec expects a
file — course.yaml, a module, a course filter, a file a filter requires, a
standard filter or a theme template of COURSEC_DATA, a course theme's
template, an image — is an error naming that file, exit 1, and never a hang
(a FIFO opened for reading blocks until a writer comes, unless opened
non-blocking). A FIFO among a theme's assets is skipped. Each build has a
hang guard of 60 s, the only time this suite knows. Prints `N passed, N failed`.
env: COURSEC (the compiler, default ./coursec), VERBOSE=1.
"""
import os, shutil, socket, stat, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "malformed"))
import harness as H  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
BASIC = os.path.join(ROOT, "tests", "conformance", "001-basic-build")
C = H.Counter("inputs")


def check(name, ok, detail=""):
    C.check(name, [] if ok else [detail or "check failed"])
    return ok


def run(args, env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    try:
        return subprocess.run([COURSEC] + args, capture_output=True, text=True, timeout=60, env=e,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as x:
        return subprocess.CompletedProcess(x.cmd, 124, "", "(hung: stopped after 60 s)")


def course(tmp, name):
    d = os.path.join(tmp, name)
    shutil.copytree(BASIC, d)
    os.remove(os.path.join(d, "expect.yaml"))
    return d


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# kinds of special file: name -> maker(path)
def fifo(p):
    os.mkfifo(p)


sockets = []


def sock(p):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(p)
    sockets.append(s)


def folder(p):
    os.mkdir(p)


def device(p):
    os.mknod(p, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null


KINDS = [("fifo", fifo, "not a regular file"), ("socket", sock, "not a regular file")]
if os.geteuid() == 0:
    KINDS.append(("device", device, "not a regular file"))


def replace(path, maker):
    if os.path.lexists(path):
        os.remove(path)
    maker(path)


def data_copy(tmp, name):
    """A copy of coursec's own lua/ and themes/ for COURSEC_DATA."""
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(ROOT, "lua"), os.path.join(d, "lua"))
    shutil.copytree(os.path.join(ROOT, "themes"), os.path.join(d, "themes"))
    return d


def expect(name, r, status, path_end, text):
    lines = [l for l in r.stderr.splitlines() if ": error: " in l]
    hit = [l for l in lines if l.split(": error: ")[0].split(":")[0].endswith(path_end) and text in l]
    check(name, r.returncode == status and hit, "exit %d, expected an error at …%s saying %r:\n%s"
          % (r.returncode, path_end, text, r.stderr[-800:]))


if not os.access(COURSEC, os.X_OK):
    print("FAIL inputs: no executable coursec at %s" % COURSEC)
    print("0 passed, 1 failed")
    sys.exit(1)

with tempfile.TemporaryDirectory(prefix="coursec-inputs.") as tmp:
    out = os.path.join(tmp, "out")
    for kind, maker, text in KINDS + [("folder", folder, "Is a directory")]:
        # course.yaml itself
        c = course(tmp, "yaml-" + kind)
        replace(os.path.join(c, "course.yaml"), maker)
        expect("course-yaml-%s" % kind, run(["build", "-q", "-o", out, c]), 1, "course.yaml", text)

        # a file a course filter requires
        c = course(tmp, "require-" + kind)
        write(os.path.join(c, "filters", "main.lua"), 'local h = require("helper")\nreturn {}\n')
        maker(os.path.join(c, "filters", "helper.lua"))
        append(os.path.join(c, "course.yaml"), "filters: [filters/main.lua]\n")
        r = run(["build", "-q", "-o", out, c])
        if kind == "folder":  # a folder is no file in the filter's folder: not found
            check("require-folder", r.returncode == 1 and "main.lua:1:" in r.stderr, r.stderr[-600:])
        else:
            expect("require-%s" % kind, r, 1, "filters/main.lua", "not a regular file")

        # coursec's own files (COURSEC_DATA): a standard filter, a theme template
        d = data_copy(tmp, "data-lua-" + kind)
        replace(os.path.join(d, "lua", "vars.lua"), maker)
        c = course(tmp, "std-filter-" + kind)
        r = run(["build", "-q", "-o", out, c], env={"COURSEC_DATA": d})
        expect("standard-filter-%s" % kind, r, 1, "vars.lua", "not a regular file" if kind != "folder"
               else "cannot read")
        d = data_copy(tmp, "data-theme-" + kind)
        replace(os.path.join(d, "themes", "default", "page.html"), maker)
        r = run(["build", "-q", "-o", out, c], env={"COURSEC_DATA": d})
        expect("standard-theme-template-%s" % kind, r, 1, "page.html", text)

        # what the course names: a module, a course filter, a course theme's
        # template, an image (refused where course.yaml or the module names it)
        c = course(tmp, "module-" + kind)
        replace(os.path.join(c, "modules", "m2.md"), maker)
        expect("module-%s" % kind, run(["build", "-q", "-o", out, c]), 1, "course.yaml",
               "is not a regular file" if kind != "folder" else "is a directory")

        c = course(tmp, "filter-" + kind)
        os.mkdir(os.path.join(c, "filters"))
        maker(os.path.join(c, "filters", "f.lua"))
        append(os.path.join(c, "course.yaml"), "filters: [filters/f.lua]\n")
        expect("course-filter-%s" % kind, run(["build", "-q", "-o", out, c]), 1, "course.yaml",
               "is not a regular file" if kind != "folder" else "is a directory")

        c = course(tmp, "theme-" + kind)
        shutil.copytree(os.path.join(ROOT, "themes", "default"), os.path.join(c, "th"))
        replace(os.path.join(c, "th", "page.html"), maker)
        append(os.path.join(c, "course.yaml"), "theme: th\n")
        expect("course-theme-template-%s" % kind, run(["build", "-q", "-o", out, c]), 1, "course.yaml",
               "is not a regular file" if kind != "folder" else "is a directory")

        c = course(tmp, "image-" + kind)
        os.mkdir(os.path.join(c, "assets"))
        maker(os.path.join(c, "assets", "p.png"))
        append(os.path.join(c, "modules", "m2.md"), "\n![a picture](../assets/p.png)\n")
        expect("image-%s" % kind, run(["build", "-q", "-o", out, c]), 1, "modules/m2.md",
               "is not a regular file" if kind != "folder" else "is a directory")

        # a theme asset that is no regular file is skipped: the build goes on
        if kind != "folder":
            c = course(tmp, "asset-" + kind)
            shutil.copytree(os.path.join(ROOT, "themes", "default"), os.path.join(c, "th"))
            maker(os.path.join(c, "th", "assets", "extra.css"))
            append(os.path.join(c, "course.yaml"), "theme: th\n")
            o = os.path.join(tmp, "out-asset-" + kind)
            r = run(["build", "-q", "-o", o, c])
            check("theme-asset-%s-skipped" % kind, r.returncode == 0 and not os.path.exists(
                os.path.join(o, "demo", "learner", "site", "assets", "extra.css")), r.stderr[-600:])
    for s in sockets:
        s.close()

sys.exit(C.finish())
