/* sha_ni.c - SHA-256 blocks by the x86 SHA extensions; see sha_ni.h. */
#include "sha_ni.h"

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>

int sha_ni_probe(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return !!(b & bit_SHA);
}

/* FIPS 180-4, 4.2.2. */
static const uint32_t k[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/*
 * Four rounds on W[4i..4i+3] (in m, W[4i] in the low lane): SHA256RNDS2
 * does two, taking state as (C,D,G,H) and (A,B,E,F) with A and C in the
 * high lanes and giving back the new (A,B,E,F); the old (A,B,E,F) is then
 * the new (C,D,G,H), so the two registers swap roles every two rounds.
 */
#define ROUNDS4(i, m)							\
	do {								\
		t = _mm_add_epi32(m, _mm_load_si128(			\
			(const __m128i *)&k[4 * (i)]));			\
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, t);		\
		abef = _mm_sha256rnds2_epu32(abef, cdgh,		\
					     _mm_shuffle_epi32(t, 0x0e)); \
	} while (0)

/*
 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time over
 * the last four groups w0 (oldest) .. w3: MSG1 adds s0 of the next word
 * to each of w0, the W[t-7] come from straddling w2 and w3, MSG2 adds the
 * s1 terms, the last two from words it has just made.  Overwrites w0.
 */
#define SCHEDULE(w0, w1, w2, w3)					\
	(w0 = _mm_sha256msg2_epu32(_mm_add_epi32(			\
		_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8(w3, w2, 4)), \
		w3))

__attribute__((target("sha,sse4.1")))
void sha_ni_blocks(uint32_t h[8], const void *data, size_t n)
{
	/* Big-endian words: reverse the bytes of each 32-bit lane. */
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11,
					   4, 5, 6, 7, 0, 1, 2, 3);
	const __m128i *p = data;
	__m128i abef, cdgh, abef0, cdgh0, m0, m1, m2, m3, t;
	uint32_t out[4];
	int i;

	abef = _mm_set_epi32(h[0], h[1], h[4], h[5]);
	cdgh = _mm_set_epi32(h[2], h[3], h[6], h[7]);
	for (; n; n--, p += 4) {
		abef0 = abef;
		cdgh0 = cdgh;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128(p), bswap);
		ROUNDS4(0, m0);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128(p + 1), bswap);
		ROUNDS4(1, m1);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128(p + 2), bswap);
		ROUNDS4(2, m2);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128(p + 3), bswap);
		ROUNDS4(3, m3);
		for (i = 4; i < 16; i += 4) {
			SCHEDULE(m0, m1, m2, m3);
			ROUNDS4(i, m0);
			SCHEDULE(m1, m2, m3, m0);
			ROUNDS4(i + 1, m1);
			SCHEDULE(m2, m3, m0, m1);
			ROUNDS4(i + 2, m2);
			SCHEDULE(m3, m0, m1, m2);
			ROUNDS4(i + 3, m3);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	_mm_storeu_si128((__m128i *)out, abef);
	h[0] = out[3];
	h[1] = out[2];
	h[4] = out[1];
	h[5] = out[0];
	_mm_storeu_si128((__m128i *)out, cdgh);
	h[2] = out[3];
	h[3] = out[2];
	h[6] = out[1];
	h[7] = out[0];
}

#else

int sha_ni_probe(void)
{
	return 0;
}

/* Never called: sha_ni_probe() is 0. */
void sha_ni_blocks(uint32_t h[8], const void *data, size_t n)
{
}

#endif
