/* commit.c — a build's output folders (see buildint.h): refuse a bad -o,
 * lock each course's folder for the build, and at the end move the
 * editions' temporary folders into place or throw them away, all or nothing
 * per course. The folders themselves are outdir.c's; build.c decides when. */
#include "buildint.h"
#include "fs.h"
#include "util.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void *discard_main(void *tmp) {
    outdir_discard(tmp);
    return NULL;
}

/* Remove the temporary folders paths[0..n) (and free the paths), each on a
 * thread of its own: after a commit they hold the previous outputs, as many
 * files as the new ones, and removing them is a large part of a rebuild. */
static void discard_all(char **paths, int n) {
    pool_each(discard_main, (void **)paths, n);
    for (int i = 0; i < n; i++) free(paths[i]);
}

/* Move the formats every edition of a course wrote into place, or, when any
 * edition failed (or keep is 0), throw them all away: the previous output
 * stays as it was. outdir_commit moves each path atomically and undoes its
 * moves when one fails, so a course is written all or nothing unless the
 * process dies in the middle. */
void commit_course(loaded *L, int keep, int verbose, diag *d) {
    int ntmps = 0;
    for (int e = 0; e < L->nruns; e++) {
        if (L->runs[e].failed_source || L->runs[e].failed_write) keep = 0;
        if (L->runs[e].tmp) ntmps++;
    }
    char **tmps = xcalloc((size_t)ntmps + 1, sizeof *tmps);
    const char **eds = xcalloc((size_t)ntmps + 1, sizeof *eds);
    int *nfiles = xcalloc((size_t)ntmps + 1, sizeof *nfiles);
    int n = 0;
    for (int e = 0; e < L->nruns; e++) {
        edition_run *R = &L->runs[e];
        if (!R->tmp) continue;
        tmps[n] = R->tmp;
        eds[n] = R->ed->name;
        if (keep) nfiles[n] = outdir_count_files(R->tmp); /* before the commit puts the previous outputs there */
        n++;
        R->tmp = NULL;
    }
    outdir_error err;
    if (keep && n > 0 && outdir_commit(L->out, eds, tmps, n, &err) != 0) {
        diag_report(d, DIAG_ERROR, err.path, 0, 0, "%s", err.msg);
        for (int e = 0; e < L->nruns; e++) L->runs[e].failed_write = 1;
        keep = 0;
    }
    for (int i = 0; i < n && keep; i++) {
        L->files += nfiles[i];
        if (verbose) fprintf(stderr, "coursec: wrote %s/%s (%d files)\n", outdir_path(L->out), eds[i], nfiles[i]);
    }
    discard_all(tmps, n);
    free(tmps);
    free(eds);
    free(nfiles);
}

/* Refuse an output folder that is a file or that contains the course. */
int commit_check_output(const char *out, loaded **Ls, int n, diag *d) {
    struct stat st;
    if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
        diag_report(d, DIAG_ERROR, out, 0, 0, "the output folder is a file; choose another with -o");
        return -1;
    }
    if (fs_mkdir_p(out) != 0) {
        diag_report(d, DIAG_ERROR, out, 0, 0, "cannot create the output folder: %s", strerror(errno));
        return -1;
    }
    char *rout = realpath(out, NULL);
    if (!rout) {
        diag_report(d, DIAG_ERROR, out, 0, 0, "cannot resolve the output folder: %s", strerror(errno));
        return -1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (!Ls[i]) continue;
        char *in = fs_within(rout, Ls[i]->c->realdir, FS_ROOT_OK);
        int inside = in != NULL;
        free(in);
        if (inside) {
            diag_report(d, DIAG_ERROR, out, 0, 0,
                        "the output folder contains the course sources of %s; choose another with -o", Ls[i]->c->dir);
            bad = 1;
        }
    }
    free(rout);
    return bad ? -1 : 0;
}


/* How long a build waits for another build of the same course into the same
 * output folder (seconds): generous, since the other build is making
 * progress, yet finite, so that a CI job stuck behind a hung build ends. COURSEC_LOCK_WAIT sets
 * another (tests/outputs uses 1 s). */
#define LOCK_WAIT_SECONDS 600

static int by_course_id(const void *a, const void *b) {
    const loaded *x = *(loaded *const *)a, *y = *(loaded *const *)b;
    return strcmp(x->c->id, y->c->id);
}

/* Lock the output folder of every course about to be written (outdir_lock),
 * in the order of their ids, so that two builds of the same courses never
 * wait for each other in a circle; courses with the same id share one
 * lock. A course whose folder cannot be locked is not written (exit 2). */
void commit_lock(loaded **Ls, int n, const build_opts *o, diag *d) {
    loaded **order = xcalloc((size_t)n + 1, sizeof *order);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (Ls[i] && !Ls[i]->nerr) order[k++] = Ls[i];
    qsort(order, (size_t)k, sizeof *order, by_course_id);
    long wait_s = (long)build_env_number("COURSEC_LOCK_WAIT", LOCK_WAIT_SECONDS);
    for (int i = 0; i < k; i++) {
        loaded *L = order[i];
        if (i > 0 && strcmp(L->c->id, order[i - 1]->c->id) == 0) {
            L->out = order[i - 1]->out;
            L->out_failed = order[i - 1]->out_failed;
            continue;
        }
        outdir_error err;
        L->out = outdir_lock(o->out_dir, L->c->id, wait_s, o->quiet, &err);
        if (!L->out) {
            diag_report(d, DIAG_ERROR, err.path, 0, 0, "%s", err.msg);
            L->out_failed = 1;
        }
    }
    free(order);
}

/* Let go of every course's output folder (each shared lock once). */
void commit_unlock(loaded **Ls, int n) {
    for (int i = 0; i < n; i++) {
        if (!Ls[i] || !Ls[i]->out) continue;
        outdir *out = Ls[i]->out;
        for (int j = i; j < n; j++)
            if (Ls[j] && Ls[j]->out == out) Ls[j]->out = NULL;
        outdir_unlock(out);
    }
}

