/* media.c — checks that an image file is what its extension says (media.h):
 * the first bytes name what the file holds, then the structure of a PNG
 * (chunks and their checksums), JPEG (markers up to EOI), GIF (blocks up to
 * the trailer) or WebP (its RIFF size) is walked in one streaming pass, so
 * that a truncated or corrupt file is caught, not only a mislabelled one.
 * SVG documents go to svgcheck.c. */
#include "media.h"
#include "svgcheck.h"
#include "util.h"
#include "zip.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *ext;
    media_kind kind;
} exts[] = {{".png", MEDIA_PNG},   {".jpg", MEDIA_JPEG}, {".jpeg", MEDIA_JPEG},
            {".gif", MEDIA_GIF},   {".webp", MEDIA_WEBP}, {".svg", MEDIA_SVG}};

media_kind media_kind_of(const char *name) {
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || strchr(dot, '/')) return MEDIA_NONE;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i].ext) == 0) return exts[i].kind;
    return MEDIA_NONE;
}

const char *media_type_of(media_kind k) {
    switch (k) {
    case MEDIA_PNG: return "image/png";
    case MEDIA_JPEG: return "image/jpeg";
    case MEDIA_GIF: return "image/gif";
    case MEDIA_WEBP: return "image/webp";
    case MEDIA_SVG: return "image/svg+xml";
    default: return NULL;
    }
}

/* "a PNG", ...: the kind with its article, for messages. */
static const char *kind_name(media_kind k) {
    switch (k) {
    case MEDIA_PNG: return "a PNG";
    case MEDIA_JPEG: return "a JPEG";
    case MEDIA_GIF: return "a GIF";
    case MEDIA_WEBP: return "a WebP";
    case MEDIA_SVG: return "an SVG";
    default: return "an image";
    }
}

/* ---- reading in chunks ------------------------------------------------------ */

typedef struct rd {
    FILE *f;
    size_t pos, len;
    int eof, err;
    unsigned char buf[1 << 16];
} rd;

static int fill(rd *r) {
    if (r->pos < r->len) return 1;
    if (r->eof || r->err) return 0;
    r->pos = 0;
    r->len = fread(r->buf, 1, sizeof r->buf, r->f);
    if (r->len == 0) {
        if (ferror(r->f)) r->err = errno ? errno : EIO;
        r->eof = 1;
        return 0;
    }
    return 1;
}

/* The next byte, or -1 at the end of the file. */
static int byte(rd *r) { return fill(r) ? r->buf[r->pos++] : -1; }

/* Reads n bytes into dst (NULL: skips them); crc, when not NULL, is carried
 * over them. Returns 0, or -1 when the file ends first. */
