/*
 * image_test.c - unit tests of core/image.c, image_config.c and
 * image_archive.c: OCI image layouts written by the test (JSON and blobs,
 * digests by digest_buf()), hostile ones too; docker save archives made
 * of such files by GNU tar; images skopeo and umoci make, where they are
 * installed; platform names.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "io.h"
#include "json.h"
#include "sys.h"
#include "unit.h"
#include "zlib.h"

static struct err e;
static char layout[128];

#define OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_TAR "application/vnd.oci.image.layer.v1.tar"
#define OCI_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define DOCKER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* A blob as the test wrote it. */
struct blob {
	char digest[DIGEST_STR_MAX];
	size_t size;
};

/* fmt with ' for ", then printf: JSON reads plainly.  Never freed. */
__attribute__((format(printf, 1, 2)))
static char *js(const char *fmt, ...)
{
	char f[4096], *out;
	va_list ap;
	size_t i;

	for (i = 0; fmt[i] && i < sizeof(f) - 1; i++)
		f[i] = fmt[i] == '\'' ? '"' : fmt[i];
	f[i] = 0;
	va_start(ap, fmt);
	UNIT_ASSERT(vasprintf(&out, f, ap) >= 0);
	va_end(ap);
	return out;
}

static void put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(write(fd, data, len), len);
	close(fd);
}

static void put_text(const char *path, const char *text)
{
	put_file(path, text, strlen(text));
}

static const char *at(const char *rel)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", layout, rel);
	return path[k];
}

static const char *blob_path(const char *digest)
{
	static char rel[128];

	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest + 7);
	return at(rel);
}

static struct blob put_blob(const void *data, size_t len)
{
	struct blob b;

	digest_buf(data, len, b.digest);
	b.size = len;
	put_file(blob_path(b.digest), data, len);
	return b;
}

static struct blob put_json(const char *text)
{
	return put_blob(text, strlen(text));
}

/* An OCI image layout in the case's directory, named sub. */
static void new_layout_at(const char *sub)
{
	snprintf(layout, sizeof(layout), "%s/%s", unit_tmpdir(), sub);
	mkdir(layout, 0755);
	mkdir(at("blobs"), 0755);
	mkdir(at("blobs/sha256"), 0755);
	put_text(at("oci-layout"), unit_json("{'imageLayoutVersion':'1.0.0'}"));
}

static void new_layout(void)
{
	new_layout_at("oci");
}

static const char *desc(const char *type, struct blob b, const char *extra)
{
	return js("{'mediaType': '%s', 'digest': '%s', 'size': %zu%s%s}",
		  type, b.digest, b.size, extra ? ", " : "",
		  extra ? extra : "");
}

static const char *named(const char *ref)
{
	return js("'annotations': {'org.opencontainers.image.ref.name': "
		  "'%s'}", ref);
}

static const char *platform(const char *os, const char *arch,
			    const char *variant)
{
	if (variant)
		return js("'platform': {'os': '%s', 'architecture': '%s', "
			  "'variant': '%s'}", os, arch, variant);
	return js("'platform': {'os': '%s', 'architecture': '%s'}", os, arch);
}

static void put_index(const char *manifests)
{
	put_text(at("index.json"), js("{'schemaVersion': 2, 'mediaType': "
				      "'%s', 'manifests': [%s]}", OCI_INDEX,
				      manifests));
}

static struct blob put_config(const char *arch, const char *diff_ids)
{
	return put_json(js("{'architecture': '%s', 'os': 'linux', "
			   "'config': {'Cmd': ['/bin/sh']}, 'rootfs': "
			   "{'type': 'layers', 'diff_ids': [%s]}}", arch,
			   diff_ids));
}

/* A manifest of one layer whose content names arch. */
static struct blob put_image(const char *arch)
{
	const char *data = js("layer for %s", arch);
	struct blob l = put_blob(data, strlen(data)), c;

	c = put_config(arch, js("'%s'", l.digest));
	return put_json(js("{'schemaVersion': 2, 'mediaType': '%s', "
			   "'config': %s, 'layers': [%s]}", OCI_MANIFEST,
			   desc(OCI_CONFIG, c, NULL), desc(OCI_TAR, l, NULL)));
}

static int open_layout(const char *ref, const char *plat, struct image *img)
{
	int fd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	UNIT_ASSERT(fd >= 0);
	r = image_open_layout(fd, ref, plat, img, &e);
	close(fd);
	return r;
}

/* Everything the layout is expected to fail with, as text. */
static const char *layout_fails(const char *ref, const char *plat)
{
	struct image img;
	int r = open_layout(ref, plat, &img);

	UNIT_ASSERT(r < 0);
	UNIT_EQ_INT(r, -e.no);
	image_free(&img);
	return e.msg;
}

static void read_all(struct reader *r, char *buf, size_t size, ssize_t want)
{
	ssize_t n = reader_read_full(r, buf, size, &e);

	if (n < 0 && want >= 0)
		unit_fail(__FILE__, __LINE__, "read: %s", e.msg);
	UNIT_EQ_INT(n, want);
}

UNIT_CASE(layout_full_image)
{
	const char *l1 = "first layer", *l2 = "second layer, gzip'd";
	struct blob b1, b2, c, m;
	struct reader *r;
	struct image img;
	char buf[64] = { 0 };
	char d1[DIGEST_STR_MAX], d2[DIGEST_STR_MAX];

	new_layout();
	b1 = put_blob(l1, strlen(l1));
	b2 = put_blob(l2, strlen(l2));
	/* DiffIDs are the uncompressed tars': any digest will do here. */
	digest_buf("diff1", 5, d1);
	digest_buf("diff2", 5, d2);
	c = put_json(js("{'architecture': 'arm64', 'variant': 'v8', 'os': "
			"'linux', 'config': {'User': '1000:100', "
			"'ExposedPorts': {'80/tcp': {}}, 'Env': ['PATH=/bin', "
			"'A=b'], 'Entrypoint': ['/init', '-v'], 'Cmd': "
			"['serve'], 'Volumes': {'/data': {}}, 'WorkingDir': "
			"'/srv', 'Labels': {'a': '1', 'org.x': 'y z'}, "
			"'StopSignal': 'SIGINT'}, 'rootfs': {'type': 'layers', "
			"'diff_ids': ['%s', '%s']}, 'history': []}", d1, d2));
	m = put_json(js("{'schemaVersion': 2, 'mediaType': '%s', "
			"'config': %s, 'layers': [%s, %s]}", OCI_MANIFEST,
			desc(OCI_CONFIG, c, NULL), desc(OCI_TAR, b1, NULL),
			desc(OCI_GZIP, b2, NULL)));
	put_index(desc(OCI_MANIFEST, m, named("latest")));

	UNIT_EQ_INT(open_layout(NULL, NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m.digest);
	UNIT_EQ_STR(img.config_blob.digest, c.digest);
	UNIT_EQ_UINT(img.config_blob.size, c.size);
	UNIT_EQ_STR(img.config_blob.media_type, OCI_CONFIG);
	UNIT_EQ_INT(img.n_layers, 2);
	UNIT_EQ_STR(img.layers[0].blob.digest, b1.digest);
	UNIT_EQ_UINT(img.layers[0].blob.size, strlen(l1));
	UNIT_EQ_STR(img.layers[0].blob.media_type, OCI_TAR);
	UNIT_EQ_INT(img.layers[0].comp, IMAGE_COMP_NONE);
	UNIT_NULL(img.layers[0].blob.path);
	UNIT_EQ_STR(img.layers[0].diff_id, d1);
	UNIT_EQ_STR(img.layers[1].blob.digest, b2.digest);
	UNIT_EQ_STR(img.layers[1].blob.media_type, OCI_GZIP);
	UNIT_EQ_INT(img.layers[1].comp, IMAGE_COMP_GZIP);
	UNIT_EQ_STR(img.layers[1].diff_id, d2);

	UNIT_EQ_STR(img.config.os, "linux");
	UNIT_EQ_STR(img.config.architecture, "arm64");
	UNIT_EQ_STR(img.config.variant, "v8");
	UNIT_EQ_STR(img.config.entrypoint[0], "/init");
	UNIT_EQ_STR(img.config.entrypoint[1], "-v");
	UNIT_NULL(img.config.entrypoint[2]);
	UNIT_EQ_STR(img.config.cmd[0], "serve");
	UNIT_NULL(img.config.cmd[1]);
	UNIT_EQ_STR(img.config.env[0], "PATH=/bin");
	UNIT_EQ_STR(img.config.env[1], "A=b");
	UNIT_NULL(img.config.env[2]);
	UNIT_EQ_STR(img.config.working_dir, "/srv");
	UNIT_EQ_STR(img.config.user, "1000:100");
	UNIT_EQ_STR(img.config.stop_signal, "SIGINT");
	UNIT_EQ_INT(img.config.n_labels, 2);
	UNIT_EQ_STR(img.config.labels[0].key, "a");
	UNIT_EQ_STR(img.config.labels[0].value, "1");
	UNIT_EQ_STR(img.config.labels[1].key, "org.x");
	UNIT_EQ_STR(img.config.labels[1].value, "y z");

	/* The reader outlives the image and its store. */
	UNIT_EQ_INT(image_layer_open(&img, 1, &r, &e), 0);
	image_free(&img);
	read_all(r, buf, sizeof(buf), strlen(l2));
	UNIT_EQ_STR(buf, l2);
	UNIT_EQ_INT(reader_read(r, buf, sizeof(buf), &e), 0);
	reader_close(r);
}

/* A config with only what is required: every optional field empty. */
UNIT_CASE(layout_config_minimal)
{
	struct blob c, m;
	struct image img;
	const char *text;

	new_layout();
	c = put_json(js("{'architecture': 'amd64', 'os': 'linux', 'config': "
			"{'WorkingDir': '', 'User': ''}, 'rootfs': {'type': "
			"'layers', 'diff_ids': []}}"));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc(OCI_CONFIG, c, NULL)));
	/* index.json as old tools write it: no mediaType. */
	text = js("{'schemaVersion': 2, 'manifests': [%s]}",
		  desc(OCI_MANIFEST, m, NULL));
	put_file(at("index.json"), text, strlen(text));
	UNIT_EQ_INT(open_layout(NULL, NULL, &img), 0);
	UNIT_EQ_INT(img.n_layers, 0);
	UNIT_NULL(img.config.variant);
	UNIT_NULL(img.config.entrypoint[0]);
	UNIT_NULL(img.config.cmd[0]);
	UNIT_NULL(img.config.env[0]);
	UNIT_NULL(img.config.working_dir);
	UNIT_NULL(img.config.user);
	UNIT_NULL(img.config.stop_signal);
	UNIT_EQ_INT(img.config.n_labels, 0);
	image_free(&img);
}

