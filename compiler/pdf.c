/* pdf.c — an edition's PDF from its print workbook (pdf.h): WeasyPrint in a
 * child Python process, spawned with posix_spawn (the build has threads),
 * its output read back over pipes within a time limit. */
#include "pdf.h"
#include "buf.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* CPU seconds the layout of one edition may take (the child's RLIMIT_CPU);
 * COURSEC_PDF_CPU_SECONDS sets another. The parent gives up after three
 * times as long on the clock: a hang guard for a child that waits. */
#define PDF_CPU_SECONDS 600

#define INSTALL_HINT "install it with `sudo apt-get install weasyprint` (Debian, Ubuntu)"

/* The child. argv: site, out, date (W3C), identifier, CPU seconds. It
 * prints one line per refused URL ("refused\tURL") and per attachment
 * left out ("attachment\tURL") on stdout; exit 3: no WeasyPrint.
 * WeasyPrint's own log (CSS it does not support, fetch failures) is
 * silenced: the refusals are reported from the fetcher, and the theme's
 * screen CSS holds properties that paged media ignore. */
static const char child_py[] =
    "import base64, logging, mimetypes, os, resource, sys\n"
    "from urllib.parse import unquote, unquote_to_bytes, urlsplit\n"
    "site, out, when, ident, cpu = sys.argv[1:6]\n"
    "cpu = int(cpu)\n"
    "resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))\n"
    "try:\n"
    "    import weasyprint\n"
    "except ImportError:\n"
    "    sys.exit(3)\n"
    "logging.getLogger('weasyprint').setLevel(logging.CRITICAL + 1)\n"
    "site = os.path.realpath(site)\n"
    "# the workbook is read at a fixed address, mapped to the site folder by\n"
    "# fetch: its temporary name must not reach the PDF's bytes\n"
    "base = 'file:///coursec-print/site/'\n"
    "seen = set()\n"
    "def report(kind, url):\n"
    "    if url.startswith(base):\n"
    "        url = url[len(base):]\n"
    "    if (kind, url) not in seen:\n"
    "        seen.add((kind, url))\n"
    "        sys.stdout.write(kind + '\\t' + ' '.join(url.split()) + '\\n')\n"
    "def data_url(url):\n"
    "    head, _, body = url[5:].partition(',')\n"
    "    parts = head.split(';')\n"
    "    raw = unquote_to_bytes(body)\n"
    "    if parts[-1] == 'base64':\n"
    "        raw = base64.b64decode(raw)\n"
    "    return {'string': raw, 'mime_type': parts[0] or 'text/plain', 'redirected_url': url}\n"
    "def fetch(url, timeout=10, ssl_context=None):\n"
    "    if url.startswith('data:'):\n"
    "        return data_url(url)\n"
    "    p = urlsplit(url)\n"
    "    if url.startswith(base):\n"
    "        rel = unquote(p.path[len(urlsplit(base).path):])\n"
    "        path = os.path.realpath(os.path.join(site, rel))\n"
    "        if path.startswith(site + os.sep) and os.path.isfile(path):\n"
    "            with open(path, 'rb') as f:\n"
    "                data = f.read()\n"
    "            return {'string': data, 'mime_type': mimetypes.guess_type(path)[0],\n"
    "                    'redirected_url': url, 'filename': os.path.basename(path)}\n"
    "    report('refused', url)\n"
    "    raise ValueError('coursec: not fetched for the PDF')\n"
    "with open(os.path.join(site, '_print.html'), 'rb') as f:\n"
    "    page = f.read()\n"
    "doc = weasyprint.HTML(string=page, base_url=base + '_print.html', url_fetcher=fetch).render()\n"
    "for a in doc.metadata.attachments:\n"
    "    report('attachment', str(a[0] if isinstance(a, tuple) else a))\n"
    "doc.metadata.attachments = []\n"
    "for page in doc.pages:\n"
    "    for link in page.links:\n"
    "        if link[0] == 'attachment':\n"
    "            report('attachment', str(link[1]))\n"
    "    page.links[:] = [link for link in page.links if link[0] != 'attachment']\n"
    "doc.metadata.created = doc.metadata.modified = when\n"
    "doc.write_pdf(out, identifier=ident.encode())\n";

/* The Python that has Debian's weasyprint: /usr/bin/python3, not one a
 * virtual environment or pyenv puts first on PATH; COURSEC_PYTHON sets
 * another. */
