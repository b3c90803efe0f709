/*
 * http_test.c - unit tests of core/http.c and core/tls.c: URLs and
 * redirects, the response parser and chunked decoding (whole, and one
 * byte per read), hostile framing, WWW-Authenticate, base64 (RFC 4648
 * 10 vectors), requests against a fake server on 127.0.0.1, and TLS
 * against `openssl s_server` with certificates made at test time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "io.h"
#include "reader.h"
#include "tls.h"
#include "unit.h"

static struct err e;

/* ---- helpers ------------------------------------------------------- */

/* A reader of a string that gives at most step bytes per read. */
struct trickle {
	struct reader r;
	const char *p;
	size_t left, step;
};

static ssize_t trickle_read(struct reader *r, void *buf, size_t len,
			    struct err *e)
{
	struct trickle *t = (struct trickle *)r;

	if (len > t->step)
		len = t->step;
	if (len > t->left)
		len = t->left;
	memcpy(buf, t->p, len);
	t->p += len;
	t->left -= len;
	return len;
}

static void trickle_close(struct reader *r)
{
	free(r);
}

static struct reader *trickle(const char *s, size_t len, size_t step)
{
	struct trickle *t = calloc(1, sizeof(*t));

	UNIT_NOT_NULL(t);
	t->r.read = trickle_read;
	t->r.close = trickle_close;
	t->p = s;
	t->left = len;
	t->step = step;
	return &t->r;
}

static int parse_n(const char *text, size_t len, size_t step,
		   const char *method, struct http_response *rs)
{
	return http_response_read(trickle(text, len, step), method, rs, &e);
}

static int parse(const char *text, struct http_response *rs)
{
	return parse_n(text, strlen(text), 4096, "GET", rs);
}

/* The body into buf (NUL-terminated): its length, or the error. */
static ssize_t slurp(struct http_response *rs, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = reader_read(rs->body, buf + n, size - 1 - n, &e);
		if (r < 0)
			return r;
		if (!r)
			break;
		n += r;
		UNIT_ASSERT(n < size - 1);
	}
	buf[n] = 0;
	return n;
}

/* text's response parses, and its body fails with msg. */
static void body_fails(const char *text, size_t len, const char *msg)
{
	struct http_response rs;
	char buf[8192];

	UNIT_EQ_INT(parse_n(text, len, 4096, "GET", &rs), 0);
	UNIT_ASSERT(slurp(&rs, buf, sizeof(buf)) < 0);
	UNIT_EQ_STR(e.msg, msg);
	http_response_free(&rs);
}

static void header_fails(const char *text, size_t len, const char *msg)
{
	struct http_response rs;

	UNIT_ASSERT(parse_n(text, len, 4096, "GET", &rs) < 0);
	UNIT_EQ_STR(e.msg, msg);
	UNIT_NULL(rs.body);
}

#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

/*
 * A server on 127.0.0.1 (a child process): the i-th connection gets
 * resp[i] as it is, or for "ECHO" a 200 whose body is the request.
 */
struct fake {
	pid_t pid;
	unsigned port;
};

static int listen_any(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	UNIT_EQ_INT(listen(fd, 8), 0);
	UNIT_EQ_INT(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n && (r = write(fd, p, n)) > 0) {
		p += r;
		n -= r;
	}
}

static void serve(int lfd, const char *const *resp, size_t n)
{
	char req[65536], head[128];
	size_t i, got;
	ssize_t r;
	int fd;

	/* A client that never comes must not leave this behind. */
	alarm(20);
	for (i = 0; i < n; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			_exit(1);
		got = 0;
		while (got < sizeof(req) - 1 &&
		       (r = read(fd, req + got, sizeof(req) - 1 - got)) > 0) {
			got += r;
			req[got] = 0;
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		if (!strcmp(resp[i], "ECHO")) {
			snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
				 "Content-Length: %zu\r\n\r\n", got);
			write_all(fd, head, strlen(head));
			write_all(fd, req, got);
		} else {
			write_all(fd, resp[i], strlen(resp[i]));
		}
		close(fd);
	}
	_exit(0);
}

static struct fake fake_start(const char *const *resp, size_t n)
{
	struct fake f;
	int lfd = listen_any(&f.port);

	fflush(NULL);
	f.pid = fork();
	UNIT_ASSERT(f.pid >= 0);
	if (!f.pid)
		serve(lfd, resp, n);
	close(lfd);
	return f;
}

static void fake_stop(struct fake *f)
{
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
}

static const struct http_client plain = {
	.plain_loopback = 1,
	.user_agent = "unit/1",
	.timeout_s = 10,
};

/* ---- URLs ---------------------------------------------------------- */

UNIT_CASE(url_parse)
{
	struct http_url u;

	UNIT_EQ_INT(http_url_parse("https://Example.COM/v2/", &u, &e), 0);
	UNIT_EQ_INT(u.tls, 1);
	UNIT_EQ_STR(u.host, "Example.COM");
	UNIT_EQ_INT(u.port, 443);
	UNIT_EQ_STR(u.target, "/v2/");
	http_url_free(&u);
	UNIT_EQ_INT(http_url_parse("HTTP://127.0.0.1:5000", &u, &e), 0);
	UNIT_EQ_INT(u.tls, 0);
	UNIT_EQ_INT(u.port, 5000);
	UNIT_EQ_STR(u.target, "/");
	http_url_free(&u);
	UNIT_EQ_INT(http_url_parse("https://[::1]:5000/a/./b/../c?d=/.#e",
				   &u, &e), 0);
	UNIT_EQ_STR(u.host, "::1");
	UNIT_EQ_STR(u.target, "/a/c?d=/.");
	http_url_free(&u);
	UNIT_EQ_INT(http_url_parse("http://h?x", &u, &e), 0);
	UNIT_EQ_STR(u.target, "/?x");
	UNIT_EQ_INT(u.port, 80);
	http_url_free(&u);
}

