/* test_luab.c — the Lua bridge's last lines of defence (luab.c), where no
 * filter can reach them. The depth and cycle check every node a filter
 * places passes (luab_join_check), at the bound and one past it; the
 * counted plain text of a Blank's answer (ast_plain_chars), the same as the
 * text made. And a finalizer, which Lua runs with its hooks off so
 * that neither the instruction budget nor the watchdog's hook can stop it.
 * The sandbox lets no filter make one (setmetatable refuses __gc, checked
 * end to end in tests/sandbox); here one is made through the C API, as a
 * future library might, and must neither hang the close of a state nor a
 * collection at the end of a run. Each case runs in a child process with a
 * 120 s alarm: a hang guard only, no time is asserted. Prints ok/FAIL
 * lines; exits 1 on any failure. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/luab.h"
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures, passes;

static void check(int cond, const char *name, const char *detail) {
    if (cond) passes++, printf("ok %s\n", name);
    else failures++, printf("FAIL %s%s%s\n", name, detail ? ": " : "", detail ? detail : "");
    fflush(stdout);
}

/* A table whose finalizer loops for ever, left as garbage on L's stack
 * top (popped): the only way to make one is the C API's lua_setmetatable. */
static void looping_finalizer(lua_State *L) {
    lua_newtable(L);
    lua_newtable(L);
    if (luaL_loadstring(L, "local x = 0 while true do x = x + 1 end") != LUA_OK) abort();
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

/* The child's status: its exit code, or 128 + the signal that ended it. */
static int in_child(void (*body)(void)) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        alarm(120); /* a hang guard, far above what any case takes */
        body();
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void close_with_finalizer(void) {
    luab *b = luab_new(0, 0, 0, 0);
    looping_finalizer(luab_state(b));
    luab_free(b); /* lua_close would run it, for ever */
}

static void hard_exit(void *arg) {
    (void)arg;
    _exit(3);
}

static void collect_with_finalizer(void) {
    luab *b = luab_new(0, 0, 0, 0);
    luab_watch(b, 200, hard_exit, NULL);
    arena *a = arena_new();
    luab_begin_run(b, a, 0);
    looping_finalizer(luab_state(b));
    luab_end_run(b, 1); /* the collection runs the finalizer: the watchdog's last resort ends it */
    luab_free(b);
    arena_free(a);
}

/* A chain of n nodes under a Document (levels 0 .. n); returns the last. */
static ast_node *chain(arena *a, ast_node *doc, int n) {
    ast_node *p = doc;
    for (int i = 0; i < n; i++) {
        ast_node *d = ast_new(a, AST_DIV, 1, 1);
        ast_append(p, d);
        p = d;
    }
    return p;
}

static void join_checks(void) {
    luab *b = luab_new(0, 0, 0, 0);
    arena *a = arena_new();
    luab_begin_run(b, a, 0);
    lua_State *L = luab_state(b);
    ast_node *doc = ast_new(a, AST_DOCUMENT, 1, 1);
    ast_node *deep = chain(a, doc, LUAB_MAX_DEPTH - 1); /* at level 255 */
    ast_node *leaf = ast_new(a, AST_DIV, 1, 1);
    ast_node *two = ast_new(a, AST_DIV, 1, 1); /* a tree of two levels */
    ast_append(two, ast_new(a, AST_DIV, 1, 1));
    size_t at = 99;
    check(luab_join_check(L, deep, &leaf, 1, &at) == LUAB_JOIN_OK, "a node may stand at level 256", NULL);
    check(luab_join_check(L, deep, &two, 1, &at) == LUAB_JOIN_DEEP && at == 0,
          "a tree whose child would stand at level 257 is refused", NULL);
    ast_node *kids[3] = {leaf, doc->first, two};
    check(luab_join_check(L, deep, kids, 3, &at) == LUAB_JOIN_CYCLE && at == 1, "an ancestor is refused (a cycle)",
          NULL);
    check(luab_join_check(L, deep, &deep, 1, &at) == LUAB_JOIN_CYCLE, "the node itself is refused", NULL);
    /* a node moving down, with a subtree as deep as its tree allows */
    ast_node *top = doc->first;
    ast_unlink(top); /* levels 0 .. 254 below it */
    ast_node *holder = ast_new(a, AST_DIV, 1, 1);
    check(luab_join_check(L, holder, &top, 1, &at) == LUAB_JOIN_OK, "a 255-level tree one level down fits", NULL);
    ast_append(holder, top);
    ast_node *holder2 = ast_new(a, AST_DIV, 1, 1);
    ast_append(holder2, ast_new(a, AST_DIV, 1, 1));
    check(luab_join_check(L, holder2->first, &holder, 1, &at) == LUAB_JOIN_DEEP,
          "the same tree one more level down does not", NULL);
    /* a child staying under its parent is not checked again */
    check(luab_join_check(L, holder, &top, 1, &at) == LUAB_JOIN_OK, "a child staying where it is passes", NULL);
    luab_end_run(b, 0);
    luab_free(b);
    arena_free(a);
}

static void plain_chars(void) {
    arena *a = arena_new();
    ast_node *span = ast_new(a, AST_SPAN, 1, 1);
    const char *texts[] = {"  h\xc3\xa9llo \n w\xc3\xb6rld\t", "", "x  ", "  "};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ast_node *t = ast_new(a, AST_TEXT, 1, 1);
        t->text = texts[i];
        ast_append(span, t);
        if (i == 1) ast_append(span, ast_new(a, AST_SOFTBREAK, 1, 1));
        if (i == 2) ast_append(span, ast_new(a, AST_BLANK, 1, 1));
    }
    const char *pt = ast_plain_text(a, span);
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)pt; *p; p++) chars += (*p & 0xC0) != 0x80;
    char detail[128];
    snprintf(detail, sizeof detail, "counted %zu, \"%s\" holds %zu", ast_plain_chars(span), pt, chars);
    check(ast_plain_chars(span) == chars && chars == 13, "ast_plain_chars counts what ast_plain_text makes", detail);
    arena_free(a);
}

int main(void) {
    join_checks();
    plain_chars();
    int st = in_child(close_with_finalizer);
    check(st == 0, "a sandboxed state with a looping finalizer is freed without running it",
          st == 128 + SIGALRM ? "hung" : NULL);
    st = in_child(collect_with_finalizer);
    check(st == 3, "a looping finalizer in the collection after a run is ended by the watchdog's last resort",
          st == 128 + SIGALRM ? "hung" : st == 0 ? "it returned" : NULL);
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
