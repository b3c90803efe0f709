/*
 * http.c - the HTTP/1.1 client; see http.h.  Message syntax and framing
 * follow RFC 9112 (2.2, 4, 5, 6.3, 7.1), URLs RFC 3986 (3, 5.2),
 * WWW-Authenticate RFC 9110 (5.6, 11.6.1), base64 RFC 4648 (4).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http.h"

/* A chunk-size line with its extensions, or one trailer line. */
#define CHUNK_LINE_MAX 4096
#define BODY_BUF 16384
/* 100 Continue and the like before the real answer. */
#define INTERIM_MAX 8

/* At most 64 bytes of s[0..n) for a message, anything unprintable '?'. */
static const char *excerpt(char *buf, const char *s, size_t n)
{
	size_t i;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[n] = 0;
	return buf;
}

/* RFC 9110 5.6.2 */
static int is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t token_len(const char *s)
{
	size_t n = 0;

	while (is_tchar((unsigned char)s[n]))
		n++;
	return n;
}

/* ---- URLs ---------------------------------------------------------- */

static int url_fail(struct err *e, const char *s, const char *why)
{
	char q[65];

	return err_msg(e, EINVAL, "URL \"%s\": %s", excerpt(q, s, strlen(s)),
		       why);
}

static unsigned default_port(int tls)
{
	return tls ? 443 : 80;
}

/* Request targets go on the request line as they are: no CTL, SP, 8bit. */
static int target_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

/* The authority at p (up to / ? # or the end) into u; its length. */
static int parse_authority(const char *p, const char *url,
			   struct http_url *u, struct err *e)
{
	size_t alen = strcspn(p, "/?#"), hlen;
	const char *h = p, *end = p + alen, *port;
	unsigned long v;
	char *ep;

