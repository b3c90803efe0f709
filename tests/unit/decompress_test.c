/*
 * decompress_test.c - unit tests of core/decompress.c.  gzip streams are
 * made here by zlib's deflate; zstd frames are built byte by byte
 * (RFC 8878: raw, RLE and skippable frames) or by the zstd(1) command,
 * which the vendored decoder-only libzstd cannot replace.
 */
#include <errno.h>
#include <stdint.h>
#include <zlib.h>

#include "decompress.h"
#include "reader.h"
#include "unit.h"

static struct err e;

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		UNIT_NOT_NULL(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_le(struct buf *b, uint64_t v, int n)
{
	unsigned char c;

	while (n--) {
		c = v & 0xff;
		put(b, &c, 1);
		v >>= 8;
	}
}

/* Compressible, not periodic: words picked by a xorshift. */
static unsigned char *text(size_t n, uint32_t seed)
{
	static const char *const w[] = {
		"usr/", "lib/", "bin/", "share/", "doc/", "x86_64-linux-gnu/",
		"libc.so.6 ", "\n", "\0\0\0\0", "ustar  ", "0000644 ",
	};
	unsigned char *p = malloc(n + 1);
	const char *s;
	size_t i = 0, l;

	UNIT_NOT_NULL(p);
	while (i < n) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		if (seed % 5 == 0) {
			p[i++] = seed >> 8;
			continue;
		}
		s = w[(seed >> 3) % (sizeof(w) / sizeof(w[0]))];
		l = strlen(s) ? strlen(s) : 4;
		if (l > n - i)
			l = n - i;
		memcpy(p + i, s, l);
		i += l;
	}
	return p;
}

/* Incompressible. */
static unsigned char *noise(size_t n, uint32_t seed)
{
	unsigned char *p = malloc(n + 1);
	size_t i;

	UNIT_NOT_NULL(p);
	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = seed;
	}
	return p;
}