UNIT_CASE(layout_ref_selects)
{
	struct blob a = { "" }, b;
	struct image img;

	new_layout();
	a = put_image("amd64");
	b = put_image("arm64");
	put_index(js("%s, %s", desc(OCI_MANIFEST, a, named("v1")),
		     desc(OCI_MANIFEST, b, named("v2"))));
	UNIT_EQ_INT(open_layout("v2", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, b.digest);
	UNIT_EQ_STR(img.config.architecture, "arm64");
	image_free(&img);
	UNIT_EQ_INT(open_layout("v1", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, a.digest);
	image_free(&img);

	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "index.json: 2 images, choose one by name: v1, v2");
	UNIT_EQ_INT(e.no, EINVAL);
	UNIT_EQ_STR(layout_fails("v3", NULL),
		    "index.json: no image named \"v3\" (there are: v1, v2)");
	UNIT_EQ_INT(e.no, ESRCH);
	put_index(js("%s, %s", desc(OCI_MANIFEST, a, named("v1\\n")),
		     desc(OCI_MANIFEST, b, named("v1\\r"))));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "index.json: 2 images, choose "
		    "one by name: v1\\x0a, v1\\x0d");
}

UNIT_CASE(layout_unnamed_ambiguous)
{
	struct blob a, b;

	new_layout();
	a = put_image("amd64");
	b = put_image("arm64");
	put_index(js("%s, %s", desc(OCI_MANIFEST, a, NULL),
		     desc(OCI_MANIFEST, b, NULL)));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "index.json: 2 manifests, with "
		    "neither names nor platforms to choose one by");
	UNIT_EQ_STR(layout_fails("latest", NULL), "index.json: no image named "
		    "\"latest\" (none has a name)");
}

