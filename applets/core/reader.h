/*
 * reader.h - a pull stream of bytes that stacks: a file, a decompressor
 * over it, a digest tee over either, an HTTP body, one tar entry's data.
 * Each wrapper owns the reader it was given: closing the top closes the
 * stack.  Errors come back as -errno with *e naming the step ("gzip:
 * invalid block type", "read layer.tar: Input/output error").
 */
#ifndef CORE_READER_H
#define CORE_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"

struct reader {
	/* Up to len bytes into buf: the count, 0 at the end, or -errno. */
	ssize_t (*read)(struct reader *r, void *buf, size_t len,
			struct err *e);
	/* Free r and the readers below it; NULL: nothing to free. */
	void (*close)(struct reader *r);
	/*
	 * Optional (NULL: read and dropped): pass over up to len bytes
	 * without reading them, a seek of a file.  Skipped, 0 at the end,
	 * or -errno.  A reader that must see every byte (a digest) has none.
	 */
	ssize_t (*skip)(struct reader *r, uint64_t len, struct err *e);
};

static inline ssize_t reader_read(struct reader *r, void *buf, size_t len,
				  struct err *e)
{
	return r->read(r, buf, len, e);
}

/* NULL-safe. */
void reader_close(struct reader *r);

/*
 * Fill buf: len bytes, fewer only at the end of the stream (the count
 * says how many), or -errno.
 */
ssize_t reader_read_full(struct reader *r, void *buf, size_t len,
			 struct err *e);
/*
 * Pass over up to len bytes (SIZE_MAX: to the end), by r->skip when it
 * has one; how many, -errno.
 */
ssize_t reader_skip(struct reader *r, size_t len, struct err *e);

/*
 * A reader of fd, which it closes when own is set; name is for errors
 * ("read NAME: ..."), kept as a pointer: it must outlive the reader.
 * NULL when out of memory.
 */
struct reader *reader_fd(int fd, int own, const char *name);
/* The bytes of buf (not copied: it must outlive the reader). */
struct reader *reader_mem(const void *buf, size_t len);
/* The same, buf (malloc'd) freed with the reader, or at once on failure. */
struct reader *reader_mem_owned(void *buf, size_t len);

/*
 * Everything read through it is added to d (the caller's, not owned) and
 * counted in *count (may be NULL): a blob's digest under a decompressor,
 * a DiffID over one.  Takes src, even when it fails (NULL: no memory).
 */
struct reader *reader_digest(struct reader *src, struct digest *d,
			     uint64_t *count);

#endif
