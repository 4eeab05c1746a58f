/* luab.c — the Lua bridge: a sandboxed lua_State (capped allocator, instruction
 * hook, no io/os/debug/package), ast_node userdata valid for one filter run,
 * and the `course.*` constructors. Only this file and filter.c include Lua. */
#include "luab.h"
#include "diag.h"
#include "fs.h"
#include "lpool.h"
#include "md.h"
#include "timing.h"
#include "util.h"
#include "watchdog.h"
#include "ydoc.h"
#include <lauxlib.h>
#include <limits.h>
#include <lualib.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_MT "coursec.node"
#define DEFAULT_CAP ((size_t)256 << 20)
#define DEFAULT_BUDGET 200000000LL
#define HOOK_STEP 1000
#define MAX_FILTER_BYTES ((size_t)4 << 20)
#define POOL_SLACK ((size_t)16 << 20)

/* registry keys: addresses of read-only objects */
static const char LOADED_KEY = 0;   /* per run: required file → its value */
static const char COMPILED_KEY = 0; /* per state: required file → compiled function */
static const char IDS_KEY = 0;      /* per state: object → its number (object_id) */
static const char ALTS_KEY = 0;     /* per run: answer alternative → its Blank (alt_owner) */

/* Node identity within a run: the run's userdata live in a Lua list
 * (registry[nodes_ref], strong, replaced by a fresh one every run) and an
 * open-addressing hash on the C side maps an ast_node* to its index there.
 * A slot belongs to the run whose gen it carries; older slots count as empty,
 * so starting a run clears nothing. */
typedef struct nslot {
    const ast_node *n;
    unsigned gen;
    int idx;
} nslot;

typedef struct chunk {
    char *display; /* as the user sees it: course dir + path, or lua/x.lua */
    char *dir;     /* real folder of the file (for require) */
    char *root;    /* real folder it must stay inside ("" = anywhere: trust) */
} chunk;

struct luab {
    lua_State *L;
    int trust;
    lpool *pool;   /* every byte the state allocates (lpool.h) */
    /* used: bytes counted against cap: Lua's blocks as Lua sized them, the
     * node hash (slots), and cbytes, the C memory this run's filter calls
     * took in the run's arena (given back at luab_end_run: the tree owns it
     * from then on) */
    size_t used, cap, cbytes, slot_bytes;
    long long count, budget;
    long long build_time;  /* what os.time() says (luab_new) */
    lua_Integer next_id;   /* the last number object_id gave */
    /* every run is watched (luab_watch): after cpu_ms of CPU time the
     * watchdog sets stopped and the hook from a signal handler on this
     * state's thread; hard is its last resort (luab.h) */
    long cpu_ms;
    void (*hard)(void *arg);
    void *hard_arg;
    watch *watch;
    volatile sig_atomic_t stopped;
    int metered; /* the count hook is set between runs */
    arena *a;
    unsigned gen;
    int in_run;
    int hide_positions; /* this run's node.line and node.col are nil */
    int cur_line, cur_col;
    ast_node *cur;       /* the node being filtered (luab_set_current) */
    ast_node *hidden;    /* the walk's placeholder (luab_hide) */
    chunk *chunks;
    int nchunks, capchunks;
    int err_chunk, err_line;
    int nodes_ref;       /* registry: this run's list of node userdata */
    int mt_ref;          /* registry: the node metatable */
    const void *node_mt; /* its address: a value is a node iff it has this metatable */
    nslot *slots;        /* node → index in the list (capacity a power of two) */
    size_t capslots, nslots_used;
    int nnodes;          /* userdata made this run */
};

typedef struct lnode {
    ast_node *n;
    unsigned gen;
} lnode;

/* The luab of a state: kept in the state's extra space (a pointer before
 * the lua_State, copied into every thread), which costs no call into Lua. */
static luab *getb(lua_State *L) { return *(luab **)lua_getextraspace(L); }

/* ---------------------------------------------------------------- state */

/* Counting allocator over the state's own pool: past the cap it fails, and
 * Lua raises a memory error. */
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    luab *b = ud;
    if (!ptr) osize = 0; /* then osize is the kind of object */
    if (nsize == 0) {
        if (ptr) {
            lpool_alloc(b->pool, ptr, osize, 0);
            b->used -= osize;
        }
        return NULL;
    }
    if (nsize > osize && nsize - osize > b->cap - b->used) return NULL;
    void *p = lpool_alloc(b->pool, ptr, osize, nsize);
    if (!p) return NULL;
    b->used = b->used - osize + nsize;
    return p;
}

void luab_charge(lua_State *L, size_t n) {
    luab *b = getb(L);
    if (n > b->cap - b->used) luaL_error(L, "memory limit exceeded");
    b->used += n;
    b->cbytes += n;
}

static int l_panic(lua_State *L) {
    const char *m = lua_tostring(L, -1);
    fprintf(stderr, "coursec: unprotected Lua error: %s\n", m ? m : "?");
    abort();
}

/* Why a run is being stopped (the budget is spent or the watchdog fired). */
static const char *stop_reason(const luab *b, char *buf, size_t size) {
    if (!b->stopped) return "instruction budget exceeded (runaway loop?)";
    snprintf(buf, size, "stopped after %ld s of CPU time (runaway loop?)", (b->cpu_ms + 999) / 1000);
    return buf;
}

static void hook(lua_State *L, lua_Debug *ar) {
    luab *b = getb(L);
    b->count += HOOK_STEP;
    if (b->count <= b->budget && !b->stopped) return;
    char buf[96];
    const char *what = stop_reason(b, buf, sizeof buf);
    lua_getinfo(L, "Sl", ar);
    if (ar->currentline > 0 && ar->source[0] == '@')
        lua_pushfstring(L, "%s:%d: %s", ar->source + 1, ar->currentline, what);
    else
        lua_pushstring(L, what);
    lua_error(L);
}

/* The watchdog's fire(): runs in a signal handler on this state's thread
 * while a run is in progress. lua_sethook is safe there (Lua's own lua.c
 * stops scripts on SIGINT the same way); the hook then raises the error at
 * the next instruction, and at every one after it, so pcall cannot hold it. */
static void overtime(void *arg) {
    luab *b = arg;
    b->stopped = 1;
    lua_sethook(b->L, hook, LUA_MASKCOUNT, 1);
}

/* The watchdog's hard(): on its own thread, the run still going long after
 * overtime() (inside a C function): the owner's last resort (luab_watch). */
static void stuck(void *arg) {
    luab *b = arg;
    b->hard(b->hard_arg);
}

/* ---------------------------------------------------------------- values without addresses */

/* The number of a table, function, thread or userdata within this state:
 * 1, 2, ... in the order tostring first met them, the same for an object as
 * long as it lives (a weak-keyed table in the registry). What Lua would show
 * instead is the object's address, which depends on what every state of the
 * process did before (SPEC §11.6). */
static lua_Integer object_id(lua_State *L, int idx) {
    luab *b = getb(L);
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &IDS_KEY);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    lua_Integer id = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (id == 0) {
        id = ++b->next_id;
        lua_pushvalue(L, idx);
        lua_pushinteger(L, id);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
    return id;
}

const char *luab_tolstring(lua_State *L, int idx, size_t *len) {
    idx = lua_absindex(L, idx);
    if (luaL_callmeta(L, idx, "__tostring")) {
        if (!lua_isstring(L, -1)) luaL_error(L, "'__tostring' must return a string");
        return lua_tolstring(L, -1, len);
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
    case LUA_TBOOLEAN:
    case LUA_TNUMBER:
    case LUA_TSTRING:
        return luaL_tolstring(L, idx, len);
    default: {
        int tt = luaL_getmetafield(L, idx, "__name");
        const char *kind = tt == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, idx);
        lua_Integer id = object_id(L, idx);
        lua_pushfstring(L, "%s: %I", kind, (LUAI_UACINT)id);
        if (tt != LUA_TNIL) lua_remove(L, -2);
        return lua_tolstring(L, -1, len);
    }
    }
}

static int sb_tostring(lua_State *L) {
    luaL_checkany(L, 1);
    luab_tolstring(L, 1, NULL);
    return 1;
}

static int sb_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer B;
    luaL_buffinit(L, &B);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&B, '\t');
        luab_tolstring(L, i, NULL);
        luaL_addvalue(&B);
    }
    luaL_addchar(&B, '\n');
    luaL_pushresult(&B);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    fwrite(s, 1, len, stderr);
    return 0;
}

/* Call the function a wrapper replaced (its upvalue 1) with the nargs
 * values on top, leaving nres results. Called from C, the original cannot
 * know its own name, so its argument errors would say '?': they are raised
 * again naming `name`. A memory error stays the memory error. */
static void call_original(lua_State *L, int nargs, int nres, const char *name) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, -(nargs + 1));
    int st = lua_pcall(L, nargs, nres, 0);
    if (st == LUA_OK) return;
    if (st == LUA_ERRMEM) luaL_error(L, "memory limit exceeded");
    if (lua_type(L, -1) == LUA_TSTRING) {
        char to[64];
        snprintf(to, sizeof to, "to '%s'", name);
        luaL_gsub(L, lua_tostring(L, -1), "to '?'", to);
    }
    lua_error(L);
}

/* string.format with %p refused and %s of a table, function, thread or
 * userdata given luab_tolstring's text. The conversions are found as
 * lstrlib.c finds them (each one but %% takes the next argument) and each
 * argument is checked here as the original would check it, so that a wrong
 * one is reported naming 'format' (called from C, the original cannot know
 * its name) and the original is called without a protected call: it can
 * then only refuse a malformed conversion, in words of its own. */
