/*
 * image_archive.c - docker save archives; see image.h.  The archive is a
 * tar (tar.h) indexed in one pass, its members then read in place by
 * pread.  Formats: the Docker Image Specification's "combined image JSON
 * + filesystem changeset" as docker save writes it (manifest.json with
 * Config, RepoTags and Layers, a config per image, <id>/layer.tar per
 * layer, symbolic links for a layer saved twice), and Docker 25's OCI
 * image layout beside that manifest.json (image-spec image-layout.md).
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
#include "tar.h"

/* A docker save has a few members per layer: far fewer than this. */
#define ARCHIVE_MEMBERS_MAX 100000
#define LINK_HOPS_MAX 16
#define LIST_MAX 256

struct member {
	char *name;		/* as a path of the archive: no "./" */
	char *link;		/* links: the member they name, NULL when it
				   would be out of the archive */
	enum tar_type type;
	uint64_t off, size;
};

struct archive {
	struct image_store s;
	int fd;
	uint64_t size;
	char *name;
	struct member *m;
	size_t n;
};

/*
 * dir/path (dir may be NULL) with empty and "." components dropped and,
 * when dotdot is set, ".." taken back: "./a//b", "x/../a/b" are "a/b".
 * -EINVAL for a ".." otherwise or past the top, -ENOMEM.
 */
static int norm_path(const char *dir, const char *path, int dotdot,
		     char **out)
{
	const char *parts[2] = { dir ? dir : "", path }, *p, *q;
	size_t len = 0, n;
	char *buf;
	int i;

	buf = malloc(strlen(parts[0]) + strlen(path) + 2);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		for (p = parts[i]; *p; p = q) {
			while (*p == '/')
				p++;
			for (q = p; *q && *q != '/'; q++)
				;
			n = q - p;
			if (!n || (n == 1 && *p == '.'))
				continue;
			if (n == 2 && p[0] == '.' && p[1] == '.') {
				if (!dotdot || !len) {
					free(buf);
					return -EINVAL;
				}
				while (len && buf[len - 1] != '/')
					len--;
				if (len)
					len--;
				continue;
			}
			if (len)
				buf[len++] = '/';
			memcpy(buf + len, p, n);
			len += n;
		}
	}
	buf[len] = 0;
	*out = buf;
	return 0;
}

/* Where a link member points, as a member name; NULL: out of reach. */
static int link_target(const struct member *m, const char *link, char **out)
{
	char *dir, *slash;
	int r;

	*out = NULL;
	if (m->type == TAR_HARDLINK)
		r = norm_path(NULL, link, 0, out);
	else if (link[0] == '/')
		return 0;
	else {
		dir = strdup(m->name);
		if (!dir)
			return -ENOMEM;
		slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		r = norm_path(slash ? dir : NULL, link, 1, out);
		free(dir);
	}
	return r == -EINVAL ? 0 : r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name,
		      ((const struct member *)b)->name);
}

