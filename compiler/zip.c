/* zip.c — deterministic zip writer on libdeflate's raw deflate (see zip.h).
 * A deflated member is compressed in one call once all its bytes are known,
 * so its local header is written complete; a stored member streams, its CRC
 * and sizes written back into the header by seeking. The central directory
 * is kept in memory until zip_close. Only this file includes libdeflate.
 *
 * libdeflate at level 1, because its output depends only on the input, the
 * level and the libdeflate version, never on the CPU: its CPU-specific code
 * computes checksums and fills or shifts hash tables, which gives the same
 * values everywhere. So an EPUB is byte-identical on every machine with the same
 * libdeflate (SPEC §8.2; tests/cpu-repro checks it under emulated CPUs).
 * zlib, the other such deflater in Debian, is slower and its books larger
 * (docs/decisions.md, bench/PROFILE.md). */
#include "zip.h"
#include "buf.h"
#include "util.h"
#include <errno.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ZIP_LEVEL 1

struct zip_writer {
    FILE *f;
    int failed;
    uint16_t dos_time, dos_date;
    buf central;            /* central directory records so far */
    uint32_t nentries;
    struct libdeflate_compressor *deflater; /* made at the first deflated member */
    unsigned char *out;     /* compressed bytes of a member (reused) */
    size_t outcap;
    /* the member being written (zip_begin .. zip_end) */
    int open, method;
    char *name;
    uint64_t header_off;    /* where its local header starts */
    uint64_t off;           /* bytes written to the file so far */
    uint32_t crc;
    uint64_t usize, csize;
    buf pending;            /* a deflated member's bytes, until zip_end */
};

static void put16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void put32(unsigned char *p, uint32_t v) {
    put16(p, v & 0xffff);
    put16(p + 2, (v >> 16) & 0xffff);
}

static int fail(zip_writer *z, int err) {
    z->failed = 1;
    errno = err ? err : EIO;
    return -1;
}

static int raw_write(zip_writer *z, const void *p, size_t n) {
    if (n == 0) return 0;
    if (fwrite(p, 1, n, z->f) != n) return fail(z, errno);
    z->off += n;
    if (z->off > 0xffffffffu) return fail(z, EFBIG);
    return 0;
}

static void dos_stamp(long long t, uint16_t *tm, uint16_t *dt) {
    /* DOS dates run from 1980 to 2107; clamp instead of wrapping */
    if (t < 315532800LL) t = 315532800LL;       /* 1980-01-01 */
    if (t > 4354819198LL) t = 4354819198LL;     /* 2107-12-31 23:59:58 */
    time_t tt = (time_t)t;
    struct tm g;
    gmtime_r(&tt, &g);
    *tm = (uint16_t)((g.tm_hour << 11) | (g.tm_min << 5) | (g.tm_sec / 2));
    *dt = (uint16_t)(((g.tm_year - 80) << 9) | ((g.tm_mon + 1) << 5) | g.tm_mday);
}

zip_writer *zip_open(const char *path, long long mtime) {
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    zip_writer *z = xcalloc(1, sizeof *z);
    z->f = f;
    dos_stamp(mtime, &z->dos_time, &z->dos_date);
    return z;
}

static int name_is_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

/* Fills the 30-byte local header (without the name). */
static void local_header(const zip_writer *z, unsigned char *h, size_t namelen) {
    put32(h, 0x04034b50);
    put16(h + 4, z->method == ZIP_DEFLATE ? 20 : 10);
    put16(h + 6, name_is_ascii(z->name) ? 0 : 0x0800);
    put16(h + 8, (unsigned)z->method);
    put16(h + 10, z->dos_time);
    put16(h + 12, z->dos_date);
    put32(h + 14, z->crc);
    put32(h + 18, (uint32_t)z->csize);
    put32(h + 22, (uint32_t)z->usize);
    put16(h + 26, (unsigned)namelen);
    put16(h + 28, 0); /* no extra field, ever (EPUB OCF wants none on mimetype) */
}

static int write_header(zip_writer *z) {
    size_t namelen = strlen(z->name);
    unsigned char h[30];
    z->header_off = z->off;
    local_header(z, h, namelen);
    if (raw_write(z, h, sizeof h) < 0) return -1;
    return raw_write(z, z->name, namelen);
}

int zip_begin(zip_writer *z, const char *name, int method) {
    if (z->failed || z->open) return fail(z, EINVAL);
    size_t namelen = strlen(name);
    if (namelen == 0 || namelen > 0xffff || (method != ZIP_STORE && method != ZIP_DEFLATE))
        return fail(z, EINVAL);
    z->open = 1;
    z->method = method;
    z->name = xstrdup(name);
    z->crc = 0;
    z->usize = z->csize = 0;
    buf_clear(&z->pending);
    /* a deflated member's header is written whole by zip_end */
    return method == ZIP_STORE ? write_header(z) : 0;
}

int zip_write(zip_writer *z, const void *data, size_t len) {
    if (z->failed || !z->open) return fail(z, EINVAL);
    if (len > 0xffffffffu - z->usize) return fail(z, EFBIG);
    z->usize += len;
    if (z->method == ZIP_DEFLATE) {
        buf_put(&z->pending, data, len);
        return 0;
    }
    z->crc = libdeflate_crc32(z->crc, data, len);
    z->csize += len;
    return raw_write(z, data, len);
}

