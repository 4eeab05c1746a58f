/* luab.h — the Lua bridge used by filter.c (and only by it): one lua_State
 * with the sandbox, its own memory pool (lpool.h) and cap, the instruction
 * budget, ast_node userdata and the `course.*` constructors. Only luab.c and
 * filter.c include Lua. */
#ifndef COURSEC_LUAB_H
#define COURSEC_LUAB_H
#include "arena.h"
#include "ast.h"
#include <lua.h>
#include <stddef.h>

typedef struct luab luab;

/* A new state. trust: full standard libraries, no budget, no cap (the
 * --trust-filters flag). mem_cap in bytes (0: 256 MiB); instr_budget in VM
 * instructions per filter run (0: 200 million). build_time: seconds since
 * the epoch that the sandbox's os.time() and os.date() report (SPEC §11.6:
 * no value that changes with another state's work or reveals an address:
 * os.clock() is 0, tostring of a table, function, thread or userdata is
 * `table: N` with N counted per state, string.format refuses %p,
 * setmetatable refuses __gc, math.random starts from seed 0). Every block
 * the state allocates comes from its own pool, freed by luab_free. Never
 * NULL (plain OOM aborts). The caller frees with luab_free (which closes the
 * state). */
luab *luab_new(int trust, size_t mem_cap, long long instr_budget, long long build_time);
void luab_free(luab *b);
/* Watch every run of the state (watchdog.h): one that has used cpu_ms of
 * its thread's CPU time is stopped with an error at its next Lua
 * instruction; one stuck for as long again inside a C function (a string
 * pattern that backtracks), where no hook can reach, makes the watchdog
 * call hard(arg) on its own thread (it reports and ends the process). No
 * effect on a trusting state. */
void luab_watch(luab *b, long cpu_ms, void (*hard)(void *arg), void *arg);
/* For a state that runs only coursec's own filters (lua/): drop the count
 * hook, which makes every Lua instruction trap (a quarter of the filter
 * stage); the watch (luab_watch) still stops a run that goes on too long.
 * Course filters are always counted: a state that loads one keeps the hook.
 * No effect on a trusting state. */
void luab_unmetered(luab *b);
lua_State *luab_state(luab *b);

/* Load a Lua text file as a chunk named "@c<N>" (N = the returned chunk
 * number, which maps back to display). root: the real folder the chunk and
 * what it requires must stay inside. On success pushes the compiled function
 * and returns N >= 0; on failure pushes nothing, sets *line (0 if unknown) and
 * *msg (static or malloc'd into *msgbuf, which the caller frees) and returns -1.
 * Must be called inside a protected call (it pushes). */
int luab_load_file(luab *b, const char *realpath, const char *display, const char *root, int *line,
                   char **msgbuf);
const char *luab_chunk_display(const luab *b, int chunk);

/* Run state: nodes pushed during a run are valid only until luab_end_run.
 * cur: the node being filtered (constructors stamp its position).
 * hide_positions: node.line and node.col are nil for every node of the run
 * (SPEC §11.6: the positions would show where content was pruned); the
 * nodes keep them in C for diagnostics. What the run's filter calls take in
 * a (luab_charge) counts against the cap until luab_end_run. */
void luab_begin_run(luab *b, arena *a, int hide_positions);
/* collect: a full garbage collection before the run is over (after a failed
 * or greedy run, so the next one starts with the memory back), still under
 * the run's watch. */
void luab_end_run(luab *b, int collect);
void luab_set_current(luab *b, ast_node *cur);
/* Start the instruction count of one filter run. */
void luab_reset_budget(luab *b);

/* luaL_tolstring without addresses: __tostring as usual; otherwise a table,
 * function, thread or userdata shows its type (or its metatable's __name)
 * and its number in the state, `table: 3` (the same number for an object as
 * long as it lives). Pushes the string and returns it. */
const char *luab_tolstring(lua_State *L, int idx, size_t *len);

/* Push a node (the same userdata for the same node within a run). */
void luab_push_node(lua_State *L, ast_node *n);
/* Push a new list of fresh deep copies of parent's children, made in the
 * run's arena and counted against the cap, every node stamped with the
 * position of the node being filtered (as constructors do). For values a
 * filter may insert into the tree as often as it reads them. */
