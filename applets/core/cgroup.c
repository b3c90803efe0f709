/*
 * cgroup.c - the container's control groups; see cgroup.h.  The file
 * writes and their conversions follow runc 1.1's libcontainer/cgroups/fs
 * (v1) and fs2 (v2); the v2 device filter is an eBPF program built here,
 * as runc's devicefilter does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"
#include "sys.h"

#define SMALL_FILE (64 << 10)

static const char *const mode_names[] = {
	[CGROUP_NONE] = "none", [CGROUP_V1] = "v1",
	[CGROUP_HYBRID] = "hybrid", [CGROUP_V2] = "v2",
};

const char *cgroup_mode_name(enum cgroup_mode m)
{
	return mode_names[m];
}

static void nap(long ns)
{
	nanosleep(&(struct timespec){ 0, ns }, NULL);
}

struct cgroup *cgroup_new(void)
{
	return calloc(1, sizeof(struct cgroup));
}

static int add_dir(struct cgroup *cg, const char *name, const char *path,
		   const char *mnt)
{
	struct cgroup_dir *d;
	size_t cap = cg->cap ? cg->cap * 2 : 16;

	/* Room for every hierarchy of a hybrid host in the first step. */
	if (cg->n == cg->cap) {
		d = realloc(cg->dirs, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		cg->dirs = d;
		cg->cap = cap;
	}
	d = cg->dirs + cg->n;
	d->name = strdup(name);
	d->path = strdup(path);
	d->mnt = mnt ? strdup(mnt) : NULL;
	if (!d->name || !d->path || (mnt && !d->mnt)) {
		free(d->name);
		free(d->path);
		free(d->mnt);
		return -ENOMEM;
	}
	cg->n++;
	return 0;
}

int cgroup_add(struct cgroup *cg, const char *name, const char *path)
{
	return add_dir(cg, name, path, NULL);
}

void cgroup_free(struct cgroup *cg)
{
	size_t i;

	if (!cg)
		return;
	for (i = 0; i < cg->n; i++) {
		free(cg->dirs[i].name);
		free(cg->dirs[i].path);
		free(cg->dirs[i].mnt);
	}
	for (i = 0; i < cg->made; i++)
		free(cg->made_paths[i]);
	free(cg->made_paths);
	free(cg->dirs);
	free(cg);
}

/* --- finding the hierarchies ---------------------------------------------- */

/*
 * Go's filepath.Clean into out, as runc's utils.CleanPath: a relative
 * path is cleaned as if rooted, so ".." never climbs above where it
 * starts.  "" stays "".
 */
static void clean_path(const char *in, char *out, size_t size)
{
	size_t n = 0, len;
	const char *p = in, *q;

	if (*in == '/' && size > 1)
		out[n++] = '/';
	out[n] = 0;
	while (*p) {
		while (*p == '/')
			p++;
		q = p + strcspn(p, "/");
		len = q - p;
		if (!len || (len == 1 && *p == '.')) {
			p = q;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n && out[n - 1] != '/')
				n--;
			if (n > 1 || (n == 1 && *in != '/'))
				n--;
			out[n] = 0;
			p = q;
			continue;
		}
		if (n + len + 2 > size)
			break;
		if (n && out[n - 1] != '/')
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		out[n] = 0;
		p = q;
	}
}

/* 1 if the comma-separated list has word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, word, n) && (p[n] == ',' || !p[n]))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/*
 * The mountinfo entry of the cgroup file system on device dev: its root
 * (the cgroup shown at the mount point) and super options.
 */
static int mount_of(dev_t dev, char *root, size_t rsize, char *opts,
		    size_t osize)
{
	char *buf, *line, *next, *f[10], *sep;
	unsigned maj, min;
	int i, r = -ENOENT;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 4 << 20, &buf,
			 NULL) < 0)
		return -errno;
	for (line = buf; r && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = 0;
		for (i = 0; i < 5; i++)
			f[i] = strsep(&line, " ");
		if (!f[4] || sscanf(f[2], "%u:%u", &maj, &min) != 2 ||
		    (dev_t)makedev(maj, min) != dev)
			continue;
		line = sep + 3;
		for (i = 5; i < 8; i++)
			f[i] = strsep(&line, " ");
		if (!f[7] ||
		    (strcmp(f[5], "cgroup") && strcmp(f[5], "cgroup2")))
			continue;
		snprintf(root, rsize, "%s", f[3]);
		snprintf(opts, osize, "%s", f[7]);
		r = 0;
	}
	free(buf);
	return r;
}

/*
 * The cgroup of pid (0: this process) in the hierarchy of v1 mount options
 * opts (each controller of the /proc/PID/cgroup line among them), or in v2
 * (opts NULL).
 */
