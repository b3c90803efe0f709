/*
 * registry.c - OCI distribution pulls; see registry.h.  Follows the
 * distribution spec (spec.md "Pull", "Error Codes", the name and tag
 * grammars), docker's token authentication (distribution
 * docs/spec/auth/token.md) and docker's config.json "auths" layout.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "io.h"
#include "json.h"
#include "registry.h"
#include "tls.h"

/* A token response, a config.json. */
#define TOKEN_BODY_MAX (1 << 20)
#define CONFIG_MAX (1 << 20)
/* What of an error body is read for its "errors" message. */
#define ERROR_BODY_MAX (16 << 10)
/* "/v2/" NAME "/manifests/" TAG */
#define API_PATH_MAX (REGISTRY_NAME_MAX + REGISTRY_TAG_MAX + 32)

static const char manifest_accept[] =
	"application/vnd.oci.image.index.v1+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

struct registry {
	struct registry_ref ref;
	struct http_client http;
	struct tls_anchors *anchors;
	char base[REGISTRY_NAME_MAX + 16];	/* "https://host:port" */
	char *creds;		/* "USER:PASS", NULL: none */
	char *authz;		/* the Authorization value; NULL: anonymous */
};

/* s for a message, cut to fit buf, anything unprintable '?'. */
static void clean(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] >= 0x20 &&
			 (unsigned char)s[i] < 0x7f ? s[i] : '?';
	buf[i] = 0;
}

/* ---- references ---------------------------------------------------- */

static int lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static int component_ok(const char *s, size_t n)
{
	size_t i = 0, j;

	if (!n || !lower_alnum(s[0]))
		return 0;
	while (i < n) {
		if (lower_alnum(s[i])) {
			i++;
			continue;
		}
		j = i + 1;
		if (s[i] == '_' && j < n && s[j] == '_')
			j++;
		else if (s[i] == '-')
			while (j < n && s[j] == '-')
				j++;
		else if (s[i] != '.' && s[i] != '_')
			return 0;
		if (j == n || !lower_alnum(s[j]))
			return 0;
		i = j;
	}
	return 1;
}

static int name_ok(const char *s)
{
	size_t n;

	for (;;) {
		n = strcspn(s, "/");
		if (!component_ok(s, n))
			return 0;
		if (!s[n])
			return 1;
		s += n + 1;
	}
}

/* [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} */
static int tag_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n && !s[n] && n <= REGISTRY_TAG_MAX && s[0] != '.' &&
	       s[0] != '-';
}

