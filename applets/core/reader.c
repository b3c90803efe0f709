/* reader.c - the plain readers and the digest tee; see reader.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"

void reader_close(struct reader *r)
{
	if (r && r->close)
		r->close(r);
}

ssize_t reader_read_full(struct reader *r, void *buf, size_t len,
			 struct err *e)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = r->read(r, (char *)buf + done, len - done, e);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

ssize_t reader_skip(struct reader *r, size_t len, struct err *e)
{
	char buf[4096];
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (r->skip)
			n = r->skip(r, len - done, e);
		else
			n = r->read(r, buf, len - done < sizeof(buf) ?
				    len - done : sizeof(buf), e);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

struct fd_reader {
	struct reader r;
	int fd, own;
	const char *name;
};

static ssize_t fd_read(struct reader *r, void *buf, size_t len,
		       struct err *e)
{
	struct fd_reader *f = (struct fd_reader *)r;
	ssize_t n;

	do
		n = read(f->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, errno, "read %s", f->name);
	return n;
}

static void fd_close(struct reader *r)
{
	struct fd_reader *f = (struct fd_reader *)r;

	if (f->own)
		close(f->fd);
	free(f);
}

struct reader *reader_fd(int fd, int own, const char *name)
{
	struct fd_reader *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->r.read = fd_read;
	f->r.close = fd_close;
	f->fd = fd;
	f->own = own;
	f->name = name;
	return &f->r;
}

struct mem_reader {
	struct reader r;
	const char *p;
	size_t left;
	void *own;
};

static ssize_t mem_read(struct reader *r, void *buf, size_t len,
			struct err *e)
{
	struct mem_reader *m = (struct mem_reader *)r;

	if (len > m->left)
		len = m->left;
	memcpy(buf, m->p, len);
	m->p += len;
	m->left -= len;
	return len;
}

static void mem_close(struct reader *r)
{
	free(((struct mem_reader *)r)->own);
	free(r);
}

struct reader *reader_mem(const void *buf, size_t len)
{
	struct mem_reader *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->r.read = mem_read;
	m->r.close = mem_close;
	m->p = buf;
	m->left = len;
	return &m->r;
}

struct reader *reader_mem_owned(void *buf, size_t len)
{
	struct reader *r = reader_mem(buf, len);

	if (!r)
		free(buf);
	else
		((struct mem_reader *)r)->own = buf;
	return r;
}

struct digest_reader {
	struct reader r;
	struct reader *src;
	struct digest *d;
	uint64_t *count;
};

static ssize_t digest_read(struct reader *r, void *buf, size_t len,
			   struct err *e)
{
	struct digest_reader *t = (struct digest_reader *)r;
	ssize_t n = t->src->read(t->src, buf, len, e);

	if (n > 0) {
		digest_update(t->d, buf, n);
		if (t->count)
			*t->count += n;
	}
	return n;
}

static void digest_close(struct reader *r)
{
	struct digest_reader *t = (struct digest_reader *)r;

	reader_close(t->src);
	free(t);
}

struct reader *reader_digest(struct reader *src, struct digest *d,
			     uint64_t *count)
{
	struct digest_reader *t = calloc(1, sizeof(*t));

	if (!t) {
		reader_close(src);
		return NULL;
	}
	t->r.read = digest_read;
	t->r.close = digest_close;
	t->src = src;
	t->d = d;
	t->count = count;
	return &t->r;
}
