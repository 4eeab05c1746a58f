/* fs.h — small file helpers for the writers: read a whole file, write a file
 * in one go (temp name + rename), mkdir -p, copy a file, copy a folder tree.
 * None of them reports diagnostics: they return -1 with errno set and the
 * caller reports at the path it knows (house rule: report once). */
#ifndef COURSEC_FS_H
#define COURSEC_FS_H
#include "buf.h"
#include <stddef.h>

/* Read all of path into *data (malloc'd, NUL-terminated; the caller frees)
 * and its length into *len. 0, or -1 with errno. */
int fs_read(const char *path, char **data, size_t *len);

/* Write data to path in one go. Writers only write inside an edition's
 * temporary folder, which is renamed into place as a whole when the edition
 * succeeded (SPEC §8.3), so no per-file temp name is needed. 0, or -1 with
 * errno (a partial file is removed). */
int fs_write(const char *path, const void *data, size_t len);

/* Create path and its missing parents (mode 0777 & ~umask); existing folders
 * are fine. 0, or -1 with errno. */
int fs_mkdir_p(const char *path);

/* 1 if path is an existing directory (symlinks followed), else 0. */
int fs_is_dir(const char *path);

/* 1 if path (resolved, symlinks followed) is root itself or inside it. 0 if
 * it is outside or either does not exist. */
int fs_inside(const char *root, const char *path);

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
