/*
 * image.c - images resolved from an index or manifest down to layers and
 * config, and the OCI image layout as a store; see image.h.  image-spec
 * image-layout.md, image-index.md, manifest.md, descriptor.md and
 * media-types.md; Docker's "Image Manifest V 2, Schema 2".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "json.h"
#include "sys.h"

/* "manifest " + digest, "config " + digest */
#define DOC_NAME_MAX (16 + DIGEST_STR_MAX)
/* The names or platforms an error lists to choose from. */
#define LIST_MAX 256

enum kind {
	K_INDEX,
	K_MANIFEST,
	K_CONFIG,
	K_LAYER,
};

static const struct media {
	const char *type;
	enum kind kind;
	enum image_comp comp;
	const char *refused;	/* why a type we know is not unpacked */
} media[] = {
	{ "application/vnd.oci.image.index.v1+json", K_INDEX },
	{ "application/vnd.docker.distribution.manifest.list.v2+json",
	  K_INDEX },
	{ "application/vnd.oci.image.manifest.v1+json", K_MANIFEST },
	{ "application/vnd.docker.distribution.manifest.v2+json",
	  K_MANIFEST },
	{ "application/vnd.docker.distribution.manifest.v1+json", K_MANIFEST,
	  0, "Docker schema 1 manifests are not supported" },
	{ "application/vnd.docker.distribution.manifest.v1+prettyjws",
	  K_MANIFEST, 0, "Docker schema 1 manifests are not supported" },
	{ "application/vnd.oci.image.config.v1+json", K_CONFIG },
	{ "application/vnd.docker.container.image.v1+json", K_CONFIG },
	{ "application/vnd.oci.image.layer.v1.tar", K_LAYER,
	  IMAGE_COMP_NONE },
	{ "application/vnd.oci.image.layer.v1.tar+gzip", K_LAYER,
	  IMAGE_COMP_GZIP },
	{ "application/vnd.oci.image.layer.v1.tar+zstd", K_LAYER,
	  IMAGE_COMP_ZSTD },
	{ "application/vnd.docker.image.rootfs.diff.tar.gzip", K_LAYER,
	  IMAGE_COMP_GZIP },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar", K_LAYER,
	  0, "non-distributable layers are not supported" },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	  K_LAYER, 0, "non-distributable layers are not supported" },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	  K_LAYER, 0, "non-distributable layers are not supported" },
	{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	  K_LAYER, 0, "foreign layers are not supported" },
};

static const struct media *media_find(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		if (!strcmp(media[i].type, type))
			return &media[i];
	return NULL;
}

/*
 * The media entry of type for something of kind want (an index or a
 * manifest when want is K_INDEX), or an error at c's path.key.
 */
static int media_want(struct json_ctx *c, const char *key, const char *type,
		      enum kind want, const struct media **out)
{
	const struct media *m = media_find(type);
	int follow = want == K_INDEX;
	char q[IMAGE_QUOTE_MAX];

	if (m && (m->kind == want || (follow && m->kind == K_MANIFEST))) {
		if (m->refused)
			return json_fail(c, key, "\"%s\": %s", type,
					 m->refused);
		*out = m;
		return 0;
	}
	image_quote(type, q);
	if (follow)
		return json_fail(c, key, "\"%s\": not an image index or "
				 "manifest", q);
	if (want == K_CONFIG)
		return json_fail(c, key, "\"%s\": not a container image "
				 "config", q);
	return json_fail(c, key, "\"%s\": unsupported layer media type", q);
}

int image_layer_type(struct json_ctx *c, const char *type,
		     struct image_layer *l)
{
	const struct media *m;
	int r = media_want(c, NULL, type, K_LAYER, &m);

	if (r < 0)
		return r;
	l->blob.media_type = m->type;
	l->comp = m->comp;
	return 0;
}

/* Readers */

struct span_reader {
	struct reader r;
	int fd;
	uint64_t off, left;
	char name[];
};

static ssize_t span_read(struct reader *r, void *buf, size_t len,
			 struct err *e)
{
	struct span_reader *s = (struct span_reader *)r;
	ssize_t n;

	if (len > s->left)
		len = s->left;
	if (!len)
		return 0;
	do
		n = pread(s->fd, buf, len, s->off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, errno, "read %s", s->name);
	if (!n)
		return err_msg(e, EIO, "read %s: file ends %" PRIu64
			       " bytes early", s->name, s->left);
	s->off += n;
	s->left -= n;
	return n;
}

