/*
 * assemble.c - a rootfs from stored layers; see assemble.h.  The merge is
 * overlayfs's (Documentation/filesystems/overlayfs.rst, "Directories",
 * "whiteouts and opaque directories"), made as one walk of the merged
 * tree: each name is taken from the topmost layer that has it, a
 * directory merged with the same directory of the layers below until a
 * non-directory, a whiteout or an opaque one stops it.  So nothing is
 * made that a higher layer would take away, a directory is done (its
 * times set) once its children are, and DEST never holds a symlink where
 * the walk goes down.  Every name is opened relative to its directory's
 * fd, never following a symlink.
 *
 * The walk runs on every CPU (at most WALKERS_MAX): directories, and the
 * names of a very large one in chunks, are queued for whichever walker
 * is free, since making a link costs the kernel far more than anything the
 * walk does and one directory can hold most of a tree.  A hard link of
 * a --read-only assembly without id maps needs no stat at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "assemble.h"
#include "io.h"
#include "path.h"

#define PATH_BUF (PATH_MAX + NAME_MAX + 2)
#define DATA_BUF (256 << 10)	/* file data, when copy_file_range can't */
#define XATTR_BUF 65536		/* XATTR_LIST_MAX and XATTR_SIZE_MAX */
#define SHOWN 160		/* a name in a message, escaped */
#define SHOW(buf, s) err_shown((s), strlen(s), (buf), sizeof(buf))
#define PROC_NAME (32 + NAME_MAX + 2)

/* One layer's directory at the walk's place. */
struct src {
	int fd;
	const struct assemble_layer *l;
};

/* A name met in one of a merged directory's layers. */
struct ent {
	size_t off;		/* in the level's arena */
	size_t src;		/* its directory in the chain, top first */
	unsigned char type;	/* d_type */
};

struct level {
	struct ent *ents;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	unsigned refs;		/* its walk and its queued chunks */
};

/* A store inode copied once, for its other names (st_nlink > 1). */
struct node {
	dev_t dev;
	ino_t ino;
	char *path;		/* in DEST; NULL: a free slot */
};

/*
 * A directory of DEST being filled: it is done (its owner, mode and
 * times set) when its own listing is and every subdirectory queued from
 * it is done; pending counts those, and the listing itself.
 */
struct task {
	struct src *chain;	/* its layers' directories, top first (owned) */
	size_t n;
	int fd;			/* in DEST (owned), -1 for DEST itself */
	struct stat st;		/* the topmost layer's directory */
	char *path;		/* in DEST */
	struct task *parent;
	unsigned pending;
};

/*
 * What the walkers share.  Directories are queued while the queue has
 * room and walked on the spot otherwise, so every thread stays busy on
 * however lopsided a tree, and the fds held stay bounded.
 */
#define WALKERS_MAX 4
#define QUEUE_MAX 64
/*
 * Names of one directory a job takes, and so the size from which one is
 * shared out.  Two walkers linking into one directory contend for its
 * lock (on ext4 a quarter of the second's time went to spinning on it,
 * and assemblies of a 6.9k-entry image got slower, 0.55-0.66x cp -al
 * against 0.50-0.51 without), so only a directory large enough to
 * leave the other walkers idle for long is split.
 */
#define CHUNK 4096
#define WALKER_STACK (8 << 20)

/*
 * A queued job: a directory to walk (lv NULL), or names [from, to) of
 * the listing lv of t's directory (a large one, shared out).
 */
struct job {
	struct task *t;
	struct level *lv;
	size_t from, to;
};

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job queue[QUEUE_MAX];
	size_t qn, qmax;	/* qmax: so queued fds stay few */
	int walkers;		/* threads walking, this one included */
	int busy;		/* walkers running a task */
	int failed;		/* the first error is in err: skip the rest */
	struct err err;
	/* In-layer hard links of copies, found and made under mu. */
	struct node *nodes;
	size_t nodes_cap, nodes_used;
};

struct assembly {
	const struct assemble_opts *o;
	struct assemble_stats st;
	int rootfd;
	int no_devices, no_cfr, blind;
	int inherits;		/* DEST's parent is setgid: chown, chmod all */
	uid_t euid;
	gid_t egid;
	char path[PATH_BUF];	/* the walk's place in DEST */
	size_t plen;
	char *buf, *list, *val;
	struct shared *sh;
};

/* "assemble: PATH: what[: strerror(no)]" */
__attribute__((format(printf, 5, 6)))
static int fail(struct assembly *a, struct err *e, int no, int sys,
		const char *fmt, ...)
{
	char name[SHOWN], what[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	SHOW(name, a->plen ? a->path : ".");
	return err_msg(e, no, "assemble: %s: %s%s%s", name, what,
		       sys ? ": " : "", sys ? strerror(no) : "");
}

/* ---- ids ---- */

/* 1 when the host id is one the map gives the container. */
static int taken(const struct unpack_idmap *m, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (id >= m[i].outside && id - m[i].outside < m[i].count)
			return 1;
	return 0;
}

/* The id the container should see for a stored one (assemble.h, Ids). */
static int seen_id(const struct unpack_idmap *m, size_t n, uint32_t stored,
		   uint32_t base, uint32_t *out)
{
	if (stored < base)
		return -1;
	return unpack_idmap_map(m, n, stored - base, out);
}

static int owner(struct assembly *a, const struct stat *st,
		 const struct assemble_layer *l, uid_t *uid, gid_t *gid,
		 struct err *e)
{
	const struct assemble_opts *o = a->o;
	uint32_t id;

	if (seen_id(o->uid_map, o->n_uid_map, st->st_uid, l->uid_base, &id))
		return fail(a, e, EINVAL, 0, "stored uid %u (uid base %u) is "
			    "outside the uid map", (unsigned)st->st_uid,
			    (unsigned)l->uid_base);
	*uid = id;
	if (seen_id(o->gid_map, o->n_gid_map, st->st_gid, l->gid_base, &id))
		return fail(a, e, EINVAL, 0, "stored gid %u (gid base %u) is "
			    "outside the gid map", (unsigned)st->st_gid,
			    (unsigned)l->gid_base);
	*gid = id;
	return 0;
}

/*
 * What this walk makes is euid:egid already (no parent is setgid before
 * its own end), unless DEST's parent hands down its group.
 */
static int needs_chown(const struct assembly *a, uid_t uid, gid_t gid)
{
	return !a->o->rootless &&
	       (uid != a->euid || gid != a->egid || a->inherits);
}

/* ---- checks ---- */

/* Every range of the map sends i to base + i (none: base is 0). */
static int shifts(const struct unpack_idmap *m, size_t n, uint32_t base)
{
	size_t i;

	if (!n)
		return !base;
	for (i = 0; i < n; i++)
		if ((uint64_t)m[i].inside + base != m[i].outside)
			return 0;
	return 1;
}

static int check_overlay(const struct assemble_layer *layers, size_t n,
			 const struct assemble_opts *o, struct err *e)
{
	static const char *const use = "it would see other owners than the "
				       "image's; use --mode hardlink or "
				       "--mode copy";
	const char *which[2] = { "uid", "gid" };
	const struct unpack_idmap *m[2] = { o->uid_map, o->gid_map };
	size_t nm[2] = { o->n_uid_map, o->n_gid_map }, i, k;
	uint32_t base;

	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			base = k ? layers[i].gid_base : layers[i].uid_base;
			if (shifts(m[k], nm[k], base))
				continue;
			if (!nm[k])
				return err_msg(e, EPERM, "overlay: the store "
					       "keeps %s 0 as %s %u and the "
					       "container has no %s map: %s",
					       which[k], which[k],
					       (unsigned)base, which[k], use);
			return err_msg(e, EPERM, "overlay: the container's "
				       "%s map does not send %s 0.. to %s "
				       "%u.., as the store keeps them: %s",
				       which[k], which[k], which[k],
				       (unsigned)base, use);
		}
	return 0;
}

