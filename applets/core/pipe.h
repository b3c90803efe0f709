/*
 * pipe.h - a reader run ahead in a thread of its own (POSIX threads),
 * so that decompressing a layer on one core overlaps with hashing and
 * writing what came out of it on another.
 */
#ifndef CORE_PIPE_H
#define CORE_PIPE_H

#include <stddef.h>

#include "err.h"
#include "reader.h"

/* 4 x 128 KiB: enough to ride out the jitter of either side. */
#define READER_THREAD_BUFSIZE (128 << 10)
#define READER_THREAD_NBUFS 4

/*
 * A reader of src (owned, closed with the result, or at once when this
 * fails) that a producer thread fills ahead of the consumer, nbufs
 * buffers of bufsize bytes.  src is read only by that thread and from
 * then on must not be touched by anyone else; it is closed by the
 * consumer's thread after the producer has been joined.
 *
 * The bytes come in order; an error of src comes after the bytes read
 * before it, with src's *e, and again on every later read.  Closing early
 * stops the producer and waits for it, which lasts at most until src's
 * read in progress returns.  The producer blocks every signal: they stay
 * the applet's.  NULL on failure with *e set (-EINVAL for a zero size,
 * -ENOMEM, pthread_create's error).
 */
struct reader *reader_thread(struct reader *src, size_t bufsize, int nbufs,
			     struct err *e);

#endif
