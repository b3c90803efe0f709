/*
 * decompress.c - gzip members (RFC 1952) by zlib's inflate, zstd frames
 * (RFC 8878) by libzstd's streaming decoder, chosen by magic bytes; GNU
 * gzip's rules for what may follow the last member.  See decompress.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress.h"

/* The longest magic: xz's six bytes. */
#define MAGIC_MAX 6
#define GZ_IN_SIZE (64 << 10)
/* The longest zstd frame header (RFC 8878, 3.1.1.1). */
#define ZSTD_HEADER_MAX 18
/* zstd -d's default limit too: see decompress.h for why not less. */
#define ZSTD_WINDOW_LOG_MAX 27

static const char *const names[] = {
	[COMPRESSION_NONE] = "uncompressed",
	[COMPRESSION_GZIP] = "gzip",
	[COMPRESSION_ZSTD] = "zstd",
	[COMPRESSION_BZIP2] = "bzip2",
	[COMPRESSION_XZ] = "xz",
};

const char *compression_name(enum compression c)
{
	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] :
		"unknown";
}

/* Where a gzip stream is between members. */
enum gz_state {
	GZ_MEMBER,		/* inside one: inflate */
	GZ_AFTER,		/* one ended: another, padding or the end */
	GZ_ZEROS,		/* in the zero padding */
	GZ_END,
};

struct dec {
	struct reader r;
	struct reader *src;
	const char *name;
	uint64_t pos;		/* offset of in[0] in the compressed stream */
	size_t off, len;	/* in[off..len) is not consumed yet */
	size_t size;		/* of in[] */
	int eof;		/* src has ended */
	union {
		struct {
			z_stream z;
			enum gz_state state;
		} gz;
		struct {
			ZSTD_DStream *ds;
			size_t next;	/* input the next step takes, 0: a
					   frame header's */
			int boundary;	/* the last frame has ended */
		} zs;
	} u;
	unsigned char in[];
};

/* More input after what is left; src ending sets eof. */
static int refill(struct dec *d, struct err *e)
{
	ssize_t n;

	memmove(d->in, d->in + d->off, d->len - d->off);
	d->pos += d->off;
	d->len -= d->off;
	d->off = 0;
	n = reader_read(d->src, d->in + d->len, d->size - d->len, e);
	if (n < 0)
		return n;
	if (n == 0)
		d->eof = 1;
	d->len += n;
	return 0;
}

static unsigned long long at(const struct dec *d)
{
	return (unsigned long long)(d->pos + d->off);
}

static int truncated(const struct dec *d, const char *what, struct err *e)
{
	return err_msg(e, EINVAL, "%s: %s: unexpected end of stream at byte "
		       "%llu", d->name, what, at(d));
}

/*
 * After a member, as GNU gzip reads on: "1f 8b" is the next member, zero
 * bytes to the end are padding (tape blocks, dd), anything else is
 * garbage, which gzip only warns about but an image cannot mean.
 */
static int gz_after(struct dec *d, struct err *e)
{
	int rc;

	for (;;) {
		if (d->len - d->off < 2 && !d->eof) {
			rc = refill(d, e);
			if (rc < 0)
				return rc;
			continue;
		}
		if (d->u.gz.state == GZ_ZEROS) {
			while (d->off < d->len && !d->in[d->off])
				d->off++;
			if (d->off < d->len)
				break;
			if (d->eof) {
				d->u.gz.state = GZ_END;
				return 0;
			}
			continue;
		}
		if (d->off == d->len) {
			d->u.gz.state = GZ_END;
			return 0;
		}
		if (!d->in[d->off]) {
			d->u.gz.state = GZ_ZEROS;
			continue;
		}
		if (d->len - d->off < 2 || d->in[d->off] != 0x1f ||
		    d->in[d->off + 1] != 0x8b)
			break;
		inflateReset(&d->u.gz.z);
		d->u.gz.state = GZ_MEMBER;
		return 0;
	}
	return err_msg(e, EINVAL, "%s: gzip: trailing garbage at byte %llu",
		       d->name, at(d));
}

/*
 * src is read only while nothing has been produced by this call, so that
 * its error is never reported over bytes already decoded.
 */
static ssize_t gz_read(struct reader *r, void *buf, size_t len,
		       struct err *e)
{
	struct dec *d = (struct dec *)r;
	z_stream *z = &d->u.gz.z;
	size_t done;
	int rc;