	if (memchr(p, '@', alen))
		return url_fail(e, url, "user information in a URL refused");
	if (*h == '[') {
		hlen = strspn(h + 1, "0123456789abcdefABCDEF:.");
		if (h[1 + hlen] != ']' || !hlen)
			return url_fail(e, url, "invalid IPv6 address");
		h++;
		port = h + hlen + 1;
	} else {
		hlen = strspn(h, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~");
		port = h + hlen;
	}
	if (!hlen)
		return url_fail(e, url, "no host");
	if (hlen >= HTTP_HOST_MAX)
		return url_fail(e, url, "host name too long");
	memcpy(u->host, h, hlen);
	u->host[hlen] = 0;
	u->port = default_port(u->tls);
	if (port < end && *port != ':')
		return url_fail(e, url, "invalid host");
	if (port < end && port + 1 < end) {
		if (!isdigit((unsigned char)port[1]))
			return url_fail(e, url, "invalid port");
		errno = 0;
		v = strtoul(port + 1, &ep, 10);
		if (ep != end || errno || v < 1 || v > 65535)
			return url_fail(e, url, "invalid port");
		u->port = v;
	}
	return alen;
}

/*
 * Remove the "." and ".." segments of path[0..n) in place (RFC 3986
 * 5.2.4); the new length.  The output never outgrows the input.
 */
static size_t remove_dots(char *path, size_t n)
{
	const char *in = path, *end = path + n;
	char *out = path;
	size_t left, seg;

	while (in < end) {
		left = end - in;
		if (left >= 3 && !memcmp(in, "../", 3)) {
			in += 3;
		} else if (left >= 2 && !memcmp(in, "./", 2)) {
			in += 2;
		} else if (left >= 3 && !memcmp(in, "/./", 3)) {
			in += 2;
		} else if (left == 2 && !memcmp(in, "/.", 2)) {
			in += 1;
			path[in - path] = '/';
		} else if ((left >= 4 && !memcmp(in, "/../", 4)) ||
			   (left == 3 && !memcmp(in, "/..", 3))) {
			in += 3;
			if (left == 3)
				path[--in - path] = '/';
			while (out > path && *--out != '/')
				;
		} else if ((left == 1 && *in == '.') ||
			   (left == 2 && !memcmp(in, "..", 2))) {
			in = end;
		} else {
			seg = 1 + strcspn(in + 1, "/");
			if (seg > left)
				seg = left;
			memmove(out, in, seg);
			out += seg;
			in += seg;
		}
	}
	return out - path;
}

/* u->target = path (dots removed) + the rest, without the fragment. */
static int set_target(struct http_url *u, const char *dir, size_t dlen,
		      const char *ref, const char *url, struct err *e)
{
	size_t rlen = strcspn(ref, "#"), plen, n;
	char *t;

	t = malloc(dlen + rlen + 2);
	if (!t)
		return err_sys(e, ENOMEM, "URL");
	memcpy(t, dir, dlen);
	memcpy(t + dlen, ref, rlen);
	n = dlen + rlen;
	t[n] = 0;
	plen = strcspn(t, "?");
	n = remove_dots(t, plen);
	memmove(t + n, t + plen, strlen(t + plen) + 1);
	if (t[0] != '/') {
		memmove(t + 1, t, strlen(t) + 1);
		t[0] = '/';
	}
	if (!target_ok(t)) {
		free(t);
		return url_fail(e, url, "invalid character in the path");
	}
	u->target = t;
	return 0;
}

int http_url_parse(const char *s, struct http_url *u, struct err *e)
{
	const char *p;
	int n;

	memset(u, 0, sizeof(*u));
	if (strlen(s) > HTTP_URL_MAX)
		return url_fail(e, s, "longer than 8192 bytes");
	if (!strncasecmp(s, "https://", 8)) {
		u->tls = 1;
		p = s + 8;
	} else if (!strncasecmp(s, "http://", 7)) {
		p = s + 7;
	} else {
		return url_fail(e, s, "not an http or https URL");
	}
	n = parse_authority(p, s, u, e);
	if (n < 0)
		return n;
	return set_target(u, "", 0, p + n, s, e);
}

int http_url_resolve(const struct http_url *base, const char *ref,
		     struct http_url *out, struct err *e)
{
	size_t slen = strspn(ref, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	const char *dir = "";
	size_t dlen = 0;
	char *abs;
	int rc;

	if (slen && ref[slen] == ':' && isalpha((unsigned char)ref[0]))
		return http_url_parse(ref, out, e);
	if (ref[0] == '/' && ref[1] == '/') {
		if (asprintf(&abs, "%s:%s", base->tls ? "https" : "http",
			     ref) < 0)
			return err_sys(e, ENOMEM, "URL");
		rc = http_url_parse(abs, out, e);
		free(abs);
		return rc;
	}
	memset(out, 0, sizeof(*out));
	out->tls = base->tls;
	out->port = base->port;
	memcpy(out->host, base->host, sizeof(out->host));
	if (strlen(ref) > HTTP_URL_MAX)
		return url_fail(e, ref, "longer than 8192 bytes");
	if (ref[0] == '?') {
		dir = base->target;
		dlen = strcspn(dir, "?");
	} else if (!ref[0] || ref[0] == '#') {
		dir = base->target;
		dlen = strlen(dir);
	} else if (ref[0] != '/') {
		dir = base->target;
		dlen = strcspn(dir, "?");
		while (dlen && dir[dlen - 1] != '/')
			dlen--;
	}
	return set_target(out, dir, dlen, ref, ref, e);
}

int http_same_origin(const struct http_url *a, const struct http_url *b)
{
	return a->tls == b->tls && a->port == b->port &&
	       !strcasecmp(a->host, b->host);
}

/* host[:port] as a Host header and messages write it. */
static void authority(const struct http_url *u, char *buf, size_t len)
{
	int v6 = strchr(u->host, ':') != NULL;

	if (u->port == default_port(u->tls))
		snprintf(buf, len, "%s%s%s", v6 ? "[" : "", u->host,
			 v6 ? "]" : "");
	else
		snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", u->host,
			 v6 ? "]" : "", u->port);
}

void http_url_name(const struct http_url *u, char *buf, size_t len)
{
	char a[HTTP_HOST_MAX + 8];

	authority(u, a, sizeof(a));
	snprintf(buf, len, "%s://%s%.*s", u->tls ? "https" : "http", a,
		 (int)strcspn(u->target ? u->target : "", "?"),
		 u->target ? u->target : "");
}

int http_host_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

void http_url_free(struct http_url *u)
{
	free(u->target);
	u->target = NULL;
}

/* ---- the connection ------------------------------------------------ */

struct conn {
	struct reader r;
	int fd;
	struct tls_conn *tls;
};

static ssize_t conn_read(struct reader *r, void *buf, size_t len,
			 struct err *e)
{
	struct conn *c = (struct conn *)r;
	ssize_t n;

	if (c->tls)
		return tls_read(c->tls, buf, len, e);
	do
		n = read(c->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return err_msg(e, ETIMEDOUT, "read: timed out");
	if (n < 0)
		return err_sys(e, errno, "read");
	return n;
}

static void conn_close(struct reader *r)
{
	struct conn *c = (struct conn *)r;

	tls_free(c->tls);
	close(c->fd);
	free(c);
}

static int conn_write(struct conn *c, const char *buf, size_t len,
		      struct err *e)
{
	ssize_t n;

