/*
 * bundle.c - config.json for an unpacked image: the defaults `oci-run
 * spec` writes, with the image config applied as image-spec
 * conversion.md says and container engines do: process.args =
 * Entrypoint + Cmd, process.env = the defaults with Env replacing or
 * adding by name, process.cwd = WorkingDir, process.user from User
 * resolved against the rootfs's own /etc/passwd and /etc/group (and the
 * user's supplementary groups there, as containerd adds them), Labels,
 * os, architecture, variant and StopSignal as annotations.  A rootfs
 * tarball has no config: the defaults then, without a terminal.
 * ExposedPorts and Volumes need an engine: not mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "image_config.h"
#include "io.h"
#include "path.h"
#include "rootfs-unpack.h"
#include "spec.h"

#define ID_FILE_MAX (4 << 20)

/*
 * The rootfs's etc/NAME, resolved inside it; "" when there is none.  A
 * regular file only: an image's fifo would hang us, a device node made
 * by a layer would be opened on the host.
 */
static int read_etc(int rootfd, const char *name, char **text,
		    struct err *e)
{
	char path[32], proc[32];
	struct stat a, b;
	int fd, rfd, r;

	snprintf(path, sizeof(path), "/etc/%s", name);
	fd = path_open_in_root(rootfd, path, PATH_NOCREATE);
	if (fd == -ENOENT) {
		*text = strdup("");
		return *text ? 0 : err_sys(e, ENOMEM, "%s", path);
	}
	if (fd < 0)
		return err_sys(e, -fd, "rootfs %s", path);
	if (fstat(fd, &a) < 0 || !S_ISREG(a.st_mode)) {
		close(fd);
		return err_msg(e, EINVAL, "rootfs %s: not a regular file",
			       path);
	}
	/* An O_PATH handle: opened again for reading through /proc. */
	path_fd_name(proc, fd);
	rfd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	close(fd);
	if (rfd < 0)
		return err_sys(e, errno, "rootfs %s", path);
	if (fstat(rfd, &b) < 0 || b.st_ino != a.st_ino ||
	    b.st_dev != a.st_dev) {
		close(rfd);
		return err_msg(e, EINVAL, "rootfs %s: changed while read", path);
	}
	/* The checked file, by its fd: nothing can be swapped in now. */
	path_fd_name(proc, rfd);
	r = read_file_at(AT_FDCWD, proc, ID_FILE_MAX, text, NULL);
	close(rfd);
	return r < 0 ? err_sys(e, -r, "rootfs %s", path) : 0;
}

/* Field i (0-based) of a ':'-separated line, into buf; NULL if absent. */
static const char *field(const char *line, int i, char *buf, size_t size)
{
	const char *eol = line + strcspn(line, "\n"), *end;
	size_t n;

	for (; i > 0; i--) {
		line = memchr(line, ':', eol - line);
		if (!line)
			return NULL;
		line++;
	}
	end = line + strcspn(line, ":\n");
	n = end - line;
	if (n >= size)
		return NULL;
	memcpy(buf, line, n);
	buf[n] = 0;
	return buf;
}

/* A uid or gid; *out is left alone when s is none. */
static int parse_id(const char *s, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xfffffffeUL)
		return -1;
	*out = v;
	return 0;
}

/* Comment and NIS "+"/"-" lines name no one. */
static int skipped(const char *line)
{
	return *line == '#' || *line == '+' || *line == '-';
}

/*
 * The line of text (passwd or group) whose field key_field is key, or
 * NULL.  Comment and NIS "+"/"-" lines never match.
 */
static const char *find_line(const char *text, int key_field,
			     const char *key)
{
	const char *line;
	char buf[256];

	for (line = text; *line; line = strchr(line, '\n') ?
	     strchr(line, '\n') + 1 : line + strlen(line)) {
		if (skipped(line))
			continue;
		if (field(line, key_field, buf, sizeof(buf)) &&
		    !strcmp(buf, key))
			return line;
	}
	return NULL;
}

struct ids {
	unsigned long uid, gid;
	unsigned long extra[64];
	size_t n_extra;
};