static ssize_t span_skip(struct reader *r, uint64_t len, struct err *e)
{
	struct span_reader *s = (struct span_reader *)r;

	if (len > s->left)
		len = s->left;
	s->off += len;
	s->left -= len;
	return len;
}

static void span_close(struct reader *r)
{
	struct span_reader *s = (struct span_reader *)r;

	close(s->fd);
	free(s);
}

struct reader *image_span_reader(int fd, uint64_t off, uint64_t len,
				 const char *name)
{
	size_t n = strlen(name) + 1;
	struct span_reader *s = malloc(sizeof(*s) + n);

	if (!s)
		return NULL;
	s->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	s->r.read = span_read;
	s->r.close = span_close;
	s->r.skip = span_skip;
	s->off = off;
	s->left = len;
	memcpy(s->name, name, n);
	return &s->r;
}

struct verify_reader {
	struct reader r;
	struct reader *src;
	struct digest d;
	uint64_t size, count;
	char digest[DIGEST_STR_MAX];
	char what[];
};

static int verify_end(struct verify_reader *v, struct err *e)
{
	char got[DIGEST_STR_MAX];

	if (v->size != IMAGE_SIZE_ANY && v->count < v->size)
		return err_msg(e, EINVAL, "%s: %" PRIu64 " bytes, fewer than "
			       "the %" PRIu64 " its descriptor says", v->what,
			       v->count, v->size);
	if (!v->digest[0])
		return 0;
	digest_string(&v->d, got);
	if (strcmp(got, v->digest))
		return err_msg(e, EINVAL, "%s: digest mismatch: content is %s",
			       v->what, got);
	return 0;
}

static ssize_t verify_read(struct reader *r, void *buf, size_t len,
			   struct err *e)
{
	struct verify_reader *v = (struct verify_reader *)r;
	ssize_t n;

	if (!len)
		return 0;
	/* One byte past the size is enough to tell it is too long. */
	if (v->size != IMAGE_SIZE_ANY && len > v->size - v->count + 1)
		len = v->size - v->count + 1;
	n = v->src->read(v->src, buf, len, e);
	if (n < 0)
		return n;
	if (!n)
		return verify_end(v, e);
	v->count += n;
	if (v->size != IMAGE_SIZE_ANY && v->count > v->size)
		return err_msg(e, EINVAL, "%s: more than the %" PRIu64
			       " bytes its descriptor says", v->what, v->size);
	digest_update(&v->d, buf, n);
	return n;
}

static void verify_close(struct reader *r)
{
	struct verify_reader *v = (struct verify_reader *)r;

	reader_close(v->src);
	free(v);
}

struct reader *image_verify_reader(struct reader *src, const char *digest,
				   uint64_t size, const char *what)
{
	size_t n = strlen(what) + 1;
	struct verify_reader *v = malloc(sizeof(*v) + n);

	if (!v) {
		reader_close(src);
		return NULL;
	}
	v->r.read = verify_read;
	v->r.skip = NULL;
	v->r.close = verify_close;
	v->src = src;
	digest_init(&v->d);
	v->size = size;
	v->count = 0;
	snprintf(v->digest, sizeof(v->digest), "%s", digest);
	memcpy(v->what, what, n);
	return &v->r;
}

int image_blob_open(struct image_store *s, const struct image_blob *b,
		    const char *what, struct reader **out, struct err *e)
{
	struct reader *r;
	int ret;

	ret = s->open(s, b, &r, e);
	if (ret < 0)
		return ret;
	*out = image_verify_reader(r, b->digest, b->size, what);
	return *out ? 0 : err_sys(e, ENOMEM, "%s", what);
}

/* Exactly size bytes of r (closed) into a NUL-terminated *text. */
static int slurp(struct reader *r, uint64_t size, const char *what,
		 char **text, struct err *e)
{
	char *buf, extra;
	ssize_t n;

	buf = malloc(size + 1);
	if (!buf) {
		reader_close(r);
		return err_sys(e, ENOMEM, "%s", what);
	}
	n = reader_read_full(r, buf, size, e);
	/* The end, where a verify reader checks the digest. */
	if (n >= 0)
		n = reader_read(r, &extra, 1, e);
	reader_close(r);
	if (n < 0) {
		free(buf);
		return n;
	}
	buf[size] = 0;
	*text = buf;
	return 0;
}