static int own_cgroup(pid_t pid, const char *opts, char *out, size_t size)
{
	char *buf, *line, *next, *ctrls, *path, *tok, *save, file[32];
	int r = -ENOENT, all;

	if (pid)
		snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(file, sizeof(file), "/proc/self/cgroup");
	r = read_file_at(AT_FDCWD, file, SMALL_FILE, &buf, NULL);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (line = buf; r && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		ctrls = strchr(line, ':');
		path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*ctrls++ = 0;
		*path++ = 0;
		if (!opts) {
			if (!*ctrls && !strcmp(line, "0"))
				r = 0;
		} else if (*ctrls) {
			all = 1;
			for (tok = strtok_r(ctrls, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				all &= has_word(opts, tok);
			if (all)
				r = 0;
		}
		if (!r)
			snprintf(out, size, "%s", path);
	}
	free(buf);
	return r;
}

/* The v1 hierarchy's name: its controllers (or name=X) from opts. */
static void v1_name(const char *opts, char *out, size_t size)
{
	static const char skip[][16] = {
		"rw", "ro", "clone_children", "noprefix", "xattr",
		"cpuset_v2_mode", "favordynmods", "nosuid", "nodev", "noexec",
		"relatime",
	};
	char buf[512], *tok, *save;
	size_t n = 0, k;

	snprintf(buf, sizeof(buf), "%s", opts);
	out[0] = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			if (!strcmp(tok, skip[k]))
				break;
		if (k < sizeof(skip) / sizeof(skip[0]) ||
		    !strncmp(tok, "release_agent=", 14))
			continue;
		n += snprintf(out + n, n < size ? size - n : 0, "%s%s",
			      n ? "," : "", tok);
	}
}

/*
 * dir = mnt + (own cgroup relative to the mount's root) + "/" + inner;
 * inner NULL: the own cgroup itself.
 */
static int place(struct cgroup *cg, const char *name, const char *mnt,
		 const char *root, const char *own, const char *inner,
		 int parent_of_own)
{
	char rel[PATH_MAX], path[PATH_MAX], *slash;
	size_t rl = strlen(root);

	if (inner && *inner == '/') {
		snprintf(path, sizeof(path), "%s%s", mnt,
			 strcmp(inner, "/") ? inner : "");
		return add_dir(cg, name, path, mnt);
	}
	snprintf(rel, sizeof(rel), "%s", own);
	if (parent_of_own) {
		slash = strrchr(rel, '/');
		if (slash)
			slash[slash == rel] = 0;
	}
	/* Below a mount of a sub-cgroup (in a container), own is longer. */
	if (strcmp(root, "/") && !strncmp(rel, root, rl) &&
	    (!rel[rl] || rel[rl] == '/'))
		memmove(rel, rel + rl, strlen(rel + rl) + 1);
	if (!strcmp(rel, "/"))
		rel[0] = 0;
	if (snprintf(path, sizeof(path), "%s%s%s%s", mnt, rel,
		     inner ? "/" : "", inner ? inner : "") >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return add_dir(cg, name, path, mnt);
}

static int plan_v1(struct cgroup *cg, const char *inner, pid_t pid)
{
	char mnt[PATH_MAX], root[PATH_MAX], opts[512], name[512];
	char own[PATH_MAX];
	struct dirent *de;
	struct statfs sf;
	struct stat st;
	DIR *d;
	int r = 0, v1 = 0, v2 = 0;
	size_t i;

	d = opendir(CGROUP_ROOT);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (!r && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(mnt, sizeof(mnt), CGROUP_ROOT "/%s", de->d_name);
		/* cpu -> cpu,cpuacct links name a hierarchy twice. */
		if (lstat(mnt, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    statfs(mnt, &sf) < 0)
			continue;
		if (sf.f_type == SYS_CGROUP2_SUPER_MAGIC) {
			if (mount_of(st.st_dev, root, sizeof(root), opts,
				     sizeof(opts)) < 0 ||
			    own_cgroup(pid, NULL, own, sizeof(own)) < 0)
				continue;
			r = place(cg, "", mnt, root, own, inner, 0);
			v2 = 1;
			continue;
		}
		if (sf.f_type != SYS_CGROUP_SUPER_MAGIC ||
		    mount_of(st.st_dev, root, sizeof(root), opts,
			     sizeof(opts)) < 0)
			continue;
		v1_name(opts, name, sizeof(name));
		for (i = 0; i < cg->n; i++)
			if (!strcmp(cg->dirs[i].name, name))
				break;
		if (!*name || i < cg->n ||
		    own_cgroup(pid, opts, own, sizeof(own)) < 0)
			continue;
		r = place(cg, name, mnt, root, own, inner, 0);
		v1 = 1;
	}
	closedir(d);
	if (!r && (v1 || v2))
		cg->mode = v1 && !v2 ? CGROUP_V1 : CGROUP_HYBRID;
	return r;
}

/*
 * Where inner is in each hierarchy (inner NULL: the cgroup of pid itself,
 * pid 0: this process); see cgroup_plan().
 */
static int plan(const char *inner, pid_t pid, struct cgroup **out,
		struct err *e)
{
	char root[PATH_MAX], opts[512], own[PATH_MAX];
	struct cgroup *cg;
	struct statfs sf;
	struct stat st;
	char file[32];
	int r = 0;

	*out = NULL;
	/* A hierarchy the pid is not in is skipped; a gone pid is an error. */
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (pid && access(file, R_OK) < 0)
		return err_sys(e, errno, "cgroup: %s", file);
	if (statfs(CGROUP_ROOT, &sf) < 0 || stat(CGROUP_ROOT, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_sys(e, errno, "cgroup: statfs " CGROUP_ROOT);
	}
	cg = cgroup_new();
	if (!cg)
		return err_sys(e, ENOMEM, "cgroup");
	if (sf.f_type == SYS_CGROUP2_SUPER_MAGIC) {
		cg->mode = CGROUP_V2;
		if (mount_of(st.st_dev, root, sizeof(root), opts,
			     sizeof(opts)) < 0)
			snprintf(root, sizeof(root), "/");
		r = own_cgroup(pid, NULL, own, sizeof(own));
		if (!r)
			r = place(cg, "", CGROUP_ROOT, root, own, inner,
				  inner != NULL);
	} else {
		r = plan_v1(cg, inner, pid);
	}
	if (r < 0) {
		cgroup_free(cg);
		return err_sys(e, -r, "cgroup: %s", pid ? file :
			       CGROUP_ROOT);
	}
	if (cg->mode == CGROUP_NONE)
		cgroup_free(cg);
	else
		*out = cg;
	return 0;
}

int cgroup_plan(const char *cgroups_path, const char *id,
		struct cgroup **out, struct err *e)
{
	char inner[PATH_MAX];

	*out = NULL;
	clean_path(cgroups_path ? cgroups_path : "", inner, sizeof(inner));
	if (!*inner)
		clean_path(id, inner, sizeof(inner));
	if (!*inner)
		return err_msg(e, EINVAL, "cgroup: empty cgroup path");
	return plan(inner, 0, out, e);
}

int cgroup_of_pid(pid_t pid, struct cgroup **out, struct err *e)
{
	return plan(NULL, pid, out, e);
}

/* --- which directory serves a controller ---------------------------------- */

static const char *v2_name(const char *ctrl)
{
	return !strcmp(ctrl, "blkio") ? "io" : ctrl;
}

static const struct cgroup_dir *v2_dir(const struct cgroup *cg)
{
	size_t i;

	for (i = 0; cg && i < cg->n; i++)
		if (!cg->dirs[i].name[0])
			return &cg->dirs[i];
	return NULL;
}

/*
 * 1 if the v2 controller is available to d: listed in its
 * cgroup.controllers, or (before d exists) in its mount's.
 */
static int v2_has(const struct cgroup_dir *d, const char *ctrl)
{
	char path[PATH_MAX], *buf, *tok, *save;
	int r = 0;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", d->path);
	if (read_file_at(AT_FDCWD, path, SMALL_FILE, &buf, NULL) < 0) {
		if (!d->mnt)
			return 0;
		snprintf(path, sizeof(path), "%s/cgroup.controllers", d->mnt);
		if (read_file_at(AT_FDCWD, path, SMALL_FILE, &buf, NULL) < 0)
			return 0;
	}
	for (tok = strtok_r(buf, " \n", &save); tok && !r;
	     tok = strtok_r(NULL, " \n", &save))
		r = !strcmp(tok, ctrl);
	free(buf);
	return r;
}

/*
 * The directory whose files set ctrl (a v1 name), v1 first.  *v2 says
 * which file names apply.  Devices and the freezer need no controller
 * on v2: they are an eBPF program and cgroup.freeze.
 */
static const struct cgroup_dir *ctrl_dir(const struct cgroup *cg,
					 const char *ctrl, int *v2)
{
	const struct cgroup_dir *d;
	size_t i;

	*v2 = 0;
	for (i = 0; cg && i < cg->n; i++)
		if (cg->dirs[i].name[0] && has_word(cg->dirs[i].name, ctrl))
			return &cg->dirs[i];
	d = v2_dir(cg);
	if (!d || !strcmp(ctrl, "net_cls") || !strcmp(ctrl, "net_prio"))
		return NULL;
	*v2 = 1;
	if (!strcmp(ctrl, "devices") || !strcmp(ctrl, "freezer"))
		return d;
	return v2_has(d, v2_name(ctrl)) ? d : NULL;
}

int cgroup_check(const struct cgroup *cg, const struct spec_resources *r,
		 const char *prefix, struct err *e)
{
	struct spec_res_need need[SPEC_RES_CTRL_MAX];
	size_t n, i;
	int v2;

	if (!r)
		return 0;
	n = spec_resources_needs(r, need);
	for (i = 0; i < n; i++)
		if (!ctrl_dir(cg, need[i].ctrl, &v2))
			return err_msg(e, ENODEV, "%s.%s: no %s cgroup "
				       "controller on this host", prefix,
				       need[i].key, need[i].ctrl);
	if (r->n_unified && !v2_dir(cg))
		return err_msg(e, ENODEV, "%s.unified: no cgroup v2 on this "
			       "host", prefix);
	return 0;
}

/* --- files ---------------------------------------------------------------- */

static int cg_write(const struct cgroup_dir *d, const char *ctrl,
		    const char *file, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int cg_write(const struct cgroup_dir *d, const char *ctrl,
		    const char *file, struct err *e, const char *fmt, ...)
{
	char path[PATH_MAX], val[512];
	va_list ap;
	int fd, no = 0;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", d->path, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		no = errno;
	else if ((n = write(fd, val, strlen(val))) < 0)
		no = errno;
	if (fd >= 0)
		close(fd);
	if (no)
		return err_sys(e, no, "cgroup %s: write %s", ctrl, file);
	return 0;
}

static int cg_read(const struct cgroup_dir *d, const char *file, char **out)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d->path, file);
	return read_file_at(AT_FDCWD, path, SMALL_FILE, out, NULL);
}

static int cg_exists(const struct cgroup_dir *d, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d->path, file);
	return access(path, F_OK) == 0;
}

/* "max" for a negative limit, as v2 and pids want it. */
static const char *limit_str(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		return "max";
	snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

/* --- memory --------------------------------------------------------------- */

static int memory_v1(const struct cgroup_dir *d,
		     const struct spec_resources *r, struct err *e)
{
	int64_t limit = r->memory.limit, swap = r->memory.swap;
	long long cur = 0;
	char *buf;
	int ret = 0;

	/* runc: an unlimited memory with no swap said is unlimited swap. */
	if (limit == -1 && !swap)
		swap = -1;
	if (limit && swap) {
		if (cg_read(d, "memory.limit_in_bytes", &buf) == 0) {
			cur = atoll(buf);
			free(buf);
		}
		/* The kernel keeps limit <= memsw at every step. */
		if (swap == -1 || cur < swap) {
			ret = cg_write(d, "memory",
				       "memory.memsw.limit_in_bytes", e,
				       "%lld", (long long)swap);
			if (!ret)
				ret = cg_write(d, "memory",
					       "memory.limit_in_bytes", e,
					       "%lld", (long long)limit);
		} else {
			ret = cg_write(d, "memory", "memory.limit_in_bytes",
				       e, "%lld", (long long)limit);
			if (!ret)
				ret = cg_write(d, "memory",
					       "memory.memsw.limit_in_bytes",
					       e, "%lld", (long long)swap);
		}
	} else if (limit) {
		ret = cg_write(d, "memory", "memory.limit_in_bytes", e,
			       "%lld", (long long)limit);
	} else if (swap) {
		ret = cg_write(d, "memory", "memory.memsw.limit_in_bytes", e,
			       "%lld", (long long)swap);
	}
	if (!ret && r->memory.reservation)
		ret = cg_write(d, "memory", "memory.soft_limit_in_bytes", e,
			       "%lld", (long long)r->memory.reservation);
	/* kernel (kmem) is ignored, as runc 1.1 does; kernelTCP is not. */
	if (!ret && r->memory.kernel_tcp)
		ret = cg_write(d, "memory", "memory.kmem.tcp.limit_in_bytes",
			       e, "%lld", (long long)r->memory.kernel_tcp);
	if (!ret && r->memory.disable_oom_killer)
		ret = cg_write(d, "memory", "memory.oom_control", e, "1");
	if (!ret && r->memory.has_swappiness)
		ret = cg_write(d, "memory", "memory.swappiness", e, "%llu",
			       (unsigned long long)r->memory.swappiness);
	return ret;
}

static int memory_v2(const struct cgroup_dir *d,
		     const struct spec_resources *r, const char *prefix,
		     struct err *e)
{
	int64_t limit = r->memory.limit, swap = r->memory.swap;
	char b[24];
	int ret = 0;

	if (r->memory.has_swappiness)
		return err_msg(e, EINVAL, "%s.memory.swappiness: not "
			       "supported by cgroup v2", prefix);
	if (r->memory.disable_oom_killer)
		return err_msg(e, EINVAL, "%s.memory.disableOOMKiller: not "
			       "supported by cgroup v2", prefix);
	/* v1's swap is memory+swap; v2's memory.swap.max is swap alone. */
	if (swap > 0) {
		if (limit <= 0)
			return err_msg(e, EINVAL, "%s.memory.swap: needs a "
				       "memory limit on cgroup v2", prefix);
		if (swap < limit)
			return err_msg(e, EINVAL, "%s.memory.swap: must not "
				       "be below memory.limit", prefix);
		swap -= limit;
	}
	if (swap && (swap > 0 || cg_exists(d, "memory.swap.max")))
		ret = cg_write(d, "memory", "memory.swap.max", e, "%s",
			       limit_str(swap, b, sizeof(b)));
	if (!ret && limit)
		ret = cg_write(d, "memory", "memory.max", e, "%s",
			       limit_str(limit, b, sizeof(b)));
	if (!ret && r->memory.reservation)
		ret = cg_write(d, "memory", "memory.low", e, "%s",
			       limit_str(r->memory.reservation, b, sizeof(b)));
	return ret;
}

/* --- cpu, cpuset, pids ---------------------------------------------------- */

static int cpu_v1(const struct cgroup_dir *d, const struct spec_resources *r,
		  struct err *e)
{
	int ret = 0;

	if (r->cpu.shares)
		ret = cg_write(d, "cpu", "cpu.shares", e, "%llu",
			       (unsigned long long)r->cpu.shares);
	if (!ret && r->cpu.period)
		ret = cg_write(d, "cpu", "cpu.cfs_period_us", e, "%llu",
			       (unsigned long long)r->cpu.period);
	if (!ret && r->cpu.quota)
		ret = cg_write(d, "cpu", "cpu.cfs_quota_us", e, "%lld",
			       (long long)r->cpu.quota);
	if (!ret && r->cpu.has_burst)
		ret = cg_write(d, "cpu", "cpu.cfs_burst_us", e, "%llu",
			       (unsigned long long)r->cpu.burst);
	if (!ret && r->cpu.realtime_period)
		ret = cg_write(d, "cpu", "cpu.rt_period_us", e, "%llu",
			       (unsigned long long)r->cpu.realtime_period);
	if (!ret && r->cpu.realtime_runtime)
		ret = cg_write(d, "cpu", "cpu.rt_runtime_us", e, "%lld",
			       (long long)r->cpu.realtime_runtime);
	if (!ret && r->cpu.has_idle)
		ret = cg_write(d, "cpu", "cpu.idle", e, "%lld",
			       (long long)r->cpu.idle);
	return ret;
}

static int cpu_v2(const struct cgroup_dir *d, const struct spec_resources *r,
		  const char *prefix, struct err *e)
{
	uint64_t period = r->cpu.period ? r->cpu.period : 100000;
	int ret = 0;
	char b[24];

	if (r->cpu.realtime_runtime || r->cpu.realtime_period)
		return err_msg(e, EINVAL, "%s.cpu.realtimeRuntime: not "
			       "supported by cgroup v2", prefix);
	/* runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] to [1, 10000]. */
	if (r->cpu.shares)
		ret = cg_write(d, "cpu", "cpu.weight", e, "%llu",
			       1 + ((unsigned long long)(r->cpu.shares < 2 ? 2 :
				    r->cpu.shares) - 2) * 9999 / 262142);
	if (!ret && (r->cpu.quota || r->cpu.period))
		ret = cg_write(d, "cpu", "cpu.max", e, "%s %llu",
			       r->cpu.quota > 0 ?
			       limit_str(r->cpu.quota, b, sizeof(b)) : "max",
			       (unsigned long long)period);
	if (!ret && r->cpu.has_burst)
		ret = cg_write(d, "cpu", "cpu.max.burst", e, "%llu",
			       (unsigned long long)r->cpu.burst);
	if (!ret && r->cpu.has_idle)
		ret = cg_write(d, "cpu", "cpu.idle", e, "%lld",
			       (long long)r->cpu.idle);
	return ret;
}

static int cpuset(const struct cgroup_dir *d, const struct spec_resources *r,
		  struct err *e)
{
	int ret = 0;

	if (r->cpu.cpus)
		ret = cg_write(d, "cpuset", "cpuset.cpus", e, "%s",
			       r->cpu.cpus);
	if (!ret && r->cpu.mems)
		ret = cg_write(d, "cpuset", "cpuset.mems", e, "%s",
			       r->cpu.mems);
	return ret;
}

static int pids(const struct cgroup_dir *d, const struct spec_resources *r,
		struct err *e)
{
	char b[24];

	return cg_write(d, "pids", "pids.max", e, "%s",
			limit_str(r->pids_limit, b, sizeof(b)));
}

/* --- blkio / io ----------------------------------------------------------- */

static const char throttle_v1[SPEC_THROTTLE_COUNT][32] = {
	"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
};
static const char throttle_v2[SPEC_THROTTLE_COUNT][6] = {
	"rbps", "wbps", "riops", "wiops",
};

static int blkio_v1(const struct cgroup_dir *d,
		    const struct spec_resources *r, struct err *e)
{
	/* Without CFQ the weights are BFQ's (runc does the same). */
	int bfq = !cg_exists(d, "blkio.weight");
	const struct spec_blkio_dev *b;
	int ret = 0, t;
	size_t i;

	if (r->blkio.weight)
		ret = cg_write(d, "blkio", bfq ? "blkio.bfq.weight" :
			       "blkio.weight", e, "%llu",
			       (unsigned long long)r->blkio.weight);
	if (!ret && r->blkio.leaf_weight)
		ret = cg_write(d, "blkio", "blkio.leaf_weight", e, "%llu",
			       (unsigned long long)r->blkio.leaf_weight);
	for (i = 0; !ret && i < r->blkio.n_weight_devices; i++) {
		b = &r->blkio.weight_devices[i];
		if (b->weight)
			ret = cg_write(d, "blkio", bfq ?
				       "blkio.bfq.weight_device" :
				       "blkio.weight_device", e,
				       "%lld:%lld %llu", (long long)b->major,
				       (long long)b->minor,
				       (unsigned long long)b->weight);
		if (!ret && b->leaf_weight)
			ret = cg_write(d, "blkio", "blkio.leaf_weight_device",
				       e, "%lld:%lld %llu", (long long)b->major,
				       (long long)b->minor,
				       (unsigned long long)b->leaf_weight);
	}
	for (t = 0; t < SPEC_THROTTLE_COUNT; t++)
		for (i = 0; !ret && i < r->blkio.n_throttle[t]; i++) {
			b = &r->blkio.throttle[t][i];
			ret = cg_write(d, "blkio", throttle_v1[t], e,
				       "%lld:%lld %llu", (long long)b->major,
				       (long long)b->minor,
				       (unsigned long long)b->rate);
		}
	return ret;
}

static int blkio_v2(const struct cgroup_dir *d,
		    const struct spec_resources *r, const char *prefix,
		    struct err *e)
{
	int bfq = cg_exists(d, "io.bfq.weight");
	uint64_t w = r->blkio.weight < 10 ? 10 : r->blkio.weight;
	const struct spec_blkio_dev *b;
	int ret = 0, t;
	size_t i;

	if (r->blkio.leaf_weight)
		return err_msg(e, EINVAL, "%s.blockIO.leafWeight: not "
			       "supported by cgroup v2", prefix);
	/* runc: BFQ's weight is blkio's [10, 1000]; io.weight [1, 10000]. */
	if (r->blkio.weight)
		ret = bfq ? cg_write(d, "io", "io.bfq.weight", e, "%llu",
				     (unsigned long long)r->blkio.weight) :
			cg_write(d, "io", "io.weight", e, "%llu",
				 1 + (unsigned long long)(w - 10) * 9999 / 990);
	for (i = 0; !ret && i < r->blkio.n_weight_devices; i++) {
		b = &r->blkio.weight_devices[i];
		if (b->weight)
			ret = cg_write(d, "io", "io.bfq.weight", e,
				       "%lld:%lld %llu", (long long)b->major,
				       (long long)b->minor,
				       (unsigned long long)b->weight);
	}
	for (t = 0; t < SPEC_THROTTLE_COUNT; t++)
		for (i = 0; !ret && i < r->blkio.n_throttle[t]; i++) {
			b = &r->blkio.throttle[t][i];
			ret = cg_write(d, "io", "io.max", e,
				       "%lld:%lld %s=%llu",
				       (long long)b->major, (long long)b->minor,
				       throttle_v2[t],
				       (unsigned long long)b->rate);
		}
	return ret;
}

/* --- hugetlb, network, rdma, unified -------------------------------------- */

static int hugetlb(const struct cgroup_dir *d, const struct spec_resources *r,
		   int v2, struct err *e)
{
	char file[128];
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < r->n_hugepages; i++) {
		snprintf(file, sizeof(file), v2 ? "hugetlb.%s.max" :
			 "hugetlb.%s.limit_in_bytes",
			 r->hugepages[i].page_size);
		ret = cg_write(d, "hugetlb", file, e, "%llu",
			       (unsigned long long)r->hugepages[i].limit);
	}
	return ret;
}

static int network(const struct cgroup *cg, const struct spec_resources *r,
		   struct err *e)
{
	const struct cgroup_dir *d;
	size_t i;
	int v2, ret = 0;

	if (r->network.has_class_id &&
	    (d = ctrl_dir(cg, "net_cls", &v2)))
		ret = cg_write(d, "net_cls", "net_cls.classid", e, "%u",
			       r->network.class_id);
	d = ctrl_dir(cg, "net_prio", &v2);
	for (i = 0; d && !ret && i < r->network.n_priorities; i++)
		ret = cg_write(d, "net_prio", "net_prio.ifpriomap", e, "%s %u",
			       r->network.priorities[i].name,
			       r->network.priorities[i].priority);
	return ret;
}

static int rdma(const struct cgroup_dir *d, const struct spec_resources *r,
		struct err *e)
{
	char h[40] = "", o[40] = "";
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < r->n_rdma; i++) {
		const struct spec_rdma *x = &r->rdma[i];

		h[0] = o[0] = 0;
		if (x->hca_handles >= 0)
			snprintf(h, sizeof(h), " hca_handle=%lld",
				 (long long)x->hca_handles);
		if (x->hca_objects >= 0)
			snprintf(o, sizeof(o), " hca_object=%lld",
				 (long long)x->hca_objects);
		if (*h || *o)
			ret = cg_write(d, "rdma", "rdma.max", e, "%s%s%s",
				       x->device, h, o);
	}
	return ret;
}

/* runc: "controller.knob" of a controller enabled here, or cgroup.*. */
static int unified(const struct cgroup_dir *d, const struct spec_resources *r,
		   const char *prefix, struct err *e)
{
	char ctrl[64];
	const char *dot;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < r->n_unified; i++) {
		const struct spec_kv *kv = &r->unified[i];

		dot = strchr(kv->key, '.');
		if (!dot || dot == kv->key || (size_t)(dot - kv->key) >=
		    sizeof(ctrl))
			return err_msg(e, EINVAL, "%s.unified.%s: not a "
				       "cgroup v2 file name", prefix, kv->key);
		snprintf(ctrl, sizeof(ctrl), "%.*s", (int)(dot - kv->key),
			 kv->key);
		if (strcmp(ctrl, "cgroup") && !v2_has(d, ctrl))
			return err_msg(e, ENODEV, "%s.unified.%s: no %s cgroup "
				       "controller on this host", prefix,
				       kv->key, ctrl);
		ret = cg_write(d, ctrl, kv->key, e, "%s", kv->value);
	}
	return ret;
}

