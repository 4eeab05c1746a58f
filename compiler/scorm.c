/* scorm.c — the SCORM 1.2 content package (see scorm.h): list the finished
 * site, write imsmanifest.xml (IMS CP 1.1.2 with the ADL SCORM 1.2
 * extensions) and zip both with zip.c. */
#include "scorm.h"
#include "buf.h"
#include "fs.h"
#include "util.h"
#include "zip.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file of the theme's runtime, relative to the site. */
#define SCORM_RUNTIME "assets/scorm.js"

typedef struct file_list {
    char **v;
    int n, cap;
} file_list;

static void list_push(file_list *l, char *s) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, sizeof *l->v * (size_t)l->cap);
    }
    l->v[l->n++] = s;
}

static int by_name(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* Add every regular file below root/rel (rel "" for root itself) to l as a
 * path relative to root. A symbolic link or a special file is reported:
 * the package would hold something other than the site's own bytes. */
static int walk(const edition_ctx *ctx, const char *root, const char *rel, file_list *l) {
    char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        diag_report(ctx->d, DIAG_ERROR, dir, 0, 0, "cannot read the site folder for the SCORM package: %s",
                    strerror(errno));
        if (fd >= 0) close(fd);
        free(dir);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *sub = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            diag_report(ctx->d, DIAG_ERROR, dir, 0, 0, "cannot read `%s` for the SCORM package: %s", sub,
                        strerror(errno));
            rc = -1;
            free(sub);
        } else if (S_ISDIR(st.st_mode)) {
            if (walk(ctx, root, sub, l) != 0) rc = -1;
            free(sub);
        } else if (S_ISREG(st.st_mode)) {
            list_push(l, sub);
        } else {
            diag_report(ctx->d, DIAG_ERROR, dir, 0, 0,
                        "`%s` in the site is %s, which a SCORM package cannot hold: remove it from the theme's "
                        "assets",
                        sub, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
            rc = -1;
            free(sub);
        }
    }
    closedir(d);
    free(dir);
    return rc;
}

/* Text in XML content or an attribute: & < > " escaped, and the control
 * characters XML 1.0 cannot hold (a title from a YAML escape) as spaces. */
static void put_xml(buf *b, const char *s) {
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') buf_putc(b, ' ');
        else if (c == '&' || c == '<' || c == '>' || c == '"') buf_put_escaped(b, p, 1);
        else buf_putc(b, c);
    }
}

/* A path of the site as a relative URI: every byte but unreserved ones and
 * `/` percent-encoded (a medium's name may hold spaces or non-ASCII). */
static void put_href(buf *b, const char *path) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || c == '/')
            buf_putc(b, c);
        else buf_putc(b, '%'), buf_putc(b, hex[c >> 4]), buf_putc(b, hex[c & 15]);
    }
}

static const char *title_of(const page_info *pg) {
    return pg->title && *pg->title ? pg->title : pg->id ? pg->id : "";
}

/* Identifiers are xs:ID values: a fixed prefix then the id (course, edition
 * and module ids are lower-case letters, digits and `-`, see course.c), so
 * they are NCNames; module ids are unique, so are the item and resource
 * identifiers, and the prefixes keep the three kinds apart. */
static void manifest(const edition_ctx *ctx, const file_list *files, const char *is_page, buf *b) {
    const course *c = ctx->c;
    const char *ename = ctx->ed && ctx->ed->name ? ctx->ed->name : "";
    const char *ctitle = c->title && *c->title ? c->title : c->id;
    const char *etitle = ctx->ed && ctx->ed->title ? ctx->ed->title : NULL;
    buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest identifier=\"coursec-");
    put_xml(b, c->id);
    buf_putc(b, '-');
    put_xml(b, ename);
    buf_puts(b, "\" version=\"");
    put_xml(b, c->version && *c->version ? c->version : "1.0");
    buf_puts(b, "\"\n  xmlns=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2\"\n"
                "  xmlns:adlcp=\"http://www.adlnet.org/xsd/adlcp_rootv1p2\">\n"
                "  <metadata>\n    <schema>ADL SCORM</schema>\n    <schemaversion>1.2</schemaversion>\n"
                "  </metadata>\n  <organizations default=\"org\">\n    <organization identifier=\"org\">\n"
                "      <title>");
    put_xml(b, ctitle);
    if (etitle && *etitle) buf_puts(b, " \xe2\x80\x94 "), put_xml(b, etitle);
    buf_puts(b, "</title>\n");
    for (int i = 0; i < ctx->npages; i++) {
        const page_info *pg = &ctx->pages[i];
        buf_puts(b, "      <item identifier=\"item-");
        put_xml(b, pg->id);
        buf_puts(b, "\" identifierref=\"sco-");
        put_xml(b, pg->id);
        buf_puts(b, "\" isvisible=\"true\">\n        <title>");
        put_xml(b, title_of(pg));
        buf_puts(b, "</title>\n      </item>\n");
    }
    buf_puts(b, "    </organization>\n  </organizations>\n  <resources>\n");
    for (int i = 0; i < ctx->npages; i++) {
        char *page = xasprintf("%s.html", ctx->pages[i].id);
        buf_puts(b, "    <resource identifier=\"sco-");
        put_xml(b, ctx->pages[i].id);
        buf_puts(b, "\" type=\"webcontent\" adlcp:scormtype=\"sco\" href=\"");
        put_href(b, page);
        buf_puts(b, "\">\n      <file href=\"");
        put_href(b, page);
        buf_puts(b, "\"/>\n      <dependency identifierref=\"site-files\"/>\n    </resource>\n");
        free(page);
    }
    buf_puts(b, "    <resource identifier=\"site-files\" type=\"webcontent\" adlcp:scormtype=\"asset\">\n");
    for (int k = 0; k < files->n; k++) {
        if (is_page[k]) continue;
        buf_puts(b, "      <file href=\"");
        put_href(b, files->v[k]);
        buf_puts(b, "\"/>\n");
    }
    buf_puts(b, "    </resource>\n  </resources>\n</manifest>\n");
}

