/* reader_test.c - unit tests of core/reader.c and core/digest.c: the plain
 * readers, the digest tee, OCI digest syntax (FIPS 180-4 test vectors). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "digest.h"
#include "reader.h"
#include "unit.h"

static struct err e;

#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223" \
		"b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb924" \
		  "27ae41e4649b934ca495991b7852b855"

UNIT_CASE(digest_vectors)
{
	char out[DIGEST_STR_MAX];
	struct digest d;

	digest_buf("abc", 3, out);
	UNIT_EQ_STR(out, SHA_ABC);
	digest_buf("", 0, out);
	UNIT_EQ_STR(out, SHA_EMPTY);
	/* In pieces, and read out midway without disturbing it. */
	digest_init(&d);
	digest_update(&d, "a", 1);
	digest_string(&d, out);
	digest_update(&d, "bc", 2);
	digest_string(&d, out);
	UNIT_EQ_STR(out, SHA_ABC);
}

UNIT_CASE(digest_check_syntax)
{
	UNIT_EQ_INT(digest_check(SHA_ABC, "d", &e), 0);
	UNIT_EQ_INT(digest_check("sha256:BA7816BF8F01CFEA414140DE5DAE2223"
				 "B00361A396177A9CB410FF61F20015AD", "d", &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "d: invalid digest \"sha256:BA7816BF8F01CFEA41414"
		    "0DE5DAE2223B00361A396177A9CB410FF61F20015AD\"");
	UNIT_EQ_INT(digest_check("sha512:00", "layers[1].digest", &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "layers[1].digest: sha512: unsupported digest "
		    "algorithm");
	UNIT_EQ_INT(digest_check("sha256:abc", "d", &e), -EINVAL);
	UNIT_EQ_INT(digest_check(SHA_ABC "0", "d", &e), -EINVAL);
	UNIT_EQ_INT(digest_check("", "d", &e), -EINVAL);
	UNIT_EQ_INT(digest_check(":ab", "d", &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "d: invalid digest \":ab\"");
}

UNIT_CASE(mem_full_and_skip)
{
	struct reader *r = reader_mem("abcdefgh", 8);
	char buf[16] = { 0 };

	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read_full(r, buf, 3, &e), 3);
	UNIT_EQ_STR(buf, "abc");
	UNIT_EQ_INT(reader_skip(r, 2, &e), 2);
	UNIT_EQ_INT(reader_read_full(r, buf, sizeof(buf), &e), 3);
	UNIT_EQ_STR(buf, "fgh");
	UNIT_EQ_INT(reader_read_full(r, buf, 1, &e), 0);
	UNIT_EQ_INT(reader_skip(r, SIZE_MAX, &e), 0);
	reader_close(r);
	reader_close(NULL);
}

/* The tee sees every byte exactly once, whatever the read sizes. */
UNIT_CASE(digest_tee)
{
	char out[DIGEST_STR_MAX], buf[2];
	struct digest d;
	uint64_t count = 0;
	struct reader *r;

	digest_init(&d);
	r = reader_digest(reader_mem("abc", 3), &d, &count);
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read_full(r, buf, 2, &e), 2);
	UNIT_EQ_INT(reader_read_full(r, buf, 2, &e), 1);
	UNIT_EQ_INT(reader_read_full(r, buf, 2, &e), 0);
	reader_close(r);
	digest_string(&d, out);
	UNIT_EQ_STR(out, SHA_ABC);
	UNIT_EQ_UINT(count, 3);
}

UNIT_CASE(fd_reader_and_its_error)
{
	struct reader *r;
	int p[2];
	char buf[8] = { 0 };

	UNIT_EQ_INT(pipe2(p, O_CLOEXEC), 0);
	UNIT_EQ_INT(write(p[1], "xy", 2), 2);
	close(p[1]);
	r = reader_fd(p[0], 1, "the pipe");
	UNIT_NOT_NULL(r);
	UNIT_EQ_INT(reader_read_full(r, buf, sizeof(buf), &e), 2);
	UNIT_EQ_STR(buf, "xy");
	reader_close(r);
	/* Not own: the fd stays open; a write-only one fails to read. */
	UNIT_EQ_INT(pipe2(p, O_CLOEXEC), 0);
	r = reader_fd(p[1], 0, "the pipe");
	UNIT_EQ_INT(reader_read(r, buf, 1, &e), -EBADF);
	UNIT_EQ_STR(e.msg, "read the pipe: Bad file descriptor");
	reader_close(r);
	UNIT_EQ_INT(close(p[1]), 0);
	close(p[0]);
}
