/*
 * tls.h - a TLS 1.2 client over a connected socket (BearSSL's "full"
 * client profile behind its br_sslio wrapper, RFC 5246), and the trust
 * anchors it checks servers against, read from PEM (RFC 7468) X.509
 * certificates (RFC 5280): the system bundle or the user's CA file.
 * The host name is sent (SNI, RFC 6066) and matched against the server
 * certificate's dNSName entries; validity dates are checked against the
 * real clock.  BearSSL reads no iPAddress entries: a server reached by
 * address needs that address spelt as a DNS name in its certificate.
 */
#ifndef CORE_TLS_H
#define CORE_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define TLS_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"
/* A CA file larger than this is refused (the Debian bundle: 200 KB). */
#define TLS_CA_FILE_MAX (16 << 20)

struct tls_anchors;
struct tls_conn;

/*
 * Every certificate of a PEM text as a trust anchor (RSA or EC keys; a
 * certificate with another key type is skipped, as a bundle may carry
 * keys BearSSL cannot use).  name is the file for messages: "CA.pem:
 * object 3: invalid PEM", "CA.pem: certificate 2: certificate is
 * truncated (BearSSL error 34: X509 truncated)", "CA.pem: no certificate".
 */
int tls_anchors_parse(const void *pem, size_t len, const char *name,
		      struct tls_anchors **out, struct err *e);
/* The same from the file path (at most TLS_CA_FILE_MAX bytes). */
int tls_anchors_load(const char *path, struct tls_anchors **out,
		     struct err *e);
size_t tls_anchors_count(const struct tls_anchors *a);
/* NULL-safe. */
void tls_anchors_free(struct tls_anchors *a);

/*
 * Handshake with the server at the other end of fd (not taken) as host;
 * a complete handshake, so that a certificate problem is reported here:
 * "TLS: certificate is not trusted (BearSSL error 62: X509 not
 * trusted)".  a is used only during the handshake (renegotiation is
 * off), but must outlive the connection all the same.
 */
int tls_connect(int fd, const char *host, const struct tls_anchors *a,
		struct tls_conn **out, struct err *e);
/*
 * Up to len application bytes; 0 once the server closed the session
 * properly (close_notify), an error when the connection ended without it.
 */
ssize_t tls_read(struct tls_conn *c, void *buf, size_t len, struct err *e);
/* All of buf, sent (flushed) before it returns: 0 or -errno. */
int tls_write(struct tls_conn *c, const void *buf, size_t len,
	      struct err *e);
/* Free the session (without a close_notify round trip); NULL-safe. */
void tls_free(struct tls_conn *c);

/*
 * A readable text for a BearSSL error code: "certificate is not trusted
 * (BearSSL error 62: X509 not trusted)", "server sent fatal alert 40
 * (handshake_failure)".
 */
void tls_strerror(int code, char *buf, size_t len);

#endif