/* Groups of group text listing name as a member, but gid itself. */
static void member_groups(const char *group, const char *name,
			  struct ids *u)
{
	const char *line, *m;
	char buf[4096], gid[16];
	unsigned long g;
	size_t n, i;

	for (line = group; *line && u->n_extra < 64;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 :
	     line + strlen(line)) {
		if (skipped(line) || !field(line, 3, buf, sizeof(buf)) ||
		    !field(line, 2, gid, sizeof(gid)) || parse_id(gid, &g) < 0 ||
		    g == u->gid)
			continue;
		for (m = buf; *m; m += n + (m[n] == ',')) {
			n = strcspn(m, ",");
			if (n != strlen(name) || strncmp(m, name, n))
				continue;
			for (i = 0; i < u->n_extra && u->extra[i] != g; i++)
				;
			if (i == u->n_extra)
				u->extra[u->n_extra++] = g;
			break;
		}
	}
}

/*
 * User as docker and containerd read it: "", "user", "uid", with
 * ":group" or ":gid".  A name must be in the rootfs's files; a uid need
 * not be (its gid is then 0, or its passwd entry's).
 */
static int resolve_user(int rootfd, const char *user, struct ids *u,
			struct err *e)
{
	char *passwd = NULL, *group = NULL, name[256], buf[256];
	const char *colon = strchr(user, ':'), *gpart, *line;
	size_t n = colon ? (size_t)(colon - user) : strlen(user);
	int r;

	memset(u, 0, sizeof(*u));
	if (!*user)
		return 0;
	if (n >= sizeof(name) || (colon && !colon[1]) || !n)
		return err_msg(e, EINVAL, "image config: User \"%s\": "
			       "expected user[:group]", user);
	memcpy(name, user, n);
	name[n] = 0;
	gpart = colon ? colon + 1 : NULL;
	r = read_etc(rootfd, "passwd", &passwd, e);
	if (r == 0)
		r = read_etc(rootfd, "group", &group, e);
	if (r < 0)
		goto out;
	if (parse_id(name, &u->uid) == 0) {
		line = find_line(passwd, 2, name);
	} else {
		line = find_line(passwd, 0, name);
		if (!line || !field(line, 2, buf, sizeof(buf)) ||
		    parse_id(buf, &u->uid) < 0) {
			r = err_msg(e, ENOENT, "image config: User \"%s\": no "
				    "user %s in the rootfs's /etc/passwd",
				    user, name);
			goto out;
		}
	}
	/* The passwd entry's name and gid, when it has one. */
	if (line && field(line, 3, buf, sizeof(buf)))
		parse_id(buf, &u->gid);
	if (line)
		field(line, 0, name, sizeof(name));
	if (gpart && parse_id(gpart, &u->gid) < 0) {
		line = find_line(group, 0, gpart);
		if (!line || !field(line, 2, buf, sizeof(buf)) ||
		    parse_id(buf, &u->gid) < 0) {
			r = err_msg(e, ENOENT, "image config: User \"%s\": no "
				    "group %s in the rootfs's /etc/group",
				    user, gpart);
			goto out;
		}
	}
	if (!gpart && find_line(passwd, 0, name))
		member_groups(group, name, u);
out:
	free(passwd);
	free(group);
	return r;
}

static int nomem(struct err *e)
{
	return err_sys(e, ENOMEM, "config.json");
}

/* Image Env over the defaults: "K=V" replaces K or is added; "K" unsets. */
static int merge_env(cJSON *env, char *const *image, struct err *e)
{
	cJSON *d, *next;
	size_t klen;

	for (; *image; image++) {
		klen = strcspn(*image, "=");
		for (d = env->child; d; d = next) {
			next = d->next;
			if (!strncmp(d->valuestring, *image, klen) &&
			    d->valuestring[klen] == '=')
				cJSON_Delete(cJSON_DetachItemViaPointer(env, d));
		}
		if ((*image)[klen] == '=' &&
		    !cJSON_AddItemToArray(env, cJSON_CreateString(*image)))
			return nomem(e);
	}
	return 0;
}

/* Entrypoint + Cmd into a fresh args array. */
static int set_args(cJSON *proc, char *const *entry, char *const *cmd,
		    struct err *e)
{
	cJSON *args = cJSON_CreateArray();

