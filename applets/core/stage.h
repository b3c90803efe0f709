/*
 * stage.h - a directory tree built out of sight and renamed into place,
 * so that DEST is whole or absent (rootfs-unpack, layer-link assemble):
 * the tree grows as "root" inside a hidden 0700 sibling ".BASE.TAG-XXXX"
 * that no other user can reach into, and one rename(2) puts it at DEST,
 * which may be absent or an empty directory.
 */
#ifndef CORE_STAGE_H
#define CORE_STAGE_H

#include "err.h"

struct stage {
	int parentfd;		/* DEST's parent (the caller's) */
	const char *base;	/* DEST's last component (the caller's) */
	char tmp[300];		/* the sibling's name, "" when none */
	int tmpfd;		/* the tree's root, or -1 */
};

/*
 * The parent of path (trailing '/'s ignored), opened, and its last
 * component into *base (free it); fd or -errno.  "", "." and ".." are
 * no names for a new directory.
 */
int stage_open_parent(const char *path, char **base, struct err *e);

/* 0 when base in parentfd is absent or an empty directory, else -EEXIST. */
int stage_check_dest(int parentfd, const char *base, const char *shown,
		     struct err *e);

/*
 * Check that base may be made in parentfd (absent, or an empty
 * directory) and make the sibling and its "root" (0755).  tag names the
 * tool ("unpack"); shown names DEST in errors.
 */
int stage_begin(struct stage *st, int parentfd, const char *base,
		const char *tag, const char *shown, struct err *e);
/* Rename the tree over DEST and remove the sibling; tmpfd stays open. */
int stage_commit(struct stage *st, const char *shown, struct err *e);
/*
 * DEST's absolute path, its parent as the kernel names it (symlinks
 * resolved) and base; free it.  NULL with *e set.
 */
char *stage_path(int parentfd, const char *base, struct err *e);
/* Remove the sibling and all in it, if any (for a failed run). */
int stage_abort(struct stage *st, struct err *e);

#endif
