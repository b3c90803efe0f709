/*
 * registry.h - pulls from an OCI registry: the distribution spec's pull
 * endpoints (GET /v2/<name>/manifests/<reference>, GET
 * /v2/<name>/blobs/<digest>) over HTTPS (core/http.h), anonymous first
 * and, on a 401, with the token flow of docker's registry (distribution
 * docs/spec/auth/token.md: a Bearer token fetched from the challenge's
 * realm) or Basic.  Credentials come from the caller ("USER:PASS") or
 * docker's config.json.  The image JSON (index, manifest, config) is
 * core/image.c's to read; this moves bytes and checks their digests.
 *
 *	struct registry_ref ref;
 *	struct registry_manifest m;
 *
 *	registry_ref_parse("docker://127.0.0.1:5000/x/busybox:1.36", &ref, e);
 *	r = registry_open(&ref, &opts, e);
 *	registry_get_manifest(r, registry_ref_reference(&ref), &m, e);
 *	blob = registry_get_blob(r, "sha256:...", &size, e);
 *	... read blob to its end, reader_close(blob) ...
 *	registry_close(r);
 *
 * Every error is one line naming the registry and the step:
 * "registry 127.0.0.1:5000: GET /v2/x/manifests/latest: 404 Not Found
 * (MANIFEST_UNKNOWN: manifest unknown)".
 */
#ifndef CORE_REGISTRY_H
#define CORE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "reader.h"

#define REGISTRY_MANIFEST_MAX (4 << 20)
/* Host, "/" and name together, as the distribution spec advises. */
#define REGISTRY_NAME_MAX 255
#define REGISTRY_TAG_MAX 128
#define REGISTRY_MEDIA_TYPE_MAX 128

/*
 * docker://HOST[:PORT]/NAME[:TAG][@DIGEST]; HOST may be an IPv6 address
 * in brackets.  NAME's components follow the spec's grammar
 * ([a-z0-9]+ joined by ".", "_", "__" or dashes); TAG is "latest" when
 * neither a tag nor a digest is given.  As docker does, a one-component
 * NAME on docker.io is "library/NAME".
 */
struct registry_ref {
	char host[REGISTRY_NAME_MAX + 1];	/* as written: "[::1]:5000" */
	char name[REGISTRY_NAME_MAX + 1];	/* "x/busybox" */
	char tag[REGISTRY_TAG_MAX + 1];		/* "" when only a digest */
	char digest[DIGEST_STR_MAX];		/* "" unless @digest */
};

/* "docker://" may be left out.  Errors: "docker://...: invalid tag". */
int registry_ref_parse(const char *s, struct registry_ref *ref,
		       struct err *e);
/* What to ask the manifests endpoint for: the digest, else the tag. */
const char *registry_ref_reference(const struct registry_ref *ref);

struct registry_opts {
	const char *ca_file;	/* NULL: TLS_SYSTEM_CA */
	const char *creds;	/* "USER:PASS"; NULL: docker's config.json */
	/*
	 * http:// to a loopback host (a test registry); anything else is
	 * refused.  https then only with ca_file (a token realm's).
	 */
	int plain_http;
	const char *user_agent;	/* NULL: "ocibox/VERSION"; kept */
};

struct registry;

/*
 * A handle on ref's registry (no request is made yet): the trust
 * anchors read, the credentials found.  NULL with e set.
 */
struct registry *registry_open(const struct registry_ref *ref,
			       const struct registry_opts *o, struct err *e);
/* NULL-safe; after every blob reader it gave out is closed. */
void registry_close(struct registry *r);

struct registry_manifest {
	char *body;	/* malloc'd, NUL-terminated (JSON for cJSON) */
	size_t len;	/* at most REGISTRY_MANIFEST_MAX */
	/* Content-Type without its parameters; "" when absent. */
	char media_type[REGISTRY_MEDIA_TYPE_MAX];
	char digest[DIGEST_STR_MAX];	/* sha256 of body */
};

/*
 * The manifest or index that reference (a tag or a digest) names, with
 * Accept listing the OCI and docker v2 manifest and index types.  Its
 * digest is checked against Docker-Content-Digest when the registry
 * sends one, and against reference when that is a digest.
 */
int registry_get_manifest(struct registry *r, const char *reference,
			  struct registry_manifest *m, struct err *e);
void registry_manifest_free(struct registry_manifest *m);

/*
 * The blob digest as a stream (redirects followed, credentials dropped
 * when they leave the registry); *size is its Content-Length, -1 when
 * not sent.  The reader fails at its end ("...: blob digest is
 * sha256:..., not the one asked for") unless the bytes match digest:
 * read it to the end before trusting what came through.  NULL with e
 * set.
 */
struct reader *registry_get_blob(struct registry *r, const char *digest,
				 int64_t *size, struct err *e);

/*
 * "USER:PASS" (malloc'd) for host from the text of a docker config.json
 * ("auths": {"HOST": {"auth": base64(USER:PASS)}}; a key may carry a
 * scheme and a path, "https://index.docker.io/v1/" stands for docker.io):
 * 1, 0 when it has none, -errno naming name and the field.
 */
int registry_config_auth(const char *json, size_t len, const char *name,
			 const char *host, char **creds, struct err *e);
/*
 * The same from $DOCKER_CONFIG/config.json, else ~/.docker/config.json
 * (a missing file: 0).
 */
int registry_docker_creds(const char *host, char **creds, struct err *e);

#endif
