/* serve.c — the preview server (see serve.h). Owns the private work folder
 * (every build goes into work/gen-N; the last good one is served, older ones
 * are removed), the libmicrohttpd daemon, the watch and the list of
 * diagnostics the page overlay shows. Only this file includes microhttpd.h.
 *
 * Threads: the caller's thread builds and watches; libmicrohttpd runs one
 * thread per connection (an event stream blocks in its reader until the
 * next build). A request reads the served generation under a read lock, a
 * build swaps it under the write lock, so a page is never read from a
 * half-removed folder. */
#include "serve.h"
#include "buf.h"
#include "fs.h"
#include "outdir.h"
#include "util.h"
#include "fswatch.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EVENT_PING_S 15   /* an idle event stream sends a comment this often (finds closed tabs) */
#define MAX_CONNECTIONS 64
#define MAX_SHOWN_DIAGS 200
/* A change is built once the course has been quiet this long after its last
 * event, or WATCH_SETTLED_MS after a file was closed or renamed into place
 * (the end of a save; what an editor does after it, removing a backup,
 * comes within a millisecond), and at most WATCH_MAX_MS after it began. */
#define WATCH_QUIET_MS 30
#define WATCH_SETTLED_MS 2
#define WATCH_MAX_MS 300

typedef struct server {
    const serve_opts *o;
    fswatch *watch;
    build_cache *cache;      /* what each build keeps for the next (bcache.h) */
    long long started;       /* when the server started: the builds' time (build_opts.now) */
    char *work;              /* private temporary folder */
    pthread_rwlock_t lock;   /* guards root and editions */
    char *root;              /* work/gen-N/<course id> of the last good build; NULL before one */
    unsigned long root_gen;  /* its N */
    char **editions;         /* its editions, the default first */
    size_t neditions;
    pthread_mutex_t mu;      /* guards gen, last_ok, diags and stopping; cv signals a new gen */
    pthread_cond_t cv;
    unsigned long gen;
    int last_ok, stopping;
    buf diags;               /* JSON array of the last build's diagnostics */
    build_cache_stats stats; /* the last build's counts */
    buf pending;             /* the build under way collects here */
    size_t npending;
    char *src_path, *src;    /* the file source_line read last, during one flush */
    size_t src_len;
} server;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

/* ---- diagnostics for the overlay ---------------------------------------- */

/* Line `line` of the file at path (the source line the overlay shows), at
 * most 300 bytes; "" when it cannot be read. The diagnostics come sorted by
 * path: the last file read is kept for the next one (s->src_*). */
static char *source_line(server *s, const char *path, int line) {
    if (!path || line < 1) return xstrdup("");
    if (!s->src_path || strcmp(s->src_path, path) != 0) {
        free(s->src_path);
        free(s->src);
        s->src_path = xstrdup(path);
        if (fs_read(path, &s->src, &s->src_len) != 0) s->src = NULL;
    }
    if (!s->src) return xstrdup("");
    const char *p = s->src, *end = s->src + s->src_len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl ? nl : end) - p);
    if (n > 300) n = 300;
    return xstrndup(p, n);
}

static void on_diag(void *ud, diag_severity sev, const char *path, int line, int col, const char *msg) {
    server *s = ud;
    if (sev == DIAG_NOTE || s->npending >= MAX_SHOWN_DIAGS) return;
    char *src = source_line(s, path, line);
    buf *b = &s->pending;
    buf_puts(b, s->npending++ ? ",{\"file\":" : "{\"file\":");
    buf_put_json(b, path);
    buf_printf(b, ",\"line\":%d,\"col\":%d,\"severity\":\"%s\",\"message\":", line, col, diag_severity_name(sev));
    buf_put_json(b, msg);
    buf_puts(b, ",\"source\":");
    buf_put_json(b, src);
    buf_putc(b, '}');
    free(src);
}

/* ---- builds ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The course folder a build wrote into out (its one subfolder) and the
 * editions there that have a site, the default first. */
static char *find_output(const char *out, const char *want, char ***eds, size_t *neds) {
    *eds = NULL;
    *neds = 0;
    DIR *dir = opendir(out);
    if (!dir) return NULL;
    char *root = NULL;
    struct dirent *e;
    while ((e = readdir(dir)) && !root) {
        if (e->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", out, e->d_name);
        if (fs_is_dir(p)) root = p;
        else free(p);
    }
    closedir(dir);
    if (!root || !(dir = opendir(root))) return root;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        char *site = xasprintf("%s/%s/site", root, e->d_name);
        if (fs_is_dir(site)) {
            *eds = xrealloc(*eds, (*neds + 1) * sizeof **eds);
            (*eds)[(*neds)++] = xstrdup(e->d_name);
        }
        free(site);
    }
    closedir(dir);
    qsort(*eds, *neds, sizeof **eds, cmp_str);
    const char *first = want ? want : "facilitator";
    for (size_t i = 0; i < *neds; i++)
        if (strcmp((*eds)[i], first) == 0) {
            char *t = (*eds)[i];
            memmove(*eds + 1, *eds, i * sizeof **eds);
            (*eds)[0] = t;
        }
    return root;
}

