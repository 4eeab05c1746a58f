/* diag.c — diagnostic collector (see diag.h). */
#include "diag.h"
#include "buf.h"
#include "util.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct item {
    diag_severity sev;
    char *path;
    int line, col;
    char *msg;
    size_t seq;
} item;

struct diag {
    FILE *out;
    diag_format fmt;
    int color;
    pthread_mutex_t mu;
    item *items;
    size_t n, cap, seq;
    /* every line ever reported, for dedupe across flushes: an open-addressing
     * hash set of capseen slots (a power of two, NULL = empty) */
    char **seen;
    size_t nseen, capseen;
    int errors, warnings, notes;
    int record;          /* a diag_recorder: items keeps a copy of each report */
    diag_listener listener;
    void *listener_ud;
    diag *parent; /* a scope's (diag_scope); NULL for a root */
};

diag *diag_new(FILE *out, diag_format fmt, int color) {
    diag *d = xcalloc(1, sizeof *d);
    d->out = out;
    d->fmt = fmt;
    if (!out) return d; /* a sink */
    if (color < 0) {
        const char *nc = getenv("NO_COLOR");
        color = isatty(fileno(out)) && !(nc && *nc);
    }
    d->color = color;
    pthread_mutex_init(&d->mu, NULL);
    return d;
}

diag *diag_scope(diag *parent) {
    diag *d = xcalloc(1, sizeof *d);
    d->parent = parent;
    pthread_mutex_init(&d->mu, NULL);
    return d;
}

diag *diag_recorder(diag *parent) {
    diag *d = diag_scope(parent);
    d->record = 1;
    return d;
}

void diag_each_recorded(const diag *d, diag_listener fn, void *ud) {
    for (size_t i = 0; i < d->n; i++) fn(ud, d->items[i].sev, d->items[i].path, d->items[i].line, d->items[i].col, d->items[i].msg);
}

void diag_free(diag *d) {
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->items[i].path), free(d->items[i].msg);
    for (size_t i = 0; i < d->capseen; i++) free(d->seen[i]);
    free(d->items);
    free(d->seen);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

const char *diag_severity_name(diag_severity sev) {
    return sev == DIAG_ERROR ? "error" : sev == DIAG_WARNING ? "warning" : "note";
}

static void format_line(buf *b, const item *it, int color) {
    if (color) buf_puts(b, "\033[1m");
    buf_puts(b, it->path ? it->path : "coursec");
    if (it->line > 0) buf_printf(b, ":%d", it->line);
    if (it->line > 0 && it->col > 0) buf_printf(b, ":%d", it->col);
    buf_puts(b, ": ");
    if (color) {
        buf_puts(b, it->sev == DIAG_ERROR ? "\033[31m" : it->sev == DIAG_WARNING ? "\033[35m" : "\033[36m");
    }
    buf_puts(b, diag_severity_name(it->sev));
    if (color) buf_puts(b, "\033[0m");
    buf_puts(b, ": ");
    buf_puts(b, it->msg);
}

