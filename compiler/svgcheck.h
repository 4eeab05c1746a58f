/* svgcheck.h — an SVG image file checked before it is written to an output:
 * well-formed XML with an <svg> root in the SVG namespace, and (flags of
 * media.h) no active content (MEDIA_CHECK_SAFE), or all that EPUBCheck
 * demands of an SVG in an EPUB 3 (MEDIA_CHECK_EPUB): no script, event
 * handler or script URL; no DOCTYPE with an internal subset (one with
 * only an external identifier is left out when the SVG is packed); no reference to another file or to the network (coursec
 * packs the SVG alone); elements and attributes of SVG 1.1 where SVG 1.1
 * allows them (svgschema.h), required attributes present, enumerated values
 * among their values, ids unique names; a title on every link; XHTML in
 * foreignObject kept to a few phrasing and grouping elements. The full list
 * and why: docs/decisions.md. */
#ifndef COURSEC_SVGCHECK_H
#define COURSEC_SVGCHECK_H
#include "diag.h"
#include "media.h"

/* Largest SVG file checked (larger ones are an error at the reference):
 * EPUB diagrams are kilobytes; this bounds the parse. */
#define SVGCHECK_MAX_BYTES ((size_t)8 << 20)

/* Checks the SVG file at src. Problems inside it are errors at
 * display:line:col; a file that cannot be read or is too large, an error at
 * the reference (ref). Returns the number of errors reported. Thread-safe
 * (libxml2's parser state is per thread). */
int svgcheck_file(const char *src, int flags, const char *display, const media_ref_pos *ref, diag *d);

/* Where the DOCTYPE declaration of SVG data[0..len) is: 0 when it has
 * none; 1 when it has one with no internal subset, at data[*start..*end)
 * (its line end included), which the EPUB writer leaves out (EPUBCheck
 * refuses the external DTD it names); 2 when it has an internal subset,
 * which svgcheck reports as an error. */
int svgcheck_doctype(const char *data, size_t len, size_t *start, size_t *end);

/* The same on a document in memory (fuzzing, unit tests). */
int svgcheck_memory(const char *data, size_t len, int flags, const char *display, diag *d);

#endif
