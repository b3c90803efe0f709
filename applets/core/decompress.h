/*
 * decompress.h - a reader that undoes a layer's compression, found by the
 * magic bytes of the stream (never by a file name or a media type):
 * gzip (RFC 1952, by zlib), zstd (RFC 8878, by libzstd), or none.
 * bzip2 and xz are recognised only to be refused by name.
 */
#ifndef CORE_DECOMPRESS_H
#define CORE_DECOMPRESS_H

#include "err.h"
#include "reader.h"

enum compression {
	COMPRESSION_NONE,
	COMPRESSION_GZIP,
	COMPRESSION_ZSTD,
	COMPRESSION_BZIP2,
	COMPRESSION_XZ,
};

/*
 * What the first n bytes of a stream (6 are enough) say it is; NONE for
 * anything else, a tar included.
 */
enum compression compression_sniff(const void *buf, size_t n);

/* "uncompressed", "gzip", "zstd", "bzip2", "xz". */
const char *compression_name(enum compression c);

/*
 * The decompressed bytes of src (owned, closed with the result, or at
 * once when this fails), after peeking at its first bytes:
 *
 * - gzip: every member in turn, as gzip -d reads them; zero bytes to the
 *   end after the last member are padding, anything else is an error.
 * - zstd: every frame in turn, skippable frames skipped; a frame may ask
 *   for a window of up to 128 MiB (zstd -d's own default limit), which is
 *   what it costs in memory.  Each frame allocates what its header asks
 *   for: 2 MiB for zstd(1)'s default level, 8 to 32 MiB for the Go
 *   encoder most registries' layers come from.  The limit bounds what a
 *   hostile frame can make us allocate without refusing those.
 * - anything else: src as it is, the peeked bytes first.
 *
 * name labels errors ("NAME: gzip: invalid block type at byte 123": the
 * offset in the compressed stream of how far zlib had read, or of the
 * start of the block libzstd was decoding) and is kept as a pointer: it
 * must outlive the reader.  A stream that ends inside a member or frame
 * is an error ("NAME: gzip: unexpected end of stream at byte N"), never
 * a short result.
 *
 * *found (may be NULL) is set to what the magic said, even when that is
 * refused.  NULL on failure with *e set: -ENOTSUP for bzip2 and xz,
 * -ENOMEM, or src's own error.  Reads fail with -EINVAL for corrupt or
 * truncated data, or with src's error.
 */
struct reader *reader_decompress(struct reader *src, const char *name,
				 enum compression *found, struct err *e);

#endif
