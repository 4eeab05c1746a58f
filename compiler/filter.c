/* filter.c — the filter engine (SPEC §7): resolve and compile the course's
 * chain once per host (one host per edition), then per module run each
 * filter over the tree children-first, apply nil/node/list returns, and
 * report one diagnostic per failure at the filter's own line. */
#include "filter.h"
#include "labels.h"
#include "luab.h"
#include "md.h"
#include "util.h"
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct filter_host {
    luab *b;
    course *c;
    char *edition; /* the one edition served (SPEC §11.6) */
    int n;         /* filters in the chain */
    int *ref;      /* registry refs of the compiled chunks */
    int *chunk;    /* luab chunk numbers (display paths) */
    long limit_ms; /* CPU limit of a run (luab_watch) */
    void (*on_fatal)(void *); /* the owner's end of a stuck run (filter_opts) */
    void *fatal_arg;
    /* the current run */
    const course_edition *ed;
    const filter_module *fm;
    arena *a;
    diag *d;
    ast_node *doc;
    int failed;    /* ctx.error was called */
    int cur;       /* running filter, -1 before the first */
    ast_node *cur_node;
    lua_Integer rungen;
    int in_run;
    ast_node **stk; /* walk snapshots (indices survive reallocation) */
    size_t nstk, capstk;
    ast_node *marker; /* placeholder where the node being handled stood */
    ast_node **tmp; /* nodes of a handler's return value */
    size_t ntmp, captmp;
    char **cli_names, **cli_values; /* --var, copied */
    int ncli;
    /* the running filter's `needs`: a handler of a text-bearing type is
     * called only for nodes whose text contains this (NULL: every node);
     * copied into the run's arena */
    const char *needle[AST_TYPE_COUNT];
    /* the running filter has a handler for the type (so the walk asks no
     * Lua API call about nodes nobody handles) */
    unsigned char handled[AST_TYPE_COUNT];
    /* walk into the children of a node of the type: not into inline
     * containers (paragraphs, headings, cells, ...) when the filter handles
     * no inline type, for they hold inlines only (luab_child_ok) */
    unsigned char descend[AST_TYPE_COUNT];
};

/* os.time()'s answer for the whole build: SOURCE_DATE_EPOCH when set (a
 * reproducible build), else the build's own time (filter_opts), else now. */
static long long sandbox_time(const filter_opts *o) {
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == 0 && v >= 0) return v;
    }
    return o->build_time > 0 ? o->build_time : (long long)time(NULL);
}

static int is_course_path(const char *name) {
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".lua") == 0);
}

static int valid_std_name(const char *s) {
    if (!*s || strlen(s) > 64) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-')) return 0;
    return 1;
}

static char *join(const char *dir, const char *rel) {
    size_t dl = strlen(dir);
    char *s = xmalloc(dl + strlen(rel) + 2);
    if (dl == 0) strcpy(s, rel);
    else if (dir[dl - 1] == '/') sprintf(s, "%s%s", dir, rel);
    else sprintf(s, "%s/%s", dir, rel);
    return s;
}

char *filter_file(course *c, const char *lua_dir, int i) {
    const char *name = c->filters[i];
    if (is_course_path(name)) {
        const char *why;
        const char *r = course_resolve(c, name, &why);
        return r ? xstrdup(r) : NULL;
    }
    if (!valid_std_name(name) || !lua_dir) return NULL;
    char *p = xasprintf("%s/%s.lua", lua_dir, name);
    char *real = realpath(p, NULL);
    free(p);
    return real;
}

static const char *module_path(const filter_host *h);

/* The watchdog's last resort (luab_watch), on its own thread: a filter run is
 * stuck inside a library function where no Lua error can reach it. The
 * engine reports it and hands the decision to its owner (filter_opts
 * on_fatal), which ends the process; the engine aborts should it not. */
static void hard_stop(void *arg) {
    filter_host *h = arg;
    const char *fpath = h->cur >= 0 ? luab_chunk_display(h->b, h->chunk[h->cur]) : NULL;
    const ast_node *n = h->cur_node ? h->cur_node : h->doc;
    long secs = (2 * h->limit_ms + 999) / 1000;
    diag_report(h->d, DIAG_ERROR, fpath ? fpath : "filter", 0, 0,
                "still running after %ld s of CPU time inside a library function (a string pattern that "
                "backtracks?): the build is stopped (while filtering %s:%d:%d, %s)",
                secs, module_path(h), n ? n->line : 0, n ? n->col : 0, n ? ast_type_name(n->type) : "Document");
    if (h->on_fatal) h->on_fatal(h->fatal_arg);
    abort();
}