static const char *python(void) {
    const char *p = getenv("COURSEC_PYTHON");
    if (p && *p) return p;
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct child_run {
    int status;   /* exit status, or 128 + signal; -1: not started or timed out */
    int timed_out;
    int spawn_errno;
    buf out, err; /* what it wrote */
} child_run;

/* Run argv with stdin from /dev/null, reading its stdout and stderr until
 * it exits; killed after limit seconds on the clock. */
static void run_child(char *const *argv, double limit, child_run *r) {
    memset(r, 0, sizeof *r);
    r->status = -1;
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0) {
        r->spawn_errno = errno;
        return;
    }
    if (pipe2(pe, O_CLOEXEC) != 0) {
        r->spawn_errno = errno;
        close(po[0]), close(po[1]);
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        r->spawn_errno = rc;
        close(po[0]), close(pe[0]);
        return;
    }
    double end = now_s() + limit;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    buf *into[2] = {&r->out, &r->err};
    int open_fds = 2;
    while (open_fds > 0) {
        double left = end - now_s();
        if (left <= 0) {
            r->timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(fds, 2, left > 1000 ? 1000000 : (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR) break;
        for (int k = 0; k < 2 && n > 0; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char chunk[4096];
            ssize_t got = read(fds[k].fd, chunk, sizeof chunk);
            if (got > 0) {
                buf_put(into[k], chunk, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(fds[k].fd);
                fds[k].fd = -1;
                open_fds--;
            }
        }
    }
    for (int k = 0; k < 2; k++)
        if (fds[k].fd >= 0) close(fds[k].fd);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!r->timed_out) r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static long cpu_seconds(void) {
    const char *v = getenv("COURSEC_PDF_CPU_SECONDS");
    long n = v && *v ? strtol(v, NULL, 10) : 0;
    return n > 0 ? n : PDF_CPU_SECONDS;
}

int pdf_available(diag *d) {
    const char *py = python();
    char *argv[] = {(char *)py, (char *)"-c", (char *)"import weasyprint", NULL};
    child_run r;
    run_child(argv, 120, &r);
    int ok = r.status == 0;
    if (!ok) {
        if (r.spawn_errno)
            diag_report(d, DIAG_ERROR, NULL, 0, 0, "PDF output needs Python 3 and WeasyPrint; cannot run %s: %s; %s",
                        py, strerror(r.spawn_errno), INSTALL_HINT);
        else
            diag_report(d, DIAG_ERROR, NULL, 0, 0, "PDF output needs WeasyPrint, which %s cannot import: %s", py,
                        INSTALL_HINT);
    }
    buf_free(&r.out);
    buf_free(&r.err);
    return ok ? 0 : -1;
}

/* The last non-empty line of s (a Python traceback's message). */
static const char *last_line(buf *s) {
    if (!s->data || !s->len) return "(no message)";
    while (s->len && (s->data[s->len - 1] == '\n' || s->data[s->len - 1] == '\r')) s->data[--s->len] = 0;
    const char *nl = strrchr(s->data, '\n');
    return nl ? nl + 1 : s->data;
}

int pdf_write(const pdf_job *j, diag *d) {
    char when[32], cpu[24];
    time_t t = (time_t)j->build_time;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    long cs = cpu_seconds();
    snprintf(cpu, sizeof cpu, "%ld", cs);
    char *argv[] = {(char *)python(), (char *)"-I", (char *)"-c", (char *)child_py, (char *)j->site,
                    (char *)j->out, when, (char *)j->identifier, cpu, NULL};
    child_run r;
    run_child(argv, (double)cs * 3 + 60, &r);
    int rc = 0;
    struct stat st;
    if (r.spawn_errno) {
        diag_report(d, DIAG_ERROR, j->shown, 0, 0, "cannot run %s for the PDF: %s; %s", argv[0],
                    strerror(r.spawn_errno), INSTALL_HINT);
        rc = -1;
    } else if (r.timed_out || r.status == 128 + SIGXCPU || r.status == 128 + SIGKILL) {
        diag_report(d, DIAG_ERROR, j->shown, 0, 0,
                    "WeasyPrint took more than %ld s of CPU time laying out the PDF: split the course into smaller "
                    "editions or leave out `pdf`",
                    cs);
        rc = -1;
    } else if (r.status == 3) {
        diag_report(d, DIAG_ERROR, j->shown, 0, 0, "PDF output needs WeasyPrint, which %s cannot import: %s",
                    argv[0], INSTALL_HINT);
        rc = -1;
    } else if (r.status != 0 || stat(j->out, &st) != 0 || st.st_size == 0) {
        diag_report(d, DIAG_ERROR, j->shown, 0, 0, "WeasyPrint could not write the PDF (exit %d): %s", r.status,
                    last_line(&r.err));
        rc = -1;
    }
    /* what the fetcher refused, and attachments left out: warnings, at the
     * module line that names the URL when there is one */
    for (char *line = r.out.data; rc == 0 && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        char *tab = strchr(line, '\t');
        if (tab) {
            *tab = 0;
            const char *url = tab + 1, *path = j->shown;
            int ln = 0, col = 0;
            if (j->locate && !j->locate(j->locate_ud, url, &path, &ln, &col)) path = j->shown, ln = col = 0;
            if (!strcmp(line, "attachment"))
                diag_report(d, DIAG_WARNING, path, ln, col,
                            "the PDF attaches no files: `%s` (rel=\"attachment\") is left out of it", url);
            else
                diag_report(d, DIAG_WARNING, path, ln, col,
                            "`%s` is not in the PDF: a PDF holds only the course's own files, never anything "
                            "from the network or outside the course",
                            url);
        }
        line = nl ? nl + 1 : NULL;
    }
    buf_free(&r.out);
    buf_free(&r.err);
    return rc;
}
