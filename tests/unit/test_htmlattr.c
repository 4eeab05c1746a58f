/* test_htmlattr.c — the attribute allow-list of links, images and code
 * (htmlattr.c): lengths, language tags, data-* names, --safe, first wins. */
#include "../../compiler/htmlattr.h"
#include "harness.h"

static arena *A;

/* An attribute block of key/value pairs (NULL-terminated list). */
static ast_attr attrs(const char *const *kv) {
    ast_attr at = {0};
    for (int i = 0; kv[i]; i += 2) ast_attr_set(A, &at, kv[i], kv[i + 1]);
    return at;
}

static htmlattr get(int img, int safe, const char *const *kv) {
    ast_attr at = attrs(kv);
    htmlattr h;
    htmlattr_get(A, &at, img, safe, &h);
    return h;
}

/* width=v on an image: the HTML attribute, the style, or neither. */
static void width_is(const char *v, const char *attr, const char *style) {
    const char *kv[] = {"width", v, NULL};
    htmlattr h = get(1, 0, kv);
    STR_EQ(h.width, attr);
    STR_EQ(h.style, style);
}

int main(void) {
    A = arena_new();

    /* nothing to do */
    {
        ast_attr at = {0};
        htmlattr h;
        htmlattr_get(A, &at, 1, 0, &h);
        OK(!h.alt && !h.title && !h.lang && !h.width && !h.height && !h.style && h.ndata == 0);
    }

    /* lengths on images */
    width_is("300", "300", NULL);
    width_is("300px", "300", NULL);
    width_is("300PX", "300", NULL);
    width_is("007", "7", NULL);
    width_is("0", "0", NULL);
    width_is("50%", NULL, "width:50%");
    width_is("10EM", NULL, "width:10em");
    width_is("2.5cm", NULL, "width:2.5cm");
    width_is(".5rem", NULL, "width:.5rem");
    width_is("12.5px", NULL, "width:12.5px");
    width_is("1.5", NULL, NULL);
    width_is("-5px", NULL, NULL);
    width_is("+5", NULL, NULL);
    width_is("5.px", NULL, NULL);
    width_is("1e3px", NULL, NULL);
    width_is("50 %", NULL, NULL);
    width_is("", NULL, NULL);
    width_is("auto", NULL, NULL);
    width_is("12345678", NULL, NULL);
    width_is("1234567", "1234567", NULL);
    width_is("1.23456em", NULL, NULL);
    width_is("10px;color:red", NULL, NULL);
    width_is("calc(1px)", NULL, NULL);
    {
        const char *kv[] = {"height", "10em", "width", "40%", NULL};
        htmlattr h = get(1, 0, kv);
        STR_EQ(h.style, "width:40%;height:10em"); /* width first, whatever the order written */
    }
    /* elsewhere there is no width attribute: pixels go to style too */
    {
        const char *kv[] = {"width", "120", "height", "3px", NULL};
        htmlattr h = get(0, 0, kv);
        OK(!h.width && !h.height);
        STR_EQ(h.style, "width:120px;height:3px");
    }

    /* alt only on images; title anywhere */
    {
        const char *kv[] = {"alt", "A", "title", "T", NULL};
        htmlattr h = get(1, 0, kv);
        STR_EQ(h.alt, "A");
        STR_EQ(h.title, "T");
        h = get(0, 0, kv);
        OK(h.alt == NULL);
        STR_EQ(h.title, "T");
        INT_EQ(h.ndata, 0); /* alt is dropped, not turned into data-alt */
    }

    /* language tags */
    {
        static const char *const good[] = {"en", "fr-CA", "zh-Hant-TW", "x-klingon", "de-1996", NULL};
        static const char *const bad[] = {"", "en_GB", "fr-", "-fr", "toolongtag", "1en", "en-verylongsub", "e n", NULL};
        for (int i = 0; good[i]; i++) {
            const char *kv[] = {"lang", good[i], NULL};
            STR_EQ(get(0, 0, kv).lang, good[i]);
        }
        for (int i = 0; bad[i]; i++) {
            const char *kv[] = {"lang", bad[i], NULL};
            OK(get(0, 0, kv).lang == NULL);
        }
    }

    /* data-* names: lower case, XML-compatible, first wins; only/except never */
    {
        const char *kv[] = {"Caption", "c", "Track:Event", "t", "a b", "x", "caption", "second", "only", "learner",
                            "EXCEPT", "facilitator", "Width", "bad", "width", "20", "é", "u", NULL};
        htmlattr h = get(1, 0, kv);
        if (OK(h.ndata == 4)) {
            STR_EQ(h.data[0].name, "data-caption");
            STR_EQ(h.data[0].value, "c");
            STR_EQ(h.data[1].name, "data-track-event");
            STR_EQ(h.data[2].name, "data-a-b");
            STR_EQ(h.data[3].name, "data---"); /* two bytes of UTF-8, each made `-` */
        }
        OK(h.width == NULL); /* Width=bad came first: width is given once, and dropped */
        h = get(1, 1, kv);
        INT_EQ(h.ndata, 0); /* --safe */
    }
    {
        const char *kv[] = {"title", "first", "Title", "second", NULL};
        STR_EQ(get(0, 0, kv).title, "first");
    }

    arena_free(A);
    return harness_summary();
}