static void free_strs(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One build of the course's HTML into work/gen-N, reusing through the
 * cache what the last good build made from the same inputs. A good build is
 * served from now on and the previous one removed; a failed one is removed
 * and the last good pages stay. Either way the open pages hear of it. */
static void build_once(server *s) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long gen;
    pthread_mutex_lock(&s->mu);
    gen = s->gen + 1;
    pthread_mutex_unlock(&s->mu);
    char *out = xasprintf("%s/gen-%lu", s->work, gen);
    build_opts b = s->o->build;
    b.out_dir = out;
    b.check_only = 0;
    b.want_html = 1;
    b.want_epub = 0;
    b.want_pdf = 0;
    b.quiet = 1;
    b.editions = NULL; /* every edition; -e only chooses the one "/" opens */
    b.cache = s->cache;
    b.now = s->started; /* one time for every build: a page does not change with the clock */
    diag *d = diag_new(stderr, DIAG_TEXT, -1);
    s->pending.len = 0;
    s->npending = 0;
    buf_putc(&s->pending, '[');
    diag_set_listener(d, on_diag, s);
    const char *dirs[] = {s->o->course_dir};
    int status = build_run(&b, dirs, 1, d);
    diag_flush(d);
    free(s->src_path);
    free(s->src);
    s->src_path = s->src = NULL;
    buf_putc(&s->pending, ']');
    int nerr = diag_errors(d), nwarn = diag_warnings(d);
    diag_free(d);
    /* a file saved while the build read the course: what the build made may
     * not match the keys it hashed first (the next build comes at once) */
    int consistent = !fswatch_pending(s->watch);

    char **eds = NULL;
    size_t neds = 0;
    char *root = status == 0 ? find_output(out, s->o->edition, &eds, &neds) : NULL;
    int ok = root && neds > 0;
    char *old = NULL;
    if (ok) {
        pthread_rwlock_wrlock(&s->lock);
        old = s->root;
        free_strs(s->editions, s->neditions);
        s->root = root;
        s->root_gen = gen;
        s->editions = eds;
        s->neditions = neds;
        pthread_rwlock_unlock(&s->lock);
    } else {
        free(root);
        free_strs(eds, neds);
    }
    build_cache_end(s->cache, ok ? root : NULL, consistent);
    build_cache_stats st = build_cache_last(s->cache);

    pthread_mutex_lock(&s->mu);
    s->gen = gen;
    s->last_ok = ok;
    s->stats = st;
    buf t = s->diags;
    s->diags = s->pending;
    s->pending = t;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    double ms = ms_since(&t0);
    /* the pages were told: what is left to clean up is not in the way */
    if (!ok) outdir_rm_rf(out);
    if (old) { /* work/gen-M/<id>: remove work/gen-M */
        char *slash = strrchr(old, '/');
        if (slash) *slash = 0;
        outdir_rm_rf(old);
        free(old);
    }
    free(out);
    if (ok)
        fprintf(stderr, "coursec: built in %.0f ms (%d of %d pages rendered)%s\n", ms, st.pages_rendered,
                st.pages_rendered + st.pages_reused, nwarn ? (nwarn == 1 ? ", 1 warning" : ", with warnings") : "");
    else
        fprintf(stderr, "coursec: the build failed (%d error%s, %d warning%s); the last good pages stay\n", nerr,
                nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
}

/* ---- HTTP ---------------------------------------------------------------- */

static enum MHD_Result send_bytes(struct MHD_Connection *c, unsigned code, const char *type, void *data, size_t len,
                                  enum MHD_ResponseMemoryMode mode) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to) {
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, to);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
    MHD_destroy_response(r);
    return ret;
}

/* The tag added to every page: gen is the build the page comes from, so its
 * event stream starts from there and no build between sending the page and
 * the stream's start goes unheard. */
#define LIVE_TAG "<script src=\"/_coursec/live.js?gen=%lu\"></script>"

/* A page of the server's own (no build yet, not found): it carries the live
 * script, so it shows the diagnostics and reloads after the next build. */