static int check_hardlink(const struct assemble_layer *layers, size_t n,
			  const struct assemble_opts *o, struct err *e)
{
	struct err ignored = { 0 };
	const char *modes;
	size_t i;

	if (o->read_only)
		return 0;
	if (!o->n_uid_map || !o->n_gid_map)
		return err_msg(e, EPERM, "hardlink: without a user namespace "
			       "the container's root is root on the host and "
			       "could write the store's files through the "
			       "links; give the container's --uid-map/"
			       "--gid-map, or --read-only, or use --mode "
			       "overlay or --mode copy");
	modes = check_overlay(layers, n, o, &ignored) ? "--mode copy" :
		"--mode overlay or --mode copy";
	for (i = 0; i < n; i++) {
		if (taken(o->uid_map, o->n_uid_map, layers[i].uid_base))
			return err_msg(e, EPERM, "hardlink: the container's "
				       "uid map takes in uid %u, the store's "
				       "owner: its root could write the "
				       "store's files through the links; "
				       "give a map without it, or "
				       "--read-only, or use %s",
				       (unsigned)layers[i].uid_base, modes);
		if (taken(o->gid_map, o->n_gid_map, layers[i].gid_base))
			return err_msg(e, EPERM, "hardlink: the container's "
				       "gid map takes in gid %u, the store's "
				       "owner: it could write the store's "
				       "files through the links; give a map "
				       "without it, or --read-only, or use "
				       "%s", (unsigned)layers[i].gid_base,
				       modes);
	}
	return 0;
}

int assemble_check(const struct assemble_layer *layers, size_t n,
		   const struct assemble_opts *o, struct err *e)
{
	switch (o->mode) {
	case ASSEMBLE_HARDLINK:
		return check_hardlink(layers, n, o, e);
	case ASSEMBLE_OVERLAY:
		return check_overlay(layers, n, o, e);
	case ASSEMBLE_COPY:
		return 0;
	}
	return err_msg(e, EINVAL, "assemble: mode %d", (int)o->mode);
}

/* ---- one name ---- */

static void proc_name(char out[PROC_NAME], int dirfd, const char *name)
{
	path_fd_name(out, dirfd);
	snprintf(out + strlen(out), PROC_NAME - strlen(out), "/%s", name);
}

/*
 * 1 when the xattrs of dirfd/name could let a mapped id write it or give
 * more than its mode shows: file capabilities (assemble.h), an access
 * ACL's named users and groups.  Unreadable counts as such: it is copied.
 */
static int risky_xattrs(struct assembly *a, int dirfd, const char *name)
{
	char proc[PROC_NAME];
	ssize_t n, i;

	proc_name(proc, dirfd, name);
	n = llistxattr(proc, a->list, XATTR_BUF);
	if (n < 0)
		return errno != ENOTSUP;
	for (i = 0; i < n; i += strlen(a->list + i) + 1)
		if (!strcmp(a->list + i, "security.capability") ||
		    !strcmp(a->list + i, "system.posix_acl_access"))
			return 1;
	return 0;
}

/* The protection rule of assemble.h, for a regular file or a symlink. */
static int may_link(struct assembly *a, const struct src *s,
		    const char *name, const struct stat *st)
{
	const struct assemble_opts *o = a->o;
	const struct assemble_layer *l = s->l;
	mode_t m = st->st_mode, ug;
	uint32_t uid, gid;

	if (o->mode != ASSEMBLE_HARDLINK)
		return 0;
	if (o->read_only &&
	    !seen_id(o->uid_map, o->n_uid_map, st->st_uid, l->uid_base,
		     &uid) &&
	    !seen_id(o->gid_map, o->n_gid_map, st->st_gid, l->gid_base,
		     &gid) &&
	    uid == st->st_uid && gid == st->st_gid)
		return 1;
	if (!o->n_uid_map || !o->n_gid_map ||
	    taken(o->uid_map, o->n_uid_map, st->st_uid) ||
	    taken(o->gid_map, o->n_gid_map, st->st_gid) ||
	    st->st_uid != l->uid_base || st->st_gid != l->gid_base)
		return 0;
	if (S_ISLNK(m))
		return 1;
	if (m & (S_ISUID | S_ISGID | S_IWOTH))
		return 0;
	/* Seen as "other" in the container: r and x must not depend on
	   being the owner or in the group. */
	ug = ((m >> 6) | (m >> 3)) & 05;
	if (ug & ~m)
		return 0;
	return !risky_xattrs(a, s->fd, name);
}

static int overlay_xattr(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) ||
	       !strncmp(name, "user.overlay.", 13);
}

/*
 * The xattrs of a source (sfd, or when it is -1 the path sproc, not
 * followed) onto the copy (dfd, or dproc), overlayfs's own left out.
 */