/* Domain labels (letters, digits, inner dashes) or [IPv6], then :port. */
static int host_ok(const char *s, size_t n)
{
	size_t i = 0, l, p;

	if (n && s[0] == '[') {
		l = strspn(s + 1, "0123456789abcdefABCDEF:.");
		if (!l || 1 + l >= n || s[1 + l] != ']')
			return 0;
		i = l + 2;
	} else {
		for (;;) {
			l = strspn(s + i, "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
			if (i + l > n)
				l = n - i;
			if (!l || s[i] == '-' || s[i + l - 1] == '-')
				return 0;
			i += l;
			if (i == n || s[i] != '.')
				break;
			i++;
		}
	}
	if (i == n)
		return 1;
	if (s[i] != ':')
		return 0;
	p = strspn(s + i + 1, "0123456789");
	return p && p <= 5 && i + 1 + p == n && atoi(s + i + 1) > 0 &&
	       atoi(s + i + 1) <= 65535;
}

static int ref_fail(struct err *e, const char *s, const char *why)
{
	char q[128];

	clean(q, sizeof(q), s);
	return err_msg(e, EINVAL, "%s: %s", q, why);
}

int registry_ref_parse(const char *s, struct registry_ref *ref,
		       struct err *e)
{
	const char *p = s, *slash, *at, *colon, *last;
	size_t hlen, nlen;
	char q[128];
	int rc;

	memset(ref, 0, sizeof(*ref));
	if (!strncmp(p, "docker://", 9))
		p += 9;
	slash = strchr(p, '/');
	if (!slash)
		return ref_fail(e, s, "expected HOST/NAME");
	hlen = slash - p;
	if (!host_ok(p, hlen))
		return ref_fail(e, s, "invalid registry host");
	p = slash + 1;
	at = strchr(p, '@');
	if (at) {
		/* Once checked, it fits ref->digest. */
		rc = digest_check(at + 1, "digest", e);
		if (rc < 0) {
			clean(q, sizeof(q), s);
			return err_prefix(e, "%s", q);
		}
		strcpy(ref->digest, at + 1);
	}
	nlen = at ? (size_t)(at - p) : strlen(p);
	last = memrchr(p, '/', nlen);
	colon = memchr(last ? last : p, ':', nlen - (last ? last - p : 0));
	if (colon) {
		if ((size_t)(p + nlen - colon - 1) > REGISTRY_TAG_MAX)
			return ref_fail(e, s, "tag longer than 128 characters");
		memcpy(ref->tag, colon + 1, p + nlen - colon - 1);
		if (!tag_ok(ref->tag))
			return ref_fail(e, s, "invalid tag");
		nlen = colon - p;
	} else if (!at) {
		strcpy(ref->tag, "latest");
	}
	if (hlen + 1 + nlen > REGISTRY_NAME_MAX)
		return ref_fail(e, s, "name longer than 255 characters");
	memcpy(ref->host, slash - hlen, hlen);
	memcpy(ref->name, p, nlen);
	if (!name_ok(ref->name))
		return ref_fail(e, s, "invalid repository name (lowercase "
				"letters, digits and . _ __ - between them)");
	if (!strcmp(ref->host, "docker.io") && !strchr(ref->name, '/')) {
		if (nlen + 8 + hlen + 1 > REGISTRY_NAME_MAX)
			return ref_fail(e, s, "name longer than 255 "
					"characters");
		memmove(ref->name + 8, ref->name, nlen + 1);
		memcpy(ref->name, "library/", 8);
	}
	return 0;
}

const char *registry_ref_reference(const struct registry_ref *ref)
{
	return ref->digest[0] ? ref->digest : ref->tag;
}

/* ---- credentials --------------------------------------------------- */

/* A config.json key as a host: without scheme and path. */
static int key_matches(const char *key, const char *host)
{
	size_t n;

	if (!strncmp(key, "https://", 8))
		key += 8;
	else if (!strncmp(key, "http://", 7))
		key += 7;
	n = strcspn(key, "/");
	if (n == 15 && !strncmp(key, "index.docker.io", 15) &&
	    !strcmp(host, "docker.io"))
		return 1;
	return strlen(host) == n && !strncasecmp(key, host, n);
}

static int decode_auth(struct json_ctx *c, const char *b64, char **creds)
{
	size_t len = strlen(b64);
	char *out;
	ssize_t n;

	out = malloc(3 * (len / 4) + 3);
	if (!out)
		return json_fail_sys(c, "auth", ENOMEM, "decode");
	n = http_base64_decode(b64, len, out);
	if (n < 0 || !memchr(out, ':', n) || memchr(out, 0, n)) {
		free(out);
		return json_fail(c, "auth", n < 0 ? "invalid base64" :
				 "expected base64 of USER:PASSWORD");
	}
	out[n] = 0;
	*creds = out;
	return 1;
}

int registry_config_auth(const char *json, size_t len, const char *name,
			 const char *host, char **creds, struct err *e)
{
	const cJSON *auths, *it;
	struct json_ctx c;
	const char *b64;
	cJSON *root;
	size_t mark;
	int rc;

	*creds = NULL;
	rc = json_parse(json, len, name, &root, e);
	if (rc < 0)
		return rc;
	json_ctx_init(&c, name, e);
	rc = json_get_object(&c, root, "auths", JSON_OPTIONAL, &auths);
	if (rc <= 0)
		goto out;
	rc = 0;
	mark = json_push(&c, "auths");
	cJSON_ArrayForEach(it, auths) {
		if (!it->string || !key_matches(it->string, host))
			continue;
		json_push(&c, it->string);
		if (!cJSON_IsObject(it)) {
			rc = json_fail(&c, NULL, "expected object");
			break;
		}
		rc = json_get_string(&c, it, "auth", JSON_OPTIONAL, &b64);
		if (rc > 0 && *b64)
			rc = decode_auth(&c, b64, creds);
		else if (rc > 0)
			rc = 0;
		json_pop(&c, mark);
		if (rc)
			break;
	}
out:
	cJSON_Delete(root);
	return rc;
}

int registry_docker_creds(const char *host, char **creds, struct err *e)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char path[4096];
	size_t len;
	char *text;
	int rc;

	*creds = NULL;
	if (dir && *dir)
		snprintf(path, sizeof(path), "%s/config.json", dir);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.docker/config.json", home);
	else
		return 0;
	rc = read_file_at(AT_FDCWD, path, CONFIG_MAX, &text, &len);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return err_sys(e, -rc, "read %s", path);
	rc = registry_config_auth(text, len, path, host, creds, e);
	free(text);
	return rc;
}

