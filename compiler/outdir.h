/* outdir.h — the output side of SPEC §8.3 (folders: fs_mkdir_p): make an edition's
 * temporary folder beside its destination, swap it into place, remove trees.
 * Paths returned are malloc'd (caller frees). */
#ifndef COURSEC_OUTDIR_H
#define COURSEC_OUTDIR_H

/* A new empty folder PARENT/.NAME.tmp-XXXXXX; NULL (errno set) on failure.
 * It is remembered until outdir_replace moves it into place or
 * outdir_discard removes it. */
char *outdir_temp(const char *parent, const char *name);
/* Remove a temporary folder (a failed edition). */
void outdir_discard(const char *tmp);
/* Remove every temporary folder not yet replaced or discarded: for a build
 * that must end at once (filter.c's hard stop). Thread-safe. */
void outdir_abandon_all(void);
/* Replace dest by tmp: the old dest (if any) is renamed aside, tmp renamed
 * to dest, then the old one removed, or, with old_out, its path (malloc'd,
 * NULL when there was none) given to the caller to remove (several can then
 * be removed at once). 0 or -1 (dest untouched on failure). */
int outdir_replace(const char *tmp, const char *dest, char **old_out);
/* rm -rf without following symlinks (fd-relative: no path walked twice). */
void outdir_rm_rf(const char *path);
/* Number of regular files below path. */
int outdir_count_files(const char *path);

#endif
