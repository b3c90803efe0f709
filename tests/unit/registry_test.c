/*
 * registry_test.c - unit tests of core/registry.c: references, docker's
 * config.json, and pulls from a fake registry on 127.0.0.1 (plain HTTP,
 * a child process): Bearer and Basic challenges, error bodies, digest
 * checks.  The e2e_* cases pull from a real registry when the
 * environment names one (tests/registry-e2e-manual.sh sets it):
 *
 *	OCIBOX_TEST_REGISTRY	host:port
 *	OCIBOX_TEST_REPO	name[:tag]
 *	OCIBOX_TEST_CA		the CA file its certificate chains to
 *	OCIBOX_TEST_CREDS	USER:PASS, when it wants credentials
 *	OCIBOX_TEST_AUTH	basic or token, with OCIBOX_TEST_CREDS
 *	OCIBOX_TEST_WRONG_CA	a CA file it does not chain to
 *
 * and otherwise print a SKIP line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cJSON.h"
#include "digest.h"
#include "http.h"
#include "registry.h"
#include "unit.h"

static struct err e;

/* ---- references ---------------------------------------------------- */

static void ref_is(const char *s, const char *host, const char *name,
		   const char *tag, const char *digest)
{
	struct registry_ref r;

	UNIT_EQ_INT(registry_ref_parse(s, &r, &e), 0);
	UNIT_EQ_STR(r.host, host);
	UNIT_EQ_STR(r.name, name);
	UNIT_EQ_STR(r.tag, tag);
	UNIT_EQ_STR(r.digest, digest);
	UNIT_EQ_STR(registry_ref_reference(&r), digest[0] ? digest : tag);
}

#define D64 "0123456789abcdef0123456789abcdef" \
	    "0123456789abcdef0123456789abcdef"

UNIT_CASE(ref_parse)
{
	ref_is("docker://127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest",
	       "");
	ref_is("docker://reg.example/a/b-c/d__e.f:v1.2_3", "reg.example",
	       "a/b-c/d__e.f", "v1.2_3", "");
	ref_is("localhost:5000/x@sha256:" D64, "localhost:5000", "x", "",
	       "sha256:" D64);
	ref_is("docker://[::1]:5000/x/y:t@sha256:" D64, "[::1]:5000", "x/y",
	       "t", "sha256:" D64);
	ref_is("docker://r.example/a---b:_T", "r.example", "a---b", "_T", "");
	ref_is("docker://docker.io/busybox", "docker.io", "library/busybox",
	       "latest", "");
	ref_is("docker://docker.io/me/busybox", "docker.io", "me/busybox",
	       "latest", "");
}

