/*
 * path.h - resolve a path inside a root directory by handle, never outside
 * it (CVE-2021-30465, CVE-2025-31133): openat2(RESOLVE_IN_ROOT) where the
 * kernel has it, else a component walk that reads symlinks itself and
 * clamps ".." at the root.  Missing components can be created on the way.
 */
#ifndef CORE_PATH_H
#define CORE_PATH_H

#include <sys/types.h>

#include "err.h"

enum path_create {
	PATH_NOCREATE,
	PATH_MKDIR,		/* create missing directories, the last too */
	PATH_MKFILE,		/* missing parents as dirs, the last as a file */
};

/*
 * An O_PATH|O_CLOEXEC fd for path (absolute or relative, taken relative to
 * rootfd either way) resolved with rootfd as "/".  Returns fd or -errno.
 */
int path_open_in_root(int rootfd, const char *path, enum path_create create);

/*
 * Remove dirfd/name and, when it is a directory, everything below it,
 * never following a symlink; fine when it is gone already.  For trees we
 * made (an unpack's temporary sibling): directories are made writable
 * to be emptied.  0, or -errno with *e naming name.
 */
int path_remove_tree(int dirfd, const char *name, struct err *e);

/* "/proc/self/fd/N" for fd, to hand a resolved target to mount(2). */
void path_fd_name(char buf[32], int fd);

#endif