static enum MHD_Result own_page(struct MHD_Connection *c, unsigned code, const char *title) {
    buf b = BUF_INIT;
    buf_printf(&b,
               "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s — coursec serve</title>"
               "</head><body><main><h1>%s</h1></main>" LIVE_TAG "</body></html>\n",
               title, title, 0UL);
    return send_bytes(c, code, "text/html; charset=utf-8", b.data, b.len, MHD_RESPMEM_MUST_FREE);
}

static const char *mime_type(const char *path) {
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"}, {".json", "application/json"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
        {".gif", "image/gif"}, {".webp", "image/webp"}, {".avif", "image/avif"}, {".ico", "image/x-icon"},
        {".woff2", "font/woff2"}, {".woff", "font/woff"}, {".ttf", "font/ttf"}, {".otf", "font/otf"},
        {".mp4", "video/mp4"}, {".webm", "video/webm"}, {".mp3", "audio/mpeg"}, {".ogg", "audio/ogg"},
        {".pdf", "application/pdf"}, {".txt", "text/plain; charset=utf-8"}, {".csv", "text/csv; charset=utf-8"},
        {".xml", "application/xml"}, {".zip", "application/zip"},
    };
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcasecmp(dot, map[i][0]) == 0) return map[i][1];
    return "application/octet-stream";
}

/* The page of build gen with the live script before its last </body> (at
 * its end when it has none). Takes data. */
static void *with_live_script(char *data, size_t *len, unsigned long gen) {
    const char *at = NULL;
    for (size_t i = *len; i >= 7 && !at; i--)
        if (strncasecmp(data + i - 7, "</body>", 7) == 0) at = data + i - 7;
    char tag[sizeof LIVE_TAG + 24];
    size_t pos = at ? (size_t)(at - data) : *len, tl = (size_t)snprintf(tag, sizeof tag, LIVE_TAG, gen);
    char *r = xmalloc(*len + tl + 1);
    memcpy(r, data, pos);
    memcpy(r + pos, tag, tl);
    memcpy(r + pos + tl, data + pos, *len - pos);
    *len += tl;
    r[*len] = 0;
    free(data);
    return r;
}

/* A URL path below an edition may name a file of its site and nothing else:
 * no empty, "." or ".." segment, no backslash (libmicrohttpd has already
 * decoded %2F and %5C, so encoded separators are checked too). */
static int safe_rest(const char *rest) {
    if (strchr(rest, '\\')) return 0;
    const char *p = rest;
    while (*p) {
        const char *sl = strchr(p, '/');
        size_t n = sl ? (size_t)(sl - p) : strlen(p);
        if (n == 0 && sl) return 0; /* "//" */
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 0;
        if (!sl) break;
        p = sl + 1;
    }
    return 1;
}

static enum MHD_Result serve_file(server *s, struct MHD_Connection *c, const char *url) {
    const char *ed = url + 1, *sl = strchr(ed, '/');
    size_t edlen = sl ? (size_t)(sl - ed) : strlen(ed);
    const char *rest = sl ? sl + 1 : "";
    pthread_rwlock_rdlock(&s->lock);
    if (!s->root) {
        pthread_rwlock_unlock(&s->lock);
        return own_page(c, MHD_HTTP_SERVICE_UNAVAILABLE, "No build yet");
    }
    const char *edition = NULL;
    for (size_t i = 0; i < s->neditions && !edition; i++)
        if (strlen(s->editions[i]) == edlen && strncmp(s->editions[i], ed, edlen) == 0) edition = s->editions[i];
    if (!edition || !safe_rest(rest)) {
        pthread_rwlock_unlock(&s->lock);
        return own_page(c, MHD_HTTP_NOT_FOUND, "Not found");
    }
    if (!sl) {
        char *to = xasprintf("/%s/", edition);
        pthread_rwlock_unlock(&s->lock);
        enum MHD_Result r = redirect(c, to);
        free(to);
        return r;
    }
    char *site = xasprintf("%s/%s/site", s->root, edition);
    size_t rl = strlen(rest);
    char *path = xasprintf("%s/%s%s", site, rest, rl == 0 || rest[rl - 1] == '/' ? "index.html" : "");
    char *data = NULL;
    size_t len = 0;
    char *site_real = realpath(site, NULL);
    char *real = site_real ? fs_within(site_real, path, 0) : NULL; /* no way out, by .. or a link */
    int found = real && fs_read(real, &data, &len) == 0;
    int is_dir = real && !found && fs_is_dir(real);
    free(site_real);
    free(real);
    unsigned long gen = s->root_gen;
    pthread_rwlock_unlock(&s->lock);
    enum MHD_Result r;
    if (found) {
        const char *type = mime_type(path);
        void *body = data;
        if (strncmp(type, "text/html", 9) == 0) body = with_live_script(data, &len, gen);
        r = send_bytes(c, MHD_HTTP_OK, type, body, len, MHD_RESPMEM_MUST_FREE);
    } else if (is_dir) {
        char *to = xasprintf("%s/", url);
        r = redirect(c, to);
        free(to);
    } else {
        r = own_page(c, MHD_HTTP_NOT_FOUND, "Not found");
    }
    free(site);
    free(path);
    return r;
}

