/*
 * sha_ni.h - the SHA-256 compression function (FIPS 180-4, 6.2.2) by the
 * x86 SHA extensions (Intel SDM vol. 2: SHA256RNDS2, SHA256MSG1,
 * SHA256MSG2), found at run time with cpuid.  Here and not in core's
 * digest.c because every #if of the project lives in libc-glue/.
 */
#ifndef GLUE_SHA_NI_H
#define GLUE_SHA_NI_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has them (and SSSE3, SSE4.1); 0, always, elsewhere. */
int sha_ni_probe(void);

/*
 * h (a..h, host order) through the n 64-byte blocks at data.  Only when
 * sha_ni_probe() said 1.
 */
void sha_ni_blocks(uint32_t h[8], const void *data, size_t n);

#endif