/* One gzip member of data at level, its header from hdr (may be NULL). */
static void gz(struct buf *b, const void *data, size_t n, int level,
	       gz_header *hdr)
{
	unsigned char out[16384];
	z_stream z = { 0 };
	int rc;

	UNIT_EQ_INT(deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
				 Z_DEFAULT_STRATEGY), Z_OK);
	if (hdr)
		UNIT_EQ_INT(deflateSetHeader(&z, hdr), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = n;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = deflate(&z, Z_FINISH);
		UNIT_ASSERT(rc == Z_OK || rc == Z_STREAM_END);
		put(b, out, sizeof(out) - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
}

/* A source returning at most max bytes a read: 1 is a trickle. */
struct trickle {
	struct reader r;
	const unsigned char *p;
	size_t left, max;
};

static ssize_t trickle_read(struct reader *r, void *buf, size_t len,
			    struct err *e)
{
	struct trickle *t = (struct trickle *)r;

	if (len > t->max)
		len = t->max;
	if (len > t->left)
		len = t->left;
	memcpy(buf, t->p, len);
	t->p += len;
	t->left -= len;
	return len;
}

static void trickle_close(struct reader *r)
{
	free(r);
}

static struct reader *trickle(const void *p, size_t n, size_t max)
{
	struct trickle *t = calloc(1, sizeof(*t));

	UNIT_NOT_NULL(t);
	t->r.read = trickle_read;
	t->r.close = trickle_close;
	t->p = p;
	t->left = n;
	t->max = max;
	return &t->r;
}

/* Bytes, then an error of its own. */
struct failing {
	struct reader r;
	const unsigned char *p;
	size_t left;
};

static ssize_t failing_read(struct reader *r, void *buf, size_t len,
			    struct err *e)
{
	struct failing *f = (struct failing *)r;

	if (!f->left)
		return err_sys(e, EIO, "read layer");
	if (len > f->left)
		len = f->left;
	memcpy(buf, f->p, len);
	f->p += len;
	f->left -= len;
	return len;
}

static struct reader *failing(const void *p, size_t n)
{
	struct failing *f = calloc(1, sizeof(*f));

	UNIT_NOT_NULL(f);
	f->r.read = failing_read;
	f->r.close = trickle_close;
	f->p = p;
	f->left = n;
	return &f->r;
}

/*
 * Everything r gives, read chunk bytes at a time, into *out: the count
 * or -errno (then *out has what came before).  Closes r.
 */
static ssize_t drain(struct reader *r, size_t chunk, struct buf *out)
{
	unsigned char *tmp = malloc(chunk);
	ssize_t n;

	UNIT_NOT_NULL(tmp);
	memset(out, 0, sizeof(*out));
	while ((n = reader_read(r, tmp, chunk, &e)) > 0) {
		UNIT_ASSERT((size_t)n <= chunk);
		put(out, tmp, n);
	}
	free(tmp);
	reader_close(r);
	return n < 0 ? n : (ssize_t)out->len;
}

/* Decompress src (labelled "L"), read chunk at a time. */
static ssize_t unpack(struct reader *src, size_t chunk, enum compression want,
		      struct buf *out)
{
	enum compression found = -1;
	struct reader *r;

	UNIT_NOT_NULL(src);
	r = reader_decompress(src, "L", &found, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(found, want);
	return drain(r, chunk, out);
}

static ssize_t unpack_mem(const struct buf *in, size_t chunk,
			  enum compression want, struct buf *out)
{
	return unpack(reader_mem(in->p, in->len), chunk, want, out);
}

#define UNIT_EQ_MEM(b, data, n)						\
	do {								\
		UNIT_EQ_UINT((b)->len, (n));				\
		UNIT_ASSERT(!(n) || !memcmp((b)->p, (data), (n)));	\
	} while (0)

UNIT_CASE(names)
{
	UNIT_EQ_STR(compression_name(COMPRESSION_NONE), "uncompressed");
	UNIT_EQ_STR(compression_name(COMPRESSION_GZIP), "gzip");
	UNIT_EQ_STR(compression_name(COMPRESSION_ZSTD), "zstd");
	UNIT_EQ_STR(compression_name(COMPRESSION_BZIP2), "bzip2");
	UNIT_EQ_STR(compression_name(COMPRESSION_XZ), "xz");
	UNIT_EQ_STR(compression_name(99), "unknown");
}

/* Whatever the read size, and whatever the source's. */
UNIT_CASE(gzip_round_trip)
{
	static const size_t chunks[] = { 1, 7, 4096, 65536, 65537, 1 << 20 };
	size_t n = 3 << 20, i;
	unsigned char *data = text(n, 1);
	struct buf in = { 0 }, out;

	gz(&in, data, n, 6, NULL);
	UNIT_ASSERT(in.len < n / 2);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		/* 1-byte reads of 3 MiB take long for nothing: 300 KiB. */
		if (chunks[i] == 1) {
			struct buf small = { 0 };

			gz(&small, data, 300000, 6, NULL);
			UNIT_EQ_INT(unpack_mem(&small, 1, COMPRESSION_GZIP,
					       &out), 300000);
			UNIT_EQ_MEM(&out, data, 300000);
			free(out.p);
			free(small.p);
			continue;
		}
		UNIT_EQ_INT(unpack_mem(&in, chunks[i], COMPRESSION_GZIP,
				       &out), n);
		UNIT_EQ_MEM(&out, data, n);
		free(out.p);
	}
	/* A source giving one byte at a time, 13 at a time. */
	UNIT_EQ_INT(unpack(trickle(in.p, in.len, 1), 65536, COMPRESSION_GZIP,
			   &out), n);
	UNIT_EQ_MEM(&out, data, n);
	free(out.p);
	UNIT_EQ_INT(unpack(trickle(in.p, in.len, 13), 1000, COMPRESSION_GZIP,
			   &out), n);
	UNIT_EQ_MEM(&out, data, n);
	free(out.p);
	free(in.p);
	free(data);
}

/* Members one after another, an empty one among them, as gzip -d does. */
UNIT_CASE(gzip_multi_member)
{
	unsigned char *a = text(100000, 2), *b = noise(70000, 3);
	struct buf in = { 0 }, want = { 0 }, out;
	size_t src_max[] = { 1, 2, 3, 4096, SIZE_MAX };
	size_t i;

	gz(&in, a, 100000, 9, NULL);
	gz(&in, "", 0, 6, NULL);
	gz(&in, b, 70000, 1, NULL);
	gz(&in, a, 1, 0, NULL);
	put(&want, a, 100000);
	put(&want, b, 70000);
	put(&want, a, 1);
	for (i = 0; i < sizeof(src_max) / sizeof(src_max[0]); i++) {
		UNIT_EQ_INT(unpack(trickle(in.p, in.len, src_max[i]), 4096,
				   COMPRESSION_GZIP, &out), want.len);
		UNIT_EQ_MEM(&out, want.p, want.len);
		free(out.p);
	}
	/* Only empty members. */
	in.len = 0;
	gz(&in, "", 0, 6, NULL);
	gz(&in, "", 0, 6, NULL);
	UNIT_EQ_INT(unpack_mem(&in, 10, COMPRESSION_GZIP, &out), 0);
	free(out.p);
	free(in.p);
	free(want.p);
	free(a);
	free(b);
}

/*
 * A member ending just before, at and after the input buffer's 64 KiB
 * boundary, so that the next member's magic, or the padding, straddles
 * a refill.
 */
UNIT_CASE(gzip_member_at_buffer_boundary)
{
	unsigned char *data = noise(70000, 4);
	struct buf in = { 0 }, out;
	size_t target, n, first;

	for (target = 65534; target <= 65538; target++) {
		/* Stored blocks: the member grows with the data. */
		for (n = target - 100;; n++) {
			in.len = 0;
			gz(&in, data, n, 0, NULL);
			if (in.len >= target)
				break;
		}
		UNIT_EQ_UINT(in.len, target);
		first = n;
		gz(&in, data, 10, 0, NULL);
		UNIT_EQ_INT(unpack_mem(&in, 70000, COMPRESSION_GZIP, &out),
			    first + 10);
		UNIT_ASSERT(!memcmp(out.p, data, first));
		UNIT_ASSERT(!memcmp(out.p + first, data, 10));
		free(out.p);
		in.len = target;
		put(&in, "\0\0\0\0\0\0\0\0", 8);
		UNIT_EQ_INT(unpack_mem(&in, 70000, COMPRESSION_GZIP, &out),
			    first);
		free(out.p);
	}
	free(in.p);
	free(data);
}

/* GNU gzip's rule: zeros to the end are padding. */
UNIT_CASE(gzip_trailing_zeros)
{
	unsigned char *zeros = calloc(1, 200000);
	struct buf in = { 0 }, out;

	gz(&in, "hello", 5, 6, NULL);
	put(&in, zeros, 200000);
	UNIT_EQ_INT(unpack_mem(&in, 4096, COMPRESSION_GZIP, &out), 5);
	UNIT_EQ_MEM(&out, "hello", 5);
	free(out.p);
	UNIT_EQ_INT(unpack(trickle(in.p, in.len, 1), 4096, COMPRESSION_GZIP,
			   &out), 5);
	free(out.p);
	free(in.p);
	free(zeros);
}

static void expect_error(const struct buf *in, size_t chunk,
			 enum compression c, const char *msg)
{
	struct buf out;

	UNIT_EQ_INT(unpack_mem(in, chunk, c, &out), -EINVAL);
	UNIT_EQ_STR(e.msg, msg);
	free(out.p);
}

UNIT_CASE(gzip_trailing_garbage)
{
	struct buf in = { 0 };
	char msg[128];
	size_t n;

	gz(&in, "hello", 5, 6, NULL);
	n = in.len;
	put(&in, "junk", 4);
	snprintf(msg, sizeof(msg), "L: gzip: trailing garbage at byte %zu",
		 n);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	/* Zeros, then not zeros: garbage where the zeros stop. */
	in.len = n;
	put(&in, "\0\0\0x", 4);
	snprintf(msg, sizeof(msg), "L: gzip: trailing garbage at byte %zu",
		 n + 3);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	/* Half a magic at the end. */
	in.len = n;
	put(&in, "\x1f", 1);
	snprintf(msg, sizeof(msg), "L: gzip: trailing garbage at byte %zu",
		 n);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	in.len = n;
	put(&in, "\x1f\x8c", 2);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	/* A whole magic is a member, cut short. */
	in.len = n;
	put(&in, "\x1f\x8b", 2);
	snprintf(msg, sizeof(msg), "L: gzip: unexpected end of stream at "
		 "byte %zu", n + 2);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	free(in.p);
}

/*
 * Every cut of a member is an error naming where it stopped, never a
 * short result; what came out before it is a prefix of the data.
 */
UNIT_CASE(gzip_truncated)
{
	unsigned char *data = text(20000, 5);
	struct buf in = { 0 }, cut = { 0 }, out;
	char msg[128];
	size_t k;

	gz(&in, data, 20000, 6, NULL);
	for (k = 2; k < in.len; k++) {
		cut.len = 0;
		put(&cut, in.p, k);
		UNIT_EQ_INT(unpack_mem(&cut, 512, COMPRESSION_GZIP, &out),
			    -EINVAL);
		snprintf(msg, sizeof(msg), "L: gzip: unexpected end of "
			 "stream at byte %zu", k);
		UNIT_EQ_STR(e.msg, msg);
		UNIT_ASSERT(out.len <= 20000);
		UNIT_ASSERT(!out.len || !memcmp(out.p, data, out.len));
		free(out.p);
	}
	free(cut.p);
	free(in.p);
	free(data);
}

/* The trailer: CRC-32 and ISIZE (RFC 1952, 2.3.1). */
UNIT_CASE(gzip_bad_trailer)
{
	unsigned char *data = text(5000, 6);
	struct buf in = { 0 };
	char msg[128];

	gz(&in, data, 5000, 6, NULL);
	in.p[in.len - 8] ^= 1;
	snprintf(msg, sizeof(msg), "L: gzip: incorrect data check at byte "
		 "%zu", in.len - 4);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	in.p[in.len - 8] ^= 1;
	in.p[in.len - 1] ^= 1;
	snprintf(msg, sizeof(msg), "L: gzip: incorrect length check at byte "
		 "%zu", in.len);
	expect_error(&in, 4096, COMPRESSION_GZIP, msg);
	free(in.p);
	free(data);
}

/* Headers by hand: ID1 ID2 CM FLG MTIME(4) XFL OS, then deflate data. */
UNIT_CASE(gzip_bad_header_and_block)
{
	static const unsigned char block[] = {
		0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
		0x07,		/* BFINAL, BTYPE 11: reserved */
	};
	static const unsigned char method[] = {
		0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3, 0, 0,
	};
	static const unsigned char flags[] = {
		0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 3, 0, 0,
	};
	struct buf in = { 0 };

	put(&in, block, sizeof(block));
	expect_error(&in, 4096, COMPRESSION_GZIP,
		     "L: gzip: invalid block type at byte 11");
	in.len = 0;
	put(&in, method, sizeof(method));
	expect_error(&in, 4096, COMPRESSION_GZIP,
		     "L: gzip: unknown compression method at byte 4");
	in.len = 0;
	put(&in, flags, sizeof(flags));
	expect_error(&in, 4096, COMPRESSION_GZIP,
		     "L: gzip: unknown header flags set at byte 4");
	free(in.p);
}

/* FEXTRA, FNAME, FCOMMENT and FHCRC are read past, the CRC checked. */
UNIT_CASE(gzip_optional_header_fields)
{
	unsigned char extra[300];
	gz_header h = { 0 };
	struct buf in = { 0 }, out;

	memset(extra, 'x', sizeof(extra));
	h.extra = extra;
	h.extra_len = sizeof(extra);
	h.name = (unsigned char *)"layer.tar";
	h.comment = (unsigned char *)"a comment";
	h.hcrc = 1;
	gz(&in, "data", 4, 6, &h);
	UNIT_EQ_UINT(in.p[3], 0x1e);
	UNIT_EQ_INT(unpack(trickle(in.p, in.len, 1), 10, COMPRESSION_GZIP,
			   &out), 4);
	UNIT_EQ_MEM(&out, "data", 4);
	free(out.p);
	/* The header CRC is the two bytes before the deflate data. */
	in.p[10 + 2 + 300 + 10 + 10] ^= 1;
	expect_error(&in, 4096, COMPRESSION_GZIP,
		     "L: gzip: header crc mismatch at byte 334");
	free(in.p);
}

/* A read error of the source comes up unchanged, not as corruption. */
UNIT_CASE(source_error_passes_through)
{
	unsigned char *data = text(200000, 7);
	struct buf in = { 0 }, out;
	char msg[128];

	snprintf(msg, sizeof(msg), "read layer: %s", strerror(EIO));
	gz(&in, data, 200000, 6, NULL);
	UNIT_EQ_INT(unpack(failing(in.p, in.len / 2), 4096, COMPRESSION_GZIP,
			   &out), -EIO);
	UNIT_EQ_STR(e.msg, msg);
	UNIT_ASSERT(out.len > 0 && !memcmp(out.p, data, out.len));
	free(out.p);
	UNIT_EQ_INT(unpack(failing("plain text", 10), 4096, COMPRESSION_NONE,
			   &out), -EIO);
	UNIT_EQ_MEM(&out, "plain text", 10);
	free(out.p);
	/* While sniffing: nothing is made. */
	UNIT_NULL(reader_decompress(failing("ab", 2), "L", NULL, &e));
	UNIT_EQ_INT(e.no, EIO);
	UNIT_EQ_STR(e.msg, msg);
	free(in.p);
	free(data);
}

/* RFC 8878 by hand: a frame header, its blocks, skippable frames. */
static void zs_frame(struct buf *b, int window_log)
{
	put_le(b, 0xfd2fb528, 4);
	/* No content size, not single segment, no checksum, no dictionary. */
	put_le(b, 0, 1);
	put_le(b, (window_log - 10) << 3, 1);
}

/* Block_Header: Last_Block, Block_Type (0 raw, 1 RLE), Block_Size. */
static void zs_raw(struct buf *b, const void *p, size_t n, int last)
{
	put_le(b, last | 0 << 1 | n << 3, 3);
	put(b, p, n);
}

static void zs_rle(struct buf *b, unsigned char c, size_t n, int last)
{
	put_le(b, last | 1 << 1 | n << 3, 3);
	put(b, &c, 1);
}

static void zs_skippable(struct buf *b, unsigned nibble, const void *p,
			 size_t n)
{
	put_le(b, 0x184d2a50 | nibble, 4);
	put_le(b, n, 4);
	put(b, p, n);
}

/*
 * Two frames of raw and RLE blocks (128 KiB, the largest a block may
 * be), skippable frames before, between and after.
 */
static void zs_sample(struct buf *in, struct buf *want)
{
	unsigned char *data = noise(1 << 17, 8);

	zs_skippable(in, 0, "meta", 4);
	zs_frame(in, 17);
	zs_raw(in, data, 1 << 17, 0);
	zs_rle(in, 'a', 1 << 17, 0);
	zs_raw(in, "tail", 4, 1);
	zs_skippable(in, 15, "", 0);
	zs_frame(in, 10);
	zs_rle(in, 'b', 1000, 0);
	zs_raw(in, "", 0, 1);
	zs_skippable(in, 7, data, 5000);
	put(want, data, 1 << 17);
	while (want->len < 2 << 17)
		put(want, "a", 1);
	put(want, "tail", 4);
	while (want->len < (2 << 17) + 1004)
		put(want, "b", 1);
	free(data);
}

UNIT_CASE(zstd_frames_by_hand)
{
	static const size_t chunks[] = { 1, 100, 65536, 1 << 20 };
	struct buf in = { 0 }, want = { 0 }, out;
	size_t i;

	zs_sample(&in, &want);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		UNIT_EQ_INT(unpack_mem(&in, chunks[i], COMPRESSION_ZSTD,
				       &out), want.len);
		UNIT_EQ_MEM(&out, want.p, want.len);
		free(out.p);
	}
	UNIT_EQ_INT(unpack(trickle(in.p, in.len, 1), 4096, COMPRESSION_ZSTD,
			   &out), want.len);
	UNIT_EQ_MEM(&out, want.p, want.len);
	free(out.p);
	/* Nothing but a skippable frame is an empty stream. */
	in.len = 0;
	zs_skippable(&in, 0, "x", 1);
	UNIT_EQ_INT(unpack_mem(&in, 10, COMPRESSION_ZSTD, &out), 0);
	free(out.p);
	free(in.p);
	free(want.p);
}

