/* test_zip.c — the zip writer: a valid archive (checked by `unzip -t` and by
 * parsing it here), mimetype first/stored/no extra field, fixed timestamps,
 * byte-identical output for identical input, the CRC-32 of zip and PNG, and
 * a member that does not compress (deflate needs more room than its input). */
#include "../../compiler/zip.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, what)                                                     \
    do {                                                                      \
        if (cond) printf("ok   %s\n", what);                                  \
        else {                                                                \
            printf("FAIL %s (%s:%d)\n", what, __FILE__, __LINE__);           \
            failures++;                                                       \
        }                                                                     \
    } while (0)

static unsigned rd16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    *len = fread(p, 1, (size_t)n, f);
    fclose(f);
    return p;
}

static int write_sample(const char *path, const char *big, size_t biglen) {
    zip_writer *z = zip_open(path, 1768435200LL); /* 2026-01-15T00:00:00Z */
    if (!z) return -1;
    if (zip_add(z, "mimetype", "application/epub+zip", 20, ZIP_STORE) < 0) return -1;
    if (zip_add(z, "META-INF/container.xml", "<container/>\n", 13, ZIP_DEFLATE) < 0) return -1;
    /* streamed in uneven chunks */
    if (zip_begin(z, "EPUB/big.txt", ZIP_DEFLATE) < 0) return -1;
    for (size_t off = 0; off < biglen;) {
        size_t n = biglen - off < 7777 ? biglen - off : 7777;
        if (zip_write(z, big + off, n) < 0) return -1;
        off += n;
    }
    if (zip_end(z) < 0) return -1;
    if (zip_add(z, "EPUB/stored.bin", big, 1000, ZIP_STORE) < 0) return -1;
    if (zip_add(z, "EPUB/empty.txt", "", 0, ZIP_DEFLATE) < 0) return -1;
    if (zip_add(z, "EPUB/naïve.txt", "é", 2, ZIP_DEFLATE) < 0) return -1;
    return zip_close(z);
}

