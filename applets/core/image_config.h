/*
 * image_config.h - the image configuration as a bundle needs it (image-spec
 * config.md: the fields of "config", "rootfs", os and architecture), and
 * platforms as image indexes name them (image-index.md "platform": os,
 * architecture, variant; architecture in Go's GOARCH names).
 */
#ifndef CORE_IMAGE_CONFIG_H
#define CORE_IMAGE_CONFIG_H

#include <stddef.h>

#include "digest.h"
#include "err.h"

struct image_label {
	char *key, *value;
};

struct image_config {
	char *os, *architecture;	/* required by config.md */
	char *variant;			/* NULL when absent */
	/* NULL-terminated, never NULL (empty when absent). */
	char **entrypoint, **cmd, **env;
	/* NULL when absent or "" (as Docker writes an unset field). */
	char *working_dir, *user, *stop_signal;
	struct image_label *labels;
	size_t n_labels;
	/* rootfs.diff_ids, each checked by digest_check(). */
	char (*diff_ids)[DIGEST_STR_MAX];
	size_t n_diff_ids;
};

/*
 * Parse the config JSON text[0..len) into *out (free with
 * image_config_free(), also after a failure); name is for messages
 * ("config sha256:...: rootfs.type: \"foo\": expected \"layers\"").
 * ExposedPorts, Volumes, Healthcheck, history and the like are not read.
 */
int image_config_parse(const char *text, size_t len, const char *name,
		       struct image_config *out, struct err *e);
void image_config_free(struct image_config *c);

/* Room for image_quote(): 100 bytes, each as \xNN, and "...". */
#define IMAGE_QUOTE_MAX (4 * 100 + 4)

/*
 * s for a one-line message, as the image had it: control bytes as \xNN,
 * cut after 100 bytes ("...").  Returns buf.
 */
const char *image_quote(const char *s, char buf[IMAGE_QUOTE_MAX]);

/*
 * Append s, quoted, to the ", "-separated list in list[size] (the names
 * an error offers to choose from), unless it is there or ""; "..." once
 * full.
 */
void image_list_add(char *list, size_t size, const char *s);

struct json_ctx;
/*
 * digest_check(s) naming c's file and JSON path: "index.json:
 * manifests[0].digest: invalid digest \"sha256:12\"".
 */
int image_check_digest(struct json_ctx *c, const char *s);

/* "linux/arm64/v8" and its NUL fit. */
#define IMAGE_PLATFORM_MAX 96

struct image_platform {
	char os[32], arch[32], variant[32];	/* variant "" when none */
};

/*
 * "os/arch[/variant]" ("linux/amd64", "linux/arm/v7"): 0, or -EINVAL
 * with "platform \"...\": expected os/arch[/variant]".
 */
int image_platform_parse(const char *s, struct image_platform *out,
			 struct err *e);
/*
 * The platform of a uname(2) machine name: x86_64 is linux/amd64,
 * aarch64 linux/arm64/v8, armv7l linux/arm/v7, i686 linux/386, ...  0, or
 * -ENOENT for a machine with no GOARCH name.
 */
int image_platform_of_machine(const char *machine,
			      struct image_platform *out);
/* The running machine's (uname -m): 0 or -errno with *e set. */
int image_platform_host(struct image_platform *out, struct err *e);
/*
 * Whether an image for os/arch/variant (variant NULL or "": none) runs
 * on want.  Variants compare after the usual defaults (arm64 is v8,
 * amd64 v1, a plain arm v7); want without a variant takes any.
 */
int image_platform_match(const struct image_platform *want, const char *os,
			 const char *arch, const char *variant);
void image_platform_format(const struct image_platform *p,
			   char out[IMAGE_PLATFORM_MAX]);
/*
 * -ENOENT, "NAME: the image is for linux/arm64, not linux/amd64": cfg is
 * not for want.
 */
int image_platform_wrong(const struct image_platform *want, const char *name,
			 const struct image_config *cfg, struct err *e);

#endif