/* Docker 25 names images in index.json as containerd does. */
UNIT_CASE(layout_ref_containerd_name)
{
	struct blob a, b;
	struct image img;

	new_layout();
	a = put_image("amd64");
	b = put_image("arm64");
	put_index(js("%s, %s", desc(OCI_MANIFEST, a,
				     js("'annotations': {'io.containerd.image."
					"name': 'docker.io/library/busybox:"
					"latest', 'org.opencontainers.image."
					"ref.name': 'latest'}")),
		     desc(OCI_MANIFEST, b, js("'annotations': {'io.containerd."
					      "image.name': 'example.com/app:"
					      "1'}"))));
	UNIT_EQ_INT(open_layout("busybox", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, a.digest);
	image_free(&img);
	UNIT_EQ_INT(open_layout("latest", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, a.digest);
	image_free(&img);
	UNIT_EQ_INT(open_layout("example.com/app:1", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, b.digest);
	image_free(&img);
	UNIT_EQ_STR(layout_fails("app:1", NULL), "index.json: no image named "
		    "\"app:1\" (there are: latest, example.com/app:1)");
}

/* index.json -> a multi-platform index -> one manifest per platform. */
static struct blob put_multi(struct blob m[4])
{
	m[0] = put_image("amd64");
	m[1] = put_image("arm64");
	m[2] = put_image("arm");
	/* What buildx adds for its attestations. */
	m[3] = put_image("unknown");
	return put_json(js("{'schemaVersion': 2, 'mediaType': '%s', "
			   "'manifests': [%s, %s, %s, %s]}", OCI_INDEX,
			   desc(OCI_MANIFEST, m[3], platform("unknown",
							     "unknown",
							     NULL)),
			   desc(OCI_MANIFEST, m[0], platform("linux", "amd64",
							     NULL)),
			   desc(OCI_MANIFEST, m[1], platform("linux", "arm64",
							     "v8")),
			   desc(OCI_MANIFEST, m[2], platform("linux", "arm",
							     "v7"))));
}

UNIT_CASE(layout_nested_platforms)
{
	struct image_platform host;
	struct blob m[4], idx;
	struct image img;
	const char *want = NULL;

	new_layout();
	idx = put_multi(m);
	put_index(desc(OCI_INDEX, idx, named("multi")));

	UNIT_EQ_INT(open_layout("multi", "linux/arm64", &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m[1].digest);
	UNIT_EQ_STR(img.config.architecture, "arm64");
	image_free(&img);
	UNIT_EQ_INT(open_layout(NULL, "linux/arm64/v8", &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m[1].digest);
	image_free(&img);
	UNIT_EQ_INT(open_layout(NULL, "linux/arm/v7", &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m[2].digest);
	image_free(&img);
	UNIT_EQ_INT(open_layout(NULL, "linux/arm", &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m[2].digest);
	image_free(&img);
	UNIT_EQ_INT(open_layout(NULL, "linux/amd64", &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m[0].digest);
	image_free(&img);
	UNIT_EQ_STR(layout_fails(NULL, "linux/s390x"),
		    js("index %s: no manifest for linux/s390x (there are: "
		       "unknown/unknown, linux/amd64, linux/arm64/v8, "
		       "linux/arm/v7)", idx.digest));
	UNIT_EQ_STR(layout_fails(NULL, "linux/arm/v6"),
		    js("index %s: no manifest for linux/arm/v6 (there are: "
		       "unknown/unknown, linux/amd64, linux/arm64/v8, "
		       "linux/arm/v7)", idx.digest));

	/* No platform given: the running machine's. */
	UNIT_EQ_INT(image_platform_host(&host, &e), 0);
	if (!strcmp(host.arch, "amd64"))
		want = m[0].digest;
	else if (!strcmp(host.arch, "arm64"))
		want = m[1].digest;
	else if (!strcmp(host.arch, "arm") && !strcmp(host.variant, "v7"))
		want = m[2].digest;
	if (want) {
		UNIT_EQ_INT(open_layout(NULL, NULL, &img), 0);
		UNIT_EQ_STR(img.manifest_digest, want);
		image_free(&img);
	} else {
		layout_fails(NULL, NULL);
		UNIT_EQ_INT(e.no, ENOENT);
	}
}

/* Docker's media types: a manifest list of schema 2 manifests. */
UNIT_CASE(layout_docker_types)
{
	const char *data = "docker layer";
	struct blob l, c, m, list;
	struct image img;

	new_layout();
	l = put_blob(data, strlen(data));
	c = put_json(js("{'architecture': 'amd64', 'os': 'linux', 'config': "
			"{'Env': ['PATH=/usr/bin'], 'Cmd': null}, 'rootfs': "
			"{'type': 'layers', 'diff_ids': ['%s']}}", l.digest));
	m = put_json(js("{'schemaVersion': 2, 'mediaType': '%s', 'config': "
			"%s, 'layers': [%s]}", DOCKER_MANIFEST,
			desc(DOCKER_CONFIG, c, NULL),
			desc(DOCKER_GZIP, l, NULL)));
	list = put_json(js("{'schemaVersion': 2, 'mediaType': '%s', "
			   "'manifests': [%s]}", DOCKER_LIST,
			   desc(DOCKER_MANIFEST, m, platform("linux", "amd64",
							     NULL))));
	put_index(desc(DOCKER_LIST, list, NULL));
	UNIT_EQ_INT(open_layout(NULL, "linux/amd64", &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m.digest);
	UNIT_EQ_STR(img.config_blob.media_type, DOCKER_CONFIG);
	UNIT_EQ_STR(img.layers[0].blob.media_type, DOCKER_GZIP);
	UNIT_EQ_INT(img.layers[0].comp, IMAGE_COMP_GZIP);
	UNIT_EQ_STR(img.config.env[0], "PATH=/usr/bin");
	UNIT_NULL(img.config.cmd[0]);
	image_free(&img);
}

/* A chain of n indexes, index.json the first. */
static void put_chain(int n)
{
	struct blob b = put_image("amd64");
	const char *type = OCI_MANIFEST;
	int i;

	for (i = 1; i < n; i++) {
		b = put_json(js("{'schemaVersion': 2, 'manifests': [%s]}",
				desc(type, b, NULL)));
		type = OCI_INDEX;
	}
	put_index(desc(type, b, NULL));
}

UNIT_CASE(layout_depth_limit)
{
	struct image img;

	new_layout();
	put_chain(IMAGE_INDEX_DEPTH);
	UNIT_EQ_INT(open_layout(NULL, NULL, &img), 0);
	image_free(&img);
	put_chain(IMAGE_INDEX_DEPTH + 1);
	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "index.json: indexes nested more than 8 deep");
	UNIT_EQ_INT(e.no, ELOOP);
}

UNIT_CASE(layout_bad_digests)
{
	struct blob m, bad = { "sha256:abc", 10 };
	struct blob sha512 = { "sha512:0123", 10 };
	struct blob upper = { "sha256:0123456789ABCDEF0123456789abcdef0123"
			      "456789abcdef0123456789abcdef", 10 };

	new_layout();
	put_index(desc(OCI_MANIFEST, bad, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "index.json: manifests[0]."
		    "digest: invalid digest \"sha256:abc\"");
	put_index(js("%s, %s", desc(OCI_MANIFEST, put_image("amd64"), NULL),
		     desc(OCI_MANIFEST, sha512, NULL)));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "index.json: manifests[1]."
		    "digest: sha512: unsupported digest algorithm");
	put_index(desc(OCI_MANIFEST, upper, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("index.json: manifests[0]."
		    "digest: invalid digest '%s'", upper.digest));

	/* In a manifest, and in a config. */
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': [%s, "
			"%s]}", desc(OCI_CONFIG, put_config("amd64", ""), NULL),
			desc(OCI_TAR, put_blob("x", 1), NULL),
			desc(OCI_TAR, bad, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: layers[1]."
		    "digest: invalid digest 'sha256:abc'", m.digest));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc(OCI_CONFIG, put_config("amd64", js("'sha256:x'")),
			     NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("config %s: rootfs.diff_ids"
		    "[0]: invalid digest 'sha256:x'",
		    put_config("amd64", js("'sha256:x'")).digest));
}

UNIT_CASE(layout_size_and_digest_mismatch)
{
	struct blob m = { "" }, wrong;
	char *text;
	size_t len;

	new_layout();
	m = put_image("amd64");
	wrong = m;
	wrong.size++;
	put_index(desc(OCI_MANIFEST, wrong, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: %zu bytes, "
		    "but its descriptor says %zu", m.digest + 7, m.size,
		    m.size + 1));

	/* The same size, other content. */
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_INT(read_file_at(AT_FDCWD, blob_path(m.digest), 1 << 20, &text,
				 &len), 0);
	text[len - 1] = ' ';
	put_file(blob_path(m.digest), text, len);
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: digest "
		    "mismatch: content is %s", m.digest,
		    (digest_buf(text, len, wrong.digest), wrong.digest)));
	free(text);
}

/* Refused from its descriptor's size alone: nothing is read. */
UNIT_CASE(layout_json_too_large)
{
	struct blob big = { "sha256:0123456789abcdef0123456789abcdef0123456789"
			    "abcdef0123456789abcdef", 5 << 20 };

	new_layout();
	put_index(desc(OCI_MANIFEST, big, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: 5242880 bytes, "
		    "more than the 4194304 allowed", big.digest));
	UNIT_EQ_INT(e.no, EFBIG);
}

UNIT_CASE(layout_diff_ids_count)
{
	struct blob c, m, l1, l2;

	new_layout();
	l1 = put_blob("a", 1);
	l2 = put_blob("b", 1);
	c = put_config("amd64", js("'%s'", l1.digest));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': [%s, "
			"%s]}", desc(OCI_CONFIG, c, NULL),
			desc(OCI_TAR, l1, NULL), desc(OCI_TAR, l2, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("config %s: rootfs.diff_ids: "
		    "1 DiffIDs for the 2 layers of manifest %s", c.digest,
		    m.digest));
}

UNIT_CASE(layout_bad_config)
{
	struct blob c, m;

	new_layout();
	c = put_json(js("{'architecture': 'amd64', 'os': 'linux', 'rootfs': "
			"{'type': 'tar', 'diff_ids': []}}"));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc(OCI_CONFIG, c, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("config %s: rootfs.type: "
		    "'tar': expected 'layers'", c.digest));

	c = put_json(js("{'architecture': 'amd64', 'config': {}, 'rootfs': "
			"{'type': 'layers', 'diff_ids': []}}"));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc(OCI_CONFIG, c, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("config %s: os: missing",
						 c.digest));

	c = put_json(js("{'architecture': 'amd64', 'os': 'linux', 'config': "
			"{'Labels': {'a': 1}, 'Env': 'A=b'}, 'rootfs': "
			"{'type': 'layers', 'diff_ids': []}}"));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc(OCI_CONFIG, c, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("config %s: config.Env: "
		    "expected array of strings", c.digest));

	c = put_json(js("{'architecture': 'amd64', 'os': 'linux', 'config': "
			"{'Labels': {'a': 1}}, 'rootfs': {'type': 'layers', "
			"'diff_ids': []}}"));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc(OCI_CONFIG, c, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("config %s: config.Labels.a: "
		    "expected string", c.digest));
}

/* openat2(2) RESOLVE_BENEATH here, or the component walk. */
static int have_openat2(void)
{
	struct sys_open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = SYS_RESOLVE_BENEATH,
	};
	int fd = sys_openat2(AT_FDCWD, ".", &how);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

UNIT_CASE(layout_symlink_escape)
{
	char outside[256], target[300];
	struct blob m;
	struct image img;
	char *text;
	size_t len;

	new_layout();
	m = put_image("amd64");
	put_index(desc(OCI_MANIFEST, m, NULL));
	/* The same bytes outside the layout, the blob a link to them. */
	UNIT_EQ_INT(read_file_at(AT_FDCWD, blob_path(m.digest), 1 << 20, &text,
				 &len), 0);
	snprintf(outside, sizeof(outside), "%s/outside", unit_tmpdir());
	put_file(outside, text, len);
	free(text);
	UNIT_EQ_INT(unlink(blob_path(m.digest)), 0);
	UNIT_EQ_INT(symlink("../../../outside", blob_path(m.digest)), 0);
	if (have_openat2())
		UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: "
			    "resolves out of the image layout", m.digest + 7));
	else
		UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: a "
			    "symbolic link, not followed", m.digest + 7));
	UNIT_EQ_INT(unlink(blob_path(m.digest)), 0);
	UNIT_EQ_INT(symlink(outside, blob_path(m.digest)), 0);
	layout_fails(NULL, NULL);
	UNIT_EQ_INT(e.no, have_openat2() ? EXDEV : ELOOP);

	/* A link inside the layout is followed where openat2 can tell. */
	UNIT_EQ_INT(unlink(blob_path(m.digest)), 0);
	UNIT_EQ_INT(rename(outside, at("manifest")), 0);
	UNIT_EQ_INT(symlink("../../manifest", blob_path(m.digest)), 0);
	if (have_openat2()) {
		UNIT_EQ_INT(open_layout(NULL, NULL, &img), 0);
		image_free(&img);
	}

	/* A directory on the way that leads out. */
	snprintf(target, sizeof(target), "%s/blobs", unit_tmpdir());
	UNIT_EQ_INT(rename(at("blobs"), target), 0);
	UNIT_EQ_INT(symlink(target, at("blobs")), 0);
	if (have_openat2())
		UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: "
			    "resolves out of the image layout", m.digest + 7));
	else
		UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: a "
			    "symbolic link, not followed", m.digest + 7));
}