UNIT_CASE(zstd_truncated)
{
	struct buf in = { 0 }, cut = { 0 }, out;
	char msg[128];
	size_t k, ends[3], i, n = 0;

	zs_skippable(&in, 0, "meta", 4);
	ends[n++] = in.len;
	zs_frame(&in, 12);
	zs_raw(&in, "abcdefgh", 8, 0);
	zs_rle(&in, 'z', 3000, 0);
	zs_raw(&in, "tail", 4, 1);
	ends[n++] = in.len;
	zs_skippable(&in, 1, "meta", 4);
	ends[n++] = in.len;
	/* Every cut at a frame's end is a whole stream; all others fail. */
	for (k = 4; k < in.len; k++) {
		for (i = 0; i < n && ends[i] != k; i++)
			;
		cut.len = 0;
		put(&cut, in.p, k);
		if (i < n) {
			UNIT_ASSERT(unpack_mem(&cut, 512, COMPRESSION_ZSTD,
					       &out) >= 0);
			free(out.p);
			continue;
		}
		UNIT_EQ_INT(unpack_mem(&cut, 512, COMPRESSION_ZSTD, &out),
			    -EINVAL);
		snprintf(msg, sizeof(msg), "L: zstd: unexpected end of "
			 "stream at byte %zu", k);
		UNIT_EQ_STR(e.msg, msg);
		free(out.p);
	}
	free(cut.p);
	free(in.p);
}

