/*
 * unpack.c - apply a layer to DEST; see unpack.h.  OCI image-spec
 * layer.md.  Each file's steps run in the order that keeps what a later
 * step would undo: data before xattrs (a write drops
 * security.capability), chown before xattrs and chmod (chown drops the
 * capability and setuid/setgid), times last, directories' at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "path.h"
#include "unpack.h"

#define NAME_BUF 4096		/* longest name kept: tar's max_name */
#define DATA_BUF (256 << 10)	/* file data moves in writes this large */
#define STACK_MAX 64		/* directory levels kept open */
#define TREE_MAX 512		/* levels a removal descends */
#define PROGRESS_STEP (8ULL << 20)
#define MEMORY_DEFAULT ((size_t)256 << 20)
#define SHOWN 160		/* a name in a message, escaped */

/* What the layer did at a name (struct slot flags). */
enum {
	T_ENTRY = 1,		/* an entry of this layer */
	T_ABOVE = 2,		/* a directory above one */
	T_REC = 4,		/* has a directory record, nothing more */
};

struct slot {
	uint64_t hash;
	uint32_t off, len;	/* the name in the arena */
	uint32_t flags;		/* 0: a free slot */
	int32_t dir;		/* its record in dirs[], or -1 */
};

/* A directory to finish in unpack_end(). */
struct dirrec {
	uint32_t off;		/* the name in the arena */
	mode_t mode;		/* to set, or (mode_t)-1 */
	struct timespec mtime;	/* tv_nsec UTIME_OMIT: leave it */
	dev_t dev;
	ino_t ino;
};

/*
 * The directories of the last entry's parent, from DEST down, open: tar
 * order is depth-first, so the next entry mostly shares all of them.
 * Only what lies below the current parent is ever removed, so a level
 * stays what its name says until the stack drops it.
 */
struct dirstack {
	int fd[STACK_MAX];	/* fd[0]: DEST */
	gid_t newgid[STACK_MAX];	/* the group a new file there gets */
	size_t end[STACK_MAX];	/* path[0..end[i]) names level i */
	int n;
	char path[NAME_BUF];
};

/* A resolved parent: borrowed, valid until the next parent_open(). */
struct pdir {
	int fd;
	gid_t newgid;
};

struct unpack {
	int rootfd;
	struct unpack_opts o;
	struct unpack_stats st;
	uid_t euid;
	gid_t egid;
	mode_t umask;		/* the caller's, back in unpack_free() */
	int no_devices, ending, umask_set;
	const char *opaque;	/* keep_whiteouts: the xattr that marks */
	uint64_t key[2];
	uint64_t next_progress;
	const char *cur;	/* the entry's name as given */
	char path[NAME_BUF], link[NAME_BUF], work[NAME_BUF];
	struct dirstack ds;
	int oneoff;		/* a parent resolved off the stack, or -1 */
	char *buf;
	/* The layer's names: an open-addressing table over an arena. */
	struct slot *slots;
	size_t cap, used;
	char *arena;
	size_t alen, acap;
	struct dirrec *dirs;
	size_t ndirs, cdirs;
	size_t mem, max_mem;
};

#define SHOW(buf, s) err_shown((s), strlen(s), (buf), sizeof(buf))

static int vfail(struct unpack *u, struct err *e, int no, int sys,
		 const char *fmt, va_list ap)
{
	char name[SHOWN], what[ERR_MSG_MAX];

	vsnprintf(what, sizeof(what), fmt, ap);
	SHOW(name, u->cur);
	if (u->ending)
		return err_msg(e, no, "unpack: %s: %s%s%s", name, what,
			       sys ? ": " : "", sys ? strerror(no) : "");
	return err_msg(e, no, "unpack: %s (entry %llu): %s%s%s", name,
		       (unsigned long long)u->st.entries, what,
		       sys ? ": " : "", sys ? strerror(no) : "");
}

/* "unpack: NAME (entry N): what" */
__attribute__((format(printf, 4, 5)))
static int fail(struct unpack *u, struct err *e, int no, const char *fmt,
		...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(u, e, no, 0, fmt, ap);
	va_end(ap);
	return ret;
}

/* "unpack: NAME (entry N): what: strerror(no)" */
__attribute__((format(printf, 4, 5)))
static int fail_sys(struct unpack *u, struct err *e, int no,
		    const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(u, e, no, 1, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * in as a name inside DEST into out[NAME_BUF]: no leading '/' (stripped
 * as GNU tar does), no "." or empty components, no trailing '/'.  Its
 * length, -EINVAL for a ".." component, -ENAMETOOLONG.
 */
static ssize_t normalize(const char *in, char *out)
{
	const char *p = in;
	size_t n = 0, len;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -EINVAL;
		if (len != 1 || p[0] != '.') {
			if (n + 1 + len >= NAME_BUF)
				return -ENAMETOOLONG;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = 0;
	return n;
}

/*
 * SipHash-2-4 (Aumasson and Bernstein) keyed at random per layer, so an
 * archive cannot pick names that collide in the table.
 */
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v)							\
	do {								\
		v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0];	\
		v[0] = ROTL(v[0], 32);					\
		v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];	\
		v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];	\
		v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2];	\
		v[2] = ROTL(v[2], 32);					\
	} while (0)