/* --- devices -------------------------------------------------------------- */

/* runc's specconv.AllowedDevices, allowed after the config's rules. */
static const struct spec_device_rule default_devices[] = {
	{ 1, 'c', -1, -1, "m" }, { 1, 'b', -1, -1, "m" },
	{ 1, 'c', 1, 3, "rwm" }, { 1, 'c', 1, 8, "rwm" },
	{ 1, 'c', 1, 7, "rwm" }, { 1, 'c', 5, 0, "rwm" },
	{ 1, 'c', 1, 5, "rwm" }, { 1, 'c', 1, 9, "rwm" },
	{ 1, 'c', 136, -1, "rwm" }, { 1, 'c', 5, 2, "rwm" },
	{ 1, 'c', 10, 200, "rwm" },
};
#define N_DEFAULT (sizeof(default_devices) / sizeof(default_devices[0]))

static void rule_str(const struct spec_device_rule *d, char *buf, size_t size)
{
	char maj[24] = "*", min[24] = "*";

	if (d->type == 'a') {
		snprintf(buf, size, "a");
		return;
	}
	if (d->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", (long long)d->major);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%lld", (long long)d->minor);
	snprintf(buf, size, "%c %s:%s %s", d->type, maj, min, d->access);
}

/*
 * v1: from deny-all (runc's emulator starts there), each rule in order;
 * the kernel turns the list into its allow or deny exceptions.
 */
