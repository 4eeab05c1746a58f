/* media.h — whether an image file of the course holds what its name claims:
 * a complete PNG, JPEG, GIF or WebP file (its structure walked, not only its
 * first bytes), or an SVG document within the profile of svgcheck.h. The
 * EPUB writer checks every image it packs (a book must pass EPUBCheck, SPEC
 * §8.2); the build may check every image a module references
 * (docs/decisions.md says what the HTML site gets). */
#ifndef COURSEC_MEDIA_H
#define COURSEC_MEDIA_H
#include "diag.h"
#include <stddef.h>

typedef enum { MEDIA_NONE, MEDIA_PNG, MEDIA_JPEG, MEDIA_GIF, MEDIA_WEBP, MEDIA_SVG } media_kind;

/* The kind a file name claims by its extension (ASCII case ignored):
 * .png, .jpg/.jpeg, .gif, .webp, .svg; MEDIA_NONE for any other. */
media_kind media_kind_of(const char *name);
/* "image/png", ...; NULL for MEDIA_NONE. */
const char *media_type_of(media_kind k);

/* What media_check looks at beside the bytes' kind and completeness. */
enum {
    MEDIA_CHECK_SAFE = 1, /* SVG: no script, event handler or script URL (--safe; the HTML site) */
    MEDIA_CHECK_EPUB = 2  /* SVG: everything EPUBCheck requires of an SVG (svgcheck.h) */
};

/* Where an image is referenced and where its file is shown to the user. */
typedef struct media_ref_pos {
    const char *path;    /* display path of the module that references it */
    int line, col;
    const char *name;    /* the image as the author wrote it (messages) */
    const char *display; /* display path of the image file (SVG diagnostics) */
} media_ref_pos;

/* Checks the file at src (read in chunks; an SVG whole, up to its limit)
 * against the kind its name claims. A file that is not an image of that
 * kind, or that is cut short or corrupt, is an error at the reference
 * (at->path:line:col) that says what the bytes are ("it holds a JPEG image:
 * rename it x.jpg"); a problem inside an SVG is an error at its own
 * position in the SVG (at->display:line:col). Reports every problem found
 * and returns how many it reported (0: the image may be written). A file
 * that cannot be read is one error. Thread-safe. */
int media_check(const char *src, media_kind claimed, int flags, const media_ref_pos *at, diag *d);

#endif