static int add_member(struct archive *a, const struct tar_entry *ent,
		      uint64_t off, size_t *cap)
{
	struct member *m, *nm;
	int r;

	if (a->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nm = realloc(a->m, *cap * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		a->m = nm;
	}
	m = &a->m[a->n];
	memset(m, 0, sizeof(*m));
	/* A name with ".." cannot be what manifest.json refers to. */
	r = norm_path(NULL, ent->path, 0, &m->name);
	if (r == -EINVAL || (!r && !m->name[0])) {
		free(m->name);
		return 0;
	}
	if (r < 0)
		return r;
	m->type = ent->type;
	m->off = off;
	m->size = ent->type == TAR_REG ? ent->size : 0;
	a->n++;
	return ent->link ? link_target(m, ent->link, &m->link) : 0;
}

/* Every regular file and link of the archive, sorted by name. */
static int archive_index(struct archive *a, struct err *e)
{
	const struct tar_limits lim = { .max_entries = ARCHIVE_MEMBERS_MAX };
	const struct tar_entry *ent;
	size_t cap = 0;
	struct tar *t;
	int r;

	t = tar_open(image_span_reader(a->fd, 0, a->size, a->name), &lim);
	if (!t)
		return err_sys(e, ENOMEM, "%s", a->name);
	while ((r = tar_next(t, &ent, e)) == 1) {
		if (ent->type != TAR_REG && ent->type != TAR_SYMLINK &&
		    ent->type != TAR_HARDLINK)
			continue;
		r = add_member(a, ent, tar_position(t), &cap);
		if (r < 0) {
			r = err_sys(e, -r, "%s", a->name);
			break;
		}
	}
	tar_close(t);
	/* More members than any save of images has: a rootfs, say. */
	if (r == -EFBIG)
		r = err_msg(e, ENOMSG, "%s: not a docker save archive (more "
			    "than %d members)", a->name, ARCHIVE_MEMBERS_MAX);
	if (r < 0)
		return r;
	qsort(a->m, a->n, sizeof(*a->m), by_name);
	return 0;
}

/*
 * A member twice would make its meaning depend on the reader: refused,
 * once the tar is known to be a docker save archive (a rootfs tarball
 * may hold a name twice, the last one winning).
 */
static int check_unique(const struct archive *a, struct err *e)
{
	char q[IMAGE_QUOTE_MAX];
	size_t i;

	for (i = 1; i < a->n; i++)
		if (!strcmp(a->m[i - 1].name, a->m[i].name))
			return err_msg(e, EINVAL, "%s: %s: in the archive "
				       "twice", a->name,
				       image_quote(a->m[i].name, q));
	return 0;
}

static const struct member *find(const struct archive *a, const char *name)
{
	struct member key = { .name = (char *)name };

	return a->n ? bsearch(&key, a->m, a->n, sizeof(*a->m), by_name) :
		      NULL;
}

/* The regular file path names, through its links. */
static int lookup(const struct archive *a, const char *path,
		  const struct member **out, struct err *e)
{
	char q[IMAGE_QUOTE_MAX];
	const struct member *m;
	const char *cur = path;
	int hops;

	for (hops = 0; hops <= LINK_HOPS_MAX; hops++) {
		m = find(a, cur);
		if (!m && cur == path)
			return err_msg(e, ENOENT, "%.200s: not in the archive",
				       path);
		if (!m)
			return err_msg(e, ENOENT, "%.200s: not in the archive "
				       "(a link to %s)", path,
				       image_quote(cur, q));
		if (m->type == TAR_REG) {
			*out = m;
			return 0;
		}
		if (!m->link)
			return err_msg(e, EINVAL, "%.200s: a link out of the "
				       "archive", path);
		cur = m->link;
	}
	return err_msg(e, ELOOP, "%.200s: more than %d links", path,
		       LINK_HOPS_MAX);
}

static int archive_open(struct image_store *s, const struct image_blob *b,
			struct reader **out, struct err *e)
{
	struct archive *a = (struct archive *)s;
	char path[16 + DIGEST_STR_MAX];
	const struct member *m;
	const char *p = b->path;
	int r;

	if (!p) {
		/* digest_check() let only "sha256:<hex>" through. */
		snprintf(path, sizeof(path), "blobs/sha256/%s", b->digest + 7);
		p = path;
	}
	r = lookup(a, p, &m, e);
	if (r < 0)
		return r;
	if (m->size != b->size)
		return err_msg(e, EINVAL, "%.200s: %" PRIu64 " bytes, but its "
			       "descriptor says %" PRIu64, p, m->size,
			       b->size);
	*out = image_span_reader(a->fd, m->off, m->size, p);
	return *out ? 0 : err_sys(e, ENOMEM, "%s", p);
}

static void archive_close(struct image_store *s)
{
	struct archive *a = (struct archive *)s;
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->m[i].name);
		free(a->m[i].link);
	}
	free(a->m);
	free(a->name);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