int main(void) {
    char dir[] = "/tmp/test_zip_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char a[512], b[512], cmd[1200];
    snprintf(a, sizeof a, "%s/a.zip", dir);
    snprintf(b, sizeof b, "%s/b.zip", dir);

    size_t biglen = 300000;
    char *big = malloc(biglen);
    uint32_t x = 12345;
    for (size_t i = 0; i < biglen; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (char)(i % 3 ? 'a' + (x >> 16) % 26 : ' ');
    }

    CHECK(write_sample(a, big, biglen) == 0, "write archive a");
    CHECK(write_sample(b, big, biglen) == 0, "write archive b");

    size_t la = 0, lb = 0;
    unsigned char *pa = slurp(a, &la), *pb = slurp(b, &lb);
    CHECK(pa && pb && la == lb && memcmp(pa, pb, la) == 0, "two writes are byte-identical");

    /* mimetype: first member, stored, no extra field, name at byte 30 */
    CHECK(pa && rd32(pa) == 0x04034b50, "local header signature at offset 0");
    CHECK(pa && rd16(pa + 8) == 0, "mimetype is stored");
    CHECK(pa && rd16(pa + 26) == 8 && rd16(pa + 28) == 0, "mimetype name length 8, extra length 0");
    CHECK(pa && memcmp(pa + 30, "mimetype", 8) == 0, "bytes 30.. are \"mimetype\"");
    CHECK(pa && memcmp(pa + 38, "application/epub+zip", 20) == 0, "mimetype content follows the name");
    CHECK(pa && rd16(pa + 6) == 0, "mimetype: no data descriptor flag");
    /* 2026-01-15 00:00:00 as DOS date/time */
    CHECK(pa && rd16(pa + 10) == 0 && rd16(pa + 12) == (((2026 - 1980) << 9) | (1 << 5) | 15),
          "DOS timestamp from build time");

    /* walk the central directory: every entry has no extra field and the right count */
    if (pa && la > 22) {
        const unsigned char *e = pa + la - 22;
        CHECK(rd32(e) == 0x06054b50, "end of central directory at the end");
        unsigned n = rd16(e + 10);
        CHECK(n == 6, "six entries");
        const unsigned char *c = pa + rd32(e + 16);
        int extra_ok = 1, order_ok = 1;
        const char *want[] = {"mimetype", "META-INF/container.xml", "EPUB/big.txt", "EPUB/stored.bin",
                              "EPUB/empty.txt", "EPUB/naïve.txt"};
        for (unsigned i = 0; i < n && i < 6; i++) {
            if (rd32(c) != 0x02014b50) { order_ok = 0; break; }
            unsigned nl = rd16(c + 28), xl = rd16(c + 30), cl = rd16(c + 32);
            if (xl) extra_ok = 0;
            const unsigned char *l = pa + rd32(c + 42);
            if (rd16(l + 28)) extra_ok = 0;
            if (nl != strlen(want[i]) || memcmp(c + 46, want[i], nl) != 0) order_ok = 0;
            c += 46 + nl + xl + cl;
        }
        CHECK(extra_ok, "no extra fields anywhere");
        CHECK(order_ok, "members in the order written");
        CHECK(rd16(pa + la - 22 + 20) == 0, "no archive comment");
    }

    /* independent readers */
    snprintf(cmd, sizeof cmd, "unzip -tqq '%s' >/dev/null 2>&1", a);
    if (system("command -v unzip >/dev/null 2>&1") == 0)
        CHECK(system(cmd) == 0, "unzip -t accepts the archive");
    else
        printf("SKIP unzip -t (no unzip)\n");
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import zipfile,sys; z=zipfile.ZipFile('%s'); "
             "assert z.testzip() is None; "
             "assert z.read('EPUB/big.txt')==open('%s/big.expect','rb').read(); "
             "assert z.read('EPUB/naïve.txt').decode()=='é'; "
             "assert z.infolist()[0].compress_type==0\" 2>&1",
             a, dir);
    char expect[600];
    snprintf(expect, sizeof expect, "%s/big.expect", dir);
    FILE *f = fopen(expect, "wb");
    if (f) {
        fwrite(big, 1, biglen, f);
        fclose(f);
    }
    if (system("command -v python3 >/dev/null 2>&1") == 0)
        CHECK(system(cmd) == 0, "python zipfile reads every member back intact");
    else
        printf("SKIP python zipfile (no python3)\n");

    /* the standard CRC-32 check value, whole and continued */
    CHECK(zip_crc32(0, "123456789", 9) == 0xCBF43926ul, "CRC-32 of \"123456789\" is CBF43926");
    CHECK(zip_crc32(zip_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926ul, "CRC-32 continued over two pieces");

    /* random bytes grow when deflated: the member still reads back intact */
    char c[512], noise[600];
    snprintf(c, sizeof c, "%s/c.zip", dir);
    snprintf(noise, sizeof noise, "%s/noise.expect", dir);
    size_t noiselen = 200003;
    unsigned char *rnd = malloc(noiselen);
    for (size_t i = 0; i < noiselen; i++) {
        x = x * 1103515245u + 12345u;
        rnd[i] = (unsigned char)(x >> 23);
    }
    zip_writer *zc = zip_open(c, 1768435200LL);
    int wrote = zc && zip_add(zc, "noise.bin", rnd, noiselen, ZIP_DEFLATE) == 0;
    CHECK(zc && zip_close(zc) == 0 && wrote, "write an incompressible member");
    f = fopen(noise, "wb");
    if (f) {
        fwrite(rnd, 1, noiselen, f);
        fclose(f);
    }
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import zipfile; z=zipfile.ZipFile('%s/c.zip'); i=z.infolist()[0]; "
             "assert i.compress_type==8 and i.file_size==%zu; "
             "assert z.read('noise.bin')==open('%s/noise.expect','rb').read()\" 2>&1",
             dir, noiselen, dir);
    if (system("command -v python3 >/dev/null 2>&1") == 0)
        CHECK(system(cmd) == 0, "python zipfile reads the incompressible member back intact");
    else
        printf("SKIP python zipfile (no python3)\n");
    free(rnd);

    /* an unwritable path fails cleanly */
    CHECK(zip_open("/nonexistent-dir/x.zip", 0) == NULL, "open in a missing folder fails");
    /* misuse is refused, not crashed */
    zip_writer *z = zip_open(a, 0);
    CHECK(z && zip_write(z, "x", 1) < 0, "write outside a member fails");
    CHECK(z && zip_close(z) < 0, "close after a failure reports it");

    free(pa);
    free(pb);
    free(big);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("note: could not remove %s\n", dir);
    printf("%s\n", failures ? "FAIL test_zip" : "ok test_zip");
    return failures ? 1 : 0;
}
