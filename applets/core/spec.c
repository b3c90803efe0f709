/*
 * spec.c - config.json into struct spec, validated whole before anything
 * acts on it (runtime-spec config.md, config-linux.md).  What this stage of
 * the runtime cannot do is refused by name ("not supported"); properties
 * outside the spec are ignored, as the spec requires of runtimes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "caps.h"
#include "json.h"
#include "spec.h"
#include "spec_seccomp.h"
#include "spec_resources.h"
#include "sys.h"

/* setresuid() and friends take (uid_t)-1 as "leave unchanged". */
#define ID_MAX 4294967294u

struct parse {
	struct json_ctx c;
	struct spec *s;
	int hook_kind;		/* the hook list being read */
};

static int failed(struct json_ctx *c)
{
	return -c->e->no;
}

static int nomem(struct json_ctx *c)
{
	return err_sys(c->e, ENOMEM, "%s", c->name);
}

static int dup_to(struct json_ctx *c, const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : nomem(c);
}

static int check_abs(struct json_ctx *c, const char *key, const char *path)
{
	if (!*path)
		return json_fail(c, key, "must not be empty");
	if (*path != '/')
		return json_fail(c, key, "%s: not an absolute path", path);
	return 0;
}

/*
 * base/rel (or rel alone when absolute) with "", "." and ".." components
 * resolved lexically, as Go's filepath.Join does for runc.  base is
 * absolute.  NULL when out of memory.
 */
