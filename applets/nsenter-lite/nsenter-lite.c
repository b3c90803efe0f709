/*
 * nsenter-lite.c - the nsenter-lite applet: run a program in the
 * namespaces of another process, with util-linux nsenter(1)'s command
 * line (2.40's flags included: -e, -c, --keep-caps, -S/-G follow) so the
 * habits carry over, plus --container ID for the containers of ocibox,
 * runc and crun.  setns(2) with a pidfd enters every namespace in one
 * call (Linux 5.8); elsewhere, or with =FILE operands, one call per
 * namespace in nsenter's order and two passes (the user namespace first
 * when the others need its privilege, last when dropping it).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "err.h"
#include "io.h"
#include "json.h"
#include "log.h"
#include "opt.h"
#include "proc.h"
#include "state.h"
#include "sys.h"


const char nsenter_lite_help[] =
"Usage: nsenter-lite [OPTIONS] [PROGRAM [ARG]...]\n"
"\n"
"Run PROGRAM (default: $SHELL or /bin/sh, as a login shell) in the\n"
"namespaces of another process, with util-linux nsenter(1)'s options.\n"
"A namespace option takes the target's namespace, or with =FILE the one\n"
"FILE is (/proc/PID/ns/NAME, or a bind mount of it).  Optional values\n"
"are attached: -mFILE, --mount=FILE, -rDIR, --root=DIR.\n"
"\n"
"  -t, --target PID      the process whose namespaces etc. are meant\n"
"      --container ID    the init of container ID, from /run/ocibox/ID\n"
"                        (ocibox), /run/runc/ID/state.json (runc) or\n"
"                        /run/crun/ID/status (crun), read only; refused\n"
"                        if its pid is another process now; for a user\n"
"                        but root each under $XDG_RUNTIME_DIR, as oci-run\n"
"      --state-root DIR  look ID up in DIR only (a runtime's --root)\n"
"  -a, --all             every namespace (the user one if not ours)\n"
"  -m, --mount[=FILE]    mount namespace\n"
"  -u, --uts[=FILE]      UTS namespace (hostname)\n"
"  -i, --ipc[=FILE]      IPC namespace\n"
"  -n, --net[=FILE]      network namespace\n"
"  -p, --pid[=FILE]      pid namespace: PROGRAM runs in a child\n"
"  -U, --user[=FILE]     user namespace: as its uid and gid 0 unless\n"
"                        -S, -G or --preserve-credentials\n"
"  -C, --cgroup[=FILE]   cgroup namespace\n"
"  -T, --time[=FILE]     time namespace\n"
"  -S, --setuid UID      uid to run as, or 'follow': the target's\n"
"  -G, --setgid GID      gid, or 'follow'; drops supplementary groups\n"
"      --preserve-credentials  keep our uid and gids with -U\n"
"      --keep-caps       with -U, keep its capabilities across exec\n"
"  -r, --root[=DIR]      root directory: the target's, or DIR\n"
"  -w, --wd[=DIR]        working directory: the target's, or DIR\n"
"  -W, --wdns DIR        working directory DIR as seen once inside\n"
"  -e, --env             the target's environment instead of ours\n"
"  -c, --join-cgroup     join the target's cgroups first\n"
"  -F, --no-fork         no fork before exec, even with -p\n"
"  -h, --help, -V, --version\n"
"\n"
"With -p it waits for PROGRAM, stops when PROGRAM stops and exits as\n"
"PROGRAM did (its status or its signal).  Its own errors exit with 1,\n"
"a failed exec with 126 (127: not found).\n"
"\n"
"Examples:\n"
"  nsenter-lite -t 1234 -a                 # a shell where 1234 lives\n"
"  nsenter-lite --container c1 -a ps       # ps in container c1\n"
"  nsenter-lite --net=/run/netns/blue ip link\n"
"  nsenter-lite -t 1234 -m -p -r -w -e -S follow -G follow sh\n";

enum {
	NS_USER, NS_CGROUP, NS_IPC, NS_UTS, NS_NET, NS_PID, NS_MNT, NS_TIME,
	NS_COUNT
};

/* nsenter's order: the user namespace first (see enter_each()). */
static const struct {
	char proc[8];		/* /proc/PID/ns/ name */
	char opt[8];		/* option name */
	int flag;
} nsinfo[NS_COUNT] = {
	[NS_USER] = { "user", "user", CLONE_NEWUSER },
	[NS_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
	[NS_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
	[NS_UTS] = { "uts", "uts", CLONE_NEWUTS },
	[NS_NET] = { "net", "net", CLONE_NEWNET },
	[NS_PID] = { "pid", "pid", CLONE_NEWPID },
	[NS_MNT] = { "mnt", "mount", CLONE_NEWNS },
	[NS_TIME] = { "time", "time", CLONE_NEWTIME },
};

enum {
	O_TARGET = 1, O_ALL, O_SETUID, O_SETGID, O_PRESERVE, O_ROOT, O_WD,
	O_WDNS, O_ENV, O_NOFORK, O_CGJOIN, O_KEEPCAPS, O_CONTAINER,
	O_STATEROOT, O_HELP, O_VERSION,
	O_NS,			/* O_NS + NS_*: a namespace option */
};

static const struct opt opts[] = {
	{ "target", 't', OPT_ARG, O_TARGET },
	{ "all", 'a', OPT_NOARG, O_ALL },
	{ "mount", 'm', OPT_OPTARG, O_NS + NS_MNT },
	{ "uts", 'u', OPT_OPTARG, O_NS + NS_UTS },
	{ "ipc", 'i', OPT_OPTARG, O_NS + NS_IPC },
	{ "net", 'n', OPT_OPTARG, O_NS + NS_NET },
	{ "pid", 'p', OPT_OPTARG, O_NS + NS_PID },
	{ "user", 'U', OPT_OPTARG, O_NS + NS_USER },
	{ "cgroup", 'C', OPT_OPTARG, O_NS + NS_CGROUP },
	{ "time", 'T', OPT_OPTARG, O_NS + NS_TIME },
	{ "setuid", 'S', OPT_ARG, O_SETUID },
	{ "setgid", 'G', OPT_ARG, O_SETGID },
	{ "preserve-credentials", 0, OPT_NOARG, O_PRESERVE },
	{ "root", 'r', OPT_OPTARG, O_ROOT },
	{ "wd", 'w', OPT_OPTARG, O_WD },
	{ "wdns", 'W', OPT_ARG, O_WDNS },
	{ "env", 'e', OPT_NOARG, O_ENV },
	{ "no-fork", 'F', OPT_NOARG, O_NOFORK },
	{ "join-cgroup", 'c', OPT_NOARG, O_CGJOIN },
	{ "keep-caps", 0, OPT_NOARG, O_KEEPCAPS },
	{ "container", 0, OPT_ARG, O_CONTAINER },
	{ "state-root", 0, OPT_ARG, O_STATEROOT },
	{ "help", 'h', OPT_NOARG, O_HELP },
	{ "version", 'V', OPT_NOARG, O_VERSION },
	{ 0 },
};

/* The command line, parsed, then what it needs opened. */
struct plan {
	pid_t pid;		/* the target, 0: none */
	uint64_t starttime;	/* of pid, as recorded or first seen */
	const char *container, *state_root;
	unsigned want;		/* 1 << NS_* */
	const char *file[NS_COUNT];
	int all, preserve, env, nofork, join_cgroup, keep_caps;
	const char *uid_s, *gid_s;
	int root_set, wd_set;
	const char *root, *wd, *wdns;	/* NULL with _set: the target's */
	char **argv;
	int argc;
	struct cgroup *cg;	/* from ocibox's state, else /proc */

	int pidfd;
	int nsfd[NS_COUNT];
	int rootfd, wdfd;
	char *envbuf;
	size_t envlen;
	uid_t uid;
	gid_t gid;
	int set_uid, set_gid;
};

static int parse_id(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static void usage_error(const char *msg) __attribute__((noreturn));

static void usage_error(const char *msg)
{
	xdie(1, "%s (see nsenter-lite --help)", msg);
}

static void parse(struct plan *p, int argc, char **argv)
{
	struct opt_iter it;
	struct err e = { 0 };
	unsigned long n;
	int id;

	opt_start(&it, argc - 1, argv + 1, OPT_STOP);
	while ((id = opt_next(&it, opts, &e)) != 0) {
		if (id < 0)
			usage_error(e.msg);
		if (id >= O_NS) {
			p->want |= 1u << (id - O_NS);
			p->file[id - O_NS] = it.arg;
			continue;
		}
		switch (id) {
		case O_TARGET:
			if (parse_id(it.arg, 0x7fffffff, &n) < 0 || !n)
				xdie(1, "--target %s: expected a pid", it.arg);
			p->pid = n;
			break;
		case O_ALL: p->all = 1; break;
		case O_SETUID: p->uid_s = it.arg; break;
		case O_SETGID: p->gid_s = it.arg; break;
		case O_PRESERVE: p->preserve = 1; break;
		case O_ROOT: p->root_set = 1; p->root = it.arg; break;
		case O_WD: p->wd_set = 1; p->wd = it.arg; break;
		case O_WDNS: p->wdns = it.arg; break;
		case O_ENV: p->env = 1; break;
		case O_NOFORK: p->nofork = 1; break;
		case O_CGJOIN: p->join_cgroup = 1; break;
		case O_KEEPCAPS: p->keep_caps = 1; break;
		case O_CONTAINER: p->container = it.arg; break;
		case O_STATEROOT: p->state_root = it.arg; break;
		case O_HELP:
			fputs(nsenter_lite_help, stdout);
			exit(0);
		case O_VERSION:
			printf("nsenter-lite (ocibox %s)\n", OCIBOX_VERSION);
			exit(0);
		}
	}
	p->argv = opt_rest(&it, &p->argc);
	if (p->pid && p->container)
		usage_error("--target and --container: give one of them");
	if (p->state_root && !p->container)
		usage_error("--state-root needs --container");
}

/* --- --container: a runtime's state to a pid ------------------------------ */

/* ocibox: its own state store (state.h), with the cgroup it recorded. */
static int from_ocibox(struct plan *p, int rootfd, struct err *e)
{
	struct state st = { 0 };
	int dirfd, r;

	dirfd = state_dir_open(rootfd, p->container, 0, e);
	if (dirfd < 0)
		return -e->no;
	r = state_load(dirfd, p->container, &st, e);
	close(dirfd);
	if (r == -ENOENT)
		return err_msg(e, EAGAIN, "is still being created");
	if (r < 0)
		return r;
	p->pid = st.pid;
	p->starttime = st.starttime;
	p->cg = st.cgroup;
	st.cgroup = NULL;
	state_release(&st);
	return 0;
}

/*
 * runc's state.json (init_process_pid, init_process_start) or crun's
 * status (pid, process-start-time): read, never written or locked.
 */
static int from_json(struct plan *p, const char *root, int dirfd,
		     const char *file, const char *pid_key,
		     const char *start_key, struct err *e)
{
	char name[4096];
	struct json_ctx c;
	cJSON *o;
	int64_t pid;
	uint64_t t;
	int r;

	snprintf(name, sizeof(name), "%s/%s/%s", root, p->container, file);
	r = json_load_file(dirfd, file, 1 << 20, name, &o, e);
	if (r < 0)
		return r;
	json_ctx_init(&c, name, e);
	r = json_get_int(&c, o, pid_key, JSON_REQUIRED, 1, 0x7fffffff, &pid);
	if (r >= 0)
		r = json_get_uint(&c, o, start_key, JSON_REQUIRED, UINT64_MAX,
				  &t);
	cJSON_Delete(o);
	if (r < 0)
		return r;
	p->pid = pid;
	p->starttime = t;
	return 0;
}

/* ID's layout under root: crun's status, runc's or ocibox's state.json. */
static int from_root(struct plan *p, const char *root, struct err *e)
{
	char name[4096];
	cJSON *o = NULL;
	int rootfd, dirfd, r, runc;

	rootfd = state_root_open(root, 0, e);
	if (rootfd < 0)
		return -e->no;
	dirfd = openat(rootfd, p->container, O_RDONLY | O_DIRECTORY |
		       O_CLOEXEC);
	if (dirfd < 0) {
		r = err_sys(e, errno, "%s/%s", root, p->container);
		goto out_root;
	}
	if (!faccessat(dirfd, "status", F_OK, 0)) {
		r = from_json(p, root, dirfd, "status", "pid",
			      "process-start-time", e);
		goto out_dir;
	}
	/* runc and ocibox both keep a state.json: runc's names its init. */
	snprintf(name, sizeof(name), "%s/%s/" STATE_FILE, root, p->container);
	r = json_load_file(dirfd, STATE_FILE, 1 << 20, name, &o, e);
	if (r == -ENOENT) {
		r = from_ocibox(p, rootfd, e);
		goto out_dir;
	}
	if (r < 0)
		goto out_dir;
	runc = cJSON_GetObjectItemCaseSensitive(o, "init_process_pid") != NULL;
	cJSON_Delete(o);
	if (runc)
		r = from_json(p, root, dirfd, STATE_FILE, "init_process_pid",
			      "init_process_start", e);
	else
		r = from_ocibox(p, rootfd, e);
out_dir:
	close(dirfd);
out_root:
	close(rootfd);
	return r;
}

static void resolve_container(struct plan *p)
{
	static const char *const names[] = { "ocibox", "runc", "crun" };
	char *roots[3] = { NULL, NULL, NULL };
	struct err e = { 0 };
	uint64_t now;
	size_t i;
	char st;

	if (state_id_check(p->container, &e) < 0)
		xdie(1, "--container %s: %s", p->container, e.msg);
	if (p->state_root) {
		if (from_root(p, p->state_root, &e) < 0)
			xdie(1, "container %s: %s", p->container, e.msg);
	} else {
		for (i = 0; i < 3; i++) {
			roots[i] = state_default_root(names[i]);
			if (!roots[i])
				xdie(1, "container %s: out of memory",
				     p->container);
			memset(&e, 0, sizeof(e));
			if (from_root(p, roots[i], &e) == 0 || e.no != ENOENT)
				break;
		}
		if (i == 3)
			xdie(1, "container %s: not found in %s, %s or %s",
			     p->container, roots[0], roots[1], roots[2]);
		if (e.no)
			xdie(1, "container %s: %s", p->container, e.msg);
		for (i = 0; i < 3; i++)
			free(roots[i]);
	}
	if (p->pid <= 0)
		xdie(1, "container %s: has no process", p->container);
	if (proc_stat(p->pid, &now, &st) < 0 || st == 'Z' || st == 'X')
		xdie(1, "container %s: not running (pid %d has exited)",
		     p->container, (int)p->pid);
	if (now != p->starttime)
		xdie(1, "container %s: pid %d is another process now (start "
		     "time %llu, recorded %llu)", p->container, (int)p->pid,
		     (unsigned long long)now,
		     (unsigned long long)p->starttime);
}

/* --- what the plan needs, opened before entering -------------------------- */

static int same_ns(pid_t pid, const char *name)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/%.8s", (int)pid, name);
	if (stat(path, &a) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/ns/%.8s", name);
	if (stat(path, &b) < 0)
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int open_proc(pid_t pid, const char *what, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	return open(path, flags | O_CLOEXEC);
}

static void need_target(const struct plan *p, const char *opt)
{
	if (!p->pid)
		xdie(1, "%s: no target (give -t PID or --container ID)", opt);
}

/* "Uid:\tREAL\tEFFECTIVE..." of /proc/PID/status: the effective id. */
static unsigned long status_id(pid_t pid, const char *key)
{
	char path[32], *buf, *l;
	unsigned long r, eff;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = read_file_at(AT_FDCWD, path, 1 << 16, &buf, NULL);
	if (n < 0)
		xdie(1, "%s: %s", path, strerror(-n));
	l = strstr(buf, key);
	if (!l || sscanf(l + strlen(key), "%lu %lu", &r, &eff) != 2)
		xdie(1, "%s: no %s line", path, key);
	free(buf);
	return eff;
}

/* id (as we see it) as the user namespace of pid sees it, by its map. */
static unsigned long map_in(pid_t pid, const char *map, unsigned long id)
{
	char path[32], *buf, *l;
	unsigned long in, out, count;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, map);
	n = read_file_at(AT_FDCWD, path, 1 << 16, &buf, NULL);
	if (n < 0)
		xdie(1, "%s: %s", path, strerror(-n));
	for (l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 :
	     NULL) {
		if (sscanf(l, "%lu %lu %lu", &in, &out, &count) == 3 &&
		    id >= out && id - out < count) {
			free(buf);
			return in + (id - out);
		}
	}
	free(buf);
	xdie(1, "%s: %lu is not mapped in pid %d's user namespace", map, id,
	     (int)pid);
}

/* -S or -G's value: a number, or "follow" (the target's effective id). */
static unsigned long cred_id(const struct plan *p, const char *opt,
			     const char *s, const char *key, const char *map)
{
	unsigned long n;

	if (strcmp(s, "follow")) {
		if (parse_id(s, (uid_t)-2, &n) < 0)
			xdie(1, "--%s %s: expected a number or 'follow'", opt,
			     s);
		return n;
	}
	if (!p->pid)
		xdie(1, "--%s follow: no target (give -t PID or --container "
		     "ID)", opt);
	n = status_id(p->pid, key);
	return p->want & (1u << NS_USER) ? map_in(p->pid, map, n) : n;
}

static void credentials(struct plan *p)
{
	/* nsenter's rule: a new user namespace means its root by default. */
	if ((p->want & (1u << NS_USER)) && !p->preserve)
		p->set_uid = p->set_gid = 1;
	if (p->uid_s) {
		p->set_uid = 1;
		p->uid = cred_id(p, "setuid", p->uid_s, "Uid:", "uid_map");
	}
	if (p->gid_s) {
		p->set_gid = 1;
		p->gid = cred_id(p, "setgid", p->gid_s, "Gid:", "gid_map");
	}
}

static void open_all(struct plan *p)
{
	char path[64];
	int i, r;

	p->pidfd = p->rootfd = p->wdfd = -1;
	for (i = 0; i < NS_COUNT; i++)
		p->nsfd[i] = -1;
	if (p->all) {
		need_target(p, "--all");
		for (i = 0; i < NS_COUNT; i++) {
			if (p->want & (1u << i))
				continue;
			r = same_ns(p->pid, nsinfo[i].proc);
			/* setns(2) refuses to re-enter our own user ns. */
			if (r == -ENOENT || (i == NS_USER && r == 1))
				continue;
			p->want |= 1u << i;
		}
	}
	for (i = 0; i < NS_COUNT; i++) {
		if (!(p->want & (1u << i)))
			continue;
		if (p->file[i]) {
			p->nsfd[i] = open(p->file[i], O_RDONLY | O_CLOEXEC);
			if (p->nsfd[i] < 0)
				xdie(1, "--%s=%s: %s", nsinfo[i].opt,
				     p->file[i], strerror(errno));
			continue;
		}
		snprintf(path, sizeof(path), "--%s", nsinfo[i].opt);
		need_target(p, path);
	}
	if (p->pid) {
		r = sys_pidfd_open(p->pid, 0);
		if (r < 0 && r != -ENOSYS)
			xdie(1, "pid %d: %s", (int)p->pid, strerror(-r));
		p->pidfd = r;
		if (!p->container &&
		    proc_stat(p->pid, &p->starttime, NULL) < 0)
			xdie(1, "pid %d: %s", (int)p->pid, strerror(ESRCH));
	}
	if (p->root_set) {
		if (!p->root)
			need_target(p, "--root");
		p->rootfd = p->root ? open(p->root, O_RDONLY | O_DIRECTORY |
					   O_CLOEXEC) :
			open_proc(p->pid, "root", O_RDONLY | O_DIRECTORY);
		if (p->rootfd < 0)
			xdie(1, "--root%s%s: %s", p->root ? "=" : "",
			     p->root ? p->root : "", strerror(errno));
	}
	if (p->wd_set) {
		if (!p->wd)
			need_target(p, "--wd");
		p->wdfd = p->wd ? open(p->wd, O_RDONLY | O_DIRECTORY |
				       O_CLOEXEC) :
			open_proc(p->pid, "cwd", O_RDONLY | O_DIRECTORY);
		if (p->wdfd < 0)
			xdie(1, "--wd%s%s: %s", p->wd ? "=" : "",
			     p->wd ? p->wd : "", strerror(errno));
	} else if (p->rootfd >= 0 && !p->wdns) {
		/* nsenter keeps the cwd across a new root when none given. */
		p->wdfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (p->wdfd < 0)
			xdie(1, "open .: %s", strerror(errno));
	}
	if (p->env) {
		need_target(p, "--env");
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)p->pid);
		r = read_file_at(AT_FDCWD, path, 4 << 20, &p->envbuf,
				 &p->envlen);
		if (r < 0)
			xdie(1, "--env: %s: %s", path, strerror(-r));
	}
	if (p->join_cgroup) {
		struct err e = { 0 };

		need_target(p, "--join-cgroup");
		if (!p->cg && cgroup_of_pid(p->pid, &p->cg, &e) < 0)
			xdie(1, "--join-cgroup: %s", e.msg);
	}
	credentials(p);
	/* All read while the pid was still the process meant. */
	if (p->pid && !proc_alive(p->pid, p->starttime))
		xdie(1, "pid %d: exited while being looked at", (int)p->pid);
}

/* --- entering ------------------------------------------------------------- */

/*
 * One setns(2) call per namespace, nsenter's way: a first pass without
 * the user namespace (we may be dropping privilege: enter it last), a
 * second with it first, then whatever the first pass could not enter.
 */
static void enter_each(struct plan *p)
{
	char what[16];
	int pass, i, r;

	for (i = 0; i < NS_COUNT; i++) {
		if (!(p->want & (1u << i)) || p->nsfd[i] >= 0)
			continue;
		snprintf(what, sizeof(what), "ns/%.8s", nsinfo[i].proc);
		p->nsfd[i] = open_proc(p->pid, what, O_RDONLY);
		if (p->nsfd[i] < 0)
			xdie(1, "/proc/%d/ns/%s: %s", (int)p->pid,
			     nsinfo[i].proc, strerror(errno));
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = pass ? NS_USER : NS_USER + 1; i < NS_COUNT; i++) {
			if (p->nsfd[i] < 0)
				continue;
			r = sys_setns(p->nsfd[i], nsinfo[i].flag);
			if (r < 0 && !pass)
				continue;
			if (r < 0)
				xdie(1, "setns %s: %s", nsinfo[i].opt,
				     strerror(-r));
			close(p->nsfd[i]);
			p->nsfd[i] = -1;
		}
	}
}

