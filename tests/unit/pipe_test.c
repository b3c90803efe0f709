/*
 * pipe_test.c - unit tests of core/pipe.c: a reader run in a producer
 * thread.  The source below makes a pattern that shows any byte lost,
 * doubled or reordered, and can be slow, fail, or never end.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <zlib.h>

#include "decompress.h"
#include "pipe.h"
#include "reader.h"
#include "unit.h"

static struct err e;

static unsigned char pattern(uint64_t i)
{
	return (i * 7 + (i >> 8) + (i >> 16)) & 0xff;
}

struct src {
	struct reader r;
	uint64_t pos, end;	/* UINT64_MAX: endless */
	size_t step;		/* read sizes cycle 1..step (0: as asked) */
	int reads, fail_at;	/* fail at this read (0: never) */
	long delay_ns;		/* before each read */
	int *closed;		/* set by close */
	int *sigint_blocked;	/* in the reading thread */
};

static ssize_t src_read(struct reader *r, void *buf, size_t len,
			struct err *e)
{
	struct src *s = (struct src *)r;
	struct timespec ts = { 0, s->delay_ns };
	unsigned char *p = buf;
	sigset_t cur;
	size_t i;

	if (s->delay_ns)
		nanosleep(&ts, NULL);
	if (s->sigint_blocked) {
		pthread_sigmask(SIG_BLOCK, NULL, &cur);
		*s->sigint_blocked = sigismember(&cur, SIGINT);
	}
	if (++s->reads == s->fail_at)
		return err_msg(e, EIO, "src: read %d failed", s->reads);
	if (s->step && len > (size_t)(s->reads - 1) % s->step + 1)
		len = (s->reads - 1) % s->step + 1;
	if (len > s->end - s->pos)
		len = s->end - s->pos;
	for (i = 0; i < len; i++)
		p[i] = pattern(s->pos + i);
	s->pos += len;
	return len;
}

static void src_close(struct reader *r)
{
	struct src *s = (struct src *)r;

	++*s->closed;
	free(s);
}

static int closed;

static struct src *src_new(uint64_t end, size_t step)
{
	struct src *s = calloc(1, sizeof(*s));

	UNIT_NOT_NULL(s);
	s->r.read = src_read;
	s->r.close = src_close;
	s->end = end;
	s->step = step;
	s->closed = &closed;
	return s;
}

/* Read r to its end chunk bytes at a time, checking the pattern. */
static ssize_t check_all(struct reader *r, size_t chunk, uint64_t *got)
{
	unsigned char *buf = malloc(chunk);
	ssize_t n;
	ssize_t i;

	UNIT_NOT_NULL(buf);
	*got = 0;
	while ((n = reader_read(r, buf, chunk, &e)) > 0) {
		UNIT_ASSERT((size_t)n <= chunk);
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(*got + i))
				unit_fail(__FILE__, __LINE__, "byte %llu: %u, "
					  "want %u", (unsigned long long)
					  (*got + i), buf[i],
					  pattern(*got + i));
		*got += n;
	}
	free(buf);
	return n;
}

/* Odd sizes on both sides, across many rounds of the ring. */
UNIT_CASE(order)
{
	static const size_t chunks[] = { 1, 3, 100, 4096, 5000, 1 << 20 };
	struct reader *r;
	uint64_t got;
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		closed = 0;
		r = reader_thread(&src_new(3000000, 777)->r, 4096, 3, &e);
		UNIT_NOT_NULL(r);
		UNIT_EQ_INT(check_all(r, chunks[i], &got), 0);
		UNIT_EQ_UINT(got, 3000000);
		/* The end stays the end. */
		UNIT_EQ_INT(reader_read(r, &got, 1, &e), 0);
		UNIT_EQ_INT(closed, 0);
		reader_close(r);
		UNIT_EQ_INT(closed, 1);
	}
}

/* One buffer, of one byte: no overlap left, still correct. */
UNIT_CASE(smallest_ring)
{
	struct reader *r = reader_thread(&src_new(10000, 0)->r, 1, 1, &e);
	uint64_t got;

	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(check_all(r, 64, &got), 0);
	UNIT_EQ_UINT(got, 10000);
	reader_close(r);
}

UNIT_CASE(many_small_reads)
{
	struct reader *r = reader_thread(&src_new(1 << 20, 0)->r, 1000, 2,
					 &e);
	uint64_t got;

	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(check_all(r, 1, &got), 0);
	UNIT_EQ_UINT(got, 1 << 20);
	UNIT_EQ_INT(reader_read(r, &got, 0, &e), 0);
	reader_close(r);
}

/* src's error after its bytes, with its message, and again after. */
UNIT_CASE(error_after_data)
{
	struct src *s = src_new(UINT64_MAX, 10);
	uint64_t got, want = 0;
	struct reader *r;
	int i;

	/* Reads 1..49 give 1, 2, .. 10, 1, .. bytes, at most 7 (bufsize). */
	for (i = 0; i < 49; i++)
		want += i % 10 < 7 ? i % 10 + 1 : 7;
	s->fail_at = 50;
	r = reader_thread(&s->r, 7, 4, &e);
	UNIT_NOT_NULL(r);
	memset(&e, 0, sizeof(e));
	UNIT_EQ_INT(check_all(r, 3, &got), -EIO);
	UNIT_EQ_UINT(got, want);
	UNIT_EQ_STR(e.msg, "src: read 50 failed");
	UNIT_EQ_INT(e.no, EIO);
	memset(&e, 0, sizeof(e));
	UNIT_EQ_INT(reader_read(r, &got, 1, &e), -EIO);
	UNIT_EQ_STR(e.msg, "src: read 50 failed");
	reader_close(r);
}

