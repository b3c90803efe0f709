/*
 * tls.c - BearSSL's TLS client and PEM trust anchors; see tls.h.  The
 * anchors are decoded with br_pem_decoder and br_x509_decoder as
 * bearssl_pem.h and bearssl_x509.h document them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bearssl.h"
#include "io.h"
#include "tls.h"

/* Days from 1 January 0 AD (BearSSL's epoch) to 1 January 1970. */
#define UNIX_EPOCH_DAYS 719528

struct tls_anchors {
	br_x509_trust_anchor *ta;
	size_t n, cap;
};

struct tls_conn {
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	br_sslio_context io;
	int fd;
	int sys;		/* errno of the socket's failure; -1: its end */
	unsigned char buf[BR_SSL_BUFSIZE_BIDI];
};

/* Bytes BearSSL hands over piecemeal (a DER object, a DN). */
struct bytes {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static void bytes_add(void *ctx, const void *data, size_t len)
{
	struct bytes *b = ctx;
	unsigned char *np;
	size_t cap;

	if (b->oom || !len)
		return;
	if (len > b->cap - b->len) {
		cap = b->cap ? b->cap : 1024;
		while (cap - b->len < len)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static unsigned char *dup_bytes(const void *p, size_t len)
{
	unsigned char *d = malloc(len ? len : 1);

	if (d)
		memcpy(d, p, len);
	return d;
}

static void anchor_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);
	if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
		free(ta->pkey.key.rsa.n);
		free(ta->pkey.key.rsa.e);
	} else {
		free(ta->pkey.key.ec.q);
	}
}

/* The key of pk into ta, copied: the decoder's buffers are its own. */
static int copy_key(br_x509_trust_anchor *ta, const br_x509_pkey *pk)
{
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = dup_bytes(pk->key.rsa.n,
					       pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = dup_bytes(pk->key.rsa.e,
					       pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
		return ta->pkey.key.rsa.n && ta->pkey.key.rsa.e ? 0 : -ENOMEM;
	}
	ta->pkey.key.ec.curve = pk->key.ec.curve;
	ta->pkey.key.ec.q = dup_bytes(pk->key.ec.q, pk->key.ec.qlen);
	ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	return ta->pkey.key.ec.q ? 0 : -ENOMEM;
}

/* Certificate number idx (from 1) as an anchor: 1, 0 when skipped. */
static int add_cert(struct tls_anchors *a, const struct bytes *der,
		    const char *name, size_t idx, struct err *e)
{
	br_x509_decoder_context dc;
	br_x509_trust_anchor ta = { 0 }, *nta;
	struct bytes dn = { 0 };
	const br_x509_pkey *pk;
	char msg[160];
	int code;

	br_x509_decoder_init(&dc, bytes_add, &dn);
	br_x509_decoder_push(&dc, der->p, der->len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk) {
		free(dn.p);
		code = br_x509_decoder_last_error(&dc);
		if (code == BR_ERR_X509_UNSUPPORTED)
			return 0;
		tls_strerror(code, msg, sizeof(msg));
		return err_msg(e, EINVAL, "%s: certificate %zu: %s", name,
			       idx, msg);
	}
	ta.dn.data = dn.p;
	ta.dn.len = dn.len;
	ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	if (dn.oom || copy_key(&ta, pk) < 0)
		goto out_oom;
	if (a->n == a->cap) {
		nta = realloc(a->ta, (a->cap ? 2 * a->cap : 16) *
			      sizeof(*nta));
		if (!nta)
			goto out_oom;
		a->ta = nta;
		a->cap = a->cap ? 2 * a->cap : 16;
	}
	a->ta[a->n++] = ta;
	return 1;
out_oom:
	anchor_free(&ta);
	return err_sys(e, ENOMEM, "%s", name);
}

int tls_anchors_parse(const void *pem, size_t len, const char *name,
		      struct tls_anchors **out, struct err *e)
{
	const unsigned char *p = pem;
	br_pem_decoder_context pc;
	struct tls_anchors *a;
	struct bytes der = { 0 };
	size_t n, idx = 0, skipped = 0;
	int in_obj = 0, is_cert = 0, ret, rc;
	/*
	 * A last line without its newline would leave the last object
	 * open: one more is pushed at the end.
	 */
	int tail = 1;

	a = calloc(1, sizeof(*a));
	if (!a)
		return err_sys(e, ENOMEM, "%s", name);
	br_pem_decoder_init(&pc);
	while (len || tail) {
		if (!len) {
			p = (const unsigned char *)"\n";
			len = 1;
			tail = 0;
		}
		n = br_pem_decoder_push(&pc, p, len);
		p += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			idx++;
			in_obj = 1;
			is_cert = !strcmp(br_pem_decoder_name(&pc),
					  "CERTIFICATE") ||
				  !strcmp(br_pem_decoder_name(&pc),
					  "X509 CERTIFICATE");
			der.len = 0;
			br_pem_decoder_setdest(&pc, is_cert ? bytes_add : NULL,
					       &der);
			break;
		case BR_PEM_END_OBJ:
			in_obj = 0;
			if (!is_cert)
				break;
			if (der.oom) {
				ret = err_sys(e, ENOMEM, "%s", name);
				goto out_free;
			}
			rc = add_cert(a, &der, name, idx, e);
			if (rc < 0) {
				ret = rc;
				goto out_free;
			}
			skipped += !rc;
			break;
		case BR_PEM_ERROR:
			ret = err_msg(e, EINVAL, "%s: object %zu: invalid PEM",
				      name, idx);
			goto out_free;
		}
	}
	if (in_obj) {
		ret = err_msg(e, EINVAL, "%s: object %zu: no END line", name,
			      idx);
		goto out_free;
	}
	if (!a->n) {
		if (skipped)
			ret = err_msg(e, EINVAL, "%s: no usable certificate "
				      "(%zu with unsupported keys)", name,
				      skipped);
		else
			ret = err_msg(e, EINVAL, "%s: no certificate", name);
		goto out_free;
	}
	free(der.p);
	*out = a;
	return 0;
out_free:
	free(der.p);
	tls_anchors_free(a);
	return ret;
}