UNIT_CASE(url_parse_refused)
{
	static const char *const bad[][2] = {
		{ "ftp://x/", "not an http or https URL" },
		{ "https//x/", "not an http or https URL" },
		{ "https://user:pw@h/", "user information in a URL refused" },
		{ "https:///x", "no host" },
		{ "https://h:0/", "invalid port" },
		{ "https://h:65536/", "invalid port" },
		{ "https://h:+5/", "invalid port" },
		{ "https://h:5x/", "invalid port" },
		{ "https://[::1/", "invalid IPv6 address" },
		{ "https://h$/", "invalid host" },
		{ "https://h/a b", "invalid character in the path" },
		{ "https://h/a\r\nX: y", "invalid character in the path" },
		{ "https://h/\xc3\xa9", "invalid character in the path" },
	};
	char want[256];
	struct http_url u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UNIT_EQ_INT(http_url_parse(bad[i][0], &u, &e), -EINVAL);
		snprintf(want, sizeof(want), "URL \"%s\": %s", bad[i][0],
			 bad[i][1]);
		for (char *p = want; *p; p++)
			if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p >= 0x7f)
				*p = '?';
		UNIT_EQ_STR(e.msg, want);
	}
}

UNIT_CASE(url_resolve)
{
	static const char *const cases[][2] = {
		{ "https://s3.example/bucket/o?sig=1",
		  "https://s3.example/bucket/o?sig=1" },
		{ "//cdn.example/p", "https://cdn.example/p" },
		{ "/v2/other", "https://a.example:8443/v2/other" },
		{ "next", "https://a.example:8443/v2/x/blobs/next" },
		{ "../y/./z", "https://a.example:8443/v2/x/y/z" },
		{ "?p=2", "https://a.example:8443/v2/x/blobs/sha256:1?p=2" },
		{ "#frag", "https://a.example:8443/v2/x/blobs/sha256:1?q=1" },
		{ "", "https://a.example:8443/v2/x/blobs/sha256:1?q=1" },
		{ "/a/b/../../../c", "https://a.example:8443/c" },
		{ "http://[::1]:5000/", "http://[::1]:5000/" },
	};
	struct http_url base, u;
	char got[512];
	size_t i;

	UNIT_EQ_INT(http_url_parse("https://a.example:8443/v2/x/blobs/"
				   "sha256:1?q=1", &base, &e), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		UNIT_EQ_INT(http_url_resolve(&base, cases[i][0], &u, &e), 0);
		snprintf(got, sizeof(got), "%s://%s%s%s%s%s",
			 u.tls ? "https" : "http",
			 strchr(u.host, ':') ? "[" : "", u.host,
			 strchr(u.host, ':') ? "]" : "",
			 u.port == (u.tls ? 443u : 80u) ? "" : ":", "");
		if (u.port != (u.tls ? 443u : 80u))
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 "%u", u.port);
		strcat(got, u.target);
		UNIT_EQ_STR(got, cases[i][1]);
		http_url_free(&u);
	}
	UNIT_EQ_INT(http_url_resolve(&base, "mailto:x@y", &u, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "URL \"mailto:x@y\": not an http or https URL");
	http_url_free(&base);
}

UNIT_CASE(url_origin_and_name)
{
	struct http_url a, b, c, d;
	char name[256];

	UNIT_EQ_INT(http_url_parse("https://reg.example/v2/?token=s", &a,
				   &e), 0);
	UNIT_EQ_INT(http_url_parse("https://REG.example:443/x", &b, &e), 0);
	UNIT_EQ_INT(http_url_parse("https://reg.example:444/x", &c, &e), 0);
	UNIT_EQ_INT(http_url_parse("http://reg.example:443/x", &d, &e), 0);
	UNIT_EQ_INT(http_same_origin(&a, &b), 1);
	UNIT_EQ_INT(http_same_origin(&a, &c), 0);
	UNIT_EQ_INT(http_same_origin(&a, &d), 0);
	http_url_name(&a, name, sizeof(name));
	UNIT_EQ_STR(name, "https://reg.example/v2/");
	http_url_name(&c, name, sizeof(name));
	UNIT_EQ_STR(name, "https://reg.example:444/x");
	http_url_free(&a);
	http_url_free(&b);
	http_url_free(&c);
	http_url_free(&d);
	UNIT_EQ_INT(http_url_parse("http://[::1]:5000/", &a, &e), 0);
	http_url_name(&a, name, sizeof(name));
	UNIT_EQ_STR(name, "http://[::1]:5000/");
	http_url_free(&a);
}

UNIT_CASE(loopback_hosts)
{
	UNIT_EQ_INT(http_host_is_loopback("localhost"), 1);
	UNIT_EQ_INT(http_host_is_loopback("LocalHost"), 1);
	UNIT_EQ_INT(http_host_is_loopback("127.0.0.1"), 1);
	UNIT_EQ_INT(http_host_is_loopback("127.255.0.9"), 1);
	UNIT_EQ_INT(http_host_is_loopback("::1"), 1);
	UNIT_EQ_INT(http_host_is_loopback("128.0.0.1"), 0);
	UNIT_EQ_INT(http_host_is_loopback("0.0.0.0"), 0);
	UNIT_EQ_INT(http_host_is_loopback("::2"), 0);
	UNIT_EQ_INT(http_host_is_loopback("localhost.example"), 0);
	UNIT_EQ_INT(http_host_is_loopback("127.0.0.1.example"), 0);
}