/* ---- requests ------------------------------------------------------ */

static const char *reason(const struct http_response *rs)
{
	static const struct {
		short status;
		const char *text;
	} std[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
	};
	size_t i;

	if (rs->reason[0])
		return rs->reason;
	for (i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (std[i].status == rs->status)
			return std[i].text;
	return "";
}

/* The body, whole: at most max bytes, NUL-terminated. */
static int read_body(struct http_response *rs, size_t max, char **out,
		     size_t *len, struct err *e)
{
	size_t cap, n = 0;
	char *buf, *nb;
	ssize_t got;

	if (rs->length != HTTP_LENGTH_UNKNOWN && rs->length > max)
		return err_msg(e, EFBIG, "%llu bytes, more than %zu",
			       (unsigned long long)rs->length, max);
	cap = rs->length != HTTP_LENGTH_UNKNOWN ? rs->length + 1 : 4096;
	buf = malloc(cap);
	if (!buf)
		return err_sys(e, ENOMEM, "read");
	for (;;) {
		if (n + 1 == cap) {
			cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return err_sys(e, ENOMEM, "read");
			}
			buf = nb;
		}
		got = reader_read(rs->body, buf + n, cap - n - 1, e);
		if (got < 0) {
			free(buf);
			return got;
		}
		if (!got)
			break;
		n += got;
		if (n > max) {
			free(buf);
			return err_msg(e, EFBIG, "more than %zu bytes", max);
		}
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

static int status_errno(int status)
{
	if (status == 401 || status == 403)
		return EACCES;
	if (status == 404)
		return ENOENT;
	if (status == 429 || status == 503)
		return EAGAIN;
	return EIO;
}

/*
 * " (CODE: message)" from a small JSON error body (spec.md "Error
 * Codes"), "" when there is none to be read.
 */
static void error_detail(struct http_response *rs, char *out, size_t size)
{
	const cJSON *errs, *first, *code, *msg;
	struct err ignored;
	char c[64], m[160];
	cJSON *root = NULL;
	size_t len;
	char *body;
	int more;

	out[0] = 0;
	if (read_body(rs, ERROR_BODY_MAX, &body, &len, &ignored) < 0)
		return;
	if (json_parse(body, len, "error", &root, &ignored) == 0) {
		errs = cJSON_GetObjectItemCaseSensitive(root, "errors");
		first = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) :
			NULL;
		code = cJSON_GetObjectItemCaseSensitive(first, "code");
		msg = cJSON_GetObjectItemCaseSensitive(first, "message");
		more = cJSON_IsArray(errs) ? cJSON_GetArraySize(errs) - 1 : 0;
		if (cJSON_IsString(code) && cJSON_IsString(msg)) {
			clean(c, sizeof(c), code->valuestring);
			clean(m, sizeof(m), msg->valuestring);
			snprintf(out, size, " (%s: %s%s)", c, m,
				 more > 0 ? "; and more" : "");
		} else if (cJSON_IsString(code)) {
			clean(c, sizeof(c), code->valuestring);
			snprintf(out, size, " (%s)", c);
		}
	}
	cJSON_Delete(root);
	free(body);
}

/* "registry HOST: STEP: 404 Not Found (MANIFEST_UNKNOWN: ...)" */
static int status_fail(struct registry *r, const char *step,
		       struct http_response *rs, struct err *e)
{
	char detail[256], why[64];

	error_detail(rs, detail, sizeof(detail));
	clean(why, sizeof(why), reason(rs));
	return err_msg(e, status_errno(rs->status), "registry %s: %s: %d%s%s%s",
		       r->ref.host, step, rs->status, why[0] ? " " : "", why,
		       detail);
}

/* s with everything but unreserved characters %-encoded (RFC 3986 2). */
static char *query_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(3 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s)) {
			*o++ = *s;
		} else {
			*o++ = '%';
			*o++ = hex[(unsigned char)*s >> 4];
			*o++ = hex[*s & 15];
		}
	}
	*o = 0;
	return out;
}