int tls_anchors_load(const char *path, struct tls_anchors **out,
		     struct err *e)
{
	char *buf;
	size_t len;
	int rc;

	rc = read_file_at(AT_FDCWD, path, TLS_CA_FILE_MAX, &buf, &len);
	if (rc == -EFBIG)
		return err_msg(e, EFBIG, "%s: larger than %d bytes", path,
			       TLS_CA_FILE_MAX);
	if (rc < 0)
		return err_sys(e, -rc, "read %s", path);
	rc = tls_anchors_parse(buf, len, path, out, e);
	free(buf);
	return rc;
}

size_t tls_anchors_count(const struct tls_anchors *a)
{
	return a->n;
}

void tls_anchors_free(struct tls_anchors *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		anchor_free(&a->ta[i]);
	free(a->ta);
	free(a);
}

static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	ssize_t n;

	do
		n = read(c->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	c->sys = n < 0 ? errno : -1;
	return -1;
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	ssize_t n;

	/* MSG_NOSIGNAL: a server gone away is an error, not a SIGPIPE. */
	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	c->sys = errno;
	return -1;
}

static int fail(struct tls_conn *c, struct err *e)
{
	int code = br_ssl_engine_last_error(&c->sc.eng);
	char msg[160];

	if (code == BR_ERR_IO && c->sys == -1)
		return err_msg(e, ECONNRESET, "TLS: connection closed by "
			       "the server");
	if (code == BR_ERR_IO && (c->sys == EAGAIN || c->sys == EINPROGRESS))
		return err_msg(e, ETIMEDOUT, "TLS: timed out");
	if (code == BR_ERR_IO && c->sys > 0)
		return err_sys(e, c->sys, "TLS");
	tls_strerror(code, msg, sizeof(msg));
	return err_msg(e, EPROTO, "TLS: %s", msg);
}

/* The client's suites, the server's pick among them (RFC 5246 7.4.1.2). */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

int tls_connect(int fd, const char *host, const struct tls_anchors *a,
		struct tls_conn **out, struct err *e)
{
	struct tls_conn *c;
	struct timespec now;