/* ---- responses ----------------------------------------------------- */

UNIT_CASE(response_basic)
{
	static const char text[] = "HTTP/1.1 200 OK\r\n"
		"Content-Type: application/json\r\n"
		"content-length: 5\r\n"
		"X-Empty:\r\n"
		"X-Pad: \t v w \t\r\n"
		"\r\n"
		"helloEXTRA";
	struct http_response rs;
	char buf[64];

	UNIT_EQ_INT(parse(text, &rs), 0);
	UNIT_EQ_INT(rs.status, 200);
	UNIT_EQ_STR(rs.reason, "OK");
	UNIT_EQ_INT(rs.nh, 4);
	UNIT_EQ_STR(http_header(&rs, "CONTENT-TYPE"), "application/json");
	UNIT_EQ_STR(http_header(&rs, "Content-Length"), "5");
	UNIT_EQ_STR(http_header(&rs, "x-empty"), "");
	UNIT_EQ_STR(http_header(&rs, "X-Pad"), "v w");
	UNIT_NULL(http_header(&rs, "Location"));
	UNIT_EQ_UINT(rs.length, 5);
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 5);
	UNIT_EQ_STR(buf, "hello");
	http_response_free(&rs);
	UNIT_NULL(rs.body);
}

UNIT_CASE(response_forms)
{
	struct http_response rs;
	char buf[64];
	char *j;

	/* Bare LF line ends (RFC 9112 2.2), HTTP/1.0. */
	UNIT_EQ_INT(parse("HTTP/1.0 404 Not Found\nContent-Length: 2\n\nab",
			  &rs), 0);
	UNIT_EQ_INT(rs.status, 404);
	UNIT_EQ_STR(rs.reason, "Not Found");
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 2);
	http_response_free(&rs);
	/* No reason phrase, and no body for 204. */
	UNIT_EQ_INT(parse("HTTP/1.1 204\r\n\r\nxyz", &rs), 0);
	UNIT_EQ_INT(rs.status, 204);
	UNIT_EQ_STR(rs.reason, "");
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 0);
	http_response_free(&rs);
	/* Interim responses are passed over. */
	UNIT_EQ_INT(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\n"
			  "Link: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
			  "1\r\n\r\nx", &rs), 0);
	UNIT_EQ_INT(rs.status, 200);
	UNIT_NULL(http_header(&rs, "Link"));
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 1);
	http_response_free(&rs);
	/* HEAD: the length of what GET would send, no body. */
	UNIT_EQ_INT(parse_n("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
			    39, 4096, "HEAD", &rs), 0);
	UNIT_EQ_UINT(rs.length, 10);
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 0);
	http_response_free(&rs);
	/* No length: to the end of the connection. */
	UNIT_EQ_INT(parse("HTTP/1.1 200 OK\r\nA: 1\r\nA: 2,3\r\n\r\nto the end",
			  &rs), 0);
	UNIT_EQ_UINT(rs.length, HTTP_LENGTH_UNKNOWN);
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 10);
	UNIT_EQ_STR(buf, "to the end");
	j = http_header_join(&rs, "a");
	UNIT_EQ_STR(j, "1, 2,3");
	free(j);
	UNIT_NULL(http_header_join(&rs, "b"));
	http_response_free(&rs);
	/* The same length twice is one length (RFC 9110 8.6). */
	UNIT_EQ_INT(parse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n"
			  "Content-Length: 3\r\n\r\nabcd", &rs), 0);
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 3);
	http_response_free(&rs);
}

UNIT_CASE(response_chunked_any_read_size)
{
	static const char text[] = CHUNKED
		"5;name=val;q=\"a;b\"\r\nhello\r\n"
		"1A \t; ext\r\nabcdefghijklmnopqrstuvwxyz\r\n"
		"000\r\n"
		"Trailer: x\r\nT2: y\r\n\r\n"
		"not body";
	static const size_t steps[] = { 1, 2, 3, 7, 64, 4096 };
	struct http_response rs;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		UNIT_EQ_INT(parse_n(text, sizeof(text) - 1, steps[i], "GET",
				    &rs), 0);
		UNIT_EQ_UINT(rs.length, HTTP_LENGTH_UNKNOWN);
		UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 31);
		UNIT_EQ_STR(buf, "helloabcdefghijklmnopqrstuvwxyz");
		/* At the end it stays at the end. */
		UNIT_EQ_INT(reader_read(rs.body, buf, 1, &e), 0);
		http_response_free(&rs);
	}
	/* Bare LF chunk lines, and 1-byte reads of the caller too. */
	UNIT_EQ_INT(parse("HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\n"
			  "3\nabc\n0\n\n", &rs), 0);
	for (i = 0; i < 3; i++)
		UNIT_EQ_INT(reader_read(rs.body, buf + i, 1, &e), 1);
	UNIT_EQ_INT(reader_read(rs.body, buf + 3, 1, &e), 0);
	UNIT_ASSERT(!memcmp(buf, "abc", 3));
	http_response_free(&rs);
}