static int devices_v1(const struct cgroup_dir *d,
		      const struct spec_resources *r, int create,
		      struct err *e)
{
	size_t n = r ? r->n_devices : 0, i;
	const struct spec_device_rule *rule;
	char buf[64];
	int ret;

	if (!create && !n)
		return 0;
	ret = cg_write(d, "devices", "devices.deny", e, "a");
	for (i = 0; !ret && i < n + N_DEFAULT; i++) {
		rule = i < n ? &r->devices[i] : &default_devices[i - n];
		rule_str(rule, buf, sizeof(buf));
		ret = cg_write(d, "devices", rule->allow ? "devices.allow" :
			       "devices.deny", e, "%s", buf);
	}
	return ret;
}

#define INSN(c, dst, src, o, i) \
	((struct sys_bpf_insn){ (c), (dst) | (src) << 4, (o), (i) })
#define LDX_W	0x61	/* dst = *(u32 *)(src + off) */
#define MOV_X	0xbf
#define MOV_K	0xb7
#define AND_K	0x57
#define RSH_K	0x77
#define JNE32_K	0x56
#define JEQ32_K	0x16
#define EXIT	0x95

/* One rule's test: falls to "return allow" when it matches. */
static size_t rule_insns(const struct spec_device_rule *d,
			 struct sys_bpf_insn *p)
{
	unsigned acc = 0, n = 0, k, skip;
	const char *a;

