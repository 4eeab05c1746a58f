/* datadir.c — find coursec's data folder (see datadir.h). */
#include "datadir.h"
#include "buf.h"
#include "fs.h"
#include "util.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int holds_data(const char *dir) {
    buf b = BUF_INIT;
    buf_printf(&b, "%s/lua", dir);
    int ok = fs_is_dir(b.data);
    buf_free(&b);
    return ok;
}

/* dir without its last component ("/a/b" -> "/a", "/a" -> "/"). */
static char *parent_of(const char *dir) {
    char *p = xstrdup(dir);
    char *sl = strrchr(p, '/');
    if (sl && sl != p)
        *sl = 0;
    else if (sl)
        sl[1] = 0;
    return p;
}

static const char remedy[] =
    "install coursec with `make install PREFIX=...` (its data goes to PREFIX/share/coursec, found from "
    "PREFIX/bin/coursec), run the binary from its source checkout, or set COURSEC_DATA to the folder that "
    "holds coursec's lua/ and themes/";

char *datadir_find(char **why) {
    *why = NULL;
    const char *env = getenv("COURSEC_DATA");
    if (env && *env) {
        if (holds_data(env)) return xstrdup(env);
        buf b = BUF_INIT;
        buf_printf(&b,
                   "COURSEC_DATA is `%s`, which holds no lua/ folder: set it to the folder that holds "
                   "coursec's lua/ and themes/, or unset it",
                   env);
        *why = buf_detach(&b);
        return NULL;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        buf b = BUF_INIT;
        buf_printf(&b, "coursec's data folder (its standard filters and themes) was not found: the path of the "
                       "coursec executable is unknown (/proc/self/exe cannot be read); set COURSEC_DATA to the "
                       "folder that holds coursec's lua/ and themes/");
        *why = buf_detach(&b);
        return NULL;
    }
    exe[n] = 0;
    char *bin = parent_of(exe);
    char *up = parent_of(bin);
    buf share = BUF_INIT;
    buf_printf(&share, "%s/share/coursec", strcmp(up, "/") == 0 ? "" : up);
    const char *tries[] = {bin, up, share.data};
    char *found = NULL;
    for (size_t i = 0; i < sizeof tries / sizeof tries[0] && !found; i++)
        if (holds_data(tries[i])) {
            found = realpath(tries[i], NULL);
            if (!found) found = xstrdup(tries[i]);
        }
    if (!found) {
        buf b = BUF_INIT;
        buf_printf(&b,
                   "coursec's data folder (its standard filters lua/ and themes themes/) was not found: "
                   "looked for lua/ in %s, %s and %s (from the executable %s); %s",
                   tries[0], tries[1], tries[2], exe, remedy);
        *why = buf_detach(&b);
    }
    free(bin);
    free(up);
    buf_free(&share);
    return found;
}