static enum MHD_Result serve_state(server *s, struct MHD_Connection *c) {
    buf b = BUF_INIT;
    pthread_mutex_lock(&s->mu);
    buf_printf(&b, "{\"gen\":%lu,\"ok\":%s,\"diagnostics\":", s->gen, s->last_ok ? "true" : "false");
    buf_put(&b, s->diags.data ? s->diags.data : "[]", s->diags.data ? s->diags.len : 2);
    buf_printf(&b, ",\"build\":{\"modules_parsed\":%d,\"modules_reused\":%d,\"pages_rendered\":%d,\"pages_reused\":%d}",
               s->stats.modules_parsed, s->stats.modules_reused, s->stats.pages_rendered, s->stats.pages_reused);
    pthread_mutex_unlock(&s->mu);
    buf_puts(&b, ",\"editions\":[");
    pthread_rwlock_rdlock(&s->lock);
    for (size_t i = 0; i < s->neditions; i++) {
        if (i) buf_putc(&b, ',');
        buf_put_json(&b, s->editions[i]);
    }
    pthread_rwlock_unlock(&s->lock);
    buf_puts(&b, "]}");
    return send_bytes(c, MHD_HTTP_OK, "application/json", b.data, b.len, MHD_RESPMEM_MUST_FREE);
}

/* ---- the event stream ---------------------------------------------------- */

typedef struct {
    server *s;
    unsigned long seen;
    int greeted;
} stream;

/* libmicrohttpd's reader of an event stream, on the connection's own thread:
 * blocks until the next build (or EVENT_PING_S), then sends one event. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
    (void)pos;
    stream *k = cls;
    server *s = k->s;
    if (!k->greeted) {
        k->greeted = 1;
        return snprintf(out, max, "retry: 1000\n\n");
    }
    pthread_mutex_lock(&s->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += EVENT_PING_S;
    int timed_out = 0;
    while (s->gen == k->seen && !s->stopping && !timed_out)
        timed_out = pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT;
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->gen == k->seen) {
        pthread_mutex_unlock(&s->mu);
        return snprintf(out, max, ": ping\n\n");
    }
    k->seen = s->gen;
    int ok = s->last_ok;
    pthread_mutex_unlock(&s->mu);
    return snprintf(out, max, "event: build\ndata: {\"gen\":%lu,\"ok\":%s}\n\n", k->seen, ok ? "true" : "false");
}

/* ?gen=N: the build the page comes from (LIVE_TAG); a later one is told at
 * once. Without it, the stream starts from the current build. */