UNIT_CASE(error_first)
{
	struct src *s = src_new(100, 0);
	struct reader *r;
	char c;

	s->fail_at = 1;
	r = reader_thread(&s->r, 64, 4, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read(r, &c, 1, &e), -EIO);
	UNIT_EQ_STR(e.msg, "src: read 1 failed");
	reader_close(r);
}

/*
 * Closing while the producer waits for room in a full ring, or having
 * read nothing, or while it is in a slow read: it stops, is joined, and
 * src is closed once.
 */
UNIT_CASE(early_close)
{
	struct reader *r;
	struct src *s;
	char buf[100];
	int i;

	for (i = 0; i < 100; i++) {
		closed = 0;
		r = reader_thread(&src_new(UINT64_MAX, 0)->r, 64, 2, &e);
		UNIT_NOT_NULL(r);
		if (i & 1)
			UNIT_EQ_INT(reader_read_full(r, buf, i, &e), i);
		reader_close(r);
		UNIT_EQ_INT(closed, 1);
	}
	closed = 0;
	s = src_new(UINT64_MAX, 0);
	s->delay_ns = 50 * 1000 * 1000;
	r = reader_thread(&s->r, 64, 2, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read(r, buf, 10, &e), 10);
	reader_close(r);
	UNIT_EQ_INT(closed, 1);
}

/* A slow source: the consumer waits, in order, to the end. */
UNIT_CASE(slow_producer)
{
	struct src *s = src_new(30000, 1000);
	struct reader *r;
	uint64_t got;

	s->delay_ns = 1000 * 1000;
	r = reader_thread(&s->r, 4096, 4, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(check_all(r, 4096, &got), 0);
	UNIT_EQ_UINT(got, 30000);
	reader_close(r);
}

/* The producer takes no signal: they are the applet's. */
UNIT_CASE(producer_blocks_signals)
{
	struct src *s = src_new(10, 0);
	int blocked = -1;
	struct reader *r;
	uint64_t got;
	sigset_t cur;

	s->sigint_blocked = &blocked;
	r = reader_thread(&s->r, 64, 2, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(check_all(r, 64, &got), 0);
	UNIT_EQ_INT(blocked, 1);
	reader_close(r);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	UNIT_EQ_INT(sigismember(&cur, SIGINT), 0);
}

UNIT_CASE(bad_sizes)
{
	closed = 0;
	UNIT_NULL(reader_thread(&src_new(10, 0)->r, 0, 4, &e));
	UNIT_EQ_INT(e.no, EINVAL);
	UNIT_EQ_STR(e.msg, "reader thread: 4 buffers of 0 bytes");
	UNIT_EQ_INT(closed, 1);
	UNIT_NULL(reader_thread(&src_new(10, 0)->r, 64, 0, &e));
	UNIT_EQ_STR(e.msg, "reader thread: 0 buffers of 64 bytes");
	UNIT_EQ_INT(closed, 2);
	UNIT_NULL(reader_thread(&src_new(10, 0)->r, SIZE_MAX / 2, 3, &e));
	UNIT_EQ_INT(e.no, ENOMEM);
	UNIT_EQ_INT(closed, 3);
}

/* As rootfs-unpack stacks it: gzip decoded in the thread. */
UNIT_CASE(over_a_decompressor)
{
	size_t n = 2 << 20, i;
	unsigned char *data = malloc(n), *comp, *out = malloc(n + 1);
	uLongf clen = compressBound(n) + 32;
	z_stream z = { 0 };
	struct reader *r;
	char msg[128];

	UNIT_ASSERT(data && out);
	for (i = 0; i < n; i++)
		data[i] = pattern(i / 3);
	comp = malloc(clen);
	UNIT_NOT_NULL(comp);
	UNIT_EQ_INT(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				 Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = data;
	z.avail_in = n;
	z.next_out = comp;
	z.avail_out = clen;
	UNIT_EQ_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
	r = reader_decompress(reader_mem(comp, z.total_out), "L", NULL, &e);
	UNIT_NOT_NULL(r);
	r = reader_thread(r, READER_THREAD_BUFSIZE, READER_THREAD_NBUFS, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read_full(r, out, n + 1, &e), n);
	UNIT_ASSERT(!memcmp(out, data, n));
	reader_close(r);
	/* Cut short: the decoder's error, after all it could give. */
	r = reader_decompress(reader_mem(comp, z.total_out - 3), "L", NULL,
			      &e);
	r = reader_thread(r, 1000, 3, &e);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read_full(r, out, n + 1, &e), -EINVAL);
	snprintf(msg, sizeof(msg), "L: gzip: unexpected end of stream at "
		 "byte %lu", z.total_out - 3);
	UNIT_EQ_STR(e.msg, msg);
	reader_close(r);
	deflateEnd(&z);
	free(comp);
	free(out);
	free(data);
}