	if (!len)
		return 0;
again:
	while (d->u.gz.state != GZ_MEMBER) {
		if (d->u.gz.state == GZ_END)
			return 0;
		rc = gz_after(d, e);
		if (rc < 0)
			return rc;
	}
	z->next_out = buf;
	z->avail_out = len > UINT_MAX ? UINT_MAX : len;
	for (;;) {
		z->next_in = d->in + d->off;
		z->avail_in = d->len - d->off;
		rc = inflate(z, Z_NO_FLUSH);
		d->off = d->len - z->avail_in;
		done = (unsigned char *)z->next_out - (unsigned char *)buf;
		if (rc == Z_STREAM_END) {
			d->u.gz.state = GZ_AFTER;
			if (done)
				return done;
			goto again;
		}
		if (rc == Z_MEM_ERROR)
			return err_sys(e, ENOMEM, "%s: gzip", d->name);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return err_msg(e, EINVAL, "%s: gzip: %s at byte %llu",
				       d->name, z->msg ? z->msg :
				       "invalid data", at(d));
		if (!z->avail_out || done)
			return done;
		if (d->eof)
			return truncated(d, "gzip", e);
		rc = refill(d, e);
		if (rc < 0)
			return rc;
	}
}

static void gz_close(struct reader *r)
{
	struct dec *d = (struct dec *)r;

	inflateEnd(&d->u.gz.z);
	reader_close(d->src);
	free(d);
}

/* libzstd's text ("Data corruption detected"), in lower case. */
static int zs_error(struct dec *d, size_t ret, struct err *e)
{
	const char *s = ZSTD_getErrorName(ret);

	if (ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
		return err_sys(e, ENOMEM, "%s: zstd", d->name);
	if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge)
		return err_msg(e, EINVAL, "%s: zstd: frame window larger "
			       "than %d MiB at byte %llu", d->name,
			       1 << (ZSTD_WINDOW_LOG_MAX - 20), at(d));
	return err_msg(e, EINVAL, "%s: zstd: %c%s at byte %llu", d->name,
		       tolower((unsigned char)s[0]), s + 1, at(d));
}

/*
 * As gz_read, src is read only while nothing has been produced.  Each
 * call of the decoder is given what its last one said the next step
 * takes (a block and the next block's header): a block is then decoded
 * in place, not copied into libzstd's own buffer first, and an error
 * can be placed at the start of its step.
 */
static ssize_t zs_read(struct reader *r, void *buf, size_t len,
		       struct err *e)
{
	struct dec *d = (struct dec *)r;
	ZSTD_outBuffer out = { buf, len, 0 };
	ZSTD_inBuffer in;
	size_t ret, before, want;
	int rc;

	if (!len)
		return 0;
	for (;;) {
		want = d->u.zs.next ? d->u.zs.next : ZSTD_HEADER_MAX;
		if (want > d->size)
			want = d->size;
		if (d->len - d->off < want && !d->eof) {
			if (out.pos)
				return out.pos;
			rc = refill(d, e);
			if (rc < 0)
				return rc;
			continue;
		}
		in.src = d->in;
		in.size = d->len - d->off < want ? d->len : d->off + want;
		in.pos = d->off;
		before = out.pos;
		ret = ZSTD_decompressStream(d->u.zs.ds, &out, &in);
		if (ZSTD_isError(ret))
			return zs_error(d, ret, e);
		/* An empty call between frames asks for more, not 0. */
		if (!ret)
			d->u.zs.boundary = 1;
		else if (in.pos != d->off || out.pos != before)
			d->u.zs.boundary = 0;
		d->u.zs.next = ret;
		d->off = in.pos;
		if (out.pos == out.size)
			return out.pos;
		if (d->off < d->len)
			continue;
		if (out.pos)
			return out.pos;
		if (d->eof)
			return d->u.zs.boundary ? 0 : truncated(d, "zstd", e);
	}
}

static void zs_close(struct reader *r)
{
	struct dec *d = (struct dec *)r;

	ZSTD_freeDStream(d->u.zs.ds);
	reader_close(d->src);
	free(d);
}

struct plain {
	struct reader r;
	struct reader *src;
	unsigned char peek[MAGIC_MAX];
	size_t off, len;
};