	if (c->tls)
		return tls_write(c->tls, buf, len, e);
	while (len) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return err_msg(e, ETIMEDOUT, "write: timed out");
		if (n < 0)
			return err_sys(e, errno, "write");
		buf += n;
		len -= n;
	}
	return 0;
}

static int addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
			>> 24) == 127;
	return sa->sa_family == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->
				    sin6_addr);
}

/* A connected socket to u; plain HTTP only reaches loopback addresses. */
static int dial(const struct http_client *cl, const struct http_url *u,
		struct err *e)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	}, *res, *ai;
	struct timeval tv = { .tv_sec = cl->timeout_s ? cl->timeout_s : 60 };
	char port[8], name[HTTP_HOST_MAX + 8];
	int fd = -1, rc, no = EHOSTUNREACH;

	authority(u, name, sizeof(name));
	snprintf(port, sizeof(port), "%u", u->port);
	rc = getaddrinfo(u->host, port, &hints, &res);
	if (rc)
		return err_msg(e, rc == EAI_SYSTEM ? errno : EHOSTUNREACH,
			       "resolve %s: %s", u->host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		if (!u->tls && !addr_is_loopback(ai->ai_addr)) {
			no = EACCES;
			continue;
		}
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			no = errno;
			continue;
		}
		/* On Linux the send timeout bounds connect() too. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		no = errno == EINPROGRESS ? ETIMEDOUT : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0 && no == EACCES)
		return err_msg(e, EACCES, "plain HTTP to %s refused: not a "
			       "loopback address", name);
	if (fd < 0)
		return err_sys(e, no, "connect %s", name);
	return fd;
}

/* A header value we send: no CTL (a CR LF would end the field). */
static int field_ok(const char *v)
{
	for (; *v; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return 0;
	return 1;
}

/* One request on a new connection and its response. */
static int exchange(const struct http_client *cl, const struct http_url *u,
		    const struct http_request *rq, const char *authz,
		    struct http_response *rs, struct err *e)
{
	const char *ua = cl->user_agent ? cl->user_agent :
			 "ocibox/" OCIBOX_VERSION;
	char host[HTTP_HOST_MAX + 8], *req = NULL;
	struct conn *c;
	int fd, rc, n;

	if (u->tls && !cl->anchors)
		return err_msg(e, EINVAL, "https: no trust anchors");
	if (!u->tls && !cl->plain_loopback)
		return err_msg(e, EACCES, "plain HTTP refused");
	if (!u->tls && !http_host_is_loopback(u->host))
		return err_msg(e, EACCES, "plain HTTP to %s refused: not a "
			       "loopback host", u->host);
	if ((rq->accept && !field_ok(rq->accept)) ||
	    (authz && !field_ok(authz)) || !field_ok(ua))
		return err_msg(e, EINVAL, "invalid character in a request "
			       "header");
	authority(u, host, sizeof(host));
	/* Accept-Encoding: identity, so that blobs arrive as stored. */
	n = asprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		     "%s%s%s%s%s%sAccept-Encoding: identity\r\n"
		     "Connection: close\r\n\r\n", rq->method, u->target, host,
		     ua, rq->accept ? "Accept: " : "",
		     rq->accept ? rq->accept : "", rq->accept ? "\r\n" : "",
		     authz ? "Authorization: " : "", authz ? authz : "",
		     authz ? "\r\n" : "");
	if (n < 0)
		return err_sys(e, ENOMEM, "HTTP request");
	fd = dial(cl, u, e);
	if (fd < 0) {
		rc = fd;
		goto out_free;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		rc = err_sys(e, ENOMEM, "HTTP request");
		goto out_free;
	}
	c->r.read = conn_read;
	c->r.close = conn_close;
	c->fd = fd;
	if (u->tls) {
		rc = tls_connect(fd, u->host, cl->anchors, &c->tls, e);
		if (rc < 0)
			goto out_close;
	}
	rc = conn_write(c, req, n, e);
	if (rc < 0)
		goto out_close;
	free(req);
	return http_response_read(&c->r, rq->method, rs, e);
out_close:
	conn_close(&c->r);
out_free:
	free(req);
	return rc;
}

static int is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

int http_request(const struct http_client *c, const struct http_request *rq,
		 struct http_response *rs, struct err *e)
{
	const char *authz = rq->authorization, *loc;
	char name[256];
	struct http_url u, next;
	int hops, rc;