	for (a = d->access; *a; a++)
		acc |= *a == 'r' ? SYS_BPF_DEVCG_ACC_READ :
		       *a == 'w' ? SYS_BPF_DEVCG_ACC_WRITE :
		       SYS_BPF_DEVCG_ACC_MKNOD;
	if (d->type != 'a')
		p[n++] = INSN(JNE32_K, 3, 0, 0, d->type == 'b' ?
			      SYS_BPF_DEVCG_DEV_BLOCK : SYS_BPF_DEVCG_DEV_CHAR);
	if (d->major >= 0)
		p[n++] = INSN(JNE32_K, 5, 0, 0, (int32_t)d->major);
	if (d->minor >= 0)
		p[n++] = INSN(JNE32_K, 6, 0, 0, (int32_t)d->minor);
	p[n++] = INSN(MOV_X, 7, 4, 0, 0);
	/* allow: all asked is granted; deny: any of it is refused. */
	if (d->allow) {
		p[n++] = INSN(AND_K, 7, 0, 0, ~acc & 7);
		p[n++] = INSN(JNE32_K, 7, 0, 0, 0);
	} else {
		p[n++] = INSN(AND_K, 7, 0, 0, acc);
		p[n++] = INSN(JEQ32_K, 7, 0, 0, 0);
	}
	p[n++] = INSN(MOV_K, 0, 0, 0, d->allow);
	p[n++] = INSN(EXIT, 0, 0, 0, 0);
	for (k = 0; k < n; k++)
		if ((p[k].code == JNE32_K || p[k].code == JEQ32_K)) {
			skip = n - k - 1;
			p[k].off = skip;
		}
	return n;
}