UNIT_CASE(layout_missing_and_odd_blobs)
{
	struct blob m;

	new_layout();
	m = put_image("amd64");
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_INT(unlink(blob_path(m.digest)), 0);
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: No such "
		    "file or directory", m.digest + 7));
	UNIT_EQ_INT(e.no, ENOENT);
	/* A FIFO would hang a plain open. */
	UNIT_EQ_INT(mkfifo(blob_path(m.digest), 0644), 0);
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: not a "
		    "regular file", m.digest + 7));
	UNIT_EQ_INT(unlink(blob_path(m.digest)), 0);
	UNIT_EQ_INT(mkdir(blob_path(m.digest), 0755), 0);
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("blobs/sha256/%s: not a "
		    "regular file", m.digest + 7));
}

UNIT_CASE(layout_media_types)
{
	struct blob c, l, m, m2;
	const char *nd = "application/vnd.oci.image.layer.nondistributable."
			 "v1.tar+gzip";

	new_layout();
	l = put_blob("l", 1);
	c = put_config("amd64", js("'%s'", l.digest));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': [%s]}",
			desc(OCI_CONFIG, c, NULL), desc(nd, l, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: layers[0]."
		    "mediaType: '%s': non-distributable layers are not "
		    "supported", m.digest, nd));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': [%s]}",
			desc(OCI_CONFIG, c, NULL), desc(
			"application/vnd.docker.image.rootfs.foreign.diff.tar."
			"gzip", l, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: layers[0]."
		    "mediaType: 'application/vnd.docker.image.rootfs.foreign."
		    "diff.tar.gzip': foreign layers are not supported",
		    m.digest));
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': [%s]}",
			desc(OCI_CONFIG, c, NULL),
			desc("application/x-foo", l, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: layers[0]."
		    "mediaType: 'application/x-foo': unsupported layer media "
		    "type", m.digest));

	/* What the image says is echoed without its control bytes. */
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': [%s]}",
			desc(OCI_CONFIG, c, NULL),
			desc("application/x\\u001b[2J\\n", l, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: layers[0]."
		    "mediaType: 'application/x\\x1b[2J\\x0a': unsupported "
		    "layer media type", m.digest));

	/* An artifact, not an image. */
	m = put_json(js("{'schemaVersion': 2, 'config': %s, 'layers': []}",
			desc("application/vnd.oci.empty.v1+json", c, NULL)));
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: config."
		    "mediaType: 'application/vnd.oci.empty.v1+json': not a "
		    "container image config", m.digest));

	put_index(desc("application/vnd.docker.distribution.manifest.v1+"
		       "prettyjws", m, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "index.json: manifests[0]."
		    "mediaType: \"application/vnd.docker.distribution.manifest"
		    ".v1+prettyjws\": Docker schema 1 manifests are not "
		    "supported");
	put_index(desc(OCI_CONFIG, c, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "index.json: manifests[0]."
		    "mediaType: \"" OCI_CONFIG "\": not an image index or "
		    "manifest");

	/* What the document says it is must be what it was taken for. */
	m2 = put_json(js("{'schemaVersion': 2, 'mediaType': '%s', "
			 "'manifests': []}", OCI_INDEX));
	put_index(desc(OCI_MANIFEST, m2, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: mediaType: "
		    "'%s', but its descriptor says '%s'", m2.digest,
		    OCI_INDEX, OCI_MANIFEST));
	m2 = put_json(js("{'schemaVersion': 1, 'config': %s, 'layers': []}",
			 desc(OCI_CONFIG, c, NULL)));
	put_index(desc(OCI_MANIFEST, m2, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("manifest %s: schemaVersion: "
		    "1: unsupported (2 only)", m2.digest));
	m2 = put_json(js("{'schemaVersion': 2, 'manifests': []}"));
	put_index(desc(OCI_INDEX, m2, NULL));
	UNIT_EQ_STR(layout_fails(NULL, NULL), js("index %s: manifests: empty",
						 m2.digest));
}

/* A layer is checked as it is read: the error comes instead of the end. */
UNIT_CASE(layout_layer_verified)
{
	struct blob m;
	struct reader *r;
	struct image img;
	char buf[DIGEST_STR_MAX];
	const char *data = "layer for amd64";

	new_layout();
	m = put_image("amd64");
	put_index(desc(OCI_MANIFEST, m, NULL));
	UNIT_EQ_INT(open_layout(NULL, NULL, &img), 0);
	put_file(blob_path(img.layers[0].blob.digest), "LAYER FOR AMD64", 15);
	UNIT_EQ_INT(image_layer_open(&img, 0, &r, &e), 0);
	read_all(r, buf, sizeof(buf), -EINVAL);
	UNIT_EQ_STR(e.msg, js("layer %s: digest mismatch: content is %s",
			      img.layers[0].blob.digest,
			      (digest_buf("LAYER FOR AMD64", 15, buf), buf)));
	reader_close(r);

	put_file(blob_path(img.layers[0].blob.digest), data, 5);
	UNIT_EQ_INT(image_layer_open(&img, 0, &r, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, js("blobs/sha256/%s: 5 bytes, but its descriptor "
			      "says 15", img.layers[0].blob.digest + 7));
	put_file(blob_path(img.layers[0].blob.digest), data, strlen(data));
	UNIT_EQ_INT(image_layer_open(&img, 0, &r, &e), 0);
	read_all(r, buf, sizeof(buf), strlen(data));
	reader_close(r);
	image_free(&img);
}

UNIT_CASE(layout_version)
{
	new_layout();
	put_index(desc(OCI_MANIFEST, put_image("amd64"), NULL));
	put_text(at("oci-layout"), unit_json("{'imageLayoutVersion':'2.0.0'}"));
	UNIT_EQ_STR(layout_fails(NULL, NULL), "oci-layout: imageLayoutVersion:"
		    " \"2.0.0\": unsupported (1.x only)");
	put_file(at("oci-layout"), "{}", 2);
	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "oci-layout: imageLayoutVersion: missing");
	UNIT_EQ_INT(unlink(at("oci-layout")), 0);
	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "oci-layout: No such file or directory");
	put_text(at("oci-layout"), unit_json("{'imageLayoutVersion':'1.1.0'}"));
	UNIT_EQ_INT(unlink(at("index.json")), 0);
	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "index.json: No such file or directory");
	put_file(at("index.json"), "{\"schemaVersion\": 2,", 20);
	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "index.json: invalid JSON at line 1, column 20");
}

/* A platform asked for is checked against the config too. */
UNIT_CASE(layout_platform_of_single_image)
{
	char config[DIGEST_STR_MAX];
	struct image img;

	new_layout();
	put_index(desc(OCI_MANIFEST, put_image("arm64"), NULL));
	UNIT_EQ_INT(open_layout(NULL, "linux/arm64/v8", &img), 0);
	strcpy(config, img.config_blob.digest);
	image_free(&img);
	UNIT_EQ_STR(layout_fails(NULL, "linux/amd64"), js("config %s: the "
		    "image is for linux/arm64, not linux/amd64", config));
	UNIT_EQ_STR(layout_fails(NULL, "amd64"),
		    "platform \"amd64\": expected os/arch[/variant]");
}

