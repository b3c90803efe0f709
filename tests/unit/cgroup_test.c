/*
 * cgroup_test.c - the cgroup module on this machine's real cgroups: each
 * case makes its own cgroup (named after its pid), puts a forked child in
 * it and removes it.  Cases skip (pass) on a host without the hierarchy
 * they need.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "sys.h"
#include "io.h"
#include "json.h"
#include "proc.h"
#include "unit.h"

static struct err e;
static char name[64];

static struct spec_resources *res(const char *text)
{
	struct spec_resources *r;
	struct json_ctx c;
	cJSON *o;

	text = unit_json(text);
	UNIT_EQ_INT(json_parse(text, strlen(text), "t", &o, &e), 0);
	json_ctx_init(&c, "t", &e);
	UNIT_EQ_INT(spec_resources_parse(&c, o, &r), 0);
	cJSON_Delete(o);
	return r;
}

static const char *dir_of(const struct cgroup *cg, const char *hname)
{
	size_t i;

	for (i = 0; i < cg->n; i++)
		if (!strcmp(cg->dirs[i].name, hname))
			return cg->dirs[i].path;
	return NULL;
}

static struct cgroup *plan(const char *path)
{
	struct cgroup *cg;

	snprintf(name, sizeof(name), "ocibox-unit-%d", (int)getpid());
	UNIT_EQ_INT(cgroup_plan(path, name, &cg, &e), 0);
	if (!cg || !dir_of(cg, "pids")) {
		printf("SKIP: no cgroup v1 pids hierarchy\n");
		exit(0);
	}
	return cg;
}

static pid_t child(void)
{
	pid_t pid = fork();

	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		pause();
		_exit(0);
	}
	return pid;
}

UNIT_CASE(plan_none_given_is_id_below_own)
{
	struct cgroup *cg = plan(NULL);
	/* This test runs in the root pids cgroup or below it. */
	UNIT_ASSERT(strstr(dir_of(cg, "pids"), name) != NULL);
	UNIT_ASSERT(!strncmp(dir_of(cg, "pids"), "/sys/fs/cgroup/pids/", 20));
	UNIT_ASSERT(cg->mode == CGROUP_V1 || cg->mode == CGROUP_HYBRID);
	cgroup_free(cg);
}

UNIT_CASE(plan_absolute_is_cleaned)
{
	struct cgroup *cg;

	UNIT_EQ_INT(cgroup_plan("/x/../../ocibox-abs//c1/", "id", &cg, &e), 0);
	if (!cg || !dir_of(cg, "pids"))
		return;
	UNIT_EQ_STR(dir_of(cg, "pids"), "/sys/fs/cgroup/pids/ocibox-abs/c1");
	cgroup_free(cg);
}

UNIT_CASE(plan_relative_cannot_climb)
{
	struct cgroup *cg, *base;

	base = plan("a");
	UNIT_EQ_INT(cgroup_plan("../../../a", "id", &cg, &e), 0);
	UNIT_EQ_STR(dir_of(cg, "pids"), dir_of(base, "pids"));
	cgroup_free(cg);
	cgroup_free(base);
}

UNIT_CASE(create_apply_enter_pids_destroy)
{
	struct spec_resources *r = res("{'pids': {'limit': 7}}");
	struct cgroup *cg = plan(NULL);
	char path[512], *val;
	pid_t pid, *pids;
	size_t n;

	UNIT_EQ_INT(cgroup_check(cg, r, "linux.resources", &e), 0);
	UNIT_EQ_INT(cgroup_create(cg, r, &e), 0);
	snprintf(path, sizeof(path), "%s/pids.max", dir_of(cg, "pids"));
	UNIT_EQ_INT(read_file_at(AT_FDCWD, path, 64, &val, NULL), 0);
	UNIT_EQ_STR(val, "7\n");
	free(val);
	pid = child();
	UNIT_EQ_INT(cgroup_enter(cg, pid, &e), 0);
	UNIT_EQ_INT(cgroup_pids(cg, &pids, &n, &e), 0);
	UNIT_EQ_INT(n, 1);
	UNIT_EQ_INT(pids[0], pid);
	free(pids);
	UNIT_EQ_INT(cgroup_destroy(cg, &e), -EBUSY);
	UNIT_EQ_INT(cgroup_kill(cg, SIGKILL, &e), 0);
	UNIT_EQ_INT(waitpid(pid, NULL, 0), pid);
	UNIT_EQ_INT(cgroup_destroy(cg, &e), 0);
	UNIT_ASSERT(access(dir_of(cg, "pids"), F_OK) < 0);
	cgroup_free(cg);
	spec_resources_free(r);
}

