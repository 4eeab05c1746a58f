/* test_outdir.c — the output folder of a course (outdir.h): the lock (a second
 * holder is refused or waits), stale temporary folders removed once locked,
 * the commit that replaces only the formats built and leaves every other
 * path alone, symbolic links refused and never followed, and a build that
 * writes nothing leaving nothing behind. Works in a fresh temporary folder. */
#include "../../compiler/fs.h"
#include "../../compiler/outdir.h"
#include "harness.h"
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/coursec-test-outdir.XXXXXX";

static const char *at(const char *name) {
    static char p[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static int exists(const char *name) {
    struct stat st;
    return lstat(at(name), &st) == 0;
}

static char *read_all(const char *name) {
    char *data = NULL;
    size_t len = 0;
    return fs_read(at(name), &data, &len) == 0 ? data : NULL;
}

static int has(const char *name, const char *text) {
    char *s = read_all(name);
    int r = s && strcmp(s, text) == 0;
    free(s);
    return r;
}

static void put(const char *name, const char *text) { fs_write(at(name), text, strlen(text)); }

/* The names in a folder that contain ".tmp-". */
static int temps_in(const char *name) {
    DIR *d = opendir(at(name));
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-")) n++;
    if (d) closedir(d);
    return n;
}

int main(void) {
    if (!OK(mkdtemp(dir) != NULL)) return harness_summary();
    alarm(60);
    char out[512];
    snprintf(out, sizeof out, "%s", at("out"));
    outdir_error err;

    /* a build that writes nothing leaves nothing: OUT/<id> made and removed */
    OK(fs_mkdir_p(out) == 0);
    outdir *o = outdir_lock(out, "c", 0, 1, &err);
    if (!OK(o != NULL)) return harness_summary();
    OK(exists("out/c/" OUTDIR_LOCK_NAME));
    outdir_unlock(o);
    OK(!exists("out/c"));

    /* stale temporary folders go once the lock is held; nothing else does */
    OK(fs_mkdir_p(at("out/c/.learner.tmp-AbC123/site")) == 0);
    put("out/c/.learner.tmp-AbC123/site/x.html", "x");
    put("out/c/.notes", "mine");
    OK(fs_mkdir_p(at("out/c/learner.tmp-AbC123")) == 0);
    o = outdir_lock(out, "c", 0, 1, &err);
    if (!OK(o != NULL)) return harness_summary();
    OK(!exists("out/c/.learner.tmp-AbC123"));
    OK(has("out/c/.notes", "mine"));
    OK(exists("out/c/learner.tmp-AbC123"));
    rmdir(at("out/c/learner.tmp-AbC123"));

    /* a second holder is refused (with no time to wait) */
    outdir_error err2;
    OK(outdir_lock(out, "c", 0, 1, &err2) == NULL);
    CONTAINS(err2.msg, "another coursec");
    CONTAINS(err2.msg, "nothing was written");
    CONTAINS(err2.path, "out/c");
    /* another course is not held up */
    outdir *other = outdir_lock(out, "d", 0, 1, &err2);
    OK(other != NULL);
    outdir_unlock(other);

    /* the first commit of an edition */
    char *tmp = outdir_temp(o, "learner");
    if (!OK(tmp != NULL)) return harness_summary();
    OK(temps_in("out/c") == 1);
    char p[600];
    snprintf(p, sizeof p, "%s/site", tmp);
    OK(fs_mkdir_p(p) == 0);
    snprintf(p, sizeof p, "%s/site/index.html", tmp);
    fs_write(p, "new1", 4);
    snprintf(p, sizeof p, "%s/c-learner.epub", tmp);
    fs_write(p, "epub1", 5);
    const char *eds[] = {"learner"};
    OK(outdir_commit(o, eds, &tmp, 1, &err) == 0);
    outdir_discard(tmp);
    free(tmp);
    OK(has("out/c/learner/site/index.html", "new1"));
    OK(has("out/c/learner/c-learner.epub", "epub1"));
    OK(temps_in("out/c") == 0);

    /* html only: site replaced as a whole, the epub and the user's files kept */
    put("out/c/learner/site/stale.html", "old page");
    put("out/c/learner/notes.txt", "mine");
    tmp = outdir_temp(o, "learner");
    snprintf(p, sizeof p, "%s/site", tmp);
    fs_mkdir_p(p);
    snprintf(p, sizeof p, "%s/site/index.html", tmp);
    fs_write(p, "new2", 4);
    OK(outdir_commit(o, eds, &tmp, 1, &err) == 0);
    /* the previous site is now in the temporary folder */
    snprintf(p, sizeof p, "%s/site/stale.html", tmp);
    OK(access(p, F_OK) == 0);
    outdir_discard(tmp);
    free(tmp);
    OK(has("out/c/learner/site/index.html", "new2"));
    OK(!exists("out/c/learner/site/stale.html"));
    OK(has("out/c/learner/c-learner.epub", "epub1"));
    OK(has("out/c/learner/notes.txt", "mine"));

    /* a link at a path the commit replaces: refused, nothing moved, the
     * link's target untouched */
    OK(fs_mkdir_p(at("precious")) == 0);
    put("precious/keep.txt", "precious");
    OK(rename(at("out/c/learner/site"), at("site-aside")) == 0);
    OK(symlink(at("precious"), at("out/c/learner/site")) == 0);
    tmp = outdir_temp(o, "learner");
    snprintf(p, sizeof p, "%s/site", tmp);
    fs_mkdir_p(p);
    snprintf(p, sizeof p, "%s/c-learner.epub", tmp);
    fs_write(p, "epub3", 5);
    OK(outdir_commit(o, eds, &tmp, 1, &err) == -1);
    CONTAINS(err.msg, "symbolic link");
    CONTAINS(err.path, "out/c/learner/site");
    OK(has("out/c/learner/c-learner.epub", "epub1")); /* all or nothing: the epub was not moved either */
    outdir_discard(tmp);
    free(tmp);
    OK(has("precious/keep.txt", "precious"));
    unlink(at("out/c/learner/site"));

    /* a link at the edition folder: refused before anything is built */
    OK(symlink(at("precious"), at("out/c/facilitator")) == 0);
    OK(outdir_check_edition(o, "facilitator", &err) == -1);
    CONTAINS(err.msg, "symbolic link");
    OK(outdir_check_edition(o, "learner", &err) == 0);
    OK(outdir_check_edition(o, "absent", &err) == 0);
    tmp = outdir_temp(o, "facilitator");
    snprintf(p, sizeof p, "%s/site", tmp);
    fs_mkdir_p(p);
    const char *feds[] = {"facilitator"};
    OK(outdir_commit(o, feds, &tmp, 1, &err) == -1);
    outdir_discard(tmp);
    free(tmp);
    OK(has("precious/keep.txt", "precious"));
    OK(!exists("precious/site"));
    unlink(at("out/c/facilitator"));

    /* a link inside the previous output is removed with it, its target kept */
    OK(fs_mkdir_p(at("out/c/learner/site")) == 0);
    OK(symlink(at("precious"), at("out/c/learner/site/assets")) == 0);
    tmp = outdir_temp(o, "learner");
    snprintf(p, sizeof p, "%s/site", tmp);
    fs_mkdir_p(p);
    OK(outdir_commit(o, eds, &tmp, 1, &err) == 0);
    outdir_discard(tmp);
    free(tmp);
    OK(!exists("out/c/learner/site/assets"));
    OK(has("precious/keep.txt", "precious"));

    outdir_unlock(o);
    OK(!exists("out/c/" OUTDIR_LOCK_NAME));
    OK(exists("out/c/learner/c-learner.epub")); /* not empty: kept */

    /* a link at OUT/<id>: refused */
    OK(symlink(at("precious"), at("out/e")) == 0);
    OK(outdir_lock(out, "e", 0, 1, &err) == NULL);
    CONTAINS(err.msg, "symbolic link");
    OK(!exists("precious/" OUTDIR_LOCK_NAME));
    /* a file at OUT/<id>: refused */
    put("out/f", "a file");
    OK(outdir_lock(out, "f", 0, 1, &err) == NULL);
    CONTAINS(err.msg, "not a folder");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    OK(system(cmd) == 0);
    return harness_summary();
}