filter_host *filter_host_new(course *c, const course_edition *ed, const filter_opts *o, diag *d) {
    filter_host *h = xcalloc(1, sizeof *h);
    h->b = luab_new(o->trust, o->mem_cap, o->instr_budget, sandbox_time(o));
    h->limit_ms = o->cpu_ms > 0 ? o->cpu_ms : FILTER_CPU_MS;
    h->on_fatal = o->on_fatal;
    h->fatal_arg = o->fatal_arg;
    h->c = c;
    h->edition = xstrdup(ed->name ? ed->name : "");
    h->n = c->nfilters;
    h->ref = xcalloc((size_t)(h->n + 1), sizeof *h->ref);
    h->chunk = xcalloc((size_t)(h->n + 1), sizeof *h->chunk);
    h->cur = -1;
    if (o->ncli_vars > 0) {
        h->ncli = o->ncli_vars;
        h->cli_names = xcalloc((size_t)h->ncli, sizeof *h->cli_names);
        h->cli_values = xcalloc((size_t)h->ncli, sizeof *h->cli_values);
        for (int i = 0; i < h->ncli; i++) {
            h->cli_names[i] = xstrdup(o->cli_var_names[i] ? o->cli_var_names[i] : "");
            h->cli_values[i] = xstrdup(o->cli_var_values[i] ? o->cli_var_values[i] : "");
        }
    }
    lua_State *L = luab_state(h->b);
    char *lua_root = o->lua_dir ? realpath(o->lua_dir, NULL) : NULL;
    int errs = 0, own = 1;
    for (int i = 0; i < h->n; i++) {
        const char *name = c->filters[i];
        pos at = c->filter_at ? c->filter_at[i] : (pos){c->yaml_path, 0, 0};
        char *display = NULL, *real = NULL;
        const char *root = NULL;
        if (is_course_path(name)) {
            const char *why = "cannot be used";
            const char *r = course_resolve(c, name, &why);
            if (!r) {
                diag_report(d, DIAG_ERROR, at.path, at.line, at.col, "filter `%s` %s", name, why);
                errs++;
                continue;
            }
            own = 0;
            real = xstrdup(r);
            display = join(c->dir ? c->dir : "", name);
            root = c->realdir;
        } else {
            if (!(real = filter_file(c, o->lua_dir, i))) {
                diag_report(d, DIAG_ERROR, at.path, at.line, at.col,
                            "unknown filter `%s`: the standard filters are vars, blanks, answers and timings; a "
                            "course filter is a path such as `filters/%s.lua`",
                            name, valid_std_name(name) ? name : "my-filter");
                errs++;
                continue;
            }
            display = xmalloc(strlen(name) + 9);
            sprintf(display, "lua/%s.lua", name);
            root = lua_root ? lua_root : "";
        }
        int line = 0;
        char *msg = NULL;
        int ch = luab_load_file(h->b, real, display, root, &line, &msg);
        if (ch < 0) {
            diag_report(d, DIAG_ERROR, display, line, 0, "%s", msg ? msg : "cannot load the filter");
            errs++;
        } else {
            h->chunk[i] = ch;
            h->ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        }
        free(msg);
        free(real);
        free(display);
    }
    free(lua_root);
    if (errs) {
        filter_host_free(h);
        return NULL;
    }
    luab_watch(h->b, h->limit_ms, hard_stop, h);
    /* Only coursec's own filters: they run unmetered, under the time limit
     * alone (luab.h). One course filter in the chain and every filter is
     * counted, so course code never runs without its exact budget. */
    if (own) luab_unmetered(h->b);
    return h;
}

void filter_host_free(filter_host *h) {
    if (!h) return;
    luab_free(h->b);
    free(h->edition);
    free(h->ref);
    free(h->chunk);
    free(h->stk);
    free(h->tmp);
    for (int i = 0; i < h->ncli; i++) free(h->cli_names[i]), free(h->cli_values[i]);
    free(h->cli_names);
    free(h->cli_values);
    free(h);
}

/* ---------------------------------------------------------------- ctx */

static filter_host *ctx_host(lua_State *L) {
    filter_host *h = lua_touserdata(L, lua_upvalueindex(1));
    if (!h->in_run || lua_tointeger(L, lua_upvalueindex(2)) != h->rungen)
        luaL_error(L, "ctx was used after the filter run it belongs to ended");
    return h;
}

static const char *module_path(const filter_host *h) {
    if (h->fm && h->fm->m && h->fm->m->path) return h->fm->m->path;
    return h->fm && h->fm->id ? h->fm->id : "module";
}

#define MAX_DIAG_MSG 4096 /* bytes of a filter's message kept (longer ones end in "…") */

/* ctx.warn / ctx.error. where: a node (its true position, kept in C even
 * when the run hides positions from Lua), {node=, offset=} (the node's
 * line, its column plus offset bytes), {line=, col=}, or nil. */
