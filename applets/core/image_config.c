/*
 * image_config.c - the image configuration and platforms; see
 * image_config.h.  image-spec config.md and image-index.md; architecture
 * names are Go's GOARCH values, as the spec says.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "image_config.h"
#include "json.h"

const char *image_quote(const char *s, char buf[IMAGE_QUOTE_MAX])
{
	size_t i, n = 0;

	for (i = 0; s[i]; i++) {
		unsigned char ch = s[i];

		if (i == 100) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (ch < 0x20 || ch == 0x7f)
			n += snprintf(buf + n, 5, "\\x%02x", ch);
		else
			buf[n++] = ch;
	}
	buf[n] = 0;
	return buf;
}

void image_list_add(char *list, size_t size, const char *str)
{
	char s[IMAGE_QUOTE_MAX];
	size_t n = strlen(list), k;
	const char *p;

	image_quote(str, s);
	k = strlen(s);
	if (!k)
		return;
	for (p = list; (p = strstr(p, s)); p += k)
		if ((p == list || p[-1] == ' ') && (!p[k] || p[k] == ','))
			return;
	if (n >= 3 && !strcmp(list + n - 3, "..."))
		return;
	if (n && n + 2 < size) {
		memcpy(list + n, ", ", 2);
		n += 2;
	}
	if (n + k < size)
		memcpy(list + n, s, k + 1);
	else if (n + 3 < size)
		memcpy(list + n, "...", 4);
	else
		list[n] = 0;
}

int image_check_digest(struct json_ctx *c, const char *s)
{
	char what[ERR_MSG_MAX], q[IMAGE_QUOTE_MAX];
	size_t i;

	/* digest_check() echoes it: no control bytes in a message. */
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return json_fail(c, NULL, "invalid digest \"%s\"",
					 image_quote(s, q));

	if (c->len)
		snprintf(what, sizeof(what), "%.200s: %s", c->name, c->path);
	else
		snprintf(what, sizeof(what), "%.200s", c->name);
	return digest_check(s, what, c->e);
}

static int nomem(struct json_ctx *c)
{
	return err_sys(c->e, ENOMEM, "%s", c->name);
}

/* A copy of obj.key, NULL when absent or "". */
static int get_dup(struct json_ctx *c, const cJSON *obj, const char *key,
		   enum json_need need, char **out)
{
	const char *s;
	int r;

	r = json_get_string(c, obj, key, need, &s);
	if (r <= 0 || !*s)
		return r;
	*out = strdup(s);
	return *out ? 0 : nomem(c);
}

static int get_labels(struct json_ctx *c, const cJSON *cfg,
		      struct image_config *out)
{
	char q[IMAGE_QUOTE_MAX];
	const cJSON *labels, *l;
	const char *v;
	size_t mark, n = 0;
	int r;

	r = json_get_object(c, cfg, "Labels", JSON_OPTIONAL, &labels);
	if (r <= 0)
		return r;
	out->labels = calloc(cJSON_GetArraySize(labels) + 1,
			     sizeof(*out->labels));
	if (!out->labels)
		return nomem(c);
	cJSON_ArrayForEach(l, labels) {
		mark = json_push(c, "Labels");
		json_push(c, image_quote(l->string, q));
		r = json_as_string(c, l, &v);
		json_pop(c, mark);
		if (r < 0)
			return r;
		out->labels[n].key = strdup(l->string);
		out->labels[n].value = strdup(v);
		out->n_labels = ++n;
		if (!out->labels[n - 1].key || !out->labels[n - 1].value)
			return nomem(c);
	}
	return 0;
}

static int get_rootfs(struct json_ctx *c, const cJSON *doc,
		      struct image_config *out)
{
	char q[IMAGE_QUOTE_MAX];
	const cJSON *rootfs, *ids, *id;
	const char *type, *s;
	size_t mark, n, i = 0;
	int r;