UNIT_CASE(zstd_bad_frames)
{
	struct buf in = { 0 };

	/* A window of 2^28 bytes: more than the 128 MiB allowed. */
	zs_frame(&in, 28);
	zs_raw(&in, "x", 1, 1);
	expect_error(&in, 4096, COMPRESSION_ZSTD,
		     "L: zstd: frame window larger than 128 MiB at byte 0");
	/* 2^27 is allowed (and not allocated for a 1-byte frame). */
	in.len = 0;
	zs_frame(&in, 27);
	zs_raw(&in, "x", 1, 1);
	put(&in, "junk", 4);
	expect_error(&in, 4096, COMPRESSION_ZSTD,
		     "L: zstd: unknown frame descriptor at byte 10");
	/* Zero padding is not zstd's. */
	in.len = 0;
	zs_frame(&in, 20);
	zs_raw(&in, "x", 1, 1);
	put(&in, "\0\0\0\0\0\0\0\0", 8);
	expect_error(&in, 4096, COMPRESSION_ZSTD,
		     "L: zstd: unknown frame descriptor at byte 10");
	/*
	 * Block_Type 3 is reserved.  The first block's header is read in one
	 * step with the frame's; a later one is placed exactly.
	 */
	in.len = 0;
	zs_frame(&in, 20);
	put_le(&in, 1 | 3 << 1 | 1 << 3, 3);
	put(&in, "x", 1);
	expect_error(&in, 4096, COMPRESSION_ZSTD,
		     "L: zstd: data corruption detected at byte 0");
	in.len = 0;
	zs_frame(&in, 20);
	zs_raw(&in, "abc", 3, 0);
	zs_rle(&in, 'x', 5000, 0);
	put_le(&in, 1 | 3 << 1 | 1 << 3, 3);
	put(&in, "x", 1);
	expect_error(&in, 4096, COMPRESSION_ZSTD,
		     "L: zstd: data corruption detected at byte 16");
	free(in.p);
}

