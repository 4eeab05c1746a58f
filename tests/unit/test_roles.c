/* test_roles.c — the role vocabulary (SPEC §11.1): roles_check_name on the
 * spec's own examples and every rule (case, plural, one edit from a carrier
 * of six letters or more, info words, false keys, role parts, standard near
 * misses, `classes:`), course roles from course.yaml, roles_distance and
 * roles_suggest. Each check asserts the exact error count and the exact
 * diagnostic lines. */
#include "../../compiler/arena.h"
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "../../compiler/roles.h"
#include "counted.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char root[256];

/* A course loaded from a course.yaml written into a fresh folder. */
static course *load(const char *name, const char *yaml, char **diags) {
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/course.yaml", dir);
    FILE *f = fopen(p, "wb");
    if (!f) exit(2);
    fputs(yaml, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/m.md", dir);
    f = fopen(p, "wb");
    if (!f) exit(2);
    fputs("# M\n", f);
    fclose(f);
    char *out = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&out, &len);
    diag *d = diag_new(mf, DIAG_TEXT, 0);
    int nerr = 0;
    course *c = counted_course_load(dir, d, &nerr);
    diag_flush(d);
    diag_free(d);
    fclose(mf);
    if (diags)
        *diags = out;
    else
        free(out);
    return c;
}

/* Run roles_check_name and capture what it reports. */
typedef struct result {
    int nerr;
    int lines;
    char out[2048];
} result;

static result run(const course *c, roles_kind kind, const char *name) {
    result r = {0, 0, {0}};
    char *out = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&out, &len);
    diag *d = diag_new(mf, DIAG_TEXT, 0);
    r.nerr = roles_check_name(c, kind, name, "c/m.md", 3, 5, d);
    diag_flush(d);
    diag_free(d);
    fclose(mf);
    snprintf(r.out, sizeof r.out, "%s", out ? out : "");
    free(out);
    for (const char *p = r.out; *p; p++)
        if (*p == '\n') r.lines++;
    return r;
}

/* The name is fine: no error, nothing reported. */
static void fine(const course *c, roles_kind kind, const char *name) {
    result r = run(c, kind, name);
    char what[256];
    snprintf(what, sizeof what, "`%s` (kind %d) is fine", name, (int)kind);
    if (!CHECK(r.nerr == 0 && r.lines == 0, what)) printf("    got %d errors: %s\n", r.nerr, r.out);
}

/* One line of severity sev at c/m.md:3:5 holding needle; nerr errors. */
static void flagged(const course *c, roles_kind kind, const char *name, const char *sev, const char *needle) {
    result r = run(c, kind, name);
    char what[512], prefix[128];
    snprintf(prefix, sizeof prefix, "c/m.md:3:5: %s: ", sev);
    int want_err = strcmp(sev, "error") == 0;
    snprintf(what, sizeof what, "`%s` (kind %d): one %s containing \"%s\"", name, (int)kind, sev, needle);
    if (!CHECK(r.nerr == want_err && r.lines == 1 && strncmp(r.out, prefix, strlen(prefix)) == 0 &&
                   strstr(r.out, needle) != NULL,
               what))
        printf("    got %d errors: %s\n", r.nerr, r.out);
}