UNIT_CASE(ref_parse_refused)
{
	static const char *const bad[][2] = {
		{ "docker://x", "expected HOST/NAME" },
		{ "docker:///x", "invalid registry host" },
		{ "docker://-h/x", "invalid registry host" },
		{ "docker://h-/x", "invalid registry host" },
		{ "docker://h..e/x", "invalid registry host" },
		{ "docker://h:0/x", "invalid registry host" },
		{ "docker://h:65536/x", "invalid registry host" },
		{ "docker://h:/x", "invalid registry host" },
		{ "docker://h_x/x", "invalid registry host" },
		{ "docker://[::1/x", "invalid registry host" },
		{ "docker://h/", "invalid repository name (lowercase letters, "
		  "digits and . _ __ - between them)" },
		{ "docker://h/X", "invalid repository name (lowercase letters, "
		  "digits and . _ __ - between them)" },
		{ "docker://h/a//b", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a/", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/.a", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a..b", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a___b", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a-", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a/../b", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a:", "invalid tag" },
		{ "docker://h/a:.t", "invalid tag" },
		{ "docker://h/a:t/u", "invalid repository name (lowercase "
		  "letters, digits and . _ __ - between them)" },
		{ "docker://h/a:t:u", "invalid tag" },
		{ "docker://h/a:t@", "digest: invalid digest \"\"" },
		{ "docker://h/a@sha512:00", "digest: sha512: unsupported "
		  "digest algorithm" },
		{ "docker://h/a@sha256:" D64 "0", "digest: invalid digest "
		  "\"sha256:" D64 "0\"" },
	};
	struct registry_ref r;
	char want[512], tag[200], name[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UNIT_EQ_INT(registry_ref_parse(bad[i][0], &r, &e), -EINVAL);
		snprintf(want, sizeof(want), "%s: %s", bad[i][0], bad[i][1]);
		UNIT_EQ_STR(e.msg, want);
	}
	memset(tag, 't', 129);
	tag[129] = 0;
	snprintf(want, sizeof(want), "h/a:%s", tag);
	UNIT_EQ_INT(registry_ref_parse(want, &r, &e), -EINVAL);
	UNIT_ASSERT(strstr(e.msg, ": tag longer than 128 characters"));
	memset(name, 'a', 254);
	name[254] = 0;
	snprintf(want, sizeof(want), "h/%s", name);
	UNIT_EQ_INT(registry_ref_parse(want, &r, &e), -EINVAL);
	UNIT_ASSERT(strstr(e.msg, ": name longer than 255 characters"));
	name[252] = 0;
	snprintf(want, sizeof(want), "h/%s", name);
	UNIT_EQ_INT(registry_ref_parse(want, &r, &e), 0);
}

/* ---- docker's config.json ------------------------------------------ */

static int config(const char *json, const char *host, char **creds)
{
	json = unit_json(json);
	return registry_config_auth(json, strlen(json), "config.json", host,
				    creds, &e);
}

UNIT_CASE(docker_config_auths)
{
	/* base64("u:p:w") and base64("hub:pw") */
	static const char doc[] = "{'auths': {"
		"'other:5000': {'auth': 'eDp5'},"
		"'https://127.0.0.1:5000/v2/': {'auth': 'dTpwOnc='},"
		"'https://index.docker.io/v1/': {'auth': 'aHViOnB3'},"
		"'nokey.example': {'identitytoken': 'x'},"
		"'nokey.example:1': {'auth': ''}},"
		"'credsStore': 'desktop'}";
	char *creds;

	UNIT_EQ_INT(config(doc, "127.0.0.1:5000", &creds), 1);
	UNIT_EQ_STR(creds, "u:p:w");
	free(creds);
	UNIT_EQ_INT(config(doc, "docker.io", &creds), 1);
	UNIT_EQ_STR(creds, "hub:pw");
	free(creds);
	UNIT_EQ_INT(config(doc, "127.0.0.1", &creds), 0);
	UNIT_NULL(creds);
	UNIT_EQ_INT(config(doc, "nokey.example", &creds), 0);
	UNIT_EQ_INT(config(doc, "nokey.example:1", &creds), 0);
	UNIT_EQ_INT(config("{}", "h", &creds), 0);
	UNIT_EQ_INT(config("{'auths': {}}", "h", &creds), 0);
}

UNIT_CASE(docker_config_refused)
{
	static const char *const bad[][2] = {
		{ "{'auths': {'h': {'auth': 'dTpw!'}}}",
		  "config.json: auths.h.auth: invalid base64" },
		{ "{'auths': {'h': {'auth': 'dXNlcg=='}}}",
		  "config.json: auths.h.auth: expected base64 of "
		  "USER:PASSWORD" },
		{ "{'auths': {'h': {'auth': 7}}}",
		  "config.json: auths.h.auth: expected string" },
		{ "{'auths': {'h': 'x'}}", "config.json: auths.h: expected "
		  "object" },
		{ "{'auths': []}", "config.json: auths: expected object" },
	};
	char *creds;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UNIT_EQ_INT(config(bad[i][0], "h", &creds), -EINVAL);
		UNIT_EQ_STR(e.msg, bad[i][1]);
		UNIT_NULL(creds);
	}
	UNIT_EQ_INT(config("{'auths': ", "h", &creds), -EINVAL);
	UNIT_ASSERT(!strncmp(e.msg, "config.json: invalid JSON", 25));
}