static int ctx_report(lua_State *L, diag_severity sev) {
    filter_host *h = ctx_host(L);
    int line = 0, col = 0;
    int msgi = 2;
    if (lua_type(L, 1) == LUA_TSTRING && lua_isnoneornil(L, 2)) msgi = 1; /* ctx.warn("msg") */
    else if (!lua_isnil(L, 1)) {
        ast_node *n = luab_tonode(L, 1);
        if (n) {
            line = n->line;
            col = n->col;
        } else if (lua_istable(L, 1)) {
            if (lua_getfield(L, 1, "node") != LUA_TNIL) {
                n = luab_tonode(L, -1);
                if (!n) return luaL_error(L, "ctx.%s: where.node must be a node", sev == DIAG_ERROR ? "error" : "warn");
                lua_getfield(L, 1, "offset");
                lua_Integer off = luaL_optinteger(L, -1, 0);
                lua_pop(L, 1);
                line = n->line;
                col = n->col;
                if (col > 0 && off > 0 && off < 1000000000) col += (int)off;
            } else {
                lua_getfield(L, 1, "line");
                lua_getfield(L, 1, "col");
                line = (int)luaL_optinteger(L, -2, 0);
                col = (int)luaL_optinteger(L, -1, 0);
                lua_pop(L, 2);
            }
            lua_pop(L, 1);
        } else {
            return luaL_error(L, "ctx.%s: where must be a node, a {node=, offset=} or {line=, col=} table or nil",
                              sev == DIAG_ERROR ? "error" : "warn");
        }
    }
    size_t len;
    const char *msg = luab_tolstring(L, msgi, &len);
    if (len > MAX_DIAG_MSG) {
        size_t cut = MAX_DIAG_MSG;
        while (cut > 0 && ((unsigned char)msg[cut] & 0xC0) == 0x80) cut--; /* not inside a UTF-8 sequence */
        lua_pushlstring(L, msg, cut);
        lua_pushliteral(L, "\xe2\x80\xa6");
        lua_concat(L, 2);
        msg = lua_tolstring(L, -1, &len);
    }
    /* the diagnostics are kept until the build ends: count them as the
     * run's memory, so a loop of warnings meets the cap */
    luab_charge(L, len + strlen(module_path(h)) + 64);
    if (line < 0) line = 0;
    if (col < 0 || line == 0) col = 0;
    diag_report(h->d, sev, module_path(h), line, col, "%s", msg);
    if (sev == DIAG_ERROR) h->failed = 1;
    return 0;
}
static int ctx_warn(lua_State *L) { return ctx_report(L, DIAG_WARNING); }

/* ctx.label(key [, params]): the theme's label in the course's language
 * (labels.h), each `{name}` replaced by tostring(params[name]) when
 * params has it. A key that is no label is an error. */
static int ctx_label(lua_State *L) {
    filter_host *h = ctx_host(L);
    const char *key = luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    const label_table *lb = h->c ? h->c->labels : NULL;
    if (lb && !labels_has(lb, key)) {
        const char *s = labels_suggest(lb, key);
        if (s) return luaL_error(L, "ctx.label: no label `%s` (did you mean `%s`?)", key, s);
        return luaL_error(L, "ctx.label: no label `%s` (the keys are those of the theme's labels/en.yaml)", key);
    }
    const char *v = labels_get(lb, key);
    if (lua_isnoneornil(L, 2) || !strchr(v, '{')) {
        lua_pushstring(L, v);
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char *p = v; *p;) {
        size_t k = 0;
        if (*p == '{') {
            k = 1;
            while (p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z')) k++;
            k = k > 1 && p[k] == '}' ? k + 1 : 0;
        }
        if (k) {
            lua_pushlstring(L, p + 1, k - 2);
            int t = lua_gettable(L, 2);
            if (t != LUA_TNIL) {
                if (t != LUA_TSTRING && t != LUA_TNUMBER)
                    return luaL_error(L, "ctx.label: the value of `%.*s` must be a string or a number, not a %s",
                                      (int)(k - 2), p + 1, lua_typename(L, t));
                luaL_tolstring(L, -1, NULL);
                lua_remove(L, -2);
                luaL_addvalue(&b);
                p += k;
                continue;
            }
            lua_pop(L, 1);
        }
        luaL_addchar(&b, *p);
        p++;
    }
    luaL_pushresult(&b);
    return 1;
}
static int ctx_error(lua_State *L) { return ctx_report(L, DIAG_ERROR); }

static const ynode *find_key(const ynode *m, const char *key, size_t len) {
    if (!m || m->type != Y_MAP) return NULL;
    for (int i = 0; i < m->n; i++)
        if (m->keys[i] && m->keys[i]->len == len && memcmp(m->keys[i]->str, key, len) == 0) return m->keys[i];
    return NULL;
}

/* ctx.pos(key): where a front-matter key is written; "vars.channel" looks
 * inside nested mappings. */
static int ctx_pos(lua_State *L) {
    filter_host *h = ctx_host(L);
    size_t len;
    const char *key = luaL_checklstring(L, 1, &len);
    const ynode *root = h->fm && h->fm->m ? h->fm->m->meta.root : NULL;
    const ynode *k = find_key(root, key, len);
    if (!k) {
        const ynode *m = root;
        const char *s = key;
        while (m && *s) {
            const char *dot = strchr(s, '.');
            size_t l = dot ? (size_t)(dot - s) : strlen(s);
            k = find_key(m, s, l);
            if (!k) break;
            if (!dot) break;
            int idx = 0;
            while (idx < m->n && m->keys[idx] != k) idx++;
            m = m->items[idx];
            s = dot + 1;
            k = NULL;
        }
    }
    if (!k) return 0;
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, k->line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, k->col);
    lua_setfield(L, -2, "col");
    return 1;
}