UNIT_CASE(response_chunked_hostile)
{
	static const char *const cases[][2] = {
		{ CHUNKED "zz\r\n", "HTTP body: invalid chunk size \"zz\"" },
		{ CHUNKED "-1\r\n", "HTTP body: invalid chunk size \"-1\"" },
		{ CHUNKED "0x10\r\n",
		  "HTTP body: invalid chunk size \"0x10\"" },
		{ CHUNKED " 5\r\n", "HTTP body: invalid chunk size \" 5\"" },
		{ CHUNKED "5 x\r\n", "HTTP body: invalid chunk size \"5 x\"" },
		{ CHUNKED "\r\n", "HTTP body: invalid chunk size \"\"" },
		{ CHUNKED "11111111111111111\r\n", "HTTP body: chunk size "
		  "\"11111111111111111\" too large" },
		{ CHUNKED "ffffffffffffffffff\r\n", "HTTP body: chunk size "
		  "\"ffffffffffffffffff\" too large" },
		{ CHUNKED "5\r\nhelloX\r\n0\r\n\r\n",
		  "HTTP body: chunk data not followed by CRLF" },
		{ CHUNKED "5\r\nhello\r0\r\n\r\n",
		  "HTTP body: chunk data not followed by CRLF" },
		{ CHUNKED "5\r\nhello",
		  "HTTP body: chunk data not followed by CRLF" },
		{ CHUNKED "5\r\nhel", "HTTP body: connection closed in a "
		  "chunk, 2 bytes short" },
		{ CHUNKED "5", "HTTP body: connection closed in a chunk size "
		  "line" },
		{ CHUNKED "5\rx\r\n", "HTTP body: control character in a "
		  "chunk size line" },
		{ CHUNKED "0\r\nT: x\r\n", "HTTP body: connection closed in "
		  "the trailer section" },
	};
	char text[8192];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		body_fails(cases[i][0], strlen(cases[i][0]), cases[i][1]);
	/* A chunk line of extensions without end. */
	n = snprintf(text, sizeof(text), CHUNKED "1");
	memset(text + n, ';', 5000);
	body_fails(text, n + 5000, "HTTP body: a chunk size line longer "
		   "than 4096 bytes");
	/* Trailers without end. */
	n = snprintf(text, sizeof(text), CHUNKED "0\r\n");
	for (i = 0; i < 101; i++)
		n += snprintf(text + n, sizeof(text) - n, "T%zu: x\r\n", i);
	body_fails(text, n, "HTTP body: more than 100 trailer fields");
	/* Short of its Content-Length. */
	body_fails("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 42,
		   "HTTP body: connection closed after 3 of 10 bytes");
}

UNIT_CASE(response_header_hostile)
{
	static const char *const cases[][2] = {
		{ "", "HTTP response: connection closed before the status "
		  "line" },
		{ "HTTP/1.1 200 OK\r\nA: b",
		  "HTTP response: connection closed in the header block" },
		{ "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
		  "HTTP response: header line 2: obsolete line folding" },
		{ "HTTP/1.1 200 OK\r\n\tc\r\n\r\n",
		  "HTTP response: header line 1: obsolete line folding" },
		{ "HTTP/1.1 200 OK\r\nA b\r\n\r\n",
		  "HTTP response: header line 1: no colon" },
		{ "HTTP/1.1 200 OK\r\nA : b\r\n\r\n",
		  "HTTP response: header line 1: invalid field name" },
		{ "HTTP/1.1 200 OK\r\nX: 1\r\n: b\r\n\r\n",
		  "HTTP response: header line 2: invalid field name" },
		{ "HTTP/1.1 200 OK\r\nA(: b\r\n\r\n",
		  "HTTP response: header line 1: invalid field name" },
		{ "HTTP/1.1 200 OK\r\nA: b\x01" "c\r\n\r\n", "HTTP response: "
		  "header line 1: control character in a field value" },
		{ "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
		  "HTTP response: header line 1: bare CR" },
		{ "HTTP/1.1 200\rOK\r\n\r\n",
		  "HTTP response: header line 0: bare CR" },
		{ "HTTP/2 200 OK\r\n\r\n",
		  "HTTP response: invalid status line \"HTTP/2 200 OK\"" },
		{ "HTTP/1.1 20 OK\r\n\r\n",
		  "HTTP response: invalid status line \"HTTP/1.1 20 OK\"" },
		{ "HTTP/1.1 200OK\r\n\r\n",
		  "HTTP response: invalid status line \"HTTP/1.1 200OK\"" },
		{ "HTTP/1.1 099 x\r\n\r\n",
		  "HTTP response: invalid status line \"HTTP/1.1 099 x\"" },
		{ "ICY 200 OK\r\n\r\n",
		  "HTTP response: invalid status line \"ICY 200 OK\"" },
		{ "\r\nHTTP/1.1 200 OK\r\n\r\n",
		  "HTTP response: invalid status line \"\"" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		  "Content-Length: 6\r\n\r\n",
		  "HTTP response: conflicting Content-Length values" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
		  "HTTP response: conflicting Content-Length values" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		  "HTTP response: invalid Content-Length \"-1\"" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n",
		  "HTTP response: invalid Content-Length \"1e3\"" },
		{ "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		  "HTTP response: invalid Content-Length \"\"" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n",
		  "HTTP response: invalid Content-Length \"5,\"" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: "
		  "18446744073709551615\r\n\r\n", "HTTP response: invalid "
		  "Content-Length \"18446744073709551615\"" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		  "HTTP response: unsupported Transfer-Encoding \"gzip, "
		  "chunked\"" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n", "HTTP response: "
		  "unsupported Transfer-Encoding \"chunked, chunked\"" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		  "Content-Length: 3\r\n\r\n", "HTTP response: both "
		  "Transfer-Encoding and Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n",
		  "HTTP response: unsupported Content-Encoding \"gzip\"" },
		{ "HTTP/1.1 101 Switching Protocols\r\n\r\n",
		  "HTTP response: unexpected 101 Switching Protocols" },
	};
	char text[80000];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		header_fails(cases[i][0], strlen(cases[i][0]), cases[i][1]);
	header_fails("HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n", 28,
		     "HTTP response: NUL in the header block");
	n = snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < 101; i++)
		n += snprintf(text + n, sizeof(text) - n, "H%zu: v\r\n", i);
	n += snprintf(text + n, sizeof(text) - n, "\r\n");
	header_fails(text, n, "HTTP response: more than 100 header fields");
	n = snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\nBig: ");
	memset(text + n, 'x', 70000);
	n += 70000;
	n += snprintf(text + n, sizeof(text) - n, "\r\n\r\n");
	header_fails(text, n, "HTTP response: header block larger than "
		     "65536 bytes");
	n = 0;
	for (i = 0; i < 9; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "HTTP/1.1 100 Continue\r\n\r\n");
	header_fails(text, n, "HTTP response: more than 8 interim responses");
}