UNIT_CASE(docker_config_file)
{
	const char *dir = unit_tmpdir();
	char path[128], *creds;
	int fd;

	setenv("DOCKER_CONFIG", dir, 1);
	UNIT_EQ_INT(registry_docker_creds("h", &creds, &e), 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	UNIT_ASSERT(fd >= 0);
	UNIT_ASSERT(write(fd, "{\"auths\":{\"h\":{\"auth\":\"dTpw\"}}}",
			  31) == 31);
	close(fd);
	UNIT_EQ_INT(registry_docker_creds("h", &creds, &e), 1);
	UNIT_EQ_STR(creds, "u:p");
	free(creds);
	unsetenv("DOCKER_CONFIG");
	setenv("HOME", "/nonexistent", 1);
	UNIT_EQ_INT(registry_docker_creds("h", &creds, &e), 0);
}

/* ---- a fake registry ----------------------------------------------- */

enum mode { M_BEARER, M_BASIC, M_ERRORS };

static const char manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":"
	"\"application/vnd.oci.image.manifest.v1+json\"}";
static const char blob[] = "layer bytes";
static char blob_digest[DIGEST_STR_MAX], manifest_digest[DIGEST_STR_MAX];

struct fake {
	pid_t pid;
	unsigned port;
	char log[128];		/* "PATH AUTHZ" per request */
	char host[32];		/* "127.0.0.1:PORT" */
};

static void reply(int fd, const char *status, const char *headers,
		  const char *body)
{
	dprintf(fd, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n%s", status,
		strlen(body), headers, body);
}

static const char unauthorized[] = "{\"errors\":[{\"code\":\"UNAUTHORIZED\","
	"\"message\":\"authentication required\",\"detail\":null}]}";

static void route(struct fake *f, enum mode m, int fd, const char *path,
		  const char *authz)
{
	char hdr[512];

	/* "Object storage" wants no credentials and gets none. */
	if (!strcmp(path, "/storage?sig=s")) {
		reply(fd, "200 OK", "", authz[0] ? "leaked credentials" :
		      blob);
		return;
	}
	if (m == M_BEARER && !strncmp(path, "/token?", 7)) {
		if (strcmp(path, "/token?service=fake%20reg&scope="
			   "repository%3Ax%2Fy%3Apull"))
			reply(fd, "400 Bad Request", "", "");
		else if (strcmp(authz, "Basic dTpwOnc="))
			reply(fd, "403 Forbidden", "", "");
		else
			reply(fd, "200 OK", "", "{\"access_token\":\"tok.1\"}");
		return;
	}
	if (m == M_BEARER && strcmp(authz, "Bearer tok.1")) {
		snprintf(hdr, sizeof(hdr), "WWW-Authenticate: Bearer realm="
			 "\"http://127.0.0.1:%u/token\",service=\"fake reg\","
			 "scope=\"repository:x/y:pull\"\r\nContent-Type: "
			 "application/json\r\n", f->port);
		reply(fd, "401 Unauthorized", hdr, unauthorized);
		return;
	}
	if (m == M_BASIC && strcmp(authz, "Basic dTpwOnc=")) {
		reply(fd, "401 Unauthorized", "WWW-Authenticate: Basic "
		      "realm=\"fake\", Newauth x=1\r\n", unauthorized);
		return;
	}
	if (!strcmp(path, "/v2/x/y/manifests/latest") ||
	    !strncmp(path, "/v2/x/y/manifests/sha256:", 25)) {
		snprintf(hdr, sizeof(hdr), "Content-Type: application/vnd.oci"
			 ".image.manifest.v1+json; charset=utf-8\r\n"
			 "Docker-Content-Digest: %s\r\n", manifest_digest);
		reply(fd, "200 OK", hdr, manifest);
	} else if (!strcmp(path, "/v2/x/y/manifests/lying")) {
		reply(fd, "200 OK", "Docker-Content-Digest: sha256:" D64 "\r\n",
		      manifest);
	} else if (!strcmp(path, "/v2/x/y/manifests/huge")) {
		dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n"
			"\r\n");
	} else if (!strncmp(path, "/v2/x/y/blobs/", 14) &&
		   !strcmp(path + 14, blob_digest)) {
		/* On to "object storage": another origin. */
		snprintf(hdr, sizeof(hdr), "Location: http://localhost:%u/"
			 "storage?sig=s\r\n", f->port);
		reply(fd, "307 Temporary Redirect", hdr, "");
	} else if (!strncmp(path, "/v2/x/y/blobs/", 14)) {
		reply(fd, "200 OK", "", "not what was asked for");
	} else {
		reply(fd, "404 Not Found", "Content-Type: application/json\r\n",
		      "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":"
		      "\"manifest unknown\",\"detail\":{\"Tag\":\"t\"}},"
		      "{\"code\":\"X\",\"message\":\"y\"}]}");
	}
}

