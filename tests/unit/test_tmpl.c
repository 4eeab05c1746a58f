/* test_tmpl.c — unit tests of the Mustache-subset template engine (tmpl.c):
 * escaping, raw, sections over lists/maps/bools/strings, inverted sections,
 * nesting and lookup through outer contexts, standalone lines, dotted names,
 * and every syntax error with its line:col. */
#include "../../compiler/tmpl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails, passes;

#define CHECK(cond, name)                                                                          \
    do {                                                                                           \
        if (cond) passes++, printf("ok   %s\n", name);                                             \
        else fails++, printf("FAIL %s (%s:%d)\n", name, __FILE__, __LINE__);                       \
    } while (0)

/* Render src with ctx; returns malloc'd output or NULL (parse failed). The
 * diagnostics printed land in *diags (malloc'd). */
static char *run(const char *src, const tmpl_ctx *ctx, arena *a, char **diags) {
    FILE *f = tmpfile();
    diag *d = diag_new(f, DIAG_TEXT, 0);
    tmpl *t = tmpl_parse(a, src, strlen(src), "theme/page.html", d);
    char *out = NULL;
    if (t) {
        buf b = BUF_INIT;
        tmpl_render(t, ctx, &b);
        out = buf_detach(&b);
    }
    if (diag_errors(d) || diag_warnings(d)) diag_flush(d); /* diag_flush(empty) trips UBSan's qsort(NULL) */
    diag_free(d);
    long n = ftell(f);
    rewind(f);
    char *txt = calloc(1, (size_t)n + 1);
    if (fread(txt, 1, (size_t)n, f) != (size_t)n) txt[0] = 0;
    fclose(f);
    if (diags) *diags = txt;
    else free(txt);
    return out;
}

static void expect_out(const char *name, const char *src, const tmpl_ctx *ctx, arena *a, const char *want) {
    char *diags;
    char *got = run(src, ctx, a, &diags);
    int ok = got && strcmp(got, want) == 0 && diags[0] == 0;
    if (!ok) printf("  got: [%s]\n  want: [%s]\n  diags: %s\n", got ? got : "(NULL)", want, diags);
    CHECK(ok, name);
    free(got);
    free(diags);
}

/* The template must fail and the diagnostics must contain every `want`. */
static void expect_err(const char *name, const char *src, arena *a, const char *const *want) {
    char *diags;
    char *got = run(src, NULL, a, &diags);
    int ok = got == NULL;
    for (int i = 0; want[i]; i++)
        if (!strstr(diags, want[i])) ok = 0;
    if (!ok) printf("  got: %s\n  diags: %s\n", got ? got : "(NULL)", diags);
    CHECK(ok, name);
    free(got);
    free(diags);
}

static void write_lazy(void *ud, buf *out) { buf_puts(out, ud); }