static void set_str(lua_State *L, const char *k, const char *v) {
    if (!v) return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, int v) {
    if (v < 0) return;
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* A string for ctx: its plain text when it holds blank syntax (titles). */
static void set_plain(lua_State *L, filter_host *h, const char *k, const char *v, pos at) {
    if (!v) return;
    lua_pushstring(L, luab_plain(h->a, v, strlen(v), at.line, at.col, at.path));
    lua_setfield(L, -2, k);
}

static int includes_answer(const course_edition *ed) {
    for (int i = 0; i < ed->ninclude; i++)
        if (ed->include[i] && strcmp(ed->include[i], "answer") == 0) return 1;
    return 0;
}

/* An edition without the `answer` role holds no blank's answer (SPEC §4). */
static void prune_answers(ast_node *n) {
    for (ast_node *c = n->first; c; c = c->next) {
        if (c->type == AST_BLANK) c->alts = NULL;
        prune_answers(c);
    }
}

/* Stack: vars, labels, lists (absolute indices). One variable, later
 * sources winning: a value holding blank syntax or `\[[` becomes a node list
 * (parsed once per run into a Span kept in lists[name], pruned for the
 * edition); any other value a string in vars; a fill-in `false`, with its
 * visible label (if declared) in labels. */
static void put_var(lua_State *L, filter_host *h, int vars, int labels, int lists, const char *name, const char *value,
                    const char *label, pos at) {
    if (!name) return;
    if (value && luab_holds_blank_syntax(value, strlen(value))) {
        diag *quiet = diag_new(NULL, DIAG_TEXT, 0); /* the course's reader reports what is wrong */
        ast_node *span = md_parse_plain(h->a, value, strlen(value), at.line, at.col, at.path ? at.path : "--var",
                                        quiet);
        diag_free(quiet);
        if (!includes_answer(h->ed)) prune_answers(span);
        lua_pushlightuserdata(L, span);
        lua_setfield(L, lists, name);
        lua_pushnil(L);
        lua_setfield(L, vars, name);
    } else {
        if (value) lua_pushstring(L, value);
        else lua_pushboolean(L, 0); /* a fill-in */
        lua_setfield(L, vars, name);
        lua_pushnil(L);
        lua_setfield(L, lists, name);
    }
    if (value) {
        lua_pushnil(L);
        lua_setfield(L, labels, name);
    } else if (label) {
        lua_pushstring(L, label);
        lua_setfield(L, labels, name);
    }
}

static void put_vars(lua_State *L, filter_host *h, int vars, int labels, int lists, const course_var *v, int n) {
    for (int i = 0; i < n; i++) put_var(L, h, vars, labels, lists, v[i].name, v[i].value, v[i].label, v[i].at);
}

static void push_ctx_fn(lua_State *L, filter_host *h, lua_CFunction f, const char *name) {
    lua_pushlightuserdata(L, h);
    lua_pushinteger(L, h->rungen);
    lua_pushcclosure(L, f, 2);
    lua_setfield(L, -2, name);
}

/* __index of ctx.vars: a variable whose value holds a blank is a fresh list
 * of fresh nodes at every read (a filter may insert it wherever it reads
 * it). Upvalues: h, the run, the lists table. */
static int vars_index(lua_State *L) {
    ctx_host(L);
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(3)) != LUA_TLIGHTUSERDATA) return 0;
    const ast_node *span = lua_touserdata(L, -1);
    luab_push_copies(L, span);
    return 1;
}

static int snapshot_next(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_next(L, 1)) return 2;
    lua_pushnil(L);
    return 1;
}

/* __pairs of ctx.vars: every variable, node lists included (fresh). */
static int vars_pairs(lua_State *L) {
    ctx_host(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushcfunction(L, snapshot_next);
    lua_newtable(L);
    int snap = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, snap);
    }
    lua_pushnil(L);
    while (lua_next(L, lua_upvalueindex(3))) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_islightuserdata(L, -1)) {
            const ast_node *span = lua_touserdata(L, -1);
            lua_pushvalue(L, -2);
            luab_push_copies(L, span);
            lua_rawset(L, snap);
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    return 3;
}

/* ctx.course.modules (the table on top of the stack) lists only the
 * modules of the host's edition: a module's only:/except: leave its entry,
 * title included, out of the others (SPEC §11.2). The list's items are the
 * course's modules in order (a course with errors is never filtered). */