int image_blob_load(struct image_store *s, const struct image_blob *b,
		    const char *what, char **text, size_t *len,
		    struct err *e)
{
	struct reader *r;
	int ret;

	if (b->size > IMAGE_JSON_MAX)
		return err_msg(e, EFBIG, "%s: %" PRIu64 " bytes, more than "
			       "the %d allowed", what, b->size,
			       IMAGE_JSON_MAX);
	ret = image_blob_open(s, b, what, &r, e);
	if (ret < 0)
		return ret;
	ret = slurp(r, b->size, what, text, e);
	if (ret < 0)
		return ret;
	*len = b->size;
	return 0;
}

/* Documents */

struct desc {
	const char *media_type, *digest;
	uint64_t size;
	const char *ref_name, *image_name;	/* annotations */
	const char *os, *arch, *variant;	/* platform; NULL: none */
};

static int get_platform(struct json_ctx *c, const cJSON *item,
			struct desc *d)
{
	const cJSON *p;
	size_t mark;
	int r;

	r = json_get_object(c, item, "platform", JSON_OPTIONAL, &p);
	if (r <= 0)
		return r;
	mark = json_push(c, "platform");
	r = json_get_string(c, p, "os", JSON_REQUIRED, &d->os);
	if (r >= 0)
		r = json_get_string(c, p, "architecture", JSON_REQUIRED,
				    &d->arch);
	if (r >= 0)
		r = json_get_string(c, p, "variant", JSON_OPTIONAL,
				    &d->variant);
	json_pop(c, mark);
	return r;
}

static int get_annotations(struct json_ctx *c, const cJSON *item,
			   struct desc *d)
{
	const cJSON *a;
	size_t mark;
	int r;

	r = json_get_object(c, item, "annotations", JSON_OPTIONAL, &a);
	if (r <= 0)
		return r;
	mark = json_push(c, "annotations");
	r = json_get_string(c, a, "org.opencontainers.image.ref.name",
			    JSON_OPTIONAL, &d->ref_name);
	if (r >= 0)
		r = json_get_string(c, a, "io.containerd.image.name",
				    JSON_OPTIONAL, &d->image_name);
	json_pop(c, mark);
	return r;
}

/* A descriptor at c's path; its strings point into item. */
static int get_desc(struct json_ctx *c, const cJSON *item, struct desc *d)
{
	size_t mark;
	int r;

	memset(d, 0, sizeof(*d));
	r = json_as_object(c, item);
	if (r >= 0)
		r = json_get_string(c, item, "mediaType", JSON_REQUIRED,
				    &d->media_type);
	if (r >= 0)
		r = json_get_string(c, item, "digest", JSON_REQUIRED,
				    &d->digest);
	if (r >= 0) {
		mark = json_push(c, "digest");
		r = image_check_digest(c, d->digest);
		json_pop(c, mark);
	}
	if (r >= 0)
		r = json_get_uint(c, item, "size", JSON_REQUIRED, INT64_MAX,
				  &d->size);
	if (r >= 0)
		r = get_annotations(c, item, d);
	if (r >= 0)
		r = get_platform(c, item, d);
	return r < 0 ? r : 0;
}

/*
 * What doc is: its mediaType, or the descriptor's (which it must then
 * agree with), or, at the root without either, its shape.
 */
static int doc_kind(struct json_ctx *c, const cJSON *doc, const char *expect,
		    enum kind *k)
{
	char q[IMAGE_QUOTE_MAX];
	const struct media *m;
	const char *type = NULL;
	int64_t v;
	int r;

	r = json_as_object(c, doc);
	if (r >= 0)
		r = json_get_string(c, doc, "mediaType", JSON_OPTIONAL, &type);
	if (r < 0)
		return r;
	if (type && expect && strcmp(type, expect))
		return json_fail(c, "mediaType", "\"%s\", but its "
				 "descriptor says \"%s\"", image_quote(type, q),
				 expect);
	if (!type)
		type = expect;
	if (type) {
		r = media_want(c, "mediaType", type, K_INDEX, &m);
		if (r < 0)
			return r;
		*k = m->kind;
	} else if (cJSON_GetObjectItemCaseSensitive(doc, "manifests")) {
		*k = K_INDEX;
	} else if (cJSON_GetObjectItemCaseSensitive(doc, "config")) {
		*k = K_MANIFEST;
	} else {
		return json_fail(c, NULL, "neither an image index nor a "
				 "manifest");
	}
	r = json_get_int(c, doc, "schemaVersion", JSON_REQUIRED, INT64_MIN,
			 INT64_MAX, &v);
	if (r >= 0 && v != 2)
		r = json_fail(c, "schemaVersion", "%" PRId64 ": unsupported "
			      "(2 only)", v);
	return r < 0 ? r : 0;
}