static char *join_clean(const char *base, const char *rel)
{
	const char *parts[2] = { *rel == '/' ? "" : base, rel };
	const char *p, *seg;
	size_t len = 0, n;
	char *out;
	int k;

	out = malloc(strlen(parts[0]) + strlen(rel) + 3);
	if (!out)
		return NULL;
	for (k = 0; k < 2; k++) {
		for (p = parts[k]; *p;) {
			while (*p == '/')
				p++;
			for (seg = p; *p && *p != '/'; p++)
				;
			n = p - seg;
			if (!n || (n == 1 && *seg == '.'))
				continue;
			if (n == 2 && seg[0] == '.' && seg[1] == '.') {
				while (len && out[len - 1] != '/')
					len--;
				if (len)
					len--;
				continue;
			}
			out[len++] = '/';
			memcpy(out + len, seg, n);
			len += n;
		}
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	return out;
}

/*
 * Step into obj's member key (an object) and run fn on it.  An absent
 * optional member runs fn on NULL, so fn sets its defaults either way.
 */
static int in_object(struct parse *p, const cJSON *obj, const char *key,
		     enum json_need need,
		     int (*fn)(struct parse *p, const cJSON *o))
{
	const cJSON *o = NULL;
	size_t mark;
	int r;

	r = json_get_object(&p->c, obj, key, need, &o);
	if (r < 0)
		return r;
	mark = json_push(&p->c, key);
	r = fn(p, r ? o : NULL);
	json_pop(&p->c, mark);
	return r;
}

/* Run fn(p, element, i) on each element of obj's array member key. */
static int each_object(struct parse *p, const cJSON *obj, const char *key,
		       int (*fn)(struct parse *p, const cJSON *o, size_t i))
{
	const cJSON *arr, *el;
	size_t mark, m, i = 0;
	int r;

	r = json_get_array(&p->c, obj, key, JSON_OPTIONAL, &arr, NULL);
	if (r <= 0)
		return r;
	mark = json_push(&p->c, key);
	cJSON_ArrayForEach(el, arr) {
		m = json_push_index(&p->c, i);
		r = json_as_object(&p->c, el);
		if (!r)
			r = fn(p, el, i);
		json_pop(&p->c, m);
		if (r < 0)
			break;
		i++;
	}
	json_pop(&p->c, mark);
	return r < 0 ? r : 0;
}

/* Each element of v: absolute, or (with want_eq) NAME=VALUE. */
static int check_strv(struct json_ctx *c, const char *key, char **v,
		      int want_eq)
{
	size_t mark = json_push(c, key), m, i;
	int r = 0;

	for (i = 0; v[i] && !r; i++) {
		m = json_push_index(c, i);
		if (!want_eq)
			r = check_abs(c, NULL, v[i]);
		else if (!strchr(v[i], '='))
			r = json_fail(c, NULL, "%s: expected NAME=VALUE", v[i]);
		json_pop(c, m);
	}
	json_pop(c, mark);
	return r;
}

/* root */

static int parse_root(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	struct spec *s = p->s;
	const char *path;

	if (json_get_string(c, o, "path", JSON_REQUIRED, &path) < 0 ||
	    json_get_bool(c, o, "readonly", JSON_OPTIONAL,
			  &s->root_readonly) < 0)
		return failed(c);
	if (!*path)
		return json_fail(c, "path", "must not be empty");
	s->root_path = join_clean(s->bundle, path);
	if (!s->root_path)
		return nomem(c);
	return 0;
}

/* Last: a config's own mistakes are named before the state of the disk. */
static int check_rootfs(struct json_ctx *c, const struct spec *s)
{
	struct stat st;

	if (stat(s->root_path, &st) < 0)
		return json_fail_sys(c, "root.path", errno, "%s",
				     s->root_path);
	if (!S_ISDIR(st.st_mode))
		return json_fail_sys(c, "root.path", ENOTDIR, "%s",
				     s->root_path);
	return 0;
}

/* process */

static int parse_user(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	struct spec_user *u = &p->s->process.user;
	uint64_t uid = 0, gid = 0, umask = 0, v;
	const cJSON *arr, *el;
	size_t mark, m, n, i = 0;
	int r;

	if (json_get_uint(c, o, "uid", JSON_OPTIONAL, ID_MAX, &uid) < 0 ||
	    json_get_uint(c, o, "gid", JSON_OPTIONAL, ID_MAX, &gid) < 0)
		return failed(c);
	r = json_get_uint(c, o, "umask", JSON_OPTIONAL, 0777, &umask);
	if (r < 0)
		return r;
	u->uid = uid;
	u->gid = gid;
	u->umask = r ? (int)umask : -1;
	r = json_get_array(c, o, "additionalGids", JSON_OPTIONAL, &arr, &n);
	if (r <= 0)
		return r;
	u->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
	if (!u->additional_gids)
		return nomem(c);
	mark = json_push(c, "additionalGids");
	cJSON_ArrayForEach(el, arr) {
		m = json_push_index(c, i);
		r = json_as_uint(c, el, ID_MAX, &v);
		json_pop(c, m);
		if (r < 0)
			break;
		u->additional_gids[i++] = v;
	}
	json_pop(c, mark);
	u->n_additional_gids = i;
	return r < 0 ? r : 0;
}

static int parse_caps(struct parse *p, const cJSON *o)
{
	static const char sets[][12] = {
		"bounding", "effective", "permitted", "inheritable", "ambient",
	};
	struct spec_caps *caps = &p->s->process.caps;
	uint64_t *masks[] = {
		&caps->bounding, &caps->effective, &caps->permitted,
		&caps->inheritable, &caps->ambient,
	};
	struct json_ctx *c = &p->c;
	const cJSON *arr, *el;
	const char *name;
	size_t k, i, mark, m;
	int r, cap;

	if (!o)
		return 0;
	caps->present = 1;
	for (k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		r = json_get_array(c, o, sets[k], JSON_OPTIONAL, &arr, NULL);
		if (r < 0)
			return r;
		if (!r)
			continue;
		mark = json_push(c, sets[k]);
		i = 0;
		cJSON_ArrayForEach(el, arr) {
			m = json_push_index(c, i++);
			r = json_as_string(c, el, &name);
			cap = r < 0 ? -1 : caps_from_name(name);
			if (!r && cap < 0)
				r = json_fail(c, NULL, "%s: unknown capability",
					      name);
			json_pop(c, m);
			if (r < 0)
				break;
			*masks[k] |= UINT64_C(1) << cap;
		}
		json_pop(c, mark);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct {
	char name[18];
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimit(struct parse *p, const cJSON *o, size_t i)
{
	struct json_ctx *c = &p->c;
	struct spec_rlimit *rl = &p->s->process.rlimits[i];
	const char *type;
	size_t k;

	if (json_get_string(c, o, "type", JSON_REQUIRED, &type) < 0)
		return failed(c);
	for (k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
		if (!strcmp(type, rlimit_names[k].name))
			break;
	if (k == sizeof(rlimit_names) / sizeof(rlimit_names[0]))
		return json_fail(c, "type", "%s: unknown rlimit", type);
	rl->resource = rlimit_names[k].resource;
	for (k = 0; k < i; k++)
		if (p->s->process.rlimits[k].resource == rl->resource)
			return json_fail(c, "type", "%s: duplicated", type);
	if (json_get_uint(c, o, "soft", JSON_REQUIRED, UINT64_MAX,
			  &rl->soft) < 0 ||
	    json_get_uint(c, o, "hard", JSON_REQUIRED, UINT64_MAX,
			  &rl->hard) < 0)
		return failed(c);
	if (rl->soft > rl->hard)
		return json_fail(c, NULL,
				 "soft limit %llu above hard limit %llu",
				 (unsigned long long)rl->soft,
				 (unsigned long long)rl->hard);
	p->s->process.n_rlimits = i + 1;
	return 0;
}

static int reject_label(struct json_ctx *c, const cJSON *o, const char *key)
{
	const char *s = "";

	if (json_get_string(c, o, key, JSON_OPTIONAL, &s) < 0)
		return failed(c);
	return *s ? json_fail(c, key, "not supported") : 0;
}

/* config.md: ignored unless terminal is true; both members required. */
static int parse_console_size(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	struct spec_process *pr = &p->s->process;
	uint64_t h, w;

	if (!o)
		return 0;
	/* A winsize holds 16 bits a side. */
	if (json_get_uint(c, o, "height", JSON_REQUIRED, 65535, &h) < 0 ||
	    json_get_uint(c, o, "width", JSON_REQUIRED, 65535, &w) < 0)
		return failed(c);
	if (pr->terminal) {
		pr->console_height = h;
		pr->console_width = w;
	}
	return 0;
}

static int parse_process(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	struct spec_process *pr = &p->s->process;
	const cJSON *arr;
	const char *cwd;
	int64_t oom;
	size_t n;
	int r;

	r = json_get_bool(c, o, "terminal", JSON_OPTIONAL, &pr->terminal);
	if (r < 0)
		return r;
	if (in_object(p, o, "consoleSize", JSON_OPTIONAL,
		      parse_console_size) < 0 ||
	    in_object(p, o, "user", JSON_OPTIONAL, parse_user) < 0 ||
	    json_get_strv(c, o, "args", JSON_REQUIRED, &pr->args, &n) < 0)
		return failed(c);
	if (!n)
		return json_fail(c, "args", "must not be empty");
	if (json_get_strv(c, o, "env", JSON_OPTIONAL, &pr->env, NULL) < 0 ||
	    check_strv(c, "env", pr->env, 1) < 0 ||
	    json_get_string(c, o, "cwd", JSON_REQUIRED, &cwd) < 0 ||
	    check_abs(c, "cwd", cwd) < 0 ||
	    dup_to(c, cwd, &pr->cwd) < 0 ||
	    in_object(p, o, "capabilities", JSON_OPTIONAL, parse_caps) < 0)
		return failed(c);
	r = json_get_array(c, o, "rlimits", JSON_OPTIONAL, &arr, &n);
	if (r < 0)
		return r;
	if (r && n) {
		pr->rlimits = calloc(n, sizeof(*pr->rlimits));
		if (!pr->rlimits)
			return nomem(c);
	}
	if (each_object(p, o, "rlimits", parse_rlimit) < 0 ||
	    json_get_bool(c, o, "noNewPrivileges", JSON_OPTIONAL,
			  &pr->no_new_privileges) < 0)
		return failed(c);
	r = json_get_int(c, o, "oomScoreAdj", JSON_OPTIONAL, -1000, 1000,
			 &oom);
	if (r < 0)
		return r;
	pr->has_oom_score_adj = r;
	pr->oom_score_adj = r ? (int)oom : 0;
	if (reject_label(c, o, "apparmorProfile") < 0 ||
	    reject_label(c, o, "selinuxLabel") < 0 ||
	    json_reject(c, o, "ioPriority") < 0 ||
	    json_reject(c, o, "scheduler") < 0 ||
	    json_reject(c, o, "execCPUAffinity") < 0)
		return failed(c);
	return 0;
}

/* mounts */

enum { OPT_SET, OPT_CLEAR, OPT_PROPAGATION, OPT_REFUSED };

/* mount(8) options that are flags; the rest is data for the filesystem. */
static const struct {
	char name[15];
	unsigned char how;
	unsigned long flag;
} mount_opts[] = {
	{ "defaults", OPT_SET, 0 },
	{ "ro", OPT_SET, MS_RDONLY },
	{ "rw", OPT_CLEAR, MS_RDONLY },
	{ "nosuid", OPT_SET, MS_NOSUID },
	{ "suid", OPT_CLEAR, MS_NOSUID },
	{ "nodev", OPT_SET, MS_NODEV },
	{ "dev", OPT_CLEAR, MS_NODEV },
	{ "noexec", OPT_SET, MS_NOEXEC },
	{ "exec", OPT_CLEAR, MS_NOEXEC },
	{ "sync", OPT_SET, MS_SYNCHRONOUS },
	{ "async", OPT_CLEAR, MS_SYNCHRONOUS },
	{ "dirsync", OPT_SET, MS_DIRSYNC },
	{ "mand", OPT_SET, MS_MANDLOCK },
	{ "nomand", OPT_CLEAR, MS_MANDLOCK },
	{ "atime", OPT_CLEAR, MS_NOATIME },
	{ "noatime", OPT_SET, MS_NOATIME },
	{ "diratime", OPT_CLEAR, MS_NODIRATIME },
	{ "nodiratime", OPT_SET, MS_NODIRATIME },
	{ "relatime", OPT_SET, MS_RELATIME },
	{ "norelatime", OPT_CLEAR, MS_RELATIME },
	{ "strictatime", OPT_SET, MS_STRICTATIME },
	{ "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
	{ "lazytime", OPT_SET, MS_LAZYTIME },
	{ "nolazytime", OPT_CLEAR, MS_LAZYTIME },
	{ "iversion", OPT_SET, MS_I_VERSION },
	{ "noiversion", OPT_CLEAR, MS_I_VERSION },
	{ "silent", OPT_SET, MS_SILENT },
	{ "loud", OPT_CLEAR, MS_SILENT },
	{ "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
	{ "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
	{ "bind", OPT_SET, MS_BIND },
	{ "rbind", OPT_SET, MS_BIND | MS_REC },
	{ "private", OPT_PROPAGATION, MS_PRIVATE },
	{ "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
	{ "shared", OPT_PROPAGATION, MS_SHARED },
	{ "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
	{ "slave", OPT_PROPAGATION, MS_SLAVE },
	{ "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
	{ "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
	{ "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
	/*
	 * runc's own options: taken as data they would be dropped without a
	 * word on a bind mount (a "rro" bind left writable).
	 */
	{ "remount", OPT_REFUSED, 0 },
	{ "rro", OPT_REFUSED, 0 },
	{ "rrw", OPT_REFUSED, 0 },
	{ "rnosuid", OPT_REFUSED, 0 },
	{ "rsuid", OPT_REFUSED, 0 },
	{ "rnodev", OPT_REFUSED, 0 },
	{ "rdev", OPT_REFUSED, 0 },
	{ "rnoexec", OPT_REFUSED, 0 },
	{ "rexec", OPT_REFUSED, 0 },
	{ "rnoatime", OPT_REFUSED, 0 },
	{ "ratime", OPT_REFUSED, 0 },
	{ "rnodiratime", OPT_REFUSED, 0 },
	{ "rdiratime", OPT_REFUSED, 0 },
	{ "rrelatime", OPT_REFUSED, 0 },
	{ "rnorelatime", OPT_REFUSED, 0 },
	{ "rstrictatime", OPT_REFUSED, 0 },
	{ "rnostrictatime", OPT_REFUSED, 0 },
	{ "rnosymfollow", OPT_REFUSED, 0 },
	{ "rsymfollow", OPT_REFUSED, 0 },
	{ "idmap", OPT_REFUSED, 0 },
	{ "ridmap", OPT_REFUSED, 0 },
	{ "tmpcopyup", OPT_REFUSED, 0 },
};

const char *spec_mount_option(size_t i)
{
	size_t k, n = 0;

	for (k = 0; k < sizeof(mount_opts) / sizeof(mount_opts[0]); k++)
		if (mount_opts[k].how != OPT_REFUSED && n++ == i)
			return mount_opts[k].name;
	return NULL;
}

static const char mount_types[][8] = {
	"proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2",
};

static int mount_options(struct json_ctx *c, struct spec_mount *m,
			 char **opts)
{
	size_t i, k, len = 0, mark;
	char *data;
	int r = 0;

	for (i = 0; opts[i]; i++)
		len += strlen(opts[i]) + 1;
	data = calloc(1, len + 1);
	if (!data)
		return nomem(c);
	mark = json_push(c, "options");
	for (i = 0; opts[i] && !r; i++) {
		for (k = 0; k < sizeof(mount_opts) / sizeof(mount_opts[0]); k++)
			if (!strcmp(opts[i], mount_opts[k].name))
				break;
		if (k == sizeof(mount_opts) / sizeof(mount_opts[0])) {
			if (*opts[i] && *data)
				strcat(data, ",");
			strcat(data, opts[i]);
			continue;
		}
		switch (mount_opts[k].how) {
		case OPT_SET:
			m->flags |= mount_opts[k].flag;
			m->clear &= ~mount_opts[k].flag;
			break;
		case OPT_CLEAR:
			m->clear |= mount_opts[k].flag;
			m->flags &= ~mount_opts[k].flag;
			break;
		case OPT_PROPAGATION:
			m->propagation = mount_opts[k].flag;
			break;
		default:
			json_push_index(c, i);
			r = json_fail(c, NULL, "%s: not supported", opts[i]);
		}
	}
	json_pop(c, mark);
	if (r < 0 || !*data) {
		free(data);
		return r;
	}
	m->data = data;
	return 0;
}

static int parse_mount(struct parse *p, const cJSON *o, size_t i)
{
	struct json_ctx *c = &p->c;
	struct spec_mount *m = &p->s->mounts[i];
	const char *dest, *type = NULL, *src = NULL;
	char **opts = NULL;
	size_t k;
	int r;

	if (json_get_string(c, o, "destination", JSON_REQUIRED, &dest) < 0 ||
	    check_abs(c, "destination", dest) < 0 ||
	    dup_to(c, dest, &m->dest) < 0 ||
	    json_get_string(c, o, "type", JSON_OPTIONAL, &type) < 0 ||
	    json_get_string(c, o, "source", JSON_OPTIONAL, &src) < 0 ||
	    json_get_strv(c, o, "options", JSON_OPTIONAL, &opts, NULL) < 0)
		return failed(c);
	r = mount_options(c, m, opts);
	json_strv_free(opts);
	if (r < 0 || json_reject(c, o, "uidMappings") < 0 ||
	    json_reject(c, o, "gidMappings") < 0)
		return failed(c);
	if ((m->flags & MS_BIND) || (type && !strcmp(type, "bind"))) {
		m->flags |= MS_BIND;
		if (!src)
			return json_fail(c, "source", "missing");
		if (!*src)
			return json_fail(c, "source", "must not be empty");
		m->source = *src == '/' ? strdup(src) :
			    join_clean(p->s->bundle, src);
		if (!m->source)
			return nomem(c);
		return dup_to(c, "bind", &m->type);
	}
	if (!type)
		return json_fail(c, "type", "missing");
	for (k = 0; k < sizeof(mount_types) / sizeof(mount_types[0]); k++)
		if (!strcmp(type, mount_types[k]))
			break;
	if (k == sizeof(mount_types) / sizeof(mount_types[0]))
		return json_fail(c, "type", "%s: not supported", type);
	if (src && dup_to(c, src, &m->source) < 0)
		return failed(c);
	return dup_to(c, type, &m->type);
}

static int parse_mounts(struct parse *p, const cJSON *top)
{
	const cJSON *arr;
	size_t n;
	int r;

	r = json_get_array(&p->c, top, "mounts", JSON_OPTIONAL, &arr, &n);
	if (r <= 0 || !n)
		return r;
	p->s->mounts = calloc(n, sizeof(*p->s->mounts));
	if (!p->s->mounts)
		return nomem(&p->c);
	p->s->n_mounts = n;
	return each_object(p, top, "mounts", parse_mount);
}

/* linux */

static const struct {
	char name[8], proc[8];
	unsigned long flag;
} ns_names[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = { "pid", "pid", CLONE_NEWPID },
	[SPEC_NS_NET] = { "network", "net", CLONE_NEWNET },
	[SPEC_NS_MNT] = { "mount", "mnt", CLONE_NEWNS },
	[SPEC_NS_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
	[SPEC_NS_UTS] = { "uts", "uts", CLONE_NEWUTS },
	[SPEC_NS_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
	[SPEC_NS_USER] = { "user", "user", CLONE_NEWUSER },
	[SPEC_NS_TIME] = { "time", "time", CLONE_NEWTIME },
};

int spec_ns_from_name(const char *name)
{
	int t;

	for (t = 0; t < SPEC_NS_COUNT; t++)
		if (!strcmp(name, ns_names[t].name))
			return t;
	return -1;
}

unsigned long spec_ns_clone_flag(int type)
{
	return type >= 0 && type < SPEC_NS_COUNT ? ns_names[type].flag : 0;
}

const char *spec_ns_proc_name(int type)
{
	return type >= 0 && type < SPEC_NS_COUNT ? ns_names[type].proc : NULL;
}

static int parse_ns(struct parse *p, const cJSON *o, size_t i)
{
	struct json_ctx *c = &p->c;
	const char *type, *path = NULL;
	struct spec_ns *ns;
	int t;

	if (json_get_string(c, o, "type", JSON_REQUIRED, &type) < 0)
		return failed(c);
	t = spec_ns_from_name(type);
	if (t < 0)
		return json_fail(c, "type", "%s: unknown namespace", type);
	if (t == SPEC_NS_TIME)
		return json_fail(c, "type", "%s: not supported", type);
	ns = &p->s->ns[t];
	if (ns->present)
		return json_fail(c, "type", "%s: duplicated", type);
	ns->present = 1;
	if (json_get_string(c, o, "path", JSON_OPTIONAL, &path) < 0)
		return failed(c);
	if (!path || !*path)
		return 0;
	if (check_abs(c, "path", path) < 0)
		return failed(c);
	return dup_to(c, path, &ns->path);
}

static const struct {
	char name[12];
	unsigned long flags;
} propagations[] = {
	{ "private", MS_PRIVATE },
	{ "rprivate", MS_PRIVATE | MS_REC },
	{ "slave", MS_SLAVE },
	{ "rslave", MS_SLAVE | MS_REC },
	{ "shared", MS_SHARED },
	{ "rshared", MS_SHARED | MS_REC },
	{ "unbindable", MS_UNBINDABLE },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
};

static int parse_propagation(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	const char *prop = "";
	size_t k;

	if (json_get_string(c, o, "rootfsPropagation", JSON_OPTIONAL,
			    &prop) < 0)
		return failed(c);
	if (!*prop)
		return 0;
	for (k = 0; k < sizeof(propagations) / sizeof(propagations[0]); k++) {
		if (!strcmp(prop, propagations[k].name)) {
			p->s->rootfs_propagation = propagations[k].flags;
			return 0;
		}
	}
	return json_fail(c, "rootfsPropagation", "%s: unknown propagation",
			 prop);
}

/* linux.cgroupsPath and linux.resources (spec_resources.c). */
static int parse_cgroups(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	const cJSON *res = NULL;
	const char *path = "";
	size_t mark;
	int r;

	if (json_get_object(c, o, "resources", JSON_OPTIONAL, &res) < 0 ||
	    json_get_string(c, o, "cgroupsPath", JSON_OPTIONAL, &path) < 0)
		return failed(c);
	if (*path && dup_to(c, path, &p->s->cgroups_path) < 0)
		return failed(c);
	mark = json_push(c, "resources");
	r = spec_resources_parse(c, res, &p->s->resources);
	json_pop(c, mark);
	return r;
}

/* linux.uidMappings, linux.gidMappings */
static int parse_idmaps(struct parse *p, const cJSON *o, const char *key,
			struct spec_idmap **out, size_t *nout)
{
	/* The kernel takes at most 340 lines in uid_map since 4.15. */
	enum { MAX_MAPS = 340 };
	struct json_ctx *c = &p->c;
	const cJSON *arr, *el;
	size_t n, i = 0, mark, m;
	uint64_t cid, hid, size;
	int r;

	r = json_get_array(c, o, key, JSON_OPTIONAL, &arr, &n);
	if (r <= 0 || !n)
		return r < 0 ? r : 0;
	if (n > MAX_MAPS)
		return json_fail(c, key, "more than %d mappings", MAX_MAPS);
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return nomem(c);
	mark = json_push(c, key);
	cJSON_ArrayForEach(el, arr) {
		m = json_push_index(c, i);
		r = json_as_object(c, el);
		if (!r && (json_get_uint(c, el, "containerID", JSON_REQUIRED,
					 UINT32_MAX, &cid) < 0 ||
			   json_get_uint(c, el, "hostID", JSON_REQUIRED,
					 UINT32_MAX, &hid) < 0 ||
			   json_get_uint(c, el, "size", JSON_REQUIRED,
					 UINT32_MAX, &size) < 0))
			r = failed(c);
		if (!r && !size)
			r = json_fail(c, "size", "must not be 0");
		if (!r && (cid + size > UINT32_MAX + 1ULL ||
			   hid + size > UINT32_MAX + 1ULL))
			r = json_fail(c, "size", "range beyond id 4294967295");
		json_pop(c, m);
		if (r < 0)
			break;
		(*out)[i++] = (struct spec_idmap){ cid, hid, size };
	}
	json_pop(c, mark);
	*nout = i;
	return r < 0 ? r : 0;
}

/* A container id is mapped when one range holds it. */
static int id_mapped(const struct spec_idmap *m, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (id >= m[i].container_id &&
		    id - m[i].container_id < m[i].size)
			return 1;
	return 0;
}

static int check_userns(struct json_ctx *c, const struct spec *s)
{
	const struct spec_user *u = &s->process.user;
	size_t i;

	if (!s->ns[SPEC_NS_USER].present) {
		if (s->n_uid_mappings || s->n_gid_mappings)
			return json_fail(c, s->n_uid_mappings ? "uidMappings" :
					 "gidMappings",
					 "needs a user namespace");
		return 0;
	}
	/* runc wants them given even then; they are the namespace's own. */
	if (s->ns[SPEC_NS_USER].path)
		return 0;
	if (!s->n_uid_mappings)
		return json_fail(c, "uidMappings", "missing: a new user "
				 "namespace needs them");
	if (!s->n_gid_mappings)
		return json_fail(c, "gidMappings", "missing: a new user "
				 "namespace needs them");
	/* Caught here, not as EINVAL from setresuid() in the init. */
	if (!id_mapped(s->uid_mappings, s->n_uid_mappings, u->uid))
		return json_fail(c, "uidMappings", "process.user.uid %u is "
				 "not mapped", (unsigned)u->uid);
	if (!id_mapped(s->gid_mappings, s->n_gid_mappings, u->gid))
		return json_fail(c, "gidMappings", "process.user.gid %u is "
				 "not mapped", (unsigned)u->gid);
	for (i = 0; i < u->n_additional_gids; i++)
		if (!id_mapped(s->gid_mappings, s->n_gid_mappings,
			       u->additional_gids[i]))
			return json_fail(c, "gidMappings", "process.user."
					 "additionalGids %u is not mapped",
					 (unsigned)u->additional_gids[i]);
	return 0;
}

/*
 * linux.sysctl, with runc's rule: only keys of a namespace the container
 * has a new one of, so nothing is written into the host's kernel.
 */
static int sysctl_ns(const char *key)
{
	static const struct {
		char prefix[18];
		int ns;
	} map[] = {
		{ "kernel.shm", SPEC_NS_IPC }, { "kernel.msg", SPEC_NS_IPC },
		{ "kernel.sem", SPEC_NS_IPC }, { "fs.mqueue.", SPEC_NS_IPC },
		{ "net.", SPEC_NS_NET },
		{ "kernel.hostname", SPEC_NS_UTS },
		{ "kernel.domainname", SPEC_NS_UTS },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(key, map[i].prefix, strlen(map[i].prefix)))
			return map[i].ns;
	return -1;
}

static int parse_sysctl(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	struct spec *s = p->s;
	const char *value, *q;
	const cJSON *k;
	size_t n, mark;
	int r = 0, ns;

	n = o ? cJSON_GetArraySize(o) : 0;
	if (!n)
		return 0;
	s->sysctl = calloc(n, sizeof(*s->sysctl));
	if (!s->sysctl)
		return nomem(c);
	cJSON_ArrayForEach(k, o) {
		mark = json_push(c, k->string);
		r = json_as_string(c, k, &value);
		for (q = k->string; !r && *q; q++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.",
				    *q) || (*q == '.' && q[1] == '.'))
				r = json_fail(c, NULL, "not a sysctl name");
		ns = r ? -1 : sysctl_ns(k->string);
		if (!r && ns < 0)
			r = json_fail(c, NULL, "not in a namespace of the "
				      "container's own");
		if (!r && ns >= 0 && !s->ns[ns].present)
			r = json_fail(c, NULL, "needs a %s namespace",
				      spec_ns_proc_name(ns));
		json_pop(c, mark);
		if (r < 0)
			return r;
		if (dup_to(c, k->string, &s->sysctl[s->n_sysctl].key) < 0 ||
		    dup_to(c, value, &s->sysctl[s->n_sysctl].value) < 0)
			return failed(c);
		s->n_sysctl++;
	}
	return 0;
}

static int parse_device(struct parse *p, const cJSON *o, size_t i)
{
	struct json_ctx *c = &p->c;
	struct spec_device *d = &p->s->devices[i];
	const char *path, *type;
	uint64_t major = 0, minor = 0, mode = 0666, uid = 0, gid = 0;
	int r;

	if (json_get_string(c, o, "path", JSON_REQUIRED, &path) < 0 ||
	    check_abs(c, "path", path) < 0 ||
	    json_get_string(c, o, "type", JSON_REQUIRED, &type) < 0)
		return failed(c);
	if (strlen(type) != 1 || !strchr("cbup", *type))
		return json_fail(c, "type", "%s: not one of c, b, u, p", type);
	r = json_get_uint(c, o, "major", *type == 'p' ? JSON_OPTIONAL :
			  JSON_REQUIRED, 0xfff, &major);
	if (r >= 0)
		r = json_get_uint(c, o, "minor", *type == 'p' ? JSON_OPTIONAL :
				  JSON_REQUIRED, 0xfffff, &minor);
	if (r < 0 ||
	    json_get_uint(c, o, "fileMode", JSON_OPTIONAL, 07777, &mode) < 0 ||
	    json_get_uint(c, o, "uid", JSON_OPTIONAL, ID_MAX, &uid) < 0 ||
	    json_get_uint(c, o, "gid", JSON_OPTIONAL, ID_MAX, &gid) < 0 ||
	    dup_to(c, path, &d->path) < 0)
		return failed(c);
	d->type = *type == 'u' ? 'c' : *type;
	d->major = major;
	d->minor = minor;
	d->mode = mode & 07777;
	d->uid = uid;
	d->gid = gid;
	p->s->n_devices = i + 1;
	return 0;
}

static int parse_devices(struct parse *p, const cJSON *o)
{
	size_t n;
	const cJSON *arr;
	int r;

	r = json_get_array(&p->c, o, "devices", JSON_OPTIONAL, &arr, &n);
	if (r <= 0 || !n)
		return r < 0 ? r : 0;
	p->s->devices = calloc(n, sizeof(*p->s->devices));
	if (!p->s->devices)
		return nomem(&p->c);
	return each_object(p, o, "devices", parse_device);
}

/* linux.personality: the execution domain; flags are not defined yet. */
static int parse_personality(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	const char *domain;

	if (!o)
		return 0;
	if (json_get_string(c, o, "domain", JSON_REQUIRED, &domain) < 0 ||
	    json_reject(c, o, "flags") < 0)
		return failed(c);
	if (!strcmp(domain, "LINUX"))
		p->s->personality = 0;
	else if (!strcmp(domain, "LINUX32"))
		p->s->personality = 8;	/* PER_LINUX32 */
	else
		return json_fail(c, "domain", "%s: not LINUX or LINUX32",
				 domain);
	p->s->has_personality = 1;
	return 0;
}

static int parse_linux(struct parse *p, const cJSON *o)
{
	static const char refused[][14] = {
		"intelRdt", "timeOffsets", "memoryPolicy",
		"netDevices",
	};
	struct json_ctx *c = &p->c;
	struct spec *s = p->s;
	const cJSON *sc = NULL;
	size_t k, mark;
	int r;

	if (json_get_object(c, o, "seccomp", JSON_OPTIONAL, &sc) < 0)
		return failed(c);
	mark = json_push(c, "seccomp");
	r = spec_seccomp_parse(c, sc, &s->seccomp);
	json_pop(c, mark);
	if (r < 0 ||
	    each_object(p, o, "namespaces", parse_ns) < 0 ||
	    json_get_strv(c, o, "maskedPaths", JSON_OPTIONAL,
			  &s->masked_paths, NULL) < 0 ||
	    check_strv(c, "maskedPaths", s->masked_paths, 0) < 0 ||
	    json_get_strv(c, o, "readonlyPaths", JSON_OPTIONAL,
			  &s->readonly_paths, NULL) < 0 ||
	    check_strv(c, "readonlyPaths", s->readonly_paths, 0) < 0 ||
	    parse_propagation(p, o) < 0 ||
	    parse_cgroups(p, o) < 0 ||
	    parse_idmaps(p, o, "uidMappings", &s->uid_mappings,
			 &s->n_uid_mappings) < 0 ||
	    parse_idmaps(p, o, "gidMappings", &s->gid_mappings,
			 &s->n_gid_mappings) < 0 ||
	    check_userns(c, s) < 0 ||
	    in_object(p, o, "sysctl", JSON_OPTIONAL, parse_sysctl) < 0 ||
	    parse_devices(p, o) < 0 ||
	    in_object(p, o, "personality", JSON_OPTIONAL,
		      parse_personality) < 0)
		return failed(c);
	for (k = 0; k < sizeof(refused) / sizeof(refused[0]); k++)
		if (json_reject(c, o, refused[k]) < 0)
			return failed(c);
	return reject_label(c, o, "mountLabel");
}

/* hooks */

static const char hook_names[SPEC_HOOK_COUNT][16] = {
	[SPEC_HOOK_PRESTART] = "prestart",
	[SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
	[SPEC_HOOK_START_CONTAINER] = "startContainer",
	[SPEC_HOOK_POSTSTART] = "poststart",
	[SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *spec_hook_name(int kind)
{
	return kind >= 0 && kind < SPEC_HOOK_COUNT ? hook_names[kind] : NULL;
}

static int parse_hook(struct parse *p, const cJSON *o, size_t i)
{
	struct json_ctx *c = &p->c;
	struct spec_hook_list *l = &p->s->hooks[p->hook_kind];
	struct spec_hook *h = &l->hooks[i];
	const char *path;
	int64_t timeout = 0;
	int r;

	l->n = i + 1;
	if (json_get_string(c, o, "path", JSON_REQUIRED, &path) < 0 ||
	    check_abs(c, "path", path) < 0 ||
	    dup_to(c, path, &h->path) < 0 ||
	    json_get_strv(c, o, "args", JSON_OPTIONAL, &h->args, NULL) < 0 ||
	    json_get_strv(c, o, "env", JSON_OPTIONAL, &h->env, NULL) < 0 ||
	    check_strv(c, "env", h->env, 1) < 0)
		return failed(c);
	r = json_get_int(c, o, "timeout", JSON_OPTIONAL, INT32_MIN, INT32_MAX,
			 &timeout);
	if (r < 0)
		return r;
	if (r && timeout <= 0)
		return json_fail(c, "timeout", "must be greater than zero");
	h->timeout = timeout;
	return 0;
}

/* What start and delete need later, printed for the state directory. */
static int save_late_hooks(struct parse *p, const cJSON *o)
{
	static const int late[] = { SPEC_HOOK_POSTSTART, SPEC_HOOK_POSTSTOP };
	const cJSON *arr;
	cJSON *keep;
	size_t k;

	if (!p->s->hooks[SPEC_HOOK_POSTSTART].n &&
	    !p->s->hooks[SPEC_HOOK_POSTSTOP].n)
		return 0;
	keep = cJSON_CreateObject();
	for (k = 0; keep && k < sizeof(late) / sizeof(late[0]); k++) {
		arr = cJSON_GetObjectItemCaseSensitive(o, hook_names[late[k]]);
		if (arr && !cJSON_AddItemToObject(keep, hook_names[late[k]],
						  cJSON_Duplicate(arr, 1))) {
			cJSON_Delete(keep);
			keep = NULL;
		}
	}
	p->s->late_hooks_json = keep ? cJSON_PrintUnformatted(keep) : NULL;
	cJSON_Delete(keep);
	return p->s->late_hooks_json ? 0 : nomem(&p->c);
}

static int parse_hooks(struct parse *p, const cJSON *o)
{
	struct spec_hook_list *l;
	const cJSON *arr;
	size_t n;
	int k, r;

	for (k = 0; k < SPEC_HOOK_COUNT; k++) {
		r = json_get_array(&p->c, o, hook_names[k], JSON_OPTIONAL,
				   &arr, &n);
		if (r < 0)
			return r;
		if (!r || !n)
			continue;
		l = &p->s->hooks[k];
		l->hooks = calloc(n, sizeof(*l->hooks));
		if (!l->hooks)
			return nomem(&p->c);
		p->hook_kind = k;
		if (each_object(p, o, hook_names[k], parse_hook) < 0)
			return failed(&p->c);
	}
	return save_late_hooks(p, o);
}

/* the top */

static int parse_annotations(struct parse *p, const cJSON *o)
{
	struct json_ctx *c = &p->c;
	struct spec *s = p->s;
	struct spec_annotation *a;
	const char *value;
	const cJSON *k;
	size_t n, mark;
	int r;

	n = o ? cJSON_GetArraySize(o) : 0;
	if (!n)
		return 0;
	s->annotations = calloc(n, sizeof(*s->annotations));
	if (!s->annotations)
		return nomem(c);
	cJSON_ArrayForEach(k, o) {
		mark = json_push(c, k->string);
		r = json_as_string(c, k, &value);
		json_pop(c, mark);
		if (r < 0)
			return r;
		a = &s->annotations[s->n_annotations++];
		if (dup_to(c, k->string, &a->key) < 0 ||
		    dup_to(c, value, &a->value) < 0)
			return failed(c);
	}
	return 0;
}

static int parse_name(struct json_ctx *c, const cJSON *o, const char *key,
		      char **out)
{
	const char *s = "";

	if (json_get_string(c, o, key, JSON_OPTIONAL, &s) < 0)
		return failed(c);
	/* sethostname(2) and setdomainname(2) take at most 64 bytes. */
	if (strlen(s) > 64)
		return json_fail(c, key, "longer than 64 bytes");
	return *s ? dup_to(c, s, out) : 0;
}

static int parse_top(struct parse *p, const cJSON *top)
{
	static const char refused[][8] = {
		"solaris", "windows", "vm", "zos",
	};
	struct json_ctx *c = &p->c;
	struct spec *s = p->s;
	const char *version;
	size_t k;

	if (json_as_object(c, top) < 0 ||
	    json_get_string(c, top, "ociVersion", JSON_REQUIRED,
			    &version) < 0 ||
	    dup_to(c, version, &s->oci_version) < 0)
		return failed(c);
	for (k = 0; k < sizeof(refused) / sizeof(refused[0]); k++)
		if (json_reject(c, top, refused[k]) < 0)
			return failed(c);
	if (in_object(p, top, "root", JSON_REQUIRED, parse_root) < 0 ||
	    in_object(p, top, "process", JSON_REQUIRED, parse_process) < 0 ||
	    parse_name(c, top, "hostname", &s->hostname) < 0 ||
	    parse_name(c, top, "domainname", &s->domainname) < 0 ||
	    parse_mounts(p, top) < 0 ||
	    in_object(p, top, "hooks", JSON_OPTIONAL, parse_hooks) < 0 ||
	    in_object(p, top, "linux", JSON_OPTIONAL, parse_linux) < 0 ||
	    in_object(p, top, "annotations", JSON_OPTIONAL,
		      parse_annotations) < 0)
		return failed(c);
	return check_rootfs(c, s);
}

static int parse_tree(const cJSON *top, const char *name, const char *bundle,
		      struct spec **out, struct err *e)
{
	struct parse p;
	int r;

	json_ctx_init(&p.c, name, e);
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s)
		return nomem(&p.c);
	p.s->process.user.umask = -1;
	r = dup_to(&p.c, bundle, &p.s->bundle);
	if (!r)
		r = parse_top(&p, top);
	if (r < 0) {
		spec_free(p.s);
		return r;
	}
	*out = p.s;
	return 0;
}

static int check_bundle(const char *bundle, struct err *e)
{
	if (!bundle || *bundle != '/')
		return err_msg(e, EINVAL, "bundle %s: not an absolute path",
			       bundle ? bundle : "(none)");
	return 0;
}

int spec_parse(const char *text, size_t len, const char *name,
	       const char *bundle, struct spec **out, struct err *e)
{
	cJSON *top;
	int r;

	r = check_bundle(bundle, e);
	if (!r)
		r = json_parse(text, len, name, &top, e);
	if (r < 0)
		return r;
	r = parse_tree(top, name, bundle, out, e);
	cJSON_Delete(top);
	return r;
}

int spec_load(const char *bundle, struct spec **out, struct err *e)
{
	cJSON *top;
	char *path;
	int r;

	r = check_bundle(bundle, e);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return err_sys(e, ENOMEM, "config.json");
	r = json_load_file(AT_FDCWD, path, SPEC_FILE_MAX, "config.json", &top,
			   e);
	free(path);
	if (r < 0)
		return r;
	r = parse_tree(top, "config.json", bundle, out, e);
	cJSON_Delete(top);
	return r;
}

int spec_process_parse(const char *text, size_t len, const char *name,
		       struct spec **out, struct err *e)
{
	struct parse p = { 0 };
	cJSON *o;
	int r;

	r = json_parse(text, len, name, &o, e);
	if (r < 0)
		return r;
	json_ctx_init(&p.c, name, e);
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s) {
		r = nomem(&p.c);
	} else {
		p.s->process.user.umask = -1;
		r = json_as_object(&p.c, o);
		if (!r)
			r = parse_process(&p, o);
	}
	cJSON_Delete(o);
	if (r < 0) {
		spec_free(p.s);
		return r;
	}
	*out = p.s;
	return 0;
}

static void free_mount(struct spec_mount *m)
{
	free(m->dest);
	free(m->type);
	free(m->source);
	free(m->data);
}

void spec_free(struct spec *s)
{
	size_t i;
	int t;

	if (!s)
		return;
	free(s->oci_version);
	free(s->bundle);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	json_strv_free(s->process.args);
	json_strv_free(s->process.env);
	free(s->process.cwd);
	free(s->process.user.additional_gids);
	free(s->process.rlimits);
	for (i = 0; i < s->n_mounts; i++)
		free_mount(&s->mounts[i]);
	free(s->mounts);
	for (t = 0; t < SPEC_NS_COUNT; t++)
		free(s->ns[t].path);
	json_strv_free(s->masked_paths);
	json_strv_free(s->readonly_paths);
	for (i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	free(s->uid_mappings);
	free(s->gid_mappings);
	for (t = 0; t < SPEC_HOOK_COUNT; t++) {
		for (i = 0; i < s->hooks[t].n; i++) {
			free(s->hooks[t].hooks[i].path);
			json_strv_free(s->hooks[t].hooks[i].args);
			json_strv_free(s->hooks[t].hooks[i].env);
		}
		free(s->hooks[t].hooks);
	}
	for (i = 0; i < s->n_sysctl; i++) {
		free(s->sysctl[i].key);
		free(s->sysctl[i].value);
	}
	free(s->sysctl);
	for (i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	free(s->late_hooks_json);
	free(s->cgroups_path);
	spec_seccomp_free(s->seccomp);
	spec_resources_free(s->resources);
	free(s);
}

int spec_load_hooks(int dirfd, const char *name, struct spec **out,
		    struct err *e)
{
	struct parse p = { 0 };
	cJSON *o;
	int r;

	r = json_load_file(dirfd, name, SPEC_FILE_MAX, name, &o, e);
	if (r < 0)
		return r;
	json_ctx_init(&p.c, name, e);
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s)
		r = nomem(&p.c);
	else if ((r = json_as_object(&p.c, o)) == 0)
		r = parse_hooks(&p, o);
	cJSON_Delete(o);
	if (r < 0) {
		spec_free(p.s);
		return r;
	}
	*out = p.s;
	return 0;
}

/* `runc spec` (runc 1.2 libcontainer/specconv Example()). */
static const char default_config[] =
	"{\"ociVersion\":\"1.2.0\","
	"\"process\":{\"terminal\":true,"
	"\"user\":{\"uid\":0,\"gid\":0},"
	"\"args\":[\"sh\"],"
	"\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	"/sbin:/bin\",\"TERM=xterm\"],"
	"\"cwd\":\"/\","
	"\"capabilities\":{"
	"\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\","
	"\"CAP_NET_BIND_SERVICE\"],"
	"\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\","
	"\"CAP_NET_BIND_SERVICE\"],"
	"\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\","
	"\"CAP_NET_BIND_SERVICE\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,"
	"\"soft\":1024}],"
	"\"noNewPrivileges\":true},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"ocibox\","
	"\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\","
	"\"size=65536k\"]},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\","
	"\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\","
	"\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\","
	"\"size=65536k\"]},"
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\","
	"\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\","
	"\"nodev\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
	"\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\","
	"\"relatime\",\"ro\"]}],"
	"\"linux\":{"
	"\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
	"{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},"
	"{\"type\":\"cgroup\"}],"
	"\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\","
	"\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\","
	"\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\","
	"\"/proc/scsi\",\"/sys/devices/virtual/tpm\"],"
	"\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\","
	"\"/proc/sys\",\"/proc/sysrq-trigger\"]}}";

/*
 * runc's ToRootless: a user namespace mapping the caller's ids to root, no
 * network namespace (an unprivileged one could not reach anything), /sys
 * bound from the host (sysfs needs a network namespace of one's own), no
 * uid=/gid= mount options (those ids are not mapped), no linux.resources.
 */
static int make_rootless(cJSON *o, uid_t uid, gid_t gid)
{
	cJSON *lx = cJSON_GetObjectItemCaseSensitive(o, "linux");
	cJSON *ns = cJSON_GetObjectItemCaseSensitive(lx, "namespaces");
	cJSON *mounts = cJSON_GetObjectItemCaseSensitive(o, "mounts");
	cJSON *el, *next, *opts, *opt, *onext, *m;
	char maps[2][80];
	const char *type, *dest, *val;
	int k;

	for (el = ns ? ns->child : NULL; el; el = next) {
		next = el->next;
		type = cJSON_GetStringValue(cJSON_GetObjectItem(el, "type"));
		if (type && (!strcmp(type, "network") || !strcmp(type, "user")))
			cJSON_Delete(cJSON_DetachItemViaPointer(ns, el));
	}
	if (!cJSON_AddItemToArray(ns, cJSON_CreateRaw("{\"type\":\"user\"}")))
		return -1;
	/* An unprivileged user has no cgroup to write limits in. */
	cJSON_DeleteItemFromObjectCaseSensitive(lx, "resources");
	snprintf(maps[0], sizeof(maps[0]), "[{\"containerID\":0,\"hostID\":%u,"
		 "\"size\":1}]", (unsigned)uid);
	snprintf(maps[1], sizeof(maps[1]), "[{\"containerID\":0,\"hostID\":%u,"
		 "\"size\":1}]", (unsigned)gid);
	if (!cJSON_AddRawToObject(lx, "uidMappings", maps[0]) ||
	    !cJSON_AddRawToObject(lx, "gidMappings", maps[1]))
		return -1;
	for (el = mounts ? mounts->child : NULL; el; el = el->next) {
		dest = cJSON_GetStringValue(cJSON_GetObjectItem(el,
								"destination"));
		if (dest && !strcmp(dest, "/sys")) {
			m = cJSON_CreateRaw("{\"destination\":\"/sys\","
				"\"type\":\"none\",\"source\":\"/sys\","
				"\"options\":[\"rbind\",\"nosuid\","
				"\"noexec\",\"nodev\",\"ro\"]}");
			if (!m || !cJSON_ReplaceItemViaPointer(mounts, el, m))
				return -1;
			el = m;
			continue;
		}
		opts = cJSON_GetObjectItemCaseSensitive(el, "options");
		for (opt = opts ? opts->child : NULL; opt; opt = onext) {
			onext = opt->next;
			val = cJSON_GetStringValue(opt);
			for (k = 0; val && k < 2; k++)
				if (!strncmp(val, k ? "gid=" : "uid=", 4)) {
					cJSON_Delete(cJSON_DetachItemViaPointer(
						opts, opt));
					break;
				}
		}
	}
	return 0;
}

cJSON *spec_default_object(int rootless, uid_t uid, gid_t gid)
{
	struct err e;
	cJSON *o, *raw;
	char *text;

	if (json_parse(default_config, sizeof(default_config) - 1,
		       "default config", &o, &e) < 0)
		return NULL;
	if (!rootless)
		return o;
	/* Raw items print verbatim: reparse so the layout is Go's. */
	raw = NULL;
	text = make_rootless(o, uid, gid) == 0 ? cJSON_PrintUnformatted(o) :
	       NULL;
	cJSON_Delete(o);
	if (!text || json_parse(text, strlen(text), "default config", &raw,
				&e) < 0)
		raw = NULL;
	free(text);
	return raw;
}

char *spec_print(const cJSON *o)
{
	char *text, *nl;
	size_t n;

	/* runc writes it with json.MarshalIndent(spec, "", "\t"). */
	text = json_print_indent(o, "\t");
	if (!text)
		return NULL;
	n = strlen(text);
	nl = realloc(text, n + 2);
	if (!nl) {
		free(text);
		return NULL;
	}
	memcpy(nl + n, "\n", 2);
	return nl;
}

char *spec_default_json(int rootless, uid_t uid, gid_t gid)
{
	cJSON *o = spec_default_object(rootless, uid, gid);
	char *text = o ? spec_print(o) : NULL;

	cJSON_Delete(o);
	return text;
}