static ssize_t plain_read(struct reader *r, void *buf, size_t len,
			  struct err *e)
{
	struct plain *p = (struct plain *)r;

	if (p->off == p->len)
		return reader_read(p->src, buf, len, e);
	if (len > p->len - p->off)
		len = p->len - p->off;
	memcpy(buf, p->peek + p->off, len);
	p->off += len;
	return len;
}

static void plain_close(struct reader *r)
{
	struct plain *p = (struct plain *)r;

	reader_close(p->src);
	free(p);
}

enum compression compression_sniff(const void *buf, size_t n)
{
	const unsigned char *m = buf;
	static const unsigned char xz[MAGIC_MAX] = {
		0xfd, '7', 'z', 'X', 'Z', 0
	};

	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return COMPRESSION_GZIP;
	/* A zstd frame, or a skippable frame (magic 0x184d2a5?) before one. */
	if (n >= 4 && ((m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f &&
			m[3] == 0xfd) ||
		       ((m[0] & 0xf0) == 0x50 && m[1] == 0x2a &&
			m[2] == 0x4d && m[3] == 0x18)))
		return COMPRESSION_ZSTD;
	if (n >= 4 && !memcmp(m, "BZh", 3) && m[3] >= '1' && m[3] <= '9')
		return COMPRESSION_BZIP2;
	if (n >= sizeof(xz) && !memcmp(m, xz, sizeof(xz)))
		return COMPRESSION_XZ;
	return COMPRESSION_NONE;
}

/* NULL: out of memory, src is still the caller's. */
static struct reader *plain_open(struct reader *src, const char *name,
				 const unsigned char *m, size_t n,
				 struct err *e)
{
	struct plain *p = calloc(1, sizeof(*p));

	if (!p) {
		err_sys(e, ENOMEM, "%s", name);
		return NULL;
	}
	p->r.read = plain_read;
	p->r.close = plain_close;
	p->src = src;
	memcpy(p->peek, m, n);
	p->len = n;
	return &p->r;
}

static int gz_init(struct dec *d, struct err *e)
{
	/* 16 + 15: a gzip wrapper, not zlib's, and the full 32 KiB window. */
	if (inflateInit2(&d->u.gz.z, 16 + MAX_WBITS) != Z_OK)
		return err_sys(e, ENOMEM, "%s: gzip", d->name);
	d->u.gz.state = GZ_MEMBER;
	d->r.read = gz_read;
	d->r.close = gz_close;
	return 0;
}

static int zs_init(struct dec *d, struct err *e)
{
	d->u.zs.ds = ZSTD_createDStream();
	if (!d->u.zs.ds)
		return err_sys(e, ENOMEM, "%s: zstd", d->name);
	ZSTD_DCtx_setParameter(d->u.zs.ds, ZSTD_d_windowLogMax,
			       ZSTD_WINDOW_LOG_MAX);
	d->r.read = zs_read;
	d->r.close = zs_close;
	return 0;
}

struct reader *reader_decompress(struct reader *src, const char *name,
				 enum compression *found, struct err *e)
{
	unsigned char m[MAGIC_MAX];
	enum compression c;
	struct reader *r;
	struct dec *d;
	size_t size;
	ssize_t n;

	n = reader_read_full(src, m, sizeof(m), e);
	if (n < 0)
		goto out_src;
	c = compression_sniff(m, n);
	if (found)
		*found = c;
	if (c == COMPRESSION_BZIP2 || c == COMPRESSION_XZ) {
		err_msg(e, ENOTSUP, "%s: %s compression is not supported "
			"(gzip and zstd are)", name, names[c]);
		goto out_src;
	}
	if (c == COMPRESSION_NONE) {
		r = plain_open(src, name, m, n, e);
		if (!r)
			goto out_src;
		return r;
	}
	size = c == COMPRESSION_GZIP ? GZ_IN_SIZE : ZSTD_DStreamInSize();
	d = calloc(1, sizeof(*d) + size);
	if (!d) {
		err_sys(e, ENOMEM, "%s: %s", name, names[c]);
		goto out_src;
	}
	d->src = src;
	d->name = name;
	d->size = size;
	memcpy(d->in, m, n);
	d->len = n;
	if ((c == COMPRESSION_GZIP ? gz_init : zs_init)(d, e) < 0)
		goto out_dec;
	return &d->r;

out_dec:
	free(d);
out_src:
	reader_close(src);
	return NULL;
}