static void test_defaults(void) {
    char *diags = NULL;
    course *c = load("defaults", "id: d\ntitle: D\nmodules: [m.md]\n", &diags);
    if (!OK(c != NULL)) return;
    STR_EQ(diags, "");
    free(diags);
    INT_EQ(c->nroles, 2);
    STR_EQ(roles_class_role(c, "answer"), "answer");
    STR_EQ(roles_class_role(c, "solution"), "answer");
    STR_EQ(roles_class_role(c, "facilitator"), "facilitator");
    STR_EQ(roles_class_role(c, "instructor"), "facilitator");
    OK(roles_class_role(c, "Answer") == NULL);
    OK(roles_class_role(c, "hint") == NULL);
    OK(roles_is_role(c, "answer") && roles_is_role(c, "facilitator"));
    OK(!roles_is_role(c, "solution") && !roles_is_role(c, "learner"));

    /* the spec's examples (§11.1) */
    flagged(c, ROLES_CLASS, "Answer", "error", "class `Answer` is not the role class `answer`");
    flagged(c, ROLES_CLASS, "Answer", "error", "(did you mean `answer`?");
    flagged(c, ROLES_CLASS, "facilitater", "error", "did you mean `facilitator`?");
    flagged(c, ROLES_CLASS, "solutions", "error", "did you mean `solution`?");
    flagged(c, ROLES_KEY, "ONLY", "error",
            "attribute `ONLY=` is not `only=`: as written it restricts nothing "
            "(did you mean `only`?)");
    flagged(c, ROLES_INFO, "Worksheet", "error", "code block `Worksheet` is not a `worksheet` block");
    flagged(c, ROLES_INFO, "Worksheet", "error", "did you mean `worksheet`?");
    flagged(c, ROLES_INFO, "answer", "error", "`answer` code block: wrap it in `::: answer` instead");
    flagged(c, ROLES_CLASS, "answer-key", "warning",
            "class `answer-key` has the role word `answer` in it but "
            "restricts nothing");
    flagged(c, ROLES_CLASS, "facilitator-notes", "warning", "role word `facilitator`");
    flagged(c, ROLES_CLASS, "facilitator_notes", "warning", "role word `facilitator`");
    flagged(c, ROLES_CLASS, "answers-table", "warning", "role word `answer`");
    fine(c, ROLES_INFO, "cpp");
    fine(c, ROLES_CLASS, "notes");
    fine(c, ROLES_KEY, "type");

    /* exactly a carrier or a standard class */
    const char *exact[] = {"answer",    "solution", "facilitator", "instructor", "choice",  "response",
                           "worksheet", "blanks",   "hint",        "note",       "tip",     "warning",
                           "important", "exercise", "activity",    "break",      "literal", NULL};
    for (int i = 0; exact[i]; i++) fine(c, ROLES_CLASS, exact[i]);
    fine(c, ROLES_KEY, "only");
    fine(c, ROLES_KEY, "except");
    fine(c, ROLES_INFO, "worksheet");
    fine(c, ROLES_INFO, "blanks");

    /* case: any carrier */
    flagged(c, ROLES_CLASS, "SOLUTION", "error", "did you mean `solution`?");
    flagged(c, ROLES_CLASS, "Instructor", "error", "did you mean `instructor`?");
    flagged(c, ROLES_CLASS, "Choice", "error", "class `Choice` is not `choice`");
    flagged(c, ROLES_CLASS, "Blanks", "error", "did you mean `blanks`?");
    flagged(c, ROLES_KEY, "Only", "error", "did you mean `only`?");
    flagged(c, ROLES_KEY, "EXCEPT", "error", "did you mean `except`?");
    /* plural (+s, +es), any case, even of a short carrier */
    flagged(c, ROLES_CLASS, "answers", "error", "did you mean `answer`?");
    flagged(c, ROLES_CLASS, "Answers", "error", "did you mean `answer`?");
    flagged(c, ROLES_CLASS, "instructors", "error", "did you mean `instructor`?");
    flagged(c, ROLES_CLASS, "choices", "error", "did you mean `choice`?");
    flagged(c, ROLES_CLASS, "responses", "error", "did you mean `response`?");
    flagged(c, ROLES_CLASS, "worksheets", "error", "did you mean `worksheet`?");
    flagged(c, ROLES_KEY, "onlys", "error", "did you mean `only`?");
    flagged(c, ROLES_KEY, "exceptes", "error", "did you mean `except`?");
    /* one edit from a carrier of six letters or more */
    flagged(c, ROLES_CLASS, "anwser", "error", "did you mean `answer`?");  /* transposition */
    flagged(c, ROLES_CLASS, "answr", "error", "did you mean `answer`?");   /* deletion */
    flagged(c, ROLES_CLASS, "answerr", "error", "did you mean `answer`?"); /* insertion */
    flagged(c, ROLES_CLASS, "solutiom", "error", "did you mean `solution`?");
    flagged(c, ROLES_CLASS, "Facilitater", "error", "did you mean `facilitator`?");
    flagged(c, ROLES_CLASS, "choise", "error", "did you mean `choice`?");
    flagged(c, ROLES_CLASS, "blank", "error", "did you mean `blanks`?");
    flagged(c, ROLES_KEY, "excep", "error", "did you mean `except`?");
    flagged(c, ROLES_INFO, "workshet", "error", "did you mean `worksheet`?");
    flagged(c, ROLES_INFO, "blank", "error", "did you mean `blanks`?");
    /* ... but not two edits, nor one edit from a short carrier */
    fine(c, ROLES_CLASS, "answered");
    fine(c, ROLES_CLASS, "nswe");
    fine(c, ROLES_KEY, "onl");
    fine(c, ROLES_KEY, "onlyy");
    fine(c, ROLES_KEY, "accept");
    fine(c, ROLES_CLASS, "only"); /* a key carrier, not a class one */
    fine(c, ROLES_KEY, "answer"); /* a class carrier, not a key one */

    /* info words: worksheet, blanks and role classes only */
    flagged(c, ROLES_INFO, "solution", "error", "`solution` code block: wrap it in `::: solution` instead");
    flagged(c, ROLES_INFO, "facilitator", "error", "wrap it in `::: facilitator`");
    flagged(c, ROLES_INFO, "Answer", "error", "`Answer` code block: did you mean `answer`?");
    flagged(c, ROLES_INFO, "Answer", "error", "wrap the block in `::: answer` instead");
    flagged(c, ROLES_INFO, "answers", "error", "did you mean `answer`?");
    fine(c, ROLES_INFO, "python");
    fine(c, ROLES_INFO, "Choice"); /* choice is not an info-word carrier */
    fine(c, ROLES_INFO, "Hint");
    fine(c, ROLES_INFO, "answer-key");

    /* keys that look like restrictions */
    const char *false_keys[] = {"role", "roles", "edition", "editions", "Role", "EDITIONS", NULL};
    for (int i = 0; false_keys[i]; i++)
        flagged(c, ROLES_KEY, false_keys[i], "error", "restricts nothing: use `only=`/`except=` with edition names");
    fine(c, ROLES_CLASS, "role"); /* as a class it is an ordinary name */
    fine(c, ROLES_KEY, "lines");
    fine(c, ROLES_KEY, "answer-key");

    /* role words as parts: warnings only, for classes only */
    flagged(c, ROLES_CLASS, "my_solution_box", "warning", "role word `solution`");
    flagged(c, ROLES_CLASS, "Answer-Key", "warning", "role word `answer`");
    flagged(c, ROLES_CLASS, "no-instructors", "warning", "role word `instructor`");
    fine(c, ROLES_CLASS, "answerkey");
    fine(c, ROLES_CLASS, "pre-answered");

    /* near misses of the other standard classes: warnings */
    flagged(c, ROLES_CLASS, "Hint", "warning", "class `Hint` is not the standard class `hint` (did you mean `hint`?");
    flagged(c, ROLES_CLASS, "NOTE", "warning", "did you mean `note`?");
    flagged(c, ROLES_CLASS, "Break", "warning", "did you mean `break`?");
    flagged(c, ROLES_CLASS, "warnin", "warning", "did you mean `warning`?");
    flagged(c, ROLES_CLASS, "exercize", "warning", "did you mean `exercise`?");
    flagged(c, ROLES_CLASS, "activty", "warning", "did you mean `activity`?");
    flagged(c, ROLES_CLASS, "imoprtant", "warning", "did you mean `important`?");
    const char *plain[] = {"notes", "hints", "tips",    "breaks",     "exercises", "warnings", "activitys",
                           "nte",   "hnit",  "callout", "page-break", "correct",   "",         NULL};
    for (int i = 0; plain[i]; i++) fine(c, ROLES_CLASS, plain[i]);

    /* the position and the whole line */
    result r = run(c, ROLES_CLASS, "Answer");
    STR_EQ(r.out, "c/m.md:3:5: error: class `Answer` is not the role class `answer`: as written it restricts "
                  "nothing and every edition shows this content (did you mean `answer`? if the name is meant, "
                  "list it under `classes:` in course.yaml)\n");

    /* roles_check_attr: every class and key, errors counted */
    const char *classes[] = {"answer", "Answer", "note", "solutions", "answer-key"};
    ast_kv kv[] = {{"ONLY", "learner"}, {"type", "x"}, {"role", "answer"}};
    ast_attr at = {NULL, classes, 5, kv, 3};
    char *out = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&out, &len);
    diag *d = diag_new(mf, DIAG_TEXT, 0);
    INT_EQ(roles_check_attr(c, &at, "c/m.md", 7, 1, d), 4);
    diag_flush(d);
    INT_EQ(diag_errors(d), 4);
    INT_EQ(diag_warnings(d), 1);
    diag_free(d);
    fclose(mf);
    CONTAINS(out, "c/m.md:7:1: error: class `Answer`");
    CONTAINS(out, "c/m.md:7:1: error: class `solutions`");
    CONTAINS(out, "c/m.md:7:1: error: attribute `ONLY=`");
    CONTAINS(out, "c/m.md:7:1: error: attribute `role=`");
    CONTAINS(out, "c/m.md:7:1: warning: class `answer-key`");
    free(out);
    course_free(c);
}