static char *basic_authz(const char *creds)
{
	size_t len = strlen(creds);
	char *a = malloc(6 + 4 * ((len + 2) / 3) + 1);

	if (!a)
		return NULL;
	memcpy(a, "Basic ", 6);
	http_base64_encode(creds, len, a + 6);
	return a;
}

/* A token as it may go on an Authorization line: visible ASCII. */
static int token_ok(const char *t)
{
	if (!*t)
		return 0;
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

/* GET realm?service=...&scope=... and its {"token"} (token.md). */
static int bearer(struct registry *r, const struct http_challenge *c,
		  struct err *e)
{
	const char *realm = http_auth_param(c, "realm");
	const char *service = http_auth_param(c, "service");
	const char *scope = http_auth_param(c, "scope"), *tok;
	struct http_request rq = { .method = "GET",
				   .accept = "application/json" };
	char *sv = NULL, *sc = NULL, *url = NULL, *basic = NULL, *body;
	char rname[256], step[300], defscope[REGISTRY_NAME_MAX + 32];
	struct http_response rs;
	struct http_url ru;
	struct json_ctx jc;
	cJSON *root;
	size_t len;
	int rc;

	if (!realm)
		return err_msg(e, EPROTO, "registry %s: Bearer challenge "
			       "without a realm", r->ref.host);
	rc = http_url_parse(realm, &ru, e);
	if (rc < 0)
		return err_prefix(e, "registry %s: token realm", r->ref.host);
	http_url_name(&ru, rname, sizeof(rname));
	http_url_free(&ru);
	snprintf(step, sizeof(step), "token from %s", rname);
	if (!scope) {
		snprintf(defscope, sizeof(defscope), "repository:%s:pull",
			 r->ref.name);
		scope = defscope;
	}
	sc = query_escape(scope);
	sv = service ? query_escape(service) : NULL;
	if (!sc || (service && !sv))
		goto out_oom;
	if (asprintf(&url, "%s%c%s%s%sscope=%s", realm,
		     strchr(realm, '?') ? '&' : '?', sv ? "service=" : "",
		     sv ? sv : "", sv ? "&" : "", sc) < 0) {
		url = NULL;
		goto out_oom;
	}
	if (r->creds && !(basic = basic_authz(r->creds)))
		goto out_oom;
	rq.url = url;
	rq.authorization = basic;
	rc = http_request(&r->http, &rq, &rs, e);
	if (rc < 0) {
		err_prefix(e, "registry %s: %s", r->ref.host, step);
		goto out_free;
	}
	if (rs.status != 200) {
		rc = status_fail(r, step, &rs, e);
		goto out_resp;
	}
	rc = read_body(&rs, TOKEN_BODY_MAX, &body, &len, e);
	if (rc < 0) {
		err_prefix(e, "registry %s: %s", r->ref.host, step);
		goto out_resp;
	}
	rc = json_parse(body, len, "token response", &root, e);
	free(body);
	if (rc < 0) {
		err_prefix(e, "registry %s: %s", r->ref.host, step);
		goto out_resp;
	}
	json_ctx_init(&jc, "token response", e);
	rc = json_get_string(&jc, root, "token", JSON_OPTIONAL, &tok);
	if (rc == 0 || (rc > 0 && !*tok))
		rc = json_get_string(&jc, root, "access_token", JSON_REQUIRED,
				     &tok);
	if (rc >= 0 && !token_ok(tok))
		rc = err_msg(e, EPROTO, "token: invalid character");
	if (rc >= 0) {
		free(r->authz);
		r->authz = NULL;
		if (asprintf(&r->authz, "Bearer %s", tok) < 0) {
			r->authz = NULL;
			rc = err_sys(e, ENOMEM, "token");
		}
	}
	cJSON_Delete(root);
	if (rc < 0)
		err_prefix(e, "registry %s: %s", r->ref.host, step);
out_resp:
	http_response_free(&rs);
out_free:
	free(basic);
	free(url);
	free(sc);
	free(sv);
	return rc < 0 ? rc : 0;
out_oom:
	rc = err_sys(e, ENOMEM, "registry %s: %s", r->ref.host, step);
	goto out_free;
}

/* Answer a 401's challenge: a Bearer token, else Basic credentials. */
static int authenticate(struct registry *r, const char *step,
			struct http_response *rs, struct err *e)
{
	const struct http_challenge *bear = NULL, *basic = NULL;
	char *value = http_header_join(rs, "WWW-Authenticate");
	struct http_auth a;
	size_t i;
	int rc;

	if (!value)
		return err_msg(e, EACCES, "registry %s: %s: 401 Unauthorized "
			       "without a WWW-Authenticate challenge",
			       r->ref.host, step);
	rc = http_auth_parse(value, &a, e);
	free(value);
	if (rc < 0)
		return err_prefix(e, "registry %s: %s", r->ref.host, step);
	for (i = 0; i < a.n; i++) {
		if (!bear && !strcasecmp(a.c[i].scheme, "Bearer"))
			bear = &a.c[i];
		if (!basic && !strcasecmp(a.c[i].scheme, "Basic"))
			basic = &a.c[i];
	}
	if (bear) {
		rc = bearer(r, bear, e);
	} else if (basic && r->creds) {
		free(r->authz);
		r->authz = basic_authz(r->creds);
		rc = r->authz ? 0 : err_sys(e, ENOMEM, "registry %s",
					    r->ref.host);
	} else if (basic) {
		rc = err_msg(e, EACCES, "registry %s: %s: 401 Unauthorized: "
			     "credentials needed (none given, none in "
			     "docker's config.json)", r->ref.host, step);
	} else {
		rc = err_msg(e, EACCES, "registry %s: %s: 401 Unauthorized: "
			     "no Bearer or Basic challenge", r->ref.host,
			     step);
	}
	http_auth_free(&a);
	return rc;
}

/* Whether rs came from the registry itself, not from a redirect away. */
static int from_registry(const struct registry *r,
			 const struct http_response *rs)
{
	struct err e = { 0 };
	struct http_url base;

	return http_url_parse(r->base, &base, &e) == 0 &&
	       http_same_origin(&base, &rs->url);
}

/*
 * GET path from the registry, authenticating once on a 401; the response
 * is the caller's to judge (a second 401 included).
 */
static int get(struct registry *r, const char *path, const char *accept,
	       struct http_response *rs, struct err *e)
{
	struct http_request rq = { .method = "GET", .accept = accept };
	char url[sizeof(r->base) + API_PATH_MAX], step[API_PATH_MAX + 8];
	int tries, rc;

	snprintf(url, sizeof(url), "%s%s", r->base, path);
	snprintf(step, sizeof(step), "GET %s", path);
	rq.url = url;
	for (tries = 0;; tries++) {
		rq.authorization = r->authz;
		rc = http_request(&r->http, &rq, rs, e);
		if (rc < 0)
			return err_prefix(e, "registry %s", r->ref.host);
		if (rs->status != 401 || tries)
			return 0;
		/*
		 * A 401 from where a redirect led (a blob's object store)
		 * is final: its challenge would have our credentials sent
		 * to a realm of its choosing.
		 */
		if (!from_registry(r, rs))
			return 0;
		rc = authenticate(r, step, rs, e);
		http_response_free(rs);
		if (rc < 0)
			return rc;
	}
}

/* ---- the handle ---------------------------------------------------- */

/* The host of "host[:port]" or "[v6][:port]". */
static void host_only(const char *hp, char *out, size_t size)
{
	size_t n;

	if (hp[0] == '[') {
		n = strcspn(hp + 1, "]");
		snprintf(out, size, "%.*s", (int)n, hp + 1);
	} else {
		n = strcspn(hp, ":");
		snprintf(out, size, "%.*s", (int)n, hp);
	}
}

struct registry *registry_open(const struct registry_ref *ref,
			       const struct registry_opts *o, struct err *e)
{
	char host[REGISTRY_NAME_MAX + 1];
	struct registry *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r) {
		err_sys(e, ENOMEM, "registry %s", ref->host);
		return NULL;
	}
	r->ref = *ref;
	host_only(ref->host, host, sizeof(host));
	if (o->plain_http && !http_host_is_loopback(host)) {
		err_msg(e, EACCES, "registry %s: plain HTTP refused: %s is "
			"not a loopback host", ref->host, host);
		goto out_free;
	}
	if (!o->plain_http || o->ca_file) {
		rc = tls_anchors_load(o->ca_file ? o->ca_file : TLS_SYSTEM_CA,
				      &r->anchors, e);
		if (rc < 0) {
			err_prefix(e, "registry %s", ref->host);
			goto out_free;
		}
	}
	if (o->creds) {
		if (!strchr(o->creds, ':')) {
			err_msg(e, EINVAL, "registry %s: credentials: expected "
				"USER:PASSWORD", ref->host);
			goto out_free;
		}
		r->creds = strdup(o->creds);
		if (!r->creds) {
			err_sys(e, ENOMEM, "registry %s", ref->host);
			goto out_free;
		}
	} else if (registry_docker_creds(ref->host, &r->creds, e) < 0) {
		err_prefix(e, "registry %s", ref->host);
		goto out_free;
	}
	r->http.anchors = r->anchors;
	r->http.user_agent = o->user_agent;
	r->http.plain_loopback = o->plain_http;
	/* docker.io is a name; its registry API answers elsewhere. */
	snprintf(r->base, sizeof(r->base), "%s://%s",
		 o->plain_http ? "http" : "https",
		 strcmp(ref->host, "docker.io") ? ref->host :
		 "registry-1.docker.io");
	return r;
out_free:
	registry_close(r);
	return NULL;
}