static size_t key_hash(const char *s) {
    size_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Hashed: a pathological course can report hundreds of thousands of
 * warnings (one per unresolved variable), and a scan would be quadratic. */
static int seen_before(diag *d, const char *key) {
    if (2 * (d->nseen + 1) > d->capseen) {
        size_t nc = d->capseen ? d->capseen * 2 : 64;
        char **ns = xcalloc(nc, sizeof *ns);
        for (size_t i = 0; i < d->capseen; i++) {
            if (!d->seen[i]) continue;
            size_t k = key_hash(d->seen[i]) & (nc - 1);
            while (ns[k]) k = (k + 1) & (nc - 1);
            ns[k] = d->seen[i];
        }
        free(d->seen);
        d->seen = ns;
        d->capseen = nc;
    }
    size_t k = key_hash(key) & (d->capseen - 1);
    for (; d->seen[k]; k = (k + 1) & (d->capseen - 1))
        if (strcmp(d->seen[k], key) == 0) return 1;
    d->seen[k] = xstrdup(key);
    d->nseen++;
    return 0;
}

static void push_item(diag *d, item it) { /* under d->mu */
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    it.seq = d->seq++;
    d->items[d->n++] = it;
}

void diag_report(diag *d, diag_severity sev, const char *path, int line, int col, const char *fmt, ...) {
    /* the message is formatted only when a recorder or a printing root
     * keeps it: a report to a sink (pass 2's repeats) is only counted */
    int keep = 0;
    const diag *root = d;
    for (; root->parent; root = root->parent) keep |= root->record;
    keep |= root->out != NULL;
    buf m = BUF_INIT;
    if (keep) {
        va_list ap;
        va_start(ap, fmt);
        char tmp[512];
        va_list ap2;
        va_copy(ap2, ap);
        int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
        if (n >= 0 && (size_t)n < sizeof tmp) {
            buf_put(&m, tmp, (size_t)n);
        } else if (n >= 0) {
            buf_grow(&m, (size_t)n);
            vsnprintf(m.data, (size_t)n + 1, fmt, ap2);
            m.len = (size_t)n;
        }
        va_end(ap2);
        va_end(ap);
        if (!m.data) buf_putc(&m, 0), m.len = 0;
    }
    for (; d->parent; d = d->parent) { /* count in every scope, keep in the root */
        pthread_mutex_lock(&d->mu);
        if (sev == DIAG_ERROR) d->errors++;
        if (sev == DIAG_WARNING) d->warnings++;
        if (sev == DIAG_NOTE) d->notes++;
        if (d->record) push_item(d, (item){sev, path ? xstrdup(path) : NULL, line, col, xstrdup(m.data), 0});
        pthread_mutex_unlock(&d->mu);
    }
    if (!d->out) {
        buf_free(&m);
        return;
    }
    item it = {sev, path ? xstrdup(path) : NULL, line, col, buf_detach(&m), 0};
    buf key = BUF_INIT;
    format_line(&key, &it, 0);
    pthread_mutex_lock(&d->mu);
    if (seen_before(d, key.data)) {
        pthread_mutex_unlock(&d->mu);
        free(it.path);
        free(it.msg);
        buf_free(&key);
        return;
    }
    if (sev == DIAG_ERROR) d->errors++;
    if (sev == DIAG_WARNING) d->warnings++;
    push_item(d, it);
    pthread_mutex_unlock(&d->mu);
    buf_free(&key);
}

static int cmp_item(const void *pa, const void *pb) {
    const item *a = pa, *b = pb;
    int c = strcmp(a->path ? a->path : "", b->path ? b->path : "");
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* GitHub Actions workflow commands: in the message %, CR and LF are escaped
 * as %25, %0D, %0A; in a property value also `:` and `,` (%3A, %2C). */
static void github_escaped(buf *b, const char *s, int property) {
    for (; *s; s++) {
        if (*s == '%') buf_puts(b, "%25");
        else if (*s == '\r') buf_puts(b, "%0D");
        else if (*s == '\n') buf_puts(b, "%0A");
        else if (property && *s == ':') buf_puts(b, "%3A");
        else if (property && *s == ',') buf_puts(b, "%2C");
        else buf_putc(b, *s);
    }
}

static void github_line(buf *b, const item *it) {
    buf_puts(b, it->sev == DIAG_ERROR ? "::error" : it->sev == DIAG_WARNING ? "::warning" : "::notice");
    const char *sep = " ";
    if (it->path) {
        /* GitHub resolves file= from the workspace root: `./x` is `x` */
        const char *p = it->path;
        while (p[0] == '.' && p[1] == '/') p += 2;
        buf_puts(b, " file=");
        github_escaped(b, p, 1);
        sep = ",";
    }
    if (it->line > 0) buf_printf(b, "%sline=%d", sep, it->line), sep = ",";
    if (it->line > 0 && it->col > 0) buf_printf(b, ",col=%d", it->col);
    buf_puts(b, "::");
    github_escaped(b, it->msg, 0);
    buf_putc(b, '\n');
}

void diag_flush(diag *d) {
    while (d->parent) d = d->parent;
    if (!d->out) return;
    pthread_mutex_lock(&d->mu);
    if (d->n) qsort(d->items, d->n, sizeof *d->items, cmp_item);
    buf out = BUF_INIT;
    for (size_t i = 0; i < d->n; i++) {
        item *it = &d->items[i];
        if (d->listener) d->listener(d->listener_ud, it->sev, it->path, it->line, it->col, it->msg);
        if (d->fmt == DIAG_JSON) {
            buf_puts(&out, "{\"file\":");
            buf_put_json(&out, it->path ? it->path : "");
            buf_printf(&out, ",\"line\":%d,\"col\":%d,\"severity\":\"%s\",\"message\":", it->line, it->col,
                       diag_severity_name(it->sev));
            buf_put_json(&out, it->msg);
            buf_puts(&out, "}\n");
        } else if (d->fmt == DIAG_GITHUB) {
            github_line(&out, it);
        } else {
            format_line(&out, it, d->color);
            buf_putc(&out, '\n');
        }
        free(it->path);
        free(it->msg);
    }
    d->n = 0;
    if (out.len) fwrite(out.data, 1, out.len, d->out);
    fflush(d->out);
    buf_free(&out);
    pthread_mutex_unlock(&d->mu);
}

void diag_set_listener(diag *d, diag_listener fn, void *ud) {
    pthread_mutex_lock(&d->mu);
    d->listener = fn;
    d->listener_ud = ud;
    pthread_mutex_unlock(&d->mu);
}

int diag_errors(const diag *d) { return d->errors; }
int diag_warnings(const diag *d) { return d->warnings; }
int diag_reports(const diag *d) { return d->errors + d->warnings + d->notes; }