UNIT_CASE(platform_of_machine)
{
	static const char *const cases[][2] = {
		{ "x86_64", "linux/amd64" },
		{ "aarch64", "linux/arm64/v8" },
		{ "armv7l", "linux/arm/v7" },
		{ "armv6l", "linux/arm/v6" },
		{ "armv8l", "linux/arm/v7" },
		{ "i686", "linux/386" },
		{ "riscv64", "linux/riscv64" },
		{ "ppc64le", "linux/ppc64le" },
		{ "s390x", "linux/s390x" },
		{ "loongarch64", "linux/loong64" },
	};
	struct image_platform p;
	char s[IMAGE_PLATFORM_MAX];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		UNIT_EQ_INT(image_platform_of_machine(cases[i][0], &p), 0);
		image_platform_format(&p, s);
		UNIT_EQ_STR(s, cases[i][1]);
	}
	UNIT_EQ_INT(image_platform_of_machine("pdp11", &p), -ENOENT);
	UNIT_EQ_INT(image_platform_of_machine("mips64", &p), 0);
	UNIT_ASSERT(!strcmp(p.arch, "mips64") || !strcmp(p.arch, "mips64le"));
}

UNIT_CASE(platform_parse_and_match)
{
	struct image_platform p;

	UNIT_EQ_INT(image_platform_parse("linux/arm/v7", &p, &e), 0);
	UNIT_EQ_STR(p.os, "linux");
	UNIT_EQ_STR(p.arch, "arm");
	UNIT_EQ_STR(p.variant, "v7");
	UNIT_ASSERT(image_platform_match(&p, "linux", "arm", "v7"));
	/* A plain arm is v7. */
	UNIT_ASSERT(image_platform_match(&p, "linux", "arm", NULL));
	UNIT_ASSERT(!image_platform_match(&p, "linux", "arm", "v6"));
	UNIT_ASSERT(!image_platform_match(&p, "linux", "arm64", "v7"));
	UNIT_EQ_INT(image_platform_parse("linux/arm64/v8", &p, &e), 0);
	UNIT_ASSERT(image_platform_match(&p, "linux", "arm64", NULL));
	UNIT_ASSERT(image_platform_match(&p, "linux", "arm64", ""));
	UNIT_ASSERT(!image_platform_match(&p, "windows", "arm64", "v8"));
	UNIT_EQ_INT(image_platform_parse("linux/amd64", &p, &e), 0);
	UNIT_EQ_STR(p.variant, "");
	UNIT_ASSERT(image_platform_match(&p, "linux", "amd64", "v3"));

	UNIT_EQ_INT(image_platform_parse("linux", &p, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "platform \"linux\": expected os/arch[/variant]");
	UNIT_EQ_INT(image_platform_parse("linux/arm/v7/x", &p, &e), -EINVAL);
	UNIT_EQ_INT(image_platform_parse("/amd64", &p, &e), -EINVAL);
	UNIT_EQ_INT(image_platform_parse("linux/", &p, &e), -EINVAL);
	UNIT_EQ_INT(image_platform_parse("linux/arm/", &p, &e), -EINVAL);
	UNIT_EQ_INT(image_platform_parse("linux/0123456789012345678901234567"
					 "890123", &p, &e), -EINVAL);
}

UNIT_CASE(ref_equal)
{
	UNIT_ASSERT(image_ref_equal("busybox", "busybox:latest"));
	UNIT_ASSERT(image_ref_equal("busybox", "docker.io/library/busybox"));
	UNIT_ASSERT(image_ref_equal("docker.io/library/busybox:latest",
				    "library/busybox"));
	UNIT_ASSERT(image_ref_equal("index.docker.io/user/app:1",
				    "user/app:1"));
	UNIT_ASSERT(image_ref_equal("localhost:5000/app", "localhost:5000/app"
				    ":latest"));
	UNIT_ASSERT(!image_ref_equal("busybox:1", "busybox"));
	UNIT_ASSERT(!image_ref_equal("example.com/busybox", "busybox"));
	UNIT_ASSERT(!image_ref_equal("user/app", "app"));
	UNIT_ASSERT(!image_ref_equal("a/library/b", "a/b"));
}

UNIT_CASE(verify_reader)
{
	char d[DIGEST_STR_MAX], buf[16];
	struct reader *r;

	digest_buf("abcdef", 6, d);
	r = image_verify_reader(reader_mem("abcdef", 6), d, 6, "blob x");
	read_all(r, buf, sizeof(buf), 6);
	UNIT_EQ_INT(reader_read(r, buf, sizeof(buf), &e), 0);
	reader_close(r);
	r = image_verify_reader(reader_mem("abcdef", 6), d, 7, "blob x");
	read_all(r, buf, sizeof(buf), -EINVAL);
	UNIT_EQ_STR(e.msg, "blob x: 6 bytes, fewer than the 7 its descriptor "
		    "says");
	reader_close(r);
	r = image_verify_reader(reader_mem("abcdefgh", 8), d, 6, "blob x");
	read_all(r, buf, sizeof(buf), -EINVAL);
	UNIT_EQ_STR(e.msg, "blob x: more than the 6 bytes its descriptor says");
	reader_close(r);
	r = image_verify_reader(reader_mem("abcdeF", 6), d, IMAGE_SIZE_ANY,
				"blob x");
	read_all(r, buf, sizeof(buf), -EINVAL);
	digest_buf("abcdeF", 6, d);
	UNIT_EQ_STR(e.msg, js("blob x: digest mismatch: content is %s", d));
	reader_close(r);
	/* Neither to check: a counting pass-through. */
	r = image_verify_reader(reader_mem("abc", 3), "", IMAGE_SIZE_ANY, "y");
	read_all(r, buf, sizeof(buf), 3);
	reader_close(r);
}

/* A store of blobs in memory, as a registry client would be. */
struct mem_store {
	struct image_store s;
	const char *digest[4], *text[4];
	int closed;
};

static int mem_open(struct image_store *s, const struct image_blob *b,
		    struct reader **out, struct err *e)
{
	struct mem_store *m = (struct mem_store *)s;
	int i;

	for (i = 0; i < 4 && m->digest[i]; i++) {
		if (strcmp(m->digest[i], b->digest))
			continue;
		*out = reader_mem(m->text[i], strlen(m->text[i]));
		return 0;
	}
	return err_msg(e, ENOENT, "%s: not found", b->digest);
}

static void mem_close(struct image_store *s)
{
	((struct mem_store *)s)->closed++;
}

UNIT_CASE(resolve_from_manifest)
{
	struct mem_store m = { { mem_open, mem_close } };
	char dc[DIGEST_STR_MAX], dl[DIGEST_STR_MAX], dm[DIGEST_STR_MAX];
	const char *config, *manifest;
	struct image img;

	digest_buf("L", 1, dl);
	config = js("{'architecture': 'amd64', 'os': 'linux', 'rootfs': "
		    "{'type': 'layers', 'diff_ids': ['%s']}}", dl);
	digest_buf(config, strlen(config), dc);
	m.digest[0] = dc;
	m.text[0] = config;
	manifest = js("{'schemaVersion': 2, 'mediaType': '%s', 'config': "
		      "{'mediaType': '%s', 'digest': '%s', 'size': %zu}, "
		      "'layers': [{'mediaType': '%s', 'digest': '%s', "
		      "'size': 1}]}", DOCKER_MANIFEST, DOCKER_CONFIG, dc,
		      strlen(config), DOCKER_GZIP, dl);
	digest_buf(manifest, strlen(manifest), dm);
	UNIT_EQ_INT(image_resolve(&m.s, "example.com/app:1", manifest,
				  strlen(manifest), NULL, "linux/amd64", &img,
				  &e), 0);
	UNIT_EQ_STR(img.manifest_digest, dm);
	UNIT_EQ_STR(img.layers[0].diff_id, dl);
	UNIT_EQ_INT(m.closed, 0);
	image_free(&img);
	UNIT_EQ_INT(m.closed, 1);

	/* On failure the store stays the caller's. */
	UNIT_EQ_INT(image_resolve(&m.s, "example.com/app:1", manifest,
				  strlen(manifest), "v1", NULL, &img, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "example.com/app:1: a manifest, not an index: no "
		    "names to find \"v1\" by");
	UNIT_EQ_INT(m.closed, 1);
	image_free(&img);
	m.digest[0] = NULL;
	UNIT_EQ_INT(image_resolve(&m.s, "example.com/app:1", manifest,
				  strlen(manifest), NULL, NULL, &img, &e),
		    -ENOENT);
	UNIT_EQ_STR(e.msg, js("%s: not found", dc));
	UNIT_EQ_INT(m.closed, 1);
	UNIT_EQ_INT(image_resolve(&m.s, "x", "{}", 2, NULL, NULL, &img, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "x: neither an image index nor a manifest");
}

/* docker save archives, made by GNU tar of files the test writes. */

static char save[128];

static void new_save(void)
{
	snprintf(save, sizeof(save), "%s/save", unit_tmpdir());
	UNIT_EQ_INT(mkdir(save, 0755), 0);
}

/* save/rel, its parent directories made on the way. */
static const char *in_save(const char *rel)
{
	static char path[512];
	char *p;

	snprintf(path, sizeof(path), "%s/%s", save, rel);
	for (p = path + strlen(save) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	return path;
}

static void put_member(const char *rel, const char *data)
{
	put_text(in_save(rel), data);
}

/* The archive of members (relative to save), as tar --format=format. */
static const char *make_archive(const char *format, const char *members)
{
	static char tarball[160];
	char cmd[4096];

	snprintf(tarball, sizeof(tarball), "%s/save.tar", unit_tmpdir());
	unlink(tarball);
	snprintf(cmd, sizeof(cmd), "tar --format=%s -cf %s -C %s %s", format,
		 tarball, save, members);
	UNIT_EQ_INT(system(cmd), 0);
	return tarball;
}

static int open_archive(const char *path, const char *ref, const char *plat,
			struct image *img)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	UNIT_ASSERT(fd >= 0);
	r = image_open_archive(fd, "save.tar", ref, plat, img, &e);
	close(fd);
	return r;
}

static const char *archive_fails(const char *path, const char *ref)
{
	struct image img;
	int r = open_archive(path, ref, NULL, &img);

	UNIT_ASSERT(r < 0);
	UNIT_EQ_INT(r, -e.no);
	image_free(&img);
	return e.msg;
}

/* A legacy config of the layers whose data is given: "<hex>.json". */
static const char *legacy_config(const char *arch, const char *const *data,
				 size_t n)
{
	char ids[1024] = "", d[DIGEST_STR_MAX];
	const char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		digest_buf(data[i], strlen(data[i]), d);
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
			 "%s\"%s\"", i ? ", " : "", d);
	}
	text = js("{'architecture': '%s', 'os': 'linux', 'config': {'Cmd': "
		  "['/bin/%s']}, 'rootfs': {'type': 'layers', 'diff_ids': "
		  "[%s]}}", arch, arch, ids);
	digest_buf(text, strlen(text), d);
	put_member(js("%s.json", d + 7), text);
	return js("%s.json", d + 7);
}

/* Read all of layer i and check its DiffID over it. */
static void read_layer(struct image *img, size_t i, const char *want)
{
	struct reader *r;
	char buf[256] = { 0 };

	UNIT_EQ_INT(image_layer_open(img, i, &r, &e), 0);
	r = image_verify_reader(r, img->layers[i].diff_id, IMAGE_SIZE_ANY,
				"DiffID");
	UNIT_NOT_NULL(r);
	read_all(r, buf, sizeof(buf) - 1, strlen(want));
	UNIT_EQ_STR(buf, want);
	reader_close(r);
}

/* Two images, three layers, one of them saved twice (a link). */
static const char *legacy_archive(const char *format, const char **cfg)
{
	static const char *const l1[] = { "base layer", "top layer" };
	static const char *const l2[] = { "base layer" };
	/* Longer than ustar's 100 bytes: a GNU long name or a pax path. */
	const char *id3 = "3333333333333333333333333333333333333333333333333"
			  "33333333333333333333333333333333333333333333333333"
			  "3333333333333333";

	new_save();
	put_member("1111/layer.tar", l1[0]);
	put_member("2222/layer.tar", l1[1]);
	put_member("1111/json", "{}");
	put_member("repositories", "{}");
	cfg[0] = legacy_config("amd64", l1, 2);
	cfg[1] = legacy_config("arm64", l2, 1);
	in_save(js("%s/layer.tar", id3));
	UNIT_EQ_INT(symlink("../1111/layer.tar",
			    in_save(js("%s/layer.tar", id3))), 0);
	put_member("manifest.json", js("[{'Config': '%s', 'RepoTags': "
		   "['busybox:latest'], 'Layers': ['1111/layer.tar', "
		   "'./2222/layer.tar']}, {'Config': '%s', 'RepoTags': "
		   "['app:1', 'docker.io/library/app:latest'], 'Layers': "
		   "['%s/layer.tar']}]", cfg[0], cfg[1], id3));
	return make_archive(format, js("1111 2222 %s %s %s repositories "
				       "manifest.json", id3, cfg[0], cfg[1]));
}

static void check_legacy(const char *format)
{
	char d[DIGEST_STR_MAX], text[2048];
	const char *tarball, *cfg[2];
	struct image img;
	ssize_t n;

	tarball = legacy_archive(format, cfg);
	UNIT_EQ_INT(open_archive(tarball, "busybox", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, "");
	UNIT_EQ_STR(img.config_blob.path, cfg[0]);
	n = read_file_into_at(AT_FDCWD, in_save(cfg[0]), text, sizeof(text));
	UNIT_ASSERT(n > 0);
	digest_buf(text, n, d);
	UNIT_EQ_STR(img.config_blob.digest, d);
	UNIT_EQ_STR(img.config.cmd[0], "/bin/amd64");
	UNIT_EQ_INT(img.n_layers, 2);
	UNIT_EQ_STR(img.layers[0].blob.path, "1111/layer.tar");
	UNIT_EQ_STR(img.layers[0].blob.digest, "");
	UNIT_NULL(img.layers[0].blob.media_type);
	UNIT_EQ_INT(img.layers[0].comp, IMAGE_COMP_UNKNOWN);
	UNIT_EQ_UINT(img.layers[0].blob.size, 10);
	UNIT_EQ_STR(img.layers[1].blob.path, "2222/layer.tar");
	digest_buf("top layer", 9, d);
	UNIT_EQ_STR(img.layers[1].diff_id, d);
	read_layer(&img, 0, "base layer");
	read_layer(&img, 1, "top layer");
	image_free(&img);

	/* Through a link with a long name. */
	UNIT_EQ_INT(open_archive(tarball, "docker.io/library/app:1", NULL,
				 &img), 0);
	UNIT_EQ_STR(img.config.architecture, "arm64");
	UNIT_EQ_INT(img.n_layers, 1);
	read_layer(&img, 0, "base layer");
	image_free(&img);
	UNIT_EQ_INT(open_archive(tarball, "app", "linux/arm64", &img), 0);
	image_free(&img);
	UNIT_EQ_INT(open_archive(tarball, "app", "linux/amd64", &img),
		    -ENOENT);
	UNIT_EQ_STR(e.msg, js("%s: the image is for linux/arm64, not "
			      "linux/amd64", cfg[1]));

	UNIT_EQ_STR(archive_fails(tarball, NULL), "manifest.json: 2 images, "
		    "choose one by tag: busybox:latest, app:1, "
		    "docker.io/library/app:latest");
	UNIT_EQ_STR(archive_fails(tarball, "app:2"), "manifest.json: no image "
		    "tagged \"app:2\" (there are: busybox:latest, app:1, "
		    "docker.io/library/app:latest)");
	UNIT_EQ_INT(e.no, ESRCH);
}

UNIT_CASE(choice_lists)
{
	char list[32] = "";

	image_list_add(list, sizeof(list), "a");
	image_list_add(list, sizeof(list), "");
	image_list_add(list, sizeof(list), "a");
	image_list_add(list, sizeof(list), "b\n");
	UNIT_EQ_STR(list, "a, b\\x0a");
	image_list_add(list, sizeof(list), "ab");
	image_list_add(list, sizeof(list), "0123456789012345678");
	UNIT_EQ_STR(list, "a, b\\x0a, ab, ...");
	image_list_add(list, sizeof(list), "c");
	UNIT_EQ_STR(list, "a, b\\x0a, ab, ...");
}

UNIT_CASE(archive_legacy_gnu)
{
	check_legacy("gnu");
}

UNIT_CASE(archive_legacy_pax)
{
	check_legacy("pax");
}

/* save.tar of one image: config cfg, Layers as given, files already in. */
static const char *one_image(const char *cfg, const char *layers,
			     const char *members)
{
	put_member("manifest.json", js("[{'Config': '%s', 'RepoTags': null, "
				       "'Layers': [%s]}]", cfg, layers));
	return make_archive("gnu", js("manifest.json %s %s", cfg, members));
}

UNIT_CASE(archive_legacy_hostile)
{
	static const char *const data[] = { "a layer" };
	const char *cfg, *tarball, *text;
	char d[DIGEST_STR_MAX], path[512];
	struct image img;

	new_save();
	put_member("l/layer.tar", data[0]);
	cfg = legacy_config("amd64", data, 1);

	tarball = one_image(cfg, js("'../l/layer.tar'"), "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL), "manifest.json: [0].Layers"
		    "[0]: \"../l/layer.tar\": \"..\" leads out of the archive");
	tarball = one_image(cfg, js("'l/../../l/layer.tar'"), "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL), "manifest.json: [0].Layers"
		    "[0]: \"l/../../l/layer.tar\": \"..\" leads out of the "
		    "archive");
	tarball = one_image(cfg, js("'/l/layer.tar'"), "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL), "manifest.json: [0].Layers"
		    "[0]: \"/l/layer.tar\": an absolute path");
	tarball = one_image(cfg, js("'m/layer.tar'"), "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL),
		    "m/layer.tar: not in the archive");
	UNIT_EQ_INT(e.no, ENOENT);
	tarball = one_image(cfg, js("'l/layer.tar', 'l/layer.tar'"), "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL), js("manifest.json: [0]."
		    "Layers: 2 layers, but %s has 1 DiffIDs", cfg));
	tarball = one_image(cfg, "7", "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL),
		    "manifest.json: [0].Layers[0]: expected string");
	tarball = one_image(cfg, js("'l/\\u001b[2J'"), "l");
	UNIT_EQ_STR(archive_fails(tarball, NULL), "manifest.json: [0].Layers"
		    "[0]: \"l/\\x1b[2J\": a control character in a member "
		    "name");
	put_member("manifest.json", js("[{'Config': '../%s', 'Layers': []}]",
				       cfg));
	tarball = make_archive("gnu", "manifest.json");
	UNIT_EQ_STR(archive_fails(tarball, NULL), js("manifest.json: [0]."
		    "Config: '../%s': '..' leads out of the archive", cfg));

	/* A hard link is the member it names. */
	snprintf(path, sizeof(path), "%s", in_save("h/layer.tar"));
	UNIT_EQ_INT(link(in_save("l/layer.tar"), path), 0);
	tarball = one_image(cfg, js("'h/layer.tar'"), "l h");
	UNIT_EQ_INT(open_archive(tarball, NULL, NULL, &img), 0);
	read_layer(&img, 0, data[0]);
	image_free(&img);

	/* Links that lead out, or round. */
	in_save("x/layer.tar");
	UNIT_EQ_INT(symlink("../../outside/layer.tar",
			    in_save("x/layer.tar")), 0);
	in_save("y/layer.tar");
	UNIT_EQ_INT(symlink("/l/layer.tar", in_save("y/layer.tar")), 0);
	in_save("z/layer.tar");
	UNIT_EQ_INT(symlink("layer.tar", in_save("z/layer.tar")), 0);
	tarball = one_image(cfg, js("'x/layer.tar'"), "l x");
	UNIT_EQ_STR(archive_fails(tarball, NULL),
		    "x/layer.tar: a link out of the archive");
	tarball = one_image(cfg, js("'y/layer.tar'"), "l y");
	UNIT_EQ_STR(archive_fails(tarball, NULL),
		    "y/layer.tar: a link out of the archive");
	tarball = one_image(cfg, js("'z/layer.tar'"), "l z");
	UNIT_EQ_STR(archive_fails(tarball, NULL),
		    "z/layer.tar: more than 16 links");
	UNIT_EQ_INT(e.no, ELOOP);

	/* A config whose name is not its digest. */
	text = js("{'architecture': 'amd64', 'os': 'linux', 'rootfs': "
		  "{'type': 'layers', 'diff_ids': []}}");
	put_text(in_save(cfg), text);
	tarball = one_image(cfg, "", "");
	digest_buf(text, strlen(text), d);
	UNIT_EQ_STR(archive_fails(tarball, NULL), js("%s: digest mismatch: "
		    "content is %s", cfg, d));
}

UNIT_CASE(archive_not_docker)
{
	const char *tarball;
	struct image img;
	int fds[2];

	new_save();
	put_member("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	tarball = make_archive("gnu", "etc");
	UNIT_EQ_STR(archive_fails(tarball, NULL), "save.tar: not a docker "
		    "save archive (no index.json or manifest.json)");
	UNIT_EQ_INT(e.no, ENOMSG);
	UNIT_EQ_INT(pipe(fds), 0);
	UNIT_EQ_INT(image_open_archive(fds[0], "-", NULL, NULL, &img, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "-: not a regular file (a docker save archive is "
		    "read in place)");
	close(fds[0]);
	close(fds[1]);
	/* Not a tar at all. */
	put_file(tarball, js("{'a': 1}"), 8);
	archive_fails(tarball, NULL);
	UNIT_EQ_INT(strncmp(e.msg, "tar: ", 5), 0);
}

UNIT_CASE(archive_member_twice)
{
	const char *tarball;
	char cmd[1024];

	new_save();
	put_member("manifest.json", "[]");
	tarball = make_archive("gnu", "manifest.json");
	snprintf(cmd, sizeof(cmd), "tar -rf %s -C %s manifest.json", tarball,
		 save);
	UNIT_EQ_INT(system(cmd), 0);
	UNIT_EQ_STR(archive_fails(tarball, NULL),
		    "save.tar: manifest.json: in the archive twice");
	tarball = make_archive("gnu", "manifest.json");
	UNIT_EQ_STR(archive_fails(tarball, NULL), "manifest.json: no images");
}

/* Docker 25: an OCI layout, and a manifest.json beside it. */
UNIT_CASE(archive_docker25)
{
	struct blob m, c, l;
	const char *tarball, *data = "layer for amd64";
	char d[DIGEST_STR_MAX];
	struct image img;

	new_save();
	new_layout_at("save");
	m = put_image("amd64");
	put_index(desc(OCI_MANIFEST, m, js("'annotations': {'io.containerd."
					   "image.name': 'docker.io/library/"
					   "busybox:latest', 'org."
					   "opencontainers.image.ref.name': "
					   "'latest'}")));
	digest_buf(data, strlen(data), d);
	l.size = strlen(data);
	strcpy(l.digest, d);
	c = put_config("amd64", js("'%s'", d));
	put_member("manifest.json", js("[{'Config': 'blobs/sha256/%s', "
		   "'RepoTags': ['busybox:latest', 'busybox:1.36'], 'Layers': "
		   "['blobs/sha256/%s']}]", c.digest + 7, l.digest + 7));
	tarball = make_archive("pax", "oci-layout index.json manifest.json "
			       "blobs");

	UNIT_EQ_INT(open_archive(tarball, NULL, NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m.digest);
	UNIT_EQ_STR(img.layers[0].blob.media_type, OCI_TAR);
	read_layer(&img, 0, data);
	image_free(&img);
	UNIT_EQ_INT(open_archive(tarball, "busybox", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m.digest);
	image_free(&img);
	UNIT_EQ_INT(open_archive(tarball, "latest", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, m.digest);
	image_free(&img);

	/* A tag index.json does not know: manifest.json's RepoTags. */
	UNIT_EQ_INT(open_archive(tarball, "busybox:1.36", NULL, &img), 0);
	UNIT_EQ_STR(img.manifest_digest, "");
	UNIT_EQ_STR(img.config_blob.digest, c.digest);
	UNIT_EQ_STR(img.layers[0].blob.path, js("blobs/sha256/%s",
						l.digest + 7));
	UNIT_EQ_STR(img.layers[0].blob.digest, l.digest);
	read_layer(&img, 0, data);
	image_free(&img);
	UNIT_EQ_STR(archive_fails(tarball, "busybox:1.37"), "manifest.json: "
		    "no image tagged \"busybox:1.37\" (there are: "
		    "busybox:latest, busybox:1.36)");

	/* A blob index.json names but the archive lacks. */
	UNIT_EQ_INT(unlink(blob_path(c.digest)), 0);
	tarball = make_archive("pax", "oci-layout index.json manifest.json "
			       "blobs");
	UNIT_EQ_STR(archive_fails(tarball, NULL), js("blobs/sha256/%s: not in "
		    "the archive", c.digest + 7));
}

/* Tools of the peers, where installed: skopeo and umoci. */

static int have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (!system(cmd))
		return 1;
	printf("SKIP: %s is not installed\n", tool);
	return 0;
}

static void run(const char *cmd)
{
	char quiet[4096];

	snprintf(quiet, sizeof(quiet), "%s >%s/out 2>&1 || { cat %s/out; "
		 "exit 1; }", cmd, unit_tmpdir(), unit_tmpdir());
	if (system(quiet))
		unit_fail(__FILE__, __LINE__, "%s: failed", cmd);
}

/* A real (uncompressed tar) layer, its config, manifest and index. */
static struct blob put_real_image(void)
{
	char cmd[1024], *text;
	struct blob l, c, m;
	size_t len;

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/root/etc && echo hello > "
		 "%s/root/etc/motd && tar --format=pax --mtime=@0 --owner=0 "
		 "--group=0 -cf %s/layer.tar -C %s/root etc", unit_tmpdir(),
		 unit_tmpdir(), unit_tmpdir(), unit_tmpdir());
	run(cmd);
	snprintf(cmd, sizeof(cmd), "%s/layer.tar", unit_tmpdir());
	UNIT_EQ_INT(read_file_at(AT_FDCWD, cmd, 1 << 20, &text, &len), 0);
	l = put_blob(text, len);
	free(text);
	c = put_json(js("{'architecture': 'amd64', 'os': 'linux', 'config': "
			"{'Env': ['PATH=/bin'], 'Entrypoint': ['/bin/sh'], "
			"'WorkingDir': '/etc', 'Labels': {'k': 'v'}}, "
			"'rootfs': {'type': 'layers', 'diff_ids': ['%s']}}",
			l.digest));
	m = put_json(js("{'schemaVersion': 2, 'mediaType': '%s', 'config': "
			"%s, 'layers': [%s]}", OCI_MANIFEST,
			desc(OCI_CONFIG, c, NULL), desc(OCI_TAR, l, NULL)));
	put_index(desc(OCI_MANIFEST, m, named("t")));
	return l;
}

/* Layer i whole, gunzip'd when its media type says gzip. */
static size_t whole_layer(struct image *img, size_t i, unsigned char *out,
			  size_t size)
{
	static unsigned char blob[1 << 16];
	struct reader *r;
	z_stream z = { 0 };
	ssize_t n;

	UNIT_EQ_INT(image_layer_open(img, i, &r, &e), 0);
	n = reader_read_full(r, blob, sizeof(blob), &e);
	if (n < 0)
		unit_fail(__FILE__, __LINE__, "read: %s", e.msg);
	UNIT_EQ_INT(reader_read(r, blob, 1, &e), 0);
	reader_close(r);
	if (img->layers[i].comp != IMAGE_COMP_GZIP) {
		UNIT_ASSERT((size_t)n <= size);
		memcpy(out, blob, n);
		return n;
	}
	UNIT_EQ_INT(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = blob;
	z.avail_in = n;
	z.next_out = out;
	z.avail_out = size;
	UNIT_EQ_INT(inflate(&z, Z_FINISH), Z_STREAM_END);
	inflateEnd(&z);
	return size - z.avail_out;
}

static void check_real_image(struct image *img, const char *diff_id)
{
	static unsigned char tar[1 << 16];
	char d[DIGEST_STR_MAX];
	size_t n;

	UNIT_EQ_STR(img->config.architecture, "amd64");
	UNIT_EQ_STR(img->config.entrypoint[0], "/bin/sh");
	UNIT_EQ_STR(img->config.env[0], "PATH=/bin");
	UNIT_EQ_STR(img->config.working_dir, "/etc");
	UNIT_EQ_STR(img->config.labels[0].value, "v");
	UNIT_EQ_INT(img->n_layers, 1);
	UNIT_EQ_STR(img->layers[0].diff_id, diff_id);
	/* Whatever skopeo made of the blob, its tar is the same. */
	n = whole_layer(img, 0, tar, sizeof(tar));
	digest_buf(tar, n, d);
	UNIT_EQ_STR(d, diff_id);
}

UNIT_CASE(skopeo_copies)
{
	char cmd[1024], path[256];
	struct image img;
	struct blob l;

	if (!have("skopeo"))
		return;
	new_layout();
	l = put_real_image();
	/* Local transports only: no registry, no network. */
	snprintf(cmd, sizeof(cmd), "cd %s && skopeo --insecure-policy copy -q "
		 "oci:oci:t docker-archive:docker.tar:example.com/app:1 && "
		 "skopeo --insecure-policy copy -q oci:oci:t oci:copy:v2 && "
		 "skopeo --insecure-policy copy -q oci:oci:t "
		 "oci-archive:oci.tar:v3", unit_tmpdir());
	run(cmd);

	snprintf(path, sizeof(path), "%s/docker.tar", unit_tmpdir());
	UNIT_EQ_INT(open_archive(path, "example.com/app:1", NULL, &img), 0);
	check_real_image(&img, l.digest);
	image_free(&img);
	UNIT_EQ_INT(open_archive(path, NULL, "linux/amd64", &img), 0);
	image_free(&img);

	new_layout_at("copy");
	UNIT_EQ_INT(open_layout("v2", NULL, &img), 0);
	check_real_image(&img, l.digest);
	image_free(&img);

	snprintf(path, sizeof(path), "%s/oci.tar", unit_tmpdir());
	UNIT_EQ_INT(open_archive(path, "v3", NULL, &img), 0);
	check_real_image(&img, l.digest);
	image_free(&img);
}

/* A layout umoci made and wrote a gzip'd layer into. */
UNIT_CASE(umoci_layout)
{
	static unsigned char tar[1 << 16];
	char cmd[2048], d[DIGEST_STR_MAX];
	struct image img;
	size_t n;

	if (!have("umoci"))
		return;
	snprintf(cmd, sizeof(cmd), "cd %s && umoci init --layout u && "
		 "umoci new --image u:t && umoci unpack %s --image u:t b && "
		 "echo hi > b/rootfs/hello && umoci repack --image u:t b && "
		 "umoci config --image u:t --config.cmd /hello "
		 "--config.workingdir /tmp --config.user 7:8 --config.env A=b "
		 "--config.label x=y --config.stopsignal SIGQUIT --os linux "
		 "--architecture arm64 && umoci tag --image u:t t2",
		 unit_tmpdir(), getuid() ? "--rootless" : "");
	run(cmd);
	snprintf(layout, sizeof(layout), "%s/u", unit_tmpdir());
	UNIT_EQ_STR(layout_fails(NULL, NULL),
		    "index.json: 2 images, choose one by name: t, t2");
	UNIT_EQ_INT(open_layout("t2", "linux/arm64", &img), 0);
	UNIT_EQ_INT(img.n_layers, 1);
	UNIT_EQ_STR(img.layers[0].blob.media_type, OCI_GZIP);
	UNIT_EQ_STR(img.config.cmd[0], "/hello");
	UNIT_EQ_STR(img.config.working_dir, "/tmp");
	UNIT_EQ_STR(img.config.user, "7:8");
	UNIT_EQ_STR(img.config.stop_signal, "SIGQUIT");
	UNIT_EQ_STR(img.config.labels[0].key, "x");
	UNIT_EQ_STR(img.config.labels[0].value, "y");
	UNIT_ASSERT(img.config.env[0] != NULL);
	n = whole_layer(&img, 0, tar, sizeof(tar));
	digest_buf(tar, n, d);
	UNIT_EQ_STR(d, img.layers[0].diff_id);
	image_free(&img);
}