void registry_close(struct registry *r)
{
	if (!r)
		return;
	tls_anchors_free(r->anchors);
	free(r->creds);
	free(r->authz);
	free(r);
}

/* ---- manifests and blobs ------------------------------------------- */

static int media_type(const struct http_response *rs, char *out,
		      size_t size)
{
	const char *ct = http_header(rs, "Content-Type");
	size_t n;

	out[0] = 0;
	if (!ct)
		return 0;
	n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (n >= size)
		return -1;
	memcpy(out, ct, n);
	out[n] = 0;
	return 0;
}

int registry_get_manifest(struct registry *r, const char *reference,
			  struct registry_manifest *m, struct err *e)
{
	char path[API_PATH_MAX], step[API_PATH_MAX + 8];
	int by_digest = strchr(reference, ':') != NULL;
	struct http_response rs;
	const char *dcd;
	int rc;

	memset(m, 0, sizeof(*m));
	if (by_digest && digest_check(reference, "manifest", e) < 0)
		return err_prefix(e, "registry %s", r->ref.host);
	if (!by_digest && !tag_ok(reference))
		return err_msg(e, EINVAL, "registry %s: manifest: invalid tag "
			       "\"%.128s\"", r->ref.host, reference);
	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", r->ref.name,
		 reference);
	snprintf(step, sizeof(step), "GET %s", path);
	rc = get(r, path, manifest_accept, &rs, e);
	if (rc < 0)
		return rc;
	if (rs.status != 200) {
		rc = status_fail(r, step, &rs, e);
		goto out_resp;
	}
	if (media_type(&rs, m->media_type, sizeof(m->media_type)) < 0) {
		rc = err_msg(e, EPROTO, "registry %s: %s: Content-Type longer "
			     "than %d bytes", r->ref.host, step,
			     REGISTRY_MEDIA_TYPE_MAX - 1);
		goto out_resp;
	}
	rc = read_body(&rs, REGISTRY_MANIFEST_MAX, &m->body, &m->len, e);
	if (rc < 0) {
		err_prefix(e, "registry %s: %s: manifest", r->ref.host, step);
		goto out_resp;
	}
	digest_buf(m->body, m->len, m->digest);
	dcd = http_header(&rs, "Docker-Content-Digest");
	if (dcd && digest_check(dcd, "Docker-Content-Digest", e) < 0) {
		rc = err_prefix(e, "registry %s: %s", r->ref.host, step);
	} else if (dcd && strcmp(dcd, m->digest)) {
		rc = err_msg(e, EPROTO, "registry %s: %s: manifest digest is "
			     "%s, Docker-Content-Digest says %s", r->ref.host,
			     step, m->digest, dcd);
	} else if (by_digest && strcmp(reference, m->digest)) {
		rc = err_msg(e, EPROTO, "registry %s: %s: manifest digest is "
			     "%s, not the one asked for", r->ref.host, step,
			     m->digest);
	}
	if (rc < 0)
		registry_manifest_free(m);
