/*
 * tar.h - a streaming tar reader: POSIX ustar, pax extended headers
 * (path, linkpath, size, uid, gid, uname, gname, mtime, SCHILY.xattr.*;
 * global headers read and ignored but for their limits) and GNU long
 * names and links ('L', 'K').  POSIX.1-2008 pax(1) "ustar Interchange
 * Format" and "pax Interchange Format"; GNU tar's manual, "Basic Tar
 * Format".  Names come back as the archive has them, not resolved or
 * sanitised: that is the caller's (see unpack.h).  Every size the
 * archive claims is bounded by struct tar_limits before anything is
 * allocated for it.
 */
#ifndef CORE_TAR_H
#define CORE_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"
#include "reader.h"

enum tar_type {
	TAR_REG,		/* '0', '\0', '7' (contiguous) */
	TAR_HARDLINK,		/* '1': link names the earlier entry */
	TAR_SYMLINK,		/* '2': link is the target, as given */
	TAR_CHR,		/* '3' */
	TAR_BLK,		/* '4' */
	TAR_DIR,		/* '5' */
	TAR_FIFO,		/* '6' */
};

struct tar_xattr {
	char *name;		/* "security.capability", "user.x", ... */
	unsigned char *value;
	size_t len;
};

struct tar_entry {
	char *path;		/* never NULL, never empty */
	char *link;		/* hard link / symlink target, else NULL */
	enum tar_type type;
	mode_t mode;		/* permission bits incl. setuid/setgid/sticky */
	uid_t uid;
	gid_t gid;
	char *uname, *gname;	/* "" when absent */
	uint64_t size;		/* data bytes (0 but for TAR_REG) */
	struct timespec mtime;
	unsigned devmajor, devminor;
	struct tar_xattr *xattrs;
	size_t n_xattrs;
	uint64_t offset;	/* of its first header (a pax or GNU long-name
				   one if it has one) in the stream */
};

struct tar_limits {
	size_t max_name;	/* longest path or link (default 4096) */
	size_t max_ext;		/* pax / GNU long-name headers of one
				   entry, all told (default 1 MiB) */
	uint64_t max_entries;	/* default 10,000,000 */
	uint64_t max_bytes;	/* total data bytes, those of extended
				   headers and after the end included
				   (default 1 TiB) */
};

struct tar;

/*
 * A reader of the tar stream src (owned: closed even when this fails;
 * NULL gives NULL); lim NULL, or a field of it 0: the defaults.  NULL
 * when out of memory.
 */
struct tar *tar_open(struct reader *src, const struct tar_limits *lim);
/*
 * The next entry into *out (valid until the next call or tar_close()):
 * 1, 0 at the archive's end, or -errno with *e naming the entry (counted
 * from 1), its offset and its path when known ("tar: entry 12 at offset
 * 5120 (etc/passwd): pax record 2: bad length").  The data of the
 * previous entry not read is skipped.  Once something failed, every
 * call returns that error again.
 */
int tar_next(struct tar *t, const struct tar_entry **out, struct err *e);
/*
 * The current entry's data: count, 0 at its end, -errno.  One read of
 * src, straight into buf: ask for a lot.
 */
ssize_t tar_read(struct tar *t, void *buf, size_t len, struct err *e);
/*
 * After the end-of-archive blocks: read src to its end (so a digest tee
 * below sees every byte, as a DiffID needs).  0, -errno (-EINVAL before
 * the end; src's own errors as src gave them).
 */
int tar_drain(struct tar *t, struct err *e);
/* Bytes consumed from src so far. */
uint64_t tar_position(const struct tar *t);
void tar_close(struct tar *t);

#endif