/*
 * v2: an eBPF program; the last matching rule decides, no match denies
 * (runc's devicefilter).
 */
static int devices_v2(const struct cgroup_dir *d,
		      const struct spec_resources *r, int create,
		      struct err *e)
{
	size_t n = r ? r->n_devices : 0, total, i, k = 0;
	const struct spec_device_rule *rule;
	struct sys_bpf_insn *p;
	int prog, fd, ret;

	if (!create && !n)
		return 0;
	total = n + N_DEFAULT;
	p = calloc(8 + total * 9, sizeof(*p));
	if (!p)
		return err_sys(e, ENOMEM, "cgroup devices");
	p[k++] = INSN(LDX_W, 2, 1, 0, 0);
	p[k++] = INSN(MOV_X, 3, 2, 0, 0);
	p[k++] = INSN(AND_K, 3, 0, 0, 0xffff);
	p[k++] = INSN(MOV_X, 4, 2, 0, 0);
	p[k++] = INSN(RSH_K, 4, 0, 0, 16);
	p[k++] = INSN(LDX_W, 5, 1, 4, 0);
	p[k++] = INSN(LDX_W, 6, 1, 8, 0);
	for (i = total; i-- > 0;) {
		rule = i < n ? &r->devices[i] : &default_devices[i - n];
		k += rule_insns(rule, p + k);
	}
	p[k++] = INSN(MOV_K, 0, 0, 0, 0);
	p[k++] = INSN(EXIT, 0, 0, 0, 0);
	prog = sys_bpf_load_cgroup_device(p, k, NULL, 0);
	free(p);
	if (prog < 0)
		return err_sys(e, -prog, "cgroup devices: load the cgroup v2 "
			       "device filter (eBPF)");
	fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = err_sys(e, errno, "cgroup devices: open %s", d->path);
		goto out;
	}
	ret = sys_bpf_attach_cgroup_device(fd, prog);
	if (ret < 0)
		err_sys(e, -ret, "cgroup devices: attach the device filter "
			"to %s", d->path);
	close(fd);
out:
	close(prog);
	return ret;
}

/* --- apply ---------------------------------------------------------------- */