static int copy_xattrs(struct assembly *a, int sfd, const char *sproc,
		       int dfd, const char *dproc, struct err *e)
{
	char x[SHOWN];
	ssize_t n, v, i;
	const char *name;
	int r;

	n = sfd >= 0 ? flistxattr(sfd, a->list, XATTR_BUF) :
	    llistxattr(sproc, a->list, XATTR_BUF);
	if (n < 0 && errno == ENOTSUP)
		return 0;
	if (n < 0)
		return fail(a, e, errno, 1, "list xattrs");
	for (i = 0; i < n; i += strlen(name) + 1) {
		name = a->list + i;
		if (overlay_xattr(name))
			continue;
		v = sfd >= 0 ? fgetxattr(sfd, name, a->val, XATTR_BUF) :
		    lgetxattr(sproc, name, a->val, XATTR_BUF);
		if (v < 0)
			return fail(a, e, errno, 1, "xattr %s",
				    SHOW(x, name));
		r = dfd >= 0 ? fsetxattr(dfd, name, a->val, v, 0) :
		    lsetxattr(dproc, name, a->val, v, 0);
		if (r < 0 && (errno == ENOTSUP ||
			      (a->o->rootless && errno == EPERM))) {
			a->st.xattrs_skipped++;
			continue;
		}
		if (r < 0)
			return fail(a, e, errno, 1, "set xattr %s",
				    SHOW(x, name));
	}
	return 0;
}

static int copy_data(struct assembly *a, int sfd, int dfd, struct err *e)
{
	ssize_t n;

	for (;;) {
		if (!a->no_cfr) {
			n = copy_file_range(sfd, NULL, dfd, NULL, 1 << 30, 0);
			/*
			 * Another file system, or none that can: read and
			 * write from here on (the offsets moved with what
			 * was done).
			 */
			if (n < 0 && (errno == EXDEV || errno == ENOSYS ||
				      errno == EINVAL || errno == EOPNOTSUPP ||
				      errno == EPERM)) {
				a->no_cfr = 1;
				continue;
			}
		} else {
			n = read(sfd, a->buf, DATA_BUF);
			if (n > 0 && (n = write_full(dfd, a->buf, n)) < 0)
				return fail(a, e, -n, 1, "write");
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(a, e, errno, 1, "copy");
		if (!n)
			return 0;
		a->st.bytes_copied += n;
	}
}

static int copy_file(struct assembly *a, const struct src *s,
		     const char *name, const struct stat *st, int dirfd,
		     struct err *e)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	mode_t mode = st->st_mode & 07777;
	int sfd, dfd, ret;
	uid_t uid;
	gid_t gid;

	ret = owner(a, st, s->l, &uid, &gid, e);
	if (ret < 0)
		return ret;
	sfd = openat(s->fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
		     O_CLOEXEC);
	if (sfd < 0)
		return fail(a, e, errno, 1, "open in the store");
	dfd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, mode & 0777);
	if (dfd < 0) {
		ret = fail(a, e, errno, 1, "create");
		goto out_src;
	}
	ret = copy_data(a, sfd, dfd, e);
	if (ret < 0)
		goto out;
	if (needs_chown(a, uid, gid) &&
	    fchown(dfd, uid, gid) < 0) {
		ret = fail(a, e, errno, 1, "chown %u:%u", (unsigned)uid,
			   (unsigned)gid);
		goto out;
	}
	/* After the data and the chown, which drop security.capability. */
	ret = copy_xattrs(a, sfd, NULL, dfd, NULL, e);
	if (ret < 0)
		goto out;
	/* Made with the permission bits; chown drops setuid/setgid. */
	if ((mode & 07000) && fchmod(dfd, mode) < 0) {
		ret = fail(a, e, errno, 1, "chmod %04o", (unsigned)mode);
		goto out;
	}
	if (futimens(dfd, ts) < 0)
		ret = fail(a, e, errno, 1, "set times");
out:
	if (close(dfd) < 0 && !ret)
		ret = fail(a, e, errno, 1, "close");
out_src:
	close(sfd);
	if (!ret)
		a->st.copied++;
	return ret;
}

/* Owner, xattrs, mode (with chmod) and times of dirfd/name, not opened. */
static int meta_at(struct assembly *a, const struct src *s,
		   const char *name, const struct stat *st, int dirfd,
		   int chmod, struct err *e)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	char sproc[PROC_NAME], dproc[PROC_NAME];
	mode_t mode = st->st_mode & 07777;
	uid_t uid;
	gid_t gid;
	int ret;

	ret = owner(a, st, s->l, &uid, &gid, e);
	if (ret < 0)
		return ret;
	if (needs_chown(a, uid, gid) &&
	    fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(a, e, errno, 1, "chown %u:%u", (unsigned)uid,
			    (unsigned)gid);
	proc_name(sproc, s->fd, name);
	proc_name(dproc, dirfd, name);
	ret = copy_xattrs(a, -1, sproc, -1, dproc, e);
	if (ret < 0)
		return ret;
	if (chmod && (mode & 07000) && fchmodat(dirfd, name, mode, 0) < 0)
		return fail(a, e, errno, 1, "chmod %04o", (unsigned)mode);
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(a, e, errno, 1, "set times");
	return 0;
}

static int make_symlink(struct assembly *a, const struct src *s,
			const char *name, const struct stat *st, int dirfd,
			struct err *e)
{
	ssize_t n = readlinkat(s->fd, name, a->buf, PATH_MAX);

	if (n < 0)
		return fail(a, e, errno, 1, "read the symlink");
	if (n == PATH_MAX)
		return fail(a, e, ENAMETOOLONG, 1, "read the symlink");
	a->buf[n] = 0;
	if (symlinkat(a->buf, dirfd, name) < 0)
		return fail(a, e, errno, 1, "symlink");
	a->st.symlinks++;
	return meta_at(a, s, name, st, dirfd, 0, e);
}

/* A fifo or a device, made anew; 1 when a device is skipped. */
static int make_node(struct assembly *a, const struct src *s,
		     const char *name, const struct stat *st, int dirfd,
		     struct err *e)
{
	int fifo = S_ISFIFO(st->st_mode);

	if (mknodat(dirfd, name, st->st_mode & (S_IFMT | 0777),
		    fifo ? 0 : st->st_rdev) < 0) {
		/* No CAP_MKNOD: as rootless. */
		if (errno == EPERM && !fifo) {
			a->st.devices_skipped++;
			return 1;
		}
		return fail(a, e, errno, 1, "mknod");
	}
	a->st.nodes++;
	return meta_at(a, s, name, st, dirfd, 1, e);
}

/* ---- in-layer hard links of what is not linked to the store ---- */

static size_t node_slot(size_t cap, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino ^ (uint64_t)dev << 40) *
		     0x9e3779b97f4a7c15ULL;

	return (h >> 20) & (cap - 1);
}