/*
 * A child moved in as the init and exec's child move: born in the v2
 * directory when born, the rest by itself.  Returns its pid once moved.
 */
static pid_t moved_child(const struct cgroup *cg, int born, int fd)
{
	char c = 0;
	pid_t pid;
	int p[2];

	UNIT_EQ_INT(pipe(p), 0);
	pid = born ? sys_clone_into_cgroup(0, fd) : fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		c = cgroup_enter_self(cg, born, &e) == 0;
		if (write(p[1], &c, 1) == 1 && c)
			pause();
		_exit(1);
	}
	close(p[1]);
	UNIT_EQ_INT(read(p[0], &c, 1), 1);
	close(p[0]);
	UNIT_EQ_INT(c, 1);
	return pid;
}

/* Every line of /proc/PID/cgroup names cg's directory (its last part). */
static void in_every_hierarchy(const struct cgroup *cg, pid_t pid)
{
	const char *base = strrchr(cg->dirs[0].path, '/');
	char path[64], *text, *line, *nl;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	UNIT_EQ_INT(read_file_at(AT_FDCWD, path, 1 << 16, &text, NULL), 0);
	for (line = text; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		UNIT_NOT_NULL(nl);
		*nl = 0;
		UNIT_ASSERT(strlen(line) > strlen(base) &&
			    !strcmp(line + strlen(line) - strlen(base), base));
	}
	free(text);
}

UNIT_CASE(enter_self_and_clone_into_cgroup)
{
	struct cgroup *cg = plan(NULL);
	pid_t pid;
	int fd, k;

	if (!cg)
		return;
	UNIT_EQ_INT(cgroup_create(cg, NULL, &e), 0);
	fd = cgroup_v2_open(cg);
	for (k = 0; k < 1 + (fd >= 0); k++) {
		pid = moved_child(cg, k, fd);
		in_every_hierarchy(cg, pid);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fd >= 0)
		close(fd);
	UNIT_EQ_INT(cgroup_destroy(cg, &e), 0);
	cgroup_free(cg);
}

/* Another process's cgroup, found from its /proc/PID/cgroup: the
 * directories it was moved into, hierarchy by hierarchy. */
UNIT_CASE(of_pid_is_where_it_was_moved)
{
	struct cgroup *cg = plan(NULL), *of;
	pid_t pid;
	size_t i;

	UNIT_EQ_INT(cgroup_create(cg, NULL, &e), 0);
	pid = child();
	UNIT_EQ_INT(cgroup_enter(cg, pid, &e), 0);
	UNIT_EQ_INT(cgroup_of_pid(pid, &of, &e), 0);
	UNIT_NOT_NULL(of);
	UNIT_EQ_INT(of->n, cg->n);
	UNIT_EQ_INT(of->mode, cg->mode);
	for (i = 0; i < cg->n; i++)
		UNIT_EQ_STR(dir_of(of, cg->dirs[i].name), cg->dirs[i].path);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	UNIT_EQ_INT(cgroup_of_pid(pid, &of, &e) < 0, 1);
	UNIT_NULL(of);
	snprintf(name, sizeof(name), "cgroup: /proc/%d/cgroup: %s", (int)pid,
		 strerror(ENOENT));
	UNIT_EQ_STR(e.msg, name);
	UNIT_EQ_INT(cgroup_destroy(cg, &e), 0);
	cgroup_free(cg);
}