out_resp:
	http_response_free(&rs);
	return rc;
}

void registry_manifest_free(struct registry_manifest *m)
{
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* The body, digested on the way; the digest judged at its end. */
struct blob_reader {
	struct reader r;
	struct reader *body;
	struct digest d;
	char want[DIGEST_STR_MAX];
	int state;		/* 0 reading, 1 good end, -errno bad end */
	char step[];		/* "registry HOST: GET PATH" */
};

static ssize_t blob_read(struct reader *rd, void *buf, size_t len,
			 struct err *e)
{
	struct blob_reader *b = (struct blob_reader *)rd;
	char got[DIGEST_STR_MAX];
	ssize_t n;

	if (b->state > 0 || !len)
		return 0;
	if (b->state < 0)
		return err_msg(e, -b->state, "%s: blob digest mismatch",
			       b->step);
	n = reader_read(b->body, buf, len, e);
	if (n < 0)
		return err_prefix(e, "%s", b->step);
	if (n > 0) {
		digest_update(&b->d, buf, n);
		return n;
	}
	digest_string(&b->d, got);
	if (strcmp(got, b->want)) {
		b->state = -EPROTO;
		return err_msg(e, EPROTO, "%s: blob digest is %s, not the one "
			       "asked for", b->step, got);
	}
	b->state = 1;
	return 0;
}

static void blob_close(struct reader *rd)
{
	struct blob_reader *b = (struct blob_reader *)rd;

	reader_close(b->body);
	free(b);
}

struct reader *registry_get_blob(struct registry *r, const char *digest,
				 int64_t *size, struct err *e)
{
	char path[API_PATH_MAX], step[API_PATH_MAX + 8];
	struct http_response rs;
	struct blob_reader *b;
	size_t n;

	if (digest_check(digest, "blob", e) < 0) {
		err_prefix(e, "registry %s", r->ref.host);
		return NULL;
	}
	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", r->ref.name, digest);
	snprintf(step, sizeof(step), "GET %s", path);
	if (get(r, path, NULL, &rs, e) < 0)
		return NULL;
	if (rs.status != 200) {
		status_fail(r, step, &rs, e);
		http_response_free(&rs);
		return NULL;
	}
	n = strlen("registry : ") + strlen(r->ref.host) + strlen(step) + 1;
	b = calloc(1, sizeof(*b) + n);
	if (!b) {
		err_sys(e, ENOMEM, "registry %s: %s", r->ref.host, step);
		http_response_free(&rs);
		return NULL;
	}
	b->r.read = blob_read;
	b->r.close = blob_close;
	snprintf(b->step, n, "registry %s: %s", r->ref.host, step);
	strcpy(b->want, digest);
	digest_init(&b->d);
	b->body = rs.body;
	rs.body = NULL;
	*size = rs.length == HTTP_LENGTH_UNKNOWN || rs.length > INT64_MAX ?
		-1 : (int64_t)rs.length;
	http_response_free(&rs);
	return &b->r;
}
