/* scorm.h — the SCORM 1.2 content package of an edition (SPEC §11.8): the
 * edition's site as html_end wrote it, plus imsmanifest.xml, in a
 * deterministic zip. The runtime that reports to the LMS is the theme's
 * assets/scorm.js, which module pages load in a build that makes a package
 * (edition_ctx.scorm). */
#ifndef COURSEC_SCORM_H
#define COURSEC_SCORM_H
#include "page.h"

/* Write the package of ctx's edition from the folder `site` (the finished
 * site) to the file `out`: imsmanifest.xml first, then every file below site
 * in byte order of its path, each member stamped ctx->build_time. The
 * manifest's organisation holds one item per page of ctx->pages, in order,
 * each launching its module page as a SCO; every other file is an asset the
 * SCOs depend on. A symbolic link or special file below site is an error
 * (the package holds the site's own files only). Reports every problem on
 * ctx->d and returns -1 (the partial file is removed), else 0. */
int scorm_write(const edition_ctx *ctx, const char *site, const char *out);

#endif
