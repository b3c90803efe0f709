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

static void check_read(size_t n)
{
	const char *p = file_of("f", n);
	char *buf = NULL;
	size_t len = 0, i;

	UNIT_EQ_INT(read_file_at(AT_FDCWD, p, 1 << 20, &buf, &len), 0);
	UNIT_EQ_UINT(len, n);
	UNIT_EQ_INT(buf[n], 0);
	for (i = 0; i < n; i++)
		UNIT_ASSERT(buf[i] == (char)('a' + i % 26));
	free(buf);
}

UNIT_CASE(read_small)		{ check_read(700); }
UNIT_CASE(read_large)		{ check_read(100000); }

UNIT_CASE(into_small)
{
	const char *p = file_of("f", 700);
	char buf[1024];

	UNIT_EQ_INT(read_file_into_at(AT_FDCWD, p, buf, sizeof(buf)), 700);
	UNIT_EQ_INT(buf[700], 0);
	UNIT_ASSERT(buf[0] == 'a' && buf[699] == (char)('a' + 699 % 26));
}

UNIT_CASE(into_empty)
{
	const char *p = file_of("f", 0);
	char buf[16] = "x";

	UNIT_EQ_INT(read_file_into_at(AT_FDCWD, p, buf, sizeof(buf)), 0);
	UNIT_EQ_STR(buf, "");
}

/* One that fills the buffer may be larger: the caller reads it again. */
UNIT_CASE(into_full)
{
	const char *p = file_of("f", 1023);
	char buf[1024];

	UNIT_EQ_INT(read_file_into_at(AT_FDCWD, p, buf, sizeof(buf)), -EFBIG);
	p = file_of("g", 1022);
	UNIT_EQ_INT(read_file_into_at(AT_FDCWD, p, buf, sizeof(buf)), 1022);
}

/* A kernel file made whole at the first read. */
UNIT_CASE(into_procfs)
{
	char buf[1024];

	UNIT_ASSERT(read_file_into_at(AT_FDCWD, "/proc/self/stat", buf,
				      sizeof(buf)) > 0);
	UNIT_ASSERT(strchr(buf, ')') != NULL);
}

UNIT_CASE(into_missing)
{
	char buf[16];

	snprintf(path, sizeof(path), "%s/nosuch", unit_tmpdir());
	UNIT_EQ_INT(read_file_into_at(AT_FDCWD, path, buf, sizeof(buf)),
		    -ENOENT);
}
