/* fs.h — small file helpers: open an input that must be a regular file, read
 * a whole file, write a file in one go, mkdir -p, copy a file, copy a folder
 * tree. None of them reports diagnostics: they return -1 with errno set and
 * the caller reports at the path it knows (house rule: report once), with
 * fs_strerror for the message. */
#ifndef COURSEC_FS_H
#define COURSEC_FS_H
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

/* The errno of an input that exists but is not a regular file nor a folder
 * (a FIFO, a socket, a device): one no open or read of a regular file gives. */
#ifdef EFTYPE
#define FS_ENOTREG EFTYPE
#else
#define FS_ENOTREG EMEDIUMTYPE
#endif

/* Open path for reading only if it is a regular file: opened non-blocking
 * (a FIFO would block the open until a writer came) and checked on the open
 * descriptor (fstat, so no name is looked up twice), then made blocking.
 * A folder gives EISDIR, a FIFO, socket or device FS_ENOTREG. A descriptor
 * (close-on-exec; the caller closes it), or -1 with errno. */
int fs_open_read(const char *path);

/* fs_open_read as a stdio stream ("rb"; the caller fcloses it); NULL with errno. */
FILE *fs_fopen_read(const char *path);

/* strerror(e), but FS_ENOTREG says what it means here. */
const char *fs_strerror(int e);

/* Read all of path, a regular file (fs_open_read), into *data (malloc'd,
 * NUL-terminated; the caller frees) and its length into *len. 0, or -1
 * with errno. */
int fs_read(const char *path, char **data, size_t *len);

/* Write data to path in one go, never through a symbolic link at path.
 * Writers only write inside an edition's temporary folder, whose outputs are
 * moved into place when the build succeeded (SPEC §8.3, outdir.h), so no
 * per-file temp name is needed. 0, or -1 with errno (a partial file is
 * removed). */
int fs_write(const char *path, const void *data, size_t len);

/* Create path and its missing parents (mode 0777 & ~umask); existing folders
 * are fine. 0, or -1 with errno. */
int fs_mkdir_p(const char *path);

/* 1 if path is an existing directory (symlinks followed), else 0. */
int fs_is_dir(const char *path);

/* The errno fs_within gives for a path that resolves outside its root. */
#define FS_EOUTSIDE EXDEV

/* fs_within's flag: root_real itself counts as inside. */
#define FS_ROOT_OK 1

/* The one test of whether a path stays inside a folder (the course folder,
 * a filter folder, a theme, the output folder): every such check in coursec
 * goes through here.
 *   root_real  a real path as realpath gives it (absolute, no `.`, `..`,
 *              symlink or trailing slash, except "/" itself).
 *   path       any path: resolved with realpath, so symbolic links are
 *              followed and `..` removed before the comparison.
 * Inside: the resolved path is root_real followed by '/' and more (the
 * prefix must end at a '/' boundary: /a/bc is not inside /a/b); root_real
 * itself only with FS_ROOT_OK in flags. Returns the resolved path (the
 * caller frees it), else NULL with errno: realpath's (ENOENT, ELOOP, …)
 * when path cannot be resolved, FS_EOUTSIDE when it resolves outside. */
char *fs_within(const char *root_real, const char *path, int flags);

/* Copy the regular file src to dst (via fs_write semantics; dst's folder must
 * exist). 0, or -1 with errno. */
int fs_copy_file(const char *src, const char *dst);

/* Copy the folder tree src into dst (created as needed), entries in sorted
 * order. Symlinks are followed only when they resolve inside src; other
 * special files are skipped. Returns 0; -1 on an I/O error (errno set);
 * -2 when a symlink leads outside src. On failure *failed (if not NULL)
 * receives the offending path (the caller frees it). */
int fs_copy_tree(const char *src, const char *dst, char **failed);

#endif