/* ---- WWW-Authenticate ---------------------------------------------- */

UNIT_CASE(auth_docker_bearer)
{
	struct http_auth a;

	UNIT_EQ_INT(http_auth_parse("Bearer realm=\"https://auth.docker.io/"
				    "token\",service=\"registry.docker.io\","
				    "scope=\"repository:library/busybox:pull"
				    "\"", &a, &e), 0);
	UNIT_EQ_INT(a.n, 1);
	UNIT_EQ_STR(a.c[0].scheme, "Bearer");
	UNIT_NULL(a.c[0].token68);
	UNIT_EQ_INT(a.c[0].np, 3);
	UNIT_EQ_STR(http_auth_param(&a.c[0], "realm"),
		    "https://auth.docker.io/token");
	UNIT_EQ_STR(http_auth_param(&a.c[0], "SERVICE"),
		    "registry.docker.io");
	UNIT_EQ_STR(http_auth_param(&a.c[0], "scope"),
		    "repository:library/busybox:pull");
	UNIT_NULL(http_auth_param(&a.c[0], "error"));
	http_auth_free(&a);
}

UNIT_CASE(auth_several_challenges)
{
	struct http_auth a;

	/* RFC 9110 11.6.1's example. */
	UNIT_EQ_INT(http_auth_parse("Newauth realm=\"apps\", type=1,\t"
				    "title=\"Login to \\\"apps\\\"\", Basic "
				    "realm=\"simple\"", &a, &e), 0);
	UNIT_EQ_INT(a.n, 2);
	UNIT_EQ_STR(a.c[0].scheme, "Newauth");
	UNIT_EQ_INT(a.c[0].np, 3);
	UNIT_EQ_STR(http_auth_param(&a.c[0], "type"), "1");
	UNIT_EQ_STR(http_auth_param(&a.c[0], "title"), "Login to \"apps\"");
	UNIT_EQ_STR(a.c[1].scheme, "Basic");
	UNIT_EQ_STR(http_auth_param(&a.c[1], "realm"), "simple");
	http_auth_free(&a);

	UNIT_EQ_INT(http_auth_parse("Negotiate a87421000492aa874209af8bc028=="
				    ", Basic, , Bearer realm = x ,", &a, &e),
		    0);
	UNIT_EQ_INT(a.n, 3);
	UNIT_EQ_STR(a.c[0].token68, "a87421000492aa874209af8bc028==");
	UNIT_EQ_INT(a.c[0].np, 0);
	UNIT_EQ_STR(a.c[1].scheme, "Basic");
	UNIT_EQ_INT(a.c[1].np, 0);
	UNIT_EQ_STR(a.c[2].scheme, "Bearer");
	UNIT_EQ_STR(http_auth_param(&a.c[2], "realm"), "x");
	http_auth_free(&a);

	UNIT_EQ_INT(http_auth_parse("Bearer realm=\"a\\\\b\\\"c\", x=\"\"",
				    &a, &e), 0);
	UNIT_EQ_STR(http_auth_param(&a.c[0], "realm"), "a\\b\"c");
	UNIT_EQ_STR(http_auth_param(&a.c[0], "x"), "");
	http_auth_free(&a);
	UNIT_EQ_INT(http_auth_parse("", &a, &e), 0);
	UNIT_EQ_INT(a.n, 0);
	http_auth_free(&a);
}

UNIT_CASE(auth_hostile)
{
	static const char *const cases[][2] = {
		{ "Bearer realm=\"x", "offset 15: unterminated quoted "
		  "string" },
		{ "Bearer realm=\"x\\", "offset 16: unterminated quoted "
		  "string" },
		{ "Bearer realm=\"a\x01\"", "offset 15: control character "
		  "in a quoted string" },
		{ "Bearer realm=\"a\", REALM=\"b\"", "offset 18: parameter "
		  "given twice" },
		{ "Bearer realm=\"a\" x", "offset 17: expected ',' after a "
		  "parameter" },
		{ "=\"x\"", "offset 0: expected an authentication scheme" },
		{ "Bearer\trealm=x", "offset 6: expected a space after the "
		  "scheme" },
		{ "Basic ====", "offset 6: expected a parameter or "
		  "token68" },
		{ "Basic abc== d", "offset 12: expected ',' after token68" },
		{ "Basic realm=x, =y", "offset 15: expected an "
		  "authentication scheme" },
		{ "A, B, C, D, E, F, G, H, I", "offset 24: too many "
		  "challenges" },
	};
	char text[60000], want[128];
	struct http_auth a;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		UNIT_EQ_INT(http_auth_parse(cases[i][0], &a, &e), -EINVAL);
		snprintf(want, sizeof(want), "WWW-Authenticate: %s",
			 cases[i][1]);
		UNIT_EQ_STR(e.msg, want);
		UNIT_NULL(a.mem);
	}
	n = snprintf(text, sizeof(text), "Bearer ");
	for (i = 0; n < sizeof(text) - 16; i++)
		n += snprintf(text + n, sizeof(text) - n, "p%zu=v, ", i);
	UNIT_EQ_INT(http_auth_parse(text, &a, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "WWW-Authenticate: offset 109: too many "
		    "parameters");
}