static uint64_t siphash(const uint64_t key[2], const char *s, size_t len)
{
	uint64_t v[4] = {
		key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
		key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL,
	};
	const unsigned char *p = (const unsigned char *)s;
	uint64_t m;
	size_t i, j;

	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		v[3] ^= m;
		SIPROUND(v);
		SIPROUND(v);
		v[0] ^= m;
	}
	for (m = (uint64_t)len << 56, j = 0; i + j < len; j++)
		m |= (uint64_t)p[i + j] << (8 * j);
	v[3] ^= m;
	SIPROUND(v);
	SIPROUND(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (j = 0; j < 4; j++)
		SIPROUND(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Grow *p from old to new bytes within the layer's memory budget. */
static int budget_realloc(struct unpack *u, void **p, size_t old,
			  size_t new)
{
	void *n;

	if (new - old > u->max_mem - u->mem)
		return -E2BIG;
	n = realloc(*p, new);
	if (!n)
		return -ENOMEM;
	*p = n;
	u->mem += new - old;
	return 0;
}

static int budget_fail(struct unpack *u, int ret, struct err *e)
{
	if (ret == -E2BIG)
		return fail(u, e, ENOMEM, "the layer's names need more than "
			    "%zu bytes", u->max_mem);
	return fail_sys(u, e, -ret, "track names");
}

static struct slot *track_find(struct unpack *u, const char *s, size_t len,
			       uint64_t h)
{
	struct slot *t;
	size_t i;

	if (!u->cap)
		return NULL;
	for (i = h & (u->cap - 1); u->slots[i].flags;
	     i = (i + 1) & (u->cap - 1)) {
		t = &u->slots[i];
		if (t->hash == h && t->len == len &&
		    !memcmp(u->arena + t->off, s, len))
			return t;
	}
	return NULL;
}

static int track_grow(struct unpack *u)
{
	size_t cap = u->cap ? u->cap * 2 : 1024, i, j, bytes;
	struct slot *n;

	bytes = cap * sizeof(*n);
	if (bytes > u->max_mem - u->mem)
		return -E2BIG;
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (i = 0; i < u->cap; i++) {
		if (!u->slots[i].flags)
			continue;
		for (j = u->slots[i].hash & (cap - 1); n[j].flags;
		     j = (j + 1) & (cap - 1))
			;
		n[j] = u->slots[i];
	}
	free(u->slots);
	u->mem += bytes - u->cap * sizeof(*n);
	u->slots = n;
	u->cap = cap;
	return 0;
}

/*
 * Add flag to the slot of s[0..len), made when missing; *had: the flags
 * it had.  The slot, valid until the next track_add(); NULL: *ret says
 * why.
 */
static struct slot *track_add(struct unpack *u, const char *s, size_t len,
			      unsigned flag, unsigned *had, int *ret)
{
	uint64_t h = siphash(u->key, s, len);
	struct slot *t = track_find(u, s, len, h);
	size_t i, acap;

	if (!t) {
		if ((u->used + 1) * 2 > u->cap && (*ret = track_grow(u)) < 0)
			return NULL;
		if (u->alen + len + 1 > u->acap) {
			acap = u->acap ? u->acap : 65536;
			while (u->alen + len + 1 > acap)
				acap *= 2;
			if (acap > UINT32_MAX) {
				*ret = -E2BIG;
				return NULL;
			}
			*ret = budget_realloc(u, (void **)&u->arena, u->acap,
					      acap);
			if (*ret < 0)
				return NULL;
			u->acap = acap;
		}
		for (i = h & (u->cap - 1); u->slots[i].flags;
		     i = (i + 1) & (u->cap - 1))
			;
		t = &u->slots[i];
		t->hash = h;
		t->off = u->alen;
		t->len = len;
		t->dir = -1;
		memcpy(u->arena + u->alen, s, len);
		u->arena[u->alen + len] = 0;
		u->alen += len + 1;
		u->used++;
	}
	*had = t->flags;
	t->flags |= flag;
	return t;
}

/* path[0..len) is this layer's, and so every directory above it. */
static int track_entry(struct unpack *u, const char *path, size_t len,
		       struct err *e)
{
	size_t l = len;
	unsigned had;
	int ret;

	while (l) {
		while (l && path[l - 1] != '/')
			l--;
		if (!l)
			break;
		l--;
		if (!track_add(u, path, l, T_ABOVE, &had, &ret))
			return budget_fail(u, ret, e);
		if (had & T_ABOVE)
			break;
	}
	if (!track_add(u, path, len, T_ENTRY, &had, &ret))
		return budget_fail(u, ret, e);
	return 0;
}

/*
 * The directory at path[0..len) is to get mode (or (mode_t)-1: keep
 * it) and mtime at the end; keep an earlier record when !replace.
 */
static int record_dir(struct unpack *u, const char *path, size_t len,
		      mode_t mode, struct timespec mtime,
		      const struct stat *st, int replace, struct err *e)
{
	struct dirrec *d;
	struct slot *t;
	unsigned had;
	size_t c;
	int ret;

	t = track_add(u, path, len, T_REC, &had, &ret);
	if (!t)
		return budget_fail(u, ret, e);
	if (t->dir >= 0 && !replace)
		return 0;
	if (t->dir < 0) {
		if (u->ndirs == u->cdirs) {
			c = u->cdirs ? u->cdirs * 2 : 256;
			ret = budget_realloc(u, (void **)&u->dirs,
					     u->cdirs * sizeof(*d),
					     c * sizeof(*d));
			if (ret < 0)
				return budget_fail(u, ret, e);
			u->cdirs = c;
		}
		t->dir = u->ndirs++;
		u->dirs[t->dir].off = t->off;
	}
	d = &u->dirs[t->dir];
	d->mode = mode;
	d->mtime = mtime;
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	return 0;
}

/*
 * Rootless: a directory a lower layer left without owner rwx (Fedora's
 * 0555 /usr/bin) is opened up for this layer and given its mode back at
 * the end.  A failure is left for the operation that needed it to name.
 */
static int unlock_dir(struct unpack *u, int dirfd, const char *name,
		      const char *path, size_t len, const struct stat *st,
		      struct err *e)
{
	static const struct timespec keep = { 0, UTIME_OMIT };

	if (!u->o.rootless || u->ending || (st->st_mode & 0700) == 0700)
		return 0;
	/*
	 * name was just opened O_NOFOLLOW as a directory; rootless, a chmod
	 * can reach only what the caller owns anyway.
	 */
	if (fchmodat(dirfd, name, (st->st_mode & 07777) | 0700, 0) < 0)
		return 0;
	return record_dir(u, path, len, st->st_mode & 07777, keep, st, 0, e);
}

static void stack_trim(struct dirstack *s, const char *p, size_t len)
{
	size_t l;

	while (s->n > 1) {
		l = s->end[s->n - 1];
		if (l <= len && !memcmp(s->path, p, l) &&
		    (l == len || p[l] == '/'))
			break;
		close(s->fd[--s->n]);
	}
}

static gid_t newgid(const struct unpack *u, const struct stat *st)
{
	return st->st_mode & S_ISGID ? st->st_gid : u->egid;
}

/* The directory fd (taken) is p[0..len), one level below the top. */
static void stack_push(struct dirstack *s, int fd, const char *p,
		       size_t len, gid_t gid)
{
	size_t top = s->end[s->n - 1];

	memcpy(s->path + top, p + top, len - top);
	s->fd[s->n] = fd;
	s->newgid[s->n] = gid;
	s->end[s->n++] = len;
}

/* The general resolver, confined to DEST: for symlinks and depth. */
static int parent_resolve(struct unpack *u, const char *p, size_t len,
			  int create, struct pdir *out, struct err *e)
{
	char shown_p[SHOWN];
	struct stat st;
	int fd;

	memcpy(u->work, p, len);
	u->work[len] = 0;
	fd = path_open_in_root(u->rootfd, u->work,
			       create ? PATH_MKDIR : PATH_NOCREATE);
	if (fd >= 0 && fstat(fd, &st) < 0) {
		close(fd);
		fd = -errno;
	}
	if (fd >= 0 && !S_ISDIR(st.st_mode)) {
		close(fd);
		fd = -ENOTDIR;
	}
	if (fd < 0) {
		if (!create && (fd == -ENOENT || fd == -ENOTDIR))
			return 1;
		return fail_sys(u, e, -fd, "%s",
				err_shown(p, len, shown_p, sizeof(shown_p)));
	}
	u->oneoff = fd;
	out->fd = fd;
	out->newgid = newgid(u, &st);
	return 0;
}

/*
 * The directory p[0..len) of DEST into *out; with create, missing
 * directories are made (0755, as GNU tar makes them).  A symlink on the
 * way is followed inside DEST.  0; 1 when !create and it is not there
 * (or not a directory); -errno with *e set.
 */
/*
 * A directory the layer names no entry for, made as a parent: the
 * container's root's, as an entry of uid and gid 0 would be.
 */
static int implicit_owner(struct unpack *u, int dirfd, const char *name,
			  struct err *e)
{
	uint32_t uid, gid;

	if (u->o.rootless || (!u->o.n_uid_map && !u->o.n_gid_map))
		return 0;
	if (unpack_idmap_map(u->o.uid_map, u->o.n_uid_map, 0, &uid) ||
	    unpack_idmap_map(u->o.gid_map, u->o.n_gid_map, 0, &gid))
		return 0;
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys(u, e, errno, "chown %u:%u", (unsigned)uid,
				(unsigned)gid);
	return 0;
}

static int parent_open(struct unpack *u, const char *p, size_t len,
		       int create, struct pdir *out, struct err *e)
{
	struct dirstack *s = &u->ds;
	char name[NAME_MAX + 1], shown_p[SHOWN];
	size_t pos, clen = 0;
	struct stat st;
	int fd, top, ret;

	if (u->oneoff >= 0) {
		close(u->oneoff);
		u->oneoff = -1;
	}
	stack_trim(s, p, len);
	pos = s->end[s->n - 1];
	while (pos < len) {
		if (pos)
			pos++;
		clen = 0;
		while (pos + clen < len && p[pos + clen] != '/')
			clen++;
		if (s->n == STACK_MAX || clen > NAME_MAX)
			return parent_resolve(u, p, len, create, out, e);
		memcpy(name, p + pos, clen);
		name[clen] = 0;
		top = s->fd[s->n - 1];
		fd = openat(top, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(top, name, 0755) == 0) {
				ret = implicit_owner(u, top, name, e);
				if (ret < 0)
					return ret;
			} else if (errno != EEXIST) {
				goto fail;
			}
			fd = openat(top, name, O_PATH | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 && errno == ENOTDIR &&
		    !fstatat(top, name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISLNK(st.st_mode))
			return parent_resolve(u, p, len, create, out, e);
		if (fd < 0)
			goto fail;
		if (fstat(fd, &st) < 0) {
			ret = errno;
			close(fd);
			errno = ret;
			goto fail;
		}
		ret = unlock_dir(u, top, name, p, pos + clen, &st, e);
		if (ret < 0) {
			close(fd);
			return ret;
		}
		stack_push(s, fd, p, pos + clen, newgid(u, &st));
		pos += clen;
	}
	out->fd = s->fd[s->n - 1];
	out->newgid = s->newgid[s->n - 1];
	return 0;
fail:
	if (!create && (errno == ENOENT || errno == ENOTDIR))
		return 1;
	return fail_sys(u, e, errno, "%s",
			err_shown(p, pos + clen, shown_p, sizeof(shown_p)));
}

static int open_dir(struct unpack *u, int dirfd, const char *name);

/*
 * Remove dirfd/name and, for a directory, everything below it
 * (path_remove_tree(): never following a symlink, never entering a
 * mount point); a file, the common case, in one unlinkat.  0 or -errno.
 */
static int remove_tree(int dirfd, const char *name)
{
	struct err e = { 0 };

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -errno;
	return path_remove_tree(dirfd, name, &e);
}

static int prune(struct unpack *u, int dirfd, const char *name, size_t len,
		 int depth);

/*
 * Prune each child of the directory fd (taken), u->work[0..len) its
 * name.
 */
static int prune_children(struct unpack *u, int fd, size_t len, int depth)
{
	struct dirent *de;
	size_t n, l;
	int ret = 0;
	DIR *d;

	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = strlen(de->d_name);
		l = SIZE_MAX;
		if (len + 1 + n < NAME_BUF) {
			l = len;
			if (l)
				u->work[l++] = '/';
			memcpy(u->work + l, de->d_name, n);
			l += n;
		}
		ret = prune(u, fd, de->d_name, l, depth);
		if (ret < 0)
			break;
	}
	if (!de && errno)
		ret = -errno;
	closedir(d);
	return ret;
}

/*
 * A whiteout's work: dirfd/name, named u->work[0..len) in DEST (SIZE_MAX:
 * too long to be this layer's), loses what lower layers put there and
 * keeps what this layer did.
 */
static int prune(struct unpack *u, int dirfd, const char *name, size_t len,
		 int depth)
{
	struct slot *t = NULL;
	struct stat st;
	int fd;

	if (len < NAME_BUF)
		t = track_find(u, u->work, len,
			       siphash(u->key, u->work, len));
	if (!t || !(t->flags & (T_ENTRY | T_ABOVE)))
		return remove_tree(dirfd, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth == TREE_MAX)
		return -ENAMETOOLONG;
	fd = open_dir(u, dirfd, name);
	if (fd < 0)
		return -errno;
	return prune_children(u, fd, len, depth + 1);
}

/* Make room at dirfd/name: whatever is there goes. */
static int clear(struct unpack *u, int dirfd, const char *name,
		 struct err *e)
{
	int ret = remove_tree(dirfd, name);

	if (ret < 0)
		return fail_sys(u, e, -ret, "remove what is there");
	return 0;
}

/*
 * Creating the entry failed with no: EEXIST the first time, clear the
 * way and say 1, try again; else fail naming what.
 */
static int retry(struct unpack *u, int dirfd, const char *name, int no,
		 int *tried, const char *what, struct err *e)
{
	int ret;

	if (no != EEXIST || *tried)
		return fail_sys(u, e, no, "%s", what);
	*tried = 1;
	ret = clear(u, dirfd, name, e);
	return ret < 0 ? ret : 1;
}

int unpack_idmap_map(const struct unpack_idmap *m, size_t n, uint32_t id,
		     uint32_t *out)
{
	size_t i;

	if (!n) {
		*out = id;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (id >= m[i].inside && id - m[i].inside < m[i].count) {
			*out = m[i].outside + (id - m[i].inside);
			return 0;
		}
	return -1;
}

/* The owner the entry gets; (uid_t)-1 when it keeps the caller's. */
static int owner(struct unpack *u, const struct tar_entry *ent, uid_t *uid,
		 gid_t *gid, struct err *e)
{
	uint32_t id;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (u->o.rootless)
		return 0;
	if (unpack_idmap_map(u->o.uid_map, u->o.n_uid_map, ent->uid, &id))
		return fail(u, e, EINVAL, "uid %u is outside the uid map",
			    (unsigned)ent->uid);
	if (id == UINT32_MAX)
		return fail(u, e, EINVAL, "uid %u: not a valid id",
			    (unsigned)ent->uid);
	*uid = id;
	if (unpack_idmap_map(u->o.gid_map, u->o.n_gid_map, ent->gid, &id))
		return fail(u, e, EINVAL, "gid %u is outside the gid map",
			    (unsigned)ent->gid);
	if (id == UINT32_MAX)
		return fail(u, e, EINVAL, "gid %u: not a valid id",
			    (unsigned)ent->gid);
	*gid = id;
	return 0;
}

/*
 * The entry's xattrs on fd, or (fd -1: a symlink or a node, which must
 * not be opened) on dirfd/name through /proc/self/fd.
 */
static int set_xattrs(struct unpack *u, int fd, int dirfd,
		      const char *name, const struct tar_entry *ent,
		      struct err *e)
{
	char proc[32 + NAME_MAX + 2], x[SHOWN];
	const struct tar_xattr *a;
	size_t i;
	int r;

	for (i = 0; i < ent->n_xattrs; i++) {
		a = &ent->xattrs[i];
		/* overlayfs acts on these where DEST becomes a layer */
		if (!strncmp(a->name, "trusted.overlay.", 16) ||
		    !strncmp(a->name, "user.overlay.", 13))
			return fail(u, e, EPERM, "xattr %s: reserved for "
				    "overlayfs", SHOW(x, a->name));
		if (fd >= 0) {
			r = fsetxattr(fd, a->name, a->value, a->len, 0);
		} else {
			path_fd_name(proc, dirfd);
			snprintf(proc + strlen(proc),
				 sizeof(proc) - strlen(proc), "/%s", name);
			r = lsetxattr(proc, a->name, a->value, a->len, 0);
		}
		if (r < 0 && (errno == ENOTSUP ||
			      (u->o.rootless && errno == EPERM))) {
			u->st.xattrs_skipped++;
			continue;
		}
		if (r < 0)
			return fail_sys(u, e, errno, "xattr %s",
					SHOW(x, a->name));
	}
	return 0;
}

static void progress(struct unpack *u)
{
	u->next_progress = u->st.bytes + PROGRESS_STEP;
	if (u->o.progress)
		u->o.progress(u->o.progress_arg, &u->st);
}

static int copy_data(struct unpack *u, int fd, const struct tar_entry *ent,
		     struct reader *data, struct err *e)
{
	uint64_t left = ent->size;
	ssize_t n;

	if (left && !data)
		return fail(u, e, EINVAL, "no data reader");
	while (left) {
		n = reader_read_full(data, u->buf, left < DATA_BUF ?
				     left : DATA_BUF, e);
		if (n < 0)
			return n;
		if (!n)
			return fail(u, e, EIO, "data ends after %llu of %llu "
				    "bytes",
				    (unsigned long long)(ent->size - left),
				    (unsigned long long)ent->size);
		n = write_full(fd, u->buf, n);
		if (n < 0)
			return fail_sys(u, e, -n, "write");
		left -= n;
		u->st.bytes += n;
		if (u->st.bytes >= u->next_progress)
			progress(u);
	}
	return 0;
}

static int put_file(struct unpack *u, const struct pdir *pd,
		    const char *name, const struct tar_entry *ent,
		    struct reader *data, struct err *e)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, ent->mtime };
	mode_t mode = ent->mode & 07777;
	int fd, ret, tried = 0;
	uid_t uid;
	gid_t gid;

	ret = owner(u, ent, &uid, &gid, e);
	if (ret < 0)
		return ret;
	while ((fd = openat(pd->fd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, mode & 0777)) < 0)
		if ((ret = retry(u, pd->fd, name, errno, &tried, "create",
				 e)) < 0)
			return ret;
	ret = copy_data(u, fd, ent, data, e);
	if (ret < 0)
		goto out;
	if (uid != (uid_t)-1 && (uid != u->euid || gid != pd->newgid) &&
	    fchown(fd, uid, gid) < 0) {
		ret = fail_sys(u, e, errno, "chown %u:%u", (unsigned)uid,
			       (unsigned)gid);
		goto out;
	}
	ret = set_xattrs(u, fd, -1, NULL, ent, e);
	if (ret < 0)
		goto out;
	/* Made with the permission bits; chown drops setuid/setgid. */
	if ((mode & 07000) && fchmod(fd, mode) < 0) {
		ret = fail_sys(u, e, errno, "chmod %04o", (unsigned)mode);
		goto out;
	}
	if (futimens(fd, ts) < 0)
		ret = fail_sys(u, e, errno, "set times");
out:
	if (close(fd) < 0 && !ret)
		ret = fail_sys(u, e, errno, "close");
	return ret;
}

/*
 * Owner, xattrs, mode of the directory fd at u->path[0..len); its times
 * at the end.  *gid: the group a new file in it gets.
 */
static int dir_meta(struct unpack *u, int fd, const struct tar_entry *ent,
		    size_t len, gid_t *gid, struct err *e)
{
	mode_t mode = ent->mode & 07777, want;
	struct stat st;
	uid_t uid;
	int ret;

	ret = owner(u, ent, &uid, gid, e);
	if (ret < 0)
		return ret;
	if (fstat(fd, &st) < 0)
		return fail_sys(u, e, errno, "stat");
	if (uid == (uid_t)-1)
		*gid = st.st_gid;
	else if ((uid != st.st_uid || *gid != st.st_gid) &&
		 fchown(fd, uid, *gid) < 0)
		return fail_sys(u, e, errno, "chown %u:%u", (unsigned)uid,
				(unsigned)*gid);
	ret = set_xattrs(u, fd, -1, NULL, ent, e);
	if (ret < 0)
		return ret;
	/* Rootless, the owner must still be able to add children. */
	want = u->o.rootless ? mode | 0700 : mode;
	if ((st.st_mode & 07777) != want && fchmod(fd, want) < 0)
		return fail_sys(u, e, errno, "chmod %04o", (unsigned)mode);
	if (!(want & S_ISGID))
		*gid = u->egid;
	return record_dir(u, u->path, len, want != mode ? mode : (mode_t)-1,
			  ent->mtime, &st, 1, e);
}

/* 1 when dirfd/name is a whiteout as overlayfs makes them. */
static int is_whiteout_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

/*
 * dirfd/name, a directory, opened to change it; rootless, one the owner
 * cannot read is opened up first (dir_meta() gives it its mode).
 */
static int open_dir(struct unpack *u, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	if (fd < 0 && errno == EACCES && u->o.rootless &&
	    !fchmodat(dirfd, name, 0700, 0))
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
	return fd;
}

/*
 * The directory stays open as the stack's next level: the entries that
 * follow are mostly its children.
 */
static int put_dir(struct unpack *u, const struct pdir *pd,
		   const char *name, const struct tar_entry *ent, size_t len,
		   struct err *e)
{
	mode_t mode = u->o.rootless ? (ent->mode & 01777) | 0700 :
		      ent->mode & 01777;
	int fd, no, ret, tried = 0, opaque = 0;
	gid_t gid;

	while (mkdirat(pd->fd, name, mode) < 0) {
		no = errno;
		if (no == EEXIST) {
			/* An existing directory is merged with, kept. */
			fd = open_dir(u, pd->fd, name);
			if (fd >= 0)
				goto meta;
			if (errno != ENOTDIR)
				return fail_sys(u, e, errno, "open");
			/* Made anew where this layer whited it out. */
			if (u->o.keep_whiteouts)
				opaque = is_whiteout_at(pd->fd, name);
		}
		if ((ret = retry(u, pd->fd, name, no, &tried, "mkdir",
				 e)) < 0)
			return ret;
	}
	fd = open_dir(u, pd->fd, name);
	if (fd < 0)
		return fail_sys(u, e, errno, "open");
	if (opaque && fsetxattr(fd, u->opaque, "y", 1, 0) < 0) {
		close(fd);
		return fail_sys(u, e, errno, "xattr %s", u->opaque);
	}
meta:
	ret = dir_meta(u, fd, ent, len, &gid, e);
	if (ret < 0 || pd->fd != u->ds.fd[u->ds.n - 1] ||
	    u->ds.n == STACK_MAX) {
		close(fd);
		return ret;
	}
	stack_push(&u->ds, fd, u->path, len, gid);
	return 0;
}

static int put_hardlink(struct unpack *u, const struct pdir *pd,
			const char *name, const struct tar_entry *ent,
			struct err *e)
{
	char target[SHOWN], what[SHOWN + 16];
	const char *tname;
	ssize_t len;
	int tfd, ret = 0, tried = 0;
	char *slash;

	if (!ent->link)
		return fail(u, e, EINVAL, "hard link without a target");
	SHOW(target, ent->link);
	len = normalize(ent->link, u->link);
	if (len == -EINVAL)
		return fail(u, e, EINVAL, "hard link target %s has a \"..\" "
			    "component", target);
	if (len < 0)
		return fail_sys(u, e, -len, "hard link target %s", target);
	if (!len)
		return fail(u, e, EINVAL, "hard link to the root");
	if (!strcmp(u->link, u->path))
		return fail(u, e, EINVAL, "hard link to itself");
	slash = strrchr(u->link, '/');
	if (slash) {
		*slash = 0;
		tname = slash + 1;
	} else {
		tname = u->link;
	}
	tfd = path_open_in_root(u->rootfd, slash ? u->link : ".",
				PATH_NOCREATE);
	snprintf(what, sizeof(what), "hard link to %s", target);
	if (tfd < 0)
		return fail_sys(u, e, -tfd, "%s", what);
	while (linkat(tfd, tname, pd->fd, name, 0) < 0)
		if ((ret = retry(u, pd->fd, name, errno, &tried, what,
				 e)) < 0)
			break;
	close(tfd);
	return ret < 0 ? ret : 0;
}

/* Owner, xattrs, mode and times of pd/name, which is not opened. */
static int node_meta(struct unpack *u, const struct pdir *pd,
		     const char *name, const struct tar_entry *ent,
		     int set_mode, struct err *e)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, ent->mtime };
	mode_t mode = ent->mode & 07777;
	uid_t uid;
	gid_t gid;
	int ret;

	ret = owner(u, ent, &uid, &gid, e);
	if (ret < 0)
		return ret;
	if (uid != (uid_t)-1 && (uid != u->euid || gid != pd->newgid) &&
	    fchownat(pd->fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys(u, e, errno, "chown %u:%u", (unsigned)uid,
				(unsigned)gid);
	ret = set_xattrs(u, -1, pd->fd, name, ent, e);
	if (ret < 0)
		return ret;
	if (set_mode && (mode & 07000) &&
	    fchmodat(pd->fd, name, mode, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys(u, e, errno, "chmod %04o", (unsigned)mode);
	if (utimensat(pd->fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys(u, e, errno, "set times");
	return 0;
}

static int put_symlink(struct unpack *u, const struct pdir *pd,
		       const char *name, const struct tar_entry *ent,
		       struct err *e)
{
	int ret, tried = 0;

	if (!ent->link)
		return fail(u, e, EINVAL, "symlink without a target");
	while (symlinkat(ent->link, pd->fd, name) < 0)
		if ((ret = retry(u, pd->fd, name, errno, &tried, "symlink",
				 e)) < 0)
			return ret;
	return node_meta(u, pd, name, ent, 0, e);
}

static int put_node(struct unpack *u, const struct pdir *pd,
		    const char *name, const struct tar_entry *ent, size_t len,
		    struct err *e)
{
	mode_t type = ent->type == TAR_FIFO ? S_IFIFO :
		      ent->type == TAR_CHR ? S_IFCHR : S_IFBLK;
	dev_t dev = makedev(ent->devmajor, ent->devminor);
	int ret, tried = 0;
	size_t i;

	/* A whiteout (overlayfs's, 0/0) any user may make. */
	if (type != S_IFIFO && u->no_devices &&
	    !(u->o.keep_whiteouts && type == S_IFCHR && !dev)) {
		/* What a lower layer had there is hidden all the same. */
		ret = clear(u, pd->fd, name, e);
		if (ret < 0)
			return ret;
		goto skip;
	}
	while (mknodat(pd->fd, name, type | (ent->mode & 0777),
		       type == S_IFIFO ? 0 : dev) < 0) {
		/*
		 * No CAP_MKNOD (or a user namespace /proc did not show):
		 * as rootless.
		 */
		if (errno == EPERM && type != S_IFIFO)
			goto skip;
		if ((ret = retry(u, pd->fd, name, errno, &tried, "mknod",
				 e)) < 0)
			return ret;
	}
	return node_meta(u, pd, name, ent, 1, e);
skip:
	i = u->st.devices_skipped++;
	if (i < UNPACK_SKIPPED_NAMES)
		err_shown(u->path, len, u->st.skipped[i],
			  sizeof(u->st.skipped[i]));
	return 0;
}

/* The root entry ("./"): DEST itself, which stays a directory. */
static int put_root(struct unpack *u, const struct tar_entry *ent,
		    struct err *e)
{
	int fd, ret;
	gid_t gid;

	if (ent->type != TAR_DIR)
		return fail(u, e, EINVAL, "the root must stay a directory");
	fd = openat(u->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_sys(u, e, errno, "open");
	ret = dir_meta(u, fd, ent, 0, &gid, e);
	u->ds.newgid[0] = gid;
	close(fd);
	return ret;
}

/*
 * keep_whiteouts: record the whiteout of target in the directory pd (the
 * entry's parent, made if missing) as overlayfs would: DEST holds this
 * layer alone, so whatever is at target is this layer's.
 */
static int keep_whiteout(struct unpack *u, const struct pdir *pd,
			 const char *target, struct err *e)
{
	int fd, ret = 0, opq = !strcmp(target, ".wh..opq");
	struct stat st;

	if (!opq && fstatat(pd->fd, target, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return fail_sys(u, e, errno, "stat");
		if (mknodat(pd->fd, target, S_IFCHR, 0) < 0)
			return fail_sys(u, e, errno, "mknod the whiteout");
		return 0;
	}
	if (opq || S_ISDIR(st.st_mode)) {
		fd = openat(pd->fd, opq ? "." : target,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return fail_sys(u, e, errno, "open");
		if (fsetxattr(fd, u->opaque, "y", 1, 0) < 0)
			ret = fail_sys(u, e, errno, "xattr %s", u->opaque);
		close(fd);
	}
	return ret;
}

static int whiteout(struct unpack *u, size_t plen, const char *name,
		    struct err *e)
{
	const char *target = name + 4;
	char what[SHOWN];
	struct pdir pd;
	size_t len;
	int fd, ret;

	if (!*target)
		return fail(u, e, EINVAL, "whiteout names nothing");
	if (!strcmp(target, ".") || !strcmp(target, ".."))
		return fail(u, e, EINVAL, "whiteout of \"%s\"", target);
	/* Other ".wh..wh." names are AUFS' own records, not content. */
	if (!strncmp(target, ".wh.", 4) && strcmp(target, ".wh..opq"))
		return 0;
	ret = parent_open(u, u->path, plen, u->o.keep_whiteouts, &pd, e);
	if (ret)
		return ret < 0 ? ret : 0;
	u->st.whiteouts++;
	if (u->o.keep_whiteouts)
		return keep_whiteout(u, &pd, target, e);
	memcpy(u->work, u->path, plen);
	if (strcmp(target, ".wh..opq")) {
		len = plen;
		if (len)
			u->work[len++] = '/';
		memcpy(u->work + len, target, strlen(target));
		len += strlen(target);
		err_shown(u->work, len, what, sizeof(what));
		ret = prune(u, pd.fd, target, len, 0);
	} else {
		err_shown(u->work, plen, what, sizeof(what));
		fd = openat(pd.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ret = fd < 0 ? -errno : prune_children(u, fd, plen, 0);
	}
	if (ret < 0)
		return fail_sys(u, e, -ret, "remove %s", *what ? what : ".");
	return 0;
}

static int put(struct unpack *u, const struct tar_entry *ent,
	       struct reader *data, size_t plen, const char *name,
	       size_t len, struct err *e)
{
	struct pdir pd;
	int ret;

	ret = track_entry(u, u->path, len, e);
	if (ret < 0)
		return ret;
	ret = parent_open(u, u->path, plen, 1, &pd, e);
	if (ret < 0)
		return ret;
	switch (ent->type) {
	case TAR_REG:
		return put_file(u, &pd, name, ent, data, e);
	case TAR_DIR:
		return put_dir(u, &pd, name, ent, len, e);
	case TAR_HARDLINK:
		return put_hardlink(u, &pd, name, ent, e);
	case TAR_SYMLINK:
		return put_symlink(u, &pd, name, ent, e);
	case TAR_CHR:
	case TAR_BLK:
	case TAR_FIFO:
		return put_node(u, &pd, name, ent, len, e);
	}
	return fail(u, e, EINVAL, "entry type %d", (int)ent->type);
}

int unpack_entry(struct unpack *u, const struct tar_entry *ent,
		 struct reader *data, struct err *e)
{
	char part[SHOWN];
	const char *name, *p;
	ssize_t len;
	size_t plen;
	int ret;

	u->cur = ent->path;
	u->st.entries++;
	len = normalize(ent->path, u->path);
	if (len == -EINVAL)
		return fail(u, e, EINVAL, "path has a \"..\" component");
	if (len < 0)
		return fail_sys(u, e, -len, "path");
	name = strrchr(u->path, '/');
	plen = name ? (size_t)(name - u->path) : 0;
	name = name ? name + 1 : u->path;
	for (p = u->path; p < u->path + plen; p += strcspn(p, "/") + 1)
		if (!strncmp(p, ".wh.", 4))
			return fail(u, e, EINVAL, "whiteout %s as a directory",
				    err_shown(p, strcspn(p, "/"), part,
					      sizeof(part)));
	if (!strncmp(name, ".wh.", 4))
		ret = whiteout(u, plen, name, e);
	else if (!len)
		ret = put_root(u, ent, e);
	else
		ret = put(u, ent, data, plen, name, len, e);
	if (!ret)
		progress(u);
	return ret;
}

const struct unpack_stats *unpack_stats(const struct unpack *u)
{
	return &u->st;
}

const char *unpack_opaque_xattr(void)
{
	return geteuid() == 0 && !unpack_in_userns() ?
	       UNPACK_OPAQUE_TRUSTED : UNPACK_OPAQUE_USER;
}

int unpack_in_userns(void)
{
	unsigned long inside, outside, count;
	char buf[256];
	int n;

	if (read_file_into_at(AT_FDCWD, "/proc/self/uid_map", buf,
			      sizeof(buf)) < 0)
		return 0;
	if (sscanf(buf, "%lu %lu %lu%n", &inside, &outside, &count, &n) != 3)
		return 1;
	/* The initial namespace maps all ids onto themselves, in one line. */
	return inside || outside || count != 4294967295UL ||
	       buf[n + strspn(buf + n, " \n")];
}

struct unpack *unpack_begin(int destfd, const struct unpack_opts *o,
			    struct err *e)
{
	static const struct timespec keep = { 0, UTIME_OMIT };
	struct unpack *u;
	struct stat st;

	if (o->rootless && (o->n_uid_map || o->n_gid_map)) {
		err_msg(e, EINVAL, "unpack: rootless and id maps exclude "
			"each other");
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		err_sys(e, ENOMEM, "unpack");
		return NULL;
	}
	u->rootfd = -1;
	u->ds.n = 1;
	u->oneoff = -1;
	u->buf = malloc(DATA_BUF);
	if (!u->buf) {
		err_sys(e, ENOMEM, "unpack");
		goto out_free;
	}
	u->rootfd = openat(destfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->rootfd < 0 || fstat(u->rootfd, &st) < 0) {
		err_sys(e, errno, "unpack: open the destination");
		goto out_free;
	}
	u->o = *o;
	u->max_mem = o->max_memory ? o->max_memory : MEMORY_DEFAULT;
	u->euid = geteuid();
	u->egid = getegid();
	/* Made with their modes, most entries need no chmod. */
	u->umask = umask(0);
	u->umask_set = 1;
	u->no_devices = o->rootless || unpack_in_userns();
	if (o->keep_whiteouts)
		u->opaque = unpack_opaque_xattr();
	if (getrandom(u->key, sizeof(u->key), GRND_NONBLOCK) !=
	    sizeof(u->key)) {
		/* Early boot: weaker, still not known to the archive. */
		u->key[0] = (uintptr_t)u ^ (uint64_t)time(NULL) << 20;
		u->key[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^
			    (uintptr_t)&st;
	}
	u->next_progress = PROGRESS_STEP;
	u->ds.fd[0] = u->rootfd;
	u->ds.newgid[0] = newgid(u, &st);
	u->cur = ".";
	if (o->rootless && (st.st_mode & 0700) != 0700) {
		if (fchmod(u->rootfd, (st.st_mode & 07777) | 0700) < 0) {
			err_sys(e, errno, "unpack: chmod the destination");
			goto out_free;
		}
		if (record_dir(u, "", 0, st.st_mode & 07777, keep, &st, 0,
			       e) < 0)
			goto out_free;
	}
	return u;
out_free:
	unpack_free(u);
	return NULL;
}

void unpack_free(struct unpack *u)
{
	if (!u)
		return;
	while (u->ds.n > 1)
		close(u->ds.fd[--u->ds.n]);
	if (u->oneoff >= 0)
		close(u->oneoff);
	if (u->rootfd >= 0)
		close(u->rootfd);
	if (u->umask_set)
		umask(u->umask);
	free(u->slots);
	free(u->arena);
	free(u->dirs);
	free(u->buf);
	free(u);
}

/*
 * Names in reverse order: each directory after all below it (a name
 * sorts after its prefix), so, rootless, a mode without owner rwx is
 * set when nothing more must pass through.
 */
static int dir_cmp(const void *a, const void *b, void *arena)
{
	const struct dirrec *x = a, *y = b;

	return strcmp((char *)arena + y->off, (char *)arena + x->off);
}

/*
 * By name from its parent: two calls, where opening each directory
 * would take four.
 */
static int finish_dir(struct unpack *u, const struct dirrec *d,
		      struct err *e)
{
	const char *path = u->arena + d->off, *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, d->mtime };
	struct pdir pd = { u->rootfd, 0 };
	struct stat st;
	int fd, ret;

	u->cur = *path ? path : ".";
	if (!*path) {
		name = ".";
	} else {
		ret = parent_open(u, path, slash ? (size_t)(slash - path) : 0,
				  0, &pd, e);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	/* Gone, or another file now: a later entry's doing. */
	if (fstatat(pd.fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail_sys(u, e, errno, "stat");
	if (st.st_dev != d->dev || st.st_ino != d->ino)
		return 0;
	if (d->mode != (mode_t)-1) {
		fd = openat(pd.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0)
			return fail_sys(u, e, errno, "open");
		ret = fchmod(fd, d->mode) < 0 ? errno : 0;
		close(fd);
		if (ret)
			return fail_sys(u, e, ret, "chmod %04o",
					(unsigned)d->mode);
	}
	if (d->mtime.tv_nsec != UTIME_OMIT &&
	    utimensat(pd.fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_sys(u, e, errno, "set times");
	return 0;
}

int unpack_end(struct unpack *u, struct err *e)
{
	size_t i;
	int ret = 0;

	u->ending = 1;
	if (u->ndirs)
		qsort_r(u->dirs, u->ndirs, sizeof(*u->dirs), dir_cmp,
			u->arena);
	for (i = 0; i < u->ndirs && !ret; i++)
		ret = finish_dir(u, &u->dirs[i], e);
	if (!ret && u->o.sync && syncfs(u->rootfd) < 0)
		ret = err_sys(e, errno, "unpack: syncfs");
	unpack_free(u);
	return ret;
}

/* One tar entry's data as a reader, for unpack_entry(). */
struct entry_reader {
	struct reader r;
	struct tar *t;
};

static ssize_t entry_read(struct reader *r, void *buf, size_t len,
			  struct err *e)
{
	return tar_read(((struct entry_reader *)r)->t, buf, len, e);
}

int unpack_layer(int destfd, struct tar *t, const struct unpack_opts *o,
		 struct unpack_stats *st, struct err *e)
{
	struct entry_reader er = { { entry_read, NULL }, t };
	const struct tar_entry *ent;
	struct unpack *u;
	int ret;

	u = unpack_begin(destfd, o, e);
	if (!u)
		return -e->no;
	while ((ret = tar_next(t, &ent, e)) > 0)
		if ((ret = unpack_entry(u, ent, &er.r, e)) < 0)
			break;
	if (!ret)
		ret = tar_drain(t, e);
	if (st)
		*st = u->st;
	if (ret < 0) {
		unpack_free(u);
		return ret;
	}
	return unpack_end(u, e);
}

int unpack_idmap_parse(const char *s, const char *what,
		       struct unpack_idmap *map, size_t max, size_t *n,
		       struct err *e)
{
	unsigned long long v[3];
	const char *p = s;
	char *end;
	size_t i, j;

	for (;;) {
		for (i = 0; i < 3; i++) {
			errno = 0;
			if (*p < '0' || *p > '9')
				goto bad;
			v[i] = strtoull(p, &end, 10);
			if (errno || v[i] > UINT32_MAX ||
			    (i < 2 && *end != ':'))
				goto bad;
			p = end + (i < 2);
		}
		if (*p && *p != ',')
			goto bad;
		if (!v[2] || v[0] + v[2] - 1 > UINT32_MAX ||
		    v[1] + v[2] - 1 > UINT32_MAX)
			return err_msg(e, EINVAL, "%s: \"%s\": a range of 1 "
				       "to 2^32 ids", what, s);
		if (*n == max)
			return err_msg(e, EINVAL, "%s: at most %zu ranges",
				       what, max);
		for (j = 0; j < *n; j++)
			if (v[0] < (unsigned long long)map[j].inside +
				   map[j].count &&
			    map[j].inside < v[0] + v[2])
				return err_msg(e, EINVAL, "%s: \"%s\": "
					       "ranges overlap", what, s);
		map[*n].inside = v[0];
		map[*n].outside = v[1];
		map[(*n)++].count = v[2];
		if (!*p)
			return 0;
		p++;
	}
bad:
	return err_msg(e, EINVAL, "%s: \"%s\": expected INSIDE:OUTSIDE:COUNT"
		       "[,...]", what, s);
}
