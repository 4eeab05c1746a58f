/* outdir.h — the output side of SPEC §8.3 and §11.8: a course's output folder
 * OUT/<id>, locked while a build writes it; temporary folders for the
 * editions inside it; moving each format's output into its edition folder,
 * one path at a time and each atomically; removing trees.
 *
 * Below OUT (which may itself be a symbolic link: the user chose it) nothing
 * is reached through a symbolic link: OUT/<id>, OUT/<id>/<edition> and the
 * paths a build replaces are opened, renamed and removed relative to open
 * folders (openat, renameat2, unlinkat) with O_NOFOLLOW; a symbolic link at
 * any of them is an error, and removal deletes a link, never its target.
 *
 * The functions report no diagnostics: on failure they fill an outdir_error
 * (the path concerned and the message) and the caller reports it. Paths
 * returned are malloc'd (the caller frees). */
#ifndef COURSEC_OUTDIR_H
#define COURSEC_OUTDIR_H
#include <stddef.h>

typedef struct outdir_error {
    char path[4096];
    char msg[512];
} outdir_error;

/* OUT/<id>, open and locked by this build. */
typedef struct outdir outdir;

/* The name of the lock file inside OUT/<id>; it exists only while a build
 * holds it. */
#define OUTDIR_LOCK_NAME ".coursec.lock"

/* Open OUT/<id> (made if missing) without following a symbolic link below
 * out, and lock it (flock on OUTDIR_LOCK_NAME) against other builds: while
 * another build holds it, wait up to wait_s seconds, saying so once on
 * stderr unless quiet. With the lock held, remove the temporary folders
 * (.<edition>.tmp-XXXXXX) that earlier builds left there: a build makes
 * them only while it holds the lock and removes them before it lets go, so
 * any found now belong to a build that died (SIGKILL, power loss). NULL on
 * failure (a link or a file in the way, the wait timed out, an I/O error),
 * with err filled. */
outdir *outdir_lock(const char *out, const char *id, long wait_s, int quiet, outdir_error *err);

/* "OUT/<id>" as the user wrote OUT, for messages. Valid until outdir_unlock. */
const char *outdir_path(const outdir *o);

/* Check, before anything is built, that OUT/<id>/<edition> is a folder or
 * absent (not a link, not a file). 0, or -1 with err filled. */
int outdir_check_edition(outdir *o, const char *edition, outdir_error *err);

/* A new empty temporary folder OUT/<id>/.<edition>.tmp-XXXXXX (mode 0700)
 * for an edition's writers; its path, or NULL (errno set). It is remembered
 * until outdir_discard removes it. */
char *outdir_temp(outdir *o, const char *edition);

/* Remove a temporary folder made by outdir_temp (whatever it holds: a
 * failed edition, or the previous outputs a commit moved into it). Safe to
 * call from several threads at once. */
void outdir_discard(const char *tmp);

/* Remove the entry `name` of the temporary folder tmp (whatever it holds),
 * so that it is not moved into place: an output made only to make another
 * (the site a PDF is laid out from, when html was not asked for). 0, or -1
 * if it is still there. */
int outdir_drop(const char *tmp, const char *name);

/* Move into place what the writers made: for every i < n, each entry of
 * the temporary folder tmps[i] (site/, the .epub, ...: one per format
 * built) replaces the path of the same name in OUT/<id>/<editions[i]>
 * (made if missing); every other path of the edition folder is left alone.
 * Each path is replaced atomically (renameat2 RENAME_EXCHANGE: the path
 * always names either the previous or the new output), and the previous
 * output is moved into the temporary folder, for outdir_discard. Nothing
 * is moved when any destination is a symbolic link; when a move fails the
 * moves already made are undone. 0, or -1 with err filled (the outputs are
 * then as they were). */
int outdir_commit(outdir *o, const char *const *editions, char *const *tmps, int n, outdir_error *err);

/* Let go of the lock: the lock file is removed, and OUT/<id> too when this
 * build made it and it is empty (a build that wrote nothing leaves nothing).
 * Frees o. */
void outdir_unlock(outdir *o);

/* For a build that must end at once (filter.c's hard stop): remove every
 * temporary folder not yet discarded and every lock file held. Thread-safe. */
void outdir_abandon_all(void);

/* rm -rf path without following a symbolic link below it (a link at path
 * itself is removed, not its target): for scratch folders of tests. */
void outdir_rm_rf(const char *path);

/* Number of regular files below path (symbolic links not followed). */
int outdir_count_files(const char *path);

#endif