/* ---- base64 -------------------------------------------------------- */

UNIT_CASE(base64_vectors)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
		{ "user:p\xffss", "dXNlcjpw/3Nz" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		UNIT_EQ_INT(http_base64_encode(v[i][0], strlen(v[i][0]), out),
			    strlen(v[i][1]));
		UNIT_EQ_STR(out, v[i][1]);
		memset(out, 0, sizeof(out));
		UNIT_EQ_INT(http_base64_decode(v[i][1], strlen(v[i][1]), out),
			    strlen(v[i][0]));
		UNIT_EQ_STR(out, v[i][0]);
	}
	memset(out, 0, sizeof(out));
	UNIT_EQ_INT(http_base64_decode("Zm9vYg", 6, out), 4);
	UNIT_EQ_STR(out, "foob");
	UNIT_EQ_INT(http_base64_decode("Zm9v!", 5, out), -EINVAL);
	UNIT_EQ_INT(http_base64_decode("Z", 1, out), -EINVAL);
	UNIT_EQ_INT(http_base64_decode("Zh==", 4, out), -EINVAL);
	UNIT_EQ_INT(http_base64_decode("Zm=9v", 5, out), -EINVAL);
	UNIT_EQ_INT(http_base64_decode("Zm9v\n", 5, out), -EINVAL);
	UNIT_EQ_INT(http_base64_decode("Zm\0v", 4, out), -EINVAL);
}

/* ---- requests against a fake server -------------------------------- */

static void request(const char *url, const char *authz,
		    struct http_response *rs)
{
	struct http_request rq = {
		.method = "GET",
		.url = url,
		.accept = "application/json",
		.authorization = authz,
	};

	UNIT_EQ_INT(http_request(&plain, &rq, rs, &e), 0);
}

UNIT_CASE(request_headers_sent)
{
	static const char *const resp[] = { "ECHO" };
	struct fake f = fake_start(resp, 1);
	char url[128], want[512], buf[1024];
	struct http_response rs;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v2/x?y=1", f.port);
	request(url, "Bearer abc", &rs);
	UNIT_EQ_INT(rs.status, 200);
	UNIT_ASSERT(slurp(&rs, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "GET /v2/x?y=1 HTTP/1.1\r\n"
		 "Host: 127.0.0.1:%u\r\nUser-Agent: unit/1\r\n"
		 "Accept: application/json\r\nAuthorization: Bearer abc\r\n"
		 "Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
		 f.port);
	UNIT_EQ_STR(buf, want);
	UNIT_EQ_INT(rs.url.port, f.port);
	http_response_free(&rs);
	fake_stop(&f);
}

UNIT_CASE(request_header_injection_refused)
{
	struct http_request rq = {
		.method = "GET",
		.url = "http://127.0.0.1:1/",
		.authorization = "Bearer x\r\nEvil: 1",
	};
	struct http_response rs;

	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "invalid character in a request header");
}

UNIT_CASE(redirect_other_origin_drops_authorization)
{
	static const char *const echo[] = { "ECHO" };
	struct fake b = fake_start(echo, 1), a;
	char loc[256], url[128], buf[1024];
	const char *resp[] = { loc };
	struct http_response rs;

	snprintf(loc, sizeof(loc), "HTTP/1.1 307 Temporary Redirect\r\n"
		 "Location: http://127.0.0.1:%u/blob?sig=1\r\n"
		 "Content-Length: 4\r\n\r\nmove", b.port);
	a = fake_start(resp, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v2/x/blobs/d", a.port);
	request(url, "Bearer secret", &rs);
	UNIT_EQ_INT(rs.status, 200);
	UNIT_EQ_INT(rs.url.port, b.port);
	UNIT_EQ_STR(rs.url.target, "/blob?sig=1");
	UNIT_ASSERT(slurp(&rs, buf, sizeof(buf)) > 0);
	UNIT_ASSERT(!strncmp(buf, "GET /blob?sig=1 HTTP/1.1\r\n", 26));
	UNIT_NULL(strstr(buf, "Authorization"));
	UNIT_NULL(strstr(buf, "secret"));
	http_response_free(&rs);
	fake_stop(&a);
	fake_stop(&b);
}

UNIT_CASE(redirect_same_origin_keeps_authorization)
{
	static const char *const resp[] = {
		"HTTP/1.1 302 Found\r\nLocation: ../y/next\r\n\r\n",
		"ECHO",
	};
	struct fake f = fake_start(resp, 2);
	char url[128], buf[1024];
	struct http_response rs;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v2/x/first", f.port);
	request(url, "Bearer secret", &rs);
	UNIT_EQ_INT(rs.status, 200);
	UNIT_ASSERT(slurp(&rs, buf, sizeof(buf)) > 0);
	UNIT_ASSERT(!strncmp(buf, "GET /v2/y/next HTTP/1.1\r\n", 25));
	UNIT_NOT_NULL(strstr(buf, "\r\nAuthorization: Bearer secret\r\n"));
	http_response_free(&rs);
	fake_stop(&f);
}

UNIT_CASE(redirect_limits)
{
	static const char *const loop[] = {
		"HTTP/1.1 301 Moved\r\nLocation: /a\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\n",
		"HTTP/1.1 303 See Other\r\nLocation: /c\r\n\r\n",
		"HTTP/1.1 307 Temporary\r\nLocation: /d\r\n\r\n",
		"HTTP/1.1 308 Permanent\r\nLocation: /e\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: /f\r\n\r\n",
	};
	static const char *const away[] = {
		"HTTP/1.1 302 Found\r\nLocation: http://192.0.2.1/x?sig=s\r\n"
		"\r\n",
		"HTTP/1.1 302 Found\r\nLocation: ftp://x/\r\n\r\n",
		"HTTP/1.1 302 Found\r\n\r\n",
	};
	struct http_request rq = { .method = "GET" };
	struct http_response rs;
	struct fake f;
	char url[128];

	f = fake_start(loop, 6);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", f.port);
	rq.url = url;
	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), -ELOOP);
	UNIT_EQ_STR(e.msg, "more than 5 redirects");
	fake_stop(&f);

	f = fake_start(away, 3);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", f.port);
	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), -EACCES);
	UNIT_EQ_STR(e.msg, "redirect to http://192.0.2.1/x: plain HTTP to "
		    "192.0.2.1 refused: not a loopback host");
	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "redirect: URL \"ftp://x/\": not an http or "
		    "https URL");
	/* A redirect without Location is the caller's to judge. */
	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), 0);
	UNIT_EQ_INT(rs.status, 302);
	http_response_free(&rs);
	fake_stop(&f);
}