/* roles: and classes: from course.yaml change what is checked. */
static void test_course_vocabulary(void) {
    char *diags = NULL;
    course *c = load("vocab",
                     "id: v\ntitle: V\nmodules: [m.md]\n"
                     "roles:\n"
                     "  answer: [key]\n"
                     "  notes: [speaker-notes, aside]\n"
                     "classes: [answers-table, Answer, ONLY]\n"
                     "editions:\n"
                     "  learner: {include: []}\n"
                     "  speaker: {include: [notes]}\n",
                     &diags);
    if (!OK(c != NULL)) return;
    STR_EQ(diags, "");
    free(diags);
    /* a course role: roles: {answer: [key]} adds to the defaults */
    STR_EQ(roles_class_role(c, "key"), "answer");
    STR_EQ(roles_class_role(c, "answer"), "answer");
    STR_EQ(roles_class_role(c, "solution"), "answer");
    STR_EQ(roles_class_role(c, "instructor"), "facilitator");
    STR_EQ(roles_class_role(c, "speaker-notes"), "notes");
    STR_EQ(roles_class_role(c, "aside"), "notes");
    OK(roles_is_role(c, "notes"));
    OK(roles_class_role(c, "notes") == NULL); /* a role's name is a class only when listed */
    fine(c, ROLES_CLASS, "key");
    fine(c, ROLES_CLASS, "aside");
    flagged(c, ROLES_CLASS, "Key", "error", "class `Key` is not the role class `key`");
    flagged(c, ROLES_CLASS, "keys", "error", "did you mean `key`?");
    flagged(c, ROLES_CLASS, "asides", "error", "did you mean `aside`?");
    flagged(c, ROLES_CLASS, "speaker-note", "error", "did you mean `speaker-notes`?");
    flagged(c, ROLES_INFO, "key", "error", "`key` code block: wrap it in `::: key` instead");
    flagged(c, ROLES_CLASS, "key-points", "warning", "role word `key`");
    fine(c, ROLES_CLASS, "kez"); /* one edit, but `key` has three letters */
    /* classes: silences exactly the names listed */
    fine(c, ROLES_CLASS, "answers-table");
    fine(c, ROLES_CLASS, "Answer");
    fine(c, ROLES_KEY, "ONLY");
    flagged(c, ROLES_CLASS, "ANSWER", "error", "did you mean `answer`?");
    flagged(c, ROLES_CLASS, "answers-tables", "warning", "role word `answer`");
    INT_EQ(c->nquiet_classes, 3);
    course_free(c);
}