static int sb_format(lua_State *L) {
    size_t flen;
    const char *fmt = luaL_checklstring(L, 1, &flen);
    int top = lua_gettop(L), arg = 1;
    for (size_t i = 0; i < flen; i++) {
        if (fmt[i] != '%') continue;
        if (++i >= flen) break;
        if (fmt[i] == '%') continue;
        while (i < flen && fmt[i] && strchr("-+ #0", fmt[i])) i++;
        while (i < flen && fmt[i] >= '0' && fmt[i] <= '9') i++;
        if (i < flen && fmt[i] == '.') {
            i++;
            while (i < flen && fmt[i] >= '0' && fmt[i] <= '9') i++;
        }
        if (i >= flen) break;
        if (++arg > top) luaL_argerror(L, arg, "no value");
        switch (fmt[i]) {
        case 'p': return luaL_error(L, "string.format: '%%p' is not available to filters (it shows a memory address)");
        case 'c': case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': luaL_checkinteger(L, arg); break;
        case 'a': case 'A': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': luaL_checknumber(L, arg); break;
        case 'q':
            if (lua_type(L, arg) > LUA_TSTRING || lua_type(L, arg) == LUA_TLIGHTUSERDATA)
                luaL_argerror(L, arg, "value has no literal form");
            break;
        case 's': {
            int t = lua_type(L, arg);
            if (t != LUA_TNIL && t != LUA_TBOOLEAN && t != LUA_TNUMBER && t != LUA_TSTRING) {
                luab_tolstring(L, arg, NULL);
                lua_replace(L, arg);
            }
            break;
        }
        default: break; /* the original refuses it */
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, top, 1);
    return 1;
}

/* setmetatable refusing a __gc field: a finalizer runs whenever the
 * collector gets to it, in a later module or edition's run, or at lua_close. */
static int sb_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) return luaL_error(L, "cannot change a protected metatable");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int gc = lua_rawget(L, 2);
        lua_pop(L, 1);
        if (gc != LUA_TNIL)
            return luaL_error(L, "setmetatable: a metatable with a __gc field is not allowed in filters "
                                 "(a finalizer would run at a time no filter controls)");
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* os.time() and os.date(fmt) without a time: the build's time (luab_new),
 * never the clock; with a time argument, the original functions. */
static int sb_time(lua_State *L) {
    if (lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, (lua_Integer)getb(L)->build_time);
        return 1;
    }
    lua_settop(L, 1);
    call_original(L, 1, 1, "time");
    return 1;
}

static int sb_date(lua_State *L) {
    lua_settop(L, 2);
    if (lua_isnil(L, 1)) {
        lua_pushliteral(L, "%c");
        lua_replace(L, 1);
    }
    if (lua_isnil(L, 2)) {
        lua_pushinteger(L, (lua_Integer)getb(L)->build_time);
        lua_replace(L, 2);
    }
    call_original(L, 2, 1, "date");
    return 1;
}

/* os.clock(): the CPU time of the process changes with every other state's
 * work, so filters get a constant. */
static int sb_clock(lua_State *L) {
    lua_pushnumber(L, 0);
    return 1;
}

/* math.randomseed() without arguments would seed from the clock and the
 * state's address (and return both): it seeds with 0, as the state starts. */
static int sb_randomseed(lua_State *L) {
    if (lua_isnone(L, 1)) lua_pushinteger(L, 0);
    call_original(L, lua_gettop(L), LUA_MULTRET, "randomseed");
    return lua_gettop(L);
}

/* Replace t.name (t at the top) by f with the old value as its upvalue. */
static void wrap_field(lua_State *L, const char *name, lua_CFunction f) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
}

/* load(chunk [, chunkname [, mode [, env]]]) with the mode forced to text. */
static int sb_load(lua_State *L) {
    int n = lua_gettop(L);
    if (n > 4) lua_settop(L, n = 4);
    while (lua_gettop(L) < 3) lua_pushnil(L);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n > 3 ? 4 : 3, LUA_MULTRET);
    return lua_gettop(L);
}

/* pcall/xpcall that cannot swallow a spent instruction budget: once it is
 * exceeded, a caught error is raised again (else a loop around pcall would
 * catch the budget error forever). */
static int sb_pcall(lua_State *L) {
    luab *b = getb(L);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    if ((b->count > b->budget || b->stopped) && !lua_toboolean(L, 1)) {
        char buf[96];
        return luaL_error(L, "%s", stop_reason(b, buf, sizeof buf));
    }
    return lua_gettop(L);
}

static int chunk_of_source(const luab *b, const char *src) {
    if (!src || src[0] != '@' || src[1] != 'c') return -1;
    char *end;
    long v = strtol(src + 2, &end, 10);
    if (end == src + 2 || *end || v < 0 || v >= b->nchunks) return -1;
    return (int)v;
}

static int valid_module_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 100) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* real stays inside the chunk's root ("" = anywhere: trust); fs_within
 * decides. */
static int is_inside(const char *real, const char *root) {
    if (!*root) return 1;
    char *in = fs_within(root, real, 0);
    int ok = in != NULL;
    free(in);
    return ok;
}

/* require(name): name.lua from the requiring file's own folder, text only;
 * compiled once per state, run once per filter run. */
static int sb_require(lua_State *L) {
    luab *b = getb(L);
    const char *name = luaL_checkstring(L, 1);
    lua_Debug ar;
    int ch = -1;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "S", &ar)) ch = chunk_of_source(b, ar.source);
    if (!valid_module_name(name) || ch < 0) {
        if (!lua_isnil(L, lua_upvalueindex(1))) { /* trusted: the ordinary require */
            lua_pushvalue(L, lua_upvalueindex(1));
            lua_pushvalue(L, 1);
            lua_call(L, 1, 1);
            return 1;
        }
        if (ch < 0) return luaL_error(L, "require: only filter files can require other files");
        return luaL_error(L, "require: `%s` is not a file name in the filter's folder (letters, digits, _ and - only)",
                          name);
    }
    const chunk *c = &b->chunks[ch];
    char *path = xmalloc(strlen(c->dir) + strlen(name) + 6);
    sprintf(path, "%s/%s.lua", c->dir, name);
    lua_pushstring(L, path);
    free(path);
    int key = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    int loaded = lua_gettop(L);
    lua_pushvalue(L, key);
    if (lua_rawget(L, loaded) != LUA_TNIL) {
        if (lua_islightuserdata(L, -1)) return luaL_error(L, "require: `%s` requires itself (a loop)", name);
        return 1;
    }
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &COMPILED_KEY);
    int compiled = lua_gettop(L);
    lua_pushvalue(L, key);
    if (lua_rawget(L, compiled) == LUA_TNIL) {
        lua_pop(L, 1);
        char *real = realpath(lua_tostring(L, key), NULL);
        if (!real) {
            if (!lua_isnil(L, lua_upvalueindex(1))) {
                lua_pushvalue(L, lua_upvalueindex(1));
                lua_pushvalue(L, 1);
                lua_call(L, 1, 1);
                return 1;
            }
            return luaL_error(L, "require: no file `%s.lua` in the filter's folder", name);
        }
        if (!is_inside(real, c->root)) {
            free(real);
            return luaL_error(L, "require: `%s.lua` leads outside the filter's folder", name);
        }
        /* display path: the requiring file's display folder + name.lua */
        const char *slash = strrchr(c->display, '/');
        size_t dl = slash ? (size_t)(slash - c->display) + 1 : 0;
        char *disp = xmalloc(dl + strlen(name) + 5);
        memcpy(disp, c->display, dl);
        sprintf(disp + dl, "%s.lua", name);
        int line = 0;
        char *msg = NULL;
        int n = luab_load_file(b, real, disp, c->root, &line, &msg);
        free(real);
        free(disp);
        if (n < 0) {
            lua_pushfstring(L, "require: %s", msg ? msg : "cannot load");
            free(msg);
            return lua_error(L);
        }
        lua_pushvalue(L, key);
        lua_pushvalue(L, -2);
        lua_rawset(L, compiled);
    }
    /* mark as loading, run it, keep its value for this run */
    lua_pushvalue(L, key);
    lua_pushlightuserdata(L, (void *)&LOADED_KEY);
    lua_rawset(L, loaded);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, key);
    lua_pushvalue(L, -2);
    lua_rawset(L, loaded);
    return 1;
}

static void open_lib(lua_State *L, const char *name, lua_CFunction f) {
    luaL_requiref(L, name, f, 1);
    lua_pop(L, 1);
}

static void push_constructors(lua_State *L);
static const luaL_Reg node_meta[];

