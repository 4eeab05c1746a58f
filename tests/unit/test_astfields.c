/* test_astfields.c — the fields filters see are the ones ast_fields.h
 * declares, as it declares them. For every field the declaration shows to
 * Lua (LUA_RO, LUA_RW, LUA_VIA): on a node of its example type with the
 * field away from its default, node.<name> has the declared Lua type (and
 * value, for strings and numbers); a read-only field refuses assignment
 * with the usual message; a writable one takes a value of its type and
 * reads back that type; luab_field_access agrees. A field the declaration
 * hides (LUA_NO) is no Lua name. An unknown key reads nil and cannot be
 * set. A new field declared visible but given no case in luab.c fails to
 * compile (-Wswitch); one whose case returns nothing fails here. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/luab.h"
#include "harness.h"
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* A node of type `on` whose field `name` (of kind `kind`) is set to a
 * value that is not its default; *want: what Lua's tostring gives for it,
 * when the field is a string or a number. */
#define SET_FIELD(kind, ctype, name, aux, lua) SET_##kind(name, aux)
#define SET_TYPE(name, aux)
#define SET_POS(name, aux) snprintf(want, sizeof want, "%d", n->name);
#define SET_LINK(name, aux)                                                                                        \
    {                                                                                                              \
        ast_node *t = ast_new(a, AST_TEXT, 1, 1);                                                                  \
        t->text = "child";                                                                                         \
        ast_append(n, t);                                                                                          \
    }
#define SET_STR(name, aux)                                                                                         \
    n->name = "v-" #name;                                                                                          \
    snprintf(want, sizeof want, "v-%s", #name);
#define SET_INT(name, aux)                                                                                         \
    n->name = 1;                                                                                                   \
    snprintf(want, sizeof want, "1");
#define SET_ATTR(name, aux) ast_add_class(a, n, "c");
#define SET_ALIGNS(name, aux)
#define SET_ALTS(name, aux)                                                                                        \
    {                                                                                                              \
        ast_node *span = ast_new(a, AST_SPAN, 1, 1), *t = ast_new(a, AST_TEXT, 1, 1);                              \
        t->text = "alt";                                                                                           \
        ast_append(span, t);                                                                                       \
        n->name = span;                                                                                            \
    }

/* Runs `code` with (node, key, ltype) as `...`; returns the error message
 * or NULL, and the first two results as strings in r1, r2. */
static const char *run(lua_State *L, const char *code, ast_node *n, const char *key, const char *ltype, char *r1,
                       char *r2) {
    static char err[400];
    r1[0] = r2[0] = 0;
    if (luaL_loadstring(L, code) != LUA_OK) return "does not load";
    luab_push_node(L, n);
    lua_pushstring(L, key);
    lua_pushstring(L, ltype);
    if (lua_pcall(L, 3, 2, 0) != LUA_OK) {
        snprintf(err, sizeof err, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
        lua_pop(L, 1);
        return err;
    }
    if (lua_tostring(L, -2)) snprintf(r1, 100, "%s", lua_tostring(L, -2));
    if (lua_tostring(L, -1)) snprintf(r2, 100, "%s", lua_tostring(L, -1));
    lua_pop(L, 2);
    return NULL;
}

static const char READ[] = "local node, key = ... return type(node[key]), tostring(node[key])";
static const char WRITE[] = "local node, key, lt = ...\n"
                            "node[key] = ({string = 'w', number = 2, boolean = true, table = {}})[lt]\n"
                            "return type(node[key]), tostring(node[key])";

/* access: 0 hidden, 1 read only, 2 writable. */
static void one(lua_State *L, const char *field, const char *lname, const char *ltype, ast_type on, int access,
                ast_node *n, const char *want) {
    char what[300], r1[100], r2[100];
    if (access == 0) {
        snprintf(what, sizeof what, "the hidden field %s is no Lua name", field);
        CHECK(luab_field_access(field) == 0, what);
        return;
    }
    const char *err = run(L, READ, n, lname, ltype, r1, r2);
    snprintf(what, sizeof what, "%s: node.%s on a %s reads as a %s (got %s%s)", field, lname, ast_type_name(on),
             ltype, err ? "an error: " : "", err ? err : r1);
    CHECK(!err && strcmp(r1, ltype) == 0, what);
    if (want[0] && (!strcmp(ltype, "string") || !strcmp(ltype, "number"))) {
        snprintf(what, sizeof what, "%s: node.%s on a %s is the field's value %s (got %s)", field, lname,
                 ast_type_name(on), want, r2);
        CHECK(!err && strcmp(r2, want) == 0, what);
    }
    int got = luab_field_access(lname);
    snprintf(what, sizeof what, "%s: luab_field_access(\"%s\") is %d", field, lname, got);
    CHECK(access == 2 ? got == 2 : got >= 1, what);
    err = run(L, WRITE, n, lname, ltype, r1, r2);
    if (access == 2) {
        snprintf(what, sizeof what, "%s: node.%s on a %s takes a %s (got %s%s)", field, lname, ast_type_name(on),
                 ltype, err ? "an error: " : "", err ? err : r1);
        CHECK(!err && strcmp(r1, ltype) == 0, what);
    } else {
        snprintf(what, sizeof what, "%s: node.%s on a %s is read only (got %s)", field, lname, ast_type_name(on),
                 err ? err : "no error");
        CHECK(err && strstr(err, "cannot set field"), what);
    }
}

/* The lua column, LUA_RO(lname, ltype, on) and the like, becomes the
 * arguments lname, ltype, on, access of T_FIELD7 through one more
 * expansion (T_FIELD4 forwards them). */
#define T_LUA_NO -, -, AST_TEXT, 0
#define T_LUA_RO(lname, ltype, on) lname, ltype, on, 1
#define T_LUA_VIA(lname, ltype, on) lname, ltype, on, 1
#define T_LUA_RW(lname, ltype, on) lname, ltype, on, 2
#define T_FIELD(kind, ctype, name, aux, lua) T_FIELD4(kind, name, aux, T_##lua)
#define T_FIELD4(kind, name, aux, view) T_FIELD7(kind, name, aux, view)
#define T_FIELD7(kind, name, aux, lname, ltype, on, access)                                                       \
    {                                                                                                              \
        want[0] = 0;                                                                                               \
        n = ast_new(a, on, 3, 5);                                                                                  \
        SET_##kind(name, aux);                                                                                     \
        one(L, #name, #lname, #ltype, on, access, n, want);                                                        \
        fields++;                                                                                                  \
    }

int main(void) {
    luab *b = luab_new(0, 0, 0, 0);
    arena *a = arena_new();
    luab_begin_run(b, a, 0);
    lua_State *L = luab_state(b);
    int fields = 0;
    char want[64];
    ast_node *n;
    AST_FIELDS(T_FIELD)
    OK(fields > 20);

    char r1[100], r2[100];
    n = ast_new(a, AST_PARAGRAPH, 1, 1);
    const char *err = run(L, READ, n, "nosuchfield", "nil", r1, r2);
    CHECK(!err && strcmp(r1, "nil") == 0, "an unknown key reads nil");
    OK(luab_field_access("nosuchfield") == 0);
    err = run(L, WRITE, n, "nosuchfield", "string", r1, r2);
    CHECK(err && strstr(err, "cannot set field 'nosuchfield' of a Paragraph node"), "an unknown key cannot be set");
    luab_end_run(b, 1);
    luab_free(b);
    arena_free(a);
    return harness_summary();
}