static int take(rd *r, void *dst, uint64_t n, unsigned long *crc) {
    unsigned char *d = dst;
    while (n > 0) {
        if (!fill(r)) return -1;
        size_t k = r->len - r->pos;
        if (k > n) k = (size_t)n;
        if (d) memcpy(d, r->buf + r->pos, k), d += k;
        if (crc) *crc = zip_crc32(*crc, r->buf + r->pos, k);
        r->pos += k;
        n -= k;
    }
    return 0;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* ---- what the first bytes are ------------------------------------------------ */

static int starts(const unsigned char *h, size_t n, const char *magic, size_t m) {
    return n >= m && memcmp(h, magic, m) == 0;
}

/* What sniff calls a file of markup with no <svg> in its first bytes: an
 * SVG with a long prolog (comments, a DOCTYPE) may be one, which the SVG
 * check then decides. */
static const char markup[] = "XML or HTML text, not an image";

/* The kind of image h[0..n) (a file's first bytes) begins, MEDIA_NONE if
 * none; *what: how to name what the file holds, for messages. */
static media_kind sniff(const unsigned char *h, size_t n, const char **what) {
    if (starts(h, n, "\x89PNG\r\n\x1a\n", 8)) return *what = "a PNG image", MEDIA_PNG;
    if (starts(h, n, "\xff\xd8\xff", 3)) return *what = "a JPEG image", MEDIA_JPEG;
    if (starts(h, n, "GIF87a", 6) || starts(h, n, "GIF89a", 6)) return *what = "a GIF image", MEDIA_GIF;
    if (n >= 12 && starts(h, n, "RIFF", 4) && memcmp(h + 8, "WEBP", 4) == 0) return *what = "a WebP image", MEDIA_WEBP;
    if (n == 0) return *what = "nothing (it is empty)", MEDIA_NONE;
    if (starts(h, n, "%PDF", 4)) return *what = "a PDF document", MEDIA_NONE;
    if (starts(h, n, "PK\x03\x04", 4)) return *what = "a zip archive (an Office document?)", MEDIA_NONE;
    if (starts(h, n, "BM", 2)) return *what = "a BMP image, which EPUB readers need not show", MEDIA_NONE;
    if (starts(h, n, "II*\0", 4) || starts(h, n, "MM\0*", 4)) return *what = "a TIFF image", MEDIA_NONE;
    if (n >= 12 && starts(h + 4, n - 4, "ftyp", 4)) return *what = "an HEIC/AVIF image or a video", MEDIA_NONE;
    size_t i = starts(h, n, "\xef\xbb\xbf", 3) ? 3 : 0;
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\n' || h[i] == '\r')) i++;
    if (i < n && h[i] == '<') {
        /* an SVG names its root early; an HTML page says so */
        for (size_t k = i; k + 4 <= n; k++) {
            if (strncasecmp((const char *)h + k, "<svg", 4) == 0) return *what = "an SVG image", MEDIA_SVG;
            if (k + 5 <= n && strncasecmp((const char *)h + k, "<html", 5) == 0)
                return *what = "an HTML page (saved from a browser?)", MEDIA_NONE;
        }
        return *what = markup, MEDIA_NONE;
    }
    for (size_t k = 0; k < n; k++)
        if (h[k] < 0x20 && h[k] != '\t' && h[k] != '\n' && h[k] != '\r' && h[k] != '\f') {
            *what = "data of a kind coursec does not recognise";
            return MEDIA_NONE;
        }
    *what = "text, not an image";
    return MEDIA_NONE;
}

/* ---- structure -------------------------------------------------------------- */

/* Each returns NULL when the structure is complete, else what is wrong
 * (r is positioned after the bytes sniff saw: they are read again here). */

static const char *walk_png(rd *r, char *why, size_t cap) {
    unsigned char h[8];
    if (take(r, h, 8, NULL) < 0) return "it is cut short in its signature";
    int first = 1, idat = 0;
    for (;;) {
        unsigned char ch[8];
        if (take(r, ch, 8, NULL) < 0) return "it is cut short: it ends before its IEND chunk";
        uint32_t len = be32(ch);
        char type[5];
        memcpy(type, ch + 4, 4);
        type[4] = 0;
        for (int i = 0; i < 4; i++)
            if (!((type[i] >= 'a' && type[i] <= 'z') || (type[i] >= 'A' && type[i] <= 'Z')))
                return "it is corrupt: a chunk has a name that is not four letters";
        if (len > 0x7fffffffu) return "it is corrupt: a chunk is longer than PNG allows";
        int ihdr = strcmp(type, "IHDR") == 0;
        if (first && (!ihdr || len != 13)) return "it is corrupt: it does not begin with its IHDR chunk";
        if (!first && ihdr) return "it is corrupt: it has a second IHDR chunk";
        unsigned long crc = zip_crc32(0, ch + 4, 4);
        unsigned char head[13];
        if (take(r, ihdr ? head : NULL, len, &crc) < 0) {
            snprintf(why, cap, "it is cut short inside its %s chunk", type);
            return why;
        }
        unsigned char cb[4];
        if (take(r, cb, 4, NULL) < 0) {
            snprintf(why, cap, "it is cut short inside its %s chunk", type);
            return why;
        }
        if (be32(cb) != (uint32_t)crc) {
            snprintf(why, cap, "it is corrupt: its %s chunk fails its checksum", type);
            return why;
        }
        if (ihdr && (be32(head) == 0 || be32(head + 4) == 0)) return "it is corrupt: its width or height is 0";
        if (strcmp(type, "IDAT") == 0) idat++;
        if (strcmp(type, "IEND") == 0) return idat ? NULL : "it is corrupt: it has no image data (IDAT)";
        first = 0;
    }
}

static int is_sof(int m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

static const char *walk_jpeg(rd *r) {
    if (byte(r) != 0xFF || byte(r) != 0xD8) return "it is corrupt: it does not begin with a JPEG start marker";
    int sof = 0, sos = 0, m = -1;
    for (;;) {
        if (m < 0) {
            int c = byte(r);
            if (c < 0) return "it is cut short: it ends before its end marker (EOI)";
            if (c != 0xFF) return "it is corrupt: a segment is followed by bytes that are not a marker";
            do c = byte(r); while (c == 0xFF);
            if (c < 0) return "it is cut short: it ends before its end marker (EOI)";
            m = c;
        }
        if (m == 0xD9) return sof && sos ? NULL : "it is corrupt: it ends before any image data";
        if (m == 0x00 || m == 0xD8) return "it is corrupt: it has a marker where none may stand";
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* markers without a length */
            m = -1;
            continue;
        }
        unsigned char lb[2];
        if (take(r, lb, 2, NULL) < 0) return "it is cut short inside a segment";
        unsigned len = (unsigned)lb[0] << 8 | lb[1];
        if (len < 2) return "it is corrupt: a segment has a length below 2";
        if (take(r, NULL, len - 2, NULL) < 0) return "it is cut short inside a segment";
        if (is_sof(m)) sof = 1;
        if (m != 0xDA) {
            m = -1;
            continue;
        }
        if (!sof) return "it is corrupt: its image data comes before its frame header";
        sos = 1;
        /* entropy-coded data: runs to the next marker that is not a byte
         * stuffing (FF 00) or a restart (FF D0..D7) */
        m = -1;
        for (;;) {
            int c = byte(r);
            if (c < 0) return "it is cut short inside its image data: it ends before its end marker (EOI)";
            if (c != 0xFF) continue;
            do c = byte(r); while (c == 0xFF);
            if (c < 0) return "it is cut short inside its image data: it ends before its end marker (EOI)";
            if (c == 0x00 || (c >= 0xD0 && c <= 0xD7)) continue;
            m = c;
            break;
        }
    }
}

static const char *skip_sub_blocks(rd *r) {
    for (;;) {
        int n = byte(r);
        if (n < 0) return "it is cut short inside a block";
        if (n == 0) return NULL;
        if (take(r, NULL, (uint64_t)n, NULL) < 0) return "it is cut short inside a block";
    }
}

static const char *walk_gif(rd *r) {
    unsigned char h[13];
    if (take(r, h, 13, NULL) < 0) return "it is cut short in its header";
    if ((h[6] | h[7]) == 0 || (h[8] | h[9]) == 0) return "it is corrupt: its width or height is 0";
    if (h[10] & 0x80 && take(r, NULL, 3u << ((h[10] & 7) + 1), NULL) < 0) return "it is cut short in its colour table";
    int images = 0;
    for (;;) {
        int c = byte(r);
        if (c < 0) return "it is cut short: it ends before its trailer";
        if (c == 0x3B) return images ? NULL : "it is corrupt: it holds no image";
        if (c == 0x21) {
            if (byte(r) < 0) return "it is cut short inside an extension";
            const char *e = skip_sub_blocks(r);
            if (e) return e;
        } else if (c == 0x2C) {
            unsigned char d[9];
            if (take(r, d, 9, NULL) < 0) return "it is cut short inside an image descriptor";
            if (d[8] & 0x80 && take(r, NULL, 3u << ((d[8] & 7) + 1), NULL) < 0)
                return "it is cut short in a colour table";
            int code = byte(r);
            if (code < 0) return "it is cut short inside an image";
            if (code < 1 || code > 11) return "it is corrupt: an image has an impossible code size";
            const char *e = skip_sub_blocks(r);
            if (e) return e;
            images++;
        } else {
            return "it is corrupt: it has a block of an unknown kind";
        }
    }
}

static const char *walk_webp(rd *r) {
    unsigned char h[16];
    if (take(r, h, 16, NULL) < 0) return "it is cut short in its header";
    uint32_t size = le32(h + 4);
    if (size < 8 || (size & 1)) return "it is corrupt: its RIFF size is impossible";
    if (memcmp(h + 12, "VP8 ", 4) != 0 && memcmp(h + 12, "VP8L", 4) != 0 && memcmp(h + 12, "VP8X", 4) != 0)
        return "it is corrupt: its first chunk is not VP8, VP8L or VP8X";
    if (take(r, NULL, (uint64_t)size - 8, NULL) < 0) return "it is cut short: it is smaller than its header says";
    return NULL;
}

/* ---- the check -------------------------------------------------------------- */

int media_check(const char *src, media_kind claimed, int flags, const media_ref_pos *at, diag *d) {
    const char *name = at->name ? at->name : src;
    FILE *f = fopen(src, "rb");
    if (!f) {
        diag_report(d, DIAG_ERROR, at->path, at->line, at->col, "cannot read image `%s`: %s", name, strerror(errno));
        return 1;
    }
    rd *r = xcalloc(1, sizeof *r);
    r->f = f;
    fill(r);
    const char *what;
    media_kind got = sniff(r->buf, r->len < 1024 ? r->len : 1024, &what);
    int nerr = 0;
    char why[96];
    if (r->err) {
        diag_report(d, DIAG_ERROR, at->path, at->line, at->col, "cannot read image `%s`: %s", name, strerror(r->err));
        nerr = 1;
    } else if (got != claimed && !(claimed == MEDIA_SVG && what == markup)) {
        media_kind k = got;
        const char *ext = k == MEDIA_PNG ? "png" : k == MEDIA_JPEG ? "jpg" : k == MEDIA_GIF ? "gif"
                          : k == MEDIA_WEBP ? "webp" : k == MEDIA_SVG ? "svg" : NULL;
        if (ext)
            diag_report(d, DIAG_ERROR, at->path, at->line, at->col,
                        "image `%s` is not %s file: it holds %s (give it the extension .%s)", name,
                        kind_name(claimed), what, ext);
        else
            diag_report(d, DIAG_ERROR, at->path, at->line, at->col, "image `%s` is not %s file: it holds %s",
                        name, kind_name(claimed), what);
        nerr = 1;
    } else if (claimed == MEDIA_SVG) {
        fclose(f);
        f = NULL;
        nerr = svgcheck_file(src, flags, at->display ? at->display : src, at, d);
    } else {
        const char *bad = claimed == MEDIA_PNG    ? walk_png(r, why, sizeof why)
                          : claimed == MEDIA_JPEG ? walk_jpeg(r)
                          : claimed == MEDIA_GIF  ? walk_gif(r)
                                                  : walk_webp(r);
        if (r->err) {
            diag_report(d, DIAG_ERROR, at->path, at->line, at->col, "cannot read image `%s`: %s", name,
                        strerror(r->err));
            nerr = 1;
        } else if (bad) {
            diag_report(d, DIAG_ERROR, at->path, at->line, at->col, "image `%s` is not a complete %s file: %s", name,
                        strchr(kind_name(claimed), ' ') + 1, bad);
            nerr = 1;
        }
    }
    if (f) fclose(f);
    free(r);
    return nerr;
}