static void serve(struct fake *f, enum mode m, int lfd)
{
	char req[8192], path[1024], authz[512], *p;
	int fd, logfd, i;
	size_t got;
	ssize_t r;

	alarm(20);
	logfd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	for (i = 0; i < 32; i++) {
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
		path[0] = authz[0] = 0;
		sscanf(req, "GET %1023s", path);
		p = strstr(req, "\r\nAuthorization: ");
		if (p)
			sscanf(p + 17, "%511[^\r]", authz);
		dprintf(logfd, "%s %s\n", path, authz);
		route(f, m, fd, path, authz);
		close(fd);
	}
	_exit(0);
}

static struct fake fake_start(enum mode m)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct fake f;
	int lfd;

	digest_buf(blob, strlen(blob), blob_digest);
	digest_buf(manifest, strlen(manifest), manifest_digest);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	UNIT_EQ_INT(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	UNIT_EQ_INT(listen(lfd, 8), 0);
	UNIT_EQ_INT(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	f.port = ntohs(a.sin_port);
	snprintf(f.host, sizeof(f.host), "127.0.0.1:%u", f.port);
	snprintf(f.log, sizeof(f.log), "%s/log", unit_tmpdir());
	/* No credentials from the machine's own docker login. */
	setenv("DOCKER_CONFIG", unit_tmpdir(), 1);
	fflush(NULL);
	f.pid = fork();
	UNIT_ASSERT(f.pid >= 0);
	if (!f.pid)
		serve(&f, m, lfd);
	close(lfd);
	return f;
}

static void fake_stop(struct fake *f)
{
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
}

static char *read_log(struct fake *f)
{
	static char buf[4096];
	int fd = open(f->log, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	UNIT_ASSERT(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static struct registry *open_fake(struct fake *f, const char *creds)
{
	struct registry_opts o = { .creds = creds, .plain_http = 1 };
	struct registry_ref ref;
	char s[64];
	struct registry *r;

	snprintf(s, sizeof(s), "docker://%s/x/y", f->host);
	UNIT_EQ_INT(registry_ref_parse(s, &ref, &e), 0);
	r = registry_open(&ref, &o, &e);
	UNIT_NOT_NULL(r);
	return r;
}

/* The blob, read whole: its length, or the error. */
static ssize_t drain(struct reader *rd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t got;

	for (;;) {
		got = reader_read(rd, buf + n, size - 1 - n, &e);
		if (got <= 0)
			break;
		n += got;
	}
	buf[n] = 0;
	reader_close(rd);
	return got < 0 ? got : (ssize_t)n;
}

UNIT_CASE(fake_bearer_pull)
{
	struct fake f = fake_start(M_BEARER);
	struct registry *r = open_fake(&f, "u:p:w");
	struct registry_manifest m;
	char want[2048], buf[256];
	struct reader *rd;
	int64_t size;

	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), 0);
	UNIT_EQ_STR(m.body, manifest);
	UNIT_EQ_INT(m.len, strlen(manifest));
	UNIT_EQ_STR(m.media_type, "application/vnd.oci.image.manifest.v1+json");
	UNIT_EQ_STR(m.digest, manifest_digest);
	registry_manifest_free(&m);
	UNIT_EQ_INT(registry_get_manifest(r, manifest_digest, &m, &e), 0);
	registry_manifest_free(&m);
	rd = registry_get_blob(r, blob_digest, &size, &e);
	if (!rd)
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
	UNIT_EQ_INT(size, strlen(blob));
	UNIT_EQ_INT(drain(rd, buf, sizeof(buf)), strlen(blob));
	UNIT_EQ_STR(buf, blob);
	registry_close(r);
	/* One token, reused; none of it sent on to the storage. */
	snprintf(want, sizeof(want),
		 "/v2/x/y/manifests/latest \n"
		 "/token?service=fake%%20reg&scope=repository%%3Ax%%2Fy%%3Apull"
		 " Basic dTpwOnc=\n"
		 "/v2/x/y/manifests/latest Bearer tok.1\n"
		 "/v2/x/y/manifests/%s Bearer tok.1\n"
		 "/v2/x/y/blobs/%s Bearer tok.1\n"
		 "/storage?sig=s \n", manifest_digest, blob_digest);
	UNIT_EQ_STR(read_log(&f), want);
	fake_stop(&f);
}

UNIT_CASE(fake_bearer_refused)
{
	struct fake f = fake_start(M_BEARER);
	struct registry *r = open_fake(&f, "u:wrong");
	struct registry_manifest m;
	char want[256];

	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), -EACCES);
	snprintf(want, sizeof(want), "registry %s: token from http://"
		 "127.0.0.1:%u/token: 403 Forbidden", f.host, f.port);
	UNIT_EQ_STR(e.msg, want);
	UNIT_NULL(m.body);
	registry_close(r);
	fake_stop(&f);
}

