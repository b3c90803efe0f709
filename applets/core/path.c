/* path.c - resolution inside a root by handle; see path.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "sys.h"

#define MAX_DEPTH 128
#define MAX_LINKS 40

void path_fd_name(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

/* Walk state: the stack of directory fds from the root down. */
struct walk {
	int fds[MAX_DEPTH];
	int n;
};

static void walk_pop_all(struct walk *w)
{
	while (w->n > 1)
		close(w->fds[--w->n]);
}

/* Create name in dirfd as asked; an existing entry is fine. */
static int create_entry(int dirfd, const char *name, int last,
			enum path_create create)
{
	int fd;

	if (create == PATH_MKFILE && last) {
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno == EEXIST ? 0 : -errno;
		close(fd);
		return 0;
	}
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * The component walk.  buf holds the path still to resolve; a symlink's
 * target is spliced in front of what is left of it.
 */
static int walk_path(int rootfd, const char *path, enum path_create create)
{
	char buf[PATH_MAX * 2], link[PATH_MAX], name[NAME_MAX + 1];
	struct walk w = { .n = 1 };
	int links = 0, fd, ret, last;
	size_t len, rest;
	char *p;
	ssize_t l;

	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	w.fds[0] = rootfd;
	p = buf;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		len = strcspn(p, "/");
		if (len > NAME_MAX) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, p, len);
		name[len] = 0;
		p += len;
		last = !p[strspn(p, "/")];
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (w.n > 1)
				close(w.fds[--w.n]);
			continue;
		}
		fd = openat(w.fds[w.n - 1], name, O_PATH | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create != PATH_NOCREATE) {
			ret = create_entry(w.fds[w.n - 1], name, last, create);
			if (ret < 0)
				goto out;
			fd = openat(w.fds[w.n - 1], name, O_PATH | O_NOFOLLOW |
				    O_CLOEXEC);
		}
		if (fd < 0) {
			ret = -errno;
			goto out;
		}
		l = readlinkat(fd, "", link, sizeof(link) - 1);
		if (l >= 0) {
			/* A symlink: resolve its target inside the root. */
			close(fd);
			if (++links > MAX_LINKS) {
				ret = -ELOOP;
				goto out;
			}
			link[l] = 0;
			rest = strlen(p);
			if (l + 1 + rest >= sizeof(buf)) {
				ret = -ENAMETOOLONG;
				goto out;
			}
			memmove(buf + l + 1, p, rest + 1);
			memcpy(buf, link, l);
			buf[l] = '/';
			p = buf;
			if (link[0] == '/')
				walk_pop_all(&w);
			continue;
		}
		if (w.n == MAX_DEPTH) {
			close(fd);
			ret = -ELOOP;
			goto out;
		}
		w.fds[w.n++] = fd;
	}
	if (w.n == 1) {
		ret = openat(rootfd, ".", O_PATH | O_CLOEXEC);
		return ret < 0 ? -errno : ret;
	}
	ret = w.fds[--w.n];
out:
	while (w.n > 1)
		close(w.fds[--w.n]);
	return ret;
}

int path_open_in_root(int rootfd, const char *path, enum path_create create)
{
	struct sys_open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = SYS_RESOLVE_IN_ROOT | SYS_RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	fd = sys_openat2(rootfd, path, &how);
	if (fd >= 0 || (fd != -ENOSYS && fd != -EAGAIN &&
			(fd != -ENOENT || create == PATH_NOCREATE)))
		return fd;
	return walk_path(rootfd, path, create);
}

/* The first entry of fd but "." and "..", into name; 0 when empty. */
static int first_entry(int fd, char *name, size_t size, int *is_dir)
{
	struct dirent *de;
	struct stat sb;
	int dfd = dup(fd), r = 0;
	DIR *d;

	/* The dup shares fd's offset: from the start, each time. */
	if (dfd >= 0)
		lseek(dfd, 0, SEEK_SET);
	d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		return r;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strlen(de->d_name) >= size) {
			r = -ENAMETOOLONG;
			break;
		}
		strcpy(name, de->d_name);
		*is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN)
			*is_dir = fstatat(fd, name, &sb,
					  AT_SYMLINK_NOFOLLOW) == 0 &&
				  S_ISDIR(sb.st_mode);
		r = 1;
		break;
	}
	closedir(d);
	return r;
}