void luab_push_copies(lua_State *L, const ast_node *parent);
/* Count n bytes of C memory that a filter call is about to take (in the
 * run's arena, a diagnostic...) against the state's memory cap; past the
 * cap raises the Lua error "memory limit exceeded" at the calling filter
 * line instead. Given back at luab_end_run. Only while a run lasts. */
void luab_charge(lua_State *L, size_t n);
/* The node at idx, or NULL if the value is not a node; raises an error if it
 * is a node from an earlier run. */
ast_node *luab_tonode(lua_State *L, int idx);

/* How filters see the node field `name` (ast_fields.h): 0 not at all,
 * 1 read only, 2 readable and writable (on the node types that have it). */
int luab_field_access(const char *name);

/* Tree rules shared by constructors, `node.children = ...` and the walk. */
int luab_child_ok(ast_type parent, ast_type child);
const char *luab_need_desc(ast_type parent);     /* "a block", "an inline", "an Item", ... */
const char *luab_kind_desc(ast_type child);      /* "a block node", "an inline node", ... */
/* 1 if n is parent or one of parent's ancestors (n would become its own
 * descendant). Ancestors are found through children and through the Blank
 * whose answer alternative holds a node. */
int luab_would_cycle(lua_State *L, const ast_node *parent, const ast_node *n);

/* The deepest a tree may be once a filter has touched it: no node more than
 * LUAB_MAX_DEPTH levels below the top of its tree (the Document, or a node
 * the filter made that is in no tree yet), counting through children and a
 * Blank's answer alternatives. The same bound as the parser's (mdconv.c:
 * "Markdown nested more than 256 levels deep"), so every tree a filter can
 * make is one the parser could have made, and no C walker (the filter walk,
 * the guard, ast_walk, clone, pack, the writers) recurses deeper. */
#define LUAB_MAX_DEPTH 256
/* The checks before the n nodes kids become children of parent (inside a
 * filter run): LUAB_JOIN_OK when each may, else why the first that may not
 * cannot (its index in *at): it is parent or one of its ancestors, or it
 * (with everything below it) would put a node deeper than LUAB_MAX_DEPTH.
 * A kid already a child of parent passes. Costs about n plus parent's
 * depth plus the depth of each other parent the kids come from (once for
 * a run of siblings), plus the size of every kid that moves up (counted
 * against the instruction budget). */
enum { LUAB_JOIN_OK, LUAB_JOIN_CYCLE, LUAB_JOIN_DEEP };
int luab_join_check(lua_State *L, const ast_node *parent, ast_node *const *kids, size_t n, size_t *at);
/* The walk's placeholder (filter.c): a node that children lists never show
 * and copies never include; NULL for none. Only while a run lasts. */
void luab_hide(luab *b, ast_node *marker);

/* Message handler for lua_pcall: strips the "c<N>:<line>: " prefix (or finds
 * the innermost filter frame) and records the position, read back with
 * luab_error_pos. */
int luab_msgh(lua_State *L);
/* Position of the last error caught by luab_msgh: chunk number (-1 unknown)
 * and line (0 unknown). Reset by luab_clear_error. */
void luab_error_pos(const luab *b, int *chunk, int *line);
void luab_clear_error(luab *b);
/* Parse a "c<N>:<line>: " prefix of msg; returns bytes consumed or 0. */
size_t luab_parse_prefix(const char *msg, int *chunk, int *line);
/* The chunk number and first line of the Lua function at idx (-1/0 if not a
 * filter function). */
void luab_function_pos(lua_State *L, int idx, int *chunk, int *line);

/* YAML tree → Lua values (plain scalars that read as numbers or booleans
 * become numbers/booleans, null becomes false, mappings tables). With an
 * arena, a string holding blank syntax or `\[[` becomes its plain text
 * (luab_plain; path names the file for the parser), so no answer reaches a
 * filter through YAML in any edition. */
struct ynode;
void luab_push_ynode(lua_State *L, const struct ynode *y, arena *a, const char *path);

/* 1 if s holds blank syntax (md_find_blank_syntax) or a `\[[`. */
int luab_holds_blank_syntax(const char *s, size_t len);
/* s as plain text (SPEC §2.1, §11.4): parsed with md_parse_plain (line/col/
 * path: where s is written) with every blank contributing nothing and `\[[`
 * a literal `[[`; the same in every edition. s itself when it holds neither;
 * else a string in a. The parser's complaints are not reported here (the
 * course reader reports them). */
const char *luab_plain(arena *a, const char *s, size_t len, int line, int col, const char *path);

#endif
