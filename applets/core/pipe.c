/*
 * pipe.c - a producer thread filling a ring of buffers for one consumer,
 * one mutex and two conditions (POSIX.1-2008 pthread_cond_wait); see
 * pipe.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipe.h"

struct thread_reader {
	struct reader r;
	struct reader *src;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t more;	/* a buffer was filled, or the producer ended */
	pthread_cond_t room;	/* a buffer was emptied, or stop was set */
	unsigned char *bufs;	/* nbufs x bufsize */
	size_t *lens;		/* of each filled buffer */
	size_t bufsize;
	int nbufs;
	/* Under mu. */
	int head;		/* the oldest filled buffer */
	int count;		/* filled buffers, head on */
	int ended;		/* the producer has filled its last */
	int stop;		/* the consumer has closed */
	ssize_t rc;		/* how the producer ended: 0 or src's -errno */
	/* The producer's until it has ended, then the consumer's. */
	struct err err;		/* src's, when rc < 0 */
	/* The consumer's alone. */
	int held;		/* it is reading bufs[head] */
	size_t off;		/* how far */
};

static unsigned char *buf_at(struct thread_reader *t, int i)
{
	return t->bufs + (size_t)i * t->bufsize;
}

/*
 * One src read per buffer, not a fill: a slow source (a network body)
 * hands over what it has at once, and a decompressor mostly fills it
 * anyway.
 */
static void *produce(void *arg)
{
	struct thread_reader *t = arg;
	ssize_t n;
	int slot;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (t->count == t->nbufs && !t->stop)
			pthread_cond_wait(&t->room, &t->mu);
		if (t->stop)
			break;
		/* Neither side touches a free buffer but this one. */
		slot = (t->head + t->count) % t->nbufs;
		pthread_mutex_unlock(&t->mu);
		n = reader_read(t->src, buf_at(t, slot), t->bufsize, &t->err);
		pthread_mutex_lock(&t->mu);
		if (n <= 0) {
			t->rc = n;
			break;
		}
		t->lens[slot] = n;
		t->count++;
		pthread_cond_signal(&t->more);
	}
	t->ended = 1;
	pthread_cond_signal(&t->more);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* The lock is taken once per buffer, not per read. */
static ssize_t thread_read(struct reader *r, void *buf, size_t len,
			   struct err *e)
{
	struct thread_reader *t = (struct thread_reader *)r;
	ssize_t rc;

	if (!len)
		return 0;
	if (!t->held) {
		pthread_mutex_lock(&t->mu);
		while (!t->count && !t->ended)
			pthread_cond_wait(&t->more, &t->mu);
		if (!t->count) {
			rc = t->rc;
			if (rc < 0)
				*e = t->err;
			pthread_mutex_unlock(&t->mu);
			return rc;
		}
		pthread_mutex_unlock(&t->mu);
		t->held = 1;
		t->off = 0;
	}
	if (len > t->lens[t->head] - t->off)
		len = t->lens[t->head] - t->off;
	memcpy(buf, buf_at(t, t->head) + t->off, len);
	t->off += len;
	if (t->off == t->lens[t->head]) {
		t->held = 0;
		pthread_mutex_lock(&t->mu);
		t->head = (t->head + 1) % t->nbufs;
		t->count--;
		pthread_cond_signal(&t->room);
		pthread_mutex_unlock(&t->mu);
	}
	return len;
}

static void free_ring(struct thread_reader *t)
{
	pthread_cond_destroy(&t->room);
	pthread_cond_destroy(&t->more);
	pthread_mutex_destroy(&t->mu);
	free(t->lens);
	free(t->bufs);
	free(t);
}

static void thread_close(struct reader *r)
{
	struct thread_reader *t = (struct thread_reader *)r;

	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->room);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->tid, NULL);
	reader_close(t->src);
	free_ring(t);
}

struct reader *reader_thread(struct reader *src, size_t bufsize, int nbufs,
			     struct err *e)
{
	struct thread_reader *t;
	sigset_t all, old;
	int rc;

	if (!bufsize || nbufs < 1) {
		err_msg(e, EINVAL, "reader thread: %d buffers of %zu bytes",
			nbufs, bufsize);
		goto out_src;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		err_sys(e, ENOMEM, "reader thread");
		goto out_src;
	}
	t->bufs = bufsize <= SIZE_MAX / nbufs ? malloc(bufsize * nbufs) : NULL;
	t->lens = calloc(nbufs, sizeof(*t->lens));
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->more, NULL);
	pthread_cond_init(&t->room, NULL);
	if (!t->bufs || !t->lens) {
		err_sys(e, ENOMEM, "reader thread: %d buffers of %zu bytes",
			nbufs, bufsize);
		goto out_ring;
	}
	t->r.read = thread_read;
	t->r.close = thread_close;
	t->src = src;
	t->bufsize = bufsize;
	t->nbufs = nbufs;
	/* The new thread starts with the mask in force when it is made. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->tid, NULL, produce, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		err_sys(e, rc, "reader thread: pthread_create");
		goto out_ring;
	}
	return &t->r;

out_ring:
	free_ring(t);
out_src:
	reader_close(src);
	return NULL;
}