/* The member at path, whole: JSON. */
static int member_load(struct archive *a, const char *path, char **text,
		       size_t *len, struct err *e)
{
	struct image_blob b = { "" };
	const struct member *m;
	int r;

	r = lookup(a, path, &m, e);
	if (r < 0)
		return r;
	b.size = m->size;
	b.path = (char *)path;
	return image_blob_load(&a->s, &b, path, text, len, e);
}

/* A member name from manifest.json, which must stay in the archive. */
static int member_path(struct json_ctx *c, const char *key, const char *s,
		       char **out)
{
	char q[IMAGE_QUOTE_MAX];
	size_t i;
	int r;

	image_quote(s, q);
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return json_fail(c, key, "\"%s\": a control character "
					 "in a member name", q);
	if (s[0] == '/')
		return json_fail(c, key, "\"%s\": an absolute path", q);
	r = norm_path(NULL, s, 0, out);
	if (r == -EINVAL)
		return json_fail(c, key, "\"%s\": \"..\" leads out of the "
				 "archive", q);
	if (r < 0)
		return json_fail_sys(c, key, -r, "%s", q);
	if (!**out)
		return json_fail(c, key, "empty");
	return 0;
}

/*
 * The digest a name holds: "blobs/sha256/<hex>" (Docker 25), and with
 * json set "<hex>.json" (the legacy config); else "".
 */
static void digest_of_name(const char *path, int json,
			   char out[DIGEST_STR_MAX])
{
	const char *hex = path;
	size_t n;

	out[0] = 0;
	if (!strncmp(path, "blobs/sha256/", 13))
		hex += 13;
	else if (!json)
		return;
	n = strspn(hex, "0123456789abcdef");
	if (n != 2 * DIGEST_SHA256_LEN)
		return;
	if (hex[n] && (hex != path || strcmp(hex + n, ".json")))
		return;
	snprintf(out, DIGEST_STR_MAX, "sha256:%.64s", hex);
}

static int check_platform(const char *platform, const char *name,
			  const struct image_config *cfg, struct err *e)
{
	struct image_platform want;
	int r;

	if (!platform)
		return 0;
	r = image_platform_parse(platform, &want, e);
	if (r < 0)
		return r;
	if (image_platform_match(&want, cfg->os, cfg->architecture,
				 cfg->variant))
		return 0;
	return image_platform_wrong(&want, name, cfg, e);
}

/* The RepoTags of entry ent: whether one is ref; all into tags. */
static int repo_tags(struct json_ctx *c, const cJSON *ent, const char *ref,
		     char *tags)
{
	const cJSON *list, *tag;
	const char *s;
	size_t j = 0, mark;
	int r, found = 0;

	r = json_get_array(c, ent, "RepoTags", JSON_OPTIONAL, &list, NULL);
	if (r <= 0)
		return r;
	mark = json_push(c, "RepoTags");
	cJSON_ArrayForEach(tag, list) {
		size_t m2 = json_push_index(c, j++);

		r = json_as_string(c, tag, &s);
		json_pop(c, m2);
		if (r < 0)
			break;
		found |= ref && image_ref_equal(s, ref);
		image_list_add(tags, LIST_MAX, s);
	}
	json_pop(c, mark);
	return r < 0 ? r : found;
}