/* Compresses a whole deflated member into z->out; its size, or 0 on
 * failure. The room given is libdeflate's bound for len bytes, so only a
 * failed allocation fails. */
static size_t deflate_all(zip_writer *z, const void *data, size_t len) {
    if (!z->deflater) {
        z->deflater = libdeflate_alloc_compressor(ZIP_LEVEL);
        if (!z->deflater) return 0;
    }
    size_t cap = libdeflate_deflate_compress_bound(z->deflater, len);
    if (cap > z->outcap) {
        free(z->out);
        z->out = xmalloc(cap);
        z->outcap = cap;
    }
    return libdeflate_deflate_compress(z->deflater, data, len, z->out, z->outcap);
}

/* Everything but the data of a member is written: its central record. */
static int finish_member(zip_writer *z) {
    size_t namelen = strlen(z->name);
    unsigned char h[30];
    local_header(z, h, namelen);
    unsigned char c[46];
    put32(c, 0x02014b50);
    put16(c + 4, 0x0314);          /* made by: Unix, spec 2.0 (for the mode bits) */
    memcpy(c + 6, h + 4, 26);      /* version needed .. name length, extra length */
    put16(c + 32, 0);              /* comment length */
    put16(c + 34, 0);              /* disk number */
    put16(c + 36, 0);              /* internal attributes */
    put32(c + 38, (uint32_t)0100644 << 16); /* regular file, rw-r--r-- */
    put32(c + 42, (uint32_t)z->header_off);
    buf_put(&z->central, (const char *)c, sizeof c);
    buf_put(&z->central, z->name, namelen);
    z->nentries++;
    free(z->name);
    z->name = NULL;
    z->open = 0;
    if (z->nentries > 0xffff) return fail(z, EFBIG);
    return 0;
}

/* The open deflated member's data is `data`: compress and write it. */
static int end_deflated(zip_writer *z, const void *data, size_t len) {
    z->crc = libdeflate_crc32(0, data, len);
    z->usize = len;
    size_t n = deflate_all(z, data, len);
    if (n == 0) return fail(z, ENOMEM);
    z->csize = n;
    if (write_header(z) < 0 || raw_write(z, z->out, n) < 0) return -1;
    return finish_member(z);
}

int zip_end(zip_writer *z) {
    if (z->failed || !z->open) return fail(z, EINVAL);
    if (z->method == ZIP_DEFLATE) {
        int rc = end_deflated(z, z->pending.data ? z->pending.data : "", z->pending.len);
        buf_free(&z->pending);
        return rc;
    }
    /* write CRC and sizes back into the local header, then return to the end */
    unsigned char h[30];
    local_header(z, h, strlen(z->name));
    if (fseeko(z->f, (off_t)(z->header_off + 14), SEEK_SET) != 0) return fail(z, errno);
    if (fwrite(h + 14, 1, 12, z->f) != 12) return fail(z, errno);
    if (fseeko(z->f, (off_t)z->off, SEEK_SET) != 0) return fail(z, errno);
    return finish_member(z);
}

int zip_add(zip_writer *z, const char *name, const void *data, size_t len, int method) {
    if (method != ZIP_DEFLATE) {
        if (zip_begin(z, name, method) < 0) return -1;
        if (zip_write(z, data, len) < 0) return -1;
        return zip_end(z);
    }
    /* compressed straight from the caller's bytes */
    if (zip_begin(z, name, method) < 0) return -1;
    if (len > 0xffffffffu) return fail(z, EFBIG);
    return end_deflated(z, len ? data : "", len);
}

static void release(zip_writer *z) {
    libdeflate_free_compressor(z->deflater);
    free(z->name);
    free(z->out);
    buf_free(&z->pending);
    buf_free(&z->central);
    free(z);
}
int zip_close(zip_writer *z) {
    int rc = 0, err = 0;
    if (z->failed || z->open) {
        rc = -1;
        err = z->failed ? errno : EINVAL;
    } else {
        uint64_t cd_off = z->off;
        if (raw_write(z, z->central.data, z->central.len) < 0) {
            rc = -1;
            err = errno;
        } else {
            unsigned char e[22];
            put32(e, 0x06054b50);
            put16(e + 4, 0);
            put16(e + 6, 0);
            put16(e + 8, z->nentries);
            put16(e + 10, z->nentries);
            put32(e + 12, (uint32_t)z->central.len);
            put32(e + 16, (uint32_t)cd_off);
            put16(e + 20, 0);
            if (raw_write(z, e, sizeof e) < 0) {
                rc = -1;
                err = errno;
            }
        }
    }
    if (fclose(z->f) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    release(z);
    if (rc < 0) errno = err ? err : EIO;
    return rc;
}

void zip_discard(zip_writer *z) {
    if (!z) return;
    fclose(z->f);
    release(z);
}

unsigned long zip_crc32(unsigned long crc, const void *data, size_t len) {
    return libdeflate_crc32((uint32_t)crc, data, len);
}