static const char *desc_name(const struct desc *d)
{
	return d->ref_name ? d->ref_name : d->image_name;
}

static int ref_matches(const struct desc *d, const char *ref)
{
	if (d->ref_name && !strcmp(d->ref_name, ref))
		return 1;
	return d->image_name && image_ref_equal(d->image_name, ref);
}

static void desc_platform(const struct desc *d, char out[IMAGE_PLATFORM_MAX])
{
	snprintf(out, IMAGE_PLATFORM_MAX, "%.31s/%.31s%s%.31s", d->os,
		 d->arch, d->variant && *d->variant ? "/" : "",
		 d->variant ? d->variant : "");
}

/*
 * From the n descriptors of the index c names, the one ref names (ref
 * NULL: any), of those the first for want: OCI says the first match
 * should be used.  Into *out, or -errno (-ESRCH: nothing named ref).
 */
static int choose(struct json_ctx *c, const struct desc *d, size_t n,
		  const char *ref, const struct image_platform *want,
		  size_t *out)
{
	char names[LIST_MAX] = "", plats[LIST_MAX] = "";
	char p[IMAGE_PLATFORM_MAX];
	const char *nm, *name1 = NULL;
	size_t i, nc = 0, first = 0, with_platform = 0;
	int several = 0;

	for (i = 0; i < n; i++) {
		nm = desc_name(&d[i]);
		if (nm)
			image_list_add(names, LIST_MAX, nm);
		if (ref && !ref_matches(&d[i], ref))
			continue;
		if (!nc++)
			first = i;
		if (nm && name1 && strcmp(nm, name1))
			several = 1;
		if (nm && !name1)
			name1 = nm;
	}
	if (!nc)
		return err_msg(c->e, ESRCH, "%s: no image named \"%.100s\" "
			       "(%s%s)", c->name, ref, names[0] ?
			       "there are: " : "none has a name", names);
	if (nc == 1) {
		*out = first;
		return 0;
	}
	/* Several images, not one for several platforms: the user's to
	   choose. */
	if (several)
		return err_msg(c->e, EINVAL, "%s: %zu images, choose one by "
			       "name: %s", c->name, nc, names);
	for (i = first; i < n; i++) {
		if ((ref && !ref_matches(&d[i], ref)) || !d[i].os)
			continue;
		with_platform++;
		if (image_platform_match(want, d[i].os, d[i].arch,
					 d[i].variant)) {
			*out = i;
			return 0;
		}
		desc_platform(&d[i], p);
		image_list_add(plats, LIST_MAX, p);
	}
	if (!with_platform && ref) {
		*out = first;
		return 0;
	}
	if (!with_platform)
		return err_msg(c->e, EINVAL, "%s: %zu manifests, with neither "
			       "names nor platforms to choose one by",
			       c->name, nc);
	image_platform_format(want, p);
	return err_msg(c->e, ENOENT, "%s: no manifest for %s (there are: %s)",
		       c->name, p, plats);
}

/* The descriptor to follow from index doc, copied into *b. */
static int pick(struct json_ctx *c, const cJSON *doc, const char *ref,
		const struct image_platform *want, struct image_blob *b)
{
	const struct media *m;
	const cJSON *list, *item;
	struct desc *d;
	size_t n, i = 0, mark;
	int r;

	r = json_get_array(c, doc, "manifests", JSON_REQUIRED, &list, &n);
	if (r < 0)
		return r;
	if (!n)
		return json_fail(c, "manifests", "empty");
	d = calloc(n, sizeof(*d));
	if (!d)
		return err_sys(c->e, ENOMEM, "%s", c->name);
	mark = json_push(c, "manifests");
	cJSON_ArrayForEach(item, list) {
		size_t m2 = json_push_index(c, i);

		r = get_desc(c, item, &d[i++]);
		json_pop(c, m2);
		if (r < 0)
			goto out;
	}
	json_pop(c, mark);
	r = choose(c, d, n, ref, want, &i);
	if (r < 0)
		goto out;
	mark = json_push(c, "manifests");
	json_push_index(c, i);
	r = media_want(c, "mediaType", d[i].media_type, K_INDEX, &m);
	if (r >= 0) {
		memset(b, 0, sizeof(*b));
		strcpy(b->digest, d[i].digest);
		b->size = d[i].size;
		b->media_type = m->type;
	}
out:
	json_pop(c, mark);
	free(d);
	return r;
}