static void enter(struct plan *p)
{
	int i, flags = 0, files = 0, r;

	for (i = 0; i < NS_COUNT; i++) {
		if (p->want & (1u << i))
			flags |= nsinfo[i].flag;
		files |= p->nsfd[i] >= 0;
	}
	if (!flags)
		return;
	if (p->pidfd >= 0 && !files) {
		r = sys_setns(p->pidfd, flags);
		if (!r)
			return;
		/*
		 * Before Linux 5.8 a pidfd is no namespace (EINVAL); any
		 * other refusal is named by the per-namespace path too.
		 */
		if (r != -EINVAL && r != -EPERM)
			xdie(1, "setns pid %d: %s", (int)p->pid,
			     strerror(-r));
	}
	enter_each(p);
}

static void change_dirs(struct plan *p)
{
	if (p->rootfd >= 0) {
		if (fchdir(p->rootfd) < 0 || chroot(".") < 0 ||
		    chdir("/") < 0)
			xdie(1, "--root: %s", strerror(errno));
		close(p->rootfd);
	}
	if (p->wdns && chdir(p->wdns) < 0)
		xdie(1, "--wdns %s: %s", p->wdns, strerror(errno));
	if (p->wdfd >= 0) {
		if (fchdir(p->wdfd) < 0)
			xdie(1, "--wd: %s", strerror(errno));
		close(p->wdfd);
	}
}