static int setup(lua_State *L) {
    luab *b = lua_touserdata(L, 1);
    lua_newtable(L); /* object_id's numbers (weak keys) */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &IDS_KEY);
    if (b->trust) {
        luaL_openlibs(L);
        lua_getglobal(L, "require");
    } else {
        open_lib(L, LUA_GNAME, luaopen_base);
        open_lib(L, LUA_STRLIBNAME, luaopen_string);
        open_lib(L, LUA_TABLIBNAME, luaopen_table);
        open_lib(L, LUA_MATHLIBNAME, luaopen_math);
        open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
        /* os: time, date and clock only, fixed for the build (sb_time); the
         * full library never becomes reachable */
        luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
        lua_newtable(L);
        lua_getfield(L, -2, "time");
        lua_pushcclosure(L, sb_time, 1);
        lua_setfield(L, -2, "time");
        lua_getfield(L, -2, "date");
        lua_pushcclosure(L, sb_date, 1);
        lua_setfield(L, -2, "date");
        lua_pushcfunction(L, sb_clock);
        lua_setfield(L, -2, "clock");
        lua_setglobal(L, "os");
        lua_pop(L, 1);
        /* math.random starts from the same seed in every state */
        lua_getglobal(L, "math");
        wrap_field(L, "randomseed", sb_randomseed);
        lua_getfield(L, -1, "randomseed");
        lua_call(L, 0, 0);
        lua_pop(L, 1);
        /* no addresses: tostring, print (below), string.format; no
         * finalizers: setmetatable */
        lua_pushcfunction(L, sb_tostring);
        lua_setglobal(L, "tostring");
        lua_getglobal(L, "string");
        wrap_field(L, "format", sb_format);
        lua_pop(L, 1);
        lua_pushcfunction(L, sb_setmetatable);
        lua_setglobal(L, "setmetatable");
        lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
        lua_pushnil(L);
        lua_setfield(L, -2, LUA_OSLIBNAME);
        lua_pop(L, 1);
        static const char *const drop[] = {"dofile", "loadfile", "collectgarbage", "require", "package", "io", "debug"};
        for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) {
            lua_pushnil(L);
            lua_setglobal(L, drop[i]);
        }
        lua_getglobal(L, "string");
        lua_pushnil(L);
        lua_setfield(L, -2, "dump");
        lua_pop(L, 1);
        lua_getglobal(L, "load");
        lua_pushcclosure(L, sb_load, 1);
        lua_setglobal(L, "load");
        lua_getglobal(L, "pcall");
        lua_pushcclosure(L, sb_pcall, 1);
        lua_setglobal(L, "pcall");
        lua_getglobal(L, "xpcall");
        lua_pushcclosure(L, sb_pcall, 1);
        lua_setglobal(L, "xpcall");
        /* protected metatables: setmetatable(_G, ...) and getmetatable("") refused */
        lua_pushglobaltable(L);
        lua_newtable(L);
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_setmetatable(L, -2);
        lua_pop(L, 1);
        lua_pushliteral(L, "");
        if (lua_getmetatable(L, -1)) {
            lua_pushboolean(L, 0);
            lua_setfield(L, -2, "__metatable");
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        lua_pushnil(L); /* no fallback require */
    }
    lua_pushcclosure(L, sb_require, 1);
    lua_setglobal(L, "require");
    lua_pushcfunction(L, sb_print);
    lua_setglobal(L, "print");

    luaL_newmetatable(L, NODE_MT);
    lua_createtable(L, AST_TYPE_COUNT, 0); /* node.type strings, made once */
    for (int t = 0; t < AST_TYPE_COUNT; t++) {
        lua_pushstring(L, ast_type_name((ast_type)t));
        lua_rawseti(L, -2, t + 1);
    }
    luaL_setfuncs(L, node_meta, 1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    b->node_mt = lua_topointer(L, -1);
    b->mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushboolean(L, 0); /* reserves the key; a list while a run lasts */
    b->nodes_ref = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &COMPILED_KEY);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    lua_pushboolean(L, 0); /* reserves the key (luab_end_run sets it unprotected); a table while a run lasts */
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ALTS_KEY);

    push_constructors(L);
    lua_setglobal(L, "course");
    return 0;
}

luab *luab_new(int trust, size_t mem_cap, long long instr_budget, long long build_time) {
    luab *b = xcalloc(1, sizeof *b);
    b->trust = trust;
    b->cap = trust ? SIZE_MAX : mem_cap ? mem_cap : DEFAULT_CAP;
    b->budget = trust ? LLONG_MAX : instr_budget > 0 ? instr_budget : DEFAULT_BUDGET;
    b->build_time = build_time;
    b->err_chunk = -1;
    /* what the pool may hold from the system: the cap, as much again for
     * free blocks of other sizes (blocks are never merged), and the state's
     * own start; a state that churns through every size class cannot grow
     * without bound */
    b->pool = lpool_new(trust ? 0 : b->cap > (SIZE_MAX - POOL_SLACK) / 2 ? 0 : 2 * b->cap + POOL_SLACK);
    b->L = lua_newstate(l_alloc, b);
    if (!b->L) {
        fputs("coursec: cannot create a Lua state\n", stderr);
        abort();
    }
    *(luab **)lua_getextraspace(b->L) = b;
    lua_atpanic(b->L, l_panic);
    lua_pushcfunction(b->L, setup);
    lua_pushlightuserdata(b->L, b);
    if (lua_pcall(b->L, 1, 0, 0) != LUA_OK) {
        fprintf(stderr, "coursec: cannot set up Lua: %s\n", lua_tostring(b->L, -1));
        abort();
    }
    b->metered = !trust;
    if (b->metered) lua_sethook(b->L, hook, LUA_MASKCOUNT, HOOK_STEP);
    return b;
}

void luab_watch(luab *b, long cpu_ms, void (*hard)(void *arg), void *arg) {
    if (b->trust) return;
    b->cpu_ms = cpu_ms > 0 ? cpu_ms : 1;
    b->hard = hard;
    b->hard_arg = arg;
}

void luab_unmetered(luab *b) {
    if (b->trust) return;
    b->metered = 0;
    lua_sethook(b->L, NULL, 0, 0);
}

void luab_free(luab *b) {
    if (!b) return;
    watch_free(b->watch);
    /* A sandboxed state is not closed: every byte it holds is in its pool,
     * and lua_close would run what is left to finalize (__gc) and to close.
     * Lua runs a finalizer with its hooks off, so neither the budget nor the
     * watchdog's hook could stop one that loops, and nothing watches a
     * state being freed. The sandbox lets no filter make a finalizer
     * (sb_setmetatable), and this makes the close of a state run no Lua code
     * at all, whatever a future library might allow. A trusting state holds
     * what the full libraries opened (files): it is closed. */
    if (b->trust) lua_close(b->L);
    lpool_free(b->pool);
    for (int i = 0; i < b->nchunks; i++) {
        free(b->chunks[i].display);
        free(b->chunks[i].dir);
        free(b->chunks[i].root);
    }
    free(b->chunks);
    free(b->slots);
    free(b);
}

lua_State *luab_state(luab *b) { return b->L; }

const char *luab_chunk_display(const luab *b, int ch) {
    return ch >= 0 && ch < b->nchunks ? b->chunks[ch].display : NULL;
}

