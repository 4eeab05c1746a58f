"""EPUBCheck over several EPUBs for the Python suites: one Java process for
all of them (Batch.java, through EPUBCheck's API) when the Java installation
is a JDK, else one command line per EPUB. Not a suite itself.

    results = batch.check(paths)   # {path: (ok, summary, problem_lines)}

ok: EPUBCheck found 0 fatal errors, 0 errors and 0 warnings; summary: its
`Messages:` line (or why there is none); problem_lines: its FATAL, ERROR
and WARNING lines."""
import os, re, shutil, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
JAR = os.environ.get("EPUBCHECK_JAR", "/usr/share/java/epubcheck.jar")
JAVA = os.environ.get("JAVA", "java")
OPTS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
PROBLEM = re.compile(r"^(FATAL|ERROR|WARNING)")
COUNTS = re.compile(r"^@@ (.*) fatals=(\d+) errors=(\d+) warnings=(\d+)$")


def missing():
    """Why EPUBCheck cannot run here, or None."""
    if not os.path.isfile(JAR) or shutil.which(JAVA) is None:
        return "EPUBCheck not found (%s -jar %s; Debian: apt-get install epubcheck)" % (JAVA, JAR)
    return None


def _has_compiler():
    try:
        mods = subprocess.run([JAVA, "--list-modules"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(m.startswith("jdk.compiler@") for m in mods.splitlines())


def check(paths, timeout=1200):
    paths = [os.path.abspath(p) for p in paths]
    out = {}
    if not paths:
        return out
    if _has_compiler():
        p = subprocess.run([JAVA] + OPTS + ["-cp", JAR, os.path.join(HERE, "Batch.java")],
                           input="\n".join(paths) + "\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
        lines = []
        for line in p.stdout.splitlines():
            m = COUNTS.match(line)
            if not m:
                lines.append(line)
                continue
            f, e, w = int(m.group(2)), int(m.group(3)), int(m.group(4))
            out[m.group(1)] = (f == e == w == 0,
                               "Messages: %d fatals / %d errors / %d warnings" % (f, e, w),
                               [l for l in lines if PROBLEM.match(l)])
            lines = []
        for path in paths:
            out.setdefault(path, (False, "EPUBCheck printed nothing for it (exit %d)" % p.returncode,
                                  p.stdout.splitlines()[-10:]))
        return out
    for path in paths:
        p = subprocess.run([JAVA] + OPTS + ["-jar", JAR, path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        msg = [l for l in p.stdout.splitlines() if l.startswith("Messages:")]
        out[path] = (bool(msg) and msg[-1].startswith("Messages: 0 fatals / 0 errors / 0 warnings"),
                     msg[-1] if msg else "no Messages: line",
                     [l for l in p.stdout.splitlines() if PROBLEM.match(l)])
    return out