int cgroup_apply(const struct cgroup *cg, const struct spec_resources *r,
		 int create, struct err *e)
{
	const char *prefix = "linux.resources";
	const struct cgroup_dir *d;
	int v2, ret = 0;

	if (!cg)
		return 0;
	d = ctrl_dir(cg, "devices", &v2);
	if (d)
		ret = v2 ? devices_v2(d, r, create, e) :
			devices_v1(d, r, create, e);
	/* runc's default rules alone: a host that cannot filter devices
	 * (no eBPF, a read-only devices cgroup) is no reason to refuse. */
	if (ret && !(r && r->n_devices)) {
		*e = (struct err){ 0 };
		ret = 0;
	}
	if (ret || !r)
		return ret;
	if (cgroup_check(cg, r, prefix, e) < 0)
		return -e->no;
	if ((d = ctrl_dir(cg, "memory", &v2)) &&
	    (r->memory.limit || r->memory.swap || r->memory.reservation ||
	     r->memory.kernel_tcp || r->memory.has_swappiness ||
	     r->memory.disable_oom_killer))
		ret = v2 ? memory_v2(d, r, prefix, e) : memory_v1(d, r, e);
	if (!ret && (d = ctrl_dir(cg, "cpuset", &v2)))
		ret = cpuset(d, r, e);
	if (!ret && (d = ctrl_dir(cg, "cpu", &v2)))
		ret = v2 ? cpu_v2(d, r, prefix, e) : cpu_v1(d, r, e);
	if (!ret && r->pids_limit && (d = ctrl_dir(cg, "pids", &v2)))
		ret = pids(d, r, e);
	if (!ret && (d = ctrl_dir(cg, "blkio", &v2)))
		ret = v2 ? blkio_v2(d, r, prefix, e) : blkio_v1(d, r, e);
	if (!ret && r->n_hugepages && (d = ctrl_dir(cg, "hugetlb", &v2)))
		ret = hugetlb(d, r, v2, e);
	if (!ret)
		ret = network(cg, r, e);
	if (!ret && r->n_rdma && (d = ctrl_dir(cg, "rdma", &v2)))
		ret = rdma(d, r, e);
	if (!ret && r->n_unified)
		ret = unified(v2_dir(cg), r, prefix, e);
	return ret;
}

/* --- create, enter, destroy ----------------------------------------------- */

/* An empty cpuset.cpus or .mems (new v1 cgroups) copied from the parent. */
static int cpuset_inherit(const char *dir, struct err *e)
{
	static const char files[][12] = { "cpuset.cpus", "cpuset.mems" };
	char path[PATH_MAX], parent[PATH_MAX], *val, *slash;
	int i, r;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (read_file_at(AT_FDCWD, path, SMALL_FILE, &val, NULL) < 0)
			continue;
		r = val[strspn(val, " \n")] != 0;
		free(val);
		if (r)
			continue;
		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (!slash)
			continue;
		snprintf(slash, sizeof(parent) - (slash - parent), "/%s",
			 files[i]);
		if (read_file_at(AT_FDCWD, parent, SMALL_FILE, &val, NULL) < 0)
			continue;
		r = write_file_at(AT_FDCWD, path, val);
		free(val);
		if (r < 0)
			return err_sys(e, -r, "cgroup cpuset: write %s", path);
	}
	return 0;
}