int luab_load_file(luab *b, const char *realpath_, const char *display, const char *root, int *line,
                   char **msgbuf) {
    *line = 0;
    *msgbuf = NULL;
    FILE *f = fs_fopen_read(realpath_); /* a FIFO is refused, never waited on */
    if (!f) {
        *msgbuf = xstrdup(errno == FS_ENOTREG ? "the filter file is not a regular file" : "cannot read the filter file");
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *data = xmalloc(cap);
    size_t r;
    while ((r = fread(data + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len > MAX_FILTER_BYTES) break;
        if (len == cap) data = xrealloc(data, cap *= 2);
    }
    fclose(f);
    if (len > MAX_FILTER_BYTES) {
        free(data);
        *msgbuf = xstrdup("filter file is larger than 4 MiB");
        return -1;
    }
    if (b->nchunks == b->capchunks) {
        b->capchunks = b->capchunks ? b->capchunks * 2 : 8;
        b->chunks = xrealloc(b->chunks, (size_t)b->capchunks * sizeof *b->chunks);
    }
    int n = b->nchunks++;
    chunk *c = &b->chunks[n];
    c->display = xstrdup(display);
    c->root = xstrdup(b->trust ? "" : root ? root : "");
    const char *slash = strrchr(realpath_, '/');
    c->dir = slash ? xstrndup(realpath_, (size_t)(slash - realpath_)) : xstrdup(".");
    if (slash && slash == realpath_) {
        free(c->dir);
        c->dir = xstrdup("/");
    }
    char name[32];
    snprintf(name, sizeof name, "@c%d", n);
    int st = luaL_loadbufferx(b->L, data, len, name, "t");
    free(data);
    if (st != LUA_OK) {
        const char *m = lua_tostring(b->L, -1);
        int chn = -1;
        size_t skip = m ? luab_parse_prefix(m, &chn, line) : 0;
        if (st == LUA_ERRMEM) *msgbuf = xstrdup("memory limit exceeded");
        else *msgbuf = xstrdup(m ? m + skip : "cannot load");
        lua_pop(b->L, 1);
        return -1;
    }
    return n;
}

/* ---------------------------------------------------------------- runs */

void luab_begin_run(luab *b, arena *a, int hide_positions) {
    if (b->cpu_ms) {
        /* made here, on the thread that runs the filters: the watchdog reads
         * that thread's CPU clock */
        if (!b->watch) b->watch = watch_new(b->cpu_ms, overtime, b->hard ? stuck : NULL, b);
        if (b->stopped) { /* back to the state's own hook (luab_new, luab_unmetered) */
            if (b->metered) lua_sethook(b->L, hook, LUA_MASKCOUNT, HOOK_STEP);
            else lua_sethook(b->L, NULL, 0, 0);
            b->stopped = 0;
        }
        watch_begin(b->watch);
    }
    b->gen++;
    b->in_run = 1;
    b->a = a;
    b->hide_positions = hide_positions;
    b->cur_line = b->cur_col = 0;
    b->cur = b->hidden = NULL;
    b->nnodes = 0;
    b->nslots_used = 0;
    lua_State *L = b->L;
    lua_createtable(L, 256, 0);
    lua_rawseti(L, LUA_REGISTRYINDEX, b->nodes_ref);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ALTS_KEY);
}

void luab_end_run(luab *b, int collect) {
    b->gen++;
    b->in_run = 0;
    b->a = NULL;
    b->hide_positions = 0;
    b->cur = b->hidden = NULL;
    /* what the run's calls took in the arena now belongs to the tree */
    b->used -= b->cbytes;
    b->cbytes = 0;
    /* the run's userdata become garbage (nodes kept in globals now only
     * raise errors); the key exists, so this cannot fail */
    lua_pushboolean(b->L, 0);
    lua_rawseti(b->L, LUA_REGISTRYINDEX, b->nodes_ref);
    lua_pushboolean(b->L, 0);
    lua_rawsetp(b->L, LUA_REGISTRYINDEX, &ALTS_KEY);
    /* still watched: a collection may run finalizers (none a filter can
     * make), and only the watchdog's last resort could stop one that loops */
    if (collect) lua_gc(b->L, LUA_GCCOLLECT, 0);
    if (b->watch) watch_end(b->watch);
    if (b->capslots > 65536) { /* a huge run: do not keep its hash */
        free(b->slots);
        b->slots = NULL;
        b->capslots = 0;
        b->used -= b->slot_bytes;
        b->slot_bytes = 0;
    }
}

void luab_set_current(luab *b, ast_node *cur) {
    b->cur = cur;
    b->cur_line = cur ? cur->line : 0;
    b->cur_col = cur ? cur->col : 0;
}

void luab_reset_budget(luab *b) { b->count = 0; }

/* ---------------------------------------------------------------- errors */

size_t luab_parse_prefix(const char *msg, int *chunk_, int *line) {
    const char *p = msg;
    if (*p != 'c') return 0;
    p++;
    if (*p < '0' || *p > '9') return 0;
    long ch = 0, ln = 0;
    while (*p >= '0' && *p <= '9' && ch < 1000000) ch = ch * 10 + (*p++ - '0');
    if (*p++ != ':') return 0;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9' && ln < 100000000) ln = ln * 10 + (*p++ - '0');
    if (*p++ != ':') return 0;
    if (*p == ' ') p++;
    *chunk_ = (int)ch;
    *line = (int)ln;
    return (size_t)(p - msg);
}

int luab_msgh(lua_State *L) {
    luab *b = getb(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
        else msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    int ch = -1, line = 0;
    size_t skip = luab_parse_prefix(msg, &ch, &line);
    if (skip && (ch < 0 || ch >= b->nchunks)) skip = 0, ch = -1, line = 0;
    if (!skip) {
        lua_Debug ar;
        for (int level = 0; lua_getstack(L, level, &ar); level++) {
            if (!lua_getinfo(L, "Sl", &ar)) continue;
            int c = chunk_of_source(b, ar.source);
            if (c >= 0) {
                ch = c;
                line = ar.currentline > 0 ? ar.currentline : 0;
                break;
            }
        }
    }
    b->err_chunk = ch;
    b->err_line = line;
    lua_pushstring(L, msg + skip);
    return 1;
}

void luab_error_pos(const luab *b, int *ch, int *line) {
    *ch = b->err_chunk;
    *line = b->err_line;
}

void luab_clear_error(luab *b) {
    b->err_chunk = -1;
    b->err_line = 0;
}

void luab_function_pos(lua_State *L, int idx, int *ch, int *line) {
    lua_Debug ar;
    *ch = -1;
    *line = 0;
    if (!lua_isfunction(L, idx)) return;
    lua_pushvalue(L, idx);
    if (!lua_getinfo(L, ">S", &ar)) return;
    *ch = chunk_of_source(getb(L), ar.source);
    *line = ar.linedefined > 0 ? ar.linedefined : 0;
}

/* ---------------------------------------------------------------- tree rules */

int luab_child_ok(ast_type p, ast_type c) { return ast_child_ok(p, c); }

const char *luab_need_desc(ast_type p) {
    if (ast_holds_blocks(p)) return "a block";
    if (p == AST_LIST) return "an Item";
    if (p == AST_TABLE) return "a TableRow";
    if (p == AST_TABLEROW) return "a TableCell";
    if (ast_holds_inlines(p)) return "an inline";
    if (p == AST_CODE) return "a Text or Blank";
    return "nothing (it has no children)";
}

const char *luab_kind_desc(ast_type c) {
    switch (c) {
    case AST_DOCUMENT: return "a Document node";
    case AST_ITEM: return "an Item node";
    case AST_TABLEROW: return "a TableRow node";
    case AST_TABLECELL: return "a TableCell node";
    default: return ast_is_block(c) ? "a block node" : "an inline node";
    }
}

/* ---------------------------------------------------------------- depth and cycles */

/* The Blank whose answer alternative alt is, or NULL. An alternative is a
 * Span in no tree (a Blank holds its alternatives by ->alts, not by parent
 * links), so the bridge keeps, per run, the owner of every alternative
 * whose nodes Lua can hold: those course.Blank made and those node.answer
 * handed out (alts_seen). Any other alternative's nodes never reach Lua. */
static const ast_node *alt_owner(lua_State *L, const ast_node *alt) {
    if (alt->type != AST_SPAN) return NULL;
    const ast_node *owner = NULL;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ALTS_KEY) == LUA_TTABLE) {
        lua_rawgetp(L, -1, alt);
        owner = lua_touserdata(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return owner;
}

static void alts_seen(lua_State *L, const ast_node *blank) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ALTS_KEY);
    for (const ast_node *alt = blank->alts; alt; alt = alt->next) {
        lua_pushlightuserdata(L, (void *)blank);
        lua_rawsetp(L, -2, alt);
    }
    lua_pop(L, 1);
}

/* The node above n: its parent, or the Blank whose alternative it is. */
static const ast_node *above(lua_State *L, const ast_node *n) { return n->parent ? n->parent : alt_owner(L, n); }

/* Levels above n in its tree (0 for the top); stops counting past
 * LUAB_MAX_DEPTH, which no tree passes (and which ends the climb should a
 * loop through an alternative ever exist). */
static int level_of(lua_State *L, const ast_node *n) {
    int lv = 0;
    while (lv <= LUAB_MAX_DEPTH && (n = above(L, n))) lv++;
    return lv;
}

int luab_would_cycle(lua_State *L, const ast_node *parent, const ast_node *n) {
    int steps = 0;
    for (const ast_node *p = parent; p && steps <= LUAB_MAX_DEPTH + 1; p = above(L, p), steps++)
        if (p == n) return 1;
    return 0;
}

/* 1 if nothing below n lies more than room levels below it. The recursion
 * goes no deeper than room + 1; *visits counts the nodes it looked at. */
static int fits_below(const ast_node *n, int room, long long *visits) {
    ++*visits;
    if (room < 0) return 0;
    for (const ast_node *a = n->alts; a; a = a->next)
        if (!fits_below(a, room - 1, visits)) return 0;
    for (const ast_node *c = n->first; c; c = c->next)
        if (!fits_below(c, room - 1, visits)) return 0;
    return 1;
}

/* 1 if kid, standing at kid_level now, may stand at `level` (levels below
 * the top of the tree it joins). A node that already stands at that level
 * or deeper has no more below it than its tree allowed it, so only nodes
 * moving up (most often the tops of trees a filter made) are walked; every
 * tree keeps within LUAB_MAX_DEPTH. The walk counts against the
 * instruction budget (WALK_COST a node: about what looking at a node costs
 * next to a VM instruction), so a filter that moves a large tree up and
 * down again and again is stopped like any loop. */
#define WALK_COST 8
static int fits_from(lua_State *L, int level, int kid_level, const ast_node *kid) {
    if (level > LUAB_MAX_DEPTH) return 0;
    if (kid_level >= level) return 1;
    long long visits = 0;
    int ok = fits_below(kid, LUAB_MAX_DEPTH - level, &visits);
    getb(L)->count += WALK_COST * visits;
    return ok;
}

static int fits_at(lua_State *L, int level, const ast_node *kid) {
    return fits_from(L, level, level_of(L, kid), kid);
}

/* The nodes from a parent up to the top of its tree, as a set: one climb
 * for a whole list of children, so that putting k children under a node d
 * levels deep costs k + d steps, not k * d. */
#define ANC_SLOTS 1024 /* a power of two, above twice the LUAB_MAX_DEPTH + 2 it holds */
typedef struct ancestors {
    const ast_node *slot[ANC_SLOTS];
    size_t mask; /* the slots in use: the fewest (a power of two) above twice the nodes */
    int level;   /* the parent's (past LUAB_MAX_DEPTH: LUAB_MAX_DEPTH + 1) */
} ancestors;

