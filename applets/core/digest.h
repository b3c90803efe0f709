/*
 * digest.h - content digests as the OCI image spec writes them
 * (descriptor.md "Digests": "sha256:" and 64 lowercase hex digits):
 * parsing, streaming SHA-256, comparing.  Only sha256 is computed;
 * sha512 digests are parsed so that their refusal can name them.
 */
#ifndef CORE_DIGEST_H
#define CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "bearssl_hash.h"
#include "err.h"

#define DIGEST_SHA256_LEN 32
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_MAX 72

struct digest {
	br_sha256_context sha;
};

void digest_init(struct digest *d);
void digest_update(struct digest *d, const void *data, size_t len);
/* The digest so far as "sha256:<hex>"; d may go on being updated. */
void digest_string(const struct digest *d, char out[DIGEST_STR_MAX]);

/*
 * Check s is "sha256:" + 64 lowercase hex digits: 0, or -EINVAL naming
 * what ("sha512: unsupported digest algorithm", "invalid digest ...").
 * what is the field for the message ("manifest.layers[0].digest").
 */
int digest_check(const char *s, const char *what, struct err *e);

/* One call for a buffer: out = "sha256:<hex>" of data. */
void digest_buf(const void *data, size_t len, char out[DIGEST_STR_MAX]);

#endif
