/*
 * features.c - `oci-run features`: what this build of the runtime does,
 * as runtime-spec features.md describes it and `runc features` prints it.
 * Only what is implemented is listed: a refused key or option is absent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "json.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "seccomp_bpf.h"
#include "state.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cJSON *mount_options(void)
{
	const char *names[64];
	size_t n = 0;

	while (n < sizeof(names) / sizeof(names[0]) &&
	       (names[n] = spec_mount_option(n)))
		n++;
	qsort(names, n, sizeof(names[0]), cmp_str);
	return cJSON_CreateStringArray(names, n);
}

static cJSON *capabilities(void)
{
	cJSON *a = cJSON_CreateArray();
	int k;

	for (k = 0; a && k < CAPS_COUNT; k++)
		cJSON_AddItemToArray(a, cJSON_CreateString(caps_name(k)));
	return a;
}

/* cgroupfs directly; systemd is never asked (--systemd-cgroup is not). */
static cJSON *cgroup(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "v1", 1);
	cJSON_AddBoolToObject(o, "v2", 1);
	cJSON_AddBoolToObject(o, "systemd", 0);
	cJSON_AddBoolToObject(o, "systemdUser", 0);
	cJSON_AddBoolToObject(o, "rdma", 1);
	return o;
}

static cJSON *disabled(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "enabled", 0);
	return o;
}

static cJSON *features(struct err *e)
{
	static const char *const ns[] = {
		"cgroup", "ipc", "mount", "network", "pid", "user", "uts",
	};
	const char *hooks[SPEC_HOOK_COUNT];
	cJSON *o = cJSON_CreateObject(), *lin, *ext, *ann;
	int k;

	for (k = 0; k < SPEC_HOOK_COUNT; k++)
		hooks[k] = spec_hook_name(k);
	lin = cJSON_CreateObject();
	ext = cJSON_CreateObject();
	ann = cJSON_CreateObject();
	if (!o || !lin || !ext || !ann)
		goto nomem;
	/* From here lin belongs to o. */
	cJSON_AddStringToObject(o, "ociVersionMin", "1.0.0");
	cJSON_AddStringToObject(o, "ociVersionMax", STATE_OCI_VERSION);
	cJSON_AddItemToObject(o, "hooks",
			      cJSON_CreateStringArray(hooks, SPEC_HOOK_COUNT));
	cJSON_AddItemToObject(o, "mountOptions", mount_options());
	cJSON_AddItemToObject(o, "linux", lin);
	cJSON_AddItemToObject(lin, "namespaces", cJSON_CreateStringArray(
		ns, sizeof(ns) / sizeof(ns[0])));
	cJSON_AddItemToObject(lin, "capabilities", capabilities());
	cJSON_AddItemToObject(lin, "cgroup", cgroup());
	if (seccomp_bpf_features(lin, e) < 0)
		goto out;
	cJSON_AddItemToObject(lin, "apparmor", disabled());
	cJSON_AddItemToObject(lin, "selinux", disabled());
	cJSON_AddItemToObject(lin, "intelRdt", disabled());
	cJSON_AddItemToObject(ext, "idmap", disabled());
	cJSON_AddItemToObject(lin, "mountExtensions", ext);
	cJSON_AddStringToObject(ann, "org.ocibox.version", OCIBOX_VERSION);
	cJSON_AddItemToObject(o, "annotations", ann);
	return o;
nomem:
	err_msg(e, ENOMEM, "out of memory");
	cJSON_Delete(lin);
	cJSON_Delete(ext);
	cJSON_Delete(ann);
	cJSON_Delete(o);
	return NULL;
out:
	cJSON_Delete(ext);
	cJSON_Delete(ann);
	cJSON_Delete(o);
	return NULL;
}

int cmd_features(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt none[] = { { 0 } };
	struct err e = { 0 };
	char **pos, *text;
	int npos;
	cJSON *o;

	if (cmd_options("features", argc, argv, none, NULL, NULL, 0, 0, &pos,
			&npos) < 0)
		return 1;
	o = features(&e);
	text = o ? json_print_indent(o, "    ") : NULL;
	cJSON_Delete(o);
	if (!text) {
		log_error("features: %s", e.msg[0] ? e.msg : "out of memory");
		return 1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}