static size_t anc_hash(const ast_node *n, size_t mask) {
    return (size_t)(((uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull) >> 40) & mask;
}

static void anc_fill(lua_State *L, ancestors *an, const ast_node *parent) {
    const ast_node *up[LUAB_MAX_DEPTH + 2];
    int n = 0;
    for (const ast_node *p = parent; p && n < LUAB_MAX_DEPTH + 2; p = above(L, p)) up[n++] = p;
    size_t slots = 16;
    while (slots < 2 * (size_t)n) slots *= 2;
    an->mask = slots - 1;
    memset(an->slot, 0, slots * sizeof an->slot[0]);
    for (int i = 0; i < n; i++) {
        size_t h = anc_hash(up[i], an->mask);
        while (an->slot[h]) h = (h + 1) & an->mask;
        an->slot[h] = up[i];
    }
    an->level = n - 1;
}

static int anc_has(const ancestors *an, const ast_node *n) {
    for (size_t h = anc_hash(n, an->mask); an->slot[h]; h = (h + 1) & an->mask)
        if (an->slot[h] == n) return 1;
    return 0;
}

int luab_join_check(lua_State *L, const ast_node *parent, ast_node *const *kids, size_t n, size_t *at) {
    ancestors an;
    anc_fill(L, &an, parent);
    /* the level of the last kid's parent: the kids of a list are most often
     * siblings */
    const ast_node *memo = NULL;
    int memo_level = 0;
    for (size_t i = 0; i < n; i++) {
        const ast_node *k = kids[i];
        *at = i;
        if (k->parent == parent) continue; /* stays where it stands; no child is an ancestor */
        if (anc_has(&an, k)) return LUAB_JOIN_CYCLE;
        int kl;
        if (!k->parent) {
            kl = level_of(L, k);
        } else {
            if (k->parent != memo) memo = k->parent, memo_level = level_of(L, memo);
            kl = memo_level + 1;
        }
        if (!fits_from(L, an.level + 1, kl, k)) return LUAB_JOIN_DEEP;
    }
    return LUAB_JOIN_OK;
}

void luab_hide(luab *b, ast_node *marker) { b->hidden = marker; }

/* ---------------------------------------------------------------- nodes */

static size_t slot_hash(const ast_node *n, size_t mask) {
    return (size_t)(((uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

/* The slot of n in this run, or the empty slot where it would go. */
static nslot *find_slot(luab *b, const ast_node *n) {
    size_t mask = b->capslots - 1;
    for (size_t i = slot_hash(n, mask);; i = (i + 1) & mask) {
        nslot *s = &b->slots[i];
        if (s->gen != b->gen || s->n == n) return s;
    }
}

/* The hash counts against the cap like the userdata it indexes. */
static void grow_slots(lua_State *L, luab *b) {
    size_t oldcap = b->capslots;
    nslot *old = b->slots;
    size_t newcap = oldcap ? oldcap * 2 : 1024;
    size_t bytes = newcap * sizeof *b->slots;
    if (bytes - b->slot_bytes > b->cap - b->used) luaL_error(L, "memory limit exceeded");
    b->used = b->used - b->slot_bytes + bytes;
    b->slot_bytes = bytes;
    b->capslots = newcap;
    b->slots = xcalloc(b->capslots, sizeof *b->slots);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].gen == b->gen) *find_slot(b, old[i].n) = old[i];
    free(old);
}

/* Push n's userdata; list is the absolute stack index of this run's node
 * list (callers pushing many nodes fetch it once). */
static void push_node_in(lua_State *L, luab *b, ast_node *n, int list) {
    if (2 * (b->nslots_used + 1) > b->capslots) grow_slots(L, b);
    nslot *s = find_slot(b, n);
    if (s->gen == b->gen) {
        lua_rawgeti(L, list, s->idx);
        return;
    }
    lnode *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->n = n;
    u->gen = b->gen;
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->mt_ref);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawseti(L, list, b->nnodes + 1); /* may raise a memory error: record the slot after */
    s->n = n;
    s->gen = b->gen;
    s->idx = ++b->nnodes;
    b->nslots_used++;
}

void luab_push_node(lua_State *L, ast_node *n) {
    luab *b = getb(L);
    if (!b->in_run) luaL_error(L, "nodes can only be used while a filter runs");
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->nodes_ref);
    push_node_in(L, b, n, lua_absindex(L, -1));
    lua_copy(L, -1, -2);
    lua_pop(L, 1);
}

ast_node *luab_tonode(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return NULL;
    luab *b = getb(L);
    int is_node = lua_topointer(L, -1) == b->node_mt;
    lua_pop(L, 1);
    if (!is_node) return NULL;
    lnode *u = lua_touserdata(L, idx);
    if (!b->in_run || u->gen != b->gen)
        luaL_error(L, "a node was used after the filter run it belongs to ended");
    return u->n;
}

static ast_node *checknode(lua_State *L, int idx) {
    ast_node *n = luab_tonode(L, idx);
    if (!n) luaL_typeerror(L, idx, "node");
    return n;
}

/* The node __index/__newindex were called on. The metamethods are only
 * reachable through node values (`__metatable` hides the table), but the
 * metatable is still compared: a check of a few instructions is cheaper
 * than a memory-safety argument that must hold for every future sandbox. */
static ast_node *self_node(lua_State *L) { return checknode(L, 1); }

static arena *run_arena(lua_State *L) {
    luab *b = getb(L);
    if (!b->in_run || !b->a) luaL_error(L, "nodes can only be made while a filter runs");
    return b->a;
}

/* Blocks and copies a filter call makes in the run's arena: counted against
 * the cap before they are taken (luab_charge), so text a filter stores in
 * nodes counts like text it keeps in Lua, and a request past the cap is the
 * memory error, never an abort. */
static void *run_alloc(lua_State *L, size_t n) {
    arena *a = run_arena(L);
    luab_charge(L, n);
    return arena_alloc(a, n);
}

static const char *run_strdup(lua_State *L, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s);
    char *c = run_alloc(L, n + 1);
    memcpy(c, s, n);
    return c;
}

static int has_text(ast_type t) {
    return t == AST_TEXT || t == AST_CODE || t == AST_CODEBLOCK || t == AST_HTMLBLOCK || t == AST_HTMLINLINE;
}

static void push_attr(lua_State *L, const ast_attr *at) {
    lua_createtable(L, 0, at->nkv + 2);
    if (at->id) {
        lua_pushstring(L, at->id);
        lua_setfield(L, -2, "id");
    }
    lua_createtable(L, at->nclasses, 0);
    for (int i = 0; i < at->nclasses; i++) {
        lua_pushstring(L, at->classes[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "classes");
    for (int i = 0; i < at->nkv; i++) {
        lua_pushstring(L, at->kv[i].value ? at->kv[i].value : "");
        lua_setfield(L, -2, at->kv[i].key);
    }
}

static void push_children(lua_State *L, const ast_node *n) {
    luab *b = getb(L);
    if (!b->in_run) luaL_error(L, "nodes can only be used while a filter runs");
    int k = 0;
    for (ast_node *c = n->first; c; c = c->next) k++;
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->nodes_ref);
    int list = lua_gettop(L);
    lua_createtable(L, k, 0);
    k = 0;
    for (ast_node *c = n->first; c; c = c->next) {
        if (c == b->hidden) continue; /* the walk's placeholder is not content */
        push_node_in(L, b, c, list);
        lua_rawseti(L, -2, ++k);
    }
    lua_remove(L, list);
}

static int cmp_kv(const void *pa, const void *pb) {
    return strcmp(((const ast_kv *)pa)->key, ((const ast_kv *)pb)->key);
}

static const char *scalar_string(lua_State *L, int idx, const char *what) {
    int t = lua_type(L, idx);
    if (t == LUA_TBOOLEAN) return lua_toboolean(L, idx) ? "true" : "false";
    if (t != LUA_TSTRING && t != LUA_TNUMBER) luaL_error(L, "%s must be a string, not a %s", what, luaL_typename(L, idx));
    return lua_tostring(L, idx);
}

/* A Lua attr table ({id=, classes={...}, key=value}) → *out, in arena a.
 * Key/value pairs are sorted by key so outputs do not depend on table order. */
static void to_attr(lua_State *L, int idx, ast_attr *out) {
    idx = lua_absindex(L, idx);
    memset(out, 0, sizeof *out);
    if (lua_isnoneornil(L, idx)) return;
    if (!lua_istable(L, idx)) luaL_error(L, "attr must be a table {id=, classes={...}, key=value}");
    if (lua_getfield(L, idx, "id") != LUA_TNIL) {
        const char *id = scalar_string(L, -1, "attr.id");
        if (*id) out->id = run_strdup(L, id);
    }
    lua_pop(L, 1);
    int tc = lua_getfield(L, idx, "classes");
    if (tc == LUA_TSTRING) {
        out->classes = run_alloc(L, sizeof(char *));
        out->classes[0] = run_strdup(L, lua_tostring(L, -1));
        out->nclasses = 1;
    } else if (tc == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        if (n > 1000) luaL_error(L, "attr.classes: too many classes");
        out->classes = run_alloc(L, sizeof(char *) * (size_t)(n + 1));
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "attr.classes[%d] must be a string", (int)i);
            const char *cls = lua_tostring(L, -1);
            int dup = 0;
            for (int j = 0; j < out->nclasses; j++) dup |= strcmp(out->classes[j], cls) == 0;
            if (!dup && *cls) out->classes[out->nclasses++] = run_strdup(L, cls);
            lua_pop(L, 1);
        }
    } else if (tc != LUA_TNIL) {
        luaL_error(L, "attr.classes must be a list of strings");
    }
    lua_pop(L, 1);
    int cap = 8;
    out->kv = run_alloc(L, sizeof(ast_kv) * (size_t)cap);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            if (strcmp(k, "id") != 0 && strcmp(k, "classes") != 0) {
                if (out->nkv == cap) {
                    ast_kv *nk = run_alloc(L, sizeof(ast_kv) * (size_t)cap * 2);
                    memcpy(nk, out->kv, sizeof(ast_kv) * (size_t)cap);
                    out->kv = nk;
                    cap *= 2;
                }
                out->kv[out->nkv].key = run_strdup(L, k);
                out->kv[out->nkv].value = run_strdup(L, scalar_string(L, -1, "an attribute value"));
                out->nkv++;
            }
        }
        lua_pop(L, 1);
    }
    if (out->nkv > 1) qsort(out->kv, (size_t)out->nkv, sizeof(ast_kv), cmp_kv);
    if (out->nkv == 0) out->kv = NULL;
}

static ast_node *new_node(lua_State *L, ast_type t) {
    luab *b = getb(L);
    arena *a = run_arena(L);
    luab_charge(L, sizeof(ast_node));
    return ast_new(a, t, b->cur_line, b->cur_col);
}

/* One child value → node: a node, or a string where inlines are wanted. */
static ast_node *to_child(lua_State *L, int idx, ast_type parent, const char *who, int at) {
    ast_node *c = luab_tonode(L, idx);
    if (!c && lua_type(L, idx) == LUA_TSTRING && luab_child_ok(parent, AST_TEXT)) {
        c = new_node(L, AST_TEXT);
        c->text = run_strdup(L, lua_tostring(L, idx));
        return c;
    }
    if (!c)
        luaL_error(L, "%s: child %d is a %s where %s node is needed", who, at, luaL_typename(L, idx),
                   luab_need_desc(parent));
    if (!luab_child_ok(parent, c->type))
        luaL_error(L, "%s: child %d is %s (%s) where %s is needed", who, at, luab_kind_desc(c->type),
                   ast_type_name(c->type), luab_need_desc(parent));
    return c;
}

/* Replace n's children with the list (or single node / string) at idx.
 * Every child is checked before the tree changes: its kind, no cycle, and
 * no node ending up deeper than LUAB_MAX_DEPTH (luab_join_check: n must
 * already stand where it stays, an alternative in its Blank's list). */