static const char *node_find(const struct shared *sh, const struct stat *st)
{
	size_t i;

	if (!sh->nodes_cap)
		return NULL;
	for (i = node_slot(sh->nodes_cap, st->st_dev, st->st_ino);
	     sh->nodes[i].path; i = (i + 1) & (sh->nodes_cap - 1))
		if (sh->nodes[i].dev == st->st_dev &&
		    sh->nodes[i].ino == st->st_ino)
			return sh->nodes[i].path;
	return NULL;
}

static int node_add(struct assembly *a, const struct stat *st,
		    struct err *e)
{
	struct shared *sh = a->sh;
	size_t cap, i, j;
	struct node *n;

	if ((sh->nodes_used + 1) * 2 > sh->nodes_cap) {
		cap = sh->nodes_cap ? sh->nodes_cap * 2 : 256;
		n = calloc(cap, sizeof(*n));
		if (!n)
			return fail(a, e, ENOMEM, 1, "hard links");
		for (i = 0; i < sh->nodes_cap; i++) {
			if (!sh->nodes[i].path)
				continue;
			for (j = node_slot(cap, sh->nodes[i].dev,
					   sh->nodes[i].ino);
			     n[j].path; j = (j + 1) & (cap - 1))
				;
			n[j] = sh->nodes[i];
		}
		free(sh->nodes);
		sh->nodes = n;
		sh->nodes_cap = cap;
	}
	for (i = node_slot(sh->nodes_cap, st->st_dev, st->st_ino);
	     sh->nodes[i].path; i = (i + 1) & (sh->nodes_cap - 1))
		;
	sh->nodes[i].path = strdup(a->path);
	if (!sh->nodes[i].path)
		return fail(a, e, ENOMEM, 1, "hard links");
	sh->nodes[i].dev = st->st_dev;
	sh->nodes[i].ino = st->st_ino;
	sh->nodes_used++;
	return 0;
}

static void count(struct assembly *a, mode_t mode)
{
	if (S_ISREG(mode))
		a->st.copied++;
	else if (S_ISLNK(mode))
		a->st.symlinks++;
	else
		a->st.nodes++;
}

/*
 * Another name of an inode copied already: linked to that copy (1), or
 * 0 when none is recorded.  Its path runs through directories this walk
 * made and never replaces: no symlink.  A recorded copy is complete.
 */
static int link_copied(struct assembly *a, const struct stat *st,
		       const char *name, int dirfd, struct err *e)
{
	char x[SHOWN], *first;
	int ret = 0;

	pthread_mutex_lock(&a->sh->mu);
	first = (char *)node_find(a->sh, st);
	if (first && !(first = strdup(first)))
		ret = fail(a, e, ENOMEM, 1, "hard links");
	pthread_mutex_unlock(&a->sh->mu);
	if (ret || !first)
		return ret;
	ret = linkat(a->rootfd, first, dirfd, name, 0) < 0 ?
	      fail(a, e, errno, 1, "link to %s", SHOW(x, first)) :
	      1;
	if (ret > 0)
		count(a, st->st_mode);
	free(first);
	return ret;
}

static int copy_nondir(struct assembly *a, const struct src *s,
		       const char *name, const struct stat *st, int dirfd,
		       struct err *e)
{
	mode_t t = st->st_mode & S_IFMT;

	if (t == S_IFREG)
		return copy_file(a, s, name, st, dirfd, e);
	if (t == S_IFLNK)
		return make_symlink(a, s, name, st, dirfd, e);
	return make_node(a, s, name, st, dirfd, e);
}

/* What a copy counted, for one that gave way to another walker's. */
static void uncount(struct assembly *a, const struct stat *st)
{
	if (S_ISREG(st->st_mode)) {
		a->st.copied--;
		a->st.bytes_copied -= st->st_size;
	} else if (S_ISLNK(st->st_mode)) {
		a->st.symlinks--;
	} else {
		a->st.nodes--;
	}
}

/* Anything but a directory or a whiteout, from s (the topmost). */
static int put_nondir(struct assembly *a, const struct src *s,
		      const char *name, const struct stat *st, int dirfd,
		      struct err *e)
{
	mode_t t = st->st_mode & S_IFMT;
	const char *first;
	int ret;

	if (t == S_IFSOCK)
		return 0;
	if ((t == S_IFCHR || t == S_IFBLK) && a->no_devices) {
		a->st.devices_skipped++;
		return 0;
	}
	if ((t == S_IFREG || t == S_IFLNK) && may_link(a, s, name, st)) {
		if (linkat(s->fd, name, dirfd, name, 0) < 0)
			return fail(a, e, errno, 1, "link");
		if (t == S_IFLNK)
			a->st.symlinks++;
		else
			a->st.linked++;
		return 0;
	}
	/* In-layer hard links stay links of one copy. */
	if (st->st_nlink > 1 && (ret = link_copied(a, st, name, dirfd, e)))
		return ret < 0 ? ret : 0;
	ret = copy_nondir(a, s, name, st, dirfd, e);
	if (ret == 0 && st->st_nlink > 1) {
		/*
		 * Copied outside the lock (a store file others link to has
		 * st_nlink > 1 too: most copies come here); if another
		 * walker recorded the inode meanwhile, ours gives way.
		 */
		pthread_mutex_lock(&a->sh->mu);
		first = node_find(a->sh, st);
		if (!first)
			ret = node_add(a, st, e);
		pthread_mutex_unlock(&a->sh->mu);
		if (first && unlinkat(dirfd, name, 0) < 0)
			return fail(a, e, errno, 1, "unlink");
		if (first) {
			uncount(a, st);
			if ((ret = link_copied(a, st, name, dirfd, e)) > 0)
				return 0;
		}
	}
	return ret < 0 ? ret : 0;
}

/* ---- the walk ---- */

static int is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

/*
 * Marked opaque (either xattr overlayfs reads).  Most directories have
 * no xattr at all: one listing tells, where two reads would ask.
 */
static int is_opaque(struct assembly *a, int fd)
{
	ssize_t n, i;
	char v[2];

	n = flistxattr(fd, a->list, XATTR_BUF);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i += strlen(a->list + i) + 1)
		if ((!strcmp(a->list + i, UNPACK_OPAQUE_TRUSTED) ||
		     !strcmp(a->list + i, UNPACK_OPAQUE_USER)) &&
		    fgetxattr(fd, a->list + i, v, sizeof(v)) == 1 &&
		    v[0] == 'y')
			return 1;
	return 0;
}