/* What zstd(1) with opts makes of data, added to out. */
static void zstd_cli(const void *data, size_t n, const char *opts,
		    struct buf *out)
{
	char in[128], z[128], cmd[512];
	FILE *f;
	char tmp[65536];
	size_t k;

	if (system("command -v zstd >/dev/null 2>&1"))
		unit_fail(__FILE__, __LINE__, "zstd(1) is not installed: "
			  "scripts/install-deps test");
	snprintf(in, sizeof(in), "%s/in", unit_tmpdir());
	snprintf(z, sizeof(z), "%s/in.zst", unit_tmpdir());
	f = fopen(in, "we");
	UNIT_NOT_NULL(f);
	UNIT_EQ_UINT(fwrite(data, 1, n, f), n);
	UNIT_EQ_INT(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "zstd -q -f %s -o %s %s", opts, z, in);
	UNIT_EQ_INT(system(cmd), 0);
	f = fopen(z, "re");
	UNIT_NOT_NULL(f);
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		put(out, tmp, k);
	fclose(f);
}

/* What zstd(1) makes: compressed blocks, checksums, several frames. */
UNIT_CASE(zstd_cli_frames)
{
	size_t n = 3 << 20;
	unsigned char *data = text(n, 9);
	struct buf in = { 0 }, want = { 0 }, out;
	char msg[128];

	zstd_cli(data, n, "-3", &in);
	zs_skippable(&in, 3, "between", 7);
	zstd_cli(data, 100000, "-19 --no-check", &in);
	put(&want, data, n);
	put(&want, data, 100000);
	UNIT_EQ_INT(unpack_mem(&in, 65536, COMPRESSION_ZSTD, &out),
		    want.len);
	UNIT_EQ_MEM(&out, want.p, want.len);
	free(out.p);
	UNIT_EQ_INT(unpack(trickle(in.p, in.len, 777), 333, COMPRESSION_ZSTD,
			   &out), want.len);
	UNIT_EQ_MEM(&out, want.p, want.len);
	free(out.p);
	/* The content checksum (XXH64's low 32 bits) is checked. */
	in.len = 0;
	zstd_cli(data, 1000, "-3", &in);
	in.p[in.len - 1] ^= 1;
	snprintf(msg, sizeof(msg), "L: zstd: restored data doesn't match "
		 "checksum at byte %zu", in.len - 4);
	expect_error(&in, 4096, COMPRESSION_ZSTD, msg);
	free(in.p);
	free(want.p);
	free(data);
}