static int get_manifest(struct json_ctx *c, const cJSON *doc,
			struct image *out)
{
	const struct media *m;
	const cJSON *cfg, *list, *item;
	struct image_layer *l;
	struct desc d;
	size_t n, i = 0, mark;
	int r;

	r = json_get_object(c, doc, "config", JSON_REQUIRED, &cfg);
	if (r < 0)
		return r;
	mark = json_push(c, "config");
	r = get_desc(c, cfg, &d);
	if (r >= 0)
		r = media_want(c, "mediaType", d.media_type, K_CONFIG, &m);
	json_pop(c, mark);
	if (r < 0)
		return r;
	strcpy(out->config_blob.digest, d.digest);
	out->config_blob.size = d.size;
	out->config_blob.media_type = m->type;
	r = json_get_array(c, doc, "layers", JSON_REQUIRED, &list, &n);
	if (r < 0)
		return r;
	out->layers = calloc(n ? n : 1, sizeof(*out->layers));
	if (!out->layers)
		return err_sys(c->e, ENOMEM, "%s", c->name);
	mark = json_push(c, "layers");
	cJSON_ArrayForEach(item, list) {
		size_t m2 = json_push_index(c, i);

		l = &out->layers[i];
		r = get_desc(c, item, &d);
		if (r >= 0) {
			json_push(c, "mediaType");
			r = image_layer_type(c, d.media_type, l);
		}
		json_pop(c, m2);
		if (r < 0)
			break;
		strcpy(l->blob.digest, d.digest);
		l->blob.size = d.size;
		out->n_layers = ++i;
	}
	json_pop(c, mark);
	return r < 0 ? r : 0;
}

/* The config blob of out, its DiffIDs matched with the layers. */
static int get_config(struct image_store *s, const char *mname,
		      const struct image_platform *want, struct image *out,
		      struct err *e)
{
	struct image_config *cfg = &out->config;
	char name[DOC_NAME_MAX];
	size_t len, i;
	char *text;
	int r;

	snprintf(name, sizeof(name), "config %s", out->config_blob.digest);
	r = image_blob_load(s, &out->config_blob, name, &text, &len, e);
	if (r < 0)
		return r;
	r = image_config_parse(text, len, name, cfg, e);
	free(text);
	if (r < 0)
		return r;
	if (cfg->n_diff_ids != out->n_layers)
		return err_msg(e, EINVAL, "%s: rootfs.diff_ids: %zu DiffIDs "
			       "for the %zu layers of %s", name,
			       cfg->n_diff_ids, out->n_layers, mname);
	for (i = 0; i < out->n_layers; i++)
		strcpy(out->layers[i].diff_id, cfg->diff_ids[i]);
	if (want && !image_platform_match(want, cfg->os, cfg->architecture,
					  cfg->variant))
		return image_platform_wrong(want, name, cfg, e);
	return 0;
}

int image_resolve(struct image_store *s, const char *name, const char *text,
		  size_t len, const char *ref, const char *platform,
		  struct image *out, struct err *e)
{
	char dname[DOC_NAME_MAX], digest[DIGEST_STR_MAX];
	struct image_platform want;
	struct image_blob b;
	struct json_ctx c;
	cJSON *doc = NULL;
	char *buf = NULL;
	enum kind k;
	int depth, r;