static int is_dir_at(int dirfd, const char *name, unsigned char type)
{
	struct stat st;

	if (type != DT_UNKNOWN)
		return type == DT_DIR;
	return !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	       S_ISDIR(st.st_mode);
}

/* Owner, xattrs, mode, times of the directory fd, after its children. */
static int dir_meta(struct assembly *a, int fd, const struct src *s,
		    const struct stat *st, struct err *e)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	mode_t mode = st->st_mode & 07777;
	uid_t uid;
	gid_t gid;
	int ret;

	ret = owner(a, st, s->l, &uid, &gid, e);
	if (ret < 0)
		return ret;
	if (needs_chown(a, uid, gid) &&
	    fchown(fd, uid, gid) < 0)
		return fail(a, e, errno, 1, "chown %u:%u", (unsigned)uid,
			    (unsigned)gid);
	ret = copy_xattrs(a, s->fd, NULL, fd, NULL, e);
	if (ret < 0)
		return ret;
	/* chown dropped setgid; rootless, it was made 0700. */
	if ((a->o->rootless || (mode & 06000) || fd == a->rootfd ||
	     a->inherits) &&
	    fchmod(fd, mode) < 0)
		return fail(a, e, errno, 1, "chmod %04o", (unsigned)mode);
	if (futimens(fd, ts) < 0)
		return fail(a, e, errno, 1, "set times");
	return 0;
}

static int level_add(struct level *lv, const char *name, size_t src,
		     unsigned char type)
{
	size_t len = strlen(name) + 1, c;
	void *p;

	if (lv->n == lv->cap) {
		c = lv->cap ? lv->cap * 2 : 64;
		p = realloc(lv->ents, c * sizeof(*lv->ents));
		if (!p)
			return -ENOMEM;
		lv->ents = p;
		lv->cap = c;
	}
	if (lv->alen + len > lv->acap) {
		c = lv->acap ? lv->acap : 4096;
		while (lv->alen + len > c)
			c *= 2;
		p = realloc(lv->arena, c);
		if (!p)
			return -ENOMEM;
		lv->arena = p;
		lv->acap = c;
	}
	memcpy(lv->arena + lv->alen, name, len);
	lv->ents[lv->n].off = lv->alen;
	lv->ents[lv->n].src = src;
	lv->ents[lv->n++].type = type;
	lv->alen += len;
	return 0;
}

/*
 * Every layer's names at this place, read straight from the chain's
 * fds (opened for this walk alone, at offset 0: no dup, no DIR).
 */
static int level_read(struct assembly *a, struct level *lv,
		      const struct src *chain, size_t n, struct err *e)
{
	struct dirent *de;
	int ret = 0, got, off;
	size_t k;

	for (k = 0; k < n && !ret; k++) {
		while ((got = getdents(chain[k].fd, (struct dirent *)a->buf,
				       DATA_BUF)) > 0 && !ret)
			for (off = 0; off < got && !ret;
			     off += de->d_reclen) {
				de = (struct dirent *)(a->buf + off);
				if (!strcmp(de->d_name, ".") ||
				    !strcmp(de->d_name, ".."))
					continue;
				ret = level_add(lv, de->d_name, k,
						de->d_type);
				if (ret < 0)
					ret = fail(a, e, -ret, 1, "list");
			}
		if (!ret && got < 0)
			ret = fail(a, e, errno, 1, "list in the store");
	}
	return ret;
}

static int ent_cmp(const void *x, const void *y, void *arena)
{
	const struct ent *p = x, *q = y;
	int r = strcmp((char *)arena + p->off, (char *)arena + q->off);

	return r ? r : (p->src > q->src) - (p->src < q->src);
}

static int walk(struct assembly *a, const struct src *chain, size_t n,
		struct task *t, struct err *e);

static void task_free(struct task *t)
{
	while (t->n)
		close(t->chain[--t->n].fd);
	if (t->fd >= 0)
		close(t->fd);
	free(t->chain);
	free(t->path);
	free(t);
}

/* Keep the first error and make every walker skip what is left. */
static void set_failed(struct assembly *a, const struct err *e)
{
	pthread_mutex_lock(&a->sh->mu);
	if (!a->sh->failed) {
		a->sh->failed = 1;
		a->sh->err = *e;
	}
	pthread_mutex_unlock(&a->sh->mu);
}

/*
 * One less for t to wait for.  At none it is done: its metadata set
 * (unless the assembly failed), freed, and one less for its parent.
 * DEST itself (no parent) is assemble_tree()'s to finish.
 */
static void task_done(struct assembly *a, struct task *t)
{
	char saved[PATH_BUF];
	size_t plen = a->plen;
	struct task *up;
	struct err e;
	int failed;
	unsigned left;

	while (t) {
		pthread_mutex_lock(&a->sh->mu);
		left = --t->pending;
		failed = a->sh->failed;
		pthread_mutex_unlock(&a->sh->mu);
		if (left || !t->parent)
			return;
		if (!failed) {
			memcpy(saved, a->path, plen + 1);
			a->plen = strlen(t->path);
			memcpy(a->path, t->path, a->plen + 1);
			if (dir_meta(a, t->fd, &t->chain[0], &t->st, &e) < 0)
				set_failed(a, &e);
			memcpy(a->path, saved, plen + 1);
			a->plen = plen;
		}
		up = t->parent;
		task_free(t);
		t = up;
	}
}

/* A queued directory: walked here by whichever walker took it. */
static void run_task(struct assembly *a, struct task *t)
{
	struct err e;
	int failed;

	pthread_mutex_lock(&a->sh->mu);
	failed = a->sh->failed;
	pthread_mutex_unlock(&a->sh->mu);
	if (!failed) {
		a->plen = strlen(t->path);
		memcpy(a->path, t->path, a->plen + 1);
		if (walk(a, t->chain, t->n, t, &e) < 0)
			set_failed(a, &e);
	}
	task_done(a, t);
}

/*
 * Queue a job on t when there is room (1; waiter then waits for it),
 * else 0: the caller does it.  Directories take fds, so fewer of them
 * are queued.
 */
static int enqueue(struct assembly *a, struct task *t, struct task *waiter,
		   struct level *lv, size_t from, size_t to)
{
	struct shared *sh = a->sh;
	int queued = 0;

	pthread_mutex_lock(&sh->mu);
	if (sh->walkers > 1 && sh->qn < (lv ? QUEUE_MAX : sh->qmax)) {
		sh->queue[sh->qn++] = (struct job){ t, lv, from, to };
		waiter->pending++;
		if (lv)
			lv->refs++;
		pthread_cond_signal(&sh->cv);
		queued = 1;
	}
	pthread_mutex_unlock(&sh->mu);
	return queued;
}