int main(void) {
    arena *a = arena_new();
    tmpl_ctx *c = tmpl_ctx_new(a);
    tmpl_set(c, "name", "<b>Tom & \"Jerry\"</b>");
    tmpl_set(c, "empty", "");
    tmpl_set_bool(c, "yes", 1);
    tmpl_set_bool(c, "no", 0);
    tmpl_list(c, "none");
    tmpl_ctx *it = tmpl_list_push(c, "items");
    tmpl_set(it, "t", "one");
    it = tmpl_list_push(c, "items");
    tmpl_set(it, "t", "two<");
    tmpl_list_push_str(it, "subs", "a");
    tmpl_list_push_str(it, "subs", "b&");
    tmpl_ctx *m = tmpl_map(c, "course");
    tmpl_set(m, "title", "Customer Service");
    tmpl_ctx *mm = tmpl_map(m, "meta");
    tmpl_set(mm, "lang", "en-AU");

    expect_out("plain text", "hello world", c, a, "hello world");
    expect_out("escaped var", "[{{name}}]", c, a, "[&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;]");
    expect_out("raw triple", "[{{{name}}}]", c, a, "[<b>Tom & \"Jerry\"</b>]");
    expect_out("raw ampersand", "[{{& name }}]", c, a, "[<b>Tom & \"Jerry\"</b>]");
    expect_out("spaces in tag", "[{{  course.title  }}]", c, a, "[Customer Service]");
    expect_out("missing is empty", "[{{nope}}{{{nope}}}]", c, a, "[]");
    expect_out("bool var renders nothing", "[{{yes}}]", c, a, "[]");
    expect_out("section true bool", "{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", c, a, "Y");
    expect_out("section string", "{{#name}}S{{/name}}{{#empty}}E{{/empty}}", c, a, "S");
    expect_out("section list", "{{#items}}<{{t}}>{{/items}}", c, a, "<one><two&lt;>");
    expect_out("section empty list", "[{{#none}}x{{/none}}]", c, a, "[]");
    expect_out("section missing", "[{{#nope}}x{{/nope}}]", c, a, "[]");
    expect_out("inverted", "{{^no}}a{{/no}}{{^yes}}b{{/yes}}{{^none}}c{{/none}}{{^empty}}d{{/empty}}"
                           "{{^nope}}e{{/nope}}{{^items}}f{{/items}}",
               c, a, "acde");
    expect_out("nested lists and dot", "{{#items}}{{t}}:{{#subs}}({{.}}){{/subs}};{{/items}}", c, a,
               "one:;two&lt;:(a)(b&amp;);");
    expect_out("outer lookup in section", "{{#items}}{{course.title}}/{{/items}}", c, a,
               "Customer Service/Customer Service/");
    expect_out("map section pushes", "{{#course}}{{title}}|{{meta.lang}}{{/course}}", c, a, "Customer Service|en-AU");
    expect_out("deep dotted", "{{course.meta.lang}}", c, a, "en-AU");
    expect_out("dotted through non-map", "[{{name.x}}]", c, a, "[]");
    expect_out("comment", "a{{! a comment }}b", c, a, "ab");
    expect_out("standalone lines removed", "<ul>\n  {{#items}}\n  <li>{{t}}</li>\n  {{/items}}\n</ul>\n", c, a,
               "<ul>\n  <li>one</li>\n  <li>two&lt;</li>\n</ul>\n");
    expect_out("standalone at end without newline", "x\n{{#yes}}\ny\n{{/yes}}", c, a, "x\ny\n");
    expect_out("inline section keeps line", "a {{#yes}}b{{/yes}} c\n", c, a, "a b c\n");
    expect_out("single braces untouched", "{ x } }} {", c, a, "{ x } }} {");
    expect_out("NULL ctx", "[{{x}}]", NULL, a, "[]");

    /* replacing a value */
    tmpl_set(c, "name", "Ann");
    expect_out("set replaces", "{{name}}", c, a, "Ann");
    tmpl_set(c, "name", NULL); /* NULL sets nothing */
    expect_out("set NULL ignored", "{{name}}", c, a, "Ann");

    /* a value written on demand (the page body): same bytes as the string */
    tmpl_set_fn(c, "lazy", write_lazy, (void *)"<i>x & y</i>");
    tmpl_set_fn(c, "lazy_empty", write_lazy, (void *)"");
    expect_out("fn raw", "[{{{lazy}}}|{{&lazy}}]", c, a, "[<i>x & y</i>|<i>x & y</i>]");
    expect_out("fn escaped", "[{{lazy}}]", c, a, "[&lt;i&gt;x &amp; y&lt;/i&gt;]");
    expect_out("fn sections as a string",
               "{{#lazy}}A{{/lazy}}{{#lazy_empty}}B{{/lazy_empty}}{{^lazy}}C{{/lazy}}{{^lazy_empty}}D{{/lazy_empty}}", c,
               a, "AD");
    expect_out("fn empty", "[{{{lazy_empty}}}{{lazy_empty}}]", c, a, "[]");

    /* syntax errors: each at its line:col */
    expect_err("unterminated tag", "line one\n  {{name\n",
               a, (const char *const[]){"theme/page.html:2:3: error: unterminated template tag", NULL});
    expect_err("unterminated triple", "{{{name}}\n",
               a, (const char *const[]){"theme/page.html:1:1: error: unterminated template tag: `{{{`", NULL});
    expect_err("unclosed section", "a\n{{#items}}\nx\n",
               a, (const char *const[]){"theme/page.html:2:1: error: section `items` is never closed", NULL});
    expect_err("mismatched close", "{{#a}}\nx {{/b}}\n",
               a, (const char *const[]){"theme/page.html:2:3: error: `{{/b}}` does not match the open section `a` (line 1, column 1)", NULL});
    expect_err("inner section not closed", "{{#a}} {{^b}} x {{/a}}",
               a, (const char *const[]){"theme/page.html:1:8: error: section `b` is not closed before `{{/a}}`", NULL});
    expect_err("close without open", "x\n\n   {{/a}}",
               a, (const char *const[]){"theme/page.html:3:4: error: `{{/a}}` closes no open section", NULL});
    expect_err("empty tag", "ab{{ }}",
               a, (const char *const[]){"theme/page.html:1:3: error: empty template tag", NULL});
    expect_err("partials unsupported", "{{> header}}",
               a, (const char *const[]){"theme/page.html:1:1: error: partials", NULL});
    expect_err("delimiters unsupported", "x{{=<% %>=}}",
               a, (const char *const[]){"theme/page.html:1:2: error: delimiter changes", NULL});
    expect_err("malformed brace inside", "{{a {{b}}",
               a, (const char *const[]){"theme/page.html:1:1: error: malformed template tag", NULL});
    expect_err("several errors all reported", "{{#x}}\n{{oops\n{{/y}}\n{{#z}}",
               a, (const char *const[]){"page.html:2:1: error: unterminated", "page.html:3:1: error: `{{/y}}` does not match",
                                        "page.html:4:1: error: section `z` is never closed", NULL});

    /* parse once, render many times */
    {
        const char *src = "{{#items}}{{t}}{{/items}}";
        tmpl *t = tmpl_parse(a, src, strlen(src), "x", NULL);
        buf b = BUF_INIT;
        for (int i = 0; i < 3; i++) tmpl_render(t, c, &b);
        CHECK(b.data && strcmp(b.data, "onetwo&lt;onetwo&lt;onetwo&lt;") == 0, "render many times");
        buf_free(&b);
    }

    arena_free(a);
    printf("%d passed, %d failed\n", passes, fails);
    return fails ? 1 : 0;
}