UNIT_CASE(fake_basic)
{
	struct fake f = fake_start(M_BASIC);
	struct registry *r = open_fake(&f, "u:p:w");
	struct registry_manifest m;
	char want[256];

	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), 0);
	UNIT_EQ_STR(m.digest, manifest_digest);
	registry_manifest_free(&m);
	registry_close(r);
	r = open_fake(&f, NULL);
	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), -EACCES);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "latest: 401 Unauthorized: credentials needed (none given, "
		 "none in docker's config.json)", f.host);
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
	r = open_fake(&f, "u:bad");
	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), -EACCES);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "latest: 401 Unauthorized (UNAUTHORIZED: authentication "
		 "required)", f.host);
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
	fake_stop(&f);
}

UNIT_CASE(fake_errors_and_digests)
{
	struct fake f = fake_start(M_ERRORS);
	struct registry *r = open_fake(&f, NULL);
	struct registry_manifest m;
	char want[512], buf[256];
	struct reader *rd;
	int64_t size;

	UNIT_EQ_INT(registry_get_manifest(r, "nope", &m, &e), -ENOENT);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "nope: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown; "
		 "and more)", f.host);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(registry_get_manifest(r, "lying", &m, &e), -EPROTO);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "lying: manifest digest is %s, Docker-Content-Digest says "
		 "sha256:" D64, f.host, manifest_digest);
	UNIT_EQ_STR(e.msg, want);
	UNIT_NULL(m.body);
	/* Asked for by a digest that the bytes do not have. */
	UNIT_EQ_INT(registry_get_manifest(r, "sha256:" D64, &m, &e), -EPROTO);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "sha256:" D64 ": manifest digest is %s, Docker-Content-Digest "
		 "says %s", f.host, manifest_digest, manifest_digest);
	UNIT_ASSERT(strcmp(e.msg, want));
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "sha256:" D64 ": manifest digest is %s, not the one asked "
		 "for", f.host, manifest_digest);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(registry_get_manifest(r, "huge", &m, &e), -EFBIG);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/manifests/"
		 "huge: manifest: 5000000 bytes, more than 4194304", f.host);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(registry_get_manifest(r, "bad tag", &m, &e), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: manifest: invalid tag "
		 "\"bad tag\"", f.host);
	UNIT_EQ_STR(e.msg, want);
	/* A blob whose bytes are not its digest fails at its end. */
	rd = registry_get_blob(r, "sha256:" D64, &size, &e);
	UNIT_NOT_NULL(rd);
	UNIT_EQ_INT(drain(rd, buf, sizeof(buf)), -EPROTO);
	digest_buf("not what was asked for", 22, buf);
	snprintf(want, sizeof(want), "registry %s: GET /v2/x/y/blobs/sha256:"
		 D64 ": blob digest is %s, not the one asked for", f.host,
		 buf);
	UNIT_EQ_STR(e.msg, want);
	UNIT_NULL(registry_get_blob(r, "sha256:short", &size, &e));
	snprintf(want, sizeof(want), "registry %s: blob: invalid digest "
		 "\"sha256:short\"", f.host);
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
	fake_stop(&f);
}