	memset(out, 0, sizeof(*out));
	if (platform)
		r = image_platform_parse(platform, &want, e);
	else
		r = image_platform_host(&want, e);
	if (r < 0)
		return r;
	r = json_parse(text, len, name, &doc, e);
	if (r < 0)
		return r;
	json_ctx_init(&c, name, e);
	r = doc_kind(&c, doc, NULL, &k);
	digest_buf(text, len, digest);
	for (depth = 0; r >= 0 && k == K_INDEX; depth++) {
		if (depth == IMAGE_INDEX_DEPTH) {
			r = err_msg(e, ELOOP, "%s: indexes nested more than %d "
				    "deep", name, IMAGE_INDEX_DEPTH);
			break;
		}
		r = pick(&c, doc, depth ? NULL : ref, &want, &b);
		if (r < 0)
			break;
		cJSON_Delete(doc);
		doc = NULL;
		free(buf);
		buf = NULL;
		snprintf(dname, sizeof(dname), "%s %s",
			 media_find(b.media_type)->kind == K_INDEX ?
			 "index" : "manifest", b.digest);
		r = image_blob_load(s, &b, dname, &buf, &len, e);
		if (r >= 0)
			r = json_parse(buf, len, dname, &doc, e);
		if (r < 0)
			break;
		json_ctx_init(&c, dname, e);
		r = doc_kind(&c, doc, b.media_type, &k);
		strcpy(digest, b.digest);
	}
	if (r >= 0 && ref && !depth)
		r = err_msg(e, EINVAL, "%s: a manifest, not an index: no names "
			    "to find \"%.100s\" by", name, ref);
	if (r >= 0)
		r = get_manifest(&c, doc, out);
	if (r >= 0) {
		strcpy(out->manifest_digest, digest);
		r = get_config(s, c.name, platform ? &want : NULL, out, e);
	}
	cJSON_Delete(doc);
	free(buf);
	if (r < 0) {
		image_free(out);
		return r;
	}
	out->store = s;
	return 0;
}

int image_layer_open(const struct image *img, size_t i, struct reader **out,
		     struct err *e)
{
	const struct image_blob *b = &img->layers[i].blob;
	char what[ERR_MSG_MAX / 2];

	snprintf(what, sizeof(what), "layer %s", b->digest[0] ? b->digest :
		 b->path);
	return image_blob_open(img->store, b, what, out, e);
}

void image_free(struct image *img)
{
	size_t i;

	for (i = 0; i < img->n_layers; i++)
		free(img->layers[i].blob.path);
	free(img->layers);
	free(img->config_blob.path);
	image_config_free(&img->config);
	if (img->store)
		img->store->close(img->store);
	memset(img, 0, sizeof(*img));
}

/* References */

/* ref as Docker shows it: no docker.io/, no library/, a tag. */
static void familiar(const char *ref, char *out, size_t size)
{
	const char *s = ref, *slash, *last;

	if (!strncmp(s, "docker.io/", 10))
		s += 10;
	else if (!strncmp(s, "index.docker.io/", 16))
		s += 16;
	slash = strchr(s, '/');
	/* A first component with a dot, colon or "localhost" is a host. */
	if (slash && !strncmp(s, "library/", 8) && !strchr(slash + 1, '/'))
		s += 8;
	last = strrchr(s, '/');
	last = last ? last : s;
	snprintf(out, size, "%s%s", s, strchr(last, ':') || strchr(s, '@') ?
		 "" : ":latest");
}

int image_ref_equal(const char *a, const char *b)
{
	char fa[512], fb[512];

	if (!strcmp(a, b))
		return 1;
	if (strlen(a) > 400 || strlen(b) > 400)
		return 0;
	familiar(a, fa, sizeof(fa));
	familiar(b, fb, sizeof(fb));
	return !strcmp(fa, fb);
}

/* The OCI image layout */

int image_layout_version(const char *text, size_t len, const char *name,
			 struct err *e)
{
	char q[IMAGE_QUOTE_MAX];
	struct json_ctx c;
	const char *v;
	cJSON *doc;
	int r;

	r = json_parse(text, len, name, &doc, e);
	if (r < 0)
		return r;
	json_ctx_init(&c, name, e);
	r = json_as_object(&c, doc);
	if (r >= 0)
		r = json_get_string(&c, doc, "imageLayoutVersion",
				    JSON_REQUIRED, &v);
	if (r >= 0 && strncmp(v, "1.", 2))
		r = json_fail(&c, "imageLayoutVersion", "\"%.32s\": "
			      "unsupported (1.x only)", image_quote(v, q));
	cJSON_Delete(doc);
	return r < 0 ? r : 0;
}

struct layout {
	struct image_store s;
	int dirfd;
};

/*
 * path (made of plain names: "blobs/sha256/<hex>") beneath dirfd, never
 * through a link out of it.  Without openat2 no link is followed at
 * all.  O_NONBLOCK: a FIFO planted as a blob must not hang the open.
 */
