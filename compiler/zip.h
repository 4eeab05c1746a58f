/* zip.h — a small deterministic zip writer (libdeflate raw deflate) for the
 * EPUB container: members in the order written, no extra fields, one fixed
 * DOS timestamp, no data descriptors, no zip64 (a member or archive past
 * 4 GiB is an error). A stored member streams to the file (its CRC and sizes
 * are written back into the local header); a deflated member is compressed
 * in one piece at its end (zip_add: straight from the caller's bytes), so it
 * is held in memory until then. Only zip.c includes libdeflate. */
#ifndef COURSEC_ZIP_H
#define COURSEC_ZIP_H
#include <stddef.h>

typedef struct zip_writer zip_writer;

enum { ZIP_STORE = 0, ZIP_DEFLATE = 8 };

/* Create (truncate) the file at path. mtime (seconds since the epoch, UTC)
 * becomes every member's DOS timestamp (clamped to 1980..2107). NULL with
 * errno set on failure. The writer owns the FILE until zip_close/zip_discard. */
zip_writer *zip_open(const char *path, long long mtime);

/* Member in pieces: begin, write any number of chunks, end. method is
 * ZIP_STORE (streamed) or ZIP_DEFLATE (collected, compressed by zip_end).
 * Names are stored as given (UTF-8 flag set when not ASCII). Each returns 0, or -1 with errno set (the writer then refuses
 * everything but zip_discard). */
int zip_begin(zip_writer *z, const char *name, int method);
int zip_write(zip_writer *z, const void *data, size_t len);
int zip_end(zip_writer *z);

/* begin + write + end in one call. */
int zip_add(zip_writer *z, const char *name, const void *data, size_t len, int method);

/* The CRC-32 of zip members (and of PNG chunks, which use the same one),
 * continued from crc (0 to start) over data[0..len). */
unsigned long zip_crc32(unsigned long crc, const void *data, size_t len);

/* Write the central directory, close the file and free z: 0 or -1 (errno). */
int zip_close(zip_writer *z);
/* Close the file and free z without finishing it (the caller removes the
 * file). z may be NULL. */
void zip_discard(zip_writer *z);

#endif
