/*
 * stage.c - build out of sight, rename into place: see stage.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "stage.h"

static int dir_is_empty(int parentfd, const char *name)
{
	struct dirent *de;
	int fd, r = 1;
	DIR *d;

	fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (r && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = 0;
	closedir(d);
	return r;
}

int stage_open_parent(const char *path, char **base, struct err *e)
{
	char *copy = strdup(path), *slash;
	int fd;

	if (!copy)
		return err_sys(e, ENOMEM, "%s", path);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = 0;
	slash = strrchr(copy, '/');
	if (slash == copy)
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (slash) {
		*slash = 0;
		fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
	} else {
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		free(copy);
		return err_sys(e, errno, "%s: its parent directory", path);
	}
	*base = strdup(slash ? slash + 1 : copy);
	free(copy);
	if (!*base || !**base || !strcmp(*base, ".") ||
	    !strcmp(*base, "..")) {
		close(fd);
		free(*base);
		*base = NULL;
		return err_msg(e, EINVAL, "%s: not a name for a new "
			       "directory", path);
	}
	return fd;
}

int stage_check_dest(int parentfd, const char *base, const char *shown,
		     struct err *e)
{
	struct stat sb;

	if (fstatat(parentfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!S_ISDIR(sb.st_mode) || !dir_is_empty(parentfd, base)))
		return err_msg(e, EEXIST, "%s: exists and is not an empty "
			       "directory", shown);
	return 0;
}

int stage_begin(struct stage *d, int parentfd, const char *base,
		const char *tag, const char *shown, struct err *e)
{
	char root[sizeof(d->tmp) + 8];
	unsigned int rnd;
	int i;

	d->parentfd = parentfd;
	d->base = base;
	d->tmp[0] = 0;
	d->tmpfd = -1;
	if (stage_check_dest(parentfd, base, shown, e) < 0)
		return -EEXIST;
	for (i = 0;; i++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (unsigned)getpid() * 2654435761u + i;
		snprintf(d->tmp, sizeof(d->tmp), ".%.200s.%.16s-%08x",
			 d->base, tag, rnd);
		if (mkdirat(parentfd, d->tmp, 0700) == 0)
			break;
		/* Not ours: never to be removed by stage_abort(). */
		d->tmp[0] = 0;
		if (errno != EEXIST || i == 99)
			return err_sys(e, errno, "%s: mkdir beside it", shown);
	}
	snprintf(root, sizeof(root), "%s/root", d->tmp);
	if (mkdirat(parentfd, root, 0755) < 0)
		return err_sys(e, errno, "%s: mkdir %s", shown, root);
	d->tmpfd = openat(parentfd, root, O_RDONLY | O_DIRECTORY |
			  O_NOFOLLOW | O_CLOEXEC);
	if (d->tmpfd < 0)
		return err_sys(e, errno, "%s: open %s", shown, root);
	/* 0755 whatever the umask, until a layer's "./" says otherwise. */
	fchmod(d->tmpfd, 0755);
	return 0;
}

int stage_commit(struct stage *d, const char *shown, struct err *e)
{
	char root[sizeof(d->tmp) + 8];

	snprintf(root, sizeof(root), "%s/root", d->tmp);
	if (renameat(d->parentfd, root, d->parentfd, d->base) < 0)
		return err_sys(e, errno, "%s: rename %s into place", shown,
			       root);
	unlinkat(d->parentfd, d->tmp, AT_REMOVEDIR);
	d->tmp[0] = 0;
	return 0;
}

char *stage_path(int parentfd, const char *base, struct err *e)
{
	char real[PATH_MAX], proc[32], *abs;
	ssize_t n;

	path_fd_name(proc, parentfd);
	n = readlink(proc, real, sizeof(real) - 1);
	if (n < 0) {
		err_sys(e, errno, "%s: its parent directory", base);
		return NULL;
	}
	real[n] = 0;
	abs = malloc(n + strlen(base) + 2);
	if (!abs) {
		err_sys(e, ENOMEM, "%s", base);
		return NULL;
	}
	sprintf(abs, "%s%s%s", real, n > 1 ? "/" : "", base);
	return abs;
}

int stage_abort(struct stage *d, struct err *e)
{
	int ret = 0;

	if (d->tmp[0])
		ret = path_remove_tree(d->parentfd, d->tmp, e);
	d->tmp[0] = 0;
	return ret;
}
