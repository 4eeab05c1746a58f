/* catalog.h — an edition's catalogue data (SPEC §11.8): schema.org Course
 * and LearningResource JSON-LD for the index page, built from the course's
 * metadata, its modules' objectives and the edition's page list only. */
#ifndef COURSEC_CATALOG_H
#define COURSEC_CATALOG_H
#include "page.h"

/* The JSON-LD object (malloc'd; the caller frees), safe to place inside a
 * <script type="application/ld+json"> element as it is. title_of gives a
 * page's title as the edition shows it. */
char *catalog_jsonld(const edition_ctx *ctx, const char *(*title_of)(const page_info *));

#endif