static void level_put(struct assembly *a, struct level *lv)
{
	unsigned left;

	pthread_mutex_lock(&a->sh->mu);
	left = --lv->refs;
	pthread_mutex_unlock(&a->sh->mu);
	if (left)
		return;
	free(lv->ents);
	free(lv->arena);
	free(lv);
}

static int names(struct assembly *a, const struct src *chain,
		 struct level *lv, size_t from, size_t to, struct task *t,
		 struct err *e);

static void run_job(struct assembly *a, const struct job *j)
{
	struct err e;
	int failed;

	if (!j->lv) {
		run_task(a, j->t);
		return;
	}
	pthread_mutex_lock(&a->sh->mu);
	failed = a->sh->failed;
	pthread_mutex_unlock(&a->sh->mu);
	if (!failed) {
		a->plen = strlen(j->t->path);
		memcpy(a->path, j->t->path, a->plen + 1);
		if (names(a, j->t->chain, j->lv, j->from, j->to,
			  j->t, &e) < 0)
			set_failed(a, &e);
	}
	level_put(a, j->lv);
	task_done(a, j->t);
}

/* Take queued directories until none is left and no walker is busy. */
static void *walker(void *arg)
{
	struct assembly *a = arg;
	struct shared *sh = a->sh;
	struct job j;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		if (sh->qn) {
			j = sh->queue[--sh->qn];
			sh->busy++;
			pthread_mutex_unlock(&sh->mu);
			run_job(a, &j);
			pthread_mutex_lock(&sh->mu);
			sh->busy--;
			continue;
		}
		if (!sh->busy)
			break;
		pthread_cond_wait(&sh->cv, &sh->mu);
	}
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

/*
 * The directory name, topmost in g[0] (st), merged with the same name
 * below it while that is a directory and none so far is opaque: made in
 * dirfd, then queued for another walker or walked on the spot.
 */
static int merge_dir(struct assembly *a, const struct src *chain,
		     const struct ent *g, size_t ng, const char *name,
		     const struct stat *st, int dirfd, struct task *parent,
		     struct err *e)
{
	struct task *t;
	size_t i;
	int fd, ret = 0;

	t = calloc(1, sizeof(*t));
	if (t) {
		t->fd = -1;
		t->chain = malloc(ng * sizeof(*t->chain));
		t->path = strdup(a->path);
	}
	if (!t || !t->chain || !t->path) {
		if (t)
			task_free(t);
		return fail(a, e, ENOMEM, 1, "merge");
	}
	t->st = *st;
	t->parent = parent;
	t->pending = 1;
	for (i = 0; i < ng; i++) {
		/* A whiteout or a file below hides the rest. */
		if (i && !is_dir_at(chain[g[i].src].fd, name, g[i].type))
			break;
		fd = openat(chain[g[i].src].fd, name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = fail(a, e, errno, 1, "open in the store");
			goto out_free;
		}
		t->chain[t->n].fd = fd;
		t->chain[t->n++].l = chain[g[i].src].l;
		if (is_opaque(a, fd)) {
			if (i + 1 < ng)
				a->st.whiteouts++;
			break;
		}
	}
	/*
	 * Root fills any directory: made with its mode.  Rootless, owner
	 * rwx until dir_meta(), so the walk can fill it.
	 */
	if (mkdirat(dirfd, name, a->o->rootless ? 0700 :
		    st->st_mode & 01777) < 0) {
		ret = fail(a, e, errno, 1, "mkdir");
		goto out_free;
	}
	t->fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		       O_CLOEXEC);
	if (t->fd < 0) {
		ret = fail(a, e, errno, 1, "open");
		goto out_free;
	}
	a->st.dirs++;
	if (enqueue(a, t, parent, NULL, 0, 0))
		return 0;
	pthread_mutex_lock(&a->sh->mu);
	parent->pending++;
	pthread_mutex_unlock(&a->sh->mu);
	ret = walk(a, t->chain, t->n, t, e);
	if (ret < 0)
		set_failed(a, e);
	task_done(a, t);
	return ret;
out_free:
	task_free(t);
	return ret;
}

/* One name of a merged directory: g[0..ng), its layers, top first. */
static int one(struct assembly *a, const struct src *chain,
	       const struct ent *g, size_t ng, const char *arena,
	       struct task *t, struct err *e)
{
	const char *name = arena + g[0].off;
	const struct src *top = &chain[g[0].src];
	size_t len = strlen(name), saved = a->plen;
	struct stat st;
	int ret = 0;

	if (a->plen + 1 + len >= sizeof(a->path))
		return fail(a, e, ENAMETOOLONG, 1, "%s", name);
	if (a->plen)
		a->path[a->plen++] = '/';
	memcpy(a->path + a->plen, name, len + 1);
	a->plen += len;
	/* Linked whatever its owner and mode: nothing to look at. */
	if (a->blind && (g[0].type == DT_REG || g[0].type == DT_LNK)) {
		if (linkat(top->fd, name, t->fd, name, 0) < 0)
			ret = fail(a, e, errno, 1, "link");
		else if (g[0].type == DT_LNK)
			a->st.symlinks++;
		else
			a->st.linked++;
	} else if (fstatat(top->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = fail(a, e, errno, 1, "stat in the store");
	} else if (S_ISDIR(st.st_mode)) {
		ret = merge_dir(a, chain, g, ng, name, &st, t->fd, t, e);
	} else if (is_whiteout(&st)) {
		a->st.whiteouts++;
	} else {
		ret = put_nondir(a, top, name, &st, t->fd, e);
	}
	a->plen = saved;
	a->path[saved] = 0;
	return ret;
}

/* Names [from, to) of the sorted listing lv, each group one name. */
static int names(struct assembly *a, const struct src *chain,
		 struct level *lv, size_t from, size_t to, struct task *t,
		 struct err *e)
{
	size_t i, j;
	int ret = 0;

	for (i = from; !ret && i < to; i = j) {
		for (j = i + 1; j < to &&
		     !strcmp(lv->arena + lv->ents[j].off,
			     lv->arena + lv->ents[i].off); j++)
			;
		ret = one(a, chain, &lv->ents[i], j - i, lv->arena, t, e);
	}
	return ret;
}

/* The first group past at least CHUNK names from i: a cut. */
static size_t cut(const struct level *lv, size_t i)
{
	size_t j = i + CHUNK;

	if (j >= lv->n)
		return lv->n;
	while (j < lv->n && !strcmp(lv->arena + lv->ents[j].off,
				    lv->arena + lv->ents[j - 1].off))
		j++;
	return j;
}

/*
 * The merged directory of chain[0..n) (top first) into t's; a large
 * one's names after the first CHUNK are shared out to other walkers.
 */
static int walk(struct assembly *a, const struct src *chain, size_t n,
		struct task *t, struct err *e)
{
	struct level *lv = calloc(1, sizeof(*lv));
	size_t first, from, to;
	int ret;