static void keep_edition_modules(lua_State *L, filter_host *h) {
    const course *c = h->c;
    if (lua_getfield(L, -1, "modules") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_Integer n = luaL_len(L, -1);
    lua_createtable(L, (int)n, 0);
    int k = 0;
    for (lua_Integer i = 1; i <= n && n == c->nmodules; i++) {
        if (!course_module_in_edition(&c->modules[i - 1], h->ed->name)) continue;
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -2, ++k);
    }
    lua_setfield(L, -3, "modules");
    lua_pop(L, 1);
}

/* __index of ctx: builds ctx.course from course.yaml on first use. */
static int ctx_lazy(lua_State *L) {
    filter_host *h = lua_touserdata(L, lua_upvalueindex(1));
    const char *k = lua_tostring(L, 2);
    if (!k || strcmp(k, "course") != 0) return 0;
    const course *c = h->c;
    if (!h->in_run || !h->a) return luaL_error(L, "ctx was used after the filter run it belongs to ended");
    if (c->root && c->root->type == Y_MAP) luab_push_ynode(L, c->root, h->a, c->yaml_path);
    else lua_newtable(L);
    keep_edition_modules(L, h);
    lua_pushvalue(L, -1);
    lua_setfield(L, 1, "course");
    return 1;
}

/* Where course.yaml's `title` is written (for the built-in course.title). */
static pos course_title_pos(const course *c) {
    pos at = {c->yaml_path, 0, 0};
    if (c->root && c->root->type == Y_MAP)
        for (int i = 0; i < c->root->n; i++)
            if (c->root->keys[i] && c->root->keys[i]->str && strcmp(c->root->keys[i]->str, "title") == 0 &&
                c->root->items[i]) {
                at.line = c->root->items[i]->line;
                at.col = c->root->items[i]->col;
            }
    return at;
}

/* Protected: start the run and push the ctx table. */
static int p_begin(lua_State *L) {
    filter_host *h = lua_touserdata(L, 1);
    const course *c = h->c;
    const course_edition *ed = h->ed;
    const filter_module *fm = h->fm;
    const course_module *m = fm ? fm->m : NULL;
    const char *mpath = module_path(h);
    pos none = {mpath, 0, 0};
    luab_begin_run(h->b, h->a, fm ? fm->hide_positions : 0);
    lua_createtable(L, 0, 12);

    lua_createtable(L, 0, 3);
    set_str(L, "name", ed->name);
    set_plain(L, h, "title", ed->title ? ed->title : ed->name, ed->at);
    lua_createtable(L, 0, ed->ninclude);
    for (int i = 0; i < ed->ninclude; i++) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, ed->include[i]);
    }
    lua_setfield(L, -2, "include");
    lua_setfield(L, -2, "edition");

    if (m && m->meta.root && m->meta.root->type == Y_MAP) luab_push_ynode(L, m->meta.root, h->a, mpath);
    else lua_newtable(L);
    if (m && m->meta.duration >= 0) set_int(L, "duration", m->meta.duration);
    lua_setfield(L, -2, "meta");

    /* ctx.course is made when a filter first reads it (ctx_lazy): a course
     * of N modules would otherwise cost O(N) per module for filters that
     * never look at it */
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, h);
    lua_pushcclosure(L, ctx_lazy, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);

    int blank = c->unset_vars_blank;
    if (m && m->meta.unset_vars >= 0) blank = m->meta.unset_vars;
    lua_createtable(L, 0, 8);
    if (fm) {
        set_str(L, "id", fm->id);
        set_plain(L, h, "title", fm->title, none);
        set_int(L, "duration", fm->duration);
        set_int(L, "start", fm->start);
    }
    if (m) {
        set_str(L, "file", m->file);
        set_str(L, "path", m->path);
        if (m->meta.teaching >= 0) set_int(L, "teaching", m->meta.teaching);
        if (m->meta.exercises >= 0) set_int(L, "exercises", m->meta.exercises);
    }
    set_str(L, "unset_vars", blank ? "blank" : "warn");
    lua_setfield(L, -2, "module");

    /* vars: built-ins, then course, module, --var (later wins); labels of
     * fill-ins; node lists behind __index/__pairs */
    lua_newtable(L);
    int vars = lua_gettop(L);
    lua_newtable(L);
    int labels = lua_gettop(L);
    lua_newtable(L);
    int lists = lua_gettop(L);
    put_var(L, h, vars, labels, lists, "course.title", c->title, NULL, course_title_pos(c));
    put_var(L, h, vars, labels, lists, "course.id", c->id, NULL, none);
    if (fm) {
        put_var(L, h, vars, labels, lists, "module.title", fm->title, NULL, none);
        put_var(L, h, vars, labels, lists, "module.id", fm->id, NULL, none);
    }
    put_var(L, h, vars, labels, lists, "edition", ed->name, NULL, none);
    put_vars(L, h, vars, labels, lists, c->vars, c->nvars);
    if (m) put_vars(L, h, vars, labels, lists, m->meta.vars, m->meta.nvars);
    pos cli = {"--var", 0, 0};
    for (int i = 0; i < h->ncli; i++) put_var(L, h, vars, labels, lists, h->cli_names[i], h->cli_values[i], NULL, cli);
    /* the metatable only when a value is a node list: every read of an
     * unknown name (vars.lua's unresolved variables) would call it */
    lua_pushnil(L);
    if (lua_next(L, lists)) {
        lua_pop(L, 2);
        lua_createtable(L, 0, 2);
        lua_pushlightuserdata(L, h);
        lua_pushinteger(L, h->rungen);
        lua_pushvalue(L, lists);
        lua_pushcclosure(L, vars_index, 3);
        lua_setfield(L, -2, "__index");
        lua_pushlightuserdata(L, h);
        lua_pushinteger(L, h->rungen);
        lua_pushvalue(L, lists);
        lua_pushcclosure(L, vars_pairs, 3);
        lua_setfield(L, -2, "__pairs");
        lua_setmetatable(L, vars);
    }
    lua_pop(L, 1); /* lists */
    lua_setfield(L, -3, "labels");
    lua_setfield(L, -2, "vars");

    push_ctx_fn(L, h, ctx_warn, "warn");
    push_ctx_fn(L, h, ctx_error, "error");
    push_ctx_fn(L, h, ctx_pos, "pos");
    push_ctx_fn(L, h, ctx_label, "label");
    return 1;
}