static void set_children(lua_State *L, ast_node *n, int idx, const char *who) {
    luab *b = getb(L);
    idx = lua_absindex(L, idx);
    ast_node **kids = NULL;
    lua_Integer cnt = 0;
    if (lua_isnoneornil(L, idx)) {
        cnt = 0;
    } else if (lua_istable(L, idx) && !luab_tonode(L, idx)) {
        cnt = luaL_len(L, idx);
        if (cnt < 0 || cnt > 10000000) luaL_error(L, "%s: too many children", who);
        kids = run_alloc(L, sizeof *kids * (size_t)(cnt + 1));
        for (lua_Integer i = 1; i <= cnt; i++) {
            lua_rawgeti(L, idx, i);
            kids[i - 1] = to_child(L, -1, n->type, who, (int)i);
            lua_pop(L, 1);
        }
    } else {
        cnt = 1;
        kids = run_alloc(L, sizeof *kids);
        kids[0] = to_child(L, idx, n->type, who, 1);
    }
    size_t at = 0;
    switch (luab_join_check(L, n, kids, (size_t)cnt, &at)) {
    case LUAB_JOIN_CYCLE:
        luaL_error(L, "%s: child %d is the node itself or one of its ancestors (a cycle)", who, (int)at + 1);
        break;
    case LUAB_JOIN_DEEP:
        luaL_error(L, "%s: child %d would make the tree deeper than %d levels (the most a filter may build)", who,
                   (int)at + 1, LUAB_MAX_DEPTH);
        break;
    default:
        break;
    }
    /* the walk's placeholder, when it stands among n's children, stays just
     * before the node being filtered if that is still one of them (else
     * that node's place is gone: filter.c refuses a replacement then) */
    ast_node *m = b->hidden;
    int had_marker = m && m->parent == n;
    while (n->first) ast_unlink(n->first);
    for (lua_Integer i = 0; i < cnt; i++) {
        if (kids[i]->parent) ast_unlink(kids[i]);
        ast_append(n, kids[i]);
    }
    if (had_marker && b->cur && b->cur->parent == n) ast_insert_before(b->cur, m);
}

/* The fields filters see: the Lua names ast_fields.h declares, LF_NONE
 * for any other key. node_index and node_newindex switch over every one
 * without a default, so -Wswitch fails the build when a declared field has
 * no case. */
typedef enum {
    LF_NONE,
#define LF_ENUM(kind, ctype, name, aux, lua) LF_ENUM_##lua
#define LF_ENUM_LUA_NO
#define LF_ENUM_LUA_VIA(lname, ltype, on)
#define LF_ENUM_LUA_RO(lname, ltype, on) LF_##lname,
#define LF_ENUM_LUA_RW(lname, ltype, on) LF_##lname,
    AST_FIELDS(LF_ENUM)
    LF_COUNT
} lua_field;

/* node.text and friends are read for every node a handler sees: the
 * length and the first byte, both constants per name, before the bytes. */