UNIT_CASE(bzip2_and_xz_refused)
{
	static const unsigned char xz[] = {
		0xfd, '7', 'z', 'X', 'Z', 0, 0, 4,
	};
	enum compression found = -1;
	struct reader *src;

	src = reader_mem("BZh91AY&SY", 10);
	UNIT_NULL(reader_decompress(src, "layer.tar.bz2", &found, &e));
	UNIT_EQ_INT(e.no, ENOTSUP);
	UNIT_EQ_STR(e.msg, "layer.tar.bz2: bzip2 compression is not "
		    "supported (gzip and zstd are)");
	UNIT_EQ_INT(found, COMPRESSION_BZIP2);
	src = reader_mem(xz, sizeof(xz));
	UNIT_NULL(reader_decompress(src, "L", &found, &e));
	UNIT_EQ_INT(e.no, ENOTSUP);
	UNIT_EQ_STR(e.msg, "L: xz compression is not supported (gzip and "
		    "zstd are)");
	UNIT_EQ_INT(found, COMPRESSION_XZ);
}

/* Whatever is not a known magic, including one cut short, is data. */
UNIT_CASE(plain_passthrough)
{
	static const char *const small[] = {
		"", "a", "\x1f", "BZh", "BZhx", "\x28\xb5\x2f", "\xfd" "7zXZ",
		"ustar", "hello, world",
	};
	unsigned char *data = noise(300000, 10);
	struct buf out;
	size_t i, n;

	data[0] = 'x';
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		n = strlen(small[i]);
		UNIT_EQ_INT(unpack(reader_mem(small[i], n), 1,
				   COMPRESSION_NONE, &out), n);
		UNIT_EQ_MEM(&out, small[i], n);
		free(out.p);
	}
	UNIT_EQ_INT(unpack(reader_mem(data, 300000), 5, COMPRESSION_NONE,
			   &out), 300000);
	UNIT_EQ_MEM(&out, data, 300000);
	free(out.p);
	UNIT_EQ_INT(unpack(trickle(data, 300000, 1), 65536, COMPRESSION_NONE,
			   &out), 300000);
	UNIT_EQ_MEM(&out, data, 300000);
	free(out.p);
	/* found may be NULL. */
	UNIT_EQ_INT(drain(reader_decompress(reader_mem("ab", 2), "L", NULL,
					    &e), 10, &out), 2);
	free(out.p);
	free(data);
}