	c = malloc(sizeof(*c));
	if (!c)
		return err_sys(e, ENOMEM, "TLS");
	c->fd = fd;
	c->sys = 0;
	br_ssl_client_init_full(&c->sc, &c->xc, a->ta, a->n);
	/* BearSSL stops at 1.2; 1.0 and 1.1 are deprecated (RFC 8996). */
	br_ssl_engine_set_versions(&c->sc.eng, BR_TLS12, BR_TLS12);
	/* Forward secrecy and AEAD only: no static RSA, CBC or 3DES. */
	br_ssl_engine_set_suites(&c->sc.eng, suites,
				 sizeof(suites) / sizeof(suites[0]));
	/*
	 * A GET never needs renegotiation, and without it the anchors are
	 * not looked at again after the handshake.
	 */
	br_ssl_engine_add_flags(&c->sc.eng, BR_OPT_NO_RENEGOTIATION);
	clock_gettime(CLOCK_REALTIME, &now);
	br_x509_minimal_set_time(&c->xc, UNIX_EPOCH_DAYS + now.tv_sec / 86400,
				 now.tv_sec % 86400);
	br_ssl_engine_set_buffer(&c->sc.eng, c->buf, sizeof(c->buf), 1);
	if (!br_ssl_client_reset(&c->sc, host, 0))
		goto out_fail;
	br_sslio_init(&c->io, &c->sc.eng, low_read, c, low_write, c);
	/* A flush with nothing to send runs the handshake to its end. */
	if (br_sslio_flush(&c->io) < 0)
		goto out_fail;
	*out = c;
	return 0;
out_fail:
	fail(c, e);
	free(c);
	return -e->no;
}

ssize_t tls_read(struct tls_conn *c, void *buf, size_t len, struct err *e)
{
	int n;

	if (!len)
		return 0;
	n = br_sslio_read(&c->io, buf, len);
	if (n > 0)
		return n;
	if (br_ssl_engine_last_error(&c->sc.eng) == BR_ERR_OK)
		return 0;
	return fail(c, e);
}

int tls_write(struct tls_conn *c, const void *buf, size_t len,
	      struct err *e)
{
	if (br_sslio_write_all(&c->io, buf, len) < 0 ||
	    br_sslio_flush(&c->io) < 0)
		return fail(c, e);
	return 0;
}

void tls_free(struct tls_conn *c)
{
	free(c);
}

/*
 * BearSSL's codes (bearssl_ssl.h, bearssl_x509.h): the constant's name
 * after BR_ERR_, readably, and what it means to someone pulling an image.
 */