/* With /proc/self/setgroups "deny" (an unprivileged map) none to drop. */
static int setgroups_denied(void)
{
	char *buf;
	int deny;

	if (read_file_at(AT_FDCWD, "/proc/self/setgroups", 64, &buf,
			 NULL) < 0)
		return 0;
	deny = !strncmp(buf, "deny", 4);
	free(buf);
	return deny;
}

static void set_credentials(const struct plan *p)
{
	uint64_t eff, prm, inh;
	int cap, r;

	if (p->set_gid) {
		if (setgroups(0, NULL) < 0 && !setgroups_denied())
			xdie(1, "setgroups: %s", strerror(errno));
		if (setgid(p->gid) < 0)
			xdie(1, "setgid %u: %s", (unsigned)p->gid,
			     strerror(errno));
	}
	if (p->set_uid && setuid(p->uid) < 0)
		xdie(1, "setuid %u: %s", (unsigned)p->uid, strerror(errno));
	if (!p->keep_caps || !(p->want & (1u << NS_USER)))
		return;
	/* Ambient capabilities must be permitted and inheritable. */
	r = sys_capget(&eff, &prm, &inh);
	if (!r)
		r = sys_capset(eff, prm, prm);
	if (r < 0)
		xdie(1, "--keep-caps: %s", strerror(-r));
	for (cap = 0; cap < 64; cap++)
		if ((prm >> cap & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			xdie(1, "--keep-caps: raise capability %d: %s", cap,
			     strerror(errno));
}

/*
 * nsenter's continue_as_child(): the child goes on to exec; we wait,
 * stop when it stops (and let it go on when we are continued), then
 * leave as it left: its exit status, or its signal.
 */
static void continue_as_child(void)
{
	sigset_t all;
	pid_t child, r;
	int status, sig;

	signal(SIGCHLD, SIG_DFL);
	child = fork();
	if (child < 0)
		xdie(1, "fork: %s", strerror(errno));
	if (!child)
		return;
	for (;;) {
		r = waitpid(child, &status, WUNTRACED);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			xdie(1, "waitpid: %s", strerror(errno));
		if (!WIFSTOPPED(status))
			break;
		kill(getpid(), SIGSTOP);
		kill(child, SIGCONT);
	}
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	sig = WTERMSIG(status);
	signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigaddset(&all, sig);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	kill(getpid(), sig);
	exit(1);
}

/* The target's NUL-separated environment as environ. */
static void use_env(struct plan *p)
{
	char **env, *s;
	size_t n = 0, i = 0;

	for (s = p->envbuf; s < p->envbuf + p->envlen; s += strlen(s) + 1)
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (!env)
		xdie(1, "--env: %s", strerror(ENOMEM));
	for (s = p->envbuf; s < p->envbuf + p->envlen; s += strlen(s) + 1)
		env[i++] = s;
	environ = env;
}

static void run(struct plan *p)
{
	const char *shell, *base;
	char *arg0;

	if (p->envbuf)
		use_env(p);
	if (p->argc > 0) {
		execvp(p->argv[0], p->argv);
		xdie(errno == ENOENT ? 127 : 126, "exec %s: %s", p->argv[0],
		     strerror(errno));
	}
	shell = getenv("SHELL");
	if (!shell || !*shell)
		shell = "/bin/sh";
	base = strrchr(shell, '/') ? strrchr(shell, '/') + 1 : shell;
	if (asprintf(&arg0, "-%s", base) < 0)
		xdie(1, "%s", strerror(ENOMEM));
	execl(shell, arg0, (char *)NULL);
	xdie(errno == ENOENT ? 127 : 126, "exec %s: %s", shell,
	     strerror(errno));
}

int nsenter_lite_main(int argc, char **argv)
{
	struct plan p = { 0 };
	struct err e = { 0 };

	log_init("nsenter-lite");
	parse(&p, argc, argv);
	if (p.container)
		resolve_container(&p);
	open_all(&p);
	if (p.cg && cgroup_enter_self(p.cg, 0, &e) < 0)
		xdie(1, "--join-cgroup: %s", e.msg);
	enter(&p);
	change_dirs(&p);
	if (p.pidfd >= 0)
		close(p.pidfd);
	if ((p.want & (1u << NS_PID)) && !p.nofork)
		continue_as_child();
	set_credentials(&p);
	run(&p);
	return 1;
}