	r = json_get_object(c, doc, "rootfs", JSON_REQUIRED, &rootfs);
	if (r < 0)
		return r;
	mark = json_push(c, "rootfs");
	r = json_get_string(c, rootfs, "type", JSON_REQUIRED, &type);
	if (r >= 0 && strcmp(type, "layers"))
		r = json_fail(c, "type", "\"%s\": expected \"layers\"",
			      image_quote(type, q));
	if (r >= 0)
		r = json_get_array(c, rootfs, "diff_ids", JSON_REQUIRED, &ids,
				   &n);
	if (r < 0)
		goto out;
	out->diff_ids = calloc(n ? n : 1, sizeof(*out->diff_ids));
	if (!out->diff_ids) {
		r = nomem(c);
		goto out;
	}
	json_push(c, "diff_ids");
	cJSON_ArrayForEach(id, ids) {
		size_t m = json_push_index(c, i);

		r = json_as_string(c, id, &s);
		if (r >= 0)
			r = image_check_digest(c, s);
		json_pop(c, m);
		if (r < 0)
			goto out;
		strcpy(out->diff_ids[i++], s);
	}
	out->n_diff_ids = n;
	r = 0;
out:
	json_pop(c, mark);
	return r;
}

int image_config_parse(const char *text, size_t len, const char *name,
		       struct image_config *out, struct err *e)
{
	const cJSON *cfg = NULL;
	struct json_ctx c;
	cJSON *doc;
	size_t mark;
	int r;

	memset(out, 0, sizeof(*out));
	r = json_parse(text, len, name, &doc, e);
	if (r < 0)
		return r;
	json_ctx_init(&c, name, e);
	r = json_as_object(&c, doc);
	if (r >= 0)
		r = get_dup(&c, doc, "os", JSON_REQUIRED, &out->os);
	if (r >= 0)
		r = get_dup(&c, doc, "architecture", JSON_REQUIRED,
			    &out->architecture);
	if (r >= 0 && (!out->os || !out->architecture))
		r = json_fail(&c, out->os ? "architecture" : "os", "empty");
	if (r >= 0)
		r = get_dup(&c, doc, "variant", JSON_OPTIONAL, &out->variant);
	if (r >= 0)
		r = json_get_object(&c, doc, "config", JSON_OPTIONAL, &cfg);
	if (r < 0)
		goto out;
	mark = json_push(&c, "config");
	r = json_get_strv(&c, cfg, "Entrypoint", JSON_OPTIONAL,
			  &out->entrypoint, NULL);
	if (r >= 0)
		r = json_get_strv(&c, cfg, "Cmd", JSON_OPTIONAL, &out->cmd,
				  NULL);
	if (r >= 0)
		r = json_get_strv(&c, cfg, "Env", JSON_OPTIONAL, &out->env,
				  NULL);
	if (r >= 0)
		r = get_dup(&c, cfg, "WorkingDir", JSON_OPTIONAL,
			    &out->working_dir);
	if (r >= 0)
		r = get_dup(&c, cfg, "User", JSON_OPTIONAL, &out->user);
	if (r >= 0)
		r = get_dup(&c, cfg, "StopSignal", JSON_OPTIONAL,
			    &out->stop_signal);
	if (r >= 0)
		r = get_labels(&c, cfg, out);
	json_pop(&c, mark);
	if (r >= 0)
		r = get_rootfs(&c, doc, out);
out:
	cJSON_Delete(doc);
	return r < 0 ? r : 0;
}