/* ---------------------------------------------------------------- walk */

static void fail(lua_State *L, int fidx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Raise an error positioned at the handler function's definition. */
static void fail(lua_State *L, int fidx, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int ch, line;
    luab_function_pos(L, fidx, &ch, &line);
    if (ch >= 0) lua_pushfstring(L, "c%d:%d: %s", ch, line, msg);
    else lua_pushstring(L, msg);
    lua_error(L);
}

/* The list of a handler's return value: its growth is C memory a filter
 * asks for, so it counts against the cap (the run's share is given back at
 * its end; the list stays for the next run, see filter_run). */
static void tmp_push(lua_State *L, filter_host *h, ast_node *n) {
    if (h->ntmp == h->captmp) {
        size_t cap = h->captmp ? h->captmp * 2 : 16;
        luab_charge(L, (cap - h->captmp) * sizeof *h->tmp);
        h->captmp = cap;
        h->tmp = xrealloc(h->tmp, h->captmp * sizeof *h->tmp);
    }
    h->tmp[h->ntmp++] = n;
}

/* Collect the handler's return value (at the top) into h->tmp; returns 0 to
 * keep the node as it is. Pops the value. */
static int collect_result(lua_State *L, filter_host *h, ast_node *c, int fidx) {
    const char *tn = ast_type_name(c->type);
    h->ntmp = 0;
    int t = lua_type(L, -1);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    ast_node *single = luab_tonode(L, -1);
    if (single) {
        lua_pop(L, 1);
        if (single == c) return 0;
        tmp_push(L, h, single);
        return 1;
    }
    if (t != LUA_TTABLE)
        fail(L, fidx, "%s handler returned a %s; return nil, a node or a list of nodes", tn, luaL_typename(L, -1));
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        ast_node *x = luab_tonode(L, -1);
        if (!x)
            fail(L, fidx, "%s handler returned a list whose item %d is a %s; a list must hold nodes", tn, (int)i,
                 luaL_typename(L, -1));
        tmp_push(L, h, x);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 1;
}

/* Replace c by h->tmp (possibly empty: delete), after checking every node.
 * The marker stands where c stood before its handler ran (the handler may
 * have moved c elsewhere, e.g. into the node it returns). */
static void replace(lua_State *L, filter_host *h, ast_node *c, int fidx) {
    ast_node *marker = h->marker;
    ast_node *p = marker->parent;
    const char *tn = ast_type_name(c->type);
    if (!p) /* the handler replaced the children of the node's parent, without it */
        fail(L, fidx, "%s handler returned nodes for a place that is gone (it replaced the children of the node's "
                      "parent without the node); return nil then",
             tn);
    for (size_t i = 0; i < h->ntmp; i++) {
        ast_node *x = h->tmp[i];
        if (!luab_child_ok(p->type, x->type))
            fail(L, fidx, "%s handler returned %s (%s) where %s is needed", tn, luab_kind_desc(x->type),
                 ast_type_name(x->type), luab_need_desc(p->type));
        if (x == marker) fail(L, fidx, "%s handler returned one of the node's own ancestors (a cycle)", tn);
    }
    size_t at = 0;
    int why = luab_join_check(L, p, h->tmp, h->ntmp, &at);
    if (why == LUAB_JOIN_CYCLE) fail(L, fidx, "%s handler returned one of the node's own ancestors (a cycle)", tn);
    if (why == LUAB_JOIN_DEEP)
        fail(L, fidx, "%s handler returned %s (%s) that would make the tree deeper than %d levels (the most a "
                      "filter may build)",
             tn, luab_kind_desc(h->tmp[at]->type), ast_type_name(h->tmp[at]->type), LUAB_MAX_DEPTH);
    if (c->parent == p) ast_unlink(c);
    for (size_t i = 0; i < h->ntmp; i++) {
        ast_node *x = h->tmp[i];
        if (x->parent) ast_unlink(x);
        ast_insert_before(marker, x);
        if (x->line == 0) {
            x->line = c->line;
            x->col = c->col;
        }
    }
}

static void call_handler(lua_State *L, filter_host *h, ast_node *c, int fidx, int ctxi) {
    h->cur_node = c;
    luab_set_current(h->b, c);
    ast_insert_before(c, h->marker);
    lua_pushvalue(L, fidx);
    luab_push_node(L, c);
    lua_pushvalue(L, ctxi);
    lua_call(L, 2, 1);
    if (collect_result(L, h, c, fidx)) replace(L, h, c, fidx);
    ast_unlink(h->marker);
}

/* No tree is deeper than LUAB_MAX_DEPTH (the parser's bound, which the
 * bridge keeps for every tree a filter builds): a bound on this recursion
 * that never fires. */
#define MAX_WALK_DEPTH (2 * LUAB_MAX_DEPTH)

static void walk(lua_State *L, filter_host *h, ast_node *parent, int hbase, int ctxi, int depth) {
    if (depth > MAX_WALK_DEPTH) {
        h->cur_node = parent;
        luaL_error(L, "the document is nested more than %d levels deep", MAX_WALK_DEPTH);
    }
    size_t base = h->nstk;
    for (ast_node *c = parent->first; c; c = c->next) {
        if (h->nstk == h->capstk) {
            h->capstk = h->capstk ? h->capstk * 2 : 256;
            h->stk = xrealloc(h->stk, h->capstk * sizeof *h->stk);
        }
        h->stk[h->nstk++] = c;
    }
    size_t end = h->nstk;
    for (size_t i = base; i < end; i++) {
        ast_node *c = h->stk[i];
        if (c->parent != parent) continue; /* moved away by an earlier handler */
        if (c->first && h->descend[c->type]) walk(L, h, c, hbase, ctxi, depth + 1);
        if (!h->handled[c->type]) continue;
        const char *needle = h->needle[c->type];
        if (needle && (!c->text || !strstr(c->text, needle))) continue;
        call_handler(L, h, c, hbase + (int)c->type, ctxi);
    }
    h->nstk = base;
}

/* Protected: run filter h->cur over the document. Stack: h, ctx. */
static int p_filter(lua_State *L) {
    filter_host *h = lua_touserdata(L, 1);
    int ctxi = 2;
    int ch = h->chunk[h->cur];
    h->nstk = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref[h->cur]);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
        lua_pushfstring(L, "c%d:0: a filter must return a table of handlers (it returned %s)", ch,
                        luaL_typename(L, -1));
        return lua_error(L);
    }
    int ht = lua_gettop(L);
    luaL_checkstack(L, AST_TYPE_COUNT + 8, "filter handlers");
    int hbase = ht + 1;
    for (int t = 0; t < AST_TYPE_COUNT; t++) {
        int ty = lua_getfield(L, ht, ast_type_name((ast_type)t));
        h->handled[t] = ty == LUA_TFUNCTION;
        if (ty != LUA_TNIL && ty != LUA_TFUNCTION) {
            lua_pushfstring(L, "c%d:0: handler `%s` must be a function, not a %s", ch, ast_type_name((ast_type)t),
                            lua_typename(L, ty));
            return lua_error(L);
        }
    }
    int inlines = 0;
    for (int t = 0; t < AST_TYPE_COUNT; t++) inlines |= h->handled[t] && ast_is_inline((ast_type)t);
    for (int t = 0; t < AST_TYPE_COUNT; t++) h->descend[t] = inlines || !luab_child_ok((ast_type)t, AST_TEXT);
    /* needs = {Text = "{{", ...}: see docs/filters.md */
    memset(h->needle, 0, sizeof h->needle);
    if (lua_getfield(L, ht, "needs") == LUA_TTABLE) {
        int nt = lua_gettop(L);
        static const ast_type text_types[] = {AST_TEXT, AST_CODE, AST_CODEBLOCK, AST_HTMLBLOCK, AST_HTMLINLINE};
        for (size_t k = 0; k < sizeof text_types / sizeof text_types[0]; k++) {
            ast_type t = text_types[k];
            if (lua_getfield(L, nt, ast_type_name(t)) == LUA_TSTRING && lua_rawlen(L, -1) > 0) {
                luab_charge(L, lua_rawlen(L, -1) + 1);
                h->needle[t] = arena_strdup(h->a, lua_tostring(L, -1)); /* a handler may drop it */
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    walk(L, h, h->doc, hbase, ctxi, 0);
    memset(h->needle, 0, sizeof h->needle);
    int fidx = hbase + AST_DOCUMENT;
    if (!lua_isnil(L, fidx)) {
        ast_node *doc = h->doc;
        h->cur_node = doc;
        luab_set_current(h->b, doc);
        lua_pushvalue(L, fidx);
        luab_push_node(L, doc);
        lua_pushvalue(L, ctxi);
        lua_call(L, 2, 1);
        ast_node *r = luab_tonode(L, -1);
        if (r && r != doc) {
            if (r->type != AST_DOCUMENT || luab_would_cycle(L, r, doc))
                fail(L, fidx, "Document handler returned %s (%s) where the Document (or nil) is needed",
                     luab_kind_desc(r->type), ast_type_name(r->type));
            while (doc->first) ast_unlink(doc->first);
            while (r->first) {
                ast_node *x = r->first;
                ast_unlink(x);
                ast_append(doc, x);
            }
            doc->attr = r->attr;
        } else if (!r && !lua_isnil(L, -1)) {
            fail(L, fidx, "Document handler returned a %s where the Document (or nil) is needed",
                 luaL_typename(L, -1));
        }
    }
    return 0;
}

static void report_failure(filter_host *h, lua_State *L, int st) {
    int ch = -1, line = 0;
    const char *msg = lua_tostring(L, -1);
    luab_error_pos(h->b, &ch, &line);
    if (st == LUA_ERRMEM) {
        msg = "memory limit exceeded";
        ch = -1;
        line = 0;
    } else if (st == LUA_ERRERR) {
        msg = "error while handling an error (stack overflow?)";
        ch = -1;
        line = 0;
    }
    if (!msg) msg = "unknown error";
    const char *fpath = ch >= 0 ? luab_chunk_display(h->b, ch) : NULL;
    if (!fpath) fpath = luab_chunk_display(h->b, h->chunk[h->cur >= 0 ? h->cur : 0]);
    if (!fpath) fpath = "filter";
    ast_node *n = h->cur_node ? h->cur_node : h->doc;
    diag_report(h->d, DIAG_ERROR, fpath, line, 0, "%s (while filtering %s:%d:%d, %s)", msg, module_path(h), n->line,
                n->col, ast_type_name(n->type));
}

int filter_run(filter_host *h, const course_edition *ed, const filter_module *fm, arena *a, ast_node *doc,
               diag *d) {
    if (strcmp(ed->name ? ed->name : "", h->edition) != 0) {
        diag_report(d, DIAG_ERROR, fm && fm->m ? fm->m->path : NULL, 0, 0,
                    "internal error: a Lua state made for edition `%s` was asked to filter edition `%s` (a state "
                    "serves one edition: SPEC §11.6)",
                    h->edition, ed->name ? ed->name : "");
        return -1;
    }
    if (h->n == 0) return 0;
    lua_State *L = luab_state(h->b);
    int top = lua_gettop(L);
    h->ed = ed;
    h->fm = fm;
    h->a = a;
    h->d = d;
    h->doc = doc;
    h->failed = 0;
    h->cur = -1;
    h->cur_node = doc;
    h->rungen++;
    h->in_run = 1;
    h->marker = ast_new(a, AST_SPAN, 0, 0);
    int rc = 0;
    lua_pushcfunction(L, luab_msgh);
    int msgh = lua_gettop(L);
    luab_clear_error(h->b);
    lua_pushcfunction(L, p_begin);
    lua_pushlightuserdata(L, h);
    int st = lua_pcall(L, 1, 1, msgh);
    if (st != LUA_OK) {
        report_failure(h, L, st);
        rc = -1;
    } else {
        int ctxi = lua_gettop(L);
        luab_hide(h->b, h->marker);
        for (int i = 0; i < h->n; i++) {
            h->cur = i;
            h->cur_node = doc;
            luab_reset_budget(h->b);
            luab_clear_error(h->b);
            lua_pushcfunction(L, p_filter);
            lua_pushlightuserdata(L, h);
            lua_pushvalue(L, ctxi);
            st = lua_pcall(L, 2, 0, msgh);
            if (st != LUA_OK) {
                report_failure(h, L, st);
                lua_pop(L, 1);
                rc = -1;
                break;
            }
        }
    }
    if (h->marker->parent) ast_unlink(h->marker); /* an error left it in the tree */
    h->marker = NULL;
    lua_settop(L, top);
    /* give back what a failed (or greedy) run held before the next one */
    luab_end_run(h->b, rc != 0);
    h->in_run = 0;
    if (h->captmp > 65536) { /* a huge return list: not kept (its charge ended with the run) */
        free(h->tmp);
        h->tmp = NULL;
        h->captmp = 0;
    }
    if (h->failed) rc = -1;
    h->ed = NULL;
    h->fm = NULL;
    h->a = NULL;
    h->doc = NULL;
    return rc;
}