	if (!lv)
		return fail(a, e, ENOMEM, 1, "list");
	lv->refs = 1;
	ret = level_read(a, lv, chain, n, e);
	if (!ret && lv->n)
		qsort_r(lv->ents, lv->n, sizeof(*lv->ents), ent_cmp,
			lv->arena);
	first = ret ? lv->n : cut(lv, 0);
	for (from = first; from < lv->n; from = to) {
		to = cut(lv, from);
		if (!enqueue(a, t, t, lv, from, to))
			break;
	}
	if (!ret)
		ret = names(a, chain, lv, 0, first, t, e);
	/* What did not fit in the queue. */
	if (!ret && from < lv->n)
		ret = names(a, chain, lv, from, lv->n, t, e);
	level_put(a, lv);
	return ret;
}

/* The layers' roots, top first, down to the first opaque one. */
static int open_roots(struct assembly *a, const struct assemble_layer *l,
		      size_t n, struct src *chain, size_t *k,
		      struct err *e)
{
	size_t i;
	int fd;

	for (i = n; i-- > 0;) {
		fd = openat(l[i].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return fail(a, e, errno, 1, "open layer %zu", i);
		chain[*k].fd = fd;
		chain[(*k)++].l = &l[i];
		if (is_opaque(a, fd)) {
			if (i)
				a->st.whiteouts++;
			break;
		}
	}
	return 0;
}

/* hardlink: links cross no file system. */
static int same_fs(struct assembly *a, const struct src *chain, size_t n,
		   struct err *e)
{
	struct stat d, s;
	size_t i;