static lua_field field_of(const char *k, size_t len) {
#define LF_FIND(kind, ctype, name, aux, lua) LF_FIND_##lua
#define LF_FIND_LUA_NO
#define LF_FIND_LUA_VIA(lname, ltype, on)
#define LF_FIND_LUA_RO(lname, ltype, on)                                                                          \
    if (len == sizeof #lname - 1 && k[0] == #lname[0] && memcmp(k, #lname, sizeof #lname - 1) == 0)              \
        return LF_##lname;
#define LF_FIND_LUA_RW(lname, ltype, on) LF_FIND_LUA_RO(lname, ltype, on)
    AST_FIELDS(LF_FIND)
    return LF_NONE;
}

/* 1 for the fields a filter may set (LUA_RW): the others are refused with
 * the same message as an unknown key. */
static const unsigned char lf_writable[LF_COUNT] = {
#define LF_RW(kind, ctype, name, aux, lua) LF_RW_##lua
#define LF_RW_LUA_NO
#define LF_RW_LUA_VIA(lname, ltype, on)
#define LF_RW_LUA_RO(lname, ltype, on)
#define LF_RW_LUA_RW(lname, ltype, on) [LF_##lname] = 1,
    AST_FIELDS(LF_RW)
};

int luab_field_access(const char *name) {
    lua_field f = field_of(name, strlen(name));
    if (f == LF_NONE) return 0;
    return lf_writable[f] ? 2 : 1;
}

static int node_index(lua_State *L) {
    ast_node *n = self_node(L);
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    size_t len;
    const char *k = lua_tolstring(L, 2, &len);
    ast_type t = n->type;
    switch (field_of(k, len)) {
    case LF_NONE:
    case LF_COUNT: lua_pushnil(L); break;
    case LF_type: lua_rawgeti(L, lua_upvalueindex(1), (lua_Integer)t + 1); break; /* setup's list of names */
    case LF_line:
        if (getb(L)->hide_positions) lua_pushnil(L);
        else lua_pushinteger(L, n->line);
        break;
    case LF_col:
        if (getb(L)->hide_positions) lua_pushnil(L);
        else lua_pushinteger(L, n->col);
        break;
    case LF_literal: lua_pushboolean(L, n->literal); break;
    case LF_attr: push_attr(L, &n->attr); break;
    case LF_children: push_children(L, n); break;
    case LF_text:
        if (t == AST_CODE && !n->text && n->first) lua_pushnil(L); /* live blanks: children instead */
        else if (has_text(t)) lua_pushstring(L, n->text ? n->text : "");
        else if (t == AST_BLANK && n->text) lua_pushstring(L, n->text); /* a fill-in's visible label */
        else lua_pushnil(L);
        break;
    case LF_format:
        if (t == AST_HTMLBLOCK || t == AST_HTMLINLINE) lua_pushstring(L, n->format ? n->format : "html");
        else lua_pushnil(L);
        break;
    case LF_level:
        if (t == AST_HEADING) lua_pushinteger(L, n->level);
        else lua_pushnil(L);
        break;
    case LF_info:
        if (t == AST_CODEBLOCK) lua_pushstring(L, n->info ? n->info : "");
        else if (t == AST_WORKSHEET && n->info) lua_pushstring(L, n->info);
        else lua_pushnil(L);
        break;
    case LF_url:
        if (t == AST_LINK || t == AST_IMAGE) lua_pushstring(L, n->url ? n->url : "");
        else lua_pushnil(L);
        break;
    case LF_title:
        if (t == AST_LINK || t == AST_IMAGE) lua_pushstring(L, n->title ? n->title : "");
        else lua_pushnil(L);
        break;
    case LF_ordered:
        if (t == AST_LIST) lua_pushboolean(L, n->ordered);
        else lua_pushnil(L);
        break;
    case LF_tight:
        if (t == AST_LIST) lua_pushboolean(L, n->tight);
        else lua_pushnil(L);
        break;
    case LF_start:
        if (t == AST_LIST) lua_pushinteger(L, n->start);
        else if (n->tstart >= 0) lua_pushinteger(L, n->tstart);
        else lua_pushnil(L);
        break;
    case LF_checked:
        if (t == AST_ITEM && n->checked >= 0) lua_pushboolean(L, n->checked);
        else lua_pushnil(L);
        break;
    case LF_answer:
        if (t == AST_BLANK && n->alts) {
            alts_seen(L, n); /* Lua can hold their nodes now */
            lua_newtable(L);
            int i = 0;
            for (ast_node *alt = n->alts; alt; alt = alt->next) {
                push_children(L, alt);
                lua_rawseti(L, -2, ++i);
            }
        } else {
            lua_pushnil(L);
        }
        break;
    case LF_width:
        if (t == AST_BLANK) lua_pushinteger(L, n->width);
        else lua_pushnil(L);
        break;
    case LF_label:
        if ((t == AST_BLANK || t == AST_NOTEREF || t == AST_FOOTNOTE) && n->label) lua_pushstring(L, n->label);
        else lua_pushnil(L);
        break;
    case LF_underscore:
        if (t == AST_BLANK) lua_pushboolean(L, n->underscore);
        else lua_pushnil(L);
        break;
    case LF_duration:
        if (n->duration >= 0) lua_pushinteger(L, n->duration);
        else lua_pushnil(L);
        break;
    case LF_is_break: lua_pushboolean(L, n->is_break); break;
    case LF_natural: lua_pushboolean(L, n->natural); break;
    }
    return 1;
}

static const char *opt_string(lua_State *L, int idx, const char *field) {
    if (lua_isnil(L, idx)) return NULL;
    if (lua_type(L, idx) != LUA_TSTRING && lua_type(L, idx) != LUA_TNUMBER)
        luaL_error(L, "node.%s must be a string, not a %s", field, luaL_typename(L, idx));
    return run_strdup(L, lua_tostring(L, idx));
}

/* Whether a filter may set field f on a node of type t. */
static int settable(lua_field f, ast_type t) {
    if (!lf_writable[f]) return 0;
    switch (f) {
    case LF_COUNT: return 0;
    case LF_text: return has_text(t) || t == AST_BLANK;
    case LF_attr:
    case LF_children: return 1;
    case LF_level: return t == AST_HEADING;
    case LF_url:
    case LF_title: return t == AST_LINK || t == AST_IMAGE;
    case LF_info: return t == AST_CODEBLOCK || t == AST_WORKSHEET;
    case LF_format: return t == AST_HTMLBLOCK || t == AST_HTMLINLINE;
    case LF_width:
    case LF_label: return t == AST_BLANK;
    case LF_checked: return t == AST_ITEM;
    case LF_ordered:
    case LF_tight:
    case LF_start: return t == AST_LIST;
    case LF_NONE:
    case LF_type:
    case LF_line:
    case LF_col:
    case LF_answer:
    case LF_underscore:
    case LF_duration:
    case LF_is_break:
    case LF_natural:
    case LF_literal: return 0;
    }
    return 0;
}

static int node_newindex(lua_State *L) {
    ast_node *n = self_node(L);
    size_t len;
    const char *k = luaL_checklstring(L, 2, &len);
    ast_type t = n->type;
    lua_field f = field_of(k, len);
    if (!settable(f, t)) return luaL_error(L, "cannot set field '%s' of a %s node", k, ast_type_name(t));
    /* the parser's literal flag (ast_fields.h) vouches only for text, url
     * and title as the parser made them: setting any of them clears it */
    switch (f) {
    case LF_text:
        if (t == AST_BLANK) {
            n->text = opt_string(L, 3, k);
        } else {
            n->text = run_strdup(L, luaL_checkstring(L, 3));
            if (t == AST_CODE) /* a code span with text has no live blanks */
                while (n->first) ast_unlink(n->first);
        }
        n->literal = 0;
        break;
    case LF_attr: to_attr(L, 3, &n->attr); break;
    case LF_children: {
        char who[64];
        snprintf(who, sizeof who, "%s.children", ast_type_name(t));
        if (!luab_child_ok(t, AST_TEXT) && !luab_child_ok(t, AST_PARAGRAPH) && !luab_child_ok(t, AST_ITEM) &&
            !luab_child_ok(t, AST_TABLEROW) && !luab_child_ok(t, AST_TABLECELL))
            return luaL_error(L, "a %s node has no children", ast_type_name(t));
        set_children(L, n, 3, who);
        if (t == AST_CODE) { /* live blanks: children instead of text */
            n->text = NULL;
            n->literal = 0;
        }
        break;
    }
    case LF_level: {
        lua_Integer lv = luaL_checkinteger(L, 3);
        if (lv < 1 || lv > 6) return luaL_error(L, "node.level must be 1 to 6, not %d", (int)lv);
        n->level = (int)lv;
        break;
    }
    case LF_url:
        n->url = opt_string(L, 3, k);
        n->literal = 0;
        break;
    case LF_title:
        n->title = opt_string(L, 3, k);
        n->literal = 0;
        break;
    case LF_info: n->info = opt_string(L, 3, k); break;
    case LF_format: n->format = opt_string(L, 3, k); break;
    case LF_width: {
        lua_Integer w = luaL_checkinteger(L, 3);
        if (w < 1 || w > 200) return luaL_error(L, "node.width must be 1 to 200 (ch), not %d", (int)w);
        n->width = (int)w;
        break;
    }
    case LF_label: n->label = opt_string(L, 3, k); break;
    case LF_checked: n->checked = lua_isnil(L, 3) ? -1 : lua_toboolean(L, 3); break;
    case LF_ordered: n->ordered = lua_toboolean(L, 3); break;
    case LF_tight: n->tight = lua_toboolean(L, 3); break;
    case LF_start: n->start = (int)luaL_checkinteger(L, 3); break;
    case LF_NONE:
    case LF_type:
    case LF_line:
    case LF_col:
    case LF_answer:
    case LF_underscore:
    case LF_duration:
    case LF_is_break:
    case LF_natural:
    case LF_literal:
    case LF_COUNT: break; /* refused by settable */
    }
    return 0;
}

static int node_tostring(lua_State *L) {
    lnode *u = luaL_checkudata(L, 1, NODE_MT);
    lua_pushfstring(L, "%s node", ast_type_name(u->n->type));
    return 1;
}

static const luaL_Reg node_meta[] = {
    {"__index", node_index},
    {"__newindex", node_newindex},
    {"__tostring", node_tostring},
    {NULL, NULL},
};

/* ---------------------------------------------------------------- constructors */

static int push_new(lua_State *L, ast_node *n) {
    luab_push_node(L, n);
    return 1;
}

static int c_text_like(lua_State *L, ast_type t) {
    const char *s = luaL_checkstring(L, 1);
    ast_node *n = new_node(L, t);
    n->text = run_strdup(L, s);
    return push_new(L, n);
}
static int c_Text(lua_State *L) { return c_text_like(L, AST_TEXT); }
static int c_Code(lua_State *L) { return c_text_like(L, AST_CODE); }

static int c_container(lua_State *L, ast_type t, const char *who, int children_arg, int attr_arg) {
    ast_node *n = new_node(L, t);
    set_children(L, n, children_arg, who);
    if (attr_arg) to_attr(L, attr_arg, &n->attr);
    return push_new(L, n);
}
static int c_Emph(lua_State *L) { return c_container(L, AST_EMPH, "course.Emph", 1, 0); }
static int c_Strong(lua_State *L) { return c_container(L, AST_STRONG, "course.Strong", 1, 0); }
static int c_Strikethrough(lua_State *L) {
    return c_container(L, AST_STRIKETHROUGH, "course.Strikethrough", 1, 0);
}
static int c_Span(lua_State *L) { return c_container(L, AST_SPAN, "course.Span", 1, 2); }
static int c_Paragraph(lua_State *L) { return c_container(L, AST_PARAGRAPH, "course.Paragraph", 1, 0); }
static int c_Div(lua_State *L) { return c_container(L, AST_DIV, "course.Div", 1, 2); }
static int c_Item(lua_State *L) { return c_container(L, AST_ITEM, "course.Item", 1, 0); }
static int c_BlockQuote(lua_State *L) { return c_container(L, AST_BLOCKQUOTE, "course.BlockQuote", 1, 0); }

static int c_link_like(lua_State *L, ast_type t, const char *who) {
    const char *url = luaL_checkstring(L, 2);
    const char *title = luaL_optstring(L, 3, NULL);
    ast_node *n = new_node(L, t);
    set_children(L, n, 1, who);
    n->url = run_strdup(L, url);
    n->title = run_strdup(L, title);
    return push_new(L, n);
}
static int c_Link(lua_State *L) { return c_link_like(L, AST_LINK, "course.Link"); }
static int c_Image(lua_State *L) { return c_link_like(L, AST_IMAGE, "course.Image"); }

static int c_SoftBreak(lua_State *L) { return push_new(L, new_node(L, AST_SOFTBREAK)); }
static int c_LineBreak(lua_State *L) { return push_new(L, new_node(L, AST_LINEBREAK)); }
static int c_ThematicBreak(lua_State *L) { return push_new(L, new_node(L, AST_THEMATICBREAK)); }

static int c_raw(lua_State *L, ast_type t) {
    const char *fmt = luaL_checkstring(L, 1);
    const char *text = luaL_checkstring(L, 2);
    ast_node *n = new_node(L, t);
    n->format = run_strdup(L, fmt);
    n->text = run_strdup(L, text);
    return push_new(L, n);
}
static int c_RawInline(lua_State *L) { return c_raw(L, AST_HTMLINLINE); }
static int c_RawBlock(lua_State *L) { return c_raw(L, AST_HTMLBLOCK); }

static int c_Heading(lua_State *L) {
    lua_Integer lv = luaL_checkinteger(L, 1);
    if (lv < 1 || lv > 6) return luaL_error(L, "course.Heading: level must be 1 to 6, not %d", (int)lv);
    ast_node *n = new_node(L, AST_HEADING);
    n->level = (int)lv;
    set_children(L, n, 2, "course.Heading");
    to_attr(L, 3, &n->attr);
    return push_new(L, n);
}

static int c_CodeBlock(lua_State *L) {
    const char *text = luaL_checkstring(L, 1);
    const char *info = luaL_optstring(L, 2, NULL);
    ast_node *n = new_node(L, AST_CODEBLOCK);
    n->text = run_strdup(L, text);
    n->info = run_strdup(L, info);
    return push_new(L, n);
}

static int c_List(lua_State *L) {
    ast_node *n = new_node(L, AST_LIST);
    n->tight = 1;
    n->start = 1;
    set_children(L, n, 1, "course.List");
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "ordered");
        n->ordered = lua_toboolean(L, -1);
        lua_getfield(L, 2, "start");
        if (!lua_isnil(L, -1)) n->start = (int)luaL_checkinteger(L, -1);
        lua_pop(L, 2);
    }
    return push_new(L, n);
}

/* A list of alternatives: each a string, a node or a list of inlines. */
static int c_Blank(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    ast_node *n = new_node(L, AST_BLANK);
    size_t longest = 0;
    int ta = lua_getfield(L, 1, "answer");
    if (ta != LUA_TNIL) {
        int ans = lua_gettop(L);
        lua_Integer cnt = 1;
        if (ta == LUA_TTABLE && !luab_tonode(L, ans)) cnt = luaL_len(L, ans);
        ast_node **tail = &n->alts;
        for (lua_Integer i = 1; i <= cnt; i++) {
            if (ta == LUA_TTABLE && !luab_tonode(L, ans)) lua_rawgeti(L, ans, i);
            else lua_pushvalue(L, ans);
            ast_node *alt = new_node(L, AST_SPAN);
            *tail = alt; /* an alternative of n from now on (alt_owner) */
            tail = &alt->next;
            alts_seen(L, n);
            set_children(L, alt, -1, "course.Blank answer");
            lua_pop(L, 1);
            /* counted, not made: an answer's text may be as large as the cap
             * allows, and ast_plain_text copies it twice outside the cap */
            size_t chars = ast_plain_chars(alt);
            if (chars > longest) longest = chars;
        }
    }
    lua_pop(L, 1);
    n->width = n->alts ? ast_blank_step(longest) : 16;
    if (lua_getfield(L, 1, "width") != LUA_TNIL) {
        lua_Integer w = luaL_checkinteger(L, -1);
        if (w < 1 || w > 200) return luaL_error(L, "course.Blank: width must be 1 to 200 (ch), not %d", (int)w);
        n->width = (int)w;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "label") != LUA_TNIL) n->label = run_strdup(L, luaL_checkstring(L, -1));
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "text") != LUA_TNIL) n->text = run_strdup(L, luaL_checkstring(L, -1));
    lua_pop(L, 1);
    return push_new(L, n);
}

/* One row of the new table t, appended to it: the cells stand at level 2
 * of the table's tree. A TableCell node given as a cell is moved there
 * (like a child of `node.children = ...`), so the same cell twice is one
 * cell, never a list that loops. */
