/* replay.c — runs a libFuzzer target without libFuzzer: every file named on
 * the command line (folders are read one level deep, sorted) is passed to
 * LLVMFuzzerTestOneInput once. Prints `ok TARGET: N inputs`; a crash is the
 * sanitizer's or abort's. Used by tests/fuzz/run.sh under `make test`. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) data = realloc(data, cap *= 2);
    }
    fclose(f);
    if (!data) abort();
    /* An exact-size copy, so the sanitizer sees any read past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) abort();
    memcpy(exact, data, len);
    free(data);
    if (getenv("REPLAY_VERBOSE")) fprintf(stderr, "replay %s\n", path);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    int count = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += run_file(argv[i]) != 0;
            count++;
            continue;
        }
        DIR *dir = opendir(argv[i]);
        if (!dir) {
            perror(argv[i]);
            bad++;
            continue;
        }
        char **names = NULL;
        size_t nn = 0;
        struct dirent *e;
        while ((e = readdir(dir))) {
            if (e->d_name[0] == '.') continue;
            names = realloc(names, (nn + 1) * sizeof *names);
            if (!names) abort();
            names[nn++] = strdup(e->d_name);
        }
        closedir(dir);
        qsort(names, nn, sizeof *names, cmp);
        for (size_t k = 0; k < nn; k++) {
            char *p;
            if (asprintf(&p, "%s/%s", argv[i], names[k]) < 0) abort();
            bad += run_file(p) != 0;
            count++;
            free(p);
            free(names[k]);
        }
        free(names);
    }
    printf("ok %s: %d inputs\n", argc > 0 ? argv[0] : "replay", count);
    return bad ? 1 : 0;
}