/* Let a v2 cgroup's children have controllers (errors are the apply's). */
static void subtree_enable(const char *dir, const struct spec_resources *r,
			   int all)
{
	struct spec_res_need need[SPEC_RES_CTRL_MAX];
	char path[PATH_MAX + 32], word[32], *buf, *tok, *save;
	size_t n = r ? spec_resources_needs(r, need) : 0, i;
	int fd, want;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (read_file_at(AT_FDCWD, path, SMALL_FILE, &buf, NULL) < 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	for (tok = strtok_r(buf, " \n", &save); fd >= 0 && tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		want = all;
		for (i = 0; i < n && !want; i++)
			want = !strcmp(v2_name(need[i].ctrl), tok);
		snprintf(word, sizeof(word), "+%s", tok);
		if (want && write(fd, word, strlen(word)) < 0)
			continue;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
}

static int made(struct cgroup *cg, const char *path)
{
	char **v = realloc(cg->made_paths, (cg->made + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	cg->made_paths = v;
	v[cg->made] = strdup(path);
	if (!v[cg->made])
		return -ENOMEM;
	cg->made++;
	return 0;
}

static int mkdir_dir(struct cgroup *cg, const struct cgroup_dir *d,
		     const struct spec_resources *r, struct err *e)
{
	const char *what = d->name[0] ? d->name : "v2";
	size_t ml = strlen(d->mnt);
	char path[PATH_MAX], *p;
	int v2 = !d->name[0], is_cpuset = has_word(d->name, "cpuset");

	snprintf(path, sizeof(path), "%s", d->path);
	for (p = path + ml; p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (p > path + ml) {
			if (mkdir(path, 0755) == 0) {
				if (made(cg, path) < 0)
					return err_sys(e, ENOMEM, "cgroup");
			} else if (errno != EEXIST) {
				return err_sys(e, errno, "cgroup %s: mkdir %s",
					       what, path);
			}
			if (is_cpuset && cpuset_inherit(path, e) < 0)
				return -e->no;
		}
		if (v2)
			subtree_enable(path, r, cg->mode == CGROUP_V2);
		*p = '/';
	}
	if (mkdir(path, 0755) == 0) {
		if (made(cg, path) < 0)
			return err_sys(e, ENOMEM, "cgroup");
	} else if (errno != EEXIST) {
		return err_sys(e, errno, "cgroup %s: mkdir %s", what, path);
	}
	if (is_cpuset && cpuset_inherit(path, e) < 0)
		return -e->no;
	return 0;
}

static void undo_made(struct cgroup *cg)
{
	while (cg->made > 0) {
		cg->made--;
		rmdir(cg->made_paths[cg->made]);
		free(cg->made_paths[cg->made]);
	}
}

int cgroup_create(struct cgroup *cg, const struct spec_resources *r,
		  struct err *e)
{
	size_t i;

	if (!cg)
		return 0;
	for (i = 0; i < cg->n; i++)
		if (mkdir_dir(cg, &cg->dirs[i], r, e) < 0)
			goto out_undo;
	if (cgroup_apply(cg, r, 1, e) < 0)
		goto out_undo;
	return 0;
out_undo:
	undo_made(cg);
	return -e->no;
}

int cgroup_enter_self(const struct cgroup *cg, int v2_born, struct err *e)
{
	size_t i;
	int r;

	for (i = 0; cg && i < cg->n; i++) {
		if (!cg->dirs[i].name[0] && v2_born)
			continue;
		r = cg_write(&cg->dirs[i], cg->dirs[i].name[0] ?
			     cg->dirs[i].name : "v2", cg->dirs[i].name[0] ?
			     "tasks" : "cgroup.procs", e, "0");
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_v2_open(const struct cgroup *cg)
{
	size_t i;
	int fd;

	for (i = 0; cg && i < cg->n; i++) {
		if (cg->dirs[i].name[0])
			continue;
		fd = open(cg->dirs[i].path, O_RDONLY | O_DIRECTORY |
			  O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return -ENOENT;
}

int cgroup_enter(const struct cgroup *cg, pid_t pid, struct err *e)
{
	size_t i;
	int r;

	for (i = 0; cg && i < cg->n; i++) {
		r = cg_write(&cg->dirs[i], cg->dirs[i].name[0] ?
			     cg->dirs[i].name : "v2", "cgroup.procs", e, "%d",
			     (int)pid);
		if (r < 0)
			return r;
	}
	return 0;
}

/* rmdir dir after everything below it, depth first. */
static int rmdir_tree(const char *dir)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		rmdir_tree(sub);
	}
	closedir(d);
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

int cgroup_destroy(const struct cgroup *cg, struct err *e)
{
	size_t i;
	int r = 0, try;

	for (i = 0; cg && i < cg->n; i++) {
		/* Exiting processes leave their cgroup a moment after. */
		for (try = 0; try < 200; try++) {
			r = rmdir_tree(cg->dirs[i].path);
			if (r != -EBUSY)
				break;
			nap(10000000);
		}
		if (r < 0)
			return err_sys(e, -r, "cgroup %s: rmdir %s",
				       cg->dirs[i].name[0] ? cg->dirs[i].name :
				       "v2", cg->dirs[i].path);
	}
	/* A create that fails also takes back the parents it made. */
	for (i = cg ? cg->made : 0; i-- > 0;)
		rmdir(cg->made_paths[i]);
	return 0;
}

/* --- freezer -------------------------------------------------------------- */

int cgroup_frozen(const struct cgroup *cg, char task_state)
{
	const struct cgroup_dir *d;
	char path[PATH_MAX], buf[64];
	int v2, r;

	d = ctrl_dir(cg, "freezer", &v2);
	if (!d || (!v2 && task_state && task_state != 'D'))
		return 0;
	/* Asked of every live container by a list: one read, no malloc. */
	snprintf(path, sizeof(path), "%s/%s", d->path,
		 v2 ? "cgroup.freeze" : "freezer.state");
	r = read_file_into_at(AT_FDCWD, path, buf, sizeof(buf));
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	return v2 ? buf[0] == '1' : !strncmp(buf, "FROZEN", 6);
}

/* 1 once the kernel reports the state reached. */
static int freeze_done(const struct cgroup_dir *d, int v2, int frozen)
{
	char *buf;
	int r;

	if (cg_read(d, v2 ? "cgroup.events" : "freezer.state", &buf) < 0)
		return 0;
	if (v2)
		r = (strstr(buf, "frozen 1") != NULL) == frozen;
	else
		r = !strncmp(buf, frozen ? "FROZEN" : "THAWED", 6);
	free(buf);
	return r;
}

int cgroup_freeze(const struct cgroup *cg, int frozen, struct err *e)
{
	const struct cgroup_dir *d;
	int v2, i, r;

	d = ctrl_dir(cg, "freezer", &v2);
	if (!d)
		return err_msg(e, ENODEV, "no freezer cgroup controller on "
			       "this host");
	for (i = 0; i < 1000; i++) {
		/* v1 may stay FREEZING while a task is busy: ask again. */
		if (v2 ? i == 0 : i % 10 == 0) {
			r = cg_write(d, "freezer", v2 ? "cgroup.freeze" :
				     "freezer.state", e, "%s", v2 ?
				     (frozen ? "1" : "0") :
				     (frozen ? "FROZEN" : "THAWED"));
			if (r < 0)
				return r;
		}
		if (freeze_done(d, v2, frozen))
			return 0;
		nap(i < 10 ? 1000000 : 10000000);
	}
	if (frozen)
		cgroup_freeze(cg, 0, e);
	return err_msg(e, ETIMEDOUT, "cgroup freezer: %s: not %s in time",
		       d->path, frozen ? "frozen" : "thawed");
}

/* --- pids and signals ----------------------------------------------------- */

struct pidv {
	pid_t *v;
	size_t n, cap;
};

static int read_procs(const char *dir, struct pidv *pv, int depth)
{
	char path[PATH_MAX], *buf, *p, *end;
	struct dirent *de;
	long v;
	DIR *d;
	int r;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	r = read_file_at(AT_FDCWD, path, 16 << 20, &buf, NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (p = buf; *p; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pv->n == pv->cap) {
			pid_t *nv = realloc(pv->v, (pv->cap * 2 + 16) *
					    sizeof(*nv));

			if (!nv) {
				free(buf);
				return -ENOMEM;
			}
			pv->v = nv;
			pv->cap = pv->cap * 2 + 16;
		}
		pv->v[pv->n++] = v;
	}
	free(buf);
	if (depth > 32 || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		r = read_procs(path, pv, depth + 1);
		if (r < 0)
			break;
	}
	closedir(d);
	return r < 0 ? r : 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n,
		struct err *e)
{
	struct pidv pv = { 0 };
	size_t i, k = 0;
	int r;

	for (i = 0; cg && i < cg->n; i++) {
		r = read_procs(cg->dirs[i].path, &pv, 0);
		if (r < 0) {
			free(pv.v);
			return err_sys(e, -r, "cgroup: read %s/cgroup.procs",
				       cg->dirs[i].path);
		}
	}
	if (pv.n)
		qsort(pv.v, pv.n, sizeof(*pv.v), cmp_pid);
	for (i = 0; i < pv.n; i++)
		if (!k || pv.v[k - 1] != pv.v[i])
			pv.v[k++] = pv.v[i];
	*pids = pv.v;
	*n = k;
	return 0;
}

int cgroup_kill(const struct cgroup *cg, int sig, struct err *e)
{
	const struct cgroup_dir *d = v2_dir(cg);
	int frozen = 0, v2, fd, r;
	pid_t *pids;
	size_t n, i;

	if (sig == SIGKILL && d && cg_exists(d, "cgroup.kill"))
		return cg_write(d, "v2", "cgroup.kill", e, "1");
	if (ctrl_dir(cg, "freezer", &v2) && cgroup_freeze(cg, 1, e) == 0)
		frozen = 1;
	r = cgroup_pids(cg, &pids, &n, e);
	for (i = 0; !r && i < n; i++) {
		fd = sys_pidfd_open(pids[i], 0);
		if (fd >= 0) {
			sys_pidfd_send_signal(fd, sig, 0);
			close(fd);
		} else if (fd == -ENOSYS) {
			kill(pids[i], sig);
		}
	}
	if (!r)
		free(pids);
	if (frozen)
		cgroup_freeze(cg, 0, e);
	return r;
}