static enum MHD_Result serve_events(server *s, struct MHD_Connection *c) {
    stream *k = xcalloc(1, sizeof *k);
    k->s = s;
    const char *g = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "gen");
    char *end = NULL;
    unsigned long from = g ? strtoul(g, &end, 10) : 0;
    pthread_mutex_lock(&s->mu);
    k->seen = g && *g && !*end ? from : s->gen;
    pthread_mutex_unlock(&s->mu);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, stream_read, k, free);
    if (!r) {
        free(k);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con) {
    (void)version, (void)upload, (void)con;
    server *s = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_bytes(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", (void *)"GET only\n", 9,
                          MHD_RESPMEM_PERSISTENT);
    if (*upload_size) return MHD_NO;
    if (strcmp(url, "/_coursec/live.js") == 0)
        return send_bytes(c, MHD_HTTP_OK, "text/javascript; charset=utf-8", (void *)serve_live_js,
                          strlen(serve_live_js), MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/_coursec/events") == 0) return serve_events(s, c);
    if (strcmp(url, "/_coursec/state") == 0) return serve_state(s, c);
    if (strcmp(url, "/") == 0) {
        pthread_rwlock_rdlock(&s->lock);
        char *to = s->neditions ? xasprintf("/%s/", s->editions[0]) : NULL;
        pthread_rwlock_unlock(&s->lock);
        if (!to) return own_page(c, MHD_HTTP_SERVICE_UNAVAILABLE, "No build yet");
        enum MHD_Result r = redirect(c, to);
        free(to);
        return r;
    }
    if (url[0] != '/') return own_page(c, MHD_HTTP_NOT_FOUND, "Not found");
    return serve_file(s, c, url);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* %HH decoding of a URL, in place, except that %00 stays as written: a NUL
 * would cut the path the handler sees ("/learner/%00../x" is not
 * "/learner/"), so such a path names no file. */
static size_t unescape_url(void *cls, struct MHD_Connection *c, char *s) {
    (void)cls, (void)c;
    char *w = s;
    for (const char *r = s; *r;) {
        int hi, lo;
        if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 && (hi | lo)) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = 0;
    return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls, (void)fmt, (void)ap; /* a client that went away is not the author's problem */
}

/* ---- start and run --------------------------------------------------------- */

static struct MHD_Daemon *start_daemon(server *s, const char *host, int port, int exact, int *bound, diag *d) {
    int tries = exact ? 1 : SERVE_PORT_TRIES;
    for (int i = 0; i < tries; i++) {
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
        char ps[16];
        snprintf(ps, sizeof ps, "%d", port + i);
        int g = getaddrinfo(host, ps, &hints, &ai);
        if (g != 0) {
            diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot serve on host `%s`: %s (give an address such as 127.0.0.1)",
                        host, gai_strerror(g));
            return NULL;
        }
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
        if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
        struct MHD_Daemon *m = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(4 * EVENT_PING_S),
            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape_url, NULL,
            MHD_OPTION_END);
        freeaddrinfo(ai);
        if (m) {
            *bound = port + i;
            return m;
        }
    }
    if (exact)
        diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot serve on %s port %d: it is taken (choose another with --port)",
                    host, port);
    else
        diag_report(d, DIAG_ERROR, NULL, 0, 0,
                    "cannot serve on %s: ports %d to %d are taken (choose a free one with --port)", host, port,
                    port + tries - 1);
    return NULL;
}

int serve_run(const serve_opts *o, diag *d) {
    const char *host = o->host ? o->host : "127.0.0.1";
    if (!fs_is_dir(o->course_dir)) {
        diag_report(d, DIAG_ERROR, o->course_dir, 0, 0, "no such course folder");
        return 2;
    }
    const char *tmpdir = getenv("TMPDIR");
    char *work = xasprintf("%s/coursec-serve.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(work)) {
        diag_report(d, DIAG_ERROR, work, 0, 0, "cannot make the server's work folder: %s (set TMPDIR to a writable folder)",
                    strerror(errno));
        free(work);
        return 2;
    }
    fswatch *w = fswatch_new(o->course_dir, NULL);
    if (!w) {
        diag_report(d, DIAG_ERROR, o->course_dir, 0, 0,
                    "cannot watch the course for changes: %s (raise fs.inotify.max_user_watches or "
                    "max_user_instances)",
                    strerror(errno));
        outdir_rm_rf(work);
        free(work);
        return 2;
    }
    server s = {.o = o, .work = work, .watch = w, .cache = build_cache_new(), .started = (long long)time(NULL)};
    pthread_rwlock_init(&s.lock, NULL);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    int port = 0;
    struct MHD_Daemon *m = start_daemon(&s, host, o->port ? o->port : SERVE_PORT, o->port != 0, &port, d);
    int status = 2;
    if (m) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 && strcmp(host, "localhost") != 0)
            fprintf(stderr, "coursec: warning: serving on %s: other machines can read every edition, "
                            "answers included\n", host);
        fprintf(stderr, "coursec: serving %s at http://%s%s%s:%d/ (Ctrl-C stops)\n", o->course_dir,
                strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
        build_once(&s);
        while (!stop_signal) {
            int r = fswatch_wait(w, 250, WATCH_QUIET_MS, WATCH_SETTLED_MS, WATCH_MAX_MS);
            if (r < 0 && errno != EINTR) {
                diag_report(d, DIAG_ERROR, o->course_dir, 0, 0, "watching the course failed: %s", strerror(errno));
                break;
            }
            if (r == 1 && !stop_signal) build_once(&s);
        }
        status = stop_signal ? 0 : 2;
        pthread_mutex_lock(&s.mu);
        s.stopping = 1;
        pthread_cond_broadcast(&s.cv);
        pthread_mutex_unlock(&s.mu);
        MHD_stop_daemon(m);
        fprintf(stderr, "coursec: stopped\n");
    }
    fswatch_free(w);
    build_cache_free(s.cache);
    outdir_rm_rf(work);
    free(work);
    free(s.root);
    free_strs(s.editions, s.neditions);
    buf_free(&s.diags);
    buf_free(&s.pending);
    pthread_rwlock_destroy(&s.lock);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    return status;
}