static void test_distance(void) {
    INT_EQ(roles_distance("", ""), 0);
    INT_EQ(roles_distance("abc", ""), 3);
    INT_EQ(roles_distance("answer", "answer"), 0);
    INT_EQ(roles_distance("Answer", "aNSWER"), 0);
    INT_EQ(roles_distance("anwser", "answer"), 1);
    INT_EQ(roles_distance("abc", "acb"), 1);
    INT_EQ(roles_distance("ca", "abc"), 3); /* OSA: no edit of a transposed pair */
    INT_EQ(roles_distance("kitten", "sitting"), 3);
    INT_EQ(roles_distance("facilitater", "facilitator"), 1);
    char longs[80];
    memset(longs, 'a', 79);
    longs[79] = 0;
    INT_EQ(roles_distance(longs, "a"), 1000);

    static const char *const keys[] = {"id", "title", "modules", "language", NULL};
    STR_EQ(roles_suggest("titel", keys, -1), "title");
    STR_EQ(roles_suggest("Title", keys, -1), "title");
    STR_EQ(roles_suggest("modules", keys, -1), "modules");
    STR_EQ(roles_suggest("languag", keys, 4), "language");
    OK(roles_suggest("zzzzzz", keys, -1) == NULL);
    OK(roles_suggest("x", keys, -1) == NULL);
    OK(roles_suggest("title", keys, 1) == NULL); /* only "id" is considered */

    OK(roles_valid_name("answer") && roles_valid_name("speaker-notes") && roles_valid_name("a_b1"));
    OK(!roles_valid_name("") && !roles_valid_name("Answer") && !roles_valid_name("1a") && !roles_valid_name("a b") &&
       !roles_valid_name("-a") && !roles_valid_name(NULL));
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/coursec-test-roles-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 2;
    }
    test_defaults();
    test_course_vocabulary();
    test_distance();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return harness_summary();
}