	memset(rs, 0, sizeof(*rs));
	rc = http_url_parse(rq->url, &u, e);
	if (rc < 0)
		return rc;
	for (hops = 0;; hops++) {
		rc = exchange(c, &u, rq, authz, rs, e);
		if (rc < 0 && hops) {
			http_url_name(&u, name, sizeof(name));
			err_prefix(e, "redirect to %s", name);
		}
		if (rc < 0)
			goto out_free;
		loc = http_header(rs, "Location");
		if (!is_redirect(rs->status) || !loc)
			break;
		if (hops == HTTP_REDIRECTS_MAX) {
			http_response_free(rs);
			rc = err_msg(e, ELOOP, "more than %d redirects",
				     HTTP_REDIRECTS_MAX);
			goto out_free;
		}
		rc = http_url_resolve(&u, loc, &next, e);
		http_response_free(rs);
		if (rc < 0) {
			err_prefix(e, "redirect");
			goto out_free;
		}
		/* Credentials are for the origin that asked for them. */
		if (!http_same_origin(&u, &next))
			authz = NULL;
		http_url_free(&u);
		u = next;
	}
	rs->url = u;
	return 0;
out_free:
	http_url_free(&u);
	return rc;
}

/* ---- responses ----------------------------------------------------- */

enum body_mode { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };
enum chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

struct body {
	struct reader r;
	struct reader *src;
	enum body_mode mode;
	enum chunk_state state;
	uint64_t left;		/* of the body (LENGTH) or of this chunk */
	uint64_t total, seen;
	size_t trailers;
	size_t pos, end;
	char buf[BODY_BUF];
};

/* From the bytes already read, else straight from the connection. */
static ssize_t body_raw(struct body *b, void *buf, size_t len,
			struct err *e)
{
	if (b->pos == b->end)
		return reader_read(b->src, buf, len, e);
	if (len > b->end - b->pos)
		len = b->end - b->pos;
	memcpy(buf, b->buf + b->pos, len);
	b->pos += len;
	return len;
}

/* One byte into *c: 0, 1 at the end of the stream, or -errno. */
static int body_getc(struct body *b, int *c, struct err *e)
{
	ssize_t n;

	if (b->pos == b->end) {
		n = reader_read(b->src, b->buf, sizeof(b->buf), e);
		if (n <= 0)
			return n < 0 ? n : 1;
		b->pos = 0;
		b->end = n;
	}
	*c = (unsigned char)b->buf[b->pos++];
	return 0;
}