void image_config_free(struct image_config *c)
{
	size_t i;

	free(c->os);
	free(c->architecture);
	free(c->variant);
	json_strv_free(c->entrypoint);
	json_strv_free(c->cmd);
	json_strv_free(c->env);
	free(c->working_dir);
	free(c->user);
	free(c->stop_signal);
	for (i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
	free(c->diff_ids);
	memset(c, 0, sizeof(*c));
}

/* Platforms */

static int put_part(char *dst, size_t size, const char *s, size_t n)
{
	if (!n || n >= size || memchr(s, 0, n))
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int image_platform_parse(const char *s, struct image_platform *out,
			 struct err *e)
{
	const char *a = strchr(s, '/'), *v = a ? strchr(a + 1, '/') : NULL;
	char q[IMAGE_QUOTE_MAX];
	int r;

	memset(out, 0, sizeof(*out));
	if (!a || (v && strchr(v + 1, '/')))
		goto bad;
	r = put_part(out->os, sizeof(out->os), s, a - s);
	if (!r)
		r = put_part(out->arch, sizeof(out->arch), a + 1,
			     v ? (size_t)(v - a - 1) : strlen(a + 1));
	if (!r && v)
		r = put_part(out->variant, sizeof(out->variant), v + 1,
			     strlen(v + 1));
	if (!r)
		return 0;
bad:
	return err_msg(e, EINVAL, "platform \"%.64s\": expected "
		       "os/arch[/variant]", image_quote(s, q));
}

static const struct machine {
	const char *machine, *arch, *variant;
} machines[] = {
	{ "x86_64", "amd64", "" },
	{ "amd64", "amd64", "" },
	{ "i386", "386", "" },
	{ "i486", "386", "" },
	{ "i586", "386", "" },
	{ "i686", "386", "" },
	{ "aarch64", "arm64", "v8" },
	{ "arm64", "arm64", "v8" },
	/* A 32-bit ARM userland on an ARMv8 kernel runs v7 code. */
	{ "armv8l", "arm", "v7" },
	{ "armv7l", "arm", "v7" },
	{ "armv7", "arm", "v7" },
	{ "armv6l", "arm", "v6" },
	{ "armv5tejl", "arm", "v5" },
	{ "armv5tel", "arm", "v5" },
	{ "armv5l", "arm", "v5" },
	{ "riscv64", "riscv64", "" },
	{ "ppc64le", "ppc64le", "" },
	{ "ppc64", "ppc64", "" },
	{ "s390x", "s390x", "" },
	{ "loongarch64", "loong64", "" },
	/* uname says mips for both byte orders: ours tells them apart. */
	{ "mips64", "mips64", "" },
	{ "mips", "mips", "" },
};

int image_platform_of_machine(const char *machine,
			      struct image_platform *out)
{
	const union {
		uint16_t u;
		uint8_t b[2];
	} order = { 1 };
	const struct machine *m;
	size_t i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		m = &machines[i];
		if (strcmp(machine, m->machine))
			continue;
		memset(out, 0, sizeof(*out));
		strcpy(out->os, "linux");
		snprintf(out->arch, sizeof(out->arch), "%s%s", m->arch,
			 !strncmp(m->arch, "mips", 4) && order.b[0] ?
			 "le" : "");
		strcpy(out->variant, m->variant);
		return 0;
	}
	return -ENOENT;
}

int image_platform_host(struct image_platform *out, struct err *e)
{
	struct utsname u;

	if (uname(&u) < 0)
		return err_sys(e, errno, "uname");
	if (image_platform_of_machine(u.machine, out) < 0)
		return err_msg(e, ENOENT, "machine %.64s: no OCI architecture "
			       "name known for it (give a platform "
			       "os/arch[/variant])", u.machine);
	return 0;
}

static const char *norm_variant(const char *arch, const char *v)
{
	if (!v)
		v = "";
	if (!strcmp(arch, "arm64") && !strcmp(v, "v8"))
		return "";
	if (!strcmp(arch, "amd64") && !strcmp(v, "v1"))
		return "";
	if (!strcmp(arch, "arm") && !*v)
		return "v7";
	return v;
}

int image_platform_match(const struct image_platform *want, const char *os,
			 const char *arch, const char *variant)
{
	if (strcmp(want->os, os) || strcmp(want->arch, arch))
		return 0;
	if (!want->variant[0])
		return 1;
	return !strcmp(norm_variant(want->arch, want->variant),
		       norm_variant(arch, variant));
}

void image_platform_format(const struct image_platform *p,
			   char out[IMAGE_PLATFORM_MAX])
{
	snprintf(out, IMAGE_PLATFORM_MAX, "%s/%s%s%s", p->os, p->arch,
		 p->variant[0] ? "/" : "", p->variant);
}

int image_platform_wrong(const struct image_platform *want, const char *name,
			 const struct image_config *cfg, struct err *e)
{
	char p[IMAGE_PLATFORM_MAX], have[3 * 32], q[IMAGE_QUOTE_MAX];

	image_platform_format(want, p);
	snprintf(have, sizeof(have), "%.31s/%.31s%s%.31s", cfg->os,
		 cfg->architecture, cfg->variant ? "/" : "",
		 cfg->variant ? cfg->variant : "");
	return err_msg(e, ENOENT, "%.200s: the image is for %s, not %s", name,
		       image_quote(have, q), p);
}
