/* io.c - full reads and writes, small files, atomic replacement. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, (const char *)buf + done, len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		done += r;
	}
	return done;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out,
		 size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *nb;
	int fd, ret;
	ssize_t r;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (n + 1 >= cap || !buf) {
			if (buf)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out_free;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		n += r;
		if (n > max) {
			ret = -EFBIG;
			goto out_free;
		}
	}
	buf[n] = 0;
	close(fd);
	*out = buf;
	if (len)
		*len = n;
	return 0;
out_free:
	free(buf);
	close(fd);
	return ret;
}

ssize_t read_file_into_at(int dirfd, const char *path, char *buf,
			  size_t size)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	if ((size_t)n == size - 1)
		return -EFBIG;
	buf[n] = 0;
	return n;
}

int write_file_atomic(int dirfd, const char *name, const void *data,
		      size_t len, mode_t mode, int durable)
{
	char tmp[256];
	ssize_t w;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	w = write_full(fd, data, len);
	if (w < 0)
		ret = w;
	else if (durable && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name) < 0)
		ret = -errno;
	if (ret)
		unlinkat(dirfd, tmp, 0);
	return ret;
}

int write_file_at(int dirfd, const char *path, const char *s)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write_full(fd, s, strlen(s));
	close(fd);
	return w < 0 ? (int)w : 0;
}

int io_mkdir_p(const char *path, mode_t parents, mode_t mode)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	/* "DIR/" is DIR, made with mode, not with the parents'. */
	for (p = buf + strlen(buf); p > buf + 1 && p[-1] == '/'; p--)
		p[-1] = 0;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, parents) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) == 0)
		return chmod(buf, mode) < 0 ? -errno : 0;
	return errno == EEXIST ? 0 : -errno;
}
