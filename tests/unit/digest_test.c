/*
 * digest_test.c - unit tests of SHA-256 in core/digest.c, the path it
 * chose for this CPU (the SHA extensions of libc-glue/sha_ni.c where
 * there are some) against FIPS 180-4's examples and against BearSSL's
 * portable code, called directly, on inputs of many lengths cut in many
 * ways.
 */
#include <stdint.h>

#include "digest.h"
#include "sha_ni.h"
#include "unit.h"

static uint32_t seed = 2463534242u;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static unsigned char *noise(size_t n)
{
	unsigned char *p = malloc(n + 1);
	size_t i;

	UNIT_NOT_NULL(p);
	for (i = 0; i < n; i++)
		p[i] = rnd();
	return p;
}

static void portable(const void *p, size_t n, char out[DIGEST_STR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[32];
	br_sha256_context c;
	int i;

	br_sha256_init(&c);
	br_sha256_update(&c, p, n);
	br_sha256_out(&c, sum);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[sum[i] >> 4];
		out[8 + 2 * i] = hex[sum[i] & 15];
	}
	out[71] = 0;
}

/* digest_update() over p in random pieces, up to max bytes each. */
static void pieces(const unsigned char *p, size_t n, size_t max,
		   char out[DIGEST_STR_MAX])
{
	struct digest d;
	size_t k;

	digest_init(&d);
	while (n) {
		k = rnd() % (max + 1);
		if (k > n)
			k = n;
		digest_update(&d, p, k);
		p += k;
		n -= k;
	}
	digest_string(&d, out);
}

/* FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values"). */
UNIT_CASE(fips_vectors)
{
	static const struct {
		const char *msg;
		const char *sum;
	} v[] = {
		{ "abc", "sha256:ba7816bf8f01cfea414140de5dae2223"
			 "b00361a396177a9cb410ff61f20015ad" },
		{ "", "sha256:e3b0c44298fc1c149afbf4c8996fb924"
		      "27ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "sha256:248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "sha256:cf5b16a778af8380036ce59e7b049237"
		  "0b249b11e8f07a51afac45037afee9d1" },
	};
	char out[DIGEST_STR_MAX];
	unsigned char *a;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		digest_buf(v[i].msg, strlen(v[i].msg), out);
		UNIT_EQ_STR(out, v[i].sum);
		pieces((const unsigned char *)v[i].msg, strlen(v[i].msg), 3,
		       out);
		UNIT_EQ_STR(out, v[i].sum);
	}
	/* A million "a": many whole blocks in one update. */
	a = malloc(1000000);
	UNIT_NOT_NULL(a);
	memset(a, 'a', 1000000);
	digest_buf(a, 1000000, out);
	UNIT_EQ_STR(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67"
		    "f1809a48a497200e046d39ccc7112cd0");
	pieces(a, 1000000, 1000, out);
	UNIT_EQ_STR(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67"
		    "f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Every length 0..300 (every padding case, 0 to 4 whole blocks). */
UNIT_CASE(every_short_length)
{
	char want[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	unsigned char *p = noise(300);
	size_t n;

	for (n = 0; n <= 300; n++) {
		portable(p, n, want);
		digest_buf(p, n, got);
		UNIT_EQ_STR(got, want);
		pieces(p, n, 70, got);
		UNIT_EQ_STR(got, want);
	}
	free(p);
}

/* Megabytes, whole and cut in pieces big and small, at odd offsets. */
UNIT_CASE(long_inputs)
{
	static const size_t lens[] = { 1 << 20, (3 << 20) + 17, 5000001 };
	static const size_t maxes[] = { 1, 63, 65, 4096, 1 << 20 };
	char want[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	unsigned char *p = noise(5000001 + 3);
	size_t i, j;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		portable(p + i, lens[i], want);
		digest_buf(p + i, lens[i], got);
		UNIT_EQ_STR(got, want);
		for (j = 0; j < sizeof(maxes) / sizeof(maxes[0]); j++) {
			if (maxes[j] == 1 && lens[i] > (1 << 20))
				continue;
			pieces(p + i, lens[i], maxes[j], got);
			UNIT_EQ_STR(got, want);
		}
	}
	free(p);
}

/* The hardware block function alone, from the initial hash value. */
UNIT_CASE(sha_ni_blocks_alone)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	unsigned char st[32], *p = noise(64 * 100);
	br_sha256_context c;
	uint32_t h[8];
	size_t n;
	int i;

	if (!sha_ni_probe()) {
		printf("SKIP: this CPU has no SHA extensions\n");
		free(p);
		return;
	}
	for (n = 1; n <= 100; n += 33) {
		memcpy(h, iv, sizeof(h));
		sha_ni_blocks(h, p, n);
		br_sha256_init(&c);
		br_sha256_update(&c, p, 64 * n);
		UNIT_EQ_UINT(br_sha256_state(&c, st), 64 * n);
		for (i = 0; i < 8; i++)
			UNIT_EQ_UINT(h[i], (uint32_t)st[4 * i] << 24 |
				     st[4 * i + 1] << 16 | st[4 * i + 2] << 8 |
				     st[4 * i + 3]);
	}
	free(p);
}
