/* test_fs.c — inputs that are not regular files are refused when opened,
 * never waited on (a FIFO with no writer, a socket, a folder), fs_write
 * never writes through a symbolic link, and fs_within draws the boundary
 * of a folder at a '/' after symbolic links and `..` are resolved. Works in
 * a fresh temporary folder. */
#include "../../compiler/fs.h"
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[] = "/tmp/coursec-test-fs.XXXXXX";

static const char *at(const char *name) {
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

int main(void) {
    if (!OK(mkdtemp(dir) != NULL)) return harness_summary();
    alarm(60); /* a hang guard: a FIFO opened without O_NONBLOCK blocks forever */

    /* a regular file reads */
    OK(fs_write(at("a.txt"), "abc", 3) == 0);
    char *data = NULL;
    size_t len = 0;
    OK(fs_read(at("a.txt"), &data, &len) == 0 && len == 3 && memcmp(data, "abc", 3) == 0);
    free(data);

    /* a FIFO with no writer: refused at once, and says so */
    OK(mkfifo(at("pipe"), 0600) == 0);
    errno = 0;
    OK(fs_read(at("pipe"), &data, &len) == -1 && errno == FS_ENOTREG);
    CONTAINS(fs_strerror(FS_ENOTREG), "not a regular file");
    OK(fs_fopen_read(at("pipe")) == NULL && errno == FS_ENOTREG);
    /* through a link too (the link is followed; the FIFO is still refused) */
    OK(symlink(at("pipe"), at("pipe-link")) == 0);
    OK(fs_open_read(at("pipe-link")) == -1 && errno == FS_ENOTREG);

    /* a folder */
    OK(mkdir(at("sub"), 0700) == 0);
    OK(fs_read(at("sub"), &data, &len) == -1 && errno == EISDIR);

    /* a socket */
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", at("sock"));
    if (OK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0))
        OK(fs_read(at("sock"), &data, &len) == -1 && errno == FS_ENOTREG);
    if (s >= 0) close(s);

    /* a character device, when there is one to use */
    OK(fs_open_read("/dev/null") == -1 && errno == FS_ENOTREG);

    /* a file copy refuses a FIFO as its source */
    OK(fs_copy_file(at("pipe"), at("copy")) == -1 && errno == FS_ENOTREG);
    OK(access(at("copy"), F_OK) != 0);

    /* fs_write never writes through a link */
    OK(fs_write(at("target"), "keep", 4) == 0);
    OK(symlink(at("target"), at("link")) == 0);
    OK(fs_write(at("link"), "overwritten", 11) == -1 && errno == ELOOP);
    OK(fs_read(at("target"), &data, &len) == 0 && len == 4 && memcmp(data, "keep", 4) == 0);
    free(data);

    /* fs_within: w/b is the root; w/bc shares its name as a prefix */
    OK(mkdir(at("w"), 0700) == 0 && mkdir(at("w/b"), 0700) == 0 && mkdir(at("w/bc"), 0700) == 0);
    OK(fs_write(at("w/b/f"), "x", 1) == 0 && fs_write(at("w/bc/f"), "x", 1) == 0);
    char *root = realpath(at("w/b"), NULL);
    char want_f[512];
    snprintf(want_f, sizeof want_f, "%s/f", root ? root : "");
    char *r = NULL;
    /* a file below the root: inside, and the real path comes back */
    OK((r = fs_within(root, at("w/b/f"), 0)) != NULL && strcmp(r, want_f) == 0);
    free(r);
    /* /a/bc is not inside /a/b: the prefix must end at a '/' */
    OK((r = fs_within(root, at("w/bc/f"), 0)) == NULL && errno == FS_EOUTSIDE);
    OK((r = fs_within(root, at("w/bc"), FS_ROOT_OK)) == NULL && errno == FS_EOUTSIDE);
    /* `..` is resolved: leaving and coming back is inside, leaving is not */
    OK((r = fs_within(root, at("w/b/../b/f"), 0)) != NULL && strcmp(r, want_f) == 0);
    free(r);
    OK((r = fs_within(root, at("w/b/../bc/f"), 0)) == NULL && errno == FS_EOUTSIDE);
    OK((r = fs_within(root, at("w/b/.."), FS_ROOT_OK)) == NULL && errno == FS_EOUTSIDE);
    /* a symbolic link is followed: out of the root is outside, within it inside */
    OK(symlink(at("w/bc/f"), at("w/b/out")) == 0);
    OK((r = fs_within(root, at("w/b/out"), 0)) == NULL && errno == FS_EOUTSIDE);
    OK(symlink("f", at("w/b/in")) == 0);
    OK((r = fs_within(root, at("w/b/in"), 0)) != NULL && strcmp(r, want_f) == 0);
    free(r);
    /* a link to the root's parent, then down again into a sibling */
    OK(symlink("..", at("w/b/up")) == 0);
    OK((r = fs_within(root, at("w/b/up/bc/f"), 0)) == NULL && errno == FS_EOUTSIDE);
    /* the root itself only with FS_ROOT_OK, trailing slash or not */
    OK((r = fs_within(root, at("w/b"), 0)) == NULL && errno == FS_EOUTSIDE);
    OK((r = fs_within(root, at("w/b/"), 0)) == NULL && errno == FS_EOUTSIDE);
    OK((r = fs_within(root, at("w/b/"), FS_ROOT_OK)) != NULL && strcmp(r, root ? root : "") == 0);
    free(r);
    OK((r = fs_within(root, at("w/b/./"), FS_ROOT_OK)) != NULL && strcmp(r, root ? root : "") == 0);
    free(r);
    /* a trailing slash after a file is not a folder: realpath's error */
    OK((r = fs_within(root, at("w/b/f/"), 0)) == NULL && errno == ENOTDIR);
    /* a missing path or a dangling link: realpath's error, not "outside" */
    OK((r = fs_within(root, at("w/b/none"), 0)) == NULL && errno == ENOENT);
    OK(symlink("none", at("w/b/dangling")) == 0);
    OK((r = fs_within(root, at("w/b/dangling"), 0)) == NULL && errno == ENOENT);
    /* "/" as the root: every other path is below it */
    OK((r = fs_within("/", at("w/b/f"), 0)) != NULL && strcmp(r, want_f) == 0);
    free(r);
    OK((r = fs_within("/", "/", 0)) == NULL && errno == FS_EOUTSIDE);
    OK((r = fs_within("/", "/", FS_ROOT_OK)) != NULL && strcmp(r, "/") == 0);
    free(r);
    free(root);

    const char *names[] = {"a.txt", "pipe", "pipe-link", "sock", "target", "link", "w/b/f", "w/bc/f",
                           "w/b/out", "w/b/in", "w/b/up", "w/b/dangling"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) unlink(at(names[i]));
    rmdir(at("w/b"));
    rmdir(at("w/bc"));
    rmdir(at("w"));
    rmdir(at("sub"));
    rmdir(dir);
    return harness_summary();
}