UNIT_CASE(request_refused_before_connecting)
{
	struct http_client tls_less = { .user_agent = "u" };
	struct http_request rq = { .method = "GET" };
	struct http_response rs;
	char url[64];
	unsigned port;

	rq.url = "http://192.0.2.1/";
	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), -EACCES);
	UNIT_EQ_STR(e.msg, "plain HTTP to 192.0.2.1 refused: not a loopback "
		    "host");
	rq.url = "http://127.0.0.1/";
	UNIT_EQ_INT(http_request(&tls_less, &rq, &rs, &e), -EACCES);
	UNIT_EQ_STR(e.msg, "plain HTTP refused");
	rq.url = "https://127.0.0.1/";
	UNIT_EQ_INT(http_request(&tls_less, &rq, &rs, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "https: no trust anchors");
	/* Nobody listening. */
	close(listen_any(&port));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
	rq.url = url;
	UNIT_EQ_INT(http_request(&plain, &rq, &rs, &e), -ECONNREFUSED);
	snprintf(url, sizeof(url), "connect 127.0.0.1:%u: Connection refused",
		 port);
	UNIT_EQ_STR(e.msg, url);
}

UNIT_CASE(request_chunked_over_socket)
{
	static const char *const resp[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort",
	};
	struct fake f = fake_start(resp, 2);
	struct http_response rs;
	char url[128], buf[64];

	snprintf(url, sizeof(url), "http://localhost:%u/", f.port);
	request(url, NULL, &rs);
	UNIT_EQ_INT(slurp(&rs, buf, sizeof(buf)), 9);
	UNIT_EQ_STR(buf, "Wikipedia");
	http_response_free(&rs);
	request(url, NULL, &rs);
	UNIT_ASSERT(slurp(&rs, buf, sizeof(buf)) < 0);
	UNIT_EQ_STR(e.msg, "HTTP body: connection closed after 5 of 9 "
		    "bytes");
	http_response_free(&rs);
	fake_stop(&f);
}

/* ---- TLS ----------------------------------------------------------- */

UNIT_CASE(tls_strerror_texts)
{
	char buf[160];

	tls_strerror(62, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "certificate is not trusted (BearSSL error 62: X509 "
		    "not trusted)");
	tls_strerror(56, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "certificate does not match the host name (BearSSL "
		    "error 56: X509 bad server name)");
	tls_strerror(54, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "certificate is expired or not yet valid (BearSSL "
		    "error 54: X509 expired)");
	tls_strerror(256 + 40, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "server sent fatal alert 40 (handshake_failure)");
	tls_strerror(512 + 42, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "sent fatal alert 42 (bad_certificate)");
	tls_strerror(256 + 99, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "server sent fatal alert 99 (unknown)");
	tls_strerror(61, buf, sizeof(buf));
	UNIT_EQ_STR(buf, "BearSSL error 61");
}

UNIT_CASE(tls_anchors_hostile)
{
	static const char *const cases[][2] = {
		{ "no PEM at all\n", "x.pem: no certificate" },
		{ "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
		  "KEY-----\n", "x.pem: no certificate" },
		{ "-----BEGIN CERTIFICATE-----\n!!!!\n-----END "
		  "CERTIFICATE-----\n", "x.pem: object 1: invalid PEM" },
		{ "-----BEGIN CERTIFICATE-----\nAAAA\n",
		  "x.pem: object 1: no END line" },
		{ "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END "
		  "CERTIFICATE-----\n", "x.pem: certificate 1: certificate "
		  "is malformed (BearSSL error 41: X509 unexpected)" },
	};
	struct tls_anchors *a = NULL;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		UNIT_EQ_INT(tls_anchors_parse(cases[i][0], strlen(cases[i][0]),
					      "x.pem", &a, &e), -EINVAL);
		UNIT_EQ_STR(e.msg, cases[i][1]);
	}
	UNIT_EQ_INT(tls_anchors_load("/nonexistent/ca.pem", &a, &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "read /nonexistent/ca.pem: No such file or "
		    "directory");
}

/*
 * Run sh -c cmd in the case's directory: 0 when it worked.  The
 * certificates are made here, never committed.
 */
