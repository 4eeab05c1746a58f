/* timing.h — durations (SPEC §5.1) and the timing tree (§5.3): computed once
 * per module on the unpruned tree, results stored on the nodes
 * (duration, tstart, is_break, natural) and copied to every edition. */
#ifndef COURSEC_TIMING_H
#define COURSEC_TIMING_H
#include "ast.h"
#include "course.h"
#include <stddef.h>

/* Whole string is a duration: minutes, or -1. "15m", "15 min(s)",
 * "15 minutes", "1h", "1 hour", "2 hours", "1h30m", "1.5h", "90". */
int timing_parse_duration(const char *s);
/* A duration at the start of s (for natural timings, "150 minutes with 2
 * breaks"): minutes or -1; *used = bytes consumed. */
int timing_parse_duration_prefix(const char *s, size_t *used);

/* Read durations from heading/div attributes (bad ones: errors at the
 * node), natural timings from heading text (if enabled), mark breaks, build
 * the timing tree, warn where declared totals differ from their parts, set
 * tstart on timed nodes (a segment starts after the time its earlier
 * siblings take: each one's declared duration, or its parts' when they
 * overrun it, SPEC §11.9). Returns the module's duration (front matter's, else
 * the sum of its parts, else -1). Errors are reported to d. */
int timing_module(course *c, course_module *m, ast_node *doc, diag *d);

/* Warn if course.yaml's duration differs from the sum of module durations. */
void timing_course(course *c, const int *module_durations, diag *d);

#endif