/* Text compresses; images, fonts and PDFs are compressed already. */
static int method_for(const char *name) {
    static const char *const text[] = {".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg",
                                       ".xml",  ".txt", ".md",  ".csv", ".yaml", ".ttf", ".otf"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof text / sizeof *text; i++) {
        size_t m = strlen(text[i]);
        if (n >= m && !strcmp(name + n - m, text[i])) return ZIP_DEFLATE;
    }
    return ZIP_STORE;
}

/* One site file as a member, streamed from disk (opened without following
 * a link: walk saw a regular file). -1 with *read_err set when the file
 * could not be read, -1 alone when the zip could not be written. */
static int put_file(zip_writer *z, const char *path, const char *name, int *read_err) {
    FILE *f = fs_fopen_read(path);
    *read_err = 0;
    if (!f) {
        *read_err = errno ? errno : EIO;
        return -1;
    }
    char chunk[65536];
    size_t n;
    int rc = zip_begin(z, name, method_for(name));
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = zip_write(z, chunk, n);
    if (rc == 0 && ferror(f)) *read_err = EIO, rc = -1;
    fclose(f);
    if (rc == 0) rc = zip_end(z);
    return rc;
}

int scorm_write(const edition_ctx *ctx, const char *site, const char *out) {
    const course *c = ctx->c;
    file_list files = {0};
    int rc = walk(ctx, site, "", &files);
    if (files.n > 0) qsort(files.v, (size_t)files.n, sizeof *files.v, by_name);
    /* which files are module pages (each its own SCO resource) */
    char *is_page = xcalloc((size_t)files.n + 1, 1);
    for (int i = 0; i < ctx->npages && rc == 0; i++) {
        char *page = xasprintf("%s.html", ctx->pages[i].id);
        char **hit = files.n > 0 ? bsearch(&page, files.v, (size_t)files.n, sizeof *files.v, by_name) : NULL;
        if (hit) is_page[hit - files.v] = 1;
        else {
            diag_report(ctx->d, DIAG_ERROR, ctx->pages[i].path, 0, 0,
                        "the module's page %s is missing from the site, so the SCORM package cannot launch it", page);
            rc = -1;
        }
        free(page);
    }
    /* IMS CP: an organisation holds at least one item */
    if (rc == 0 && ctx->npages == 0 && ctx->ed) {
        const course_edition *ed = ctx->ed;
        diag_report(ctx->d, DIAG_ERROR, ed->at.path ? ed->at.path : c->yaml_path, ed->at.line, ed->at.col,
                    "edition `%s` has no module, so its SCORM package would have nothing to launch: give it a "
                    "module or build it without `scorm`",
                    ed->name);
        rc = -1;
    }
    const char *rt = SCORM_RUNTIME;
    if (rc == 0 && (files.n == 0 || !bsearch(&rt, files.v, (size_t)files.n, sizeof *files.v, by_name))) {
        diag_report(ctx->d, DIAG_ERROR, c->theme_at.path ? c->theme_at.path : c->yaml_path, c->theme_at.line,
                    c->theme_at.col,
                    "the theme has no %s, so a SCORM package would not report to the LMS: copy coursec's "
                    "themes/default/assets/scorm.js and the `{{#scorm}}` lines of its page.html into the theme, "
                    "or leave out `scorm`",
                    rt);
        rc = -1;
    }
    zip_writer *z = NULL;
    if (rc == 0 && !(z = zip_open(out, ctx->build_time))) {
        diag_report(ctx->d, DIAG_ERROR, out, 0, 0, "cannot write output file: %s", strerror(errno));
        rc = -1;
    }
    if (z) {
        buf m = BUF_INIT;
        manifest(ctx, &files, is_page, &m);
        int w = zip_add(z, "imsmanifest.xml", m.data, m.len, ZIP_DEFLATE);
        buf_free(&m);
        for (int k = 0; k < files.n && w == 0; k++) {
            char *path = xasprintf("%s/%s", site, files.v[k]);
            int rerr = 0;
            w = put_file(z, path, files.v[k], &rerr);
            if (rerr) {
                diag_report(ctx->d, DIAG_ERROR, path, 0, 0, "cannot read a site file for the SCORM package: %s",
                            fs_strerror(rerr));
                z = (zip_discard(z), NULL);
                rc = -1;
            }
            free(path);
        }
        if (z) { /* zip_close frees z whatever it returns */
            if (w != 0 || zip_close(z) != 0) {
                diag_report(ctx->d, DIAG_ERROR, out, 0, 0, "cannot write output file: %s", strerror(errno));
                if (w != 0) zip_discard(z);
                rc = -1;
            }
            z = NULL;
        }
        if (rc != 0) remove(out);
    }
    for (int k = 0; k < files.n; k++) free(files.v[k]);
    free(files.v);
    free(is_page);
    return rc;
}