UNIT_CASE(open_refusals)
{
	struct registry_opts o = { .plain_http = 1 };
	struct registry_ref ref;

	UNIT_EQ_INT(registry_ref_parse("docker://reg.example/x", &ref, &e), 0);
	UNIT_NULL(registry_open(&ref, &o, &e));
	UNIT_EQ_STR(e.msg, "registry reg.example: plain HTTP refused: "
		    "reg.example is not a loopback host");
	UNIT_EQ_INT(registry_ref_parse("docker://[::1]:5000/x", &ref, &e), 0);
	o.creds = "nocolon";
	UNIT_NULL(registry_open(&ref, &o, &e));
	UNIT_EQ_STR(e.msg, "registry [::1]:5000: credentials: expected "
		    "USER:PASSWORD");
	o.plain_http = 0;
	o.creds = NULL;
	o.ca_file = "/nonexistent.pem";
	UNIT_NULL(registry_open(&ref, &o, &e));
	UNIT_EQ_STR(e.msg, "registry [::1]:5000: read /nonexistent.pem: No "
		    "such file or directory");
}

/* ---- against a real registry --------------------------------------- */

struct e2e {
	const char *host, *repo, *ca, *creds, *auth;
	struct registry_ref ref;
};

static int e2e_env(struct e2e *t, const char *need)
{
	char s[512];

	t->host = getenv("OCIBOX_TEST_REGISTRY");
	t->repo = getenv("OCIBOX_TEST_REPO");
	t->ca = getenv("OCIBOX_TEST_CA");
	t->creds = getenv("OCIBOX_TEST_CREDS");
	t->auth = getenv("OCIBOX_TEST_AUTH");
	if (!t->host || !t->repo || !t->ca) {
		printf("SKIP: OCIBOX_TEST_REGISTRY, OCIBOX_TEST_REPO and "
		       "OCIBOX_TEST_CA name no registry\n");
		return 0;
	}
	if (need && !getenv(need)) {
		printf("SKIP: %s not set\n", need);
		return 0;
	}
	snprintf(s, sizeof(s), "docker://%s/%s", t->host, t->repo);
	UNIT_EQ_INT(registry_ref_parse(s, &t->ref, &e), 0);
	return 1;
}

