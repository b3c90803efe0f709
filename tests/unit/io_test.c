/* io_test.c - unit tests of core/io.c: whole-file reads (the long way and
 * in one read()), their limits and errors. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "io.h"
#include "unit.h"

static char path[256];

/* unit_tmpdir()/name holding n bytes of a repeating pattern. */
static const char *file_of(const char *name, size_t n)
{
	char *data = malloc(n + 1);
	size_t i;
	int dfd;

	UNIT_NOT_NULL(data);
	for (i = 0; i < n; i++)
		data[i] = 'a' + i % 26;
	dfd = open(unit_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_ASSERT(dfd >= 0);
	UNIT_EQ_INT(write_file_atomic(dfd, name, data, n, 0600, IO_VOLATILE),
		    0);
	close(dfd);
	free(data);
	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir(), name);
	return path;
}

static void check_read(size_t n, int once)
{
	const char *p = file_of("f", n);
	char *buf = NULL;
	size_t len = 0, i;

	UNIT_EQ_INT(once ? read_file_once_at(AT_FDCWD, p, 1 << 20, &buf, &len)
			 : read_file_at(AT_FDCWD, p, 1 << 20, &buf, &len), 0);
	UNIT_EQ_UINT(len, n);
	UNIT_EQ_INT(buf[n], 0);
	for (i = 0; i < n; i++)
		UNIT_ASSERT(buf[i] == (char)('a' + i % 26));
	free(buf);
}

UNIT_CASE(read_small)		{ check_read(700, 0); }
UNIT_CASE(read_large)		{ check_read(100000, 0); }
UNIT_CASE(once_empty)		{ check_read(0, 1); }
UNIT_CASE(once_small)		{ check_read(700, 1); }
/* A page exactly, and more: read again the long way. */
UNIT_CASE(once_page)		{ check_read(4096, 1); }
UNIT_CASE(once_large)		{ check_read(100000, 1); }

/* A kernel file made whole at the first read. */
UNIT_CASE(once_procfs)
{
	char *buf = NULL;

	UNIT_EQ_INT(read_file_once_at(AT_FDCWD, "/proc/self/stat", 4096, &buf,
				      NULL), 0);
	UNIT_ASSERT(strchr(buf, ')') != NULL);
	free(buf);
}

UNIT_CASE(once_too_big)
{
	const char *p = file_of("f", 700);
	char *buf = NULL;

	UNIT_EQ_INT(read_file_once_at(AT_FDCWD, p, 699, &buf, NULL), -EFBIG);
	UNIT_NULL(buf);
	p = file_of("g", 10000);
	UNIT_EQ_INT(read_file_once_at(AT_FDCWD, p, 5000, &buf, NULL), -EFBIG);
	UNIT_NULL(buf);
}

UNIT_CASE(once_missing)
{
	char *buf = NULL;

	snprintf(path, sizeof(path), "%s/nosuch", unit_tmpdir());
	UNIT_EQ_INT(read_file_once_at(AT_FDCWD, path, 100, &buf, NULL),
		    -ENOENT);
	UNIT_NULL(buf);
}