	if (fstat(a->rootfd, &d) < 0)
		return fail(a, e, errno, 1, "stat");
	for (i = 0; i < n; i++) {
		if (fstat(chain[i].fd, &s) < 0)
			return fail(a, e, errno, 1, "stat a layer");
		if (s.st_dev != d.st_dev)
			return err_msg(e, EXDEV, "hardlink: the destination "
				       "is on another file system than the "
				       "store: use --mode copy");
	}
	return 0;
}

/* Hard links whatever the owner and mode: no file needs a stat. */
static int blind(const struct assemble_layer *l, size_t n,
		 const struct assemble_opts *o)
{
	size_t i;

	if (o->mode != ASSEMBLE_HARDLINK || !o->read_only || o->n_uid_map ||
	    o->n_gid_map)
		return 0;
	for (i = 0; i < n; i++)
		if (l[i].uid_base || l[i].gid_base)
			return 0;
	return 1;
}

static void add_stats(struct assemble_stats *to,
		      const struct assemble_stats *st)
{
	to->dirs += st->dirs;
	to->linked += st->linked;
	to->copied += st->copied;
	to->symlinks += st->symlinks;
	to->nodes += st->nodes;
	to->whiteouts += st->whiteouts;
	to->bytes_copied += st->bytes_copied;
	to->devices_skipped += st->devices_skipped;
	to->xattrs_skipped += st->xattrs_skipped;
}

/*
 * Walk the tree from root (the main thread's a) with a walker per CPU
 * (at most WALKERS_MAX); the stats of all in a->st.
 */
static void walk_all(struct assembly *a, struct task *root)
{
	struct assembly w[WALKERS_MAX - 1];
	pthread_t tid[WALKERS_MAX - 1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_attr_t attr;
	int i, k = 0, want;

	want = cpus < 1 ? 1 : cpus > WALKERS_MAX ? WALKERS_MAX : (int)cpus;
	a->sh->busy = 1;
	/* The walk recurses where the queue is full: the main thread's
	   depth, not musl's 128 KiB default. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WALKER_STACK);
	for (i = 0; i < want - 1; i++) {
		w[k] = *a;
		memset(&w[k].st, 0, sizeof(w[k].st));
		w[k].buf = malloc(DATA_BUF);
		w[k].list = malloc(XATTR_BUF);
		w[k].val = malloc(XATTR_BUF);
		if (!w[k].buf || !w[k].list || !w[k].val ||
		    pthread_create(&tid[k], &attr, walker, &w[k])) {
			free(w[k].buf);
			free(w[k].list);
			free(w[k].val);
			break;
		}
		k++;
	}
	pthread_attr_destroy(&attr);
	a->sh->walkers = k + 1;
	run_task(a, root);
	pthread_mutex_lock(&a->sh->mu);
	a->sh->busy--;
	pthread_mutex_unlock(&a->sh->mu);
	walker(a);
	for (i = 0; i < k; i++) {
		pthread_join(tid[i], NULL);
		add_stats(&a->st, &w[i].st);
		free(w[i].buf);
		free(w[i].list);
		free(w[i].val);
	}
}

int assemble_tree(int destfd, const struct assemble_layer *layers, size_t n,
		  const struct assemble_opts *o, struct assemble_stats *st,
		  struct err *e)
{
	struct shared sh = { .mu = PTHREAD_MUTEX_INITIALIZER,
			     .cv = PTHREAD_COND_INITIALIZER };
	struct assembly a = { .o = o, .rootfd = -1, .sh = &sh };
	struct task root = { .path = (char *)"", .pending = 1 };
	struct rlimit nofile, raised;
	struct src *chain = NULL;
	size_t k = 0, i;
	struct stat dst;
	int ret, lim;
	mode_t mask;

	if (o->mode == ASSEMBLE_OVERLAY)
		return err_msg(e, EINVAL, "assemble: overlay is a mount: "
			       "assemble_overlay()");
	if (!n)
		return err_msg(e, EINVAL, "assemble: no layers");
	ret = assemble_check(layers, n, o, e);
	if (ret < 0)
		return ret;
	a.euid = geteuid();
	a.egid = getegid();
	a.no_devices = o->rootless || unpack_in_userns();
	a.blind = blind(layers, n, o);
	a.buf = malloc(DATA_BUF);
	a.list = malloc(XATTR_BUF);
	a.val = malloc(XATTR_BUF);
	chain = calloc(n, sizeof(*chain));
	if (!a.buf || !a.list || !a.val || !chain) {
		ret = err_sys(e, ENOMEM, "assemble");
		goto out;
	}
	a.rootfd = openat(destfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a.rootfd < 0) {
		ret = err_sys(e, errno, "assemble: open the destination");
		goto out;
	}
	ret = open_roots(&a, layers, n, chain, &k, e);
	if (!ret && o->mode == ASSEMBLE_HARDLINK)
		ret = same_fs(&a, chain, k, e);
	if (!ret && fstat(chain[0].fd, &root.st) < 0)
		ret = fail(&a, e, errno, 1, "stat the top layer");
	if (ret)
		goto out;
	/* Under a setgid parent new entries take its group and bit. */
	if (fstat(a.rootfd, &dst) == 0 &&
	    (dst.st_gid != a.egid || (dst.st_mode & S_ISGID)))
		a.inherits = 1;
	root.chain = chain;
	root.n = k;
	root.fd = a.rootfd;
	/* A queued directory holds an fd per layer and its own. */
	sh.qmax = 256 / (k + 1);
	if (sh.qmax > QUEUE_MAX)
		sh.qmax = QUEUE_MAX;
	/*
	 * Each walker holds a directory's layers open at every depth it
	 * is in, and queued directories theirs: all the fds allowed.
	 */
	lim = getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
	      nofile.rlim_cur < nofile.rlim_max;
	raised = nofile;
	raised.rlim_cur = nofile.rlim_max;
	if (lim && setrlimit(RLIMIT_NOFILE, &raised) < 0)
		lim = 0;
	/* Everything is made with its mode: most need no chmod. */
	mask = umask(0);
	walk_all(&a, &root);
	if (sh.failed) {
		*e = sh.err;
		ret = -e->no;
	} else {
		a.plen = 0;
		a.path[0] = 0;
		ret = dir_meta(&a, a.rootfd, &chain[0], &root.st, e);
	}
	umask(mask);
	if (lim)
		setrlimit(RLIMIT_NOFILE, &nofile);
out:
	if (st)
		*st = a.st;
	while (k)
		close(chain[--k].fd);
	if (a.rootfd >= 0)
		close(a.rootfd);
	for (i = 0; i < sh.nodes_cap; i++)
		free(sh.nodes[i].path);
	free(sh.nodes);
	free(chain);
	free(a.val);
	free(a.list);
	free(a.buf);
	return ret;
}

/* ---- overlay ---- */

/* Append s to buf[*len..size), escaping overlayfs's separators. */
static int opt_put(char *buf, size_t size, size_t *len, const char *s,
		   int esc)
{
	for (; *s; s++) {
		if (esc && (*s == ':' || *s == ',' || *s == '\\')) {
			if (*len + 1 >= size)
				return -E2BIG;
			buf[(*len)++] = '\\';
		}
		if (*len + 1 >= size)
			return -E2BIG;
		buf[(*len)++] = *s;
	}
	buf[*len] = 0;
	return 0;
}

/*
 * The mount's options into buf (the page the kernel copies); by_fd
 * names each layer as /proc/self/fd/N, short enough for many more (and
 * so is one without a path).
 */
static int overlay_data(char *buf, size_t size,
			const struct assemble_layer *layers, size_t n,
			const char *upper, const char *work, int by_fd)
{
	char fdname[32];
	size_t len = 0, i;
	int ret;

	ret = opt_put(buf, size, &len, "lowerdir=", 0);
	for (i = n; !ret && i-- > 0;) {
		if (by_fd || !layers[i].path)
			path_fd_name(fdname, layers[i].fd);
		ret = opt_put(buf, size, &len, by_fd || !layers[i].path ?
			      fdname : layers[i].path, 1);
		if (!ret && i)
			ret = opt_put(buf, size, &len, ":", 0);
	}
	if (!ret)
		ret = opt_put(buf, size, &len, ",upperdir=", 0);
	if (!ret)
		ret = opt_put(buf, size, &len, upper, 1);
	if (!ret)
		ret = opt_put(buf, size, &len, ",workdir=", 0);
	if (!ret)
		ret = opt_put(buf, size, &len, work, 1);
	if (!ret && unpack_in_userns())
		ret = opt_put(buf, size, &len, ",userxattr", 0);
	return ret;
}

/*
 * overlayfs shows the merged root as the upper directory is: give it the
 * top layer root's owner (what the container sees: assemble_check()),
 * mode and times.
 */
static int upper_root(const char *dest, const struct assemble_layer *top,
		      const char *upper, const struct assemble_opts *o,
		      struct err *e)
{
	struct timespec ts[2];
	struct stat st;
	int fd, ret = 0;

	if (fstat(top->fd, &st) < 0)
		return err_sys(e, errno, "overlay on %s: the top layer", dest);
	fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "overlay on %s: %s", dest, upper);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (!o->rootless && fchown(fd, st.st_uid, st.st_gid) < 0)
		ret = err_sys(e, errno, "overlay on %s: chown %s", dest,
			      upper);
	else if (fchmod(fd, st.st_mode & 07777) < 0 || futimens(fd, ts) < 0)
		ret = err_sys(e, errno, "overlay on %s: %s", dest, upper);
	close(fd);
	return ret;
}

int assemble_overlay(const char *dest, const struct assemble_layer *layers,
		     size_t n, const char *upper, const char *work,
		     const struct assemble_opts *o, struct err *e)
{
	struct assemble_opts ov = *o;
	long page = sysconf(_SC_PAGESIZE);
	char *buf;
	int ret;

	if (!n)
		return err_msg(e, EINVAL, "overlay on %s: no layers", dest);
	ov.mode = ASSEMBLE_OVERLAY;
	ret = assemble_check(layers, n, &ov, e);
	if (ret < 0)
		return ret;
	ret = upper_root(dest, &layers[n - 1], upper, o, e);
	if (ret < 0)
		return ret;
	if (page < 4096)
		page = 4096;
	buf = malloc(page);
	if (!buf)
		return err_sys(e, ENOMEM, "overlay on %s", dest);
	ret = overlay_data(buf, page, layers, n, upper, work, 0);
	if (ret == -E2BIG)
		ret = overlay_data(buf, page, layers, n, upper, work, 1);
	if (ret == -E2BIG)
		ret = err_msg(e, E2BIG, "overlay on %s: %zu layers do not fit "
			      "in a mount's %ld bytes of options", dest, n,
			      page);
	else if (mount("overlay", dest, "overlay", 0, buf) < 0)
		ret = err_sys(e, errno, "overlay on %s: mount", dest);
	free(buf);
	return ret;
}