/* A level on the way down: its name in its parent, and who the parent is. */
struct level {
	char *name;
	dev_t pdev;
	ino_t pino;
};

/*
 * The child directory ent of fd, opened, made ours to empty (rootless: a
 * layer may have left it 0000), and on the same file system: a mount
 * point is never entered (-EBUSY).
 */
static int open_child(int fd, const char *ent, const struct stat *parent)
{
	struct stat sb;
	int up;

	up = openat(fd, ent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (up < 0 && errno == EACCES && fchmodat(fd, ent, 0700, 0) == 0)
		up = openat(fd, ent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
	if (up < 0)
		return -errno;
	if (fstat(up, &sb) < 0 || sb.st_dev != parent->st_dev) {
		close(up);
		return -EBUSY;
	}
	return up;
}

/*
 * Depth first with one directory open at a time, climbing back by "..":
 * a tree of any depth costs two fds and the names on the way down.  Each
 * ".." must be the directory the walk came down from (same device and
 * inode): a directory renamed away meanwhile stops the walk (-ESTALE)
 * instead of leading it out of the tree.
 */
int path_remove_tree(int dirfd, const char *name, struct err *e)
{
	struct level *stack = NULL;
	size_t depth = 0, cap = 0;
	char ent[NAME_MAX + 1];
	int fd, up, is_dir = 0, r;
	struct stat here, top;
	void *nv;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if ((errno == ENOTDIR || errno == ELOOP) &&
		    unlinkat(dirfd, name, 0) == 0)
			return 0;
		return err_sys(e, errno, "remove %s", name);
	}
	if (fstat(fd, &top) < 0) {
		r = -errno;
		close(fd);
		return err_sys(e, -r, "remove %s", name);
	}
	here = top;
	for (;;) {
		/* Ours to empty, even one a layer made read-only. */
		fchmod(fd, 0700);
		r = first_entry(fd, ent, sizeof(ent), &is_dir);
		if (r < 0)
			break;
		if (r == 1 && !is_dir) {
			if (unlinkat(fd, ent, 0) < 0) {
				r = -errno;
				break;
			}
			continue;
		}
		if (r == 1) {
			if (depth == cap) {
				cap = cap ? cap * 2 : 16;
				nv = realloc(stack, cap * sizeof(*stack));
				if (!nv) {
					r = -ENOMEM;
					break;
				}
				stack = nv;
			}
			stack[depth].name = strdup(ent);
			stack[depth].pdev = here.st_dev;
			stack[depth].pino = here.st_ino;
			up = stack[depth].name ? open_child(fd, ent, &here) :
			     -ENOMEM;
			if (up < 0 || fstat(up, &here) < 0) {
				r = up < 0 ? up : -errno;
				free(stack[depth].name);
				if (up >= 0)
					close(up);
				break;
			}
			depth++;
			close(fd);
			fd = up;
			continue;
		}
		/* Empty: out of it, and remove it from its parent. */
		if (!depth) {
			r = 0;
			break;
		}
		depth--;
		up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || fstat(up, &here) < 0) {
			r = -errno;
			free(stack[depth].name);
			if (up >= 0)
				close(up);
			break;
		}
		close(fd);
		fd = up;
		if (here.st_dev != stack[depth].pdev ||
		    here.st_ino != stack[depth].pino)
			r = -ESTALE;
		else if (unlinkat(fd, stack[depth].name, AT_REMOVEDIR) < 0)
			r = -errno;
		free(stack[depth].name);
		if (r < 0)
			break;
	}
	close(fd);
	while (depth)
		free(stack[--depth].name);
	free(stack);
	if (r == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		r = -errno;
	return r < 0 ? err_sys(e, -r, "remove %s", name) : 0;
}