/* A line (CRLF or LF) of at most CHUNK_LINE_MAX bytes into line. */
static int body_line(struct body *b, char line[CHUNK_LINE_MAX + 1],
		     size_t *len, const char *what, struct err *e)
{
	size_t n = 0;
	int rc, c;

	for (;;) {
		rc = body_getc(b, &c, e);
		if (rc < 0)
			return rc;
		if (rc)
			return err_msg(e, EPIPE, "HTTP body: connection "
				       "closed in %s", what);
		if (c == '\n')
			break;
		if (n == CHUNK_LINE_MAX)
			return err_msg(e, EINVAL, "HTTP body: %s longer than "
				       "%d bytes", what, CHUNK_LINE_MAX);
		line[n++] = c;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = 0;
	if (memchr(line, '\r', n) || memchr(line, 0, n))
		return err_msg(e, EINVAL, "HTTP body: control character in %s",
			       what);
	*len = n;
	return 0;
}

/* chunk-size [ chunk-ext ] CRLF; the extensions are ignored (7.1.1). */
static int chunk_size(struct body *b, struct err *e)
{
	char line[CHUNK_LINE_MAX + 1], q[65];
	uint64_t v = 0;
	size_t n, i, digits;
	int rc, d;

	rc = body_line(b, line, &n, "a chunk size line", e);
	if (rc < 0)
		return rc;
	for (i = 0; isxdigit((unsigned char)line[i]); i++) {
		d = isdigit((unsigned char)line[i]) ? line[i] - '0' :
		    (tolower((unsigned char)line[i]) - 'a' + 10);
		if (v > (UINT64_MAX >> 4))
			return err_msg(e, EINVAL, "HTTP body: chunk size "
				       "\"%s\" too large", excerpt(q, line, n));
		v = v << 4 | d;
	}
	digits = i;
	while (line[i] == ' ' || line[i] == '\t')
		i++;
	if (!digits || (line[i] && line[i] != ';'))
		return err_msg(e, EINVAL, "HTTP body: invalid chunk size "
			       "\"%s\"", excerpt(q, line, n));
	b->left = v;
	b->state = v ? CH_DATA : CH_TRAILER;
	return 0;
}

static ssize_t chunked_read(struct body *b, void *buf, size_t len,
			    struct err *e)
{
	char line[CHUNK_LINE_MAX + 1];
	ssize_t n;
	size_t ll;
	int rc, c;

	for (;;) {
		switch (b->state) {
		case CH_SIZE:
			rc = chunk_size(b, e);
			if (rc < 0)
				return rc;
			break;
		case CH_DATA:
			n = body_raw(b, buf, len < b->left ? len : b->left, e);
			if (n < 0)
				return n;
			if (!n)
				return err_msg(e, EPIPE, "HTTP body: "
					       "connection closed in a chunk, "
					       "%llu bytes short",
					       (unsigned long long)b->left);
			b->left -= n;
			b->seen += n;
			if (!b->left)
				b->state = CH_DATA_END;
			return n;
		case CH_DATA_END:
			rc = body_getc(b, &c, e);
			if (!rc && c == '\r')
				rc = body_getc(b, &c, e);
			if (rc < 0)
				return rc;
			if (rc || c != '\n')
				return err_msg(e, EINVAL, "HTTP body: chunk "
					       "data not followed by CRLF");
			b->state = CH_SIZE;
			break;
		case CH_TRAILER:
			rc = body_line(b, line, &ll, "the trailer section", e);
			if (rc < 0)
				return rc;
			if (!ll)
				b->state = CH_DONE;
			else if (++b->trailers > HTTP_HEADERS_MAX)
				return err_msg(e, EINVAL, "HTTP body: more "
					       "than %d trailer fields",
					       HTTP_HEADERS_MAX);
			break;
		case CH_DONE:
			return 0;
		}
	}
}

static ssize_t body_read(struct reader *r, void *buf, size_t len,
			 struct err *e)
{
	struct body *b = (struct body *)r;
	ssize_t n;

	if (!len)
		return 0;
	switch (b->mode) {
	case BODY_NONE:
		return 0;
	case BODY_CLOSE:
		n = body_raw(b, buf, len, e);
		if (n > 0)
			b->seen += n;
		return n;
	case BODY_LENGTH:
		if (!b->left)
			return 0;
		n = body_raw(b, buf, len < b->left ? len : b->left, e);
		if (n < 0)
			return n;
		if (!n)
			return err_msg(e, EPIPE, "HTTP body: connection closed "
				       "after %llu of %llu bytes",
				       (unsigned long long)b->seen,
				       (unsigned long long)b->total);
		b->left -= n;
		b->seen += n;
		return n;
	case BODY_CHUNKED:
		return chunked_read(b, buf, len, e);
	}
	return 0;
}

static void body_close(struct reader *r)
{
	struct body *b = (struct body *)r;

	reader_close(b->src);
	free(b);
}

/*
 * The header block (up to and with its empty line) into blk; what
 * follows stays in b's buffer for the body.
 */
static int read_block(struct body *b, char *blk, size_t *len,
		      struct err *e)
{
	size_t n = 0;
	int rc, c;

	for (;;) {
		rc = body_getc(b, &c, e);
		if (rc < 0)
			return rc;
		if (rc)
			return err_msg(e, EPIPE, "HTTP response: connection "
				       "closed %s", n ? "in the header block" :
				       "before the status line");
		if (n == HTTP_HEADER_BLOCK_MAX)
			return err_msg(e, EFBIG, "HTTP response: header block "
				       "larger than %d bytes",
				       HTTP_HEADER_BLOCK_MAX);
		blk[n++] = c;
		if (c == '\n' && ((n >= 2 && blk[n - 2] == '\n') ||
				  (n >= 3 && blk[n - 2] == '\r' &&
				   blk[n - 3] == '\n')))
			break;
	}
	blk[n] = 0;
	*len = n;
	return 0;
}

/* The next line of the block at *p, NUL-terminated in place, CR dropped. */
static char *next_line(char **p, size_t *len)
{
	char *line = *p, *nl = strchr(line, '\n');

	*nl = 0;
	*p = nl + 1;
	*len = nl - line;
	if (*len && line[*len - 1] == '\r')
		line[--*len] = 0;
	return line;
}

static int bad_line(struct err *e, size_t i, const char *why)
{
	return err_msg(e, EINVAL, "HTTP response: header line %zu: %s", i,
		       why);
}

/* HTTP/1.x SP 3DIGIT [ SP reason-phrase ] (RFC 9112 4) */
static int status_line(char *line, size_t len, struct http_response *rs,
		       struct err *e)
{
	char q[65];

	if (len < 12 || memcmp(line, "HTTP/1.", 7) ||
	    !isdigit((unsigned char)line[7]) || line[8] != ' ' ||
	    !isdigit((unsigned char)line[9]) ||
	    !isdigit((unsigned char)line[10]) ||
	    !isdigit((unsigned char)line[11]) ||
	    (line[12] && line[12] != ' ') || line[9] == '0')
		return err_msg(e, EINVAL, "HTTP response: invalid status line "
			       "\"%s\"", excerpt(q, line, len));
	rs->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 +
		     (line[11] - '0');
	rs->reason = line[12] ? line + 13 : "";
	return 0;
}

static int field_line(char *line, size_t len, size_t i,
		      struct http_response *rs, struct err *e)
{
	char *colon, *v, *end;

	if (line[0] == ' ' || line[0] == '\t')
		return bad_line(e, i, "obsolete line folding");
	colon = strchr(line, ':');
	if (!colon)
		return bad_line(e, i, "no colon");
	if (colon == line || token_len(line) != (size_t)(colon - line))
		return bad_line(e, i, "invalid field name");
	for (v = colon + 1; *v; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return bad_line(e, i, "control character in a field "
					"value");
	if (rs->nh == HTTP_HEADERS_MAX)
		return err_msg(e, EINVAL, "HTTP response: more than %d header "
			       "fields", HTTP_HEADERS_MAX);
	*colon = 0;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = line + len;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = 0;
	rs->h[rs->nh].name = line;
	rs->h[rs->nh++].value = v;
	return 0;
}

static int parse_block(char *blk, size_t n, struct http_response *rs,
		       struct err *e)
{
	char *p = blk, *line;
	size_t len, i;
	int rc;

	if (memchr(blk, 0, n))
		return err_msg(e, EINVAL, "HTTP response: NUL in the header "
			       "block");
	rs->nh = 0;
	line = next_line(&p, &len);
	if (memchr(line, '\r', len))
		return bad_line(e, 0, "bare CR");
	rc = status_line(line, len, rs, e);
	if (rc < 0)
		return rc;
	for (i = 1;; i++) {
		line = next_line(&p, &len);
		if (!len)
			return 0;
		if (memchr(line, '\r', len))
			return bad_line(e, i, "bare CR");
		rc = field_line(line, len, i, rs, e);
		if (rc < 0)
			return rc;
	}
}

/* The value of every Content-Length (a list of one number, 8.6). */
static int content_length(const struct http_response *rs, uint64_t *out,
			  struct err *e)
{
	const char *s, *p;
	uint64_t v, got = HTTP_LENGTH_UNKNOWN;
	char q[65];
	size_t i;

	for (i = 0; i < rs->nh; i++) {
		if (strcasecmp(rs->h[i].name, "Content-Length"))
			continue;
		for (s = p = rs->h[i].value;;) {
			if (!isdigit((unsigned char)*p))
				goto bad;
			for (v = 0; isdigit((unsigned char)*p); p++) {
				/* UINT64_MAX itself means unknown. */
				if (v >= UINT64_MAX / 10)
					goto bad;
				v = v * 10 + (*p - '0');
			}
			if (got != HTTP_LENGTH_UNKNOWN && got != v)
				return err_msg(e, EINVAL, "HTTP response: "
					       "conflicting Content-Length "
					       "values");
			got = v;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				break;
			if (*p++ != ',')
				goto bad;
			while (*p == ' ' || *p == '\t')
				p++;
		}
	}
	*out = got;
	return 0;
bad:
	return err_msg(e, EINVAL, "HTTP response: invalid Content-Length "
		       "\"%s\"", excerpt(q, s, strlen(s)));
}

/* How the body ends (RFC 9112 6.3). */
static int framing(const char *method, struct http_response *rs,
		   struct body *b, struct err *e)
{
	const char *ce = http_header(rs, "Content-Encoding");
	char *te = http_header_join(rs, "Transfer-Encoding"), q[65];
	int rc;

	rc = content_length(rs, &rs->length, e);
	if (rc < 0)
		goto out;
	if (ce && strcasecmp(ce, "identity")) {
		rc = err_msg(e, EINVAL, "HTTP response: unsupported "
			     "Content-Encoding \"%s\"",
			     excerpt(q, ce, strlen(ce)));
		goto out;
	}
	if (!strcmp(method, "HEAD") || rs->status / 100 == 1 ||
	    rs->status == 204 || rs->status == 304) {
		b->mode = BODY_NONE;
	} else if (te) {
		if (strcasecmp(te, "chunked")) {
			rc = err_msg(e, EINVAL, "HTTP response: unsupported "
				     "Transfer-Encoding \"%s\"",
				     excerpt(q, te, strlen(te)));
			goto out;
		}
		if (rs->length != HTTP_LENGTH_UNKNOWN) {
			rc = err_msg(e, EINVAL, "HTTP response: both "
				     "Transfer-Encoding and Content-Length");
			goto out;
		}
		b->mode = BODY_CHUNKED;
	} else if (rs->length != HTTP_LENGTH_UNKNOWN) {
		b->mode = BODY_LENGTH;
		b->left = b->total = rs->length;
	} else {
		b->mode = BODY_CLOSE;
	}
out:
	free(te);
	return rc;
}

int http_response_read(struct reader *src, const char *method,
		       struct http_response *rs, struct err *e)
{
	struct body *b;
	char *blk;
	size_t n = 0;
	int rc, interim;

	memset(rs, 0, sizeof(*rs));
	rs->length = HTTP_LENGTH_UNKNOWN;
	b = calloc(1, sizeof(*b));
	blk = malloc(HTTP_HEADER_BLOCK_MAX + 1);
	if (!b || !blk) {
		free(b);
		free(blk);
		reader_close(src);
		return err_sys(e, ENOMEM, "HTTP response");
	}
	b->r.read = body_read;
	b->r.close = body_close;
	b->src = src;
	for (interim = 0;; interim++) {
		rc = read_block(b, blk, &n, e);
		if (rc < 0)
			goto out_free;
		rc = parse_block(blk, n, rs, e);
		if (rc < 0)
			goto out_free;
		if (rs->status == 101) {
			rc = err_msg(e, EPROTO, "HTTP response: unexpected "
				     "101 Switching Protocols");
			goto out_free;
		}
		if (rs->status / 100 != 1)
			break;
		if (interim == INTERIM_MAX) {
			rc = err_msg(e, EPROTO, "HTTP response: more than %d "
				     "interim responses", INTERIM_MAX);
			goto out_free;
		}
	}
	rc = framing(method, rs, b, e);
	if (rc < 0)
		goto out_free;
	rs->block = blk;
	rs->body = &b->r;
	return 0;
out_free:
	free(blk);
	body_close(&b->r);
	memset(rs, 0, sizeof(*rs));
	return rc;
}

const char *http_header(const struct http_response *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nh; i++)
		if (!strcasecmp(rs->h[i].name, name))
			return rs->h[i].value;
	return NULL;
}

char *http_header_join(const struct http_response *rs, const char *name)
{
	size_t i, len = 0;
	char *s, *p;

	for (i = 0; i < rs->nh; i++)
		if (!strcasecmp(rs->h[i].name, name))
			len += strlen(rs->h[i].value) + 2;
	if (!len)
		return NULL;
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (i = 0; i < rs->nh; i++) {
		if (strcasecmp(rs->h[i].name, name))
			continue;
		if (p != s) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		p = stpcpy(p, rs->h[i].value);
	}
	return s;
}

void http_response_free(struct http_response *rs)
{
	reader_close(rs->body);
	free(rs->block);
	http_url_free(&rs->url);
	memset(rs, 0, sizeof(*rs));
}

/* ---- WWW-Authenticate ---------------------------------------------- */

struct auth_parser {
	const char *start, *p;
	char *out;		/* the next free byte of a->mem */
	struct err *e;
};

static int auth_fail(struct auth_parser *ap, const char *why)
{
	return err_msg(ap->e, EINVAL, "WWW-Authenticate: offset %zu: %s",
		       (size_t)(ap->p - ap->start), why);
}

static void skip_ows(struct auth_parser *ap)
{
	while (*ap->p == ' ' || *ap->p == '\t')
		ap->p++;
}

/* Copy n bytes at ap->p out as a string; ap->p moves past them. */
static const char *take(struct auth_parser *ap, size_t n)
{
	char *s = ap->out;

	memcpy(s, ap->p, n);
	s[n] = 0;
	ap->out += n + 1;
	ap->p += n;
	return s;
}

/* quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (5.6.4) */
static int quoted(struct auth_parser *ap, const char **out)
{
	char *s = ap->out;
	unsigned char c;

	ap->p++;
	for (;;) {
		c = *ap->p;
		if (!c)
			return auth_fail(ap, "unterminated quoted string");
		if (c == '"')
			break;
		if (c == '\\') {
			ap->p++;
			c = *ap->p;
			if (!c)
				return auth_fail(ap, "unterminated quoted "
						 "string");
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return auth_fail(ap, "control character in a quoted "
					 "string");
		*ap->out++ = c;
		ap->p++;
	}
	ap->p++;
	*ap->out++ = 0;
	*out = s;
	return 0;
}

/* At p: token BWS "=" BWS ( token / quoted-string )? */
static int at_param(const char *p)
{
	size_t n = token_len(p);

	if (!n)
		return 0;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '"' || (*p != '=' && is_tchar((unsigned char)*p));
}

static int auth_params(struct auth_parser *ap, struct http_challenge *c)
{
	struct http_auth_param *pp;
	const char *name;
	size_t n, i;
	int rc;

	for (;;) {
		if (c->np == HTTP_AUTH_PARAMS_MAX)
			return auth_fail(ap, "too many parameters");
		n = token_len(ap->p);
		for (i = 0; i < c->np; i++)
			if (strlen(c->p[i].name) == n &&
			    !strncasecmp(c->p[i].name, ap->p, n))
				return auth_fail(ap, "parameter given twice");
		pp = &c->p[c->np++];
		name = take(ap, n);
		pp->name = name;
		skip_ows(ap);
		ap->p++;	/* the '=' at_param() saw */
		skip_ows(ap);
		if (*ap->p == '"') {
			rc = quoted(ap, &pp->value);
			if (rc < 0)
				return rc;
		} else {
			pp->value = take(ap, token_len(ap->p));
		}
		skip_ows(ap);
		if (!*ap->p)
			return 0;
		if (*ap->p != ',')
			return auth_fail(ap, "expected ',' after a parameter");
		/* A comma parts parameters and challenges alike (11.6.1). */
		while (*ap->p == ',' || *ap->p == ' ' || *ap->p == '\t')
			ap->p++;
		if (!at_param(ap->p))
			return 0;
	}
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static size_t token68_len(const char *p)
{
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/");

	if (!n)
		return 0;
	return n + strspn(p + n, "=");
}

int http_auth_parse(const char *value, struct http_auth *a, struct err *e)
{
	struct auth_parser ap = { .start = value, .p = value, .e = e };
	struct http_challenge *c;
	size_t n;
	int rc;

	memset(a, 0, sizeof(*a));
	/* Decoded strings are never longer than their text, plus a NUL. */
	a->mem = malloc(2 * strlen(value) + 2);
	if (!a->mem)
		return err_sys(e, ENOMEM, "WWW-Authenticate");
	ap.out = a->mem;
	for (;;) {
		while (*ap.p == ',' || *ap.p == ' ' || *ap.p == '\t')
			ap.p++;
		if (!*ap.p)
			break;
		n = token_len(ap.p);
		if (!n) {
			rc = auth_fail(&ap, "expected an authentication "
				       "scheme");
			goto out_free;
		}
		if (a->n == HTTP_AUTH_CHALLENGES_MAX) {
			rc = auth_fail(&ap, "too many challenges");
			goto out_free;
		}
		c = &a->c[a->n++];
		c->scheme = take(&ap, n);
		if (!*ap.p || *ap.p == ',')
			continue;
		if (*ap.p != ' ') {
			rc = auth_fail(&ap, "expected a space after the "
				       "scheme");
			goto out_free;
		}
		while (*ap.p == ' ')
			ap.p++;
		if (!*ap.p || *ap.p == ',')
			continue;
		if (at_param(ap.p)) {
			rc = auth_params(&ap, c);
			if (rc < 0)
				goto out_free;
			continue;
		}
		n = token68_len(ap.p);
		if (!n) {
			rc = auth_fail(&ap, "expected a parameter or token68");
			goto out_free;
		}
		c->token68 = take(&ap, n);
		skip_ows(&ap);
		if (*ap.p && *ap.p != ',') {
			rc = auth_fail(&ap, "expected ',' after token68");
			goto out_free;
		}
	}
	return 0;
out_free:
	http_auth_free(a);
	return rc;
}

const char *http_auth_param(const struct http_challenge *c,
			    const char *name)
{
	size_t i;

	for (i = 0; i < c->np; i++)
		if (!strcasecmp(c->p[i].name, name))
			return c->p[i].value;
	return NULL;
}

void http_auth_free(struct http_auth *a)
{
	free(a->mem);
	memset(a, 0, sizeof(*a));
}

/* ---- base64 -------------------------------------------------------- */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t http_base64_encode(const void *in, size_t len, char *out)
{
	const unsigned char *p = in;
	size_t i, n = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		out[n++] = b64[v >> 18];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = b64[(v >> 6) & 63];
		out[n++] = b64[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0);
		out[n++] = b64[v >> 18];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[n++] = '=';
	}
	out[n] = 0;
	return n;
}

ssize_t http_base64_decode(const char *in, size_t len, void *out)
{
	unsigned char *o = out;
	uint32_t v = 0;
	size_t i, n = 0, bits = 0;
	const char *c;

	while (len && in[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		c = in[i] ? strchr(b64, in[i]) : NULL;
		if (!c)
			return -EINVAL;
		v = v << 6 | (c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = v >> bits;
			v &= (1u << bits) - 1;
		}
	}
	/* The unused low bits of the last character must be zero. */
	if (v)
		return -EINVAL;
	return n;
}