static void table_row(lua_State *L, ast_node *t, int idx, int header, const char *who) {
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) luaL_error(L, "%s: a row must be a list of cells", who);
    ast_node *row = new_node(L, AST_TABLEROW);
    row->is_header = header;
    ast_append(t, row);
    lua_Integer n = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        ast_node *cell = luab_tonode(L, -1);
        if (cell && cell->type == AST_TABLECELL) {
            if (!fits_at(L, 2, cell))
                luaL_error(L, "%s: cell %d would make the tree deeper than %d levels (the most a filter may build)",
                           who, (int)i, LUAB_MAX_DEPTH);
            if (cell->parent) ast_unlink(cell);
            ast_append(row, cell);
        } else {
            cell = new_node(L, AST_TABLECELL);
            ast_append(row, cell);
            set_children(L, cell, -1, who);
        }
        lua_pop(L, 1);
    }
}

static int c_Table(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    ast_node *t = new_node(L, AST_TABLE);
    int ncols = 0;
    if (lua_getfield(L, 1, "head") != LUA_TNIL) table_row(L, t, -1, 1, "course.Table head");
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "rows") != LUA_TNIL) {
        if (!lua_istable(L, -1)) return luaL_error(L, "course.Table: rows must be a list of rows");
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            table_row(L, t, -1, 0, "course.Table rows");
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    for (ast_node *r = t->first; r; r = r->next) {
        int k = 0;
        for (ast_node *c = r->first; c; c = c->next) k++;
        if (k > ncols) ncols = k;
    }
    /* pad short rows so every row has ncols cells */
    for (ast_node *r = t->first; r; r = r->next) {
        int k = 0;
        for (ast_node *c = r->first; c; c = c->next) k++;
        for (; k < ncols; k++) ast_append(r, new_node(L, AST_TABLECELL));
    }
    t->ncols = ncols;
    if (ncols) t->aligns = run_alloc(L, sizeof(ast_align) * (size_t)ncols);
    lua_getfield(L, 1, "attr");
    to_attr(L, -1, &t->attr);
    lua_pop(L, 1);
    return push_new(L, t);
}

/* What ast_clone will take for n's subtree (nodes and their arrays), for
 * the cap. No tree is deeper than LUAB_MAX_DEPTH (set_children); deeper
 * than CLONE_DEPTH would be an error rather than a C recursion without
 * bound. */
#define CLONE_DEPTH (2 * LUAB_MAX_DEPTH)
static size_t tree_bytes(lua_State *L, const ast_node *n, int depth) {
    if (depth > CLONE_DEPTH) luaL_error(L, "cannot copy a node nested more than %d levels deep", CLONE_DEPTH);
    size_t sz = ast_clone_node_bytes(n) + 64;
    for (const ast_node *a = n->alts; a; a = a->next) sz += tree_bytes(L, a, depth + 1);
    for (const ast_node *c = n->first; c; c = c->next) sz += tree_bytes(L, c, depth + 1);
    return sz;
}

static ast_node *clone_charged(lua_State *L, const ast_node *n) {
    luab *b = getb(L);
    arena *a = run_arena(L);
    luab_charge(L, tree_bytes(L, n, 0));
    /* the walk's placeholder is no content: out of the copy */
    ast_node *m = b->hidden, *mparent = NULL, *mnext = NULL;
    if (m && m->parent && luab_would_cycle(L, m->parent, n)) {
        mparent = m->parent;
        mnext = m->next;
        ast_unlink(m);
    }
    ast_node *x = ast_clone(a, n);
    if (mnext) ast_insert_before(mnext, m);
    else if (mparent) ast_append(mparent, m);
    return x;
}

static void stamp(ast_node *n, int line, int col) {
    n->line = line;
    n->col = col;
    for (ast_node *a = n->alts; a; a = a->next) stamp(a, line, col);
    for (ast_node *c = n->first; c; c = c->next) stamp(c, line, col);
}

void luab_push_copies(lua_State *L, const ast_node *parent) {
    luab *b = getb(L);
    int k = 0;
    for (const ast_node *c = parent->first; c; c = c->next) k++;
    lua_createtable(L, k, 0);
    k = 0;
    for (const ast_node *c = parent->first; c; c = c->next) {
        ast_node *x = clone_charged(L, c);
        stamp(x, b->cur_line, b->cur_col);
        luab_push_node(L, x);
        lua_rawseti(L, -2, ++k);
    }
}

/* course.clone(node): a deep copy, not in the tree, positions and the
 * literal flag kept (the copy's text is the parser's text). */
static int c_clone(lua_State *L) {
    ast_node *n = checknode(L, 1);
    if (n->type == AST_DOCUMENT) return luaL_error(L, "course.clone: a Document cannot be copied");
    return push_new(L, clone_charged(L, n));
}

/* course.slice(text_node, i, j): a new Text holding bytes i..j of the node's
 * text (string.sub's rules), its literal flag kept: how a filter splits a
 * text the parser marked literal (`\[[`) without losing the mark. */
static int c_slice(lua_State *L) {
    ast_node *n = checknode(L, 1);
    if (n->type != AST_TEXT) return luaL_error(L, "course.slice: a Text node is needed, not %s", ast_type_name(n->type));
    size_t len = n->text ? strlen(n->text) : 0;
    lua_Integer i = luaL_optinteger(L, 2, 1), j = luaL_optinteger(L, 3, -1);
    if (i < 0) i = (lua_Integer)len + i + 1 > 0 ? (lua_Integer)len + i + 1 : 1;
    else if (i == 0) i = 1;
    if (j < 0) j = (lua_Integer)len + j + 1;
    else if (j > (lua_Integer)len) j = (lua_Integer)len;
    size_t from = (size_t)i - 1, cnt = i <= j ? (size_t)(j - i + 1) : 0;
    ast_node *x = new_node(L, AST_TEXT);
    char *t = run_alloc(L, cnt + 1);
    if (cnt) memcpy(t, n->text + from, cnt);
    x->text = t;
    x->literal = n->literal;
    x->line = n->line;
    x->col = n->col > 0 ? n->col + (int)from : n->col;
    return push_new(L, x);
}

static int c_duration(lua_State *L) {
    const char *s = luaL_checkstring(L, 1);
    int m = timing_parse_duration(s);
    if (m < 0) lua_pushnil(L);
    else lua_pushinteger(L, m);
    return 1;
}

static int c_blank_step(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    lua_pushinteger(L, ast_blank_step(n < 0 ? 0 : (size_t)n));
    return 1;
}

static const luaL_Reg constructors[] = {
    {"Text", c_Text},
    {"Code", c_Code},
    {"Emph", c_Emph},
    {"Strong", c_Strong},
    {"Strikethrough", c_Strikethrough},
    {"Link", c_Link},
    {"Image", c_Image},
    {"Span", c_Span},
    {"Blank", c_Blank},
    {"SoftBreak", c_SoftBreak},
    {"LineBreak", c_LineBreak},
    {"RawInline", c_RawInline},
    {"Paragraph", c_Paragraph},
    {"Heading", c_Heading},
    {"Div", c_Div},
    {"BlockQuote", c_BlockQuote},
    {"CodeBlock", c_CodeBlock},
    {"List", c_List},
    {"Item", c_Item},
    {"Table", c_Table},
    {"RawBlock", c_RawBlock},
    {"ThematicBreak", c_ThematicBreak},
    {"clone", c_clone},
    {"slice", c_slice},
    {"duration", c_duration},
    {"blank_step", c_blank_step},
    {NULL, NULL},
};

static void push_constructors(lua_State *L) {
    luaL_newlib(L, constructors);
}

/* ---------------------------------------------------------------- YAML */

static int plain_bool(const char *s) {
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) return 1;
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) return 0;
    return -1;
}

int luab_holds_blank_syntax(const char *s, size_t len) {
    if (md_find_blank_syntax(s, len) >= 0) return 1;
    for (size_t i = 0; i + 2 < len; i++)
        if (s[i] == '\\' && s[i + 1] == '[' && s[i + 2] == '[') return 1;
    return 0;
}

const char *luab_plain(arena *a, const char *s, size_t len, int line, int col, const char *path) {
    if (!luab_holds_blank_syntax(s, len)) return s;
    diag *quiet = diag_new(NULL, DIAG_TEXT, 0); /* the course's reader reports what is wrong */
    ast_node *span = md_parse_plain(a, s, len, line, col, path, quiet);
    diag_free(quiet);
    return ast_plain_text(a, span);
}

void luab_push_ynode(lua_State *L, const struct ynode *y, arena *a, const char *path) {
    luaL_checkstack(L, 4, "YAML too deep");
    if (!y || y->type == Y_NULL) {
        lua_pushboolean(L, 0);
        return;
    }
    if (y->type == Y_SCALAR) {
        const char *s = y->str ? y->str : "";
        int bv;
        if (!y->quoted && (bv = plain_bool(s)) >= 0) lua_pushboolean(L, bv);
        else if (a && luab_holds_blank_syntax(s, y->len)) lua_pushstring(L, luab_plain(a, s, y->len, y->line, y->col, path));
        else if (y->quoted || !*s || strlen(s) != y->len || lua_stringtonumber(L, s) == 0)
            lua_pushlstring(L, s, y->len);
        return;
    }
    lua_createtable(L, y->type == Y_SEQ ? y->n : 0, y->type == Y_MAP ? y->n : 0);
    for (int i = 0; i < y->n; i++) {
        if (y->type == Y_SEQ) {
            luab_push_ynode(L, y->items[i], a, path);
            lua_rawseti(L, -2, i + 1);
        } else {
            const ynode *k = y->keys[i];
            lua_pushlstring(L, k && k->str ? k->str : "", k ? k->len : 0);
            luab_push_ynode(L, y->items[i], a, path);
            lua_rawset(L, -3);
        }
    }
}