/* The entry of manifest.json tagged ref (NULL: the only one), index i. */
static int legacy_choose(struct json_ctx *c, const cJSON *doc,
			 const char *ref, size_t *out)
{
	char tags[LIST_MAX] = "";
	const cJSON *ent;
	size_t i = 0, mark;
	int r;

	if (!cJSON_IsArray(doc))
		return json_fail(c, NULL, "expected array");
	cJSON_ArrayForEach(ent, doc) {
		mark = json_push_index(c, i);
		r = json_as_object(c, ent);
		if (r >= 0)
			r = repo_tags(c, ent, ref, tags);
		json_pop(c, mark);
		if (r < 0)
			return r;
		if (r > 0) {
			*out = i;
			return 0;
		}
		i++;
	}
	if (!i)
		return json_fail(c, NULL, "no images");
	if (ref)
		return err_msg(c->e, ESRCH, "%s: no image tagged \"%.100s\" "
			       "(%s%s)", c->name, ref, tags[0] ?
			       "there are: " : "none has a tag", tags);
	if (i > 1)
		return err_msg(c->e, EINVAL, "%s: %zu images, choose one by "
			       "tag: %s", c->name, i, tags);
	*out = 0;
	return 0;
}

/* Config of the manifest.json entry ent, into out. */
static int legacy_config(struct archive *a, struct json_ctx *c,
			 const cJSON *ent, struct image *out, struct err *e)
{
	char want[DIGEST_STR_MAX];
	const struct member *m;
	struct image_blob *b = &out->config_blob;
	const char *s;
	char *text;
	size_t len;
	int r;

	r = json_get_string(c, ent, "Config", JSON_REQUIRED, &s);
	if (r >= 0)
		r = member_path(c, "Config", s, &b->path);
	if (r >= 0)
		r = lookup(a, b->path, &m, e);
	if (r < 0)
		return r;
	b->size = m->size;
	b->media_type = "application/vnd.docker.container.image.v1+json";
	r = image_blob_load(&a->s, b, b->path, &text, &len, e);
	if (r < 0)
		return r;
	digest_buf(text, len, b->digest);
	digest_of_name(b->path, 1, want);
	if (want[0] && strcmp(want, b->digest))
		r = err_msg(e, EINVAL, "%.200s: digest mismatch: content is %s",
			    b->path, b->digest);
	if (r >= 0)
		r = image_config_parse(text, len, b->path, &out->config, e);
	free(text);
	return r;
}

/* Layer i of the entry: its member, and what LayerSources says of it. */
static int legacy_layer(struct archive *a, struct json_ctx *c,
			const cJSON *item, const cJSON *sources,
			struct image_layer *l, struct err *e)
{
	const struct member *m;
	const cJSON *src;
	const char *s, *type;
	size_t mark;
	int r;

	r = json_as_string(c, item, &s);
	if (r >= 0)
		r = member_path(c, NULL, s, &l->blob.path);
	if (r >= 0)
		r = lookup(a, l->blob.path, &m, e);
	if (r < 0)
		return r;
	l->blob.size = m->size;
	digest_of_name(l->blob.path, 0, l->blob.digest);
	l->comp = IMAGE_COMP_UNKNOWN;
	if (!sources)
		return 0;
	/* Foreign layers are named here, and not in the archive. */
	mark = json_push(c, "LayerSources");
	r = json_get_object(c, sources, l->diff_id, JSON_OPTIONAL, &src);
	if (r > 0) {
		json_push(c, l->diff_id);
		r = json_get_string(c, src, "mediaType", JSON_REQUIRED, &type);
		if (r >= 0) {
			json_push(c, "mediaType");
			r = image_layer_type(c, type, l);
		}
	}
	json_pop(c, mark);
	return r < 0 ? r : 0;
}

static int legacy_layers(struct archive *a, struct json_ctx *c,
			 const cJSON *ent, struct image *out, struct err *e)
{
	const cJSON *list, *item, *sources = NULL;
	size_t n, i = 0, mark;
	int r;

	r = json_get_array(c, ent, "Layers", JSON_REQUIRED, &list, &n);
	if (r >= 0)
		r = json_get_object(c, ent, "LayerSources", JSON_OPTIONAL,
				    &sources);
	if (r < 0)
		return r;
	if (n != out->config.n_diff_ids)
		return json_fail(c, "Layers", "%zu layers, but %.200s has %zu "
				 "DiffIDs", n, out->config_blob.path,
				 out->config.n_diff_ids);
	out->layers = calloc(n ? n : 1, sizeof(*out->layers));
	if (!out->layers)
		return err_sys(e, ENOMEM, "%s", c->name);
	cJSON_ArrayForEach(item, list) {
		strcpy(out->layers[i].diff_id, out->config.diff_ids[i]);
		out->n_layers = i + 1;
		mark = json_push(c, "Layers");
		json_push_index(c, i);
		r = legacy_layer(a, c, item, sources, &out->layers[i], e);
		json_pop(c, mark);
		if (r < 0)
			return r;
		i++;
	}
	return 0;
}

