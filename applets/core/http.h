/*
 * http.h - an HTTP/1.1 client for registry pulls (RFC 9110 semantics,
 * RFC 9112 messages): one request per connection ("Connection: close",
 * so a body's end is never in doubt), over TLS (core/tls.h) or, to
 * loopback addresses only, plain TCP.  What a hostile server sends is
 * capped (HTTP_HEADER_BLOCK_MAX, HTTP_HEADERS_MAX, chunk lines) and
 * obsolete or ambiguous framing is refused.  Bodies stream as a struct
 * reader: by Content-Length, chunked, or to the close.  Redirects are
 * followed, without the Authorization header once one leaves the
 * origin (registries send blob GETs on to object storage).  Also
 * WWW-Authenticate challenges (RFC 9110 11.6.1) and base64 (RFC 4648 4)
 * for the registry's authentication.
 */
#ifndef CORE_HTTP_H
#define CORE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "reader.h"
#include "tls.h"

#define HTTP_HEADER_BLOCK_MAX (64 * 1024)
#define HTTP_HEADERS_MAX 100
#define HTTP_REDIRECTS_MAX 5
#define HTTP_HOST_MAX 256
#define HTTP_URL_MAX 8192
/* Content-Length absent: the body ends with the connection. */
#define HTTP_LENGTH_UNKNOWN UINT64_MAX

struct http_url {
	int tls;			/* https */
	char host[HTTP_HOST_MAX];	/* an IPv6 address without [] */
	unsigned port;
	char *target;			/* path and query, malloc'd */
};

/*
 * An absolute http or https URL (RFC 3986; no user info, the fragment
 * dropped): 0 or -EINVAL "URL "...": ...".  Free with http_url_free().
 */
int http_url_parse(const char *s, struct http_url *u, struct err *e);
/* ref (a Location value: absolute or relative) against base (5.2). */
int http_url_resolve(const struct http_url *base, const char *ref,
		     struct http_url *out, struct err *e);
/* Same scheme, host and port (RFC 6454): where credentials may go. */
int http_same_origin(const struct http_url *a, const struct http_url *b);
/*
 * "https://host[:port]/path" into buf (cut at len): the query is left
 * out, as it may carry a presigned URL's credentials.
 */
void http_url_name(const struct http_url *u, char *buf, size_t len);
/* The host a literal loopback name: localhost, 127.0.0.0/8, ::1. */
int http_host_is_loopback(const char *host);
void http_url_free(struct http_url *u);

struct http_header {
	const char *name, *value;
};

struct http_response {
	int status;			/* 200 */
	const char *reason;		/* "OK", may be "" */
	struct http_header h[HTTP_HEADERS_MAX];
	size_t nh;
	uint64_t length;		/* or HTTP_LENGTH_UNKNOWN */
	/*
	 * The body; the caller may take it (and set this to NULL), as it
	 * owns the connection and outlives the response.
	 */
	struct reader *body;
	struct http_url url;		/* the last one, after redirects */
	char *block;			/* the header block, NUL-split */
};

/*
 * Read a response to a request of method ("GET", "HEAD") from src (taken,
 * even on failure), its body left as rs->body.  Errors: "HTTP response:
 * header line 3: obsolete line folding", "HTTP response: more than 100
 * header fields"; the body's: "HTTP body: invalid chunk size "zz"".
 */
int http_response_read(struct reader *src, const char *method,
		       struct http_response *rs, struct err *e);
/* The first field named name (case-insensitive), NULL when absent. */
const char *http_header(const struct http_response *rs, const char *name);
/*
 * Every field line named name, joined with ", " (RFC 9110 5.3), or NULL
 * when there is none or no memory; malloc'd.
 */
char *http_header_join(const struct http_response *rs, const char *name);
/* Close the body if still held; NULL-safe members.  Zeroes rs. */
void http_response_free(struct http_response *rs);

struct http_client {
	const struct tls_anchors *anchors;	/* NULL: no https */
	const char *user_agent;		/* NULL: "ocibox/VERSION" */
	int plain_loopback;	/* http:// allowed, to loopback only */
	int timeout_s;		/* connect, and each read; 0: 60 s */
};

struct http_request {
	const char *method;		/* "GET" or "HEAD" */
	const char *url;
	const char *accept;		/* NULL: no Accept */
	const char *authorization;	/* the value; NULL: none */
};

/*
 * Send rq, follow up to HTTP_REDIRECTS_MAX redirects, and leave the last
 * response in rs (any status: the caller judges it).  Errors name the
 * step: "connect 127.0.0.1:5000: Connection refused", "TLS: ...",
 * "redirect to https://other/x: TLS: ...".
 */
int http_request(const struct http_client *c, const struct http_request *rq,
		 struct http_response *rs, struct err *e);

#define HTTP_AUTH_CHALLENGES_MAX 8
#define HTTP_AUTH_PARAMS_MAX 16

struct http_auth_param {
	const char *name, *value;
};

struct http_challenge {
	const char *scheme;		/* as sent: "Bearer" */
	const char *token68;		/* NULL unless one was given */
	struct http_auth_param p[HTTP_AUTH_PARAMS_MAX];
	size_t np;
};

struct http_auth {
	struct http_challenge c[HTTP_AUTH_CHALLENGES_MAX];
	size_t n;
	char *mem;			/* the decoded strings */
};

/*
 * Parse a WWW-Authenticate value (several challenges, quoted strings
 * with escapes): 0, or -EINVAL "WWW-Authenticate: offset 17: unterminated
 * quoted string".  Free with http_auth_free().
 */
int http_auth_parse(const char *value, struct http_auth *a, struct err *e);
/* The challenge's parameter (case-insensitive), NULL when absent. */
const char *http_auth_param(const struct http_challenge *c,
			    const char *name);
void http_auth_free(struct http_auth *a);

/* Base64 of in into out (4 * ((len + 2) / 3) + 1 bytes); its length. */
size_t http_base64_encode(const void *in, size_t len, char *out);
/*
 * Decode the base64 text in[0..len) (padding optional) into out (at least
 * 3 * (len / 4) + 2 bytes): its length, or -EINVAL.
 */
ssize_t http_base64_decode(const char *in, size_t len, void *out);

#endif