static const struct {
	unsigned char code;
	const char *name, *text;
} br_errors[] = {
	{ 1, "bad param", "bad parameter" },
	{ 2, "bad state", "engine in a bad state" },
	{ 3, "unsupported version", "server does not speak TLS 1.2" },
	{ 4, "bad version", "server changed the protocol version" },
	{ 5, "bad length", "malformed record" },
	{ 6, "too large", "record too large" },
	{ 7, "bad MAC", "record failed its integrity check" },
	{ 8, "no random", "no source of randomness" },
	{ 9, "unknown type", "unknown record type" },
	{ 10, "unexpected", "unexpected message" },
	{ 12, "bad CCS", "malformed ChangeCipherSpec" },
	{ 13, "bad alert", "malformed alert" },
	{ 14, "bad handshake", "malformed handshake message" },
	{ 15, "oversized ID", "session ID too long" },
	{ 16, "bad cipher suite", "server chose an unsupported cipher suite" },
	{ 17, "bad compression", "server chose compression" },
	{ 18, "bad fraglen", "bad fragment length" },
	{ 19, "bad secreneg", "secure renegotiation failed" },
	{ 20, "extra extension", "server sent an unrequested extension" },
	{ 21, "bad SNI", "bad server name extension" },
	{ 22, "bad hello done", "malformed ServerHelloDone" },
	{ 23, "limit exceeded", "handshake limit exceeded" },
	{ 24, "bad finished", "handshake Finished message mismatch" },
	{ 25, "resume mismatch", "session resumption mismatch" },
	{ 26, "invalid algorithm", "server used an unsupported algorithm" },
	{ 27, "bad signature", "bad handshake signature" },
	{ 28, "wrong key usage", "server key usage does not allow this" },
	{ 29, "no client auth", "server requires a client certificate" },
	{ 31, "IO", "connection failed" },
	{ 33, "X509 invalid value", "certificate has an invalid value" },
	{ 34, "X509 truncated", "certificate is truncated" },
	{ 35, "X509 empty chain", "server sent no certificate" },
	{ 36, "X509 inner trunc", "certificate is malformed" },
	{ 37, "X509 bad tag class", "certificate is malformed" },
	{ 38, "X509 bad tag value", "certificate is malformed" },
	{ 39, "X509 indefinite length", "certificate is malformed" },
	{ 40, "X509 extra element", "certificate is malformed" },
	{ 41, "X509 unexpected", "certificate is malformed" },
	{ 42, "X509 not constructed", "certificate is malformed" },
	{ 43, "X509 not primitive", "certificate is malformed" },
	{ 44, "X509 partial byte", "certificate is malformed" },
	{ 45, "X509 bad boolean", "certificate is malformed" },
	{ 46, "X509 overflow", "certificate is malformed" },
	{ 47, "X509 bad DN", "certificate has a malformed name" },
	{ 48, "X509 bad time", "certificate has a malformed date" },
	{ 49, "X509 unsupported", "certificate uses an unsupported "
	  "algorithm" },
	{ 50, "X509 limit exceeded", "certificate chain is too large" },
	{ 51, "X509 wrong key type", "certificate key does not fit the "
	  "cipher suite" },
	{ 52, "X509 bad signature", "certificate signature is invalid" },
	{ 53, "X509 time unknown", "no time to check the certificate "
	  "against" },
	{ 54, "X509 expired", "certificate is expired or not yet valid" },
	{ 55, "X509 DN mismatch", "certificate chain is broken" },
	{ 56, "X509 bad server name", "certificate does not match the "
	  "host name" },
	{ 57, "X509 critical extension", "certificate has an unknown "
	  "critical extension" },
	{ 58, "X509 not CA", "certificate issuer is not a CA" },
	{ 59, "X509 forbidden key usage", "certificate key usage forbids "
	  "TLS" },
	{ 60, "X509 weak public key", "certificate key is too small" },
	{ 62, "X509 not trusted", "certificate is not trusted" },
};

/* TLS alert descriptions (RFC 5246 7.2, RFC 6066 for 112). */
static const struct {
	unsigned char code;
	const char *name;
} alerts[] = {
	{ 0, "close_notify" }, { 10, "unexpected_message" },
	{ 20, "bad_record_mac" }, { 22, "record_overflow" },
	{ 40, "handshake_failure" }, { 42, "bad_certificate" },
	{ 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
	{ 45, "certificate_expired" }, { 46, "certificate_unknown" },
	{ 47, "illegal_parameter" }, { 48, "unknown_ca" },
	{ 49, "access_denied" }, { 50, "decode_error" },
	{ 51, "decrypt_error" }, { 70, "protocol_version" },
	{ 71, "insufficient_security" }, { 80, "internal_error" },
	{ 90, "user_canceled" }, { 100, "no_renegotiation" },
	{ 110, "unsupported_extension" }, { 112, "unrecognized_name" },
};

static const char *alert_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].code == code)
			return alerts[i].name;
	return "unknown";
}

void tls_strerror(int code, char *buf, size_t len)
{
	size_t i;

	if (code >= BR_ERR_SEND_FATAL_ALERT) {
		snprintf(buf, len, "sent fatal alert %d (%s)",
			 code - BR_ERR_SEND_FATAL_ALERT,
			 alert_name(code - BR_ERR_SEND_FATAL_ALERT));
		return;
	}
	if (code >= BR_ERR_RECV_FATAL_ALERT) {
		snprintf(buf, len, "server sent fatal alert %d (%s)",
			 code - BR_ERR_RECV_FATAL_ALERT,
			 alert_name(code - BR_ERR_RECV_FATAL_ALERT));
		return;
	}
	for (i = 0; i < sizeof(br_errors) / sizeof(br_errors[0]); i++)
		if (br_errors[i].code == code) {
			snprintf(buf, len, "%s (BearSSL error %d: %s)",
				 br_errors[i].text, code, br_errors[i].name);
			return;
		}
	snprintf(buf, len, "BearSSL error %d", code);
}