	if (!args)
		return nomem(e);
	for (; *entry; entry++)
		cJSON_AddItemToArray(args, cJSON_CreateString(*entry));
	for (; *cmd; cmd++)
		cJSON_AddItemToArray(args, cJSON_CreateString(*cmd));
	if (!cJSON_GetArraySize(args)) {
		cJSON_Delete(args);
		return err_msg(e, EINVAL, "image config: neither Entrypoint "
			       "nor Cmd: no process to run");
	}
	cJSON_ReplaceItemInObject(proc, "args", args);
	return 0;
}

static int annotate(cJSON *ann, const char *key, const char *value,
		    struct err *e)
{
	if (!value)
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(ann, key);
	return cJSON_AddStringToObject(ann, key, value) ? 0 : nomem(e);
}

static int set_user(cJSON *proc, const struct ids *u, struct err *e)
{
	cJSON *user = cJSON_CreateObject(), *gids;
	size_t i;

	if (!user)
		return nomem(e);
	cJSON_AddNumberToObject(user, "uid", u->uid);
	cJSON_AddNumberToObject(user, "gid", u->gid);
	if (u->n_extra) {
		gids = cJSON_AddArrayToObject(user, "additionalGids");
		for (i = 0; gids && i < u->n_extra; i++)
			cJSON_AddItemToArray(gids,
					     cJSON_CreateNumber(u->extra[i]));
	}
	cJSON_ReplaceItemInObject(proc, "user", user);
	return 0;
}

static int apply_config(int rootfd, cJSON *spec,
			const struct image_config *ic, struct err *e)
{
	cJSON *proc = cJSON_GetObjectItem(spec, "process");
	cJSON *ann = cJSON_GetObjectItem(spec, "annotations");
	const char *cwd = ic->working_dir ? ic->working_dir : "/";
	struct ids ids;
	size_t i;
	int r;

	if (!ann)
		ann = cJSON_AddObjectToObject(spec, "annotations");
	if (!proc || !ann)
		return nomem(e);
	if (*cwd != '/')
		return err_msg(e, EINVAL, "image config: WorkingDir \"%s\": "
			       "not an absolute path", cwd);
	if ((r = set_args(proc, ic->entrypoint, ic->cmd, e)) < 0 ||
	    (r = merge_env(cJSON_GetObjectItem(proc, "env"), ic->env, e)) < 0 ||
	    (r = resolve_user(rootfd, ic->user ? ic->user : "", &ids, e)) < 0 ||
	    (r = set_user(proc, &ids, e)) < 0)
		return r;
	cJSON_ReplaceItemInObject(proc, "cwd", cJSON_CreateString(cwd));
	/* A bundle to run as an engine does: no terminal unless asked. */
	cJSON_ReplaceItemInObject(proc, "terminal", cJSON_CreateFalse());
	for (i = 0; i < ic->n_labels; i++)
		if ((r = annotate(ann, ic->labels[i].key, ic->labels[i].value,
				  e)) < 0)
			return r;
	/* conversion.md's annotations win over labels of the same name. */
	if ((r = annotate(ann, "org.opencontainers.image.os", ic->os, e)) < 0 ||
	    (r = annotate(ann, "org.opencontainers.image.architecture",
			  ic->architecture, e)) < 0 ||
	    (r = annotate(ann, "org.opencontainers.image.variant",
			  ic->variant, e)) < 0 ||
	    (r = annotate(ann, "org.opencontainers.image.stopSignal",
			  ic->stop_signal, e)) < 0)
		return r;
	return 0;
}

int bundle_config(int rootfd, const struct image_config *ic, int rootless,
		  char **out, struct err *e)
{
	cJSON *spec;
	int r = 0;

	*out = NULL;
	spec = spec_default_object(rootless, geteuid(), getegid());
	if (!spec)
		return nomem(e);
	if (ic)
		r = apply_config(rootfd, spec, ic, e);
	else
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(spec, "process"),
					  "terminal", cJSON_CreateFalse());
	if (r == 0) {
		*out = spec_print(spec);
		if (!*out)
			r = nomem(e);
	}
	cJSON_Delete(spec);
	return r;
}