static int sh(const char *cmd)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "cd '%s' && { %s; } >/dev/null 2>&1",
		 unit_tmpdir(), cmd);
	return system(buf);
}

static int have_openssl(void)
{
	if (!system("command -v openssl >/dev/null 2>&1"))
		return 1;
	printf("SKIP: openssl not found\n");
	return 0;
}

static const char openssl_cnf[] =
	"printf '%s\\n' '[req]' 'distinguished_name = dn' '[dn]' '[ca]' "
	"'basicConstraints = critical,CA:TRUE' "
	"'keyUsage = critical,keyCertSign,cRLSign' '[srv]' "
	"'basicConstraints = CA:FALSE' "
	"'keyUsage = critical,digitalSignature,keyEncipherment' "
	"'extendedKeyUsage = serverAuth' "
	"'subjectAltName = DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1' "
	"> cnf && "
	"openssl req -x509 -config cnf -extensions ca -newkey rsa:2048 "
	"-nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=unit-rsa-ca && "
	"openssl req -x509 -config cnf -extensions ca -newkey ec "
	"-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.crt "
	"-days 2 -subj /CN=unit-ec-ca && "
	"openssl req -new -config cnf -newkey ec "
	"-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key "
	"-out srv.csr -subj /CN=localhost && "
	"openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key "
	"-CAcreateserial -days 2 -extfile cnf -extensions srv -out srv.crt";

UNIT_CASE(tls_anchors_rsa_and_ec)
{
	struct tls_anchors *a;
	char path[128];

	if (!have_openssl())
		return;
	UNIT_EQ_INT(sh(openssl_cnf), 0);
	/* Text around the objects, and no newline after the last. */
	UNIT_EQ_INT(sh("{ echo 'RSA root'; cat ca.crt; echo; echo 'EC root'; "
		       "head -c -1 ec.crt; } > both.pem"), 0);
	snprintf(path, sizeof(path), "%s/both.pem", unit_tmpdir());
	UNIT_EQ_INT(tls_anchors_load(path, &a, &e), 0);
	UNIT_EQ_INT(tls_anchors_count(a), 2);
	tls_anchors_free(a);
}

/* The Debian bundle: every root decodes (none skipped, none refused). */
UNIT_CASE(tls_anchors_system_bundle)
{
	struct tls_anchors *a;
	char *text;
	size_t len;
	int certs = 0;
	const char *p;

	if (access(TLS_SYSTEM_CA, R_OK)) {
		printf("SKIP: no %s\n", TLS_SYSTEM_CA);
		return;
	}
	UNIT_EQ_INT(read_file_at(AT_FDCWD, TLS_SYSTEM_CA, TLS_CA_FILE_MAX,
				 &text, &len), 0);
	for (p = text; (p = strstr(p, "-----BEGIN CERTIFICATE-----")); p++)
		certs++;
	free(text);
	UNIT_ASSERT(certs > 50);
	UNIT_EQ_INT(tls_anchors_load(TLS_SYSTEM_CA, &a, &e), 0);
	UNIT_EQ_INT(tls_anchors_count(a), certs);
	tls_anchors_free(a);
}

/* openssl s_server on 127.0.0.1:port for one connection per handshake. */
static pid_t s_server(unsigned *port, int n)
{
	char accept_arg[32], naccept[16];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pid_t pid;
	int i, fd;

	close(listen_any(port));
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%u", *port);
	snprintf(naccept, sizeof(naccept), "%d", n);
	fflush(NULL);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		if (chdir(unit_tmpdir()) < 0)
			_exit(127);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		alarm(30);
		execlp("openssl", "openssl", "s_server", "-quiet", "-accept",
		       accept_arg, "-naccept", naccept, "-cert", "srv.crt",
		       "-key", "srv.key", (char *)NULL);
		_exit(127);
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(*port);
	/* Until it listens (bounded: 10 s). */
	for (i = 0; i < 500; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return close(fd), pid;
		close(fd);
		nanosleep(&ts, NULL);
	}
	unit_fail(__FILE__, __LINE__, "openssl s_server did not start");
}

static int tls_try(unsigned port, const char *host, const char *ca)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct tls_anchors *a;
	struct tls_conn *c;
	char path[128];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir(), ca);
	UNIT_EQ_INT(tls_anchors_load(path, &a, &e), 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	UNIT_EQ_INT(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	rc = tls_connect(fd, host, a, &c, &e);
	if (!rc) {
		UNIT_EQ_INT(tls_write(c, "x\n", 2, &e), 0);
		tls_free(c);
	}
	close(fd);
	tls_anchors_free(a);
	return rc;
}

UNIT_CASE(tls_handshake_checks)
{
	unsigned port;
	pid_t pid;

	if (!have_openssl())
		return;
	UNIT_EQ_INT(sh(openssl_cnf), 0);
	/* The probe of s_server() counts as one of its connections. */
	pid = s_server(&port, 5);
	UNIT_EQ_INT(tls_try(port, "127.0.0.1", "ca.crt"), 0);
	UNIT_EQ_INT(tls_try(port, "localhost", "ca.crt"), 0);
	UNIT_EQ_INT(tls_try(port, "127.0.0.1", "ec.crt"), -EPROTO);
	UNIT_EQ_STR(e.msg, "TLS: certificate is not trusted (BearSSL error 62: "
		    "X509 not trusted)");
	UNIT_EQ_INT(tls_try(port, "other.example", "ca.crt"), -EPROTO);
	UNIT_EQ_STR(e.msg, "TLS: certificate does not match the host name "
		    "(BearSSL error 56: X509 bad server name)");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