static int open_beneath(int dirfd, const char *path)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct sys_open_how how = {
		.flags = flags,
		.resolve = SYS_RESOLVE_BENEATH | SYS_RESOLVE_NO_MAGICLINKS,
	};
	char part[256];
	const char *p = path, *slash;
	struct stat st;
	int fd, next;

	fd = sys_openat2(dirfd, path, &how);
	if (fd != -ENOSYS && fd != -EPERM && fd != -EAGAIN)
		return fd;
	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	while ((slash = strchr(p, '/'))) {
		if ((size_t)(slash - p) >= sizeof(part)) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(part, p, slash - p);
		part[slash - p] = 0;
		next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (next < 0 && errno == ENOTDIR &&
		    !fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;
		if (next < 0) {
			next = -errno;
			close(fd);
			return next;
		}
		close(fd);
		fd = next;
		p = slash + 1;
	}
	next = openat(fd, p, flags | O_NOFOLLOW);
	close(fd);
	return next < 0 ? -errno : next;
}

/* A regular file of the layout, and its size. */
static int layout_file(int dirfd, const char *path, uint64_t *size,
		       struct err *e)
{
	struct stat st;
	int fd;

	fd = open_beneath(dirfd, path);
	if (fd == -EXDEV)
		return err_msg(e, EXDEV, "%s: resolves out of the image "
			       "layout", path);
	if (fd == -ELOOP)
		return err_msg(e, ELOOP, "%s: a symbolic link, not followed",
			       path);
	if (fd < 0)
		return err_sys(e, -fd, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_msg(e, EINVAL, "%s: not a regular file", path);
	}
	*size = st.st_size;
	return fd;
}

static int layout_open(struct image_store *s, const struct image_blob *b,
		       struct reader **out, struct err *e)
{
	struct layout *l = (struct layout *)s;
	char path[8 + DIGEST_STR_MAX];
	uint64_t size;
	int fd;

	/* digest_check() let only "sha256:<hex>" through. */
	snprintf(path, sizeof(path), "blobs/sha256/%s", b->digest + 7);
	fd = layout_file(l->dirfd, path, &size, e);
	if (fd < 0)
		return fd;
	if (size != b->size) {
		close(fd);
		return err_msg(e, EINVAL, "%s: %" PRIu64 " bytes, but its "
			       "descriptor says %" PRIu64, path, size,
			       b->size);
	}
	*out = image_span_reader(fd, 0, size, path);
	close(fd);
	return *out ? 0 : err_sys(e, ENOMEM, "%s", path);
}

static void layout_close(struct image_store *s)
{
	struct layout *l = (struct layout *)s;

	close(l->dirfd);
	free(l);
}

static int layout_load(int dirfd, const char *path, char **text,
		       size_t *len, struct err *e)
{
	struct reader *r;
	uint64_t size;
	int fd, ret;

	fd = layout_file(dirfd, path, &size, e);
	if (fd < 0)
		return fd;
	if (size > IMAGE_JSON_MAX) {
		close(fd);
		return err_msg(e, EFBIG, "%s: %" PRIu64 " bytes, more than "
			       "the %d allowed", path, size, IMAGE_JSON_MAX);
	}
	r = image_span_reader(fd, 0, size, path);
	close(fd);
	if (r)
		r = image_verify_reader(r, "", size, path);
	if (!r)
		return err_sys(e, ENOMEM, "%s", path);
	ret = slurp(r, size, path, text, e);
	*len = size;
	return ret;
}

int image_open_layout(int dirfd, const char *ref, const char *platform,
		      struct image *out, struct err *e)
{
	struct layout *l;
	char *text;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	l = calloc(1, sizeof(*l));
	if (!l)
		return err_sys(e, ENOMEM, "image layout");
	l->s.open = layout_open;
	l->s.close = layout_close;
	l->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (l->dirfd < 0) {
		free(l);
		return err_sys(e, errno, "image layout");
	}
	r = layout_load(l->dirfd, "oci-layout", &text, &len, e);
	if (r >= 0) {
		r = image_layout_version(text, len, "oci-layout", e);
		free(text);
	}
	if (r >= 0)
		r = layout_load(l->dirfd, "index.json", &text, &len, e);
	if (r >= 0) {
		r = image_resolve(&l->s, "index.json", text, len, ref,
				  platform, out, e);
		free(text);
	}
	if (r < 0)
		layout_close(&l->s);
	return r;
}
