/* digest.c - OCI digests, SHA-256 by BearSSL; see digest.h. */
#include <errno.h>
#include <string.h>

#include "digest.h"

void digest_init(struct digest *d)
{
	br_sha256_init(&d->sha);
}

void digest_update(struct digest *d, const void *data, size_t len)
{
	br_sha256_update(&d->sha, data, len);
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