/*
 * Random damage never crashes, hangs or passes off wrong bytes: each
 * stream decodes to the data (a flipped byte the format does not check,
 * such as gzip's MTIME) or fails with a message of the format's.
 */
static void damage(struct buf *in, const unsigned char *data, size_t n,
		   enum compression c, const char *prefix)
{
	uint32_t seed = 12345;
	struct buf out;
	unsigned char old;
	size_t at;
	ssize_t rc;
	int i;

	for (i = 0; i < 3000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		/* Not the magic, which would only make it plain data. */
		at = 4 + seed % (in->len - 4);
		old = in->p[at];
		in->p[at] ^= 1 << (seed >> 29) | (seed >> 8 & 0x7f);
		rc = unpack_mem(in, 4096, c, &out);
		if (rc >= 0) {
			UNIT_EQ_MEM(&out, data, n);
		} else {
			UNIT_EQ_INT(rc, -EINVAL);
			if (strncmp(e.msg, prefix, strlen(prefix)))
				unit_fail(__FILE__, __LINE__, "byte %zu: %s",
					  at, e.msg);
		}
		free(out.p);
		in->p[at] = old;
	}
}

UNIT_CASE(damaged_streams)
{
	unsigned char *data = text(20100, 11);
	struct buf in = { 0 };

	gz(&in, data, 20000, 6, NULL);
	gz(&in, data + 20000, 100, 6, NULL);
	damage(&in, data, 20100, COMPRESSION_GZIP, "L: gzip: ");
	in.len = 0;
	zstd_cli(data, 20000, "-3", &in);
	damage(&in, data, 20000, COMPRESSION_ZSTD, "L: zstd: ");
	free(in.p);
	free(data);
}
