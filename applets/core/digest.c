/*
 * digest.c - OCI digests.  SHA-256 by BearSSL, but for whole blocks on a
 * CPU with the x86 SHA extensions (libc-glue/sha_ni.c), some 8 times
 * faster than BearSSL's portable code: a layer's DiffID hash then costs
 * less than its decompression.  See digest.h.
 */
#include <errno.h>
#include <string.h>

#include "digest.h"
#include "sha_ni.h"

/* -1 until probed; a race only probes twice. */
static int hw = -1;

static int use_hw(void)
{
	int v = __atomic_load_n(&hw, __ATOMIC_RELAXED);

	if (v < 0) {
		v = sha_ni_probe();
		__atomic_store_n(&hw, v, __ATOMIC_RELAXED);
	}
	return v;
}

void digest_init(struct digest *d)
{
	br_sha256_init(&d->sha);
}

/*
 * The whole blocks go through sha_ni_blocks() on the state BearSSL's
 * public br_sha256_state() gives out and br_sha256_set_state() takes
 * back (at a block boundary); BearSSL keeps the partial blocks and pads.
 */
void digest_update(struct digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char st[32];
	uint32_t h[8];
	uint64_t count;
	size_t head, n;
	int i;

	if (len < 64 || !use_hw()) {
		br_sha256_update(&d->sha, p, len);
		return;
	}
	count = br_sha256_state(&d->sha, st);
	head = -count & 63;
	if (head) {
		br_sha256_update(&d->sha, p, head);
		p += head;
		len -= head;
		count = br_sha256_state(&d->sha, st);
	}
	n = len / 64;
	if (n) {
		for (i = 0; i < 8; i++)
			h[i] = (uint32_t)st[4 * i] << 24 |
			       (uint32_t)st[4 * i + 1] << 16 |
			       (uint32_t)st[4 * i + 2] << 8 | st[4 * i + 3];
		sha_ni_blocks(h, p, n);
		for (i = 0; i < 8; i++) {
			st[4 * i] = h[i] >> 24;
			st[4 * i + 1] = h[i] >> 16;
			st[4 * i + 2] = h[i] >> 8;
			st[4 * i + 3] = h[i];
		}
		br_sha256_set_state(&d->sha, st, count + 64 * n);
		p += 64 * n;
		len -= 64 * n;
	}
	br_sha256_update(&d->sha, p, len);
}

void digest_string(const struct digest *d, char out[DIGEST_STR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[DIGEST_SHA256_LEN];
	size_t i;

	br_sha256_out(&d->sha, sum);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < sizeof(sum); i++) {
		out[7 + 2 * i] = hex[sum[i] >> 4];
		out[8 + 2 * i] = hex[sum[i] & 15];
	}
	out[7 + 2 * sizeof(sum)] = 0;
}

void digest_buf(const void *data, size_t len, char out[DIGEST_STR_MAX])
{
	struct digest d;

	digest_init(&d);
	digest_update(&d, data, len);
	digest_string(&d, out);
}

int digest_check(const char *s, const char *what, struct err *e)
{
	const char *colon = strchr(s, ':'), *hex;
	size_t n;

	if (!colon || colon == s)
		return err_msg(e, EINVAL, "%s: invalid digest \"%.80s\"",
			       what, s);
	if (strncmp(s, "sha256:", 7))
		return err_msg(e, EINVAL, "%s: %.*s: unsupported digest "
			       "algorithm", what, (int)(colon - s > 32 ? 32 :
							colon - s), s);
	hex = s + 7;
	n = strspn(hex, "0123456789abcdef");
	if (n != 2 * DIGEST_SHA256_LEN || hex[n])
		return err_msg(e, EINVAL, "%s: invalid digest \"%.80s\"",
			       what, s);
	return 0;
}