static struct registry *e2e_open(struct e2e *t, const char *ca,
				 const char *creds)
{
	struct registry_opts o = { .ca_file = ca, .creds = creds };
	struct registry *r = registry_open(&t->ref, &o, &e);

	if (!r)
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
	return r;
}

static const char *const media_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
};

struct tally {
	int manifests, blobs;
	uint64_t bytes;
	char media_type[REGISTRY_MEDIA_TYPE_MAX];	/* the first's */
};

/* A blob read whole through a digest of our own, against desc. */
static void pull_blob(struct registry *r, const cJSON *desc,
		      struct tally *t)
{
	const cJSON *dg = cJSON_GetObjectItem(desc, "digest");
	const char *digest = cJSON_GetStringValue(dg);
	double size = cJSON_GetNumberValue(cJSON_GetObjectItem(desc, "size"));
	char got[DIGEST_STR_MAX], buf[65536];
	struct reader *rd;
	struct digest d;
	uint64_t count = 0;
	int64_t len;
	ssize_t n;

	UNIT_NOT_NULL(digest);
	rd = registry_get_blob(r, digest, &len, &e);
	if (!rd)
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
	digest_init(&d);
	rd = reader_digest(rd, &d, &count);
	UNIT_NOT_NULL(rd);
	while ((n = reader_read(rd, buf, sizeof(buf), &e)) > 0)
		;
	if (n < 0)
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
	reader_close(rd);
	digest_string(&d, got);
	UNIT_EQ_STR(got, digest);
	UNIT_EQ_UINT(count, (uint64_t)size);
	UNIT_EQ_INT(len, (int64_t)size);
	t->blobs++;
	t->bytes += count;
}

static void pull(struct registry *r, const char *reference, struct tally *t)
{
	const cJSON *list, *it;
	struct registry_manifest m;
	size_t i, known = 0;
	cJSON *root;

	if (registry_get_manifest(r, reference, &m, &e) < 0)
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
	if (!t->manifests++)
		strcpy(t->media_type, m.media_type);
	for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++)
		known |= !strcmp(m.media_type, media_types[i]);
	UNIT_ASSERT(known);
	if (reference[0] != 's') {
		struct registry_manifest again;

		UNIT_EQ_INT(registry_get_manifest(r, m.digest, &again, &e), 0);
		UNIT_EQ_INT(again.len, m.len);
		UNIT_ASSERT(!memcmp(again.body, m.body, m.len));
		registry_manifest_free(&again);
	}
	root = cJSON_Parse(m.body);
	UNIT_NOT_NULL(root);
	list = cJSON_GetObjectItem(root, "manifests");
	cJSON_ArrayForEach(it, list)
		pull(r, cJSON_GetStringValue(cJSON_GetObjectItem(it, "digest")),
		     t);
	if (cJSON_GetObjectItem(root, "config"))
		pull_blob(r, cJSON_GetObjectItem(root, "config"), t);
	list = cJSON_GetObjectItem(root, "layers");
	cJSON_ArrayForEach(it, list)
		pull_blob(r, it, t);
	cJSON_Delete(root);
	registry_manifest_free(&m);
}

UNIT_CASE(e2e_pull)
{
	struct tally t = { 0 };
	struct registry *r;
	struct e2e env;

	if (!e2e_env(&env, NULL))
		return;
	setenv("DOCKER_CONFIG", unit_tmpdir(), 1);
	r = e2e_open(&env, env.ca, env.creds);
	pull(r, registry_ref_reference(&env.ref), &t);
	registry_close(r);
	UNIT_ASSERT(t.blobs >= 2);
	printf("e2e_pull: %s: %d manifests (%s), %d blobs, %llu bytes, "
	       "digests match\n", registry_ref_reference(&env.ref),
	       t.manifests, t.media_type, t.blobs,
	       (unsigned long long)t.bytes);
}

