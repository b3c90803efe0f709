/* mount.c - mounting inside a rootfs by handle; see mount.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "io.h"
#include "mount.h"
#include "path.h"
#include "sys.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* Mount flags a bind remount must keep, or the kernel refuses (EPERM). */
static unsigned long locked_flags(const char *target)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
		{ ST_RDONLY, MS_RDONLY },
	};
	unsigned long f = 0;
	struct statvfs sv;
	size_t i;

	if (statvfs(target, &sv) < 0)
		return 0;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	return f;
}

int mount_bind_fd(const char *src, int targetfd)
{
	char tgt[32];

	path_fd_name(tgt, targetfd);
	return mount(src, tgt, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

/*
 * Change the mount at rootfd/dest: a bind remount (flags with MS_REMOUNT,
 * keeping the locked flags unless cleared) or a propagation change.  The
 * target is opened anew: an older handle points under the new mount.
 */
static int mount_change(int rootfd, const char *dest, unsigned long flags,
			unsigned long clear)
{
	char tgt[32];
	int fd, r = 0;

	fd = path_open_in_root(rootfd, dest, PATH_NOCREATE);
	if (fd < 0)
		return fd;
	path_fd_name(tgt, fd);
	if (flags & MS_REMOUNT)
		flags |= locked_flags(tgt) & ~clear;
	if (mount(NULL, tgt, NULL, flags, NULL) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int bind_remount(int rootfd, const char *dest, unsigned long flags,
			unsigned long clear)
{
	return mount_change(rootfd, dest, MS_BIND | MS_REMOUNT | flags, clear);
}

static int mount_bind(int rootfd, const struct spec_mount *m, struct err *e)
{
	unsigned long extra = m->flags & ~(MS_BIND | MS_REC);
	char src[32], tgt[32];
	struct stat st;
	int sfd, tfd, r;

	sfd = open(m->source, O_PATH | O_CLOEXEC);
	if (sfd < 0)
		return err_sys(e, errno, "mount %s: source %s", m->dest,
			       m->source);
	if (fstat(sfd, &st) < 0) {
		r = err_sys(e, errno, "mount %s: source %s", m->dest,
			    m->source);
		goto out_src;
	}
	tfd = path_open_in_root(rootfd, m->dest, S_ISDIR(st.st_mode) ?
				PATH_MKDIR : PATH_MKFILE);
	if (tfd < 0) {
		r = err_sys(e, -tfd, "mount %s", m->dest);
		goto out_src;
	}
	path_fd_name(src, sfd);
	path_fd_name(tgt, tfd);
	r = mount(src, tgt, NULL, MS_BIND | (m->flags & MS_REC), NULL);
	close(tfd);
	if (r < 0) {
		r = err_sys(e, errno, "mount %s", m->dest);
		goto out_src;
	}
	if (extra || m->clear) {
		r = bind_remount(rootfd, m->dest, extra, m->clear);
		if (r < 0) {
			err_sys(e, -r, "remount %s", m->dest);
			goto out_src;
		}
	}
	if (m->propagation) {
		r = mount_change(rootfd, m->dest, m->propagation, 0);
		if (r < 0)
			err_sys(e, -r, "mount %s: propagation", m->dest);
	}
out_src:
	close(sfd);
	return r;
}

/* 1 if the n bytes at item are one of the comma-separated list. */
static int in_list(const char *item, size_t n, const char *list)
{
	const char *p = list, *end;

	for (;;) {
		end = strchrnul(p, ',');
		if ((size_t)(end - p) == n && !strncmp(p, item, n))
			return 1;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* 1 if every comma-separated item of want is in the list have. */
static int all_in(const char *want, const char *have)
{
	const char *w = want, *end;

	for (;;) {
		end = strchrnul(w, ',');
		if (!in_list(w, end - w, have))
			return 0;
		if (!*end)
			return 1;
		w = end + 1;
	}
}

/*
 * Our cgroup in the hierarchy with controllers ctrls ("" for cgroup2) as
 * /proc/self/cgroup says ("4:memory:/a/b"), or NULL.  "/" when we are at
 * the root of what we see: a cgroup namespace of our own, or none at all.
 */
static const char *own_cgroup(char *self, const char *ctrls, char *out,
			      size_t cap)
{
	const char *line, *c, *path;
	char *nl, list[256];

	for (line = self; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		c = strchr(line, ':');
		path = c ? strchr(c + 1, ':') : NULL;
		if (!path || (nl && path > nl))
			continue;
		snprintf(list, sizeof(list), "%.*s", (int)(path - c - 1), c + 1);
		if (*ctrls ? !*list || !all_in(list, ctrls) : !!*list)
			continue;
		snprintf(out, cap, "%.*s", (int)(nl ? nl - path - 1 :
						 (long)strlen(path + 1)),
			 path + 1);
		return out;
	}
	return NULL;
}

/*
 * One hierarchy at dirfd/name: a fresh mount shows the root of our cgroup
 * view, which is our own cgroup inside a cgroup namespace of ours.
 * Without one it would show the host's whole tree, so, as runc does, our
 * own cgroup is bound from the host's hierarchy at host (its mount point).
 */
static int mount_hierarchy(int dirfd, const char *name, const char *type,
			   const char *data, unsigned long flags,
			   const char *host, const char *own)
{
	char src[4096], tgt[32];
	int fd, r = 0;

	if (own && strcmp(own, "/") &&
	    snprintf(src, sizeof(src), "%s%s", host, own) >= (int)sizeof(src))
		return -ENAMETOOLONG;
	fd = path_open_in_root(dirfd, name, PATH_MKDIR);
	if (fd < 0)
		return fd;
	path_fd_name(tgt, fd);
	if (!own || !strcmp(own, "/")) {
		if (mount(type, tgt, type, flags, *data ? data : NULL) < 0)
			r = -errno;
	} else if (mount(src, tgt, NULL, MS_BIND | MS_REC, NULL) < 0) {
		r = -errno;
	} else {
		/* The bind's flags, set through a handle on the bind itself. */
		r = mount_change(dirfd, name, MS_BIND | MS_REMOUNT | flags, 0);
	}
	close(fd);
	return r;
}

/*
 * A v1 or hybrid host's cgroup view: into dirfd (a tmpfs), one mount per
 * hierarchy the host has, with the same controllers.
 */
static int mount_cgroup_v1(int dirfd, unsigned long flags, char *self)
{
	char *info, *line, *next, *f[10], *opts, *super, *name, *p, data[256];
	char own[4096];
	int n, r = 0;
	size_t len;

	r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, &info,
			 NULL);
	if (r < 0)
		return r;
	for (line = info; line && *line && !r; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		/* id parent maj:min root mountpoint opts [tags] - type src super */
		for (n = 0, p = strtok_r(line, " ", &opts); p && n < 10;
		     p = strtok_r(NULL, " ", &opts)) {
			if (n >= 6 && !strcmp(p, "-")) {
				f[6] = strtok_r(NULL, " ", &opts);
				f[7] = strtok_r(NULL, " ", &opts);
				f[8] = strtok_r(NULL, " ", &opts);
				n = 9;
				break;
			}
			if (n < 6)
				f[n] = p;
			n++;
		}
		if (n != 9 || !f[6] || !f[8] || strncmp(f[4], "/sys/fs/cgroup/",
							 15))
			continue;
		name = f[4] + 15;
		if (!*name || strchr(name, '/'))
			continue;
		if (!strcmp(f[6], "cgroup2")) {
			data[0] = 0;
		} else if (!strcmp(f[6], "cgroup")) {
			/* super options minus rw/ro: the controller list */
			data[0] = 0;
			len = 0;
			for (super = strtok_r(f[8], ",", &opts); super;
			     super = strtok_r(NULL, ",", &opts)) {
				if (!strcmp(super, "rw") || !strcmp(super, "ro"))
					continue;
				len += snprintf(data + len, sizeof(data) - len,
						"%s%s", len ? "," : "", super);
				if (len >= sizeof(data))
					break;
			}
		} else {
			continue;
		}
		r = mount_hierarchy(dirfd, name, f[6], data, flags, f[4],
				    own_cgroup(self, data, own, sizeof(own)));
	}
	free(info);
	return r;
}

static int mount_cgroup(int rootfd, const struct spec_mount *m, int tfd,
			struct err *e)
{
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC);
	char tgt[32], own[4096], *self = NULL;
	struct statfs sf;
	int r;

	path_fd_name(tgt, tfd);
	if (statfs("/sys/fs/cgroup", &sf) < 0)
		return 0;	/* no cgroups on this host: nothing to show */
	r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &self, NULL);
	if (r < 0)
		return err_sys(e, -r, "mount %s: /proc/self/cgroup", m->dest);
	if (sf.f_type == CGROUP2_SUPER_MAGIC) {
		r = mount_hierarchy(rootfd, m->dest, "cgroup2", "", flags,
				    "/sys/fs/cgroup",
				    own_cgroup(self, "", own, sizeof(own)));
		free(self);
		return r < 0 ? err_sys(e, -r, "mount %s", m->dest) : 0;
	}
	if (mount("tmpfs", tgt, "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0) {
		r = err_sys(e, errno, "mount %s", m->dest);
		goto out;
	}
	r = path_open_in_root(rootfd, m->dest, PATH_NOCREATE);
	if (r < 0) {
		r = err_sys(e, -r, "mount %s", m->dest);
		goto out;
	}
	tfd = r;
	r = mount_cgroup_v1(tfd, flags, self);
	close(tfd);
	if (r < 0) {
		r = err_sys(e, -r, "mount %s", m->dest);
		goto out;
	}
	if (flags & MS_RDONLY) {
		r = bind_remount(rootfd, m->dest, flags, 0);
		if (r < 0)
			r = err_sys(e, -r, "remount %s", m->dest);
	}
out:
	free(self);
	return r;
}

/*
 * procfs and sysfs go on a real directory of the image, never through a
 * symlink it has there (runc's rule since CVE-2019-19921): /proc must be
 * the real one before anything writes to it.
 */
static int check_not_symlink(int rootfd, const char *dest, struct err *e)
{
	char parent[4096], *slash;
	struct stat st;
	int dfd, r;

	snprintf(parent, sizeof(parent), "%s", dest);
	while ((slash = strrchr(parent, '/')) && !slash[1] && slash > parent)
		*slash = 0;
	slash = strrchr(parent, '/');
	if (!slash || !slash[1])
		return 0;
	*slash = 0;
	dfd = path_open_in_root(rootfd, *parent ? parent : "/",
				PATH_NOCREATE);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return err_sys(e, -dfd, "mount %s", dest);
	r = fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW);
	close(dfd);
	if (r == 0 && S_ISLNK(st.st_mode))
		return err_msg(e, ELOOP, "mount %s: is a symlink in the "
			       "rootfs, not a directory", dest);
	return 0;
}

int mount_in_root(int rootfd, const struct spec_mount *m, struct err *e)
{
	char tgt[32];
	int tfd, r = 0;

	if (!strcmp(m->type, "bind"))
		return mount_bind(rootfd, m, e);
	if ((!strcmp(m->type, "proc") || !strcmp(m->type, "sysfs")) &&
	    check_not_symlink(rootfd, m->dest, e) < 0)
		return -e->no;
	tfd = path_open_in_root(rootfd, m->dest, PATH_MKDIR);
	if (tfd < 0)
		return err_sys(e, -tfd, "mount %s", m->dest);
	if (!strcmp(m->type, "cgroup")) {
		r = mount_cgroup(rootfd, m, tfd, e);
		close(tfd);
		return r;
	}
	path_fd_name(tgt, tfd);
	if (mount(m->source ? m->source : m->type, tgt, m->type,
		  m->flags & ~MS_REC, m->data) < 0)
		r = err_sys(e, errno, "mount %s", m->dest);
	close(tfd);
	if (!r && m->propagation) {
		r = mount_change(rootfd, m->dest, m->propagation, 0);
		if (r < 0)
			err_sys(e, -r, "mount %s: propagation", m->dest);
	}
	return r;
}

/*
 * The /dev/null to bind over masked files: the container's own when it is
 * the real device (so the container's mount table shows nothing of the
 * host's /dev), else the host's.
 */
static int null_device(int rootfd, char src[32])
{
	struct stat st;
	int fd;

	fd = path_open_in_root(rootfd, "/dev/null", PATH_NOCREATE);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(1, 3)) {
		path_fd_name(src, fd);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	snprintf(src, 32, "/dev/null");
	return -1;
}

/* One masked path; null is the /dev/null to bind over files. */
static int mask_one(int rootfd, const char *path, const char *null)
{
	char tgt[32];
	struct stat st;
	int fd, r = 0;

	fd = path_open_in_root(rootfd, path, PATH_NOCREATE);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	path_fd_name(tgt, fd);
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = mount("tmpfs", tgt, "tmpfs", MS_RDONLY, "size=0k") < 0 ?
		    -errno : 0;
	else
		r = mount(null, tgt, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int mount_mask(int rootfd, char *const *paths, const char **failed)
{
	char null[32];
	int nullfd, r = 0;

	nullfd = null_device(rootfd, null);
	for (; paths && *paths && !r; paths++) {
		r = mask_one(rootfd, *paths, null);
		if (r < 0)
			*failed = *paths;
	}
	if (nullfd >= 0)
		close(nullfd);
	return r;
}

int mount_readonly(int rootfd, const char *path, int recursive)
{
	char tgt[32];
	int fd, r;

	fd = path_open_in_root(rootfd, path, PATH_NOCREATE);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	path_fd_name(tgt, fd);
	r = mount(tgt, tgt, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL);
	close(fd);
	if (r < 0)
		return -errno;
	return bind_remount(rootfd, path, MS_RDONLY, 0);
}

int mount_readonly_root(void)
{
	unsigned long keep = locked_flags("/");

	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep,
		  NULL) < 0)
		return -errno;
	return 0;
}