UNIT_CASE(freeze_and_thaw)
{
	struct cgroup *cg = plan(NULL);
	uint64_t start;
	char task;
	pid_t pid;
	int v2;

	if (!dir_of(cg, "freezer") && cg->mode != CGROUP_V2)
		return;
	v2 = !dir_of(cg, "freezer");
	UNIT_EQ_INT(cgroup_create(cg, NULL, &e), 0);
	pid = child();
	UNIT_EQ_INT(cgroup_enter(cg, pid, &e), 0);
	UNIT_EQ_INT(cgroup_frozen(cg, 0), 0);
	UNIT_EQ_INT(cgroup_freeze(cg, 1, &e), 0);
	UNIT_EQ_INT(cgroup_frozen(cg, 0), 1);
	UNIT_EQ_INT(proc_stat(pid, &start, &task), 0);
	UNIT_EQ_INT(cgroup_frozen(cg, task), 1);
	/* The hint is believed on v1, where frozen tasks show 'D'. */
	UNIT_EQ_INT(task, v2 ? 'S' : 'D');
	UNIT_EQ_INT(cgroup_frozen(cg, 'S'), v2);
	UNIT_EQ_INT(cgroup_freeze(cg, 0, &e), 0);
	UNIT_EQ_INT(cgroup_frozen(cg, 0), 0);
	UNIT_EQ_INT(cgroup_frozen(cg, 'D'), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	UNIT_EQ_INT(cgroup_destroy(cg, &e), 0);
	cgroup_free(cg);
}

UNIT_CASE(missing_controller_named)
{
	struct spec_resources *r = res("{'network': {'classID': 5},"
				       " 'rdma': {'x': {'hcaHandles': 1}}}");
	struct cgroup *cg = plan(NULL);

	if (dir_of(cg, "net_cls"))
		return;
	UNIT_EQ_INT(cgroup_check(cg, r, "linux.resources", &e), -ENODEV);
	UNIT_EQ_STR(e.msg, "linux.resources.network.classID: no net_cls "
		    "cgroup controller on this host");
	UNIT_EQ_INT(cgroup_check(NULL, r, "resources", &e), -ENODEV);
	cgroup_free(cg);
	spec_resources_free(r);
}

UNIT_CASE(apply_error_names_controller_and_undoes)
{
	struct spec_resources *r = res("{'cpu': {'cpus': '4095'}}");
	struct cgroup *cg = plan("ocibox-unit-parent/c");
	char parent[512];

	if (!dir_of(cg, "cpuset"))
		return;
	UNIT_ASSERT(cgroup_create(cg, r, &e) < 0);
	UNIT_ASSERT(!strncmp(e.msg, "cgroup cpuset: write cpuset.cpus: ", 34));
	UNIT_ASSERT(access(dir_of(cg, "cpuset"), F_OK) < 0);
	/* The parent it made for the path goes too. */
	snprintf(parent, sizeof(parent), "%s", dir_of(cg, "pids"));
	*strrchr(parent, '/') = 0;
	UNIT_ASSERT(strstr(parent, "/ocibox-unit-parent") != NULL);
	UNIT_ASSERT(access(parent, F_OK) < 0);
	cgroup_free(cg);
	spec_resources_free(r);
}

/* A private mount namespace whose /sys/fs/cgroup is fstype (or tmpfs). */
static int view(const char *fstype)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("SKIP: no mount namespace: %s\n", strerror(errno));
		return -1;
	}
	if (!strcmp(fstype, "cgroup2"))
		umount2("/sys/fs/cgroup", MNT_DETACH);
	UNIT_EQ_INT(mount(fstype, "/sys/fs/cgroup", fstype, 0, NULL), 0);
	return 0;
}

UNIT_CASE(no_cgroups_plans_nothing)
{
	struct spec_resources *r = res("{'pids': {'limit': 7}}");
	struct cgroup *cg = (struct cgroup *)&e;

	if (view("tmpfs") < 0)
		return;
	UNIT_EQ_INT(cgroup_plan(NULL, "c1", &cg, &e), 0);
	UNIT_NULL(cg);
	UNIT_EQ_INT(cgroup_check(cg, r, "linux.resources", &e), -ENODEV);
	UNIT_EQ_STR(e.msg, "linux.resources.pids: no pids cgroup controller "
		    "on this host");
	spec_resources_free(r);
}

UNIT_CASE(v2_only_is_below_parent_of_own)
{
	struct cgroup *cg;
	char own[256], want[512], *buf, *p;

	if (view("cgroup2") < 0)
		return;
	UNIT_EQ_INT(cgroup_plan(NULL, "c1", &cg, &e), 0);
	UNIT_NOT_NULL(cg);
	UNIT_EQ_INT(cg->mode, CGROUP_V2);
	UNIT_EQ_INT(cg->n, 1);
	UNIT_EQ_STR(cg->dirs[0].name, "");
	UNIT_EQ_INT(read_file_at(AT_FDCWD, "/proc/self/cgroup", 4096, &buf,
				 NULL), 0);
	p = strstr(buf, "0::");
	UNIT_NOT_NULL(p);
	snprintf(own, sizeof(own), "%.*s", (int)strcspn(p + 3, "\n"), p + 3);
	free(buf);
	*strrchr(own, '/') = 0;
	snprintf(want, sizeof(want), "/sys/fs/cgroup%s/c1", own);
	UNIT_EQ_STR(cg->dirs[0].path, want);
	cgroup_free(cg);
}