UNIT_CASE(e2e_unknown)
{
	struct registry_manifest m;
	struct registry *r;
	struct e2e env;
	int64_t size;
	char want[512];

	if (!e2e_env(&env, NULL))
		return;
	setenv("DOCKER_CONFIG", unit_tmpdir(), 1);
	r = e2e_open(&env, env.ca, env.creds);
	UNIT_EQ_INT(registry_get_manifest(r, "no-such-tag", &m, &e), -ENOENT);
	snprintf(want, sizeof(want), "registry %s: GET /v2/%s/manifests/"
		 "no-such-tag: 404 Not Found (MANIFEST_UNKNOWN: manifest "
		 "unknown)", env.host, env.ref.name);
	UNIT_EQ_STR(e.msg, want);
	UNIT_NULL(registry_get_blob(r, "sha256:" D64, &size, &e));
	snprintf(want, sizeof(want), "registry %s: GET /v2/%s/blobs/sha256:"
		 D64 ": 404 Not Found (BLOB_UNKNOWN: blob unknown to "
		 "registry)", env.host, env.ref.name);
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
}

UNIT_CASE(e2e_wrong_ca)
{
	struct registry_manifest m;
	struct registry *r;
	struct e2e env;
	char want[256];

	if (!e2e_env(&env, "OCIBOX_TEST_WRONG_CA"))
		return;
	r = e2e_open(&env, getenv("OCIBOX_TEST_WRONG_CA"), env.creds);
	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), -EPROTO);
	snprintf(want, sizeof(want), "registry %s: TLS: certificate is not "
		 "trusted (BearSSL error 62: X509 not trusted)", env.host);
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
	/* And the system bundle does not know the test CA either. */
	r = e2e_open(&env, NULL, env.creds);
	UNIT_EQ_INT(registry_get_manifest(r, "latest", &m, &e), -EPROTO);
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
}

UNIT_CASE(e2e_credentials)
{
	struct registry_manifest m;
	char want[512], path[128];
	struct registry *r;
	struct e2e env;
	char b64[256];
	FILE *f;

	if (!e2e_env(&env, "OCIBOX_TEST_CREDS"))
		return;
	setenv("DOCKER_CONFIG", unit_tmpdir(), 1);
	r = e2e_open(&env, env.ca, NULL);
	UNIT_EQ_INT(registry_get_manifest(r, registry_ref_reference(&env.ref),
					  &m, &e), -EACCES);
	if (env.auth && !strcmp(env.auth, "basic"))
		snprintf(want, sizeof(want), "registry %s: GET /v2/%s/"
			 "manifests/%s: 401 Unauthorized: credentials needed "
			 "(none given, none in docker's config.json)",
			 env.host, env.ref.name,
			 registry_ref_reference(&env.ref));
	else
		snprintf(want, sizeof(want), "registry %s: token from %s: 401 "
			 "Unauthorized (UNAUTHORIZED: credentials required)",
			 env.host, getenv("OCIBOX_TEST_REALM"));
	UNIT_EQ_STR(e.msg, want);
	registry_close(r);
	r = e2e_open(&env, env.ca, "nobody:wrong");
	UNIT_EQ_INT(registry_get_manifest(r, registry_ref_reference(&env.ref),
					  &m, &e), -EACCES);
	printf("wrong credentials: %s\n", e.msg);
	registry_close(r);
	/* The right ones from docker's config.json. */
	snprintf(path, sizeof(path), "%s/config.json", unit_tmpdir());
	f = fopen(path, "we");
	UNIT_NOT_NULL(f);
	http_base64_encode(env.creds, strlen(env.creds), b64);
	fprintf(f, "{\"auths\":{\"https://%s\":{\"auth\":\"%s\"}}}\n",
		env.host, b64);
	fclose(f);
	r = e2e_open(&env, env.ca, NULL);
	UNIT_EQ_INT(registry_get_manifest(r, registry_ref_reference(&env.ref),
					  &m, &e), 0);
	registry_manifest_free(&m);
	registry_close(r);
}