static int legacy(struct archive *a, const char *ref, const char *platform,
		  struct image *out, struct err *e)
{
	const cJSON *ent;
	struct json_ctx c;
	cJSON *doc;
	char *text;
	size_t len, i = 0;
	int r;

	r = member_load(a, "manifest.json", &text, &len, e);
	if (r < 0)
		return r;
	r = json_parse(text, len, "manifest.json", &doc, e);
	free(text);
	if (r < 0)
		return r;
	json_ctx_init(&c, "manifest.json", e);
	r = legacy_choose(&c, doc, ref, &i);
	if (r >= 0) {
		ent = cJSON_GetArrayItem(doc, i);
		json_push_index(&c, i);
		r = legacy_config(a, &c, ent, out, e);
	}
	if (r >= 0)
		r = legacy_layers(a, &c, ent, out, e);
	if (r >= 0)
		r = check_platform(platform, out->config_blob.path,
				   &out->config, e);
	cJSON_Delete(doc);
	if (r < 0)
		image_free(out);
	else
		out->store = &a->s;
	return r;
}

/* Docker 25's OCI layout: its oci-layout (if any), then index.json. */
static int oci(struct archive *a, const char *ref, const char *platform,
	       struct image *out, struct err *e)
{
	char *text;
	size_t len;
	int r;

	if (find(a, "oci-layout")) {
		r = member_load(a, "oci-layout", &text, &len, e);
		if (r < 0)
			return r;
		r = image_layout_version(text, len, "oci-layout", e);
		free(text);
		if (r < 0)
			return r;
	}
	r = member_load(a, "index.json", &text, &len, e);
	if (r < 0)
		return r;
	r = image_resolve(&a->s, "index.json", text, len, ref, platform, out,
			  e);
	free(text);
	return r;
}

int image_open_archive(int fd, const char *name, const char *ref,
		       const char *platform, struct image *out,
		       struct err *e)
{
	struct archive *a;
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	a = calloc(1, sizeof(*a));
	if (!a)
		return err_sys(e, ENOMEM, "%s", name);
	a->s.open = archive_open;
	a->s.close = archive_close;
	a->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	a->name = strdup(name);
	if (a->fd < 0 || !a->name) {
		r = err_sys(e, a->fd < 0 ? errno : ENOMEM, "%s", name);
		goto out;
	}
	if (fstat(a->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = err_msg(e, EINVAL, "%s: not a regular file (a docker save "
			    "archive is read in place)", name);
		goto out;
	}
	a->size = st.st_size;
	r = archive_index(a, e);
	if (r < 0)
		goto out;
	if ((find(a, "index.json") || find(a, "manifest.json")) &&
	    (r = check_unique(a, e)) < 0)
		goto out;
	if (find(a, "index.json")) {
		r = oci(a, ref, platform, out, e);
		/* Docker's own names for what it saved are its RepoTags. */
		if (r == -ESRCH && find(a, "manifest.json"))
			r = legacy(a, ref, platform, out, e);
	} else if (find(a, "manifest.json")) {
		r = legacy(a, ref, platform, out, e);
	} else {
		r = err_msg(e, ENOMSG, "%s: not a docker save archive (no "
			    "index.json or manifest.json)", name);
	}
out:
	if (r < 0)
		archive_close(&a->s);
	return r;
}
